"""The paper's tables as one Word document (python-docx): `write_paper_docx(tables, path)`.

The review's title, then per table a heading (its label and title with n) and a real Word
table: a bold header row that Word repeats on every page (`w:tblHeader`), one row per study.
Each table starts a new section, in landscape when it has more than `PORTRAIT_COLUMNS`
columns. An empty table keeps its header and says it is empty; warnings close the document
under "Notes". Core properties (title, creator, created, modified) are set, the dates from
`SOURCE_DATE_EPOCH` when set (`litrev.synthesis.ooxml`), so the same input gives the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from litrev.synthesis.ooxml import document_time, write_package, xml_text
from litrev.synthesis.paper.tables import LABEL_KIND, PaperTable, PaperTables

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table

PORTRAIT_COLUMNS = 4
# Relative column widths: long text gets the room; labels and short codes less.
_WEIGHTS = {"long_text": 4.0, LABEL_KIND: 1.6, "text": 1.4, "multi_choice": 1.6}


def write_paper_docx(tables: PaperTables, path: str | Path) -> Path:
    """Write `tables` as a DOCX file at `path` (atomically) and return the path.

    >>> import tempfile
    >>> from litrev.synthesis.paper.tables import PaperTable, PaperTables
    >>> table = PaperTable(None, "", "Included studies (n=1)", ["Study", "Setting"],
    ...                    ["label", "text"], [["Ito, 2020", "home"]], [1])
    >>> out = write_paper_docx(PaperTables("Falls", [table]), Path(tempfile.mkdtemp()) / "t.docx")
    >>> import docx
    >>> [[c.text for c in row.cells] for row in docx.Document(str(out)).tables[0].rows]
    [['Study', 'Setting'], ['Ito, 2020', 'home']]
    """
    from docx import Document

    when = document_time()
    document = Document()
    properties = document.core_properties
    properties.title = xml_text(tables.review_title)
    properties.subject = "Tables of included studies"
    properties.author = "litrev"
    properties.last_modified_by = "litrev"
    properties.comments = ""
    properties.revision = 1
    # python-docx keeps naive UTC times; its template's own date (2013) must not stay.
    properties.created = when.replace(tzinfo=None)
    properties.modified = when.replace(tzinfo=None)
    document.add_heading(xml_text(tables.review_title), level=0)
    for n, table in enumerate(tables.tables):
        if n:
            from docx.enum.section import WD_SECTION

            document.add_section(WD_SECTION.NEW_PAGE)
        _orient(document, landscape=len(table.headings) > PORTRAIT_COLUMNS)
        document.add_heading(xml_text(table.heading), level=1)
        _add_table(document, table)
        if table.note:
            document.add_paragraph().add_run(xml_text(table.note)).italic = True
    if tables.warnings:
        document.add_heading("Notes", level=1)
        for warning in tables.warnings:
            document.add_paragraph(xml_text(warning), style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return write_package(path, buffer.getvalue(), when)


def _orient(document: DocxDocument, *, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Length

    section = document.sections[-1]
    short, long = (Length(v) for v in sorted([section.page_width or 0, section.page_height or 0]))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)


def _add_table(document: DocxDocument, table: PaperTable) -> Table:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    section = document.sections[-1]
    usable = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    weights = [_WEIGHTS.get(kind, 1.0) for kind in table.kinds]
    widths = [int(usable * w / sum(weights)) for w in weights]
    grid = document.add_table(rows=1, cols=len(table.headings))
    grid.style = "Table Grid"
    grid.autofit = False
    header = grid.rows[0]
    properties = header._tr.get_or_add_trPr()
    for flag in ("w:tblHeader", "w:cantSplit"):  # repeat on each page; never split the header
        element = OxmlElement(flag)
        element.set(qn("w:val"), "true")
        properties.append(element)
    for column, cell, heading, width in zip(
        grid.columns, header.cells, table.headings, widths, strict=True
    ):
        column.width = width  # the grid's widths; add_row gives each new cell its column's
        cell.width = width
        cell.paragraphs[0].add_run(xml_text(heading)).bold = True
    for values in table.rows:
        for cell, value in zip(grid.add_row().cells, values, strict=True):
            cell.text = xml_text(value)
    return grid
