"""Deduplication inside a review's store: runs, review decisions and undo, all audited.

Every change is one `dedupe_actions` row. Rows an action adds point to it; rows it replaces are
marked `superseded_by` it. Undo marks the newest action undone: its rows stop counting and the
rows it superseded count again. Nothing is deleted.

A run keeps the current clusters as seeds and respects every "same"/"different" decision, so
re-running changes nothing (no new action is written) and records imported later are matched
against existing clusters without disturbing them.

>>> from litrev.store import Store
>>> from litrev.records.model import Record
>>> store = Store.open("sqlite://")
>>> ids = _insert_for_doctest(store, [Record(title="Sleep in care homes: a trial", year=2020,
...     authors=["Li, X"], journal="BMJ", volume="3", pages="1-9"),
...     Record(title="Sleep in Care Homes: A Trial.", year=2020, authors=["Li X"],
...     journal="BMJ", volume="3", pages="1-9")])
>>> run(store, actor="me").merged
2
>>> run(store, actor="me").action_id is None   # idempotent: nothing changed, nothing written
True
>>> current_clusters(store), duplicates_removed(store)
({1: [1, 2]}, 1)
>>> undo(store, actor="me").kind
'run'
>>> current_clusters(store)
{}
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update
from sqlalchemy.orm import aliased

from litrev.dedupe.compare import Settings
from litrev.dedupe.engine import Deduplicator
from litrev.errors import LitrevError
from litrev.records.model import Record
from litrev.store import Store, schema

SAME, DIFFERENT = "same", "different"


@dataclass
class RunSummary:
    """What a run changed. `action_id` is None when nothing changed (nothing was written)."""

    action_id: int | None
    records: int
    clusters: int  # clusters of two or more records after the run
    merged: int  # records newly placed in a cluster with others
    queued: int  # new pairs put in the review queue
    related: int  # new related-version/notice links
    pairs_compared: int = 0


@dataclass
class QueueItem:
    id: int
    record_a: int
    record_b: int
    score: float
    reason: str


@dataclass
class ActionInfo:
    id: int
    kind: str
    actor: str
    created_at: datetime
    summary: dict[str, Any] = field(default_factory=dict)


def _live(table: Any, column: Any) -> Any:
    """Condition: a row made by a live action and not replaced by another live action."""
    made, replaced = aliased(schema.dedupe_actions), aliased(schema.dedupe_actions)
    return (
        select(table)
        .join(made, made.c.id == table.c.action_id)
        .outerjoin(replaced, replaced.c.id == column)
        .where(made.c.undone_at.is_(None))
        .where(or_(column.is_(None), replaced.c.undone_at.is_not(None)))
    )


def current_clusters(store: Store | Connection) -> dict[int, list[int]]:
    """{cluster id: sorted record ids} for every current cluster of two or more records."""
    members = schema.duplicate_clusters
    query = _live(members, members.c.superseded_by)
    rows = _execute(store, query)
    clusters: dict[int, list[int]] = {}
    for row in rows:
        clusters.setdefault(row.cluster_id, []).append(row.record_id)
    return {k: sorted(v) for k, v in sorted(clusters.items())}


def screening_record(
    store: Store | Connection, record_ids: Collection[int] | None = None
) -> dict[int, int]:
    """{record id: the record screened in its place} for every record in a duplicate cluster
    (only those of `record_ids`, when given: one decision need not read every cluster).

    The record screened for a cluster is its smallest id (its `cluster_id`), i.e. the earliest
    imported, so a later import that duplicates an already-screened record never asks for it
    again.
    """
    if record_ids is None or len(record_ids) > _FILTER_AT_MOST:
        return {r: cid for cid, members in current_clusters(store).items() for r in members}
    members = schema.duplicate_clusters
    query = _live(members, members.c.superseded_by).where(
        members.c.record_id.in_(sorted(record_ids))
    )
    wanted = set(record_ids)
    return {r.record_id: r.cluster_id for r in _execute(store, query) if r.record_id in wanted}


# Above this many ids, one read of every cluster is cheaper than a long IN list.
_FILTER_AT_MOST = 500


def duplicates_removed(store: Store | Connection) -> int:
    """How many records deduplication removed (for the PRISMA flow): cluster sizes minus one."""
    return sum(len(members) - 1 for members in current_clusters(store).values())


def open_queue(store: Store | Connection) -> list[QueueItem]:
    """Pairs waiting for a decision, most similar first."""
    queue = schema.dedupe_queue
    rows = _execute(store, _live(queue, queue.c.resolved_by))
    items = [QueueItem(r.id, r.record_a, r.record_b, r.score, r.reason) for r in rows]
    return sorted(items, key=lambda q: (-q.score, q.id))


def related_links(store: Store | Connection) -> list[tuple[int, int, str]]:
    """Current (record a, record b, reason) links between versions/notices of one work."""
    links = schema.duplicate_links
    rows = _execute(store, _live(links, links.c.superseded_by))
    return sorted((r.record_a, r.record_b, r.reason) for r in rows)


def decisions(store: Store | Connection) -> dict[tuple[int, int], str]:
    """{(a, b): "same" | "different"}: the latest live decision per pair (a < b)."""
    table, actions = schema.dedupe_decisions, schema.dedupe_actions
    query = (
        select(table)
        .join(actions, actions.c.id == table.c.action_id)
        .where(actions.c.undone_at.is_(None))
        .order_by(table.c.id)
    )
    out: dict[tuple[int, int], str] = {}
    for row in _execute(store, query):
        out[(row.record_a, row.record_b)] = row.decision
    return out


def _execute(store: Store | Connection, query: Any) -> list[Any]:
    if isinstance(store, Connection):
        return list(store.execute(query))
    with store.connect() as conn:
        return list(conn.execute(query))


def _new_action(conn: Connection, kind: str, actor: str, settings: dict[str, Any],
                summary: dict[str, Any]) -> int:
    result = conn.execute(schema.dedupe_actions.insert().values(
        kind=kind, actor=actor, created_at=datetime.now(UTC), settings=settings, summary=summary,
    ))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _set_membership(conn: Connection, action_id: int, old: dict[int, int],
                    new: dict[int, int]) -> int:
    """Write membership changes from `old` to `new` ({record: cluster}); return records changed."""
    members = schema.duplicate_clusters
    changed = [r for r in set(old) | set(new) if old.get(r) != new.get(r)]
    if not changed:
        return 0
    live = {row.record_id: row.id for row in conn.execute(
        _live(members, members.c.superseded_by).where(members.c.record_id.in_(changed)))}
    if live:
        conn.execute(update(members).where(members.c.id.in_(list(live.values())))
                     .values(superseded_by=action_id))
    rows = [{"record_id": r, "cluster_id": new[r], "action_id": action_id}
            for r in sorted(changed) if r in new]
    if rows:
        conn.execute(members.insert(), rows)
    return len(changed)


def _membership(clusters: dict[int, list[int]]) -> dict[int, int]:
    return {record: cid for cid, members in clusters.items() for record in members}


def run(
    store: Store,
    *,
    actor: str,
    settings: Settings | None = None,
    records: Sequence[tuple[int, Record]] | None = None,
    n_jobs: int = 1,
) -> RunSummary:
    """Deduplicate the review's records (all of them, or `records` as (store id, Record))."""
    settings = settings or Settings()
    if records is None:
        from litrev.records.importer import stored_records

        records = stored_records(store)
    ids = [record_id for record_id, _ in records]
    index = {record_id: i for i, record_id in enumerate(ids)}
    with store.transaction() as conn:
        before = current_clusters(conn)
        decided = decisions(conn)
        seeds = [[index[r] for r in members if r in index] for members in before.values()]
        same = [(index[a], index[b]) for (a, b), d in decided.items()
                if d == SAME and a in index and b in index]
        different = [(index[a], index[b]) for (a, b), d in decided.items()
                     if d == DIFFERENT and a in index and b in index]
        model = Deduplicator(
            threshold=settings.title_threshold, review_threshold=settings.review_threshold,
            merge_versions=settings.merge_versions, max_block=settings.max_block,
            window=settings.window, n_jobs=n_jobs,
        ).fit([r for _, r in records], seeds=seeds, must_link=same, cannot_link=different)
        after = {min(ids[i] for i in c): sorted(ids[i] for i in c)
                 for c in model.clusters_ if len(c) > 1}
        queued_pairs = {(q.record_a, q.record_b) for q in open_queue(conn)}
        new_queue = [item for item in model.review_
                     if (ids[item.a], ids[item.b]) not in queued_pairs
                     and (ids[item.a], ids[item.b]) not in decided]
        linked = {(a, b) for a, b, _ in related_links(conn)}
        new_links = [(ids[i], ids[j], reason) for i, j, reason in model.related_
                     if (ids[i], ids[j]) not in linked]
        old_map, new_map = _membership(before), _membership(after)
        merged = len([r for r in new_map if r not in old_map])
        summary = RunSummary(None, len(ids), len(after), merged, len(new_queue), len(new_links),
                             model.pairs_compared_)
        if old_map == new_map and not new_queue and not new_links:
            return summary  # idempotent: nothing to write
        action_id = _new_action(conn, "run", actor, asdict(settings), {
            "records": len(ids), "clusters": len(after), "merged": merged,
            "queued": len(new_queue), "related": len(new_links),
        })
        _set_membership(conn, action_id, old_map, new_map)
        if new_queue:
            conn.execute(schema.dedupe_queue.insert(), [
                {"record_a": ids[q.a], "record_b": ids[q.b], "score": q.score,
                 "reason": q.reason, "action_id": action_id} for q in new_queue])
        if new_links:
            conn.execute(schema.duplicate_links.insert(), [
                {"record_a": a, "record_b": b, "relation": "related", "reason": reason,
                 "score": 0.0, "action_id": action_id} for a, b, reason in new_links])
        Store.log(conn, actor=actor, action="dedupe.run", entity="dedupe_actions",
                  entity_id=action_id, detail=asdict(summary) | {"action_id": action_id})
        summary.action_id = action_id
        return summary


