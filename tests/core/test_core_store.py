"""The review database: migrations from empty to head, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text

from litrev.errors import StoreError
from litrev.examples import build_example
from litrev.extraction import studies_frame
from litrev.project import Project
from litrev.store import HEAD, Store, schema, upgrade
from litrev.store.migrations import MIGRATIONS
from litrev.synthesis.report.writer import write_report

POSTGRES_URL = os.environ.get("LITREV_TEST_POSTGRES_URL")


def columns_by_table(engine) -> dict[str, set[str]]:
    inspector = inspect(engine)
    return {t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()}


def test_migrating_empty_database_gives_the_declared_schema(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert upgrade(engine) == sorted(m.version for m in MIGRATIONS)
    declared = {
        name: {c.name for c in table.columns} for name, table in schema.metadata.tables.items()
    }
    assert columns_by_table(engine) == declared


def test_upgrade_is_idempotent_and_records_versions(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    first = upgrade(engine)
    assert first and max(first) == HEAD
    assert upgrade(engine) == []
    with engine.connect() as conn:
        versions = conn.execute(select(schema.schema_migrations.c.version)).scalars().all()
    assert sorted(versions) == first


def test_database_from_a_newer_litrev_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    Store.open(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO schema_migrations VALUES (9999, 'future', CURRENT_TIMESTAMP)")
        )
    with pytest.raises(StoreError, match="9999"):
        Store.open(path)


def test_failed_write_rolls_back(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "x.db")
    with pytest.raises(RuntimeError), store.transaction() as conn:
        store.log(conn, actor="t", action="a", entity="e")
        raise RuntimeError("boom")
    with store.connect() as conn:
        assert conn.execute(select(schema.audit_log)).all() == []


def test_open_without_create_needs_existing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="litrev init"):
        Store.open(tmp_path / "missing.db", create=False)


@pytest.mark.postgres
def test_postgres_migrates_and_holds_the_built_in_review(postgres_url: str, tmp_path: Path) -> None:
    sqlite_project = build_example("coproduction-models", tmp_path / "review")
    project = Project.init(
        tmp_path / "team",
        protocol_text=sqlite_project.protocol_path.read_text(),
        database=postgres_url,
    )
    assert project.store.engine.dialect.name == "postgresql"
    assert project.store.version() == HEAD
    declared = {
        name: {c.name for c in table.columns} for name, table in schema.metadata.tables.items()
    }
    assert columns_by_table(project.store.engine) == declared

    from litrev.extraction import import_table

    import_table(project.store, sqlite_project.root / "studies.csv", project.protocol.codebook)
    (tmp_path / "team" / "claims.toml").write_text(
        (sqlite_project.root / "claims.toml").read_text()
    )
    on_postgres = studies_frame(project.store, project.protocol.codebook)
    on_sqlite = studies_frame(sqlite_project.store, sqlite_project.protocol.codebook)
    assert len(on_postgres) == len(on_sqlite) == 73
    assert on_postgres.drop(columns="record_id").equals(on_sqlite.drop(columns="record_id"))
    files = write_report(project)
    assert '"studies": 73' in files["json"].read_text()
    project.store.close()
