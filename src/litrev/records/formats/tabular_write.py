"""Writing records as tables: CSV, TSV, XLSX and ASReview-ready CSV.

A record read from a table is written with its own columns, so a table goes round unchanged.
Other records get litrev's columns (`csv`) or ASReview's (`asreview-csv`). Repeated column
names are kept: the n-th occurrence of a name is its own column.

An export from a review passes `extra`: per record, the review's own columns (litrev id,
databases, duplicate cluster, decisions; see `litrev.records.annotate`), written after the
record's and replacing any older copy of them. `neutralise=True` writes a cell that a
spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`, tab or CR) with a leading `'`
(OWASP's rule for CSV injection).

>>> from litrev.records.model import Record
>>> record = Record(title="T", authors=["A, B", "C, D"], year=2020)
>>> header, rows = table_rows([record], "asreview-csv")
>>> header[:5], rows[0][:5]
(['record_id', 'title', 'abstract', 'authors', 'keywords'], ['', 'T', '', 'A, B; C, D', ''])
>>> neutral_cell("=HYPERLINK(\\"http://x\\")"), neutral_cell("-"), neutral_cell("Care")
('\\'=HYPERLINK("http://x")', "'-", 'Care')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from litrev.records.formats.tabular import LABEL_COLUMNS, TABULAR_FORMATS
from litrev.records.model import Record

LITREV_COLUMNS = [
    "record_id",
    "source_db",
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "issn",
    "keywords",
    "language",
    "publication_type",
    "url",
    "abstract",
]
ASREVIEW_COLUMNS = [
    "record_id",
    "title",
    "abstract",
    "authors",
    "keywords",
    "year",
    "journal",
    "doi",
    "pmid",
    "url",
    "included",
]
# The prefix of the columns a review adds to an export (litrev_id, litrev_status, ...).
REVIEW_PREFIX = "litrev_"
# Characters Excel cannot store in a cell (openpyxl refuses them).
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A spreadsheet runs a cell starting with these as a formula (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

ExtraColumns = Sequence[Sequence[tuple[str, str]]]


def neutral_cell(value: str) -> str:
    """`value` with a leading `'` when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _typed(record: Record, columns: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for column in columns:
        if column == "included":
            value = "" if record.label is None else str(record.label)
        else:
            attr = getattr(record, column)
            value = "; ".join(attr) if isinstance(attr, list) else "" if attr is None else str(attr)
        pairs.append((column, value))
    return pairs


def record_columns(
    record: Record, flavour: str, extra: Sequence[tuple[str, str]] | None = None
) -> list[tuple[str, str]]:
    """The (column, cell) pairs a record contributes to a table (with a review's `extra`).

    >>> record_columns(Record(title="T"), "asreview-csv", [("litrev_id", "7"), ("included", "1")])[-2:]
    [('litrev_id', '7'), ('included', '1')]
    """
    fmt = record.provenance.format if record.provenance else None
    if fmt in TABULAR_FORMATS and record.raw:
        pairs = list(record.raw)
    else:
        pairs = _typed(record, ASREVIEW_COLUMNS if flavour == "asreview-csv" else LITREV_COLUMNS)
    if extra is None:
        return pairs
    # A re-exported export must not carry two sets of review columns, nor (for ASReview) a
    # second label column that disagrees with the review's decisions.
    replaced = {name for name, _ in extra}
    labels = set(LABEL_COLUMNS) if "included" in replaced else set()
    kept = [
        (name, value)
        for name, value in pairs
        if not name.startswith(REVIEW_PREFIX)
        and name not in replaced
        and name.strip().lower() not in labels
    ]
    first = [(name, value) for name, value in extra if name == "record_id"]
    return first + kept + [(name, value) for name, value in extra if name != "record_id"]


def table_rows(
    records: Iterable[Record], flavour: str, extra: ExtraColumns | None = None
) -> tuple[list[str], list[list[str]]]:
    """One header (ordered union of every record's columns) and one row per record."""
    keyed_rows: list[dict[tuple[str, int], str]] = []
    order: dict[tuple[str, int], None] = {}
    for index, record in enumerate(records):
        seen: dict[str, int] = {}
        row: dict[tuple[str, int], str] = {}
        own = extra[index] if extra is not None else None
        for column, value in record_columns(record, flavour, own):
            key = (column, seen.get(column, 0))
            seen[column] = key[1] + 1
            row[key] = value
            order.setdefault(key, None)
        keyed_rows.append(row)
    keys = list(order)
    return [k[0] for k in keys], [[row.get(k, "") for k in keys] for row in keyed_rows]


def _csv_cell(value: str, delimiter: str) -> str:
    # The csv module quotes only the line terminator's characters, so a bare CR inside a value
    # would split the row for every reader; quote any delimiter, quote, CR or LF.
    if delimiter in value or '"' in value or "\r" in value or "\n" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_line(cells: list[str], delimiter: str) -> str:
    if len(cells) == 1 and cells[0] == "":
        return '""\n'  # a lone empty cell, not a blank line
    return delimiter.join(_csv_cell(c, delimiter) for c in cells) + "\n"


def write_delimited(
    records: Iterable[Record],
    out: TextIO,
    flavour: str = "csv",
    delimiter: str = ",",
    *,
    extra: ExtraColumns | None = None,
    neutralise: bool = False,
) -> None:
    """Write CSV (or TSV with delimiter="\\t"), quoting every cell that holds the delimiter,
    a quote, CR or LF; with `neutralise`, formula cells get a leading `'`.

    >>> import io
    >>> out = io.StringIO()
    >>> write_delimited([Record(title="a\\rb")], out)
    >>> out.getvalue().split("\\n")[1][:7]
    ',,"a\\rb"'
    """
    header, rows = table_rows(records, flavour, extra)
    write = out.write
    write(_csv_line([neutral_cell(h) for h in header] if neutralise else header, delimiter))
    for row in rows:
        if neutralise:
            row = [neutral_cell(cell) for cell in row]
        write(_csv_line(row, delimiter))


def xlsx_cell(sheet: object, text: str) -> object:
    r"""A write-only sheet's cell for `text`: characters XML cannot hold become U+FFFD, and
    text starting "=" is stored as text, not run as a formula.

    >>> from openpyxl import Workbook
    >>> sheet = Workbook(write_only=True).create_sheet("s")
    >>> xlsx_cell(sheet, "a\x0bb") == "a\ufffdb", xlsx_cell(sheet, "=1+1").data_type
    (True, 's')
    """
    from openpyxl.cell import WriteOnlyCell

    text = _XLSX_ILLEGAL.sub("\ufffd", text)
    if not text.startswith("="):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # text, not a formula: "=..." titles stay as written
    return cell


def write_xlsx(
    records: Iterable[Record],
    path: str | Path,
    flavour: str = "csv",
    *,
    extra: ExtraColumns | None = None,
    neutralise: bool = False,
) -> None:
    """Write an Excel workbook with one sheet `records`; cells are text (formula cells get a
    leading `'` with `neutralise`, as in CSV, so editing a cell cannot turn it into one)."""
    from openpyxl import Workbook

    header, rows = table_rows(records, flavour, extra)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("records")
    sheet.append([xlsx_cell(sheet, neutral_cell(h) if neutralise else h) for h in header])
    for row in rows:
        if neutralise:
            row = [neutral_cell(cell) for cell in row]
        sheet.append([xlsx_cell(sheet, cell) for cell in row])
    workbook.save(str(path))
