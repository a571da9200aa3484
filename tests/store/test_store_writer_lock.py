"""Writers of one SQLite file in one process take turns in `Store.transaction`.

Before the fix only the JSON API's decision routes queued on an in-process lock; the pages (and
anything else in the process) went straight to SQLite's busy handler, which polls, so under a
short busy timeout page writes failed with "the review database is busy" while API writes went
through. Here pages and API write at once through a real server, with a busy timeout far shorter
than the queue gets: every write must succeed and every row be there.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, func, select

from litrev.errors import StoreError
from litrev.store import Store, schema

PASSWORD = "a long enough password"
KEY = "falls-prevention"
RECORDS = 4
PAGE_WRITERS = ["pia", "pat", "pol"]
API_WRITERS = ["ada", "abe", "ali"]
PROTOCOL = f'''
[review]
id = "{KEY}"
title = "Exercise programmes to prevent falls in care homes"
type = "scoping"

[eligibility]
inclusion = ["care home residents", "exercise"]

[[eligibility.exclusion_reasons]]
code = "setting"
label = "Not a care home"

[screening]
stages = ["title_abstract", "full_text"]
reviewers = []
mode = "dual"
'''


def _ris(n: int) -> str:
    return "".join(
        f"TY  - JOUR\nTI  - Balance class {k} for residents of care homes\nAU  - Okafor, N{k}\n"
        f"PY  - {2000 + k}\nDO  - 10.7777/falls.{k}\nDB  - CINAHL\nER  - \n\n"
        for k in range(1, n + 1)
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """A SQLite review in WAL mode (as `litrev serve` leaves it), six reviewers who may each
    decide every record, served by uvicorn on loopback."""
    import uvicorn

    from litrev.project import Project
    from litrev.records.importer import import_files
    from litrev.web import Workspace, create_app

    root = tmp_path / "review"
    project = Project.init(root, protocol_text=PROTOCOL)
    (tmp_path / "cinahl.ris").write_text(_ris(RECORDS), encoding="utf-8")
    import_files(project.store, [tmp_path / "cinahl.ris"], source="CINAHL")
    project.store.close()
    workspace = Workspace.open([root])
    workspace.accounts.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    review = workspace.reviews[KEY]
    review.store.enable_wal()
    for name in [*PAGE_WRITERS, *API_WRITERS]:
        workspace.accounts.add_user(name, PASSWORD, actor="test")
        workspace.accounts.grant(KEY, name, "reviewer", actor="test")
        review.screening.add_reviewer(name)
    review.screening.configure(
        "title_abstract", by="test", reviewers_required=len(PAGE_WRITERS) + len(API_WRITERS)
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(workspace), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", workspace
    server.should_exit = True
    thread.join(timeout=10)
    workspace.close()


def _signed_in(base: str, name: str) -> tuple[httpx.Client, str]:
    """A browser-like client signed in as `name`, and its CSRF token (read from a page)."""
    client = httpx.Client(base_url=base, timeout=60)
    client.post("/login", data={"username": name, "password": PASSWORD}, headers={"origin": base})
    page = client.get("/account/tokens")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token, f"{name} could not sign in: {page.status_code}"
    return client, token.group(1)


def _page_writer(
    client: httpx.Client, csrf: str, start: threading.Barrier, failures: list[str]
) -> None:
    start.wait(30)
    for rid in range(1, RECORDS + 1):
        decided = client.post(
            f"/r/{KEY}/screen/decide",
            data={"record_id": rid, "decision": "include", "csrf_token": csrf},
            follow_redirects=False,
        )
        noted = client.post(
            f"/r/{KEY}/records/{rid}/notes",
            data={"text": f"note on {rid}", "csrf_token": csrf},
            follow_redirects=False,
        )
        for what, answer in (("decision", decided), ("note", noted)):
            if answer.status_code != 303:
                failures.append(f"page {what} on {rid}: {answer.status_code}")
    client.close()


def _api_writer(
    base: str, name: str, token: str, start: threading.Barrier, failures: list[str]
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=60, headers=headers) as client:
        start.wait(30)
        for rid in range(1, RECORDS + 1):
            decided = client.post(
                f"/api/r/{KEY}/decisions",
                json={
                    "record_id": rid,
                    "stage": "title_abstract",
                    "decision": "exclude",
                    "reason": "setting",
                },
            )
            noted = client.post(
                f"/api/r/{KEY}/records/{rid}/notes",
                json={"stage": "title_abstract", "text": f"{name} on {rid}"},
            )
            for what, answer in (("decision", decided), ("note", noted)):
                if answer.status_code != 201:
                    failures.append(f"api {what} {name}/{rid}: {answer.status_code} {answer.text}")


def _count(store: Store, table: Any) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_pages_and_api_writing_at_once_all_get_their_turn(served: tuple[str, Any]) -> None:
    base, workspace = served
    review = workspace.reviews[KEY]
    tokens = {n: workspace.accounts.create_token(n, "a script") for n in API_WRITERS}
    browsers = [_signed_in(base, n) for n in PAGE_WRITERS]
    # Far below the time the queue of six writers takes: a write that asks SQLite for its lock
    # while another thread holds it fails; one that waits its turn in the process does not.
    review.store.busy_timeout = 0.05
    start = threading.Barrier(len(PAGE_WRITERS) + len(API_WRITERS))
    failures: list[str] = []
    threads = [
        threading.Thread(target=_page_writer, args=(client, csrf, start, failures))
        for client, csrf in browsers
    ] + [
        threading.Thread(target=_api_writer, args=(base, n, tokens[n], start, failures))
        for n in API_WRITERS
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    writers = len(PAGE_WRITERS) + len(API_WRITERS)
    assert _count(review.store, schema.decisions) == writers * RECORDS  # nothing lost
    assert _count(review.store, schema.record_notes) == writers * RECORDS
    status = review.screening.status("title_abstract")
    assert status.awaiting == 0 and status.conflicts == RECORDS  # every record has all six


def test_one_lock_per_file_none_for_memory_or_postgresql(tmp_path: Path) -> None:
    from litrev.store.db import writer_lock

    a = create_engine(f"sqlite:///{tmp_path}/litrev.db")
    b = create_engine(f"sqlite:///{tmp_path}/../{tmp_path.name}/litrev.db")
    lock = writer_lock(a)
    assert lock is not None and lock is writer_lock(b)  # the same file, one queue
    assert writer_lock(create_engine(f"sqlite:///{tmp_path}/other.db")) is not lock
    assert writer_lock(create_engine("sqlite://")) is None
    assert writer_lock(create_engine("sqlite:///:memory:")) is None
    assert writer_lock(create_engine("postgresql+psycopg://u:p@127.0.0.1/x")) is None


def test_a_thread_waits_its_turn_then_a_stuck_turn_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "litrev.db"
    holder, waiting = Store.open(path), Store.open(path, busy_timeout=0.01)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.transaction() as conn:
            Store.log(conn, actor="holder", action="note", entity="review")
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(10)
    # A busy timeout of 10 ms, but the holder is a thread of this process: the write waits for
    # its turn (0.3 s here) instead of failing at SQLite's lock.
    threading.Timer(0.3, release.set).start()
    with waiting.transaction() as conn:
        Store.log(conn, actor="waiting", action="note", entity="review")
    thread.join()
    assert _count(waiting, schema.audit_log) >= 2
    # A turn that never comes is reported (after QUEUE_TIMEOUT, shortened here), nothing written.
    monkeypatch.setattr("litrev.store.db.QUEUE_TIMEOUT", 0.2)
    held.clear()
    release.clear()
    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(10)
    before = time.monotonic()
    refused = "another write of this litrev process held its turn"
    with pytest.raises(StoreError, match=refused), waiting.transaction() as conn:
        Store.log(conn, actor="never", action="note", entity="review")
    assert time.monotonic() - before < 5
    release.set()
    thread.join()
    with waiting.connect() as conn:
        actors = set(conn.execute(select(schema.audit_log.c.actor)).scalars())
    assert "never" not in actors and {"holder", "waiting"} <= actors
    holder.close()
    waiting.close()
