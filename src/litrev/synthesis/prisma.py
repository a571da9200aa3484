"""The PRISMA 2020 flow diagram (new reviews, databases), drawn as a self-contained SVG.

Drawn directly rather than with a plotting library so the file is small, deterministic, readable
in any browser and editable in Inkscape. Counts that were reported (not computed from records)
or derived from other counts carry a mark explained in the legend.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape

from litrev.synthesis.flow import Count, Flow

WIDTH = 940
LEFT_X, LEFT_W = 70, 400
RIGHT_X, RIGHT_W = 520, 400
LINE_H = 17
PAD = 10
GAP = 34
CHARS_LEFT = 52
CHARS_RIGHT = 52
MARKS = {"reported": "‡", "derived": "†"}


def format_count(count: Count) -> str:
    """`n = 5,191`, with a source mark; `n = not reported` when unknown.

    >>> format_count(Count(979, "reported"))
    'n\\xa0=\\xa0979\\xa0‡'
    """
    # No-break spaces keep "n = 47" on one line when a box wraps its text.
    if not count.known:
        return "n\u00a0=\u00a0not\u00a0reported"
    mark = MARKS.get(count.source, "")
    return f"n\u00a0=\u00a0{count.value:,}" + (f"\u00a0{mark}" if mark else "")


@dataclass
class _Box:
    x: int
    y: int
    width: int
    lines: list[tuple[str, bool]]  # (text, bold)

    @property
    def height(self) -> int:
        # At least three lines, so that the rotated phase label fits beside the last box.
        return PAD * 2 + LINE_H * max(len(self.lines), 3)


def _wrap(text: str, width: int, bold: bool = False, indent: str = "") -> list[tuple[str, bool]]:
    wrapped = textwrap.wrap(text, width=width, subsequent_indent=indent) or [""]
    return [(line, bold) for line in wrapped]


def _box_svg(box: _Box, css_class: str = "box") -> str:
    parts = [
        f'<rect class="{css_class}" x="{box.x}" y="{box.y}" width="{box.width}" '
        f'height="{box.height}" rx="4"/>'
    ]
    for i, (line, bold) in enumerate(box.lines):
        y = box.y + PAD + LINE_H * (i + 1) - 4
        weight = ' font-weight="bold"' if bold else ""
        parts.append(f'<text x="{box.x + PAD}" y="{y}"{weight}>{escape(line)}</text>')
    return "\n".join(parts)


def _arrow(x1: int, y1: int, x2: int, y2: int) -> str:
    return f'<line class="arrow" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" marker-end="url(#head)"/>'


def flow_diagram_svg(flow: Flow, *, title: str = "PRISMA 2020 flow diagram") -> str:
    """Render the flow as an SVG document (a string).

    >>> from litrev.synthesis.flow import Count, Flow
    >>> nr = Count(None, "not reported")
    >>> flow = Flow({"MEDLINE": Count(10, "reported")}, Count(10, "derived"), nr, nr, nr,
    ...             Count(8, "reported"), Count(5, "derived"), nr, nr, Count(3, "reported"),
    ...             Count(1, "derived"), {}, Count(2, "data"))
    >>> svg = flow_diagram_svg(flow)
    >>> svg.startswith("<svg") and "Studies included in review" in svg
    True
    """
    db_lines = [(f"Databases ({format_count(flow.identified)}):", False)]
    for name, count in flow.databases.items():
        db_lines += _wrap(f"  {name} ({format_count(count)})", CHARS_LEFT, indent="    ")
    rows: list[tuple[str, list[tuple[str, bool]], list[tuple[str, bool]] | None]] = [
        (
            "Identification",
            [("Records identified from:", True), *db_lines],
            [
                ("Records removed before screening:", True),
                *_wrap(
                    f"Duplicate records removed ({format_count(flow.duplicates_removed)})",
                    CHARS_RIGHT,
                ),
                *_wrap(
                    f"Records marked as ineligible by automation tools "
                    f"({format_count(flow.automation_removed)})",
                    CHARS_RIGHT,
                ),
                *_wrap(
                    f"Records removed for other reasons ({format_count(flow.other_removed)})",
                    CHARS_RIGHT,
                ),
            ],
        ),
        (
            "Screening",
            [("Records screened", True), (format_count(flow.records_screened), False)],
            [("Records excluded", True), (format_count(flow.title_abstract_excluded), False)],
        ),
        (
            "Screening",
            [("Reports sought for retrieval", True), (format_count(flow.reports_sought), False)],
            [("Reports not retrieved", True), (format_count(flow.reports_not_retrieved), False)],
        ),
        (
            "Screening",
            [
                ("Reports assessed for eligibility", True),
                (format_count(flow.full_text_assessed), False),
            ],
            [
                ("Reports excluded:", True),
                (format_count(flow.full_text_excluded), False),
                *(
                    [
                        line
                        for reason, n in flow.full_text_excluded_reasons.items()
                        for line in _wrap(f"{reason} (n = {n:,})", CHARS_RIGHT, indent="  ")
                    ]
                    or [("Reasons not reported", False)]
                ),
            ],
        ),
        (
            "Included",
            [("Studies included in review", True), (format_count(flow.included), False)],
            None,
        ),
    ]
    body: list[str] = []
    phases: dict[str, list[int]] = {}
    y = 60
    previous_bottom: int | None = None
    for phase, left_lines, right_lines in rows:
        left = _Box(LEFT_X, y, LEFT_W, left_lines)
        right = _Box(RIGHT_X, y, RIGHT_W, right_lines) if right_lines else None
        height = max(left.height, right.height if right else 0)
        left.lines += [("", False)] * ((height - left.height) // LINE_H)
        if right:
            right.lines += [("", False)] * ((height - right.height) // LINE_H)
        if previous_bottom is not None:
            body.append(_arrow(LEFT_X + LEFT_W // 2, previous_bottom, LEFT_X + LEFT_W // 2, y))
        body.append(_box_svg(left))
        if right:
            body.append(_box_svg(right))
            mid = y + min(left.height, right.height) // 2
            body.append(_arrow(LEFT_X + LEFT_W, mid, RIGHT_X, mid))
        phases.setdefault(phase, []).extend([y, y + height])
        previous_bottom = y + height
        y += height + GAP
    for phase, ys in phases.items():
        top, bottom = min(ys), max(ys)
        cx, cy = 30, (top + bottom) // 2
        body.append(
            f'<rect class="phase" x="12" y="{top}" width="36" height="{bottom - top}" rx="4"/>'
        )
        body.append(
            f'<text class="phase-label" x="{cx}" y="{cy}" '
            f'transform="rotate(-90 {cx} {cy})" text-anchor="middle">{phase}</text>'
        )
    legend_y = y
    legend = [
        "‡ reported by the review team (no record-level data held)",
        "† derived from other counts; unmarked counts come from the review's records",
    ]
    for i, line in enumerate(legend):
        body.append(
            f'<text class="legend" x="{LEFT_X}" y="{legend_y + i * LINE_H}">{escape(line)}</text>'
        )
    height = legend_y + LINE_H * len(legend) + 10
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}" class="prisma-flow">',
            f"<title>{escape(title)}</title>",
            '<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            'fill="#333"/></marker></defs>',
            "<style>text{font-family:Helvetica,Arial,sans-serif;font-size:13px;fill:#111}"
            ".box{fill:#fff;stroke:#333;stroke-width:1.2}.phase{fill:#cfe3f5;stroke:#6a9fd0}"
            ".phase-label{font-weight:bold;font-size:14px}.arrow{stroke:#333;stroke-width:1.4}"
            ".legend{font-size:11px;fill:#444}.heading{font-size:16px;font-weight:bold}</style>",
            f'<rect x="{LEFT_X}" y="14" width="{RIGHT_X + RIGHT_W - LEFT_X}" height="30" fill="#fde9b8" '
            'stroke="#c9a227" rx="4"/>',
            f'<text class="heading" x="{LEFT_X + 10}" y="35">Identification of studies via databases and registers</text>',
            *body,
            "</svg>",
            "",
        ]
    )
