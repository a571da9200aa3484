"""Simulated screening on a labelled review: how early would the ranking have found the inclusions?

>>> import pandas as pd, tempfile, os
>>> rows = [{"title": f"co-design study {i}" if i % 5 == 0 else f"soil crop {i}",
...          "abstract": "", "label_included": int(i % 5 == 0)} for i in range(40)]
>>> path = os.path.join(tempfile.mkdtemp(), "tiny.csv")
>>> pd.DataFrame(rows).to_csv(path, index=False)
>>> run = simulate_once(load_labelled_csv(path), model="default", seed=1)
>>> run.metrics.records_to_100 <= 10
True

**Retraining schedule** (the same in `litrev simulate` and in benchmarks/screening): the model is
retrained after every label while fewer than `2 * batch_divisor` records are labelled; after that
it is retrained once the labels added since the last fit reach `n_labelled // batch_divisor`
(0.1% of the labels so far with the default 1000), and always straight after an inclusion. So a
review of up to 2,000 records is refitted after every label, as ASReview does. Between fits the
screener takes the next records of the last ranking (ASReview's 'max' query). The
simulation stops when the last inclusion is found, as `asreview simulate` does; the records left
are all exclusions, so the full order is the order so far followed by those, and the stopping
rules are replayed on it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from litrev.errors import InputError
from litrev.screening.ranking.metrics import ScreeningMetrics, compute_metrics
from litrev.screening.ranking.model import RankingModel, make_model
from litrev.screening.ranking.stopping import StopPoint, first_stop

if TYPE_CHECKING:
    from litrev.screening.ranking.prior import ProtocolPrior

LABEL_COLUMNS = ("label_included", "included", "final_included", "label", "included_label",
                 "label_abstract_screening")


@dataclass
class LabelledDataset:
    """A review with its final decisions: one title, abstract and 0/1 label per record."""

    name: str
    titles: list[str]
    abstracts: list[str]
    labels: npt.NDArray[np.int8]

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def records(self) -> list[tuple[str, str]]:
        return list(zip(self.titles, self.abstracts, strict=True))


def load_labelled_csv(path: str | Path) -> LabelledDataset:
    """Read an ASReview-style labelled CSV: title, abstract and a 0/1 label column.

    The label column may be called label_included, included, final_included or label.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputError(str(path), f"cannot read as CSV: {error}") from error
    columns = {c.strip().lower(): c for c in frame.columns}
    if "title" not in columns:
        raise InputError(str(path), f"no 'title' column (columns: {list(frame.columns)})")
    label_column = next((columns[c] for c in LABEL_COLUMNS if c in columns), None)
    if label_column is None:
        raise InputError(str(path), f"no label column; expected one of {list(LABEL_COLUMNS)}")
    labels = np.zeros(len(frame), dtype=np.int8)
    for row, value in enumerate(frame[label_column]):
        text = value.strip()
        if text not in ("0", "1", "0.0", "1.0"):
            raise InputError(str(path), f"column {label_column!r} must be 0 or 1, got {value!r}",
                             line=row + 2)
        labels[row] = int(float(text))
    if labels.sum() == 0 or labels.sum() == len(labels):
        raise InputError(str(path), "a simulation needs both included (1) and excluded (0) records")
    abstracts = frame[columns["abstract"]].tolist() if "abstract" in columns else [""] * len(frame)
    return LabelledDataset(path.stem, frame[columns["title"]].tolist(), abstracts, labels)


def draw_priors(labels: npt.NDArray[Any], seed: int, n_included: int = 1,
                n_excluded: int = 1) -> list[int]:
    """Starting records drawn by seed: `n_included` inclusions then `n_excluded` exclusions.

    Uses `numpy.random.RandomState(seed)`; the benchmark passes the same indices to ASReview.

    >>> draw_priors(np.array([0, 1, 0, 1, 0]), seed=3)
    [3, 4]
    """
    rng = np.random.RandomState(seed)
    included = np.flatnonzero(labels == 1)
    excluded = np.flatnonzero(labels == 0)
    if n_included > included.size or n_excluded > excluded.size:
        raise ValueError(f"asked for {n_included} included and {n_excluded} excluded priors; "
                         f"the data has {included.size} and {excluded.size}")
    chosen = rng.choice(included, n_included, replace=False).tolist()
    chosen += rng.choice(excluded, n_excluded, replace=False).tolist()
    return [int(i) for i in chosen]


