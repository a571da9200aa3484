"""The PRISMA 2020 flow diagram as a layout model: boxes, arrows, phase bands and headings.

One model, two renderers: `litrev.synthesis.prisma` writes it as SVG text and
`litrev.synthesis.prisma_export` draws it with matplotlib (PNG at 300 dpi, PDF), so the three
files show the same boxes at the same places. Coordinates are SVG pixels, y downwards.

Templates (PRISMA 2020, Page et al. 2021): "new" (databases and registers; other methods in a
right-hand column when the review used any) and "updated" (a previous-studies column on the left
whose studies join the new ones in "Total studies included in review"). Every box has an id
(`identified`, `removed`, `screened`, `excluded`, `sought`, `not-retrieved`, `assessed`,
`reports-excluded`, `included`, `previous`, `total`, `other-…`) and the names of the counts it
shows, so tests and tools can read a number back by box.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from litrev.synthesis.flow import Count, Flow
from litrev.synthesis.flow_checks import failing_equations

LINE_H = 17
PAD = 10
GAP = 34
SIDE_X = 70  # the phase labels sit left of this
MARKS = {"reported": "‡", "derived": "†", "override": "§"}

Lines = list[tuple[str, bool]]  # (text, bold)


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


def wrap(text: str, width: int, bold: bool = False, indent: str = "") -> Lines:
    """Wrap `text` to `width` characters, as box lines.

    >>> wrap("Records screened", 40, bold=True)
    [('Records screened', True)]
    """
    wrapped = textwrap.wrap(text, width=width, subsequent_indent=indent) or [""]
    return [(line, bold) for line in wrapped]


@dataclass
class _Spec:
    """A box before layout: its slot (column) and lines."""

    id: str
    lines: Lines
    counts: list[tuple[str, Count]] = field(default_factory=list)


def _counted(title: str, key: str, count: Count) -> _Spec:
    return _Spec("", [(title, True), (format_count(count), False)], [(key, count)])


def _sum(counts: dict[str, Count]) -> Count:
    if counts and all(c.known for c in counts.values()):
        sources = {c.source for c in counts.values()}
        total = sum(c.value or 0 for c in counts.values())
        return Count(total, "data" if sources == {"data"} else "derived")
    return Count(None, "not reported")


def _pending(n: int, conflicts: int, what: str, chars: int) -> Lines:
    if not n:
        return []
    extra = f", {conflicts:,} in conflict" if conflicts else ""
    return wrap(f"Awaiting a {what} decision: {n:,}{extra}", chars)


def _reasons(flow: Flow, reasons: dict[str, int], excluded: Count, chars: int) -> Lines:
    if excluded.value == 0:
        return []
    lines = [
        line
        for code, n in reasons.items()
        for line in wrap(f"{flow.label(code)} (n = {n:,})", chars, indent="  ")
    ]
    return lines or [("Reasons not reported", False)]


class _Skips:
    """`[flow] skip`, honoured only where the box's count is unknown or zero."""

    def __init__(self, flow: Flow) -> None:
        self.wanted = set(flow.skip)
        self.kept: list[str] = []

    def __call__(self, name: str, count: Count) -> bool:
        if name not in self.wanted:
            return False
        if count.known and count.value:
            self.kept.append(f"{name} (n = {count.value:,})")
            return False
        return True


def _identification(flow: Flow, c: int, skips: _Skips, new: str) -> tuple[_Spec, _Spec | None]:
    found = _Spec("identified", [(f"{new}ecords identified from:", True)])
    databases = _sum(flow.databases)
    found.lines.append((f"Databases ({format_count(databases)}):", False))
    found.counts.append(("databases", databases))
    for name, count in flow.databases.items():
        found.lines += wrap(f"  {name} ({format_count(count)})", c, indent="    ")
        found.counts.append((f"databases:{name}", count))
    if flow.registers:
        registers = _sum(flow.registers)
        found.lines.append((f"Registers ({format_count(registers)}):", False))
        found.counts.append(("registers", registers))
        for name, count in flow.registers.items():
            found.lines += wrap(f"  {name} ({format_count(count)})", c, indent="    ")
            found.counts.append((f"registers:{name}", count))
    removed = _Spec("removed", [("Records removed before screening:", True)])
    for skip, key, label in (
        ("duplicates", "duplicates_removed", "Duplicate records removed"),
        ("automation", "automation_removed", "Records marked as ineligible by automation tools"),
        ("other_removed", "other_removed", "Records removed for other reasons"),
    ):
        count = getattr(flow, key)
        if skips(skip, count):
            continue
        removed.lines += wrap(f"{label} ({format_count(count)})", c)
        removed.counts.append((key, count))
    return found, (removed if removed.counts else None)


