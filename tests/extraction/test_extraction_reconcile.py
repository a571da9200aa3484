"""Reconciliation beyond the must-show test: single extraction (the extractor's values are the
study's, no consensus step), refusals with one extractor, group rows removed and renumbered,
conditional fields left out of agreement where they apply for neither, and the report's list
of records lacking a reconciled extraction."""

from __future__ import annotations

from pathlib import Path

import pytest

from litrev.extraction.agreement import comparisons, field_agreement
from litrev.extraction.assign import assign_extractors
from litrev.extraction.reconcile import accept_agreements, reconcile, unreconciled
from litrev.extraction.table import studies_frame
from litrev.extraction.values import ExtractionError, read_values, remove_instance, save_values
from litrev.screening import Screening

from .extraction_review import make_review

EXTRA = """
[[codebook.fields]]
name = "coach_hours"
type = "integer"
when = { field = "delivery", in = ["coach"] }

[[codebook.groups]]
name = "sites"

[[codebook.fields]]
name = "site"
group = "sites"
required = true
"""


def _save(project, rid, who, values, *, complete=True):
    s = Screening.from_protocol(project.store, project.protocol)
    result = save_values(
        project.store, project.protocol.codebook, rid, who, values, actor=who,
        complete=complete, screening=s,
    )  # fmt: skip
    assert result.problems == {}, result.problems
    return result


def test_single_extraction_values_are_the_studys(tmp_path: Path) -> None:
    from litrev.synthesis.report.results import compute_results

    project, ids = make_review(tmp_path / "r", records=2, mode="single", extra=EXTRA)
    s = Screening.from_protocol(project.store, project.protocol)
    plan = assign_extractors(project.store, ids, ["ines", "tomas"], 1, by="uma", screening=s)
    for rid in ids:
        (who,) = plan[rid]
        _save(project, rid, who, {("delivery", 0): "coach", ("coach_hours", 0): "3"})
    frame = studies_frame(project.store, project.protocol.codebook, reviewer=None)
    assert frame["delivery"].tolist() == ["coach", "coach"]
    assert frame["coach_hours"].tolist() == ["3", "3"]
    results = compute_results(project)
    assert results.unreconciled == {} and len(results.studies) == 2  # no consensus step
    # Reconciliation needs two extractions: one extractor's record cannot be reconciled.
    with pytest.raises(ExtractionError, match=r"needs two completed extractions, it has only"):
        reconcile(
            project.store, project.protocol.codebook, ids[0], "delivery", value="peer",
            by="uma", is_lead=True,
        )  # fmt: skip


def test_report_lists_records_lacking_a_reconciled_extraction(tmp_path: Path) -> None:
    from litrev.synthesis.report.results import compute_results

    project, ids = make_review(tmp_path / "r", records=2, extra=EXTRA)
    codebook = project.protocol.codebook
    for who in ("ines", "tomas"):
        for rid in ids:
            _save(project, rid, who, {("delivery", 0): "teacher", ("aim", 0): f"aim {who}"})
    # Both records: the agreed delivery accepted; record 1's aim settled, record 2's not.
    assert accept_agreements(project.store, codebook, by="uma", is_lead=True) == 2
    reconcile(project.store, codebook, ids[0], "aim", chosen_from="ines", by="tomas")
    assert unreconciled(project.store, codebook) == [ids[1]]
    results = compute_results(project)
    assert results.unreconciled == {ids[1]: ["ines", "tomas"]}
    assert list(results.studies["record_id"]) == ids  # the consensus so far


def test_conditional_field_compared_only_where_it_applies(tmp_path: Path) -> None:
    project, ids = make_review(tmp_path / "r", records=3, extra=EXTRA)
    codebook = project.protocol.codebook
    rows = {
        "ines": [("coach", "3"), ("teacher", ""), ("coach", "2")],
        "tomas": [("coach", "3"), ("teacher", ""), ("teacher", "")],
    }
    for who, values in rows.items():
        for rid, (delivery, hours) in zip(ids, values, strict=True):
            found = {("delivery", 0): delivery}
            if hours:
                found[("coach_hours", 0)] = hours
            _save(project, rid, who, found)
    hours = next(a for a in field_agreement(project.store, codebook) if a.field == "coach_hours")
    # Record 2: teacher for both, the field applies for neither: not compared.
    assert (hours.pairs, hours.agree, hours.disagreements) == (2, 1, ((ids[2], 0),))
    view = {c.field: c for c in comparisons(project.store, codebook, ids[1])}
    assert not view["coach_hours"].applies and view["coach_hours"].agree


def test_group_rows_removed_and_renumbered(tmp_path: Path) -> None:
    project, ids = make_review(tmp_path / "r", records=1, extra=EXTRA)
    rid = ids[0]
    values = {
        ("delivery", 0): "peer",
        ("site", 1): "Leeds",
        ("site", 2): "York",
        ("site", 3): "Hull",
    }
    assert _save(project, rid, "ines", values).state == "complete"
    assert remove_instance(project.store, rid, "ines", "sites", 2, actor="ines") == 1
    stored = {k: v.value for k, v in read_values(project.store, rid, "ines").items()}
    assert stored == {("delivery", 0): "peer", ("site", 1): "Leeds", ("site", 2): "Hull"}
    with pytest.raises(ExtractionError, match="no repeating group 'site'"):
        remove_instance(project.store, rid, "ines", "site", 1, actor="ines")
    # Clearing a row's only value removes the row; a value where its field does not apply is
    # refused while the rest is saved, and the extraction stays complete.
    result = save_values(
        project.store, project.protocol.codebook, rid, "ines",
        {("site", 2): "", ("coach_hours", 0): "4"}, actor="ines", complete=True,
        screening=Screening.from_protocol(project.store, project.protocol),
    )  # fmt: skip
    assert result.problems == {
        ("coach_hours", 0): "'coach_hours' applies only when delivery is coach"
    }
    assert result.state == "complete" and result.saved == [("site", 2)]
