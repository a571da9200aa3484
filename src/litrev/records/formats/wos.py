"""Web of Science plain text ("Other file formats" > Plain text, savedrecs.txt): read and write.

`FN`/`VR` head the file, `PT` ... `ER` is a record, `EF` ends the file. A value's further lines
are indented by three spaces: one author or cited reference per line for list tags (AU, AF,
CR, C1), wrapped text otherwise; both are kept joined by "\\n".

>>> text = "FN Clarivate Analytics Web of Science\\nVR 1.0\\nPT J\\nAU Li, W\\n   Dou, Z\\n"
>>> text += "TI A\\n   title\\nPY 2020\\nUT WOS:1\\nER\\n\\nEF\\n"
>>> r = parse_wos(text).records[0]
>>> r.authors, r.title, r.record_id
(['Li, W', 'Dou, Z'], 'A title', 'WOS:1')
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
    join_pages,
    normalise_doi,
    parse_year,
    split_list,
)
from litrev.records.model import Provenance, Record

_HEADER = "FN Clarivate Analytics Web of Science\nVR 1.0\n"


def parse_wos(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Split Web of Science plain text into records.

    Plain-text lines before the first tag line (a header block) and lines holding only a
    record's number between records are left out; other untagged lines are errors."""
    problems = Problems(path, skip_invalid)
    records: list[Record] = []
    raw: list[tuple[str, str]] | None = None
    start = 0
    broken = False
    position = 0
    lineno = 0
    seen_tag = False
    lines = text.split("\n")
    longest = max(map(len, lines), default=0)
    if longest > MAX_FIELD_CHARS:
        number = next(n for n, line in enumerate(lines, 1) if len(line) == longest)
        raise InputError(path, field_too_long(f"line {number}", longest), line=number)
    # A value's further lines are collected and joined once when the value ends: adding each
    # to the value string would copy it every time (quadratic time).
    more: list[str] | None = None
    more_size = 0
    for lineno, line in enumerate(lines, 1):
        if raw is not None and line.startswith("   ") and raw:
            if more is None:
                more = [raw[-1][1]]
                more_size = len(more[0])
            more.append(line[3:])
            more_size += len(line) - 2
            if more_size > MAX_FIELD_CHARS:
                raise InputError(path, field_too_long(f"the value of '{raw[-1][0]}'"), line=lineno)
            continue
        if more is not None:
            if raw:
                raw[-1] = (raw[-1][0], "\n".join(more))
            more = None
        head = line[:2]
        if not line.strip() or (
            raw is None and head in ("FN", "VR", "EF") and line[2:3] in ("", " ")
        ):
            continue
        if line.rstrip() == "ER":
            seen_tag = True
            if raw is not None and not broken:
                records.append(record_from_wos(raw, path, position, start))
            if raw is not None:
                position += 1
            raw = None
            broken = False
            continue
        if len(line) >= 2 and head.isalnum() and head.isupper() and line[2:3] in ("", " "):
            seen_tag = True
            if raw is None:
                if head != "PT":
                    problems.report(
                        f"line {lineno} starts with tag '{head}' outside a record; "
                        "expected 'PT' to start one",
                        line=lineno,
                        position=position,
                    )
                    broken = True
                raw = []
                start = lineno
            elif head == "PT":
                problems.report(
                    f"record started at line {start} has no 'ER' before the 'PT' at line {lineno}",
                    line=start,
                    position=position,
                )
                position += 1
                raw = []
                start = lineno
                broken = False
            raw.append((head, line[3:]))
        elif raw is None and (not seen_tag or is_record_number(line)):
            continue  # the export's header block, or a line numbering the next record
        elif not broken:
            problems.report(
                f"line {lineno} is neither a two-letter tag line nor a continuation indented "
                f"by three spaces: {line[:40]!r}",
                line=lineno,
                position=position,
            )
            if raw is None:
                raw = []
                start = lineno
            broken = True
    if more is not None and raw:
        raw[-1] = (raw[-1][0], "\n".join(more))
    if raw is not None and not broken:
        problems.report(
            f"record started at line {start} has no closing 'ER' before the end of the file",
            line=start,
            position=position,
        )
    return ParsedFile(records, problems.skipped)


def record_from_wos(raw: list[tuple[str, str]], path: str, position: int, line: int) -> Record:
    """Read litrev's fields from Web of Science tag/value pairs (also the tab-delimited export)."""
    first: dict[str, str] = {}
    for tag, value in raw:
        if tag not in first and value.strip():
            first[tag] = value
    get = first.get
    names = get("AF") or get("AU") or ""
    # Plain text puts one author per line; tab-delimited joins them with "; ".
    authors = split_list(names, "\n;") if "\n" in names or ";" in names else split_list(names)
    keywords = split_list(get("DE", ""), ";\n") + split_list(get("ID", ""), ";\n")
    pages = join_pages(get("BP"), get("EP")) or clean_text(get("AR"))
    return Record(
        title=clean_text(get("TI")),
        abstract=clean_text(get("AB")),
        authors=authors,
        year=parse_year(get("PY") or get("PD") or get("EA")),
        journal=clean_text(get("SO")),
        volume=clean_text(get("VL")),
        issue=clean_text(get("IS")),
        pages=pages,
        doi=normalise_doi(get("DI")),
        pmid=clean_text(get("PM")),
        pmcid=None,
        issn=clean_text(get("SN") or get("EI")),
        keywords=keywords,
        language=clean_text(get("LA")),
        publication_type=clean_text(get("DT")),
        url=None,
        record_id=clean_text(get("UT")),
        raw=raw,
        provenance=Provenance(file=path, position=position, line=line, format="wos-txt"),
    )


def wos_pairs(record: Record) -> list[tuple[str, str]]:
    """Web of Science tag/value pairs: the record's own when it came from Web of Science."""
    fmt = record.provenance.format if record.provenance else None
    if fmt in ("wos-txt", "wos-tab") and record.raw:
        return list(record.raw)
    pairs: list[tuple[str, str]] = [("PT", "J")]
    if record.authors:
        pairs.append(("AU", "\n".join(record.authors)))
    for tag, value in (
        ("TI", record.title),
        ("SO", record.journal),
        ("LA", record.language),
        ("DT", record.publication_type),
        ("DE", "; ".join(record.keywords)),
        ("AB", record.abstract),
        ("SN", record.issn),
        ("PY", str(record.year) if record.year is not None else None),
        ("VL", record.volume),
        ("IS", record.issue),
        ("DI", record.doi),
        ("PM", record.pmid),
        ("UT", record.record_id),
    ):
        if value:
            pairs.append((tag, value))
    return pairs


def write_wos(records: Iterable[Record], out: TextIO) -> None:
    """Write Web of Science plain text, with the FN/VR header and EF trailer."""
    out.write(_HEADER)
    for record in records:
        for tag, value in wos_pairs(record):
            lines = value.split("\n")
            out.write(f"{tag} {lines[0]}\n")
            for more in lines[1:]:
                out.write(f"   {more}\n")
        out.write("ER\n\n")
    out.write("EF\n")
