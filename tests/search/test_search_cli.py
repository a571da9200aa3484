"""`litrev search translate|lint|run|diff|index` through typer's CliRunner."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from litrev.cli import app
from litrev.project import Project
from litrev.records.model import Record
from litrev.search import generate, parse
from litrev.search.evaluate import evaluate
from litrev.store import schema

runner = CliRunner()

EBSCO = (
    "TI ( ( co-produc* OR coproduc* OR co-design* OR codesign* ) AND ( health OR social OR "
    "“public service*” OR “public sector*” ) NOT ( engineer* OR biomass ) ) OR AB ( ( co-produc* "
    "OR coproduc* OR co-design* OR codesign* ) AND ( health OR social OR “public service*” OR "
    "“public sector*” ) NOT ( engineer* OR biomass ) )"
)
COCHRANE = (
    "(co-produc* OR coproduc* OR co-design* OR codesign*):ti,ab,kw AND (health OR social OR "
    "“public service*” OR “public sector*”):ti,ab,kw NOT (engineer* OR biomass):ti,ab,kw"
)
PROTOCOL = f"""
[review]
id = "search-cli"
title = "Search CLI test review"

[[searches]]
database = "CINAHL"
platform = "EBSCOhost"
dialect = "ebsco"
hits = 588
strategy = '''{EBSCO}'''
limits = ["English Language"]

