"""Putting records into a review database for demonstrations, doctests and tests of screening.

Importing records properly is `litrev.records`' job; this only writes the columns screening
reads, so screening can be shown and tested on its own.

>>> from litrev.store import Store
>>> store = Store.open("sqlite://")
>>> add_records(store, [("Co-production in mental health", "A model of co-design.")])
[1]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from litrev.store import Store, schema


def add_records(store: Store, records: int | Sequence[tuple[str, str | None]]) -> list[int]:
    """Insert records given as (title, abstract) pairs, or `n` numbered placeholder titles;
    return their ids in order."""
    if isinstance(records, int):
        records = [(f"Record {i}", None) for i in range(1, records + 1)]
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = [
        {"title": t, "abstract": a, "authors": [], "fields": {}, "created_at": now}
        for t, a in records
    ]
    if not rows:
        return []
    insert = schema.records.insert().returning(schema.records.c.id, sort_by_parameter_order=True)
    with store.transaction() as conn:
        return [int(i) for i in conn.execute(insert, rows).scalars()]
