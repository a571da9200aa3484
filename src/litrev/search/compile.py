"""Run a strategy over a review store through a SQLite FTS5 index, with the evaluator's hits.

The index (`litrev.search.index`) is derived data, built on demand (never by a migration)
and rebuilt when the records change.

Each plan node compiles to two FTS5 expressions: `upper`, whose rows include every hit, and
`lower`, whose rows are all hits. Where FTS5 expresses the node exactly (terms, prefix
truncation, phrases, AND/OR/NOT, unordered proximity of words that cannot overlap) the two
are equal. Elsewhere (inner wildcards, `$n` bounds, ordered proximity) the rows in `upper`
but not in `lower` are checked with the Python evaluator, so `search_store` returns exactly
the hits of `evaluate`.

>>> from litrev.store import Store
>>> from litrev.search.ast import Term
>>> store = Store.open("sqlite://")
>>> search_store(store, Term("co-produc*"), "scopus")
[]
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import product
from typing import Any

from sqlalchemy import Connection

from litrev.records.model import Record
from litrev.search.ast import Node, Query
from litrev.search.evaluate import Hit, Matcher
from litrev.search.index import (
    IndexInfo,
    NoFts5Error,
    ensure_index,
    record_from_row,
    store_records,
)
from litrev.search.limits import passes_limits
from litrev.search.plan import PAnd, Plan, PNear, PNot, POr, Seq, WordPattern
from litrev.search.text import COLUMNS, MULTI_VALUED, MatchRules
from litrev.store import Store

__all__ = [
    "IndexInfo",
    "compile_plan",
    "ensure_index",
    "explain_store",
    "record_from_row",
    "search_store",
    "store_records",
]


# An FTS5 expression: ("all",), ("none",), ("m", match-string), or a set operation
# ("and", [...]), ("or", [...]), ("not", include, exclude) that needs SQL around MATCH.
Expr = tuple[Any, ...]
ALL: Expr = ("all",)
NONE: Expr = ("none",)


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _phrase(words_: Sequence[WordPattern]) -> str | None:
    """An FTS5 phrase for exact/prefix words (`"co" + "produc"*`), None if a word is not."""
    parts = []
    for w in words_:
        if w.kind == "exact":
            parts.append(_quote(w.text))
        elif w.kind == "prefix":
            parts.append(_quote(w.literal_prefix) + "*")
        else:
            return None
    return " + ".join(parts)


def _cols(columns: frozenset[str]) -> str:
    return "{" + " ".join(c for c in COLUMNS if c in columns) + "}"


def _and(parts: list[Expr]) -> Expr:
    parts = [p for p in parts if p != ALL]
    if any(p == NONE for p in parts):
        return NONE
    if not parts:
        return ALL
    if len(parts) == 1:
        return parts[0]
    if all(p[0] == "m" for p in parts):
        return ("m", " AND ".join(f"({p[1]})" for p in parts))
    return ("and", parts)


def _or(parts: list[Expr]) -> Expr:
    parts = [p for p in parts if p != NONE]
    if any(p == ALL for p in parts):
        return ALL
    if not parts:
        return NONE
    if len(parts) == 1:
        return parts[0]
    if all(p[0] == "m" for p in parts):
        return ("m", " OR ".join(f"({p[1]})" for p in parts))
    return ("or", parts)


def _not(include: Expr, exclude: Expr) -> Expr:
    if include == NONE or exclude == ALL:
        return NONE
    if exclude == NONE:
        return include
    if include[0] == "m" and exclude[0] == "m":
        return ("m", f"({include[1]}) NOT ({exclude[1]})")
    return ("not", include, exclude)


def _seq(seq: Seq) -> tuple[Expr, Expr]:
    if not seq.words or not seq.columns:
        return NONE, NONE
    cols = _cols(seq.columns)
    exact = _phrase(seq.words)
    if exact is not None:
        expr = ("m", f"{cols} : {exact}")
        return expr, expr
    # Inner wildcards: keep each word's literal prefix; a word without one constrains nothing.
    pieces, run = [], []
    for w in seq.words:
        if w.kind in ("exact", "prefix") or w.literal_prefix:
            run.append(w if w.kind in ("exact", "prefix") else WordPattern(w.literal_prefix + "*"))
        else:
            if run:
                pieces.append(run)
            run = []
    if run:
        pieces.append(run)
    upper = _and([("m", f"{cols} : {_phrase(p)}") for p in pieces])
    return upper, NONE


def _alternatives(p: Plan) -> list[Seq] | None:
    if isinstance(p, Seq):
        return [p]
    if isinstance(p, POr):
        out: list[Seq] = []
        for c in p.children:
            alt = _alternatives(c)
            if alt is None:
                return None
            out += alt
        return out
    return None


def _near(p: PNear) -> tuple[Expr, Expr]:
    alts = [_alternatives(c) for c in p.children]
    combos = 1
    for a in alts:
        combos *= len(a) if a is not None else 10**6
    if combos > 64:
        # Too many combinations to spell out: every operand must at least be present.
        uppers = [compile_plan(c)[0] for c in p.children]
        return _and(uppers), NONE
    uppers, lowers = [], []
    for combo in product(*[a for a in alts if a is not None]):
        upper, lower = _near_combo(combo, p.distance, p.ordered)
        uppers.append(upper)
        lowers.append(lower)
    return _or(uppers), _or(lowers)


def _near_combo(seqs: tuple[Seq, ...], distance: int, ordered: bool) -> tuple[Expr, Expr]:
    columns = frozenset.intersection(*(s.columns for s in seqs))
    if not columns or any(not s.words for s in seqs):
        return NONE, NONE
    phrases = [_phrase(s.words) for s in seqs]
    if any(ph is None for ph in phrases):
        uppers = [_seq(Seq(s.words, columns))[0] for s in seqs]
        return _and(uppers), NONE
    if ordered and distance == 0:  # consecutive in order: one longer phrase, exact
        expr = ("m", f"{_cols(columns)} : " + " + ".join(f"{ph}" for ph in phrases))
        return expr, expr
    near = "NEAR(" + " ".join(str(ph) for ph in phrases)
    upper: Expr = ("m", f"{_cols(columns)} : {near}, {distance})")
    # FTS5 lets NEAR operands share a word and counts the gap word between keywords; litrev
    # does neither, so FTS5 is exact only for operands that cannot share a word, in
    # single-valued columns, unordered.
    overlap = any(
        a.may_share_word(b)
        for i, x in enumerate(seqs)
        for y in seqs[i + 1 :]
        for a in x.words
        for b in y.words
    )
    single = columns - MULTI_VALUED
    if ordered or overlap or not single:
        return upper, NONE
    lower: Expr = ("m", f"{_cols(single)} : {near}, {distance})")
    return upper, (upper if single == columns else lower)


def compile_plan(p: Plan) -> tuple[Expr, Expr]:
    """The (upper, lower) FTS5 expressions of a plan: rows(lower) <= hits <= rows(upper)."""
    if isinstance(p, Seq):
        return _seq(p)
    if isinstance(p, PNear):
        return _near(p)
    if isinstance(p, PAnd | POr):
        pairs = [compile_plan(c) for c in p.children]
        join = _and if isinstance(p, PAnd) else _or
        return join([u for u, _ in pairs]), join([lo for _, lo in pairs])
    if isinstance(p, PNot):
        inc_u, inc_l = compile_plan(p.include)
        exc_u, exc_l = compile_plan(p.exclude)
        return _not(inc_u, exc_l), _not(inc_l, exc_u)
    raise TypeError(f"not a plan: {p!r}")


def _sql(expr: Expr, table: str, params: list[str]) -> str:
    """A SELECT of the rowids an expression matches (FTS5 MATCH inside SQL set operations)."""
    kind = expr[0]
    if kind == "all":  # a contentless FTS5 table cannot be scanned: its id table can
        return f"SELECT id AS rowid FROM {table}_limits"
    if kind == "none":
        return f"SELECT rowid FROM {table} WHERE 0"
    if kind == "m":
        params.append(expr[1])
        return f"SELECT rowid FROM {table} WHERE {table} MATCH ?"
    if kind == "not":
        inc, exc = _sql(expr[1], table, params), _sql(expr[2], table, params)
        return f"SELECT rowid FROM ({inc}) EXCEPT SELECT rowid FROM ({exc})"
    op = " INTERSECT " if kind == "and" else " UNION "
    return op.join(f"SELECT rowid FROM ({_sql(e, table, params)})" for e in expr[1])


def search_store(
    store: Store,
    query: Query | Node,
    dialect: str = "litrev",
    *,
    rules: MatchRules | None = None,
) -> list[int]:
    """The ids of the store's records a strategy finds: the same hits as `evaluate`.

    On SQLite it runs through the FTS5 index (built or refreshed first); on another database,
    or an SQLite without FTS5, it falls back to the Python evaluator over every record.
    """
    matcher = Matcher(query, dialect, rules)
    try:
        if store.engine.dialect.name != "sqlite":
            raise NoFts5Error("not SQLite")
        info = ensure_index(store, matcher.rules.hyphen)
    except NoFts5Error:  # no FTS5 here: the evaluator gives the same hits, only slower
        with store.connect() as conn:
            return [rid for rid, rec in store_records(conn) if matcher.matches(rec)]
    upper, lower = compile_plan(matcher.plan)
    with store.connect() as conn:
        certain = _rows(conn, lower, info.table)
        candidates = _rows(conn, upper, info.table) - certain if upper != lower else set()
        found = certain | {
            rid for rid, rec in store_records(conn, sorted(candidates)) if matcher.matches(rec)
        }
        if matcher.query.limits and found:
            kept = set()
            rows = conn.exec_driver_sql(
                f"SELECT id, year, language, pubtype FROM {info.table}_limits "
                "WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(found)),),
            )
            for rid, year, language, pubtype in rows:
                record = Record(year=year, language=language, publication_type=pubtype)
                if passes_limits(record, matcher.query.limits):
                    kept.add(rid)
            found = kept
    return sorted(found)


def _rows(conn: Connection, expr: Expr, table: str) -> set[int]:
    if expr == NONE:
        return set()
    params: list[str] = []
    sql = _sql(expr, table, params)
    return {row[0] for row in conn.exec_driver_sql(sql, tuple(params))}


def explain_store(
    store: Store, query: Query | Node, ids: Sequence[int], dialect: str = "litrev"
) -> list[Hit]:
    """Explained hits for the given record ids (e.g. those `search_store` returned)."""
    matcher = Matcher(query, dialect)
    with store.connect() as conn:
        hits = [
            matcher.explain(rec, i, rid) for i, (rid, rec) in enumerate(store_records(conn, ids))
        ]
    return [h for h in hits if h is not None]
