"""`litrev extract ...`: extraction from the command line (import and export tables, assign
extractors, progress); thin adapters over `litrev.extraction`. Agreement, the side-by-side
comparison and reconciliation are `litrev.cli.extraction_reconcile`."""

# Stage modules (litrev.project, litrev.extraction) are imported inside the commands: they load
# SQLAlchemy and pandas, and every `litrev` run imports this module.
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from litrev.cli._app import app, console
from litrev.cli._open_project import open_for_extraction
from litrev.cli._options import parse_ids

if TYPE_CHECKING:
    from litrev.project import Project

extract_app = typer.Typer(
    help="Extraction: import and export tables, assign extractors, progress, agreement, "
    "reconciliation."
)
app.add_typer(extract_app, name="extract")

ProjectOpt = Annotated[Path, typer.Option("--project", "-p", help="The review folder.")]
ByOpt = Annotated[str, typer.Option("--by", help="Who does this (logged).")]


@extract_app.command("import")
def extract_import(
    table: Annotated[
        Path,
        typer.Argument(
            help="CSV or XLSX extraction table, one row per included study (groups: "
            "<stem>.<group>.csv beside it, or a sheet per group)."
        ),
    ],
    project_dir: Annotated[Path, typer.Option("--project", "-p", help="The review folder.")] = Path(
        "."
    ),
    reviewer: Annotated[
        str,
        typer.Option(
            help="Whose extraction: a reviewer's name, or consensus (the reconciled one)."
        ),
    ] = "consensus",
    no_include: Annotated[
        bool, typer.Option("--no-include", help="Do not record the rows as included.")
    ] = False,
    allow_not_included: Annotated[
        bool,
        typer.Option(
            "--allow-not-included",
            help="Accept rows for records not (yet) included at full text.",
        ),
    ] = False,
    ignore_column: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore-column", help="A column that is no codebook field, to drop (repeatable)."
        ),
    ] = None,
    keep_column: Annotated[
        list[str] | None,
        typer.Option(
            "--keep-column",
            help="Tables without record_id: a column that is no codebook field, kept as a "
            "field of the record (repeatable).",
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace all of this reviewer's earlier values with this file's (atomically).",
        ),
    ] = False,
) -> None:
    """Import an extraction table, checked against the protocol's codebook (all rows or nothing).

    With a record_id column the values attach to records included at full text; without one,
    each row becomes an included study. A repeating group's rows come from <stem>.<group>.csv
    beside a CSV file, or from the group's sheet of an XLSX workbook (record_id, instance, ...).
    """
    from litrev.extraction import import_table
    from litrev.project import Project
    from litrev.screening import Screening

    project = Project.open(project_dir)
    summary = import_table(
        project.store,
        table,
        project.protocol.codebook,
        reviewer=reviewer,
        record_included=not no_include,
        screening=Screening.from_protocol(project.store, project.protocol),
        allow_not_included=allow_not_included,
        ignore_columns=ignore_column or (),
        keep_columns=keep_column or (),
        replace=replace,
    )
    console.print(
        Text(f"Imported {summary.rows} rows from {table} as reviewer '{reviewer}'."),
        highlight=False,
    )
    for group, n in summary.group_rows.items():
        console.print(Text(f"  {group}: {n} group row(s)."), highlight=False)
    if replace:
        console.print(f"Replaced {summary.replaced_values} earlier value(s) by '{reviewer}'.")
    elif summary.updated_records:
        shown = ", ".join(str(r) for r in summary.updated_records[:10])
        more = ", ..." if len(summary.updated_records) > 10 else ""
        console.print(
            f"{len(summary.updated_records)} record(s) already had values by '{reviewer}' "
            f"(records {shown}{more}): the new values win; {reviewer}'s values for records "
            "not in this file stay (--replace replaces them all)."
        )
    if summary.ignored_columns:
        console.print(f"Dropped column(s): {', '.join(summary.ignored_columns)}.")
    if summary.not_included:
        console.print(
            f"{len(summary.not_included)} row(s) are for records not included at full text: "
            + "; ".join(
                f"record {r}: {why}" for r, why in sorted(summary.not_included.items())[:10]
            )
        )


