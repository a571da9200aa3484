"""The JSON API under /api/: the caller, a review's summary, records and decisions.

Every route depends on `api_caller` or one of `api_viewer`/`api_reviewer`/`api_lead` (a
`Bearer lrv_...` API token, or a browser session whose writes carry the CSRF token). The actor
of every write is the caller: no body names a reviewer. Handlers call the screening core and
hold no review logic; blind mode is the core's `litrev.screening.blinding` rule.

Handlers are plain `def`s: FastAPI runs them in its thread pool, so one slow database write
never stalls the event loop for every other reviewer. On SQLite those threads' writes take turns
in `Store.transaction` (one in-process lock per database file, for the pages' writes too).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response
from fastapi.security import HTTPBearer

from litrev.accounts import User
from litrev.web import schemas as s
from litrev.web.security import (
    Member,
    api_reviewer,
    api_viewer,
    current_visitor,
    workspace_of,
)

# Documents the bearer scheme in /openapi.json; the check itself is in web.security.
bearer = HTTPBearer(auto_error=False, description="An API token from /account/tokens (lrv_...)")

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": s.Problem, "description": text}
    for code, text in (
        (400, "Refused input (the message says what was expected)"),
        (401, "Neither an API token nor a signed-in session"),
        (403, "Your role in this review does not allow it (or a missing CSRF token)"),
        (404, "No such review (or you are not a member), record or stage"),
        (422, "The request does not match the schema"),
    )
}

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS, dependencies=[Depends(bearer)])

RecordPath = Annotated[int, Path(ge=1, le=s.MAX_ID)]
StageQuery = Annotated[s.StageName, Query()]
KeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (e.g. a UUID): a repeat with the same key writes nothing "
        "and returns the first result",
    ),
]
Viewer = Annotated[Member, Depends(api_viewer)]
Reviewer = Annotated[Member, Depends(api_reviewer)]


def api_caller(request: Request) -> tuple[User, Literal["token", "session"]]:
    """Any signed-in caller, by API token or session (for routes outside one review); 401
    otherwise. Used as `Depends(api_caller)` (see `me`)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = workspace_of(request).accounts.token_user(header[7:].strip())
        if user is not None:
            return user, "token"
    else:
        visitor = current_visitor(request)
        if visitor is not None:
            return visitor.user, "session"
    raise HTTPException(401, "sign in or send an API token (Authorization: Bearer ...)")


def decision_out(event: Any) -> s.DecisionOut:
    """A decisions-log row (`DecisionEvent`) as the API shows it.

    >>> from litrev.screening.model import DecisionEvent
    >>> decision_out(DecisionEvent(7, 3, "title_abstract", "ann", "exclude", "population")).reason
    'population'
    """
    return s.DecisionOut(
        id=event.id,
        record_id=event.record_id,
        stage=event.stage,
        reviewer=event.reviewer,
        decision=event.decision,
        reason=event.reason,
        note=event.note,
        resolution=event.resolution,
        retracts=event.retracts,
        created_at=_utc(event.created_at),
    )


def record_out(text: Any) -> s.RecordOut:
    """A record's texts (`RecordText`) as the API shows them.

    >>> from litrev.screening.texts import RecordText
    >>> record_out(RecordText(3, "Paramedics at home", None, ["Lee K"], 2021)).citation
    'Lee K (2021)'
    """
    return s.RecordOut(
        id=text.id,
        title=text.title,
        abstract=text.abstract,
        authors=list(text.authors),
        year=text.year,
        journal=text.journal,
        doi=text.doi,
        citation=text.citation,
    )


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _record(member: Member, record_id: int) -> Any:
    from litrev.screening.texts import record_texts

    found = record_texts(member.review.store, [record_id]).get(record_id)
    if found is None:
        raise HTTPException(404, f"no record {record_id} in {member.review.key}")
    return found


@router.get("/me", response_model=s.Me, summary="Who you are, and your reviews and roles")
def me(
    request: Request,
    caller: Annotated[tuple[User, Literal["token", "session"]], Depends(api_caller)],
) -> s.Me:
    user, via = caller
    workspace = workspace_of(request)
    reviews = [
        s.ReviewRole(key=key, title=workspace.reviews[key].title, role=role)
        for key, role in workspace.accounts.projects_of(user.username)
        if key in workspace.reviews
    ]
    return s.Me(username=user.username, display_name=user.display_name, via=via, reviews=reviews)


@router.get("/r/{key}", response_model=s.ReviewSummary, summary="A review's stages and counts")
def review_summary(member: Viewer) -> s.ReviewSummary:
    from litrev.screening.gates import gate

    screening = member.review.screening
    stages = []
    for stage in ("title_abstract", "full_text"):
        status, settings = screening.status(stage), screening.settings(stage)
        stages.append(
            s.StageSummary(
                stage=stage,
                open=gate(screening, stage).open,
                blind=settings.blind,
                reviewers_required=settings.reviewers_required,
                records=status.records,
                unscreened=status.unscreened,
                awaiting=status.awaiting,
                conflicts=status.conflicts,
                agreed=status.agreed,
                resolved=status.resolved,
                included=status.included,
                excluded=status.excluded,
            )
        )
    review = member.review
    return s.ReviewSummary(key=review.key, title=review.title, role=member.role, stages=stages)


