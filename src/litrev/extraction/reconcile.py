"""Reconciliation: settling two extractions into the consensus, one field (and group row) at a
time, recording who decided what, from whose value, and why.

`reconcile` writes the consensus value, an `extraction_reconciliations` row and an audit-log
entry ("reconcile_extraction") in one transaction. It is refused until every extractor of the
record has completed it, when fewer than two have, by anyone but the lead or one of the
record's extractors (`may_reconcile`), and for a value the codebook refuses.
`accept_agreements` makes every field the extractors agree on the consensus (method "agreed").
`unreconciled` lists records extracted by reviewers but without a complete consensus (what the
report lists as lacking a reconciled extraction).

>>> unreconciled(Store.open("sqlite://"))
[]
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from litrev.extraction.codebook import CONSENSUS, ValueKey
from litrev.extraction.compare import Reconciliation, reconciliations_on
from litrev.extraction.matching import codebook_keys, same
from litrev.extraction.progress import COMPLETE, lock_record, states_on
from litrev.extraction.reading import read_values_on, record_values_on
from litrev.extraction.values import (
    ExtractionError,
    StoredValue,
    key_problem,
    normalised,
    value_problems,
    write_value,
)
from litrev.protocol import Codebook
from litrev.store import Store, schema

RECONCILE_ACTION = "reconcile_extraction"


def may_reconcile(store: Store, record_id: int, username: str, is_lead: bool) -> bool:
    """Whether `username` may settle the record's extractions: the lead, or one of its extractors.

    >>> may_reconcile(Store.open("sqlite://"), 1, "ana", False)
    False
    """
    from litrev.extraction.assign import extractors_of

    return is_lead or username in extractors_of(store, record_id)


def _ready(conn: Connection, record_id: int) -> list[str]:
    """The record's extractors, or an ExtractionError saying who has not completed it."""
    from litrev.extraction.assign import extractors_on

    extractors = extractors_on(conn, record_id)
    states = states_on(conn, record_id)
    waiting = [
        f"{who} ({'in progress' if states.get(who) else 'not started'})"
        for who in extractors
        if states.get(who) != COMPLETE
    ]
    if waiting:
        raise ExtractionError(
            f"record {record_id} cannot be reconciled yet: not completed by {', '.join(waiting)}",
            field="record_id",
        )
    if len(extractors) < 2:
        has = f"only {extractors[0]}'s" if extractors else "none"
        raise ExtractionError(
            f"record {record_id} cannot be reconciled: reconciliation needs two completed "
            f"extractions, it has {has}",
            field="record_id",
        )
    return extractors


def _allowed(conn: Connection, record_id: int, by: str, is_lead: bool) -> None:
    from litrev.extraction.assign import extractors_on

    if not is_lead and by not in extractors_on(conn, record_id):
        raise ExtractionError(
            f"{by} may not reconcile record {record_id}: only the lead or one of its extractors",
            field="by",
        )


def _record(
    conn: Connection,
    record_id: int,
    key: ValueKey,
    value: str,
    location: str | None,
    *,
    method: str,
    chosen_from: str | None,
    sources: dict[str, str],
    by: str,
    reason: str,
    now: datetime,
    version: int | None = None,
) -> Reconciliation:
    write_value(conn, record_id, CONSENSUS, key, value, location, now, version)
    table = schema.extraction_reconciliations
    result = conn.execute(
        table.insert().values(
            record_id=record_id,
            field=key[0],
            instance=key[1],
            value=value,
            location=location,
            method=method,
            chosen_from=chosen_from,
            sources=json.dumps(sources, ensure_ascii=False, sort_keys=True),
            decided_by=by,
            reason=reason,
            created_at=now,
        )
    )
    inserted = result.inserted_primary_key
    assert inserted is not None  # an INSERT always returns its key
    Store.log(
        conn,
        actor=by,
        action=RECONCILE_ACTION,
        entity="extractions",
        entity_id=record_id,
        detail={
            "record_id": record_id,
            "field": key[0],
            "instance": key[1],
            "value": value,
            "location": location,
            "method": method,
            "sources": sources,
            "chosen_from": chosen_from,
            "reason": reason,
        },
    )
    return Reconciliation(
        int(inserted[0]),
        record_id,
        key[0],
        key[1],
        value,
        location,
        method,
        chosen_from,
        sources,
        by,
        reason,
        now,
    )


