"""Status and history output comes as tables and words, never Python reprs (None, {}, dicts)."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import litrev.cli.dedupe
from litrev.cli import run

DATA = Path(__file__).resolve().parents[1] / "records" / "data"
REPR = re.compile(r"\bNone\b|[{}]|\[\]|'\w+': ")


def _output(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert run(argv) == 0, argv
    out, err = capsys.readouterr()
    return out + err


def test_dedupe_history_is_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    review = tmp_path / "review"
    p = ["-p", str(review)]
    run(["init", str(review)])
    empty = _output(capsys, ["dedupe", "history", *p])
    assert "No deduplication runs" in empty
    run(["import", str(DATA / "pubmed.ris"), str(DATA / "pubmed.nbib"), "--again", *p])
    run(["dedupe", *p])
    capsys.readouterr()
    text = _output(capsys, ["dedupe", "history", "--all", *p])
    assert "duplicate clusters" in text
    assert not REPR.search(text), text


def test_docstring_examples() -> None:
    assert doctest.testmod(litrev.cli.dedupe).failed == 0
