"""Tables of records: Scopus CSV, Web of Science tab-delimited, ASReview-style CSV/TSV/XLSX.

A row's raw pairs are its (column, cell) pairs in column order, empty cells included, so a
table written back has the same columns. Which table it is follows from its header:
Scopus has `EID`/`Source title`, Web of Science two-letter tags (`PT`, `UT`), anything else
with a title-like column is a generic (ASReview-style) table.

>>> kind_of_header(["PT", "AU", "TI", "UT"]), kind_of_header(["Title", "Abstract", "included"])
('wos-tab', 'csv')
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from litrev.errors import InputError
from litrev.records.base import (
    MAX_FIELD_CHARS,
    ParsedFile,
    Problems,
    RowPadding,
    clean_text,
    field_too_long,
    join_pages,
    normalise_doi,
    parse_year,
    split_list,
)
from litrev.records.formats.wos import record_from_wos
from litrev.records.model import Provenance, Record

if TYPE_CHECKING:
    from openpyxl import Workbook

# Column names (lower case) that hold each field in generic tables: ASReview, Rayyan, Covidence,
# Zotero and EndNote CSV exports, litrev's own CSV.
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "primary_title", "article title", "document title", "ti", "t1"),
    "abstract": ("abstract", "abstract note", "abstract_note", "ab", "n2"),
    "authors": ("authors", "author", "au", "first_authors", "author(s)"),
    "year": (
        "year",
        "publication_year",
        "publication year",
        "published year",  # Covidence
        "py",
        "pubyear",
        "date",
    ),
    "journal": (
        "journal",
        "source title",
        "secondary_title",
        "secondary title",
        "journal title",
        "publication title",
        "journal/book",
        "source",
        "so",
        "t2",
        "jo",
    ),
    "volume": ("volume", "vl"),
    "issue": ("issue", "number", "is"),
    "pages": ("pages", "page", "sp"),
    "doi": ("doi", "di", "do"),
    "pmid": ("pmid", "pubmed id", "pubmed_id"),
    "pmcid": ("pmcid", "pmc"),
    "issn": ("issn", "sn"),
    "keywords": ("keywords", "author keywords", "manual tags", "kw"),
    "language": ("language", "la"),
    "publication_type": ("publication_type", "item type", "document type", "type", "ty"),
    "url": ("url", "link"),
    "record_id": ("record_id", "id", "key", "covidence #", "accession number", "an"),
    "source_db": ("source_db", "database", "db"),
}
LABEL_COLUMNS = (
    "included",
    "label_included",
    "final_included",
    "label",
    "included_label",
    "label_abstract_screening",
    "debug_label",
    "inclusion",
)
_EMPTY = {"", "NA", "N/A", "nan", "NaN", "None", "null"}
TABULAR_FORMATS = ("scopus-csv", "wos-tab", "csv", "tsv", "xlsx")
# The csv module's own cell limit (128 KB) is below a long Web of Science cited-reference list
# (CR); litrev's field limit applies instead. The setting is the process's: raising it changes
# no other reader's results, it only lets longer cells through.
if csv.field_size_limit() < MAX_FIELD_CHARS:
    csv.field_size_limit(MAX_FIELD_CHARS)


def kind_of_header(header: list[str]) -> str:
    """'scopus-csv', 'wos-tab' or 'csv' (generic) from a table's column names."""
    names = {h.strip() for h in header}
    if "EID" in names or {"Source title", "Link"} <= names or "Author(s) ID" in names:
        return "scopus-csv"
    tags = [h for h in header if len(h.strip()) == 2 and h.strip().isupper()]
    if "PT" in names and "UT" in names and len(tags) >= len(header) * 0.8:
        return "wos-tab"
    return "csv"


