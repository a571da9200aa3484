"""Notes and tags: validation, author-only removal, idempotent tags, counts, audit entries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from litrev.screening.decisions import Screening
from litrev.screening.demo import add_records
from litrev.screening.model import ScreeningError
from litrev.screening.notes import (
    add_note,
    add_tag,
    notes_for,
    remove_note,
    remove_tag,
    tag_counts,
    tags_for,
)
from litrev.store import Store, schema

TA, FT = "title_abstract", "full_text"


@pytest.fixture
def s() -> Screening:
    screening = Screening(Store.open("sqlite://"))
    screening.configure(TA, by="lead", blind=False)
    add_records(screening.store, 3)
    return screening


def _actions(store: Store) -> list[str]:
    with store.connect() as conn:
        return list(conn.execute(select(schema.audit_log.c.action)).scalars())


def test_note_validation(s: Screening) -> None:
    with pytest.raises(ScreeningError, match="no such record"):
        add_note(s.store, 99, TA, "ann", "x")
    with pytest.raises(ScreeningError, match="1 to 10000 characters"):
        add_note(s.store, 1, TA, "ann", "   ")
    with pytest.raises(ScreeningError, match="got 10001"):
        add_note(s.store, 1, TA, "ann", "x" * 10_001)
    with pytest.raises(ScreeningError, match="unknown stage"):
        add_note(s.store, 1, "abstract", "ann", "x")
    assert add_note(s.store, 1, TA, "ann", "y" * 10_000).text == "y" * 10_000
    with s.store.connect() as conn:
        assert conn.execute(select(schema.record_notes.c.id)).all() != []


def test_only_the_author_removes_a_note(s: Screening) -> None:
    note = add_note(s.store, 1, TA, "ann", "<script>alert(1)</script> stays text")
    with pytest.raises(ScreeningError, match="only its author"):
        remove_note(s.store, note.id, by="bob")
    assert [n.id for n in notes_for(s, 1, TA, "bob")] == [note.id]
    remove_note(s.store, note.id, by="ann")
    assert notes_for(s, 1, TA, "ann") == []
    with pytest.raises(ScreeningError, match="no such note"):
        remove_note(s.store, note.id, by="ann")
    assert _actions(s.store).count("screening.remove_note") == 1


def test_notes_are_per_stage(s: Screening) -> None:
    add_note(s.store, 1, TA, "ann", "at ta")
    add_note(s.store, 1, "ft", "ann", "at ft")
    assert [n.text for n in notes_for(s, 1, "ta", "ann")] == ["at ta"]
    assert [n.stage for n in notes_for(s, 1, FT, "ann")] == [FT]


def test_tags_normalised_and_idempotent_per_author(s: Screening) -> None:
    first = add_tag(s.store, 1, TA, "ann", "  Care \t homes ")
    again = add_tag(s.store, 1, TA, "ann", "care HOMES")
    assert first.tag == "Care homes" and again.id == first.id
    add_tag(s.store, 1, TA, "bob", "care homes")  # bob's own tag on the same record
    add_tag(s.store, 2, TA, "bob", "RCT")
    add_tag(s.store, 3, TA, "ann", "rct")
    assert len(tags_for(s, 1, TA, "ann")) == 2
    assert tag_counts(s, TA, "ann") == {"Care homes": 1, "RCT": 2}
    assert _actions(s.store).count("screening.tag") == 4
    for bad in ["", "   ", "x" * 65, "a\x00b", "tab\u200bbed"]:
        with pytest.raises(ScreeningError, match="tag"):
            add_tag(s.store, 1, TA, "ann", bad)
    with pytest.raises(ScreeningError, match="no such record"):
        add_tag(s.store, 42, TA, "ann", "x")


def test_remove_tag(s: Screening) -> None:
    add_tag(s.store, 1, TA, "ann", "later")
    with pytest.raises(ScreeningError, match="no tag 'later' by bob"):
        remove_tag(s.store, 1, TA, "bob", "later")
    remove_tag(s.store, 1, TA, "ann", "LATER")
    assert tags_for(s, 1, TA, "ann") == []
    assert tag_counts(s, TA, "ann") == {}
    # added again after removal: a new row
    assert add_tag(s.store, 1, TA, "ann", "later").tag == "later"
    assert _actions(s.store).count("screening.untag") == 1


def test_double_submitted_note_is_added_once(s: Screening) -> None:
    first = add_note(s.store, 1, TA, "ann", "check the setting", idempotency_key="n-1")
    again = add_note(s.store, 1, TA, "ann", "check the setting ", idempotency_key="n-1")
    assert again == first
    assert len(notes_for(s, 1, TA, "ann")) == 1
    with pytest.raises(ScreeningError, match="different request"):
        add_note(s.store, 1, TA, "ann", "another text", idempotency_key="n-1")
    with pytest.raises(ScreeningError, match="another user's"):
        add_note(s.store, 1, TA, "bob", "check the setting", idempotency_key="n-1")
    assert _actions(s.store).count("screening.note") == 1
