"""A review database held by another writer: waited for, then reported in one sentence."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from litrev.cli import run
from litrev.errors import StoreError
from litrev.project import Project
from litrev.records import import_files
from litrev.store import Store, schema

RIS = "TY  - JOUR\nTI  - Respite care for carers\nAN  - R1\nER  - \n"


def test_a_busy_database_is_reported_not_a_traceback(tmp_path: Path) -> None:
    root = tmp_path / "review"
    Project.init(root).store.close()
    path = tmp_path / "carers.ris"
    path.write_text(RIS)
    holder = Store.open(root / "litrev.db")
    waiting = Store.open(root / "litrev.db", busy_timeout=0.3)
    with holder.transaction() as conn:  # another process would hold the lock the same way
        Store.log(conn, actor="other", action="note", entity="review")
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"busy: another litrev process held its write lock"):
            import_files(waiting, [path], source="ASSIA")
        assert time.monotonic() - started < 5
    with waiting.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.records)).scalar_one() == 0
    holder.close()
    waiting.close()


def test_cli_exits_2_when_the_lock_is_never_released(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "review"
    Project.init(root).store.close()
    path = tmp_path / "carers.ris"
    path.write_text(RIS)
    monkeypatch.setenv("LITREV_BUSY_TIMEOUT", "0.2")
    holder = Store.open(root / "litrev.db", busy_timeout=5)
    with holder.transaction() as conn:
        Store.log(conn, actor="other", action="note", entity="review")
        assert run(["import", str(path), "--source", "ASSIA", "-p", str(root)]) == 2
    holder.close()


def test_a_writer_waits_for_a_short_lock(tmp_path: Path) -> None:
    root = tmp_path / "review"
    Project.init(root).store.close()
    path = tmp_path / "carers.ris"
    path.write_text(RIS)
    holder = Store.open(root / "litrev.db")
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.transaction() as conn:
            Store.log(conn, actor="other", action="note", entity="review")
            locked.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait(10)
    threading.Timer(0.3, release.set).start()
    waiting = Store.open(root / "litrev.db", busy_timeout=20)
    assert import_files(waiting, [path], source="ASSIA").total == 1
    thread.join()
    holder.close()
    waiting.close()
