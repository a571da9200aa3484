"""`litrev records list|show`: the review's records with litrev's ids, status, sources and
decisions; thin adapters over `litrev.records.listing`."""

# Stage modules are imported inside the commands: every `litrev` run imports this module.
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from litrev.cli._app import app, console, err_console

if TYPE_CHECKING:
    from litrev.project import Project
    from litrev.screening import Screening

ProjectOpt = Annotated[Path, typer.Option("--project", "-p", help="The review folder.")]

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
    from litrev.records.listing import (
        database_names,
        listing_columns,
        record_states,
        search_names,
        select_states,
    )

    if output not in ("table", "csv", "json"):
        raise LitrevError(f"--format {output!r}: expected table, csv or json")
    project = Project.open(project_dir)
    stages = project.protocol.screening.stages
    states = record_states(_screening(project), stages)
    searches = search_names(states, project.protocol.searches)
    chosen = select_states(states, stage=stage, status=status, database=database, searches=searches)
    if database is not None and not any(
        database.casefold() in database_names(s, searches) for s in states.values()
    ):
        known = sorted({d for s in states.values() for d in s.databases} | set(searches.values()))
        err_console.print(
            Text(
                f"warning: no record comes from database {database!r}; "
                f"the review's databases are: {', '.join(known) or '(no records yet)'}"
            )
        )

    def as_dict(state: Any) -> dict[str, Any]:
        # The [[searches]] names the detected databases matched, beside them.
        row = state.as_dict()
        matched = list(dict.fromkeys(searches[d] for d in state.databases if d in searches))
        return _with_searches(row, matched)

    if output == "json":
        print(json.dumps([as_dict(s) for s in chosen], indent=2, ensure_ascii=False))
        return
    if output == "csv":
        from litrev.records.formats.tabular_write import neutral_cell

        rows = [_flat(as_dict(s)) for s in chosen]
        if not raw_formulas:  # the CSV may be opened in a spreadsheet, like an export
            rows = [
                {k: neutral_cell(v) if isinstance(v, str) else v for k, v in r.items()}
                for r in rows
            ]
        header = list(_with_searches(dict.fromkeys(listing_columns(stages)), []))
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
        shown_dbs = [
            d if searches.get(d, d) == d else f"{d} ({searches[d]})" for d in state.databases
        ]
        _row(
            table,
            str(state.id),
            here,
            "; ".join(shown_dbs),
            "" if state.year is None else str(state.year),
            state.first_author or "",
            state.title or "",
        )
    console.print(table)


def _with_searches(row: dict[str, Any], matched: list[str]) -> dict[str, Any]:
    """`row` with a `searches` column after `databases`."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        out[key] = value
        if key == "databases":
            out["searches"] = matched
    return out


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
