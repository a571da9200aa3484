"""A record's page (history, notes, tags, other versions) and its note and tag forms.

Everything about other reviewers' work goes through the core's blind rule
(`notes_for`, `tags_for`, `record_history`): nothing here filters on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from litrev.screening.blinding import blind_for
from litrev.screening.history import record_history
from litrev.screening.model import STAGES, ScreeningError
from litrev.screening.notes import (
    add_note,
    add_tag,
    notes_for,
    remove_note,
    remove_tag,
    tag_counts,
    tags_for,
)
from litrev.web.render import is_fragment, page
from litrev.web.routes.screening_view import STAGE_LABELS, marker_of, record_view, stage_value
from litrev.web.security import Member, reviewer, viewer

router = APIRouter()


def notes_context(
    member: Member, record_id: int, stage: str, *, back: str = "record", error: str | None = None
) -> dict[str, Any]:
    """The notes-and-tags panel of one record at one stage, as the member may see it."""
    screening = member.review.screening
    return {
        "review": member.review,
        "member": member,
        "record_id": record_id,
        "stage": stage,
        "notes": notes_for(screening, record_id, stage, member.username, role=member.role),
        "tags": tags_for(screening, record_id, stage, member.username, role=member.role),
        "known_tags": list(tag_counts(screening, stage, member.username, role=member.role)),
        "back": back,
        "notes_error": error,
    }


@router.get("/r/{key}/records/{rid}")
def record_page(
    request: Request,
    member: Annotated[Member, Depends(viewer)],
    rid: int,
    stage: str = "title_abstract",
) -> Response:
    """The record with its whole history; viewers read it (no forms for them)."""
    stage = stage_value(stage)
    review = member.review
    screening = review.screening
    view = record_view(review, rid, marker_of(request, review))
    per_stage = []
    for each in STAGES:
        own = screening.decision_of(rid, each.value, member.username)
        others = screening.visible_decisions(rid, each.value, member.username, role=member.role)
        hidden = blind_for(screening, rid, each.value, member.username, role=member.role)
        here = rid in screening.eligible_records(each.value)
        # The settled outcome combines everyone's votes: shown only where nothing is blind.
        settled = None if hidden else screening.outcome(rid, each.value)
        final = settled if settled is not None and settled.final else None
        per_stage.append((each.value, STAGE_LABELS[each.value], own, others, hidden, here, final))
    return page(
        request,
        "record.html",
        view=view,
        history=record_history(screening, rid, member.username, role=member.role),
        per_stage=per_stage,
        stage_label=STAGE_LABELS.get(stage, stage),
        **notes_context(member, rid, stage),
    )


def _panel(
    request: Request, member: Member, rid: int, stage: str, back: str, error: str | None = None
) -> Response:
    """The refreshed panel for htmx; for a plain form, back to the page the form was on."""
    if is_fragment(request):
        context = notes_context(member, rid, stage, back=back, error=error)
        return page(request, "record_notes.html", **context)
    if error is not None:
        return page(request, "error.html", status_code=400, status=400, message=error)
    key = member.review.key
    url = (
        f"/r/{key}/screen?stage={stage}&record={rid}"
        if back == "screen"
        else f"/r/{key}/records/{rid}?stage={stage}"
    )
    return RedirectResponse(url, status_code=303)


def _change(
    request: Request,
    member: Member,
    rid: int,
    stage: str,
    back: str,
    change: Callable[[str], object],
) -> Response:
    """Run one note/tag `change` at the checked stage; its refusal is shown in the panel."""
    stage = stage_value(stage)
    try:
        change(stage)
    except ScreeningError as refused:
        return _panel(request, member, rid, stage, _back(back), str(refused))
    return _panel(request, member, rid, stage, _back(back))


def _back(value: str) -> str:
    # Only the two known pages: a form field never chooses where a redirect goes.
    return "screen" if value == "screen" else "record"


@router.post("/r/{key}/records/{rid}/notes")
def post_note(
    request: Request,
    member: Annotated[Member, Depends(reviewer)],
    rid: int,
    text: Annotated[str, Form(max_length=20_000)],
    stage: Annotated[str, Form(max_length=32)] = "title_abstract",
    back: Annotated[str, Form(max_length=16)] = "record",
) -> Response:
    return _change(
        request,
        member,
        rid,
        stage,
        back,
        lambda at: add_note(member.review.store, rid, at, member.username, text),
    )


@router.post("/r/{key}/records/{rid}/notes/{nid}/delete")
def delete_note(
    request: Request,
    member: Annotated[Member, Depends(reviewer)],
    rid: int,
    nid: int,
    stage: Annotated[str, Form(max_length=32)] = "title_abstract",
    back: Annotated[str, Form(max_length=16)] = "record",
) -> Response:

    def remove_mine(at: str) -> None:
        mine = {n.id for n in notes_for(member.review.screening, rid, at, member.username)}
        if nid not in mine:
            # Refused the same way whether the note is someone else's or on another record.
            raise ScreeningError(f"note {nid}: no such note of yours on record {rid}")
        remove_note(member.review.store, nid, by=member.username)

    return _change(request, member, rid, stage, back, remove_mine)


@router.post("/r/{key}/records/{rid}/tags")
def post_tag(
    request: Request,
    member: Annotated[Member, Depends(reviewer)],
    rid: int,
    tag: Annotated[str, Form(max_length=200)],
    stage: Annotated[str, Form(max_length=32)] = "title_abstract",
    back: Annotated[str, Form(max_length=16)] = "record",
) -> Response:
    return _change(
        request,
        member,
        rid,
        stage,
        back,
        lambda at: add_tag(member.review.store, rid, at, member.username, tag),
    )


@router.post("/r/{key}/records/{rid}/tags/delete")
def delete_tag(
    request: Request,
    member: Annotated[Member, Depends(reviewer)],
    rid: int,
    tag: Annotated[str, Form(max_length=200)],
    stage: Annotated[str, Form(max_length=32)] = "title_abstract",
    back: Annotated[str, Form(max_length=16)] = "record",
) -> Response:
    return _change(
        request,
        member,
        rid,
        stage,
        back,
        lambda at: remove_tag(member.review.store, rid, at, member.username, tag),
    )
