"""Work allocation: which reviewer screens which record at a stage, and what each should
screen next so that every record is screened by the stage's required number of reviewers.

With no live assignment at a stage, every reviewer may screen every eligible record (the
review works as it did before allocation existed). Assignments are rows; removing one marks it.

>>> from litrev.store import Store
>>> from litrev.screening.decisions import Screening
>>> from litrev.screening.demo import add_records
>>> s = Screening(Store.open("sqlite://"), reviewers=["ann", "bob", "cat"])
>>> add_records(s.store, 6)
[1, 2, 3, 4, 5, 6]
>>> plan = allocate(s, "title_abstract", ["ann", "bob", "cat"], by="lead")
>>> sorted(len(ids) for ids in plan.values())   # 6 records x 2 reviewers over 3 people
[4, 4, 4]
>>> next_records(s, "title_abstract", "ann") == assigned(s, "title_abstract", "ann")
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select, text

from litrev.screening.log import read_tracks, write_transaction
from litrev.screening.model import (
    DecisionEvent,
    ScreeningError,
    State,
    current_decisions,
    current_resolutions,
    parse_stage,
    reviewer_name,
)
from litrev.screening.slots import fill_slots
from litrev.store import Store, schema

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening


@dataclass(frozen=True)
class Progress:
    """One reviewer's work at a stage: records assigned (None without allocation), live
    decisions made, and records still to screen (`next_records`)."""

    reviewer: str
    assigned: int | None
    decided: int
    remaining: int


def _live_assignments(conn: Connection, stage: str) -> dict[int, set[str]]:
    """{record id: reviewers assigned} at a stage."""
    table = schema.assignments
    rows = conn.execute(
        select(table.c.record_id, table.c.reviewer).where(
            table.c.stage == stage, table.c.removed_at.is_(None)
        )
    )
    found: dict[int, set[str]] = {}
    for record_id, reviewer in rows.all():
        found.setdefault(record_id, set()).add(reviewer)
    return found


def _deciders(events: Sequence[DecisionEvent]) -> dict[int, set[str]]:
    """{record id: reviewers with a live independent decision}."""
    found: dict[int, set[str]] = {}
    for record_id, who in current_decisions(events):
        found.setdefault(record_id, set()).add(who)
    return found


def _check_records(
    screening: Screening, conn: Connection, stage: str, record_ids: Sequence[int]
) -> list[int]:
    wanted = sorted({int(r) for r in record_ids})
    eligible = set(screening.eligible_records(stage, conn))
    bad = [r for r in wanted if r not in eligible]
    if bad:
        shown = ", ".join(map(str, bad[:10])) + (
            f" and {len(bad) - 10} more" if len(bad) > 10 else ""
        )
        raise ScreeningError(
            f"records not to be screened at {stage} (no such record, a duplicate, or not "
            f"included at the stage before): {shown}",
            field="record_id",
        )
    return wanted


def assign(
    screening: Screening, stage: str, reviewer: str, record_ids: Sequence[int], *, by: str
) -> int:
    """Assign records to a reviewer at a stage; returns how many were newly assigned (those
    assigned to them already are left as they are). Every record must be eligible there."""
    stage_value = parse_stage(str(stage)).value
    lead = reviewer_name(by)
    with write_transaction(screening.store) as conn:
        Store.lock(conn, "assignments")
        who = screening.require_reviewer(reviewer, conn)
        wanted = _check_records(screening, conn, stage_value, record_ids)
        current = _live_assignments(conn, stage_value)
        new = [r for r in wanted if who not in current.get(r, set())]
        _insert(conn, stage_value, {who: new}, lead)
        Store.log(
            conn,
            actor=lead,
            action="screening.assign",
            entity="assignment",
            detail={"stage": stage_value, "reviewer": who, "records": new},
        )
    return len(new)


def unassign(
    screening: Screening, stage: str, reviewer: str, record_ids: Sequence[int], *, by: str
) -> int:
    """Take records off a reviewer's allocation at a stage; returns how many were removed.
    Their decisions already made stay."""
    stage_value = parse_stage(str(stage)).value
    lead = reviewer_name(by)
    who = reviewer_name(reviewer)
    table = schema.assignments
    wanted = sorted({int(r) for r in record_ids})
    removed: list[int] = []
    with write_transaction(screening.store) as conn:
        Store.lock(conn, "assignments")
        now = datetime.now(UTC)
        for k in range(0, len(wanted), 500):
            chunk = wanted[k : k + 500]
            live = table.c.removed_at.is_(None)
            where = (table.c.stage == stage_value, table.c.reviewer == who, live)
            hit = conn.execute(
                select(table.c.record_id).where(*where, table.c.record_id.in_(chunk))
            ).scalars()
            removed.extend(sorted(set(int(r) for r in hit)))
            conn.execute(
                table.update().where(*where, table.c.record_id.in_(chunk)).values(removed_at=now)
            )
        Store.log(
            conn,
            actor=lead,
            action="screening.unassign",
            entity="assignment",
            detail={"stage": stage_value, "reviewer": who, "records": removed},
        )
    return len(removed)


def _insert(conn: Connection, stage: str, plan: Mapping[str, Sequence[int]], by: str) -> None:
    now = datetime.now(UTC)
    rows = [
        {"record_id": r, "stage": stage, "reviewer": who, "assigned_by": by, "created_at": now}
        for who, ids in plan.items()
        for r in ids
    ]
    if rows:
        conn.execute(schema.assignments.insert(), rows)


def _check_shares(reviewers: Sequence[str], shares: Mapping[str, float] | None) -> dict[str, float]:
    if shares is None:
        return dict.fromkeys(reviewers, 1.0)
    unknown = sorted(set(shares) - set(reviewers))
    if unknown:
        raise ScreeningError(
            f"shares name reviewers not being allocated: {', '.join(unknown)}", field="shares"
        )
    out: dict[str, float] = {}
    for who in reviewers:
        if who not in shares:
            raise ScreeningError(f"shares: no share for {who}", field="shares")
        value = shares[who]
        try:
            share = float(value)
        except (TypeError, ValueError):
            share = math.nan
        if not (math.isfinite(share) and share > 0):
            raise ScreeningError(
                f"shares: {who}'s share {value!r} must be a number greater than 0", field="shares"
            )
        out[who] = share
    return out


def allocate(
    screening: Screening,
    stage: str,
    reviewers: Sequence[str],
    *,
    per_record: int | None = None,
    shares: Mapping[str, float] | None = None,
    by: str,
    seed: int = 0,
) -> dict[str, list[int]]:
    """Share out a stage's eligible records among `reviewers`, `per_record` distinct reviewers
    each (default: the stage's reviewers_required), balanced by `shares` (default equal).

    A record's slots already filled (a live assignment, or a live decision by anyone) count, so
    allocating again only tops up records short of `per_record`. Each slot goes to the reviewer
    furthest below their share of the work so far, ties broken by a shuffle seeded with
    `seed` (the same call gives the same plan). Returns {reviewer: records newly assigned}.
    """
    stage_value = parse_stage(str(stage)).value
    lead = reviewer_name(by)
    names = [reviewer_name(r) for r in reviewers]
    if not names:
        raise ScreeningError("allocate: no reviewers given", field="reviewers")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ScreeningError(f"allocate: reviewers named twice: {', '.join(repeated)}")
    need = screening.settings(stage_value).reviewers_required if per_record is None else per_record
    if need < 1:
        raise ScreeningError("per_record must be at least 1", field="per_record")
    if need > len(names):
        raise ScreeningError(
            f"per_record {need} needs at least {need} distinct reviewers; {len(names)} given",
            field="per_record",
        )
    weights = _check_shares(names, shares)
    with write_transaction(screening.store) as conn:
        Store.lock(conn, "assignments")
        for who in names:
            screening.require_reviewer(who, conn)
        eligible = screening.eligible_records(stage_value, conn)
        current = _live_assignments(conn, stage_value)
        decided = _deciders(read_tracks(conn, stage_value))
        load = {who: sum(who in current.get(r, ()) for r in eligible) for who in names}
        filled = {
            r: current.get(r, set()) | decided.get(r, set())
            for r in current.keys() | decided.keys()
        }
        # Sainte-Laguë by the shares: the apportionment closest to them (equal shares: loads
        # within one record of each other).
        plan = fill_slots(eligible, names, filled, need, load, seed=seed, weights=weights)
        for ids in plan.values():
            ids.sort()
        _insert(conn, stage_value, plan, lead)
        Store.log(
            conn,
            actor=lead,
            action="screening.allocate",
            entity="assignment",
            detail={
                "stage": stage_value,
                "per_record": need,
                "shares": weights,
                "seed": seed,
                "assigned": {who: len(ids) for who, ids in plan.items()},
            },
        )
    return plan


def assigned(screening: Screening, stage: str, reviewer: str) -> list[int] | None:
    """The records assigned to `reviewer` at a stage, by id; None when the stage has no
    allocation at all (then everyone may screen every record)."""
    stage_value = parse_stage(str(stage)).value
    with screening.store.connect() as conn:
        current = _live_assignments(conn, stage_value)
    if not current:
        return None
    return sorted(r for r, who in current.items() if reviewer in who)


def _todo(
    eligible: Sequence[int],
    allocation: dict[int, set[str]],
    decided: dict[int, set[str]],
    settled: set[int],
    required: int,
    reviewer: str,
) -> list[int]:
    return [
        r
        for r in eligible
        if (not allocation or reviewer in allocation.get(r, ()))
        and reviewer not in decided.get(r, ())
        and r not in settled
        and len(decided.get(r, ())) < required
    ]


def _stage_state(
    screening: Screening, stage: str
) -> tuple[list[int], dict[int, set[str]], dict[int, set[str]], set[int], int]:
    with screening.store.connect() as conn:
        eligible = screening.eligible_records(stage, conn)
        allocation = _live_assignments(conn, stage)
        events = read_tracks(conn, stage)
    settled = set(current_resolutions(events))
    required = screening.settings(stage).reviewers_required
    return eligible, allocation, _deciders(events), settled, required


def next_records(
    screening: Screening, stage: str, reviewer: str, *, order: Sequence[int] | None = None
) -> list[int]:
    """What `reviewer` should screen next at a stage: eligible records assigned to them (when
    the stage has an allocation) that they have not decided, not resolved, and still short of
    the required number of live decisions. In `order` (e.g. the ranking's), records missing
    from it after, by id; else by record id.

    This is what enforces "every record screened by N": once N reviewers decided a record it
    leaves everyone's list, and until then it stays on the list of each assigned reviewer who
    has not decided it.
    """
    stage_value = parse_stage(str(stage)).value
    who = reviewer_name(reviewer)
    todo = _todo(*_stage_state(screening, stage_value), who)
    if order is None:
        return todo
    wanted = set(todo)
    first = [r for r in dict.fromkeys(int(r) for r in order) if r in wanted]
    seen = set(first)
    return first + [r for r in todo if r not in seen]


# The first key of the PostgreSQL advisory locks taken on a record's decisions ("litr").
_RECORD_LOCK_SPACE = 0x6C697472


def require_may_screen(
    screening: Screening,
    stage: str,
    reviewer: str,
    record_id: int,
    conn: Connection | None = None,
) -> None:
    """Refuse (ScreeningError) a decision the allocation does not allow: on a record not
    assigned to `reviewer` when the stage has an allocation, or on a record that already has
    its required live decisions from others. Changing one's own live decision is always
    allowed. The web workspace asks `Screening.decide(..., enforce_allocation=True)`, which
    calls this inside the decision's own write transaction (`conn`), so two reviewers deciding
    the last open place at once cannot both get it; the CLI does not.

    >>> from litrev.store import Store
    >>> from litrev.screening.decisions import Screening
    >>> from litrev.screening.demo import add_records
    >>> s = Screening(Store.open("sqlite://"))
    >>> add_records(s.store, 2)
    [1, 2]
    >>> _ = assign(s, "ta", "ann", [1], by="lead")
    >>> require_may_screen(s, "ta", "bob", 1)
    Traceback (most recent call last):
    ...
    litrev.screening.model.ScreeningError: record 1 is not assigned to bob at title_abstract
    """
    stage_value = parse_stage(str(stage)).value
    who = reviewer_name(reviewer)
    if conn is None:
        with screening.store.connect() as own:
            require_may_screen(screening, stage_value, who, record_id, own)
        return
    if conn.dialect.name == "postgresql":
        # PostgreSQL has no database-wide writer lock: serialise the decisions on this record
        # until the transaction ends, so the count of deciders below cannot go stale.
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:space, :record)"),
            {"space": _RECORD_LOCK_SPACE, "record": record_id},
        )
    events = screening.events(stage_value, conn, record_id=record_id)
    table = schema.assignments
    live = (table.c.stage == stage_value, table.c.removed_at.is_(None))
    allocated = conn.execute(select(table.c.id).where(*live).limit(1)).first() is not None
    mine = conn.execute(
        select(table.c.id)
        .where(*live, table.c.record_id == record_id, table.c.reviewer == who)
        .limit(1)
    ).first()
    deciders = _deciders(events).get(record_id, set())
    if who in deciders:
        return
    if allocated and mine is None:
        raise ScreeningError(
            f"record {record_id} is not assigned to {who} at {stage_value}", field="record_id"
        )
    required = screening.settings(stage_value, conn).reviewers_required
    if len(deciders) >= required:
        raise ScreeningError(
            f"record {record_id} already has its {required} decision(s) at {stage_value}",
            field="record_id",
        )


def progress(screening: Screening, stage: str) -> list[Progress]:
    """Each reviewer's progress at a stage: the declared and registered reviewers and anyone
    with an assignment there, by name."""
    stage_value = parse_stage(str(stage)).value
    eligible, allocation, decided, settled, required = _stage_state(screening, stage_value)
    names = set(screening.known_reviewers())
    for allotted in allocation.values():
        names |= allotted
    made: dict[str, int] = {}
    for deciders in decided.values():
        for name in deciders:
            made[name] = made.get(name, 0) + 1
    names |= set(made)
    rows = []
    for name in sorted(names):
        count = sum(name in s for s in allocation.values()) if allocation else None
        remaining = len(_todo(eligible, allocation, decided, settled, required, name))
        rows.append(Progress(name, count, made.get(name, 0), remaining))
    return rows


def awaiting_second(screening: Screening, stage: str) -> list[int]:
    """Records with some live decisions but fewer than the stage requires (and no resolution),
    by id: the ones waiting for another reviewer."""
    return sorted(
        o.record_id for o in screening.outcomes(stage).values() if o.state is State.AWAITING
    )


__all__ = [
    "Progress",
    "allocate",
    "assign",
    "assigned",
    "awaiting_second",
    "next_records",
    "progress",
    "require_may_screen",
    "unassign",
]
