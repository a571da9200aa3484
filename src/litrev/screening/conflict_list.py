"""Conflicts as a review team sees them: what to list, who may settle each one, and settling it.

Two lists per stage. `conflicts` are the records `Screening.conflicts` gives (reviewers disagree,
someone said maybe, or at full text excluded for different reasons): they need a resolution.
`reason_mismatches` are the title/abstract records every reviewer excluded but for different
reasons: the record is out either way (the flow counts the reason the protocol lists first), so
the core does not call it a conflict, but the team may want to talk about it.

What a viewer sees goes through `litrev.screening.blinding`: a record blind to them is left out
of the lists altogether (that its reviewers disagree is itself something their decisions say),
only counted in `ConflictBoard.hidden`; the JSON API leaves them out the same way.

Who may resolve, and how (`resolution_methods`, the one rule of the pages and the JSON API):

| who | consensus | third_reviewer |
|---|---|---|
| the lead, who did not decide the record | yes | yes (the default) |
| the lead, who decided it | yes (the default) | no: they are one of its reviewers |
| a reviewer who decided it | yes (the default), with the others who did | no |
| any other reviewer, a viewer | no | no |

A third reviewer's resolution is an independent decision by someone who did not decide the
record, and in the workspace that is the lead's (the lead settles it, or appoints the answer);
the record's own reviewers settle it together, by consensus. Anyone else is refused
(`NotAllowed`, which the pages and the API answer with 403 and its message).

>>> from litrev.store import Store
>>> from litrev.screening.decisions import Screening
>>> from litrev.screening.demo import add_records
>>> s = Screening(Store.open("sqlite://"), exclusion_reasons=["Wrong population", "Wrong design"])
>>> add_records(s.store, 2)
[1, 2]
>>> for rid, a, b in [(1, "include", "exclude"), (2, "exclude", "exclude")]:
...     _ = s.decide(rid, reviewer="ann", stage="title_abstract", decision=a,
...                  reason="1" if a == "exclude" else None)
...     _ = s.decide(rid, reviewer="bob", stage="title_abstract", decision=b, reason="2")
>>> board = conflict_board(s, "title_abstract", "ann")
>>> [(i.record_id, i.kind) for i in board.conflicts], [i.record_id for i in board.reasons]
([(1, 'disagree')], [2])
>>> may_resolve(board.conflicts[0], "bob", role="reviewer"), may_resolve(board.conflicts[0], "cy")
(True, False)
>>> event = resolve_conflict(s, 1, stage="title_abstract", decision="include", by="bob",
...                          role="reviewer", method="consensus")
>>> event.note
'consensus of ann and bob'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from litrev.screening.blinding import LEAD, is_blind
from litrev.screening.model import (
    Decision,
    DecisionEvent,
    Method,
    Outcome,
    ScreeningError,
    Stage,
    StageSettings,
    State,
    parse_stage,
)
from litrev.screening.notes import Note, notes_for
from litrev.screening.texts import record_texts

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening

REVIEWER = "reviewer"
VIEWER = "viewer"


class NotAllowed(ScreeningError):
    """The person may not resolve this record (the web answers 403, the API too)."""


@dataclass(frozen=True)
class ConflictItem:
    """One record of a conflicts list, as one viewer may see it.

    `kind`: "maybe" (someone said maybe), "disagree" (include against exclude), "reasons"
    (all excluded, for different reasons), "resolved", or "blind". While `blind`, `deciders`, `votes`
    and `notes` are empty: nothing says who decided or what.
    """

    record_id: int
    stage: str
    title: str | None
    kind: str
    blind: bool
    deciders: tuple[str, ...]
    votes: tuple[DecisionEvent, ...] = ()
    notes: tuple[Note, ...] = ()
    resolution: DecisionEvent | None = None


@dataclass(frozen=True)
class ConflictBoard:
    """A stage's open conflicts, its title/abstract reason mismatches, and those resolved, as
    one viewer may see them; `hidden` counts the records of these lists blind to the viewer."""

    stage: str
    conflicts: list[ConflictItem] = field(default_factory=list)
    reasons: list[ConflictItem] = field(default_factory=list)
    resolved: list[ConflictItem] = field(default_factory=list)
    hidden: int = 0
    totals: tuple[int, int, int] = (0, 0, 0)  # open, reason mismatches, resolved: all of each


def _kind(outcome: Outcome) -> str:
    if outcome.state is State.RESOLVED:
        return "resolved"
    decisions = {v.decision for v in outcome.votes}
    if Decision.MAYBE in decisions:
        return "maybe"
    if len(decisions) > 1:
        return "disagree"
    return "reasons"


def is_reason_mismatch(outcome: Outcome, stage: str | Stage) -> bool:
    """True for a title/abstract record all reviewers excluded, not all for the same reason
    (at full text the same thing is a conflict, so this is never true there)."""
    return (
        parse_stage(str(stage)) is Stage.TITLE_ABSTRACT
        and outcome.state is State.AGREED
        and outcome.decision == Decision.EXCLUDE
        and len({v.reason for v in outcome.votes}) > 1
    )


def _item(
    screening: Screening,
    outcome: Outcome,
    stage: Stage,
    viewer: str,
    role: str,
    title: str | None,
    settings: StageSettings,
) -> ConflictItem:
    deciders = tuple(v.reviewer for v in outcome.votes)
    blind = is_blind(settings, set(deciders), viewer, role=role)
    notes: tuple[Note, ...] = ()
    if not blind:
        notes = tuple(notes_for(screening, outcome.record_id, stage.value, viewer, role=role))
    return ConflictItem(
        outcome.record_id,
        stage.value,
        title,
        "blind" if blind else _kind(outcome),
        blind,
        () if blind else deciders,
        () if blind else outcome.votes,
        notes,
        outcome.resolution,
    )


def conflict_board(
    screening: Screening,
    stage: str | Stage,
    viewer: str,
    *,
    role: str = "reviewer",
    offset: int = 0,
    limit: int | None = None,
) -> ConflictBoard:
    """The conflicts of a stage as `viewer` (with `role` in the review) may see them: open
    conflicts, reason mismatches (title/abstract only) and resolved records, each by record id,
    leaving out (and counting) the records blind to the viewer.

    With `limit`, each list holds at most `limit` items (the open conflicts from `offset`);
    `totals` gives every list's full length, so a page can offer the rest."""
    stage = parse_stage(str(stage))
    eligible = set(screening.eligible_records(stage))
    settings = screening.settings(stage)
    listed = [
        o
        for o in screening.outcomes(stage).values()
        if o.record_id in eligible
        and (o.state in (State.CONFLICT, State.RESOLVED) or is_reason_mismatch(o, stage))
    ]
    outcomes = [
        o
        for o in listed
        if not is_blind(settings, {v.reviewer for v in o.votes}, viewer, role=role)
    ]
    lists = [
        [o for o in outcomes if o.state is State.CONFLICT],
        [o for o in outcomes if is_reason_mismatch(o, stage)],
        [o for o in outcomes if o.state is State.RESOLVED],
    ]
    totals = tuple(len(found) for found in lists)
    start = max(0, offset)
    end = None if limit is None else start + max(0, limit)
    shown = [lists[0][start:end], lists[1][:limit], lists[2][:limit]]
    titles = record_texts(screening.store, [o.record_id for found in shown for o in found])

    def items(found: Sequence[Outcome]) -> list[ConflictItem]:
        return [
            _item(
                screening,
                o,
                stage,
                viewer,
                role,
                titles[o.record_id].title if o.record_id in titles else None,
                settings,
            )
            for o in found
        ]

    return ConflictBoard(
        stage.value,
        items(shown[0]),
        items(shown[1]),
        items(shown[2]),
        hidden=len(listed) - len(outcomes),
        totals=(totals[0], totals[1], totals[2]),
    )


