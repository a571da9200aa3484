"""`litrev extract import --replace`, `litrev extract list`, and the columns a table without
record_id may carry on the command line (refused unless kept or ignored)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
import typer

from litrev.cli import app
from litrev.errors import InputError
from litrev.extraction import studies_frame
from litrev.project import Project
from litrev.screening import Screening
from litrev.screening.decisions import DecisionInput
from litrev.screening.demo import add_records

cli = typer.main.get_command(app)

PROTOCOL = """
[review]
id = "falls-apps"
title = "Apps for fall prevention"

[screening]
reviewers = ["maria", "tomas"]
mode = "single"

[[codebook.fields]]
name = "gambling_form"
required = true

[[codebook.fields]]
name = "sample_size"
type = "integer"
"""


def _run(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli.main(list(args), prog_name="litrev", standalone_mode=False)
    return " ".join(out.getvalue().split())


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Four records, all included at full text by one reviewer."""
    folder = tmp_path / "falls"
    project = Project.init(folder, protocol_text=PROTOCOL)
    add_records(project.store, 4)
    s = Screening.from_protocol(project.store, project.protocol)
    for stage in ("ta", "ft"):
        s.decide_many([DecisionInput(r, "maria", stage, "include") for r in (1, 2, 3, 4)])
    project.store.close()
    return folder


