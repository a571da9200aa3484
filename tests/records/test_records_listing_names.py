"""`litrev records list` by the protocol's [[searches]] names, the header of an empty CSV, and
the messages of import, dedupe and a folder with no review (litrev issue 9)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from litrev.cli import app, run
from litrev.errors import InputError, LitrevError, ProtocolError
from litrev.project import Project
from litrev.records import import_files
from litrev.records.listing import listing_columns
from litrev.records.sources import match_source

runner = CliRunner()

# Unlike the samples: a CINAHL export that the protocol calls by its EBSCOhost name.
PROTOCOL = """
[review]
id = "names-test"
title = "Names test"

[[searches]]
database = "CINAHL Ultimate"
aliases = ["CINAHL"]

[[searches]]
database = "Social Care Online"

[screening]
reviewers = ["ines"]
mode = "single"
"""

CINAHL = """TY  - JOUR
TI  - Home care workers and heat waves
AU  - Mbeki, Thandi
PY  - 2020
DO  - 10.5555/heat.2020.17
ER  -~

TY  - JOUR
TI  - Falls after discharge: a cohort
AU  - Ruiz, Ana
PY  - 2018
ER  -~
""".replace("~", " ")


@pytest.fixture
def review(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    project = Project.init(root, protocol_text=PROTOCOL)
    (tmp_path / "cinahl.ris").write_text(CINAHL)
    import_files(project.store, [tmp_path / "cinahl.ris"], source="CINAHL", actor="t")
    project.store.close()
    return root


def _list(root: Path, *args: str) -> str:
    result = runner.invoke(app, ["records", "list", *args, "-p", str(root)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_list_filters_and_shows_the_searches_name(review: Path) -> None:
    rows = json.loads(_list(review, "--database", "cinahl ultimate", "--format", "json"))
    assert [(r["databases"], r["searches"]) for r in rows] == [
        (["CINAHL"], ["CINAHL Ultimate"]),
        (["CINAHL"], ["CINAHL Ultimate"]),
    ]
    assert len(json.loads(_list(review, "--database", "CINAHL", "--format", "json"))) == 2
    table = _list(review)  # the cell wraps at 80 columns: "CINAHL (CINAHL" / "Ultimate)"
    assert "(CINAHL" in table and "Ultimate)" in table


def test_an_empty_csv_still_has_the_full_header(review: Path) -> None:
    out = _list(review, "--database", "Social Care Online", "--format", "csv")
    header = next(csv.reader(io.StringIO(out)))
    assert header[:4] == ["litrev_id", "status", "databases", "searches"]
    assert "full_text_reason" in header and "doi" in header
    assert listing_columns()[-1] == "doi"


def test_the_unmatched_source_warning_suggests_the_nearest_search() -> None:
    from litrev.protocol import DatabaseSearch

    searches = [DatabaseSearch(database="Web of Science"), DatabaseSearch(database="Scopus")]
    message = match_source("Web of Sceince", searches).message()
    assert "(did you mean 'Web of Science'?)" in message
    assert "did you mean" not in match_source("Embase", searches).message()


def test_a_reimport_refusal_names_the_cli_flag_only(review: Path, tmp_path: Path) -> None:
    project = Project.open(review)
    with pytest.raises(InputError) as caught:
        import_files(project.store, [tmp_path / "cinahl.ris"], source="CINAHL")
    assert "pass --again" in str(caught.value) and "allow_reimport" not in str(caught.value)
    # The same records in a new file: refused by citation, again naming only the CLI flag.
    (tmp_path / "copy.ris").write_text(CINAHL + "\n")
    with pytest.raises(InputError) as caught:
        import_files(project.store, [tmp_path / "copy.ris"], source="CINAHL")
    assert "Pass --again to import" in str(caught.value)
    assert "allow_reimport" not in str(caught.value)


def test_import_table_shows_one_database_without_its_count(review: Path, tmp_path: Path) -> None:
    (tmp_path / "more.ris").write_text(
        CINAHL.replace("heat waves", "cold spells").replace("Falls after", "Frailty after")
    )
    result = runner.invoke(
        app, ["import", str(tmp_path / "more.ris"), "--source", "CINAHL", "-p", str(review)]
    )
    assert result.exit_code == 0, result.output
    line = next(row for row in result.stdout.splitlines() if "more.ris" in row)
    assert "CINAHL" in line and "CINAHL 2" not in line


def test_dedupe_with_nothing_queued_does_not_send_the_user_to_review(
    review: Path, tmp_path: Path
) -> None:
    (tmp_path / "sco.ris").write_text(CINAHL.split("ER  - ")[0] + "ER  - \n")  # one exact copy
    project = Project.open(review)
    import_files(project.store, [tmp_path / "sco.ris"], source="Social Care Online")
    project.store.close()
    result = runner.invoke(app, ["dedupe", "-p", str(review)])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "1 duplicate clusters" in out
    assert "no pairs to review" in out and "run `litrev dedupe review`" not in out


def test_a_folder_without_a_review_says_so(tmp_path: Path) -> None:
    with pytest.raises(LitrevError) as caught:
        Project.open(tmp_path)
    message = str(caught.value)
    assert f"no review here (no litrev.toml in {tmp_path})" in message
    assert f"run `litrev init {tmp_path}` or pass --project" in message
    assert run(["records", "list", "-p", str(tmp_path)]) == 2


def test_init_names_a_litrev_toml_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "litrev.toml").write_bytes(b'[review]\nid = "x"\ntitle = "caf\xe9"\n')
    with pytest.raises(ProtocolError) as caught:
        Project.init(tmp_path)
    assert str(tmp_path / "litrev.toml") in str(caught.value)
    assert "not UTF-8 text" in str(caught.value)
    assert not (tmp_path / "litrev.db").exists()
