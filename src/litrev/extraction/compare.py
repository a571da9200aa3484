"""One record's extractions side by side (`comparisons`), blind until every extractor has
completed it, with the consensus and how each field was settled (`Reconciliation`).

>>> from litrev.protocol import Codebook, CodebookField
>>> [c.field for c in comparisons(Store.open("sqlite://"),
...                               Codebook(fields=[CodebookField(name="aim")]), 1)]
['aim']
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from litrev.extraction.codebook import CONSENSUS, ValueKey
from litrev.extraction.matching import applies_for, codebook_keys, same
from litrev.extraction.progress import COMPLETE, states_on
from litrev.extraction.reading import StoredValue, record_values_on
from litrev.protocol import Codebook
from litrev.store import Store, schema


@dataclass(frozen=True)
class Reconciliation:
    """How one field (and group row) of a record was settled: the consensus value, by whom,
    from whose value ("chose"), edited ("edited") or because the extractors agreed ("agreed")."""

    id: int
    record_id: int
    field: str
    instance: int
    value: str
    location: str | None
    method: str
    chosen_from: str | None
    sources: dict[str, str]
    decided_by: str
    reason: str
    at: datetime | None


def reconciliations_on(conn: Connection, record_id: int) -> dict[ValueKey, Reconciliation]:
    """The latest reconciliation of each (field, instance) of a record."""
    table = schema.extraction_reconciliations
    out: dict[ValueKey, Reconciliation] = {}
    rows = conn.execute(
        select(table).where(table.c.record_id == record_id).order_by(table.c.id)
    ).mappings()
    for row in rows:
        out[(row["field"], int(row["instance"] or 0))] = Reconciliation(
            id=int(row["id"]),
            record_id=record_id,
            field=row["field"],
            instance=int(row["instance"] or 0),
            value=row["value"] or "",
            location=row["location"],
            method=row["method"],
            chosen_from=row["chosen_from"],
            sources=json.loads(row["sources"] or "{}"),
            decided_by=row["decided_by"],
            reason=row["reason"] or "",
            at=row["created_at"],
        )
    return out


@dataclass(frozen=True)
class Comparison:
    """One (field, instance) of a record side by side: each extractor's value (None: none),
    whether they agree, whether the field applies for any of them, and the consensus so far."""

    field: str
    instance: int
    values: dict[str, StoredValue | None]
    agree: bool
    applies: bool
    consensus: StoredValue | None
    reconciliation: Reconciliation | None
    label: str = ""
    group: str = ""
    known: bool = True  # False: a stored field the codebook no longer has
    notes: tuple[str, ...] = ()


def comparisons(
    store: Store,
    codebook: Codebook,
    record_id: int,
    *,
    viewer: str | None = None,
    is_lead: bool = True,
) -> list[Comparison]:
    """The record's extractions side by side, one row per (field, instance) in form order (then
    any stored field the codebook no longer has).

    Blind until done: while any extractor of the record has not completed it, a `viewer` who
    is not the lead (`is_lead=False`) sees only their own values (no one else's, no agreement,
    no consensus). Without a viewer (the lead's command line) everything is shown.

    >>> from litrev.protocol import CodebookField
    >>> [c.field for c in comparisons(Store.open("sqlite://"),
    ...                               Codebook(fields=[CodebookField(name="aim")]), 1)]
    ['aim']
    """
    from litrev.extraction.assign import extractors_on

    with store.connect() as conn:
        extractors = extractors_on(conn, record_id)
        states = states_on(conn, record_id)
        by_reviewer = record_values_on(conn, record_id)
        settled = reconciliations_on(conn, record_id)
    consensus = by_reviewer.get(CONSENSUS, {})
    finished = bool(extractors) and all(states.get(w) == COMPLETE for w in extractors)
    blind = viewer is not None and not is_lead and not finished
    shown = [viewer] if blind and viewer in extractors else ([] if blind else extractors)
    plain = {w: {k: v.value for k, v in by_reviewer.get(w, {}).items()} for w in extractors}
    slots = codebook_keys(codebook, *(by_reviewer.get(w, {}) for w in extractors), consensus)
    rows: list[Comparison] = []
    seen: set[ValueKey] = set()
    for target, instance in slots:
        key = (target.name, instance)
        seen.add(key)
        values = {w: by_reviewer.get(w, {}).get(key) for w in shown}
        every = [by_reviewer.get(w, {}).get(key) for w in extractors]
        agree = (
            not blind
            and len(every) >= 2
            and all(same(target, every[0], other) for other in every[1:])
        )
        applies = not plain or any(
            applies_for(codebook, target, plain[w], instance) for w in extractors
        )
        rows.append(
            Comparison(
                field=target.name,
                instance=instance,
                values=values,
                agree=agree,
                applies=applies,
                consensus=None if blind else consensus.get(key),
                reconciliation=None if blind else settled.get(key),
                label=target.heading
                if hasattr(target, "heading")
                else (target.label or target.name),
                group=target.group,
            )
        )
    stored = {k for w in extractors for k in by_reviewer.get(w, {})} | set(consensus)
    for key in sorted(stored - seen):
        values = {w: by_reviewer.get(w, {}).get(key) for w in shown}
        rows.append(
            Comparison(
                field=key[0],
                instance=key[1],
                values=values,
                agree=False,
                applies=True,
                consensus=None if blind else consensus.get(key),
                reconciliation=None if blind else settled.get(key),
                label=key[0],
                known=False,
                notes=("not a field of the codebook now (`litrev codebook check`)",),
            )
        )
    return rows
