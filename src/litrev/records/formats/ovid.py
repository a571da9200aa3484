"""Ovid "Citation" text export (Export > Format: Citation or Ovid labelled display, .txt).

A record opens with `<1>` (or `<1. >`); each field is a label on its own line (`Unique
Identifier`, `Title`, `Authors`, `Source`, `Abstract`, `Database` ...) followed by its value
on lines indented by two spaces. Both the "Citation" and "Complete Reference" field sets of
MEDLINE, Embase and PsycINFO read the same way: `raw` keeps every (label, value) pair, values
of several lines joined by "\\n". The header Ovid writes before the records (`Database:`,
`Search Strategy:` and the numbered search lines) is not a record; when it names one
database, records without a `Database` field are counted under it.

>>> text = "<1>\\nUnique Identifier\\n  123\\nTitle\\n  A trial.\\nSource\\n  BMJ. 9(2):10-19, 2019.\\n"
>>> text += "Database\\n  Ovid MEDLINE(R) ALL\\n"
>>> r = parse_ovid(text).records[0]
>>> r.record_id, r.title, r.journal, r.volume, r.issue, r.pages, r.year, r.source_db
('123', 'A trial.', 'BMJ', '9', '2', '10-19', 2019, 'MEDLINE')
"""

from __future__ import annotations

import re

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
from litrev.records.formats.tagged import report_too_long
from litrev.records.model import Provenance, Record

RECORD_LINE = re.compile(r"^<\s*(\d+)\s*\.?\s*>\s*$")
_HEADER_DATABASE = re.compile(r"^Database:\s*(.+?)\s*(?:<[^>]*>)?\s*$")
# "Journal. 9(12):e031563, 2019 Dec." -> journal, volume, issue, pages, year
# MEDLINE: "BMJ Open. 9(12):e031563, 2019 Dec."; Embase: "BMJ Open. 9 (12) (pp 10-19), 2019.";
# PsycINFO: "Journal of Care. Vol.12(3), 2019, pp. 100-110."
_SOURCES = (
    re.compile(
        r"^(?P<journal>.+?)\.\s+Vol\.?\s*(?P<volume>[^\s(,]+)\s*(?:\((?P<issue>[^)]*)\))?,"
        r"\s*(?P<year>\d{4}),\s*pp\.?\s*(?P<pages>[^.,\s]+)"
    ),
    re.compile(
        r"^(?P<journal>.+?)\.\s+(?P<volume>[^\s(:.,]+)?\s*(?:\((?P<issue>[^)]*)\))?\s*"
        r"(?::\s*(?P<pages>[^,]+)|\((?:pp\s*)?(?P<pages2>[^)]*)\))?,\s*(?P<year>\d{4})"
    ),
)
_FIELDS: dict[str, tuple[str, ...]] = {
    "record_id": ("unique identifier", "accession number", "embase accession number"),
    "title": ("title", "book title"),
    "authors": ("authors full name", "authors", "author"),
    "journal": ("journal name", "journal title", "journal abbreviation"),
    "abstract": ("abstract",),
    "year": ("year of publication", "publication year", "date of publication", "date"),
    "doi": ("digital object identifier", "doi", "digital object identifier (doi)"),
    "pmid": ("pmid", "pubmed id", "medline pmid"),
    "issn": ("issn print", "issn electronic", "issn", "international standard serial number"),
    "language": ("language",),
    "publication_type": ("publication type", "document type"),
    "url": ("url", "link to the ovid full text or citation"),
    "volume": ("volume",),
    "issue": ("issue", "issue/part"),
    "pages": ("page", "pages", "page count"),
    "database": ("database",),
}
_KEYWORDS = (
    "mesh subject headings",
    "subject headings",
    "emtree heading",
    "keyword heading",
    "keywords",
    "author keywords",
    "keyword",
)


