"""Routes of the workspace: conflicts and their resolution, and the stage gates.

The pages only call the core: `litrev.screening.conflict_list` says what each member may see
of a conflict and who may resolve it, `litrev.screening.gates` opens and closes stages.
"""

from __future__ import annotations

import math
import secrets
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from litrev.screening.model import ScreeningError, Stage, parse_stage
from litrev.web.render import is_fragment, page
from litrev.web.security import Member, lead, reviewer, viewer

router = APIRouter()

STAGE_NAMES = {"title_abstract": "Titles and abstracts", "full_text": "Full texts"}
METHOD_NAMES = {"consensus": "consensus", "third_reviewer": "third reviewer"}
PAGE_SIZE = 50  # conflicts per page: each carries its form; a review can have hundreds


def new_key() -> str:
    """A fresh idempotency key for one form: submitting it twice resolves once."""
    return secrets.token_urlsafe(18)


def reason_labels(member: Member) -> dict[str, str]:
    """{reason code: the protocol's label} for showing reasons by name."""
    return {r.code: r.label for r in member.review.screening.reasons}


def gate_context(member: Member) -> dict[str, Any]:
    """What the stage-gate card needs: the full-text gate with the work left before it."""
    from litrev.screening.gates import gate

    return {"gate": gate(member.review.screening, Stage.FULL_TEXT.value)}


def visible_conflicts(member: Member, stage: Stage) -> int:
    """How many open conflicts of a stage the member may see (blind ones are not counted)."""
    from litrev.screening.conflict_list import conflict_board

    board = conflict_board(
        member.review.screening, stage, member.username, role=member.role, limit=0
    )
    return board.totals[0]


def _row_context(member: Member, item: Any, error: str | None = None) -> dict[str, Any]:
    from litrev.screening.conflict_list import may_resolve

    return {
        "member": member,
        "review": member.review,
        "item": item,
        "allowed": may_resolve(item, member.username, role=member.role),
        "reasons": member.review.screening.reasons_for(item.stage),
        "labels": reason_labels(member),
        "methods": METHOD_NAMES,
        "new_key": new_key,
        "error": error,
    }


