"""`litrev import` and `litrev export` on a review folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from litrev.cli import app
from litrev.errors import InputError
from litrev.project import Project
from litrev.records import identification_counts, read

DATA = Path(__file__).parent / "data"
runner = CliRunner()


@pytest.fixture
def review(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    Project.init(root).store.close()
    return root


def test_import_prints_counts_and_export_writes_every_format(review: Path, tmp_path: Path) -> None:
    files = [str(DATA / n) for n in ("scopus.ris", "ebsco-cinahl.ris", "pubmed.nbib", "zotero.ris")]
    result = runner.invoke(app, ["import", *files, "-p", str(review)])
    assert result.exit_code == 0, result.output
    assert "Imported 6 records" in result.output
    assert "CINAHL" in result.output and "Scopus" in result.output
    assert "unspecified" in result.output
    project = Project.open(review)
    assert identification_counts(project.store) == {
        "CINAHL": 1,
        "PubMed": 2,
        "Scopus": 2,
        "unspecified": 1,
    }
    project.store.close()
    for fmt, suffix in (
        ("ris", "ris"),
        ("nbib", "nbib"),
        ("bibtex", "bib"),
        ("csv", "csv"),
        ("xlsx", "xlsx"),
        ("endnote-xml", "xml"),
        ("asreview-csv", "csv"),
    ):
        out = tmp_path / f"export-{fmt}.{suffix}"
        result = runner.invoke(app, ["export", "--format", fmt, str(out), "-p", str(review)])
        assert result.exit_code == 0, result.output
        assert "wrote 6 records" in result.output
        titles = [r.title for r in read(out)]
        assert "Co-production of mental health services: a realist review" in titles
        assert len(titles) == 6


def test_import_malformed_file_is_rejected_and_nothing_written(
    review: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.ris"
    bad.write_text("TY  - JOUR\nTI  - ok\nER  - \nTY  - JOUR\nTI  - cut\n")
    result = runner.invoke(app, ["import", str(DATA / "scopus.ris"), str(bad), "-p", str(review)])
    assert isinstance(result.exception, InputError)
    assert result.exception.line == 4
    project = Project.open(review)
    assert identification_counts(project.store) == {}
    project.store.close()


def test_import_skip_invalid_lists_skipped_records(review: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ris"
    bad.write_text("TY  - JOUR\nTI  - ok\nER  - \nTY  - JOUR\nTI  - cut\n")
    result = runner.invoke(
        app, ["import", str(bad), "--skip-invalid", "--source", "ASSIA", "-p", str(review)]
    )
    assert result.exit_code == 0, result.output
    assert "1 record(s) skipped" in result.output
    assert f"{bad}:4: record 2: record started at line 4 has no closing" in result.output
    assert "ASSIA" in result.output


def test_empty_file_is_a_warning_not_an_import(review: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.ris"
    empty.write_text("")
    result = runner.invoke(app, ["import", str(empty), "-p", str(review)])
    assert result.exit_code == 0, result.output
    assert "no records in this file; it was not recorded as an import" in " ".join(
        result.output.split()
    )
    result = runner.invoke(app, ["import", "list", "--json", "-p", str(review)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "[]"


def test_reimport_is_refused_with_exit_2(review: Path, tmp_path: Path) -> None:
    from litrev.cli import run

    assert run(["import", str(DATA / "scopus.ris"), "-p", str(review)]) == 0
    again = tmp_path / "scopus.ris"
    again.write_bytes((DATA / "scopus.ris").read_bytes().replace(b"\n", b"\r\n"))
    assert run(["import", str(again), "-p", str(review)]) == 2
    assert run(["import", str(again), "--again", "-p", str(review)]) == 0


def test_import_list_and_undo_commands(review: Path) -> None:
    import json

    runner.invoke(app, ["import", str(DATA / "scopus.ris"), "-p", str(review)])
    runner.invoke(app, ["import", str(DATA / "pubmed.nbib"), "-p", str(review)])
    result = runner.invoke(app, ["import", "list", "--json", "-p", str(review)])
    listed = json.loads(result.stdout)
    assert [(i["id"], i["records"], i["first_id"]) for i in listed] == [(1, 2, 1), (2, 2, 3)]
    result = runner.invoke(app, ["import", "list", "-p", str(review)], env={"COLUMNS": "200"})
    assert "scopus.ris" in result.stdout and "pubmed.nbib" in result.stdout
    result = runner.invoke(app, ["import", "undo", "1", "-p", str(review)])
    assert result.exit_code == 0, result.output
    assert "removed 2 records" in result.output
    project = Project.open(review)
    assert identification_counts(project.store) == {"PubMed": 2}
    project.store.close()
    result = runner.invoke(app, ["import", "undo", "7", "-p", str(review)])
    assert result.exit_code != 0 and "no import 7" in str(result.exception)


def test_import_warns_when_a_database_matches_no_search(tmp_path: Path) -> None:
    root = tmp_path / "r"
    protocol = (
        '[review]\nid = "w"\ntitle = "W"\ntype = "scoping"\n\n'
        '[[searches]]\ndatabase = "Web of Science Core Collection"\nplatform = "Clarivate"\n'
        'date = "2024-01-10"\nhits = 10\nstrategy = "care"\n\n'
        '[[searches]]\ndatabase = "CINAHL with Full Text"\nplatform = "EBSCOhost"\n'
        'date = "2024-01-10"\nhits = 5\nstrategy = "care"\n'
    )
    Project.init(root, protocol_text=protocol).store.close()
    result = runner.invoke(
        app, ["import", str(DATA / "scopus.ris"), str(DATA / "ebsco-cinahl.ris"), "-p", str(root)]
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "imported source 'Scopus' matches no [[searches]] database" in out
    assert "Web of Science Core Collection, CINAHL with Full Text" in out
    assert "'CINAHL'" not in out  # CINAHL matches "CINAHL with Full Text"