def decide(store: Store, record_a: int, record_b: int, decision: str, *, reviewer: str,
           note: str | None = None) -> int:
    """Record a person's decision on a pair and apply it; return the action id.

    "same" merges the two records' clusters (refused if someone decided that two of their
    members differ); "different" takes the later record out of a shared cluster. The pair's
    queue item, if any, is resolved.
    """
    if decision not in (SAME, DIFFERENT):
        raise LitrevError(f"decision must be '{SAME}' or '{DIFFERENT}', not {decision!r}")
    a, b = sorted((record_a, record_b))
    if a == b:
        raise LitrevError("a record cannot be compared with itself")
    with store.transaction() as conn:
        known = set(conn.execute(select(schema.records.c.id)
                                 .where(schema.records.c.id.in_([a, b]))).scalars())
        if known != {a, b}:
            raise LitrevError(f"no record with id {sorted({a, b} - known)} in this review")
        clusters = current_clusters(conn)
        old_map = _membership(clusters)
        new_map = dict(old_map)
        if decision == SAME:
            group = sorted(set(clusters.get(old_map.get(a, -1), [a]))
                           | set(clusters.get(old_map.get(b, -1), [b])))
            for (x, y), d in decisions(conn).items():
                if d == DIFFERENT and x in group and y in group and (x, y) != (a, b):
                    raise LitrevError(
                        f"records {x} and {y} were decided different; merging {a} and {b} "
                        f"would put them together (undo or change that decision first)")
            for record in group:
                new_map[record] = group[0]
        elif old_map.get(a) is not None and old_map.get(a) == old_map.get(b):
            rest = [r for r in clusters[old_map[a]] if r != b]
            new_map.pop(b)
            for record in rest:
                new_map[record] = rest[0]
            if len(rest) == 1:
                new_map.pop(rest[0])
        action_id = _new_action(conn, "review", reviewer, {}, {
            "record_a": a, "record_b": b, "decision": decision})
        conn.execute(schema.dedupe_decisions.insert().values(
            record_a=a, record_b=b, decision=decision, reviewer=reviewer, note=note,
            action_id=action_id, created_at=datetime.now(UTC)))
        _set_membership(conn, action_id, old_map, new_map)
        queue = schema.dedupe_queue
        open_ids = [q.id for q in open_queue(conn) if (q.record_a, q.record_b) == (a, b)]
        if open_ids:
            conn.execute(update(queue).where(queue.c.id.in_(open_ids))
                         .values(resolved_by=action_id))
        Store.log(conn, actor=reviewer, action="dedupe.decide", entity="dedupe_actions",
                  entity_id=action_id,
                  detail={"record_a": a, "record_b": b, "decision": decision, "note": note})
        return action_id


