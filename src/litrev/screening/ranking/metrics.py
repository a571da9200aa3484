"""Screening-simulation metrics computed from the order in which records were screened.

Every function takes `labels`: the 0/1 relevance of the records *in screening order*, after the
prior (training-seed) records have been removed, and padded with 0s to the full length when a
simulation stopped early (records never screened are irrelevant by then). That is the convention
of ASReview's insights package, so figures compare like with like.

>>> order = [1, 0, 1, 0, 0, 0, 0, 0, 0, 0]
>>> recall_at(order, 0.1), records_to_recall(order, 1.0)
(0.5, 3)

Two definitions of WSS@95 are in use and give different numbers:

* **Cohen's classic** (Cohen et al. 2006): `(N - n95) / N - 0.05`, where `n95` is the number of
  records screened until at least 95% of the relevant records are found (`ceil(0.95 * P)`).
* **ASReview's** (insights `_wss_values`): the number of records random screening would need to
  find `floor(0.95 * P)` relevant records (random curve `round(linspace(0, P, N))`) minus the number
  the model needed, over `N`. It has no `- 0.05` term and counts `floor`, not `ceil`, inclusions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

_EPS = 1e-9


def _as_array(labels: Sequence[int] | npt.NDArray[np.int_]) -> npt.NDArray[np.int_]:
    arr = np.asarray(labels, dtype=np.int64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("labels must be a non-empty 1-D sequence of 0/1")
    if not np.isin(arr, (0, 1)).all():
        raise ValueError("labels must contain only 0 and 1")
    if arr.sum() == 0:
        raise ValueError("labels contain no relevant record; the metrics are undefined")
    return arr


def _n_at_fraction(n_docs: int, fraction: float) -> int:
    """Records screened at `fraction` of the list: the count of i/N <= fraction (insights' slice)."""
    x = np.arange(1, n_docs + 1) / n_docs
    return int(np.searchsorted(x, fraction, side="right"))


def _random_found(n_docs: int, n_pos: int) -> npt.NDArray[np.float64]:
    """Relevant records found after each screened record by the random reader (insights' curve)."""
    return np.round(np.linspace(0, n_pos, n_docs))


def recall_at(labels: Sequence[int] | npt.NDArray[np.int_], fraction: float) -> float:
    """Share of relevant records found after screening `fraction` of the records.

    >>> recall_at([0, 1, 0, 1], 0.5)
    0.5
    """
    arr = _as_array(labels)
    n = _n_at_fraction(arr.size, fraction)
    return float(arr[:n].sum() / arr.sum()) if n else 0.0


def records_to_recall(labels: Sequence[int] | npt.NDArray[np.int_], target: float) -> int:
    """Records screened until at least `target` of the relevant records are found (`ceil`).

    >>> records_to_recall([0, 1, 0, 1, 0], 0.95)
    4
    """
    arr = _as_array(labels)
    needed = max(1, math.ceil(target * arr.sum() - _EPS))
    return int(np.searchsorted(np.cumsum(arr), needed) + 1)


def wss_classic(labels: Sequence[int] | npt.NDArray[np.int_], recall: float = 0.95) -> float:
    """Cohen's classic WSS: `(N - n_recall) / N - (1 - recall)`.

    >>> round(wss_classic([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]), 4)
    0.75
    """
    arr = _as_array(labels)
    n_docs = arr.size
    return (n_docs - records_to_recall(arr, recall)) / n_docs - (1.0 - recall)


def wss_asreview(labels: Sequence[int] | npt.NDArray[np.int_], recall: float = 0.95) -> float:
    """ASReview insights' WSS: records saved against the random curve at `floor(recall * P)` found.

    >>> round(wss_asreview([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]), 4)
    0.3
    """
    arr = _as_array(labels)
    n_docs, n_pos = arr.size, int(arr.sum())
    k = int(np.searchsorted(np.arange(1, n_pos + 1) / n_pos, recall, side="right"))
    if k == 0:
        # insights indexes y[k - 1], so with k == 0 it reads y[-1]: the point of 100% recall.
        k = n_pos
    when_model = int(np.searchsorted(np.cumsum(arr), k))
    when_random = int(np.searchsorted(_random_found(n_docs, n_pos), k))
    return (when_random - when_model) / n_docs


def erf_at(labels: Sequence[int] | npt.NDArray[np.int_], fraction: float) -> float:
    """Extra relevant records found after `fraction` screened, against random order, over `P`.

    >>> erf_at([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], 0.1)
    0.5
    """
    arr = _as_array(labels)
    n = _n_at_fraction(arr.size, fraction)
    if n == 0:
        return 0.0
    extra = arr[:n].sum() - _random_found(arr.size, int(arr.sum()))[n - 1]
    return float(extra / arr.sum())


def recall_curve(labels: Sequence[int] | npt.NDArray[np.int_]) -> npt.NDArray[np.float64]:
    """Recall after each screened record (length N)."""
    arr = _as_array(labels)
    return np.cumsum(arr) / arr.sum()


@dataclass(frozen=True)
class ScreeningMetrics:
    """All figures for one screening order. WSS fields say which definition they use."""

    n_records: int
    n_relevant: int
    recall_at_10: float
    recall_at_25: float
    wss95_classic: float
    wss95_asreview: float
    erf_at_10: float
    records_to_95: int
    records_to_100: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def compute_metrics(labels: Sequence[int] | npt.NDArray[np.int_]) -> ScreeningMetrics:
    """Every headline metric of a screening order at once.

    >>> m = compute_metrics([1, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    >>> m.records_to_100, m.recall_at_10
    (3, 0.5)
    """
    arr = _as_array(labels)
    return ScreeningMetrics(
        n_records=int(arr.size),
        n_relevant=int(arr.sum()),
        recall_at_10=recall_at(arr, 0.10),
        recall_at_25=recall_at(arr, 0.25),
        wss95_classic=wss_classic(arr, 0.95),
        wss95_asreview=wss_asreview(arr, 0.95),
        erf_at_10=erf_at(arr, 0.10),
        records_to_95=records_to_recall(arr, 0.95),
        records_to_100=records_to_recall(arr, 1.0),
    )
