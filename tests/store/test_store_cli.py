"""`litrev db upgrade | status | copy` from the command line."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from typer.testing import CliRunner

from litrev.cli import app, run
from litrev.store import migrations

from .fill import raw_rows

runner = CliRunner()


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def _fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert run(list(args)) == 2
    return " ".join(capsys.readouterr().err.split())


def _old_store(path: Path, version: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    migrations.upgrade(engine, target=version)
    engine.dispose()


def test_upgrade_reports_each_migration_then_nothing_to_do(tmp_path: Path) -> None:
    _old_store(tmp_path / "review" / "litrev.db", 2)
    out = _ok("db", "upgrade", "-p", str(tmp_path / "review"))
    assert f"schema version 2 -> {migrations.HEAD}" in out
    assert "applied 3: dedupe: actions" in out and "applied 4: screening:" in out
    assert "applied 5: workspace:" in out and "applied 2" not in out
    again = _ok("db", "upgrade", "--database", f"sqlite:///{tmp_path / 'review' / 'litrev.db'}")
    assert f"already at version {migrations.HEAD}" in again


def test_status_counts_rows_without_migrating(
    full_store: Callable[[str], Path], tmp_path: Path
) -> None:
    folder = tmp_path / "review"
    folder.mkdir()
    full_store("review/litrev.db")
    out = _ok("db", "status", "-p", str(folder))
    assert f"schema version {migrations.HEAD} (this litrev: {migrations.HEAD})" in out
    assert "journal mode: delete" in out
    rows = raw_rows(folder / "litrev.db")
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in out.splitlines()]
    counts = {row[0]: row[1] for row in cells if len(row) == 2}
    assert counts == {name: str(len(found)) for name, found in rows.items()}

    _old_store(tmp_path / "old" / "litrev.db", 3)
    out = _ok("db", "status", "-p", str(tmp_path / "old"))
    assert "schema version 3" in out and "run `litrev db upgrade`" in out
    assert "not created yet" in out  # migration 5's tables
    conn = sqlite3.connect(tmp_path / "old" / "litrev.db")
    assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone() == (3,)
    conn.close()


def test_copy_prints_the_counts_and_refuses_a_full_destination(
    full_store: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = full_store("source.db")
    dest = tmp_path / "team"
    dest.mkdir()
    out = _ok("db", "copy", str(source), str(dest))
    assert "destination" in out and f"-> {migrations.HEAD}" in out  # the new store, migrated
    rows = raw_rows(source)
    total = sum(len(r) for r in rows.values())
    assert f"copied {total} rows in {len(rows)} tables" in out
    assert "counts and checksums match" in out
    assert raw_rows(dest / "litrev.db") == rows

    message = _fails(capsys, "db", "copy", str(source), str(dest))
    assert "the destination is not empty: audit_log (" in message and "--replace" in message
    out = _ok("db", "copy", str(source), str(dest), "--replace")
    assert f"({total} rows replaced)" in out


def test_copy_from_an_old_store_upgrades_it_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _old_store(tmp_path / "old.db", 4)
    out = _ok("db", "copy", str(tmp_path / "old.db"), str(tmp_path / "new.db"))
    assert f"source {tmp_path / 'old.db'}: schema version 4 -> {migrations.HEAD}" in out
    assert "copied 0 rows" in out


def test_db_errors_exit_2_with_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = _fails(capsys, "db", "copy", str(tmp_path / "nothing.db"), str(tmp_path / "x.db"))
    assert message == f"error: {tmp_path / 'nothing.db'}: no review database here"
    assert not (tmp_path / "nothing.db").exists() and not (tmp_path / "x.db").exists()

    message = _fails(capsys, "db", "upgrade", "-p", str(tmp_path))
    assert "no review database in" in message and "--database URL" in message

    _old_store(tmp_path / "same.db", migrations.HEAD)
    message = _fails(capsys, "db", "copy", str(tmp_path / "same.db"), str(tmp_path / "same.db"))
    assert "source and destination are the same database" in message

    # a database from a newer litrev is refused, not downgraded or copied
    conn = sqlite3.connect(tmp_path / "same.db")
    conn.execute(
        "INSERT INTO schema_migrations VALUES (99, 'from the future', '2030-01-01 00:00:00')"
    )
    conn.commit()
    conn.close()
    message = _fails(capsys, "db", "copy", str(tmp_path / "same.db"), str(tmp_path / "y.db"))
    assert "schema versions [99] that this litrev does not know" in message
