"""Counts, percentages and cross-tabulations of included studies."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

NOT_STATED = "(not stated)"


def round_percent(n: int, total: int, digits: int = 0) -> float | int:
    """Percentage rounded half up, as journals round (not Python's round-half-to-even).

    >>> round_percent(42, 73), round_percent(1, 8), round_percent(1, 8, digits=1)
    (58, 13, 12.5)
    """
    if total == 0:
        return 0
    exact = Decimal(n) * 100 / Decimal(total)
    quantum = Decimal(1).scaleb(-digits)
    rounded = exact.quantize(quantum, rounding=ROUND_HALF_UP)
    return int(rounded) if digits == 0 else float(rounded)


@dataclass(frozen=True)
class CategoryCount:
    name: str
    n: int
    percent: int
    percent_exact: float


def category_counts(
    studies: pd.DataFrame, field: str, categories: Sequence[str]
) -> list[CategoryCount]:
    """n and % of included studies per category, in the protocol's order (then any others).

    >>> frame = pd.DataFrame({"category": ["a", "a", "b"]})
    >>> [(c.name, c.n, c.percent) for c in category_counts(frame, "category", ["a", "b", "c"])]
    [('a', 2, 67), ('b', 1, 33), ('c', 0, 0)]
    """
    total = len(studies)
    values = studies[field].fillna(NOT_STATED) if total else pd.Series(dtype=str)
    counts = values.value_counts()
    names = list(categories) + sorted(set(counts.index) - set(categories))
    return [
        CategoryCount(
            name=name,
            n=int(counts.get(name, 0)),
            percent=int(round_percent(int(counts.get(name, 0)), total)),
            percent_exact=float(round_percent(int(counts.get(name, 0)), total, digits=2)),
        )
        for name in names
    ]


def variant_key(value: str) -> str:
    """The key under which spelling variants of a coded value are grouped.

    Case, surrounding space, a leading "The " and spaces around "/" do not make a new value.

    >>> variant_key("The Netherlands") == variant_key("Netherlands")
    True
    >>> variant_key("Health Services research") == variant_key("Health Services Research")
    True
    """
    text = re.sub(r"\s+", " ", value.strip()).casefold()
    text = re.sub(r"^the ", "", text)
    return re.sub(r"\s*/\s*", "/", text)


def spelling_variants(values: pd.Series) -> dict[str, list[str]]:
    """Groups of distinct spellings that share a `variant_key` (only groups of two or more)."""
    groups: dict[str, set[str]] = {}
    for value in values.dropna():
        if str(value).strip():
            groups.setdefault(variant_key(str(value)), set()).add(str(value))
    return {key: sorted(group) for key, group in sorted(groups.items()) if len(group) > 1}


def canonical_spellings(values: pd.Series) -> pd.Series:
    """Map each value to the most frequent spelling of its variant group (ties: alphabetical first).

    The mapping is reported by the audit (`spelling_variants`), so nothing is merged silently.
    """
    clean = values.fillna("").astype(str).str.strip()
    counts = clean[clean != ""].value_counts()
    best: dict[str, str] = {}
    for value, _n in sorted(counts.items(), key=lambda item: (-item[1], str(item[0]))):
        best.setdefault(variant_key(str(value)), str(value))
    return clean.map(lambda v: best.get(variant_key(v), v) if v else NOT_STATED)


def crosstab(
    studies: pd.DataFrame, row_field: str, column_field: str, columns: Sequence[str]
) -> pd.DataFrame:
    """Counts of studies by `row_field` (spelling variants grouped) x category, with totals.

    Rows are ordered by total (descending), then name; the `Total` row is last.
    """
    rows = canonical_spellings(studies[row_field]) if len(studies) else pd.Series(dtype=str)
    categories = studies[column_field].fillna(NOT_STATED) if len(studies) else pd.Series(dtype=str)
    table = pd.crosstab(rows, categories)
    extra = sorted(set(table.columns) - set(columns))
    table = table.reindex(columns=[*columns, *extra], fill_value=0)
    table["Total"] = table.sum(axis=1)
    totals = table["Total"].to_dict()
    table = table.loc[sorted(table.index, key=lambda name: (-int(totals[name]), str(name)))]
    return with_total_row(table, row_field)


def with_total_row(table: pd.DataFrame, index_name: str) -> pd.DataFrame:
    """`table` with a `Total` row (column sums), its index named, as whole numbers."""
    table.loc["Total"] = table.sum(axis=0)
    table.index.name = index_name
    table.columns.name = None
    return table.astype(int)


def is_blank(value: object) -> bool:
    """Whether a study's cell holds nothing: None, pandas' NA or NaN, or only spaces.

    >>> [is_blank(v) for v in (None, pd.NA, float("nan"), "  ", "0", 0)]
    [True, True, True, True, False, False]
    """
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and value != value)
        or not str(value).strip()
    )


def as_int(value: object) -> int | None:
    """A whole number written as text (or as pandas' float for a column with gaps), else None.

    >>> as_int("2019"), as_int(2019.0), as_int("n.d.")
    (2019, 2019, None)
    """
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]  # pandas reads an integer column with gaps as floats
    return int(text) if text.lstrip("-").isdigit() else None


def year_crosstab(
    studies: pd.DataFrame, year_field: str, column_field: str, columns: Sequence[str]
) -> pd.DataFrame:
    """Counts of studies by year (or any whole number) x category: every value from the first
    to the last, so gaps show as rows of zeros; values that are not whole numbers, then missing
    ones, last.

    >>> frame = pd.DataFrame({"year": [2001, 2003, None], "c": ["a", "a", "b"]})
    >>> year_crosstab(frame, "year", "c", ["a", "b"]).index.tolist()
    ['2001', '2002', '2003', '(not stated)', 'Total']
    """

    def label(value: object) -> str:
        # Blank text, None, NaN and pandas' NA (a "string" column's gap) are all "not stated";
        # a label left blank or "<NA>" would be a row of its own sorted among the other values.
        if is_blank(value):
            return NOT_STATED
        number = as_int(value)
        return str(number) if number is not None else str(value).strip()

    years = studies[year_field].map(label) if len(studies) else pd.Series(dtype=str)
    categories = studies[column_field].fillna(NOT_STATED) if len(studies) else pd.Series(dtype=str)
    table = pd.crosstab(years, categories)
    extra = sorted(set(table.columns) - set(columns))
    table = table.reindex(columns=[*columns, *extra], fill_value=0)
    ordered = number_order(table.index)
    table = table.reindex(index=ordered, fill_value=0)
    table["Total"] = table.sum(axis=1)
    return with_total_row(table, year_field)


def number_order(values: Iterable[object]) -> list[str]:
    """Row labels for whole-number values (years): every number from the first to the last, so
    gaps show, then other values sorted, then "(not stated)" if present. Gaps are filled for a
    span of at most 200 only: one stray value must not make a thousand rows.

    >>> number_order(["2003", "2001", "n.d.", NOT_STATED])
    ['2001', '2002', '2003', 'n.d.', '(not stated)']
    """
    given = [str(v) for v in values]
    numbers = sorted(n for n in (as_int(v) for v in given) if n is not None)
    span = numbers[-1] - numbers[0] if numbers else 0
    ordered = [str(n) for n in range(numbers[0], numbers[-1] + 1)] if 0 < span <= 200 else []
    ordered = ordered or [str(n) for n in dict.fromkeys(numbers)]
    ordered += sorted({v for v in given if as_int(v) is None and v != NOT_STATED})
    if NOT_STATED in given:
        ordered.append(NOT_STATED)
    return ordered
