"""`litrev screen`, `litrev decide`, `litrev conflicts`, `litrev agreement`,
`litrev screening status|settings|export` and `litrev reviewer add|list`: thin adapters over
`litrev.screening`."""

# Stage modules (litrev.project, litrev.screening) are imported inside the commands: they load
# SQLAlchemy and Textual, and every `litrev` run imports this module.
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from litrev.cli._app import app, console

if TYPE_CHECKING:
    from litrev.project import Project
    from litrev.screening import Screening
    from litrev.screening.agreement_report import StageAgreement

screening_app = typer.Typer(help="Screening progress and settings (blind mode, reviewers).")
app.add_typer(screening_app, name="screening")
reviewer_app = typer.Typer(help="The review's reviewers: only they may decide or resolve.")
app.add_typer(reviewer_app, name="reviewer")

ProjectOpt = Annotated[Path, typer.Option("--project", "-p", help="The review folder.")]
StageOpt = Annotated[
    str, typer.Option("--stage", "-s", help="title_abstract (ta) or full_text (ft).")
]


def open_screening(project_dir: Path) -> tuple[Screening, Project]:
    """The review's screening as its protocol sets it up: exclusion reasons, screening mode and
    reviewers (a name neither declared nor registered is refused)."""
    from litrev.project import Project
    from litrev.screening import Screening

    project = Project.open(project_dir)
    return Screening.from_protocol(project.store, project.protocol), project


@app.command()
def screen(
    reviewer: Annotated[str, typer.Option("--reviewer", "-r", help="Who is screening.")],
    project_dir: ProjectOpt = Path("."),
    stage: StageOpt = "title_abstract",
    highlight: Annotated[
        list[str] | None,
        typer.Option("--highlight", "-H", help="Term to highlight (repeatable; * wildcard)."),
    ] = None,
    model: Annotated[
        str, typer.Option(help="Ranking model (default, two-views, svm, nb, logistic).")
    ] = "default",
    new_reviewer: Annotated[
        bool,
        typer.Option(
            "--new-reviewer", help="Register REVIEWER first (as `litrev reviewer add` does)."
        ),
    ] = False,
    resolve: Annotated[
        bool,
        typer.Option("--resolve", help="Walk through the stage's conflicts and resolve them."),
    ] = False,
    prior: Annotated[
        bool,
        typer.Option("--prior/--no-prior", help="Rank by the protocol's text before any label."),
    ] = True,
) -> None:
    """Screen records one at a time in the terminal (Textual).

    Keys: i include, e exclude (then the reason's number), m maybe, u undo, n/p next/previous,
    q quit. Records come best first once the ranking model has an include and an exclude to
    learn from. The protocol's search terms are highlighted unless --highlight is given.
    With --resolve, REVIEWER (after discussion, or a third reviewer) settles conflicts instead.
    """
    from litrev.screening.highlight import protocol_terms
    from litrev.screening.model import parse_stage
    from litrev.screening.queue import ScreeningQueue
    from litrev.tui.screen import ScreenerApp

    screening, project = open_screening(project_dir)
    chosen = parse_stage(stage)
    positive, negative = (list(highlight), []) if highlight else protocol_terms(project.protocol)
    if new_reviewer and screening.add_reviewer(
        reviewer, role="resolver" if resolve else "reviewer"
    ):
        console.print(f"Registered reviewer {reviewer!r}.")
    reviewer = screening.require_reviewer(reviewer)
    if resolve:
        from litrev.tui.resolve import ResolverApp

        app_ = ResolverApp(
            screening, reviewer=reviewer, stage=chosen, terms=positive, negative_terms=negative
        )
        app_.run()
        left = len(screening.conflicts(chosen))
        console.print(
            f"{reviewer} resolved {len(app_.resolved_here)} conflict(s) at {chosen.value}; "
            f"{left} left."
        )
        return
    queue = ScreeningQueue(
        screening, reviewer=reviewer, stage=chosen, model_name=model,
        protocol=project.protocol, prior=prior,
    )
    ScreenerApp(
        screening,
        reviewer=reviewer,
        stage=chosen,
        terms=positive,
        negative_terms=negative,
        queue=queue,
    ).run()
    how = "the ranking model" if queue.ranked() else "record id"
    status = screening.status(chosen)
    mine = status.by_reviewer.get(reviewer, {})
    tally = ", ".join(f"{n} {what}" for what, n in mine.items()) or "no decisions"
    console.print(
        f"{reviewer} at {chosen.value}: {tally} (order: {how}). "
        f"Review: {status.done}/{status.records} records settled, {status.conflicts} conflict(s), "
        f"{status.awaiting} awaiting another reviewer."
    )


