"""Who extracts which record: assignments (the `assignments` table, stage "extraction").

`assign_extractors` shares included records among extractors, `per_record` each (1 for single
extraction, 2 for dual), balanced: each slot goes to the extractor with the fewest extraction
assignments so far, ties broken by a shuffle seeded with `seed` (the same call gives the same
plan). Existing assignments are kept: assigning again only tops up records short of
`per_record`. With no assignment at all, anyone may extract any included record.

>>> from litrev.screening.decisions import Screening, StageSettings
>>> from litrev.screening.demo import add_records
>>> store = Store.open("sqlite://")
>>> ids = add_records(store, 3)
>>> s = Screening(store, defaults=StageSettings(blind=False, reviewers_required=1))
>>> for rid in ids:
...     for stage in ("title_abstract", "full_text"):
...         _ = s.decide(rid, reviewer="lead", stage=stage, decision="include")
>>> plan = assign_extractors(store, ids, ["ana", "bo"], 2, by="lead", screening=s)
>>> plan[1], extractors_of(store, 2), assigned_records(store, "bo")
(['ana', 'bo'], ['ana', 'bo'], [1, 2, 3])
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from litrev.extraction.codebook import CONSENSUS
from litrev.extraction.progress import EXTRACTION_STAGE, states_on
from litrev.extraction.values import ExtractionError
from litrev.screening.slots import fill_slots
from litrev.store import Store, schema

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening


def live_assignments(conn: Connection) -> dict[int, list[str]]:
    """{record id: extractors assigned, in assignment order}."""
    table = schema.assignments
    rows = conn.execute(
        select(table.c.record_id, table.c.reviewer)
        .where(table.c.stage == EXTRACTION_STAGE, table.c.removed_at.is_(None))
        .order_by(table.c.id)
    )
    found: dict[int, list[str]] = {}
    for record_id, reviewer in rows:
        names = found.setdefault(int(record_id), [])
        if reviewer not in names:
            names.append(reviewer)
    return found


def assign_extractors(
    store: Store,
    record_ids: Sequence[int],
    extractors: Sequence[str],
    per_record: int,
    *,
    by: str,
    seed: int = 0,
    screening: Screening | None = None,
) -> dict[int, list[str]]:
    """Assign each record to `per_record` distinct extractors (keeping existing assignments),
    balanced and deterministic; returns {record id: its extractors now} for `record_ids`.

    Every record must be included at full text (`screening`: the review's settings, as
    `Screening.from_protocol` gives them). One transaction, logged ("assign_extractors").

    >>> assign_extractors(Store.open("sqlite://"), [1], ["ana"], 2, by="lead")
    Traceback (most recent call last):
    ...
    litrev.extraction.values.ExtractionError: 2 extractors per record needs at least 2 distinct extractors; 1 given
    """
    from litrev.extraction.inclusion import inclusion_statuses
    from litrev.screening.model import reviewer_name

    names = [reviewer_name(e) for e in extractors]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ExtractionError(f"extractors named twice: {', '.join(repeated)}")
    if CONSENSUS in names:
        raise ExtractionError("'consensus' is the reconciled extraction, not an extractor")
    if per_record < 1:
        raise ExtractionError(f"per_record must be at least 1, got {per_record}")
    if per_record > len(names):
        raise ExtractionError(
            f"{per_record} extractors per record needs at least {per_record} distinct "
            f"extractors; {len(names)} given"
        )
    wanted = sorted({int(r) for r in record_ids})
    lead = reviewer_name(by)
    with store.transaction() as conn:
        Store.lock(conn, "assignments")
        if screening is not None:
            for who in names:
                _require_extractor(screening, who, conn)
        bad = inclusion_statuses(store, screening, conn, wanted)
        if bad:
            shown = "; ".join(f"record {r} is {why}" for r, why in sorted(bad.items())[:10])
            more = f"; and {len(bad) - 10} more" if len(bad) > 10 else ""
            raise ExtractionError(
                f"only records included at full text are extracted: {shown}{more}",
                field="record_id",
            )
        current = live_assignments(conn)
        load = {who: sum(who in ids for ids in current.values()) for who in names}
        plan = fill_slots(wanted, names, current, per_record, load, seed=seed)
        now = datetime.now(UTC)
        rows = [
            {
                "record_id": r,
                "stage": EXTRACTION_STAGE,
                "reviewer": who,
                "assigned_by": lead,
                "created_at": now,
            }
            for who, ids in plan.items()
            for r in sorted(ids)
        ]
        if rows:
            conn.execute(schema.assignments.insert(), rows)
        Store.log(
            conn,
            actor=lead,
            action="assign_extractors",
            entity="assignment",
            detail={
                "per_record": per_record,
                "seed": seed,
                "extractors": names,
                "assigned": {who: sorted(ids) for who, ids in plan.items()},
            },
        )
        after = live_assignments(conn)
    return {r: after.get(r, []) for r in wanted}


def _require_extractor(screening: Screening, name: str, conn: Connection) -> None:
    from litrev.screening.model import ScreeningError

    try:
        screening.require_reviewer(name, conn)
    except ScreeningError as error:
        raise ExtractionError(f"extractor: {error}") from None


def unassign_extractor(store: Store, record_id: int, reviewer: str, *, by: str) -> bool:
    """Take a record off an extractor's list (their values stay); False if it was not there.

    >>> unassign_extractor(Store.open("sqlite://"), 1, "ana", by="lead")
    False
    """
    from litrev.screening.model import reviewer_name

    table = schema.assignments
    who = reviewer_name(reviewer)
    where = (
        table.c.stage == EXTRACTION_STAGE,
        table.c.removed_at.is_(None),
        table.c.record_id == record_id,
        table.c.reviewer == who,
    )
    with store.transaction() as conn:
        Store.lock(conn, "assignments")
        hit = conn.execute(table.update().where(*where).values(removed_at=datetime.now(UTC)))
        removed = bool(hit.rowcount)
        if removed:
            Store.log(
                conn,
                actor=reviewer_name(by),
                action="unassign_extractor",
                entity="assignment",
                entity_id=record_id,
                detail={"record_id": record_id, "reviewer": who},
            )
    return removed


def extractors_on(conn: Connection, record_id: int) -> list[str]:
    """`extractors_of` on an open connection."""
    table = schema.assignments
    assigned = list(
        dict.fromkeys(
            conn.execute(
                select(table.c.reviewer)
                .where(
                    table.c.stage == EXTRACTION_STAGE,
                    table.c.removed_at.is_(None),
                    table.c.record_id == record_id,
                )
                .order_by(table.c.id)
            ).scalars()
        )
    )
    # Anyone who extracted the record without an assignment is one of its extractors too.
    return assigned + sorted(set(states_on(conn, record_id)) - set(assigned))


def extractors_of(store: Store, record_id: int) -> list[str]:
    """The record's extractors: those assigned (in assignment order), then anyone else who has
    values or progress on it (by name). "consensus" is never one.

    >>> extractors_of(Store.open("sqlite://"), 1)
    []
    """
    with store.connect() as conn:
        return extractors_on(conn, record_id)


def assigned_records(store: Store, reviewer: str) -> list[int]:
    """The records assigned to `reviewer` for extraction, by id.

    >>> assigned_records(Store.open("sqlite://"), "ana")
    []
    """
    with store.connect() as conn:
        return sorted(r for r, who in live_assignments(conn).items() if reviewer in who)
