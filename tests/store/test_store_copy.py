"""`copy_store`: every table moves between SQLite and PostgreSQL unchanged, or nothing does."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select

from litrev.errors import StoreError
from litrev.store import Store, migrations, schema
from litrev.store.copy import (
    CopyMismatchError,
    copied_tables,
    copy_store,
    open_store,
    store_target,
)

from .fill import PDF_BYTES, fill_store, raw_rows


def _counts(store: Store) -> dict[str, int]:
    with store.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in copied_tables()
        }


def test_the_fixture_fills_every_table(full_store: Callable[[str], Path]) -> None:
    # A table added by a later migration must get rows here, or the copy tests below would not
    # show that it is copied.
    rows = raw_rows(full_store("source.db"))
    assert sorted(name for name, found in rows.items() if not found) == []
    assert set(rows) == {t.name for t in copied_tables()}


def test_sqlite_to_sqlite_copies_every_row_byte_for_byte(
    full_store: Callable[[str], Path], tmp_path: Path
) -> None:
    source = full_store("source.db")
    src, dst = Store.open(source), Store.open(tmp_path / "copy.db")
    seen: list[tuple[str, int, int]] = []
    report = copy_store(src, dst, progress=lambda t, done, total: seen.append((t, done, total)))
    src.close()
    dst.close()
    assert report.ok and report.mismatches() == []
    assert raw_rows(tmp_path / "copy.db") == raw_rows(source)
    assert report.counts() == {name: len(rows) for name, rows in raw_rows(source).items()}
    assert report.sequences_reset == []  # SQLite allocates max(id) + 1 by itself
    # progress reaches the total, table by table, never going back
    assert seen[-1][1] == seen[-1][2] == report.total_rows
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)


def test_refuses_a_destination_with_rows_and_names_the_table(
    full_store: Callable[[str], Path], tmp_path: Path
) -> None:
    src = Store.open(full_store("source.db"))
    dst = Store.open(tmp_path / "busy.db")
    with dst.transaction() as conn:
        dst.log(conn, actor="zoe", action="note", entity="review")
    with pytest.raises(StoreError, match=r"not empty: audit_log \(1 row\).*--replace"):
        copy_store(src, dst)
    assert _counts(dst)["audit_log"] == 1 and _counts(dst)["records"] == 0

    report = copy_store(src, dst, replace=True)
    assert report.replaced_rows == 1
    src.close()
    dst.close()
    assert raw_rows(tmp_path / "busy.db") == raw_rows(tmp_path / "source.db")


def test_a_copy_that_reads_back_different_writes_nothing(
    full_store: Callable[[str], Path], tmp_path: Path
) -> None:
    src = Store.open(full_store("source.db"))
    dst = Store.open(tmp_path / "trigger.db")
    # A destination that alters what it is given (here a trigger, as a DBA might add) must be
    # caught by the read-back check, and the whole copy rolled back.
    with dst.transaction() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER retitle AFTER INSERT ON records BEGIN "
            "UPDATE records SET title = upper(title) WHERE id = NEW.id; END"
        )
    with pytest.raises(CopyMismatchError, match=r"records \(8 rows, 8 read back, checksum"):
        copy_store(src, dst)
    assert set(_counts(dst).values()) == {0}
    src.close()
    dst.close()


def test_same_database_and_old_schema_are_refused(
    full_store: Callable[[str], Path], tmp_path: Path
) -> None:
    path = full_store("source.db")
    a, b = Store.open(path), Store.open(str(path))
    with pytest.raises(StoreError, match="same database"):
        copy_store(a, b)
    old_path = tmp_path / "old.db"
    migrations.upgrade(create_engine(f"sqlite:///{old_path}"), target=3)
    old = Store.open(old_path, migrate=False)
    with pytest.raises(
        StoreError, match=f"schema version 3, not {migrations.HEAD}; run `litrev db upgrade`"
    ):
        copy_store(a, old)
    for store in (a, b, old):
        store.close()


def test_open_store_upgrades_and_says_from_which_version(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    migrations.upgrade(engine, target=3)
    with engine.begin() as conn:
        conn.execute(
            insert(schema.audit_log).values(
                at=datetime(2020, 1, 1, tzinfo=UTC), actor="a", action="b", entity="c", detail={}
            )
        )
    engine.dispose()
    opened = open_store(path, create=False)
    assert (opened.version_before, opened.version) == (3, migrations.HEAD)
    assert [m.version for m in opened.applied] == list(range(4, migrations.HEAD + 1))
    opened.store.close()
    again = open_store(path, create=False)
    assert (again.version_before, again.applied) == (migrations.HEAD, [])
    again.store.close()
    with pytest.raises(StoreError, match="no review database here"):
        open_store(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_store_target_reads_folders_files_and_urls(tmp_path: Path) -> None:
    assert store_target(tmp_path) == f"sqlite:///{tmp_path / 'litrev.db'}"
    assert store_target(tmp_path / "x.db") == f"sqlite:///{tmp_path / 'x.db'}"
    assert store_target("sqlite:///a.db") == "sqlite:///a.db"


def test_enable_wal_is_persistent_and_the_default_stays_rollback(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "litrev.db")
    assert store.journal_mode() == "delete"  # what the CLI keeps
    assert store.enable_wal() == "wal"
    store.close()
    conn = sqlite3.connect(tmp_path / "litrev.db")  # a new connection, not litrev's
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()
    reopened = Store.open(tmp_path / "litrev.db")
    assert reopened.journal_mode() == "wal"
    with reopened.transaction() as tx:
        reopened.log(tx, actor="a", action="b", entity="c")
    reopened.close()


# ---------------------------------------------------------------- PostgreSQL


def _pg(make: Callable[[], str], zone: str = "America/New_York") -> str:
    # A session time zone far from UTC: a naive datetime written to PostgreSQL, or an aware
    # one read back without conversion, would shift by hours and fail the comparisons.
    return make() + f"%20-ctimezone%3D{zone}"


@pytest.mark.postgres
def test_sqlite_to_postgres_to_sqlite_loses_nothing(
    full_store: Callable[[str], Path], postgres_schemas: Callable[[], str], tmp_path: Path
) -> None:
    source = full_store("source.db")
    src = Store.open(source)
    pg = Store.open(_pg(postgres_schemas))
    there = copy_store(src, pg)
    assert there.ok
    assert "records" in there.sequences_reset and "decision_marks" not in there.sequences_reset

    back = Store.open(tmp_path / "back.db")
    home = copy_store(pg, back)
    assert [(t.table, t.copied_rows, t.copied_sha256) for t in home.tables] == [
        (t.table, t.source_rows, t.source_sha256) for t in there.tables
    ]
    back.close()
    assert raw_rows(tmp_path / "back.db") == raw_rows(source)

    with pg.connect() as conn:
        data = conn.execute(select(schema.fulltexts.c.data)).scalar_one()
        at = conn.execute(select(schema.users.c.created_at).limit(1)).scalar_one()
        result = conn.execute(select(schema.idempotency_keys.c.result)).scalar_one()
    assert bytes(data) == PDF_BYTES
    assert at.utcoffset() is not None and at.isoformat().endswith("-04:00")  # New York, EDT
    assert at.astimezone().timestamp() == 1774747815.123456  # 2026-03-29T01:30:15.123456Z
    assert result == {"decision": 7, "nested": {"b": [1.5, None, "é"], "a": True}}

    # new rows on PostgreSQL get fresh ids, through the stage APIs and plain inserts
    from litrev.screening import Screening

    largest = max(r[0] for r in raw_rows(source)["decisions"])
    event = Screening(pg).decide(1, reviewer="dan", stage="title_abstract", decision="include")
    assert event.id == largest + 1
    with pg.transaction() as conn:
        new_id = conn.execute(
            insert(schema.stage_gates)
            .values(stage="full_text", state="closed", actor="ana", at=at)
            .returning(schema.stage_gates.c.id)
        ).scalar_one()
    assert new_id == len(raw_rows(source)["stage_gates"]) + 1
    src.close()
    pg.close()


@pytest.mark.postgres
def test_a_failing_row_on_postgres_writes_nothing_and_is_named(
    full_store: Callable[[str], Path], postgres_schemas: Callable[[], str]
) -> None:
    source = full_store("source.db")
    conn = sqlite3.connect(source)
    # SQLite keeps a 200-character name in VARCHAR(128); PostgreSQL refuses it.
    conn.execute("UPDATE screening_reviewers SET name = ? WHERE name = 'carol'", ("c" * 200,))
    conn.commit()
    conn.close()
    src, pg = Store.open(source), Store.open(_pg(postgres_schemas))
    with pytest.raises(StoreError, match=r"cannot write table screening_reviewers .*nothing was"):
        copy_store(src, pg)
    assert set(_counts(pg).values()) == {0}
    src.close()
    pg.close()


@pytest.mark.postgres
def test_postgres_destination_with_rows_is_refused_then_replaced(
    full_store: Callable[[str], Path], postgres_schemas: Callable[[], str]
) -> None:
    src, pg = Store.open(full_store("source.db")), Store.open(_pg(postgres_schemas, "UTC"))
    fill_store(pg)
    with pytest.raises(
        StoreError, match=r"not empty: audit_log \(\d+ rows\), .*records \(8 rows\)"
    ):
        copy_store(src, pg)
    report = copy_store(src, pg, replace=True)
    assert report.ok and report.replaced_rows == sum(report.counts().values())
    src.close()
    pg.close()
