"""`litrev assign`, `litrev stage open|close|status`, `litrev fulltext attach|list` on a review
folder: thin adapters over allocation, gates and full texts."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
import typer

from litrev.cli import app
from litrev.errors import InputError
from litrev.project import Project
from litrev.screening import Screening, ScreeningError
from litrev.screening.allocation import assigned
from litrev.screening.demo import add_records
from litrev.screening.fulltext import fulltexts_of

cli = typer.main.get_command(app)
PROTOCOL = """
[review]
id = "falls-in-care-homes"
title = "Falls prevention in care homes"

[screening]
reviewers = ["ana", "ben", "chloe"]
"""


def _run(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli.main(list(args), prog_name="litrev", standalone_mode=False)
    return out.getvalue()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "falls"
    project = Project.init(folder, protocol_text=PROTOCOL)
    add_records(project.store, [(f"Falls trial {i}", None) for i in range(1, 10)])
    project.store.close()
    return folder


def _screening(root: Path) -> Screening:
    project = Project.open(root)
    return Screening.from_protocol(project.store, project.protocol)


def test_assign_allocate_and_status(root: Path) -> None:
    out = _run("assign", "ana", "ben", "chloe", "--by", "ana", "-p", str(root), "--seed", "3")
    assert "Assigned 18 record slot(s)" in out
    s = _screening(root)
    loads = sorted(len(assigned(s, "ta", w) or []) for w in ("ana", "ben", "chloe"))
    assert loads == [6, 6, 6]
    out = _run("assign", "ben", "--records", "1-3,9", "--remove", "--by", "ana", "-p", str(root))
    assert "ben:" in out and "unassigned" in out
    status = _run("stage", "status", "-p", str(root))
    assert "title_abstract: open" in status and "full_text: closed" in status
    assert "9 unscreened" in status
    with pytest.raises(ScreeningError, match="did you mean 'chloe'"):
        _run("assign", "chloé", "--records", "1", "--by", "ana", "-p", str(root))
    with pytest.raises(typer.BadParameter, match="NAME=WEIGHT"):
        _run("assign", "ana", "ben", "--share", "ana:2", "--by", "ana", "-p", str(root))
    with pytest.raises(typer.BadParameter, match="ids like"):
        _run("assign", "ana", "--records", "1,x", "--by", "ana", "-p", str(root))


def test_stage_open_refused_then_forced_then_closed(root: Path) -> None:
    with pytest.raises(ScreeningError, match="9 unscreened; open full_text anyway"):
        _run("stage", "open", "ft", "--by", "ana", "-p", str(root))
    out = _run("stage", "open", "ft", "--by", "ana", "--force", "-p", str(root))
    assert out.startswith("full_text is open (left before it: 9 unscreened)")
    assert "full_text: open by ana" in _run("stage", "status", "-p", str(root))
    assert "full_text is closed" in _run("stage", "close", "ft", "--by", "ana", "-p", str(root))


def test_fulltext_attach_and_list(root: Path, tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    pdf = buffer.getvalue()
    for name in ("rec-4_trial.pdf", "rec-5_trial.pdf", "unknown.pdf"):
        (tmp_path / name).write_bytes(pdf + name.encode())  # different bytes per file
    (tmp_path / "notes.pdf").write_bytes(b"just text")
    s = _screening(root)
    for who in ("ana", "ben"):
        s.decide(4, reviewer=who, stage="ta", decision="include")
    p = str(root)
    with pytest.raises(InputError, match=r"notes\.pdf: not a PDF"):
        _run(
            "fulltext",
            "attach",
            str(tmp_path / "notes.pdf"),
            "--record",
            "2",
            "--by",
            "ben",
            "-p",
            p,
        )
    files = [str(tmp_path / n) for n in ("rec-4_trial.pdf", "rec-5_trial.pdf", "unknown.pdf")]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        # click returns the exit status of typer.Exit when not in standalone mode
        status = cli.main(
            ["fulltext", "attach", *files, "--by", "ben", "-p", p],
            prog_name="litrev",
            standalone_mode=False,
        )
    assert status == 1
    printed = out.getvalue()
    assert "rec-4_trial.pdf -> record 4 (record id 4 in the file name" in printed
    assert "record 5 in the file name is not screened at full_text" in printed
    assert "2 file(s) not attached" in printed
    assert [f.filename for f in fulltexts_of(s.store, 4)] == ["rec-4_trial.pdf"]
    assert fulltexts_of(s.store, 5) == []
    # matched at title/abstract instead, record 5 is a candidate
    out5 = _run("fulltext", "attach", files[1], "--stage", "ta", "--by", "ben", "-p", p)
    assert "-> record 5" in out5
    assert "-> record 7" in _run(
        "fulltext", "attach", files[2], "--record", "7", "--by", "ben", "-p", p
    )
    listing = _run("fulltext", "list", "-p", p)
    assert "unknown.pdf" in listing and "rec-5_trial.pdf" in listing
    assert "No full texts" in _run("fulltext", "list", "--record", "2", "-p", p)
