"""Fuzz findings in the readers added for issue 10 (tests/fuzz): each input crashed with
something other than `InputError` before its fix."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from litrev.errors import InputError
from litrev.records import read, read_report


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


CSL = {"id": "a1", "type": "article-journal", "title": "Care"}


@pytest.mark.parametrize("authors", [3, 1.5, True, "Smith, J", {"family": "Smith"}])
def test_csl_json_author_of_the_wrong_type(tmp_path: Path, authors: object) -> None:
    path = _file(tmp_path, "c.json", json.dumps([{**CSL, "author": authors}, CSL]))
    with pytest.raises(InputError, match="item 1: 'author' is a JSON"):
        read(path, format="csl-json")
    result = read_report(path, format="csl-json", skip_invalid=True)
    assert [r.title for r in result.records] == ["Care"] and len(result.skipped) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('[{"id": "a", "type": "book", "volume": ' + "9" * 5000 + "}]", "4300 digits"),
    ],
)
def test_csl_json_python_cannot_hold(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        read(_file(tmp_path, "c.json", text), format="csl-json")


@pytest.mark.parametrize(
    ("fmt", "head", "tail"),
    [
        ("europepmc-xml", "<responseWrapper><request>", "</request></responseWrapper>"),
        ("pubmed-xml", "<PubmedArticleSet><x>", "</x></PubmedArticleSet>"),
    ],
)
def test_xml_deep_nesting_outside_records(tmp_path: Path, fmt: str, head: str, tail: str) -> None:
    # Fuzz finding: the tag path was rebuilt for every element, 552 KB took 11 s of CPU.
    text = head + "<a>" * 60_000 + "</a>" * 60_000 + tail
    path = _file(tmp_path, "deep.xml", text)
    start = time.process_time()
    with pytest.raises(InputError, match="nested more than 64 levels"):
        read(path, format=fmt)
    assert time.process_time() - start < 1.0


def test_vendor_table_short_rows_may_not_multiply_memory(tmp_path: Path) -> None:
    # Fuzz finding: a ProQuest header of 1,020 columns over 20,000 one-cell rows took 65 s.
    header = '"Authors","Title","Abstract","pubtitle","pubdate","ISSN","DOI",' + ",".join(
        f'"language{n}"' for n in range(2000)
    )
    path = _file(tmp_path, "p.csv", header + "\n" + "x\n" * 1000)
    start = time.process_time()
    with pytest.raises(InputError, match="too many short rows"):
        read(path, format="proquest-csv")
    assert time.process_time() - start < 2.0
