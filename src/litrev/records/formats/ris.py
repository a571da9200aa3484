"""RIS: every database's dialect, read in one tight loop over lines, and written back tag for tag.

A record is `TY  - ` ... `ER  - `. Lines that do not start with a tag continue the previous
value (EndNote's affiliations, Web of Science's times-cited notes); they are kept joined by
"\\n", so writing the record back restores them. Dialects differ in which tag holds what
(T1/TI, JO/JF/T2/J2, Y1/PY/DA, N2/AB, AU/A1, AN/ID/U2); `record_from_ris` reads them all.

>>> parsed = parse_ris("TY  - JOUR\\nTI  - Care &amp; help\\nAU  - Smith, J\\nPY  - 2020\\nER  -")
>>> r = parsed.records[0]
>>> r.title, r.authors, r.year, r.raw[1]
('Care & help', ['Smith, J'], 2020, ('TI', 'Care &amp; help'))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import chain
from typing import TextIO

from litrev.errors import InputError
from litrev.records.base import (
    MAX_FIELD_CHARS,
    ParsedFile,
    Problems,
    SkippedRecord,
    clean_text,
    field_too_long,
    is_record_number,
    join_pages,
    normalise_doi,
    parse_year,
)
from litrev.records.detect import ris_source
from litrev.records.model import Provenance, Record

_ISSN = re.compile(r"\b(\d{4}-?\d{3}[\dXx])\b")
_OVID_AN = re.compile(r"[?&]AN=(\d{1,9})(?:&|$)")
_AUTHOR_TAGS = frozenset(("AU", "A1"))


Raw = list[tuple[str, str]]


def parse_ris(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Split RIS text into records. Malformed structure raises `InputError` naming the line."""
    found, skipped = _parse_lines(text, path, skip_invalid)
    records = [record_from_ris(raw, path, position, line) for raw, line, position in found]
    return ParsedFile(records, skipped)


def _line_chunks(text: str, path: str, size: int = 1 << 20) -> Iterator[list[str]]:
    """`text.split("\\n")` a megabyte at a time, so a 100 MB export never has all its lines
    in memory at once. A line longer than `MAX_FIELD_CHARS` is refused here, where it costs
    one comparison per megabyte rather than one per line."""
    start = 0
    while True:
        cut = text.find("\n", start + size)
        end = len(text) if cut == -1 else cut
        if end - start > MAX_FIELD_CHARS:  # only the line that crosses start + size can be long
            line_start = text.rfind("\n", start, start + size) + 1 or start
            if end - line_start > MAX_FIELD_CHARS:
                number = text.count("\n", 0, line_start) + 1
                message = field_too_long(f"line {number}", end - line_start)
                raise InputError(path, message, line=number)
        if cut == -1:
            yield text[start:].split("\n")
            return
        yield text[start:cut].split("\n")
        start = cut + 1


