"""PRISMA counts that reconcile, on made-up reviews built through litrev's own import and screening."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from litrev.project import Project
from litrev.records.importer import import_files
from litrev.screening.decisions import DecisionInput, Screening
from litrev.screening.model import settings_from_protocol
from litrev.synthesis.prisma.diagram import flow_diagram_svg
from litrev.synthesis.prisma.flow_checks import failing_equations
from litrev.synthesis.report.results import compute_results
from litrev.synthesis.report.writer import write_report

HEAD = """
[review]
id = "toy"
title = "Toy review"
[screening]
mode = "single"
[eligibility]
[[eligibility.exclusion_reasons]]
code = "wrong-population"
label = "Wrong population"
[[eligibility.exclusion_reasons]]
code = "no-full-text"
label = "Full text not available"
stages = ["full_text"]
not_retrieved = true
"""


def ris(n: int, tag: str) -> str:
    return "\n".join(
        f"TY  - JOUR\nTI  - {tag} study number {i} of nurse-led clinics\nAU  - {tag}{i}, A.\n"
        f"PY  - {2000 + i}\nJO  - Journal {tag}\nDO  - 10.1000/{tag.lower()}{i}\nER  - \n"
        for i in range(n)
    )


def make(tmp_path: Path, protocol: str, files: dict[str, tuple[int, str]]) -> Project:
    """A project with `files` imported: {file name: (records, --source)}."""
    project = Project.init(tmp_path / "review", protocol_text=HEAD + protocol)
    for name, (n, source) in files.items():
        path = tmp_path / name
        path.write_text(ris(n, name.split(".")[0].capitalize()), encoding="utf-8")
        import_files(project.store, [path], source=source)
    return project


def screen(project: Project, stage: str, decisions: dict[int, tuple[str, str | None]]) -> None:
    screening = Screening(
        project.store,
        exclusion_reasons=project.protocol.eligibility.exclusion_reasons,
        defaults=settings_from_protocol(project.protocol),
    )
    screening.decide_many(
        [
            DecisionInput(record_id, "ann", stage, decision, reason)
            for record_id, (decision, reason) in decisions.items()
        ]
    )


def test_a_database_named_differently_at_import_is_counted_once(tmp_path: Path) -> None:
    # The protocol names "Web of Science Core Collection" with its hits; the import says
    # "Web of Science". The old flow counted both: 5 imported + 9 reported = 14 identified.
    project = make(
        tmp_path,
        '[[searches]]\ndatabase = "Web of Science Core Collection"\nhits = 9\n',
        {"wos.ris": (5, "Web of Science")},
    )
    results = compute_results(project)
    assert {k: c.value for k, c in results.flow.databases.items()} == {
        "Web of Science Core Collection": 5
    }
    assert results.flow.identified.value == 5
    # The difference between the hits and the imported records is a finding, not a sum.
    found = {e.id: e for e in results.mismatches}
    entry = found["prisma-hits-vs-imported-web-of-science-core-collection"]
    assert (entry.stated, entry.computed) == (9, 5)


def test_an_unmatched_import_is_listed_with_the_choices(tmp_path: Path) -> None:
    project = make(
        tmp_path,
        '[[searches]]\ndatabase = "Scopus"\nhits = 3\n',
        {"other.ris": (2, "Global Health")},
    )
    files = write_report(project, tmp_path / "out")
    report = json.loads(files["json"].read_text(encoding="utf-8"))
    assert report["flow"]["unmatched_imports"] == [
        {"source": "Global Health", "choices": ["Scopus"], "how": "unmatched"}
    ]
    assert any(a["id"] == "prisma-unmatched-import-global-health" for a in report["audit"])
    markdown = files["markdown"].read_text(encoding="utf-8")
    assert (
        "'Global Health' matches no \\[\\[searches\\]\\] database; choose one of: Scopus"
        in markdown
    )


def _texts_by_x(svg: str) -> list[tuple[float, str]]:
    root = ET.fromstring(svg)
    return [
        (float(t.get("x", 0)), "".join(t.itertext()))
        for t in root.iter("{http://www.w3.org/2000/svg}text")
    ]


def test_a_hand_search_goes_to_the_other_methods_column(tmp_path: Path) -> None:
    protocol = """
