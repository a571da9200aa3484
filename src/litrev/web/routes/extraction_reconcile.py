"""Reconciliation of double extraction in the browser: the records whose extractors have all
completed them, and each record side by side (one row per field and group row: every
extractor's value, agree or not, take one or edit with a reason).

Blinding, who may reconcile and every check of a value are the core's
(`litrev.extraction.agreement.comparisons`, `.reconcile.reconcile`, `accept_agreements`,
`may_reconcile`); the actor is always the signed-in member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from litrev.web.render import page
from litrev.web.routes.extraction_view import included_records, titles_of
from litrev.web.security import Member, reviewer, viewer

router = APIRouter()


def _finished(review: Any) -> dict[int, list[str]]:
    """{record: its extractors} for included records with two or more extractors who have all
    completed it (what reconciliation needs)."""
    from litrev.extraction.assign import extractors_on
    from litrev.extraction.values import states_on

    out: dict[int, list[str]] = {}
    with review.store.connect() as conn:
        for rid in included_records(review):
            who = extractors_on(conn, rid)
            states = states_on(conn, rid)
            if len(who) >= 2 and all(states.get(w) == "complete" for w in who):
                out[rid] = who
    return out


def _comparisons(member: Member, record_id: int) -> list[Any]:
    from litrev.extraction.agreement import comparisons

    review = member.review
    return comparisons(
        review.store,
        review.project.protocol.codebook,
        record_id,
        viewer=member.username,
        is_lead=member.is_lead,
    )


def _open(rows: list[Any]) -> list[Any]:
    """The rows still to settle: the field applies, the extractors differ, no consensus."""
    return [c for c in rows if c.applies and not c.agree and c.reconciliation is None]


@dataclass(frozen=True)
class ReadyRow:
    record_id: int
    title: str
    extractors: list[str]
    disagreements: int
    to_settle: int
    settled: int
    may: bool


@router.get("/r/{key}/reconcile")
def reconcile_list(request: Request, member: Annotated[Member, Depends(viewer)]) -> Response:
    """The records ready to reconcile, with their counts of disagreements (the lead sees all;
    an extractor their own records; a viewer reads)."""
    from litrev.extraction.reconcile import may_reconcile

    review = member.review
    ready = _finished(review)
    if not member.is_lead and member.role != "viewer":
        ready = {r: w for r, w in ready.items() if member.username in w}
    titles = titles_of(review, list(ready))
    rows = []
    for rid, who in ready.items():
        found = _comparisons(member, rid)
        rows.append(
            ReadyRow(
                rid,
                titles.get(rid, f"record {rid}"),
                who,
                sum(1 for c in found if c.applies and not c.agree),
                len(_open(found)),
                sum(1 for c in found if c.reconciliation is not None),
                may_reconcile(review.store, rid, member.username, member.is_lead),
            )
        )
    return page(
        request,
        "reconcile_list.html",
        review=review,
        member=member,
        rows=rows,
        mode=review.project.protocol.extraction.mode,
        message=request.query_params.get("message", "")[:300],
    )


@router.get("/r/{key}/reconcile/{rid}")
def reconcile_record(
    request: Request, rid: int, member: Annotated[Member, Depends(viewer)]
) -> Response:
    """One record side by side: every extractor's value per field and row, agreement, the
    consensus so far with who decided it and why, and (for those who may) the forms."""
    return _record_page(request, member, rid)


def _record_page(
    request: Request,
    member: Member,
    rid: int,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    from litrev.extraction.reconcile import may_reconcile

    review = member.review
    titles = titles_of(review, [rid])
    if rid not in titles:
        raise HTTPException(404, f"record {rid}: no such record in this review")
    rows = _comparisons(member, rid)
    extractors = sorted({w for c in rows for w in c.values})
    ready = rid in _finished(review)
    may = (
        member.role != "viewer"
        and ready
        and may_reconcile(review.store, rid, member.username, member.is_lead)
    )
    return page(
        request,
        "reconcile_record.html",
        status_code=status_code,
        review=review,
        member=member,
        record_id=rid,
        title=titles[rid],
        rows=rows,
        extractors=extractors,
        ready=ready,
        may=may,
        open_count=len(_open(rows)),
        error=error,
        message=request.query_params.get("message", "")[:300],
    )


@router.post("/r/{key}/reconcile/{rid}")
def reconcile_post(
    request: Request,
    rid: int,
    member: Annotated[Member, Depends(reviewer)],
    field: Annotated[str, Form(max_length=200)] = "",
    instance: Annotated[int, Form(ge=0)] = 0,
    take: Annotated[str, Form(max_length=200)] = "",
    value: Annotated[str | None, Form(max_length=100_000)] = None,
    location: Annotated[str, Form(max_length=1000)] = "",
    reason: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """Settle one field (and row): take one extractor's value (`take`), or record an edited
    `value` (with its `location` for a quote) and the reason."""
    from litrev.errors import LitrevError
    from litrev.extraction.reconcile import reconcile

    review = member.review
    codebook = review.project.protocol.codebook
    if not field:
        raise HTTPException(422, "field: name the codebook field to reconcile")
    try:
        reconcile(
            review.store,
            codebook,
            rid,
            field,
            instance,
            value=None if take else (value or ""),
            location=location or None,
            by=member.username,
            reason=reason.strip(),
            chosen_from=take or None,
            is_lead=member.is_lead,
        )
    except LitrevError as refused:
        return _record_page(request, member, rid, error=str(refused), status_code=422)
    done = f"{field}{f' row {instance}' if instance else ''} settled"
    return RedirectResponse(
        f"/r/{review.key}/reconcile/{rid}?{urlencode({'message': done})}#c-{field}-{instance}",
        status_code=303,
    )


@router.post("/r/{key}/reconcile/{rid}/accept-agreed")
def reconcile_accept(
    request: Request, rid: int, member: Annotated[Member, Depends(reviewer)]
) -> Response:
    """Every field the extractors agree on becomes the consensus (method "agreed")."""
    from litrev.errors import LitrevError
    from litrev.extraction.reconcile import accept_agreements

    review = member.review
    try:
        count = accept_agreements(
            review.store,
            review.project.protocol.codebook,
            rid,
            by=member.username,
            is_lead=member.is_lead,
        )
    except LitrevError as refused:
        return _record_page(request, member, rid, error=str(refused), status_code=422)
    message = f"{count} agreed value{'s' if count != 1 else ''} accepted as the consensus"
    return RedirectResponse(
        f"/r/{review.key}/reconcile/{rid}?{urlencode({'message': message})}", status_code=303
    )
