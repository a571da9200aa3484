"""Codebook versions: a codebook changed mid-review is recorded, its values migrated or flagged.

Every command that reads or writes extractions calls `sync_codebook` first. When the codebook's
digest (sha256 of its canonical JSON) differs from the latest recorded one, a new
`codebook_versions` row is written and the stored values are migrated where the change says how:

* a field with `renamed_from` takes the values stored under its old names;
* a field moved into a repeating group takes its old single value as row 1, and a field moved
  out of a group takes its value when the record had only one row.

Nothing is ever deleted. Values that no longer fit (a field removed, a choice removed, a type
changed, a field now required in a completed extraction, a rename that would overwrite a value)
stay in the store and are listed by `misfits` (`litrev codebook check`, the report's audit).

>>> from litrev.protocol import CodebookField
>>> store = Store.open("sqlite://")
>>> first = Codebook(fields=[CodebookField(name="nation")])
>>> sync_codebook(store, first, actor="ana").version
1
>>> renamed = Codebook(fields=[CodebookField(name="country", renamed_from=["nation"])])
>>> sync_codebook(store, renamed, actor="ana")
CodebookSync(version=2, changed=True, renamed={'nation': 'country'}, moved_values=0, regrouped_values=0)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, and_, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from litrev.extraction.codebook import CONSENSUS, ValueKey, check_values
from litrev.protocol import Codebook
from litrev.store import Store, schema


def codebook_json(codebook: Codebook) -> str:
    """The codebook's canonical JSON: `model_dump(mode="json")`, keys sorted, no spaces.

    >>> codebook_json(Codebook())
    '{"fields":[],"groups":[],"version":null}'
    """
    data = codebook.model_dump(mode="json")
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def codebook_digest(codebook: Codebook) -> str:
    """sha256 (hex) of `codebook_json`: equal digests, equal codebooks."""
    return hashlib.sha256(codebook_json(codebook).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CodebookSync:
    """What `sync_codebook` found and did: the current `version` (litrev's number), whether it
    is new (`changed`), the renames applied (old name -> field) and how many values moved."""

    version: int
    changed: bool
    renamed: dict[str, str] = field(default_factory=dict)
    moved_values: int = 0
    regrouped_values: int = 0


def sync_codebook(store: Store, codebook: Codebook, *, actor: str) -> CodebookSync:
    """Record the codebook if it changed since the last recorded version, and migrate values.

    One transaction; logged in the audit log ("codebook_version", and "codebook_migrate" when
    values moved). Cheap when nothing changed: one read, no write transaction (every autosave
    of the web form calls this, and on SQLite a write transaction takes the writer lock).
    """
    digest = codebook_digest(codebook)
    with store.connect() as conn:
        latest = _latest(conn)
    if latest is not None and latest.digest == digest:
        return CodebookSync(version=int(latest.version), changed=False)
    for attempt in range(2):
        try:
            with store.transaction() as conn:
                return _sync(conn, codebook, actor=actor, digest=digest)
        except IntegrityError:
            # Another process recorded the same version number first: read it again.
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _latest(conn: Connection) -> Any:
    """The newest recorded codebook version's row (version, digest, codebook), or None."""
    table = schema.codebook_versions
    return conn.execute(
        select(table.c.version, table.c.digest, table.c.codebook)
        .order_by(table.c.version.desc())
        .limit(1)
    ).first()


def _sync(
    conn: Connection, codebook: Codebook, *, actor: str, digest: str | None = None
) -> CodebookSync:
    table = schema.codebook_versions
    digest = digest or codebook_digest(codebook)
    latest = _latest(conn)  # again, inside the write transaction: another writer may have won
    if latest is not None and latest.digest == digest:
        return CodebookSync(version=int(latest.version), changed=False)
    version = 1 if latest is None else int(latest.version) + 1
    text = codebook_json(codebook)
    conn.execute(
        table.insert().values(
            version=version, digest=digest, codebook=text, created_at=datetime.now(UTC)
        )
    )
    previous = json.loads(latest.codebook) if latest is not None else None
    Store.log(
        conn,
        actor=actor,
        action="codebook_version",
        entity="codebook",
        entity_id=version,
        detail={
            "version": version,
            "label": codebook.version,
            "digest": digest,
            "changes": describe_changes(previous, json.loads(text)),
        },
    )
    renamed, moved = _rename(conn, codebook)
    regrouped = _regroup(conn, codebook)
    if moved or regrouped:
        Store.log(
            conn,
            actor=actor,
            action="codebook_migrate",
            entity="codebook",
            entity_id=version,
            detail={"renamed": renamed, "moved_values": moved, "regrouped_values": regrouped},
        )
    return CodebookSync(version, True, renamed, moved, regrouped)


def _rename(conn: Connection, codebook: Codebook) -> tuple[dict[str, str], int]:
    table = schema.extractions
    other = table.alias("other")
    renamed: dict[str, str] = {}
    moved = 0
    for current in codebook.fields:
        for old in current.renamed_from:
            renamed[old] = current.name
            # A key that already has a value under the new name keeps both: the old one is a
            # misfit to settle, never overwritten.
            taken = exists().where(
                and_(
                    other.c.field == current.name,
                    other.c.record_id == table.c.record_id,
                    other.c.reviewer == table.c.reviewer,
                    other.c.instance == table.c.instance,
                )
            )
            result = conn.execute(
                update(table).where(table.c.field == old, ~taken).values(field=current.name)
            )
            moved += result.rowcount or 0
    return renamed, moved


def _regroup(conn: Connection, codebook: Codebook) -> int:
    table = schema.extractions
    other = table.alias("other")
    moved = 0
    for current in codebook.fields:
        if current.group:
            # Into a group: the single value becomes row 1 (unless row 1 exists).
            taken = exists().where(
                and_(
                    other.c.field == current.name,
                    other.c.record_id == table.c.record_id,
                    other.c.reviewer == table.c.reviewer,
                    other.c.instance == 1,
                )
            )
            result = conn.execute(
                update(table)
                .where(table.c.field == current.name, table.c.instance == 0, ~taken)
                .values(instance=1)
            )
            moved += result.rowcount or 0
            continue
        # Out of a group: only a record with exactly one row (and no single value) moves.
        rows = conn.execute(
            select(
                table.c.record_id,
                table.c.reviewer,
                func.min(table.c.instance),
                func.max(table.c.instance),
            )
            .where(table.c.field == current.name)
            .group_by(table.c.record_id, table.c.reviewer)
        ).all()
        for record_id, reviewer, low, high in rows:
            if low == high and low > 0:
                result = conn.execute(
                    update(table)
                    .where(
                        table.c.field == current.name,
                        table.c.record_id == record_id,
                        table.c.reviewer == reviewer,
                    )
                    .values(instance=0)
                )
                moved += result.rowcount or 0
    return moved


def describe_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """What changed between two codebooks' JSON, in words ("field 'x' added", ...).

    >>> describe_changes({"fields": [{"name": "a", "type": "text"}]},
    ...                  {"fields": [{"name": "a", "type": "integer"}, {"name": "b"}]})
    ["field 'a' changed: type 'text' -> 'integer'", "field 'b' added"]
    """
    if old is None:
        return ["first version"]
    changes: list[str] = []
    if old.get("version") != new.get("version"):
        changes.append(f"version label {old.get('version')!r} -> {new.get('version')!r}")
    for kind, key in (("group", "groups"), ("field", "fields")):
        before = {item["name"]: item for item in old.get(key, [])}
        after = {item["name"]: item for item in new.get(key, [])}
        for name, item in after.items():
            if name not in before:
                source = [o for o in item.get("renamed_from", []) if o in before]
                changes.append(
                    f"{kind} {name!r} added" + (f" (renamed from {source[0]!r})" if source else "")
                )
                continue
            diffs = [
                f"{attribute} {before[name].get(attribute)!r} -> {item.get(attribute)!r}"
                for attribute in sorted(set(item) | set(before[name]))
                if before[name].get(attribute) != item.get(attribute)
            ]
            if diffs:
                changes.append(f"{kind} {name!r} changed: " + "; ".join(diffs))
        renamed_to = {
            old_name: name
            for name, item in after.items()
            for old_name in item.get("renamed_from", [])
        }
        for name in before:
            if name not in after:
                if name in renamed_to:
                    changes.append(f"{kind} {name!r} renamed to {renamed_to[name]!r}")
                else:
                    changes.append(f"{kind} {name!r} removed")
        order_before = [n for n in before if n in after]
        order_after = [n for n in after if n in before]
        if order_before != order_after:
            changes.append(f"{key} reordered")
    return changes or ["no change in fields or groups"]


@dataclass(frozen=True)
class Misfit:
    """A stored value that does not fit the current codebook, and why (kept, never dropped).
    A missing required value has `value` "" ; a group with too few rows names the group."""

    record_id: int
    reviewer: str
    field: str
    instance: int
    value: str
    problem: str


def misfits(store: Store, codebook: Codebook) -> list[Misfit]:
    """Every stored value (every reviewer's, and the consensus) that the codebook refuses.

    Per record and reviewer, the latest value of each key is checked with `check_values`; the
    completeness checks (a newly required field, a group's `min`, a quote's location) apply to
    extractions marked complete, and to imported ones (no progress row), not to work in
    progress or to the consensus (`unreconciled` lists incomplete consensus). Reads one
    record's values at a time.
    """
    states = _progress_states(store)
    order = {f.name: n for n, f in enumerate(codebook.fields)}
    order.update({g.name: len(order) + n for n, g in enumerate(codebook.groups)})
    found: list[Misfit] = []
    for (record_id, reviewer), values, locations in _extractions(store):
        state = states.get((record_id, reviewer), "complete")
        complete = state == "complete" and reviewer != CONSENSUS
        problems = check_values(codebook, values, locations, complete=complete)
        for (name, instance), problem in sorted(
            problems.items(), key=lambda item: (order.get(item[0][0], len(order)), item[0])
        ):
            value = values.get((name, instance), "")
            renamed = next((f.name for f in codebook.fields if name in f.renamed_from), None)
            if renamed:
                problem = (
                    f"'{name}' is now called '{renamed}', which already has a value here; "
                    "not moved (settle the two values)"
                )
            found.append(Misfit(record_id, reviewer, name, instance, value, problem))
    return found


def _progress_states(store: Store) -> dict[tuple[int, str], str]:
    table = schema.extraction_progress
    with store.engine.connect() as conn:
        return {
            (int(r.record_id), str(r.reviewer)): str(r.state)
            for r in conn.execute(select(table.c.record_id, table.c.reviewer, table.c.state))
        }


def _extractions(
    store: Store,
) -> Iterator[tuple[tuple[int, str], dict[ValueKey, str], dict[ValueKey, str]]]:
    table = schema.extractions
    query = select(
        table.c.record_id,
        table.c.reviewer,
        table.c.field,
        table.c.instance,
        table.c.value,
        table.c.location,
    ).order_by(table.c.record_id, table.c.reviewer, table.c.id)
    with store.engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=2000).execute(query)
        # By position: reading columns by name costs more than the checks themselves.
        for (record_id, reviewer), group in groupby(rows, key=lambda r: (r[0], r[1])):
            values: dict[ValueKey, str] = {}
            locations: dict[ValueKey, str] = {}
            for _, _, name, instance, value, location in group:  # later rows (re-imports) win
                value_key = (name, instance or 0)
                values[value_key] = value or ""
                locations[value_key] = location or ""
            yield (int(record_id), str(reviewer)), values, locations


@dataclass(frozen=True)
class CodebookVersion:
    """One recorded codebook: litrev's number, when, the team's label and what changed."""

    version: int
    created_at: datetime
    label: int | str | None
    digest: str
    changes: list[str]


def codebook_history(store: Store) -> list[CodebookVersion]:
    """Every recorded codebook version, oldest first, with what changed from the one before."""
    table = schema.codebook_versions
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(table.c.version, table.c.created_at, table.c.digest, table.c.codebook).order_by(
                table.c.version
            )
        ).all()
    history: list[CodebookVersion] = []
    previous: dict[str, Any] | None = None
    for row in rows:
        data = json.loads(row.codebook)
        history.append(
            CodebookVersion(
                int(row.version),
                row.created_at,
                data.get("version"),
                str(row.digest),
                describe_changes(previous, data),
            )
        )
        previous = data
    return history
