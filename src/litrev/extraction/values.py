"""One extractor's values for one record: read, save (autosave-friendly), complete, progress.

A value is (record_id, reviewer, field, instance, value, location): `instance` is 0 for a
field outside any repeating group and 1, 2, ... for the rows of a group; `location` is where a
quote was found. Keys are `ValueKey = (field, instance)`.

`save_values` writes the good values of a call and hands back the bad ones with their problem
(a form autosaves field by field: one mistyped number must not lose the rest). An empty string
deletes that key's value. `complete=True` then runs the completeness check (required fields,
group rows, quote locations) and marks the record "complete" for that reviewer only when
nothing is missing. Everything a call writes is one transaction, logged in the audit log.

Progress ("in_progress" / "complete") is `litrev.extraction.progress`, re-exported here.

>>> from litrev.protocol import Codebook, CodebookField
>>> from litrev.screening.decisions import Screening, StageSettings
>>> from litrev.screening.demo import add_records
>>> store = Store.open("sqlite://")
>>> _ = add_records(store, 1)
>>> screening = Screening(store, defaults=StageSettings(blind=False, reviewers_required=1))
>>> for stage in ("title_abstract", "full_text"):
...     _ = screening.decide(1, reviewer="ann", stage=stage, decision="include")
>>> codebook = Codebook(fields=[CodebookField(name="n", type="integer", required=True)])
>>> result = save_values(store, codebook, 1, "ann", {("n", 0): "12x"}, actor="ann",
...                      screening=screening)
>>> result.saved, result.problems, result.state
([], {('n', 0): "expected a whole number for 'n', got '12x'"}, 'in_progress')
>>> save_values(store, codebook, 1, "ann", {("n", 0): "12"}, actor="ann", complete=True,
...             screening=screening).state
'complete'
>>> read_values(store, 1, "ann")[("n", 0)].value
'12'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from litrev.errors import LitrevError
from litrev.extraction.codebook import (
    CONSENSUS,
    ValueKey,
    check_values,
    normalise_value,
)
from litrev.extraction.codebook import key_problem as key_problem
from litrev.extraction.progress import (
    COMPLETE,
    IMPORTED,
    IN_PROGRESS,
    lock_record,
    set_state,
    state_on,
)
from litrev.extraction.progress import EXTRACTION_STAGE as EXTRACTION_STAGE
from litrev.extraction.progress import Progress as Progress
from litrev.extraction.progress import progress as progress
from litrev.extraction.progress import states_on as states_on
from litrev.extraction.reading import StoredValue as StoredValue
from litrev.extraction.reading import read_values as read_values
from litrev.extraction.reading import read_values_on
from litrev.protocol import Codebook, CodebookField
from litrev.store import Store, schema

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening


class ExtractionError(LitrevError):
    """An extraction action is not allowed (record not included, not assigned, not complete...).
    `field` names the codebook field at fault, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class SaveResult:
    """What `save_values` did: the keys written (or deleted), the keys refused with their
    problem (not saved), and the record's state for the reviewer afterwards. `values` are the
    reviewer's values of the record once saved, as `read_values` would read them ({key: value
    text}; a key holding only a location has ""), so a caller need not read them again."""

    saved: list[ValueKey]
    problems: dict[ValueKey, str]
    state: str
    missing: dict[ValueKey, str] = field(default_factory=dict)  # completeness problems
    values: dict[ValueKey, str] = field(default_factory=dict)


def value_problems(
    codebook: Codebook,
    values: Mapping[ValueKey, str],
    locations: Mapping[ValueKey, str],
    *,
    complete: bool,
) -> dict[ValueKey, str]:
    """Problems per key of one record's values: the codebook's checks (`check_values`), plus
    the key checks of `key_problem` for keys given without a value."""
    problems = check_values(codebook, values, locations, complete=complete)
    for key in set(values) | set(locations):
        if key not in problems:
            problem = key_problem(codebook, key)
            if problem:
                problems[key] = problem
    return problems


def normalised(target: CodebookField | None, value: str) -> str:
    """The stored form of a value (`normalise_value`: "UK" -> "United Kingdom")."""
    value = value.strip()
    if target is None or value == "":
        return value
    return normalise_value(target, value)


