"""`litrev.extraction.values`: saving one extractor's values (good ones saved, bad ones handed
back), deleting with "", completing, progress, and the refusals (not included, not assigned,
consensus)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from litrev.extraction.assign import assign_extractors
from litrev.extraction.values import (
    ExtractionError,
    progress,
    read_values,
    save_values,
)
from litrev.project import Project
from litrev.screening import Screening
from litrev.store import schema

from .extraction_review import make_review


@pytest.fixture
def review(tmp_path: Path) -> tuple[Project, list[int], Screening]:
    project, ids = make_review(tmp_path / "r", records=3, excluded=1)
    return project, ids, Screening.from_protocol(project.store, project.protocol)


def _save(review, record_id, who, values, **kw):
    project, _, screening = review
    return save_values(
        project.store,
        project.protocol.codebook,
        record_id,
        who,
        {(k, 0): v for k, v in values.items()},
        actor=who,
        screening=screening,
        **kw,
    )


def test_good_values_save_and_bad_ones_come_back(review) -> None:
    project, ids, _ = review
    result = _save(
        review, ids[0], "ines", {"delivery": "teachr", "pupils": "2,5", "aim": "More PE"}
    )
    assert result.saved == [("aim", 0)]
    assert result.problems == {
        ("delivery", 0): "expected one of 'teacher', 'coach', 'peer', 'digital' for 'delivery', "
        "got 'teachr' (did you mean 'teacher'?)",
        ("pupils", 0): "expected a number for 'pupils' with '.' as the decimal point, got '2,5'",
    }
    assert result.state == "in_progress"
    stored = read_values(project.store, ids[0], "ines")
    assert {k: v.value for k, v in stored.items()} == {("aim", 0): "More PE"}
    assert stored[("aim", 0)].reviewer == "ines" and stored[("aim", 0)].at is not None


def test_empty_deletes_and_unchanged_writes_nothing(review) -> None:
    project, ids, _ = review
    _save(review, ids[0], "ines", {"aim": "More PE", "pupils": "120"})
    with project.store.connect() as conn:
        logged = conn.execute(select(func.count()).select_from(schema.audit_log)).scalar()
    again = _save(review, ids[0], "ines", {"aim": "More PE"})
    assert again.saved == []
    with project.store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.audit_log)).scalar() == logged
    gone = _save(review, ids[0], "ines", {"pupils": ""})
    assert gone.saved == [("pupils", 0)]
    assert set(read_values(project.store, ids[0], "ines")) == {("aim", 0)}
    with project.store.connect() as conn:
        rows = conn.execute(
            select(func.count())
            .select_from(schema.extractions)
            .where(schema.extractions.c.record_id == ids[0])
        ).scalar()
    assert rows == 1  # one row per key: a save replaces, a deletion removes


def test_complete_only_when_nothing_is_missing(review) -> None:
    project, ids, _ = review
    first = _save(review, ids[0], "ines", {"aim": "More PE"}, complete=True)
    assert first.state == "in_progress"
    assert first.missing == {("delivery", 0): "'delivery' is required but empty"}
    done = _save(review, ids[0], "ines", {"delivery": "coach"}, complete=True)
    assert (done.state, done.missing) == ("complete", {})
    # Clearing a required value of a completed extraction sends it back to in progress.
    undone = _save(review, ids[0], "ines", {"delivery": ""})
    assert undone.state == "in_progress"
    assert [(p.record_id, p.reviewer, p.state) for p in progress(project.store)] == [
        (ids[0], "ines", "in_progress")
    ]
    with project.store.connect() as conn:
        actions = (
            conn.execute(
                select(schema.audit_log.c.detail).where(
                    schema.audit_log.c.action == "save_extraction"
                )
            )
            .scalars()
            .all()
        )
    assert [d["state"] for d in actions] == ["in_progress", "complete", "in_progress"]
    assert actions[1]["values"] == [{"field": "delivery", "instance": 0, "value": "coach"}]


def test_refusals(review) -> None:
    project, ids, screening = review
    excluded = ids[-1] + 1
    with pytest.raises(ExtractionError, match=f"record {excluded} is excluded at title_abstract"):
        _save(review, excluded, "ines", {"aim": "x"})
    with pytest.raises(ExtractionError, match="written by reconciliation"):
        _save(review, ids[0], "consensus", {"aim": "x"})
    assign_extractors(project.store, ids, ["ines", "tomas"], 1, by="uma", screening=screening)
    from litrev.extraction.assign import extractors_of

    theirs = next(r for r in ids if extractors_of(project.store, r) == ["tomas"])
    with pytest.raises(ExtractionError, match=f"record {theirs} is not assigned to ines"):
        _save(review, theirs, "ines", {"aim": "x"})
    assert _save(review, theirs, "ines", {"aim": "x"}, is_lead=True).saved == [("aim", 0)]
    assert read_values(project.store, excluded, "ines") == {}


def test_unknown_field_and_wrong_instance(review) -> None:
    project, ids, screening = review
    result = save_values(
        project.store,
        project.protocol.codebook,
        ids[1],
        "tomas",
        {("delivry", 0): "coach", ("aim", 2): "x"},
        actor="tomas",
        screening=screening,
    )
    assert result.saved == []
    assert result.problems[("delivry", 0)].startswith(
        "'delivry' is not a codebook field (did you mean 'delivery'?)"
    )
    assert result.problems[("aim", 2)] == ("'aim' is not in a repeating group; it has no row 2")


def test_an_imported_extraction_is_complete_and_checked_again_when_edited(review, tmp_path) -> None:
    from litrev.extraction import import_table

    project, ids, screening = review
    table = tmp_path / "ines.csv"
    table.write_text(f"record_id,delivery,aim\n{ids[0]},peer,Peer leaders\n", encoding="utf-8")
    import_table(
        project.store, table, project.protocol.codebook, reviewer="ines", screening=screening
    )
    assert [p.state for p in progress(project.store, "ines")] == ["complete"]
    assert _save(review, ids[0], "ines", {"aim": "Peer-led play"}).state == "complete"
    assert _save(review, ids[0], "ines", {"delivery": ""}).state == "in_progress"


def test_key_problem_names_a_renamed_field_as_check_values_does() -> None:
    """A key under a field's old name gets the same message whether or not it carries a value
    (key_problem is check_values's structural check: before, it said only 'not a codebook
    field' for a renamed one)."""
    from litrev.extraction.codebook import check_values
    from litrev.extraction.values import key_problem
    from litrev.protocol import Codebook, CodebookField

    codebook = Codebook(fields=[CodebookField(name="country", renamed_from=["nation"])])
    assert (
        key_problem(codebook, ("nation", 0)) == "'nation' is now called 'country' in the codebook"
    )
    assert check_values(codebook, {("nation", 0): "UK"}, complete=False) == {
        ("nation", 0): "'nation' is now called 'country' in the codebook"
    }
    assert key_problem(codebook, ("country", 0)) is None
