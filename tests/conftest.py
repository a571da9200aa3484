"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

# Property tests: no per-example deadline (a shared 2-core machine makes timings noisy), and in CI
# the same examples every run, so a red build can be reproduced.
settings.register_profile("default-litrev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default-litrev")

if TYPE_CHECKING:
    from litrev.store import Store

REPO = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("LITREV_TEST_POSTGRES_URL")
SHARED = REPO.parent / "shared"


def pytest_sessionstart(session: pytest.Session) -> None:
    # Tests on real exports and benchmark data skip without shared/; CI must not skip them silently.
    if os.environ.get("CI") and not SHARED.is_dir():
        raise pytest.UsageError(f"CI run without the shared data folder at {SHARED}")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The workplace's shared data folder (real exports, benchmarks, the seed), beside the clone."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in review built and reported once for the session (read-only for tests)."""
    from litrev.examples import build_example
    from litrev.synthesis.report.writer import write_report

    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01: stable report dates
    out = tmp_path_factory.mktemp("demo") / "coproduction-review"
    project = build_example("coproduction-models", out)
    write_report(project)
    project.store.close()
    return out


@pytest.fixture
def postgres_schemas() -> Iterator[Callable[[], str]]:
    """A maker of fresh PostgreSQL schemas: each call returns a URL whose search_path is a new,
    empty schema, so tests on one shared server stay independent. All are dropped afterwards.

    Skips without a server (`LITREV_TEST_POSTGRES_URL`), except under CI, where it fails.
    """
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must provide LITREV_TEST_POSTGRES_URL (see .ci/run)")
        pytest.skip("no PostgreSQL server: set LITREV_TEST_POSTGRES_URL")
    from sqlalchemy import create_engine, text

    admin = create_engine(POSTGRES_URL)
    made: list[str] = []

    def make() -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {name}"))
        made.append(name)
        return f"{POSTGRES_URL}?options=-csearch_path%3D{name}"

    yield make
    with admin.begin() as conn:
        for name in made:
            conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
    admin.dispose()


@pytest.fixture
def postgres_url(postgres_schemas: Callable[[], str]) -> str:
    """The URL of one fresh PostgreSQL schema (see `postgres_schemas`)."""
    return postgres_schemas()


@pytest.fixture
def postgres_store(postgres_url: str) -> Iterator[Store]:
    """A litrev Store on a fresh PostgreSQL schema, migrated to the newest version."""
    from litrev.store import Store

    store = Store.open(postgres_url)
    yield store
    store.close()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a headless Chromium in a container: no sandbox, GPU or network side-traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium under Playwright, one per module (skip without it; under CI, fail)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (see .ci/run)")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def docstring_examples() -> Callable[[str], None]:
    """A check that a module (by dotted name) has docstring examples and all give what they show."""

    def check(name: str) -> None:
        import doctest
        import importlib

        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0, f"{name} has no examples"
        assert result.failed == 0

    return check
