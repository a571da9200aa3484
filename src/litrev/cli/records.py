"""`litrev import` (files, list, undo) and `litrev export`: thin adapters over `litrev.records`
(`litrev records list|show` are in `records_view`)."""

# Stage modules (litrev.project, litrev.records.importer) are imported inside the commands:
# they load SQLAlchemy, and every `litrev` run imports this module.
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from litrev.cli._app import app, console, err_console
from litrev.cli.records_view import _row, _screening  # also registers `litrev records`
from litrev.records.io import WRITE_FORMATS  # light: the readers, not the store

if TYPE_CHECKING:
    from litrev.project import Project
    from litrev.records.importer import ImportReport

ProjectOpt = Annotated[Path, typer.Option("--project", "-p", help="The review folder.")]


class _ImportGroup(TyperGroup):
    """`litrev import FILES...` imports (the hidden `files` command); `list` and `undo` are
    commands.

    A first argument that is not a command name is a file or an import option, so
    `litrev import a.ris` and `litrev import --help` work as before (a file named `list` is
    `./list`)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands:
            args = ["files", *args]
        return super().parse_args(ctx, args)


import_app = typer.Typer(
    cls=_ImportGroup,
    no_args_is_help=True,
    invoke_without_command=True,
    help="Import database exports (`litrev import FILES...`), list imports, undo one.",
)
app.add_typer(import_app, name="import")


@import_app.command("files", hidden=True)
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
        bool,
        typer.Option(
            "--again", help="Import even if the file or its records were imported before."
        ),
    ] = False,
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Import database exports into the review, all files in one transaction.

    Format and source database are detected; a malformed file is rejected with its line and nothing is imported, unless --skip-invalid. Records already in the review (same database and record id, or same citation) are refused unless --again; an empty file is skipped with a warning.

    `litrev import list` lists the imports; `litrev import undo ID` removes one that no decision depends on.
    """
    from litrev.project import Project
    from litrev.records import import_files

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
    _print_import(report)
    _warn_sources(project, report)


def _print_import(report: ImportReport) -> None:
    from litrev.records.importer import UNSPECIFIED

    table = Table(title=f"Imported {report.total} records")
    for heading in ("import", "file", "format", "source database", "records", "skipped"):
        right = heading in ("import", "records", "skipped")
        table.add_column(heading, justify="right" if right else "left")
    for item in report.files:
        # One database: its name (the count is the records column); several: each with its count.
        by_source = item.by_source
        sources = (
            next(iter(by_source))
            if len(by_source) == 1
            else ", ".join(f"{name} ({n})" for name, n in by_source.items()) or UNSPECIFIED
        )
        name = Path(item.path).name
        number = "-" if item.import_id is None else str(item.import_id)
        _row(table, number, name, item.format, sources, str(item.imported), str(len(item.skipped)))
    console.print(table)
    totals = Table(title="Records identified per database")
    totals.add_column("database")
    totals.add_column("records", justify="right")
    for name, count in sorted(report.by_source.items()):
        _row(totals, name, str(count))
    console.print(totals)
    for item in report.files:
        if not item.empty:
            continue
        why = (
            f"none of its records could be read ({len(item.skipped)} skipped, listed below)"
            if item.skipped
            else "no records in this file"
        )
        err_console.print(
            f"[yellow]warning:[/] {escape(item.path)}: {why}; it was not recorded as an "
            "import (check that the export finished and is in a format litrev reads)",
            highlight=False,
        )
    kept = [Path(f.path).name for f in report.files if f.kept_ids]
    if kept:
        console.print(Text(f"kept the litrev ids of the export in {', '.join(kept)}"))
    unknown = [Path(f.path).name for f in report.files if UNSPECIFIED in f.by_source]
    if unknown:
        err_console.print(
            f"[yellow]warning:[/] no source database recognised in {escape(', '.join(unknown))}; "
            "undo it (`litrev import undo ID`) and import again with --source NAME, so the "
            "PRISMA flow counts it by database.",
            highlight=False,
        )
    if report.skipped:
        err_console.print(f"[yellow]{len(report.skipped)} record(s) skipped:[/]")
        for skipped in report.skipped:
            err_console.print(f"  {escape(str(skipped))}", highlight=False, soft_wrap=True)


