"""Agreement between two extractors, per codebook field, and the side-by-side comparison of one
record's extractions (what reconciliation works from).

Per field (`field_agreement`), over the records (and, for a repeating group's fields, the group
rows) both extractors completed where at least one gave a value and the field applies for at
least one of them:

* `percent`: the share of those on which the two agree. Choices, countries, hierarchical codes,
  years and whole numbers agree when equal; numbers when numerically equal ("2.50" = "2.5");
  multiple values when the same set; text (and quotes) when equal once runs of white space are
  one space and case is ignored; a quote's location must match too.
* `kappa`: Cohen's kappa for categorical fields (an empty value is a category of its own) with
  its 95% interval, from `litrev.screening.agreement`; for multiple values, the mean of the
  per-option kappas (each option present or absent), with no interval. None when undefined
  (a single category used throughout).
* `similarity`: text, long text and quotes: the mean rapidfuzz `token_sort_ratio` / 100 of the
  normalised texts; multiple values: the mean Jaccard index of the two sets.

Group rows are matched by number: row 2 of one extractor against row 2 of the other.

>>> from litrev.protocol import CodebookField
>>> kind_of(CodebookField(name="n", type="integer")), kind_of(CodebookField(name="t"))
('categorical', 'text')
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from litrev.extraction.codebook import CONSENSUS, applies, split_multi
from litrev.extraction.values import (
    COMPLETE,
    EXTRACTION_STAGE,
    StoredValue,
    ValueKey,
    group_of,
    is_quote,
    record_values_on,
    states_on,
)
from litrev.protocol import Codebook, CodebookField
from litrev.store import Store, schema

CATEGORICAL_TYPES = ("choice", "country", "hierarchical", "year", "integer")
EMPTY = "(empty)"  # the category of "no value" in a kappa table


def kind_of(target: CodebookField) -> str:
    """How a field's agreement is measured: "categorical", "multi", "numeric" or "text"."""
    if target.is_multiple:
        return "multi"
    if target.type in CATEGORICAL_TYPES:
        return "categorical"
    if target.type == "number":
        return "numeric"
    return "text"


def _text(value: str) -> str:
    return " ".join(value.split()).casefold()


def same(target: CodebookField | None, a: StoredValue | None, b: StoredValue | None) -> bool:
    """Whether two extractors' values of a field agree (None: no value).

    >>> from litrev.protocol import CodebookField
    >>> v = lambda text: StoredValue(1, "x", "f", 0, text, None, None)
    >>> same(CodebookField(name="f", type="number"), v("2.50"), v("2.5"))
    True
    """
    left, right = (a.value if a else ""), (b.value if b else "")
    if target is None:
        return left == right
    kind = kind_of(target)
    if kind == "multi":
        return set(split_multi(left)) == set(split_multi(right))
    if kind == "numeric" or target.type == "integer":
        try:
            return float(left) == float(right)
        except ValueError:
            return left.strip() == right.strip()
    if kind == "text":
        where = is_quote(target) and _text((a.location if a else "") or "") != _text(
            (b.location if b else "") or ""
        )
        return _text(left) == _text(right) and not where
    return left.strip() == right.strip()


@dataclass(frozen=True)
class FieldAgreement:
    """Agreement on one codebook field; `disagreements` lists the (record id, instance) pairs
    on which the two extractors differ."""

    field: str
    kind: str
    pairs: int
    agree: int
    percent: float | None
    kappa: float | None
    kappa_ci: tuple[float, float] | None
    similarity: float | None
    type: str = ""
    group: str = ""
    disagreements: tuple[tuple[int, int], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "type": self.type,
            "group": self.group,
            "kind": self.kind,
            "pairs": self.pairs,
            "agree": self.agree,
            "percent": self.percent,
            "kappa": self.kappa,
            "kappa_ci": list(self.kappa_ci) if self.kappa_ci else None,
            "similarity": self.similarity,
            "disagreements": [list(d) for d in self.disagreements],
        }


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _kappa(a: Sequence[str], b: Sequence[str]) -> tuple[float | None, tuple[float, float] | None]:
    from litrev.screening.agreement import contingency, kappa_from_table

    # The categories used (not screening's include/exclude fillers): one category only leaves
    # kappa undefined (chance agreement 1).
    categories = sorted(set(a) | set(b))
    result = kappa_from_table(contingency(a, b, categories)[1])
    value = _finite(result.kappa)
    if value is None:
        return None, None
    return value, (result.ci_low, result.ci_high)


