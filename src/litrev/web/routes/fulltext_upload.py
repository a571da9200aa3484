"""Uploading full-text PDFs: several at once, matched to records by
`litrev.screening.fulltext.match_files`; attaching one by hand; taking one off its record.

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
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from litrev.screening import fulltext as ft
from litrev.web.render import page
from litrev.web.routes.fulltext import STAGE, _citations
from litrev.web.security import Member, reviewer
from litrev.web.workspace import Review

router = APIRouter()

MAX_FILES = 50  # PDFs in one upload
# The whole request: a few full-size PDFs, or many ordinary ones.
MAX_UPLOAD_BYTES = 4 * ft.MAX_PDF_BYTES
PENDING_HOURS = 24  # an unmatched upload waits this long for someone to pick its record
CHUNK = 1024 * 1024
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def pending_dir(review: Review) -> Path:
    """Where uploads wait for a reviewer to pick their record."""
    return review.project.root / ".litrev-web" / "pending"


def upload_size(request: Request) -> int:
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