def _sources(
    extractors: list[str], by_reviewer: dict[str, dict[ValueKey, StoredValue]], key: ValueKey
) -> dict[str, str]:
    return {who: (by_reviewer.get(who, {}).get(key) or _EMPTY).value for who in extractors}


_EMPTY = StoredValue(0, "", "", 0, "", None, None)


def reconcile(
    store: Store,
    codebook: Codebook,
    record_id: int,
    field: str,
    instance: int = 0,
    *,
    value: str | None = None,
    location: str | None = None,
    by: str,
    reason: str = "",
    chosen_from: str | None = None,
    is_lead: bool = False,
) -> Reconciliation:
    """Settle one field (group row `instance`) of a record: the consensus becomes `value`, or
    `chosen_from`'s value when `value` is None. Method "chose" when the value is that
    extractor's as it stands, "edited" otherwise. `by` must be the lead (`is_lead=True`) or
    one of the record's extractors. Refused (ExtractionError) before every extractor has
    completed the record, and for a value the codebook refuses.

    >>> from litrev.protocol import CodebookField
    >>> reconcile(Store.open("sqlite://"), Codebook(fields=[CodebookField(name="aim")]), 1,
    ...           "aim", value="x", by="ana", is_lead=True)
    Traceback (most recent call last):
    ...
    litrev.extraction.values.ExtractionError: record 1 cannot be reconciled: reconciliation needs two completed extractions, it has none
    """
    from litrev.screening.model import reviewer_name

    who = reviewer_name(by)
    key = (field, int(instance))
    problem = key_problem(codebook, key)
    if problem:
        raise ExtractionError(problem, field=field)
    from litrev.extraction.versions import sync_codebook

    target = codebook.field(field)
    version = sync_codebook(store, codebook, actor=who).version
    now = datetime.now(UTC)
    with store.transaction() as conn:
        lock_record(conn, record_id)
        _allowed(conn, record_id, who, is_lead)
        extractors = _ready(conn, record_id)
        by_reviewer = record_values_on(conn, record_id)
        sources = _sources(extractors, by_reviewer, key)
        source: StoredValue | None = None
        if chosen_from is not None:
            if chosen_from not in extractors:
                raise ExtractionError(
                    f"{chosen_from} is not an extractor of record {record_id} "
                    f"(its extractors: {', '.join(extractors)})",
                    field="chosen_from",
                )
            source = by_reviewer.get(chosen_from, {}).get(key) or _EMPTY
            if value is None:
                value = source.value
                location = source.location if location is None else location
        if value is None:
            raise ExtractionError("give a value, or the extractor whose value to take", field=field)
        value = normalised(target, value)
        location = (location or "").strip() or None
        agreed = read_values_on(conn, record_id, CONSENSUS)
        consensus = {k: v.value for k, v in agreed.items()}
        places = {k: v.location or "" for k, v in agreed.items() if v.location}
        consensus[key] = value
        places[key] = location or ""
        found = value_problems(codebook, consensus, places, complete=False).get(key)
        if found and (value or location):
            raise ExtractionError(found, field=field)
        chose = (
            source is not None and source.value == value and (source.location or None) == location
        )
        return _record(
            conn,
            record_id,
            key,
            value,
            location,
            method="chose" if chose else "edited",
            chosen_from=chosen_from,
            sources=sources,
            by=who,
            reason=reason,
            now=now,
            version=version,
        )