def conflict_item(
    screening: Screening,
    record_id: int,
    stage: str | Stage,
    viewer: str,
    *,
    role: str = "reviewer",
) -> ConflictItem:
    """One record's item (as in `conflict_board`), whatever its state now."""
    stage = parse_stage(str(stage))
    outcome = screening.outcome(record_id, stage)
    titles = record_texts(screening.store, [record_id])
    title = titles[record_id].title if record_id in titles else None
    return _item(screening, outcome, stage, viewer, role, title, screening.settings(stage))


def resolution_methods(
    item: ConflictItem, who: str, *, role: str = "reviewer"
) -> tuple[Method, ...]:
    """The methods by which `who` (with `role` in the review) may resolve the record, the
    default first; empty when they may not resolve it at all (see the table above).

    >>> item = ConflictItem(1, "title_abstract", None, "disagree", False, ("ann", "bob"))
    >>> [m.value for m in resolution_methods(item, "lee", role="lead")]
    ['third_reviewer', 'consensus']
    >>> [m.value for m in resolution_methods(item, "ann")], resolution_methods(item, "cy")
    (['consensus'], ())
    """
    return _rule(item, who, role)[0]


def may_resolve(
    item: ConflictItem, who: str, *, role: str = "reviewer", method: str | None = None
) -> bool:
    """Whether `who` (with `role`: lead, reviewer or viewer) may resolve the record, by
    `method` if given (consensus or third_reviewer), else by any method (`resolution_methods`).

    >>> item = ConflictItem(1, "title_abstract", None, "disagree", False, ("ann", "bob"))
    >>> may_resolve(item, "ann"), may_resolve(item, "ann", method="third_reviewer")
    (True, False)
    """
    allowed = resolution_methods(item, who, role=role)
    if method is None or not method.strip():
        return bool(allowed)
    return any(m.value == method.strip() for m in allowed)