@extract_app.command("list")
def extract_list(
    project_dir: Annotated[Path, typer.Option("--project", "-p", help="The review folder.")] = Path(
        "."
    ),
    reviewer: Annotated[
        str | None, typer.Option(help="Only this reviewer's (or consensus) extraction.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of tables.")] = False,
) -> None:
    """List the extraction imports (file, reviewer, rows, replaced) and each reviewer's values now."""
    from litrev.extraction.history import extraction_counts, extraction_imports
    from litrev.project import Project

    project = Project.open(project_dir)
    imports = extraction_imports(project.store, reviewer)
    counts = extraction_counts(project.store, reviewer)
    if as_json:
        print(
            json.dumps(
                {
                    "imports": [i.as_dict() for i in imports],
                    "reviewers": [c.as_dict() for c in counts],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    if not imports and not counts:
        who = f" by '{reviewer}'" if reviewer else ""
        console.print(Text(f"No extraction{who} yet (`litrev extract import TABLE.csv`)."))
        return
    logged = Table(title="Extraction imports")
    for heading in ("log id", "when", "reviewer", "rows", "replaced", "file"):
        logged.add_column(heading, justify="right" if heading in ("log id", "rows") else "left")
    for item in imports:
        replaced = f"{item.replaced_values} values" if item.replace else "-"
        logged.add_row(
            *(
                Text(cell)
                for cell in (
                    str(item.id),
                    item.at,
                    item.reviewer,
                    str(item.rows),
                    replaced,
                    Path(item.file).name,
                )
            )
        )
    console.print(logged)
    now = Table(title="Values now, per reviewer")
    for heading in ("reviewer", "records", "values", "latest"):
        now.add_column(heading, justify="right" if heading in ("records", "values") else "left")
    for count in counts:
        now.add_row(
            *(
                Text(c)
                for c in (count.reviewer, str(count.records), str(count.values), count.latest)
            )
        )
    console.print(now)


def included_ids(project: Project) -> list[int]:
    """The review's records included at full text (as the protocol's screening judges)."""
    from litrev.screening.flow import included_record_ids
    from litrev.screening.model import settings_from_protocol

    return included_record_ids(
        project.store,
        exclusion_reasons=project.protocol.eligibility.exclusion_reasons,
        defaults=settings_from_protocol(project.protocol),
    )


@extract_app.command("assign")
def extract_assign(
    by: ByOpt,
    extractors: Annotated[
        list[str] | None,
        typer.Argument(help="Extractors (default: [extraction] extractors, else the reviewers)."),
    ] = None,
    project_dir: ProjectOpt = Path("."),
    records: Annotated[
        str | None,
        typer.Option("--records", help="Record ids (e.g. 1,2,7-9); default: every included one."),
    ] = None,
    per_record: Annotated[
        int | None,
        typer.Option("--per-record", help="Extractors per record (default: 1 single, 2 dual)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the shuffle (same seed, same plan).")] = 0,
) -> None:
    """Assign included records to extractors, balanced; existing assignments are kept, so
    running it again only tops up records short of --per-record."""
    from litrev.extraction.assign import assign_extractors
    from litrev.screening import Screening

    project = open_for_extraction(project_dir)
    settings = project.protocol.extraction
    names = extractors or settings.extractors or project.protocol.screening.reviewers
    if not names:
        raise typer.BadParameter(
            "name the extractors, or declare [extraction] extractors in litrev.toml",
            param_hint="EXTRACTORS",
        )
    need = per_record if per_record is not None else (1 if settings.mode == "single" else 2)
    ids = parse_ids(records) if records is not None else included_ids(project)
    plan = assign_extractors(
        project.store,
        ids,
        names,
        need,
        by=by,
        seed=seed,
        screening=Screening.from_protocol(project.store, project.protocol),
    )
    load: dict[str, int] = {}
    for who in plan.values():
        for name in who:
            load[name] = load.get(name, 0) + 1
    console.print(
        Text(f"{len(plan)} record(s), {need} extractor(s) each; assigned now:"), highlight=False
    )
    for name in names:
        console.print(Text(f"  {name}: {load.get(name, 0)}"), highlight=False)


def status_rows(project: Project) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per extractor (assigned, in progress, complete) and, per record, who extracted it and
    whether it is reconciled (dual mode)."""
    from litrev.extraction.assign import live_assignments
    from litrev.extraction.reconcile import unreconciled
    from litrev.extraction.values import progress

    store = project.store
    with store.connect() as conn:
        assigned = live_assignments(conn)
    states = {(p.record_id, p.reviewer): p.state for p in progress(store)}
    names = sorted({w for who in assigned.values() for w in who} | {w for _, w in states})
    people = []
    for name in names:
        mine = sorted(r for r, who in assigned.items() if name in who)
        theirs = [s for (r, w), s in states.items() if w == name]
        people.append(
            {
                "extractor": name,
                "assigned": len(mine),
                "not_started": sum((r, name) not in states for r in mine),
                "in_progress": theirs.count("in_progress"),
                "complete": theirs.count("complete"),
            }
        )
    records = []
    if project.protocol.extraction.mode == "dual":
        open_ids = set(unreconciled(store, project.protocol.codebook))
        ids = sorted(set(assigned) | {r for r, _ in states})
        for rid in ids:
            who = list(dict.fromkeys([*assigned.get(rid, []), *(w for r, w in states if r == rid)]))
            records.append(
                {
                    "record_id": rid,
                    "extractors": {w: states.get((rid, w), "not started") for w in who},
                    "reconciled": rid not in open_ids
                    and all(states.get((rid, w)) == "complete" for w in who)
                    and len(who) >= 2,
                }
            )
    return people, records


@extract_app.command("status")
def extract_status(
    project_dir: ProjectOpt = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of tables.")] = False,
) -> None:
    """Each extractor's records (assigned, not started, in progress, complete) and, in dual
    mode, each record's extractors and whether it is reconciled."""
    project = open_for_extraction(project_dir)
    people, records = status_rows(project)
    if as_json:
        print(json.dumps({"extractors": people, "records": records}, indent=2, ensure_ascii=False))
        return
    if not people:
        console.print("No extraction yet (`litrev extract assign` or `litrev extract import`).")
        return
    table = Table(title=f"Extraction ({project.protocol.extraction.mode})")
    headings = ("extractor", "assigned", "not_started", "in_progress", "complete")
    for heading in headings:
        table.add_column(
            heading.replace("_", " "), justify="left" if heading == "extractor" else "right"
        )
    for row in people:
        table.add_row(*(Text(str(row[h])) for h in headings))
    console.print(table)
    if records:
        per = Table(title="Records")
        for heading in ("record", "extractors", "reconciled"):
            per.add_column(heading)
        for row in records:
            who = ", ".join(f"{w} ({s})" for w, s in row["extractors"].items())
            per.add_row(str(row["record_id"]), Text(who), "yes" if row["reconciled"] else "no")
        console.print(per)


@extract_app.command("export")
def extract_export(
    path: Annotated[Path, typer.Argument(help="The file to write (.csv or .xlsx).")],
    project_dir: ProjectOpt = Path("."),
    reviewer: Annotated[
        str, typer.Option(help="Whose extraction: consensus (default) or a reviewer's name.")
    ] = "consensus",
    format: Annotated[
        str | None, typer.Option("--format", help="csv or xlsx (default: from the file name).")
    ] = None,
) -> None:
    """Write an extraction as a table: CSV (the main file and <stem>.<group>.csv per repeating
    group) or XLSX (sheet "studies" and a sheet per group); it imports back unchanged."""
    from litrev.extraction.exchange import export_extractions

    chosen = (format or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")).lower()
    if chosen not in ("csv", "xlsx"):
        raise typer.BadParameter(f"{chosen!r}: give csv or xlsx", param_hint="--format")
    project = open_for_extraction(project_dir)
    written = export_extractions(
        project.store, project.protocol.codebook, path, reviewer=reviewer, format=chosen
    )
    console.print(
        Text(f"Wrote {reviewer}'s extraction: {', '.join(str(p) for p in written)}"),
        highlight=False,
    )
