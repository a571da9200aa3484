"""Routes of the workspace: the dashboard (progress, agreement, the live PRISMA flow, stopping).

Everything is computed from the store at each request, with the functions `litrev status`,
`litrev agreement` and `litrev report` use, so the page is never staler than the last decision.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from litrev.screening.model import Stage
from litrev.web.render import page
from litrev.web.routes import allocation
from litrev.web.routes.conflicts import STAGE_NAMES, gate_context
from litrev.web.security import Member, viewer

router = APIRouter()
# The allocation pages ride on this router (routes/__init__.py registers one router per area).
router.include_router(allocation.router)

# The SVG is shown with <img> (which never runs script); opened on its own it still may not,
# and its one inline <style> element is all it needs.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class ReviewerBar:
    """One reviewer's progress bar: `done` of `of`. Without allocation, their decisions of the
    stage's records; with it, their assigned records no longer waiting for them (decided by
    them, or settled) of those assigned. `decided` counts every decision they made."""

    reviewer: str
    decided: int
    assigned: int | None
    remaining: int
    records: int

    @property
    def of(self) -> int:
        return self.records if self.assigned is None else self.assigned

    @property
    def done(self) -> int:
        return self.decided if self.assigned is None else self.assigned - self.remaining


def _number(value: float, digits: int = 2) -> str:
    return "undefined" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _stage_panel(member: Member, stage: Stage) -> dict[str, Any]:
    from litrev.screening.agreement_report import agreement_report
    from litrev.screening.allocation import progress

    screening = member.review.screening
    status = screening.status(stage)
    bars = [
        ReviewerBar(p.reviewer, p.decided, p.assigned, p.remaining, status.records)
        for p in progress(screening, stage.value)
    ]
    pairs = [
        {
            "a": pair.reviewers[0],
            "b": pair.reviewers[1],
            "n": pair.stats.n,
            "percent": f"{100 * pair.stats.percent:.1f}",
            "kappa": _number(pair.stats.kappa.kappa),
            "low": _number(pair.stats.kappa.ci_low),
            "high": _number(pair.stats.kappa.ci_high),
            "clipped": pair.stats.kappa.clipped,
        }
        for pair in agreement_report(screening, stage).pairs
    ]
    return {
        "stage": stage.value,
        "name": STAGE_NAMES[stage.value],
        "status": status,
        "bars": bars,
        "pairs": pairs,
        "settings": screening.settings(stage),
    }


class _Queues:
    """One `ScreeningQueue` per (review, reviewer) at title/abstract, kept across requests: a
    queue reads only the decisions added since its last use, so the estimate stays current
    without replaying the stage each time. Rebuilt when the stage's records change."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[tuple[str, str], tuple[Any, threading.Lock]] = {}

    def message(self, member: Member, reviewer: str, eligible: list[int]) -> str | None:
        from litrev.screening.queue import ScreeningQueue

        key = (member.review.key, reviewer)
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0].records != eligible:
                queue = ScreeningQueue(
                    member.review.screening, reviewer=reviewer, stage=Stage.TITLE_ABSTRACT
                )
                entry = self.entries[key] = (queue, threading.Lock())
        with entry[1]:
            message: str | None = entry[0].stopping_message()
            return message


def _queues(request: Request) -> _Queues:
    state = request.app.state
    with _STATE_LOCK:
        if not hasattr(state, "dashboard_queues"):
            state.dashboard_queues = _Queues()
    queues: _Queues = state.dashboard_queues
    return queues


_STATE_LOCK = threading.Lock()


def _stopping(request: Request, member: Member, names: list[str]) -> list[tuple[str, str]]:
    """(reviewer, stopping message) at title/abstract: the member's own, and for the lead
    every reviewer's (a reviewer's include count is theirs and the lead's to see)."""
    wanted = names if member.is_lead else [n for n in names if n == member.username]
    if not wanted:
        return []
    eligible = member.review.screening.eligible_records(Stage.TITLE_ABSTRACT)
    queues = _queues(request)
    rows = []
    for name in wanted:
        message = queues.message(member, name, eligible)
        if message:
            rows.append((name, message))
    return rows


@router.get("/r/{key}/dashboard")
def dashboard(request: Request, member: Annotated[Member, Depends(viewer)]) -> Response:
    panels = [_stage_panel(member, stage) for stage in Stage]
    screeners = [b.reviewer for b in panels[0]["bars"] if b.decided]
    return page(
        request,
        "dashboard.html",
        member=member,
        review=member.review,
        panels=panels,
        stopping=_stopping(request, member, screeners),
        back=f"/r/{member.review.key}/dashboard",
        **gate_context(member),
    )


def live_flow_svg(member: Member) -> str:
    """The review's PRISMA 2020 flow diagram from the store now, drawn as `litrev report`
    draws it."""
    from litrev.synthesis.prisma.diagram import flow_diagram_svg
    from litrev.synthesis.prisma.flow import compute_flow
    from litrev.synthesis.prisma.flow_data import flow_data

    project = member.review.project
    flow = compute_flow(project.protocol, flow_data(project.store, project.protocol))
    return flow_diagram_svg(flow, title=f"PRISMA 2020 flow: {member.review.title}")


@router.get("/r/{key}/dashboard/prisma.svg")
def prisma_svg(member: Annotated[Member, Depends(viewer)]) -> Response:
    return Response(
        live_flow_svg(member),
        media_type="image/svg+xml",
        headers={"Content-Security-Policy": SVG_POLICY, "Cache-Control": "no-store"},
    )
