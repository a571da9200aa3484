"""Copying a review store to another (SQLite <-> PostgreSQL), losing nothing, checked.

`copy_store` copies every table of `litrev.store.schema.metadata` (except `schema_migrations`,
each store's own migration history) in foreign-key order, streaming rows in batches, with their
primary keys, JSON, binary (full texts) and timezone-aware datetime values. It writes in one
transaction on the destination, and before committing reads every table back and compares the
row count and a checksum (sha256 over the rows in primary-key order, each value normalised so
SQLite's and PostgreSQL's representations of it compare equal) with the source's. Any
difference rolls the whole copy back. On PostgreSQL each serial sequence is then set past the
largest id, so rows added later get fresh ids.

>>> src, dst = Store.open("sqlite://"), Store.open("sqlite://")
>>> with src.transaction() as conn:
...     src.log(conn, actor="ana", action="note", entity="review")
>>> report = copy_store(src, dst)
>>> report.counts()["audit_log"], report.ok
(1, True)

Derived data outside the schema (the search index's `search_fts_*` tables) is not copied:
`litrev search run` rebuilds it on the destination when needed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Table,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from litrev.errors import StoreError
from litrev.store import migrations, schema
from litrev.store.db import Store, database_url

# Rows per fetch and per INSERT batch; tables with binary columns (PDFs) go a few at a time and
# a batch is also cut at BATCH_BYTES, so memory stays bounded whatever the store holds.
BATCH_ROWS = 1000
BINARY_BATCH_ROWS = 16
BATCH_BYTES = 32 * 1024 * 1024

# Called with (table, rows copied so far in all tables, rows to copy in all tables).
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TableCopy:
    """One table's result: rows in the source, rows read back from the destination, checksums."""

    table: str
    source_rows: int
    copied_rows: int
    source_sha256: str
    copied_sha256: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.copied_rows and self.source_sha256 == self.copied_sha256


@dataclass
class CopyReport:
    """What `copy_store` did: per-table counts and checksums, rows replaced, sequences reset."""

    tables: list[TableCopy] = field(default_factory=list)
    replaced_rows: int = 0
    sequences_reset: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables)

    @property
    def total_rows(self) -> int:
        return sum(t.source_rows for t in self.tables)

    def counts(self) -> dict[str, int]:
        return {t.table: t.copied_rows for t in self.tables}

    def mismatches(self) -> list[TableCopy]:
        return [t for t in self.tables if not t.ok]


class CopyMismatchError(StoreError):
    """The destination did not read back as the source: nothing was committed."""

    def __init__(self, message: str, report: CopyReport) -> None:
        super().__init__(message)
        self.report = report


def copied_tables() -> list[Table]:
    """The tables `copy_store` copies, parents before children.

    >>> names = [t.name for t in copied_tables()]
    >>> names.index("records") < names.index("decisions"), "schema_migrations" in names
    (True, False)
    """
    return [t for t in schema.metadata.sorted_tables if t.name != "schema_migrations"]


def store_target(target: str | Path) -> str:
    """The database URL for a review folder, a SQLite file or a URL.

    >>> store_target("postgresql+psycopg://u@host/db")
    'postgresql+psycopg://u@host/db'
    >>> store_target("backup/review.db")
    'sqlite:///backup/review.db'
    """
    text_ = str(target)
    if "://" in text_:
        return text_
    path = Path(text_)
    if path.is_dir():
        path = path / "litrev.db"
    return database_url(path)


@dataclass(frozen=True)
class OpenedStore:
    """A store opened for `litrev db`: its schema version on opening and the migrations applied."""

    store: Store
    where: str
    version_before: int
    version: int
    applied: list[migrations.Migration]


def open_store(target: str | Path, *, create: bool, upgrade: bool = True) -> OpenedStore:
    """Open a store at a folder, file or URL, recording its version, then (by default) migrate it.

    `create=False` refuses a SQLite file that does not exist (a source must).

    >>> opened = open_store("sqlite://", create=True)
    >>> opened.version_before, opened.version == migrations.HEAD
    (0, True)
    """
    url = store_target(target)
    if url.startswith("sqlite:///") and not create:
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():
            raise StoreError(f"{path}: no review database here")
    store = Store.open(url, create=create, migrate=False)
    where = describe(store)
    before = store.version()
    applied: list[migrations.Migration] = []
    if upgrade:
        try:
            versions = migrations.upgrade(store.engine)
        except SQLAlchemyError as error:
            store.close()
            raise StoreError(f"{where}: cannot migrate: {error}") from error
        except StoreError as error:
            store.close()
            raise StoreError(f"{where}: {error}") from error
        by_version = {m.version: m for m in migrations.MIGRATIONS}
        applied = [by_version[v] for v in versions]
    return OpenedStore(store, where, before, store.version(), applied)


