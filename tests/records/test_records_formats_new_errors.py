"""The issue-10 readers on hostile input: BOMs, blank lines and header blocks read the same;
malformed files raise `InputError` naming file and line; XML entity tricks are refused."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from litrev.errors import InputError
from litrev.records import read, read_report
from litrev.records.base import MAX_FIELD_CHARS

FORMATS = Path(__file__).parent / "data" / "formats"

# A header block each service (or a person pasting exports together) puts before the records.
HEADERS = {
    "cochrane.txt": "Date exported: 2025-10-14\nSearch: #1 reablement\n\n",
    "ovid-medline.txt": "",  # already opens with Ovid's "Database: ... Search Strategy:" block
    "ovid-embase.txt": (
        "Database: Embase <1974 to 2025 October 13>\nSearch Strategy:\n"
        + "-" * 80
        + "\n1     respite care/ (5123)\n\n***************************\n\n"
    ),
    "ovid-psycinfo.txt": "",
    "refworks.txt": "",  # already opens with RefWorks' legend
    "pubmed.xml": "",  # XML cannot have text before its root; BOM and blank lines only
    "europepmc.xml": "",
    "zotero.rdf": "",
    "csl.json": "",
    "embase.csv": "Embase Session Results\nDate exported: 14 Oct 2025\nSearch: 'respite care'/exp\n\n",
    "proquest.csv": "ProQuest export, 14 October 2025\n\n",
    "ebsco.csv": "",
}


def typed(records: list) -> list:  # type: ignore[type-arg]
    return [{k: v for k, v in vars(r).items() if k != "provenance"} for r in records]


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_bom_blank_lines_and_header_block_read_the_same(name: str, tmp_path: Path) -> None:
    original = (FORMATS / name).read_bytes().removeprefix(b"\xef\xbb\xbf")
    plain = tmp_path / f"plain-{name}"
    plain.write_bytes(original)
    noisy = tmp_path / f"noisy-{name}"
    prefix = "\n\n" + HEADERS[name]
    noisy.write_bytes(b"\xef\xbb\xbf" + prefix.replace("\n", "\r\n").encode() + original)
    before, after = read_report(plain), read_report(noisy)
    assert after.format == before.format
    assert after.source_db == before.source_db
    assert typed(after.records) == typed(before.records)
    shift = prefix.count("\n")
    lines = [
        (r.provenance.line, s.provenance.line)
        for r, s in zip(before.records, after.records, strict=True)
    ]
    assert all(b is None or a == b + shift for b, a in lines), lines


def test_numbered_lines_before_ovid_records_are_its_header(tmp_path: Path) -> None:
    text = (FORMATS / "ovid-embase.txt").read_text()
    path = tmp_path / "numbered.txt"
    path.write_text("1. respite care/\n2. limit 1 to english\n\n" + text)
    assert [r.title for r in read(path)] == [r.title for r in read(FORMATS / "ovid-embase.txt")]


def test_embase_xlsx_with_a_header_block(tmp_path: Path) -> None:
    from openpyxl import Workbook

    with open(FORMATS / "embase.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Embase Session Results"])
    sheet.append([])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "embase.xlsx"
    book.save(path)
    result = read_report(path)
    assert (result.format, result.source_db, result.dialect) == ("embase-csv", "Embase", "embase")
    assert typed(result.records) == typed(read(FORMATS / "embase.csv"))
    assert [r.provenance.line for r in result.records if r.provenance] == [4, 5]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def fixture_text(name: str) -> str:
    return (FORMATS / name).read_text(encoding="utf-8-sig")


def expect_error(path: Path, line: int | None, *words: str) -> InputError:
    with pytest.raises(InputError) as caught:
        read(path)
    error = caught.value
    assert error.path == str(path)
    assert error.line == line, str(error)
    assert str(error).startswith(f"{path}:{line}:" if line is not None else f"{path}:")
    for word in words:
        assert word in str(error)
    return error


def test_cochrane_missing_record_and_cut_short_export(tmp_path: Path) -> None:
    text = fixture_text("cochrane.txt")
    start, end = text.index("Record #2 of 3"), text.index("Record #3 of 3")
    gap = write(tmp_path, "gap.txt", text[:start] + text[end:])
    expect_error(gap, 24, "'Record #3 of 3' follows 'Record #1 of 3'")
    cut = write(tmp_path, "cut.txt", text[:end])
    expect_error(cut, len(text[:end].split("\n")), "says 3 records", "ends after record #2")
    result = read_report(cut, skip_invalid=True)
    assert len(result.records) == 2 and len(result.skipped) == 1


def test_cochrane_record_without_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.txt", "Record #1 of 2\nID: CN-1\nTI: x\n\nRecord #2 of 2\n\n")
    expect_error(path, 5, "record #2 has no fields")


def test_cochrane_text_before_the_first_field(tmp_path: Path) -> None:
    path = write(tmp_path, "junk.txt", "Record #1 of 1\nthis is not a field\nTI: x\n")
    expect_error(path, 2, "not a 'TAG: value' field line")


def test_pubmed_xml_broken_and_missing_pmid(tmp_path: Path) -> None:
    text = fixture_text("pubmed.xml")
    broken = write(tmp_path, "broken.xml", text.replace("</ArticleTitle>", "", 1))
    # expat finds the unclosed <ArticleTitle> where </Article> closes it: line 70.
    error = expect_error(broken, 70, "not well-formed XML", "mismatched tag")
    assert "column" in str(error)
    no_pmid = write(tmp_path, "nopmid.xml", text.replace('<PMID Version="1">9912345</PMID>', "", 1))
    expect_error(no_pmid, 116, "no <MedlineCitation>/<BookDocument> with a <PMID>")
    result = read_report(no_pmid, skip_invalid=True)
    assert [r.pmid for r in result.records] == ["38811122", "20301999"]
    assert result.skipped[0].line == 116


def test_europepmc_xml_result_without_title(tmp_path: Path) -> None:
    text = fixture_text("europepmc.xml").replace(
        "<title>Befriending by telephone during winter: a pilot study</title>", ""
    )
    expect_error(write(tmp_path, "notitle.xml", text), 57, "<result> has no <id> or no <title>")


def test_ovid_value_before_any_label(tmp_path: Path) -> None:
    text = "<1>\nTitle\n  A\n\n<2>\n  orphan value\nTitle\n  B\n"
    expect_error(write(tmp_path, "orphan.txt", text), 6, "indented value before any field label")


def test_refworks_field_before_the_first_record(tmp_path: Path) -> None:
    text = "T1 A title without its RT line\nRT Journal Article\nT1 B\n"
    expect_error(
        write(tmp_path, "nort.txt", text), 1, "before the first record", "'RT <reference type>'"
    )


def test_csl_json_syntax_error_and_item_without_type(tmp_path: Path) -> None:
    text = fixture_text("csl.json")
    expect_error(
        write(tmp_path, "bad.json", text.replace('"issue": "3",', '"issue": "3"', 1)),
        9,  # the line after the missing comma, where the decoder stops
        "not valid JSON",
    )
    untyped = write(
        tmp_path,
        "untyped.json",
        '[{"id": "a", "type": "book", "title": "x", "container-title": "y"}, {"title": "z"}]',
    )
    expect_error(untyped, None, "item 2", "expected a CSL item with a 'type'")


def test_zotero_rdf_item_without_title(tmp_path: Path) -> None:
    text = fixture_text("zotero.rdf").replace(
        "<dc:title>Caring Communities: Co-producing Local Support</dc:title>", ""
    )
    expect_error(write(tmp_path, "notitle.rdf", text), 62, "<bib:Book> item has no <dc:title>")


def test_vendor_csv_row_longer_than_header_and_bad_quotes(tmp_path: Path) -> None:
    text = fixture_text("ebsco.csv")
    lines = text.split("\n")
    lines[2] = lines[2].rstrip("\r") + ',"extra cell"'
    expect_error(
        write(tmp_path, "long.csv", "\n".join(lines)), 3, "row has 19 cells but the header has 18"
    )
    quotes = write(
        tmp_path,
        "quotes.csv",
        text.replace('"Journal of Advanced Nursing"', '"Journal of "Advanced Nursing', 1),
    )
    expect_error(quotes, 2, "malformed CSV")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>&lol2;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>
"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rdf:RDF><bib:Article><z:itemType>journalArticle</z:itemType><dc:title>&secret;</dc:title>
</bib:Article></rdf:RDF>
"""


