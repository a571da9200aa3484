"""The full-text stage in the browser: the records to assess with their PDFs, uploading PDFs
(several at once, matched to records by `litrev.screening.fulltext.match_files`), viewing one
beside its text, and the full-text decision (include, exclude with a reason, not retrieved).

Files that match no record, or several, wait in the review's upload folder until a reviewer
picks their record (`POST /r/{key}/fulltext/{rid}/attach` with `pending=<sha256>`), or are
attached by hand from a record's page (the same route with a `file`).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from litrev.screening import fulltext as ft
from litrev.screening.blinding import blind_for
from litrev.web.render import page
from litrev.web.security import Member, reviewer, viewer
from litrev.web.workspace import Review

router = APIRouter()

STAGE = "full_text"
MAX_FILES = 50  # PDFs in one upload
# The whole request: a few full-size PDFs, or many ordinary ones.
MAX_UPLOAD_BYTES = 4 * ft.MAX_PDF_BYTES
PENDING_HOURS = 24  # an unmatched upload waits this long for someone to pick its record
CHUNK = 1024 * 1024
SHA256 = re.compile(r"^[0-9a-f]{64}$")
# A PDF is shown in a sandboxed frame of its own: no script of the file (or of a viewer tricked
# by it) can reach the app's pages, cookies or API.
PDF_CSP = "sandbox; default-src 'none'; object-src 'self'; plugin-types application/pdf"


def pending_dir(review: Review) -> Path:
    """Where uploads wait for a reviewer to pick their record."""
    return review.project.root / ".litrev-web" / "pending"


async def upload_size(request: Request) -> int:
    """Dependency run before the form is read (and before the CSRF check reads it): refuse an
    upload without a declared length or over MAX_UPLOAD_BYTES, so nothing big is taken in."""
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise HTTPException(411, "an upload must declare its size (Content-Length)")
    if int(length) > MAX_UPLOAD_BYTES:
        raise HTTPException(
            413,
            f"this upload is {int(length) / 1024 / 1024:.0f} MB; at most "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB per upload (upload fewer files at a time)",
        )
    return int(length)


async def _read_capped(upload: UploadFile) -> tuple[bytes | None, str | None]:
    """A file's bytes, read in chunks and stopped past the per-file limit; or why not."""
    name = ft.safe_filename(upload.filename or "")
    parts: list[bytes] = []
    size = 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > ft.MAX_PDF_BYTES:
            return None, f"over the {ft.MAX_PDF_BYTES // 1024 // 1024} MB limit for a full text"
        if not parts and not chunk.startswith(ft.PDF_MAGIC[: len(chunk)]):
            return None, f"not a PDF (a PDF starts with %PDF-): {name} was not attached"
        parts.append(chunk)
    if not size:
        return None, "empty file; expected a PDF"
    return b"".join(parts), None


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


