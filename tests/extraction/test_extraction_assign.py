"""`litrev.extraction.assign`: balanced, deterministic, top-up assignments of included records."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from litrev.extraction.assign import (
    assign_extractors,
    assigned_records,
    extractors_of,
    unassign_extractor,
)
from litrev.extraction.values import ExtractionError
from litrev.screening import Screening

from .extraction_review import make_review


def test_dual_assignment_is_balanced_deterministic_and_tops_up(tmp_path: Path) -> None:
    project, ids = make_review(tmp_path / "r", records=7)
    s = Screening.from_protocol(project.store, project.protocol)
    plan = assign_extractors(project.store, ids, ["ines", "tomas", "uma"], 2, by="uma", screening=s)
    assert set(plan) == set(ids)
    assert all(len(set(who)) == 2 for who in plan.values())
    load = Counter(who for names in plan.values() for who in names)
    assert (
        sorted(load.values()) in ([4, 5, 5], [4, 4, 6])
        and max(load.values()) - min(load.values()) <= 1
    )  # 14 slots over 3 people: loads within one
    # The same call on a fresh copy gives the same plan (seeded shuffle).
    other, other_ids = make_review(tmp_path / "r2", records=7)
    s2 = Screening.from_protocol(other.store, other.protocol)
    assert (
        assign_extractors(
            other.store, other_ids, ["ines", "tomas", "uma"], 2, by="uma", screening=s2
        )
        == plan
    )
    # Assigning again keeps everything and adds nothing.
    assert (
        assign_extractors(project.store, ids, ["ines", "tomas", "uma"], 2, by="uma", screening=s)
        == plan
    )
    # Taking one off and assigning again fills only that slot.
    victim = ids[0]
    gone = plan[victim][0]
    assert unassign_extractor(project.store, victim, gone, by="uma")
    again = assign_extractors(
        project.store, ids, ["ines", "tomas", "uma"], 2, by="uma", screening=s
    )
    assert len(again[victim]) == 2 and gone not in again[victim][:1]
    assert {r: w for r, w in again.items() if r != victim} == {
        r: w for r, w in plan.items() if r != victim
    }
    assert extractors_of(project.store, ids[1]) == plan[ids[1]]
    assert assigned_records(project.store, "ines") == sorted(
        r for r, who in again.items() if "ines" in who
    )


def test_single_assignment_and_refusals(tmp_path: Path) -> None:
    project, ids = make_review(tmp_path / "r", records=4, excluded=1)
    s = Screening.from_protocol(project.store, project.protocol)
    plan = assign_extractors(project.store, ids, ["ines", "tomas"], 1, by="uma", screening=s)
    assert Counter(w[0] for w in plan.values()) == {"ines": 2, "tomas": 2}
    with pytest.raises(ExtractionError, match=r"record 5 is excluded at title_abstract"):
        assign_extractors(project.store, [ids[0], 5], ["ines"], 1, by="uma", screening=s)
    with pytest.raises(ExtractionError, match=r"extractor: .*'inez'.*did you mean 'ines'"):
        assign_extractors(project.store, ids, ["inez"], 1, by="uma", screening=s)
    with pytest.raises(ExtractionError, match="named twice: ines"):
        assign_extractors(project.store, ids, ["ines", "ines"], 1, by="uma")
    with pytest.raises(ExtractionError, match="not an extractor"):
        assign_extractors(project.store, ids, ["consensus", "ines"], 1, by="uma")
