"""The PRISMA 2020 flow diagram, drawn as a self-contained SVG.

The boxes come from `litrev.synthesis.prisma.layout` (templates for new and updated reviews,
other methods on the right when the review used any, optional boxes skipped per `[flow] skip`);
this module writes that layout as SVG text. Drawn directly rather than with a plotting library
so the file is small, deterministic, readable in any browser and editable in Inkscape. Each box
is a `<g id="prisma-ID" data-counts="name=value;…">` so a reader (or a test) can find a box's
numbers. Counts that were reported, derived or overridden carry a mark explained in the legend.

Every text and attribute value goes through `markupsafe.escape` (quotes included): titles,
database names and reasons come from users' files.
"""

from __future__ import annotations

from markupsafe import escape

from litrev.synthesis.prisma.flow import Flow
from litrev.synthesis.prisma.layout import LINE_H, MARKS, PAD, SIDE_X, Box, format_count, layout

__all__ = ["MARKS", "flow_diagram_svg", "format_count"]


def _text(value: object) -> str:
    text = str(value)
    # SVG collapses leading spaces; no-break spaces keep a list's indent.
    stripped = text.lstrip(" ")
    return str(escape("\u00a0" * (len(text) - len(stripped)) + stripped))


def _box_svg(box: Box) -> str:
    counts = ";".join(
        f"{name}={'' if c.value is None else c.value}:{c.source}" for name, c in box.counts
    )
    parts = [
        f'<g id="prisma-{_text(box.id)}" class="prisma-box" data-counts="{_text(counts)}">',
        f'<rect class="{box.css}" x="{box.x}" y="{box.y}" width="{box.width}" '
        f'height="{box.height}" rx="4"/>',
    ]
    for i, (line, bold) in enumerate(box.lines):
        ty = box.y + PAD + LINE_H * (i + 1) - 4
        weight = ' font-weight="bold"' if bold else ""
        parts.append(f'<text x="{box.x + PAD}" y="{ty}"{weight}>{_text(line)}</text>')
    parts.append("</g>")
    return "\n".join(parts)


def _arrow(points: list[tuple[int, int]]) -> str:
    if len(points) == 2:
        (x1, y1), (x2, y2) = points
        return (
            f'<line class="arrow" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" marker-end="url(#head)"/>'
        )
    joined = " ".join(f"{x},{y}" for x, y in points)
    return f'<polyline class="arrow" fill="none" points="{joined}" marker-end="url(#head)"/>'


def flow_diagram_svg(flow: Flow, *, title: str = "PRISMA 2020 flow diagram") -> str:
    """Render the flow as an SVG document (a string), in the template `flow.template` names.

    >>> from litrev.synthesis.prisma.flow import Count, Flow
    >>> nr = Count(None, "not reported")
    >>> flow = Flow({"MEDLINE": Count(10, "reported")}, Count(10, "derived"), nr, nr, nr,
    ...             Count(8, "reported"), Count(5, "derived"), nr, nr, Count(3, "reported"),
    ...             Count(1, "derived"), {}, Count(2, "data"))
    >>> svg = flow_diagram_svg(flow)
    >>> svg.startswith("<svg") and 'id="prisma-included"' in svg
    True
    """
    diagram = layout(flow)
    body: list[str] = []
    for box in diagram.headings:
        body.append(
            f'<rect class="heading-box" x="{box.x}" y="{box.y}" width="{box.width}" '
            f'height="{box.height}" rx="4"/>'
        )
        body.append(
            f'<text class="heading" x="{box.x + 10}" y="{box.y + 21}">{_text(box.lines[0][0])}</text>'
        )
    body += [_box_svg(box) for box in diagram.boxes]
    body += [_arrow(points) for points in diagram.arrows]
    for box in diagram.phases:
        cx, cy = box.x + box.width // 2, box.y + box.height // 2
        body.append(
            f'<rect class="phase" x="{box.x}" y="{box.y}" width="{box.width}" '
            f'height="{box.height}" rx="4"/>'
        )
        body.append(
            f'<text class="phase-label" x="{cx}" y="{cy}" '
            f'transform="rotate(-90 {cx} {cy})" text-anchor="middle">{_text(box.lines[0][0])}</text>'
        )
    for i, line in enumerate(diagram.legend):
        body.append(
            f'<text class="legend" x="{SIDE_X}" '
            f'y="{diagram.legend_y + i * LINE_H}">{_text(line)}</text>'
        )
    width, height = diagram.width, diagram.height
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{_text(title)}" '
            f'class="prisma-flow" data-template="{_text(flow.template)}">',
            f"<title>{_text(title)}</title>",
            '<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            'fill="#333"/></marker></defs>',
            "<style>text{font-family:Helvetica,Arial,sans-serif;font-size:13px;fill:#111}"
            ".box{fill:#fff;stroke:#333;stroke-width:1.2}.phase{fill:#cfe3f5;stroke:#6a9fd0}"
            ".warning{fill:#fff1f0;stroke:#c0392b;stroke-width:1.4}"
            ".heading-box{fill:#fde9b8;stroke:#c9a227}"
            ".phase-label{font-weight:bold;font-size:14px}.arrow{stroke:#333;stroke-width:1.4}"
            ".legend{font-size:11px;fill:#444}.heading{font-size:16px;font-weight:bold}</style>",
            *body,
            "</svg>",
            "",
        ]
    )
