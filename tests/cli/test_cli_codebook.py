"""`litrev codebook show|check|history` on a falls-prevention review's codebook."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from litrev.cli import run
from litrev.project import Project
from litrev.screening.demo import add_records
from litrev.store import schema

PROTOCOL = """
[review]
id = "falls"
title = "Exercise for preventing falls in care homes"

[codebook]
version = "v1"

[[codebook.groups]]
name = "outcomes"
help = "One row per outcome"
min = 1

[[codebook.fields]]
name = "nation"
type = "country"
multiple = true
help = "Where the study was done"

[[codebook.fields]]
name = "design"
type = "choice"
choices = ["RCT", "cluster RCT", "cohort"]

[[codebook.fields]]
name = "homes"
type = "integer"
when = { field = "design", in = ["cluster RCT"] }

[[codebook.fields]]
name = "setting"
type = "hierarchical"
choices = ["Residential care > Nursing home", "Community"]

[[codebook.fields]]
name = "outcome"
group = "outcomes"
required = true

[[codebook.fields]]
name = "effect"
type = "number"
unit = "falls per resident-year"
group = "outcomes"
"""


@pytest.fixture
def review(tmp_path: Path) -> Path:
    folder = tmp_path / "falls"
    Project.init(folder)
    (folder / "litrev.toml").write_text(PROTOCOL, encoding="utf-8")
    project = Project.open(folder)
    ids = add_records(project.store, 2)
    now = datetime.now(UTC)
    rows = [
        (ids[0], "nation", 0, "UK; Japan"), (ids[0], "design", 0, "cluster RCT"),
        (ids[0], "homes", 0, "12"), (ids[0], "outcome", 1, "falls"),
        (ids[1], "nation", 0, "Canada"), (ids[1], "design", 0, "cohort"),
        (ids[1], "outcome", 1, "fractures"),
    ]  # fmt: skip
    with project.store.transaction() as conn:
        conn.execute(
            schema.extractions.insert(),
            [
                {"record_id": r, "reviewer": "ana", "field": f, "instance": i, "value": v,
                 "created_at": now}
                for r, f, i, v in rows
            ],
        )  # fmt: skip
    project.store.close()
    return folder


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tables fit the terminal: a wide one keeps each cell on one line for the assertions.
    from litrev.cli._app import console

    monkeypatch.setattr(console, "width", 400)


def litrev(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_lists_every_field_with_its_settings(
    review: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = litrev(capsys, "codebook", "show", "-p", str(review))
    assert code == 0
    for text in ("Codebook (version v1): 6 fields", "country (multiple)", "hierarchical",
                 "design is cluster RCT", "unit: falls per", "Where the study was done",
                 "group outcomes (outcomes; at least 1 row(s)): outcome, effect — One row per outcome"):  # fmt: skip
        assert text in out, text
    code, out, _ = litrev(capsys, "codebook", "show", "-p", str(review), "--json")
    assert code == 0 and [f["name"] for f in json.loads(out)["fields"]][:2] == ["nation", "design"]


def test_check_after_a_change_lists_misfits_and_exit_codes(
    review: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = litrev(capsys, "codebook", "check", "-p", str(review))
    assert code == 0 and "Codebook version 1 (new version recorded)" in out
    assert "Every stored value fits the codebook." in out
    # Mid-review: nation renamed to country; "cluster RCT" removed from design's choices.
    changed = PROTOCOL.replace('name = "nation"', 'name = "country"\nrenamed_from = ["nation"]')
    changed = changed.replace('["RCT", "cluster RCT", "cohort"]', '["RCT", "cohort"]').replace(
        'in = ["cluster RCT"]', 'in = ["RCT"]'
    )
    (review / "litrev.toml").write_text(changed, encoding="utf-8")
    code, out, _ = litrev(capsys, "codebook", "check", "-p", str(review), "--json")
    result = json.loads(out)
    assert code == 0
    assert (result["version"], result["changed"], result["renamed"], result["moved_values"]) == (
        2, True, {"nation": "country"}, 2,
    )  # fmt: skip
    problems = sorted((m["field"], m["value"]) for m in result["misfits"])
    assert problems == [("design", "cluster RCT"), ("homes", "12")]
    code, out, _ = litrev(capsys, "codebook", "check", "-p", str(review))
    assert code == 0 and "2 stored value(s) do not fit the codebook (kept)" in out
    assert "'homes' applies only when design is RCT" in out
    code, out, _ = litrev(capsys, "codebook", "check", "-p", str(review), "--strict")
    assert code == 2
    code, out, _ = litrev(capsys, "codebook", "history", "-p", str(review))
    assert code == 0
    assert "first version" in out and "field 'nation' renamed to 'country'" in out
    versions = json.loads(litrev(capsys, "codebook", "history", "-p", str(review), "--json")[1])
    assert [v["version"] for v in versions] == [1, 2]


def test_errors_exit_2_with_a_message(review: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = PROTOCOL.replace('unit = "falls per resident-year"', 'unit = "falls"\nmultiple = true')
    (review / "litrev.toml").write_text(bad, encoding="utf-8")
    code, _, err = litrev(capsys, "codebook", "check", "-p", str(review))
    assert code == 2
    assert "codebook.fields[6]" in err and "multiple = true is only for country" in err
    assert "Traceback" not in err
    code, _, err = litrev(capsys, "codebook", "show", "-p", str(review / "missing"))
    assert code == 2 and "Traceback" not in err