def _warn_sources(project: Project, report: ImportReport) -> None:
    """Warn when an imported database matches none of the protocol's `[[searches]]`."""
    from litrev.records.importer import UNSPECIFIED
    from litrev.records.sources import match_source

    searches = project.protocol.searches
    if not searches:
        return  # nothing to match against: the protocol lists no searches
    for item in report.files:
        for name in item.by_source:
            if name == UNSPECIFIED:
                continue
            match = match_source(name, searches, dialect=item.dialect)
            if not match.matched:
                err_console.print(
                    f"[yellow]warning:[/] {escape(Path(item.path).name)}: {escape(match.message())} "
                    "(in litrev.toml, or name it with --source)",
                    highlight=False,
                )


def _databases_cell(databases: dict[str, int]) -> str:
    """One database by its name; several with their counts: "PubMed (3), Embase (2)"."""
    if len(databases) == 1:
        return next(iter(databases))
    return ", ".join(f"{name} ({n})" for name, n in databases.items())


@import_app.command("list")
def import_list(
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
    project_dir: ProjectOpt = Path("."),
) -> None:
    """List the review's imports: id, file, database, records, who and when."""
    from litrev.project import Project
    from litrev.records.imports import list_imports

    project = Project.open(project_dir)
    imports = list_imports(project.store)
    if as_json:
        print(json.dumps([i.as_dict() for i in imports], indent=2))
        return
    noun = "import" if len(imports) == 1 else "imports"
    table = Table(title=f"{len(imports)} {noun}")
    for heading in ("id", "file", "format", "database", "records", "ids", "by", "when"):
        # File names and times are what a user reads the table for: never cut them short.
        table.add_column(
            heading,
            justify="right" if heading in ("id", "records") else "left",
            overflow="fold",
            no_wrap=heading in ("id", "format", "records", "ids"),
        )
    for item in imports:
        ids = f"{item.first_id}-{item.last_id}" if item.first_id is not None else ""
        _row(
            table,
            str(item.id),
            Path(item.file).name,
            item.format,
            _databases_cell(item.databases or {}) or item.source_db or "unspecified",
            str(item.records),
            ids,
            item.actor,
            f"{item.imported_at:%Y-%m-%d}\n{item.imported_at:%H:%M}",
        )
    console.print(table)


@import_app.command("undo")
def import_undo(
    import_id: Annotated[int, typer.Argument(help="The import's id (`litrev import list`).")],
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Remove an import and its records, if no screening decision or extraction depends on them and no live deduplication used them (undo that first with `litrev dedupe undo`)."""
    from litrev.project import Project
    from litrev.records.imports import undo_import

    project = Project.open(project_dir)
    undone = undo_import(project.store, import_id)
    console.print(
        Text(f"undid import {undone.id} ({undone.file}): removed {undone.records} records")
    )


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Argument(help="File to write.")],
    format: Annotated[
        str, typer.Option("--format", "-f", help=f"One of: {', '.join(WRITE_FORMATS)}.")
    ] = "ris",
    raw_formulas: Annotated[
        bool,
        typer.Option(
            "--raw-formulas",
            help="Write cells starting = + - @ as they are (spreadsheets may run them).",
        ),
    ] = False,
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Export the review's records (every stored field) with litrev's id, database, duplicate
    cluster and decisions; spreadsheet cells that would run as formulas get a leading '."""
    from litrev.project import Project
    from litrev.records.export import export_records

    project = Project.open(project_dir)
    count = export_records(
        project.store,
        out,
        format,
        raw_formulas=raw_formulas,
        screening=_screening(project),
        stages=project.protocol.screening.stages,
    )
    console.print(Text(f"wrote {count} records to {out} ({format})"))
