"""The PRISMA 2020 flow diagram as a layout model: boxes, arrows, phase bands and headings.

One model, two renderers: `litrev.synthesis.prisma.diagram` writes it as SVG text and
`litrev.synthesis.prisma.export` draws it with matplotlib (PNG at 300 dpi, PDF), so the three
files show the same boxes at the same places. Coordinates are SVG pixels, y downwards.

Templates (PRISMA 2020, Page et al. 2021): "new" (databases and registers; other methods in a
right-hand column when the review used any) and "updated" (a previous-studies column on the left
whose studies join the new ones in "Total studies included in review"). Every box has an id
(`identified`, `removed`, `screened`, `excluded`, `sought`, `not-retrieved`, `assessed`,
`reports-excluded`, `included`, `previous`, `total`, `other-…`) and the names of the counts it
shows, so tests and tools can read a number back by box.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from litrev.synthesis.prisma.boxes import (
    MARKS,
    Lines,
    Skips,
    Spec,
    format_count,
    left_column,
    other_column,
    wrap,
)
from litrev.synthesis.prisma.flow import Count, Flow
from litrev.synthesis.prisma.flow_checks import failing_equations

__all__ = ["LINE_H", "MARKS", "PAD", "SIDE_X", "Box", "Diagram", "format_count", "layout", "wrap"]

LINE_H = 17
PAD = 10
GAP = 34
SIDE_X = 70  # the phase labels sit left of this


@dataclass
class Box:
    """One box: where, its lines, and the flow counts it shows (in the order of its lines)."""

    id: str
    x: int
    y: int
    width: int
    height: int
    lines: Lines
    counts: list[tuple[str, Count]] = field(default_factory=list)
    css: str = "box"  # "box" | "warning" | "heading-box" | "phase"


@dataclass
class Diagram:
    """A laid-out diagram: what both renderers draw."""

    width: int
    height: int
    boxes: list[Box] = field(default_factory=list)
    arrows: list[list[tuple[int, int]]] = field(default_factory=list)  # polylines, head at end
    headings: list[Box] = field(default_factory=list)
    phases: list[Box] = field(default_factory=list)  # label in lines[0], drawn rotated
    legend: list[str] = field(default_factory=list)
    legend_y: int = 0
    # `[flow] skip` entries not honoured because their count is known and not zero.
    kept: list[str] = field(default_factory=list)


def _height(lines: Lines) -> int:
    # At least three lines, so that the rotated phase label fits beside the last box.
    return PAD * 2 + LINE_H * max(len(lines), 3)


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
        unfinished += wrap(
            f"{pending:,} record(s) await a title/abstract decision, {pending_ft:,} report(s) a "
            f"full-text decision; {conflicts:,} open conflict(s).",
            chars,
        )
    failing: Lines = []
    equations = failing_equations(flow)
    if equations:
        failing = [("These boxes do not add up:", True)]
        for equation in equations:
            failing += wrap(equation.explanation(), chars, indent="  ")
    return unfinished, failing


def _legend(flow: Flow, boxes: list[Box]) -> list[str]:
    # Only the marks some count carries are explained (a legend of unused marks puzzles).
    shown = "\n".join(line for box in boxes for line, _ in box.lines)
    legend = [
        line
        for mark, line in (
            (MARKS["reported"], "‡ reported by the review team (no record-level data held)"),
            (MARKS["derived"], "† derived from other counts"),
        )
        if f"\u00a0{mark}" in shown
    ]
    for name, (computed, value) in flow.overrides.items():
        was = "not computed" if computed is None else f"litrev counted {computed:,}"
        legend.append(f"§ {name} = {value:,} set in [flow.overrides] ({was})")
    if legend:
        legend.append("Unmarked counts come from the review's records.")
    return legend


def layout(flow: Flow) -> Diagram:
    """Lay out the flow's boxes for its template.

    >>> from litrev.synthesis.prisma.flow import Count, Flow
    >>> nr = Count(None, "not reported")
    >>> flow = Flow({"A": Count(10, "data")}, Count(10, "data"), nr, nr, nr, Count(8, "data"),
    ...             Count(5, "data"), nr, nr, Count(3, "data"), Count(1, "data"), {},
    ...             Count(2, "data"))
    >>> [b.id for b in layout(flow).boxes][:3]
    ['identified', 'removed', 'screened']
    """
    updated = flow.template == "updated"
    two = flow.other.present
    if two or updated:
        # 13 px Helvetica averages about 7 px a character; 8 px margin each side.
        width, chars = 280, 37
        if updated:
            offsets = [0, 340, 640, 980, 1280] if two else [0, 340, 640]
        else:
            offsets = [0, 300, 640, 940]
    else:
        width, chars = 400, 52
        offsets = [0, 450]
    xs = [SIDE_X + o for o in offsets]
    total_w = xs[-1] + width + 20
    skips = Skips(flow)
    left = left_column(flow, chars, skips)
    right = other_column(flow, chars, skips) if two else []
    first = 1 if updated else 0  # slot of the left column's main boxes
    diagram = Diagram(total_w, 0)
    unfinished, failing = _notes(flow, (total_w - SIDE_X - 20) // 7 - 4)
    y = 14
    if unfinished:
        height = PAD * 2 + LINE_H * len(unfinished)
        diagram.boxes.append(
            Box("unfinished", SIDE_X, y, total_w - SIDE_X - 20, height, unfinished, css="warning")
        )
        y += height + 12
    heads = [
        (
            first,
            first + 1,
            "Identification of new studies via databases and registers"
            if updated
            else "Identification of studies via databases and registers",
        )
    ]
    if updated:
        heads.insert(0, (0, 0, "Previous studies"))
    if two:
        heads.append(
            (
                first + 2,
                first + 3,
                "Identification of new studies via other methods"
                if updated
                else "Identification of studies via other methods",
            )
        )
    for a, b, text in heads:
        diagram.headings.append(
            Box(
                f"heading-{a}",
                xs[a],
                y,
                xs[b] + width - xs[a],
                30,
                [(text, True)],
                css="heading-box",
            )
        )
    y += 46
    bottoms: dict[int, int] = {}
    phase_span: dict[str, list[int]] = {}
    for row, (phase, main, side) in enumerate(left):
        cells: list[tuple[int, Spec]] = [(first, main)] + ([(first + 1, side)] if side else [])
        if updated and row == 0:
            previous = Spec(
                "previous",
                [
                    ("Studies included in previous version of review", True),
                    (format_count(flow.previous_studies), False),
                    ("Reports of studies included in previous version of review", True),
                    (format_count(flow.previous_reports), False),
                ],
                [
                    ("previous_studies", flow.previous_studies),
                    ("previous_reports", flow.previous_reports),
                ],
            )
            previous.lines = [
                line for text, bold in previous.lines for line in wrap(text, chars, bold)
            ]
            cells.append((0, previous))
        if row < len(right) and right[row] is not None:
            other_main, other_side = right[row]  # type: ignore[misc]
            cells.append((first + 2, other_main))
            if other_side is not None:
                cells.append((first + 3, other_side))
        height = max(_height(spec.lines) for _, spec in cells)
        mid = y + height // 2
        for slot, spec in cells:
            box = Box(spec.id, xs[slot], y, width, height, spec.lines, spec.counts)
            diagram.boxes.append(box)
            centre = xs[slot] + width // 2
            main_slot = slot in (first, first + 2)
            if main_slot and slot in bottoms:
                diagram.arrows.append([(centre, bottoms[slot]), (centre, y)])
            if main_slot:
                bottoms[slot] = y + height
            if slot in (first + 1, first + 3):
                diagram.arrows.append([(xs[slot - 1] + width, mid), (xs[slot], mid)])
        if main.id == "included" and two and first + 2 in bottoms:
            # Other methods' assessed reports join the included studies (an elbow arrow).
            x_from = xs[first + 2] + width // 2
            diagram.arrows.append(
                [(x_from, bottoms[first + 2]), (x_from, mid), (xs[first] + width, mid)]
            )
        if main.id == "total":
            # The previous version's studies join the new ones in the total.
            x_prev = xs[0] + width // 2
            diagram.arrows.append([(x_prev, bottoms[0]), (x_prev, mid), (xs[first], mid)])
        if updated and row == 0:
            bottoms[0] = y + height
        phase_span.setdefault(phase, []).extend([y, y + height])
        y += height + GAP
    for phase, ys in phase_span.items():
        top, bottom = min(ys), max(ys)
        diagram.phases.append(
            Box(f"phase-{phase.lower()}", 12, top, 36, bottom - top, [(phase, True)], css="phase")
        )
    if failing:
        height = PAD * 2 + LINE_H * len(failing)
        diagram.boxes.append(
            Box("failing", SIDE_X, y, total_w - SIDE_X - 20, height, failing, css="warning")
        )
        y += height + 16
    diagram.kept = skips.kept
    if skips.kept:
        note = wrap(
            "[flow] skip not applied, the count is not zero: " + ", ".join(skips.kept),
            (total_w - SIDE_X - 20) // 7 - 4,
        )
        height = PAD * 2 + LINE_H * len(note)
        diagram.boxes.append(
            Box("skip-kept", SIDE_X, y, total_w - SIDE_X - 20, height, note, css="warning")
        )
        y += height + 16
    diagram.legend = _legend(flow, diagram.boxes)
    diagram.legend_y = y
    diagram.height = y + LINE_H * len(diagram.legend) + 10
    return diagram
