"""Blind mode, one rule for decisions, notes, tags and history: while a record is blind, bob
sees none of ann's work on it; after both decided, he does; a lead sees it once the required
number have decided."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from litrev.screening.blinding import blind_for, blind_records
from litrev.screening.decisions import Screening
from litrev.screening.demo import add_records
from litrev.screening.history import record_history
from litrev.screening.notes import add_note, add_tag, notes_for, tag_counts, tags_for
from litrev.store import Store

TA = "title_abstract"


@pytest.fixture
def s() -> Screening:
    screening = Screening(Store.open("sqlite://"), reviewers=["ann", "bob", "cat", "lead"])
    add_records(screening.store, 4)
    return screening


def _anns_work(s: Screening) -> None:
    s.decide(1, reviewer="ann", stage=TA, decision="exclude", reason="off topic")
    add_note(s.store, 1, TA, "ann", "care homes only")
    add_tag(s.store, 1, TA, "ann", "care-homes")


def test_blind_hides_everything_of_the_other_reviewer_until_both_decided(s: Screening) -> None:
    _anns_work(s)
    # bob has not decided: nothing of ann's anywhere
    assert blind_for(s, 1, TA, "bob")
    assert s.visible_decisions(1, TA, "bob") == []
    assert notes_for(s, 1, TA, "bob") == []
    assert tags_for(s, 1, TA, "bob") == []
    assert tag_counts(s, TA, "bob") == {}
    assert record_history(s, 1, "bob") == []
    # ann still sees her own
    assert [n.text for n in notes_for(s, 1, TA, "ann")] == ["care homes only"]
    assert tag_counts(s, TA, "ann") == {"care-homes": 1}
    # a lead before the required two have decided: blind too
    assert blind_for(s, 1, TA, "lead", role="lead")
    assert notes_for(s, 1, TA, "lead", role="lead") == []

    s.decide(1, reviewer="bob", stage=TA, decision="include")
    assert not blind_for(s, 1, TA, "bob")
    assert [v.reviewer for v in s.visible_decisions(1, TA, "bob")] == ["ann"]
    assert [n.author for n in notes_for(s, 1, TA, "bob")] == ["ann"]
    assert [t.tag for t in tags_for(s, 1, TA, "bob")] == ["care-homes"]
    assert tag_counts(s, TA, "bob") == {"care-homes": 1}
    assert {h.who for h in record_history(s, 1, "bob")} == {"ann", "bob"}
    # the lead sees once two decided, without deciding; cat (a reviewer who did not) does not
    assert [n.author for n in notes_for(s, 1, TA, "lead", role="lead")] == ["ann"]
    assert [v.reviewer for v in s.visible_decisions(1, TA, "lead", role="lead")] == [
        "ann",
        "bob",
    ]
    assert notes_for(s, 1, TA, "cat") == []
    assert s.visible_decisions(1, TA, "cat") == []


def test_notes_before_any_decision_are_blind(s: Screening) -> None:
    add_note(s.store, 2, TA, "ann", "looks like a protocol paper")
    assert notes_for(s, 2, TA, "bob") == []
    assert 2 in blind_records(s, TA, "bob")


def test_blind_records_agrees_with_blind_for(s: Screening) -> None:
    s.decide(1, reviewer="ann", stage=TA, decision="include")
    s.decide(1, reviewer="bob", stage=TA, decision="include")
    s.decide(2, reviewer="ann", stage=TA, decision="include")
    s.decide(3, reviewer="bob", stage=TA, decision="maybe")
    s.decide(3, reviewer="cat", stage=TA, decision="maybe")
    s.resolve(3, stage=TA, decision="include", by="lead")
    s.undo(reviewer="lead", stage=TA, record_id=3, resolution=True)
    s.decide(4, reviewer="ann", stage=TA, decision="include")
    s.decide(4, reviewer="bob", stage=TA, decision="include")
    s.undo(reviewer="bob", stage=TA, record_id=4)
    for viewer, role in [
        ("ann", "reviewer"),
        ("bob", "reviewer"),
        ("lead", "lead"),
        ("cat", "viewer"),
    ]:
        bulk = blind_records(s, TA, viewer, role=role)
        one = {r for r in range(1, 5) if blind_for(s, r, TA, viewer, role=role)}
        assert bulk == one, viewer
    assert blind_records(s, TA, "ann") == {2, 3, 4}
    assert blind_records(s, TA, "lead", role="lead") == {2, 4}


def test_not_blind_stage_shows_everything(s: Screening) -> None:
    s.configure(TA, by="lead", blind=False)
    _anns_work(s)
    assert not blind_for(s, 1, TA, "bob")
    assert blind_records(s, TA, "bob") == set()
    assert [n.author for n in notes_for(s, 1, TA, "bob")] == ["ann"]
    assert [h.what for h in record_history(s, 1, "bob")] == ["decided", "note", "tag"]


def test_single_reviewer_stage_unblinds_after_one(s: Screening) -> None:
    s.configure(TA, by="lead", reviewers_required=1)
    _anns_work(s)
    # one decision is all that is required, but bob has not decided: still blind to him
    assert blind_for(s, 1, TA, "bob")
    assert not blind_for(s, 1, TA, "lead", role="lead")


def test_undo_reblinds(s: Screening) -> None:
    _anns_work(s)
    s.decide(1, reviewer="bob", stage=TA, decision="include")
    assert notes_for(s, 1, TA, "bob")
    s.undo(reviewer="bob", stage=TA, record_id=1)
    assert notes_for(s, 1, TA, "bob") == []
    assert s.visible_decisions(1, TA, "bob") == []


@pytest.mark.parametrize(
    "module",
    ["blinding", "notes", "allocation", "gates", "fulltext", "fulltext_match", "history", "log"],
)
def test_docstring_examples(module: str, docstring_examples: Callable[[str], None]) -> None:
    docstring_examples(f"litrev.screening.{module}")
