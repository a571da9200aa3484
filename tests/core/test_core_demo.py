"""The main job: `litrev demo` reproduces the paper's results from data and finds its inconsistencies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from litrev.cli import app

EXPECTED_FILES = {"report.html", "report.md", "prisma.svg", "results.json"}


@pytest.fixture(scope="module")
def results(demo_dir: Path) -> dict:
    return json.loads((demo_dir / "results.json").read_text(encoding="utf-8"))


def by_id(results: dict, prefix: str) -> list[dict]:
    return [e for e in results["audit"] if e["id"].startswith(prefix)]


def test_demo_writes_the_four_files(demo_dir: Path) -> None:
    assert {p.name for p in demo_dir.iterdir()} >= EXPECTED_FILES


def test_counts_by_category(results: dict) -> None:
    assert results["schema_version"] == 1
    assert results["studies"] == 73
    assert {k: v["n"] for k, v in results["categories"].items()} == {
        "conceptual/theoretical": 42,
        "practice-oriented": 22,
        "typology": 7,
        "boundary-spanning": 2,
    }
    assert [v["percent"] for v in results["categories"].values()] == [58, 30, 10, 3]


def test_flow_counts(results: dict) -> None:
    flow = results["flow"]
    assert flow["identified"] == 5191
    assert sum(flow["databases"].values()) == 5191 and len(flow["databases"]) == 6
    assert (flow["records_screened"], flow["full_text_assessed"], flow["included"]) == (
        979,
        129,
        73,
    )
    assert (
        flow["duplicates_removed"] is None
        and flow["sources"]["duplicates_removed"] == "not reported"
    )
    assert flow["sources"]["included"] == "data"


@pytest.mark.parametrize(
    ("stated", "computed", "words"),
    [
        (43, 42, "The 43 largely conceptual"),
        (20, 22, "We mapped 20 of the 73"),
        (8, 7, "Eight of the reviewed"),
    ],
)
def test_audit_finds_category_count_mismatches(
    results: dict, stated: int, computed: int, words: str
) -> None:
    matches = [e for e in results["audit"] if e["kind"] == "claim" and words in e["sentence"]]
    assert len(matches) == 1
    assert (matches[0]["stated"], matches[0]["computed"]) == (stated, computed)


def test_audit_finds_percentages_summing_to_101(results: dict) -> None:
    (entry,) = by_id(results, "rounding")
    assert (entry["stated"], entry["computed"]) == (101, 100)
    assert "42 (58%)" in entry["sentence"]


def test_audit_finds_repeated_lindsay_row(results: dict) -> None:
    (entry,) = by_id(results, "duplicate-row")
    assert "Lindsay, 2018" in entry["claim"] and entry["stated"] == 2


def test_audit_finds_unreported_removals(results: dict) -> None:
    (entry,) = by_id(results, "prisma-identified-vs-screened")
    assert (entry["stated"], entry["computed"]) == (5191, 979)
    assert "4,212" in entry["explanation"] and "duplicates removed" in entry["explanation"]


def test_agreeing_claims_are_checked_not_reported(results: dict) -> None:
    checks = {e["id"]: e for e in results["checks"]}
    agreeing = [e for e in checks.values() if e["status"] == "agrees"]
    assert len(agreeing) >= 20
    assert all(e["id"] not in {a["id"] for a in results["audit"]} for e in agreeing)
    assert any(e["status"] == "unverifiable" for e in checks.values())


def test_report_is_deterministic_apart_from_date(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in EXPECTED_FILES:
        assert (out / name).read_bytes() == (demo_dir / name).read_bytes(), name
    # `litrev demo` also writes the paper's tables (tests/synthesis/test_synthesis_paper_tables.py).
    assert (out / "tables.docx").is_file() and (out / "tables.xlsx").is_file()
    assert f"{out}/tables.docx" in result.output.replace("\n", "")
    # ... and the evidence map of discipline by model type (tests/synthesis/test_synthesis_gapmap.py)
    assert "Discipline \\ Type of model" in (out / "gapmap.html").read_text(encoding="utf-8")
    assert "Evidence map of 73 studies (30 × 4 cells" in result.output


def test_demo_twice_in_same_folder_rebuilds(tmp_path: Path) -> None:
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(app, ["demo", "--out", str(tmp_path / "r")])
        assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "r" / "results.json").read_text())
    assert data["studies"] == 73


def test_demo_refuses_folder_of_another_review(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "another review" in str(result.exception)


def test_markdown_report_has_tables_and_audit(demo_dir: Path) -> None:
    text = (demo_dir / "report.md").read_text(encoding="utf-8")
    assert "| Conceptual/theoretical models | 42 | 58 |" in text  # the category label
    assert "## Consistency audit" in text and "We mapped 20 of the 73" in text
    assert "Supplementary file 2: Conceptual/theoretical" in text or "Supplementary file 2" in text


def test_report_says_where_database_syntaxes_differ(results: dict, demo_dir: Path) -> None:
    notes = results["search_notes"]
    assert any("Cochrane" in n and "hyphen is a character" in n for n in notes)
    assert any("Scopus" in n and "stem" in n for n in notes)
    assert any("generic strategy" in n and "chemic*" in n for n in notes)
    assert any("generic strategy" in n and '"public sector"' in n for n in notes)
    assert any("Cochrane" in n and "wildcards inside a phrase" in n for n in notes)
    assert any(n.startswith("CINAHL") and "within one field" in n for n in notes)
    html = (demo_dir / "report.html").read_text(encoding="utf-8")
    assert "How the strategies differ in meaning" in html


def test_canonical_strategy_is_written_for_each_database(results: dict) -> None:
    generated = results["generated_strategies"]
    assert len(generated) == 6
    assert generated["Scopus"].startswith("(TITLE-ABS(co-produc* OR coproduc*")
    assert "AND NOT TITLE-ABS(engineer*" in generated["Scopus"]
    assert "co-produc*[tiab]" in generated["PubMed (legacy)"]
