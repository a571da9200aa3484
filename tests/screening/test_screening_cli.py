"""`litrev decide / conflicts / agreement / screening status`, including the built-in review's
979-record dual-screening workflow end to end, and bad CSV input leaving the store unchanged."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import random
import re
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select

from litrev.cli import app
from litrev.errors import InputError
from litrev.examples import __file__ as examples_init
from litrev.project import Project
from litrev.screening import Screening, ScreeningError
from litrev.screening.demo import add_records
from litrev.store import schema

# Built once: Typer's CliRunner rebuilds the whole command tree on every invoke.
cli = typer.main.get_command(app)
PROTOCOL = Path(examples_init).parent / "coproduction_models" / "litrev.toml"
REASONS = [
    "no-coproduction-model",
    "coproduction-of-research-only",
    "codesign-application-without-model-development",
]


def _project(tmp_path: Path, n: int) -> Path:
    root = tmp_path / "review"
    project = Project.init(root, protocol_text=PROTOCOL.read_text(encoding="utf-8"))
    add_records(project.store, [(f"Co-production study {i}", f"Abstract {i}") for i in range(n)])
    project.store.close()
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The built-in review's protocol with five records."""
    return _project(tmp_path, 5)


def _write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "reviewer", "stage", "decision", "reason"])
        writer.writerows(rows)
    return path