[[searches]]
database = "MEDLINE"
platform = "Ovid"
[[searches]]
database = "Hand search of Journal of Nursing"
kind = "other"
method = "hand search"
"""
    project = make(
        tmp_path,
        protocol,
        {"medline.ris": (4, "MEDLINE"), "hand.ris": (2, "Hand search of Journal of Nursing")},
    )
    # Records 1-4 from MEDLINE, 5-6 by hand. Title/abstract: 1 excluded; full text: 2 included,
    # 3 excluded, 4 not retrievable; hand-searched 5 included, 6 excluded.
    screen(project, "title_abstract", {r: ("include", None) for r in (2, 3, 4, 5, 6)})
    screen(project, "title_abstract", {1: ("exclude", "wrong-population")})
    screen(
        project,
        "full_text",
        {
            2: ("include", None),
            3: ("exclude", "wrong-population"),
            4: ("exclude", "no-full-text"),
            5: ("include", None),
            6: ("exclude", "wrong-population"),
        },
    )
    flow = compute_results(project).flow
    assert list(flow.databases) == ["MEDLINE"]  # not the hand search
    assert flow.identified.value == 4 and flow.records_screened.value == 4
    assert flow.reports_sought.value == 3
    assert flow.reports_not_retrieved.value == 1  # "Full text not available": not retrieved
    assert flow.full_text_assessed.value == 2
    assert flow.full_text_excluded_reasons == {"wrong-population": 1}
    other = flow.other
    assert other.identified.value == 2 and other.methods == {
        "Hand search of Journal of Nursing": "hand search"
    }
    assert (other.reports_sought.value, other.full_text_assessed.value) == (2, 2)
    assert other.full_text_excluded_reasons == {"wrong-population": 1}
    assert flow.included.value == 2
    assert failing_equations(flow) == []
    svg = flow_diagram_svg(flow)
    texts = _texts_by_x(svg)
    assert any("Identification of studies via other methods" in t for _, t in texts)
    hand = [x for x, t in texts if "Hand search of Journal" in t]
    databases_x = min(x for x, t in texts if t.startswith("Databases"))
    assert hand and all(x > databases_x + 500 for x in hand)  # right-hand column
    assert any("Wrong population" in t for _, t in texts)  # labels, not codes
    assert not any("wrong-population" in t for _, t in texts)


def test_a_half_screened_review_adds_up_and_says_it_is_unfinished(tmp_path: Path) -> None:
    project = make(tmp_path, '[[searches]]\ndatabase = "Embase"\n', {"embase.ris": (20, "Embase")})
    screen(project, "title_abstract", {r: ("include", None) for r in range(1, 14)})
    screen(project, "title_abstract", {r: ("exclude", "wrong-population") for r in (14, 15)})
    screen(project, "full_text", {r: ("include", None) for r in range(1, 12)})
    flow = compute_results(project).flow
    # 20 in screening: 13 included, 2 excluded, 5 undecided; 13 sought: 11 assessed, 2 awaiting.
    assert flow.records_screened.value == 20
    assert flow.reports_sought.value == 13
    assert flow.reports_not_retrieved.value == 0  # known from the data, not "not reported"
    assert flow.full_text_assessed.value == 11
    assert (flow.progress.title_abstract_pending, flow.progress.full_text_pending) == (5, 2)
    assert failing_equations(flow) == []
    svg = flow_diagram_svg(flow)
    assert "Screening is not finished" in svg and "Awaiting a full-text decision: 2" in svg
    files = write_report(project, tmp_path / "out")
    markdown = files["markdown"].read_text(encoding="utf-8")
    head = markdown.split("## PRISMA 2020 flow")[0]
    assert "This review is in progress" in head
    # "Records screened" counts every record in title/abstract screening; the note says how
    # many are decided, as `litrev screening status` counts them.
    assert "records screened n = 20 (15 decided, 5 awaiting a final decision" in head
    assert "20 screened (15 decided, 5 awaiting)" in head
    # PRISMA's included studies first; the extracted ones (none yet) in brackets.
    included = flow.included.value
    assert f"{included} included studies (0 with a reconciled extraction)" in head
    assert "2 report(s) without a final decision" in head


def test_boxes_that_do_not_add_up_are_named_in_the_audit_and_the_diagram(tmp_path: Path) -> None:
    protocol = """
[[searches]]
database = "PsycINFO"
hits = 100
[flow]
duplicates_removed = 10
records_screened = 90
title_abstract_excluded = 70
reports_sought = 20
reports_not_retrieved = 2
full_text_assessed = 16
included = 6
full_text_excluded = {wrong-population = 10}
"""
    project = make(tmp_path, protocol, {})
    results = compute_results(project)
    failing = {e.id for e in failing_equations(results.flow)}
    assert failing == {"prisma-sought-vs-assessed"}  # 20 - 2 = 18, not 16
    entry = next(e for e in results.mismatches if e.id == "prisma-sought-vs-assessed")
    assert "20 − 2 − 0 = 18, but reports assessed is 16 (2 unaccounted for)" in entry.explanation
    svg = flow_diagram_svg(results.flow)
    assert "These boxes do not add up" in svg and "reports assessed is 16" in svg


def test_registers_sit_beside_databases(tmp_path: Path) -> None:
    protocol = """
[[searches]]
database = "CINAHL"
hits = 30
[[searches]]
database = "ClinicalTrials.gov"
kind = "register"
hits = 7
"""
    flow = compute_results(make(tmp_path, protocol, {})).flow
    assert list(flow.databases) == ["CINAHL"] and list(flow.registers) == ["ClinicalTrials.gov"]
    assert flow.identified.value == 37
    assert "Registers (n\u00a0=\u00a07\u00a0†):" in flow_diagram_svg(flow)


def test_a_hits_claim_finds_registers_and_other_methods(tmp_path: Path) -> None:
    from litrev.synthesis.report.audit import check_claim
    from litrev.synthesis.report.claims import Claim

    protocol = """
[[searches]]
database = "ISRCTN"
kind = "register"
hits = 4
[[searches]]
database = "Charity websites"
kind = "other"
method = "website"
hits = 9
"""
    results = compute_results(make(tmp_path, protocol, {}))
    for database, stated in (("ISRCTN", 4), ("Charity websites", 9)):
        claim = Claim(id="h", sentence="s.", stated=stated, quantity="hits", database=database)
        assert check_claim(claim, results.studies, results.flow).status == "agrees"
