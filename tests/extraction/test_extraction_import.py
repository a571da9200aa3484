"""`litrev extract import`: rows only for included studies, no unknown columns, codebook types,
per-reviewer and consensus extractions, all or nothing."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select

from litrev.cli import app
from litrev.errors import InputError
from litrev.extraction import import_table, studies_frame
from litrev.extraction.codebook import check_value
from litrev.project import Project
from litrev.protocol import CodebookField
from litrev.screening import Screening
from litrev.screening.decisions import DecisionInput
from litrev.screening.demo import add_records
from litrev.store import schema

cli = typer.main.get_command(app)

PROTOCOL = """
[review]
id = "hearing-aids"
title = "Hearing aids and cognitive decline"

[[eligibility.exclusion_reasons]]
code = "not-adults"
label = "Participants under 50"

[screening]
reviewers = ["Aiko", "Bruno"]
mode = "single"

[extraction]
mode = "dual"

[[codebook.fields]]
name = "design"
type = "multi_choice"
choices = ["RCT", "cohort", "case-control"]
required = true

[[codebook.fields]]
name = "mean_age"
type = "number"

[[codebook.fields]]
name = "n_participants"
type = "integer"

[[codebook.fields]]
name = "published"
type = "year"

[[codebook.fields]]
name = "region"
type = "choice"
choices = ["Europe", "Asia", "Americas", "Africa", "Oceania"]

[[codebook.fields]]
name = "summary"
type = "long_text"
"""


def _run(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli.main(list(args), prog_name="litrev", standalone_mode=False)
    return " ".join(out.getvalue().split())  # as one line: rich wraps at the terminal width


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Six records: 1-3 included at full text, 4 excluded at full text, 5 excluded at
    title/abstract, 6 unscreened."""
    folder = tmp_path / "hearing"
    project = Project.init(folder, protocol_text=PROTOCOL)
    add_records(project.store, 6)
    s = Screening.from_protocol(project.store, project.protocol)
    s.decide_many(
        [DecisionInput(r, "Aiko", "ta", "include") for r in (1, 2, 3, 4)]
        + [DecisionInput(5, "Aiko", "ta", "exclude", "not-adults")]
    )
    s.decide_many(
        [DecisionInput(r, "Aiko", "ft", "include") for r in (1, 2, 3)]
        + [DecisionInput(4, "Aiko", "ft", "exclude", "not-adults")]
    )
    project.store.close()
    return folder