def _run(*args: str) -> str:
    """Run a litrev command in-process (as `main()` would, minus the error-to-exit-2 wrapper);
    return what it printed. Errors propagate as exceptions."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli.main(list(args), prog_name="litrev", standalone_mode=False)
    return out.getvalue()


def _counts(root: Path) -> tuple[int, int]:
    store = Project.open(root).store
    with store.connect() as conn:
        n = conn.execute(select(func.count()).select_from(schema.decisions)).scalar_one()
        m = conn.execute(select(func.count()).select_from(schema.audit_log)).scalar_one()
    store.close()
    return int(n), int(m)


def test_built_in_review_scale_dual_screening_end_to_end(tmp_path: Path) -> None:
    project = _project(tmp_path, 979)  # the seed paper's 979 titles and abstracts
    rng = random.Random(20190318)
    relevant = set(rng.sample(range(1, 980), 129))  # what the review finally sent to full text
    ta_rows: list[list[object]] = []
    disputed: list[int] = []
    for rid in range(1, 980):
        truth = "include" if rid in relevant else "exclude"
        for reviewer in ("xx", "yy"):
            decision = truth
            if reviewer == "yy" and rng.random() < 0.03:  # yy disagrees on ~3% of records
                decision = "maybe" if truth == "include" else "include"
            reason = rng.choice(["conference-paper", *REASONS]) if decision == "exclude" else ""
            ta_rows.append([rid, reviewer, "title_abstract", decision, reason])
        if ta_rows[-1][3] != ta_rows[-2][3]:
            disputed.append(rid)
    _run("decide", str(_write_csv(tmp_path / "ta.csv", ta_rows)), "-p", str(project))

    listed = json.loads(_run("conflicts", "-p", str(project), "--json"))
    assert sorted(c["record_id"] for c in listed) == disputed
    assert "Registered reviewer 'zz'" in _run("reviewer", "add", "zz", "-p", str(project))
    for rid in disputed:  # settled by discussion (xx) or a third reviewer (zz)
        by = "xx" if rid % 2 else "zz"
        verdict = ["--decision", "include"] if rid in relevant else ["--decision", "exclude"]
        reason = [] if rid in relevant else ["--reason", "2"]
        _run("conflicts", "-p", str(project), "--resolve", str(rid), *verdict, *reason, "--by", by)
    assert json.loads(_run("conflicts", "-p", str(project), "--json")) == []

    included = sorted(relevant)[:73]
    ft_rows: list[list[object]] = []
    for rid in sorted(relevant):
        keep = rid in included
        for reviewer in ("xx", "yy"):
            reason = "" if keep else REASONS[rid % 3]
            ft_rows.append([rid, reviewer, "ft", "include" if keep else "exclude", reason])
    ft_rows[1] = [ft_rows[1][0], "yy", "ft", "exclude", REASONS[0]]  # one full-text conflict
    _run("decide", str(_write_csv(tmp_path / "ft.csv", ft_rows)), "-p", str(project))
    ft_conflict = ft_rows[1][0]
    _run(
        "conflicts",
        "-p",
        str(project),
        "--stage",
        "full_text",
        "--resolve",
        str(ft_conflict),
        "--decision",
        "include",
        "--by",
        "zz",
    )

    status = json.loads(_run("screening", "status", "-p", str(project), "--json"))
    flow = status["flow"]
    assert flow["records_screened"] == 979
    assert flow["title_abstract_excluded"] == 850
    assert flow["reports_sought"] == 129
    assert flow["full_text_assessed"] == 129
    assert flow["included"] == 73
    assert sum(flow["full_text_excluded_reasons"].values()) == 56
    assert flow["title_abstract_pending"] == 0 and flow["full_text_conflicts"] == 0

    report = json.loads(_run("agreement", "-p", str(project), "--json"))
    ta, ft = report
    pair = ta["pairs"][0]
    assert (pair["reviewers"], pair["n"]) == (["xx", "yy"], 979)
    assert pair["percent_agreement"] == pytest.approx(1 - len(disputed) / 979)
    low, high = pair["cohen_kappa_ci95"]
    assert low < pair["cohen_kappa"] < high
    assert len(ta["disagreements"]) == len(disputed)
    assert ft["pairs"][0]["n"] == 129 and len(ft["disagreements"]) == 1
    text = _run("agreement", "-p", str(project), "--stage", "ta")
    assert "Cohen's κ" in text and "PABAK" in text and "xx (rows) × yy (columns)" in text


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["2", "xx", "title_abstract", "exclude", "too old"], r":3: field 'reason': unknown"),
        (["abc", "xx", "title_abstract", "include", ""], r":3: field 'record_id': 'abc' is not"),
        (["2", "xx", "screening", "include", ""], r":3: field 'stage': unknown stage"),
        (["2", "xx", "title_abstract", "yes please", ""], r":3: field 'decision'"),
        (["5000", "xx", "title_abstract", "include", ""], r":3: field 'record_id': record_id 5000"),
        (["2", "xx", "full_text", "include", ""], r":3: field 'stage': record 2 is not included"),
        (["2", "", "title_abstract", "include", ""], r":3: field 'reviewer' is empty"),
    ],
)
def test_bad_csv_names_line_and_field_and_writes_nothing(
    project: Path, tmp_path: Path, row: list[str], expected: str
) -> None:
    good: list[object] = ["1", "yy", "title_abstract", "include", ""]  # line 2, valid
    path = _write_csv(tmp_path / "bad.csv", [good, row])
    before = _counts(project)
    with pytest.raises(InputError) as caught:
        _run("decide", str(path), "-p", str(project))
    assert str(caught.value).startswith(str(path))
    assert re.search(expected, str(caught.value)), str(caught.value)
    assert _counts(project) == before


def test_bad_csv_header_and_shape(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("record,reviewer,stage,decision\n1,xx,ta,include\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"header.csv:1: header lacks column\(s\) record_id"):
        _run("decide", str(path), "-p", str(project))
    path.write_text("record_id,reviewer,stage,decision\n1,xx,ta\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"header.csv:2: 3 fields, expected 4"):
        _run("decide", str(path), "-p", str(project))
    assert _counts(project) == (0, 0)


def test_settings_and_third_reviewer_resolution_messages(project: Path) -> None:
    out = _run("screening", "settings", "-p", str(project), "--no-blind", "--by", "lead")
    assert "blind mode off, 2 reviewer(s) per record" in out
    _run(
        "screening", "settings", "-p", str(project), "--stage", "ft", "--reviewers-per-record", "1"
    )
    assert "1 reviewer(s)" in _run("screening", "settings", "-p", str(project), "-s", "ft")
    _run("reviewer", "add", "zz", "--role", "resolver", "-p", str(project))
    with pytest.raises(ScreeningError, match="record 1 has no conflict"):
        _run(
            "conflicts", "-p", str(project), "--resolve", "1", "--decision", "include", "--by", "zz"
        )


def test_screen_refuses_a_misspelt_reviewer(project: Path) -> None:
    with pytest.raises(ScreeningError, match="reviewer 'xz' is not one of this review's reviewers"):
        _run("screen", "-p", str(project), "--reviewer", "xz")


def test_export_live_decisions_and_full_history(project: Path, tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [1, "xx", "ta", "include", ""],
        [1, "yy", "ta", "exclude", "conference-paper"],
        [2, "xx", "ta", "exclude", "2"],
    ]
    _run("decide", str(_write_csv(tmp_path / "d.csv", rows)), "-p", str(project))
    _run("reviewer", "add", "zz", "-p", str(project))
    _run("conflicts", "-p", str(project), "--resolve", "1", "--decision", "include", "--by", "zz")
    screening = Screening(Project.open(project).store)
    screening.undo(reviewer="xx", stage="title_abstract", record_id=2)
    _run("screening", "export", str(tmp_path / "live.csv"), "-p", str(project))
    _run("screening", "export", str(tmp_path / "all.csv"), "-p", str(project), "--history")
    with (tmp_path / "live.csv").open(encoding="utf-8") as handle:
        live = list(csv.DictReader(handle))
    assert [(r["record_id"], r["reviewer"], r["decision"], r["resolution"]) for r in live] == [
        ("1", "xx", "include", ""),
        ("1", "yy", "exclude", ""),
        ("1", "zz", "include", "third_reviewer"),
    ]
    with (tmp_path / "all.csv").open(encoding="utf-8") as handle:
        history = list(csv.DictReader(handle))
    assert len(history) == 5 and history[-1]["decision"] == "retracted"
    assert history[-1]["retracts"] == history[2]["decision_id"]


def test_decide_reads_semicolon_csv_with_bom_and_notes(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text(
        "\ufeffRecord_ID;Reviewer;Stage;Decision;Reason;Note\n"
        "1;xx;TA;Exclude;Conference paper;abstract only\n"
        "\n"
        "2;xx;title-abstract;i;;\n",
        encoding="utf-8",
    )
    assert "Recorded 2 decision(s)" in _run("decide", str(path), "-p", str(project))
    screening = Screening(Project.open(project).store)
    first = screening.decision_of(1, "title_abstract", "xx")
    assert first is not None
    assert (first.decision, first.reason, first.note) == (
        "exclude",
        "conference-paper",
        "abstract only",
    )
