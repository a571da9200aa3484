"""Writing screening rows: decisions (with their marks) and reviewers, each with its audit entry.

Callers pass a connection inside their transaction, so a batch is written whole or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from litrev.screening.model import DecisionEvent
from litrev.store import Store, schema


def register_reviewer(conn: Connection, name: str, role: str) -> None:
    """Add a reviewer to the register (and the audit log) unless already there."""
    table = schema.screening_reviewers
    if conn.execute(select(table.c.name).where(table.c.name == name)).first() is None:
        conn.execute(table.insert().values(name=name, role=role, added_at=datetime.now(UTC)))
        Store.log(
            conn,
            actor=name,
            action="screening.add_reviewer",
            entity="reviewer",
            detail={"name": name, "role": role},
        )


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
