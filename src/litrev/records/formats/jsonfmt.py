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
        except RecursionError:
            pass  # JSON nested too deeply to read back here: quoted, so it reads as a string
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def decode_value(text: str) -> Any:
    """Inverse of `encode_value`."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
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
    work_id = item.get("id")
    if "authorships" in item or (
        isinstance(work_id, str) and work_id.startswith("https://openalex.org/")
    ):
        return "openalex-json"
    if "authorString" in item or "pubYear" in item or "journalInfo" in item:
        return "europepmc-json"
    return "crossref-json"


def _load(text: str, path: str, line: int | None = None, what: str = "JSON") -> Any:
    """json.loads, with every way it can fail turned into `InputError`."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise  # the caller tells a JSON Lines file from bad JSON by its message
    except RecursionError as error:
        raise InputError(
            path, f"not valid {what}: nested too deeply for litrev to read", line=line
        ) from error
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise InputError(
            path, f"not valid {what}: {str(error).split(';')[0]}", line=line
        ) from error


def parse_json(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Read works from a JSON document or JSON Lines; bad JSON raises `InputError` with its line.

    A work whose field has the wrong JSON type (a title that is an object, authors that are
    a string) is malformed: it raises, or is skipped with `skip_invalid`."""
    problems = Problems(path, skip_invalid)
    try:
        items = _items(_load(text, path))
        lines: list[int | None] = [None] * len(items)
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            raise InputError(path, f"not valid JSON: {error.msg}", line=error.lineno) from error
        items, lines = [], []
        for number, text_line in enumerate(text.split("\n"), 1):  # JSON Lines (snapshots)
            if text_line.strip():
                try:
                    items.append(_load(text_line, path, number, "JSON Lines"))
                except json.JSONDecodeError as line_error:
                    raise InputError(
                        path, f"not valid JSON Lines: {line_error.msg}", line=number
                    ) from line_error
                lines.append(number)
    records: list[Record] = []
    for position, (item, line) in enumerate(zip(items, lines, strict=True)):
        if not isinstance(item, dict):
            problems.report(
                f"work {position + 1} is a JSON {_json_type(item)}; expected an object",
                line=line,
                position=position,
            )
            continue
        try:
            kind = kind_of_work(item)
            record = _READERS[kind](_Work(item))
            record.raw = [(str(key), encode_value(value)) for key, value in item.items()]
        except _WrongType as error:
            problems.report(f"work {position + 1}: {error}", line=line, position=position)
            continue
        except RecursionError:
            problems.report(
                f"work {position + 1} is nested too deeply to keep", line=line, position=position
            )
            continue
        record.provenance = Provenance(file=path, position=position, line=line, format=kind)
        records.append(record)
    return ParsedFile(records, problems.skipped)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    return "number"


class _WrongType(Exception):
    def __init__(self, where: str, value: Any, expected: str) -> None:
        super().__init__(f"'{where}' is a JSON {_json_type(value)}; expected {expected}")


class _Work:
    """Typed access to one work's fields: null or absent is "not given"; a value of another
    type than the field's raises `_WrongType` naming the field, so no reader guesses."""

    def __init__(self, value: dict[str, Any], where: str = "") -> None:
        self.value, self.where = value, where

    def _at(self, keys: tuple[str | int, ...]) -> tuple[Any, str]:
        value: Any = self.value
        where = self.where
        for key in keys:
            if value is None:
                return None, where
            if isinstance(key, int):
                if not isinstance(value, list):
                    raise _WrongType(where, value, "an array")
                value = value[key] if -len(value) <= key < len(value) else None
                where = f"{where}[{key}]"
            else:
                if not isinstance(value, dict):
                    raise _WrongType(where, value, "an object")
                value = value.get(key)
                where = f"{where}.{key}" if where else key
        return value, where

    def text(self, *keys: str | int) -> str | None:
        """A string or number field as cleaned text."""
        value, where = self._at(keys)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _WrongType(where, value, "a string or number")
        return clean_text(str(value))

    def first_text(self, key: str) -> str | None:
        """Crossref's one-item lists ("title": ["..."]); a plain string is accepted too."""
        value, _where = self._at((key,))
        if isinstance(value, list):
            return self.text(key, 0)
        return self.text(key)

    def whole(self, *keys: str | int) -> int | None:
        value, where = self._at(keys)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise _WrongType(where, value, "a whole number")
        return value

    def obj(self, *keys: str | int) -> _Work:
        value, where = self._at(keys)
        if value is None:
            return _Work({}, where)
        if not isinstance(value, dict):
            raise _WrongType(where, value, "an object")
        return _Work(value, where)

    def objects(self, *keys: str | int) -> list[_Work]:
        """An array of objects (null items are left out)."""
        value, where = self._at(keys)
        if value is None:
            return []
        if not isinstance(value, list):
            raise _WrongType(where, value, "an array")
        works = []
        for index, item in enumerate(value):
            if item is None:
                continue
            if not isinstance(item, dict):
                raise _WrongType(f"{where}[{index}]", item, "an object")
            works.append(_Work(item, f"{where}[{index}]"))
        return works

    def texts(self, *keys: str | int) -> list[str]:
        """An array of strings or numbers, as cleaned texts; a lone string is a one-item list."""
        value, where = self._at(keys)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise _WrongType(where, value, "an array of strings")
        found = [_Work({"v": item}, f"{where}[{i}]").text("v") for i, item in enumerate(value)]
        return [t for t in found if t]


def _openalex(work: _Work) -> Record:
    index = work.obj("abstract_inverted_index")
    words = []
    for word, positions in index.value.items():
        where = f"abstract_inverted_index.{word}"
        if not isinstance(positions, list):
            raise _WrongType(where, positions, "an array of word positions")
        for place in positions:
            if isinstance(place, bool) or not isinstance(place, int):
                raise _WrongType(where, place, "a word position (whole number)")
            words.append((place, word))
    words.sort()
    biblio = work.obj("biblio")
    first, last = biblio.text("first_page"), biblio.text("last_page")
    pages = f"{first}-{last}" if first and last and first != last else first
    ids = work.obj("ids")
    pmid = (ids.text("pmid") or "").rstrip("/").rsplit("/", 1)[-1] or None
    pmcid = (ids.text("pmcid") or "").rstrip("/").rsplit("/", 1)[-1] or None
    source = work.obj("primary_location").obj("source")
    url = work.text("id")
    return Record(
        title=work.text("title") or work.text("display_name"),
        abstract=clean_text(" ".join(word for _, word in words)),
        authors=[
            a
            for a in (x.obj("author").text("display_name") for x in work.objects("authorships"))
            if a
        ],
        year=work.whole("publication_year"),
        journal=source.text("display_name"),
        volume=biblio.text("volume"),
        issue=biblio.text("issue"),
        pages=pages,
        doi=normalise_doi(work.text("doi")),
        pmid=pmid,
        pmcid=pmcid,
        issn=source.text("issn_l"),
        keywords=[k for k in (x.text("display_name") for x in work.objects("keywords")) if k],
        language=work.text("language"),
        publication_type=work.text("type"),
        url=url,
        record_id=(url or "").rsplit("/", 1)[-1] or None,
        source_db="OpenAlex",
    )


def _crossref(work: _Work) -> Record:
    authors = []
    for person in work.objects("author"):
        family, given = person.text("family"), person.text("given")
        name = f"{family}, {given}" if family and given else family or given or person.text("name")
        if name:
            authors.append(name)
    year = None
    for key in ("issued", "published", "published-print", "published-online", "created"):
        year = work.obj(key).whole("date-parts", 0, 0)
        if year is not None:
            break
    doi = work.text("DOI")
    return Record(
        title=work.first_text("title"),
        abstract=work.text("abstract"),
        authors=authors,
        year=year,
        journal=work.first_text("container-title"),
        volume=work.text("volume"),
        issue=work.text("issue"),
        pages=work.text("page"),
        doi=normalise_doi(doi),
        issn=work.first_text("ISSN"),
        keywords=work.texts("subject"),
        language=work.text("language"),
        publication_type=work.text("type"),
        url=work.text("URL"),
        record_id=doi,
        source_db="Crossref",
    )


def _europepmc(work: _Work) -> Record:
    authors = [
        a for a in (x.text("fullName") for x in work.obj("authorList").objects("author")) if a
    ]
    author_string = work.text("authorString")
    if not authors and author_string:
        authors = [a.strip() for a in author_string.rstrip(".").split(",") if a.strip()]
    journal = work.obj("journalInfo")
    source, number = work.text("source"), work.text("id")
    kinds = work.obj("pubTypeList").texts("pubType")
    return Record(
        title=work.text("title"),
        abstract=work.text("abstractText"),
        authors=authors,
        year=parse_year(work.text("pubYear")),
        journal=journal.obj("journal").text("title") or work.text("journalTitle"),
        volume=journal.text("volume"),
        issue=journal.text("issue"),
        pages=work.text("pageInfo"),
        doi=normalise_doi(work.text("doi")),
        pmid=work.text("pmid"),
        pmcid=work.text("pmcid"),
        issn=journal.obj("journal").text("issn"),
        keywords=work.obj("keywordList").texts("keyword"),
        language=work.text("language"),
        publication_type=kinds[0] if kinds else None,
        record_id=clean_text(f"{source or ''}:{number or ''}"),
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
