"""Screening's pure core: stages, decisions, exclusion reasons, and how a log of decisions
becomes each reviewer's current decision and each record's outcome.

Decisions are an append-only event log. A reviewer's current decision on a record is found by
replaying their events in order: a decision pushes onto a stack, a retraction (undo) removes the
decision it names, so undoing a changed decision brings back the earlier one. Resolutions of
conflicts form a separate track per record, replayed the same way, and always win.

>>> ev = [DecisionEvent(1, 7, "title_abstract", "ann", "include"),
...       DecisionEvent(2, 7, "title_abstract", "ann", "exclude", reason="conference"),
...       DecisionEvent(3, 7, "title_abstract", "ann", RETRACTED, retracts=2)]
>>> current_decisions(ev)[(7, "ann")].decision
'include'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from litrev.errors import LitrevError


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one input row (e.g. of a decisions CSV): its line, field and why."""

    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        what = f"field '{self.field}': " if self.field else ""
        return f"{where}{what}{self.message}"


# A batch's error lists at most this many problems, then "and N more".
MAX_PROBLEMS_SHOWN = 50


class ScreeningError(LitrevError):
    """A screening action is not allowed (unknown record, wrong stage, bad reason...).
    `field` names the input field at fault and `line` the input line, when known; a batch
    refused for several rows lists them all in `problems`."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        line: int | None = None,
        problems: Sequence[RowProblem] = (),
    ) -> None:
        self.field = field
        self.line = line
        self.problems = tuple(problems)
        super().__init__(message)


def problems_text(problems: Sequence[RowProblem], *, prefix: str = "") -> str:
    """Every problem on its own line (the first `MAX_PROBLEMS_SHOWN`, then "and N more").

    >>> print(problems_text([RowProblem(3, "stage", "unknown stage 'x'"), RowProblem(5, None, "bad")]))
      line 3: field 'stage': unknown stage 'x'
      line 5: bad
    """
    shown = [f"  {prefix}{p}" for p in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        shown.append(f"  ... and {len(problems) - MAX_PROBLEMS_SHOWN} more")
    return "\n".join(shown)


class Stage(StrEnum):
    TITLE_ABSTRACT = "title_abstract"
    FULL_TEXT = "full_text"


STAGES: tuple[Stage, ...] = (Stage.TITLE_ABSTRACT, Stage.FULL_TEXT)


class Decision(StrEnum):
    INCLUDE = "include"
    EXCLUDE = "exclude"
    MAYBE = "maybe"


# The `decision` value of a row that retracts (undoes) an earlier row.
RETRACTED = "retracted"


class Method(StrEnum):
    """How a conflict was resolved."""

    CONSENSUS = "consensus"
    THIRD_REVIEWER = "third_reviewer"


@dataclass(frozen=True)
class ExclusionReason:
    """One reason for excluding a record, as the protocol states it."""

    code: str
    label: str
    stages: tuple[str, ...] = ("title_abstract", "full_text")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def as_reasons(items: Iterable[Any] | None) -> tuple[ExclusionReason, ...]:
    """Normalise exclusion reasons given as strings, (code, label) pairs, dicts or objects
    with `code` and `label` attributes (e.g. a protocol's).

    >>> as_reasons(["Conference paper", ("no-model", "No model")])[0].code
    'conference-paper'
    """
    reasons: list[ExclusionReason] = []
    for item in items or ():
        if isinstance(item, ExclusionReason):
            reasons.append(item)
        elif isinstance(item, str):
            reasons.append(ExclusionReason(_slug(item), item))
        elif isinstance(item, dict):
            code = str(item.get("code") or _slug(str(item.get("label", ""))))
            reasons.append(ExclusionReason(code, str(item.get("label") or code)))
        elif isinstance(item, Sequence) and len(item) == 2:
            reasons.append(ExclusionReason(str(item[0]), str(item[1])))
        elif hasattr(item, "code"):
            code = str(item.code)
            label = str(getattr(item, "label", None) or code)
            stages = tuple(
                str(s) for s in getattr(item, "stages", None) or [s.value for s in STAGES]
            )
            reasons.append(ExclusionReason(code, label, stages))
        else:
            raise ScreeningError(f"exclusion reason {item!r}: expected a code/label pair")
    codes = [r.code for r in reasons]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ScreeningError(f"exclusion reasons: duplicate codes {duplicates}")
    return tuple(reasons)


def match_reason(text: str, reasons: Sequence[ExclusionReason]) -> ExclusionReason:
    """Find a reason by code, label (case-insensitive) or 1-based number.

    >>> reasons = as_reasons([("wrong-population", "Wrong population"), ("no-data", "No data")])
    >>> match_reason("2", reasons).code
    'no-data'
    >>> match_reason("wrong POPULATION", reasons).code
    'wrong-population'
    """
    wanted = text.strip()
    for reason in reasons:
        if wanted == reason.code or wanted.casefold() == reason.label.casefold():
            return reason
    if wanted.isdigit() and 1 <= int(wanted) <= len(reasons):
        return reasons[int(wanted) - 1]
    choices = ", ".join(f"{i}={r.code}" for i, r in enumerate(reasons, 1))
    raise ScreeningError(
        f"unknown exclusion reason {text!r}; expected one of: {choices}", field="reason"
    )


@dataclass(frozen=True)
class DecisionEvent:
    """One row of the decisions log. `decision` is a `Decision` value or `RETRACTED`."""

    id: int
    record_id: int
    stage: str
    reviewer: str
    decision: str
    reason: str | None = None
    note: str | None = None
    resolution: str | None = None  # a `Method` value when this row belongs to a resolution
    retracts: int | None = None  # the row a retraction undoes
    created_at: Any = None


def _replay(events: Iterable[DecisionEvent], key: Any) -> dict[Any, DecisionEvent]:
    stacks: dict[Any, list[DecisionEvent]] = {}
    for event in sorted(events, key=lambda e: e.id):
        stack = stacks.setdefault(key(event), [])
        if event.decision == RETRACTED:
            stack[:] = [e for e in stack if e.id != event.retracts]
        else:
            stack.append(event)
    return {k: stack[-1] for k, stack in stacks.items() if stack}


def current_decisions(events: Iterable[DecisionEvent]) -> dict[tuple[int, str], DecisionEvent]:
    """Each reviewer's live independent decision per record: {(record_id, reviewer): event}.
    Give the events of one stage; resolution rows are ignored here."""
    own = (e for e in events if e.resolution is None)
    return _replay(own, lambda e: (e.record_id, e.reviewer))


def current_resolutions(events: Iterable[DecisionEvent]) -> dict[int, DecisionEvent]:
    """The live resolution per record (of one stage's events): {record_id: event}."""
    return _replay((e for e in events if e.resolution is not None), lambda e: e.record_id)


class State(StrEnum):
    """Where a record stands at a stage."""

    UNSCREENED = "unscreened"  # nobody has decided
    AWAITING = "awaiting"  # fewer reviewers than required have decided
    AGREED = "agreed"  # the required reviewers agree (include or exclude)
    CONFLICT = "conflict"  # they disagree, or someone said maybe: needs resolution
    RESOLVED = "resolved"  # a resolution decided it


@dataclass(frozen=True)
class Outcome:
    record_id: int
    state: State
    decision: str | None  # include/exclude once AGREED or RESOLVED
    reason: str | None
    votes: tuple[DecisionEvent, ...]  # the live independent decisions, by reviewer name
    resolution: DecisionEvent | None = None

    @property
    def final(self) -> bool:
        return self.state in (State.AGREED, State.RESOLVED)


def outcome(
    record_id: int,
    votes: Sequence[DecisionEvent],
    resolution: DecisionEvent | None,
    *,
    required: int,
    reasons_must_match: bool,
    reason_order: Sequence[str] = (),
) -> Outcome:
    """Combine the live votes (and any resolution) on one record into its outcome.

    A conflict is any disagreement on include/exclude, any `maybe`, or (when
    `reasons_must_match`, i.e. at full text) different exclusion reasons.

    >>> v = [DecisionEvent(1, 5, "title_abstract", "a", "exclude", "no_model"),
    ...      DecisionEvent(2, 5, "title_abstract", "b", "include")]
    >>> outcome(5, v, None, required=2, reasons_must_match=False).state
    <State.CONFLICT: 'conflict'>
    """
    ordered = tuple(sorted(votes, key=lambda e: e.reviewer))
    if resolution is not None:
        return Outcome(
            record_id, State.RESOLVED, resolution.decision, resolution.reason, ordered, resolution
        )
    if not ordered:
        return Outcome(record_id, State.UNSCREENED, None, None, ordered)
    if len(ordered) < required:
        return Outcome(record_id, State.AWAITING, None, None, ordered)
    kinds = {v.decision for v in ordered}
    if Decision.MAYBE in kinds or len(kinds) > 1:
        return Outcome(record_id, State.CONFLICT, None, None, ordered)
    if reasons_must_match and len({v.reason for v in ordered}) > 1:
        return Outcome(record_id, State.CONFLICT, None, None, ordered)
    decision = ordered[0].decision
    reason = None
    if decision == Decision.EXCLUDE:
        # Reviewers who agree to exclude for different reasons (allowed at title/abstract):
        # report the reason that comes first in the protocol, so counts are deterministic.
        rank = {code: i for i, code in enumerate(reason_order)}
        reason = min(
            (v.reason for v in ordered), key=lambda r: (rank.get(r or "", len(rank)), r or "")
        )
    return Outcome(record_id, State.AGREED, decision, reason, ordered)


def parse_stage(text: str) -> Stage:
    """`title_abstract`/`ta`/`title-abstract` or `full_text`/`ft`/`full-text`."""
    key = text.strip().lower().replace("-", "_").replace("/", "_")
    aliases = {"ta": Stage.TITLE_ABSTRACT, "tiab": Stage.TITLE_ABSTRACT, "ft": Stage.FULL_TEXT}
    if key in aliases:
        return aliases[key]
    try:
        return Stage(key)
    except ValueError:
        raise ScreeningError(
            f"unknown stage {text!r}; expected title_abstract or full_text", field="stage"
        ) from None


def parse_decision(text: str) -> Decision:
    key = text.strip().lower()
    aliases = {"i": "include", "e": "exclude", "m": "maybe", "yes": "include", "no": "exclude"}
    try:
        return Decision(aliases.get(key, key))
    except ValueError:
        raise ScreeningError(
            f"unknown decision {text!r}; expected include, exclude or maybe", field="decision"
        ) from None


def reviewer_name(name: str) -> str:
    text = (name or "").strip()
    if not text or len(text) > 128:
        raise ScreeningError(
            f"reviewer name {name!r}: expected 1 to 128 characters", field="reviewer"
        )
    return text


@dataclass(frozen=True)
class StageSettings:
    blind: bool = True
    reviewers_required: int = 2


def settings_from_protocol(protocol: Any) -> StageSettings:
    """Default stage settings from a protocol's `[screening] mode`: "single" is one reviewer per
    record and not blind; "dual" (the default) two reviewers, blind.

    >>> class P:  # the shape of litrev.protocol.Protocol
    ...     class screening:
    ...         mode = "single"
    >>> settings_from_protocol(P())
    StageSettings(blind=False, reviewers_required=1)
    """
    dual = getattr(getattr(protocol, "screening", None), "mode", "dual") != "single"
    return StageSettings(blind=dual, reviewers_required=2 if dual else 1)


@dataclass(frozen=True)
class DecisionInput:
    """One decision to make, e.g. a row of a decisions CSV (`line` names it in errors)."""

    record_id: int
    reviewer: str
    stage: str
    decision: str
    reason: str | None = None
    note: str | None = None
    line: int | None = None


def stage_outcomes(
    events: Sequence[DecisionEvent],
    stage: Stage,
    settings: StageSettings,
    reasons: Sequence[ExclusionReason],
) -> dict[int, Outcome]:
    """The outcome of every record with a live decision or resolution among `events`
    (all of one stage)."""
    votes: dict[int, list[DecisionEvent]] = {}
    for (record_id, _), event in current_decisions(events).items():
        votes.setdefault(record_id, []).append(event)
    resolutions = current_resolutions(events)
    order = [r.code for r in reasons]
    return {
        record_id: outcome(
            record_id,
            votes.get(record_id, []),
            resolutions.get(record_id),
            required=settings.reviewers_required,
            reasons_must_match=stage is Stage.FULL_TEXT,
            reason_order=order,
        )
        for record_id in sorted(set(votes) | set(resolutions))
    }
