"""Opening a review database: SQLite file by default, PostgreSQL for a team server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from litrev.errors import StoreError
from litrev.store import migrations, schema


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # The default rollback journal (not WAL) keeps a review folder to one file, safe to copy or
    # sync; concurrent teams use PostgreSQL. Foreign keys catch orphaned decisions.
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


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
    >>> store.version()
    1
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, target: str | Path, *, create: bool = True) -> Store:
        """Open (and migrate to the newest schema) the database at a path or URL."""
        url = database_url(target)
        if url.startswith("sqlite:///") and not create:
            path = Path(url.removeprefix("sqlite:///"))
            if not path.exists():
                raise StoreError(f"{path}: no review database here (run `litrev init` first)")
        try:
            engine = create_engine(url)
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            migrations.upgrade(engine)
        except SQLAlchemyError as error:
            raise StoreError(f"{url}: cannot open review database: {error}") from error
        return cls(engine)

    def version(self) -> int:
        with self.engine.connect() as conn:
            return migrations.current_version(conn)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction: committed on success, rolled back on any error."""
        with self.engine.begin() as conn:
            yield conn

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
