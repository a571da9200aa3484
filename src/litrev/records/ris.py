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
from collections.abc import Iterable
from typing import TextIO

from litrev.records.base import (
    ParsedFile,
    Problems,
    clean_text,
    join_pages,
    normalise_doi,
    parse_year,
)
from litrev.records.model import Provenance, Record

_ISSN = re.compile(r"\b(\d{4}-?\d{3}[\dXx])\b")
_OVID_AN = re.compile(r"[?&]AN=(\d{1,9})(?:&|$)")
_LIST_TAGS = {"AU", "A1", "KW"}
_PMID_SOURCES = ("pubmed", "medline", "nlm")


def parse_ris(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Split RIS text into records. Malformed structure raises `InputError` naming the line."""
    problems = Problems(path, skip_invalid)
    records: list[Record] = []
    raw: list[tuple[str, str]] | None = None
    start = 0
    position = 0
    skipping = False  # inside a broken record (skip_invalid): ignore lines up to its ER
    blank_run = 0
    lineno = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        if len(line) > 4 and line[2:5] == "  -" and line[:2].isalnum():
            tag = line[:2]
            value = line[6:] if line[5:6] == " " else line[5:]
            blank_run = 0
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
                start = lineno
                skipping = False
            elif tag == "ER":
                if raw is not None:
                    records.append(record_from_ris(raw, path, position, start))
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
            tag, value = raw[-1]
            raw[-1] = (tag, value + "\n" * (blank_run + 1) + line)
            blank_run = 0
        elif not skipping:
            problems.report(
                f"text outside a record at line {lineno}: {line[:40]!r}; "
                "expected a 'TY  - ' line to start a record",
                line=lineno,
                position=position,
            )
            position += 1
            skipping = True
    if raw is not None:
        problems.report(
            f"record started at line {start} has no closing 'ER  - ' before the end of the file",
            line=start,
            position=position,
        )
    return ParsedFile(records, problems.skipped)


def record_from_ris(raw: list[tuple[str, str]], path: str, position: int, line: int) -> Record:
    """Read litrev's fields from RIS tag/value pairs of any dialect."""
    first: dict[str, str] = {}
    authors: list[str] = []
    keywords: list[str] = []
    for tag, value in raw:
        if tag in _LIST_TAGS:
            if tag == "KW":
                keywords.extend(k.strip() for k in value.replace(";", "\n").split("\n"))
            elif value.strip():
                authors.append(value.strip())
        elif tag not in first and value.strip():
            first[tag] = value
    get = first.get
    title = get("TI") or get("T1") or get("CT") or get("BT")
    journal = get("JF") or get("T2") or get("JO") or get("JA") or get("J2") or get("T3")
    date = get("PY") or get("Y1") or get("DA") or get("Y2")
    doi = normalise_doi(get("DO"))
    if doi is None:
        for tag in ("L2", "UR", "M3", "N1", "L3", "AN", "C7"):
            if tag in first and "10." in first[tag]:
                doi = normalise_doi(first[tag])
                if doi:
                    break
    issn_match = _ISSN.search(get("SN", ""))
    db_text = (get("DB", "") + " " + get("DP", "")).lower()
    pmid = None
    if "PM" in first:
        digits = "".join(ch for ch in first["PM"] if ch.isdigit())
        pmid = digits or None
    an = (get("AN") or "").strip()
    if pmid is None and an.isdigit() and len(an) <= 9 and any(s in db_text for s in _PMID_SOURCES):
        pmid = an
    if pmid is None and "ovid" in db_text and "medline" in db_text:
        ovid_an = _OVID_AN.search(get("L2", "") or get("UR", ""))
        pmid = ovid_an.group(1) if ovid_an else None  # Ovid MEDLINE links carry the PMID
    if pmid is None and "C5" in first and first["C5"].strip().isdigit():
        pmid = first["C5"].strip()  # Embase puts the MEDLINE PMID in C5
    pmcid = next(
        (v.strip() for t, v in raw if t in ("C2", "C6", "N1") and v.startswith("PMC")), None
    )
    abstract = get("AB") or get("N2")
    if abstract and "AB" in first and "N2" in first and len(first["N2"]) > len(first["AB"]):
        abstract = first["N2"]  # Embase: N2 is the abstract, AB can be a fragment
    return Record(
        title=clean_text(title),
        abstract=clean_text(abstract),
        authors=authors,
        year=parse_year(date),
        journal=clean_text(journal),
        volume=clean_text(get("VL")),
        issue=clean_text(get("IS") or get("CP")),
        pages=join_pages(get("SP"), get("EP")),
        doi=doi,
        pmid=pmid,
        pmcid=pmcid,
        issn=issn_match.group(1) if issn_match else None,
        keywords=[k for k in keywords if k],
        language=clean_text(get("LA")),
        publication_type=clean_text(get("M3")) or clean_text(get("TY")),
        url=clean_text(get("UR")),
        record_id=clean_text(get("AN") or get("ID") or get("U2") or get("UT")),
        raw=raw,
        provenance=Provenance(file=path, position=position, line=line, format="ris"),
    )


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
