"""Reading extraction values back: the latest value of each (field, instance) per reviewer.

>>> read_values(Store.open("sqlite://"), 1, "ann")
{}
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from litrev.extraction.codebook import ValueKey
from litrev.store import Store, schema


@dataclass(frozen=True)
class StoredValue:
    """One stored value (the latest for its key)."""

    record_id: int
    reviewer: str
    field: str
    instance: int
    value: str
    location: str | None
    at: datetime | None


def _latest(
    conn: Connection, record_id: int, reviewer: str | None
) -> dict[tuple[str, str, int], StoredValue]:
    """{(reviewer, field, instance): latest value} of one record (every reviewer when None)."""
    table = schema.extractions
    query = select(
        table.c.reviewer,
        table.c.field,
        table.c.instance,
        table.c.value,
        table.c.location,
        table.c.created_at,
    ).where(table.c.record_id == record_id)
    if reviewer is not None:
        query = query.where(table.c.reviewer == reviewer)
    out: dict[tuple[str, str, int], StoredValue] = {}
    for who, name, instance, value, location, at in conn.execute(query.order_by(table.c.id)):
        # Later rows win: an import adds rows rather than rewriting earlier ones.
        out[(who, name, int(instance or 0))] = StoredValue(
            record_id, who, name, int(instance or 0), value or "", location, at
        )
    return {k: v for k, v in out.items() if v.value != "" or v.location}


def read_values(store: Store, record_id: int, reviewer: str) -> dict[ValueKey, StoredValue]:
    """{(field, instance): value} of `reviewer` (or "consensus") for one record.

    >>> read_values(Store.open("sqlite://"), 1, "ann")
    {}
    """
    with store.connect() as conn:
        return read_values_on(conn, record_id, reviewer)


def read_values_on(conn: Connection, record_id: int, reviewer: str) -> dict[ValueKey, StoredValue]:
    """`read_values` on an open connection (inside a transaction)."""
    return {(f, i): v for (_, f, i), v in _latest(conn, record_id, reviewer).items()}


def record_values_on(conn: Connection, record_id: int) -> dict[str, dict[ValueKey, StoredValue]]:
    """{reviewer: {(field, instance): value}} of every reviewer (and consensus) of a record."""
    out: dict[str, dict[ValueKey, StoredValue]] = {}
    for (who, name, instance), value in _latest(conn, record_id, None).items():
        out.setdefault(who, {})[(name, instance)] = value
    return out