@app.command()
def decide(
    csv_file: Annotated[
        Path, typer.Argument(help="CSV: record_id, reviewer, stage, decision, reason[, note].")
    ],
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Record decisions from a CSV file, all in one transaction (a bad row writes nothing)."""
    from litrev.screening.csvio import apply_decisions_csv

    screening, _ = open_screening(project_dir)
    written = apply_decisions_csv(screening, csv_file)
    console.print(f"Recorded {len(written)} decision(s) from {csv_file}.")


@app.command()
def conflicts(
    project_dir: ProjectOpt = Path("."),
    stage: StageOpt = "title_abstract",
    resolve: Annotated[int | None, typer.Option(help="Record id to resolve.")] = None,
    decision: Annotated[str | None, typer.Option(help="include or exclude.")] = None,
    reason: Annotated[
        str | None, typer.Option(help="Exclusion reason (code, label or number).")
    ] = None,
    by: Annotated[str | None, typer.Option(help="Who resolves (a reviewer, or a third).")] = None,
    method: Annotated[
        str | None, typer.Option(help="consensus or third_reviewer (default: from --by).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List unresolved disagreements (and maybes) at a stage, or resolve one."""
    from litrev.screening.model import parse_stage
    from litrev.screening.texts import record_texts

    screening, _ = open_screening(project_dir)
    chosen = parse_stage(stage)
    if resolve is not None:
        if not decision or not by:
            raise typer.BadParameter("--resolve needs --decision and --by")
        event = screening.resolve(
            resolve, stage=chosen, decision=decision, by=by, reason=reason, method=method
        )
        console.print(
            f"Record {resolve} resolved at {chosen.value}: {event.decision}"
            + (f" ({event.reason})" if event.reason else "")
            + f" by {event.reviewer} ({event.resolution})."
        )
        return
    found = screening.conflicts(chosen)
    titles = record_texts(screening.store, [c.record_id for c in found])
    if as_json:
        rows = [
            {
                "record_id": c.record_id,
                "title": titles[c.record_id].title if c.record_id in titles else None,
                "decisions": {v.reviewer: [v.decision, v.reason] for v in c.votes},
            }
            for c in found
        ]
        console.print_json(json.dumps(rows))
        return
    table = Table(title=f"{len(found)} conflict(s) at {chosen.value}")
    for column in ("record", "title", "decisions"):
        table.add_column(column)
    for c in found:
        title = titles[c.record_id].title if c.record_id in titles else None
        votes = "; ".join(
            f"{v.reviewer}: {v.decision}" + (f" ({v.reason})" if v.reason else "") for v in c.votes
        )
        table.add_row(str(c.record_id), _short(title), votes)
    console.print(table)


def _short(title: str | None, limit: int = 90) -> str:
    text = (title or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _print_agreement(report: StageAgreement) -> None:
    if not report.pairs:
        console.print(f"[b]{report.stage}[/b]: no record decided by two reviewers yet.")
        return
    table = Table(title=f"Agreement at {report.stage}")
    for column in ("pair", "n", "% agree", "Cohen's κ (95% CI)", "PABAK", "Gwet's AC1"):
        table.add_column(column, justify="right" if column != "pair" else "left")
    for pair in report.pairs:
        s, k = pair.stats, pair.stats.kappa
        kappa = (
            "undefined"
            if k.kappa != k.kappa
            else f"{k.kappa:.3f} ({k.ci_low:.3f} to {k.ci_high:.3f}{'*' if k.clipped else ''})"
        )
        ac1 = "undefined" if s.ac1 != s.ac1 else f"{s.ac1:.3f}"
        table.add_row(
            " × ".join(pair.reviewers),
            str(s.n),
            f"{100 * s.percent:.1f}",
            kappa,
            f"{s.pabak:.3f}",
            ac1,
        )
    console.print(table)
    if any(pair.stats.kappa.clipped for pair in report.pairs):
        console.print(
            "* The normal 95% interval reaches past kappa's range and is clipped to [-1, 1] "
            "(few records, or agreement near perfect)."
        )
    for pair in report.pairs:
        cats = pair.stats.categories
        grid = Table(title=f"{pair.reviewers[0]} (rows) × {pair.reviewers[1]} (columns)")
        grid.add_column("")
        for c in cats:
            grid.add_column(c, justify="right")
        for c, row in zip(cats, pair.stats.table, strict=True):
            grid.add_row(c, *map(str, row))
        console.print(grid)
    if report.fleiss is not None:
        console.print(
            f"Fleiss' κ over {len(report.reviewers)} reviewers: {report.fleiss:.3f} "
            f"(n = {report.fleiss_n} records rated by all)"
        )
    if report.disagreements:
        table = Table(title=f"{len(report.disagreements)} disagreement(s)")
        table.add_column("record")
        table.add_column("title")
        table.add_column("decisions")
        for d in report.disagreements:
            votes = "; ".join(f"{who}: {what}" for who, what in d.decisions.items())
            table.add_row(str(d.record_id), _short(d.title), votes)
        console.print(table)


@app.command()
def agreement(
    project_dir: ProjectOpt = Path("."),
    stage: Annotated[
        str | None, typer.Option("--stage", "-s", help="One stage (default: both).")
    ] = None,
    binary: Annotated[bool, typer.Option(help="Count maybe as include.")] = False,
    reasons: Annotated[
        bool, typer.Option("--reasons", help="Each exclusion reason is its own category.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Inter-rater agreement per reviewer pair and stage.

    Percent agreement, Cohen's kappa with its 95% CI, PABAK, Gwet's AC1, Fleiss' kappa (three or
    more reviewers) and the disagreement table, from the reviewers' independent decisions.
    """
    from litrev.screening.agreement_report import agreement_report
    from litrev.screening.model import STAGES, parse_stage

    screening, _ = open_screening(project_dir)
    stages = [parse_stage(stage)] if stage else list(STAGES)
    reports = [agreement_report(screening, s, binary=binary, reasons=reasons) for s in stages]
    if as_json:
        console.print_json(json.dumps([r.as_dict() for r in reports]))
        return
    for report in reports:
        _print_agreement(report)


@screening_app.command("status")
def status(
    project_dir: ProjectOpt = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Progress per stage and reviewer, and the PRISMA screening counts."""
    from litrev.screening import flow_counts
    from litrev.screening.model import STAGES

    screening, project = open_screening(project_dir)
    statuses = [screening.status(s) for s in STAGES]
    flow = flow_counts(screening.store, protocol=project.protocol)
    if as_json:
        out: dict[str, Any] = {"stages": [s.__dict__ for s in statuses], "flow": flow}
        console.print_json(json.dumps(out))
        return
    for table in status_tables(statuses, flow):
        console.print(table)


def status_tables(statuses: list[Any], flow: dict[str, Any]) -> list[Table]:
    """`litrev screening status` as tables: progress per stage, decisions per reviewer and the
    PRISMA counts. A count nobody can give yet reads "not reported", never None or {}."""
    # One column per stage, one row per count: fits a narrow terminal without cutting labels.
    progress = Table(title="Screening progress")
    progress.add_column("")
    for st in statuses:
        progress.add_column(st.stage, justify="right")
    counts_of = (
        ("records", lambda st: st.records),
        ("settled", lambda st: st.done),
        ("  included", lambda st: st.included),
        ("  excluded", lambda st: st.excluded),
        ("conflicts", lambda st: st.conflicts),
        ("awaiting a reviewer", lambda st: st.awaiting),
        ("unscreened", lambda st: st.unscreened),
    )
    for label, count in counts_of:
        progress.add_row(label, *(f"{count(st):,}" for st in statuses))
    tables = [progress]
    for st in statuses:
        if not st.by_reviewer:
            continue
        mine = Table(title=f"Decisions by reviewer at {st.stage}")
        for column in ("reviewer", "include", "exclude", "maybe", "exclusion reasons"):
            mine.add_column(
                column, justify="left" if column in ("reviewer", "exclusion reasons") else "right"
            )
        for who, counts in st.by_reviewer.items():
            reasons = st.reasons_by_reviewer.get(who, {})
            why = ", ".join(f"{code} {n}" for code, n in reasons.items()) or "—"
            mine.add_row(
                who, *(str(counts.get(d, 0)) for d in ("include", "exclude", "maybe")), why
            )
        tables.append(mine)
    counts = Table(title="PRISMA screening counts")
    counts.add_column("count")
    counts.add_column("n", justify="right")
    for key, value in flow.items():
        label = key.replace("_", " ")
        if isinstance(value, dict):
            if not value:
                counts.add_row(label, "none")
            for code, n in value.items():
                counts.add_row(f"{label}: {code}", _count_text(n))
        else:
            counts.add_row(label, _count_text(value))
    tables.append(counts)
    return tables


def _count_text(value: Any) -> str:
    return (
        "not reported" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
    )


@reviewer_app.command("add")
def reviewer_add(
    names: Annotated[list[str], typer.Argument(help="Reviewer name(s) to register.")],
    project_dir: ProjectOpt = Path("."),
    role: Annotated[
        str, typer.Option(help="reviewer, resolver (third reviewer) or extractor.")
    ] = "reviewer",
) -> None:
    """Register reviewers, so that they may decide, resolve conflicts or import extractions.

    Reviewers declared in litrev.toml (screening.reviewers) need no registration.
    """
    from litrev.screening.reviewers import nearest_name

    screening, _ = open_screening(project_dir)
    for name in names:
        known = [k for k in screening.known_reviewers() if k != name.strip()]
        close = nearest_name(name.strip(), known)
        if screening.add_reviewer(name, role=role):
            note = f" (note: close to the existing reviewer {close!r})" if close else ""
            console.print(f"Registered reviewer {name.strip()!r} as {role}{note}.")
        else:
            console.print(f"{name.strip()!r} is already registered.")


@reviewer_app.command("list")
def reviewer_list(
    project_dir: ProjectOpt = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The reviewers who may decide: declared in litrev.toml and/or registered."""
    screening, _ = open_screening(project_dir)
    declared = set(screening.declared or ())
    registered = {name: (role, added) for name, role, added in screening.registered()}
    rows: list[dict[str, Any]] = []
    for name in sorted(declared | set(registered)):
        role, added = registered.get(name, (None, None))
        where = [
            w
            for w, yes in (("litrev.toml", name in declared), ("registered", name in registered))
            if yes
        ]
        rows.append(
            {
                "name": name,
                "declared_in": where,
                "role": role,
                "added_at": added.isoformat() if added is not None else None,
            }
        )
    if as_json:
        console.print_json(json.dumps(rows))
        return
    if not rows:
        console.print(
            "No reviewers yet: declare them in litrev.toml (screening.reviewers) or run "
            "`litrev reviewer add NAME`."
        )
        return
    table = Table(title=f"{len(rows)} reviewer(s)")
    for column in ("name", "from", "role", "registered"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["name"],
            ", ".join(row["declared_in"]),
            row["role"] or "—",
            (row["added_at"] or "not yet (registered on their first decision)")[:19],
        )
    console.print(table)


@screening_app.command("settings")
def settings(
    project_dir: ProjectOpt = Path("."),
    stage: StageOpt = "title_abstract",
    blind: Annotated[bool | None, typer.Option("--blind/--no-blind", help="Blind mode.")] = None,
    reviewers: Annotated[
        int | None, typer.Option("--reviewers-per-record", help="Independent reviewers needed.")
    ] = None,
    by: Annotated[str, typer.Option(help="Who changes the settings (logged).")] = "lead",
) -> None:
    """Show or change a stage's blind mode and reviewers per record."""
    from litrev.screening.model import parse_stage

    screening, _ = open_screening(project_dir)
    chosen = parse_stage(stage)
    if blind is not None or reviewers is not None:
        screening.configure(chosen, by=by, blind=blind, reviewers_required=reviewers)
    current = screening.settings(chosen)
    console.print(
        f"{chosen.value}: blind mode {'on' if current.blind else 'off'}, "
        f"{current.reviewers_required} reviewer(s) per record"
    )


@screening_app.command("export")
def export(
    out: Annotated[Path, typer.Argument(help="CSV file to write.")],
    project_dir: ProjectOpt = Path("."),
    history: Annotated[
        bool, typer.Option("--history", help="Every row, retractions and changes included.")
    ] = False,
) -> None:
    """Export the screening decisions (live ones, or the whole history) to CSV."""
    from litrev.screening.csvio import write_decisions_csv

    screening, _ = open_screening(project_dir)
    n = write_decisions_csv(screening, out, history=history)
    console.print(f"Wrote {n} decision row(s) to {out}.")
