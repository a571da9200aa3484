"""The paper's tables (`litrev tables`): the built-in review reproduces the seed's
Supplementary files 2 to 4 in DOCX and XLSX, read back and compared row by row with the seed's
own text; another review gets its own tables; hostile values stay inert text; the files are
byte-stable under SOURCE_DATE_EPOCH and structured as the brief says."""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from typer.testing import CliRunner

from litrev.cli import app, run
from litrev.synthesis.paper.tables import filing_key
from litrev.synthesis.paper.xlsx import sheet_names

SEED = "seed/000_ba6e7b868008b380.txt"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
TITLE_LINE = re.compile(r"(Supplementary file \d+)\s+(Included articles: .*\(n=(\d+)\))\s*$")


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def seed_tables(path: Path) -> list[dict[str, Any]]:
    """Supplementary files 2-4 as printed in the seed: a title line ("Supplementary file N",
    tab, "Included articles: ... (n=K)"), four column headings, then four cells per study, one
    cell a line (blank lines between cells and rows carry no meaning)."""
    tables: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        found = TITLE_LINE.search(line)
        if found:
            tables.append(
                {"label": found[1], "title": norm(found[2]), "n": int(found[3]), "cells": []}
            )
        elif tables and line.strip():
            tables[-1]["cells"].append(norm(line))
    for table in tables:
        cells = table.pop("cells")
        assert len(cells) % 4 == 0, table["label"]
        table["headings"] = cells[:4]
        table["rows"] = [cells[i : i + 4] for i in range(4, len(cells), 4)]
    return tables


def docx_tables(path: Path) -> dict[str, dict[str, Any]]:
    """{heading: {"headings", "rows", "table"}} read back with python-docx, in document order."""
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    out = {}
    for heading, table in zip(headings, document.tables, strict=False):
        rows = [[norm(c.text) for c in row.cells] for row in table.rows]
        out[norm(heading)] = {"headings": rows[0], "rows": rows[1:], "table": table}
    return out


def xlsx_tables(path: Path) -> dict[str, dict[str, Any]]:
    """{sheet: {"heading", "headings", "rows"}} read back with openpyxl."""
    workbook = openpyxl.load_workbook(path)
    out = {}
    for sheet in workbook.worksheets:
        rows = [
            [norm(str(v)) for v in row if v is not None]
            for row in sheet.iter_rows(values_only=True)
        ]
        out[sheet.title] = {"heading": rows[0][0], "headings": rows[1] if len(rows) > 1 else [],
                            "rows": rows[2:], "sheet": sheet}  # fmt: skip
    return out