[[searches]]
database = "Cochrane CENTRAL"
platform = "Wiley"
dialect = "cochrane"
hits = 47
strategy = '''{COCHRANE}'''
"""

RECORDS = [
    Record(title="Co-production of mental health services", language="English"),
    Record(title="Co production with social care users", language="English"),
    Record(title="Coproduction in public services", abstract="A health policy review."),
    Record(title="Co-design of biomass engineering in health"),
    Record(title="Co-designing social care", language="French"),
    Record(title="Shared decision making", abstract="No matching words here."),
    Record(title="Patient involvement", keywords=["co-production", "health"]),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    proj = Project.init(root, protocol_text=PROTOCOL)
    now = datetime.now(UTC)
    with proj.store.transaction() as conn:
        for rec in RECORDS:
            conn.execute(
                schema.records.insert().values(
                    title=rec.title,
                    abstract=rec.abstract,
                    authors=[],
                    fields={"keywords": rec.keywords, "language": rec.language},
                    created_at=now,
                )
            )
    proj.store.close()
    return root


def test_translate_ebsco_to_pubmed_and_all(tmp_path):
    result = runner.invoke(app, ["search", "translate", "--from", "ebsco", "--to", "pubmed", EBSCO])
    assert result.exit_code == 0, result.output
    assert "co-produc*[tiab]" in result.output.replace("[Title/Abstract]", "[tiab]")
    from litrev.search import DIALECTS, get_dialect

    for name in DIALECTS:
        try:
            get_dialect(name).generator()
        except ImportError:
            pytest.skip(f"dialect {name} is not implemented yet")
    file = tmp_path / "q.txt"
    file.write_text(COCHRANE, encoding="utf-8")
    result = runner.invoke(app, ["search", "translate", "-f", "cochrane", "--to", "all", str(file)])
    assert result.exit_code == 0, result.output
    for name in ("scopus", "ovid", "pubmed", "litrev"):
        assert name in result.output


def test_lint_reports_with_caret_and_fails_on_errors():
    bad = runner.invoke(
        app, ["search", "lint", "--dialect", "pubmed", "(health[tiab] OR care[tiab]"]
    )
    assert bad.exit_code == 1
    assert "^" in bad.output and "error" in bad.output
    good = runner.invoke(app, ["search", "lint", "-d", "pubmed", "health[tiab] OR care[tiab]"])
    assert good.exit_code == 0, good.output


def test_run_reports_hits_per_strategy_and_unfound_records(project):
    result = runner.invoke(app, ["search", "run", "-p", str(project), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_name = {s["name"]: s for s in data["strategies"]}
    ebsco = parse(EBSCO, "ebsco")
    want = [h.index + 1 for h in evaluate(ebsco.root, RECORDS, "ebsco")]
    want = [i for i in want if RECORDS[i - 1].language in (None, "English")]
    assert by_name["CINAHL"]["ids"] == want == [1, 2, 3]
    # Cochrane keeps hyphens inside words: "Co production" (2) is not found; keywords are.
    assert by_name["Cochrane CENTRAL"]["ids"] == [1, 3, 5, 7]
    assert by_name["CINAHL"]["reported_hits"] == 588
    assert data["found_by_none"] == [4, 6]
    table = runner.invoke(app, ["search", "run", "-p", str(project)])
    assert table.exit_code == 0
    assert "Records found by no strategy: 2 of 7" in table.output
    assert "Shared decision making" in table.output
    listed = runner.invoke(app, ["search", "run", "-p", str(project), "--list-hits", "2"])
    assert "CINAHL: first 2 hits" in listed.output
    assert "title: Co production with social care users" in listed.output.replace("[[", "")


def test_run_one_strategy_and_a_canonical_file(project, tmp_path):
    one = runner.invoke(app, ["search", "run", "-p", str(project), "--strategy", "coch", "--json"])
    assert [s["name"] for s in json.loads(one.output)["strategies"]] == ["Cochrane CENTRAL"]
    canonical = tmp_path / "canonical.txt"
    canonical.write_text(generate(parse(EBSCO, "ebsco"), "litrev").text, encoding="utf-8")
    result = runner.invoke(
        app, ["search", "run", "-p", str(project), "--file", str(canonical), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["strategies"][0]["ids"] == [1, 2, 3, 5]
    missing = runner.invoke(app, ["search", "run", "-p", str(project), "--strategy", "nope"])
    assert missing.exit_code != 0


def test_diff_explains_records_the_strategies_disagree_on(project):
    result = runner.invoke(app, ["search", "diff", "CINAHL", "Cochrane", "-p", str(project)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "found by A (CINAHL), not by B: 1" in out
    assert "#2 Co production with social care users" in out
    assert "B: needs (co-produc* OR coproduc* OR co-design* OR codesign*)" in out
    assert "found by B (Cochrane CENTRAL), not by A: 2" in out
    assert "#7 Patient involvement" in out and "keywords" in out


def test_diff_of_query_texts(project):
    result = runner.invoke(
        app,
        ["search", "diff", "co-produc*", "coproduc*", "-p", str(project),
         "--dialect-a", "scopus", "--dialect-b", "scopus"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "not by B: 3" in result.output and "not by A: 1" in result.output


def test_index_command_builds_then_reports_up_to_date(project):
    first = runner.invoke(app, ["search", "index", "-p", str(project)])
    assert first.exit_code == 0 and "7 records, rebuilt" in first.output
    second = runner.invoke(app, ["search", "index", "-p", str(project)])
    assert "up to date" in second.output


def test_builtin_review_strategies_run_on_the_demo_project(tmp_path):
    from litrev.examples import DEFAULT_EXAMPLE, build_example

    project = build_example(DEFAULT_EXAMPLE, tmp_path / "demo")
    project.store.close()
    result = runner.invoke(app, ["search", "run", "-p", str(tmp_path / "demo"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["strategies"]) == 6
    assert {s["dialect"] for s in data["strategies"]} >= {"ebsco", "cochrane", "scopus", "pubmed"}
    assert any("peer_reviewed" in n for s in data["strategies"] for n in s["notes"])


def test_canonical_strategy_of_the_builtin_review_runs_on_the_demo_project(tmp_path):
    import tomllib

    from litrev.examples import DEFAULT_EXAMPLE, build_example

    data = tomllib.loads((Path(__file__).parent / "data" / "seed_strategies.toml").read_text())
    canonical = tmp_path / "canonical.litrev"
    canonical.write_text(data["canonical"]["query"], encoding="utf-8")
    build_example(DEFAULT_EXAMPLE, tmp_path / "demo").store.close()
    args = ["search", "run", "-p", str(tmp_path / "demo"), "--file", str(canonical)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (only,) = data["strategies"]
    assert only["dialect"] == "litrev"
    # The demo holds the included studies as the paper lists them (no titles or abstracts).
    assert only["hits"] == 0 and len(data["found_by_none"]) == data["records"]
    table = runner.invoke(app, args)
    assert "canonical.litrev" in table.output and "Records found by no strategy" in table.output


SHARED = Path(__file__).parents[2].parent / "shared" / "samples" / "exports"


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/samples/exports is not beside the clone")
def test_run_and_diff_over_export_files_without_a_project(tmp_path):
    """Check a strategy against a set of records (e.g. known relevant studies) in files."""
    from litrev.records import read

    nbib = SHARED / "nbib" / "pubmed__reflib__blue-light.nbib"
    strategy = tmp_path / "s.txt"
    strategy.write_text("blue-light[tiab] AND acne*[tiab]", encoding="utf-8")
    args = ["search", "run", "-p", str(tmp_path), "--file", str(strategy), "-d", "pubmed"]
    result = runner.invoke(app, [*args, "--records", str(nbib), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    records = read(nbib)
    want = [h.index + 1 for h in evaluate(parse(strategy.read_text(), "pubmed"), records, "pubmed")]
    assert data["records"] == len(records) and data["strategies"][0]["ids"] == want
    assert len(want) > 10
    diff = runner.invoke(
        app,
        ["search", "diff", "blue-light:ti,ab AND acne*:ti,ab", str(strategy), "-p", str(tmp_path),
         "--dialect-a", "cochrane", "--dialect-b", "pubmed", "--records", str(nbib), "--show", "1"],
    )  # fmt: skip
    assert diff.exit_code == 0, diff.output
    # Cochrane keeps "blue-light" as one word: "blue light" (spaced) is found by PubMed only.
    assert "found by B (s.txt), not by A:" in diff.output
    assert "A: needs blue-light" in diff.output
