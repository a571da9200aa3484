"""OpenAlex, Crossref and Europe PMC JSON: API responses, lists of works, single works, JSON Lines.

Raw pairs are the work's top-level keys. A string value is kept as it is unless it would read
as JSON itself (e.g. "12"), in which case it is JSON-quoted; any other value is its compact
JSON text. So `decode_value` gives back exactly the original value and writing loses nothing.

>>> encode_value("Care"), encode_value("12"), encode_value(12), encode_value(["a"])
('Care', '"12"', '12', '["a"]')
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from litrev.errors import InputError
from litrev.records.base import ParsedFile, Problems, clean_text, normalise_doi, parse_year
from litrev.records.model import Provenance, Record

JSON_FORMATS = ("openalex-json", "crossref-json", "europepmc-json")


def encode_value(value: Any) -> str:
    """A JSON value as raw text (see the module docstring)."""
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return value
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def decode_value(text: str) -> Any:
    """Inverse of `encode_value`."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _items(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if isinstance(data.get("results"), list):
            return list(data["results"])
        message = data.get("message")
        if isinstance(message, dict):
            return list(message["items"]) if isinstance(message.get("items"), list) else [message]
        result_list = data.get("resultList")
        if isinstance(result_list, dict) and isinstance(result_list.get("result"), list):
            return list(result_list["result"])
        return [data]
    return [data]


def kind_of_work(item: dict[str, Any]) -> str:
    """'openalex-json', 'crossref-json' or 'europepmc-json' for one work object."""
    if "authorships" in item or str(item.get("id", "")).startswith("https://openalex.org/"):
        return "openalex-json"
    if "authorString" in item or "pubYear" in item or "journalInfo" in item:
        return "europepmc-json"
    return "crossref-json"


