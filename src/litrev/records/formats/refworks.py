"""RefWorks tagged format (RefWorks > Export > "RefWorks Tagged Format", ProQuest RefWorks).

A record starts at `RT <reference type>`; each field is `TAG value` (two-letter tags such as
`A1`, `T1`, `JF`, `YR`, `VO`, `IS`, `SP`, `OP`, `AB`, `DO`, `K1`, `ID`, plus `PMID`, `PMCID`,
`U1`..`U15`); a line without a tag continues the field above. RefWorks may write a legend
before the records ("Refworks Export Tagged Format ... BEGIN EXPORTED REFERENCES"); it is
skipped, but a field line before the first `RT` is an error rather than a lost record.

>>> text = "RT Journal Article\\nID 7\\nA1 Allan,Steven\\nT1 Anger\\nJF Psychology\\nYR 2002\\n"
>>> r = parse_refworks(text + "SP 551\\nOP 565\\nDB PsycINFO\\n").records[0]
>>> r.record_id, r.authors, r.title, r.pages, r.year, r.source_db
('7', ['Allan, Steven'], 'Anger', '551-565', 2002, 'PsycINFO')
"""

from __future__ import annotations

from litrev.errors import InputError
from litrev.records.base import (
    ParsedFile,
    Problems,
    clean_text,
    join_pages,
    normalise_doi,
    parse_year,
    split_list,
)
from litrev.records.detect import database_name
from litrev.records.formats.tagged import join_continuation, report_too_long
from litrev.records.model import Provenance, Record

# Tags of the RefWorks tagged format specification (its own legend lists them).
TAGS = frozenset(
    [
        "RT",
        "SR",
        "ID",
        "A1",
        "T1",
        "JF",
        "JO",
        "YR",
        "FD",
        "VO",
        "IS",
        "SP",
        "OP",
        "K1",
        "AB",
        "NO",
        "A2",
        "T2",
        "ED",
        "PB",
        "PP",
        "A3",
        "A4",
        "A5",
        "A6",
        "T3",
        "SN",
        "AV",
        "AD",
        "AN",
        "LA",
        "CL",
        "SF",
        "OT",
        "LK",
        "DO",
        "CN",
        "DB",
        "DS",
        "IP",
        "RD",
        "ST",
        "UL",
        "SL",
        "LL",
        "CR",
        "WT",
        "WV",
        "WP",
        "OL",
        "PMID",
        "PMCID",
    ]
    + [f"U{n}" for n in range(1, 16)]
)


def _tag_of(line: str) -> str | None:
    tag, space, _ = line.partition(" ")
    if not space and line in TAGS:
        return line  # a tag with an empty value
    if tag in TAGS or (len(tag) == 2 and tag.isalnum() and tag.isupper() and tag[0].isalpha()):
        return tag if space else None
    return None


def parse_refworks(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Split a RefWorks tagged export into records."""
    problems = Problems(path, skip_invalid)
    records: list[Record] = []
    raw: list[tuple[str, str]] | None = None
    start = 0
    more: list[str] = []  # continuation lines of the last field, joined once (linear time)

    def finish() -> None:
        join_continuation(raw, more)
        if raw is not None:
            position = len(records) + len(problems.skipped)
            records.append(record_from_refworks(raw, path, position, start))

    field: list = ["", 0, 0]  # the open field's tag, first line and length so far
    broken = False  # the open record had a field over the limit: skip to the next RT

    def too_long() -> bool:
        nonlocal raw, broken
        if not report_too_long(problems, field, len(records) + len(problems.skipped)):
            return False
        more.clear()
        raw, broken = None, True
        return True

    for lineno, line in enumerate(text.split("\n"), 1):
        tag = _tag_of(line)
        if tag == "RT":
            finish()
            raw, start, broken = [("RT", line[3:])], lineno, False
            field = ["RT", lineno, len(line)]
            too_long()
        elif raw is None:
            if tag is not None and tag in TAGS and not broken:
                problems.report(
                    f"field line {line[:40]!r} before the first record; expected a record "
                    "to start with 'RT <reference type>'",
                    line=lineno,
                    position=0,
                )
            continue  # RefWorks' legend and blank lines before the records
        elif tag is not None:
            join_continuation(raw, more)
            field = [tag, lineno, len(line)]
            if not too_long():
                raw.append((tag, line[len(tag) + 1 :]))
        elif line.strip():
            field[2] += len(line) + 1
            if not too_long():
                more.append(line)
    finish()
    if not records and not problems.skipped and text.strip():
        # Read as this format (by `format=`) but none of it is: say so, not "0 records".
        raise InputError(
            path, "no 'RT <reference type>' line; expected a RefWorks tagged export", line=1
        )
    return ParsedFile(records, problems.skipped)


def _author(value: str) -> str:
    family, comma, given = value.partition(",")
    return f"{family.strip()}, {given.strip()}" if comma and given.strip() else value.strip()


def record_from_refworks(raw: list[tuple[str, str]], path: str, position: int, line: int) -> Record:
    """Read litrev's fields from RefWorks (tag, value) pairs.

    >>> record_from_refworks([("RT", "Journal Article"), ("SP", "5"), ("OP", "9")], "r", 0, 1).pages
    '5-9'
    """
    first: dict[str, str] = {}
    authors: list[str] = []
    keywords: list[str] = []
    for tag, value in raw:
        if tag == "A1":
            authors.extend(_author(a) for a in split_list(value, ";\n"))
        elif tag == "K1":
            keywords.extend(split_list(value, ";\n"))
        elif tag not in first and value.strip():
            first[tag] = value
    get = first.get
    database = get("DB")
    return Record(
        title=clean_text(get("T1")),
        abstract=clean_text(get("AB")),
        authors=authors,
        year=parse_year(get("YR") or get("FD")),
        journal=clean_text(get("JF") or get("JO") or get("T2")),
        volume=clean_text(get("VO")),
        issue=clean_text(get("IS")),
        pages=join_pages(get("SP"), get("OP")),
        doi=normalise_doi(get("DO"))
        or normalise_doi(get("NO") if "10." in get("NO", "") else None),
        pmid=clean_text(get("PMID")),
        pmcid=clean_text(get("PMCID")),
        issn=clean_text(get("SN")),
        keywords=keywords,
        language=clean_text(get("LA")),
        publication_type=clean_text(get("RT")),
        url=clean_text(get("UL") or get("LK")),
        record_id=clean_text(get("AN") or get("ID")),
        source_db=database_name(database) if database else None,
        raw=raw,
        provenance=Provenance(file=path, position=position, line=line, format="refworks"),
    )
