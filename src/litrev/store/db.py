"""Opening a review database: SQLite file by default, PostgreSQL for a team server."""

from __future__ import annotations

import os
import random
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from litrev.errors import StoreError
from litrev.store import migrations, schema

# How long a write waits for another process's write lock before it is reported (seconds).
BUSY_TIMEOUT = 60.0
BUSY_ENV = "LITREV_BUSY_TIMEOUT"  # the same, in seconds, for every command


def busy_timeout_setting() -> float:
    """`LITREV_BUSY_TIMEOUT` in seconds, or the default (60).

    >>> os.environ[BUSY_ENV] = "2.5"; busy_timeout_setting()
    2.5
    >>> os.environ[BUSY_ENV] = "soon"; busy_timeout_setting()
    Traceback (most recent call last):
    ...
    litrev.errors.StoreError: LITREV_BUSY_TIMEOUT='soon': expected a number of seconds, e.g. 60
    >>> del os.environ[BUSY_ENV]
    """
    text_ = os.environ.get(BUSY_ENV, "").strip()
    if not text_:
        return BUSY_TIMEOUT
    try:
        value = float(text_)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise StoreError(f"{BUSY_ENV}={text_!r}: expected a number of seconds, e.g. 60")
    return value


# A write of one process waits at least this long for the writes ahead of it in the same
# process (see `Store.transaction`): a turn in the queue is not a stuck writer.
QUEUE_TIMEOUT = 60.0

# One re-entrant lock per SQLite database file, shared by every `Store` of this process on it.
_FILE_LOCKS: dict[str, threading.RLock] = {}
_FILE_LOCKS_GUARD = threading.Lock()


def _forget_file_locks() -> None:
    # A forked child inherits the locks in the state the parent's threads left them (possibly
    # held by a thread the child does not have): it starts with fresh ones.
    global _FILE_LOCKS_GUARD
    _FILE_LOCKS.clear()
    _FILE_LOCKS_GUARD = threading.Lock()


os.register_at_fork(after_in_child=_forget_file_locks)


def sqlite_file(engine: Engine) -> str | None:
    """The real path of a SQLite engine's database file; None for PostgreSQL and for an
    in-memory database (each connection of which is its own database, or one per thread).

    >>> from sqlalchemy import create_engine
    >>> sqlite_file(create_engine("sqlite://")) is None
    True
    >>> sqlite_file(create_engine("sqlite:////tmp/review/litrev.db"))
    '/tmp/review/litrev.db'
    """
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        return None
    return os.path.realpath(database.removeprefix("file:").split("?", 1)[0])


def writer_lock(engine: Engine) -> threading.RLock | None:
    """The in-process lock that this process's writers of a SQLite file take in turn (the
    same object for every engine on that file); None where there is none (PostgreSQL, memory).

    >>> from sqlalchemy import create_engine
    >>> a, b = create_engine("sqlite:////tmp/x.db"), create_engine("sqlite:////tmp/../tmp/x.db")
    >>> writer_lock(a) is writer_lock(b) is not None, writer_lock(create_engine("sqlite://"))
    (True, None)
    """
    path = sqlite_file(engine)
    if path is None:
        return None
    with _FILE_LOCKS_GUARD:
        return _FILE_LOCKS.setdefault(path, threading.RLock())


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # The default rollback journal (not WAL) keeps a review folder to one file, safe to copy or
    # sync; concurrent teams use PostgreSQL. Foreign keys catch orphaned decisions.
    # SQLite's own busy handler waits this long for another process's lock (readers too);
    # `Store.transaction` sets its store's own limit and retries on top.
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _is_busy(error: BaseException) -> bool:
    text_ = str(getattr(error, "orig", error)).lower()
    return "locked" in text_ or "busy" in text_


def database_url(target: str | Path) -> str:
    """Turn a path or URL into a SQLAlchemy URL.

    >>> database_url("review/litrev.db")
    'sqlite:///review/litrev.db'
    >>> database_url("postgresql+psycopg://u:p@127.0.0.1/db")
    'postgresql+psycopg://u:p@127.0.0.1/db'
    """
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{text}"


