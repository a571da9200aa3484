"""`litrev records list|show`: litrev's ids, statuses, databases, clusters and decisions."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from litrev.cli import app
from litrev.dedupe import persist
from litrev.errors import LitrevError
from litrev.project import Project
from litrev.records import import_files
from litrev.records.listing import record_detail, record_states, select_states
from litrev.screening.decisions import DecisionInput, Screening, StageSettings

runner = CliRunner()
PROTOCOL = """
[review]
id = "listing-test"
title = "Listing test"
type = "scoping"

[screening]
reviewers = ["rev-a", "rev-b"]
mode = "single"
"""

# Unlike the demo: an ERIC and an ASSIA export, with ids that are not PMIDs ("~" marks the
# space that ends a RIS `ER  - ` line).
ERIC = """TY  - JOUR
TI  - Peer support for carers of people with dementia
AU  - Okafor, Ngozi
PY  - 2017
AN  - EJ1100001
ER  -~

TY  - JOUR
TI  - Community kitchens and food insecurity in later life
AU  - Lindqvist, Maja
PY  - 2021
AN  - EJ1100002
ER  -~

TY  - JOUR
TI  - Reablement at home after hospital discharge
AU  - Tanaka, Hiro
PY  - 2019
AN  - EJ1100003
ER  -~
""".replace("~", " ")
ASSIA = """TY  - JOUR
TI  - Reablement at home after hospital discharge.
AU  - Tanaka, Hiro
PY  - 2019
JO  - Health and Social Care in the Community
AN  - 2345001
ER  -~
""".replace("~", " ")


@pytest.fixture
def review(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    project = Project.init(root, protocol_text=PROTOCOL)
    (tmp_path / "eric.ris").write_text(ERIC)
    (tmp_path / "assia.ris").write_text(ASSIA)
    import_files(project.store, [tmp_path / "eric.ris"], source="ERIC", actor="t")
    import_files(project.store, [tmp_path / "assia.ris"], source="ASSIA", actor="t")
    # Record 4 (ASSIA) repeats record 3 (ERIC): a person says so.
    persist.decide(project.store, 3, 4, "same", reviewer="rev-a")
    screening = Screening(project.store, defaults=StageSettings(blind=False, reviewers_required=1))
    screening.decide_many(
        [
            DecisionInput(1, "rev-a", "title_abstract", "include"),
            DecisionInput(2, "rev-a", "title_abstract", "exclude", "off topic"),
            DecisionInput(1, "rev-a", "full_text", "include"),
        ]
    )
    project.store.close()
    return root


def _screening(root: Path) -> Screening:
    project = Project.open(root)
    return Screening(project.store, defaults=StageSettings(blind=False, reviewers_required=1))


def test_states_give_status_database_and_cluster(review: Path) -> None:
    states = record_states(_screening(review))
    got = {s.id: (s.status, s.databases, s.cluster) for s in states.values()}
    assert got == {
        1: ("included", ("ERIC",), 1),
        2: ("excluded", ("ERIC",), 2),
        3: ("pending", ("ERIC",), 3),
        4: ("duplicate", ("ASSIA",), 3),
    }
    assert states[1].stage("full_text").outcome == "include"
    assert states[2].stage("title_abstract").reason == "off topic"
    assert states[2].stage("full_text").outcome == ""  # never reaches full text
    assert states[1].source_id == "EJ1100001"


def test_select_by_stage_status_and_database(review: Path) -> None:
    states = record_states(_screening(review))
    assert [s.id for s in select_states(states, status="pending")] == [3]
    # A duplicate is not screened at any stage: only --status duplicate lists it.
    assert [s.id for s in select_states(states, stage="full_text")] == [1]
    assert [s.id for s in select_states(states, stage="ft", status="duplicate")] == [4]
    assert [s.id for s in select_states(states, stage="ta", status="included")] == [1]
    assert [s.id for s in select_states(states, database="assia")] == [4]
    with pytest.raises(LitrevError, match="expected one of: included"):
        select_states(states, status="maybe")


def test_only_the_last_protocol_stage_decides_included(review: Path) -> None:
    states = record_states(_screening(review), stages=["title_abstract"])
    assert states[1].status == "included"
    assert [s.stage for s in states[1].stages] == ["title_abstract"]
    with pytest.raises(LitrevError, match="stage full_text is not screened in this review"):
        select_states(states, stage="ft")


def test_detail_has_fields_sources_cluster_and_decisions(review: Path) -> None:
    detail = record_detail(_screening(review), 4)
    assert detail.state.duplicate_of == 3
    assert detail.cluster_members == [3, 4]
    assert ("journal", "Health and Social Care in the Community") in detail.fields
    assert ("AN", "2345001") in detail.raw
    assert detail.provenance[0]["source_db"] == "ASSIA"
    one = record_detail(_screening(review), 1)
    assert [(d["stage"], d["reviewer"], d["decision"]) for d in one.decisions] == [
        ("title_abstract", "rev-a", "include"),
        ("full_text", "rev-a", "include"),
    ]
    with pytest.raises(LitrevError, match="no record 99 in this review"):
        record_detail(_screening(review), 99)


def test_cli_list_json_csv_and_table(review: Path) -> None:
    result = runner.invoke(app, ["records", "list", "--format", "json", "-p", str(review)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["litrev_id"], r["status"]) for r in rows] == [
        (1, "included"),
        (2, "excluded"),
        (3, "pending"),
        (4, "duplicate"),
    ]
    assert rows[3]["duplicate_of"] == 3 and rows[0]["databases"] == ["ERIC"]
    result = runner.invoke(
        app, ["records", "list", "--status", "pending", "--format", "csv", "-p", str(review)]
    )
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["litrev_id"], r["title"]) for r in table] == [
        ("3", "Reablement at home after hospital discharge")
    ]
    result = runner.invoke(app, ["records", "list", "-p", str(review)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "duplicate of 3" in result.stdout and "Okafor, Ngozi" in result.stdout


def test_cli_list_gives_ids_that_decide_accepts(review: Path, tmp_path: Path) -> None:
    # The defect: nothing in the CLI gave litrev's ids, which `decide` needs.
    result = runner.invoke(
        app, ["records", "list", "--status", "pending", "--format", "json", "-p", str(review)]
    )
    pending = [r["litrev_id"] for r in json.loads(result.stdout)]
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        "record_id,reviewer,stage,decision,reason\n"
        + "".join(f"{i},rev-b,title_abstract,include,\n" for i in pending)
    )
    result = runner.invoke(app, ["decide", str(decisions), "-p", str(review)])
    assert result.exit_code == 0, result.output
    states = record_states(_screening(review))
    assert states[3].stage("title_abstract").outcome == "include"


def test_cli_show(review: Path) -> None:
    result = runner.invoke(app, ["records", "show", "4", "-p", str(review)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "duplicate of record 3" in result.stdout
    assert "duplicate cluster 3: records 3, 4" in result.stdout
    assert "ASSIA" in result.stdout and "2345001" in result.stdout
    result = runner.invoke(app, ["records", "show", "1", "--json", "-p", str(review)])
    shown = json.loads(result.stdout)
    assert shown["decisions"][0]["reviewer"] == "rev-a"
    assert shown["fields"]["title"] == "Peer support for carers of people with dementia"
    result = runner.invoke(app, ["records", "show", "40", "-p", str(review)])
    assert result.exit_code != 0
    assert isinstance(result.exception, LitrevError)


def _one_title_review(tmp_path: Path, title: str) -> Path:
    """A review holding one RIS record with this title, imported from ERIC."""
    root = tmp_path / "r"
    project = Project.init(root, protocol_text=PROTOCOL)
    path = tmp_path / "one.ris"
    path.write_text(f"TY  - JOUR\nTI  - {title}\nER  - \n")
    import_files(project.store, [path], source="ERIC")
    project.store.close()
    return root


def test_titles_are_printed_as_written_not_as_markup(tmp_path: Path) -> None:
    root = _one_title_review(tmp_path, "[bold]Loud[/bold] [1] title")
    result = runner.invoke(app, ["records", "list", "-p", str(root)], env={"COLUMNS": "200"})
    assert "[bold]Loud[/bold] [1] title" in result.stdout


def test_cli_list_csv_neutralises_formula_cells(tmp_path: Path) -> None:
    root = _one_title_review(tmp_path, '=HYPERLINK("http://x")')
    result = runner.invoke(app, ["records", "list", "--format", "csv", "-p", str(root)])
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert row["title"] == '\'=HYPERLINK("http://x")'
    result = runner.invoke(
        app, ["records", "list", "--format", "csv", "--raw-formulas", "-p", str(root)]
    )
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert row["title"] == '=HYPERLINK("http://x")'


def test_cli_list_names_the_databases_when_one_matches_nothing(review: Path) -> None:
    result = runner.invoke(app, ["records", "list", "--database", "Embase", "-p", str(review)])
    assert result.exit_code == 0, result.output
    assert "no record comes from database 'Embase'" in result.output
    assert "ASSIA, ERIC" in result.output
