"""Files litrev writes follow the user's umask, and a failed write leaves the old file whole."""

from __future__ import annotations

import doctest
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import litrev.fileio
from litrev.fileio import atomic_output, atomic_write_text
from litrev.records.io import write
from litrev.records.model import Record


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_text_files_are_world_readable_under_umask_022(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "report.md"
    atomic_write_text(target, "# report\n")
    assert _mode(target) == 0o644


def test_a_stricter_umask_is_honoured(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        atomic_write_text(tmp_path / "private.md", "x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "private.md") == 0o600


def test_exports_are_world_readable(tmp_path: Path, umask_022: None) -> None:
    records = [Record(title="A study", year=2020, source_db="Scopus")]
    for fmt, name in [("ris", "out.ris"), ("csv", "out.csv"), ("xlsx", "out.xlsx")]:
        write(records, tmp_path / name, format=fmt)
        assert _mode(tmp_path / name) == 0o644, fmt


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]


def test_docstring_examples() -> None:
    assert doctest.testmod(litrev.fileio).failed == 0