@dataclass
class SimulationRun:
    """One simulated screening. `order` lists the screened records after the priors."""

    dataset: str
    model: str
    seed: int
    priors: list[int]
    order: list[int]
    metrics: ScreeningMetrics
    seconds: float
    n_fits: int
    stops: list[StopPoint] = field(default_factory=list)
    relevant: frozenset[int] = frozenset()  # indices of the review's inclusions

    @property
    def records_to_first(self) -> int | None:
        """Records screened after the priors until the first inclusion (1 = the very first);
        None if a run cut short (`stop_recall`) ended before one."""
        return next((k + 1 for k, record in enumerate(self.order) if record in self.relevant),
                    None)

    def as_dict(self) -> dict[str, object]:
        return {"dataset": self.dataset, "model": self.model, "seed": self.seed,
                "priors": self.priors, **self.metrics.as_dict(), "seconds": self.seconds,
                "order": self.order,
                "n_fits": self.n_fits, "records_to_first": self.records_to_first,
                "stopping": [s.__dict__ for s in self.stops]}


def simulate_once(
    data: LabelledDataset,
    model: str | RankingModel = "default",
    seed: int = 0,
    priors: Sequence[int] | None = None,
    n_prior_included: int = 1,
    n_prior_excluded: int = 1,
    batch_divisor: int = 1000,
    target_recall: float = 0.95,
    confidence: float = 0.95,
    prior: ProtocolPrior | None = None,
    prior_k: float | None = None,
    stop_recall: float = 1.0,
    min_screened: float = 0.0,
) -> SimulationRun:
    """Screen `data` in the order the model proposes, starting from priors drawn by `seed`.

    `prior` (a `ProtocolPrior`) blends the protocol's relevance score into the model
    (`ranking.blend.PriorRankingModel`, blend constant `prior_k`). With no starting inclusion
    (`n_prior_included=0`, a cold start), a model that cannot learn yet takes records in a
    seeded random order until it has an inclusion and an exclusion, as a screener without a
    ranking would; a model with a prior takes them in the prior's order instead.

    `stop_recall` < 1 ends the run early, once that share of the inclusions after the priors is
    found and at least `min_screened` of the records after the priors are screened (a benchmark
    shortcut): figures up to that point (WSS@95 with `stop_recall` >= 0.95, recall@x% for
    x <= `min_screened`, records to the first inclusion) are exact; later ones
    (records_to_100, the stopping rules) are not, as the records left count as exclusions.
    """
    start = time.perf_counter()
    from litrev.screening.ranking.blend import DEFAULT_K, PriorRankingModel, with_prior

    ranker = make_model(model, seed=seed) if isinstance(model, str) else model
    if prior is not None:
        ranker = with_prior(ranker, prior, DEFAULT_K if prior_k is None else prior_k)
    # A model with the protocol prior ranks before there is anything to learn.
    learns_cold = isinstance(ranker, PriorRankingModel)
    y = data.labels.astype(np.int8)
    prior_list = list(priors) if priors is not None else draw_priors(
        y, seed, n_prior_included, n_prior_excluded)
    X = ranker.featurize(data.records)
    screened = np.zeros(len(y), dtype=bool)
    screened[prior_list] = True
    labelled: list[int] = list(prior_list)
    n_relevant, found = int(y.sum()), int(y[prior_list].sum())
    in_priors = found
    wanted = n_relevant if stop_recall >= 1 else in_priors + math.ceil(
        stop_recall * (n_relevant - in_priors) - 1e-9)
    least = len(prior_list) + math.ceil(min_screened * (len(y) - len(prior_list)) - 1e-9)
    ranking: npt.NDArray[np.intp] = np.zeros(0, dtype=np.intp)
    cursor, since_fit, n_fits = 0, 0, 0
    need_fit = True
    while found < n_relevant and (found < wanted or len(labelled) < least):
        if need_fit:
            index = np.asarray(labelled, dtype=int)
            seen = y[index]
            if learns_cold or ((seen == 1).any() and (seen == 0).any()):
                scores = ranker.fit_indices(X, index, seen).copy()
                n_fits += 1
            elif ranking.size == 0:  # cold start without a prior: a seeded random order
                scores = np.random.RandomState(seed).permutation(len(y)).astype(float)
            else:  # still nothing to learn from: keep taking the random order
                scores = None
            if scores is not None:
                scores[screened] = -np.inf
                ranking = np.argsort(-scores, kind="stable")
                cursor = 0
            since_fit = 0
        while screened[ranking[cursor]]:
            cursor += 1
        chosen = int(ranking[cursor])
        screened[chosen] = True
        labelled.append(chosen)
        found += int(y[chosen])
        since_fit += 1
        batch = max(1, len(labelled) // batch_divisor)
        need_fit = bool(y[chosen]) or since_fit >= batch
    seconds = time.perf_counter() - start
    order = labelled[len(prior_list):]
    # Records never reached: after the last inclusion they are all exclusions (padded as
    # ASReview's insights does); a run cut short (`stop_recall`) appends them in corpus order,
    # so the number of inclusions stays right and the figures up to the cut are exact.
    after_priors = np.concatenate([y[order], y[~screened]])
    full_order = np.concatenate([y[prior_list], after_priors])
    stops = [
        first_stop(full_order, "hypergeometric", target_recall, confidence,
                   check_every=max(1, len(y) // 200)),
        first_stop(full_order, "irrelevant_in_a_row"),
    ]
    return SimulationRun(data.name, ranker.name, seed, prior_list, order,
                         compute_metrics(after_priors), seconds, n_fits, stops,
                         frozenset(int(i) for i in np.flatnonzero(y == 1)))


@dataclass
class SimulationSummary:
    """Several seeds of one dataset and model: the runs, and mean and SD of each figure."""

    runs: list[SimulationRun]

    def mean_sd(self, key: str) -> tuple[float, float]:
        values = np.array([v for run in self.runs if (v := _figure(run, key)) is not None],
                          dtype=float)
        if values.size == 0:
            return 0.0, 0.0
        return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else 0.0

    def as_dict(self) -> dict[str, object]:
        keys = ("wss95_classic", "wss95_asreview", "recall_at_10", "recall_at_25", "erf_at_10",
                "records_to_95", "records_to_100", "records_to_first", "seconds")
        out: dict[str, object] = {}
        for key in keys:
            mean, sd = self.mean_sd(key)
            out[key] = mean
            out[f"{key}_sd"] = sd
        first = self.runs[0]
        out.update(dataset=first.dataset, model=first.model, n_records=first.metrics.n_records,
                   n_seeds=len(self.runs), stopping=_stopping_summary(self.runs),
                   runs=[run.as_dict() for run in self.runs])
        return out


def _figure(run: SimulationRun, key: str) -> float | None:
    if key in ("seconds", "records_to_first"):
        value = getattr(run, key)
        return None if value is None else float(value)
    return float(getattr(run.metrics, key))


def _stopping_summary(runs: list[SimulationRun]) -> dict[str, dict[str, float]]:
    summary: dict[str, dict[str, float]] = {}
    for rule in {stop.rule for run in runs for stop in run.stops}:
        points = [s for run in runs for s in run.stops if s.rule == rule]
        summary[rule] = {
            "mean_recall_at_stop": float(np.mean([p.recall for p in points])),
            "share_reaching_95": float(np.mean([p.recall >= 0.95 - 1e-12 for p in points])),
            "mean_screened": float(np.mean([p.screened for p in points])),
            "mean_records_saved": float(np.mean([p.records_saved for p in points])),
        }
    return summary


def simulate(
    data: LabelledDataset,
    model: str = "default",
    seeds: Sequence[int] = (0,),
    n_prior_included: int = 1,
    n_prior_excluded: int = 1,
    priors: Sequence[int] | None = None,
    prior: ProtocolPrior | None = None,
) -> SimulationSummary:
    """Run `simulate_once` for each seed (priors drawn per seed unless given)."""
    return SimulationSummary([
        simulate_once(data, model, seed, priors, n_prior_included, n_prior_excluded,
                      prior=prior)
        for seed in seeds
    ])


def recall_curve_svg(summary: SimulationSummary, path: str | Path) -> Path:
    """Write the recall curve of every run as SVG, against the random and oracle curves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    first = summary.runs[0]
    n_docs, n_pos = first.metrics.n_records, first.metrics.n_relevant
    screened = np.arange(0, n_docs + 1)
    figure, axes = plt.subplots(figsize=(6.4, 4.4))
    axes.plot(screened, screened / n_docs, color="grey", linestyle="--", label="random")
    axes.plot(screened, np.minimum(screened, n_pos) / n_pos, color="black", linestyle=":",
              label="oracle")
    for i, run in enumerate(summary.runs):
        found = np.zeros(n_docs, dtype=np.int64)
        hits = [k for k, rec in enumerate(run.order) if _label_of(run, rec)]
        found[hits] = 1
        curve = np.concatenate([[0.0], np.cumsum(found) / n_pos])
        axes.plot(screened, curve, color="tab:blue", alpha=0.8 if i == 0 else 0.45,
                  label=f"litrev {run.model} ({len(summary.runs)} seeds)" if i == 0 else None)
    axes.axhline(0.95, color="tab:red", linewidth=0.6)
    axes.set_xlabel("records screened (after the starting records)")
    axes.set_ylabel("recall")
    axes.set_title(f"{first.dataset}: recall curve")
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, format="svg")
    plt.close(figure)
    return path


def _label_of(run: SimulationRun, record: int) -> bool:
    return record in run.relevant


