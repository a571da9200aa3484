"""CSL-JSON (Zotero "CSL JSON" export, Better BibTeX, citeproc, Mendeley, pandoc).

A file is an array of items (or one item). Raw pairs are the item's keys, encoded as in the
other JSON readers (`jsonfmt.encode_value`), so nothing is lost. CSL differs from Crossref's
JSON, which it resembles, in that `title` and `container-title` are strings, not lists.

>>> text = ('[{"id": "a1", "type": "article-journal", "title": "Care", "PMID": "12",'
...         ' "author": [{"family": "Smith", "given": "Jo"}], "issued": {"date-parts": [[2019, 3]]},'
...         ' "container-title": "BMJ", "page": "1-9", "source": "PubMed"}]')
>>> r = parse_csl_json(text).records[0]
>>> r.title, r.authors, r.year, r.journal, r.pmid, r.source_db
('Care', ['Smith, Jo'], 2019, 'BMJ', '12', 'PubMed')
"""

from __future__ import annotations

import json
from typing import Any

from litrev.errors import InputError
from litrev.records.base import (
    ParsedFile,
    Problems,
    clean_text,
    normalise_doi,
    parse_year,
    split_list,
)
from litrev.records.detect import database_name
from litrev.records.formats.jsonfmt import encode_value
from litrev.records.model import Provenance, Record


def parse_csl_json(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Read every item of a CSL-JSON array; an item that is not an object with a `type` is
    malformed."""
    problems = Problems(path, skip_invalid)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(path, f"not valid JSON: {error.msg}", line=error.lineno) from error
    except RecursionError as error:
        raise InputError(path, "not valid JSON: nested too deeply for litrev to read") from error
    except ValueError as error:  # an integer of more than 4,300 digits
        raise InputError(path, f"not valid JSON: {str(error).split(';')[0]}") from error
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    items = data if isinstance(data, list) else [data]
    records: list[Record] = []
    for position, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            kind = type(item).__name__ if not isinstance(item, dict) else "object without 'type'"
            problems.report(
                f"item {position + 1} is a JSON {kind}; expected a CSL item with a 'type'",
                line=None,
                position=position,
            )
            continue
        authors = item.get("author")
        if authors is not None and not isinstance(authors, list):
            problems.report(
                f"item {position + 1}: 'author' is a JSON {type(authors).__name__}; "
                "expected an array of names",
                line=None,
                position=position,
            )
            continue
        try:
            record = _record(item)
            record.raw = [(key, encode_value(value)) for key, value in item.items()]
        except RecursionError:
            problems.report(
                f"item {position + 1} is nested too deeply to keep", line=None, position=position
            )
            continue
        record.provenance = Provenance(file=path, position=position, line=None, format="csl-json")
        records.append(record)
    return ParsedFile(records, problems.skipped)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list | bool):
        return None
    return clean_text(str(value))


def _name(person: Any) -> str | None:
    if not isinstance(person, dict):
        return None
    family = " ".join(str(person[k]) for k in ("non-dropping-particle", "family") if person.get(k))
    given = person.get("given")
    if family and given:
        return f"{family}, {given}"
    return family or (str(given) if given else None) or _text(person.get("literal"))


def _year(item: dict[str, Any]) -> int | None:
    for key in ("issued", "original-date", "available-date"):
        date = item.get(key)
        if isinstance(date, dict):
            parts = date.get("date-parts")
            if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
                year = parse_year(str(parts[0][0]))
                if year is not None:
                    return year
            year = parse_year(str(date.get("raw") or date.get("literal") or ""))
            if year is not None:
                return year
        elif isinstance(date, str | int):
            return parse_year(str(date))
    return None


def _keywords(value: Any) -> list[str]:
    """CSL's `keyword` is one string ("a, b"); some writers give a list of strings."""
    if isinstance(value, str):
        return split_list(value, ",;")
    if isinstance(value, list):
        return [k for k in (_text(v) for v in value) if k]
    return []


def _record(item: dict[str, Any]) -> Record:
    get = item.get
    keywords = get("keyword")
    source = _text(get("source"))
    return Record(
        title=_text(get("title")),
        abstract=_text(get("abstract")),
        authors=[a for a in (_name(p) for p in get("author") or []) if a],
        year=_year(item),
        journal=_text(get("container-title")) or _text(get("container-title-short")),
        volume=_text(get("volume")),
        issue=_text(get("issue")) or _text(get("number")),
        pages=_text(get("page")),
        doi=normalise_doi(_text(get("DOI"))),
        pmid=_text(get("PMID")),
        pmcid=_text(get("PMCID")),
        issn=_text(get("ISSN")),
        keywords=_keywords(keywords),
        language=_text(get("language")),
        publication_type=_text(get("type")),
        url=_text(get("URL")),
        record_id=_text(get("id")) or _text(get("citation-key")),
        source_db=database_name(source) if source else None,
    )