def _clean_pending(folder: Path) -> None:
    cutoff = time.time() - PENDING_HOURS * 3600
    for path in folder.glob("*.pdf"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            path.with_suffix(".json").unlink(missing_ok=True)


def _keep_pending(review: Review, name: str, data: bytes, by: str) -> str:
    folder = pending_dir(review)
    folder.mkdir(parents=True, exist_ok=True)
    _clean_pending(folder)
    digest = hashlib.sha256(data).hexdigest()
    target = folder / f"{digest}.pdf"
    if not target.exists():
        temporary = folder / f".{digest}.{uuid.uuid4().hex}.tmp"
        temporary.write_bytes(data)
        temporary.replace(target)
    meta = json.dumps({"filename": name, "by": by})
    (folder / f"{digest}.json").write_text(meta, encoding="utf-8")
    return digest


@router.post("/r/{key}/fulltext/upload")
async def upload(
    request: Request,
    _size: Annotated[int, Depends(upload_size)],
    member: Annotated[Member, Depends(reviewer)],
) -> Response:
    review = member.review
    form = await request.form(max_files=MAX_FILES)
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    if not uploads:
        raise HTTPException(400, "choose one or more PDF files to upload (field 'files')")
    if len(uploads) > MAX_FILES:
        raise HTTPException(413, f"{len(uploads)} files: at most {MAX_FILES} per upload")
    refused: list[tuple[str, str]] = []
    accepted: list[tuple[str, bytes]] = []
    for item in uploads:
        name = ft.safe_filename(item.filename or "")
        data, problem = await _read_capped(item)
        if data is None:
            refused.append((name, problem or "refused"))
        else:
            accepted.append((name, data))
    # Matching reads each PDF's text and attaching writes the store: off the event loop.
    results = await run_in_threadpool(_place, review, accepted, member.username)
    texts = _citations(review, [rid for r in results for rid in r["candidates"] or []])
    return page(
        request,
        "fulltext_upload.html",
        member=member,
        review=review,
        results=results,
        refused=refused,
        texts=texts,
        eligible=_eligible_choices(review),
    )


def _place(review: Review, files: list[tuple[str, bytes]], by: str) -> list[dict[str, Any]]:
    """Attach every confidently matched file; keep the others pending with their candidates."""
    from litrev.errors import InputError

    results: list[dict[str, Any]] = []
    matches = ft.match_files(review.screening, files, stage=STAGE) if files else []
    for (name, data), match in zip(files, matches, strict=True):
        entry: dict[str, Any] = {
            "filename": name,
            "how": match.how,
            "record_id": match.record_id,
            "candidates": list(match.candidates),
            "attached": None,
            "pending": None,
            "problem": None,
        }
        try:
            if match.record_id is not None:
                entry["attached"] = ft.attach(review.screening, match.record_id, name, data, by=by)
            else:
                ft.check_pdf(name, data)
                entry["pending"] = _keep_pending(review, name, data, by)
        except InputError as error:
            entry["problem"] = str(error)
        results.append(entry)
    return results


def _eligible_choices(review: Review) -> list[tuple[int, str]]:
    ids = review.screening.eligible_records(STAGE)
    texts = _citations(review, ids)
    out = []
    for rid in ids:
        text = texts.get(rid)
        title = (text.title if text else None) or "(no title)"
        out.append((rid, f"{rid}: {title[:90]}"))
    return out


async def _attach(request: Request, member: Member, rid: int) -> Response:
    review = member.review
    form = await request.form(max_files=1)
    upload = form.get("file")
    pending = str(form.get("pending") or "")
    if isinstance(upload, UploadFile) and upload.filename:
        name = ft.safe_filename(upload.filename)
        data, problem = await _read_capped(upload)
        if data is None:
            raise HTTPException(400, f"{name}: {problem}")
    elif SHA256.match(pending):
        folder = pending_dir(review)
        path = folder / f"{pending}.pdf"
        if not path.exists():
            raise HTTPException(
                404, "that upload is no longer waiting (attached already, or older than a day)"
            )
        meta = json.loads((folder / f"{pending}.json").read_text(encoding="utf-8"))
        name, data = str(meta.get("filename") or "fulltext.pdf"), path.read_bytes()
    else:
        raise HTTPException(400, "send a PDF (field 'file') or a waiting upload (field 'pending')")
    if rid not in set(review.screening.eligible_records(STAGE)):
        raise HTTPException(400, f"record {rid} is not at the full-text stage")
    await run_in_threadpool(ft.attach, review.screening, rid, name, data, by=member.username)
    if SHA256.match(pending):
        (pending_dir(review) / f"{pending}.pdf").unlink(missing_ok=True)
        (pending_dir(review) / f"{pending}.json").unlink(missing_ok=True)
    return RedirectResponse(f"/r/{review.key}/fulltext/{rid}", status_code=303)


@router.post("/r/{key}/fulltext/{rid}/attach")
async def attach_one(
    request: Request,
    rid: int,
    _size: Annotated[int, Depends(upload_size)],
    member: Annotated[Member, Depends(reviewer)],
) -> Response:
    return await _attach(request, member, rid)


@router.post("/r/{key}/fulltext/attach")
async def attach_chosen(
    request: Request,
    _size: Annotated[int, Depends(upload_size)],
    member: Annotated[Member, Depends(reviewer)],
) -> Response:
    # The same as /fulltext/{rid}/attach with the record picked in a select (`record_id`).
    form = await request.form(max_files=1)
    chosen = str(form.get("record_id") or "")
    if not chosen.isdigit():
        raise HTTPException(400, "pick the record this file belongs to (field 'record_id')")
    return await _attach(request, member, int(chosen))


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


@router.post("/r/{key}/fulltext/file/{fid}/remove")
def remove_file(fid: int, member: Annotated[Member, Depends(reviewer)]) -> Response:
    """Take a wrongly matched PDF off its record (logged; the bytes stay for the audit)."""
    from litrev.screening.model import ScreeningError

    try:
        found, _data = ft.fulltext_bytes(member.review.store, fid)
    except ScreeningError:
        raise HTTPException(404, f"full text {fid}: no such file") from None
    ft.remove(member.review.store, fid, by=member.username)
    return RedirectResponse(f"/r/{member.review.key}/fulltext/{found.record_id}", status_code=303)


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
