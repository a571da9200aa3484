"""Two reviewers deciding a record's last open place at once: only one gets it.

The workspace used to check the allocation (`require_may_screen`) before opening the decision's
transaction, so a second reviewer could pass the check while the first one's decision was being
written, and the record ended with more reviewers than the stage requires. The check now runs
inside the write transaction (`Screening.decide(..., enforce_allocation=True)`): on SQLite
under the writer lock, on PostgreSQL under a per-record advisory lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from litrev.screening.allocation import require_may_screen
from litrev.screening.decisions import DecisionInput, Screening
from litrev.screening.demo import add_records
from litrev.screening.log import append_events, write_transaction
from litrev.screening.model import ScreeningError
from litrev.store import Store

STAGE = "title_abstract"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'race.db'}"
    make: Callable[[], str] = request.getfixturevalue("postgres_schemas")
    return make()


def test_the_last_place_goes_to_one_reviewer(store_url: str) -> None:
    first = Screening(Store.open(store_url))
    (record,) = add_records(first.store, 1)
    first.configure(STAGE, reviewers_required=2, by="lead")
    first.decide(record, reviewer="ann", stage=STAGE, decision="include")
    second = Screening(Store.open(store_url))  # another worker of the server, its own pool

    inside, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def bo_decides_slowly() -> None:
        # Bo's decision, allowed and written, but its transaction still open.
        with write_transaction(first.store) as conn:
            require_may_screen(first, STAGE, "bo", record, conn)
            item = DecisionInput(record, "bo", STAGE, "exclude", None, None)
            pending, problems = first._prepare(conn, [item])
            assert not problems
            append_events(conn, pending, action="screening.decide")
            inside.set()
            release.wait(timeout=30)

    def cy_decides() -> None:
        try:
            second.decide(
                record, reviewer="cy", stage=STAGE, decision="include", enforce_allocation=True
            )
            outcome["cy"] = "written"
        except ScreeningError as refused:
            outcome["cy"] = str(refused)

    bo = threading.Thread(target=bo_decides_slowly)
    bo.start()
    assert inside.wait(timeout=30)
    cy = threading.Thread(target=cy_decides)
    cy.start()
    cy.join(timeout=0.5)
    assert cy.is_alive(), "cy's decision must wait for bo's transaction, not check beside it"
    release.set()
    bo.join(timeout=30)
    cy.join(timeout=30)

    assert outcome["cy"] == f"record {record} already has its 2 decision(s) at {STAGE}"
    deciders = {e.reviewer for e in first.events(STAGE) if e.record_id == record}
    assert deciders == {"ann", "bo"}
    first.store.close()
    second.store.close()


def test_changing_ones_own_decision_is_always_allowed(tmp_path: Path) -> None:
    screening = Screening(Store.open(f"sqlite:///{tmp_path / 'own.db'}"))
    (record,) = add_records(screening.store, 1)
    screening.configure(STAGE, reviewers_required=1, by="lead")
    screening.decide(record, reviewer="ann", stage=STAGE, decision="include")
    with pytest.raises(ScreeningError, match="already has its 1 decision"):
        screening.decide(
            record, reviewer="bo", stage=STAGE, decision="include", enforce_allocation=True
        )
    changed = screening.decide(
        record, reviewer="ann", stage=STAGE, decision="exclude", enforce_allocation=True
    )
    assert changed.decision == "exclude"