def _rule(item: ConflictItem, who: str, role: str) -> tuple[tuple[Method, ...], str]:
    """(the methods allowed, the refusal of any other), for `who` with `role` on `item`."""
    decided = who in item.deciders
    if role == LEAD and not decided:
        return (Method.THIRD_REVIEWER, Method.CONSENSUS), ""
    if role in (LEAD, REVIEWER) and decided:
        return (Method.CONSENSUS,), (
            f"you decided record {item.record_id}, so you resolve it by consensus with the "
            "others who decided it; a third reviewer's resolution is the lead's, and only "
            "when the lead did not decide the record"
        )
    if role == VIEWER:
        return (), "a viewer cannot resolve conflicts"
    return (), f"only the lead or a reviewer who decided record {item.record_id} can resolve it"


def resolve_conflict(
    screening: Screening,
    record_id: int,
    *,
    stage: str | Stage,
    decision: str,
    by: str,
    role: str = "reviewer",
    reason: str | None = None,
    method: str | None = None,
    note: str | None = None,
    idempotency_key: str | None = None,
) -> DecisionEvent:
    """Settle a record's conflict as `by` (with `role`), by `method` (default: the first of
    `resolution_methods`), if the rule allows it; else `NotAllowed` with the reason. A reviewer
    who decided the record resolves by consensus, with the others who decided it; the lead by
    consensus (they talked it over with the reviewers) or, when they did not decide it, as the
    third reviewer. A consensus note names those who agreed, then the note given. The decision
    and its audit entry are written in one transaction by `Screening.resolve`."""
    stage = parse_stage(str(stage))
    item = conflict_item(screening, record_id, stage, by, role=role)
    allowed, refusal = _rule(item, by, role)
    if not allowed:
        raise NotAllowed(refusal)
    chosen = _method(method, allowed, refusal)
    text = (note or "").strip() or None
    if chosen is Method.CONSENSUS:
        names = sorted({*item.deciders, by} if role == LEAD else set(item.deciders))
        agreed = "consensus of " + _and(names)
        text = f"{agreed}: {text}" if text else agreed
    return screening.resolve(
        record_id,
        stage=stage,
        decision=decision,
        by=by,
        reason=reason,
        method=chosen.value,
        note=text,
        idempotency_key=idempotency_key,
    )


def _method(method: str | None, allowed: tuple[Method, ...], refusal: str) -> Method:
    if method is None or not method.strip():
        return allowed[0]
    try:
        chosen = Method(method.strip())
    except ValueError:
        raise ScreeningError(
            f"unknown resolution method {method!r}; expected consensus or third_reviewer",
            field="method",
        ) from None
    if chosen not in allowed:
        raise NotAllowed(refusal)
    return chosen


def _and(names: Sequence[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


__all__ = [
    "ConflictBoard",
    "ConflictItem",
    "NotAllowed",
    "conflict_board",
    "conflict_item",
    "is_reason_mismatch",
    "may_resolve",
    "resolution_methods",
    "resolve_conflict",
]
