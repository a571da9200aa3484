"""`litrev dedupe`: find duplicates in a review (or in files), review uncertain pairs, undo."""

# Stage modules (litrev.dedupe, litrev.records, litrev.project) are imported inside the commands:
# they load SQLAlchemy and NumPy, and every `litrev` run imports this module.
from __future__ import annotations

import csv
import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table
from typer.core import TyperGroup

from litrev.cli._app import app, console, err_console
from litrev.errors import InputError, LitrevError

if TYPE_CHECKING:
    from litrev.dedupe.compare import Settings
    from litrev.records.model import Record


class _InputGroup(TyperGroup):
    """Lets `--input a.ris b.nbib` name several files after one flag, as well as repeated."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        expanded: list[str] = []
        collecting = False
        for token in args:
            if token == "--input":
                collecting = True
                continue
            if collecting and not token.startswith("-"):
                expanded += ["--input", token]
                continue
            collecting = False
            expanded.append(token)
        return super().parse_args(ctx, expanded)


dedupe_app = typer.Typer(
    cls=_InputGroup,
    invoke_without_command=True,
    help="Find duplicate records (exact identifiers, fuzzy citation match, guarded clusters).",
)
app.add_typer(dedupe_app, name="dedupe")

ProjectOpt = Annotated[Path, typer.Option("--project", "-p", help="The review folder.")]
ActorOpt = Annotated[
    str | None, typer.Option("--reviewer", help="Who decides (default: the login name).")
]


def _settings(threshold: float | None, merge_versions: bool, protocol: Any = None) -> Settings:
    # A protocol may carry a [dedupe] table (threshold, merge_versions); flags win.
    from litrev.dedupe.compare import Settings

    section = getattr(protocol, "dedupe", None)
    base = Settings()
    configured = getattr(section, "threshold", None)
    return Settings(
        title_threshold=threshold or (float(configured) if configured else base.title_threshold),
        review_threshold=base.review_threshold,
        merge_versions=merge_versions or bool(getattr(section, "merge_versions", False)),
    )


def _open_store(project_dir: Path) -> Any:
    from litrev.project import Project

    return Project.open(project_dir)


@dedupe_app.callback()
def dedupe_command(
    ctx: typer.Context,
    project_dir: ProjectOpt = Path("."),
    inputs: Annotated[
        list[Path] | None,
        typer.Option("--input", help="Export files to deduplicate without a review."),
    ] = None,
    clusters_out: Annotated[
        Path | None,
        typer.Option("--clusters", help="With --input: CSV of file, record_id, cluster_id."),
    ] = None,
    queue_out: Annotated[
        Path | None, typer.Option("--queue", help="With --input: CSV of the uncertain pairs.")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Title similarity for a duplicate (default 0.93).")
    ] = None,
    merge_versions: Annotated[
        bool,
        typer.Option(
            "--merge-versions",
            help="Merge preprint/article, abstract/paper, "
            "thesis/article and Cochrane updates instead of linking them.",
        ),
    ] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Processes for large inputs.")] = 1,
    reviewer: ActorOpt = None,
) -> None:
    """Deduplicate the review's records, keeping earlier clusters and decisions.

    Examples: `litrev dedupe -p my-review`;
    `litrev dedupe --input medline.nbib scopus.csv --clusters clusters.csv`.
    """
    if ctx.invoked_subcommand is not None:
        return
    from litrev.dedupe import persist

    if inputs:
        if clusters_out is None:
            raise LitrevError("--input needs --clusters OUT.csv (where to write the clusters)")
        _dedupe_files(inputs, clusters_out, queue_out, _settings(threshold, merge_versions), jobs)
        return
    project = _open_store(project_dir)
    settings = _settings(threshold, merge_versions, project.protocol)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=err_console, transient=True
    ) as progress:
        progress.add_task("comparing records", total=None)
        summary = persist.run(
            project.store, actor=reviewer or getpass.getuser(), settings=settings, n_jobs=jobs
        )
    if summary.action_id is None:
        console.print(
            f"No change: {summary.records} records, {summary.clusters} duplicate "
            "clusters, as before."
        )
        return
    queued = (
        f"{summary.queued} pairs queued for review (run `litrev dedupe review`)"
        if summary.queued
        else "no pairs to review"
    )
    console.print(
        f"{summary.records} records: {summary.clusters} duplicate clusters "
        f"({summary.merged} records newly clustered), {summary.related} related links, "
        f"{queued}. Undo with `litrev dedupe undo`."
    )


def _read_inputs(paths: list[Path]) -> list[tuple[str, str, Record]]:
    from litrev.records import read

    rows: list[tuple[str, str, Record]] = []
    for path in paths:
        if not path.exists():
            raise InputError(str(path), "no such file")
        for position, record in enumerate(read(path)):
            own_id = record.record_id or str(
                record.provenance.position if record.provenance else position
            )
            rows.append((str(path), own_id, record))
    return rows


def _dedupe_files(
    paths: list[Path], out: Path, queue_out: Path | None, settings: Settings, jobs: int
) -> None:
    from litrev.dedupe.engine import Deduplicator

    rows = _read_inputs(paths)
    model = Deduplicator(
        threshold=settings.title_threshold,
        review_threshold=settings.review_threshold,
        merge_versions=settings.merge_versions,
        n_jobs=jobs,
    )
    model.fit([r for _, _, r in rows])
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "record_id", "cluster_id"])
        for index, (file, own_id, _) in enumerate(rows):
            # A cluster is named after its first record, so names are stable across runs.
            writer.writerow([file, own_id, f"c{model.clusters_[model.labels_[index]][0] + 1}"])
    if queue_out is not None:
        with open(queue_out, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file_a", "record_id_a", "file_b", "record_id_b", "score", "reason"])
            for item in model.review_:
                a, b = rows[item.a], rows[item.b]
                writer.writerow([a[0], a[1], b[0], b[1], f"{item.score:.3f}", item.reason])
    duplicates = sum(len(c) - 1 for c in model.clusters_)
    console.print(
        f"{len(rows)} records from {len(paths)} files: {len(model.clusters_)} "
        f"clusters, {duplicates} duplicates, {len(model.review_)} uncertain pairs "
        f"(not merged). Wrote {out}."
    )


# What a person needs to tell two records apart, in the order they read it.
_COMPARED_FIELDS = (
    "title authors year journal volume issue pages doi pmid publication_type source_db"
)


def _record_table(store: Any, ids: list[int], title: str) -> Table:
    from litrev.records.importer import stored_records

    records = dict(stored_records(store, ids))
    table = Table(title=title, show_lines=True)
    table.add_column("field", style="bold")
    for record_id in ids:
        table.add_column(f"record {record_id}")
    for name in _COMPARED_FIELDS.split():
        values = []
        for record_id in ids:
            value = getattr(records[record_id], name)
            values.append("; ".join(value[:6]) if isinstance(value, list) else str(value or ""))
        table.add_row(name, *values)
    return table


@dedupe_app.command("review")
def review_command(
    project_dir: ProjectOpt = Path("."),
    pair: Annotated[
        tuple[int, int] | None, typer.Option("--pair", help="Decide this pair: two record ids.")
    ] = None,
    decision: Annotated[
        str | None, typer.Option("--decision", help="same | different (with --pair).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Why (kept with the decision).")] = None,
    reviewer: ActorOpt = None,
) -> None:
    """Decide uncertain pairs: interactively, or one pair with --pair A B --decision same."""
    from litrev.dedupe import persist

    project = _open_store(project_dir)
    who = reviewer or getpass.getuser()
    if pair is not None:
        if decision not in (persist.SAME, persist.DIFFERENT):
            raise LitrevError("--pair needs --decision same or --decision different")
        persist.decide(project.store, pair[0], pair[1], decision, reviewer=who, note=note)
        console.print(f"Recorded: records {pair[0]} and {pair[1]} are {decision}.")
        return
    queue = persist.open_queue(project.store)
    if not queue:
        console.print("The review queue is empty.")
        return
    for number, item in enumerate(queue, start=1):
        console.print(
            _record_table(
                project.store,
                [item.record_a, item.record_b],
                f"Pair {number} of {len(queue)}: {item.reason} (title similarity {item.score:.2f})",
            )
        )
        answer = typer.prompt("[s]ame, [d]ifferent, s[k]ip, [q]uit", default="k").strip().lower()
        if answer.startswith("q"):
            break
        if answer.startswith(("s", "d")):
            chosen = persist.SAME if answer.startswith("s") else persist.DIFFERENT
            persist.decide(
                project.store, item.record_a, item.record_b, chosen, reviewer=who, note=note
            )
            console.print(f"Recorded: {chosen}.")


@dedupe_app.command("queue")
def queue_command(
    project_dir: ProjectOpt = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the pairs waiting for a decision (decide them with `litrev dedupe review`)."""
    from dataclasses import asdict

    from litrev.dedupe import persist

    project = _open_store(project_dir)
    queue = persist.open_queue(project.store)
    if as_json:
        print(json.dumps([asdict(item) for item in queue], indent=2))
        return
    if not queue:
        console.print("The review queue is empty.")
        return
    table = Table("pair", "record a", "record b", "similarity", "why queued")
    for item in queue:
        table.add_row(
            str(item.id), str(item.record_a), str(item.record_b), f"{item.score:.2f}", item.reason
        )
    console.print(table)
    console.print(
        "Decide with `litrev dedupe review --pair A B --decision same|different` "
        "(or `litrev dedupe review` to go through them)."
    )


