"""Screening decisions in a review database: the store adapter over `litrev.screening.model`.

Every write appends rows (a decision, a retraction, a resolution) and an audit-log entry in one
transaction; nothing is updated in place except the per-stage settings, whose changes are logged.

>>> from litrev.store import Store
>>> from litrev.screening.demo import add_records
>>> store = Store.open("sqlite://")
>>> add_records(store, 2)
[1, 2]
>>> s = Screening(store, exclusion_reasons=["Conference paper"], reviewers=["ann", "bob"])
>>> _ = s.decide(1, reviewer="ann", stage="title_abstract", decision="include")
>>> _ = s.decide(1, reviewer="bob", stage="title_abstract", decision="exclude", reason="1")
>>> [c.record_id for c in s.conflicts("title_abstract")]
[1]
>>> _ = s.resolve(1, stage="title_abstract", decision="include", by="ann")
>>> s.outcome(1, "title_abstract").decision
'include'
>>> s.decide(2, reviewer="anne", stage="title_abstract", decision="include")
Traceback (most recent call last):
...
litrev.screening.model.ScreeningError: reviewer 'anne' is not one of this review's reviewers (ann, bob); did you mean 'ann'? Declare new reviewers in litrev.toml (screening.reviewers) or add them with `litrev reviewer add anne`
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from litrev.screening.blinding import is_blind
from litrev.screening.log import (
    append_events,
    claim_key,
    event_by_id,
    existing_records,
    read_events,
    register_reviewer,
    registered_reviewers,
    settle_key,
    write_transaction,
)
from litrev.screening.model import (
    RETRACTED,
    STAGES,
    Decision,
    DecisionEvent,
    DecisionInput,
    ExclusionReason,
    Method,
    Outcome,
    RowProblem,
    ScreeningError,
    Stage,
    StageSettings,
    State,
    as_reasons,
    current_decisions,
    current_resolutions,
    match_reason,
    parse_decision,
    parse_stage,
    problems_text,
    reviewer_name,
    stage_outcomes,
)
from litrev.screening.reviewers import require_reviewer
from litrev.store import Store, schema

if TYPE_CHECKING:
    from litrev.screening.status import StageStatus


class Screening:
    """Screening decisions of one review.

    `exclusion_reasons` are the protocol's (strings, (code, label) pairs or objects with `code`
    and `label`); an exclusion must name one of those that apply to its stage. With no reasons
    configured, any reason text (or none) is accepted. `defaults` applies to a stage until
    `configure` stores settings for it.

    `reviewers` are the names the protocol declares. Given (even empty), only they and the
    reviewers registered with `add_reviewer` may decide or resolve: any other name is refused,
    with the nearest known one. Left out (`None`, for scripts and tests), a new name is
    registered on its first decision. `Screening.from_protocol` gives the checked kind.
    """

    def __init__(
        self,
        store: Store,
        *,
        exclusion_reasons: Iterable[Any] | None = None,
        defaults: StageSettings | None = None,
        reviewers: Iterable[str] | None = None,
    ) -> None:
        self.store = store
        self.reasons: tuple[ExclusionReason, ...] = as_reasons(exclusion_reasons)
        self.defaults = defaults or StageSettings()
        self.declared: tuple[str, ...] | None = (
            None if reviewers is None else tuple(reviewer_name(r) for r in reviewers)
        )

    @classmethod
    def from_protocol(cls, store: Store, protocol: Any) -> Screening:
        """The screening of a review as its protocol sets it up: exclusion reasons, single or
        dual mode, and the declared reviewers (unknown names refused).

        >>> from litrev.protocol import parse_protocol
        >>> protocol = parse_protocol('''
        ... [review]
        ... id = "r"
        ... title = "R"
        ... [screening]
        ... reviewers = ["ann", "bob"]
        ... mode = "single"
        ... ''')
        >>> s = Screening.from_protocol(Store.open("sqlite://"), protocol)
        >>> s.known_reviewers(), s.defaults.reviewers_required
        (['ann', 'bob'], 1)
        """
        from litrev.screening.model import settings_from_protocol

        return cls(
            store,
            exclusion_reasons=protocol.eligibility.exclusion_reasons,
            defaults=settings_from_protocol(protocol),
            reviewers=protocol.screening.reviewers,
        )

    # ----- reviewers and settings -----

    def reasons_for(self, stage: str | Stage) -> tuple[ExclusionReason, ...]:
        stage = parse_stage(str(stage))
        return tuple(r for r in self.reasons if stage.value in r.stages)

    def add_reviewer(self, name: str, *, role: str = "reviewer") -> bool:
        """Register a reviewer (logged); False if they were registered already. The write lock
        is taken before the name is looked up, so concurrent first registrations are safe."""
        with write_transaction(self.store) as conn:
            return register_reviewer(conn, reviewer_name(name), role)

    def reviewers(self) -> list[str]:
        """The registered reviewers (everyone who has decided or was added), by name."""
        with self.store.connect() as conn:
            rows = conn.execute(select(schema.screening_reviewers.c.name))
            return sorted(rows.scalars())

    def registered(self) -> list[tuple[str, str, Any]]:
        """(name, role, added_at) of each registered reviewer, by name."""
        with self.store.connect() as conn:
            return registered_reviewers(conn)

    def known_reviewers(self, conn: Connection | None = None) -> list[str]:
        """Declared and registered reviewers: the names that may decide."""
        with contextlib.ExitStack() as stack:
            active = conn if conn is not None else stack.enter_context(self.store.connect())
            names = set(active.execute(select(schema.screening_reviewers.c.name)).scalars())
        return sorted(names | set(self.declared or ()))

    def require_reviewer(self, name: str, conn: Connection | None = None) -> str:
        """`name` if it may decide here; otherwise a `ScreeningError` naming the nearest known
        reviewer. Without declared reviewers (`reviewers=None`) any well-formed name passes."""
        if self.declared is None:
            return reviewer_name(name)
        return require_reviewer(name, self.known_reviewers(conn))

    def settings(self, stage: str | Stage, conn: Connection | None = None) -> StageSettings:
        """A stage's blind mode and reviewers per record (read on `conn` inside a transaction:
        an in-memory database's second connection would end the transaction)."""
        stage = parse_stage(str(stage))
        table = schema.screening_settings
        with contextlib.ExitStack() as stack:
            active = conn if conn is not None else stack.enter_context(self.store.connect())
            row = active.execute(select(table).where(table.c.stage == stage.value)).first()
        if row is None:
            return self.defaults
        return StageSettings(bool(row.blind), int(row.reviewers_required))

    def configure(
        self,
        stage: str | Stage,
        *,
        by: str,
        blind: bool | None = None,
        reviewers_required: int | None = None,
    ) -> StageSettings:
        """Change a stage's blind mode and/or reviewers per record; the change is logged."""
        stage = parse_stage(str(stage))
        old = self.settings(stage)
        new = StageSettings(
            old.blind if blind is None else blind,
            old.reviewers_required if reviewers_required is None else reviewers_required,
        )
        if new.reviewers_required < 1:
            raise ScreeningError("reviewers per record must be at least 1")
        table = schema.screening_settings
        values = {
            "blind": int(new.blind),
            "reviewers_required": new.reviewers_required,
            "updated_at": datetime.now(UTC),
            "updated_by": reviewer_name(by),
        }
        with write_transaction(self.store) as conn:
            conn.execute(table.delete().where(table.c.stage == stage.value))
            conn.execute(table.insert().values(stage=stage.value, **values))
            Store.log(
                conn,
                actor=by,
                action="screening.configure",
                entity="screening_settings",
                detail={"stage": stage.value, "old": old.__dict__, "new": new.__dict__},
            )
        return new

    # ----- reading -----

    def events(
        self,
        stage: str | Stage,
        conn: Connection | None = None,
        *,
        record_id: int | None = None,
        record_ids: Collection[int] | None = None,
        reviewer: str | None = None,
        after_id: int | None = None,
    ) -> list[DecisionEvent]:
        """Every decisions row of a stage, with its marks, oldest first; only those of one record,
        of some records, by one reviewer or after a row id when given."""
        with contextlib.ExitStack() as stack:
            active = conn if conn is not None else stack.enter_context(self.store.connect())
            return read_events(
                active,
                parse_stage(str(stage)).value,
                record_id=record_id,
                record_ids=record_ids,
                reviewer=reviewer,
                after_id=after_id,
            )

    def duplicates(
        self, conn: Connection | None = None, record_ids: Collection[int] | None = None
    ) -> dict[int, int]:
        """{record id: the record screened in its place} for records that deduplication
        found to duplicate an earlier one (of `record_ids`, when given); these are not
        screened."""
        from litrev.dedupe.persist import screening_record

        stand_in = screening_record(conn if conn is not None else self.store, record_ids)
        return {r: s for r, s in stand_in.items() if r != s}

    def eligible_records(self, stage: str | Stage, conn: Connection | None = None) -> list[int]:
        """Records to screen at a stage: every record but deduplicated copies at title/abstract;
        at full text, those included at title/abstract (agreed, or resolved to include)."""
        stage = parse_stage(str(stage))
        dupes = self.duplicates(conn)
        if stage is Stage.FULL_TEXT:
            outcomes = self.outcomes(Stage.TITLE_ABSTRACT, conn)
            return sorted(
                r
                for r, o in outcomes.items()
                if o.final and o.decision == "include" and r not in dupes
            )
        query = select(schema.records.c.id).order_by(schema.records.c.id)
        if conn is None:
            with self.store.connect() as own:
                ids = list(own.execute(query).scalars())
        else:
            ids = list(conn.execute(query).scalars())
        return [r for r in ids if r not in dupes]

    def outcomes(self, stage: str | Stage, conn: Connection | None = None) -> dict[int, Outcome]:
        """The outcome of every record with at least one live decision at a stage."""
        stage = parse_stage(str(stage))
        events = self.events(stage, conn)
        return stage_outcomes(events, stage, self.settings(stage, conn), self.reasons)

    def outcome(self, record_id: int, stage: str | Stage) -> Outcome:
        stage = parse_stage(str(stage))
        events = self.events(stage, record_id=record_id)
        found = stage_outcomes(events, stage, self.settings(stage), self.reasons)
        return found.get(record_id, Outcome(record_id, State.UNSCREENED, None, None, ()))

    def conflicts(self, stage: str | Stage) -> list[Outcome]:
        """Records whose reviewers disagree (or said maybe) and that are not yet resolved."""
        return [o for o in self.outcomes(stage).values() if o.state is State.CONFLICT]

    def status(self, stage: str | Stage) -> StageStatus:
        """Counts per state, decision and reason at a stage (see `StageStatus`)."""
        from litrev.screening.status import stage_status

        return stage_status(self, stage)

    def decision_of(
        self, record_id: int, stage: str | Stage, reviewer: str
    ) -> DecisionEvent | None:
        stage = parse_stage(str(stage))
        events = self.events(stage, record_id=record_id)
        return current_decisions(events).get((record_id, reviewer))

    def visible_decisions(
        self, record_id: int, stage: str | Stage, viewer: str, *, role: str = "reviewer"
    ) -> list[DecisionEvent]:
        """Other reviewers' live decisions on a record as `viewer` may see them: in blind mode,
        none until the viewer and the required number of reviewers have all decided (the rule
        of `litrev.screening.blinding`; `role="lead"` sees them once enough have decided)."""
        stage = parse_stage(str(stage))
        events = self.events(stage, record_id=record_id)
        votes = [v for (_, who), v in current_decisions(events).items()]
        others = sorted((v for v in votes if v.reviewer != viewer), key=lambda v: v.reviewer)
        deciders = {v.reviewer for v in votes}
        if is_blind(self.settings(stage), deciders, viewer, role=role):
            return []
        return others

    # ----- writing -----

    def decide(
        self,
        record_id: int,
        *,
        reviewer: str,
        stage: str | Stage,
        decision: str | Decision,
        reason: str | None = None,
        note: str | None = None,
        idempotency_key: str | None = None,
        enforce_allocation: bool = False,
    ) -> DecisionEvent:
        """Record (or change) a reviewer's decision on a record; returns the appended row.

        With `idempotency_key`, the first call writes the decision and the key in one
        transaction; a later call with the same key (a double-submitted form) writes nothing
        and returns the first call's row. The same key from another user, or for another
        decision, is refused. With `enforce_allocation` (the web workspace), the decision is
        refused unless `allocation.require_may_screen` allows it, checked inside the same
        write transaction so that concurrent reviewers cannot overfill a record."""
        item = DecisionInput(record_id, reviewer, str(stage), str(decision), reason, note)
        if idempotency_key is None and not enforce_allocation:
            return self.decide_many([item])[0]
        request = {
            "action": "decide",
            "record_id": record_id,
            "stage": parse_stage(str(stage)).value,
            "decision": parse_decision(str(decision)).value,
            "reason": (reason or "").strip() or None,
        }
        with write_transaction(self.store) as conn:
            if idempotency_key is not None:
                done = claim_key(conn, idempotency_key, reviewer_name(reviewer), request)
                if done is not None:
                    return _replayed(conn, idempotency_key, done)
            if enforce_allocation:
                from litrev.screening.allocation import require_may_screen

                require_may_screen(self, str(stage), reviewer, record_id, conn)
            pending, problems = self._prepare(conn, [item])
            if problems:
                raise _batch_error(problems)
            event = append_events(conn, pending, action="screening.decide")[0]
            if idempotency_key is not None:
                settle_key(conn, idempotency_key, {**request, "decision_id": event.id})
            return event

    def decide_many(self, items: Sequence[DecisionInput]) -> list[DecisionEvent]:
        """Record many decisions in one transaction: all are written or, on any error, none.

        Every bad item is reported at once (`ScreeningError.problems`, each with the item's
        `line` when it has one), including two items for the same record, reviewer and stage:
        a batch holds one decision per reviewer and record, never a silent "last one wins"."""
        with write_transaction(self.store) as conn:
            pending, problems = self._prepare(conn, items)
            if problems:
                raise _batch_error(problems)
            return append_events(conn, pending, action="screening.decide")

    def check_many(self, items: Sequence[DecisionInput]) -> list[RowProblem]:
        """The problems `decide_many` would refuse `items` for, writing nothing."""
        with self.store.connect() as conn:
            return self._prepare(conn, items)[1]

    def _prepare(
        self, conn: Connection, items: Sequence[DecisionInput]
    ) -> tuple[list[DecisionEvent], list[RowProblem]]:
        pending: list[DecisionEvent] = []
        problems: list[RowProblem] = []
        known = existing_records(conn, {item.record_id for item in items})
        roster = None if self.declared is None else set(self.known_reviewers(conn))
        # Full-text rows need their records' title/abstract outcome; load only those.
        full_text = {i.record_id for i in items if _is_full_text(i.stage)}
        ta_by_record: dict[int, list[DecisionEvent]] = {}
        if full_text:
            for event in self.events(Stage.TITLE_ABSTRACT, conn, record_ids=full_text):
                ta_by_record.setdefault(event.record_id, []).append(event)
        ta_settings = self.settings(Stage.TITLE_ABSTRACT, conn)
        # Only the batch's records: a decision from the workspace need not read every cluster.
        dupes = self.duplicates(conn, {item.record_id for item in items})
        first: dict[tuple[int, str, str], tuple[DecisionInput, DecisionEvent]] = {}
        # Decisions of this batch get provisional ids above any stored one, so that a
        # full-text row can follow the title/abstract rows of the same batch.
        provisional = 1 << 62
        for item in items:
            try:
                if item.record_id in dupes:
                    stand_in = dupes[item.record_id]
                    raise ScreeningError(
                        f"record {item.record_id} is a duplicate of record {stand_in} "
                        f"(deduplication); screen record {stand_in} instead",
                        field="record_id",
                    )
                event = self._validate(item, known, ta_by_record, ta_settings, roster)
                key = (event.record_id, event.reviewer, event.stage)
                if key in first:
                    raise _repeated(item, event, *first[key])
            except ScreeningError as error:
                problems.append(RowProblem(item.line, error.field, str(error)))
                continue
            first[key] = (item, event)
            provisional += 1
            event = replace(event, id=provisional)
            if event.stage == Stage.TITLE_ABSTRACT:
                ta_by_record.setdefault(event.record_id, []).append(event)
            pending.append(event)
        return pending, problems

    def undo(
        self,
        *,
        reviewer: str,
        stage: str | Stage,
        record_id: int | None = None,
        resolution: bool = False,
        idempotency_key: str | None = None,
    ) -> DecisionEvent:
        """Retract `reviewer`'s latest live decision (on `record_id`, or their most recent
        anywhere in the stage) by appending a retraction; returns the retracted row.
        With `resolution=True`, retract the live resolution of `record_id` instead.
        With `idempotency_key`, a repeated call returns the first call's row and writes
        nothing (see `decide`)."""
        stage = parse_stage(str(stage))
        request = {
            "action": "undo",
            "record_id": record_id,
            "stage": stage.value,
            "resolution": resolution,
        }
        with write_transaction(self.store) as conn:
            if idempotency_key is not None:
                done = claim_key(conn, idempotency_key, reviewer_name(reviewer), request)
                if done is not None:
                    return _replayed(conn, idempotency_key, done)
            if resolution:
                events = self.events(stage, conn, record_id=record_id)
            else:
                events = self.events(stage, conn, record_id=record_id, reviewer=reviewer)
            if resolution:
                if record_id is None:
                    raise ScreeningError("undoing a resolution needs a record id")
                target = current_resolutions(events).get(record_id)
            else:
                live = [
                    e
                    for (rid, who), e in current_decisions(events).items()
                    if who == reviewer and (record_id is None or rid == record_id)
                ]
                target = max(live, key=lambda e: e.id) if live else None
            if target is None:
                what = "resolution" if resolution else f"decision by {reviewer}"
                where = f" on record {record_id}" if record_id is not None else ""
                raise ScreeningError(f"no {what}{where} at {stage.value} to undo")
            retraction = DecisionEvent(
                0,
                target.record_id,
                stage.value,
                reviewer,
                RETRACTED,
                resolution=target.resolution,
                retracts=target.id,
            )
            append_events(conn, [retraction], action="screening.undo")
            if idempotency_key is not None:
                settle_key(conn, idempotency_key, {**request, "decision_id": target.id})
        return target

    def resolve(
        self,
        record_id: int,
        *,
        stage: str | Stage,
        decision: str | Decision,
        by: str,
        reason: str | None = None,
        method: str | Method | None = None,
        note: str | None = None,
        idempotency_key: str | None = None,
    ) -> DecisionEvent:
        """Settle a conflict (or a maybe) with a final include/exclude, recorded as a decision
        by `by` marked as a resolution. `method` defaults to consensus when `by` is one of the
        record's reviewers, otherwise third_reviewer. With `idempotency_key`, a repeated call
        returns the first call's row and writes nothing (see `decide`)."""
        stage = parse_stage(str(stage))
        by = self.require_reviewer(by)
        choice = parse_decision(str(decision))
        if choice is Decision.MAYBE:
            raise ScreeningError("a resolution must be include or exclude, not maybe")
        if idempotency_key is None:
            return self._resolve(record_id, stage, choice, by, reason, method, note, None)
        request = {
            "action": "resolve",
            "record_id": record_id,
            "stage": stage.value,
            "decision": choice.value,
            "reason": (reason or "").strip() or None,
        }
        return self._resolve(
            record_id, stage, choice, by, reason, method, note, (idempotency_key, request)
        )

    def _resolve(
        self,
        record_id: int,
        stage: Stage,
        choice: Decision,
        by: str,
        reason: str | None,
        method: str | Method | None,
        note: str | None,
        key: tuple[str, dict[str, Any]] | None,
    ) -> DecisionEvent:
        with write_transaction(self.store) as conn:
            if key is not None:
                done = claim_key(conn, key[0], by, key[1])
                if done is not None:
                    return _replayed(conn, key[0], done)
            event = self._resolution(conn, record_id, stage, choice, by, reason, method, note)
            register_reviewer(conn, by, "resolver")
            written = append_events(conn, [event], action="screening.resolve")[0]
            if key is not None:
                settle_key(conn, key[0], {**key[1], "decision_id": written.id})
            return written

    def _resolution(
        self,
        conn: Connection,
        record_id: int,
        stage: Stage,
        choice: Decision,
        by: str,
        reason: str | None,
        method: str | Method | None,
        note: str | None,
    ) -> DecisionEvent:
        """The resolution row to append, checked against the record's outcome as read inside
        the writing transaction (so a concurrent undo cannot slip between check and write)."""
        events = self.events(stage, conn, record_id=record_id)
        found = stage_outcomes(events, stage, self.settings(stage, conn), self.reasons)
        current = found.get(record_id, Outcome(record_id, State.UNSCREENED, None, None, ()))
        if current.state not in (State.CONFLICT, State.RESOLVED):
            raise ScreeningError(
                f"record {record_id} has no conflict at {stage.value} (it is {current.state.value})"
            )
        if method is None:
            voters = {v.reviewer for v in current.votes}
            method = Method.CONSENSUS if by in voters else Method.THIRD_REVIEWER
        else:
            try:
                method = Method(str(method))
            except ValueError:
                raise ScreeningError(
                    f"unknown resolution method {method!r}; expected consensus or third_reviewer"
                ) from None
        code = self._reason_code(stage, choice, reason)
        return DecisionEvent(
            0, record_id, stage.value, by, choice.value, code, note, resolution=method.value
        )

    # ----- internals -----

    def _validate(
        self,
        item: DecisionInput,
        known: set[int],
        ta_by_record: dict[int, list[DecisionEvent]],
        ta_settings: StageSettings,
        roster: set[str] | None,
    ) -> DecisionEvent:
        stage = parse_stage(item.stage)
        choice = parse_decision(item.decision)
        reviewer = reviewer_name(item.reviewer)
        if roster is not None:
            require_reviewer(reviewer, roster)
        if item.record_id not in known:
            raise ScreeningError(
                f"record_id {item.record_id}: no such record in this review", field="record_id"
            )
        if stage is Stage.FULL_TEXT:
            ta = ta_by_record.get(item.record_id, [])
            found = stage_outcomes(ta, Stage.TITLE_ABSTRACT, ta_settings, ())
            result = found.get(item.record_id)
            if result is None or not result.final or result.decision != "include":
                state = result.state.value if result else "unscreened"
                if result is not None and result.decision:
                    state = f"{state}: {result.decision}"
                raise ScreeningError(
                    f"record {item.record_id} is not included at title_abstract ({state}); "
                    "it cannot be screened at full_text yet",
                    field="stage",
                )
        code = self._reason_code(stage, choice, item.reason)
        return DecisionEvent(
            0, item.record_id, stage.value, reviewer, choice.value, code, item.note or None
        )

    def _reason_code(self, stage: Stage, choice: Decision, reason: str | None) -> str | None:
        reason = (reason or "").strip() or None
        if choice is not Decision.EXCLUDE:
            if reason:
                raise ScreeningError(
                    f"reason {reason!r} given for {choice.value}; only exclude has one",
                    field="reason",
                )
            return None
        options = self.reasons_for(stage)
        if not options:
            return reason
        if reason is None:
            choices = ", ".join(r.code for r in options)
            raise ScreeningError(
                f"exclude needs a reason at {stage.value}: one of {choices}", field="reason"
            )
        try:
            return match_reason(reason, options).code
        except ScreeningError:
            elsewhere = _named_reason(reason, self.reasons)
            if elsewhere is None:
                raise
            only = " and ".join(elsewhere.stages)
            choices = ", ".join(f"{i}={r.code}" for i, r in enumerate(options, 1))
            raise ScreeningError(
                f"reason {reason!r} is for {only} only; at {stage.value} use one of: {choices}",
                field="reason",
            ) from None