def check_reviewer_may_extract(
    conn: Connection,
    store: Store,
    record_id: int,
    reviewer: str,
    *,
    is_lead: bool,
    screening: Screening | None,
) -> None:
    """Refuse (ExtractionError) extraction of a record not included at full text, by
    "consensus" (reconciliation writes it), or by a reviewer the record is not assigned to
    when extraction assignments exist (the lead may)."""
    from litrev.extraction.inclusion import inclusion_statuses

    if reviewer == CONSENSUS:
        raise ExtractionError(
            "consensus values are written by reconciliation (`litrev extract reconcile`), "
            "not saved as an extractor's"
        )
    status = inclusion_statuses(store, screening, conn, [record_id]).get(record_id)
    if status is not None:
        raise ExtractionError(
            f"record {record_id} is {status}; only records included at full text are extracted",
            field="record_id",
        )
    if is_lead:
        return
    table = schema.assignments
    live = (table.c.stage == EXTRACTION_STAGE, table.c.removed_at.is_(None))
    if conn.execute(select(table.c.id).where(*live).limit(1)).first() is None:
        return  # no extraction assignments at all: anyone may extract any included record
    mine = conn.execute(
        select(table.c.id)
        .where(*live, table.c.record_id == record_id, table.c.reviewer == reviewer)
        .limit(1)
    ).first()
    if mine is None:
        raise ExtractionError(
            f"record {record_id} is not assigned to {reviewer} for extraction", field="record_id"
        )


def write_value(
    conn: Connection,
    record_id: int,
    reviewer: str,
    key: ValueKey,
    value: str,
    location: str | None,
    now: datetime,
    codebook_version: int | None = None,
) -> None:
    """Replace the stored value of one key ("" deletes it): one row per key afterwards."""
    table = schema.extractions
    conn.execute(
        table.delete().where(
            table.c.record_id == record_id,
            table.c.reviewer == reviewer,
            table.c.field == key[0],
            table.c.instance == key[1],
        )
    )
    if value != "" or location:
        conn.execute(
            table.insert().values(
                record_id=record_id,
                reviewer=reviewer,
                field=key[0],
                instance=key[1],
                value=value,
                location=location or None,
                codebook_version=codebook_version,
                created_at=now,
            )
        )


def save_values(
    store: Store,
    codebook: Codebook,
    record_id: int,
    reviewer: str,
    values: Mapping[ValueKey, str],
    locations: Mapping[ValueKey, str] | None = None,
    *,
    actor: str,
    complete: bool = False,
    is_lead: bool = False,
    screening: Screening | None = None,
) -> SaveResult:
    """Save some of one reviewer's values for one record, in one transaction.

    Values with a problem are not saved and come back in `problems`; an empty string deletes
    the key's value; a value equal to the stored one is left alone. `complete=True` then
    checks completeness and marks the record complete only when nothing is missing (the
    missing keys come back in `missing`); a completed record whose values change is checked
    again and goes back to "in_progress" if something is now missing. `screening` gives the
    review's screening settings (`Screening.from_protocol`) for the inclusion check.

    >>> from litrev.protocol import CodebookField
    >>> save_values(Store.open("sqlite://"), Codebook(fields=[CodebookField(name="x")]), 1,
    ...             "consensus", {("x", 0): "y"}, actor="ann")
    Traceback (most recent call last):
    ...
    litrev.extraction.values.ExtractionError: consensus values are written by reconciliation (`litrev extract reconcile`), not saved as an extractor's
    """
    from litrev.extraction.versions import sync_codebook
    from litrev.screening.model import reviewer_name

    locations = dict(locations or {})
    who = reviewer_name(reviewer) if reviewer != CONSENSUS else reviewer
    version = sync_codebook(store, codebook, actor=actor).version
    now = datetime.now(UTC)
    with store.transaction() as conn:
        lock_record(conn, record_id)
        check_reviewer_may_extract(
            conn, store, record_id, who, is_lead=is_lead, screening=screening
        )
        stored = read_values_on(conn, record_id, who)
        merged = {k: v.value for k, v in stored.items()}
        merged_locations = {k: v.location or "" for k, v in stored.items() if v.location}
        wanted: dict[ValueKey, tuple[str, str]] = {}
        for key in set(values) | set(locations):
            target = codebook.field(key[0])
            value = normalised(target, values.get(key, merged.get(key, "")))
            location = locations.get(key, merged_locations.get(key, "")).strip()
            wanted[key] = (value, location)
        trial = dict(merged)
        trial_locations = dict(merged_locations)
        for key, (value, location) in wanted.items():
            trial[key] = value
            trial_locations[key] = location
        found = value_problems(codebook, trial, trial_locations, complete=False)
        # A deletion is never refused (a value that no longer fits may always be cleared).
        problems = {k: found[k] for k, (v, loc) in wanted.items() if k in found and (v or loc)}
        saved: list[ValueKey] = []
        for key in sorted(wanted):
            if key in problems:
                continue
            value, location = wanted[key]
            before = stored.get(key)
            if before is not None and before.value == value and (before.location or "") == location:
                continue
            if before is None and value == "" and not location:
                continue
            write_value(conn, record_id, who, key, value, location or None, now, version)
            merged[key] = value
            if location:
                merged_locations[key] = location
            else:
                merged_locations.pop(key, None)
            saved.append(key)
        # The rows the store now holds (write_value keeps a key with a value or a location).
        after = {k: v for k, v in merged.items() if v != "" or k in merged_locations}
        merged = {k: v for k, v in merged.items() if v != ""}
        recorded = state_on(conn, record_id, who)
        # Values with no progress row were imported: a completed extraction, checked again
        # when it changes.
        prior = recorded if recorded is not None else (IMPORTED if stored else None)
        state, missing = _new_state(
            codebook, merged, merged_locations, complete or prior == COMPLETE
        )
        if not saved and not complete and prior is not None:
            state, missing = prior, {}  # nothing changed
        if state != recorded:
            set_state(conn, record_id, who, state, now)
        if saved or state != recorded:
            Store.log(
                conn,
                actor=actor,
                action="save_extraction",
                entity="extractions",
                entity_id=record_id,
                detail={
                    "record_id": record_id,
                    "reviewer": who,
                    "values": [
                        {"field": k[0], "instance": k[1], "value": merged.get(k, "")} for k in saved
                    ],
                    "state": state,
                },
            )
    return SaveResult(saved, problems, state, missing, values=after)


