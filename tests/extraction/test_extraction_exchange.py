"""Extraction tables in and out: CSV (a file per repeating group) and XLSX (a sheet per group),
quotes with their location, formula cells neutralised on the way out and read back unchanged;
import problems placed at file, sheet, row and column; the old one-file CSV shape per reviewer
still feeds `field_agreement`."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from litrev.errors import InputError
from litrev.extraction import import_table
from litrev.extraction.agreement import field_agreement
from litrev.extraction.exchange import export_extractions
from litrev.extraction.values import progress, read_values
from litrev.project import Project
from litrev.screening import Screening

from .extraction_review import make_review

EXTRA = """
[[codebook.fields]]
name = "key_quote"
type = "quote"

[[codebook.groups]]
name = "measures"

[[codebook.fields]]
name = "measure"
type = "choice"
choices = ["MVPA minutes", "step count", "BMI"]
group = "measures"
required = true

[[codebook.fields]]
name = "effect"
type = "number"
group = "measures"
"""

HOSTILE = '=HYPERLINK("http://evil.example","click")'
QUOTED_HOSTILE = '"=HYPERLINK(""http://evil.example"",""click"")"'  # as a CSV cell


def _review(tmp_path: Path) -> tuple[Project, list[int], Screening]:
    project, ids = make_review(tmp_path / "r", records=3, extra=EXTRA)
    return project, ids, Screening.from_protocol(project.store, project.protocol)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _import(project, screening, path, **kw):
    return import_table(project.store, path, project.protocol.codebook, screening=screening, **kw)


def _consensus_files(tmp_path: Path, ids: list[int]) -> Path:
    main = _write(
        tmp_path / "agreed.csv",
        "record_id,delivery,components,aim,pupils,started,key_quote,key_quote.location\n"
        f'{ids[0]},teacher,"recess; curriculum",{QUOTED_HOSTILE},120,2018,"""We ran it daily""",p. 4\n'
        f"{ids[1]},coach,,Walk more,-5,2019,,\n"
        f"{ids[2]},peer,family,Peer leaders,40,2020,,\n",
    )
    _write(
        tmp_path / "agreed.measures.csv",
        "record_id,instance,measure,effect\n"
        f"{ids[0]},1,MVPA minutes,12.5\n"
        f"{ids[0]},2,BMI,-0.3\n"
        f"{ids[2]},1,step count,900\n",
    )
    return main


def test_round_trip_csv_and_xlsx(tmp_path: Path) -> None:
    project, ids, s = _review(tmp_path)
    summary = _import(project, s, _consensus_files(tmp_path, ids))
    assert summary.group_rows == {"measures": 3}
    agreed = read_values(project.store, ids[0], "consensus")
    assert agreed[("aim", 0)].value == HOSTILE
    assert agreed[("components", 0)].value == "curriculum; recess"  # stored in codebook order
    assert (agreed[("key_quote", 0)].value, agreed[("key_quote", 0)].location) == (
        '"We ran it daily"',
        "p. 4",
    )
    assert agreed[("effect", 2)].value == "-0.3"
    codebook = project.protocol.codebook
    out = tmp_path / "out"
    out.mkdir()
    files = export_extractions(project.store, codebook, out / "export.csv")
    assert [f.name for f in files] == ["export.csv", "export.measures.csv"]
    text = files[0].read_text(encoding="utf-8")
    assert text.splitlines()[0] == (
        "record_id,delivery,components,aim,pupils,started,key_quote,key_quote.location"
    )
    assert "'=HYPERLINK" in text and ",'-5," in text  # neutralised for spreadsheets
    assert files[1].read_text(encoding="utf-8").splitlines()[1:] == [
        f"{ids[0]},1,MVPA minutes,12.5",
        f"{ids[0]},2,BMI,'-0.3",
        f"{ids[2]},1,step count,900",
    ]
    export_extractions(project.store, codebook, out / "export.xlsx", format="xlsx")
    book = load_workbook(out / "export.xlsx")
    assert book.sheetnames == ["studies", "measures"]
    assert book["studies"]["D2"].value == "'" + HOSTILE and book["studies"]["D2"].data_type == "s"
    assert [c.value for c in book["measures"][1]] == ["record_id", "instance", "measure", "effect"]
    # Each export imports back as a reviewer's extraction with the consensus's values.
    for who, file in (("ines", files[0]), ("tomas", out / "export.xlsx")):
        _import(project, s, file, reviewer=who)
        for rid in ids:
            mine = {
                k: (v.value, v.location) for k, v in read_values(project.store, rid, who).items()
            }
            theirs = {
                k: (v.value, v.location)
                for k, v in read_values(project.store, rid, "consensus").items()
            }
            assert mine == theirs
    assert {(p.reviewer, p.state) for p in progress(project.store)} == {
        ("ines", "complete"),
        ("tomas", "complete"),
    }
    stats = {a.field: a for a in field_agreement(project.store, codebook)}
    assert stats["effect"].pairs == 3 and stats["effect"].percent == 1.0
    assert stats["key_quote"].pairs == 1 and stats["key_quote"].similarity == 1.0


def test_import_problems_name_file_sheet_row_and_column(tmp_path: Path) -> None:
    project, ids, s = _review(tmp_path)
    book = Workbook()
    main = book.active
    main.title = "studies"
    main.append(["record_id", "delivery", "key_quote"])
    main.append([ids[0], "teacher", "We ran it daily"])  # a quote without its location
    group = book.create_sheet("measures")
    group.append(["record_id", "instance", "measure", "effect"])
    group.append([ids[0], 1, "MVPA minutes", "12,5"])
    group.append([ids[0], 1, "BMI", "1"])
    group.append([ids[1], 1, "BMI", "1"])
    group.append([ids[0], 2, "", "3"])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    with pytest.raises(InputError) as caught:
        _import(project, s, path, reviewer="ines")
    message = str(caught.value)
    assert f"{path}, sheet 'measures', row 3: record {ids[0]} row 1 is already at" in message
    assert f"{path}, sheet 'measures', row 4: record {ids[1]} is not in the main table" in message
    assert f"{path}, sheet 'measures', row 2: expected a number for 'effect'" in message
    assert f"{path}, sheet 'measures', row 5: 'measure' is required but empty" in message
    assert f"{path}, sheet 'studies', row 2: 'key_quote'" in message
    assert read_values(project.store, ids[0], "ines") == {}  # all or nothing
    book.create_sheet("measurez")
    book.save(path)
    with pytest.raises(InputError, match=r"sheet 'measurez' is not a repeating group.*'measures'"):
        _import(project, s, path, reviewer="ines")
    # CSV: the group's file beside the main one, its lines named.
    _write(tmp_path / "t.csv", f"record_id,delivery,effect\n{ids[0]},coach,3\n")
    _write(tmp_path / "t.measures.csv", f"record_id,instance,measure\n{ids[0]},0,BMI\n")
    with pytest.raises(InputError) as caught:
        _import(project, s, tmp_path / "t.csv", reviewer="ines")
    message = str(caught.value)
    assert "column 'effect' is a field of the repeating group 'measures'" in message
    assert f"{tmp_path / 't.measures.csv'}:2: instance must be a row number" in message


def test_old_csv_shape_per_reviewer_then_agreement(tmp_path: Path) -> None:
    project, ids, s = _review(tmp_path)
    header = "record_id,delivery,components,aim,pupils,started\n"
    _write(
        tmp_path / "ines.csv",
        header + "".join(f"{r},teacher,recess,Aim {r},10,2018\n" for r in ids),
    )
    _write(
        tmp_path / "tomas.csv",
        header
        + "".join(
            f"{r},{'coach' if r == ids[0] else 'teacher'},recess,aim {r},10,2018\n" for r in ids
        ),
    )
    _import(project, s, tmp_path / "ines.csv", reviewer="ines")
    _import(project, s, tmp_path / "tomas.csv", reviewer="tomas")
    stats = {a.field: a for a in field_agreement(project.store, project.protocol.codebook)}
    assert (stats["delivery"].pairs, stats["delivery"].agree) == (3, 2)
    assert stats["aim"].percent == 1.0  # "Aim 1" and "aim 1" agree once case is ignored
    assert stats["measure"].pairs == 0
    # A group table given again replaces the records' earlier rows of that group.
    _write(
        tmp_path / "ines.measures.csv",
        f"record_id,instance,measure\n{ids[0]},1,BMI\n{ids[0]},2,BMI\n",
    )
    _import(project, s, tmp_path / "ines.csv", reviewer="ines")
    _write(tmp_path / "ines.measures.csv", f"record_id,instance,measure\n{ids[0]},1,BMI\n")
    _import(project, s, tmp_path / "ines.csv", reviewer="ines")
    assert sorted(k for k in read_values(project.store, ids[0], "ines") if k[1]) == [("measure", 1)]


def test_xlsx_export_refuses_a_group_excel_cannot_name(tmp_path: Path) -> None:
    from litrev.protocol import Codebook, CodebookField, CodebookGroup
    from litrev.store import Store

    long = "outcomes_reported_at_every_follow_up"
    codebook = Codebook(
        groups=[CodebookGroup(name=long)], fields=[CodebookField(name="x", group=long)]
    )
    with pytest.raises(InputError, match=r"cannot be a sheet name.*export as CSV"):
        export_extractions(Store.open("sqlite://"), codebook, tmp_path / "a.xlsx", format="xlsx")
    assert not (tmp_path / "a.xlsx").exists()
    written = export_extractions(Store.open("sqlite://"), codebook, tmp_path / "a.csv")
    assert [p.name for p in written] == ["a.csv", f"a.{long}.csv"]
