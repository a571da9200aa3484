"""`litrev import` (files, list, undo), `litrev export` and `litrev records list|show`: thin
adapters over `litrev.records`."""

# Stage modules (litrev.project, litrev.records.importer) are imported inside the commands:
# they load SQLAlchemy, and every `litrev` run imports this module.
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from litrev.cli._app import app, console, err_console
from litrev.records.io import WRITE_FORMATS  # light: the readers, not the store

if TYPE_CHECKING:
    from litrev.project import Project
    from litrev.records.importer import ImportReport
    from litrev.screening import Screening

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
records_app = typer.Typer(
    no_args_is_help=True, help="The review's records with litrev's ids, status and decisions."
)
app.add_typer(records_app, name="records")


def _row(table: Table, *cells: str) -> None:
    # Titles and file names are data, not rich markup: "[1]" or "[bold]" must print as written.
    table.add_row(*(Text(cell) for cell in cells))


def _screening(project: Project) -> Screening:
    from litrev.screening import Screening
    from litrev.screening.model import settings_from_protocol

    protocol = project.protocol
    return Screening(
        project.store,
        exclusion_reasons=protocol.eligibility.exclusion_reasons,
        defaults=settings_from_protocol(protocol),
    )


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
        sources = ", ".join(f"{name} {n}" for name, n in item.by_source.items()) or UNSPECIFIED
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
    table = Table(title=f"{len(imports)} imports")
    for heading in ("id", "file", "format", "database", "records", "litrev ids", "by", "when"):
        table.add_column(heading, justify="right" if heading in ("id", "records") else "left")
    for item in imports:
        ids = f"{item.first_id}-{item.last_id}" if item.first_id is not None else ""
        _row(
            table,
            str(item.id),
            Path(item.file).name,
            item.format,
            ", ".join(f"{name} {n}" for name, n in (item.databases or {}).items())
            or item.source_db
            or "unspecified",
            str(item.records),
            ids,
            item.actor,
            f"{item.imported_at:%Y-%m-%d %H:%M}",
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


@records_app.command("list")
def records_list(
    stage: Annotated[
        str | None,
        typer.Option("--stage", "-s", help="title_abstract (ta) or full_text (ft): status there."),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="included, excluded, pending or duplicate."),
    ] = None,
    database: Annotated[
        str | None, typer.Option("--database", "-d", help="Only records from this database.")
    ] = None,
    output: Annotated[
        str, typer.Option("--format", "-f", help="table, csv or json (csv/json to stdout).")
    ] = "table",
    raw_formulas: Annotated[
        bool,
        typer.Option("--raw-formulas", help="CSV: cells starting = + - @ as they are."),
    ] = False,
    project_dir: ProjectOpt = Path("."),
) -> None:
    """List records with litrev's ids (for decide, conflicts and extract), status and source."""
    from litrev.errors import LitrevError
    from litrev.project import Project
    from litrev.records.listing import record_states, select_states

    if output not in ("table", "csv", "json"):
        raise LitrevError(f"--format {output!r}: expected table, csv or json")
    project = Project.open(project_dir)
    stages = project.protocol.screening.stages
    states = record_states(_screening(project), stages)
    chosen = select_states(states, stage=stage, status=status, database=database)
    if database is not None and not any(
        database.casefold() in {d.casefold() for d in s.databases} for s in states.values()
    ):
        known = sorted({d for s in states.values() for d in s.databases})
        err_console.print(
            Text(
                f"warning: no record comes from database {database!r}; "
                f"the review's databases are: {', '.join(known) or '(no records yet)'}"
            )
        )
    if output == "json":
        print(json.dumps([s.as_dict() for s in chosen], indent=2, ensure_ascii=False))
        return
    if output == "csv":
        from litrev.records.tabular_write import neutral_cell

        rows = [_flat(s.as_dict()) for s in chosen]
        if not raw_formulas:  # the CSV may be opened in a spreadsheet, like an export
            rows = [
                {k: neutral_cell(v) if isinstance(v, str) else v for k, v in r.items()}
                for r in rows
            ]
        header = list(rows[0]) if rows else ["litrev_id", "status"]
        writer = csv.DictWriter(sys.stdout, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    shown = f" at {stage}" if stage else ""
    table = Table(title=f"{len(chosen)} of {len(states)} records{shown}")
    for heading in ("id", "status", "database", "year", "first author", "title"):
        table.add_column(heading, justify="right" if heading in ("id", "year") else "left")
    for state in chosen:
        here = state.status_at(stage) or ""
        if state.duplicate_of is not None:
            here = f"duplicate of {state.duplicate_of}"
        _row(
            table,
            str(state.id),
            here,
            "; ".join(state.databases),
            "" if state.year is None else str(state.year),
            state.first_author or "",
            state.title or "",
        )
    console.print(table)


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: "; ".join(v) if isinstance(v, list) else ("" if v is None else v) for k, v in row.items()
    }


@records_app.command("show")
def records_show(
    record_id: Annotated[int, typer.Argument(help="litrev's record id (`litrev records list`).")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of tables.")] = False,
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Show one record: every field, where it came from, its duplicate cluster and the
    decisions on it per stage and reviewer."""
    from litrev.project import Project
    from litrev.records.listing import record_detail

    project = Project.open(project_dir)
    detail = record_detail(_screening(project), record_id, project.protocol.screening.stages)
    state = detail.state
    if as_json:
        out = state.as_dict() | {
            "fields": dict(detail.fields),
            "raw": [list(p) for p in detail.raw],
            "provenance": detail.provenance,
            "cluster_members": detail.cluster_members,
            "decisions": detail.decisions,
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    summary = f"record {state.id}: {state.status}"
    if state.duplicate_of is not None:
        summary += f" (duplicate of record {state.duplicate_of}, which is screened instead)"
    console.print(Text(summary))
    fields = Table(title="fields", show_header=False)
    fields.add_column("field")
    fields.add_column("value", overflow="fold")
    for name, value in detail.fields:
        _row(fields, name, value)
    console.print(fields)
    sources = Table(title="sources")
    for heading in ("file", "position", "database", "format", "imported"):
        sources.add_column(heading)
    for row in detail.provenance:
        _row(
            sources,
            row["file"],
            str(row["position"] + 1),
            row["source_db"] or "unspecified",
            row["format"] or "",
            row["imported_at"] or "",
        )
    console.print(sources)
    if len(detail.cluster_members) > 1:
        members = ", ".join(str(m) for m in detail.cluster_members)
        console.print(Text(f"duplicate cluster {state.cluster}: records {members}"))
    stages = Table(title="screening")
    for heading in ("stage", "outcome", "reason"):
        stages.add_column(heading)
    for stage_state in state.stages:
        _row(stages, stage_state.stage, stage_state.outcome or "-", stage_state.reason or "")
    console.print(stages)
    if detail.decisions:
        decisions = Table(title="decisions")
        for heading in ("stage", "reviewer", "decision", "reason", "note", "when"):
            decisions.add_column(heading)
        for d in detail.decisions:
            who = d["reviewer"] + (f" ({d['resolution']})" if d["resolution"] else "")
            _row(
                decisions,
                d["stage"],
                who,
                d["decision"],
                d["reason"] or "",
                d["note"] or "",
                d["at"] or "",
            )
        console.print(decisions)
    raw = Table(title="fields as imported", show_header=False)
    raw.add_column("tag")
    raw.add_column("value", overflow="fold")
    for tag, value in detail.raw:
        _row(raw, tag, value)
    console.print(raw)
