"""The screening page: one record at a time, decided by keyboard or click.

`GET /r/{key}/screen?stage=` shows the member's next record (ranked order, their allocation);
`POST /r/{key}/screen/decide` and `/screen/undo` answer an htmx request with the next record's
fragment and a toast, and a plain form post with a redirect back to the page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from litrev.screening import allocation
from litrev.screening.blinding import blind_for
from litrev.screening.fulltext import fulltexts_of
from litrev.screening.gates import gate
from litrev.screening.model import DecisionEvent, ScreeningError, current_decisions
from litrev.screening.notes import notes_for, tag_counts, tags_for
from litrev.web.render import is_fragment, page
from litrev.web.routes.screening_view import (
    STAGE_LABELS,
    QueueView,
    marker_of,
    new_key,
    numbered_reasons,
    record_view,
    stage_value,
    toast_text,
)
from litrev.web.security import Member, reviewer, viewer

router = APIRouter()


def _on_list(member: Member, stage: str, record_id: int) -> bool:
    """Whether the member may decide this record now: it is on their list (allocation, not
    yet screened by enough reviewers), or they decided it already and are changing it."""
    screening = member.review.screening
    if screening.decision_of(record_id, stage, member.username) is not None:
        return True
    return record_id in allocation.next_records(screening, stage, member.username)


def screen_context(
    request: Request,
    member: Member,
    stage: str,
    *,
    current: int | None = None,
    error: str | None = None,
    toast: str | None = None,
) -> dict[str, Any]:
    """Everything the record fragment shows: the record, its marks, the criteria, the
    ranking's explanation, the stopping estimate, progress, and the member's notes and tags."""
    review = member.review
    screening = review.screening
    queue = QueueView(request, member, stage)
    order, _, stopping = queue.snapshot()
    todo = allocation.next_records(screening, stage, member.username, order=order)
    record_id = current if current is not None and _may_show(member, stage, current, todo) else None
    if record_id is None and todo:
        record_id = todo[0]
    # This member's own figures only (allocation.progress would work out every reviewer's).
    live = current_decisions(screening.events(stage, reviewer=member.username))
    allotted = allocation.assigned(screening, stage, member.username)
    context: dict[str, Any] = {
        "review": review,
        "member": member,
        "stage": stage,
        "stage_label": STAGE_LABELS.get(stage, stage),
        "inclusion": list(review.project.protocol.eligibility.inclusion),
        "reasons": numbered_reasons(screening.reasons_for(stage)),
        "stopping": stopping,
        "decided": len(live),
        "remaining": len(todo),
        "assigned": None if allotted is None else len(allotted),
        "error": error,
        "toast": toast,
        "view": None,
        "undo_key": new_key(),
        "can_undo": bool(live),
    }
    if record_id is None:
        return context
    marker = marker_of(request, review)
    own = screening.decision_of(record_id, stage, member.username)
    context.update(
        view=record_view(review, record_id, marker),
        explain=queue.explain(record_id),
        explain_prior=queue.prior_driven(record_id),
        own=own,
        others=screening.visible_decisions(record_id, stage, member.username, role=member.role),
        blind=blind_for(screening, record_id, stage, member.username, role=member.role),
        notes=notes_for(screening, record_id, stage, member.username, role=member.role),
        tags=tags_for(screening, record_id, stage, member.username, role=member.role),
        known_tags=list(tag_counts(screening, stage, member.username, role=member.role)),
        idempotency_key=new_key(),
        fulltexts=fulltexts_of(review.store, record_id) if stage == "full_text" else [],
        position=(todo.index(record_id) + 1) if record_id in todo else None,
    )
    return context


def _may_show(member: Member, stage: str, record_id: int, todo: list[int]) -> bool:
    if record_id in todo:
        return True
    return member.review.screening.decision_of(record_id, stage, member.username) is not None


def _closed(request: Request, member: Member, stage: str) -> Response | None:
    """The page saying the stage is not open yet, or None when it is."""
    found = gate(member.review.screening, stage)
    if found.open:
        return None
    return _closed_page(request, member, stage)


def _closed_page(
    request: Request, member: Member, stage: str, *, viewer_only: bool = False
) -> Response:
    """The page in place of screening: the stage is closed, or (`viewer_only`) the member
    only reads."""
    return page(
        request,
        "screen_closed.html",
        review=member.review,
        member=member,
        stage=stage,
        stage_label=STAGE_LABELS.get(stage, stage),
        viewer_only=viewer_only,
    )


@router.get("/r/{key}/screen")
def screen(
    request: Request,
    member: Annotated[Member, Depends(viewer)],
    stage: str = "title_abstract",
    record: int | None = None,
    done: int | None = None,
) -> Response:
    """The screening page (viewers are told they read, not screen: no decision buttons).
    `done` (after a plain form post) names the record just decided, confirmed at the top."""
    stage = stage_value(stage)
    if member.role == "viewer":
        return _closed_page(request, member, stage, viewer_only=True)
    closed = _closed(request, member, stage)
    if closed is not None:
        return closed
    context = screen_context(request, member, stage, current=record)
    own = member.review.screening.decision_of(done, stage, member.username) if done else None
    if own is not None:  # only the member's own decision: nothing blind is confirmed here
        context["confirmed"] = toast_text(own).split(" — ")[0]
    template = "screen_record.html" if is_fragment(request) else "screen.html"
    return page(request, template, **context)


def _answer(
    request: Request,
    member: Member,
    stage: str,
    *,
    current: int | None,
    error: str | None = None,
    toast: str | None = None,
    done: int | None = None,
) -> Response:
    if is_fragment(request):
        # htmx swaps only 2xx answers: a refusal comes back as the same record with its reason.
        context = screen_context(request, member, stage, current=current, error=error, toast=toast)
        return page(request, "screen_record.html", **context)
    if error is not None:
        context = screen_context(request, member, stage, current=current, error=error)
        return page(request, "screen.html", status_code=422, **context)
    url = f"/r/{member.review.key}/screen?stage={stage}"
    if done is not None:
        url += f"&done={done}"
    return RedirectResponse(url, status_code=303)


@router.post("/r/{key}/screen/decide")
def decide(
    request: Request,
    member: Annotated[Member, Depends(reviewer)],
    record_id: Annotated[int, Form()],
    stage: Annotated[str, Form(max_length=32)] = "title_abstract",
    decision: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form(max_length=10_000)] = "",
    idempotency_key: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Record the member's decision (a reason button alone means exclude for that reason)."""
    stage = stage_value(stage)
    if not gate(member.review.screening, stage).open:
        raise HTTPException(409, f"{stage} is not open yet: the review's lead opens it")
    choice = decision.strip().lower() or ("exclude" if reason.strip() else "")
    if not choice:
        return _answer(
            request, member, stage, current=record_id, error="choose include, exclude or maybe"
        )
    if not _on_list(member, stage, record_id):
        return _answer(
            request,
            member,
            stage,
            current=None,
            error=f"record {record_id} is not on your list at {stage} (not assigned to you, "
            "or already screened by enough reviewers)",
        )
    try:
        event: DecisionEvent = member.review.screening.decide(
            record_id,
            reviewer=member.username,
            stage=stage,
            decision=choice,
            reason=reason.strip() or None,
            note=note.strip() or None,
            idempotency_key=idempotency_key.strip() or None,
            enforce_allocation=True,  # _on_list above gives the message; this closes the race
        )
    except ScreeningError as refused:
        return _answer(request, member, stage, current=record_id, error=str(refused))
    return _answer(
        request, member, stage, current=None, toast=toast_text(event), done=event.record_id
    )


@router.post("/r/{key}/screen/undo")
def undo(
    request: Request,
    member: Annotated[Member, Depends(reviewer)],
    stage: Annotated[str, Form(max_length=32)] = "title_abstract",
    record_id: Annotated[int | None, Form()] = None,
    idempotency_key: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Take back the member's latest decision at the stage (or on `record_id`) and show that
    record again."""
    stage = stage_value(stage)
    if not gate(member.review.screening, stage).open:
        raise HTTPException(409, f"{stage} is not open yet: the review's lead opens it")
    try:
        event = member.review.screening.undo(
            reviewer=member.username,
            stage=stage,
            record_id=record_id,
            idempotency_key=idempotency_key.strip() or None,
        )
    except ScreeningError as refused:
        return _answer(request, member, stage, current=record_id, error=str(refused))
    if not is_fragment(request):
        url = f"/r/{member.review.key}/screen?stage={stage}&record={event.record_id}"
        return RedirectResponse(url, status_code=303)
    return _answer(
        request, member, stage, current=event.record_id, toast=toast_text(event, undone=True)
    )
