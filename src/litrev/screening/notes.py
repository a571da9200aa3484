"""Notes and tags a reviewer puts on a record at a stage.

Rows are appended; removing one marks it (`removed_at`), so the history keeps what happened.
Others' notes and tags are shown by the blind-mode rule of `litrev.screening.blinding`, exactly
as their decisions are: while a record is blind to a reviewer, they see only their own.

>>> from litrev.store import Store
>>> from litrev.screening.decisions import Screening
>>> from litrev.screening.demo import add_records
>>> s = Screening(Store.open("sqlite://"))
>>> add_records(s.store, 1)
[1]
>>> note = add_note(s.store, 1, "title_abstract", "ann", "Check the setting: care home?")
>>> _ = add_tag(s.store, 1, "ta", "ann", "  care   homes ")
>>> [t.tag for t in tags_for(s, 1, "ta", "ann")], tags_for(s, 1, "ta", "bob")
(['care homes'], [])
>>> [n.text for n in notes_for(s, 1, "ta", "bob")]
[]
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from litrev.screening.blinding import blind_for, blind_records
from litrev.screening.log import claim_key, existing_records, settle_key, write_transaction
from litrev.screening.model import ScreeningError, parse_stage, reviewer_name
from litrev.store import Store, schema

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening

MAX_NOTE_CHARS = 10_000
MAX_TAG_CHARS = 64


@dataclass(frozen=True)
class Note:
    id: int
    record_id: int
    stage: str
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Tag:
    id: int
    record_id: int
    stage: str
    author: str
    tag: str
    created_at: datetime


def utc(value: Any) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite gives naive ones back)."""
    if not isinstance(value, datetime):
        raise ScreeningError(f"timestamp {value!r}: expected a date and time")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalise_tag(tag: str) -> str:
    """A tag as stored: whitespace runs made one space, 1 to 64 characters, no control
    characters.

    >>> normalise_tag("  Care\\n homes ")
    'Care homes'
    """
    text = " ".join(str(tag or "").split())
    if not 1 <= len(text) <= MAX_TAG_CHARS:
        raise ScreeningError(f"tag {tag!r}: expected 1 to {MAX_TAG_CHARS} characters", field="tag")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in text):
        raise ScreeningError(f"tag {tag!r}: control characters are not allowed", field="tag")
    return text


def _require_record(conn: Connection, record_id: int) -> None:
    if not existing_records(conn, {int(record_id)}):
        raise ScreeningError(
            f"record_id {record_id}: no such record in this review", field="record_id"
        )


def add_note(
    store: Store,
    record_id: int,
    stage: str,
    author: str,
    text: str,
    *,
    idempotency_key: str | None = None,
) -> Note:
    """Add `author`'s note on a record at a stage (1 to 10,000 characters); logged. With
    `idempotency_key`, a repeat of the same request (a double-submitted form) returns the first
    note and adds nothing (see `Screening.decide`).

    >>> from litrev.screening.demo import add_records
    >>> store = Store.open("sqlite://")
    >>> add_note(store, 9, "ta", "ann", "x")
    Traceback (most recent call last):
    ...
    litrev.screening.model.ScreeningError: record_id 9: no such record in this review
    """
    stage_value = parse_stage(str(stage)).value
    who = reviewer_name(author)
    body = str(text or "").strip()
    if not 1 <= len(body) <= MAX_NOTE_CHARS:
        raise ScreeningError(
            f"note: expected 1 to {MAX_NOTE_CHARS} characters, got {len(body)}", field="text"
        )
    request = {
        "action": "note",
        "record_id": record_id,
        "stage": stage_value,
        "text_sha256": hashlib.sha256(body.encode()).hexdigest(),
    }
    now = datetime.now(UTC)
    table = schema.record_notes
    with write_transaction(store) as conn:
        if idempotency_key is not None:
            done = claim_key(conn, idempotency_key, who, request)
            if done is not None:
                row = conn.execute(select(table).where(table.c.id == done.get("note_id"))).first()
                if row is None:
                    raise ScreeningError(f"idempotency key {idempotency_key!r}: no note found")
                return Note(
                    row.id, row.record_id, row.stage, row.author, row.text, utc(row.created_at)
                )
        _require_record(conn, record_id)
        note_id = conn.execute(
            table.insert()
            .values(record_id=record_id, stage=stage_value, author=who, text=body, created_at=now)
            .returning(table.c.id)
        ).scalar_one()
        Store.log(
            conn,
            actor=who,
            action="screening.note",
            entity="record_note",
            entity_id=int(note_id),
            detail={"record_id": record_id, "stage": stage_value, "chars": len(body)},
        )
        if idempotency_key is not None:
            settle_key(conn, idempotency_key, {**request, "note_id": int(note_id)})
    return Note(int(note_id), record_id, stage_value, who, body, now)


def remove_note(store: Store, note_id: int, *, by: str) -> None:
    """Remove a note (only its author may); the row stays, marked removed, and it is logged."""
    who = reviewer_name(by)
    table = schema.record_notes
    with write_transaction(store) as conn:
        row = conn.execute(select(table).where(table.c.id == note_id)).first()
        if row is None or row.removed_at is not None:
            raise ScreeningError(f"note {note_id}: no such note", field="note_id")
        if row.author != who:
            raise ScreeningError(
                f"note {note_id} is {row.author}'s; only its author may remove it", field="by"
            )
        conn.execute(
            table.update().where(table.c.id == note_id).values(removed_at=datetime.now(UTC))
        )
        Store.log(
            conn,
            actor=who,
            action="screening.remove_note",
            entity="record_note",
            entity_id=int(note_id),
            detail={"record_id": row.record_id, "stage": row.stage},
        )


