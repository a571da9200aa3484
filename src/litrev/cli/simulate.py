"""`litrev simulate`: replay a labelled review with the ranking model and report the savings."""

# Stage modules (litrev.screening.ranking.simulate) are imported inside the command: they load
# scikit-learn and pandas, and every `litrev` run imports this module.
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import Progress
from rich.table import Table

from litrev.cli._app import app, console
from litrev.errors import InputError

if TYPE_CHECKING:
    from litrev.screening.ranking.simulate import SimulationSummary

_FIGURES = [
    ("recall_at_10", "Recall after 10% screened", "{:.1%}"),
    ("recall_at_25", "Recall after 25% screened", "{:.1%}"),
    ("wss95_classic", "WSS@95, Cohen's classic: (N-n95)/N-0.05", "{:.3f}"),
    ("wss95_asreview", "WSS@95, ASReview insights' definition", "{:.3f}"),
    ("erf_at_10", "ERF@10 (extra relevant found, share)", "{:.3f}"),
    ("records_to_95", "Records screened to 95% recall", "{:.0f}"),
    ("records_to_100", "Records screened to 100% recall", "{:.0f}"),
    ("records_to_first", "Records screened to the first inclusion", "{:.0f}"),
    ("seconds", "Wall time per run (s)", "{:.2f}"),
]


@app.command()
def simulate(
    dataset: Path = typer.Argument(..., help="Labelled CSV: title, abstract, label_included."),
    model: str = typer.Option(
        "default", "--model", "-m", help="Ranking model: default, two-views, svm, nb, logistic, default-ensemble, embeddings."
    ),
    seed: int = typer.Option(0, "--seed", help="First seed (starting records and model)."),
    seeds: int = typer.Option(1, "--seeds", min=1, help="Number of seeds: seed, seed+1, ..."),
    prior_included: int = typer.Option(
        1, "--prior-included", min=0, help="Starting inclusions drawn per seed (0: cold start)."
    ),
    prior_excluded: int = typer.Option(
        1, "--prior-excluded", min=0, help="Starting exclusions drawn per seed."
    ),
    prior_idx: list[int] = typer.Option(
        None, "--prior-idx", help="Exact starting rows (0-based); overrides drawing."
    ),
    protocol: Path | None = typer.Option(
        None, "--protocol", help="litrev.toml whose question, criteria and strategy rank first."
    ),
    criteria: str | None = typer.Option(
        None, "--criteria", help="Criteria text (title, question) used as the protocol prior."
    ),
    criteria_file: Path | None = typer.Option(
        None, "--criteria-file", help="File of criteria text (see docs/screening-prior.md)."
    ),
    prior_k: float | None = typer.Option(
        None, "--prior-k", min=0.0, help="Blend constant k: prior weight k/(k+inclusions)."
    ),
    prior_only: bool = typer.Option(
        False, "--prior-only", help="Rank by the protocol prior alone, never learning."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object and nothing else."),
    out: Path | None = typer.Option(None, "--out", help="Folder for summary.json and recall.svg."),
) -> None:
    """Simulate screening DATASET in the model's order and report recall, WSS, ERF and stopping.

    Example: litrev simulate Sep_2021.csv --seeds 5 --out sim/ --criteria-file criteria.md
    """
    from litrev.screening.ranking.simulate import (
        SimulationSummary,
        load_labelled_csv,
        recall_curve_svg,
        simulate_once,
    )

    if not dataset.is_file():
        raise InputError(str(dataset), "no such file")
    data = load_labelled_csv(dataset)
    priors = list(prior_idx) if prior_idx else None
    if priors is not None and any(not 0 <= i < len(data) for i in priors):
        raise InputError(str(dataset), f"--prior-idx must be rows 0..{len(data) - 1}")
    seed_list = list(range(seed, seed + seeds))
    prior = _prior(protocol, criteria, criteria_file)
    if prior_only and prior is None:
        raise InputError("--prior-only", "needs --protocol, --criteria or --criteria-file")
    if prior_included == 0 and prior is None and not as_json:
        console.print("Cold start without a prior: records are taken at random until the "
                      "model has an inclusion and an exclusion.")
    runs = []
    with Progress(console=console, transient=True, disable=as_json) as progress:
        task = progress.add_task(f"simulating {data.name}", total=len(seed_list))
        for current in seed_list:
            ranker = _ranker(model, current, prior, prior_k, prior_only)
            runs.append(simulate_once(data, ranker, current, priors, prior_included,
                                      prior_excluded))
            progress.advance(task)
    summary = SimulationSummary(runs)
    result = summary.as_dict()
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "summary.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
        result["svg"] = str(recall_curve_svg(summary, out / "recall.svg"))
    if as_json:
        print(json.dumps(result))
        return
    _print_summary(summary, result)


def _prior(protocol: Path | None, criteria: str | None, criteria_file: Path | None) -> Any:
    """The protocol prior the options ask for (at most one source), or None."""
    given = [name for name, value in (("--protocol", protocol), ("--criteria", criteria),
                                      ("--criteria-file", criteria_file)) if value is not None]
    if len(given) > 1:
        raise InputError(given[1], f"give one of --protocol, --criteria, --criteria-file, "
                                   f"not {' and '.join(given)}")
    if not given:
        return None
    from litrev.screening.ranking.prior import ProtocolPrior

    if protocol is not None:
        from litrev.protocol import load_protocol

        prior = ProtocolPrior.from_protocol(load_protocol(protocol))
        where = str(protocol)
    elif criteria_file is not None:
        try:
            text = criteria_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(str(criteria_file), f"cannot read criteria text: {error}") from error
        prior, where = ProtocolPrior.from_text(text), str(criteria_file)
    else:
        prior, where = ProtocolPrior.from_text(criteria or ""), "--criteria"
    for note in prior.notes:
        console.print(f"[yellow]{where}: {note}[/]")
    if prior.is_empty():
        raise InputError(where, "no criteria text, highlight terms or search strategy to rank with")
    return prior


def _ranker(model: str, seed: int, prior: Any, k: float | None, prior_only: bool) -> Any:
    from litrev.screening.ranking.model import make_model

    if prior is None:
        return make_model(model, seed=seed)
    from litrev.screening.ranking.blend import DEFAULT_K, PriorRankingModel

    base = None if prior_only else make_model(model, seed=seed)
    return PriorRankingModel(base, prior, DEFAULT_K if k is None else k)


def _print_summary(summary: SimulationSummary, result: dict[str, object]) -> None:
    first = summary.runs[0]
    table = Table(
        title=f"{first.dataset}: {first.metrics.n_records:,} records after the priors, "
        f"{first.metrics.n_relevant} relevant; model {first.model}, "
        f"{len(summary.runs)} seed(s)"
    )
    table.add_column("figure")
    table.add_column("mean", justify="right")
    table.add_column("SD", justify="right")
    for key, label, fmt in _FIGURES:
        mean, sd = summary.mean_sd(key)
        table.add_row(label, fmt.format(mean), fmt.format(sd) if len(summary.runs) > 1 else "")
    console.print(table)
    stopping = result["stopping"]
    assert isinstance(stopping, dict)
    for rule, figures in sorted(stopping.items()):
        console.print(
            f"Stopping rule [bold]{rule}[/]: stopped after {figures['mean_screened']:.0f} "
            f"records on average, recall then {figures['mean_recall_at_stop']:.1%}, "
            f">= 95% in {figures['share_reaching_95']:.0%} of runs, "
            f"{figures['mean_records_saved']:.0f} records saved."
        )
    if "svg" in result:
        console.print(f"Recall curve: {result['svg']}")