@router.get(
    "/r/{key}/records/next",
    response_model=s.NextRecord,
    summary="The next record for you to screen (your allocation, in the ranked order)",
)
def next_record(
    request: Request, member: Reviewer, stage: StageQuery = "title_abstract"
) -> s.NextRecord:
    from litrev.screening.allocation import next_records
    from litrev.screening.gates import require_open
    from litrev.web.routes.screening_view import QueueView

    screening = member.review.screening
    require_open(screening, stage)
    # The screening page's queue, kept across requests: one ranking per reviewer and stage.
    queue = QueueView(request, member, stage)
    order, _queue, stopping = queue.snapshot()
    todo = next_records(screening, stage, member.username, order=order)
    if not todo:
        return s.NextRecord(stage=stage, remaining=0, record=None, why=None, stopping=stopping)
    first = _record(member, todo[0])
    return s.NextRecord(
        stage=stage,
        remaining=len(todo),
        record=record_out(first),
        why=queue.explain(first.id),
        stopping=stopping,
    )


@router.get(
    "/r/{key}/records/{rid}",
    response_model=s.RecordDetail,
    summary="A record with the decisions, notes and tags you may see (blind mode applies)",
)
def record_detail(
    member: Viewer, rid: RecordPath, stage: StageQuery = "title_abstract"
) -> s.RecordDetail:
    from litrev.screening.blinding import blind_for
    from litrev.screening.history import record_history
    from litrev.screening.notes import notes_for, tags_for

    screening, who, role = member.review.screening, member.username, member.role
    text = _record(member, rid)
    mine = screening.decision_of(rid, stage, who)
    return s.RecordDetail(
        record=record_out(text),
        stage=stage,
        blind=blind_for(screening, rid, stage, who, role=role),
        mine=decision_out(mine) if mine else None,
        others=[decision_out(e) for e in screening.visible_decisions(rid, stage, who, role=role)],
        notes=[s.NoteOut(**vars(n)) for n in notes_for(screening, rid, stage, who, role=role)],
        tags=[s.TagOut(**vars(t)) for t in tags_for(screening, rid, stage, who, role=role)],
        history=[s.HistoryOut(**vars(h)) for h in record_history(screening, rid, who, role=role)],
    )


@router.post(
    "/r/{key}/decisions",
    response_model=s.DecisionOut,
    status_code=201,
    summary="Record (or change) your decision on a record",
    responses={200: {"model": s.DecisionOut, "description": "A repeated Idempotency-Key"}},
)
def decide(
    member: Reviewer,
    body: s.DecisionIn,
    response: Response,
    idempotency_key: KeyHeader = None,
) -> s.DecisionOut:
    from litrev.screening.gates import require_open

    screening = member.review.screening
    require_open(screening, body.stage)
    started = datetime.now(UTC)
    # As on the screening page: only a record on the caller's list (their allocation,
    # still short of its reviewers), or a change to their own decision; checked inside the
    # decision's transaction.
    event = screening.decide(
        body.record_id,
        reviewer=member.username,
        stage=body.stage,
        decision=body.decision,
        reason=body.reason,
        note=body.note,
        idempotency_key=idempotency_key,
        enforce_allocation=True,
    )
    _replay_status(response, idempotency_key, event, started)
    return decision_out(event)


def _replay_status(response: Response, key: str | None, event: Any, started: datetime) -> None:
    # A keyed request answered with a row written before this request began is a repeat:
    # 200, not 201, so a client can tell that nothing new was written.
    written = _utc(event.created_at)
    if key is not None and written is not None and written < started:
        response.status_code = 200


@router.post(
    "/r/{key}/decisions/undo",
    response_model=s.DecisionOut,
    summary="Take back your latest decision (on one record, or anywhere in the stage)",
)
def undo(member: Reviewer, body: s.UndoIn, idempotency_key: KeyHeader = None) -> s.DecisionOut:
    event = member.review.screening.undo(
        reviewer=member.username,
        stage=body.stage,
        record_id=body.record_id,
        idempotency_key=idempotency_key,
    )
    return decision_out(event)


@router.post(
    "/r/{key}/records/{rid}/notes",
    response_model=s.NoteOut,
    status_code=201,
    summary="Add your note to a record",
)
def add_note(member: Reviewer, rid: RecordPath, body: s.NoteIn) -> s.NoteOut:
    from litrev.screening import notes

    note = notes.add_note(member.review.store, rid, body.stage, member.username, body.text)
    return s.NoteOut(**vars(note))


@router.post(
    "/r/{key}/records/{rid}/tags",
    response_model=s.TagOut,
    status_code=201,
    summary="Put your tag on a record (the same tag twice is kept once)",
)
def add_tag(member: Reviewer, rid: RecordPath, body: s.TagIn) -> s.TagOut:
    from litrev.screening import notes

    tag = notes.add_tag(member.review.store, rid, body.stage, member.username, body.tag)
    return s.TagOut(**vars(tag))


@router.delete(
    "/r/{key}/records/{rid}/tags/{tag}",
    status_code=204,
    summary="Take your tag off a record",
)
def remove_tag(
    member: Reviewer,
    rid: RecordPath,
    tag: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")],
    stage: StageQuery = "title_abstract",
) -> Response:
    from litrev.screening import notes

    notes.remove_tag(member.review.store, rid, stage, member.username, tag)
    return Response(status_code=204)