@pytest.mark.parametrize(
    ("name", "text", "line"), [("laughs.xml", BILLION_LAUGHS, 3), ("xxe.rdf", EXTERNAL, 2)]
)
def test_xml_entity_declarations_are_refused(
    name: str, text: str, line: int, tmp_path: Path
) -> None:
    expect_error(write(tmp_path, name, text), line, "entity declaration", "refused")


def test_undefined_entity_is_an_error_not_dropped_text(tmp_path: Path) -> None:
    text = fixture_text("pubmed.xml").replace("Carers' views", "Carers&nbsp;views", 1)
    expect_error(write(tmp_path, "nbsp.xml", text), 131, "entity &nbsp; is not defined")


def test_readers_stream_xml_in_chunks(tmp_path: Path) -> None:
    # More than one parser chunk (1M characters): records at chunk borders are whole.
    article = fixture_text("pubmed.xml").split("<PubmedArticle>", 2)[2].split("</PubmedArticle>")[0]
    body = "".join(
        f"<PubmedArticle>{article.replace('9912345', str(1000 + n))}</PubmedArticle>\n"
        for n in range(1500)
    )
    path = write(tmp_path, "many.xml", f"<PubmedArticleSet>\n{body}</PubmedArticleSet>\n")
    assert len(path.read_text()) > 1_100_000
    records = read(path)
    assert [r.pmid for r in records] == [str(1000 + n) for n in range(1500)]
    assert len({r.title for r in records}) == 1