def describe(store: Store) -> str:
    """A store's path (SQLite) or URL with the password hidden, for messages."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        return str(url.database) if url.database else "in-memory SQLite"
    return url.render_as_string(hide_password=True)


def copy_store(
    src: Store,
    dst: Store,
    *,
    replace: bool = False,
    progress: ProgressCallback | None = None,
) -> CopyReport:
    """Copy every table of `src` into `dst` in one transaction; checked before it commits.

    Both stores must be at the newest schema version (`open_store` migrates them). `dst` must
    hold no rows unless `replace=True`, which deletes them in the same transaction. Raises
    `StoreError` naming the table that has rows, and `CopyMismatchError` (with the report) when
    a table reads back different from the source; either way the destination is unchanged.
    """
    _check_pair(src, dst)
    tables = copied_tables()
    report = CopyReport()
    with _snapshot(src) as sconn:
        totals = {t.name: _count(sconn, t) for t in tables}
        grand_total = sum(totals.values())
        done = 0
        try:
            with dst.transaction() as dconn:
                report.replaced_rows = _empty_destination(dconn, tables, describe(dst), replace)
                for table in tables:
                    if progress is not None:
                        progress(table.name, done, grand_total)
                    digest = hashlib.sha256()
                    rows = 0
                    for batch in _batches(sconn, table):
                        _insert(dconn, table, batch, describe(dst))
                        for row in batch:
                            digest.update(_canonical(table, row))
                        rows += len(batch)
                        done += len(batch)
                        if progress is not None:
                            progress(table.name, done, grand_total)
                    copied_rows, copied_sha = _checksum(dconn, table)
                    report.tables.append(
                        TableCopy(table.name, rows, copied_rows, digest.hexdigest(), copied_sha)
                    )
                if report.mismatches():
                    names = ", ".join(
                        f"{t.table} ({_rows(t.source_rows)}, {t.copied_rows} read back"
                        f"{'' if t.source_sha256 == t.copied_sha256 else ', checksum differs'})"
                        for t in report.mismatches()
                    )
                    raise CopyMismatchError(
                        f"{describe(dst)}: the copy does not read back as the source: {names}; "
                        "nothing was written",
                        report,
                    )
                report.sequences_reset = _reset_sequences(dconn, tables)
        except SQLAlchemyError as error:
            raise StoreError(
                f"{describe(dst)}: copy failed, nothing was written: {error}"
            ) from error
    return report


def _check_pair(src: Store, dst: Store) -> None:
    for store, role in ((src, "source"), (dst, "destination")):
        version = store.version()
        if version != migrations.HEAD:
            raise StoreError(
                f"{describe(store)}: the {role} is at schema version {version}, not "
                f"{migrations.HEAD}; run `litrev db upgrade` on it first"
            )
    if _same_database(src, dst):
        raise StoreError(f"{describe(src)}: source and destination are the same database")


def _same_database(src: Store, dst: Store) -> bool:
    if src.engine is dst.engine:
        return True
    a, b = src.engine.url, dst.engine.url
    if a.get_backend_name() == "sqlite" and b.get_backend_name() == "sqlite":
        if not a.database or not b.database:  # two in-memory engines are two databases
            return False
        pa, pb = Path(a.database), Path(b.database)
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
        return pa.resolve() == pb.resolve()
    return a.render_as_string(hide_password=False) == b.render_as_string(hide_password=False)


@contextmanager
def _snapshot(store: Store) -> Iterator[Connection]:
    """A read transaction on the source, so every table is read at one moment."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.begin()
        elif not getattr(conn.connection.dbapi_connection, "in_transaction", False):
            # pysqlite starts no transaction for SELECTs; a deferred BEGIN holds one snapshot
            # (in WAL mode) or a shared lock (rollback journal) until the copy is read.
            conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _empty_destination(conn: Connection, tables: Sequence[Table], where: str, replace: bool) -> int:
    counts = {t.name: _count(conn, t) for t in tables}
    full = {name: n for name, n in counts.items() if n}
    if full and not replace:
        listed = ", ".join(f"{name} ({_rows(n)})" for name, n in full.items())
        raise StoreError(
            f"{where}: the destination is not empty: {listed}; copy into an empty store, "
            "or pass --replace to delete its rows first"
        )
    for table in reversed(tables):  # children before parents
        if counts[table.name]:
            conn.execute(delete(table))
    return sum(full.values())


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _order(conn: Connection, table: Table) -> list[Any]:
    # PostgreSQL sorts text by its locale's collation, SQLite by bytes: "C" gives byte order on
    # both, so both stores list rows in the same order and the checksums compare.
    keys: list[Any] = []
    for column in table.primary_key.columns:
        if conn.dialect.name == "postgresql" and isinstance(column.type, String):
            keys.append(column.collate("C"))
        else:
            keys.append(column)
    return keys