def _parse_lines(
    text: str, path: str, skip_invalid: bool
) -> tuple[list[tuple[Raw, int, int]], list[SkippedRecord]]:
    """The careful reader: one line at a time, reporting every structural problem.

    Before the first tag line, lines of plain text are the export's header block (search
    details) and are left out; between records, a line holding only the record's number
    (Ovid's "1.") is too. Any other text outside a record is an error."""
    problems = Problems(path, skip_invalid)
    records: list[tuple[Raw, int, int]] = []
    raw: list[tuple[str, str]] | None = None
    start = 0
    position = 0
    skipping = False  # inside a broken record (skip_invalid): ignore lines up to its ER
    in_header = True  # no tag line yet
    blank_run = 0
    lineno = 0
    # A value's continuation lines are collected here and joined once, when the value ends:
    # adding each line to the value string would copy it every time (quadratic time).
    more: list[str] | None = None
    more_size = 0
    more_line = 0

    def finish_value() -> None:
        nonlocal more
        if raw is not None and more is not None:
            raw[-1] = (raw[-1][0], "".join(more))
        more = None

    # Tags seen so far, each mapped to one shared string object: a dict lookup is cheaper
    # than isalnum(), and 100k records then share their tag strings instead of holding
    # millions of copies.
    tags: dict[str, str] = {}
    no_record: Raw = []
    append: Callable[[tuple[str, str]], None] = no_record.append  # the current record's
    for lineno, line in enumerate(chain.from_iterable(_line_chunks(text, path)), 1):
        # The common case first: "XX  - value" inside a record (most lines of any export).
        if line[2:6] == "  - " and raw is not None:
            if more is not None:
                finish_value()
            tag = tags.get(line[:2])
            if tag is not None:
                append((tag, line[6:]))
                blank_run = 0
                continue
            tag = line[:2]
            if tag.isalnum() and tag != "TY" and tag != "ER":
                tags[tag] = tag
                append((tag, line[6:]))
                blank_run = 0
                continue
        if line[2:5] == "  -" and line[:2].isalnum():
            if more is not None:
                finish_value()
            tag = line[:2]
            value = line[6:] if line[5:6] == " " else line[5:]
            blank_run = 0
            in_header = False
            if raw is not None and tag != "TY" and tag != "ER":
                raw.append((tag, value))
            elif tag == "TY":
                if raw is not None:
                    problems.report(
                        f"record started at line {start} has no 'ER  - ' before the next "
                        f"'TY  - ' at line {lineno}",
                        line=start,
                        position=position,
                    )
                    position += 1
                raw = [(tag, value)]
                append = raw.append
                start = lineno
                skipping = False
            elif tag == "ER":
                if raw is not None:
                    records.append((raw, start, position))
                    position += 1
                    raw = None
                elif skipping:
                    skipping = False
                else:
                    problems.report(
                        f"'ER  - ' at line {lineno} closes no record; expected 'TY  - ' first",
                        line=lineno,
                        position=position,
                    )
            elif not skipping:
                problems.report(
                    f"tag '{tag}' at line {lineno} is outside a record; "
                    "expected 'TY  - ' to start one",
                    line=lineno,
                    position=position,
                )
                position += 1
                skipping = True
        elif not line.strip():
            blank_run += 1
        elif raw is not None:
            # A continuation line; blank lines inside the value are kept, trailing ones are not.
            if more is None:
                more = [raw[-1][1]]
                more_size = len(more[0])
                more_line = lineno - 1
            more.append("\n" * (blank_run + 1))
            more.append(line)
            more_size += blank_run + 1 + len(line)
            if more_size > MAX_FIELD_CHARS:
                raise InputError(
                    path,
                    field_too_long(f"the value of '{raw[-1][0]}' from line {more_line}"),
                    line=more_line,
                )
            blank_run = 0
        elif in_header or is_record_number(line):
            pass  # the export's header block, or a record's number (Ovid: "1.")
        elif not skipping:
            problems.report(
                f"text outside a record at line {lineno}: {line[:40]!r}; "
                "expected a 'TY  - ' line to start a record",
                line=lineno,
                position=position,
            )
            position += 1
            skipping = True
    finish_value()
    if raw is not None:
        problems.report(
            f"record started at line {start} has no closing 'ER  - ' before the end of the file",
            line=start,
            position=position,
        )
    return records, problems.skipped


@lru_cache(maxsize=256)
def _db_facts(db: str, dp: str) -> tuple[str | None, bool, bool]:
    """(source database named by the record, holds PubMed/MEDLINE ids, is Ovid MEDLINE).

    Cached: a file has a handful of distinct DB/DP values but may have 100k records."""
    text = f"{db} {dp}".lower()
    medline = "pubmed" in text or "medline" in text or "nlm" in text
    source = ris_source({"DB": db.strip(), "DP": dp.strip()})[0] if db.strip() else None
    return source, medline, medline and "ovid" in text


