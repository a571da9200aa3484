"""`read` and `write`: the records API every other stage uses.

>>> import tempfile, os
>>> folder = tempfile.mkdtemp()
>>> path = os.path.join(folder, "scopus.ris")
>>> _ = open(path, "w").write("TY  - JOUR\\nTI  - Co-production\\nDB  - Scopus\\nER  - \\n")
>>> records = read(path)
>>> records[0].title, records[0].source_db, records[0].provenance.format
('Co-production', 'Scopus', 'ris')
>>> write(records, os.path.join(folder, "out.bib"), format="bibtex")
>>> read(os.path.join(folder, "out.bib"))[0].title
'Co-production'
"""

from __future__ import annotations

import csv
import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from litrev.errors import InputError
from litrev.fileio import atomic_output
from litrev.records.base import ParsedFile, SkippedRecord
from litrev.records.detect import canonical_format, detect_format, detect_source
from litrev.records.encoding import decode_bytes
from litrev.records.formats.bibtex import parse_bibtex, write_bibtex
from litrev.records.formats.cochrane import parse_cochrane
from litrev.records.formats.csl_json import parse_csl_json
from litrev.records.formats.endnote_xml import parse_endnote_xml, write_endnote_xml
from litrev.records.formats.europepmc_xml import parse_europepmc_xml
from litrev.records.formats.jsonfmt import parse_json, write_json
from litrev.records.formats.medline import parse_medline, write_medline
from litrev.records.formats.ovid import parse_ovid
from litrev.records.formats.pubmed_xml import parse_pubmed_xml
from litrev.records.formats.refworks import parse_refworks
from litrev.records.formats.ris import parse_ris, write_ris
from litrev.records.formats.tabular import read_delimited, read_xlsx, records_from_table
from litrev.records.formats.tabular_write import write_delimited, write_xlsx
from litrev.records.formats.vendor_tables import (
    VENDOR_FORMATS,
    find_header,
    no_vendor_header,
    records_from_vendor,
)
from litrev.records.formats.wos import parse_wos, write_wos
from litrev.records.formats.zotero_rdf import parse_zotero_rdf
from litrev.records.model import Record

WRITE_FORMATS = (
    "ris",
    "nbib",
    "bibtex",
    "csv",
    "tsv",
    "xlsx",
    "endnote-xml",
    "asreview-csv",
    "wos-txt",
    "json",
)
_XLSX_MAGIC = b"PK\x03\x04"
# Excel 97-2003 (.xls, an OLE2 compound file): ProQuest's and older EBSCO "Excel" exports.
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class ReadResult:
    """Everything `read_report` learnt about a file."""

    path: str
    format: str
    encoding: str
    source_db: str | None
    dialect: str | None
    records: list[Record] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)


_TEXT_PARSERS: dict[str, Callable[[str, str, bool], ParsedFile]] = {
    "ris": parse_ris,
    "nbib": parse_medline,
    "wos-txt": parse_wos,
    "bibtex": parse_bibtex,
    "endnote-xml": parse_endnote_xml,
    "json": parse_json,
    "openalex-json": parse_json,
    "crossref-json": parse_json,
    "europepmc-json": parse_json,
    "cochrane-txt": parse_cochrane,
    "pubmed-xml": parse_pubmed_xml,
    "europepmc-xml": parse_europepmc_xml,
    "ovid-txt": parse_ovid,
    "csl-json": parse_csl_json,
    "zotero-rdf": parse_zotero_rdf,
    "refworks": parse_refworks,
}
_HEADER_LINES = 30  # lines above a vendor table's column names that may be its header block


def _vendor_table(
    text: str, path: str, skip_invalid: bool, fmt: str, delimiter: str | None
) -> ParsedFile | None:
    """Embase, ProQuest or EBSCO CSV (column names found within the first lines), else None."""
    head = text.split("\n", _HEADER_LINES + 1)[:_HEADER_LINES]
    cells: list[list[str]] = []
    for line in head:
        sep = delimiter or ("\t" if line.count("\t") > line.count(",") else ",")
        try:
            cells.append(next(csv.reader([line], delimiter=sep), []))
        except csv.Error:  # a cell over the field limit: read_delimited names it and its line
            cells.append([])
    found = find_header(cells)
    if found is None:
        if fmt in VENDOR_FORMATS:
            raise InputError(path, no_vendor_header(fmt, _HEADER_LINES), line=1)
        return None
    skip, kind = found
    body = text.split("\n", skip)[-1] if skip else text
    header, rows = read_delimited(body, path, delimiter)
    rows = [(line + skip, row) for line, row in rows]
    return records_from_vendor(kind, header, rows, path, skip_invalid)


def _parse_xlsx(path: str | Path, name: str, skip_invalid: bool, fmt: str | None) -> ParsedFile:
    header, rows = read_xlsx(path)
    found = find_header([header] + [cells for _, cells in rows[:_HEADER_LINES]])
    if found is None and fmt in VENDOR_FORMATS:
        raise InputError(name, no_vendor_header(fmt, _HEADER_LINES), line=1)
    if found is not None:
        index, kind = found
        if index:
            header, rows = rows[index - 1][1], rows[index:]
        return records_from_vendor(kind, header, rows, name, skip_invalid)
    return records_from_table(header, rows, name, skip_invalid, "xlsx")