def test_cochrane_second_export_appended(tmp_path: Path) -> None:
    text = fixture_text("cochrane.txt")
    path = write(tmp_path, "two.txt", text + "\n" + text)
    assert len(read(path)) == 6
    cut = text[: text.index("Record #3 of 3")]
    joined = cut + text
    second_start = joined[: joined.index("Record #1 of 3", len(cut))].count("\n") + 1
    path = write(tmp_path, "cut-then-more.txt", joined)
    expect_error(path, second_start, "ends after record #2")


def test_xml_record_nested_too_deep_is_skippable(tmp_path: Path) -> None:
    text = fixture_text("europepmc.xml").replace(
        "<pubYear>2024</pubYear>", "<pubYear>2024</pubYear>" + "<a>" * 5000 + "</a>" * 5000
    )
    path = write(tmp_path, "deep.xml", text)
    expect_error(path, 57, "nested more than 64 levels")
    assert [r.record_id for r in read(path, skip_invalid=True)] == ["MED:37654321"]


def test_xml_record_text_over_the_field_limit(tmp_path: Path) -> None:
    big = "x" * (MAX_FIELD_CHARS + 10)
    text = fixture_text("zotero.rdf").replace(
        "<dc:date>2017</dc:date>", f"<dc:date>{big}</dc:date>"
    )
    path = write(tmp_path, "big.rdf", text)
    expect_error(path, 62, "a field may not exceed 10,000,000 characters")
    assert len(read(path, skip_invalid=True)) == 1


@pytest.mark.parametrize(
    ("name", "head", "tail", "line"),
    [
        ("big.txt", "Record #1 of 2\nID: CN-1\nAB: a\n", "Record #2 of 2\nID: CN-2\nTI: b\n", 3),
        ("big-rw.txt", "RT Journal Article\nT1 a\nAB a\n", "RT Journal Article\nT1 b\n", 3),
        ("big-ovid.txt", "<1>\nTitle\n  a\nAbstract\n", "<2>\nTitle\n  b\n", 4),
    ],
)
def test_text_field_over_the_limit(
    tmp_path: Path, name: str, head: str, tail: str, line: int
) -> None:
    indent = "  " if "ovid" in name else ""
    body = (indent + "x" * 999 + "\n") * 10_010
    path = write(tmp_path, name, head + body + tail)
    error = expect_error(path, line, "from line", "a field may not exceed 10,000,000 characters")
    assert "10,0" in str(error)
    kept = read(path, skip_invalid=True)
    assert [r.title for r in kept] == ["b"]


@pytest.mark.parametrize(
    ("fmt", "words"),
    [
        ("cochrane", "no 'Record #1 of N' line"),
        ("ovid", "no '<1>' record line"),
        ("refworks", "no 'RT <reference type>' line"),
        ("pubmed-xml", "no <PubmedArticleSet>"),
        ("europepmc-xml", "no <responseWrapper>"),
        ("zotero-rdf", "no <rdf:RDF>"),
        ("embase-csv", "no Embase column names in the first 30 lines"),
        ("proquest-csv", "no ProQuest column names"),
        ("ebsco-csv", "no EBSCO column names"),
    ],
)
def test_a_file_forced_to_a_format_it_is_not_in(fmt: str, words: str) -> None:
    path = FORMATS.parent / "asreview.csv"  # a plain CSV, nothing of these formats
    with pytest.raises(InputError, match=words) as caught:
        read(path, format=fmt)
    assert caught.value.path == str(path) and caught.value.line == 1


def test_an_empty_pubmed_result_is_no_records_not_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path, "none.xml", '<?xml version="1.0"?>\n<PubmedArticleSet>\n</PubmedArticleSet>\n'
    )
    assert read(path) == []


def test_an_old_excel_xls_export_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "proquest.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    error = expect_error(path, None, "Excel 97-2003 .xls", "save it as .xlsx or CSV")
    assert error.path == str(path)


def test_vendor_table_under_a_header_block_without_a_csv_extension(tmp_path: Path) -> None:
    text = "Embase Session Results\nDate exported: 14 Oct 2025\n\n" + fixture_text("embase.csv")
    path = write(tmp_path, "embase-export.txt", text)
    result = read_report(path)
    assert (result.format, len(result.records)) == ("embase-csv", 2)


def test_prose_with_commas_is_not_taken_for_a_table(tmp_path: Path) -> None:
    text = (
        "Notes from the search\nWe searched MEDLINE, Embase, CINAHL and PsycINFO in May, 2025.\n"
        "Then we screened titles, abstracts, and full texts.\nTwo of us, independently, did so.\n"
    )
    expect_error(write(tmp_path, "notes.txt", text), 1, "cannot tell the format")
