"""Resolving conflicts in the terminal: the screener, over a stage's conflicts, for whoever
settles them (one of the reviewers after discussion, or a third reviewer).

Every reviewer's decision is shown (resolution is never blind); `i` and `e` record the
resolution (include, or exclude with a reason), `m` is refused (a resolution must decide), `u`
retracts the last resolution made in this session.
"""

from __future__ import annotations

from collections.abc import Sequence

from litrev.screening.decisions import Screening
from litrev.screening.model import DecisionEvent, ScreeningError, Stage, current_resolutions
from litrev.tui.screen import ScreenerApp


class ResolverApp(ScreenerApp):
    """Walk through the unresolved conflicts of `stage` as resolver `reviewer`."""

    TITLE = "litrev screen --resolve"
    DONE_WORD = "resolved"

    def __init__(
        self,
        screening: Screening,
        *,
        reviewer: str,
        stage: str | Stage = Stage.TITLE_ABSTRACT,
        terms: Sequence[str] = (),
        negative_terms: Sequence[str] = (),
    ) -> None:
        order = [c.record_id for c in screening.conflicts(stage)]
        super().__init__(
            screening,
            reviewer=reviewer,
            stage=stage,
            order=order,
            terms=terms,
            negative_terms=negative_terms,
        )
        self.resolved_here: list[int] = []

    def _load_mine(self) -> None:
        wanted = set(self.order)
        self.mine = {
            rid: e.decision + (f" ({e.reason})" if e.reason else "")
            for rid, e in current_resolutions(self.screening.events(self.stage)).items()
            if rid in wanted
        }

    def _votes_line(self, record_id: int) -> str:
        votes = self.screening.outcome(record_id, self.stage).votes
        shown = "; ".join(
            f"{v.reviewer}: {v.decision}" + (f" ({v.reason})" if v.reason else "") for v in votes
        )
        settled = self.mine.get(record_id)
        line = f"Reviewers: {shown}"
        return line + (f" · Resolved: [b]{settled}[/b]" if settled else " · [b]Unresolved[/b]")

    def _write(self, record_id: int, decision: str, reason: str | None) -> DecisionEvent:
        event = self.screening.resolve(
            record_id, stage=self.stage, decision=decision, reason=reason, by=self.reviewer
        )
        self.resolved_here.append(record_id)
        return event

    def _unwrite(self) -> DecisionEvent:
        if not self.resolved_here:
            raise ScreeningError("no resolution made in this session to undo")
        record_id = self.resolved_here.pop()
        return self.screening.undo(
            reviewer=self.reviewer, stage=self.stage, record_id=record_id, resolution=True
        )