def accept_agreements(
    store: Store,
    codebook: Codebook,
    record_id: int | None = None,
    *,
    by: str,
    is_lead: bool = False,
) -> int:
    """Make the consensus of every field the extractors agree on (and that has a value), on one
    record or on every record ready for reconciliation that `by` may reconcile; fields already
    settled are left alone. Returns how many values were written (method "agreed").

    >>> accept_agreements(Store.open("sqlite://"), Codebook(), by="lead", is_lead=True)
    0
    """
    from litrev.extraction.assign import extractors_on
    from litrev.extraction.versions import sync_codebook
    from litrev.screening.model import reviewer_name

    who = reviewer_name(by)
    version = sync_codebook(store, codebook, actor=who).version
    now = datetime.now(UTC)
    written = 0
    with store.transaction() as conn:
        if record_id is not None:
            records = [record_id]
        else:
            table = schema.extractions
            records = sorted(
                int(r)
                for r in conn.execute(
                    select(table.c.record_id).where(table.c.reviewer != CONSENSUS).distinct()
                ).scalars()
            )
        for rid in records:
            lock_record(conn, rid)
            if record_id is not None:
                _allowed(conn, rid, who, is_lead)
                extractors = _ready(conn, rid)
            else:
                if not is_lead and who not in extractors_on(conn, rid):
                    continue
                try:
                    extractors = _ready(conn, rid)
                except ExtractionError:
                    continue  # not ready: left for later
            by_reviewer = record_values_on(conn, rid)
            consensus = _consensus_keys(conn, rid)
            settled = reconciliations_on(conn, rid)
            extractions = [by_reviewer.get(w, {}) for w in extractors]
            for target, instance in codebook_keys(codebook, *extractions):
                key = (target.name, instance)
                values = [e.get(key) for e in extractions]
                if key in consensus or key in settled or all(v is None for v in values):
                    continue
                if not all(same(target, values[0], other) for other in values[1:]):
                    continue
                first = values[0] or _EMPTY
                _record(
                    conn,
                    rid,
                    key,
                    first.value,
                    first.location,
                    method="agreed",
                    chosen_from=None,
                    sources=_sources(extractors, by_reviewer, key),
                    by=who,
                    reason="the extractors agree",
                    now=now,
                    version=version,
                )
                written += 1
    return written


def _consensus_keys(conn: Connection, record_id: int) -> set[ValueKey]:
    """Keys with a consensus row, even an empty one (an imported consensus table's blank cell
    is the team's answer)."""
    table = schema.extractions
    return {
        (name, int(instance or 0))
        for name, instance in conn.execute(
            select(table.c.field, table.c.instance).where(
                table.c.record_id == record_id, table.c.reviewer == CONSENSUS
            )
        )
    }


def unreconciled_on(conn: Connection, codebook: Codebook | None = None) -> dict[int, list[str]]:
    """{record id: its extractors} of records with extractors' values but without a complete
    consensus: some (field, instance) an extractor gave a value for has neither a consensus
    value nor a reconciliation. Records whose latest consensus full-text decision excludes
    them are left out; with `codebook`, so are fields it no longer has."""
    from litrev.extraction.table import excluded_record_ids

    table = schema.extractions
    excluded = set(excluded_record_ids(conn))
    given: dict[int, dict[str, set[ValueKey]]] = {}
    covered: dict[int, set[ValueKey]] = {}
    rows = conn.execute(
        select(table.c.record_id, table.c.reviewer, table.c.field, table.c.instance, table.c.value)
    )
    for record_id, who, name, instance, value in rows:
        key = (name, int(instance or 0))
        if who == CONSENSUS:
            covered.setdefault(int(record_id), set()).add(key)
        elif (value or "").strip() and (codebook is None or codebook.field(name) is not None):
            given.setdefault(int(record_id), {}).setdefault(who, set()).add(key)
        else:
            given.setdefault(int(record_id), {}).setdefault(who, set())
    settled = schema.extraction_reconciliations
    for record_id, name, instance in conn.execute(
        select(settled.c.record_id, settled.c.field, settled.c.instance)
    ):
        covered.setdefault(int(record_id), set()).add((name, int(instance or 0)))
    out: dict[int, list[str]] = {}
    for record_id in sorted(given):
        if record_id in excluded:
            continue
        have = covered.get(record_id, set())
        wanted = set().union(*given[record_id].values())
        if not have or wanted - have:
            out[record_id] = sorted(given[record_id])
    return out


def unreconciled(store: Store, codebook: Codebook | None = None) -> list[int]:
    """Records extracted by reviewers but lacking a complete consensus, by id (dual mode).

    >>> unreconciled(Store.open("sqlite://"), Codebook())
    []
    """
    with store.connect() as conn:
        return sorted(unreconciled_on(conn, codebook))
