"""The PRISMA 2020 flow diagram as PNG (300 dpi) and PDF, drawn with matplotlib.

matplotlib cannot read SVG, and cairosvg needs a system cairo that is not always there, so the
same layout (`litrev.synthesis.prisma.layout`) is drawn a second time with matplotlib patches:
one model, two renderers, no browser. One SVG pixel is 1/96 inch, as in browsers, so a
1,300-pixel-wide diagram prints 13.5 inches wide and its PNG at 300 dpi is about 4,060 pixels.
Output is deterministic (no dates or software names in the files).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from litrev.fileio import atomic_output
from litrev.synthesis.prisma.flow import Flow
from litrev.synthesis.prisma.layout import LINE_H, PAD, SIDE_X, Box, Diagram, layout

DPI = 300
PX = 1 / 96  # inches per SVG pixel
FORMATS = ("svg", "png", "pdf")
_FILL = {
    "box": ("#ffffff", "#333333", 1.2),
    "warning": ("#fff1f0", "#c0392b", 1.4),
    "heading-box": ("#fde9b8", "#c9a227", 1.0),
    "phase": ("#cfe3f5", "#6a9fd0", 1.0),
}


# DejaVu Sans (matplotlib's own font: the same on every machine) runs about 8% wider than the
# Helvetica the SVG names; a smaller size keeps each line inside the box it was wrapped for.
FONT_SCALE = 0.92


def _pt(px: float) -> float:
    return px * 72 / 96


def _font(px: float) -> float:
    return _pt(px) * FONT_SCALE


def _draw(diagram: Diagram, placed: list[tuple[Any, Box]] | None = None) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    fig = Figure(figsize=(diagram.width * PX, diagram.height * PX))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, diagram.width)
    ax.set_ylim(diagram.height, 0)  # SVG's y runs downwards
    ax.axis("off")
    family = "DejaVu Sans"

    def rect(box: Box) -> None:
        face, edge, lw = _FILL.get(box.css, _FILL["box"])
        ax.add_patch(
            FancyBboxPatch(
                (box.x, box.y),
                box.width,
                box.height,
                boxstyle="round,pad=0,rounding_size=4",
                facecolor=face,
                edgecolor=edge,
                linewidth=_pt(lw),
            )
        )

    for box in diagram.headings:
        rect(box)
        ax.text(
            box.x + 10,
            box.y + 21,
            box.lines[0][0],
            fontsize=_font(16),
            fontweight="bold",
            family=family,
            va="baseline",
        )
    for box in diagram.boxes:
        rect(box)
        for i, (line, bold) in enumerate(box.lines):
            artist = ax.text(
                box.x + PAD,
                box.y + PAD + LINE_H * (i + 1) - 4,
                line,
                fontsize=_font(13),
                fontweight="bold" if bold else "normal",
                family=family,
                va="baseline",
                color="#111111",
            )
            if placed is not None:
                placed.append((artist, box))
    for box in diagram.phases:
        rect(box)
        ax.text(
            box.x + box.width / 2,
            box.y + box.height / 2,
            box.lines[0][0],
            fontsize=_font(14),
            fontweight="bold",
            family=family,
            rotation=90,
            ha="center",
            va="center",
        )
    for points in diagram.arrows:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        ax.plot(xs, ys, color="#333333", lw=_pt(1.4))
        # The head: a filled triangle at the last point, along the last segment.
        ax.annotate(
            "",
            xy=points[-1],
            xytext=points[-2],
            arrowprops={
                "arrowstyle": "-|>,head_length=0.5,head_width=0.25",
                "color": "#333333",
                "lw": _pt(1.4),
                "shrinkA": 0,
                "shrinkB": 0,
            },
        )
    for i, line in enumerate(diagram.legend):
        ax.text(
            SIDE_X,
            diagram.legend_y + i * LINE_H,
            line,
            fontsize=_font(11),
            family=family,
            va="baseline",
            color="#444444",
        )
    return fig


def overflowing_lines(flow: Flow) -> list[str]:
    """Box lines whose drawn text runs past their box's right edge (none, when the wrapping
    widths suit the font).

    >>> from litrev.synthesis.prisma.flow import Count, Flow
    >>> nr = Count(None, "not reported")
    >>> flow = Flow({"A": Count(4, "data")}, Count(4, "data"), nr, nr, nr, Count(4, "data"),
    ...             Count(2, "data"), nr, nr, Count(2, "data"), Count(1, "data"), {},
    ...             Count(1, "data"))
    >>> overflowing_lines(flow)
    []
    """
    placed: list[tuple[Any, Box]] = []
    fig = _draw(layout(flow), placed)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    ax = fig.axes[0]
    out = []
    for artist, box in placed:
        right = ax.transData.transform((box.x + box.width, box.y))[0]
        if artist.get_window_extent(renderer).x1 > right:
            out.append(f"{box.id}: {artist.get_text()}")
    return out


def render_bytes(flow: Flow, fmt: str) -> bytes:
    """The diagram as PNG (300 dpi) or PDF bytes.

    >>> from litrev.synthesis.prisma.flow import Count, Flow
    >>> nr = Count(None, "not reported")
    >>> flow = Flow({"A": Count(4, "data")}, Count(4, "data"), nr, nr, nr, Count(4, "data"),
    ...             Count(2, "data"), nr, nr, Count(2, "data"), Count(1, "data"), {},
    ...             Count(1, "data"))
    >>> render_bytes(flow, "pdf")[:5]
    b'%PDF-'
    """
    if fmt not in ("png", "pdf"):
        raise ValueError(f"format must be png or pdf, not {fmt!r}")
    fig = _draw(layout(flow))
    buffer = io.BytesIO()
    if fmt == "png":
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    else:
        fig.savefig(buffer, format="pdf", metadata={"CreationDate": None, "Producer": None})
    return buffer.getvalue()


def write_diagram(
    flow: Flow,
    out_dir: str | Path,
    formats: tuple[str, ...] | list[str] = FORMATS,
    *,
    title: str = "PRISMA 2020 flow diagram",
    stem: str = "prisma",
) -> dict[str, Path]:
    """Write `prisma.svg`, `prisma.png` and/or `prisma.pdf` into `out_dir` (atomically, each).

    >>> import tempfile
    >>> from litrev.synthesis.prisma.flow import Count, Flow
    >>> nr = Count(None, "not reported")
    >>> flow = Flow({"A": Count(1, "data")}, Count(1, "data"), nr, nr, nr, Count(1, "data"),
    ...             Count(0, "data"), nr, nr, Count(1, "data"), Count(0, "data"), {},
    ...             Count(1, "data"))
    >>> sorted(write_diagram(flow, tempfile.mkdtemp(), ["svg"]))
    ['svg']
    """
    from litrev.synthesis.prisma.diagram import flow_diagram_svg

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format(s) {unknown}; choose from {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for fmt in formats:
        path = out / f"{stem}.{fmt}"
        if fmt == "svg":
            data = flow_diagram_svg(flow, title=title).encode("utf-8")
        else:
            data = render_bytes(flow, fmt)
        with atomic_output(path) as temporary:
            temporary.write_bytes(data)
        written[fmt] = path
    return written
