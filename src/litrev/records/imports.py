"""A review's imports: list them, and undo one that nothing depends on.

An import's records are those whose provenance names its file and time. `undo_import` removes
them, their provenance and the import row in one transaction, and logs it (the audit log keeps
both the import and its undoing). It refuses, naming what depends on the records, when:

- screening decisions (even retracted ones: the decision log is append-only) or extraction
  values are on any of them;
- a live deduplication action (a run or a pair decision) placed any of them in a cluster, the
  review queue or a link: undo it first with `litrev dedupe undo`. Rows of undone dedupe
  actions that mention the records no longer count and are removed with them.

Ids of removed records are never given again (`record_ids.high_water`), so an old export or
decisions file cannot name a different record.

>>> import tempfile, os
>>> from litrev.store import Store
>>> from litrev.records.importer import import_files
>>> folder = tempfile.mkdtemp(); path = os.path.join(folder, "eric.ris")
>>> _ = open(path, "w").write("TY  - JOUR\\nTI  - Care\\nER  - \\n")
>>> store = Store.open("sqlite://")
>>> _ = import_files(store, [path], source="ERIC", actor="me")
>>> [(i.id, i.records, i.first_id) for i in list_imports(store)]
[(1, 1, 1)]
>>> undo_import(store, 1, actor="me").records, list_imports(store)
(1, [])
>>> _ = import_files(store, [path], source="ERIC", actor="me")
>>> list_imports(store)[0].first_id   # id 1 is not given again
2
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from litrev.errors import LitrevError
from litrev.records.record_ids import high_water
from litrev.store import Store, schema


@dataclass
class ImportInfo:
    """One imported file (a `record_imports` row) and the litrev ids of its records."""

    id: int
    file: str
    format: str
    source_db: str | None
    records: int
    actor: str
    imported_at: datetime
    first_id: int | None = None
    last_id: int | None = None
    databases: dict[str, int] | None = None  # records per database (a litrev export mixes them)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file": self.file,
            "format": self.format,
            "source_db": self.source_db,
            "records": self.records,
            "actor": self.actor,
            "imported_at": self.imported_at.isoformat(),
            "first_id": self.first_id,
            "last_id": self.last_id,
            "databases": self.databases or {},
        }


def _record_ids(conn: Connection, row: Any) -> list[int]:
    prov = schema.record_provenance
    query = select(prov.c.record_id).where(
        prov.c.file == row.file, prov.c.imported_at == row.imported_at
    )
    return sorted({int(r) for r in conn.execute(query).scalars()})


def list_imports(store: Store) -> list[ImportInfo]:
    """Every import, oldest first."""
    imports, prov = schema.record_imports, schema.record_provenance
    with store.connect() as conn:
        ranges: dict[tuple[str, Any], tuple[int, int]] = {}
        databases: dict[tuple[str, Any], dict[str, int]] = {}
        query = select(
            prov.c.file,
            prov.c.imported_at,
            prov.c.source_db,
            func.min(prov.c.record_id),
            func.max(prov.c.record_id),
            func.count(),
        ).group_by(prov.c.file, prov.c.imported_at, prov.c.source_db)
        for file, at, source_db, low, high, n in conn.execute(query):
            key = (file, at)
            old = ranges.get(key, (int(low), int(high)))
            ranges[key] = (min(old[0], int(low)), max(old[1], int(high)))
            databases.setdefault(key, {})[source_db or "unspecified"] = int(n)
        out = []
        for row in conn.execute(select(imports).order_by(imports.c.id)):
            low_high = ranges.get((row.file, row.imported_at))
            out.append(
                ImportInfo(
                    int(row.id),
                    row.file,
                    row.format,
                    row.source_db,
                    int(row.records),
                    row.actor,
                    row.imported_at,
                    low_high[0] if low_high else None,
                    low_high[1] if low_high else None,
                    databases.get((row.file, row.imported_at), {}),
                )
            )
    return out


def _shown(ids: list[int], limit: int = 10) -> str:
    text = ", ".join(str(i) for i in ids[:limit])
    return text + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[k : k + size] for k in range(0, len(ids), size)]


def _refuse_dependents(conn: Connection, info: str, ids: list[int]) -> list[tuple[Any, Any]]:
    """Raise when decisions, extractions or live dedupe rows depend on `ids`; return the
    (table, row id) pairs of dead dedupe rows to remove with the records."""
    decisions, extractions = schema.decisions, schema.extractions
    found: list[Any] = []
    for chunk in _chunks(ids):
        found += conn.execute(
            select(decisions.c.record_id, decisions.c.stage, decisions.c.reviewer)
            .where(decisions.c.record_id.in_(chunk))
            .order_by(decisions.c.id)
        ).all()
    if found:
        first = "; ".join(f"record {r} at {s} by {who}" for r, s, who in found[:5])
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        raise LitrevError(
            f"{info} cannot be undone: {len(found)} screening decision(s) are on its records "
            f"({first}{more}); the decision log is kept whole, so these records stay"
        )
    values: list[Any] = []
    for chunk in _chunks(ids):
        values += conn.execute(
            select(extractions.c.record_id, extractions.c.field).where(
                extractions.c.record_id.in_(chunk)
            )
        ).all()
    if values:
        records = sorted({int(r) for r, _ in values})
        raise LitrevError(
            f"{info} cannot be undone: extraction values are recorded for its records "
            f"{_shown(records)}"
        )
    actions = schema.dedupe_actions
    dead: list[tuple[Any, Any]] = []
    live_actions: set[int] = set()
    tables = [
        (schema.duplicate_clusters, [schema.duplicate_clusters.c.record_id]),
        (
            schema.duplicate_links,
            [schema.duplicate_links.c.record_a, schema.duplicate_links.c.record_b],
        ),
        (schema.dedupe_queue, [schema.dedupe_queue.c.record_a, schema.dedupe_queue.c.record_b]),
        (
            schema.dedupe_decisions,
            [schema.dedupe_decisions.c.record_a, schema.dedupe_decisions.c.record_b],
        ),
    ]
    for table, columns in tables:
        for chunk in _chunks(ids):
            rows = conn.execute(
                select(table.c.id, table.c.action_id, actions.c.undone_at)
                .join(actions, actions.c.id == table.c.action_id)
                .where(or_(*(c.in_(chunk) for c in columns)))
            ).all()
            for row_id, action_id, undone_at in rows:
                if undone_at is None:
                    live_actions.add(int(action_id))
                else:
                    dead.append((table, row_id))
    if live_actions:
        raise LitrevError(
            f"{info} cannot be undone: deduplication action(s) {_shown(sorted(live_actions))} "
            "placed its records in clusters, links or the review queue; undo them first with "
            "`litrev dedupe undo` (newest first), then undo the import"
        )
    return dead


def undo_import(store: Store, import_id: int, *, actor: str | None = None) -> ImportInfo:
    """Remove import `import_id` and its records (see the module docstring for refusals)."""
    who = actor or getpass.getuser()
    imports, prov, records = schema.record_imports, schema.record_provenance, schema.records
    with store.transaction() as conn:
        Store.lock(conn, "import")
        row = conn.execute(select(imports).where(imports.c.id == import_id)).first()
        if row is None:
            raise LitrevError(
                f"no import {import_id} in this review (`litrev import list` shows them)"
            )
        info = f"import {import_id} ({row.file})"
        ids = _record_ids(conn, row)
        others: list[Any] = []
        for chunk in _chunks(ids):
            others += conn.execute(
                select(prov.c.record_id, prov.c.file).where(
                    prov.c.record_id.in_(chunk),
                    or_(prov.c.file != row.file, prov.c.imported_at != row.imported_at),
                )
            ).all()
        if others:
            raise LitrevError(
                f"{info} cannot be undone: its records {_shown(sorted({r for r, _ in others}))} "
                f"also came from {others[0].file}"
            )
        dead = _refuse_dependents(conn, info, ids)
        last_id = high_water(conn)
        try:
            for table, row_id in dead:
                conn.execute(delete(table).where(table.c.id == row_id))
            for chunk in _chunks(ids):
                conn.execute(delete(prov).where(prov.c.record_id.in_(chunk)))
                conn.execute(delete(records).where(records.c.id.in_(chunk)))
        except IntegrityError as error:
            # A table litrev added later refers to these records: keep them (rolled back).
            raise LitrevError(
                f"{info} cannot be undone: other review data refers to its records "
                f"({str(error.orig).splitlines()[0]})"
            ) from error
        conn.execute(delete(imports).where(imports.c.id == import_id))
        Store.log(
            conn,
            actor=who,
            action="import.undo",
            entity="record_imports",
            entity_id=import_id,
            detail={
                "file": row.file,
                "sha256": row.sha256,
                "records": len(ids),
                "record_ids": [ids[0], ids[-1]] if ids else [],
                "last_id": last_id,
                "dedupe_rows_removed": len(dead),
            },
        )
    return ImportInfo(
        import_id,
        row.file,
        row.format,
        row.source_db,
        len(ids),
        row.actor,
        row.imported_at,
        ids[0] if ids else None,
        ids[-1] if ids else None,
    )
