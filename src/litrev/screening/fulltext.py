"""Full-text reports (PDFs) attached to records, kept in the review's store so that copying
the review moves them too.

A file is untrusted: it is refused unless it is a PDF that pypdf can open (starts with `%PDF-`,
not empty, at most `MAX_PDF_BYTES`); its name is reduced to a plain file name; and reading its
text never raises (`pdf_text` gives "" for a broken or hostile file). The same bytes attached
twice to a record are kept once.

>>> from litrev.store import Store
>>> from litrev.screening.demo import add_records
>>> store = Store.open("sqlite://")
>>> add_records(store, 1)
[1]
>>> attach(store, 1, "../../etc/report.pdf", b"<html>", by="ann")
Traceback (most recent call last):
...
litrev.errors.InputError: report.pdf: not a PDF (a PDF starts with %PDF-, this starts with '<html>')
>>> pdf_text(b"%PDF-1.7 garbage")
''
"""

from __future__ import annotations

import hashlib
import io
import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from litrev.errors import InputError
from litrev.screening.log import existing_records, write_transaction
from litrev.screening.model import ScreeningError, reviewer_name
from litrev.screening.notes import utc
from litrev.store import Store, schema

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening
    from litrev.screening.fulltext_match import FileMatch

MAX_PDF_BYTES = 50 * 1024 * 1024
MAX_TEXT_CHARS = 200_000  # text read from a PDF's first pages, for matching and display
PDF_MAGIC = b"%PDF-"

# pypdf logs each flaw it works around in a damaged file ("EOF marker not found") as a warning,
# on stderr without a handler: uploads are untrusted, so these are expected, and a file litrev
# cannot use is reported once, by name, by `check_pdf`.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class FullText:
    id: int
    record_id: int
    filename: str
    sha256: str
    size: int
    uploaded_by: str
    uploaded_at: datetime


def safe_filename(name: str) -> str:
    """A file name fit to store and show: the last path part, no control characters, at most
    200 characters (its extension kept).

    >>> safe_filename("C:\\\\Users\\\\x\\\\Smith 2019.pdf"), safe_filename("a\\x00b.pdf")
    ('Smith 2019.pdf', 'ab.pdf')
    """
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    text = text.strip().lstrip(".") or "fulltext.pdf"
    if len(text) > 200:
        stem, dot, ext = text.rpartition(".")
        text = (stem[:190] + dot + ext[:9]) if dot and len(ext) <= 9 else text[:200]
    return text


def _store_of(screening_or_store: Screening | Store) -> Store:
    return screening_or_store if isinstance(screening_or_store, Store) else screening_or_store.store


class _Locked(Exception):
    """A PDF that needs a password to open."""


def _reader(data: bytes) -> Any:
    from pypdf import PasswordType, PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    # Owner-password-only PDFs open with the empty user password; others cannot be read.
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise _Locked
    return reader


def check_pdf(filename: str, data: bytes) -> int:
    """The page count of a PDF fit to attach; an InputError naming the file otherwise."""
    name = safe_filename(filename)
    if not data:
        raise InputError(name, "empty file; expected a PDF")
    if len(data) > MAX_PDF_BYTES:
        raise InputError(
            name,
            f"{len(data) / 1024 / 1024:.1f} MB is over the {MAX_PDF_BYTES // 1024 // 1024} MB "
            "limit for a full text",
        )
    if not data.startswith(PDF_MAGIC):
        raise InputError(
            name,
            f"not a PDF (a PDF starts with %PDF-, this starts with {data[:6].decode('latin-1')!r})",
        )
    try:
        pages = len(_reader(data).pages)
    except _Locked:
        # pypdf's own wording ("File has not been decrypted") would not tell anyone why
        raise InputError(
            name, "the PDF is password-protected; attach a copy saved without a password"
        ) from None
    except Exception as error:  # any failure of a hostile file is a refusal, not a crash
        raise InputError(name, f"not a readable PDF ({type(error).__name__}: {error})") from None
    if pages < 1:
        raise InputError(name, "a PDF with no pages")
    return pages


def _row(r: Any) -> FullText:
    return FullText(
        int(r.id),
        int(r.record_id),
        r.filename,
        r.sha256,
        int(r.size),
        r.uploaded_by,
        utc(r.uploaded_at),
    )


def _columns() -> list[Any]:
    t = schema.fulltexts
    return [
        t.c.id,
        t.c.record_id,
        t.c.filename,
        t.c.sha256,
        t.c.size,
        t.c.uploaded_by,
        t.c.uploaded_at,
    ]


