"""A record's history: every decision, change, undo, resolution, note, tag, full text and
assignment on it, at every stage, oldest first, as one viewer may see it.

While the record is blind to the viewer at a stage (`litrev.screening.blinding`), other
reviewers' items of that stage are left out; full texts and assignments belong to no
reviewer's judgement and are always shown.

>>> from litrev.store import Store
>>> from litrev.screening.decisions import Screening
>>> from litrev.screening.demo import add_records
>>> s = Screening(Store.open("sqlite://"))
>>> add_records(s.store, 1)
[1]
>>> _ = s.decide(1, reviewer="ann", stage="ta", decision="include")
>>> _ = s.decide(1, reviewer="ann", stage="ta", decision="maybe")
>>> [(h.who, h.what) for h in record_history(s, 1, "ann")]
[('ann', 'decided'), ('ann', 'changed')]
>>> record_history(s, 1, "bob")
[]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from litrev.screening.blinding import blind_for
from litrev.screening.model import RETRACTED, STAGES, DecisionEvent
from litrev.screening.notes import utc
from litrev.store import schema

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening

WHATS = (
    "decided",
    "changed",
    "undid",
    "resolved",
    "note",
    "tag",
    "untagged",
    "fulltext",
    "assigned",
    "unassigned",
)


@dataclass(frozen=True)
class HistoryItem:
    """One thing that happened to a record: when, who, what (one of `WHATS`) and a phrase."""

    at: datetime
    who: str
    what: str
    detail: str
    stage: str | None = None


def _verdict(event: DecisionEvent) -> str:
    reason = f" ({event.reason})" if event.reason else ""
    return f"{event.decision}{reason}"


def _decision_items(events: list[DecisionEvent], stage: str) -> list[HistoryItem]:
    """Decisions replayed per reviewer, so a second decision reads 'changed' and an undo names
    the decision it took back."""
    by_id = {e.id: e for e in events}
    live: dict[str, list[int]] = {}
    items = []
    for e in sorted(events, key=lambda e: e.id):
        at = utc(e.created_at)
        if e.decision == RETRACTED:
            target = by_id.get(e.retracts or -1)
            track = "resolution" if e.resolution else "decision"
            what = f"{track} {_verdict(target)}" if target else track
            items.append(HistoryItem(at, e.reviewer, "undid", f"undid {what} at {stage}", stage))
            stack = live.get("" if e.resolution else e.reviewer, [])
            if e.retracts in stack:
                stack.remove(e.retracts)
            continue
        if e.resolution:
            detail = f"{_verdict(e)} at {stage} ({e.resolution.replace('_', ' ')})"
            items.append(HistoryItem(at, e.reviewer, "resolved", detail, stage))
            live.setdefault("", []).append(e.id)
            continue
        stack = live.setdefault(e.reviewer, [])
        what = "changed" if stack else "decided"
        prior = f", was {_verdict(by_id[stack[-1]])}" if stack else ""
        items.append(HistoryItem(at, e.reviewer, what, f"{_verdict(e)} at {stage}{prior}", stage))
        stack.append(e.id)
    return items


def record_history(
    screening: Screening, record_id: int, viewer: str, *, role: str = "reviewer"
) -> list[HistoryItem]:
    """Everything that happened to a record, oldest first, without other reviewers' items at a
    stage while the record is blind to `viewer` there."""
    items: list[HistoryItem] = []
    for stage in STAGES:
        events = screening.events(stage, record_id=record_id)
        items.extend(_decision_items(events, stage.value))
    n, t, f, a = schema.record_notes, schema.record_tags, schema.fulltexts, schema.assignments
    with screening.store.connect() as conn:
        for r in conn.execute(
            select(n).where(n.c.record_id == record_id, n.c.removed_at.is_(None))
        ):
            items.append(HistoryItem(utc(r.created_at), r.author, "note", r.text, r.stage))
        for r in conn.execute(select(t).where(t.c.record_id == record_id)):
            items.append(HistoryItem(utc(r.created_at), r.author, "tag", r.tag, r.stage))
            if r.removed_at is not None:
                items.append(HistoryItem(utc(r.removed_at), r.author, "untagged", r.tag, r.stage))
        files = select(f.c.filename, f.c.size, f.c.uploaded_by, f.c.uploaded_at, f.c.removed_at)
        for r in conn.execute(files.where(f.c.record_id == record_id)):
            gone = " (removed since)" if r.removed_at is not None else ""
            detail = f"{r.filename}, {r.size:,} bytes{gone}"
            items.append(HistoryItem(utc(r.uploaded_at), r.uploaded_by, "fulltext", detail))
        for r in conn.execute(select(a).where(a.c.record_id == record_id)):
            detail = f"to {r.reviewer} at {r.stage}"
            items.append(HistoryItem(utc(r.created_at), r.assigned_by, "assigned", detail, r.stage))
            if r.removed_at is not None:
                items.append(
                    HistoryItem(utc(r.removed_at), r.assigned_by, "unassigned", detail, r.stage)
                )
    blind = {
        stage.value: blind_for(screening, record_id, stage.value, viewer, role=role)
        for stage in STAGES
    }
    judged = {"decided", "changed", "undid", "resolved", "note", "tag", "untagged"}
    shown = [
        item
        for item in items
        if not (item.what in judged and item.stage and blind[item.stage] and item.who != viewer)
    ]
    order = {w: i for i, w in enumerate(WHATS)}
    return sorted(shown, key=lambda h: (h.at, order[h.what]))


__all__ = ["WHATS", "HistoryItem", "record_history"]
