"""Routes of the workspace: work allocation (the lead shares records out among reviewers).

`litrev.screening.allocation` does the work: `allocate` assigns every record of a stage to
`per_record` reviewers by shares, `progress` and `awaiting_second` say where each stands.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from litrev.screening.model import ScreeningError, Stage, parse_stage
from litrev.web.render import page
from litrev.web.routes.conflicts import STAGE_NAMES
from litrev.web.security import Member, lead, workspace_of

router = APIRouter()

MAX_FIELD = 200  # characters of any one allocation form value


def _candidates(request: Request, member: Member) -> list[tuple[str, str]]:
    """(username, role) of the members who may screen: leads and reviewers."""
    members = workspace_of(request).accounts.members(member.review.key)
    return [(name, role) for name, role in members if role in ("lead", "reviewer")]


def _awaiting(member: Member, stage: Stage, reviewers: list[str]) -> list[dict[str, Any]]:
    """Records waiting for another reviewer, with who decided (not what) and who is assigned."""
    from litrev.screening.allocation import assigned, awaiting_second
    from litrev.screening.texts import record_texts

    screening = member.review.screening
    waiting = awaiting_second(screening, stage.value)
    if not waiting:
        return []
    outcomes = screening.outcomes(stage)
    texts = record_texts(screening.store, waiting)
    allotted: dict[int, list[str]] = {}
    for name in reviewers:
        for record_id in assigned(screening, stage.value, name) or []:
            allotted.setdefault(record_id, []).append(name)
    rows = []
    for record_id in waiting:
        done = [v.reviewer for v in outcomes[record_id].votes]
        rows.append(
            {
                "id": record_id,
                "title": texts[record_id].title if record_id in texts else None,
                "decided": done,
                "waiting_for": [n for n in allotted.get(record_id, []) if n not in done],
            }
        )
    return rows


def _page(
    request: Request,
    member: Member,
    stage: Stage,
    *,
    result: dict[str, list[int]] | None = None,
    error: str | None = None,
    chosen: list[str] | None = None,
    shares: dict[str, str] | None = None,
    per_record: str | None = None,
    status_code: int = 200,
) -> Response:
    from litrev.screening.allocation import progress

    screening = member.review.screening
    candidates = _candidates(request, member)
    names = [n for n, _ in candidates]
    if chosen is None:
        chosen = [n for n, role in candidates if role == "reviewer"] or names
    if shares is None:
        equal = 100 / len(chosen) if chosen else 0
        shares = {n: f"{equal:g}" if n in chosen else "" for n in names}
    required = screening.settings(stage).reviewers_required
    rows = progress(screening, stage.value)
    return page(
        request,
        "allocation.html",
        status_code=status_code,
        member=member,
        review=member.review,
        stage=stage.value,
        stage_names=STAGE_NAMES,
        candidates=candidates,
        chosen=chosen,
        shares=shares,
        per_record=per_record or str(required),
        required=required,
        records=len(screening.eligible_records(stage)),
        progress=rows,
        allocated=any(p.assigned is not None for p in rows),
        awaiting=_awaiting(member, stage, names),
        result=result,
        error=error,
    )


@router.get("/r/{key}/allocation")
def allocation_page(
    request: Request, member: Annotated[Member, Depends(lead)], stage: str = "title_abstract"
) -> Response:
    return _page(request, member, parse_stage(stage))


def _share(name: str, text: str) -> float:
    """The percent typed for `name` ("40" or "40%"); `allocate` checks it is above 0."""
    try:
        return float(text.strip().rstrip("%").strip())
    except ValueError:
        raise ScreeningError(
            f"share of {name} {text!r}: expected a percent, such as 40", field="shares"
        ) from None


@router.post("/r/{key}/allocation")
async def allocate_records(request: Request, member: Annotated[Member, Depends(lead)]) -> Response:
    from litrev.screening.allocation import allocate

    form = await request.form()
    values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    too_long = sorted(k for k, v in values.items() if len(v) > MAX_FIELD or len(k) > MAX_FIELD)
    if too_long:
        raise ScreeningError(f"allocation form: {too_long[0]} is over {MAX_FIELD} characters")
    stage = parse_stage(values.get("stage", "title_abstract"))
    chosen = [v for k, v in form.multi_items() if k == "reviewer" and isinstance(v, str)]
    names = {n for n, _ in _candidates(request, member)}
    shares_text = {n: values.get(f"share_{n}", "") for n in names}
    per_record = values.get("per_record", "").strip()
    try:
        unknown = sorted(set(chosen) - names)
        if unknown:
            raise ScreeningError(
                f"{', '.join(unknown)}: not a lead or reviewer of this review", field="reviewer"
            )
        if not per_record.isdigit():
            raise ScreeningError(
                f"reviewers per record {per_record!r}: expected a whole number", field="per_record"
            )
        result = allocate(
            member.review.screening,
            stage.value,
            chosen,
            per_record=int(per_record),
            shares={n: _share(n, shares_text[n]) for n in chosen},
            by=member.username,  # the lead signed in, never a form field
        )
    except ScreeningError as refused:
        return _page(
            request,
            member,
            stage,
            error=str(refused),
            chosen=chosen,
            shares=shares_text,
            per_record=per_record,
            status_code=400,
        )
    return _page(request, member, stage, result=result, chosen=chosen, shares=shares_text)