__all__ = ["STAGES", "DecisionInput", "Screening", "StageSettings", "parse_decision", "parse_stage"]


def _replayed(conn: Connection, key: str, done: dict[str, Any]) -> DecisionEvent:
    """The row a request with this idempotency key wrote the first time."""
    decision_id = done.get("decision_id")
    event = event_by_id(conn, int(decision_id)) if decision_id is not None else None
    if event is None:
        raise ScreeningError(f"idempotency key {key!r}: its first request left no decision")
    return event


def _is_full_text(stage: str) -> bool:
    try:
        return parse_stage(stage) is Stage.FULL_TEXT
    except ScreeningError:
        return False  # reported with its line when the row is validated


def _named_reason(text: str, reasons: Sequence[ExclusionReason]) -> ExclusionReason | None:
    """The reason `text` names by code or label (not by number: numbers are per stage)."""
    wanted = text.strip()
    for reason in reasons:
        if wanted == reason.code or wanted.casefold() == reason.label.casefold():
            return reason
    return None


def _repeated(
    item: DecisionInput, event: DecisionEvent, earlier: DecisionInput, kept: DecisionEvent
) -> ScreeningError:
    """Two items of one batch decide the same record for the same reviewer and stage."""
    where = f"line {earlier.line}" if earlier.line is not None else "an earlier item"
    what = f"reviewer {event.reviewer}'s {event.stage} decision on record {event.record_id}"
    if (event.decision, event.reason) == (kept.decision, kept.reason):
        return ScreeningError(f"repeats {where} ({what}); remove one", field="record_id")
    mine = event.decision + (f" ({event.reason})" if event.reason else "")
    theirs = kept.decision + (f" ({kept.reason})" if kept.reason else "")
    return ScreeningError(
        f"conflicts with {where}: {what} is {mine} here but {theirs} there; keep one",
        field="decision",
    )


def _batch_error(problems: Sequence[RowProblem]) -> ScreeningError:
    """One item's problem as before (`line 3: ...`); several as a list, nothing written."""
    if len(problems) == 1:
        only = problems[0]
        where = f"line {only.line}: " if only.line is not None else ""
        return ScreeningError(
            f"{where}{only.message}", field=only.field, line=only.line, problems=problems
        )
    return ScreeningError(
        f"{len(problems)} problems; nothing written:\n{problems_text(problems)}",
        problems=problems,
    )
