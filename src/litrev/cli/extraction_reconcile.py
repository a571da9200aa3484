"""`litrev extract agreement | compare | reconcile | accept-agreed`: double extraction's
agreement per field, the side-by-side view of one record, and settling it into the consensus;
thin adapters over `litrev.extraction.agreement` and `.reconcile`.

On the command line the lead is a reviewer registered as a resolver (`litrev reviewer add NAME
--role resolver`); anyone else may reconcile only the records they extracted.
"""

# Stage modules are imported inside the commands: every `litrev` run imports this module.
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from litrev.cli._app import console
from litrev.cli._open_project import open_for_extraction
from litrev.cli.extraction import ByOpt, ProjectOpt, extract_app

if TYPE_CHECKING:
    from litrev.extraction.agreement import FieldAgreement
    from litrev.project import Project

LEAD_ROLES = ("resolver", "lead")


def _lead(project: Project, name: str) -> tuple[str, bool]:
    """`name` checked against the review's reviewers, and whether they act as the lead."""
    from litrev.errors import InputError
    from litrev.screening import Screening, ScreeningError

    screening = Screening.from_protocol(project.store, project.protocol)
    try:
        who = screening.require_reviewer(name)
    except ScreeningError as error:
        raise InputError("--by", str(error)) from None
    roles = {n: role for n, role, _ in screening.registered()}
    return who, roles.get(who) in LEAD_ROLES


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def agreement_table(rows: list[FieldAgreement]) -> list[dict[str, Any]]:
    """The agreement rows as plain values (CSV/JSON)."""
    return [row.as_dict() for row in rows]


