"""The PRISMA 2020 flow diagram (new reviews), drawn as a self-contained SVG.

Databases and registers on the left; when the review used other methods (hand searching,
citation searching, websites, organisations) their own column on the right, as in the PRISMA
2020 template. Drawn directly rather than with a plotting library so the file is small,
deterministic, readable in any browser and editable in Inkscape. Counts that were reported (not
computed from records) or derived from other counts carry a mark explained in the legend. A
review still being screened says so above the boxes, and boxes that do not add up are named
below them.

Every text and attribute value goes through `markupsafe.escape` (quotes included): titles,
database names and reasons come from users' files.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from markupsafe import escape

from litrev.synthesis.flow import Count, Flow
from litrev.synthesis.flow_checks import failing_equations

LINE_H = 17
PAD = 10
GAP = 34
SIDE_X = 70  # the phase labels sit left of this
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


Lines = list[tuple[str, bool]]  # (text, bold)


@dataclass
class _Layout:
    width: int  # of each box
    chars: int  # characters per line in a box
    columns: list[int] = field(default_factory=list)  # x of each box column

    @property
    def total(self) -> int:
        return self.columns[-1] + self.width + 20


def _layout(two_columns: bool) -> _Layout:
    if two_columns:
        # 13 px Helvetica averages about 7 px a character; 8 px margin each side.
        return _Layout(280, 37, [SIDE_X, SIDE_X + 300, SIDE_X + 640, SIDE_X + 940])
    return _Layout(400, 52, [SIDE_X, SIDE_X + 450])


def _wrap(text: str, width: int, bold: bool = False, indent: str = "") -> Lines:
    wrapped = textwrap.wrap(text, width=width, subsequent_indent=indent) or [""]
    return [(line, bold) for line in wrapped]


def _text(value: object) -> str:
    text = str(value)
    # SVG collapses leading spaces; no-break spaces keep a list's indent.
    stripped = text.lstrip(" ")
    return str(escape("\u00a0" * (len(text) - len(stripped)) + stripped))


def _box_svg(x: int, y: int, width: int, height: int, lines: Lines, css: str = "box") -> str:
    parts = [f'<rect class="{css}" x="{x}" y="{y}" width="{width}" height="{height}" rx="4"/>']
    for i, (line, bold) in enumerate(lines):
        ty = y + PAD + LINE_H * (i + 1) - 4
        weight = ' font-weight="bold"' if bold else ""
        parts.append(f'<text x="{x + PAD}" y="{ty}"{weight}>{_text(line)}</text>')
    return "\n".join(parts)


def _arrow(x1: int, y1: int, x2: int, y2: int) -> str:
    return f'<line class="arrow" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" marker-end="url(#head)"/>'


def _height(lines: Lines | None) -> int:
    # At least three lines, so that the rotated phase label fits beside the last box.
    return PAD * 2 + LINE_H * max(len(lines or []), 3)


def _sources(heading: str, total: Count, counts: dict[str, Count], chars: int) -> Lines:
    lines = [(f"{heading} ({format_count(total)}):", False)]
    for name, count in counts.items():
        lines += _wrap(f"  {name} ({format_count(count)})", chars, indent="    ")
    return lines


def _reasons(flow: Flow, reasons: dict[str, int], excluded: Count, chars: int) -> Lines:
    if excluded.value == 0:
        return []
    lines = [
        line
        for code, n in reasons.items()
        for line in _wrap(f"{flow.label(code)} (n = {n:,})", chars, indent="  ")
    ]
    return lines or [("Reasons not reported", False)]


def _pending(n: int, conflicts: int, what: str, chars: int) -> Lines:
    if not n:
        return []
    extra = f", {conflicts:,} in conflict" if conflicts else ""
    return _wrap(f"Awaiting a {what} decision: {n:,}{extra}", chars)


def _rows(flow: Flow, lay: _Layout) -> list[tuple[str, list[Lines | None]]]:
    """Each row: its phase and the texts of its boxes (left main, left side, right main, right
    side); None where the row has no such box."""
    c = lay.chars
    other, progress = flow.other, flow.progress
    identified: Lines = [("Records identified from:", True)]
    identified += _sources("Databases", _sum(flow.databases), flow.databases, c)
    if flow.registers:
        identified += _sources("Registers", _sum(flow.registers), flow.registers, c)
    removed: Lines = [("Records removed before screening:", True)]
    for label, count in (
        ("Duplicate records removed", flow.duplicates_removed),
        ("Records marked as ineligible by automation tools", flow.automation_removed),
        ("Records removed for other reasons", flow.other_removed),
    ):
        removed += _wrap(f"{label} ({format_count(count)})", c)
    rows: list[tuple[str, list[Lines | None]]] = [("Identification", [identified, removed])]
    screened: Lines = [("Records screened", True), (format_count(flow.records_screened), False)]
    screened += _pending(
        progress.title_abstract_pending, progress.title_abstract_conflicts, "title/abstract", c
    )
    rows.append(
        (
            "Screening",
            [
                screened,
                [("Records excluded", True), (format_count(flow.title_abstract_excluded), False)],
            ],
        )
    )
    rows.append(
        (
            "Screening",
            [
                [
                    ("Reports sought for retrieval", True),
                    (format_count(flow.reports_sought), False),
                ],
                [
                    ("Reports not retrieved", True),
                    (format_count(flow.reports_not_retrieved), False),
                ],
            ],
        )
    )
    assessed: Lines = [
        ("Reports assessed for eligibility", True),
        (format_count(flow.full_text_assessed), False),
    ]
    assessed += _pending(progress.full_text_pending, progress.full_text_conflicts, "full-text", c)
    excluded: Lines = [("Reports excluded:", True), (format_count(flow.full_text_excluded), False)]
    excluded += _reasons(flow, flow.full_text_excluded_reasons, flow.full_text_excluded, c)
    rows.append(("Screening", [assessed, excluded]))
    rows.append(
        (
            "Included",
            [[("Studies included in review", True), (format_count(flow.included), False)], None],
        )
    )
    if other.present:
        found: Lines = [("Records identified from:", True)]
        for name, count in other.sources.items():
            method = other.methods.get(name, "")
            shown = (
                f"{name} — {method}" if method and method.casefold() != name.casefold() else name
            )
            found += _wrap(f"  {shown} ({format_count(count)})", c, indent="    ")
        if not other.sources:
            found.append((f"Other methods ({format_count(other.identified)})", False))
        sought: Lines = [
            ("Reports sought for retrieval", True),
            (format_count(other.reports_sought), False),
        ]
        if other.also_in_databases.value:
            sought += _wrap(
                f"Also found by databases (removed): {other.also_in_databases.value:,}", c
            )
        if other.title_abstract_excluded.value:
            sought += _wrap(
                f"Excluded at title/abstract: {other.title_abstract_excluded.value:,}", c
            )
        sought += _pending(
            other.progress.title_abstract_pending,
            other.progress.title_abstract_conflicts,
            "title/abstract",
            c,
        )
        other_assessed: Lines = [
            ("Reports assessed for eligibility", True),
            (format_count(other.full_text_assessed), False),
        ]
        other_assessed += _pending(
            other.progress.full_text_pending, other.progress.full_text_conflicts, "full-text", c
        )
        other_excluded: Lines = [
            ("Reports excluded:", True),
            (format_count(other.full_text_excluded), False),
        ]
        other_excluded += _reasons(
            flow, other.full_text_excluded_reasons, other.full_text_excluded, c
        )
        rows[0][1].extend([found, None])
        rows[1][1].extend([None, None])
        rows[2][1].extend(
            [
                sought,
                [
                    ("Reports not retrieved", True),
                    (format_count(other.reports_not_retrieved), False),
                ],
            ]
        )
        rows[3][1].extend([other_assessed, other_excluded])
        rows[4][1].extend([None, None])
    return rows


def _sum(counts: dict[str, Count]) -> Count:
    if counts and all(c.known for c in counts.values()):
        sources = {c.source for c in counts.values()}
        total = sum(c.value or 0 for c in counts.values())
        return Count(total, "data" if sources == {"data"} else "derived")
    return Count(None, "not reported")


def _notes(flow: Flow, chars: int) -> tuple[Lines, Lines]:
    """(screening in progress, boxes that do not add up) as box texts; empty when none."""
    progress, other = flow.progress, flow.other.progress
    pending = progress.title_abstract_pending + other.title_abstract_pending
    pending_ft = progress.full_text_pending + other.full_text_pending
    conflicts = (
        progress.title_abstract_conflicts
        + progress.full_text_conflicts
        + other.title_abstract_conflicts
        + other.full_text_conflicts
    )
    unfinished: Lines = []
    if pending or pending_ft:
        unfinished = [("Screening is not finished: these counts will change.", True)]
        unfinished += _wrap(
            f"{pending:,} record(s) await a title/abstract decision, {pending_ft:,} report(s) a "
            f"full-text decision; {conflicts:,} open conflict(s).",
            chars,
        )
    failing: Lines = []
    equations = failing_equations(flow)
    if equations:
        failing = [("These boxes do not add up:", True)]
        for equation in equations:
            failing += _wrap(equation.explanation(), chars, indent="  ")
    return unfinished, failing


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
    two = flow.other.present
    lay = _layout(two)
    wide_chars = (lay.total - SIDE_X - 20) // 7 - 4
    unfinished, failing = _notes(flow, wide_chars)
    body: list[str] = []
    y = 14
    if unfinished:
        height = _height(unfinished) - LINE_H * max(0, 3 - len(unfinished))
        body.append(_box_svg(SIDE_X, y, lay.total - SIDE_X - 20, height, unfinished, "warning"))
        y += height + 12
    headings = [
        (
            lay.columns[0],
            lay.columns[1] + lay.width,
            "Identification of studies via databases and registers",
        )
    ]
    if two:
        headings.append(
            (
                lay.columns[2],
                lay.columns[3] + lay.width,
                "Identification of studies via other methods",
            )
        )
    for x1, x2, text in headings:
        body.append(
            f'<rect class="heading-box" x="{x1}" y="{y}" width="{x2 - x1}" height="30" rx="4"/>'
        )
        body.append(f'<text class="heading" x="{x1 + 10}" y="{y + 21}">{_text(text)}</text>')
    y += 46
    phases: dict[str, list[int]] = {}
    bottoms: dict[int, int] = {}  # column -> bottom of its last box
    tops: dict[int, int] = {}
    rows = _rows(flow, lay)
    for row_index, (phase, boxes) in enumerate(rows):
        height = max(_height(b) for b in boxes if b is not None)
        for col, lines in enumerate(boxes):
            if lines is None:
                continue
            x = lay.columns[col]
            body.append(_box_svg(x, y, lay.width, height, lines))
            if col % 2 == 0:
                if col in bottoms:
                    body.append(_arrow(x + lay.width // 2, bottoms[col], x + lay.width // 2, y))
                bottoms[col] = y + height
                tops[col] = y
                side = boxes[col + 1] if col + 1 < len(boxes) else None
                if side is not None:
                    mid = y + height // 2
                    body.append(_arrow(x + lay.width, mid, lay.columns[col + 1], mid))
        if two and row_index == len(rows) - 1 and 2 in bottoms:
            # Other methods' assessed reports join the included studies (an elbow arrow).
            x_from = lay.columns[2] + lay.width // 2
            mid = y + height // 2
            body.append(
                f'<polyline class="arrow" fill="none" points="{x_from},{bottoms[2]} '
                f'{x_from},{mid} {lay.columns[0] + lay.width},{mid}" marker-end="url(#head)"/>'
            )
        phases.setdefault(phase, []).extend([y, y + height])
        y += height + GAP
    for phase, ys in phases.items():
        top, bottom = min(ys), max(ys)
        cx, cy = 30, (top + bottom) // 2
        body.append(
            f'<rect class="phase" x="12" y="{top}" width="36" height="{bottom - top}" rx="4"/>'
        )
        body.append(
            f'<text class="phase-label" x="{cx}" y="{cy}" '
            f'transform="rotate(-90 {cx} {cy})" text-anchor="middle">{_text(phase)}</text>'
        )
    if failing:
        height = PAD * 2 + LINE_H * len(failing)
        body.append(_box_svg(SIDE_X, y, lay.total - SIDE_X - 20, height, failing, "warning"))
        y += height + 16
    # Only the marks some count carries are explained (a legend of unused marks puzzles).
    shown = "\n".join(body)
    legend = [
        line
        for mark, line in (
            (MARKS["reported"], "‡ reported by the review team (no record-level data held)"),
            (MARKS["derived"], "† derived from other counts"),
        )
        if f"\u00a0{mark}" in shown
    ]
    if legend:
        legend.append("Unmarked counts come from the review's records.")
    for i, line in enumerate(legend):
        body.append(f'<text class="legend" x="{SIDE_X}" y="{y + i * LINE_H}">{_text(line)}</text>')
    height = y + LINE_H * len(legend) + 10
    width = lay.total
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{_text(title)}" class="prisma-flow">',
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
