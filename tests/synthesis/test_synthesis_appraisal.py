"""Quality appraisal in the report: MMAT 2018 double-rated by two reviewers on a review unlike
the built-in one, their ratings compared and reconciled by the extraction machinery unchanged,
then summarised per domain and item (hand-counted below), tabled and charted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litrev.appraisal.adopt import codebook_toml
from litrev.appraisal.tools import tool
from litrev.extraction.agreement import field_agreement
from litrev.extraction.reconcile import accept_agreements, reconcile
from litrev.synthesis.report.results import compute_results
from litrev.synthesis.report.writer import write_report

from .coded_review import make_review, save

PROTOCOL = """
[review]
id = "carer-support"
title = "Support for unpaid carers"

[screening]
mode = "single"
reviewers = ["ann", "bo", "lead"]

[extraction]
mode = "dual"

[appraisal]
tools = ["mmat-2018"]
double_rated = true

[[codebook.fields]]
name = "topic"
label = "Topic"
""" + codebook_toml(tool("mmat-2018"))

QUAL, RCT, MIXED = "Qualitative", "Quantitative randomized controlled trial", "Mixed methods"
# Both raters' values per study; bo differs from ann only where `BO_DIFFERS` says.
RATINGS = [
    {"topic": "respite", "mmat_design": QUAL, "mmat_s1": "Yes", "mmat_s2": "Yes",
     "mmat_1_1": "Yes", "mmat_1_2": "No"},
    {"topic": "money", "mmat_design": RCT, "mmat_s1": "Yes", "mmat_s2": "No",
     "mmat_2_1": "Can't tell", "mmat_2_2": "Yes"},
    {"topic": "training", "mmat_design": MIXED, "mmat_s1": "Yes", "mmat_s2": "Yes",
     "mmat_1_1": "Yes", "mmat_4_1": "No", "mmat_5_1": "Yes"},
    {"topic": "respite"},  # included, not appraised
]  # fmt: skip
BO_DIFFERS = {0: {"mmat_1_2": "Can't tell"}}


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory):
    studies = [("Ng", "Respite", 2020), ("Cole", "Cash", 2021), ("Diaz", "Skills", 2022),
               ("Ek", "Breaks", 2019)]  # fmt: skip
    project, ids, screening = make_review(tmp_path_factory.mktemp("appraisal"), PROTOCOL, studies)
    for n, (record_id, values) in enumerate(zip(ids, RATINGS, strict=True)):
        save(project, screening, record_id, "ann", {(k, 0): v for k, v in values.items()})
        bo = {**values, **BO_DIFFERS.get(n, {})}
        save(project, screening, record_id, "bo", {(k, 0): v for k, v in bo.items()})
    codebook = project.protocol.codebook
    agreement = {a.field: a for a in field_agreement(project.store, codebook)}
    accept_agreements(project.store, codebook, by="lead", is_lead=True)
    reconcile(project.store, codebook, ids[0], "mmat_1_2", value="No", by="lead",
              reason="the paper names its interview method only", is_lead=True)  # fmt: skip
    return project, agreement


def test_ratings_go_through_double_extraction_unchanged(review) -> None:
    _, agreement = review
    assert (agreement["mmat_s1"].pairs, agreement["mmat_s1"].agree) == (3, 3)
    assert (agreement["mmat_1_2"].pairs, agreement["mmat_1_2"].agree) == (1, 0)


def test_summary_counts_per_item_with_designs_deciding_what_applies(review) -> None:
    project, _ = review
    appraisal = compute_results(project).coded.appraisal
    assert appraisal.done and appraisal.double_rated
    (mmat,) = appraisal.tools
    assert (mmat.appraised, mmat.studies) == (3, 4)
    assert mmat.designs == {QUAL: 1, RCT: 1, MIXED: 1}
    items = {i.field: i for i in mmat.items}

    def row(name: str) -> tuple:
        i = items[name]
        return i.counts, i.percents, i.rated, i.not_rated, i.not_applicable

    none = {"Yes": 0, "No": 0, "Can't tell": 0}
    assert row("mmat_s1") == ({**none, "Yes": 3}, {**none, "Yes": 100}, 3, 0, 0)
    assert row("mmat_s2") == ({**none, "Yes": 2, "No": 1}, {**none, "Yes": 67, "No": 33}, 3, 0, 0)
    # 1.x applies to the qualitative and the mixed methods study; the RCT is not applicable.
    assert row("mmat_1_1") == ({**none, "Yes": 2}, {**none, "Yes": 100}, 2, 0, 1)
    # The reconciled value, not either rater's alone: the mixed methods study left it blank.
    assert row("mmat_1_2") == ({**none, "No": 1}, {**none, "No": 100}, 1, 1, 1)
    assert row("mmat_2_1") == ({**none, "Can't tell": 1}, {**none, "Can't tell": 100}, 1, 1, 1)
    assert row("mmat_4_1") == ({**none, "No": 1}, {**none, "No": 100}, 1, 0, 2)
    assert row("mmat_5_5") == (none, none, 0, 1, 2)
    assert items["mmat_1_1"].domain == "1. Qualitative"


def test_report_tables_and_charts_the_appraisal(review, tmp_path: Path) -> None:
    project, _ = review
    write_report(project, tmp_path)
    assert (tmp_path / "chart-appraisal-mmat-2018.svg").is_file()
    assert (tmp_path / "chart-appraisal-mmat-2018.png").read_bytes()[:4] == b"\x89PNG"
    svg = (tmp_path / "chart-appraisal-mmat-2018.svg").read_text(encoding="utf-8")
    assert "Can't tell" in svg.replace("&#39;", "'")
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Quality appraisal" in markdown
    assert "3 of 4 included studies appraised with this tool" in markdown
    assert (
        "| 1. Qualitative | 1.2. Are the qualitative data collection methods adequate" in markdown
    )
    assert "rated by two reviewers independently" in markdown
    assert "No quality appraisal was done." not in markdown
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="appraisal-mmat-2018"' in html
    # PRISMA 2020 item 11 names the tool (it said "No quality appraisal was done" whenever
    # [screening] quality_appraisal was left false, tools or not).
    checklist = (tmp_path / "checklist-prisma2020.md").read_text(encoding="utf-8")
    assert "Appraised with Mixed Methods Appraisal Tool (MMAT), version 2018 (two reviewers" in (
        checklist
    )
    assert "No quality appraisal was done" not in checklist
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    s2 = next(i for i in data["appraisal"]["tools"][0]["items"] if i["field"] == "mmat_s2")
    assert s2["counts"] == {"Yes": 2, "No": 1, "Can't tell": 0} and s2["percent"]["No"] == 33


def test_adopted_but_unrated_says_so(tmp_path: Path) -> None:
    project, _, _ = make_review(tmp_path / "r", PROTOCOL, [])
    appraisal = compute_results(project).coded.appraisal
    assert not appraisal.done and "no study has been rated" in appraisal.note


def test_no_tool_says_no_appraisal_was_done(demo_dir: Path) -> None:
    # The built-in review did not appraise quality (its protocol names no tool).
    markdown = (demo_dir / "report.md").read_text(encoding="utf-8")
    section = markdown.split("## Quality appraisal")[1].split("##")[0]
    assert section.strip() == "No quality appraisal was done."
    data = json.loads((demo_dir / "results.json").read_text(encoding="utf-8"))
    assert data["appraisal"] == {
        "done": False, "double_rated": True, "note": "No quality appraisal was done.", "tools": [],
    }  # fmt: skip


def test_study_tables_leave_the_items_out(review) -> None:
    from litrev.synthesis.paper.tables import paper_tables

    project, _ = review
    (table,) = paper_tables(project).tables
    assert table.headings == ["Study", "Topic"]  # no MMAT item per study


def test_an_item_with_answers_of_its_own_is_counted_by_them() -> None:
    import pandas as pd

    from litrev.protocol import parse_protocol
    from litrev.synthesis.appraisal_summary import appraisal_summary

    text = '[review]\nid="x"\ntitle="x"\n[appraisal]\ntools=["jbi-text-opinion"]\n'
    protocol = parse_protocol(text + codebook_toml(tool("jbi-text-opinion")))
    studies = pd.DataFrame(
        {"record_id": [1, 2, 3], "jbi_text_overall": ["Include", "Include", "Seek further info"]}
    )
    (summary,) = appraisal_summary(protocol, studies).tools
    overall = summary.items[-1]
    assert overall.own_answers(summary.answers) == (
        "Include 2 (67%); Exclude 0 (0%); Seek further info 1 (33%)"
    )
    assert summary.items[0].own_answers(summary.answers) == ""
    assert not summary.selector and [i.field for i in summary.chart_items][-1] == "jbi_text_q6"
