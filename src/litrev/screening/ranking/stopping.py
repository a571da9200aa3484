"""When to stop screening: a hypergeometric test with a stated confidence, and a simple heuristic.

**Hypergeometric test** (Callaghan & Müller-Hansen 2020, "Statistical stopping criteria for
automated screening in systematic reviews", Systematic Reviews 9:273; the BUSCAR method). Take the
last `n` screened records as a sample drawn from an urn made of those `n` records and the `N_rem`
still unscreened. If recall were below the target `tau`, the urn would hold at least
`K = floor(r_seen / tau - r_before + 1)` relevant records (`r_before`: relevant found before the
sample). The p-value of H0 "recall < tau" is the chance of drawing as few relevant records as were
seen, `hypergeom.cdf(k, N_rem + n, K, n)`; the test takes the smallest p over every `n` and says
stop when it falls below `1 - confidence`.

The guarantee is exact when the sample was drawn at random from the unscreened records (screen a
random sample once the ranking has run dry). On a ranked order it is conservative as long as the
ranking puts relevant records first: the recent records are then *richer* in relevant records
than the ones left. Simulation on the SYNERGY reviews measures how often it holds
(benchmarks/screening/RESULTS.md).

**N irrelevant in a row**: stop after `n` consecutive exclusions. It is what most ASReview users
do; it has no guarantee and it is reported next to the test, never instead of it.

>>> labels = [1] * 19 + [0] * 400
>>> est = hypergeometric_estimate(labels, n_total=500, target_recall=0.95, confidence=0.95)
>>> est.should_stop, est.relevant_found
(True, 19)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import hypergeom


@dataclass(frozen=True)
class StoppingEstimate:
    """Where screening stands, with a stated confidence. Shown to the screener as `message()`."""

    method: str
    screened: int
    n_total: int
    relevant_found: int
    target_recall: float
    confidence: float
    p_value: float  # of H0 "recall is below target_recall"; stop when < 1 - confidence
    should_stop: bool
    estimated_recall: float  # median estimate from the sample that gave p_value
    recall_lower_bound: float  # holds at `confidence`
    relevant_left_estimate: float
    relevant_left_upper: int  # at most this many relevant records are left, at `confidence`
    sample_size: int  # the last `sample_size` screened records formed the test's sample

    def message(self) -> str:
        """A sentence for the screener."""
        verdict = "you can stop" if self.should_stop else "keep screening"
        return (
            f"{self.relevant_found} relevant found in {self.screened:,} of {self.n_total:,} "
            f"records; estimated recall {self.estimated_recall:.0%} (at least "
            f"{self.recall_lower_bound:.0%} with {self.confidence:.0%} confidence); about "
            f"{self.relevant_left_estimate:.1f} relevant left, at most {self.relevant_left_upper} "
            f"({self.confidence:.0%} confidence). Target {self.target_recall:.0%}: {verdict} "
            f"(p = {self.p_value:.3f})."
        )

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _as_labels(labels: Sequence[int] | npt.NDArray[np.int_]) -> npt.NDArray[np.int64]:
    arr = np.asarray(labels, dtype=np.int64)
    if arr.ndim != 1 or not np.isin(arr, (0, 1)).all():
        raise ValueError("labels must be a 1-D sequence of 0/1 in screening order")
    return arr


def _p_values_at(
    arr: npt.NDArray[np.int64], n_total: int, target_recall: float, sizes: npt.NDArray[np.int_]
) -> npt.NDArray[np.float64]:
    """p of H0 "recall < target" for the samples made of the last `sizes` screened records."""
    screened = arr.size
    if screened > n_total:
        raise ValueError(f"{screened} records screened but only {n_total} in the review")
    r_seen = int(arr.sum())
    sample_relevant = np.cumsum(arr[::-1])[sizes - 1]  # k in the last n records, per n
    relevant_before = r_seen - sample_relevant
    # Smallest number of relevant records the urn must hold for recall to be below target.
    k_h0 = np.floor(r_seen / target_recall - relevant_before + 1)
    urn = n_total - screened + sizes
    return np.asarray(hypergeom.cdf(sample_relevant, urn, np.minimum(k_h0, urn), sizes))


def hypergeometric_p_values(
    labels: Sequence[int] | npt.NDArray[np.int_], n_total: int, target_recall: float = 0.95
) -> npt.NDArray[np.float64]:
    """p-value of H0 "recall < target" for every sample = the last n screened, n = 1..screened.

    >>> hypergeometric_p_values([1, 0, 0], n_total=10, target_recall=0.5).round(3).tolist()
    [0.75, 0.583, 0.817]
    """
    arr = _as_labels(labels)
    if arr.size == 0:
        return np.ones(0)
    return _p_values_at(arr, n_total, target_recall, np.arange(1, arr.size + 1))


def hypergeometric_min_p(
    labels: Sequence[int] | npt.NDArray[np.int_], n_total: int, target_recall: float = 0.95
) -> tuple[float, int]:
    """The test's statistic: the smallest p over every sample, and that sample's size.

    Equal to `hypergeometric_p_values(...).min()` but computed at the sizes where it can occur:
    while a growing sample adds only exclusions, its p-value falls, so the minimum is at a sample
    that ends just before another inclusion (or takes every screened record). That is at most
    (inclusions + 1) evaluations instead of one per screened record, which keeps the estimate
    instant at 100k records (checked against the full computation in the tests).

    >>> p, n = hypergeometric_min_p([1, 0, 0], n_total=10, target_recall=0.5)
    >>> round(p, 3), n
    (0.583, 2)
    """
    arr = _as_labels(labels)
    if arr.size == 0:
        return 1.0, 0
    # Sample sizes n whose next older record is an inclusion, and n = every screened record.
    sizes = np.append(np.flatnonzero(arr[::-1][1:] == 1) + 1, arr.size)
    p_values = _p_values_at(arr, n_total, target_recall, sizes)
    best = int(np.argmin(p_values))
    return float(p_values[best]), int(sizes[best])


def _relevant_upper_bound(k: int, urn: int, n: int, alpha: float) -> int:
    """Largest K (relevant in the urn) not rejected at `alpha` given k of n drawn were relevant."""
    low, high = k, urn - (n - k)  # K can't be below k, nor leave too few irrelevant for the draw
    while low < high:  # cdf(k; urn, K, n) falls as K grows: find the last K with cdf > alpha
        mid = (low + high + 1) // 2
        if hypergeom.cdf(k, urn, mid, n) > alpha:
            low = mid
        else:
            high = mid - 1
    return low


def hypergeometric_estimate(
    labels: Sequence[int] | npt.NDArray[np.int_],
    n_total: int,
    target_recall: float = 0.95,
    confidence: float = 0.95,
) -> StoppingEstimate:
    """Stopping estimate after screening `labels` (0/1, in screening order) of `n_total` records.

    >>> est = hypergeometric_estimate([1, 1, 0, 0], n_total=100)
    >>> est.should_stop, est.relevant_left_upper > 0
    (False, True)
    """
    arr = _as_labels(labels)
    screened, r_seen = arr.size, int(arr.sum())
    alpha = 1.0 - confidence
    remaining = n_total - screened
    if screened == 0:
        return StoppingEstimate(
            "hypergeometric",
            0,
            n_total,
            0,
            target_recall,
            confidence,
            1.0,
            False,
            0.0,
            0.0,
            float("nan"),
            n_total,
            0,
        )
    p_min, n = hypergeometric_min_p(arr, n_total, target_recall)
    k = int(arr[-n:].sum())
    urn = remaining + n
    upper_in_urn = _relevant_upper_bound(k, urn, n, alpha)
    left_upper = max(0, upper_in_urn - k)
    # Median estimate: the K at which the observed draw sits at the 50% point of its distribution.
    left_estimate = float(max(0, _relevant_upper_bound(k, urn, n, 0.5) - k))
    estimated_recall = r_seen / (r_seen + left_estimate) if r_seen + left_estimate else 0.0
    lower = r_seen / (r_seen + left_upper) if r_seen + left_upper else 0.0
    return StoppingEstimate(
        method="hypergeometric",
        screened=screened,
        n_total=n_total,
        relevant_found=r_seen,
        target_recall=target_recall,
        confidence=confidence,
        p_value=p_min,
        should_stop=p_min < alpha or remaining == 0,
        estimated_recall=estimated_recall if remaining else 1.0,
        recall_lower_bound=lower if remaining else 1.0,
        relevant_left_estimate=left_estimate,
        relevant_left_upper=left_upper,
        sample_size=n,
    )


def default_min_run(n_total: int) -> int:
    """Exclusions in a row the screener's estimate needs: 2% of the review, 20 to 200 records.

    >>> default_min_run(979), default_min_run(50_000)
    (20, 200)
    """
    return int(min(200, max(20, math.ceil(0.02 * n_total))))


# Relevant records the screener's estimate needs: with fewer, "recall" is a ratio of tiny counts
# and says nothing a reviewer can act on.
MIN_RELEVANT = 5


@dataclass(frozen=True)
class ScreenerEstimate:
    """What the screener shows after each decision: an estimate, or why there is none yet."""

    screened: int
    n_total: int
    relevant_found: int
    run: int  # exclusions since the last inclusion
    target_recall: float
    confidence: float
    estimated_recall: float | None  # None while the data cannot support an estimate
    recall_lower_bound: float | None  # holds at `confidence`
    relevant_left_estimate: float | None
    relevant_left_upper: int | None
    should_stop: bool  # the hypergeometric test (`hypergeometric_min_p`) at `confidence`
    p_value: float
    why_not: str | None  # why there is no estimate yet

    def message(self) -> str:
        """A sentence for the screener."""
        head = f"{self.relevant_found} relevant in {self.screened:,} of {self.n_total:,} screened"
        if self.why_not is not None:
            return f"{head}; no recall estimate yet: {self.why_not}."
        verdict = "you can stop" if self.should_stop else "keep screening"
        return (
            f"{head}, {self.run} excluded since the last inclusion; estimated recall "
            f"{self.estimated_recall:.0%} (at least {self.recall_lower_bound:.0%} with "
            f"{self.confidence:.0%} confidence), about {self.relevant_left_estimate:.1f} relevant "
            f"left, at most {self.relevant_left_upper}. Target {self.target_recall:.0%}: "
            f"{verdict} (p = {self.p_value:.3f})."
        )


def screener_estimate(
    labels: Sequence[int] | npt.NDArray[np.int_],
    n_total: int,
    target_recall: float = 0.95,
    confidence: float = 0.95,
    *,
    min_relevant: int = MIN_RELEVANT,
    min_run: int | None = None,
) -> ScreenerEstimate:
    """The estimate a screener sees: none until it can be trusted, then one that only rises.

    `hypergeometric_estimate` re-chooses its sample after every decision, so early on its
    recall swings (12% → 24% → 8% → 6% over three decisions). Here the estimate waits for
    `min_relevant` relevant records and a run of `min_run` exclusions since the last
    inclusion (`default_min_run`), and its sample is that run: k = 0 relevant in the last n,
    drawn from the n plus the unscreened. Each further exclusion makes n one larger with the
    urn unchanged, so the estimate and its lower bound can only rise; an inclusion ends the
    run, and the estimate is withdrawn (saying why) until a new run is long enough. The stop
    verdict is still the full test (the smallest p over every sample).

    >>> est = screener_estimate([1] * 6 + [0] * 10, n_total=200)
    >>> est.estimated_recall is None, est.why_not
    (True, 'only 10 excluded in a row since the last inclusion (an estimate needs 20)')
    >>> est = screener_estimate([1] * 6 + [0] * 60, n_total=200)
    >>> round(est.recall_lower_bound, 2) <= round(est.estimated_recall, 2)
    True
    """
    arr = _as_labels(labels)
    screened, found = arr.size, int(arr.sum())
    if screened > n_total:
        raise ValueError(f"{screened} records screened but only {n_total} in the review")
    run = irrelevant_in_a_row(arr)
    needed = default_min_run(n_total) if min_run is None else min_run
    p_min = hypergeometric_min_p(arr, n_total, target_recall)[0] if screened else 1.0
    remaining = n_total - screened
    alpha = 1.0 - confidence
    why_not = None
    if remaining == 0:
        left: tuple[float | None, int | None] = (0.0, 0)
    elif found < min_relevant:
        why_not = f"{found} relevant found (an estimate needs at least {min_relevant})"
    elif run < needed:
        why_not = (
            f"only {run} excluded in a row since the last inclusion (an estimate needs {needed})"
        )
    if why_not is not None:
        return ScreenerEstimate(
            screened,
            n_total,
            found,
            run,
            target_recall,
            confidence,
            None,
            None,
            None,
            None,
            p_min < alpha,
            p_min,
            why_not,
        )
    if remaining:
        urn = remaining + run
        upper = _relevant_upper_bound(0, urn, run, alpha)
        median = _relevant_upper_bound(0, urn, run, 0.5)
        left = (float(median), upper)
    estimate, upper_left = left
    assert estimate is not None and upper_left is not None
    return ScreenerEstimate(
        screened,
        n_total,
        found,
        run,
        target_recall,
        confidence,
        found / (found + estimate) if found + estimate else 1.0,
        found / (found + upper_left) if found + upper_left else 1.0,
        estimate,
        upper_left,
        p_min < alpha or remaining == 0,
        p_min,
        None,
    )


def irrelevant_in_a_row(labels: Sequence[int] | npt.NDArray[np.int_]) -> int:
    """How many records at the end of the screening order were all excluded.

    >>> irrelevant_in_a_row([1, 0, 1, 0, 0])
    2
    """
    arr = _as_labels(labels)
    hits = np.flatnonzero(arr == 1)
    return int(arr.size - (hits[-1] + 1)) if hits.size else int(arr.size)


def default_run_length(n_total: int) -> int:
    """The heuristic's default N: 5% of the review, at least 50 and at most 500 records.

    >>> default_run_length(1000), default_run_length(100_000)
    (50, 500)
    """
    return int(min(500, max(50, math.ceil(0.05 * n_total))))


@dataclass(frozen=True)
class StopPoint:
    """Where a stopping rule would have stopped a simulated screening."""

    rule: str
    screened: int  # records screened when it fired (n_total if it never did)
    fired: bool
    recall: float  # recall reached by then, over every relevant record of the review
    records_saved: int
    reached_target: bool | None  # for rules with a target


def first_stop(
    labels: Sequence[int] | npt.NDArray[np.int_],
    rule: str = "hypergeometric",
    target_recall: float = 0.95,
    confidence: float = 0.95,
    run_length: int | None = None,
    check_every: int = 1,
    min_screened: int = 0,
) -> StopPoint:
    """Replay a complete screening order (every record, 0/1) and find where `rule` fires.

    `rule` is 'hypergeometric' or 'irrelevant_in_a_row'. The test is checked after every
    `check_every` records (and never before `min_screened`), as a screener would consult it.

    >>> first_stop([1, 1, 0, 0, 0, 0], rule="irrelevant_in_a_row", run_length=3).screened
    5
    """
    arr = _as_labels(labels)
    n_total, n_relevant = arr.size, int(arr.sum())
    found = np.cumsum(arr)
    stop_at: int | None = None
    if rule == "irrelevant_in_a_row":
        length = run_length or default_run_length(n_total)
        run = 0
        for position, label in enumerate(arr, start=1):
            run = 0 if label else run + 1
            if run >= length and position >= min_screened:
                stop_at = position
                break
    elif rule == "hypergeometric":
        alpha = 1.0 - confidence
        start = max(check_every, min_screened)
        for position in range(start, n_total + 1, check_every):
            if hypergeometric_min_p(arr[:position], n_total, target_recall)[0] < alpha:
                stop_at = position
                break
    else:
        raise ValueError(f"unknown stopping rule {rule!r}")
    screened = stop_at if stop_at is not None else n_total
    recall = float(found[screened - 1] / n_relevant) if n_relevant else 1.0
    target = recall >= target_recall - 1e-12 if rule == "hypergeometric" else None
    return StopPoint(rule, screened, stop_at is not None, recall, n_total - screened, target)
