"""Every command meets the operating system's ordinary refusals with one sentence and status 2.

Conditions: a missing input, a folder where a file is expected, a missing output folder, a
protocol that is not UTF-8, a record id too large for the database, and (below) permission
denied and a read-only database. Each case runs the real command line (`litrev.cli.run`) and
checks the status, that no traceback is printed, and that the message names the path.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from litrev.cli import run

DATA = Path(__file__).resolve().parents[1] / "records" / "data"
HUGE = "12345678901234567890123"  # 23 digits: more than SQLite's 64-bit integers hold


@pytest.fixture
def review(tmp_path: Path) -> Path:
    folder = tmp_path / "review"
    assert run(["init", str(folder)]) == 0
    assert run(["import", str(DATA / "scopus.ris"), "-p", str(folder)]) == 0
    return folder


def _fails_cleanly(capsys: pytest.CaptureFixture[str], argv: list[str], *named: str) -> str:
    status = run(argv)
    out, err = capsys.readouterr()
    text = out + err
    assert status == 2, f"{argv}: status {status}\n{text}"
    assert "Traceback" not in text and "internal error" not in text, text
    flat = " ".join(text.split())
    for name in named:
        assert name in flat, f"{argv}: message does not name {name!r}:\n{text}"
    return flat


def _cases(review: Path, tmp: Path) -> dict[str, tuple[list[str], list[str]]]:
    missing = tmp / "nowhere" / "missing.csv"
    folder = tmp / "a-folder"
    folder.mkdir(exist_ok=True)
    p = ["-p", str(review)]
    return {
        # inputs that are not there
        "import missing file": (["import", str(missing), *p], [str(missing)]),
        "decide missing file": (["decide", str(missing), *p], [str(missing)]),
        "extract missing file": (["extract", "import", str(missing), *p], [str(missing)]),
        "simulate missing file": (["simulate", str(missing)], [str(missing)]),
        "dedupe --input missing": (
            ["dedupe", "--input", str(missing), "--clusters", str(tmp / "c.csv")],
            [str(missing)],
        ),
        # a folder where a file is expected
        "import a folder": (["import", str(folder), *p], [str(folder)]),
        "decide a folder": (["decide", str(folder), *p], [str(folder)]),
        "extract a folder": (["extract", "import", str(folder), *p], [str(folder)]),
        "simulate a folder": (["simulate", str(folder)], [str(folder)]),
        "export to a folder": (["export", "--format", "csv", str(folder), *p], [str(folder)]),
        "screening export to a folder": (["screening", "export", str(folder), *p], [str(folder)]),
        "dedupe clusters to a folder": (
            ["dedupe", "--input", str(DATA / "scopus.ris"), "--clusters", str(folder)],
            [str(folder)],
        ),
        # outputs whose folder does not exist
        "export to a missing folder": (
            ["export", "--format", "ris", str(missing), *p],
            [str(missing.parent)],
        ),
        "export xlsx to a missing folder": (
            ["export", "--format", "xlsx", str(missing.with_suffix(".xlsx")), *p],
            [str(missing.parent)],
        ),
        "screening export to a missing folder": (
            ["screening", "export", str(missing), *p],
            [str(missing.parent)],
        ),
        # ids too large for the database
        "dedupe show huge id": (["dedupe", "show", HUGE, *p], []),
        "conflicts resolve huge id": (
            ["conflicts", "--resolve", HUGE, "--decision", "include", "--by", "x", *p],
            [],
        ),
    }


CASE_NAMES = list(_cases(Path("r"), Path(tempfile.gettempdir())).keys())


@pytest.mark.parametrize("name", CASE_NAMES)
def test_command_refuses_cleanly(
    name: str, review: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, named = _cases(review, tmp_path)[name]
    _fails_cleanly(capsys, argv, *named)


PROJECT_COMMANDS = [
    ["report"],
    ["import", str(DATA / "pubmed.nbib"), "-p"],
    ["export", "--format", "ris", "OUT", "-p"],
    ["dedupe", "-p"],
    ["conflicts", "-p"],
    ["agreement", "-p"],
    ["screening", "status", "-p"],
    ["search", "run", "-p"],
]


@pytest.mark.parametrize("command", PROJECT_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_protocol_that_is_not_utf8_is_named(
    command: list[str], review: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (review / "litrev.toml").write_bytes(
        '[review]\nid = "r"\ntitle = "Caf\xe9"\n'.encode("latin-1")
    )
    argv = [str(tmp_path / "out.ris") if part == "OUT" else part for part in command]
    argv.append(str(review))
    flat = _fails_cleanly(capsys, argv, "litrev.toml")
    assert "UTF-8" in flat


# Permission denied and a read-only database. Root ignores file modes, so as root these run the
# command line in a child process that has given up the capabilities to override them
# (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): the kernel then checks modes as for anyone.

_PR_CAPBSET_DROP = 24
_FILE_OVERRIDES = (1, 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH


def _drop_file_overrides() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in _FILE_OVERRIDES:
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


def _run_restricted(argv: list[str]) -> tuple[int, str]:
    if os.geteuid() != 0:
        return run(argv), ""
    code = "import sys; from litrev.cli import run; sys.exit(run(sys.argv[1:]))"
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, *argv],
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=_drop_file_overrides,
            env={**os.environ, "COLUMNS": "200"},
        )
    except subprocess.SubprocessError as error:
        pytest.skip(f"cannot give up root's file capabilities here: {error}")
    return done.returncode, done.stdout + done.stderr


def _review(base: Path) -> Path:
    folder = base / "review"
    assert run(["init", str(folder)]) == 0
    assert run(["import", str(DATA / "scopus.ris"), "-p", str(folder)]) == 0
    return folder


def _check(status: int, text: str, capsys: pytest.CaptureFixture[str], *named: str) -> None:
    out, err = capsys.readouterr()
    text = text + out + err
    assert status == 2, text
    assert "Traceback" not in text and "internal error" not in text, text
    flat = " ".join(text.split())
    for name in named:
        # A name may list alternatives: Typer's own check says "not readable".
        assert any(choice in flat for choice in name.split("|")), text


def test_an_unreadable_input_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    review = _review(tmp_path)
    secret = tmp_path / "secret.ris"
    shutil.copy(DATA / "pubmed.ris", secret)
    secret.chmod(0o000)
    for argv in (
        ["import", str(secret), "-p", str(review)],
        ["decide", str(secret), "-p", str(review)],
    ):
        status, text = _run_restricted(argv)
        _check(status, text, capsys, str(secret), "permission denied|not readable")


def test_an_unwritable_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    review = _review(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    for argv in (
        ["export", "--format", "csv", str(locked / "out.csv"), "-p", str(review)],
        ["report", str(review), "--out", str(locked)],
    ):
        status, text = _run_restricted(argv)
        _check(status, text, capsys, str(locked), "permission denied")


def test_a_read_only_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    review = _review(tmp_path)
    (review / "litrev.db").chmod(0o444)
    review.chmod(0o555)
    try:
        status, text = _run_restricted(["import", str(DATA / "pubmed.nbib"), "-p", str(review)])
    finally:
        review.chmod(0o755)
    _check(status, text, capsys, "read-only")


def test_docstring_examples() -> None:
    import doctest

    import litrev.cli
    import litrev.cli._errors

    assert doctest.testmod(litrev.cli._errors).failed == 0
    assert doctest.testmod(litrev.cli).failed == 0


def test_brackets_in_a_message_are_printed_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "[bold]exports" / "[1] search.ris"
    folder = tmp_path / "review"
    run(["init", str(folder)])
    capsys.readouterr()
    flat = _fails_cleanly(capsys, ["import", str(missing), "-p", str(folder)])
    assert "[1] search.ris" in flat and "[bold]exports" in flat
