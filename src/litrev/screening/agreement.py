"""Inter-rater agreement statistics (pure functions over paired labels).

* percent agreement p_o;
* Cohen's kappa (p_o - p_e) / (1 - p_e), with the large-sample standard error of Fleiss,
  Cohen & Everitt (1969) and a normal 95% confidence interval, clipped to [-1, 1];
* PABAK, the prevalence- and bias-adjusted kappa (k p_o - 1) / (k - 1) for k categories
  (2 p_o - 1 for two);
* Gwet's AC1, chance agreement p_e = Σ π_q (1 - π_q) / (k - 1), π_q the mean share of q;
* Fleiss' kappa for any number of raters who each rated every subject.

Categories are the labels either rater used (at least two), in a stable order, unless given.

>>> a = ["include", "exclude", "exclude", "exclude"]
>>> b = ["include", "exclude", "include", "exclude"]
>>> round(percent_agreement(a, b), 2), round(cohen_kappa(a, b).kappa, 2)
(0.75, 0.5)
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution


@dataclass(frozen=True)
class Kappa:
    kappa: float  # nan when chance agreement is 1 (both raters used one category only)
    se: float
    ci_low: float  # the normal interval, clipped to kappa's range [-1, 1]
    ci_high: float
    clipped: bool = False  # whether the normal interval reached past -1 or 1


@dataclass(frozen=True)
class PairAgreement:
    """Every statistic for one pair of raters over the subjects both rated."""

    n: int
    categories: tuple[str, ...]
    percent: float
    kappa: Kappa
    pabak: float
    ac1: float
    table: tuple[tuple[int, ...], ...]  # rows: rater A's category, columns: rater B's


def categories_of(*ratings: Sequence[Hashable], given: Sequence[str] | None = None) -> list[str]:
    """The categories used, in a stable order: include, exclude, maybe first, then sorted.

    >>> categories_of(["maybe", "include"], ["include"])
    ['include', 'maybe']
    >>> categories_of(["include"], ["include"])
    ['include', 'exclude']
    """
    if given:
        return list(given)
    preferred = ["include", "exclude", "maybe"]
    seen = {str(x) for r in ratings for x in r}
    ordered = [c for c in preferred if c in seen] + sorted(seen - set(preferred))
    for filler in preferred:  # kappa, PABAK and AC1 need at least two categories
        if len(ordered) >= 2:
            break
        if filler not in ordered:
            ordered.append(filler)
    return ordered


def contingency(
    a: Sequence[Hashable], b: Sequence[Hashable], categories: Sequence[str] | None = None
) -> tuple[list[str], list[list[int]]]:
    """The k×k table of counts: row = rater A's category, column = rater B's.

    >>> contingency(["include", "exclude"], ["include", "include"])
    (['include', 'exclude'], [[1, 0], [1, 0]])
    """
    if len(a) != len(b):
        raise ValueError(f"raters rated different numbers of subjects: {len(a)} and {len(b)}")
    cats = categories_of(a, b, given=categories)
    index = {c: i for i, c in enumerate(cats)}
    table = [[0] * len(cats) for _ in cats]
    for x, y in zip(a, b, strict=True):
        try:
            table[index[str(x)]][index[str(y)]] += 1
        except KeyError as missing:
            raise ValueError(f"label {missing} is not one of the categories {cats}") from None
    return cats, table


def _proportions(table: list[list[int]]) -> tuple[int, float, list[float], list[float]]:
    n = sum(map(sum, table))
    if n == 0:
        raise ValueError("no subjects rated by both raters")
    k = len(table)
    p_o = sum(table[i][i] for i in range(k)) / n
    rows = [sum(table[i]) / n for i in range(k)]
    cols = [sum(table[i][j] for i in range(k)) / n for j in range(k)]
    return n, p_o, rows, cols


def percent_agreement(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Share of subjects on which the two raters chose the same category."""
    _, table = contingency(a, b)
    return _proportions(table)[1]


