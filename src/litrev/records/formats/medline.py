"""PubMed's MEDLINE format (.nbib, "PubMed" export in .txt): read and write.

Tags are up to four letters padded to column 4, then "- "; wrapped lines are indented by six
spaces and kept joined by "\\n", so the record is written back with the same wrapping.

>>> text = "PMID- 1\\nTI  - A trial of\\n      co-production.\\n"
>>> text += "FAU - Smith, Jane\\nDP  - 2019 Mar\\n"
>>> r = parse_medline(text).records[0]
>>> r.title, r.authors, r.year, r.pmid
('A trial of co-production.', ['Smith, Jane'], 2019, '1')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from litrev.errors import InputError
from litrev.records.base import (
    MAX_FIELD_CHARS,
    ParsedFile,
    Problems,
    clean_text,
    field_too_long,
    is_record_number,
    normalise_doi,
    parse_year,
)
from litrev.records.model import Provenance, Record

_INDENT = "      "


def _is_tag_line(line: str) -> bool:
    return len(line) >= 5 and line[4] == "-" and line[:4].rstrip().isalnum() and line[0] != " "


def parse_medline(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Split MEDLINE text into records (separated by blank lines or a new PMID line).

    Plain-text lines before the first tag line (a header block) and lines holding only a
    record's number between records are left out; other untagged lines are errors."""
    problems = Problems(path, skip_invalid)
    records: list[Record] = []
    raw: list[tuple[str, str]] | None = None
    has_pmid = False
    start = 0
    broken = False
    seen_tag = False
    lines = text.split("\n")
    longest = max(map(len, lines), default=0)
    if longest > MAX_FIELD_CHARS:
        number = next(n for n, line in enumerate(lines, 1) if len(line) == longest)
        raise InputError(path, field_too_long(f"line {number}", longest), line=number)
    # Wrapped lines of a value are collected and joined once when the value ends: adding
    # each to the value string would copy it every time (quadratic time).
    more: list[str] | None = None
    more_size = 0

    def finish_value() -> None:
        nonlocal more
        if raw and more is not None:
            raw[-1] = (raw[-1][0], "\n".join(more))
        more = None

    def finish() -> None:
        nonlocal raw, broken
        finish_value()
        if raw is not None and not broken:
            records.append(
                record_from_medline(raw, path, len(records) + len(problems.skipped), start)
            )
        raw = None
        broken = False

    for lineno, line in enumerate(lines, 1):
        if line.startswith(_INDENT) and raw:
            if more is None:
                more = [raw[-1][1]]
                more_size = len(more[0])
            more.append(line[6:])
            more_size += len(line) - 5
            if more_size > MAX_FIELD_CHARS:
                raise InputError(path, field_too_long(f"the value of '{raw[-1][0]}'"), line=lineno)
            continue
        if more is not None:
            finish_value()
        if not line.strip():
            finish()
        elif _is_tag_line(line):
            seen_tag = True
            tag = line[:4].rstrip()
            value = line[6:] if line[5:6] == " " else line[5:]
            if raw is None or (tag == "PMID" and has_pmid):
                finish()
                raw = []
                has_pmid = False
                start = lineno
            has_pmid = has_pmid or tag == "PMID"
            raw.append((tag, value))
        elif raw is None and (not seen_tag or is_record_number(line)):
            pass  # the export's header block, or a line numbering the next record
        elif not broken:
            problems.report(
                f"line {lineno} is neither a MEDLINE tag line ('TAG - value') nor a "
                f"continuation indented by six spaces: {line[:40]!r}",
                line=lineno,
                position=len(records) + len(problems.skipped),
            )
            if raw is None:
                raw = []
                has_pmid = False
                start = lineno
            broken = True
    finish()
    return ParsedFile(records, problems.skipped)


def record_from_medline(raw: list[tuple[str, str]], path: str, position: int, line: int) -> Record:
    """Read litrev's fields from MEDLINE tag/value pairs."""
    first: dict[str, str] = {}
    full_authors: list[str] = []
    short_authors: list[str] = []
    keywords: list[str] = []
    doi = pmcid = None
    for tag, value in raw:
        if tag == "FAU":
            full_authors.append(value.strip())
        elif tag == "AU":
            short_authors.append(value.strip())
        elif tag in ("OT", "MH"):
            keywords.append(" ".join(value.split()))
        elif tag in ("LID", "AID") and value.rstrip().endswith("[doi]") and doi is None:
            doi = normalise_doi(value)
        elif tag == "PMC" and pmcid is None:
            pmcid = value.strip()
        if tag not in first:
            first[tag] = value
    get = first.get
    return Record(
        title=clean_text(get("TI") or get("BTI")),
        abstract=clean_text(get("AB")),
        authors=full_authors or short_authors,
        year=parse_year(get("DP") or get("DEP") or get("EDAT")),
        journal=clean_text(get("JT") or get("TA")),
        volume=clean_text(get("VI")),
        issue=clean_text(get("IP")),
        pages=clean_text(get("PG")),
        doi=doi,
        pmid=clean_text(get("PMID")),
        pmcid=pmcid,
        issn=clean_text((get("IS") or "").split(" (")[0]),
        keywords=keywords,
        language=clean_text(get("LA")),
        publication_type=clean_text(get("PT")),
        url=None,
        record_id=clean_text(get("PMID")),
        raw=raw,
        provenance=Provenance(file=path, position=position, line=line, format="nbib"),
    )


def medline_pairs(record: Record) -> list[tuple[str, str]]:
    """MEDLINE tag/value pairs: the record's own when it was read from MEDLINE."""
    if record.provenance and record.provenance.format == "nbib" and record.raw:
        return list(record.raw)
    pairs: list[tuple[str, str]] = []
    if record.pmid:
        pairs.append(("PMID", record.pmid))
    if record.issn:
        pairs.append(("IS", record.issn))
    for tag, value in (("VI", record.volume), ("IP", record.issue)):
        if value:
            pairs.append((tag, value))
    if record.year is not None:
        pairs.append(("DP", str(record.year)))
    if record.title:
        pairs.append(("TI", record.title))
    if record.pages:
        pairs.append(("PG", record.pages))
    if record.doi:
        pairs.append(("LID", f"{record.doi} [doi]"))
    if record.abstract:
        pairs.append(("AB", record.abstract))
    pairs += [("FAU", a) for a in record.authors]
    if record.language:
        pairs.append(("LA", record.language))
    if record.publication_type:
        pairs.append(("PT", record.publication_type))
    if record.journal:
        pairs.append(("JT", record.journal))
    pairs += [("OT", k) for k in record.keywords]
    if record.pmcid:
        pairs.append(("PMC", record.pmcid))
    if not pairs:
        pairs.append(("TI", ""))
    return pairs


def write_medline(records: Iterable[Record], out: TextIO) -> None:
    """Write records in MEDLINE format, one blank line between records."""
    for index, record in enumerate(records):
        if index:
            out.write("\n")
        for tag, value in medline_pairs(record):
            lines = value.split("\n")
            out.write(f"{tag:<4}- {lines[0]}\n")
            for more in lines[1:]:
                out.write(f"{_INDENT}{more}\n")
