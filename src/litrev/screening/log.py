"""Reading and writing screening rows: decisions (with their marks) and reviewers; every write
with its audit entry.

Callers pass a connection inside their transaction, so a batch is written whole or not at all.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from litrev.screening.model import DecisionEvent
from litrev.store import Store, schema


@contextmanager
def write_transaction(store: Store) -> Iterator[Connection]:
    """A transaction that holds the database's write lock from its first statement.

    SQLite's deferred transaction reads under a shared lock and asks for the write lock only at
    its first write, so two writers could both read "reviewer not registered yet" and collide.
    `Store.transaction` takes the lock first (`BEGIN IMMEDIATE`, retried while busy, then one
    `StoreError`); on PostgreSQL every insert that could collide is `ON CONFLICT DO NOTHING`.
    Screening's writes go through here so that this stays true whatever the store's default.

    >>> store = Store.open("sqlite://")
    >>> with write_transaction(store) as conn:
    ...     register_reviewer(conn, "ann", "reviewer")
    True
    """
    with store.transaction() as conn:
        yield conn


def register_reviewer(conn: Connection, name: str, role: str) -> bool:
    """Add a reviewer to the register (and the audit log) unless already there; True if added.

    One `INSERT ... ON CONFLICT DO NOTHING`, so two first decisions by a new reviewer at the
    same moment register them once, without an integrity error."""
    table = schema.screening_reviewers
    values = {"name": name, "role": role, "added_at": datetime.now(UTC)}
    insert: Any
    if conn.dialect.name in ("postgresql", "sqlite"):
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(table).values(**values).on_conflict_do_nothing()
        # RETURNING says whether a row went in (psycopg gives no rowcount for this statement).
        if conn.execute(insert.returning(table.c.name)).first() is None:
            return False
    else:  # another database: check first (under the caller's write lock)
        if conn.execute(select(table.c.name).where(table.c.name == name)).first() is not None:
            return False
        conn.execute(table.insert().values(**values))
    Store.log(
        conn,
        actor=name,
        action="screening.add_reviewer",
        entity="reviewer",
        detail={"name": name, "role": role},
    )
    return True


def registered_reviewers(conn: Connection) -> list[tuple[str, str, Any]]:
    """(name, role, added_at) of every registered reviewer, by name."""
    table = schema.screening_reviewers
    rows = conn.execute(select(table.c.name, table.c.role, table.c.added_at).order_by(table.c.name))
    return [(r.name, r.role, r.added_at) for r in rows]


def append_events(
    conn: Connection, events: Sequence[DecisionEvent], *, action: str
) -> list[DecisionEvent]:
    """Insert rows (with their marks and audit entries) in the order given."""
    if not events:
        return []
    for name in sorted({e.reviewer for e in events}):
        register_reviewer(conn, name, "reviewer")
    now = datetime.now(UTC)
    values = [
        {
            "record_id": e.record_id,
            "stage": e.stage,
            "reviewer": e.reviewer,
            "decision": e.decision,
            "reason": e.reason,
            "note": e.note,
            "created_at": now,
        }
        for e in events
    ]
    insert = schema.decisions.insert().returning(
        schema.decisions.c.id, sort_by_parameter_order=True
    )
    ids = [int(i) for i in conn.execute(insert, values).scalars()]
    written = [replace(e, id=new_id, created_at=now) for e, new_id in zip(events, ids, strict=True)]
    marks = [
        {"decision_id": e.id, "resolution": e.resolution, "retracts": e.retracts}
        for e in written
        if e.resolution is not None or e.retracts is not None
    ]
    if marks:
        conn.execute(schema.decision_marks.insert(), marks)
    # The same rows `Store.log` writes, inserted in one statement for large batches.
    audit = [
        {
            "at": now,
            "actor": e.reviewer,
            "action": action,
            "entity": "decision",
            "entity_id": e.id,
            "detail": {
                "record_id": e.record_id,
                "stage": e.stage,
                "decision": e.decision,
                "reason": e.reason,
                "resolution": e.resolution,
                "retracts": e.retracts,
            },
        }
        for e in written
    ]
    conn.execute(schema.audit_log.insert(), audit)
    return written


def read_events(
    conn: Connection,
    stage: str,
    *,
    record_id: int | None = None,
    record_ids: Collection[int] | None = None,
    reviewer: str | None = None,
    after_id: int | None = None,
) -> list[DecisionEvent]:
    """Every decisions row of a stage, with its marks, oldest first; only those of one record,
    of some records, by one reviewer or after a row id when given."""
    d, m = schema.decisions, schema.decision_marks
    query = (
        select(d, m.c.resolution, m.c.retracts)
        .select_from(d.outerjoin(m, m.c.decision_id == d.c.id))
        .where(d.c.stage == stage)
        .order_by(d.c.id)
    )
    if record_id is not None:
        query = query.where(d.c.record_id == record_id)
    if reviewer is not None:
        query = query.where(d.c.reviewer == reviewer)
    if after_id is not None:
        query = query.where(d.c.id > after_id)
    queries = [query]
    if record_ids is not None:
        wanted = sorted(set(record_ids))
        # Chunked to stay under the database's limit on bound parameters.
        queries = [
            query.where(d.c.record_id.in_(wanted[k : k + 500])) for k in range(0, len(wanted), 500)
        ]
    rows: list[Any] = []
    for q in queries:
        rows.extend(conn.execute(q).all())
    if len(queries) > 1:
        rows.sort(key=lambda r: r.id)
    return [
        DecisionEvent(
            r.id,
            r.record_id,
            r.stage,
            r.reviewer,
            r.decision,
            r.reason,
            r.note,
            r.resolution,
            r.retracts,
            r.created_at,
        )
        for r in rows
    ]


def existing_records(conn: Connection, ids: Collection[int]) -> set[int]:
    """The ids among `ids` that are records of this review."""
    wanted = sorted(ids)
    found: set[int] = set()
    for k in range(0, len(wanted), 500):
        chunk = wanted[k : k + 500]
        found.update(
            conn.execute(
                select(schema.records.c.id).where(schema.records.c.id.in_(chunk))
            ).scalars()
        )
    return found


def claim_key(
    conn: Connection, key: str, username: str, request: dict[str, Any]
) -> dict[str, Any] | None:
    """Claim an idempotency key inside the caller's transaction: None when this call is the
    first with `key` (the caller then does the work and `settle_key`s it), otherwise the result
    stored by the first call.

    The claim is one `INSERT ... ON CONFLICT DO NOTHING`: on PostgreSQL a second transaction
    with the same key waits at that insert until the first commits (then reads its result) or
    rolls back (then claims the key itself), so two concurrent submissions write once. A key
    used by another user, or for another request, is refused.

    >>> store = Store.open("sqlite://")
    >>> with store.transaction() as conn:
    ...     claim_key(conn, "k1", "ann", {"action": "decide"}) is None
    ...     settle_key(conn, "k1", {"action": "decide", "decision_id": 7})
    True
    >>> with store.transaction() as conn:
    ...     claim_key(conn, "k1", "ann", {"action": "decide"})["decision_id"]
    7
    """
    from litrev.screening.model import ScreeningError

    text = (key or "").strip()
    if not text or len(text) > 128:
        raise ScreeningError(
            f"idempotency key {key!r}: expected 1 to 128 characters", field="idempotency_key"
        )
    table = schema.idempotency_keys
    values = {
        "key": text,
        "username": username,
        "result": {"pending": True, **request},
        "created_at": datetime.now(UTC),
    }
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(table).values(**values).on_conflict_do_nothing()
    if conn.execute(insert.returning(table.c.key)).first() is not None:
        return None
    row = conn.execute(select(table.c.username, table.c.result).where(table.c.key == text)).first()
    if row is None:  # cannot happen once the conflicting row committed; refuse, never guess
        raise ScreeningError(f"idempotency key {text!r} is in use; try again")
    if row.username != username:
        raise ScreeningError(
            f"idempotency key {text!r} belongs to another user's request; use a new key",
            field="idempotency_key",
        )
    result = dict(row.result)
    stored = {k: result.get(k) for k in request}
    if stored != request:
        raise ScreeningError(
            f"idempotency key {text!r} was used for a different request ({_describe(result)}); "
            "use a new key",
            field="idempotency_key",
        )
    return result


def settle_key(conn: Connection, key: str, result: dict[str, Any]) -> None:
    """Store the result of the request that claimed `key` (same transaction as its work)."""
    table = schema.idempotency_keys
    conn.execute(table.update().where(table.c.key == key.strip()).values(result=result))


def _describe(result: dict[str, Any]) -> str:
    parts = [f"{k}={v}" for k, v in result.items() if k not in ("pending", "decision_id")]
    return ", ".join(parts) or "unknown"


def event_by_id(conn: Connection, decision_id: int) -> DecisionEvent | None:
    """One decisions row with its marks, or None."""
    d, m = schema.decisions, schema.decision_marks
    row = conn.execute(
        select(d, m.c.resolution, m.c.retracts)
        .select_from(d.outerjoin(m, m.c.decision_id == d.c.id))
        .where(d.c.id == decision_id)
    ).first()
    if row is None:
        return None
    at = row.created_at
    if isinstance(at, datetime) and at.tzinfo is None:  # SQLite gives naive UTC back
        at = at.replace(tzinfo=UTC)
    return DecisionEvent(
        row.id,
        row.record_id,
        row.stage,
        row.reviewer,
        row.decision,
        row.reason,
        row.note,
        row.resolution,
        row.retracts,
        at,
    )


def read_tracks(conn: Connection, stage: str) -> list[DecisionEvent]:
    """A stage's rows with only what replaying them needs (id, record, reviewer, decision,
    marks): for who-has-decided questions over a whole stage (allocation, blind lists), where
    reading reasons, notes and timestamps of every row would dominate the time."""
    d, m = schema.decisions, schema.decision_marks
    query = (
        select(d.c.id, d.c.record_id, d.c.reviewer, d.c.decision, m.c.resolution, m.c.retracts)
        .select_from(d.outerjoin(m, m.c.decision_id == d.c.id))
        .where(d.c.stage == stage)
        .order_by(d.c.id)
    )
    return [
        DecisionEvent(i, r, stage, who, what, resolution=res, retracts=ret)
        for i, r, who, what, res, ret in conn.execute(query).all()
    ]