def kappa_from_table(table: list[list[int]]) -> Kappa:
    """Cohen's kappa and its 95% CI from a contingency table (Fleiss, Cohen & Everitt 1969).

    >>> round(kappa_from_table([[20, 5], [10, 15]]).kappa, 3)
    0.4
    """
    n, p_o, rows, cols = _proportions(table)
    k = len(table)
    p_e = sum(rows[i] * cols[i] for i in range(k))
    if math.isclose(p_e, 1.0):
        nan = float("nan")
        return Kappa(nan, nan, nan, nan)
    kappa = (p_o - p_e) / (1 - p_e)
    diagonal = sum(table[i][i] / n * (1 - (rows[i] + cols[i]) * (1 - kappa)) ** 2 for i in range(k))
    off = sum(
        table[i][j] / n * (cols[i] + rows[j]) ** 2 for i in range(k) for j in range(k) if i != j
    )
    variance = (diagonal + (1 - kappa) ** 2 * off - (kappa - p_e * (1 - kappa)) ** 2) / (
        n * (1 - p_e) ** 2
    )
    se = math.sqrt(max(variance, 0.0))
    # The normal approximation ignores that kappa cannot pass 1 (nor -1): with few records or
    # near-perfect agreement it reaches 1.2. Report the interval within the possible range.
    low, high = kappa - Z95 * se, kappa + Z95 * se
    clipped = low < -1.0 or high > 1.0
    return Kappa(kappa, se, max(low, -1.0), min(high, 1.0), clipped)


def cohen_kappa(
    a: Sequence[Hashable], b: Sequence[Hashable], categories: Sequence[str] | None = None
) -> Kappa:
    """Cohen's kappa of two raters with its 95% confidence interval."""
    return kappa_from_table(contingency(a, b, categories)[1])


def pabak(
    a: Sequence[Hashable], b: Sequence[Hashable], categories: Sequence[str] | None = None
) -> float:
    """Prevalence- and bias-adjusted kappa: (k p_o - 1) / (k - 1).

    >>> pabak(["include", "exclude", "exclude"], ["include", "exclude", "include"])
    0.33333333333333326
    """
    return _pabak(contingency(a, b, categories)[1])


def _pabak(table: list[list[int]]) -> float:
    k = len(table)
    return (k * _proportions(table)[1] - 1) / (k - 1)


def gwet_ac1(
    a: Sequence[Hashable], b: Sequence[Hashable], categories: Sequence[str] | None = None
) -> float:
    """Gwet's AC1 (first-order agreement coefficient) of two raters.

    >>> round(gwet_ac1(["include"] * 9 + ["exclude"], ["include"] * 8 + ["exclude"] * 2), 4)
    0.8658
    """
    return _ac1(contingency(a, b, categories)[1])


def _ac1(table: list[list[int]]) -> float:
    _, p_o, rows, cols = _proportions(table)
    k = len(table)
    p_e = sum(((rows[q] + cols[q]) / 2) * (1 - (rows[q] + cols[q]) / 2) for q in range(k)) / (k - 1)
    if math.isclose(p_e, 1.0):
        return float("nan")
    return (p_o - p_e) / (1 - p_e)


def pair_agreement(
    a: Sequence[Hashable], b: Sequence[Hashable], categories: Sequence[str] | None = None
) -> PairAgreement:
    """All two-rater statistics at once."""
    cats, table = contingency(a, b, categories)
    n, p_o, _, _ = _proportions(table)
    return PairAgreement(
        n=n,
        categories=tuple(cats),
        percent=p_o,
        kappa=kappa_from_table(table),
        pabak=_pabak(table),
        ac1=_ac1(table),
        table=tuple(tuple(row) for row in table),
    )


def fleiss_kappa(counts: Sequence[Sequence[int]]) -> float:
    """Fleiss' kappa from a subjects × categories table of how many raters chose each category
    (every subject rated by the same number of raters, at least two).

    >>> round(fleiss_kappa([[3, 0], [0, 3], [2, 1], [3, 0]]), 4)
    0.625
    """
    rows = [list(map(int, r)) for r in counts]
    if not rows:
        raise ValueError("no subjects")
    m = sum(rows[0])
    if m < 2 or any(sum(r) != m for r in rows):
        raise ValueError("every subject needs the same number (at least 2) of ratings")
    n = len(rows)
    k = len(rows[0])
    shares = [sum(r[j] for r in rows) / (n * m) for j in range(k)]
    p_bar = sum((sum(c * c for c in r) - m) / (m * (m - 1)) for r in rows) / n
    p_e = sum(p * p for p in shares)
    if math.isclose(p_e, 1.0):
        return float("nan")
    return (p_bar - p_e) / (1 - p_e)


def fleiss_table(
    ratings: Sequence[Sequence[Hashable]], categories: Sequence[str] | None = None
) -> tuple[list[str], list[list[int]]]:
    """Turn per-subject rating lists (one label per rater) into Fleiss' count table.

    >>> fleiss_table([["include", "include", "exclude"]])
    (['include', 'exclude'], [[2, 1]])
    """
    cats = categories_of(*ratings, given=categories)
    index = {c: i for i, c in enumerate(cats)}
    table = []
    for subject in ratings:
        row = [0] * len(cats)
        for label in subject:
            row[index[str(label)]] += 1
        table.append(row)
    return cats, table