def _new_state(
    codebook: Codebook,
    values: Mapping[ValueKey, str],
    locations: Mapping[ValueKey, str],
    check: bool,
) -> tuple[str, dict[ValueKey, str]]:
    if not check:
        return IN_PROGRESS, {}
    missing = value_problems(codebook, values, locations, complete=True)
    return (COMPLETE if not missing else IN_PROGRESS), missing


def remove_instance(
    store: Store,
    record_id: int,
    reviewer: str,
    group: str,
    instance: int,
    *,
    actor: str,
    codebook: Codebook | None = None,
) -> int:
    """Delete one row of a repeating group from a reviewer's extraction; the rows after it move
    up one (rows stay numbered 1, 2, ...). Returns how many values were removed. The group's
    fields come from `codebook` (default: the latest codebook the store recorded).

    >>> from litrev.protocol import CodebookField
    >>> remove_instance(Store.open("sqlite://"), 1, "ann", "outcomes", 1, actor="ann",
    ...                 codebook=Codebook(fields=[CodebookField(name="x")]))
    Traceback (most recent call last):
    ...
    litrev.extraction.values.ExtractionError: no repeating group 'outcomes' in the codebook
    """
    from litrev.screening.model import reviewer_name

    who = reviewer_name(reviewer)
    if instance < 1:
        raise ExtractionError(f"group rows are numbered from 1, got {instance}", field=group)
    table = schema.extractions
    now = datetime.now(UTC)
    with store.transaction() as conn:
        known = codebook or _recorded_codebook(conn)
        members = sorted(f.name for f in known.fields_of(group))
        if not members:
            raise ExtractionError(f"no repeating group {group!r} in the codebook", field=group)
        lock_record(conn, record_id)
        where = (
            table.c.record_id == record_id,
            table.c.reviewer == who,
            table.c.field.in_(members),
        )
        removed = conn.execute(table.delete().where(*where, table.c.instance == instance)).rowcount
        conn.execute(
            table.update()
            .where(*where, table.c.instance > instance)
            .values(instance=table.c.instance - 1)
        )
        if removed:
            if state_on(conn, record_id, who) == COMPLETE:
                set_state(conn, record_id, who, IN_PROGRESS, now)  # to be checked again
            Store.log(
                conn,
                actor=actor,
                action="remove_extraction_row",
                entity="extractions",
                entity_id=record_id,
                detail={
                    "record_id": record_id,
                    "reviewer": who,
                    "group": group,
                    "instance": instance,
                    "values": removed,
                },
            )
    return int(removed or 0)


def _recorded_codebook(conn: Connection) -> Codebook:
    """The latest codebook recorded in `codebook_versions` (a ExtractionError if none)."""
    import json

    table = schema.codebook_versions
    text = conn.execute(select(table.c.codebook).order_by(table.c.version.desc()).limit(1)).scalar()
    if text is None:
        raise ExtractionError("no codebook recorded in the store yet: pass the codebook")
    return Codebook.model_validate(json.loads(text))
