"""Run a strategy over a review store through a SQLite FTS5 index, with the evaluator's hits.

The index is derived data, built on demand (never by a migration) and rebuilt when the
records change: one contentless FTS5 table per hyphen rule (`search_fts_split`,
`search_fts_char`), one column per searchable record column. Litrev cuts the text into words
itself (`litrev.search.text.words`) and stores them space-separated, so the FTS5 `ascii`
tokenizer (with `tokenchars '-` for the "char" rule) sees exactly the evaluator's words.
Values of a multi-valued column (keywords, authors) are separated by an invisible gap word
that no query word can match, so a phrase never runs from one keyword into the next.

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
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import product
from typing import Any

from sqlalchemy import Connection, func, select

from litrev.errors import StoreError
from litrev.records.model import Record
from litrev.search.ast import Node, Query
from litrev.search.evaluate import Hit, Matcher
from litrev.search.limits import passes_limits
from litrev.search.plan import PAnd, Plan, PNear, PNot, POr, Seq, WordPattern
from litrev.search.text import (
    COLUMNS,
    MULTI_VALUED,
    Hyphen,
    MatchRules,
    column_values,
    norms,
)
from litrev.store import Store, schema

__all__ = ["IndexInfo", "compile_plan", "ensure_index", "record_from_row", "search_store"]

GAP = "\u2063"  # invisible separator: never a query word
_TOKENIZE = {"split": "ascii", "char": "ascii tokenchars '''-'"}
_SINGLE = tuple(c for c in COLUMNS if c not in MULTI_VALUED)

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


# ---------------------------------------------------------------- the index in the store


@dataclass(frozen=True)
class IndexInfo:
    table: str
    records: int
    rebuilt: bool
    seconds: float


def record_from_row(row: Any) -> Record:
    """A `Record` from a row of the `records` table (keywords, language and publication type
    are read from its `fields` JSON under those names, or the RIS/MEDLINE tags KW, LA, PT)."""
    fields = row.fields if isinstance(row.fields, dict) else json.loads(row.fields or "{}")

    def pick(*names: str) -> Any:
        for name in names:
            if fields.get(name):
                return fields[name]
        return None

    keywords = pick("keywords", "KW", "MH", "DE")
    if isinstance(keywords, str):
        keywords = [k.strip() for k in keywords.split(";") if k.strip()]
    language, pubtype = pick("language", "LA"), pick("publication_type", "PT", "TY")
    return Record(
        title=row.title,
        abstract=row.abstract,
        authors=list(row.authors or []),
        year=row.year,
        journal=row.journal,
        doi=row.doi,
        keywords=[str(k) for k in keywords or []],
        language="; ".join(language) if isinstance(language, list) else language,
        publication_type="; ".join(pubtype) if isinstance(pubtype, list) else pubtype,
    )


def store_records(
    conn: Connection, ids: Sequence[int] | None = None
) -> Iterator[tuple[int, Record]]:
    """Every record of the store (or those with the given ids) as (id, Record), by id."""
    r = schema.records
    cols = (
        r.c.id,
        r.c.title,
        r.c.abstract,
        r.c.authors,
        r.c.year,
        r.c.journal,
        r.c.doi,
        r.c.fields,
    )
    if ids is None:
        for row in conn.execute(select(*cols).order_by(r.c.id)):
            yield row.id, record_from_row(row)
        return
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), 500):  # under SQLite's bound-parameter limit
        chunk = wanted[start : start + 500]
        for row in conn.execute(select(*cols).where(r.c.id.in_(chunk)).order_by(r.c.id)):
            yield row.id, record_from_row(row)


def _fingerprint(conn: Connection) -> str:
    r = schema.records
    row = conn.execute(
        select(
            func.count(),
            func.max(r.c.id),
            func.total(func.length(r.c.title)),
            func.total(func.length(r.c.abstract)),
            func.total(func.length(r.c.fields)),
            func.total(func.length(r.c.authors)),
            func.total(func.length(r.c.journal)),
            func.total(r.c.year),
        )
    ).one()
    return json.dumps(list(row))


def _index_text(record: Record, column: str, hyphen: Hyphen) -> str:
    values = column_values(record, column)
    return f" {GAP} ".join(" ".join(norms(v, hyphen)) for v in values)


def ensure_index(store: Store, hyphen: Hyphen = "split", *, rebuild: bool = False) -> IndexInfo:
    """Create or refresh the FTS5 index for one hyphen rule; rebuild if records changed.

    Changes are detected by a fingerprint (count, largest id, total lengths of the text
    columns and sum of years); pass `rebuild=True` after an edit that keeps every length.
    """
    if store.engine.dialect.name != "sqlite":
        raise StoreError("the FTS5 search index needs SQLite; use `evaluate` on this store")
    table = f"search_fts_{hyphen}"
    started = time.perf_counter()
    with store.transaction() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS search_fts_state (name TEXT PRIMARY KEY, "
            "fingerprint TEXT NOT NULL, records INTEGER NOT NULL, built_at TEXT NOT NULL)"
        )
        fingerprint = _fingerprint(conn)
        state = conn.exec_driver_sql(
            "SELECT fingerprint, records FROM search_fts_state WHERE name = ?", (table,)
        ).first()
        if state is not None and state[0] == fingerprint and not rebuild:
            return IndexInfo(table, int(state[1]), False, time.perf_counter() - started)
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}_limits")
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {table} USING fts5({', '.join(COLUMNS)}, content='', "
            f'columnsize=0, tokenize="{_TOKENIZE[hyphen]}")'
        )
        conn.exec_driver_sql(
            f"CREATE TABLE {table}_limits (id INTEGER PRIMARY KEY, year INTEGER, "
            "language TEXT, pubtype TEXT)"
        )
        count, batch, limits = 0, [], []
        insert = f"INSERT INTO {table} (rowid, {', '.join(COLUMNS)}) VALUES ({', '.join('?' * 8)})"
        for rid, record in store_records(conn):
            batch.append((rid, *(_index_text(record, c, hyphen) for c in COLUMNS)))
            limits.append((rid, record.year, record.language, record.publication_type))
            if len(batch) >= 5000:
                conn.exec_driver_sql(insert, batch)
                conn.exec_driver_sql(f"INSERT INTO {table}_limits VALUES (?, ?, ?, ?)", limits)
                count += len(batch)
                batch, limits = [], []
        if batch:
            conn.exec_driver_sql(insert, batch)
            conn.exec_driver_sql(f"INSERT INTO {table}_limits VALUES (?, ?, ?, ?)", limits)
            count += len(batch)
        conn.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        conn.exec_driver_sql(
            "INSERT OR REPLACE INTO search_fts_state VALUES (?, ?, ?, ?)",
            (table, fingerprint, count, datetime.now(UTC).isoformat()),
        )
    return IndexInfo(table, count, True, time.perf_counter() - started)


def search_store(
    store: Store,
    query: Query | Node,
    dialect: str = "litrev",
    *,
    rules: MatchRules | None = None,
) -> list[int]:
    """The ids of the store's records a strategy finds: the same hits as `evaluate`.

    On SQLite it runs through the FTS5 index (built or refreshed first); on another database
    it falls back to the Python evaluator over every record.
    """
    matcher = Matcher(query, dialect, rules)
    if store.engine.dialect.name != "sqlite":
        with store.connect() as conn:
            return [rid for rid, rec in store_records(conn) if matcher.matches(rec)]
    info = ensure_index(store, matcher.rules.hyphen)
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
