"""The SQLite FTS5 index of a review store's records: derived data, built on demand.

One contentless FTS5 table per hyphen rule (`search_fts_split`, `search_fts_char`), one
column per searchable record column, fed with litrev's own words (`litrev.search.text.norms`)
separated by spaces, so the FTS5 `ascii` tokenizer (with `tokenchars '-` for the "char" rule)
sees exactly the evaluator's words. Values of a multi-valued column (keywords, authors) are
separated by `GAP`, an invisible word no query word can match, so a phrase never runs from one
keyword into the next. `<table>_limits` keeps year, language and publication type per record;
`search_fts_state` keeps the fingerprint of the records the index was built from.

>>> from litrev.store import Store
>>> ensure_index(Store.open("sqlite://")).records
0
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import OperationalError

from litrev.errors import StoreError
from litrev.records.model import Record
from litrev.search.text import COLUMNS, Hyphen, column_values, norms
from litrev.store import Store, schema

__all__ = ["GAP", "IndexInfo", "NoFts5Error", "ensure_index", "record_from_row", "store_records"]

GAP = "\u2063"  # invisible separator: never a query word


class NoFts5Error(StoreError):
    """The SQLite library lacks the FTS5 extension (searches then run in Python)."""


_TOKENIZE = {"split": "ascii", "char": "ascii tokenchars '''-'"}


@dataclass(frozen=True)
class IndexInfo:
    table: str
    records: int
    rebuilt: bool
    seconds: float


def record_from_row(row: Any) -> Record:
    """A `Record` from a row of the `records` table: the typed columns, plus keywords, language
    and publication type from its `fields` JSON (`fields["typed"]` as `litrev import` writes
    it, else top-level keys of those names or the tags KW/MH/DE, LA, PT/TY)."""
    fields = row.fields if isinstance(row.fields, dict) else json.loads(row.fields or "{}")
    typed = fields.get("typed") if isinstance(fields.get("typed"), dict) else None
    source = typed if typed is not None else fields

    def pick(*names: str) -> Any:
        for name in names:
            if source.get(name):
                return source[name]
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
        try:
            conn.exec_driver_sql(
                f"CREATE VIRTUAL TABLE {table} USING fts5({', '.join(COLUMNS)}, content='', "
                f'columnsize=0, tokenize="{_TOKENIZE[hyphen]}")'
            )
        except OperationalError as error:  # an SQLite built without FTS5
            raise NoFts5Error(f"this SQLite cannot create an FTS5 index: {error}") from error
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
