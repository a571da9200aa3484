"""Fixtures of the workspace tests: a review nothing in litrev knows, its team, a client, a live server.

Every web test runs on SQLite and on PostgreSQL (`backend`), as the issue asks.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

PASSWORD = "correct horse battery"  # every test user's password
TEAM = {"lena": "lead", "rui": "reviewer", "sam": "reviewer", "vic": "viewer"}
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

PROTOCOL = '''
[review]
id = "telehealth-hf"
title = "Telemonitoring for adults with heart failure: a systematic review"
type = "systematic"
question = "Does home telemonitoring reduce hospital admissions in adults with heart failure?"

[search]
canonical = """(telemonitoring OR telehealth) AND "heart failure" """

[[searches]]
database = "Embase"
dialect = "ovid"
date = 2025-03-01
hits = 12

[eligibility]
inclusion = ["adults with heart failure", "home telemonitoring", "hospital admissions reported"]

[[eligibility.exclusion_reasons]]
code = "population"
label = "Not adults with heart failure"

[[eligibility.exclusion_reasons]]
code = "intervention"
label = "No home telemonitoring"

[[eligibility.exclusion_reasons]]
code = "outcome"
label = "No admissions outcome"
stages = ["full_text"]

[[eligibility.exclusion_reasons]]
code = "no-report"
label = "Report not retrievable"
stages = ["full_text"]
not_retrieved = true

[screening]
stages = ["title_abstract", "full_text"]
reviewers = []
mode = "dual"
highlight_include = ["telemonitoring", "heart failure", "admission*"]
highlight_exclude = ["children", "protocol"]
'''

TITLES = [
    ("Home telemonitoring after discharge for heart failure: a randomised trial", 2019),
    ("Structured telephone support in chronic heart failure", 2018),
    ("Telehealth and hospital admissions in older adults with heart failure", 2021),
    ("A protocol for a trial of telemonitoring in children with congenital heart disease", 2020),
    ("Remote monitoring of implantable devices and admissions", 2017),
    ("Nurse-led telemonitoring for heart failure in rural Scotland", 2022),
    ("Cost of telehealth programmes: a modelling study", 2016),
    ("Weight and symptom telemonitoring in heart failure with preserved ejection fraction", 2023),
    ("Patients' experience of telemonitoring: a qualitative study", 2020),
    ("Mobile health applications for self-care in heart failure", 2024),
    ("Telemonitoring versus usual care: 12-month admissions in a pragmatic trial", 2015),
    ("Video consultations in cardiology outpatient clinics", 2021),
]


def ris_text(titles: list[tuple[str, int]] = TITLES) -> str:
    """An Embase-style RIS export of `titles` (each with a DOI, authors and an abstract)."""
    parts = []
    for n, (title, year) in enumerate(titles, start=1):
        parts.append(
            "\n".join(
                [
                    "TY  - JOUR",
                    f"TI  - {title}",
                    f"AU  - Author{n}, A.",
                    f"AU  - Second{n}, B.",
                    f"PY  - {year}",
                    f"JO  - Journal of Telemedicine {n % 3}",
                    f"DO  - 10.5555/telehf.{n:04d}",
                    f"AB  - Record {n}. {title}. Adults with heart failure were followed for "
                    "admissions after home telemonitoring was offered.",
                    "KW  - telemonitoring",
                    "KW  - heart failure",
                    "DB  - Embase",
                    "ER  - ",
                ]
            )
        )
    return "\n\n".join(parts) + "\n"


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """Where the review's store lives: a SQLite file, or a fresh PostgreSQL schema (URL)."""
    if request.param == "sqlite":
        return "sqlite"
    maker = request.getfixturevalue("postgres_schemas")
    return str(maker())


@dataclass
class WebReview:
    """A served review with its team: `client(user)` gives a signed-in TestClient."""

    root: Path
    workspace: Any
    app: Any

    @property
    def key(self) -> str:
        return "telehealth-hf"

    def client(self, username: str | None = None) -> Any:
        from fastapi.testclient import TestClient

        client = TestClient(self.app, base_url="http://testserver")
        if username is not None:
            response = client.post(
                "/login",
                data={"username": username, "password": PASSWORD},
                headers={"origin": "http://testserver"},
                follow_redirects=False,
            )
            assert response.status_code == 303, response.text
        return client

    def csrf(self, client: Any, path: str | None = None) -> str:
        """The CSRF token of `client`'s session, read from a page like a browser would."""
        import re

        page = client.get(path or f"/r/{self.key}/")
        found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert found, page.text[:500]
        return found.group(1)


def make_review(
    root: Path, backend: str, titles: list[tuple[str, int]] = TITLES, protocol: str = PROTOCOL
) -> WebReview:
    """A review folder with `titles` imported and the TEAM as members, opened as a workspace
    (`protocol`: this review's litrev.toml with more sections, e.g. a codebook)."""
    from litrev.project import Project
    from litrev.records.importer import import_files
    from litrev.web import Workspace, create_app

    database = None if backend == "sqlite" else backend
    project = Project.init(root, protocol_text=protocol, database=database)
    export = root / "embase.ris"
    export.write_text(ris_text(titles), encoding="utf-8")
    import_files(project.store, [export], source="Embase")
    project.store.close()
    workspace = Workspace.open([root], databases=[database] if database else ())
    accounts = workspace.accounts
    # Cheap argon2 parameters for these tests only (the default's cost is tested in
    # tests/accounts): four accounts and every sign-in per test otherwise dominate the suite.
    accounts.hasher = FAST_HASHER
    review = workspace.reviews["telehealth-hf"]
    for name, role in TEAM.items():
        accounts.add_user(name, PASSWORD, display_name=name.title(), actor="test")
        accounts.grant("telehealth-hf", name, role, actor="test")
        if role in ("lead", "reviewer"):
            review.screening.add_reviewer(name)
    return WebReview(root, workspace, create_app(workspace))


@pytest.fixture
def web_review(tmp_path: Path, backend: str) -> Iterator[WebReview]:
    """The telehealth review with 12 records and its team, on the `backend` store."""
    made = make_review(tmp_path / "review", backend)
    yield made
    made.workspace.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(web_review: WebReview) -> Iterator[str]:
    """The workspace app under a real uvicorn server on loopback; yields its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(web_review.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "web"


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """Save a Playwright page's screenshot into test-artefacts/web/NAME.png (kept by CI)."""

    def take(page: Any, name: str) -> Path:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTEFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page: Any, base: str, username: str) -> None:
    """Sign `username` in through the login form of a Playwright page."""
    page.goto(f"{base}/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(f"{base}/")
