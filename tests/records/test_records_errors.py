"""Malformed input: clear errors naming file and line; `skip_invalid` keeps the good records."""

from __future__ import annotations

from pathlib import Path

import pytest

from litrev.errors import InputError
from litrev.records import read, read_report, write


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path, **kwargs: object) -> InputError:
    with pytest.raises(InputError) as caught:
        read(path, **kwargs)  # type: ignore[arg-type]
    assert caught.value.path == str(path)
    assert str(path) in str(caught.value)
    return caught.value


RIS_MISSING_ER = (
    "TY  - JOUR\nTI  - One\nER  - \n\nTY  - JOUR\nTI  - Two\n\nTY  - JOUR\nTI  - Three\nER  - \n"
)


def test_ris_record_without_er(tmp_path: Path) -> None:
    error = _error(_file(tmp_path, "a.ris", RIS_MISSING_ER))
    assert error.line == 5
    assert "no 'ER  - ' before the next 'TY  - ' at line 8" in error.detail


def test_ris_skip_invalid_reports_the_skipped_record(tmp_path: Path) -> None:
    path = _file(tmp_path, "a.ris", RIS_MISSING_ER)
    result = read_report(path, skip_invalid=True)
    assert [r.title for r in result.records] == ["One", "Three"]
    assert [(s.position, s.line) for s in result.skipped] == [(1, 5)]
    assert "ER" in result.skipped[0].reason
    assert [r.provenance.position for r in result.records if r.provenance] == [0, 2]


def test_ris_truncated_file(tmp_path: Path) -> None:
    error = _error(_file(tmp_path, "t.ris", "TY  - JOUR\nTI  - Cut off\nAB  - half an abs"))
    assert error.line == 1
    assert "no closing 'ER  - '" in error.detail


def test_ris_text_outside_record(tmp_path: Path) -> None:
    # Text before the first record is a header block (tests/records/test_records_hostile.py);
    # text between records is an error.
    text = "TY  - JOUR\nER  - \nSearch results\nTY  - JOUR\nER  - \n"
    error = _error(_file(tmp_path, "h.ris", text), format="ris")
    assert error.line == 3
    assert "expected a 'TY  - ' line" in error.detail
    result = read_report(tmp_path / "h.ris", format="ris", skip_invalid=True)
    assert len(result.records) == 2 and len(result.skipped) == 1


def test_ris_tag_before_ty(tmp_path: Path) -> None:
    error = _error(_file(tmp_path, "n.ris", "TY  - JOUR\nER  - \nTI  - Orphan\nER  - \n"))
    assert error.line == 3
    assert "outside a record" in error.detail


def test_medline_bad_line(tmp_path: Path) -> None:
    path = _file(
        tmp_path, "p.nbib", "PMID- 1\nTI  - Fine\n\nPMID- 2\nthis is not a tag\n\nPMID- 3\n"
    )
    error = _error(path)
    assert error.line == 5
    assert "continuation indented by six spaces" in error.detail
    result = read_report(path, skip_invalid=True)
    assert [r.pmid for r in result.records] == ["1", "3"]
    assert result.skipped[0].line == 5


def test_wos_missing_er(tmp_path: Path) -> None:
    path = _file(tmp_path, "w.txt", "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI A\n")
    error = _error(path, format="wos-txt")
    assert error.line == 3 and "no closing 'ER'" in error.detail


def test_bibtex_unbalanced_braces(tmp_path: Path) -> None:
    text = "@article{good1, title={Fine}}\n\n@article{bad, title={Never closed}\n\n@book{good2, title={Also fine}}\n"
    path = _file(tmp_path, "b.bib", text)
    error = _error(path)
    assert error.line == 3
    assert "expected ',' or '}' after the value of 'title', found '@' (at line 5)" in error.detail
    result = read_report(path, skip_invalid=True)
    assert [r.title for r in result.records] == ["Fine", "Also fine"]
    assert result.skipped[0].line == 3


def test_bibtex_missing_equals(tmp_path: Path) -> None:
    error = _error(_file(tmp_path, "c.bib", "@article{k,\n  title {No equals}\n}\n"))
    assert error.line == 1 and "expected 'field = value'" in error.detail
    assert "(at line 2)" in error.detail


def test_endnote_xml_broken_record(tmp_path: Path) -> None:
    text = (
        "<xml><records>\n<record><titles><title>Ok</title></titles></record>\n"
        "<record><titles><title>Bad</titles></record>\n"
        "<record><titles><title>Ok too</title></titles></record>\n</records></xml>"
    )
    path = _file(tmp_path, "e.xml", text)
    error = _error(path)
    assert error.line == 3 and "not well-formed" in error.detail
    assert [r.title for r in read(path, skip_invalid=True)] == ["Ok", "Ok too"]


def test_json_syntax_error(tmp_path: Path) -> None:
    error = _error(_file(tmp_path, "o.json", '{"results": [\n {"title": "A"},\n {"title": }\n]}'))
    assert error.line == 3 and "not valid JSON" in error.detail


def test_csv_row_too_long(tmp_path: Path) -> None:
    path = _file(tmp_path, "r.csv", "title,abstract\nA,x\nB,y,extra\nC,z\n")
    error = _error(path)
    assert error.line == 3 and "3 cells but the header has 2 columns" in error.detail
    assert [r.title for r in read(path, skip_invalid=True)] == ["A", "C"]


def test_csv_without_title_column(tmp_path: Path) -> None:
    error = _error(_file(tmp_path, "n.csv", "name,value\nA,1\n"))
    assert "no title column" in error.detail


def test_unknown_content_and_format(tmp_path: Path) -> None:
    error = _error(_file(tmp_path, "x.dat", "just some words\n"))
    assert "cannot tell the format" in error.detail
    with pytest.raises(InputError, match="unknown format"):
        read(tmp_path / "x.dat", format="marc21")


def test_missing_file(tmp_path: Path) -> None:
    error = _error(tmp_path / "nowhere.ris")
    assert "cannot read file" in error.detail


def test_write_unknown_format_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write format"):
        write([], tmp_path / "out.marc", format="marc")
    assert list(tmp_path.iterdir()) == []


def test_bad_utf16_bom(tmp_path: Path) -> None:
    path = tmp_path / "u.txt"
    path.write_bytes(b"\xff\xfeT\x00Y\x00\x00\xd8")  # a lone surrogate after the BOM
    assert "byte-order mark" in _error(path).detail


def test_concatenated_exports_with_byte_order_marks(tmp_path: Path) -> None:
    one = "\ufeffTY  - JOUR\r\nTI  - First\r\nER  - \r\n"
    two = "\ufeffTY  - JOUR\r\nTI  - Second\r\nER  - \r\n"
    path = tmp_path / "both.ris"
    path.write_bytes((one + two).encode("utf-8"))
    assert [r.title for r in read(path)] == ["First", "Second"]