def cell_text(value: object) -> str:
    """A spreadsheet cell's value as the text a CSV cell would hold.

    >>> [cell_text(v) for v in (None, True, 2.0, 2.5, date(2024, 3, 1), "x")]
    ['', 'TRUE', '2', '2.5', '2024-03-01', 'x']
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def read_delimited(
    text: str, path: str, delimiter: str | None = None
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (first line, cells) rows of CSV/TSV text; bad quoting raises `InputError`.

    Blank lines before the header and rows of empty cells are left out (they hold nothing)."""
    if delimiter is None:
        first_line = next((line for line in text.split("\n", 50) if line.strip()), "")
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        header: list[str] = []
        while not any(cell.strip() for cell in header):
            header = next(reader)
        line = reader.line_num + 1
        for cells in reader:
            if any(cells):
                rows.append((line, cells))
            line = reader.line_num + 1
    except StopIteration as error:
        raise InputError(
            path, "empty table: expected a header row of column names", line=1
        ) from error
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise InputError(path, field_too_long("a cell"), line=reader.line_num) from error
        raise InputError(
            path,
            f"malformed CSV ({error}); expected quoted fields closed by '\"'",
            line=reader.line_num,
        ) from error
    return header, rows


# An .xlsx is a zip of XML parts: a small file can expand to gigabytes. Refuse workbooks whose
# parts (as the zip declares them; the zip reader stops at the declared size) are larger.
MAX_XLSX_EXPANDED = 512_000_000


def open_xlsx(path: str | Path) -> Workbook:
    """An Excel workbook opened read-only (values, not formulas); the caller closes it. A file
    that is not a workbook, or whose parts unpack to more than `MAX_XLSX_EXPANDED` bytes, is
    refused with `InputError`.

    >>> open_xlsx(__file__)
    Traceback (most recent call last):
    ...
    litrev.errors.InputError: ...: not a readable .xlsx workbook: File is not a zip file
    """
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise InputError(str(path), f"not a readable .xlsx workbook: {error}") from error
    if expanded > MAX_XLSX_EXPANDED:
        raise InputError(
            str(path),
            f"workbook expands to {expanded:,} bytes; litrev reads workbooks of up to "
            f"{MAX_XLSX_EXPANDED:,} bytes unpacked (save it as CSV instead)",
        )
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError and its own errors
        raise InputError(str(path), f"not a readable .xlsx workbook: {error}") from error


