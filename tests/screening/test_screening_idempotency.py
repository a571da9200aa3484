"""Idempotency keys: a double-submitted decision, undo or resolution is recorded once, even
when the two submissions race (two threads on a SQLite file and on PostgreSQL)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from litrev.screening.decisions import Screening
from litrev.screening.demo import add_records
from litrev.screening.model import DecisionEvent, ScreeningError
from litrev.store import Store, schema

TA = "title_abstract"


def _count(store: Store, table: object) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "postgres":
        return request.getfixturevalue("postgres_store")
    return Store.open(tmp_path / "litrev.db")


def test_same_key_writes_once(store: Store) -> None:
    s = Screening(store)
    add_records(store, 2)
    first = s.decide(1, reviewer="ann", stage=TA, decision="include", idempotency_key="k-1")
    again = s.decide(1, reviewer="ann", stage="ta", decision="i", idempotency_key="k-1")
    assert again == first
    assert _count(store, schema.decisions) == 1
    assert _count(store, schema.idempotency_keys) == 1
    with store.connect() as conn:
        result = conn.execute(select(schema.idempotency_keys.c.result)).scalar_one()
        actions = list(conn.execute(select(schema.audit_log.c.action)).scalars())
    assert result["decision_id"] == first.id
    assert actions.count("screening.decide") == 1
    # without a key the same call is a new row, as before
    s.decide(1, reviewer="ann", stage=TA, decision="include")
    assert _count(store, schema.decisions) == 2


def test_key_of_another_user_or_request_refused(store: Store) -> None:
    s = Screening(store)
    add_records(store, 2)
    s.decide(1, reviewer="ann", stage=TA, decision="include", idempotency_key="k")
    with pytest.raises(ScreeningError, match="another user's"):
        s.decide(1, reviewer="bob", stage=TA, decision="include", idempotency_key="k")
    with pytest.raises(ScreeningError, match="different request"):
        s.decide(2, reviewer="ann", stage=TA, decision="include", idempotency_key="k")
    with pytest.raises(ScreeningError, match="1 to 128"):
        s.decide(2, reviewer="ann", stage=TA, decision="include", idempotency_key="x" * 129)
    assert _count(store, schema.decisions) == 1


def test_refused_decision_leaves_the_key_free(store: Store) -> None:
    s = Screening(store, exclusion_reasons=["Wrong population"])
    add_records(store, 1)
    with pytest.raises(ScreeningError, match="needs a reason"):
        s.decide(1, reviewer="ann", stage=TA, decision="exclude", idempotency_key="k")
    assert _count(store, schema.idempotency_keys) == 0
    made = s.decide(
        1, reviewer="ann", stage=TA, decision="exclude", reason="1", idempotency_key="k"
    )
    assert made.reason == "wrong-population"


def test_undo_and_resolve_with_keys(store: Store) -> None:
    s = Screening(store)
    add_records(store, 1)
    s.decide(1, reviewer="ann", stage=TA, decision="include")
    kept = s.decide(1, reviewer="ann", stage=TA, decision="maybe")
    undone = s.undo(reviewer="ann", stage=TA, record_id=1, idempotency_key="u1")
    again = s.undo(reviewer="ann", stage=TA, record_id=1, idempotency_key="u1")
    assert again.id == undone.id == kept.id and again.decision == "maybe"
    assert s.decision_of(1, TA, "ann").decision == "include"  # type: ignore[union-attr]
    s.decide(1, reviewer="bob", stage=TA, decision="exclude", reason="x")
    r1 = s.resolve(1, stage=TA, decision="include", by="cat", idempotency_key="r1")
    r2 = s.resolve(1, stage=TA, decision="include", by="cat", idempotency_key="r1")
    assert r1 == r2 and r1.resolution == "third_reviewer"
    with store.connect() as conn:
        actions = list(conn.execute(select(schema.audit_log.c.action)).scalars())
    assert actions.count("screening.undo") == 1 and actions.count("screening.resolve") == 1


def test_two_threads_one_key_one_decision(store: Store) -> None:
    s = Screening(store)
    add_records(store, 3)
    for round_ in range(5):
        results, errors = _race(s, f"race-{round_}", 1 + round_ % 3)
        assert errors == []
        assert len(results) == 2 and results[0] == results[1]
    assert _count(store, schema.decisions) == 5
    assert _count(store, schema.idempotency_keys) == 5


def _race(
    s: Screening, key: str, record_id: int
) -> tuple[list[DecisionEvent], list[BaseException]]:
    """Two threads submit the same decision with the same key at the same moment."""
    barrier = threading.Barrier(2)
    results: list[DecisionEvent] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait()
            results.append(
                s.decide(
                    record_id, reviewer="ann", stage=TA, decision="include", idempotency_key=key
                )
            )
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_in_memory_store_keeps_the_key_and_the_decision() -> None:
    """On `sqlite://` every connection of a thread is one: reading the stage settings on a
    second connection inside the decision's transaction used to end that transaction, so the
    key's claim was lost and a repeat wrote a second decision."""
    store = Store.open("sqlite://")
    s = Screening(store)
    add_records(store, 1)
    s.decide(1, reviewer="ann", stage=TA, decision="include", idempotency_key="mem")
    s.decide(1, reviewer="ann", stage=TA, decision="include", idempotency_key="mem")
    assert _count(store, schema.idempotency_keys) == 1
    assert _count(store, schema.decisions) == 1
