"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests: no per-example deadline (a shared 2-core machine makes timings noisy), and in CI
# the same examples every run, so a red build can be reproduced.
settings.register_profile("default-litrev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default-litrev")

REPO = Path(__file__).resolve().parents[1]
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
    from litrev.synthesis.report import write_report

    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01: stable report dates
    out = tmp_path_factory.mktemp("demo") / "coproduction-review"
    project = build_example("coproduction-models", out)
    write_report(project)
    project.store.close()
    return out