def read_xlsx(path: str | Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and rows of the first worksheet of an Excel workbook, every cell as text."""
    workbook = open_xlsx(path)
    number = 1
    try:
        if not workbook.worksheets:
            raise InputError(str(path), "workbook has no worksheet; expected one of records")
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            # The sheet's declared size may be a lie (A1:XFD1048576): pad rows ourselves.
            sheet.reset_dimensions()
        values = sheet.iter_rows(values_only=True)
        header_row = next(values, None)
        if header_row is None:
            raise InputError(str(path), "empty worksheet: expected a header row", line=1)
        header = [cell_text(v) for v in header_row]
        while header and header[-1] == "":
            header.pop()
        rows = []
        for number, row in enumerate(values, 2):
            cells = [cell_text(v) for v in row]
            if any(cells):
                rows.append((number, cells))
    except InputError:
        raise
    except Exception as error:  # a corrupt part shows only when read: zip, XML, value errors
        raise InputError(
            str(path),
            f"not a readable .xlsx workbook: {type(error).__name__}: {error}",
            line=number,
        ) from error
    finally:
        workbook.close()
    return header, rows


def records_from_table(
    header: list[str],
    rows: list[tuple[int, list[str]]],
    path: str,
    skip_invalid: bool,
    container: str = "csv",
) -> ParsedFile:
    """Records from a table's rows; a row longer than the header is malformed.

    `container` ("csv", "tsv", "xlsx") names a generic table's format; Scopus and Web of
    Science tables are "scopus-csv" and "wos-tab" whatever their container.
    """
    problems = Problems(path, skip_invalid)
    kind = kind_of_header(header)
    if kind == "csv" and _find(header, ALIASES["title"]) is None:
        raise InputError(
            path,
            f"no title column; expected one of {', '.join(ALIASES['title'][:4])}"
            f" (found: {', '.join(header[:8])})",
            line=1,
        )
    width = len(header)
    padding = RowPadding(rows, path)
    columns = {name: _find(header, names) for name, names in ALIASES.items()}
    label_column = _find(header, LABEL_COLUMNS)
    records: list[Record] = []
    for position, (line, cells) in enumerate(rows):
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.report(
                f"row has {len(cells)} cells but the header has {width} columns",
                line=line,
                position=position,
            )
            continue
        cells = padding.pad(cells, width, line)
        raw = list(zip(header, cells, strict=True))
        if kind == "wos-tab":
            record = record_from_wos(raw, path, position, line)
        elif kind == "scopus-csv":
            record = _record_from_scopus(raw)
        else:
            record = _record_from_generic(columns, label_column, raw)
        record.raw = raw
        fmt = container if kind == "csv" else kind
        record.provenance = Provenance(file=path, position=position, line=line, format=fmt)
        records.append(record)
    return ParsedFile(records, problems.skipped)


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def _value(raw: list[tuple[str, str]], index: int | None) -> str | None:
    if index is None:
        return None
    text = raw[index][1].strip()
    return None if text in _EMPTY else text


def _record_from_generic(
    columns: dict[str, int | None], label_column: int | None, raw: list[tuple[str, str]]
) -> Record:
    # `columns`: each field's column index, found once per table (not once per row).
    got = {name: _value(raw, index) for name, index in columns.items()}
    label_text = _value(raw, label_column)
    label = None
    if label_text is not None:
        lowered = label_text.lower()
        label = (
            1
            if lowered in ("1", "1.0", "true", "yes", "included")
            else (0 if lowered in ("0", "0.0", "false", "no", "excluded") else None)
        )
    return Record(
        title=clean_text(got["title"]),
        abstract=clean_text(got["abstract"]),
        authors=split_list(got["authors"] or "", ";\n"),
        year=parse_year(got["year"]),
        journal=clean_text(got["journal"]),
        volume=got["volume"],
        issue=got["issue"],
        pages=got["pages"],
        doi=normalise_doi(got["doi"]),
        pmid=got["pmid"],
        pmcid=got["pmcid"],
        issn=got["issn"],
        keywords=split_list(got["keywords"] or "", ";\n"),
        language=got["language"],
        publication_type=got["publication_type"],
        url=got["url"],
        record_id=got["record_id"],
        source_db=got["source_db"],
        label=label,
    )


def _record_from_scopus(raw: list[tuple[str, str]]) -> Record:
    cols = {name: value.strip() for name, value in raw if value.strip() not in _EMPTY}
    get = cols.get
    full = get("Author full names")
    if full:  # "Liu, Fengyuan (60410297700); ..." -> "Liu, Fengyuan"
        authors = [a.rsplit(" (", 1)[0] for a in split_list(full)]
    else:
        authors = (
            split_list(get("Authors", ""), ";")
            if ";" in get("Authors", "")
            else split_list(get("Authors", "").replace(".,", ".;"))
        )
    return Record(
        title=clean_text(get("Title")),
        abstract=clean_text(get("Abstract")),
        authors=authors,
        year=parse_year(get("Year")),
        journal=clean_text(get("Source title")),
        volume=get("Volume"),
        issue=get("Issue"),
        pages=join_pages(get("Page start"), get("Page end")) or get("Art. No."),
        doi=normalise_doi(get("DOI")),
        pmid=get("PubMed ID"),
        issn=get("ISSN"),
        keywords=split_list(get("Author Keywords", "")) + split_list(get("Index Keywords", "")),
        language=get("Language of Original Document"),
        publication_type=get("Document Type"),
        url=get("Link"),
        record_id=get("EID"),
    )
