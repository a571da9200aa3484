"""Exports carry the review (litrev id, databases, cluster, decisions) and come back whole."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from litrev.cli import app
from litrev.dedupe import persist
from litrev.project import Project
from litrev.records import identification_counts, import_files, read
from litrev.records.export import export_records
from litrev.records.importer import stored_records
from litrev.screening.decisions import DecisionInput, Screening, StageSettings

DATA = Path(__file__).parent / "data"
runner = CliRunner()
SINGLE = StageSettings(blind=False, reviewers_required=1)
PROTOCOL = """
[review]
id = "export-test"
title = "Export test"
type = "systematic"

[screening]
reviewers = ["kim", "lee"]
mode = "single"
"""


@pytest.fixture
def review(tmp_path: Path) -> Path:
    """Scopus (2), CINAHL (1), PubMed (2) and an unrecognised Zotero export (1); record 1
    included at both stages, record 2 excluded at title/abstract, record 3 pending."""
    root = tmp_path / "review"
    project = Project.init(root, protocol_text=PROTOCOL)
    files = [DATA / n for n in ("scopus.ris", "ebsco-cinahl.ris", "pubmed.nbib", "zotero.ris")]
    import_files(project.store, files, actor="t")
    screening = Screening(project.store, defaults=SINGLE)
    screening.decide_many(
        [
            DecisionInput(1, "kim", "title_abstract", "include"),
            DecisionInput(2, "kim", "title_abstract", "exclude", "wrong design"),
            DecisionInput(1, "kim", "full_text", "include"),
        ]
    )
    project.store.close()
    return root


def _export(root: Path, out: Path, fmt: str, *extra: str) -> None:
    result = runner.invoke(app, ["export", "--format", fmt, str(out), *extra, "-p", str(root)])
    assert result.exit_code == 0, result.output


def _rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    return list(
        csv.DictReader(io.StringIO(path.read_bytes().decode(), newline=""), delimiter=delimiter)
    )


def test_csv_export_has_review_columns(review: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    _export(review, out, "csv")
    rows = _rows(out)
    assert [r["litrev_id"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert [r["litrev_databases"] for r in rows] == [
        "Scopus",
        "Scopus",
        "CINAHL",
        "PubMed",
        "PubMed",
        "unspecified",
    ]
    assert [r["litrev_status"] for r in rows[:3]] == ["included", "excluded", "pending"]
    assert rows[1]["litrev_title_abstract"] == "exclude"
    assert rows[1]["litrev_title_abstract_reason"] == "wrong design"
    assert rows[0]["litrev_full_text"] == "include" and rows[2]["litrev_full_text"] == ""
    assert [r["litrev_cluster"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    # The database's own id stays in its own column.
    assert rows[3]["record_id"] not in ("", "4")


def test_asreview_included_is_filled(review: Path, tmp_path: Path) -> None:
    # The defect: `included` was empty even for included studies.
    out = tmp_path / "asreview.csv"
    _export(review, out, "asreview-csv")
    rows = _rows(out)
    assert [r["included"] for r in rows] == ["1", "0", "", "", "", ""]
    back = read(out)
    assert [r.label for r in back] == [1, 0, None, None, None, None]
    # ASReview needs unique record ids: litrev's, so its results name litrev's records.
    assert [r["record_id"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert next(csv.reader(io.StringIO(out.read_text())))[0] == "record_id"
    fresh = tmp_path / "fresh"
    project = Project.init(fresh, protocol_text=PROTOCOL)
    import_files(project.store, [out])
    old = Project.open(review)
    assert [(i, r.record_id, r.source_db) for i, r in stored_records(project.store)] == [
        (i, r.record_id, r.source_db) for i, r in stored_records(old.store)
    ]
    project.store.close()
    old.store.close()


def test_duplicates_carry_their_cluster(review: Path, tmp_path: Path) -> None:
    project = Project.open(review)
    persist.decide(project.store, 4, 5, "same", reviewer="kim")
    project.store.close()
    out = tmp_path / "dupes.tsv"
    _export(review, out, "tsv")
    rows = _rows(out, "\t")
    assert (rows[4]["litrev_cluster"], rows[4]["litrev_status"]) == ("4", "duplicate")
    assert rows[3]["litrev_status"] == "pending"


def test_xlsx_export_has_review_columns(review: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.xlsx"
    _export(review, out, "xlsx")
    sheet = load_workbook(out)["records"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    first = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert dict(zip(header, first, strict=True))["litrev_status"] == "included"


def test_ris_export_keeps_each_records_database_when_reimported(
    review: Path, tmp_path: Path
) -> None:
    # The defect: a RIS export read back labelled every record with one database (Scopus).
    out = tmp_path / "all.ris"
    _export(review, out, "ris")
    text = out.read_text()
    assert "N1  - litrev:id=3\n" in text and "N1  - litrev:status=excluded\n" in text
    assert text.count("DB  - ") >= 5
    fresh = tmp_path / "fresh"
    Project.init(fresh, protocol_text=PROTOCOL).store.close()
    result = runner.invoke(app, ["import", str(out), "-p", str(fresh)])
    assert result.exit_code == 0, result.output
    assert "kept the litrev ids" in result.output
    project = Project.open(fresh)
    assert identification_counts(project.store) == {
        "CINAHL": 1,
        "PubMed": 2,
        "Scopus": 2,
        "unspecified": 1,
    }
    from litrev.records.imports import list_imports

    (listed,) = list_imports(project.store)
    assert listed.databases == {"Scopus": 2, "CINAHL": 1, "PubMed": 2, "unspecified": 1}
    old = Project.open(review)
    before = [(i, r.title, r.source_db) for i, r in stored_records(old.store)]
    after = [(i, r.title, r.source_db) for i, r in stored_records(project.store)]
    assert after == before
    old.store.close()
    project.store.close()


def test_csv_export_round_trips_ids_and_databases(review: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    _export(review, out, "csv")
    fresh = tmp_path / "fresh"
    project = Project.init(fresh, protocol_text=PROTOCOL)
    report = import_files(project.store, [out])
    assert report.files[0].kept_ids
    assert identification_counts(project.store)["unspecified"] == 1
    # Exported again, the review columns are not doubled.
    again = tmp_path / "again.csv"
    export_records(project.store, again, "csv", screening=Screening(project.store, defaults=SINGLE))
    header = next(csv.reader(io.StringIO(again.read_text())))
    assert header.count("litrev_id") == 1 and header.count("litrev_status") == 1
    project.store.close()


def test_ids_are_not_kept_when_the_review_already_uses_them(review: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.ris"
    _export(review, out, "ris")
    other = tmp_path / "other"
    project = Project.init(other, protocol_text=PROTOCOL)
    (tmp_path / "eric.ris").write_text("TY  - JOUR\nTI  - Something else\nER  - \n")
    import_files(project.store, [tmp_path / "eric.ris"], source="ERIC")
    report = import_files(project.store, [out])
    assert not report.files[0].kept_ids
    assert [i for i, _ in stored_records(project.store)] == list(range(1, 8))
    project.store.close()


@pytest.mark.parametrize("fmt", ["csv", "tsv", "asreview-csv", "xlsx"])
def test_spreadsheet_exports_neutralise_formulas(tmp_path: Path, fmt: str) -> None:
    root = tmp_path / "r"
    project = Project.init(root, protocol_text=PROTOCOL)
    path = tmp_path / "evil.ris"
    path.write_text(
        'TY  - JOUR\nTI  - =HYPERLINK("http://evil.example","click")\nAU  - @SUM(1+1)\n'
        "AU  - -2+3\nAB  - +cmd\nER  - \n"
    )
    import_files(project.store, [path], source="ERIC")
    project.store.close()
    suffix = {"tsv": "tsv", "xlsx": "xlsx"}.get(fmt, "csv")
    out, raw_out = tmp_path / f"safe.{suffix}", tmp_path / f"raw.{suffix}"
    _export(root, out, fmt)
    _export(root, raw_out, fmt, "--raw-formulas")

    def cells(target: Path) -> list[str]:
        if fmt == "xlsx":
            sheet = load_workbook(target)["records"]
            return [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
        text = target.read_bytes().decode()
        rows = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if fmt == "tsv" else ",")
        return [c for row in rows for c in row]

    safe, raw = cells(out), cells(raw_out)
    assert not [c for c in safe if c[:1] in ("=", "+", "-", "@")]
    assert '\'=HYPERLINK("http://evil.example","click")' in safe
    assert '=HYPERLINK("http://evil.example","click")' in raw
    if fmt != "asreview-csv":  # ASReview's columns hold authors as one cell
        assert "'@SUM(1+1); -2+3" in safe and "'+cmd" in safe


def test_asreview_export_of_a_labelled_table_has_only_the_reviews_label(tmp_path: Path) -> None:
    root = tmp_path / "r"
    project = Project.init(root, protocol_text=PROTOCOL)
    table = tmp_path / "labelled.csv"
    table.write_text(
        "title,abstract,label_included\nFalls prevention,About falls,1\nLoneliness,About it,1\n"
    )
    import_files(project.store, [table], source="ASSIA")
    Screening(project.store, defaults=SINGLE).decide(
        2, reviewer="kim", stage="title_abstract", decision="exclude", reason="off topic"
    )
    project.store.close()
    out = tmp_path / "asreview.csv"
    _export(root, out, "asreview-csv")
    header = next(csv.reader(io.StringIO(out.read_text())))
    assert "label_included" not in header and header.count("included") == 1
    assert [r["included"] for r in _rows(out)] == ["", "0"]
    assert [r.label for r in read(out)] == [None, 0]


@pytest.mark.parametrize(
    ("fmt", "suffix"),
    [("nbib", "nbib"), ("bibtex", "bib"), ("endnote-xml", "xml"), ("json", "json")],
)
def test_other_pair_formats_carry_and_round_trip_the_review(
    review: Path, tmp_path: Path, fmt: str, suffix: str
) -> None:
    out = tmp_path / f"all.{suffix}"
    _export(review, out, fmt)
    text = out.read_text()
    forms = ("litrev:status=excluded", "litrev-status = {excluded}", '"status": "excluded"')
    assert any(form in text for form in forms)
    fresh = tmp_path / "fresh"
    project = Project.init(fresh, protocol_text=PROTOCOL)
    report = import_files(project.store, [out])
    assert report.files[0].kept_ids
    assert identification_counts(project.store) == {
        "CINAHL": 1,
        "PubMed": 2,
        "Scopus": 2,
        "unspecified": 1,
    }
    # Exported again from the new project, the notes are replaced, not repeated.
    again = tmp_path / f"again.{suffix}"
    export_records(project.store, again, fmt, screening=Screening(project.store, defaults=SINGLE))
    again_text = again.read_text()
    forms = ("litrev:id=1\n", "litrev-id = 1,", '"id": "1",')
    assert sum(again_text.count(form) for form in forms) == 1
    project.store.close()


def test_an_export_imported_back_into_its_own_review_is_refused(
    review: Path, tmp_path: Path
) -> None:
    from litrev.cli import run

    for fmt, suffix in (("ris", "ris"), ("csv", "csv")):
        out = tmp_path / f"mine.{suffix}"
        _export(review, out, fmt)
        assert run(["import", str(out), "-p", str(review)]) == 2
    project = Project.open(review)
    assert len(stored_records(project.store)) == 6
    project.store.close()
