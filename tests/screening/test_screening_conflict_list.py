"""litrev.screening.conflict_list: what each person sees of a conflict, and who may settle it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from litrev.screening.conflict_list import (
    NotAllowed,
    conflict_board,
    conflict_item,
    may_resolve,
    resolve_conflict,
)
from litrev.screening.decisions import Screening
from litrev.screening.demo import add_records
from litrev.screening.model import ScreeningError, State
from litrev.store import Store

TA = "title_abstract"


def test_examples(docstring_examples: Callable[[str], None]) -> None:
    docstring_examples("litrev.screening.conflict_list")


@pytest.fixture
def screening() -> Screening:
    s = Screening(Store.open("sqlite://"), exclusion_reasons=["Wrong population", "Wrong setting"])
    add_records(s.store, 4)
    s.decide(1, reviewer="ann", stage=TA, decision="include", note="ANN-NOTE")
    s.decide(1, reviewer="bob", stage=TA, decision="maybe")
    s.decide(2, reviewer="ann", stage=TA, decision="exclude", reason="1")
    s.decide(2, reviewer="cy", stage=TA, decision="exclude", reason="2")
    s.decide(3, reviewer="bob", stage=TA, decision="include")  # awaiting a second reviewer
    return s


def test_blind_records_are_left_out_and_counted(screening: Screening) -> None:
    ann = conflict_board(screening, TA, "ann")
    assert [(i.record_id, i.kind) for i in ann.conflicts] == [(1, "maybe")]
    assert [i.record_id for i in ann.reasons] == [2] and ann.hidden == 0
    [item] = ann.conflicts
    assert [v.reviewer for v in item.votes] == ["ann", "bob"]
    assert item.votes[0].note == "ANN-NOTE"
    # cy decided neither record 1 nor 3; record 1 is blind to cy, record 2 (theirs) is not
    cy = conflict_board(screening, TA, "cy")
    assert cy.conflicts == [] and [i.record_id for i in cy.reasons] == [2] and cy.hidden == 1
    viewer = conflict_board(screening, TA, "vic", role="viewer")
    assert viewer.conflicts == viewer.reasons == [] and viewer.hidden == 2
    lead = conflict_board(screening, TA, "lee", role="lead")
    assert [i.record_id for i in lead.conflicts] == [1] and lead.hidden == 0
    # one blind record asked for by id names nobody and nothing
    alone = conflict_item(screening, 1, TA, "cy")
    assert alone.blind and alone.kind == "blind" and alone.deciders == alone.votes == ()


def test_who_may_resolve(screening: Screening) -> None:
    item = conflict_item(screening, 1, TA, "ann")
    assert may_resolve(item, "ann") and may_resolve(item, "bob")
    assert not may_resolve(item, "cy")
    assert may_resolve(item, "lee", role="lead")
    assert not may_resolve(item, "ann", role="viewer")


def test_resolving_checks_the_person_and_notes_who_agreed(screening: Screening) -> None:
    with pytest.raises(NotAllowed, match="only the lead or a reviewer who decided record 1"):
        resolve_conflict(screening, 1, stage=TA, decision="include", by="cy")
    with pytest.raises(NotAllowed, match="third reviewer's resolution is the lead's"):
        resolve_conflict(
            screening, 1, stage=TA, decision="include", by="ann", method="third_reviewer"
        )
    with pytest.raises(NotAllowed, match="viewer"):
        resolve_conflict(screening, 1, stage=TA, decision="include", by="ann", role="viewer")
    with pytest.raises(ScreeningError, match="unknown resolution method 'vote'"):
        resolve_conflict(screening, 1, stage=TA, decision="include", by="ann", method="vote")
    assert screening.outcome(1, TA).state is State.CONFLICT
    # the lead by consensus: the note names the reviewers and the lead
    event = resolve_conflict(
        screening,
        1,
        stage=TA,
        decision="include",
        by="lee",
        role="lead",
        method="consensus",
        note="on a call",
    )
    assert event.note == "consensus of ann, bob and lee: on a call"
    assert event.resolution == "consensus"
    assert screening.outcome(1, TA).state is State.RESOLVED
    # with no method the lead, who did not decide it, is the third reviewer
    screening.undo(reviewer="lee", stage=TA, record_id=1, resolution=True)
    event = resolve_conflict(screening, 1, stage=TA, decision="include", by="lee", role="lead")
    assert event.resolution == "third_reviewer" and event.note is None
    # a reason mismatch at title/abstract is no conflict: nothing to resolve
    with pytest.raises(ScreeningError, match="record 2 has no conflict"):
        resolve_conflict(screening, 2, stage=TA, decision="exclude", reason="1", by="ann")


def test_paging_keeps_the_totals(screening: Screening) -> None:
    add_records(screening.store, 3)
    for rid in (5, 6, 7):
        screening.decide(rid, reviewer="ann", stage=TA, decision="include")
        screening.decide(rid, reviewer="bob", stage=TA, decision="exclude", reason="1")
    page = conflict_board(screening, TA, "ann", offset=1, limit=2)
    assert [i.record_id for i in page.conflicts] == [5, 6]
    assert page.totals == (4, 1, 0)
    assert conflict_board(screening, TA, "ann", limit=0).conflicts == []