def record_from_ris(raw: list[tuple[str, str]], path: str, position: int, line: int) -> Record:
    """Read litrev's fields from RIS tag/value pairs of any dialect."""
    first = dict(reversed(raw))  # the first value of each tag, built in C
    get = first.get
    authors = [v.strip() for t, v in raw if t in _AUTHOR_TAGS]
    if "" in authors:
        authors = [a for a in authors if a]
    keywords = [v for t, v in raw if t == "KW"]
    if keywords:
        joined = "\n".join(keywords)
        if ";" in joined:
            joined = joined.replace(";", "\n")
        keywords = [k.strip() for k in joined.split("\n")]
        if "" in keywords:
            keywords = [k for k in keywords if k]
    title = get("TI") or get("T1") or get("CT") or get("BT")
    journal = get("JF") or get("T2") or get("JO") or get("JA") or get("J2") or get("T3")
    date = get("PY") or get("Y1") or get("DA") or get("Y2")
    doi = normalise_doi(get("DO"))
    if doi is None:
        for tag in ("L2", "UR", "M3", "N1", "L3", "AN", "C7"):
            value = get(tag)
            if value and "10." in value:
                doi = normalise_doi(value)
                if doi:
                    break
    sn = get("SN")
    issn_match = _ISSN.search(sn) if sn else None
    source_db, medline, ovid_medline = _db_facts(get("DB") or "", get("DP") or "")
    pmid = None
    if "PM" in first:
        pmid = "".join(ch for ch in first["PM"] if ch.isdigit()) or None
    an = (get("AN") or "").strip()
    if pmid is None and medline and an.isdigit() and len(an) <= 9:
        pmid = an
    if pmid is None and ovid_medline:
        ovid_an = _OVID_AN.search(get("L2") or get("UR") or "")
        pmid = ovid_an.group(1) if ovid_an else None  # Ovid MEDLINE links carry the PMID
    if pmid is None and "C5" in first and first["C5"].strip().isdigit():
        pmid = first["C5"].strip()  # Embase puts the MEDLINE PMID in C5
    pmcid = None
    for tag in ("C2", "C6", "N1"):
        value = get(tag)
        if value and value.startswith("PMC"):
            pmcid = value.strip()
            break
    abstract = get("AB") or get("N2")
    if abstract and "AB" in first and "N2" in first and len(first["N2"]) > len(first["AB"]):
        abstract = first["N2"]  # Embase: N2 is the abstract, AB can be a fragment
    # Inline `x.strip() or None` rather than a helper: this runs for every record of 100k.
    volume, issue, language = get("VL"), get("IS") or get("CP"), get("LA")
    kind, url = get("M3") or get("TY"), get("UR")
    record_id = get("AN") or get("ID") or get("U2") or get("UT")
    start, end = get("SP"), get("EP")
    if start and end and "-" not in start:
        pages: str | None = f"{start.strip()}-{end.strip()}"
    else:
        pages = join_pages(start, end)
    return Record(
        title=_clean_short(title),
        abstract=clean_text(abstract),
        authors=authors,
        year=parse_year(date),
        journal=_clean_short(journal),
        volume=(volume.strip() or None) if volume else None,
        issue=(issue.strip() or None) if issue else None,
        pages=pages,
        doi=doi,
        pmid=pmid,
        pmcid=pmcid,
        issn=issn_match.group(1) if issn_match else None,
        keywords=keywords,
        language=(language.strip() or None) if language else None,
        publication_type=(kind.strip() or None) if kind else None,
        url=(url.strip() or None) if url else None,
        record_id=(record_id.strip() or None) if record_id else None,
        source_db=source_db,
        raw=raw,
        provenance=Provenance(file=path, position=position, line=line, format="ris"),
    )


def _clean_short(value: str | None) -> str | None:
    # Most titles and journal names need no cleaning: one regex-free check, then done.
    if (
        value
        and _NEEDS_CLEANING.isdisjoint(value)
        and "  " not in value
        and value[0] != " "
        and value[-1] != " "
    ):
        return value
    return clean_text(value)


_NEEDS_CLEANING = frozenset("&<\n\t")


# --- writing -----------------------------------------------------------------------------------

_TYPED_TO_RIS = [
    ("title", "TI"),
    ("journal", "T2"),
    ("volume", "VL"),
    ("issue", "IS"),
    ("doi", "DO"),
    ("issn", "SN"),
    ("language", "LA"),
    ("url", "UR"),
    ("abstract", "AB"),
]


def ris_pairs(record: Record) -> list[tuple[str, str]]:
    """The RIS tag/value pairs for a record: its own pairs when it was read from RIS."""
    fmt = record.provenance.format if record.provenance else None
    if fmt == "ris" and record.raw:
        return list(record.raw)
    pairs: list[tuple[str, str]] = [("TY", "JOUR")]
    pairs += [("AU", a) for a in record.authors]
    if record.year is not None:
        pairs.append(("PY", str(record.year)))
    for attr, tag in _TYPED_TO_RIS:
        value = getattr(record, attr)
        if value:
            pairs.append((tag, str(value)))
    if record.pages:
        start, _, end = record.pages.partition("-")
        pairs.append(("SP", start))
        if end:
            pairs.append(("EP", end))
    pairs += [("KW", k) for k in record.keywords]
    if record.pmid:
        pairs.append(("AN", record.pmid))
    elif record.record_id:
        pairs.append(("AN", record.record_id))
    if record.source_db:
        pairs.append(("DB", record.source_db))
    return pairs


def write_ris(records: Iterable[Record], out: TextIO) -> None:
    """Write records as RIS; multi-line values become continuation lines, as they were read."""
    write = out.write
    for record in records:
        pairs = ris_pairs(record)
        if not pairs or pairs[0][0] != "TY":
            pairs = [("TY", "GEN"), *[p for p in pairs if p[0] != "TY"]]
        for tag, value in pairs:
            if tag in ("ER",):
                continue
            write(f"{tag}  - {value}\n")
        write("ER  - \n\n")
