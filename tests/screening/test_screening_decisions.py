"""Decisions: stages, reasons, blind mode, undo, conflicts, resolution, audit log, flow counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from litrev.examples.reasons import exclusion_reasons
from litrev.screening import (
    Screening,
    ScreeningError,
    StageSettings,
    State,
    flow_counts,
)
from litrev.screening.decisions import DecisionInput
from litrev.screening.demo import add_records
from litrev.store import Store, schema

TA, FT = "title_abstract", "full_text"

REASONS = exclusion_reasons("coproduction-models")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "litrev.db")
    add_records(store, 6)
    return store


@pytest.fixture
def screening(store: Store) -> Screening:
    return Screening(store, exclusion_reasons=REASONS)


def _count(store: Store, table) -> int:  # type: ignore[no-untyped-def]
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_agreeing_reviewers_settle_a_record(screening: Screening) -> None:
    screening.decide(1, reviewer="xx", stage=TA, decision="exclude", reason="no-coproduction-model")
    assert screening.outcome(1, TA).state is State.AWAITING
    screening.decide(1, reviewer="yy", stage=TA, decision="exclude", reason="2")
    result = screening.outcome(1, TA)
    assert (result.state, result.decision, result.reason) == (
        State.AGREED,
        "exclude",
        "no-coproduction-model",
    )


def test_exclusion_needs_a_protocol_reason(screening: Screening) -> None:
    with pytest.raises(ScreeningError, match="needs a reason"):
        screening.decide(1, reviewer="xx", stage=TA, decision="exclude")
    with pytest.raises(ScreeningError, match="unknown exclusion reason 'too old'"):
        screening.decide(1, reviewer="xx", stage=TA, decision="exclude", reason="too old")
    with pytest.raises(ScreeningError, match="only exclude has one"):
        screening.decide(
            1, reviewer="xx", stage=TA, decision="include", reason="no-coproduction-model"
        )
    event = screening.decide(
        1, reviewer="xx", stage=TA, decision="exclude", reason="Conference paper"
    )
    assert event.reason == "conference-paper"


def test_reasons_given_as_plain_list_and_stage_specific_objects(store: Store) -> None:
    class ProtocolReason:  # the shape of litrev.protocol.ExclusionReason
        def __init__(self, code: str, label: str, stages: list[str]) -> None:
            self.code, self.label, self.stages = code, label, stages

    s = Screening(store, exclusion_reasons=[ProtocolReason("no-pdf", "No full text", [FT])])
    assert s.reasons_for(TA) == ()
    # No reasons apply at title/abstract, so any reason text (or none) is accepted there.
    s.decide(1, reviewer="xx", stage=TA, decision="exclude")
    plain = Screening(store, exclusion_reasons=["Wrong population", "Wrong design"])
    assert [r.code for r in plain.reasons_for(FT)] == ["wrong-population", "wrong-design"]


def test_unknown_record_stage_decision_are_refused(screening: Screening) -> None:
    with pytest.raises(ScreeningError, match="record_id 99"):
        screening.decide(99, reviewer="xx", stage=TA, decision="include")
    with pytest.raises(ScreeningError, match="unknown stage 'abstracts'"):
        screening.decide(1, reviewer="xx", stage="abstracts", decision="include")
    with pytest.raises(ScreeningError, match="unknown decision 'perhaps'"):
        screening.decide(1, reviewer="xx", stage=TA, decision="perhaps")
    with pytest.raises(ScreeningError, match="reviewer name"):
        screening.decide(1, reviewer=" ", stage=TA, decision="include")


def test_full_text_only_after_inclusion_at_title_abstract(screening: Screening) -> None:
    with pytest.raises(ScreeningError, match="not included at title_abstract"):
        screening.decide(1, reviewer="xx", stage=FT, decision="include")
    screening.decide(1, reviewer="xx", stage=TA, decision="maybe")
    screening.decide(1, reviewer="yy", stage=TA, decision="maybe")
    assert screening.outcome(1, TA).state is State.CONFLICT  # maybe must be discussed
    with pytest.raises(ScreeningError, match="conflict"):
        screening.decide(1, reviewer="xx", stage=FT, decision="include")
    screening.resolve(1, stage=TA, decision="include", by="xx")
    assert screening.eligible_records(FT) == [1]
    screening.decide(1, reviewer="xx", stage=FT, decision="include")


def test_undo_appends_a_retraction_and_restores_the_earlier_decision(
    screening: Screening, store: Store
) -> None:
    screening.decide(2, reviewer="xx", stage=TA, decision="include")
    screening.decide(
        2, reviewer="xx", stage=TA, decision="exclude", reason="coproduction-of-research-only"
    )
    retracted = screening.undo(reviewer="xx", stage=TA)
    assert retracted.decision == "exclude"
    current = screening.decision_of(2, TA, "xx")
    assert current is not None and current.decision == "include"
    screening.undo(reviewer="xx", stage=TA, record_id=2)
    assert screening.decision_of(2, TA, "xx") is None
    with pytest.raises(ScreeningError, match="no decision by xx"):
        screening.undo(reviewer="xx", stage=TA)
    # Nothing was deleted: 2 decisions + 2 retractions, each with an audit entry.
    assert _count(store, schema.decisions) == 4
    with store.connect() as conn:
        actions = conn.execute(
            select(schema.audit_log.c.action).where(schema.audit_log.c.entity == "decision")
        ).scalars()
        assert list(actions) == ["screening.decide"] * 2 + ["screening.undo"] * 2


def test_blind_mode_hides_other_votes_until_both_decided(screening: Screening) -> None:
    screening.decide(3, reviewer="xx", stage=TA, decision="include")
    assert screening.visible_decisions(3, TA, "yy") == []
    assert screening.visible_decisions(3, TA, "xx") == []
    screening.decide(3, reviewer="yy", stage=TA, decision="include")
    assert [v.reviewer for v in screening.visible_decisions(3, TA, "xx")] == ["yy"]
    screening.configure(TA, by="lead", blind=False)
    screening.decide(4, reviewer="xx", stage=TA, decision="include")
    assert [v.reviewer for v in screening.visible_decisions(4, TA, "yy")] == ["xx"]
    assert screening.settings(TA) == StageSettings(blind=False, reviewers_required=2)


def test_conflict_resolution_by_consensus_or_third_reviewer(screening: Screening) -> None:
    screening.decide(1, reviewer="xx", stage=TA, decision="include")
    screening.decide(1, reviewer="yy", stage=TA, decision="exclude", reason="no-coproduction-model")
    screening.decide(2, reviewer="xx", stage=TA, decision="include")
    screening.decide(2, reviewer="yy", stage=TA, decision="maybe")
    assert [c.record_id for c in screening.conflicts(TA)] == [1, 2]
    by_xx = screening.resolve(
        1, stage=TA, decision="exclude", reason="no-coproduction-model", by="xx"
    )
    by_zz = screening.resolve(2, stage=TA, decision="include", by="zz")
    assert (by_xx.resolution, by_zz.resolution) == ("consensus", "third_reviewer")
    assert screening.conflicts(TA) == []
    # xx's own vote stays as it was; the resolution is a separate track.
    own = screening.decision_of(1, TA, "xx")
    assert own is not None and own.decision == "include"
    with pytest.raises(ScreeningError, match="no conflict"):
        screening.resolve(3, stage=TA, decision="include", by="zz")
    with pytest.raises(ScreeningError, match="not maybe"):
        screening.resolve(1, stage=TA, decision="maybe", by="zz")
    screening.undo(reviewer="zz", stage=TA, record_id=2, resolution=True)
    assert [c.record_id for c in screening.conflicts(TA)] == [2]


def test_full_text_reasons_must_agree(screening: Screening) -> None:
    for rid in (1, 2):
        for who in ("xx", "yy"):
            screening.decide(rid, reviewer=who, stage=TA, decision="include")
    screening.decide(1, reviewer="xx", stage=FT, decision="exclude", reason="no-coproduction-model")
    screening.decide(
        1, reviewer="yy", stage=FT, decision="exclude", reason="coproduction-of-research-only"
    )
    assert screening.outcome(1, FT).state is State.CONFLICT


def test_single_reviewer_mode(store: Store) -> None:
    s = Screening(store, defaults=StageSettings(blind=False, reviewers_required=1))
    s.decide(1, reviewer="solo", stage=TA, decision="include")
    assert s.outcome(1, TA).state is State.AGREED


def test_decide_many_is_all_or_nothing_and_names_the_line(
    screening: Screening, store: Store
) -> None:
    items = [
        DecisionInput(1, "xx", TA, "include", line=2),
        DecisionInput(2, "xx", TA, "exclude", "nonsense", line=3),
    ]
    with pytest.raises(ScreeningError, match=r"^line 3: unknown exclusion reason"):
        screening.decide_many(items)
    assert _count(store, schema.decisions) == 0
    assert _count(store, schema.audit_log) == 0
    # A batch may include at title/abstract and then screen the full text.
    batch = [
        DecisionInput(1, "xx", TA, "include"),
        DecisionInput(1, "yy", TA, "include"),
        DecisionInput(1, "xx", FT, "include"),
    ]
    assert len(screening.decide_many(batch)) == 3


def test_status_and_flow_counts(screening: Screening, store: Store) -> None:
    assert flow_counts(store)["records_screened"] is None
    plan = {1: "include", 2: "include", 3: "exclude", 4: "exclude", 5: "include"}
    for rid, decision in plan.items():
        reason = "conference-paper" if decision == "exclude" else None
        for who in ("xx", "yy"):
            screening.decide(rid, reviewer=who, stage=TA, decision=decision, reason=reason)
    screening.decide(6, reviewer="xx", stage=TA, decision="include")
    for rid in (1, 2, 5):
        ft = (
            ("include", None)
            if rid != 5
            else ("exclude", "codesign-application-without-model-development")
        )
        for who in ("xx", "yy"):
            screening.decide(rid, reviewer=who, stage=FT, decision=ft[0], reason=ft[1])
    status = screening.status(TA)
    assert (status.records, status.done, status.awaiting, status.unscreened) == (6, 5, 1, 0)
    assert status.by_reviewer["xx"] == {"include": 4, "exclude": 2, "maybe": 0}
    assert status.excluded_reasons == {"conference-paper": 2}
    counts = flow_counts(store, exclusion_reasons=REASONS)
    assert counts["records_screened"] == 5
    assert counts["title_abstract_excluded"] == 2
    assert counts["reports_sought"] == 3
    assert counts["full_text_assessed"] == 3
    assert counts["full_text_excluded_reasons"] == {
        "codesign-application-without-model-development": 1
    }
    assert counts["included"] == 2
    assert counts["title_abstract_pending"] == 1


def test_deduplicated_copies_are_not_screened(screening: Screening, store: Store) -> None:
    from litrev.dedupe.persist import SAME
    from litrev.dedupe.persist import decide as dedupe_decide

    dedupe_decide(store, 2, 5, SAME, reviewer="lead")  # record 5 is a copy of record 2
    assert screening.eligible_records(TA) == [1, 2, 3, 4, 6]
    with pytest.raises(ScreeningError, match="record 5 is a duplicate of record 2"):
        screening.decide(5, reviewer="xx", stage=TA, decision="include")
    assert flow_counts(store)["records_screened"] is None
    assert screening.status(TA).records == 5
