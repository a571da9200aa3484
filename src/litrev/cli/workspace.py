"""`litrev assign`, `litrev stage open|close|status` and `litrev fulltext attach|list`: the
team workspace's allocation, stage gates and full texts from the command line; thin adapters
over `litrev.screening.allocation`, `.gates` and `.fulltext`."""

# Stage modules are imported inside the commands: every `litrev` run imports this module.
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from litrev.cli._app import app, console
from litrev.cli._options import parse_ids
from litrev.cli.screening import ProjectOpt, StageOpt, open_screening
from litrev.errors import InputError

stage_app = typer.Typer(help="Stage gates: the lead opens full-text screening.")
app.add_typer(stage_app, name="stage")
fulltext_app = typer.Typer(help="Full-text reports (PDFs) kept in the review's database.")
app.add_typer(fulltext_app, name="fulltext")

ByOpt = Annotated[str, typer.Option("--by", help="Who does this (logged), e.g. the lead.")]


def _shares(items: list[str] | None) -> dict[str, float] | None:
    if not items:
        return None
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            raise typer.BadParameter(f"{item!r}: expected NAME=WEIGHT, e.g. ann=2") from None
    return out


@app.command()
def assign(
    reviewers: Annotated[list[str], typer.Argument(help="Reviewer name(s).")],
    by: ByOpt,
    project_dir: ProjectOpt = Path("."),
    stage: StageOpt = "title_abstract",
    records: Annotated[
        str | None,
        typer.Option("--records", help="Record ids (e.g. 1,2,7-9) to give each REVIEWER."),
    ] = None,
    remove: Annotated[
        bool, typer.Option("--remove", help="Take --records off each REVIEWER instead.")
    ] = False,
    per_record: Annotated[
        int | None,
        typer.Option("--per-record", help="Reviewers per record (default: the stage's)."),
    ] = None,
    share: Annotated[
        list[str] | None, typer.Option("--share", help="NAME=WEIGHT (repeatable; default equal).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the shuffle (same seed, same plan).")] = 0,
) -> None:
    """Allocate the stage's records among REVIEWERS, or give/take particular --records.

    Without --records, every eligible record not yet covered goes to --per-record distinct
    reviewers (default: the stage's reviewers per record), balanced by --share (default equal);
    a reviewer's existing assignment or decision fills a slot, so running it again tops up.
    """
    from litrev.screening import allocation

    screening, _ = open_screening(project_dir)
    if records is not None:
        ids = parse_ids(records)
        for who in reviewers:
            if remove:
                n = allocation.unassign(screening, stage, who, ids, by=by)
                console.print(f"{who}: {n} record(s) unassigned.")
            else:
                n = allocation.assign(screening, stage, who, ids, by=by)
                console.print(f"{who}: {n} record(s) newly assigned.")
        return
    if remove:
        raise typer.BadParameter("--remove needs --records")
    plan = allocation.allocate(
        screening, stage, reviewers, per_record=per_record, shares=_shares(share), by=by, seed=seed
    )
    total = sum(len(ids) for ids in plan.values())
    console.print(f"Assigned {total} record slot(s):")
    for who, ids in plan.items():
        console.print(f"  {who}: {len(ids)}")


@stage_app.command("open")
def stage_open(
    stage: Annotated[str, typer.Argument(help="The stage to open (full_text/ft).")],
    by: ByOpt,
    project_dir: ProjectOpt = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Open although the stage before has open work.")
    ] = False,
) -> None:
    """Open a stage for screening in the web workspace (refused while the stage before has
    conflicts, records awaiting a reviewer or unscreened records, unless --force)."""
    from litrev.screening.gates import open_stage

    screening, _ = open_screening(project_dir)
    found = open_stage(screening, stage, by=by, force=force)
    warning = found.warning()
    console.print(f"{found.stage} is open" + (f" (left before it: {warning})." if warning else "."))


