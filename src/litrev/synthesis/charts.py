"""Charts of the synthesis as SVG strings (matplotlib, deterministic output)."""

from __future__ import annotations

import io
from collections.abc import Sequence
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


def _to_svg(figure: plt.Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(
        buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": "litrev"}
    )
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and DOCTYPE so it can be inlined


def category_chart(
    counts: Sequence[CategoryCount], title: str = "Included studies by category"
) -> str:
    """Horizontal bars of n per category, labelled with n and %.

    >>> svg = category_chart([CategoryCount("typology", 7, 10, 9.59)])
    >>> svg.startswith("<svg") and "typology" in svg
    True
    """
    if not counts:
        return ""
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
        return _to_svg(figure)


def stacked_chart(
    table: pd.DataFrame, title: str, *, horizontal: bool = True, top: int | None = None
) -> str:
    """Stacked bars of a cross-table (rows x categories, with `Total` column and row); "" when
    the table has no counts to draw.

    `top` keeps the largest rows and folds the rest into "Other". Vertical bars (for years)
    keep every row in order, gaps included, and thin out their tick labels so they never
    overlap; horizontal bars keep long labels readable.

    >>> t = pd.DataFrame({"a": [1, 0], "Total": [1, 0]}, index=["2001", "2002"])
    >>> stacked_chart(t, "Year", horizontal=False).startswith("<svg")
    True
    >>> stacked_chart(t.iloc[:0], "Year")
    ''
    """
    data = table.drop(index="Total", errors="ignore").drop(columns="Total", errors="ignore")
    if top is not None and len(data) > top:
        kept = data.iloc[:top]
        other = data.iloc[top:].sum(axis=0).to_frame(f"Other ({len(data) - top})").T
        data = pd.concat([kept, other])
    data = data.loc[:, data.sum(axis=0) > 0]
    if data.empty or data.shape[1] == 0:
        return ""
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
            figure, axes = plt.subplots(figsize=(max(6.0, min(14.0, 0.28 * len(data) + 3)), 3.8))
            data.plot.bar(stacked=True, ax=axes, color=colours, width=0.8)
            axes.set_ylabel("Number of included studies")
            axes.set_xlabel("")
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
            step = max(1, -(-len(data) // 20))  # at most ~20 labels: every year stays a bar
            for i, label in enumerate(axes.get_xticklabels()):
                label.set_visible(i % step == 0)
            axes.tick_params(axis="x", labelrotation=90 if len(data) > 12 else 0)
        axes.set_title(title, loc="left", fontweight="bold")
        # Beside the plot, not over the bars.
        axes.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        return _to_svg(figure)


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