def attach(
    screening_or_store: Screening | Store, record_id: int, filename: str, data: bytes, *, by: str
) -> FullText:
    """Attach a PDF to a record (logged). The same bytes already attached to the record give
    back the existing attachment; anything but a readable PDF is an InputError naming the file.
    """
    store = _store_of(screening_or_store)
    name = safe_filename(filename)
    who = reviewer_name(by)
    check_pdf(name, data)
    digest = hashlib.sha256(data).hexdigest()
    table = schema.fulltexts
    with write_transaction(store) as conn:
        Store.lock(conn, "fulltexts")
        if not existing_records(conn, {int(record_id)}):
            raise InputError(name, f"record {record_id}: no such record in this review")
        same = conn.execute(
            select(*_columns()).where(
                table.c.record_id == record_id,
                table.c.sha256 == digest,
                table.c.removed_at.is_(None),
            )
        ).first()
        if same is not None:
            return _row(same)
        now = datetime.now(UTC)
        new_id = conn.execute(
            table.insert()
            .values(
                record_id=record_id,
                filename=name,
                sha256=digest,
                content_type="application/pdf",
                size=len(data),
                data=data,
                uploaded_by=who,
                uploaded_at=now,
            )
            .returning(table.c.id)
        ).scalar_one()
        Store.log(
            conn,
            actor=who,
            action="screening.fulltext_attach",
            entity="fulltext",
            entity_id=int(new_id),
            detail={"record_id": record_id, "filename": name, "sha256": digest, "size": len(data)},
        )
    return FullText(int(new_id), record_id, name, digest, len(data), who, now)


def fulltexts_of(store: Store, record_id: int | None = None) -> list[FullText]:
    """The record's attached full texts (every record's when `record_id` is None), oldest
    first."""
    table = schema.fulltexts
    query = select(*_columns()).where(table.c.removed_at.is_(None)).order_by(table.c.id)
    if record_id is not None:
        query = query.where(table.c.record_id == record_id)
    with store.connect() as conn:
        rows = conn.execute(query).all()
    return [_row(r) for r in rows]


def _live(conn: Connection, fulltext_id: int, *, data: bool = False) -> Any:
    table = schema.fulltexts
    columns = _columns() + ([table.c.data] if data else [])
    row = conn.execute(
        select(*columns).where(table.c.id == fulltext_id, table.c.removed_at.is_(None))
    ).first()
    if row is None:
        raise ScreeningError(f"full text {fulltext_id}: no such full text", field="fulltext_id")
    return row


def fulltext_bytes(store: Store, fulltext_id: int) -> tuple[FullText, bytes]:
    """A full text and its bytes (ScreeningError for an unknown or removed one)."""
    with store.connect() as conn:
        row = _live(conn, fulltext_id, data=True)
    return _row(row), bytes(row.data)


def remove(store: Store, fulltext_id: int, *, by: str) -> None:
    """Remove a full text (marked removed, logged); its bytes stay for the audit trail."""
    who = reviewer_name(by)
    with write_transaction(store) as conn:
        row = _live(conn, fulltext_id)
        conn.execute(
            schema.fulltexts.update()
            .where(schema.fulltexts.c.id == fulltext_id)
            .values(removed_at=datetime.now(UTC))
        )
        Store.log(
            conn,
            actor=who,
            action="screening.fulltext_remove",
            entity="fulltext",
            entity_id=int(fulltext_id),
            detail={"record_id": int(row.record_id), "filename": row.filename},
        )


def pdf_pages_text(data: bytes, *, max_pages: int = 3) -> list[str]:
    """The text of each of a PDF's first pages (pypdf); [] for anything unreadable."""
    if not data.startswith(PDF_MAGIC) or len(data) > MAX_PDF_BYTES:
        return []
    pages: list[str] = []
    total = 0
    try:
        reader = _reader(data)
        for page in reader.pages[: max(0, max_pages)]:
            try:
                text = page.extract_text() or ""
            except Exception:  # one broken page does not hide the others
                text = ""
            text = text[: MAX_TEXT_CHARS - total]
            total += len(text)
            pages.append(text)
    except Exception:  # a hostile or broken file has no text, and never crashes the caller
        return pages
    return pages


def pdf_text(data: bytes, *, max_pages: int = 3) -> str:
    """The text of a PDF's first `max_pages` pages; "" for a broken or hostile file (never an
    exception).

    >>> pdf_text(b"not a pdf"), pdf_text(b"")
    ('', '')
    """
    return "\n".join(pdf_pages_text(data, max_pages=max_pages))


def match_files(
    screening: Screening, files: Sequence[tuple[str, bytes]], *, stage: str = "full_text"
) -> list[FileMatch]:
    """Match uploaded PDFs to records (see `litrev.screening.fulltext_match.match_files`)."""
    from litrev.screening.fulltext_match import match_files as match

    return match(screening, files, stage=stage)


__all__ = [
    "MAX_PDF_BYTES",
    "FullText",
    "attach",
    "check_pdf",
    "fulltext_bytes",
    "fulltexts_of",
    "match_files",
    "pdf_pages_text",
    "pdf_text",
    "remove",
    "safe_filename",
]
