"""The paper's tables as one Excel workbook (openpyxl): `write_paper_xlsx(tables, path)`.

One sheet per table (`sheet_names`: at most 31 characters, none of `[]:*?/\\`, unique), its
heading in row 1 and the bold column headings in row 2, both frozen; one row per study; column
widths from the content (at most `MAX_WIDTH`), text wrapped. Every value is text: a cell that a
spreadsheet would run as a formula gets a leading `'` (`records.formats.tabular_write.
neutral_cell`, OWASP's rule). Warnings go on a last sheet, "Notes". Core properties' dates come
from `SOURCE_DATE_EPOCH` when set (`litrev.synthesis.ooxml`): the same input, the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from litrev.records.formats.tabular_write import neutral_cell
from litrev.synthesis.ooxml import document_time, write_package, xml_text
from litrev.synthesis.paper.tables import PaperTables

MAX_WIDTH = 60  # characters: a longer cell wraps
SHEET_CHARS = 31  # Excel's limit
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"history"}  # Excel keeps this sheet name for itself


def sheet_names(wanted: Sequence[str]) -> list[str]:
    """Excel sheet names for `wanted`: forbidden characters replaced, cut to 31 characters,
    no leading or trailing apostrophe, unique whatever the case (" (2)", " (3)"... added).

    >>> sheet_names(["Supplementary file 2: models [a/b]", "Table", "table", "", "History"])
    ['Supplementary file 2- models -a', 'Table', 'table (2)', 'Sheet', 'History (1)']
    """
    names: list[str] = []
    taken: set[str] = set()
    for raw in wanted:
        base = _NOT_IN_SHEET_NAME.sub("-", xml_text(raw)).strip().strip("'").strip()
        base = base[:SHEET_CHARS].rstrip().strip("'") or "Sheet"
        name, n = base, 1
        if name.casefold() in _RESERVED:
            name = f"{base[: SHEET_CHARS - 4]} (1)"
        while name.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            name = base[: SHEET_CHARS - len(suffix)].rstrip() + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def _text(value: str) -> str:
    return neutral_cell(xml_text(value))


def write_paper_xlsx(tables: PaperTables, path: str | Path) -> Path:
    """Write `tables` as an XLSX workbook at `path` (atomically) and return the path.

    >>> import tempfile
    >>> from litrev.synthesis.paper.tables import PaperTable, PaperTables
    >>> table = PaperTable(None, "", "Included studies (n=1)", ["Study", "Dose"],
    ...                    ["label", "text"], [["Ito, 2020", "=1+1"]], [1])
    >>> out = write_paper_xlsx(PaperTables("Falls", [table]), Path(tempfile.mkdtemp()) / "t.xlsx")
    >>> import openpyxl
    >>> sheet = openpyxl.load_workbook(out)["Included studies (n=1)"]
    >>> [[c.value for c in row] for row in sheet.iter_rows()], sheet.freeze_panes
    ([['Included studies (n=1)', None], ['Study', 'Dose'], ['Ito, 2020', "'=1+1"]], 'A3')
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    stamp = document_time()
    when = stamp.replace(tzinfo=None)  # openpyxl writes naive times as UTC
    workbook = Workbook()
    workbook.remove(workbook.active)
    names = sheet_names(
        [t.label or t.title for t in tables.tables] + (["Notes"] if tables.warnings else [])
    )
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for table, name in zip(tables.tables, names, strict=False):
        sheet = workbook.create_sheet(name)
        _append(sheet, [table.heading], font=bold)
        _append(sheet, table.headings, font=bold, alignment=wrap)
        for row in table.rows:
            _append(sheet, row, alignment=wrap)
        if table.note:
            _append(sheet, [table.note])
        sheet.freeze_panes = "A3"  # the heading and the column headings stay in view
        for n, heading in enumerate(table.headings, start=1):
            longest = max((len(r[n - 1]) for r in table.rows), default=0)
            width = min(max(longest, len(heading), 8) + 2, MAX_WIDTH)
            sheet.column_dimensions[get_column_letter(n)].width = width
    if tables.warnings:
        sheet = workbook.create_sheet(names[-1])
        _append(sheet, ["Notes"], font=bold)
        for warning in tables.warnings:
            _append(sheet, [warning], alignment=wrap)
        sheet.column_dimensions["A"].width = MAX_WIDTH * 2
    properties = workbook.properties
    properties.title = xml_text(tables.review_title)
    properties.subject = "Tables of included studies"
    properties.creator = "litrev"
    properties.lastModifiedBy = "litrev"
    properties.created = when
    properties.modified = when
    buffer = io.BytesIO()
    # ExcelWriter, not Workbook.save: save() stamps "modified" with the clock.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return write_package(path, buffer.getvalue(), stamp)


def _append(sheet: Any, values: Sequence[str], **style: Any) -> None:
    """Add a row of text cells after the sheet's last (openpyxl's `max_row` is 1 when empty)."""
    row = sheet.max_row + 1 if sheet.cell(row=1, column=1).value is not None else 1
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        cell.value = _text(value)
        cell.data_type = "s"  # text, never a formula or a number
        for key, setting in style.items():
            setattr(cell, key, setting)
