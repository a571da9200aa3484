"""Cochrane Library plain-text export ("Export selected citation(s)" > Plain text).

Each record opens with `Record #1 of 271` and has one `TAG: value` line per field (`ID`, `AU`,
`TI`, `SO`, `YR`, `VL`, `NO`, `PG`, `XR`, `PT`, `KY`, `DOI`, `AB`, `US`, `CC` ...); a line
without a tag continues the field above it. Lines before the first record (a search name,
a date) are the export's header. The numbering is checked: a record missing from the
middle, or an export cut short of its "of N", is reported, not silently read as complete.

Records are CENTRAL trials (`ID: CN-...`, `/central/` URLs) or Cochrane reviews (CDSR:
`ID: CD...`, DOIs `10.1002/14651858.CD...`); each record is counted under its own database.

>>> text = "Record #1 of 1\\nID: CN-01\\nAU: Smith J\\nTI: A trial\\nYR: 2020\\nXR: PUBMED 123\\n"
>>> r = parse_cochrane(text).records[0]
>>> r.record_id, r.title, r.year, r.pmid, r.source_db
('CN-01', 'A trial', 2020, '123', 'Cochrane CENTRAL')
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
from litrev.records.formats.tagged import join_continuation, report_too_long
from litrev.records.model import Provenance, Record

RECORD_LINE = re.compile(r"^Record #(\d+) of (\d+)\s*$")
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}):(?: (.*)|)$")
_PUBMED_XR = re.compile(r"\bPUBMED\s+(\d+)", re.IGNORECASE)
# CDSR under its full name: the name protocols give it, so `match_source` finds their search.
CENTRAL, CDSR, LIBRARY = (
    "Cochrane CENTRAL",
    "Cochrane Database of Systematic Reviews",
    "Cochrane Library",
)


def cochrane_database(first: dict[str, str]) -> str:
    """CENTRAL, CDSR or (when nothing says which) the Cochrane Library, from a record's fields.

    >>> cochrane_database({"ID": "CD012111.PUB2"}), cochrane_database({"ID": "CN-01"})
    ('Cochrane Database of Systematic Reviews', 'Cochrane CENTRAL')
    """
    identifier = first.get("ID", "").strip().upper()
    url = first.get("US", "").lower()
    doi = first.get("DOI", "")
    if identifier.startswith("CN-") or "/central/" in url:
        return CENTRAL
    if (
        re.match(r"CD\d{6}", identifier)
        or "14651858" in doi
        or "systematic reviews" in first.get("SO", "").lower()
    ):
        return CDSR
    return LIBRARY


def parse_cochrane(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Split a Cochrane plain-text export into records."""
    problems = Problems(path, skip_invalid)
    records: list[Record] = []
    raw: list[tuple[str, str]] | None = None
    start = 0
    number = total = 0  # the open record's "Record #number of total"
    more: list[str] = []  # continuation lines of the last field, joined once (linear time)

    def finish() -> None:
        nonlocal raw
        join_continuation(raw, more)
        if raw is None:
            return
        position = len(records) + len(problems.skipped)
        if not raw:
            problems.report(
                f"record #{number} has no fields; expected 'TAG: value' lines such as 'TI: ...'",
                line=start,
                position=position,
            )
        else:
            records.append(record_from_cochrane(raw, path, position, start))
        raw = None

    field: list = ["", 0, 0]  # the open field's tag, first line and length so far

    def too_long() -> bool:
        """Report a field over `MAX_FIELD_CHARS` (memory stays bounded) and drop its record."""
        nonlocal raw
        if not report_too_long(problems, field, len(records) + len(problems.skipped)):
            return False
        more.clear()
        raw = None
        return True

    def check_complete(line: int) -> None:
        if total and number < total:
            problems.report(
                f"the export says {total} records but ends after record #{number} "
                f"(cut short?); expected 'Record #{number + 1} of {total}'",
                line=line,
                position=len(records) + len(problems.skipped),
            )

    lines = text.split("\n")
    for lineno, line in enumerate(lines, 1):
        header = RECORD_LINE.match(line)
        if header:
            finish()
            new, of = int(header.group(1)), int(header.group(2))
            if new == 1 and number:  # a second export appended to the first
                check_complete(lineno)
            elif number and (new != number + 1 or of != total):
                problems.report(
                    f"'Record #{new} of {of}' follows 'Record #{number} of {total}'; "
                    f"expected 'Record #{number + 1} of {total}' (a record is missing?)",
                    line=lineno,
                    position=len(records) + len(problems.skipped),
                )
            number, total = new, of
            raw, start = [], lineno
            continue
        if raw is None:
            continue  # the export's header, before the first record
        tag = _TAG_LINE.match(line)
        if tag:
            join_continuation(raw, more)
            field = [tag.group(1), lineno, len(line)]
            if not too_long():
                raw.append((tag.group(1), tag.group(2) or ""))
        elif not line.strip():
            continue
        elif raw:
            field[2] += len(line) + 1
            if not too_long():
                more.append(line)
        else:
            problems.report(
                f"line {lineno} is not a 'TAG: value' field line: {line[:40]!r}",
                line=lineno,
                position=len(records) + len(problems.skipped),
            )
            raw = None
    finish()
    check_complete(len(lines))
    if not records and not problems.skipped and text.strip():
        # Read as this format (by `format=`) but none of it is: say so, not "0 records".
        raise InputError(
            path, "no 'Record #1 of N' line; expected a Cochrane Library plain-text export", line=1
        )
    return ParsedFile(records, problems.skipped)


def record_from_cochrane(raw: list[tuple[str, str]], path: str, position: int, line: int) -> Record:
    """Read litrev's fields from a Cochrane record's (tag, value) pairs.

    >>> record_from_cochrane([("ID", "CN-9"), ("KY", "*Aged; Humans")], "c.txt", 0, 5).keywords
    ['Aged', 'Humans']
    """
    first: dict[str, str] = {}
    authors: list[str] = []
    keywords: list[str] = []
    for tag, value in raw:
        if tag == "AU":
            authors.extend(split_list(value, ";\n"))
        elif tag == "KY":
            # "*Home Care Services": the star marks a major MeSH topic (kept in raw).
            keywords.extend(k.lstrip("*") for k in split_list(value, ";\n"))
        elif tag not in first and value.strip():
            first[tag] = value
    get = first.get
    pmid = _PUBMED_XR.search(get("XR", ""))
    return Record(
        title=clean_text(get("TI")),
        abstract=clean_text(get("AB")),
        authors=authors,
        year=parse_year(get("YR")),
        journal=clean_text(get("SO")),
        volume=clean_text(get("VL")),
        issue=clean_text(get("NO")),
        pages=clean_text(get("PG")),
        doi=normalise_doi(get("DOI")),
        pmid=pmid.group(1) if pmid else None,
        issn=clean_text(get("SN") or get("IS")),
        keywords=keywords,
        language=clean_text(get("LA")),
        publication_type=clean_text(get("PT")),
        url=clean_text(get("US")),
        record_id=clean_text(get("ID")),
        source_db=cochrane_database(first),
        raw=raw,
        provenance=Provenance(file=path, position=position, line=line, format="cochrane-txt"),
    )
