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