@stage_app.command("close")
def stage_close(
    stage: Annotated[str, typer.Argument(help="The stage to close (full_text/ft).")],
    by: ByOpt,
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Close a stage again in the web workspace (decisions made stay)."""
    from litrev.screening.gates import close_stage

    screening, _ = open_screening(project_dir)
    console.print(f"{close_stage(screening, stage, by=by).stage} is closed.")


@stage_app.command("status")
def stage_status(project_dir: ProjectOpt = Path(".")) -> None:
    """Each stage's gate, the work left before it, and each reviewer's progress."""
    from litrev.screening.allocation import awaiting_second, progress
    from litrev.screening.gates import gate
    from litrev.screening.model import STAGES

    screening, _ = open_screening(project_dir)
    for stage in STAGES:
        found = gate(screening, stage.value)
        state = "open" if found.open else "closed"
        since = f" by {found.by} at {found.at:%Y-%m-%d %H:%M} UTC" if found.by and found.at else ""
        left = found.warning()
        console.print(f"[bold]{stage.value}[/]: {state}{escape(since)}")
        if left:
            console.print(f"  left at the stage before: {left}")
        console.print(f"  awaiting another reviewer: {len(awaiting_second(screening, stage))}")
        table = Table("reviewer", "assigned", "decided", "to screen")
        for row in progress(screening, stage.value):
            assigned = "all" if row.assigned is None else f"{row.assigned:,}"
            table.add_row(escape(row.reviewer), assigned, f"{row.decided:,}", f"{row.remaining:,}")
        if table.row_count:
            console.print(table)


@fulltext_app.command("attach")
def fulltext_attach(
    files: Annotated[list[Path], typer.Argument(help="PDF file(s).")],
    by: ByOpt,
    project_dir: ProjectOpt = Path("."),
    record: Annotated[
        int | None, typer.Option("--record", help="Attach to this record (one file).")
    ] = None,
    stage: Annotated[
        str, typer.Option("--stage", "-s", help="Match among the records eligible here.")
    ] = "full_text",
) -> None:
    """Attach PDFs to records: to --record, or each to the record it matches (DOI in the name or
    text, record id in the name, first author + year + title words). Files that match no
    record, or several, are listed and not attached."""
    from litrev.screening.fulltext import attach, match_files

    screening, _ = open_screening(project_dir)
    loaded = []
    for path in files:
        try:
            loaded.append((path, path.read_bytes()))
        except OSError as error:
            raise InputError(str(path), f"cannot read: {error.strerror or error}") from None
    if record is not None:
        if len(loaded) != 1:
            raise typer.BadParameter("--record takes exactly one file")
        path, data = loaded[0]
        made = attach(screening, record, path.name, data, by=by)
        console.print(f"{escape(str(path))} -> record {made.record_id} (full text {made.id}).")
        return
    matches = match_files(screening, [(p.name, d) for p, d in loaded], stage=stage)
    left = 0
    for (path, data), found in zip(loaded, matches, strict=True):
        if found.record_id is None:
            left += 1
            maybe = (
                f"; candidates: {', '.join(map(str, found.candidates))}" if found.candidates else ""
            )
            console.print(f"{escape(str(path))}: not attached ({escape(found.how)}{maybe}).")
            continue
        made = attach(screening, found.record_id, path.name, data, by=by)
        console.print(
            f"{escape(str(path))} -> record {made.record_id} ({escape(found.how)}; full text {made.id})."
        )
    if left:
        console.print(f"{left} file(s) not attached: give each with --record ID.")
        raise typer.Exit(1)


@fulltext_app.command("list")
def fulltext_list(
    project_dir: ProjectOpt = Path("."),
    record: Annotated[int | None, typer.Option("--record", help="Only this record's.")] = None,
) -> None:
    """The full texts attached (id, record, file, size, who, when)."""
    from litrev.screening.fulltext import fulltexts_of

    screening, _ = open_screening(project_dir)
    table = Table("id", "record", "file", "size", "by", "uploaded")
    for f in fulltexts_of(screening.store, record):
        table.add_row(
            str(f.id),
            str(f.record_id),
            escape(f.filename),
            f"{f.size:,}",
            escape(f.uploaded_by),
            f"{f.uploaded_at:%Y-%m-%d %H:%M}",
        )
    if table.row_count:
        console.print(table)
    else:
        console.print("No full texts attached.")