@router.get("/r/{key}/conflicts")
def conflicts_page(
    request: Request,
    member: Annotated[Member, Depends(viewer)],
    stage: str = "title_abstract",
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> Response:
    from litrev.screening.conflict_list import conflict_board, may_resolve

    chosen = parse_stage(stage)
    screening = member.review.screening
    board = conflict_board(
        screening,
        chosen,
        member.username,
        role=member.role,
        offset=(page_number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    counts = {
        s.value: board.totals[0] if s is chosen else visible_conflicts(member, s) for s in Stage
    }
    allowed = {
        i.record_id for i in board.conflicts if may_resolve(i, member.username, role=member.role)
    }
    return page(
        request,
        "conflicts.html",
        member=member,
        review=member.review,
        board=board,
        stage=chosen.value,
        stage_names=STAGE_NAMES,
        counts=counts,
        resolvable=allowed,
        reasons=screening.reasons_for(chosen),
        labels=reason_labels(member),
        methods=METHOD_NAMES,
        new_key=new_key,
        back=f"/r/{member.review.key}/conflicts?stage={chosen.value}",
        page_number=page_number,
        pages=max(1, math.ceil(board.totals[0] / PAGE_SIZE)),
        first=(page_number - 1) * PAGE_SIZE + 1,
        **gate_context(member),
    )


@router.post("/r/{key}/conflicts/{rid}/resolve")
def resolve(
    request: Request,
    member: Annotated[Member, Depends(reviewer)],
    rid: int,
    stage: Annotated[str, Form(max_length=32)],
    decision: Annotated[str, Form(max_length=16)],
    reason: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form(max_length=10_000)] = "",
    method: Annotated[str, Form(max_length=32)] = "",
    idempotency_key: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    from litrev.screening.conflict_list import NotAllowed, resolve_conflict

    screening = member.review.screening
    chosen = parse_stage(stage)
    error = None
    try:
        resolve_conflict(
            screening,
            rid,
            stage=chosen,
            decision=decision,
            by=member.username,  # the actor is the signed-in member, never a form field
            role=member.role,
            reason=reason or None,
            method=method or None,
            note=note or None,
            idempotency_key=idempotency_key or None,
        )
    except NotAllowed as refused:
        raise HTTPException(403, str(refused)) from None
    except ScreeningError as refused:
        if not is_fragment(request):
            raise
        error = str(refused)
    return _resolved_answer(request, member, rid, chosen, error)


@router.post("/r/{key}/conflicts/{rid}/reopen")
def reopen(
    request: Request,
    member: Annotated[Member, Depends(lead)],
    rid: int,
    stage: Annotated[str, Form(max_length=32)],
    idempotency_key: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """The lead takes a resolution back (a retraction row and its audit entry, as
    `Screening.undo` writes them): the record is a conflict again."""
    screening = member.review.screening
    chosen = parse_stage(stage)
    error = None
    try:
        screening.undo(
            reviewer=member.username,
            stage=chosen,
            record_id=rid,
            resolution=True,
            idempotency_key=idempotency_key or None,
        )
    except ScreeningError as refused:
        if not is_fragment(request):
            raise
        error = str(refused)
    return _resolved_answer(request, member, rid, chosen, error)


def _resolved_answer(
    request: Request, member: Member, rid: int, chosen: Stage, error: str | None
) -> Response:
    """After a resolve or reopen: the conflicts list for a plain form, else the row's new
    state (400 with the refusal, if any) and the gate card for htmx."""
    from litrev.screening.conflict_list import conflict_item

    back = f"/r/{member.review.key}/conflicts?stage={chosen.value}"
    if not is_fragment(request):
        return RedirectResponse(back, status_code=303)
    item = conflict_item(member.review.screening, rid, chosen, member.username, role=member.role)
    return page(
        request,
        "conflicts_resolved.html",
        status_code=400 if error else 200,
        count=visible_conflicts(member, chosen),
        back=back,
        **_row_context(member, item, error),
        **gate_context(member),
    )


def _back(member: Member, back: str) -> str:
    """Where to return after a gate change: a page of this review, never another site."""
    home = f"/r/{member.review.key}/"
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not parts.path.startswith(home):
        return home + "dashboard"
    return back


async def _gate_answer(
    request: Request, member: Member, back: str, error: str | None, status: int = 200
) -> Response:
    if is_fragment(request) or error:
        return page(
            request,
            "conflicts_gate.html" if is_fragment(request) else "conflicts_gate_page.html",
            status_code=status,
            member=member,
            review=member.review,
            back=_back(member, back),
            error=error,
            **gate_context(member),
        )
    return RedirectResponse(_back(member, back), status_code=303)


@router.post("/r/{key}/stages/{stage}/open")
async def open_stage(
    request: Request,
    member: Annotated[Member, Depends(lead)],
    stage: str,
    force: Annotated[str, Form(max_length=8)] = "",
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    from litrev.screening import gates

    chosen = parse_stage(stage)
    try:
        gates.open_stage(
            member.review.screening,
            chosen.value,
            by=member.username,
            force=force.strip().lower() in ("1", "true", "yes", "on"),
        )
    except ScreeningError as refused:
        # Work is left at the stage before: say how much, and offer "open anyway".
        return await _gate_answer(request, member, back, str(refused), status=409)
    return await _gate_answer(request, member, back, None)


@router.post("/r/{key}/stages/{stage}/close")
async def close_stage(
    request: Request,
    member: Annotated[Member, Depends(lead)],
    stage: str,
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    from litrev.screening import gates

    chosen = parse_stage(stage)
    try:
        gates.close_stage(member.review.screening, chosen.value, by=member.username)
    except ScreeningError as refused:
        return await _gate_answer(request, member, back, str(refused), status=400)
    return await _gate_answer(request, member, back, None)