def parse_ovid(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Split an Ovid citation export into records of (label, value) pairs."""
    problems = Problems(path, skip_invalid)
    records: list[Record] = []
    header_databases: list[str] = []
    raw: list[tuple[str, str]] | None = None
    values: list[str] = []
    start = 0

    def close_field() -> None:
        if raw:
            raw[-1] = (raw[-1][0], "\n".join(values))
        values.clear()

    def finish() -> None:
        nonlocal raw
        close_field()
        if raw is None:
            return
        position = len(records) + len(problems.skipped)
        if not raw:
            problems.report(
                "record has no fields; expected a label line such as 'Title' and an indented value",
                line=start,
                position=position,
            )
        else:
            records.append(record_from_ovid(raw, path, position, start))
        raw = None

    field: list = ["", 0, 0]  # the open field's label, first line and length so far

    def too_long() -> bool:
        nonlocal raw
        if not report_too_long(problems, field, len(records) + len(problems.skipped)):
            return False
        values.clear()
        raw = None
        return True

    for lineno, line in enumerate(text.split("\n"), 1):
        if RECORD_LINE.match(line):
            finish()
            raw, start = [], lineno
            continue
        if raw is None:
            database = _HEADER_DATABASE.match(line) if not records else None
            if database:
                header_databases.append(database.group(1))
            continue  # the search header before the first record
        if not line.strip():
            continue
        if line[0] in " \t":
            if not raw:
                problems.report(
                    f"line {lineno} is an indented value before any field label: {line[:40]!r}",
                    line=lineno,
                    position=len(records) + len(problems.skipped),
                )
                raw = None
                continue
            field[2] += len(line) + 1
            if not too_long():
                values.append(line.strip())
        else:
            close_field()
            field = [line.strip()[:40], lineno, len(line)]
            if not too_long():
                raw.append((line.strip(), ""))
    finish()
    if len(header_databases) == 1 and "," not in header_databases[0]:
        default = _ovid_database(header_databases[0])
        for record in records:
            record.source_db = record.source_db or default
    if not records and not problems.skipped and text.strip():
        # Read as this format (by `format=`) but none of it is: say so, not "0 records".
        raise InputError(path, "no '<1>' record line; expected an Ovid citation export", line=1)
    return ParsedFile(records, problems.skipped)


def _source_parts(source: str) -> dict[str, str | None]:
    text = " ".join(source.split())
    for pattern in _SOURCES:
        match = pattern.match(text)
        if match:
            parts = match.groupdict()
            pages = parts.pop("pages2", None)
            if not parts.get("pages") and pages and pages != "no pagination":
                parts["pages"] = pages
            return parts
    return {}


# Fields only one database's records have, for exports without a `Database` field or header.
_TELLING_LABELS = (
    ("emtree heading", "Embase"),
    ("embase accession number", "Embase"),
    ("emtree drug index terms", "Embase"),
    ("mesh subject headings", "MEDLINE"),
    ("psycinfo classification", "PsycINFO"),
)


def _database_from_labels(first: dict[str, str]) -> str | None:
    for label, name in _TELLING_LABELS:
        if label in first:
            return name
    return None


def _ovid_database(text: str) -> str | None:
    return database_name(re.sub(r"(?i)\bovid\b", "", text))


def record_from_ovid(raw: list[tuple[str, str]], path: str, position: int, line: int) -> Record:
    """Read litrev's fields from an Ovid record's (label, value) pairs.

    >>> r = record_from_ovid([("Author", "Li Q.; Ode A."), ("Emtree Heading", "*aged")], "o", 0, 1)
    >>> r.authors, r.keywords, r.source_db
    (['Li Q', 'Ode A'], ['aged'], 'Embase')
    """
    first: dict[str, str] = {}
    keywords: list[str] = []
    for label, value in raw:
        key = label.lower().rstrip(":")
        if key in _KEYWORDS:
            keywords.extend(k.lstrip("*").strip() for k in split_list(value, "\n;"))
        if key not in first and value.strip():
            first[key] = value

    def get(field: str) -> str | None:
        for name in _FIELDS[field]:
            if name in first:
                return first[name]
        return None

    part = _source_parts(first.get("source") or "")
    authors_text = get("authors") or ""
    authors = [a.rstrip(".").strip() for a in split_list(authors_text, "\n;")]
    database = get("database")
    source_db = _ovid_database(database) if database else _database_from_labels(first)
    record_id = clean_text(get("record_id"))
    pmid = clean_text(get("pmid"))
    if pmid is None and record_id and record_id.isdigit() and source_db == "MEDLINE":
        pmid = record_id
    return Record(
        title=clean_text(get("title")),
        abstract=clean_text(get("abstract")),
        authors=[a for a in authors if a],
        year=parse_year(get("year")) or parse_year(part.get("year")),
        journal=clean_text(get("journal") or part.get("journal")),
        volume=clean_text(get("volume") or part.get("volume")),
        issue=clean_text(get("issue") or part.get("issue")),
        pages=clean_text(get("pages") or part.get("pages")),
        doi=normalise_doi(get("doi")),
        pmid=pmid,
        issn=clean_text((get("issn") or "").split("\n")[0]),
        keywords=[k for k in keywords if k],
        language=clean_text(get("language")),
        publication_type=clean_text((get("publication_type") or "").split("\n")[0]),
        url=clean_text((get("url") or "").split("\n")[0]),
        record_id=record_id,
        source_db=source_db,
        raw=raw,
        provenance=Provenance(file=path, position=position, line=line, format="ovid-txt"),
    )
