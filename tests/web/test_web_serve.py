"""`litrev serve` as a team starts it, and one server serving several reviews."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .conftest import PASSWORD, PROTOCOL, make_review

# The `litrev` entry point, run by this interpreter (the venv's script may not be on PATH).
LITREV = [
    sys.executable,
    "-c",
    "import sys; from litrev.cli import run; sys.exit(run(sys.argv[1:]))",
]


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve ended early: {process.communicate()}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("serve did not answer within 60 s")


def test_serve_creates_the_first_lead_and_answers_on_loopback(tmp_path: Path) -> None:
    from litrev.project import Project

    Project.init(tmp_path / "review", protocol_text=PROTOCOL).store.close()
    port = _port()
    env = {**os.environ, "LITREV_DATABASE": ""}
    process = subprocess.Popen(
        [
            *LITREV,
            "serve",
            str(tmp_path / "review"),
            "--port",
            str(port),
            "--lead",
            "lena",
            "--password-stdin",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdin is not None
        process.stdin.write(PASSWORD + "\n")
        process.stdin.flush()
        response = _wait(f"http://127.0.0.1:{port}/login", process)
        assert response.status_code == 200 and "Sign in" in response.text
        login = httpx.post(
            f"http://127.0.0.1:{port}/login",
            data={"username": "lena", "password": PASSWORD},
            headers={"origin": f"http://127.0.0.1:{port}"},
        )
        assert login.status_code == 303
        home = httpx.get(f"http://127.0.0.1:{port}/r/telehealth-hf/members", cookies=login.cookies)
        assert home.status_code == 200 and "lena" in home.text
    finally:
        process.terminate()
        out, _err = process.communicate(timeout=20)
    assert "lena is the lead of telehealth-hf" in out
    # Serving switched the review's SQLite file to WAL, which stays set in the file.
    from litrev.store import Store

    store = Store.open(tmp_path / "review" / "litrev.db")
    assert store.journal_mode() == "wal"
    store.close()


def test_serve_without_a_lead_and_no_terminal_says_how_to_make_one(tmp_path: Path) -> None:
    from litrev.project import Project

    Project.init(tmp_path / "review", protocol_text=PROTOCOL).store.close()
    done = subprocess.run(
        [*LITREV, "serve", str(tmp_path / "review"), "--port", str(_port())],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LITREV_DATABASE": ""},
    )
    assert done.returncode == 2, done.stderr
    assert "no lead" in done.stderr and "litrev user add" in done.stderr
    assert "Traceback" not in done.stderr


def test_one_server_serves_two_reviews_each_with_its_own_members(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from litrev.project import Project
    from litrev.web import Workspace, create_app

    first = make_review(tmp_path / "one", "sqlite")
    first.workspace.close()
    other = PROTOCOL.replace('id = "telehealth-hf"', 'id = "falls-review"').replace(
        "Telemonitoring for adults with heart failure", "Falls prevention in care homes"
    )
    Project.init(tmp_path / "two", protocol_text=other).store.close()
    workspace = Workspace.open([tmp_path / "one", tmp_path / "two"])
    try:
        assert sorted(workspace.reviews) == ["falls-review", "telehealth-hf"]
        # The accounts live in the first review's store, and serve both.
        workspace.accounts.add_user("fay", PASSWORD, actor="test")
        workspace.accounts.grant("falls-review", "fay", "lead", actor="test")
        app = create_app(workspace)

        def signed_in(name: str) -> TestClient:
            client = TestClient(app, base_url="http://testserver")
            answer = client.post(
                "/login",
                data={"username": name, "password": PASSWORD},
                headers={"origin": "http://testserver"},
                follow_redirects=False,
            )
            assert answer.status_code == 303
            return client

        fay, rui = signed_in("fay"), signed_in("rui")
        assert "Falls prevention" in fay.get("/").text
        assert "Telemonitoring" not in fay.get("/").text
        assert fay.get("/r/telehealth-hf/").status_code == 404  # not her review
        assert rui.get("/r/falls-review/").status_code == 404
        assert rui.get("/r/telehealth-hf/").status_code == 200
        assert fay.get("/r/falls-review/members").status_code == 200
    finally:
        workspace.close()


def test_two_reviews_with_one_id_or_one_database_are_refused(tmp_path: Path) -> None:
    from litrev.errors import LitrevError
    from litrev.project import Project
    from litrev.web import Workspace

    for name in ("a", "b"):
        Project.init(tmp_path / name, protocol_text=PROTOCOL).store.close()
    with pytest.raises(LitrevError, match="each served review needs its own"):
        Workspace.open([tmp_path / "a", tmp_path / "b"])
    with pytest.raises(LitrevError, match="one URL per folder"):
        Workspace.open([tmp_path / "a", tmp_path / "b"], databases=["sqlite://"])
    with pytest.raises(LitrevError, match="not a served review"):
        Workspace.open([tmp_path / "a"], public=["nope"])