def _multi_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    sets_a = [set(split_multi(x)) for x in a]
    sets_b = [set(split_multi(x)) for x in b]
    options = sorted(set().union(*sets_a, *sets_b))
    found = []
    for option in options:
        value, _ = _kappa(
            ["yes" if option in s else "no" for s in sets_a],
            ["yes" if option in s else "no" for s in sets_b],
        )
        if value is not None:
            found.append(value)
    return sum(found) / len(found) if found else None


def _similarity(kind: str, a: Sequence[str], b: Sequence[str]) -> float | None:
    if kind == "text":
        from rapidfuzz import fuzz

        scores = [
            fuzz.token_sort_ratio(_text(x), _text(y)) / 100 for x, y in zip(a, b, strict=True)
        ]
    elif kind == "multi":
        scores = []
        for x, y in zip(a, b, strict=True):
            left, right = set(split_multi(x)), set(split_multi(y))
            union = left | right
            scores.append(len(left & right) / len(union) if union else 1.0)
    else:
        return None
    return sum(scores) / len(scores) if scores else None


def _applies(
    codebook: Codebook, target: CodebookField, values: Mapping[ValueKey, str], instance: int
) -> bool:
    return applies(codebook, target, values, instance)


def _instances(
    codebook: Codebook, *extractions: Mapping[ValueKey, StoredValue]
) -> dict[str, list[int]]:
    """{group: row numbers any of the extractions has}, groups in codebook order."""
    order = [g.name for g in codebook.groups]
    order += [group_of(f) for f in codebook.fields if group_of(f) and group_of(f) not in order]
    rows: dict[str, set[int]] = {g: set() for g in order}
    for values in extractions:
        for name, instance in values:
            target = codebook.field(name)
            if target is not None and group_of(target) and instance > 0:
                rows[group_of(target)].add(instance)
    return {g: sorted(r) for g, r in rows.items()}


def codebook_keys(
    codebook: Codebook, *extractions: Mapping[ValueKey, StoredValue]
) -> list[tuple[CodebookField, int]]:
    """The (field, instance) slots of a record in form order: every field outside a group, then
    each group's fields for each row any of the extractions has."""
    keys: list[tuple[CodebookField, int]] = [(f, 0) for f in codebook.fields if not group_of(f)]
    for group, rows in _instances(codebook, *extractions).items():
        members = [f for f in codebook.fields if group_of(f) == group]
        keys += [(f, row) for row in rows for f in members]
    return keys


def _pairs(conn: Connection, reviewers: tuple[str, str] | None) -> list[tuple[int, str, str]]:
    """(record id, extractor A, extractor B) for each record both completed: the given pair, or
    the record's first two complete extractors (assigned ones in assignment order, then by name)."""
    values = schema.extractions
    progress = schema.extraction_progress
    assignments = schema.assignments
    done: dict[int, dict[str, str]] = {}
    for record_id, who in conn.execute(
        select(values.c.record_id, values.c.reviewer)
        .where(values.c.reviewer != CONSENSUS)
        .distinct()
    ):
        done.setdefault(int(record_id), {})[who] = COMPLETE  # imported values count as complete
    for record_id, who, state in conn.execute(
        select(progress.c.record_id, progress.c.reviewer, progress.c.state)
    ):
        done.setdefault(int(record_id), {})[who] = state
    order: dict[int, list[str]] = {}
    for record_id, who in conn.execute(
        select(assignments.c.record_id, assignments.c.reviewer)
        .where(assignments.c.stage == EXTRACTION_STAGE, assignments.c.removed_at.is_(None))
        .order_by(assignments.c.id)
    ):
        order.setdefault(int(record_id), []).append(who)
    from litrev.extraction.table import excluded_record_ids

    excluded = set(excluded_record_ids(conn))
    out = []
    for record_id in sorted(set(done) - excluded):
        complete = [w for w, s in done[record_id].items() if s == COMPLETE]
        if reviewers is not None:
            if all(r in complete for r in reviewers):
                out.append((record_id, reviewers[0], reviewers[1]))
            continue
        ranked = [w for w in dict.fromkeys(order.get(record_id, [])) if w in complete]
        ranked += sorted(set(complete) - set(ranked))
        if len(ranked) >= 2:
            out.append((record_id, ranked[0], ranked[1]))
    return out