@dedupe_app.command("undo")
def undo_command(
    project_dir: ProjectOpt = Path("."),
    action: Annotated[int | None, typer.Option(help="The action to undo (the newest).")] = None,
    reviewer: ActorOpt = None,
) -> None:
    """Undo the newest deduplication run or review decision."""
    from litrev.dedupe import persist

    project = _open_store(project_dir)
    undone = persist.undo(project.store, actor=reviewer or getpass.getuser(), action_id=action)
    console.print(f"Undid action {undone.id} ({undone.kind} by {undone.actor}): {undone.summary}")


@dedupe_app.command("history")
def history_command(
    project_dir: ProjectOpt = Path("."), all_actions: Annotated[bool, typer.Option("--all")] = False
) -> None:
    """List deduplication runs and decisions, newest first (--all: with undone ones)."""
    from litrev.dedupe import persist

    project = _open_store(project_dir)
    actions = persist.history(project.store, include_undone=all_actions)
    if not actions:
        console.print("No deduplication runs or decisions yet (run `litrev dedupe`).")
        return
    table = Table("id", "kind", "by", "at", "summary")
    for item in actions:
        table.add_row(
            str(item.id),
            item.kind,
            item.actor,
            f"{item.created_at:%Y-%m-%d %H:%M}",
            action_summary(item.summary),
        )
    console.print(table)


