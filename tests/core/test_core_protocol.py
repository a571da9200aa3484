"""Protocol validation: a bad `litrev.toml` names the key and what was expected, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from litrev.cli import app
from litrev.errors import ProtocolError
from litrev.project import Project
from litrev.protocol import load_protocol, parse_protocol

VALID = """
[review]
id = "my-review"
title = "My review"

[[searches]]
database = "MEDLINE"
dialect = "ovid"
date = 2026-01-31
hits = 120

[codebook]
[[codebook.fields]]
name = "category"
type = "choice"
choices = ["a", "b"]

[classification]
field = "category"
[[classification.categories]]
name = "a"
[[classification.categories]]
name = "b"
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(text, path="litrev.toml")
    return caught.value.problems


def test_valid_protocol_parses() -> None:
    protocol = parse_protocol(VALID)
    assert protocol.searches[0].hits == 120
    assert protocol.classification.names == ["a", "b"]


def test_wrong_type_names_the_array_entry_and_key() -> None:
    problems = problems_of(VALID.replace("hits = 120", 'hits = "many"'))
    assert len(problems) == 1
    assert problems[0].startswith("searches[1].hits:")
    assert "integer" in problems[0] and "'many'" in problems[0]


def test_negative_count_is_rejected() -> None:
    problems = problems_of(VALID.replace("hits = 120", "hits = -3"))
    assert "searches[1].hits" in problems[0] and "greater than or equal to 0" in problems[0]


def test_misspelt_key_is_an_error_not_ignored() -> None:
    problems = problems_of(VALID.replace("hits = 120", "hit = 120"))
    assert problems == ["searches[1].hit: unknown key (check its spelling) (got 120)"]


def test_missing_required_key() -> None:
    problems = problems_of(VALID.replace('title = "My review"\n', ""))
    assert problems[0].startswith("review.title: Field required")


def test_classification_must_match_codebook_choices() -> None:
    problems = problems_of(VALID.replace('choices = ["a", "b"]', 'choices = ["a", "c"]'))
    assert "differ from the classification categories" in problems[0]


def test_bad_toml_syntax_names_line() -> None:
    problems = problems_of("[review\nid = 1")
    assert "not valid TOML" in problems[0] and "line 1" in problems[0]


def test_missing_file() -> None:
    with pytest.raises(ProtocolError, match="file not found"):
        load_protocol("nowhere/litrev.toml")


def test_cli_report_on_broken_protocol_exits_nonzero_and_writes_nothing(tmp_path: Path) -> None:
    Project.init(tmp_path)
    text = (tmp_path / "litrev.toml").read_text()
    (tmp_path / "litrev.toml").write_text(text.replace('type = "systematic"', 'type = "systematc"'))
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, ProtocolError)
    assert "review.type" in str(result.exception) and "systematic" in str(result.exception)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_cli_init_with_broken_protocol_creates_no_database(tmp_path: Path) -> None:
    (tmp_path / "litrev.toml").write_text('[review]\nid = "Bad Id"\ntitle = "x"\n')
    result = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert result.exit_code != 0
    assert "review.id" in str(result.exception)
    assert not (tmp_path / "litrev.db").exists()


def test_main_prints_error_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from litrev.cli import main

    (tmp_path / "litrev.toml").write_text('[review]\nid = "x"\ntitle = "x"\nbogus = 1\n')
    argv = sys.argv
    sys.argv = ["litrev", "report", str(tmp_path)]
    try:
        with pytest.raises(SystemExit) as exit_info:
            main()
    finally:
        sys.argv = argv
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "review.bogus" in err and "unknown key" in err
    assert not (tmp_path / "report.html").exists()


def test_dedupe_section_is_validated_and_read_by_the_cli() -> None:
    from litrev.cli.dedupe import _settings

    protocol = parse_protocol(VALID + "\n[dedupe]\nthreshold = 0.97\nmerge_versions = true\n")
    settings = _settings(None, False, protocol)
    assert (settings.title_threshold, settings.merge_versions) == (0.97, True)
    assert _settings(0.9, False, protocol).title_threshold == 0.9  # the flag wins
    problems = problems_of(VALID + "\n[dedupe]\nthreshold = 1.5\n")
    assert problems[0].startswith("dedupe.threshold:")