def _parse_table(text: str, path: str, skip_invalid: bool, fmt: str) -> ParsedFile:
    delimiter = (
        "\t"
        if fmt in ("tsv", "wos-tab")
        else ("," if fmt in ("csv", "scopus-csv", *VENDOR_FORMATS) else None)
    )
    if fmt not in ("wos-tab", "scopus-csv"):
        vendor = _vendor_table(text, path, skip_invalid, fmt, delimiter)
        if vendor is not None:
            return vendor
    header, rows = read_delimited(text, path, delimiter)
    return records_from_table(
        header, rows, path, skip_invalid, "tsv" if delimiter == "\t" else "csv"
    )


def read_report(
    path: str | Path,
    format: str | None = None,
    source: str | None = None,
    *,
    skip_invalid: bool = False,
) -> ReadResult:
    """Read a file; return its records, the records skipped (with `skip_invalid`) and what was
    detected. Without `skip_invalid` the first malformed record raises `InputError`."""
    # Readers allocate millions of small tuples and strings that all stay alive: pausing the
    # cyclic garbage collector meanwhile saves its repeated scans of them (readers make no
    # reference cycles, so nothing is leaked; the collector resumes on return).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read_report(path, format, source, skip_invalid)
    finally:
        if collecting:
            gc.enable()


def _read_report(
    path: str | Path, format: str | None, source: str | None, skip_invalid: bool
) -> ReadResult:
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(name, f"cannot read file: {error.strerror or error}") from error
    fmt = canonical_format(format) if format else None
    if data.startswith(_XLS_MAGIC):
        raise InputError(
            name,
            "an Excel 97-2003 .xls workbook, which litrev does not read; open it and save it "
            "as .xlsx or CSV (or export CSV from the database)",
        )
    if fmt == "xlsx" or (data.startswith(_XLSX_MAGIC) and (fmt is None or fmt in VENDOR_FORMATS)):
        parsed = _parse_xlsx(path, name, skip_invalid, fmt)
        fmt, encoding = "xlsx", "xlsx"
    else:
        decoded = decode_bytes(data, name)
        del data
        encoding = decoded.encoding
        fmt = fmt or detect_format(name, decoded.text)
        if fmt in _TEXT_PARSERS:
            parsed = _TEXT_PARSERS[fmt](decoded.text, name, skip_invalid)
        else:
            parsed = _parse_table(decoded.text, name, skip_invalid, fmt)
    records = parsed.records
    if records and records[0].provenance and records[0].provenance.format:
        fmt = records[0].provenance.format  # the precise kind: scopus-csv, openalex-json ...
    detected_db, dialect = detect_source(records, fmt)
    source_db = source or detected_db
    for record in records:
        if source:
            record.source_db = source
        elif record.source_db is None:
            # A reader sets a record's own database when the record names it (RIS DB tags:
            # Ovid and EBSCOhost mix databases in one export); the rest get the file's.
            record.source_db = source_db
        if record.provenance is not None:
            record.provenance.source_db = record.source_db
            record.provenance.dialect = dialect
    return ReadResult(name, fmt, encoding, source_db, dialect, records, parsed.skipped)


def read(
    path: str | Path,
    format: str | None = None,
    source: str | None = None,
    *,
    skip_invalid: bool = False,
) -> list[Record]:
    """Read every record of an export file, detecting format and source database.

    `source` names the database the file came from when detection cannot (or should not) tell.
    Malformed input raises `InputError` with file, line and what was expected; with
    `skip_invalid=True` bad records are left out (see `read_report` for the list of them).
    """
    return read_report(path, format, source, skip_invalid=skip_invalid).records


def _render(records: list[Record], fmt: str, out: TextIO) -> None:
    if fmt == "ris":
        write_ris(records, out)
    elif fmt == "nbib":
        write_medline(records, out)
    elif fmt == "bibtex":
        write_bibtex(records, out)
    elif fmt == "endnote-xml":
        write_endnote_xml(records, out)
    elif fmt == "wos-txt":
        write_wos(records, out)
    elif fmt == "json":
        write_json(records, out)
    else:
        write_delimited(records, out, flavour=fmt, delimiter="\t" if fmt == "tsv" else ",")


def write(records: Iterable[Record], path: str | Path, format: str) -> None:
    """Write records to `path` in one of `WRITE_FORMATS`, atomically (all or nothing).

    A record is written with its own tags when it was read from the same format, so a file
    read and written back keeps every tag and value.
    """
    fmt = format.strip().lower()
    fmt = {"medline": "nbib", "bib": "bibtex", "endnote": "endnote-xml", "wos": "wos-txt"}.get(
        fmt, fmt
    )
    if fmt not in WRITE_FORMATS:
        raise InputError(
            str(path), f"cannot write format {format!r}; expected one of {', '.join(WRITE_FORMATS)}"
        )
    target = Path(path)
    items = list(records)
    with atomic_output(target) as temp:
        if fmt == "xlsx":
            write_xlsx(items, temp)
        else:
            with open(temp, "w", encoding="utf-8", newline="") as out:
                _render(items, fmt, out)