def _left_column(flow: Flow, c: int, skips: _Skips) -> list[tuple[str, _Spec, _Spec | None]]:
    """(phase, main box, side box) per row of the databases-and-registers column."""
    progress = flow.progress
    updated = flow.template == "updated"
    found, removed = _identification(flow, c, skips, "New r" if updated else "R")
    screened = _counted("Records screened", "records_screened", flow.records_screened)
    screened.lines += _pending(
        progress.title_abstract_pending, progress.title_abstract_conflicts, "title/abstract", c
    )
    excluded = _counted("Records excluded", "title_abstract_excluded", flow.title_abstract_excluded)
    sought = _counted("Reports sought for retrieval", "reports_sought", flow.reports_sought)
    missing: _Spec | None = _counted(
        "Reports not retrieved", "reports_not_retrieved", flow.reports_not_retrieved
    )
    if skips("reports_not_retrieved", flow.reports_not_retrieved):
        missing = None
    assessed = _counted(
        "Reports assessed for eligibility", "full_text_assessed", flow.full_text_assessed
    )
    assessed.lines += _pending(
        progress.full_text_pending, progress.full_text_conflicts, "full-text", c
    )
    out = _Spec(
        "", [("Reports excluded:", True)], [("full_text_excluded", flow.full_text_excluded)]
    )
    out.lines.append((format_count(flow.full_text_excluded), False))
    out.lines += _reasons(flow, flow.full_text_excluded_reasons, flow.full_text_excluded, c)
    new = "New studies" if updated else "Studies"
    included = _counted(f"{new} included in review", "included", flow.included)
    show_reports = updated or flow.included_reports.known
    if show_reports and not skips("included_reports", flow.included_reports):
        what = "Reports of new included studies" if updated else "Reports of included studies"
        included.lines += [(what, True), (format_count(flow.included_reports), False)]
        included.counts.append(("included_reports", flow.included_reports))
    rows: list[tuple[str, _Spec, _Spec | None]] = [
        ("Identification", found, removed),
        ("Screening", screened, excluded),
        ("Screening", sought, missing),
        ("Screening", assessed, out),
        ("Included", included, None),
    ]
    for spec, name in zip(
        (screened, excluded, sought, assessed, out, included),
        ("screened", "excluded", "sought", "assessed", "reports-excluded", "included"),
        strict=True,
    ):
        spec.id = name
    if missing is not None:
        missing.id = "not-retrieved"
    if updated:
        total = _counted("Total studies included in review", "total_studies", flow.total_studies)
        if not skips("included_reports", flow.total_reports):
            total.lines += [
                ("Reports of total included studies", True),
                (format_count(flow.total_reports), False),
            ]
            total.counts.append(("total_reports", flow.total_reports))
        total.id = "total"
        rows.append(("Included", total, None))
    return rows


def _other_column(flow: Flow, c: int, skips: _Skips) -> list[tuple[_Spec, _Spec | None] | None]:
    """(main, side) per row of the other-methods column; None where the row has no box."""
    other = flow.other
    found = _Spec("other-identified", [("Records identified from:", True)])
    for name, count in other.sources.items():
        method = other.methods.get(name, "")
        shown = f"{name} — {method}" if method and method.casefold() != name.casefold() else name
        found.lines += wrap(f"  {shown} ({format_count(count)})", c, indent="    ")
        found.counts.append((f"other:{name}", count))
    if not other.sources:
        found.lines.append((f"Other methods ({format_count(other.identified)})", False))
        found.counts.append(("other.identified", other.identified))
    sought = _counted("Reports sought for retrieval", "other.reports_sought", other.reports_sought)
    sought.id = "other-sought"
    if other.also_in_databases.value:
        sought.lines += wrap(
            f"Also found by databases (removed): {other.also_in_databases.value:,}", c
        )
    if other.title_abstract_excluded.value:
        sought.lines += wrap(
            f"Excluded at title/abstract: {other.title_abstract_excluded.value:,}", c
        )
    sought.lines += _pending(
        other.progress.title_abstract_pending,
        other.progress.title_abstract_conflicts,
        "title/abstract",
        c,
    )
    missing: _Spec | None = _counted(
        "Reports not retrieved", "other.reports_not_retrieved", other.reports_not_retrieved
    )
    if skips("reports_not_retrieved", other.reports_not_retrieved):
        missing = None
    else:
        missing.id = "other-not-retrieved"  # type: ignore[union-attr]
    assessed = _counted(
        "Reports assessed for eligibility", "other.full_text_assessed", other.full_text_assessed
    )
    assessed.id = "other-assessed"
    assessed.lines += _pending(
        other.progress.full_text_pending, other.progress.full_text_conflicts, "full-text", c
    )
    out = _Spec(
        "other-reports-excluded",
        [("Reports excluded:", True), (format_count(other.full_text_excluded), False)],
        [("other.full_text_excluded", other.full_text_excluded)],
    )
    out.lines += _reasons(flow, other.full_text_excluded_reasons, other.full_text_excluded, c)
    return [(found, None), None, (sought, missing), (assessed, out)]


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

    >>> from litrev.synthesis.flow import Count, Flow
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
    skips = _Skips(flow)
    left = _left_column(flow, chars, skips)
    right = _other_column(flow, chars, skips) if two else []
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
        cells: list[tuple[int, _Spec]] = [(first, main)] + ([(first + 1, side)] if side else [])
        if updated and row == 0:
            previous = _Spec(
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
