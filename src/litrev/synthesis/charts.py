"""Charts of the synthesis as SVG strings (matplotlib, deterministic output)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: reports are built on servers and in CI

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from litrev.synthesis.tables import CategoryCount

# Colour-blind-safe palette (Okabe-Ito), one colour per category in protocol order.
PALETTE: list[Any] = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
]

_STYLE: Any = {
    "svg.hashsalt": "litrev",  # stable element ids: the same data gives the same file
    "svg.fonttype": "none",  # keep text as text: searchable, and small
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.constrained_layout.use": True,  # labels and legend never overlap the axes
}


#: PNG resolution: what journals ask of figures.
PNG_DPI = 300


@dataclass(frozen=True)
class Rendered:
    """One chart as SVG text (inlined in report.html) and PNG bytes at 300 dpi (for a journal)."""

    svg: str
    png: bytes


def _svg_text(figure: plt.Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(
        buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": "litrev"}
    )
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and DOCTYPE so it can be inlined


def render(figure: plt.Figure | None) -> Rendered | None:
    """A figure from one of the `*_figure` functions as SVG and 300-dpi PNG (None for None).

    Both are written under the charts' style (SVG text kept as text, stable ids) and carry no
    date, so the same data gives the same bytes.

    >>> chart = render(frequency_figure([("a", 2, 67), ("b", 1, 33)], "Design"))
    >>> chart.svg.startswith("<svg"), chart.png[:4]
    (True, b'\x89PNG')
    """
    if figure is None:
        return None
    with plt.rc_context(_STYLE):
        svg = _svg_text(figure)
        buffer = io.BytesIO()
        figure.savefig(
            buffer, format="png", dpi=PNG_DPI, bbox_inches="tight", metadata={"Software": None}
        )
    plt.close(figure)
    return Rendered(svg, buffer.getvalue())


def category_chart(
    counts: Sequence[CategoryCount], title: str = "Included studies by category"
) -> str:
    """Horizontal bars of n per category, labelled with n and % (SVG; "" with no counts).

    >>> svg = category_chart([CategoryCount("typology", 7, 10, 9.59)])
    >>> svg.startswith("<svg") and "typology" in svg
    True
    """
    rendered = render(category_figure(counts, title))
    return rendered.svg if rendered else ""


def category_figure(
    counts: Sequence[CategoryCount], title: str = "Included studies by category"
) -> plt.Figure | None:
    """The figure of `category_chart` (None with no counts), for `render`."""
    if not counts:
        return None
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(7, 0.55 * len(counts) + 1.2))
        names = [_short(c.name) for c in counts][::-1]
        values = [c.n for c in counts][::-1]
        colours = [PALETTE[i % len(PALETTE)] for i in range(len(counts))][::-1]
        bars = axes.barh(names, values, color=colours)
        for bar, count in zip(bars, list(counts)[::-1], strict=True):
            axes.text(
                bar.get_width() + 0.3,
                bar.get_y() + bar.get_height() / 2,
                f"{count.n} ({count.percent}%)",
                va="center",
            )
        axes.set_xlabel("Number of included studies")
        axes.set_title(title, loc="left", fontweight="bold")
        axes.set_xlim(0, max([*values, 1]) * 1.18)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: whole numbers only
        return figure


def stacked_chart(
    table: pd.DataFrame, title: str, *, horizontal: bool = True, top: int | None = None
) -> str:
    """`stacked_figure` as SVG ("" when there is nothing to draw).

    >>> t = pd.DataFrame({"a": [1, 0], "Total": [1, 0]}, index=["2001", "2002"])
    >>> stacked_chart(t, "Year", horizontal=False).startswith("<svg")
    True
    >>> stacked_chart(t.iloc[:0], "Year")
    ''
    """
    rendered = render(stacked_figure(table, title, horizontal=horizontal, top=top))
    return rendered.svg if rendered else ""


def stacked_figure(
    table: pd.DataFrame, title: str, *, horizontal: bool = True, top: int | None = None
) -> plt.Figure | None:
    """Stacked bars of a cross-table (rows x categories, with `Total` column and row); "" when
    the table has no counts to draw.

    `top` keeps the largest rows and folds the rest into "Other". Vertical bars (for years)
    keep every row in order, gaps included, and thin out their tick labels so they never
    overlap; horizontal bars keep long labels readable.

    """
    data = table.drop(index="Total", errors="ignore").drop(columns="Total", errors="ignore")
    if top is not None and len(data) > top:
        kept = data.iloc[:top]
        other = data.iloc[top:].sum(axis=0).to_frame(f"Other ({len(data) - top})").T
        data = pd.concat([kept, other])
    data = data.loc[:, data.sum(axis=0) > 0]
    if data.empty or data.shape[1] == 0:
        return None
    data.index = [_short(str(i)) for i in data.index]
    data.columns = [_short(str(c), 40) for c in data.columns]
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(data.columns))]
    with plt.rc_context(_STYLE):
        if horizontal:
            figure, axes = plt.subplots(figsize=(8, 0.32 * len(data) + 1.8))
            data.iloc[::-1].plot.barh(stacked=True, ax=axes, color=colours, width=0.75)
            axes.set_xlabel("Number of included studies")
            axes.set_ylabel("")
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        else:
            figure, axes = plt.subplots(figsize=(_years_width(len(data)), 3.8))
            data.plot.bar(stacked=True, ax=axes, color=colours, width=0.8)
            axes.set_ylabel("Number of included studies")
            axes.set_xlabel("")
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
            _thin_year_ticks(axes, len(data))
        axes.set_title(title, loc="left", fontweight="bold")
        # Beside the plot, not over the bars.
        axes.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        return figure


def _years_width(bars: int) -> float:
    """The width (inches) of a chart with a vertical bar per year: 6 to 14."""
    return max(6.0, min(14.0, 0.28 * bars + 3))


def _thin_year_ticks(axes: Any, bars: int) -> None:
    """At most ~20 tick labels, so they never overlap: every year stays a bar."""
    step = max(1, -(-bars // 20))
    for i, label in enumerate(axes.get_xticklabels()):
        label.set_visible(i % step == 0)
    axes.tick_params(axis="x", labelrotation=90 if bars > 12 else 0)


def frequency_figure(
    rows: Sequence[tuple[str, int, int]], title: str, *, top: int = 25
) -> plt.Figure | None:
    """Horizontal bars of studies per value, labelled "n (p%)": (value, n, percent) rows in
    table order, at most `top` of them (the rest are named in the axis label); None when no
    study has a value.

    >>> frequency_figure([("a", 0, 0)], "Design") is None
    True
    """
    if not any(n for _, n, _ in rows):
        return None
    shown = list(rows[:top])
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(7, 0.4 * len(shown) + 1.3))
        names = [_short(value) for value, _, _ in shown][::-1]
        values = [n for _, n, _ in shown][::-1]
        bars = axes.barh(names, values, color=PALETTE[0])
        gap = max([*values, 1]) * 0.015  # in data units: the same look at any scale
        for bar, (_, n, percent) in zip(bars, shown[::-1], strict=True):
            axes.text(
                bar.get_width() + gap,
                bar.get_y() + bar.get_height() / 2,
                f"{n} ({percent}%)",
                va="center",
                fontsize=9,
            )
        label = "Number of included studies"
        if len(rows) > top:
            label += f" ({len(rows) - top} more values in the table)"
        axes.set_xlabel(label)
        axes.set_title(title, loc="left", fontweight="bold")
        axes.set_xlim(0, max([*values, 1]) * 1.2)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        return figure


def timeline_figure(table: pd.DataFrame, title: str) -> plt.Figure | None:
    """Vertical bars of studies per year (a one-column table, every year a row, gaps as 0);
    None when no study has a year."""
    data = table.drop(index="Total", errors="ignore")
    if data.empty or int(data.iloc[:, 0].sum()) == 0:
        return None
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(_years_width(len(data)), 3.6))
        axes.bar([_short(str(i), 16) for i in data.index], data.iloc[:, 0], color=PALETTE[0])
        axes.set_ylabel("Number of included studies")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        _thin_year_ticks(axes, len(data))
        axes.set_title(title, loc="left", fontweight="bold")
        return figure


#: Answer colours of the appraisal chart: favourable to unfavourable, then grey for the rest.
ANSWER_COLOURS = {
    "Yes": "#009E73",
    "No": "#D55E00",
    "Can't tell": "#E69F00",
    "Unclear": "#E69F00",
    "Not applicable": "#BBBBBB",
}


def appraisal_figure(
    items: Sequence[tuple[str, dict[str, int]]], answers: Sequence[str], title: str
) -> plt.Figure | None:
    """100% stacked horizontal bars: the share of each answer per item among the studies rated
    on it ((label, {answer: n}) in item order); None when nothing was rated.

    >>> appraisal_figure([("Q1", {"Yes": 0})], ["Yes", "No"], "CASP") is None
    True
    """
    rated = [(label, counts) for label, counts in items if sum(counts.values())]
    if not rated:
        return None
    spare = [c for c in PALETTE if c not in ANSWER_COLOURS.values()]
    colours = [ANSWER_COLOURS.get(a, spare[i % len(spare)]) for i, a in enumerate(answers)]
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(10, 0.38 * len(rated) + 1.9))
        labels = [f"{_short(label, 60)} (n={sum(c.values())})" for label, c in rated][::-1]
        left = [0.0] * len(rated)
        for answer, colour in zip(answers, colours, strict=True):
            shares = [
                100 * counts.get(answer, 0) / sum(counts.values()) for _, counts in rated[::-1]
            ]
            axes.barh(labels, shares, left=left, color=colour, label=answer, height=0.7)
            left = [a + b for a, b in zip(left, shares, strict=True)]
        axes.set_xlim(0, 100)
        axes.set_xlabel("Share of the studies rated on the item (%; n: studies rated)")
        axes.set_xticks([0, 25, 50, 75, 100])
        axes.set_title(title, loc="left", fontweight="bold")
        axes.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        return figure


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