def _table(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _values(root: Path, reviewer: str) -> dict[int, str]:
    project = Project.open(root)
    frame = studies_frame(project.store, project.protocol.codebook, reviewer=reviewer)
    project.store.close()
    return dict(zip(frame["record_id"].tolist(), frame["gambling_form"].tolist(), strict=True))


def test_replace_removes_the_reviewers_earlier_rows_and_only_theirs(
    root: Path, tmp_path: Path
) -> None:
    first = _table(
        tmp_path, "maria.csv", "record_id,gambling_form\n1,online\n2,casino\n3,lottery\n"
    )
    fixed = _table(tmp_path, "maria-fixed.csv", "record_id,gambling_form\n1,sports\n")
    other = _table(tmp_path, "tomas.csv", "record_id,gambling_form\n4,bingo\n")
    _run("extract", "import", str(first), "--reviewer", "maria", "-p", str(root))
    _run("extract", "import", str(other), "--reviewer", "tomas", "-p", str(root))
    # Without --replace the old rows of records not in the corrected file stay, and it says so.
    out = _run("extract", "import", str(fixed), "--reviewer", "maria", "-p", str(root))
    assert "1 record(s) already had values by 'maria' (records 1)" in out
    assert _values(root, "maria") == {1: "sports", 2: "casino", 3: "lottery"}
    out = _run("extract", "import", str(fixed), "--reviewer", "maria", "--replace", "-p", str(root))
    assert "Replaced 4 earlier value(s) by 'maria'" in out
    assert _values(root, "maria") == {1: "sports"}
    assert _values(root, "tomas") == {4: "bingo"}


def test_a_refused_replace_leaves_the_earlier_values(root: Path, tmp_path: Path) -> None:
    first = _table(tmp_path, "maria.csv", "record_id,gambling_form\n1,online\n2,casino\n")
    bad = _table(tmp_path, "bad.csv", "record_id,gambling_form,sample_size\n1,sports,many\n")
    _run("extract", "import", str(first), "--reviewer", "maria", "-p", str(root))
    with pytest.raises(InputError, match="expected a whole number for 'sample_size'"):
        _run("extract", "import", str(bad), "--reviewer", "maria", "--replace", "-p", str(root))
    assert _values(root, "maria") == {1: "online", 2: "casino"}


def test_extract_list_shows_imports_and_current_values(root: Path, tmp_path: Path) -> None:
    first = _table(tmp_path, "maria.csv", "record_id,gambling_form\n1,online\n2,casino\n")
    fixed = _table(tmp_path, "fixed.csv", "record_id,gambling_form\n2,lottery\n")
    agreed = _table(tmp_path, "agreed.csv", "record_id,gambling_form\n1,online\n")
    _run("extract", "import", str(first), "--reviewer", "maria", "-p", str(root))
    _run("extract", "import", str(fixed), "--reviewer", "maria", "--replace", "-p", str(root))
    _run("extract", "import", str(agreed), "-p", str(root))
    listed = json.loads(_run("extract", "list", "--json", "-p", str(root)))
    assert [(i["reviewer"], i["rows"], i["replace"]) for i in listed["imports"]] == [
        ("maria", 2, False),
        ("maria", 1, True),
        ("consensus", 1, False),
    ]
    assert listed["imports"][1]["replaced_values"] == 2
    now = {r["reviewer"]: (r["records"], r["values"]) for r in listed["reviewers"]}
    assert now == {"consensus": (1, 1), "maria": (1, 1)}
    only = json.loads(_run("extract", "list", "--reviewer", "consensus", "--json", "-p", str(root)))
    assert [i["file"] for i in only["imports"]] == [str(agreed)]
    table = _run("extract", "list", "-p", str(root))
    assert "Extraction imports" in table and "fixed.csv" in table and "2 values" in table
    assert "No extraction by 'tomas' yet" in _run(
        "extract", "list", "--reviewer", "tomas", "-p", str(root)
    )


def test_without_record_id_the_cli_refuses_columns_it_would_not_extract(
    root: Path, tmp_path: Path
) -> None:
    table = _table(
        tmp_path,
        "studies.csv",
        "title,gambling_form,sampel_size,country,page\nA study,online,30,UK,4\n",
    )
    with pytest.raises(InputError) as caught:
        _run("extract", "import", str(table), "-p", str(root))
    message = str(caught.value)
    assert "column 'sampel_size' is not a codebook field (did you mean 'sample_size'?)" in message
    assert "column 'country' is not a codebook field;" in message
    assert "pass --keep-column page" in message
    out = _run(
        "extract", "import", str(table), "-p", str(root),
        "--keep-column", "country", "--keep-column", "page", "--ignore-column", "sampel_size",
    )  # fmt: skip
    assert "Imported 1 rows" in out
    project = Project.open(root)
    frame = studies_frame(project.store, project.protocol.codebook)
    row = frame[frame["gambling_form"] == "online"].iloc[0]
    assert row["source_country"] == "UK" and "source_sampel_size" not in frame.columns


def test_replace_and_keep_column_are_refused_where_they_mean_nothing(
    root: Path, tmp_path: Path
) -> None:
    no_ids = _table(tmp_path, "studies.csv", "title,gambling_form\nA study,online\n")
    with pytest.raises(InputError, match="--replace needs a record_id column"):
        _run("extract", "import", str(no_ids), "--replace", "-p", str(root))
    with_ids = _table(tmp_path, "ids.csv", "record_id,gambling_form,note\n1,online,x\n")
    with pytest.raises(InputError, match="--keep-column is for tables without a record_id"):
        _run("extract", "import", str(with_ids), "--keep-column", "note", "-p", str(root))


@pytest.mark.parametrize(("given", "nearest"), [("tomass", "tomas"), ("Maria", "maria")])
def test_an_unknown_extractor_is_refused_with_the_nearest_reviewer(
    root: Path, tmp_path: Path, given: str, nearest: str
) -> None:
    table = _table(tmp_path, "t.csv", "record_id,gambling_form\n1,online\n")
    with pytest.raises(InputError, match=f"did you mean '{nearest}'"):
        _run("extract", "import", str(table), "--reviewer", given, "-p", str(root))


def test_duplicates_conflicts_and_unscreened_records_are_refused(tmp_path: Path) -> None:
    """The new-user walkthrough's four rows: excluded at full text, a duplicate, not screened
    at full text, an open conflict; each refused with its line and status."""
    from litrev.dedupe import persist

    folder = tmp_path / "dual"
    project = Project.init(folder, protocol_text=PROTOCOL.replace('"single"', '"dual"'))
    add_records(project.store, 6)
    persist.decide(project.store, 1, 6, "same", reviewer="maria")  # 6 duplicates 1
    s = Screening.from_protocol(project.store, project.protocol)
    both = ("maria", "tomas")
    s.decide_many([DecisionInput(r, who, "ta", "include") for r in (1, 2, 3, 4) for who in both])
    s.decide_many(
        [DecisionInput(1, who, "ft", "include") for who in both]
        + [DecisionInput(2, who, "ft", "exclude") for who in both]
        + [DecisionInput(4, "maria", "ft", "include"), DecisionInput(4, "tomas", "ft", "exclude")]
    )
    project.store.close()
    table = _table(tmp_path, "x.csv", "record_id,gambling_form\n1,online\n2,a\n6,b\n3,c\n4,d\n")
    with pytest.raises(InputError) as caught:
        _run("extract", "import", str(table), "-p", str(folder))
    message = str(caught.value)
    assert "4 problem(s); nothing imported" in message
    assert "x.csv:3: record 2 is excluded at full_text" in message
    assert "x.csv:4: record 6 is a duplicate of record 1" in message
    assert "x.csv:5: record 3 is included at title_abstract but not yet screened" in message
    assert "x.csv:6: record 4 is in an unresolved conflict at full_text" in message