def field_agreement(
    store: Store, codebook: Codebook, reviewers: tuple[str, str] | None = None
) -> list[FieldAgreement]:
    """Agreement per codebook field (in codebook order) between two extractors: `reviewers`, or
    on each record its first two extractors who completed it.

    >>> from litrev.protocol import CodebookField
    >>> [a.pairs for a in field_agreement(Store.open("sqlite://"),
    ...                                   Codebook(fields=[CodebookField(name="aim")]))]
    [0]
    """
    collected: dict[str, tuple[list[str], list[str], list[tuple[int, int]], list[bool]]] = {
        f.name: ([], [], [], []) for f in codebook.fields
    }
    with store.connect() as conn:
        for record_id, first, second in _pairs(conn, reviewers):
            by_reviewer = record_values_on(conn, record_id)
            a, b = by_reviewer.get(first, {}), by_reviewer.get(second, {})
            plain_a = {k: v.value for k, v in a.items()}
            plain_b = {k: v.value for k, v in b.items()}
            for target, instance in codebook_keys(codebook, a, b):
                key = (target.name, instance)
                va, vb = a.get(key), b.get(key)
                if va is None and vb is None:
                    continue
                if not (
                    _applies(codebook, target, plain_a, instance)
                    or _applies(codebook, target, plain_b, instance)
                ):
                    continue
                left, right, where, agreed = collected[target.name]
                left.append(va.value if va else "")
                right.append(vb.value if vb else "")
                where.append((record_id, instance))
                agreed.append(same(target, va, vb))
    out = []
    for target in codebook.fields:
        left, right, where, agreed = collected[target.name]
        kind = kind_of(target)
        pairs, agree = len(agreed), sum(agreed)
        kappa: float | None = None
        interval: tuple[float, float] | None = None
        if pairs and kind == "categorical":
            kappa, interval = _kappa(
                [x.strip() or EMPTY for x in left], [y.strip() or EMPTY for y in right]
            )
        elif pairs and kind == "multi":
            kappa = _multi_kappa(left, right)
        out.append(
            FieldAgreement(
                field=target.name,
                kind=kind,
                pairs=pairs,
                agree=agree,
                percent=agree / pairs if pairs else None,
                kappa=kappa,
                kappa_ci=interval,
                similarity=_similarity(kind, left, right) if pairs else None,
                type=str(target.type),
                group=group_of(target),
                disagreements=tuple(w for w, ok in zip(where, agreed, strict=True) if not ok),
            )
        )
    return out


@dataclass(frozen=True)
class Reconciliation:
    """How one field (and group row) of a record was settled: the consensus value, by whom,
    from whose value ("chose"), edited ("edited") or because the extractors agreed ("agreed")."""

    id: int
    record_id: int
    field: str
    instance: int
    value: str
    location: str | None
    method: str
    chosen_from: str | None
    sources: dict[str, str]
    decided_by: str
    reason: str
    at: datetime | None


