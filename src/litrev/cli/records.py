"""`litrev import` and `litrev export`: thin adapters over `litrev.records`."""

# Stage modules (litrev.project, litrev.records.importer) are imported inside the commands:
# they load SQLAlchemy, and every `litrev` run imports this module.
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from litrev.cli._app import app, console, err_console
from litrev.records.io import WRITE_FORMATS  # light: the readers, not the store

ProjectOpt = Annotated[Path, typer.Option("--project", "-p", help="The review folder.")]


@app.command("import")
def import_command(
    files: Annotated[list[Path], typer.Argument(help="Export files (RIS, nbib, CSV, ...).")],
    source: Annotated[
        str | None,
        typer.Option("--source", help="Database these files came from (overrides detection)."),
    ] = None,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the good records; list the bad ones.")
    ] = False,
    format: Annotated[
        str | None, typer.Option("--format", "-f", help="Format, when detection cannot tell.")
    ] = None,
    again: Annotated[
        bool, typer.Option("--again", help="Import a file even if it was imported before.")
    ] = False,
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Import database exports into the review, all files in one transaction.

    Format and source database are detected; a malformed file is rejected with its line and
    nothing is imported, unless --skip-invalid.
    """
    from litrev.project import Project
    from litrev.records import import_files
    from litrev.records.importer import UNSPECIFIED

    project = Project.open(project_dir)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task("reading exports", total=len(files))

        def advance(path: str, count: int) -> None:
            progress.update(task, advance=1, description=f"read {Path(path).name} ({count})")

        report = import_files(
            project.store,
            files,
            source=source,
            skip_invalid=skip_invalid,
            format=format,
            allow_reimport=again,
            progress=advance,
        )
    table = Table(title=f"Imported {report.total} records")
    for heading in ("file", "format", "source database", "records", "skipped"):
        table.add_column(heading, justify="right" if heading in ("records", "skipped") else "left")
    for item in report.files:
        sources = ", ".join(f"{name} {n}" for name, n in item.by_source.items()) or UNSPECIFIED
        name = Path(item.path).name
        table.add_row(name, item.format, sources, str(item.imported), str(len(item.skipped)))
    console.print(table)
    totals = Table(title="Records identified per database")
    totals.add_column("database")
    totals.add_column("records", justify="right")
    for name, count in sorted(report.by_source.items()):
        totals.add_row(name, str(count))
    console.print(totals)
    unknown = [Path(f.path).name for f in report.files if UNSPECIFIED in f.by_source]
    if unknown:
        err_console.print(
            f"[yellow]warning:[/] no source database recognised in {', '.join(unknown)}; "
            "re-import with --source NAME --again so the PRISMA flow counts it by database.",
            highlight=False,
        )
    if report.skipped:
        err_console.print(f"[yellow]{len(report.skipped)} record(s) skipped:[/]")
        for skipped in report.skipped:
            err_console.print(f"  {skipped}", highlight=False, soft_wrap=True)


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Argument(help="File to write.")],
    format: Annotated[
        str, typer.Option("--format", "-f", help=f"One of: {', '.join(WRITE_FORMATS)}.")
    ] = "ris",
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Export the review's records (every stored field) to a file."""
    from litrev.project import Project
    from litrev.records.importer import export_records

    project = Project.open(project_dir)
    count = export_records(project.store, out, format)
    console.print(f"wrote {count} records to {out} ({format})")