_SUMMARY_WORDS = {
    "records": "records",
    "clusters": "duplicate clusters",
    "merged": "records merged",
    "queued": "pairs queued",
    "related": "related links",
}


def action_summary(summary: dict[str, object]) -> str:
    """A dedupe action's summary as words, not a Python dict.

    >>> action_summary({"records": 3, "clusters": 1, "merged": 2, "queued": 0, "related": 0})
    '3 records, 1 duplicate clusters, 2 records merged, 0 pairs queued, 0 related links'
    >>> action_summary({"record_a": 4, "record_b": 9, "decision": "same"})
    'records 4 and 9: same'
    """
    if {"record_a", "record_b", "decision"} <= summary.keys():
        return f"records {summary['record_a']} and {summary['record_b']}: {summary['decision']}"
    parts = [f"{summary[key]} {words}" for key, words in _SUMMARY_WORDS.items() if key in summary]
    extra = [f"{key}: {value}" for key, value in summary.items() if key not in _SUMMARY_WORDS]
    return ", ".join(parts + extra) or "(nothing recorded)"


@dedupe_app.command("show")
def show_command(
    record: Annotated[int, typer.Argument(help="A record id; its cluster is shown.")],
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Show a record's duplicate cluster and the merged record, with each field's source."""
    from litrev.dedupe import persist
    from litrev.dedupe.merge import merge_records
    from litrev.records.importer import stored_records

    project = _open_store(project_dir)
    clusters = persist.current_clusters(project.store)
    members = next((m for m in clusters.values() if record in m), [record])
    console.print(_record_table(project.store, members, f"Cluster of record {record}"))
    records = dict(stored_records(project.store, members))
    merged = merge_records([records[m] for m in members], [str(m) for m in members])
    table = Table("field", "merged value", "from record", title="Merged record")
    for name, source in merged.sources.items():
        value = getattr(merged.record, name)
        text = "; ".join(value[:6]) if isinstance(value, list) else str(value)
        table.add_row(name, text[:120], source)
    console.print(table)
    for a, b, reason in persist.related_links(project.store):
        if a in members or b in members:
            console.print(f"related: records {a} and {b} ({reason})")