@pytest.fixture(scope="module")
def demo(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in review (built once per session) with its tables written by `litrev tables`
    (`litrev demo` writes the same: tests/core/test_core_demo.py checks it does)."""
    out = tmp_path_factory.mktemp("paper") / "review"
    shutil.copytree(demo_dir, out)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = CliRunner().invoke(app, ["tables", "-p", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{out}/tables.docx" in result.output.replace("\n", "")
    return out


def test_seed_parser_reads_three_tables_with_their_stated_counts(shared_dir: Path) -> None:
    tables = seed_tables(shared_dir / SEED)
    assert [t["label"] for t in tables] == [f"Supplementary file {n}" for n in (2, 3, 4)]
    for table in tables:
        assert len(table["rows"]) == table["n"], table["label"]  # the seed's n is its row count


def test_built_in_review_docx_reproduces_supplementary_files_2_to_4(
    demo: Path, shared_dir: Path
) -> None:
    made = docx_tables(demo / "tables.docx")
    for table in seed_tables(shared_dir / SEED):
        heading = f"{table['label']}. {table['title']}"
        assert heading in made, (heading, list(made))
        assert made[heading]["headings"] == table["headings"]
        assert made[heading]["rows"] == table["rows"], table["label"]


def test_built_in_review_xlsx_reproduces_supplementary_files_2_to_4(
    demo: Path, shared_dir: Path
) -> None:
    made = xlsx_tables(demo / "tables.xlsx")
    for table in seed_tables(shared_dir / SEED):
        sheet = made[table["label"]]
        assert sheet["heading"] == f"{table['label']}. {table['title']}"
        assert sheet["headings"] == table["headings"]
        assert sheet["rows"] == table["rows"], table["label"]


def test_built_in_review_tables_every_included_study_once(demo: Path) -> None:
    # The seed tables 71 studies; the two boundary-spanning papers (Results text) get a table.
    made = docx_tables(demo / "tables.docx")
    assert sum(len(t["rows"]) for t in made.values()) == 73
    (boundary,) = [h for h in made if "boundary-spanning" in h]
    assert boundary.endswith("(n=2)")
    assert sorted(r[0] for r in made[boundary]["rows"]) == [
        "Batalden and colleagues",
        "Essén et al.",
    ]


def test_docx_structure_title_header_repeat_bold_orientation(demo: Path) -> None:
    document = docx.Document(str(demo / "tables.docx"))
    title = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert title == [document.core_properties.title] and title[0].startswith("Applying models")
    assert len(document.tables) == 4 and len(document.sections) == 4  # a section per table
    for table in document.tables:
        first = table.rows[0]._tr
        flag = first.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}")
        assert flag is not None and flag.get(qn("w:val")) == "true"
        assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
        assert all(
            tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None for tr in table._tbl.tr_lst[1:]
        )
    for section in document.sections:  # four columns: portrait
        assert section.orientation == 0 and section.page_width < section.page_height


def test_xlsx_structure_frozen_widths_wrapped_names(demo: Path) -> None:
    workbook = openpyxl.load_workbook(demo / "tables.xlsx")
    assert workbook.properties.title.startswith("Applying models")
    for sheet in workbook.worksheets:
        assert len(sheet.title) <= 31 and not re.search(r"[\[\]:*?/\\]", sheet.title)
        assert sheet.freeze_panes == "A3"
        assert all(cell.font.bold for cell in sheet[2] if cell.value is not None)
        widths = [sheet.column_dimensions[c].width for c in "ABCD"]
        assert widths[3] == 60 and all(8 < w <= 60 for w in widths)  # contributions wrap at 60
        assert all(
            cell.alignment.wrap_text
            for row in sheet.iter_rows(min_row=3)
            for cell in row
            if cell.value
        )
        assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value)
    assert len({s.title.casefold() for s in workbook.worksheets}) == len(workbook.worksheets)


def test_same_input_same_bytes_dates_from_source_date_epoch(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert run(["tables", "-p", str(demo), "--out", str(tmp_path / "a")]) == 0
    for name in ("tables.docx", "tables.xlsx"):
        assert (tmp_path / "a" / name).read_bytes() == (demo / name).read_bytes(), name
    created = docx.Document(str(demo / "tables.docx")).core_properties.created
    assert created is not None and created.isoformat().startswith("2026-01-01T00:00:00")
    props = openpyxl.load_workbook(demo / "tables.xlsx").properties
    assert props.created.isoformat() == props.modified.isoformat() == "2026-01-01T00:00:00"
    for name in ("tables.docx", "tables.xlsx"):
        with zipfile.ZipFile(demo / name) as archive:
            assert {i.date_time for i in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # another date: only dates differ
    assert run(["tables", "-p", str(demo), "--out", str(tmp_path / "b"), "--format", "docx"]) == 0
    assert not (tmp_path / "b" / "tables.xlsx").exists()
    again = docx.Document(str(tmp_path / "b" / "tables.docx"))
    assert again.core_properties.created.year == 2023
    assert (
        docx_tables(tmp_path / "b" / "tables.docx").keys()
        == docx_tables(demo / "tables.docx").keys()
    )


def test_filing_order_is_the_seeds() -> None:
    # Runs of first authors in the seed's order (Supplementary files 2 and 3).
    for printed in (
        ["Cramm", "De Couvreur", "Farmer", "Macaulay", "McColl-Kennedy", "Marks", "Redwood"],
        ["Redwood", "Rütten", "Sancino"],
        ["Chisholm", "de Andrade", "Doherty"],
        ["Baim‐Lance", "Barrett"],  # U+2010 hyphen
    ):
        assert sorted(printed, key=filing_key) == printed
    assert filing_key("M'Bala") == filing_key("MacBala") and filing_key("Mcintyre") == "macintyre"


def test_sheet_names_are_valid_unique_and_short() -> None:
    names = sheet_names(
        ["a/b:c*?[x]\\y", "x" * 40, "x" * 40, "X" * 40, "'quoted'", "", "History", "Sheet"]
    )
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    assert names[0] == "a-b-c---x--y" and names[4] == "quoted" and names[6] != "History"
    assert names[1] == "x" * 31 and names[2] == "x" * 27 + " (2)" and names[3] == "X" * 27 + " (3)"


# A review unlike the demo: randomised trials, cohort studies and qualitative studies of a falls
# programme; labels "{lead} ({pub_year})"; six columns in the trials' table; no table configured
# for cohorts; no qualitative study; one study with no design; hostile values.
PROTOCOL = """
[review]
id = "falls-programmes"
title = "Falls prevention programmes <b>at home</b>"
type = "systematic"

[[codebook.fields]]
name = "lead"
type = "text"
required = true
[[codebook.fields]]
name = "pub_year"
type = "year"
[[codebook.fields]]
name = "design"
label = "Study design"
type = "choice"
choices = ["rct", "cohort", "qualitative"]
[[codebook.fields]]
name = "setting"
label = "Setting"
type = "multi_choice"
choices = ["home", "hospital", "community"]
[[codebook.fields]]
name = "participants"
label = "Participants"
type = "integer"
[[codebook.fields]]
name = "outcome"
label = "Main outcome"
type = "long_text"
[[codebook.fields]]
name = "notes"
label = "Notes"
type = "text"

[classification]
field = "design"
[[classification.categories]]
name = "rct"
label = "Randomised controlled trials"
[[classification.categories]]
name = "cohort"
label = "Cohort studies"
table = "Table 3"
[[classification.categories]]
name = "qualitative"
label = "Qualitative studies"

[report]
study_label = "{lead} ({pub_year})"

[[report.tables]]
category = "rct"
label = "Table 2"
title = "Trials of home exercise"
columns = ["@study", "setting", "participants", "outcome", "notes", "pub_year"]
headings = ["Trial", "Where", "N randomised", "Primary outcome", "Remarks", "Published"]

[[report.tables]]
category = "qualitative"
title = "Qualitative studies of experience"
columns = ["@study", "outcome"]
"""
HOSTILE_FORMULA = '=HYPERLINK("http://evil.test","click")'
HOSTILE_SCRIPT = "<script>alert(1)</script>"
STUDIES = [
    # lead, year, design, setting, participants, outcome, notes
    ("McAllister", "2019", "rct", "home;community", "120", "Falls per person-year", ""),
    ("Ōtsuka", "2021", "rct", "home", "88", HOSTILE_SCRIPT, "bell\x07here"),
    ("MacLeod", "2018", "rct", "hospital", "240", "Injurious falls", HOSTILE_FORMULA),
    ("van Dijk", "2020", "cohort", "community", "1500", "Hip fracture", "+1 extra"),
    ("Abbott", "2017", "cohort", "home", "", "Fear of falling", "@mention"),
    ("Nguyen", "2022", "", "home", "30", "Adherence", ""),
]


@pytest.fixture(scope="module")
def falls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("falls") / "review"
    assert run(["init", str(root)]) == 0
    (root / "litrev.toml").write_text(PROTOCOL, encoding="utf-8")
    table = root / "extraction.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["authors", "year", "title", "lead", "pub_year", "design", "setting",
                         "participants", "outcome", "notes"])  # fmt: skip
        for n, (lead, year, *rest) in enumerate(STUDIES):
            writer.writerow([f"{lead}, A.", year, f"Study {n}", lead, year, *rest])
    assert run(["extract", "import", str(table), "-p", str(root)]) == 0
    return root


def test_another_review_gets_its_own_tables(
    falls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["tables", "-p", str(falls), "--out", str(falls / "out")]) == 0
    err = capsys.readouterr().err
    made = docx_tables(falls / "out" / "tables.docx")
    assert list(made) == [
        "Table 2. Trials of home exercise (n=3)",
        "Table 3. Cohort studies (n=2)",
        "Qualitative studies of experience (n=0)",
        "Not classified (n=1)",
    ]
    trials = made["Table 2. Trials of home exercise (n=3)"]
    assert trials["headings"] == [
        "Trial",
        "Where",
        "N randomised",
        "Primary outcome",
        "Remarks",
        "Published",
    ]
    # Filed by first author, Mc as Mac ("macallister" < "macleod"), Ō as O.
    assert [r[0] for r in trials["rows"]] == [
        "McAllister (2019)",
        "MacLeod (2018)",
        "Ōtsuka (2021)",
    ]
    assert trials["rows"][0][1:] == ["home; community", "120", "Falls per person-year", "—", "2019"]
    cohorts = made["Table 3. Cohort studies (n=2)"]
    assert cohorts["headings"] == ["Study", "Setting", "Participants", "Main outcome", "Notes"]
    assert [r[0] for r in cohorts["rows"]] == ["Abbott (2017)", "van Dijk (2020)"]
    assert cohorts["rows"][0][2] == "—"  # no participants stated
    assert made["Not classified (n=1)"]["rows"][0][0] == "Nguyen (2022)"
    document = docx.Document(str(falls / "out" / "tables.docx"))
    texts = [p.text for p in document.paragraphs]
    assert "No included study is in this category." in texts
    assert "Notes" in texts and any("no [[report.tables]] entry" in t for t in texts)
    assert document.paragraphs[0].text == "Falls prevention programmes <b>at home</b>"
    # More than four columns: landscape (trials 6, cohorts 5, not classified 5); two: portrait.
    orientations = [(s.orientation, s.page_width > s.page_height) for s in document.sections]
    assert orientations == [(1, True), (1, True), (0, False), (1, True)]
    for warning in ("'cohort' has no [[report.tables]] entry",
                    "no included study is in category 'qualitative'",
                    "1 study is in no category's table: no category (1)"):  # fmt: skip
        assert warning in " ".join(err.split()), warning
    sheets = xlsx_tables(falls / "out" / "tables.xlsx")
    assert list(sheets) == [
        "Table 2",
        "Table 3",
        "Qualitative studies of experien",
        "Not classified (n=1)",
        "Notes",
    ]
    assert sheets["Qualitative studies of experien"]["rows"] == [
        ["No included study is in this category."]
    ]
    assert sheets["Notes"]["sheet"].max_row == 4  # "Notes", then the three warnings


def test_hostile_values_are_inert_text_in_both_formats(falls: Path) -> None:
    out = falls / "hostile"
    assert run(["tables", "-p", str(falls), "--out", str(out)]) == 0
    trials = docx_tables(out / "tables.docx")["Table 2. Trials of home exercise (n=3)"]["rows"]
    by_lead = {r[0]: r for r in trials}
    assert by_lead["MacLeod (2018)"][4] == HOSTILE_FORMULA  # Word runs no formulas: as written
    assert by_lead["Ōtsuka (2021)"][3] == HOSTILE_SCRIPT
    assert (
        by_lead["Ōtsuka (2021)"][4] == "bell\ufffdhere"
    )  # XML cannot hold BEL: shown, not dropped
    with zipfile.ZipFile(out / "tables.docx") as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert "&lt;script&gt;" in body and "<script>" not in body and "\x07" not in body
    workbook = openpyxl.load_workbook(out / "tables.xlsx")
    cells = {c.value: c for row in workbook["Table 2"].iter_rows() for c in row if c.value}
    assert f"'{HOSTILE_FORMULA}" in cells and HOSTILE_FORMULA not in cells
    assert cells[f"'{HOSTILE_FORMULA}"].data_type == "s" and HOSTILE_SCRIPT in cells
    assert "bell\ufffdhere" in cells
    cohort = {c.value for row in workbook["Table 3"].iter_rows() for c in row if c.value}
    assert {"'+1 extra", "'@mention"} <= cohort
    with zipfile.ZipFile(out / "tables.xlsx") as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(archive.read(n).decode("utf-8") for n in sheets)
    assert "<f>" not in xml  # no formula anywhere


def test_bad_protocol_tables_and_formats_are_refused_by_name(
    falls: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "bad"
    root.mkdir()
    for bad, expected in [
        ('[[report.tables]]\ncategory = "rct"\ncolumns = ["@study", "lead_author"]\n',
         "report.tables[1].columns names ['lead_author'], not codebook fields"),
        ('[[report.tables]]\ncategory = "trials"\n', "report.tables[1].category 'trials' is not a classification category"),
        ('[[report.tables]]\ncolumns = ["@study"]\nheadings = ["a", "b"]\n', "2 headings for 1 columns"),
        ('[[report.tables]]\ncategory = "rct"\n[[report.tables]]\ncategory = "rct"\n', "report.tables[2]: a second table for 'rct'"),
    ]:  # fmt: skip
        text = PROTOCOL.split("[[report.tables]]")[0] + bad
        (root / "litrev.toml").write_text(text, encoding="utf-8")
        assert run(["tables", "-p", str(root)]) == 2
        assert expected in " ".join(capsys.readouterr().err.split()), expected
        assert not (root / "tables.docx").exists()
    result = CliRunner().invoke(app, ["tables", "-p", str(falls), "--format", "docx,pdf"])
    assert result.exit_code == 2 and "pdf: give one or more of docx, xlsx" in " ".join(
        result.output.split()
    )


def test_review_without_classification_gets_one_table_of_every_study(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    assert run(["init", str(root)]) == 0
    (root / "litrev.toml").write_text(
        '[review]\nid = "plain"\ntitle = "Plain"\n[[codebook.fields]]\nname = "country"\n',
        encoding="utf-8",
    )
    table = root / "x.csv"
    table.write_text(
        'authors,year,title,country\n"Zed, A",2001,T1,Peru\n"Ali, B",1999,T2,Chad\n',
        encoding="utf-8",
    )
    assert run(["extract", "import", str(table), "-p", str(root)]) == 0
    assert run(["tables", "-p", str(root), "--format", "xlsx"]) == 0
    sheets = xlsx_tables(root / "tables.xlsx")
    assert list(sheets) == ["Included studies (n=2)"]
    assert sheets["Included studies (n=2)"]["rows"] == [
        ["Ali, 1999", "Chad"],
        ["Zed, 2001", "Peru"],
    ]


def test_unlisted_category_and_missing_extraction_are_tabled_and_warned() -> None:
    import pandas as pd

    from litrev.protocol import parse_protocol
    from litrev.synthesis.paper.tables import build_paper_tables

    protocol = parse_protocol(PROTOCOL)
    # Single extraction can hold a value the protocol no longer lists (a renamed category).
    frame = pd.DataFrame(
        {"record_id": [1, 2], "lead": ["Kim", "Ito"], "pub_year": [2001, 2002],
         "design": ["survey", "rct"]}
    )  # fmt: skip
    labels = {1: "Kim (2001)", 2: "Ito (2002)", 3: "Lee (2003)"}
    out = build_paper_tables(protocol, frame, labels, included=[1, 2, 3])
    (stray,) = [t for t in out.tables if t.title.startswith("Not classified")]
    assert stray.title == "Not classified (n=2)" and stray.record_ids == [1, 3]
    assert stray.rows[1] == ["Lee (2003)", "—", "—", "—", "—"]  # included, nothing extracted
    joined = " ".join(out.warnings)
    assert "1 included study has no extracted data (Lee (2003))" in joined
    assert "no category (1); a category the protocol does not list (survey)" in joined
    assert sum(len(t.rows) for t in out.tables) == 3  # every study once


@pytest.mark.parametrize(
    "name",
    [
        "litrev.synthesis.paper.tables",
        "litrev.synthesis.paper.docx",
        "litrev.synthesis.paper.xlsx",
        "litrev.synthesis.ooxml",
        "litrev.cli.tables",
    ],
)
def test_docstring_examples(name: str, docstring_examples: Callable[[str], None]) -> None:
    docstring_examples(name)


def test_bad_source_date_epoch_is_named_not_a_traceback(
    falls: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # report_date() used to raise ValueError from int() ("internal error", exit 1).
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2026-01-01")
    assert run(["tables", "-p", str(falls), "--out", str(falls / "epoch")]) == 2
    assert "SOURCE_DATE_EPOCH: '2026-01-01' is not a whole number" in capsys.readouterr().err
    assert not (falls / "epoch" / "tables.docx").exists()