def history(store: Store, include_undone: bool = False) -> list[ActionInfo]:
    """Dedupe actions, newest first."""
    actions = schema.dedupe_actions
    query = select(actions).order_by(actions.c.id.desc())
    if not include_undone:
        query = query.where(actions.c.undone_at.is_(None))
    return [ActionInfo(r.id, r.kind, r.actor, r.created_at, r.summary)
            for r in _execute(store, query)]


def undo(store: Store, *, actor: str, action_id: int | None = None) -> ActionInfo:
    """Undo the newest live dedupe action (only the newest: later actions build on it)."""
    live = history(store)
    if not live:
        raise LitrevError("nothing to undo: no deduplication run or decision is recorded")
    newest = live[0]
    if action_id is not None and action_id != newest.id:
        raise LitrevError(f"only the newest action ({newest.id}, a {newest.kind}) can be "
                          f"undone; undo it first to reach action {action_id}")
    actions = schema.dedupe_actions
    with store.transaction() as conn:
        conn.execute(update(actions).where(and_(actions.c.id == newest.id,
                                                actions.c.undone_at.is_(None)))
                     .values(undone_at=datetime.now(UTC), undone_by=actor))
        Store.log(conn, actor=actor, action="dedupe.undo", entity="dedupe_actions",
                  entity_id=newest.id, detail={"kind": newest.kind, "summary": newest.summary})
    return newest


def _insert_for_doctest(store: Store, records: list[Record]) -> list[int]:
    now = datetime.now(UTC)
    with store.transaction() as conn:
        query = schema.records.insert().returning(schema.records.c.id, sort_by_parameter_order=True)
        result = conn.execute(query, [
            {"title": r.title, "authors": r.authors, "year": r.year, "journal": r.journal,
             "fields": {"typed": {"volume": r.volume, "pages": r.pages}, "raw": []},
             "created_at": now} for r in records])
        return [int(row[0]) for row in result]
