"""The full-text stage in the browser: the records to assess with their PDFs, viewing one
beside its text, and the full-text decision (include, exclude with a reason, not retrieved).
Uploading and attaching PDFs is `litrev.web.routes.fulltext_upload`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from litrev.screening import fulltext as ft
from litrev.screening.blinding import blind_for
from litrev.web.render import page
from litrev.web.security import Member, reviewer, viewer
from litrev.web.workspace import Review

router = APIRouter()

STAGE = "full_text"
# No `sandbox` here: Chromium refuses to start its PDF viewer in a sandboxed document ("This
# page has been blocked", crbug 413851), so the PDF would never show. The file cannot run as a page
# of the app instead: only bytes starting %PDF- are stored, they are sent as application/pdf with
# nosniff, and the browser's viewer runs PDF script (if any) in its own isolated process.
PDF_CSP = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"


@dataclass(frozen=True)
class Row:
    """One record of the full-text list: its citation, PDFs and this member's decision."""

    id: int
    text: Any
    files: list[ft.FullText]
    mine: Any


def _citations(review: Review, ids: list[int]) -> dict[int, Any]:
    from litrev.screening.texts import record_texts

    return record_texts(review.store, ids)


def _my_decisions(review: Review, username: str) -> dict[int, Any]:
    # Only the member's own decisions: nothing here shows another reviewer's (blind or not).
    from litrev.screening.model import current_decisions

    events = review.screening.events(STAGE)
    return {rid: e for (rid, who), e in current_decisions(events).items() if who == username}


def _not_retrieved_reason(review: Review) -> Any:
    """The protocol's full-text reason marked `not_retrieved = true`, or None."""
    for reason in review.project.protocol.eligibility.exclusion_reasons:
        stages = getattr(reason, "stages", None) or [STAGE]
        if getattr(reason, "not_retrieved", False) and STAGE in stages:
            return reason
    return None


def _gate(review: Review) -> Any:
    from litrev.screening.gates import gate

    return gate(review.screening, STAGE)


@router.get("/r/{key}/fulltext")
def fulltext_list(
    request: Request, member: Annotated[Member, Depends(viewer)], decided: int | None = None
) -> Response:
    review = member.review
    ids = review.screening.eligible_records(STAGE)
    texts = _citations(review, ids)
    mine = _my_decisions(review, member.username)
    files: dict[int, list[ft.FullText]] = {}
    for found in ft.fulltexts_of(review.store):  # one query for every record's
        files.setdefault(found.record_id, []).append(found)
    rows = [Row(rid, texts.get(rid), files.get(rid, []), mine.get(rid)) for rid in ids]
    return page(
        request,
        "fulltext.html",
        member=member,
        review=review,
        rows=rows,
        gate=_gate(review),
        attached=sum(1 for r in rows if r.files),
        decided_count=sum(1 for r in rows if r.mine),
        decided=decided,
        max_mb=ft.MAX_PDF_BYTES // 1024 // 1024,
    )


def _content_disposition(kind: str, filename: str) -> str:
    """`inline; filename="..."` that no file name can break: an ASCII fallback without quotes
    or backslashes, and the real name percent-encoded (RFC 6266 / 5987)."""
    fallback = re.sub(r"[^A-Za-z0-9 ._()-]+", "_", filename).strip() or "fulltext.pdf"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/r/{key}/fulltext/file/{fid}")
def pdf_file(
    fid: int, member: Annotated[Member, Depends(viewer)], download: bool = False
) -> Response:
    from litrev.screening.model import ScreeningError

    try:
        found, data = ft.fulltext_bytes(member.review.store, fid)
    except ScreeningError:
        raise HTTPException(404, f"full text {fid}: no such file") from None
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": _content_disposition(
                "attachment" if download else "inline", found.filename
            ),
            "Content-Security-Policy": PDF_CSP,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/r/{key}/fulltext/{rid}")
def view(
    request: Request,
    rid: int,
    member: Annotated[Member, Depends(viewer)],
    file: int | None = None,
    decided: int | None = None,
) -> Response:
    review = member.review
    ids = review.screening.eligible_records(STAGE)
    if rid not in ids:
        raise HTTPException(404, f"record {rid} is not at the full-text stage")
    text = _citations(review, [rid]).get(rid)
    files = ft.fulltexts_of(review.store, rid)
    shown = next((f for f in files if f.id == file), files[-1] if files else None)
    pdf_text = ""
    if shown is not None:
        pdf_text = ft.pdf_text(ft.fulltext_bytes(review.store, shown.id)[1], max_pages=3)
    mine = review.screening.decision_of(rid, STAGE, member.username)
    # Others' decisions through the one blind rule (none while the record is blind to them).
    others = review.screening.visible_decisions(rid, STAGE, member.username, role=member.role)
    later = [r for r in ids if r > rid] + [r for r in ids if r < rid]
    left = _my_decisions(review, member.username)
    next_id = next((r for r in later if r not in left), None)
    reasons = [(n, r) for n, r in enumerate(review.screening.reasons_for(STAGE), start=1)]
    return page(
        request,
        "fulltext_view.html",
        member=member,
        review=review,
        rid=rid,
        text=text,
        files=files,
        shown=shown,
        pdf_text=pdf_text,
        mine=mine,
        others=others,
        blind=blind_for(review.screening, rid, STAGE, member.username, role=member.role),
        gate=_gate(review),
        reasons=reasons,
        not_retrieved=_not_retrieved_reason(review),
        next_id=next_id,
        decided=decided,
        idempotency_key=uuid.uuid4().hex,
        can_decide=member.role in ("lead", "reviewer"),
    )


def _decide(
    review: Review,
    rid: int,
    who: str,
    decision: str,
    reason: str | None,
    note: str | None,
    key: str | None,
) -> int | None:
    """Record the decision (the stage must be open); the next record `who` has not decided."""
    from litrev.screening.gates import require_open

    require_open(review.screening, STAGE)
    review.screening.decide(
        rid,
        reviewer=who,
        stage=STAGE,
        decision=decision,
        reason=reason,
        note=note,
        idempotency_key=key,
    )
    ids = review.screening.eligible_records(STAGE)
    done = _my_decisions(review, who)
    later = [r for r in ids if r > rid] + [r for r in ids if r < rid]
    return next((r for r in later if r not in done), None)


@router.post("/r/{key}/fulltext/{rid}/decide")
async def decide(
    request: Request, rid: int, member: Annotated[Member, Depends(reviewer)]
) -> Response:
    review = member.review
    form = await request.form()
    decision = str(form.get("decision") or "").strip()
    reason = str(form.get("reason") or "").strip() or None
    note = str(form.get("note") or "").strip()[:10_000] or None
    key = str(form.get("idempotency_key") or "").strip()[:128] or None
    if form.get("not_retrieved"):
        found = _not_retrieved_reason(review)
        if found is None:
            raise HTTPException(
                400,
                "this review's protocol has no reason for a report that could not be retrieved: "
                "add an exclusion reason with not_retrieved = true (stages including full_text) "
                "to litrev.toml",
            )
        decision, reason = "exclude", str(found.code)
    elif reason and not decision:
        decision = "exclude"  # a reason button is an exclusion with that reason
    if decision not in ("include", "exclude"):
        raise HTTPException(400, f"decision {decision!r}: expected include or exclude")
    next_id = await run_in_threadpool(
        _decide, review, rid, member.username, decision, reason, note, key
    )
    target = f"/r/{review.key}/fulltext/{next_id}" if next_id else f"/r/{review.key}/fulltext"
    return RedirectResponse(f"{target}?decided={rid}", status_code=303)