def parse_json(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Read works from a JSON document or JSON Lines; bad JSON raises `InputError` with its line."""
    problems = Problems(path, skip_invalid)
    try:
        items = _items(json.loads(text))
        lines: list[int | None] = [None] * len(items)
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            raise InputError(path, f"not valid JSON: {error.msg}", line=error.lineno) from error
        items, lines = [], []
        for number, text_line in enumerate(text.split("\n"), 1):  # JSON Lines (snapshots)
            if text_line.strip():
                try:
                    items.append(json.loads(text_line))
                except json.JSONDecodeError as line_error:
                    raise InputError(
                        path, f"not valid JSON Lines: {line_error.msg}", line=number
                    ) from line_error
                lines.append(number)
    records: list[Record] = []
    for position, (item, line) in enumerate(zip(items, lines, strict=True)):
        if not isinstance(item, dict):
            problems.report(
                f"work {position + 1} is a JSON {type(item).__name__}; expected an object",
                line=line,
                position=position,
            )
            continue
        kind = kind_of_work(item)
        record = _READERS[kind](item)
        record.raw = [(key, encode_value(value)) for key, value in item.items()]
        record.provenance = Provenance(file=path, position=position, line=line, format=kind)
        records.append(record)
    return ParsedFile(records, problems.skipped)


def _dig(item: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(item, dict):
            item = item.get(key)
        elif isinstance(item, list) and isinstance(key, int) and -len(item) <= key < len(item):
            item = item[key]
        else:
            return None
    return item


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return clean_text(str(value))


def _openalex(item: dict[str, Any]) -> Record:
    index = item.get("abstract_inverted_index") or {}
    words = sorted((pos, word) for word, positions in index.items() for pos in positions)
    biblio = item.get("biblio") or {}
    first, last = biblio.get("first_page"), biblio.get("last_page")
    pages = f"{first}-{last}" if first and last and first != last else first
    ids = item.get("ids") or {}
    pmid = str(ids.get("pmid") or "").rstrip("/").rsplit("/", 1)[-1] or None
    pmcid = str(ids.get("pmcid") or "").rstrip("/").rsplit("/", 1)[-1] or None
    return Record(
        title=_text(item.get("title") or item.get("display_name")),
        abstract=clean_text(" ".join(word for _, word in words)),
        authors=[
            a
            for a in (
                _text(_dig(x, "author", "display_name")) for x in item.get("authorships") or []
            )
            if a
        ],
        year=item.get("publication_year")
        if isinstance(item.get("publication_year"), int)
        else None,
        journal=_text(_dig(item, "primary_location", "source", "display_name")),
        volume=_text(biblio.get("volume")),
        issue=_text(biblio.get("issue")),
        pages=_text(pages),
        doi=normalise_doi(item.get("doi")),
        pmid=pmid,
        pmcid=pmcid,
        issn=_text(_dig(item, "primary_location", "source", "issn_l")),
        keywords=[
            k for k in (_text(_dig(x, "display_name")) for x in item.get("keywords") or []) if k
        ],
        language=_text(item.get("language")),
        publication_type=_text(item.get("type")),
        url=_text(item.get("id")),
        record_id=_text(str(item.get("id", "")).rsplit("/", 1)[-1] or None),
        source_db="OpenAlex",
    )


def _crossref(item: dict[str, Any]) -> Record:
    authors = []
    for person in item.get("author") or []:
        family, given = person.get("family"), person.get("given")
        name = f"{family}, {given}" if family and given else family or given or person.get("name")
        if name:
            authors.append(str(name))
    year = None
    for key in ("issued", "published", "published-print", "published-online", "created"):
        year = _dig(item, key, "date-parts", 0, 0)
        if isinstance(year, int):
            break
    return Record(
        title=_text(_dig(item, "title", 0)),
        abstract=_text(item.get("abstract")),
        authors=authors,
        year=year if isinstance(year, int) else None,
        journal=_text(_dig(item, "container-title", 0)),
        volume=_text(item.get("volume")),
        issue=_text(item.get("issue")),
        pages=_text(item.get("page")),
        doi=normalise_doi(item.get("DOI")),
        issn=_text(_dig(item, "ISSN", 0)),
        keywords=[str(s) for s in item.get("subject") or []],
        language=_text(item.get("language")),
        publication_type=_text(item.get("type")),
        url=_text(item.get("URL")),
        record_id=_text(item.get("DOI")),
        source_db="Crossref",
    )


def _europepmc(item: dict[str, Any]) -> Record:
    author_list = _dig(item, "authorList", "author") or []
    authors = [str(a["fullName"]) for a in author_list if isinstance(a, dict) and a.get("fullName")]
    if not authors and item.get("authorString"):
        authors = [a.strip() for a in str(item["authorString"]).rstrip(".").split(",") if a.strip()]
    keywords = _dig(item, "keywordList", "keyword") or []
    return Record(
        title=_text(item.get("title")),
        abstract=_text(item.get("abstractText")),
        authors=authors,
        year=parse_year(str(item.get("pubYear") or "")),
        journal=_text(_dig(item, "journalInfo", "journal", "title") or item.get("journalTitle")),
        volume=_text(_dig(item, "journalInfo", "volume")),
        issue=_text(_dig(item, "journalInfo", "issue")),
        pages=_text(item.get("pageInfo")),
        doi=normalise_doi(item.get("doi")),
        pmid=_text(item.get("pmid")),
        pmcid=_text(item.get("pmcid")),
        issn=_text(_dig(item, "journalInfo", "journal", "issn")),
        keywords=[str(k) for k in keywords],
        language=_text(item.get("language")),
        publication_type=_text(_dig(item, "pubTypeList", "pubType", 0)),
        record_id=_text(f"{item.get('source', '')}:{item.get('id', '')}"),
        source_db="Europe PMC",
    )


_READERS = {"openalex-json": _openalex, "crossref-json": _crossref, "europepmc-json": _europepmc}


def json_work(record: Record) -> dict[str, Any]:
    """The JSON object for a record: its own when read from JSON, else a Crossref-shaped work."""
    if record.provenance and record.provenance.format in JSON_FORMATS and record.raw:
        return {key: decode_value(value) for key, value in record.raw}
    work: dict[str, Any] = {"type": record.publication_type or "journal-article"}
    if record.title:
        work["title"] = [record.title]
    people = []
    for name in record.authors:
        family, _, given = name.partition(",")
        people.append(
            {"family": family.strip(), "given": given.strip()} if given else {"name": name}
        )
    work["author"] = people
    if record.year is not None:
        work["issued"] = {"date-parts": [[record.year]]}
    for key, value in (
        ("container-title", [record.journal] if record.journal else None),
        ("volume", record.volume),
        ("issue", record.issue),
        ("page", record.pages),
        ("DOI", record.doi),
        ("ISSN", [record.issn] if record.issn else None),
        ("abstract", record.abstract),
        ("language", record.language),
        ("URL", record.url),
        ("subject", record.keywords or None),
    ):
        if value:
            work[key] = value
    return work


def write_json(records: Iterable[Record], out: TextIO) -> None:
    """Write works in the envelope of their source (OpenAlex, Europe PMC, else Crossref)."""
    records = list(records)
    works = [json_work(r) for r in records]
    formats = {r.provenance.format if r.provenance else None for r in records}
    if formats == {"openalex-json"}:
        document: dict[str, Any] = {"results": works}
    elif formats == {"europepmc-json"}:
        document = {"resultList": {"result": works}}
    else:
        document = {"status": "ok", "message-type": "work-list", "message": {"items": works}}
    json.dump(document, out, ensure_ascii=False, indent=1)
    out.write("\n")
