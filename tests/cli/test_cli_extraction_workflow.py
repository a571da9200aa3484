"""The double-extraction workflow from the command line: assign, import two extractors'
tables, status, agreement (table, CSV, JSON), compare, reconcile (take / value; refusals),
accept-agreed, export (CSV, XLSX) — on a review unlike the built-in one."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from litrev.cli import run
from litrev.project import Project
from litrev.screening import Screening
from litrev.screening.decisions import DecisionInput
from litrev.screening.demo import add_records

PROTOCOL = """
[review]
id = "falls-wards"
title = "Falls prevention on hospital wards"

[screening]
reviewers = ["kofi", "lena", "mira"]
mode = "single"

[extraction]
mode = "dual"
extractors = ["kofi", "lena"]

[[codebook.fields]]
name = "ward"
type = "choice"
choices = ["geriatric", "surgical", "medical"]
required = true

[[codebook.fields]]
name = "beds"
type = "integer"

[[codebook.fields]]
name = "summary"
type = "long_text"
"""


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    from litrev.cli._app import console

    monkeypatch.setattr(console, "width", 400)


def litrev(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, " ".join(err.split())


@pytest.fixture
def review(tmp_path: Path) -> tuple[Path, list[int]]:
    root = tmp_path / "falls"
    project = Project.init(root, protocol_text=PROTOCOL)
    ids = add_records(project.store, 4)
    Screening.from_protocol(project.store, project.protocol).decide_many(
        [
            DecisionInput(r, "mira", s, "include")
            for s in ("title_abstract", "full_text")
            for r in ids
        ]
    )
    Screening.from_protocol(project.store, project.protocol).add_reviewer("vera", role="resolver")
    header = "record_id,ward,beds,summary\n"
    (tmp_path / "kofi.csv").write_text(
        header
        + f"{ids[0]},geriatric,20,Hip protectors and alarms\n"
        + f"{ids[1]},surgical,30,Exercise\n"
        + f"{ids[2]},medical,12,Bed alarms\n"
        + f"{ids[3]},medical,18,Rounding\n",
        encoding="utf-8",
    )
    (tmp_path / "lena.csv").write_text(
        header
        + f"{ids[0]},geriatric,20,hip protectors and  alarms\n"
        + f"{ids[1]},medical,30,Exercise\n"
        + f"{ids[2]},medical,21,Bed alarms\n"
        + f"{ids[3]},medical,18,Rounding\n",
        encoding="utf-8",
    )
    return root, ids


def test_the_whole_workflow(review, tmp_path: Path, capsys) -> None:
    root, ids = review
    p = ("-p", str(root))
    code, out, _ = litrev(capsys, "extract", "assign", "--by", "mira", *p)
    assert code == 0 and "kofi: 4" in out and "lena: 4" in out
    for who in ("kofi", "lena"):
        code, out, err = litrev(
            capsys, "extract", "import", str(tmp_path / f"{who}.csv"), "--reviewer", who, *p
        )
        assert code == 0, err
    code, out, _ = litrev(capsys, "extract", "status", "--json", *p)
    status = json.loads(out)
    assert [(e["extractor"], e["assigned"], e["complete"]) for e in status["extractors"]] == [
        ("kofi", 4, 4),
        ("lena", 4, 4),
    ]
    assert [r["reconciled"] for r in status["records"]] == [False] * 4

    code, out, _ = litrev(capsys, "extract", "agreement", "--format", "json", *p)
    stats = {row["field"]: row for row in json.loads(out)}
    # ward: 2x2 over the categories used (medical, surgical, geriatric: 3x3) with one
    # disagreement (R2 surgical/medical): p_o = 3/4; kofi .25 .25 .5, lena .25 0 .75
    # (geriatric, surgical, medical); p_e = .0625 + 0 + .375 = .4375; kappa = .3125/.5625.
    assert stats["ward"]["percent"] == 0.75
    assert stats["ward"]["kappa"] == pytest.approx(0.3125 / 0.5625)
    assert stats["beds"]["disagreements"] == [[ids[2], 0]]
    assert stats["summary"]["percent"] == 1.0  # case and spacing ignored
    code, out, _ = litrev(capsys, "extract", "agreement", "--format", "csv", *p)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["field"] == "ward" and rows[0]["percent"] == "0.7500"
    code, out, _ = litrev(capsys, "extract", "agreement", *p)
    assert "75.0" in out and "kappa [95% CI]" in out

    code, out, _ = litrev(capsys, "extract", "compare", str(ids[1]), "--json", *p)
    ward = next(r for r in json.loads(out) if r["field"] == "ward")
    assert ward["values"] == {"kofi": "surgical", "lena": "medical"} and not ward["agree"]

    # mira screened but extracted nothing and is no resolver: refused.
    code, _, err = litrev(
        capsys, "extract", "reconcile", str(ids[1]), "--field", "ward", "--take", "kofi",
        "--by", "mira", "--reason", "x", *p,
    )  # fmt: skip
    assert code == 2 and f"mira may not reconcile record {ids[1]}" in err
    code, _, err = litrev(
        capsys, "extract", "reconcile", str(ids[1]), "--field", "ward", "--value", "icu",
        "--by", "kofi", "--reason", "x", *p,
    )  # fmt: skip
    assert code == 2 and "expected one of 'geriatric', 'surgical', 'medical'" in err
    code, out, _ = litrev(
        capsys, "extract", "reconcile", str(ids[1]), "--field", "ward", "--take", "lena",
        "--by", "kofi", "--reason", "the methods say a medical ward", *p,
    )  # fmt: skip
    assert code == 0 and "'medical' (chose from lena, by kofi)" in out
    code, out, _ = litrev(
        capsys, "extract", "reconcile", str(ids[2]), "--field", "beds", "--value", "21",
        "--by", "vera", "--reason", "Table 1", *p,
    )  # fmt: skip
    assert code == 0 and "(edited, by vera)" in out
    code, _, _ = litrev(
        capsys, "extract", "reconcile", str(ids[2]), "--field", "beds", "--by", "vera",
        "--reason", "x", *p,
    )  # fmt: skip
    assert code == 2  # neither --take nor --value
    code, out, _ = litrev(capsys, "extract", "accept-agreed", "--by", "vera", *p)
    assert code == 0 and "10 agreed value(s)" in out  # 12 values, 2 settled by hand
    code, out, _ = litrev(capsys, "extract", "status", "--json", *p)
    assert [r["reconciled"] for r in json.loads(out)["records"]] == [True] * 4
    code, out, _ = litrev(capsys, "extract", "compare", str(ids[2]), *p)
    assert "edited by vera: Table 1" in out

    code, out, _ = litrev(capsys, "extract", "export", str(tmp_path / "agreed.xlsx"), *p)
    assert code == 0 and (tmp_path / "agreed.xlsx").exists()
    code, out, _ = litrev(
        capsys, "extract", "export", str(tmp_path / "k.csv"), "--reviewer", "kofi", *p
    )
    assert (tmp_path / "k.csv").read_text(encoding="utf-8") == (tmp_path / "kofi.csv").read_text(
        encoding="utf-8"
    )
    code, out, _ = litrev(capsys, "extract", "list", *p)
    assert code == 0 and "kofi" in out