def _table(tmp_path: Path, text: str, name: str = "extraction.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _extractions(root: Path) -> int:
    store = Project.open(root).store
    with store.connect() as conn:
        n = conn.execute(select(func.count()).select_from(schema.extractions)).scalar_one()
    store.close()
    return int(n)


GOOD = (
    "record_id,design,mean_age,n_participants,published,region,summary\n"
    '1,RCT; cohort,71.5,120,2019,Europe,"Hearing aids, then tests; no effect"\n'
    "2,cohort,68,,2021,Asia,\n"
    "3,case-control,,45,2018,,\n"
)


def test_an_ordinary_codebook_imports(root: Path, tmp_path: Path) -> None:
    out = _run("extract", "import", str(_table(tmp_path, GOOD)), "-p", str(root))
    assert "Imported 3 rows" in out
    project = Project.open(root)
    frame = studies_frame(project.store, project.protocol.codebook)
    assert frame["record_id"].tolist() == [1, 2, 3]
    assert frame.loc[0, "design"] == "RCT; cohort" and frame.loc[0, "mean_age"] == "71.5"


def test_rows_for_records_not_included_are_refused_with_their_status(
    root: Path, tmp_path: Path
) -> None:
    table = _table(tmp_path, GOOD + "4,RCT,,,,,\n5,RCT,,,,,\n6,RCT,,,,,\n")
    with pytest.raises(InputError) as caught:
        _run("extract", "import", str(table), "-p", str(root))
    message = str(caught.value)
    assert "3 problem(s); nothing imported" in message
    assert "extraction.csv:5: record 4 is excluded at full_text (not-adults)" in message
    assert "extraction.csv:6: record 5 is excluded at title_abstract (not-adults)" in message
    assert "extraction.csv:7: record 6 is not screened" in message
    assert _extractions(root) == 0
    out = _run("extract", "import", str(table), "-p", str(root), "--allow-not-included")
    assert "3 row(s) are for records not included at full text" in out
    assert _extractions(root) > 0


def test_an_unknown_column_is_refused_with_the_closest_field(root: Path, tmp_path: Path) -> None:
    table = _table(tmp_path, "record_id,design,mean_agee,reviewer_note\n1,RCT,70,check\n")
    with pytest.raises(InputError) as caught:
        _run("extract", "import", str(table), "-p", str(root))
    message = str(caught.value)
    assert "column 'mean_agee' is not a codebook field (did you mean 'mean_age'?)" in message
    assert "column 'reviewer_note' is not a codebook field;" in message
    out = _run(
        "extract", "import", str(table), "-p", str(root),
        "--ignore-column", "reviewer_note", "--ignore-column", "mean_agee",
    )  # fmt: skip
    assert "Dropped column(s): mean_agee, reviewer_note" in out
    with pytest.raises(InputError, match="--ignore-column 'notes': the table has no such column"):
        _run("extract", "import", str(table), "-p", str(root), "--ignore-column", "notes")


def test_type_problems_are_all_reported(root: Path, tmp_path: Path) -> None:
    table = _table(
        tmp_path,
        "record_id,design,mean_age,n_participants,published,region\n"
        "1,RCT; trial,71,5,2019,europe\n"
        '2,,"70,5",12.5,\'21,Asia\n'
        "2,cohort,70,1,2020,Asia\n",
    )
    with pytest.raises(InputError) as caught:
        _run("extract", "import", str(table), "-p", str(root))
    message = str(caught.value)
    assert "'trial' (did you mean" not in message  # no close choice: none suggested
    assert "got 'trial' (values are separated by ';')" in message
    assert "got 'europe' (did you mean 'Europe'?)" in message
    assert "'design' is required but empty" in message
    assert "with '.' as the decimal point, got '70,5'" in message
    assert "expected a whole number for 'n_participants', got '12.5'" in message
    assert "expected a four-digit year (1000-2999) for 'published', got \"'21\"" in message
    assert "extraction.csv:4: record 2 is already on line 3" in message
    assert _extractions(root) == 0


def test_per_reviewer_and_consensus_extractions(root: Path, tmp_path: Path) -> None:
    one = _table(tmp_path, "record_id,design,region\n1,RCT,Europe\n", "aiko.csv")
    two = _table(tmp_path, "record_id,design,region\n1,cohort,Europe\n", "bruno.csv")
    agreed = _table(tmp_path, "record_id,design,region\n1,RCT,Europe\n", "agreed.csv")
    assert "as reviewer 'Aiko'" in _run(
        "extract", "import", str(one), "-p", str(root), "--reviewer", "Aiko"
    )
    _run("extract", "import", str(two), "-p", str(root), "--reviewer", "Bruno")
    _run("extract", "import", str(agreed), "-p", str(root))  # consensus
    with pytest.raises(InputError, match="did you mean 'Bruno'"):
        _run("extract", "import", str(two), "-p", str(root), "--reviewer", "Brunno")
    project = Project.open(root)
    codebook = project.protocol.codebook
    by = {
        who: studies_frame(project.store, codebook, reviewer=who).loc[0, "design"]
        for who in ("Aiko", "Bruno", "consensus")
    }
    assert by == {"Aiko": "RCT", "Bruno": "cohort", "consensus": "RCT"}


def test_without_record_id_each_row_becomes_an_included_study(root: Path, tmp_path: Path) -> None:
    table = _table(
        tmp_path,
        "title,first_author,design,region,source_page\nHearing and memory,Okafor,RCT,Africa,p. 4\n",
    )
    project = Project.open(root)
    summary = import_table(project.store, table, project.protocol.codebook)
    assert len(summary.record_ids) == 1
    frame = studies_frame(project.store, project.protocol.codebook)
    row = frame[frame["record_id"] == summary.record_ids[0]].iloc[0]
    assert row["design"] == "RCT" and row["source_source_page"] == "p. 4"
    # A near-miss of a codebook field the table lacks is a typo, not a field of its own.
    typo = _table(tmp_path, "title,design,regoin\nX,RCT,Asia\n", "typo.csv")
    with pytest.raises(InputError, match="column 'regoin' is not a codebook field"):
        import_table(project.store, typo, project.protocol.codebook)


def test_rows_become_records_cited_from_any_bibliographic_column_names(
    root: Path, tmp_path: Path
) -> None:
    # Column names as reference managers and databases write them, not as the built-in review.
    table = _table(
        tmp_path,
        "Article Title,Authors,Publication Year,Source title,DOI,design\n"
        "Hearing and memory,Okafor N; Lindqvist E,2019,Age and Ageing,10.1/x,RCT\n",
    )
    project = Project.open(root)
    summary = import_table(project.store, table, project.protocol.codebook)
    with project.store.connect() as conn:
        record = conn.execute(
            select(schema.records).where(schema.records.c.id == summary.record_ids[0])
        ).one()
    assert record.title == "Hearing and memory"
    assert list(record.authors) == ["Okafor N", "Lindqvist E"]
    assert (record.year, record.journal, record.doi) == (2019, "Age and Ageing", "10.1/x")


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        (CodebookField(name="x", type="number"), "-3.25", True),
        (CodebookField(name="x", type="number"), "1e3", True),
        (CodebookField(name="x", type="number"), "nan", False),
        (CodebookField(name="x", type="integer"), " 12 ", True),
        (CodebookField(name="x", type="year"), "1998", True),
        (CodebookField(name="x", type="year"), "98", False),
        (CodebookField(name="x", type="year"), "18", False),
        (CodebookField(name="x", type="year"), "0018", False),
        (CodebookField(name="x", type="year"), "9999", False),
        (CodebookField(name="x", type="year"), "\u0662\u0660\u0662\u0660", False),  # Arabic-Indic
        (CodebookField(name="x", type="year"), "1000", True),
        (CodebookField(name="x", type="multi_choice", choices=["Harvard", "Yale"]), "UCLA", False),
        (CodebookField(name="x", type="multi_choice", choices=["a", "b"]), "a;;b;", True),
        (CodebookField(name="x", type="multi_choice", choices=["a", "b"]), "a, b", False),
        (CodebookField(name="x", type="text"), "anything; at all", True),
        (CodebookField(name="x", type="year", required=True), "", False),
        (CodebookField(name="x", type="choice", choices=["a"]), "", True),
    ],
)
def test_check_value(field: CodebookField, value: str, ok: bool) -> None:
    assert (check_value(field, value) is None) is ok
