"""`litrev tables`: the paper's tables of included studies, as DOCX and XLSX.

>>> parse_formats("xlsx, docx,xlsx", FORMATS)
['xlsx', 'docx']
"""

# litrev.synthesis (pandas, python-docx, openpyxl) is imported inside the functions: every
# `litrev` run imports this module.
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from litrev.cli._app import app, console, err_console
from litrev.cli._outputs import parse_formats

if TYPE_CHECKING:
    from litrev.project import Project

FORMATS = ("docx", "xlsx")
FILE_STEM = "tables"


def write_tables(project: Project, out: Path, formats: list[str]) -> dict[str, Path]:
    """Write the review's tables (`litrev.synthesis.paper.tables`) to OUT/tables.FORMAT, print
    each table with its n and every warning; return {format: path}."""
    from litrev.synthesis.paper.docx import write_paper_docx
    from litrev.synthesis.paper.tables import paper_tables
    from litrev.synthesis.paper.xlsx import write_paper_xlsx

    tables = paper_tables(project)
    out.mkdir(parents=True, exist_ok=True)
    writers = {"docx": write_paper_docx, "xlsx": write_paper_xlsx}
    files = {fmt: writers[fmt](tables, out / f"{FILE_STEM}.{fmt}") for fmt in formats}
    for table in tables.tables:
        console.print(f"  {escape(table.heading)}", highlight=False)
    for warning in tables.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
    shown = ", ".join(escape(str(path)) for path in files.values())
    console.print(f"Tables for the paper ({len(tables.tables)}) written to {shown}")
    return files


@app.command()
def tables(
    project_dir: Annotated[Path, typer.Option("--project", "-p", help="The review folder.")] = Path(
        "."
    ),
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write (default: the review folder)."),
    ] = None,
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Which files, comma-separated: docx, xlsx.")
    ] = ",".join(FORMATS),
) -> None:
    """Write the paper's tables of included studies to tables.docx and tables.xlsx: one per
    category, with the columns, headings and titles of the protocol's report.tables."""
    from litrev.project import Project

    wanted = parse_formats(formats, FORMATS)
    project = Project.open(project_dir)
    write_tables(project, out if out is not None else project.root, wanted)
