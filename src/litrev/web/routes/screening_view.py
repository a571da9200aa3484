"""What the screening pages show of a record, built from core calls; no review logic here.

Record text is untrusted: highlighted text is built as `markupsafe.Markup` from escaped
pieces, so a title holding `<script>` is shown as text, never run.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException, Request
from markupsafe import Markup, escape

from litrev.records.model import Record
from litrev.screening.highlight import Marker
from litrev.screening.model import DecisionEvent, ExclusionReason, parse_stage
from litrev.screening.queue import ScreeningQueue
from litrev.web.security import Member
from litrev.web.workspace import Review

STAGE_LABELS = {"title_abstract": "Titles and abstracts", "full_text": "Full texts"}
DONE_WORDS = {
    "include": "Included record {}",
    "exclude": "Excluded record {}",
    "maybe": "Marked record {} as maybe",
}


def stage_value(stage: str) -> str:
    """The stage's canonical name ('ta' -> 'title_abstract'); a bad name is a 400 page."""
    return parse_stage(str(stage or "title_abstract")).value


def marked(marker: Marker, text: str | None) -> Markup:
    """`text` escaped, with the marker's terms wrapped in `<mark class="hl-KIND">`.

    >>> str(marked(Marker.of(["care"], []), "<b>care</b>"))
    '&lt;b&gt;<mark class="hl-include">care</mark>&lt;/b&gt;'
    """
    out = Markup("")
    for piece, kind in marker.pieces(text or ""):
        if kind is None:
            out += escape(piece)
        else:
            out += Markup('<mark class="hl-{}">{}</mark>').format(kind, piece)
    return out


@dataclass(frozen=True)
class Version:
    """Another record of the same duplicate cluster, as the screener sees it listed."""

    id: int
    title: str
    year: int | None
    journal: str | None
    doi: str | None
    source: str | None


@dataclass(frozen=True)
class RecordView:
    """One record as the screening and record pages show it."""

    id: int
    title: Markup
    abstract: Markup | None
    keywords: list[Markup]
    authors: list[str]
    year: int | None
    journal: str | None
    doi: str | None
    source: str | None
    versions: list[Version] = field(default_factory=list)
    screened_as: int | None = None  # the cluster's record screened in this one's place


def _version(rid: int, record: Record) -> Version:
    source = record.provenance.source_db if record.provenance else record.source_db
    return Version(
        rid, record.title or "[no title]", record.year, record.journal, record.doi, source
    )


def record_view(review: Review, record_id: int, marker: Marker) -> RecordView:
    """The record with its marks and its cluster's other versions; 404 when there is none."""
    from litrev.records.importer import stored_records

    screening = review.screening
    dupes = screening.duplicates()
    stand_in = dupes.get(record_id)
    cluster_head = stand_in if stand_in is not None else record_id
    members = {r for r, s in dupes.items() if s == cluster_head} | {cluster_head}
    others = sorted(members - {record_id})
    found = dict(stored_records(review.store, [record_id, *others]))
    record = found.get(record_id)
    if record is None:
        raise HTTPException(404, f"record {record_id}: no such record in this review")
    versions = [_version(r, found[r]) for r in others if r in found]
    return RecordView(
        id=record_id,
        title=marked(marker, record.title or "[no title]"),
        abstract=marked(marker, record.abstract) if record.abstract else None,
        keywords=[marked(marker, k) for k in record.keywords],
        authors=list(record.authors),
        year=record.year,
        journal=record.journal,
        doi=record.doi,
        source=record.provenance.source_db if record.provenance else record.source_db,
        versions=versions,
        screened_as=stand_in,
    )


def numbered_reasons(reasons: tuple[ExclusionReason, ...]) -> list[tuple[int, ExclusionReason]]:
    """The stage's reasons with the number key that picks each (1..9; the rest by click)."""
    return list(enumerate(reasons, start=1))


def new_key() -> str:
    """A fresh idempotency key for one rendered form: a double submit records once."""
    return secrets.token_urlsafe(18)


# ----- per-app caches: the highlight pattern of each review, a ranking queue per reviewer


class _Entry:
    def __init__(self, queue: ScreeningQueue) -> None:
        self.queue = queue
        self.lock = threading.Lock()


def _caches(request: Request) -> dict[str, Any]:
    state = request.app.state
    caches: dict[str, Any] | None = getattr(state, "screen_caches", None)
    if caches is None:
        caches = {"markers": {}, "queues": {}, "lock": threading.Lock()}
        state.screen_caches = caches
    return caches


def marker_of(request: Request, review: Review) -> Marker:
    """The review's highlight marker (protocol lists and strategy terms), built once."""
    caches = _caches(request)
    markers: dict[str, Marker] = caches["markers"]
    if review.key not in markers:
        markers[review.key] = Marker.from_protocol(review.project.protocol)
    return markers[review.key]


class QueueView:
    """A reviewer's ranked queue at a stage, held across requests (the ranking model keeps
    its features and learns from each new decision), rebuilt when the stage's records change."""

    def __init__(self, request: Request, member: Member, stage: str) -> None:
        caches = _caches(request)
        key = (member.review.key, member.username, stage)
        screening = member.review.screening
        eligible = screening.eligible_records(stage)
        with caches["lock"]:
            entry: _Entry | None = caches["queues"].get(key)
            if entry is None or entry.queue.records != eligible:
                # The protocol prior orders the first records, as in `litrev screen`.
                queue = ScreeningQueue(
                    screening,
                    reviewer=member.username,
                    stage=stage,
                    protocol=member.review.project.protocol,
                )
                entry = _Entry(queue)
                caches["queues"][key] = entry
        self.entry = entry

    def snapshot(self) -> tuple[list[int], Any, str | None]:
        """(ranked order, the queue, the stopping sentence), read under the queue's lock."""
        with self.entry.lock:
            order = self.entry.queue.order()
            return order, self.entry.queue, self.entry.queue.stopping_message()

    def explain(self, record_id: int) -> str | None:
        with self.entry.lock:
            return self.entry.queue.explain(record_id)

    def prior_driven(self, record_id: int) -> bool:
        with self.entry.lock:
            return bool(self.entry.queue.prior_driven(record_id))


def toast_text(event: DecisionEvent, undone: bool = False) -> str:
    """'Included record 12 — press u to undo' / 'Undid include on record 12'."""
    if undone:
        return f"Undid {event.decision} on record {event.record_id}"
    done = DONE_WORDS.get(event.decision, event.decision + " on record {}")
    return f"{done.format(event.record_id)} — press u to undo"
