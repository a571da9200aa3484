"""Writing records as tables: CSV, TSV, XLSX and ASReview-ready CSV.

A record read from a table is written with its own columns, so a table goes round unchanged.
Other records get litrev's columns (`csv`) or ASReview's (`asreview-csv`). Repeated column
names are kept: the n-th occurrence of a name is its own column.

>>> from litrev.records.model import Record
>>> record = Record(title="T", authors=["A, B", "C, D"], year=2020)
>>> header, rows = table_rows([record], "asreview-csv")
>>> header[:5], rows[0][:5]
(['record_id', 'title', 'abstract', 'authors', 'keywords'], ['', 'T', '', 'A, B; C, D', ''])
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from litrev.records.model import Record
from litrev.records.tabular import TABULAR_FORMATS

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
# Characters Excel cannot store in a cell (openpyxl refuses them).
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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


def record_columns(record: Record, flavour: str) -> list[tuple[str, str]]:
    """The (column, cell) pairs a record contributes to a table."""
    fmt = record.provenance.format if record.provenance else None
    if fmt in TABULAR_FORMATS and record.raw:
        return list(record.raw)
    return _typed(record, ASREVIEW_COLUMNS if flavour == "asreview-csv" else LITREV_COLUMNS)


def table_rows(records: Iterable[Record], flavour: str) -> tuple[list[str], list[list[str]]]:
    """One header (ordered union of every record's columns) and one row per record."""
    keyed_rows: list[dict[tuple[str, int], str]] = []
    order: dict[tuple[str, int], None] = {}
    for record in records:
        seen: dict[str, int] = {}
        row: dict[tuple[str, int], str] = {}
        for column, value in record_columns(record, flavour):
            key = (column, seen.get(column, 0))
            seen[column] = key[1] + 1
            row[key] = value
            order.setdefault(key, None)
        keyed_rows.append(row)
    keys = list(order)
    return [k[0] for k in keys], [[row.get(k, "") for k in keys] for row in keyed_rows]


def write_delimited(
    records: Iterable[Record], out: TextIO, flavour: str = "csv", delimiter: str = ","
) -> None:
    """Write CSV (or TSV with delimiter="\\t"); every field quoted where needed."""
    header, rows = table_rows(records, flavour)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


def _xlsx_cell(sheet: object, text: str) -> object:
    from openpyxl.cell import WriteOnlyCell

    text = _XLSX_ILLEGAL.sub("\ufffd", text)
    if not text.startswith("="):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # text, not a formula: "=..." titles stay as written
    return cell


def write_xlsx(records: Iterable[Record], path: str | Path, flavour: str = "csv") -> None:
    """Write an Excel workbook with one sheet `records`; cells are text."""
    from openpyxl import Workbook

    header, rows = table_rows(records, flavour)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("records")
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, cell) for cell in row])
    workbook.save(str(path))