def _live_tag(conn: Connection, record_id: int, stage: str, author: str, tag: str) -> Any | None:
    table = schema.record_tags
    rows = conn.execute(
        select(table).where(
            table.c.record_id == record_id,
            table.c.stage == stage,
            table.c.author == author,
            table.c.removed_at.is_(None),
        )
    ).all()
    # One tag whatever its case: "RCT" and "rct" are the same tag to a reader.
    return next((r for r in rows if r.tag.casefold() == tag.casefold()), None)


def add_tag(store: Store, record_id: int, stage: str, author: str, tag: str) -> Tag:
    """Put a tag on a record; the same tag (ignoring case) by the same author at the same
    stage is returned as it is, not added twice."""
    stage_value = parse_stage(str(stage)).value
    who = reviewer_name(author)
    clean = normalise_tag(tag)
    table = schema.record_tags
    with write_transaction(store) as conn:
        # PostgreSQL: serialise tag writers so two clicks cannot both add the tag.
        Store.lock(conn, "record_tags")
        _require_record(conn, record_id)
        found = _live_tag(conn, record_id, stage_value, who, clean)
        if found is not None:
            return Tag(found.id, record_id, stage_value, who, found.tag, utc(found.created_at))
        now = datetime.now(UTC)
        tag_id = conn.execute(
            table.insert()
            .values(record_id=record_id, stage=stage_value, author=who, tag=clean, created_at=now)
            .returning(table.c.id)
        ).scalar_one()
        Store.log(
            conn,
            actor=who,
            action="screening.tag",
            entity="record_tag",
            entity_id=int(tag_id),
            detail={"record_id": record_id, "stage": stage_value, "tag": clean},
        )
    return Tag(int(tag_id), record_id, stage_value, who, clean, now)


def remove_tag(store: Store, record_id: int, stage: str, author: str, tag: str) -> None:
    """Take `author`'s tag off a record (ScreeningError when they have no such tag)."""
    stage_value = parse_stage(str(stage)).value
    who = reviewer_name(author)
    clean = normalise_tag(tag)
    table = schema.record_tags
    with write_transaction(store) as conn:
        Store.lock(conn, "record_tags")
        found = _live_tag(conn, record_id, stage_value, who, clean)
        if found is None:
            raise ScreeningError(
                f"record {record_id} has no tag {clean!r} by {who} at {stage_value}", field="tag"
            )
        conn.execute(
            table.update().where(table.c.id == found.id).values(removed_at=datetime.now(UTC))
        )
        Store.log(
            conn,
            actor=who,
            action="screening.untag",
            entity="record_tag",
            entity_id=int(found.id),
            detail={"record_id": record_id, "stage": stage_value, "tag": found.tag},
        )


def notes_for(
    screening: Screening, record_id: int, stage: str, viewer: str, *, role: str = "reviewer"
) -> list[Note]:
    """The live notes on a record at a stage that `viewer` may see (their own, and others'
    unless the record is blind to them), oldest first."""
    stage_value = parse_stage(str(stage)).value
    table = schema.record_notes
    with screening.store.connect() as conn:
        rows = conn.execute(
            select(table)
            .where(
                table.c.record_id == record_id,
                table.c.stage == stage_value,
                table.c.removed_at.is_(None),
            )
            .order_by(table.c.id)
        ).all()
    notes = [Note(r.id, r.record_id, r.stage, r.author, r.text, utc(r.created_at)) for r in rows]
    if any(n.author != viewer for n in notes) and blind_for(
        screening, record_id, stage_value, viewer, role=role
    ):
        notes = [n for n in notes if n.author == viewer]
    return notes


def _live_tags(
    screening: Screening, stage: str, record_ids: Sequence[int] | None = None
) -> list[Tag]:
    table = schema.record_tags
    query = (
        select(table)
        .where(table.c.stage == stage, table.c.removed_at.is_(None))
        .order_by(table.c.id)
    )
    if record_ids is not None:
        query = query.where(table.c.record_id.in_(list(record_ids)))
    with screening.store.connect() as conn:
        rows = conn.execute(query).all()
    return [Tag(r.id, r.record_id, r.stage, r.author, r.tag, utc(r.created_at)) for r in rows]


def tags_for(
    screening: Screening, record_id: int, stage: str, viewer: str, *, role: str = "reviewer"
) -> list[Tag]:
    """The live tags on a record at a stage that `viewer` may see, oldest first."""
    stage_value = parse_stage(str(stage)).value
    tags = _live_tags(screening, stage_value, [record_id])
    if any(t.author != viewer for t in tags) and blind_for(
        screening, record_id, stage_value, viewer, role=role
    ):
        tags = [t for t in tags if t.author == viewer]
    return tags


def tag_counts(
    screening: Screening, stage: str, viewer: str, *, role: str = "reviewer"
) -> dict[str, int]:
    """{tag: records carrying it} over the stage, counting only tags `viewer` may see (others'
    on blind records are left out). Tags differing only in case count as one, under the
    spelling used first."""
    stage_value = parse_stage(str(stage)).value
    tags = _live_tags(screening, stage_value)
    hidden = blind_records(screening, stage_value, viewer, role=role) if tags else set()
    spelling: dict[str, str] = {}
    records: dict[str, set[int]] = {}
    for t in tags:
        if t.author != viewer and t.record_id in hidden:
            continue
        key = t.tag.casefold()
        spelling.setdefault(key, t.tag)
        records.setdefault(key, set()).add(t.record_id)
    return dict(
        sorted(((spelling[k], len(v)) for k, v in records.items()), key=lambda kv: (-kv[1], kv[0]))
    )


__all__ = [
    "Note",
    "Tag",
    "add_note",
    "add_tag",
    "normalise_tag",
    "notes_for",
    "remove_note",
    "remove_tag",
    "tag_counts",
    "tags_for",
]
