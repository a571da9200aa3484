"""The API's OpenAPI schema under schemathesis: every /api/ operation, fed generated valid and
invalid input with a real API token, never answers 5xx and always answers as documented."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import make_review  # noqa: E402

KEY = "telehealth-hf"
EXAMPLES = 10  # per operation and mode: the whole test stays well under a minute
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_review(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """One SQLite review for the whole module (state builds up as a real one would) and the
    lead's API token, so every operation is reachable."""
    made = make_review(Path(tmp_path_factory.mktemp("schemathesis")) / "review", "sqlite")
    token = made.workspace.accounts.create_token("lena", "schemathesis")
    yield made.app, token
    made.workspace.close()


def _operations(app: Any) -> list[Any]:
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in loaded.get_all_operations()]
    return [op for op in operations if op.path.startswith("/api/")]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_api_operations_never_fail_and_match_their_schema(
    api_review: tuple[Any, str], mode: str
) -> None:
    """Each operation with generated input (valid, then invalid): a failure names the
    operation and schemathesis's account of the request and the check that failed."""
    from hypothesis import given
    from schemathesis.generation.modes import GenerationMode

    app, token = api_review
    operations = _operations(app)
    assert len(operations) >= 15
    failures = []
    statuses: dict[int, int] = {}
    for operation in operations:
        strategy = operation.as_strategy(
            GenerationMode(mode),
            # One served review: a random key would only ever 404.
            path_parameters={"key": KEY} if "{key}" in operation.path else None,
        )

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
            )
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        try:
            run()
        except Exception as error:  # collected, so one failing operation does not hide others
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)
    # The cases did reach the handlers: some were accepted, some refused with a message.
    print(f"{mode}: responses by status {sorted(statuses.items())}")
    assert sum(statuses.values()) >= 2 * len(operations)
    assert any(code < 300 for code in statuses) and any(code >= 400 for code in statuses)