class Store:
    """A review database. Every write goes through `transaction()`, so a failure writes nothing.

    >>> store = Store.open("sqlite://")
    >>> with store.transaction() as conn:
    ...     store.log(conn, actor="me", action="note", entity="review")
    >>> store.version() >= 4  # every migration applied
    True
    """

    def __init__(self, engine: Engine, *, busy_timeout: float | None = None) -> None:
        self.engine = engine
        self.busy_timeout = busy_timeout_setting() if busy_timeout is None else busy_timeout

    @classmethod
    def open(
        cls,
        target: str | Path,
        *,
        create: bool = True,
        busy_timeout: float | None = None,
        migrate: bool = True,
    ) -> Store:
        """Open (and migrate to the newest schema) the database at a path or URL.

        `busy_timeout`: seconds a write waits for another process's lock (default
        `LITREV_BUSY_TIMEOUT`, else 60). `migrate=False` opens it as it is (`litrev db upgrade`
        reports the versions before and after migrating itself)."""
        url = database_url(target)
        if url.startswith("sqlite:///") and not create:
            path = Path(url.removeprefix("sqlite:///"))
            if not path.exists():
                raise StoreError(f"{path}: no review database here (run `litrev init` first)")
        try:
            engine = create_engine(url)
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            if migrate:
                migrations.upgrade(engine)
        except SQLAlchemyError as error:
            raise StoreError(f"{url}: cannot open review database: {error}") from error
        return cls(engine, busy_timeout=busy_timeout)

    def version(self) -> int:
        with self.engine.connect() as conn:
            return migrations.current_version(conn)

    def enable_wal(self) -> str:
        """Put a SQLite database in WAL mode and return the journal mode now in force.

        The web server calls this at start: readers then never wait for a writer, so many
        reviewers' pages load while one decision is written. The mode is stored in the database
        file, so it stays for every later connection (the `-wal` and `-shm` files sit beside
        it while it is open). The command line leaves the default rollback journal (one file,
        safe to copy). PostgreSQL needs nothing: the call returns "postgresql" and changes nothing.
        An in-memory database has no WAL and stays "memory".

        >>> Store.open("sqlite://").enable_wal()
        'memory'
        """
        if self.engine.dialect.name != "sqlite":
            return self.engine.dialect.name
        try:
            with self.engine.connect() as conn:
                # Outside any transaction: SQLite refuses to change the journal mode inside one.
                mode = conn.exec_driver_sql("PRAGMA journal_mode=WAL").scalar()
        except OperationalError as error:
            raise StoreError(f"{self._where()}: cannot switch to WAL mode: {error.orig}") from error
        return str(mode).lower()

    def journal_mode(self) -> str:
        """SQLite's journal mode ("delete", "wal", "memory"...); the dialect's name otherwise.

        >>> Store.open("sqlite://").journal_mode()
        'memory'
        """
        if self.engine.dialect.name != "sqlite":
            return self.engine.dialect.name
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()).lower()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction: committed on success, rolled back on any error.

        On SQLite the transaction takes the write lock first (`BEGIN IMMEDIATE`), so what it
        reads cannot change before it writes: two imports cannot both allocate the same ids.
        Writers of one database file in this process (the pages, the API, a command run in
        the process) first take their turn on one in-process lock (`writer_lock`), so they
        never poll SQLite's busy handler against each other: the next in line starts as the
        one before commits. A turn waits for the writes ahead of it (up to `busy_timeout`,
        at least `QUEUE_TIMEOUT`); the lock is re-entrant, so a transaction opened inside
        another in the same thread is not queued behind itself. Another process's lock is
        then waited for, with backoff, up to `busy_timeout` seconds. Either wait running out
        is reported as one `StoreError`; nothing is written. PostgreSQL needs no queue: its
        writers run concurrently.
        """
        lock = writer_lock(self.engine)
        if lock is not None:
            self._take_turn(lock)
        try:
            with self.engine.connect() as conn:
                if conn.dialect.name == "sqlite":
                    self._begin_immediate(conn)
                else:
                    conn.begin()
                try:
                    yield conn
                except BaseException:
                    conn.rollback()
                    raise
                try:
                    conn.commit()
                except OperationalError as error:
                    conn.rollback()
                    if _is_busy(error):
                        raise StoreError(self._busy_message("finish writing")) from error
                    raise
        finally:
            if lock is not None:
                lock.release()

    def _take_turn(self, lock: threading.RLock) -> None:
        waited = max(self.busy_timeout, QUEUE_TIMEOUT)
        if not lock.acquire(timeout=waited):
            raise StoreError(
                f"{self._where()}: the review database is busy: another write of this litrev "
                f"process held its turn for over {waited:g} s, so this one could not start "
                "writing; nothing was written, run it again when the other has finished"
            )

    def _begin_immediate(self, conn: Connection) -> None:
        dbapi = conn.connection.dbapi_connection
        if getattr(dbapi, "in_transaction", False):
            # One in-memory database shares its connection within a thread: an enclosing
            # transaction already holds the lock.
            conn.begin()
            return
        deadline = time.monotonic() + self.busy_timeout
        pause = 0.02
        while True:
            remaining = max(deadline - time.monotonic(), 0.0)
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(remaining * 1000)}")
            try:
                # pysqlite issues no BEGIN of its own inside an open transaction, so this
                # one stands until commit or rollback.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as error:
                conn.rollback()
                if not _is_busy(error):
                    raise StoreError(
                        f"{self._where()}: cannot start a write: {error.orig}"
                    ) from error
                if time.monotonic() + pause > deadline:
                    raise StoreError(self._busy_message("start writing")) from error
                time.sleep(pause * (0.5 + random.random()))
                pause = min(pause * 2, 1.0)

    def _where(self) -> str:
        url = self.engine.url
        return str(url.database) if url.get_backend_name() == "sqlite" else url.render_as_string()

    def _busy_message(self, what: str) -> str:
        return (
            f"{self._where()}: the review database is busy: another litrev process held its "
            f"write lock for over {self.busy_timeout:g} s, so this one could not {what}; "
            "nothing was written, run it again when the other has finished"
        )

    @staticmethod
    def lock(conn: Connection, name: str) -> None:
        """Serialise writers of `name` (e.g. "import") within the caller's transaction.

        SQLite transactions from `transaction()` already hold the database's write lock; on
        PostgreSQL this takes a transaction-scoped advisory lock, released at commit.

        >>> store = Store.open("sqlite://")
        >>> with store.transaction() as conn:
        ...     Store.lock(conn, "import")
        """
        if conn.dialect.name == "postgresql":
            key = zlib.crc32(f"litrev:{name}".encode())
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def connect(self) -> Connection:
        return self.engine.connect()

    @staticmethod
    def log(
        conn: Connection,
        *,
        actor: str,
        action: str,
        entity: str,
        entity_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append one entry to the audit log (inside the caller's transaction)."""
        conn.execute(
            schema.audit_log.insert().values(
                at=datetime.now(UTC),
                actor=actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                detail=detail or {},
            )
        )

    def close(self) -> None:
        self.engine.dispose()