def reconciliations_on(conn: Connection, record_id: int) -> dict[ValueKey, Reconciliation]:
    """The latest reconciliation of each (field, instance) of a record."""
    table = schema.extraction_reconciliations
    out: dict[ValueKey, Reconciliation] = {}
    rows = conn.execute(
        select(table).where(table.c.record_id == record_id).order_by(table.c.id)
    ).mappings()
    for row in rows:
        out[(row["field"], int(row["instance"] or 0))] = Reconciliation(
            id=int(row["id"]),
            record_id=record_id,
            field=row["field"],
            instance=int(row["instance"] or 0),
            value=row["value"] or "",
            location=row["location"],
            method=row["method"],
            chosen_from=row["chosen_from"],
            sources=json.loads(row["sources"] or "{}"),
            decided_by=row["decided_by"],
            reason=row["reason"] or "",
            at=row["created_at"],
        )
    return out


@dataclass(frozen=True)
class Comparison:
    """One (field, instance) of a record side by side: each extractor's value (None: none),
    whether they agree, whether the field applies for any of them, and the consensus so far."""

    field: str
    instance: int
    values: dict[str, StoredValue | None]
    agree: bool
    applies: bool
    consensus: StoredValue | None
    reconciliation: Reconciliation | None
    label: str = ""
    group: str = ""
    known: bool = True  # False: a stored field the codebook no longer has
    notes: tuple[str, ...] = ()


def comparisons(
    store: Store,
    codebook: Codebook,
    record_id: int,
    *,
    viewer: str | None = None,
    is_lead: bool = True,
) -> list[Comparison]:
    """The record's extractions side by side, one row per (field, instance) in form order (then
    any stored field the codebook no longer has).

    Blind until done: while any extractor of the record has not completed it, a `viewer` who
    is not the lead (`is_lead=False`) sees only their own values (no one else's, no agreement,
    no consensus). Without a viewer (the lead's command line) everything is shown.

    >>> from litrev.protocol import CodebookField
    >>> [c.field for c in comparisons(Store.open("sqlite://"),
    ...                               Codebook(fields=[CodebookField(name="aim")]), 1)]
    ['aim']
    """
    from litrev.extraction.assign import extractors_on

    with store.connect() as conn:
        extractors = extractors_on(conn, record_id)
        states = states_on(conn, record_id)
        by_reviewer = record_values_on(conn, record_id)
        settled = reconciliations_on(conn, record_id)
    consensus = by_reviewer.get(CONSENSUS, {})
    finished = bool(extractors) and all(states.get(w) == COMPLETE for w in extractors)
    blind = viewer is not None and not is_lead and not finished
    shown = [viewer] if blind and viewer in extractors else ([] if blind else extractors)
    plain = {w: {k: v.value for k, v in by_reviewer.get(w, {}).items()} for w in extractors}
    slots = codebook_keys(codebook, *(by_reviewer.get(w, {}) for w in extractors), consensus)
    rows: list[Comparison] = []
    seen: set[ValueKey] = set()
    for target, instance in slots:
        key = (target.name, instance)
        seen.add(key)
        values = {w: by_reviewer.get(w, {}).get(key) for w in shown}
        every = [by_reviewer.get(w, {}).get(key) for w in extractors]
        agree = (
            not blind
            and len(every) >= 2
            and all(same(target, every[0], other) for other in every[1:])
        )
        applies = not plain or any(
            _applies(codebook, target, plain[w], instance) for w in extractors
        )
        rows.append(
            Comparison(
                field=target.name,
                instance=instance,
                values=values,
                agree=agree,
                applies=applies,
                consensus=None if blind else consensus.get(key),
                reconciliation=None if blind else settled.get(key),
                label=target.heading
                if hasattr(target, "heading")
                else (target.label or target.name),
                group=group_of(target),
            )
        )
    stored = {k for w in extractors for k in by_reviewer.get(w, {})} | set(consensus)
    for key in sorted(stored - seen):
        values = {w: by_reviewer.get(w, {}).get(key) for w in shown}
        rows.append(
            Comparison(
                field=key[0],
                instance=key[1],
                values=values,
                agree=False,
                applies=True,
                consensus=None if blind else consensus.get(key),
                reconciliation=None if blind else settled.get(key),
                label=key[0],
                known=False,
                notes=("not a field of the codebook now (`litrev codebook check`)",),
            )
        )
    return rows
