"""Work allocation: every record to N distinct reviewers, balanced, deterministic; what each
reviewer screens next; progress and records awaiting a second reviewer. On SQLite and
PostgreSQL."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from litrev.screening.allocation import (
    allocate,
    assign,
    assigned,
    awaiting_second,
    next_records,
    progress,
    require_may_screen,
    unassign,
)
from litrev.screening.decisions import Screening
from litrev.screening.demo import add_records
from litrev.screening.model import ScreeningError
from litrev.store import Store, schema

TA, FT = "title_abstract", "full_text"
TEAM = ["ann", "bob", "cat"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "postgres":
        return request.getfixturevalue("postgres_store")
    return Store.open(tmp_path / "litrev.db")  # a file: threads share it


def _screening(store: Store, n: int = 31) -> Screening:
    s = Screening(store, reviewers=[*TEAM, "dan", "lead"])
    add_records(store, n)
    return s


def _per_record(s: Screening, stage: str = TA) -> dict[int, list[str]]:
    t = schema.assignments
    with s.store.connect() as conn:
        rows = conn.execute(
            select(t.c.record_id, t.c.reviewer).where(t.c.stage == stage, t.c.removed_at.is_(None))
        ).all()
    out: dict[int, list[str]] = {}
    for record_id, who in rows:
        out.setdefault(record_id, []).append(who)
    return out


def test_two_per_record_over_three_reviewers(store: Store) -> None:
    s = _screening(store)
    plan = allocate(s, TA, TEAM, per_record=2, by="lead", seed=7)
    per_record = _per_record(s)
    assert sorted(per_record) == list(range(1, 32))
    assert all(len(who) == 2 == len(set(who)) for who in per_record.values())
    loads = [len(plan[w]) for w in TEAM]
    assert sum(loads) == 62 and max(loads) - min(loads) <= 1
    assert {w: assigned(s, TA, w) for w in TEAM} == plan
    # deterministic for a seed: the same plan on a fresh store
    other = _screening(Store.open("sqlite://"))
    assert allocate(other, TA, TEAM, per_record=2, by="lead", seed=7) == plan
    # allocating again assigns nothing new
    assert allocate(s, TA, TEAM, per_record=2, by="lead") == {w: [] for w in TEAM}


def test_next_records_stop_at_two_live_decisions(store: Store) -> None:
    s = _screening(store, 12)
    plan = allocate(s, TA, TEAM, by="lead")  # per_record defaults to reviewers_required = 2
    assert all(len(w) == 2 for w in _per_record(s).values())
    ann = next_records(s, TA, "ann")
    assert ann == plan["ann"]
    shared = next(r for r in plan["ann"] if r in plan["bob"])
    s.decide(shared, reviewer="ann", stage=TA, decision="include")
    assert shared not in next_records(s, TA, "ann")
    assert shared in next_records(s, TA, "bob")
    assert awaiting_second(s, TA) == [shared]
    s.decide(shared, reviewer="bob", stage=TA, decision="exclude", reason="x")
    assert awaiting_second(s, TA) == []
    # a lead adds cat to that record: it has its two live decisions, so cat is not asked
    assign(s, TA, "cat", [shared], by="lead")
    assert shared not in next_records(s, TA, "cat")
    # order: the ranked order first, records missing from it after, by id
    rest = next_records(s, TA, "ann")
    ranked = list(reversed(rest[1:]))
    assert next_records(s, TA, "ann", order=[*ranked, 999]) == [*ranked, rest[0]]


def test_without_allocation_everyone_may_screen(store: Store) -> None:
    s = _screening(store, 4)
    assert assigned(s, TA, "ann") is None
    assert next_records(s, TA, "ann") == [1, 2, 3, 4]
    s.decide(1, reviewer="bob", stage=TA, decision="include")
    s.decide(1, reviewer="cat", stage=TA, decision="include")
    s.decide(2, reviewer="bob", stage=TA, decision="include")
    assert next_records(s, TA, "ann") == [2, 3, 4]
    rows = {p.reviewer: p for p in progress(s, TA)}
    assert rows["bob"].assigned is None and rows["bob"].decided == 2
    assert rows["bob"].remaining == 2 and rows["ann"].remaining == 3


def test_shares_and_existing_decisions(store: Store) -> None:
    s = _screening(store, 40)
    # ann already screened record 1: her decision fills one of its slots
    s.decide(1, reviewer="ann", stage=TA, decision="include")
    plan = allocate(s, TA, ["ann", "bob"], per_record=1, shares={"ann": 3, "bob": 1}, by="lead")
    assert 1 not in plan["ann"] + plan["bob"]
    # 39 records shared 3:1 is 29.25 and 9.75: each within one record of that
    assert (len(plan["ann"]), len(plan["bob"])) == (29, 10)
    assert not set(plan["ann"]) & set(plan["bob"])


def test_topping_up_a_partial_allocation(store: Store) -> None:
    s = _screening(store, 6)
    assign(s, TA, "ann", [1, 2, 3, 4, 5, 6], by="lead")
    plan = allocate(s, TA, TEAM, per_record=2, by="lead")
    assert plan["ann"] == []
    assert sorted(plan["bob"] + plan["cat"]) == [1, 2, 3, 4, 5, 6]
    assert abs(len(plan["bob"]) - len(plan["cat"])) <= 1


def test_refusals(store: Store) -> None:
    s = _screening(store, 3)
    with pytest.raises(ScreeningError, match="needs at least 3 distinct reviewers"):
        allocate(s, TA, ["ann", "bob"], per_record=3, by="lead")
    with pytest.raises(ScreeningError, match="did you mean 'ann'"):
        allocate(s, TA, ["anne", "bob"], by="lead")
    for bad in [0, -1, float("nan"), float("inf"), "lots"]:
        with pytest.raises(ScreeningError, match="greater than 0"):
            allocate(s, TA, ["ann", "bob"], shares={"ann": 1, "bob": bad}, by="lead")  # type: ignore[dict-item]
    with pytest.raises(ScreeningError, match="no share for bob"):
        allocate(s, TA, ["ann", "bob"], per_record=1, shares={"ann": 1}, by="lead")
    with pytest.raises(ScreeningError, match="not being allocated: zed"):
        allocate(s, TA, ["ann", "bob"], shares={"ann": 1, "bob": 1, "zed": 1}, by="lead")
    with pytest.raises(ScreeningError, match="named twice"):
        allocate(s, TA, ["ann", "ann"], per_record=1, by="lead")
    with pytest.raises(ScreeningError, match=r"not to be screened at title_abstract.*: 99"):
        assign(s, TA, "ann", [1, 99], by="lead")
    # full text: only records included at title/abstract
    with pytest.raises(ScreeningError, match="not to be screened at full_text"):
        assign(s, FT, "ann", [1], by="lead")
    assert _per_record(s) == {}


def test_full_text_allocation_and_unassign(store: Store) -> None:
    s = _screening(store, 5)
    for r in (1, 2, 3):
        for who in ("ann", "bob"):
            s.decide(r, reviewer=who, stage=TA, decision="include")
    plan = allocate(s, FT, TEAM, per_record=2, by="lead")
    assert sorted(r for ids in plan.values() for r in ids) == [1, 1, 2, 2, 3, 3]
    assert assigned(s, TA, "ann") is None  # full text's allocation is its own
    who = next(w for w in TEAM if plan[w])
    assert unassign(s, FT, who, plan[who] + [5], by="lead") == len(plan[who])
    assert assigned(s, FT, who) == []
    assert next_records(s, FT, who) == []
    with s.store.connect() as conn:
        actions = list(conn.execute(select(schema.audit_log.c.action)).scalars())
    assert actions.count("screening.allocate") == 1 and actions.count("screening.unassign") == 1


def test_two_leads_allocating_at_once_assign_each_slot_once(store: Store) -> None:
    import threading

    s = _screening(store, 30)
    barrier = threading.Barrier(2)
    plans: list[dict[str, list[int]]] = []

    def run() -> None:
        barrier.wait()
        plans.append(allocate(s, TA, TEAM, per_record=2, by="lead"))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(plans) == 2
    assert sorted(sum(len(ids) for ids in p.values()) for p in plans) == [0, 60]
    assert all(len(who) == 2 == len(set(who)) for who in _per_record(s).values())


def test_require_may_screen(store: Store) -> None:
    s = _screening(store, 3)
    require_may_screen(s, TA, "dan", 1)  # no allocation: anyone
    assign(s, TA, "ann", [1, 2], by="lead")
    assign(s, TA, "bob", [1], by="lead")
    with pytest.raises(ScreeningError, match="record 2 is not assigned to bob"):
        require_may_screen(s, TA, "bob", 2)
    s.decide(1, reviewer="ann", stage=TA, decision="include")
    s.decide(1, reviewer="bob", stage=TA, decision="include")
    assign(s, TA, "cat", [1], by="lead")
    with pytest.raises(ScreeningError, match="already has its 2 decision"):
        require_may_screen(s, TA, "cat", 1)
    require_may_screen(s, TA, "ann", 1)  # changing her own decision
    unassign(s, TA, "ann", [1], by="lead")
    require_may_screen(s, TA, "ann", 1)  # still her own live decision


@pytest.fixture(scope="module")
def shared() -> Screening:
    """One store for all examples (opening one runs every migration); each example screens its
    own three new records."""
    return Screening(Store.open("sqlite://"))


@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.sampled_from(["ann", "bob", "cat"]), st.booleans()),
        max_size=25,
    )
)
@settings(max_examples=40)
def test_next_records_follow_any_sequence_of_decisions_and_undos(
    shared: Screening, steps: list[tuple[int, str, bool]]
) -> None:
    from litrev.screening.model import current_decisions

    s = shared
    ids = add_records(s.store, 3)
    for k, who, undo in steps:
        if undo:
            with contextlib.suppress(ScreeningError):
                s.undo(reviewer=who, stage=TA, record_id=ids[k])
        else:
            s.decide(ids[k], reviewer=who, stage=TA, decision="maybe")
    live: dict[int, set[str]] = {}
    for record_id, who in current_decisions(s.events(TA, record_ids=ids)):
        live.setdefault(record_id, set()).add(who)
    for who in ("ann", "bob", "cat"):
        expected = [r for r in ids if who not in live.get(r, set()) and len(live.get(r, ())) < 2]
        assert [r for r in next_records(s, TA, who) if r in ids] == expected
    waiting = sorted(r for r, w in live.items() if len(w) == 1)
    assert [r for r in awaiting_second(s, TA) if r in ids] == waiting
