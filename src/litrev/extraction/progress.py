"""Each extractor's progress on each record: "in_progress" or "complete" (the
`extraction_progress` table), and the per-record lock writers of one record's extraction take.

Values with no progress row came from an imported table (a checked, whole extraction) and count
as complete.

>>> progress(Store.open("sqlite://"))
[]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from litrev.extraction.codebook import CONSENSUS
from litrev.store import Store, schema

IN_PROGRESS = "in_progress"
COMPLETE = "complete"
# The state of values with no progress row: an imported table (checked whole) counts as done.
IMPORTED = COMPLETE

EXTRACTION_STAGE = "extraction"  # the `assignments` table's stage for extraction assignments


@dataclass(frozen=True)
class Progress:
    """Whether `reviewer` has finished extracting `record_id`."""

    record_id: int
    reviewer: str
    state: str  # "in_progress" | "complete"
    updated_at: datetime | None


def state_on(conn: Connection, record_id: int, reviewer: str) -> str | None:
    """The reviewer's recorded state on a record (None: no progress row)."""
    table = schema.extraction_progress
    return conn.execute(
        select(table.c.state).where(table.c.record_id == record_id, table.c.reviewer == reviewer)
    ).scalar()


def set_state(conn: Connection, record_id: int, reviewer: str, state: str, now: datetime) -> None:
    """Write the reviewer's progress on a record (the caller holds the record's lock)."""
    table = schema.extraction_progress
    where = (table.c.record_id == record_id, table.c.reviewer == reviewer)
    if conn.execute(select(table.c.id).where(*where)).first() is None:
        conn.execute(
            table.insert().values(
                record_id=record_id, reviewer=reviewer, state=state, updated_at=now
            )
        )
    else:
        conn.execute(table.update().where(*where).values(state=state, updated_at=now))


def lock_record(conn: Connection, record_id: int) -> None:
    """Serialise writers of one record's extraction (PostgreSQL; SQLite holds the write lock)."""
    Store.lock(conn, f"extraction:{record_id}")


def progress(store: Store, reviewer: str | None = None) -> list[Progress]:
    """Every (record, reviewer) extraction and its state, by record then reviewer.

    Values with no progress row (an imported table) are listed as complete.

    >>> progress(Store.open("sqlite://"))
    []
    """
    rows: dict[tuple[int, str], Progress] = {}
    table = schema.extraction_progress
    values = schema.extractions
    with store.connect() as conn:
        query = select(table.c.record_id, table.c.reviewer, table.c.state, table.c.updated_at)
        imported = (
            select(values.c.record_id, values.c.reviewer, func.max(values.c.created_at))
            .where(values.c.reviewer != CONSENSUS)
            .group_by(values.c.record_id, values.c.reviewer)
        )
        if reviewer is not None:
            query = query.where(table.c.reviewer == reviewer)
            imported = imported.where(values.c.reviewer == reviewer)
        for record_id, who, at in conn.execute(imported):
            rows[(int(record_id), who)] = Progress(int(record_id), who, IMPORTED, at)
        for record_id, who, state, at in conn.execute(query):
            rows[(int(record_id), who)] = Progress(int(record_id), who, state, at)
    return [rows[k] for k in sorted(rows)]


def states_on(conn: Connection, record_id: int) -> dict[str, str]:
    """{reviewer: state} of one record's extractors (imported values count as complete)."""
    values = schema.extractions
    table = schema.extraction_progress
    out = {
        who: IMPORTED
        for who in conn.execute(
            select(values.c.reviewer)
            .where(values.c.record_id == record_id, values.c.reviewer != CONSENSUS)
            .distinct()
        ).scalars()
    }
    for who, state in conn.execute(
        select(table.c.reviewer, table.c.state).where(table.c.record_id == record_id)
    ):
        out[who] = state
    return out
