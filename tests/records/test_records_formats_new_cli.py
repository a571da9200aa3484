"""`litrev import` of one export of each issue-10 format into a fresh `litrev init` review."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from litrev.cli import app, run
from litrev.errors import InputError
from litrev.project import Project
from litrev.records import identification_counts, load_records

FORMATS = Path(__file__).parent / "data" / "formats"
runner = CliRunner()

# file -> format shown by `import`, records per database
EXPECTED = {
    "cochrane.txt": (
        "cochrane-txt",
        {"Cochrane CENTRAL": 2, "Cochrane Database of Systematic Reviews": 1},
    ),
    "pubmed.xml": ("pubmed-xml", {"PubMed": 3}),
    "europepmc.xml": ("europepmc-xml", {"Europe PMC": 2}),
    "ovid-embase.txt": ("ovid-txt", {"Embase": 2}),
    "csl.json": ("csl-json", {"Emerald Insight": 1, "unspecified": 1}),
    "zotero.rdf": ("zotero-rdf", {"PubMed": 1, "unspecified": 1}),
    "refworks.txt": ("refworks", {"Social Services Abstracts": 1, "unspecified": 1}),
    "embase.csv": ("embase-csv", {"Embase": 2}),
    "proquest.csv": ("proquest-csv", {"Sociological Abstracts": 1, "ASSIA": 1}),
    "ebsco.csv": ("ebsco-csv", {"CINAHL": 2}),
}


def test_import_one_export_of_each_new_format(tmp_path: Path) -> None:
    review = tmp_path / "review"
    result = runner.invoke(app, ["init", str(review)])
    assert result.exit_code == 0, result.output
    files = [str(FORMATS / name) for name in EXPECTED]
    result = runner.invoke(app, ["import", *files, "-p", str(review)], terminal_width=200)
    assert result.exit_code == 0, result.output
    total = sum(sum(counts.values()) for _, counts in EXPECTED.values())
    assert f"Imported {total} records" in result.output
    for name, (fmt, _) in EXPECTED.items():
        assert fmt in result.output, name
    expected: dict[str, int] = {}
    for _, counts in EXPECTED.values():
        for database, n in counts.items():
            expected[database] = expected.get(database, 0) + n
    project = Project.open(review)
    try:
        assert identification_counts(project.store) == expected
        stored = load_records(project.store)
        assert len(stored) == total
        by_format: dict[str, int] = {}
        for record in stored:
            assert record.provenance is not None and record.raw
            fmt = record.provenance.format or ""
            by_format[fmt] = by_format.get(fmt, 0) + 1
        assert by_format == {fmt: sum(counts.values()) for fmt, counts in EXPECTED.values()} | {
            "ovid-txt": 2
        }
    finally:
        project.store.close()


def test_import_of_a_malformed_new_format_writes_nothing(tmp_path: Path) -> None:
    review = tmp_path / "review"
    assert runner.invoke(app, ["init", str(review)]).exit_code == 0
    bad = tmp_path / "cut.txt"
    text = (FORMATS / "cochrane.txt").read_text(encoding="utf-8")
    bad.write_text(text[: text.index("Record #3 of 3")], encoding="utf-8")
    result = runner.invoke(
        app, ["import", str(FORMATS / "pubmed.xml"), str(bad), "-p", str(review)]
    )
    # The `litrev` entry point turns this InputError into exit status 2 and its message.
    assert isinstance(result.exception, InputError)
    assert result.exception.path == str(bad) and result.exception.line == 38
    project = Project.open(review)
    try:
        assert identification_counts(project.store) == {}
    finally:
        project.store.close()


def test_malformed_new_format_exits_2_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    review = tmp_path / "review"
    assert run(["init", str(review)]) == 0
    bad = tmp_path / "orphan.txt"
    bad.write_text("<1>\nTitle\n  A\n\n<2>\n  orphan value\n", encoding="utf-8")
    assert run(["import", str(bad), "-p", str(review)]) == 2
    assert f"{bad}:6: line 6 is an indented value before any field label" in capsys.readouterr().err