def _batches(conn: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    """The table's rows in primary-key order, in batches, each value made portable: datetimes
    aware in UTC (SQLite hands back naive UTC, as litrev writes it; PostgreSQL an aware value in
    the session's zone, and would read a naive one as local time), binary as bytes."""
    keys = [c.key for c in table.columns]
    times = [i for i, c in enumerate(table.columns) if isinstance(c.type, DateTime)]
    blobs = [i for i, c in enumerate(table.columns) if isinstance(c.type, LargeBinary)]
    size = BINARY_BATCH_ROWS if blobs else BATCH_ROWS
    # Per statement: Connection.execution_options would change the connection itself, and a
    # later executemany on it would then go to a server-side cursor.
    result = conn.execute(
        select(*table.columns).order_by(*_order(conn, table)),
        execution_options={"yield_per": size},
    )
    batch: list[dict[str, Any]] = []
    held = 0
    for row in result:
        values = list(row)
        for i in times:
            value = values[i]
            if value is not None:
                values[i] = (
                    value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
                )
        for i in blobs:
            if values[i] is not None:
                values[i] = bytes(values[i])
                held += len(values[i])
        batch.append(dict(zip(keys, values, strict=True)))
        if len(batch) >= size or held >= BATCH_BYTES:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _insert(conn: Connection, table: Table, batch: list[dict[str, Any]], where: str) -> None:
    try:
        conn.execute(table.insert(), batch)
    except SQLAlchemyError as error:
        keys = [c.key for c in table.primary_key.columns]
        first = tuple(batch[0][k] for k in keys)
        last = tuple(batch[-1][k] for k in keys)
        raise StoreError(
            f"{where}: cannot write table {table.name} (rows with {', '.join(keys)} {first} to "
            f"{last}): {getattr(error, 'orig', error)}; nothing was written"
        ) from error


def _canonical(table: Table, row: dict[str, Any]) -> bytes:
    """One row as bytes both dialects give alike (after `_batches`): JSON with sorted keys,
    datetimes as UTC ISO text, binary values as their sha256 and size."""
    values: list[Any] = []
    for column in table.columns:
        value = row[column.key]
        if isinstance(value, datetime):
            value = {"datetime": value.isoformat()}
        elif isinstance(value, bytes):
            value = {"bytes": hashlib.sha256(value).hexdigest(), "size": len(value)}
        values.append(value)
    return (
        json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        + b"\n"
    )


def _checksum(conn: Connection, table: Table) -> tuple[int, str]:
    digest = hashlib.sha256()
    rows = 0
    for batch in _batches(conn, table):
        for row in batch:
            digest.update(_canonical(table, row))
        rows += len(batch)
    return rows, digest.hexdigest()


def _reset_sequences(conn: Connection, tables: Iterable[Table]) -> list[str]:
    """Set each serial sequence past the copied ids (PostgreSQL; SQLite needs nothing)."""
    if conn.dialect.name != "postgresql":
        return []
    reset: list[str] = []
    quote = conn.dialect.identifier_preparer.quote
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        column = keys[0]
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": quote(table.name), "column": column.name},
        ).scalar()
        if sequence is None:  # an integer key that is not generated (decision_marks)
            continue
        largest = conn.execute(select(func.max(column))).scalar()
        # is_called=false: the next nextval() returns exactly this value.
        conn.execute(
            text("SELECT setval(:sequence, :next, false)"),
            {"sequence": sequence, "next": (largest or 0) + 1},
        )
        reset.append(table.name)
    return reset