@extract_app.command("agreement")
def extract_agreement(
    project_dir: ProjectOpt = Path("."),
    reviewers: Annotated[
        str | None,
        typer.Option("--reviewers", help="Two extractors, A,B (default: each record's two)."),
    ] = None,
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Agreement per codebook field between two extractors: pairs compared, % agreement,
    Cohen's kappa [95% CI] (categorical; multiple: mean per-option kappa) and similarity (text:
    token-sort ratio; multiple: Jaccard)."""
    from litrev.extraction.agreement import field_agreement

    if format not in ("table", "csv", "json"):
        raise typer.BadParameter(f"{format!r}: give table, csv or json", param_hint="--format")
    pair: tuple[str, str] | None = None
    if reviewers is not None:
        names = [n.strip() for n in reviewers.split(",") if n.strip()]
        if len(names) != 2 or names[0] == names[1]:
            raise typer.BadParameter("give two different extractors, A,B", param_hint="--reviewers")
        pair = (names[0], names[1])
    project = open_for_extraction(project_dir)
    rows = field_agreement(project.store, project.protocol.codebook, pair)
    if format == "json":
        print(json.dumps(agreement_table(rows), indent=2, ensure_ascii=False))
        return
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "field",
                "kind",
                "pairs",
                "agree",
                "percent",
                "kappa",
                "ci_low",
                "ci_high",
                "similarity",
            ]
        )
        for row in rows:
            low, high = row.kappa_ci or (None, None)
            writer.writerow(
                [
                    row.field,
                    row.kind,
                    row.pairs,
                    row.agree,
                    "" if row.percent is None else f"{row.percent:.4f}",
                    "" if row.kappa is None else f"{row.kappa:.4f}",
                    "" if low is None else f"{low:.4f}",
                    "" if high is None else f"{high:.4f}",
                    "" if row.similarity is None else f"{row.similarity:.4f}",
                ]
            )
        print(out.getvalue(), end="")
        return
    table = Table(title="Extraction agreement per field")
    for heading in ("field", "kind", "pairs", "% agree", "kappa [95% CI]", "similarity"):
        table.add_column(heading, justify="left" if heading in ("field", "kind") else "right")
    for row in rows:
        kappa = _number(row.kappa)
        if row.kappa_ci is not None:
            kappa += f" [{row.kappa_ci[0]:.2f}, {row.kappa_ci[1]:.2f}]"
        percent = "-" if row.percent is None else f"{100 * row.percent:.1f}"
        table.add_row(
            Text(row.field), row.kind, str(row.pairs), percent, kappa, _number(row.similarity)
        )
    console.print(table)
    if not any(row.pairs for row in rows):
        console.print("No record has two completed extractions yet.")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value.value)
    return f"{text} @ {value.location}" if value.location else text


@extract_app.command("compare")
def extract_compare(
    record: Annotated[int, typer.Argument(help="The record id.")],
    project_dir: ProjectOpt = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """One record's extractions side by side: each extractor's value per field (and group row),
    whether they agree, and the consensus with who settled it and why."""
    from litrev.extraction.agreement import comparisons

    project = open_for_extraction(project_dir)
    rows = comparisons(project.store, project.protocol.codebook, record)
    names = list(dict.fromkeys(w for row in rows for w in row.values))
    if as_json:
        data = [
            {
                "field": r.field,
                "instance": r.instance,
                "values": {w: _cell(v) for w, v in r.values.items()},
                "agree": r.agree,
                "applies": r.applies,
                "consensus": _cell(r.consensus) if r.consensus else None,
                "decided_by": r.reconciliation.decided_by if r.reconciliation else None,
                "method": r.reconciliation.method if r.reconciliation else None,
                "reason": r.reconciliation.reason if r.reconciliation else None,
            }
            for r in rows
        ]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"Record {record}")
    for heading in ("field", "row", *names, "", "consensus", "settled"):
        table.add_column(heading)
    for r in rows:
        mark = "=" if r.agree else ("" if not r.applies else "≠")
        settled = ""
        if r.reconciliation is not None:
            x = r.reconciliation
            settled = f"{x.method} by {x.decided_by}" + (f": {x.reason}" if x.reason else "")
        table.add_row(
            Text(r.field),
            str(r.instance or ""),
            *(Text(_cell(r.values.get(w))) for w in names),
            mark,
            Text(_cell(r.consensus)),
            Text(settled),
        )
    console.print(table)


@extract_app.command("reconcile")
def extract_reconcile(
    record: Annotated[int, typer.Argument(help="The record id.")],
    field: Annotated[str, typer.Option("--field", help="The codebook field.")],
    by: ByOpt,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the decision).")],
    project_dir: ProjectOpt = Path("."),
    instance: Annotated[
        int, typer.Option("--instance", help="The group row (0 outside groups).")
    ] = 0,
    take: Annotated[str | None, typer.Option("--take", help="Take this extractor's value.")] = None,
    value: Annotated[str | None, typer.Option("--value", help="The agreed value.")] = None,
    location: Annotated[
        str | None, typer.Option("--location", help="A quote's location (page, section).")
    ] = None,
) -> None:
    """Settle one field of a record: the consensus takes an extractor's value (--take) or a
    value of its own (--value, e.g. corrected); who, from whom and why are recorded."""
    from litrev.extraction.reconcile import reconcile

    if (take is None) == (value is None):
        raise typer.BadParameter("give one of --take REVIEWER or --value V")
    project = open_for_extraction(project_dir)
    who, lead = _lead(project, by)
    done = reconcile(
        project.store,
        project.protocol.codebook,
        record,
        field,
        instance,
        value=value,
        location=location,
        by=who,
        reason=reason,
        chosen_from=take,
        is_lead=lead,
    )
    source = f" from {done.chosen_from}" if done.chosen_from else ""
    console.print(
        Text(f"Record {record} {field}" + (f" row {instance}" if instance else "")
             + f": {done.value!r} ({done.method}{source}, by {who})."),
        highlight=False,
    )  # fmt: skip


@extract_app.command("accept-agreed")
def extract_accept_agreed(
    by: ByOpt,
    project_dir: ProjectOpt = Path("."),
    record: Annotated[
        int | None, typer.Option("--record", help="Only this record (default: every ready one).")
    ] = None,
) -> None:
    """Make every field the extractors agree on the consensus (records every extractor has
    completed; fields already settled are left alone)."""
    from litrev.extraction.reconcile import accept_agreements

    project = open_for_extraction(project_dir)
    who, lead = _lead(project, by)
    n = accept_agreements(project.store, project.protocol.codebook, record, by=who, is_lead=lead)
    console.print(f"{n} agreed value(s) made consensus.")
