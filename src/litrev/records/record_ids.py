"""Record ids: never given twice, and an export's own ids kept when they are free.

SQLite cannot return the ids of a multi-row insert in order, so ids are allocated here, inside
the write transaction (which holds the write lock: `Store.transaction`), above `high_water`;
PostgreSQL takes them from the table's sequence with RETURNING.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from litrev.store import schema


def high_water(conn: Connection) -> int:
    """The largest record id the review has used, counting records removed by `import undo`
    (so an id never names two records).

    >>> from litrev.store import Store
    >>> store = Store.open("sqlite://")
    >>> with store.connect() as conn:
    ...     high_water(conn)
    0
    """
    largest = int(
        conn.execute(select(func.coalesce(func.max(schema.records.c.id), 0))).scalar_one()
    )
    audit = schema.audit_log
    for detail in conn.execute(
        select(audit.c.detail).where(audit.c.action == "import.undo")
    ).scalars():
        if isinstance(detail, dict) and isinstance(detail.get("last_id"), int):
            largest = max(largest, detail["last_id"])
    if conn.dialect.name == "postgresql":
        # Ids the sequence has handed out, even to transactions not yet committed.
        given = conn.execute(
            text("SELECT pg_sequence_last_value(pg_get_serial_sequence('records', 'id')::regclass)")
        ).scalar()
        largest = max(largest, int(given or 0))
    return largest


def kept_ids(conn: Connection, origins: list[int | None]) -> list[int] | None:
    """The export's own litrev ids, when every record has one, they are distinct and all are
    above every id the review has used; otherwise None (new ids are given)."""
    if not origins or any(o is None for o in origins):
        return None
    ids = [int(o) for o in origins if o is not None]
    if len(set(ids)) != len(ids) or min(ids) <= high_water(conn):
        return None
    return ids


def insert_records(
    conn: Connection, rows: list[dict[str, Any]], kept: list[int] | None = None
) -> list[int]:
    """Insert record rows (with the ids `kept` when given); return their ids in order."""
    if kept is not None or conn.dialect.name == "sqlite":
        # SQLite cannot return ids of a multi-row insert in order, so SQLAlchemy would send
        # one INSERT per record; the transaction holds the write lock (`Store.transaction`),
        # so ids allocated here cannot clash with another writer's.
        if kept is None:
            first = high_water(conn)
            kept = list(range(first + 1, first + 1 + len(rows)))
        for record_id, row in zip(kept, rows, strict=True):
            row["id"] = record_id
        if conn.dialect.name == "postgresql":
            # Explicit ids would leave the sequence behind: move it past them first (a
            # sequence is not transactional, so a concurrent insert cannot take one of them).
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence('records', 'id'), :top)"),
                {"top": max(kept)},
            )
        conn.execute(insert(schema.records), rows)
        return kept
    inserted = conn.execute(
        insert(schema.records).returning(schema.records.c.id, sort_by_parameter_order=True), rows
    )
    return [int(row[0]) for row in inserted]
