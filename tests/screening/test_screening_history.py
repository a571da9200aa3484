"""A record's history: every kind of item, oldest first, and blind mode per stage."""

from __future__ import annotations

import io

import pytest

from litrev.screening.allocation import assign, unassign
from litrev.screening.decisions import Screening
from litrev.screening.demo import add_records
from litrev.screening.fulltext import attach
from litrev.screening.history import WHATS, record_history
from litrev.screening.notes import add_note, add_tag, remove_note, remove_tag
from litrev.store import Store

TA, FT = "title_abstract", "full_text"


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def s() -> Screening:
    screening = Screening(Store.open("sqlite://"), reviewers=["ann", "bob", "cat", "lead"])
    add_records(screening.store, 2)
    return screening


def test_every_kind_of_item_in_order(s: Screening) -> None:
    assign(s, TA, "ann", [1], by="lead")
    assign(s, TA, "cat", [1], by="lead")
    unassign(s, TA, "cat", [1], by="lead")
    s.decide(1, reviewer="ann", stage=TA, decision="include")
    s.decide(1, reviewer="ann", stage=TA, decision="exclude", reason="off topic")
    s.undo(reviewer="ann", stage=TA, record_id=1)
    add_note(s.store, 1, TA, "ann", "ask the lead")
    gone = add_note(s.store, 1, TA, "ann", "typo")
    remove_note(s.store, gone.id, by="ann")
    add_tag(s.store, 1, TA, "ann", "later")
    remove_tag(s.store, 1, TA, "ann", "later")
    s.decide(1, reviewer="bob", stage=TA, decision="maybe")
    s.resolve(1, stage=TA, decision="include", by="lead")
    attach(s, 1, "report.pdf", _pdf(), by="bob")
    s.decide(1, reviewer="ann", stage=FT, decision="include")
    items = record_history(s, 1, "ann")
    assert [(h.who, h.what) for h in items] == [
        ("lead", "assigned"),
        ("lead", "assigned"),
        ("lead", "unassigned"),
        ("ann", "decided"),
        ("ann", "changed"),
        ("ann", "undid"),
        ("ann", "note"),
        ("ann", "tag"),
        ("ann", "untagged"),
        ("bob", "decided"),
        ("lead", "resolved"),
        ("bob", "fulltext"),
        ("ann", "decided"),
    ]
    details = [h.detail for h in items]
    assert details[1] == "to cat at title_abstract"
    assert details[4] == "exclude (off topic) at title_abstract, was include"
    assert details[5] == "undid decision exclude (off topic) at title_abstract"
    assert details[10] == "include at title_abstract (third reviewer)"
    assert details[11].startswith("report.pdf, ")
    assert items[-1].stage == FT
    assert all(h.what in WHATS for h in items)
    assert [h.at for h in items] == sorted(h.at for h in items)
    assert all(h.at.tzinfo is not None for h in items)


def test_blind_per_stage(s: Screening) -> None:
    for who in ("ann", "bob"):
        s.decide(1, reviewer=who, stage=TA, decision="include")
    s.decide(1, reviewer="ann", stage=FT, decision="exclude", reason="no data")
    add_note(s.store, 1, FT, "ann", "no outcome data")
    # bob: title/abstract unblinded (both decided), full text still blind
    bob = record_history(s, 1, "bob")
    assert [(h.who, h.stage) for h in bob] == [("ann", TA), ("bob", TA)]
    # cat decided nothing: blind at both stages
    assert record_history(s, 1, "cat") == []
    # the lead: title/abstract has its two, full text only one
    assert [h.stage for h in record_history(s, 1, "lead", role="lead")] == [TA, TA]
    s.decide(1, reviewer="bob", stage=FT, decision="exclude", reason="no data")
    assert [h.what for h in record_history(s, 1, "bob")] == [
        "decided",
        "decided",
        "decided",
        "note",
        "decided",
    ]
    assert len(record_history(s, 1, "lead", role="lead")) == 5
