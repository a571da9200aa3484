"""The texts of the PRISMA 2020 boxes, per template and column (`layout.py` places them).

Each box spec has an id and the flow counts it shows, in the order of its lines; `[flow] skip`
removes an optional box or line only where its count is unknown or zero.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from litrev.synthesis.prisma.flow import Count, Flow

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


def wrap(text: str, width: int, bold: bool = False, indent: str = "") -> Lines:
    """Wrap `text` to `width` characters, as box lines.

    >>> wrap("Records screened", 40, bold=True)
    [('Records screened', True)]
    """
    wrapped = textwrap.wrap(text, width=width, subsequent_indent=indent) or [""]
    return [(line, bold) for line in wrapped]


@dataclass
class Spec:
    """A box before layout: its slot (column) and lines."""

    id: str
    lines: Lines
    counts: list[tuple[str, Count]] = field(default_factory=list)


def _counted(title: str, key: str, count: Count) -> Spec:
    return Spec("", [(title, True), (format_count(count), False)], [(key, count)])


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


class Skips:
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


def _identification(flow: Flow, c: int, skips: Skips, new: str) -> tuple[Spec, Spec | None]:
    found = Spec("identified", [(f"{new}ecords identified from:", True)])
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
    removed = Spec("removed", [("Records removed before screening:", True)])
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


def left_column(flow: Flow, c: int, skips: Skips) -> list[tuple[str, Spec, Spec | None]]:
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
    missing: Spec | None = _counted(
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
    out = Spec("", [("Reports excluded:", True)], [("full_text_excluded", flow.full_text_excluded)])
    out.lines.append((format_count(flow.full_text_excluded), False))
    out.lines += _reasons(flow, flow.full_text_excluded_reasons, flow.full_text_excluded, c)
    new = "New studies" if updated else "Studies"
    included = _counted(f"{new} included in review", "included", flow.included)
    show_reports = updated or flow.included_reports.known
    if show_reports and not skips("included_reports", flow.included_reports):
        what = "Reports of new included studies" if updated else "Reports of included studies"
        included.lines += [(what, True), (format_count(flow.included_reports), False)]
        included.counts.append(("included_reports", flow.included_reports))
    rows: list[tuple[str, Spec, Spec | None]] = [
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


def other_column(flow: Flow, c: int, skips: Skips) -> list[tuple[Spec, Spec | None] | None]:
    """(main, side) per row of the other-methods column; None where the row has no box."""
    other = flow.other
    found = Spec("other-identified", [("Records identified from:", True)])
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
    missing: Spec | None = _counted(
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
    out = Spec(
        "other-reports-excluded",
        [("Reports excluded:", True), (format_count(other.full_text_excluded), False)],
        [("other.full_text_excluded", other.full_text_excluded)],
    )
    out.lines += _reasons(flow, other.full_text_excluded_reasons, other.full_text_excluded, c)
    return [(found, None), None, (sought, missing), (assessed, out)]
