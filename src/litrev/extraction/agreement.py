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

The side-by-side comparison of one record is `litrev.extraction.compare` (`comparisons`,
re-exported here).

>>> from litrev.protocol import CodebookField
>>> [a.kind for a in field_agreement(Store.open("sqlite://"), Codebook(fields=[
...     CodebookField(name="n", type="integer"), CodebookField(name="t")]))]
['categorical', 'text']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from litrev.extraction.codebook import CONSENSUS, split_multi
from litrev.extraction.compare import Comparison as Comparison
from litrev.extraction.compare import Reconciliation as Reconciliation
from litrev.extraction.compare import comparisons as comparisons
from litrev.extraction.matching import (
    applies_for,
    codebook_keys,
    kind_of,
    normal_text,
    same,
)
from litrev.extraction.progress import COMPLETE, EXTRACTION_STAGE
from litrev.extraction.reading import record_values_on
from litrev.protocol import Codebook
from litrev.store import Store, schema

EMPTY = "(empty)"  # the category of "no value" in a kappa table


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
            fuzz.token_sort_ratio(normal_text(x), normal_text(y)) / 100
            for x, y in zip(a, b, strict=True)
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
                    applies_for(codebook, target, plain_a, instance)
                    or applies_for(codebook, target, plain_b, instance)
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
                group=target.group,
                disagreements=tuple(w for w, ok in zip(where, agreed, strict=True) if not ok),
            )
        )
    return out
