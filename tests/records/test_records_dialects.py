"""Files shaped like each database's export (tests/records/data): detection and fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from litrev.records import read, read_report, write

DATA = Path(__file__).parent / "data"

# file -> (format, encoding, source database, dialect, records)
DETECTION = {
    "scopus.ris": ("ris", "utf-8", "Scopus", "scopus", 2),
    "wos.ris": ("ris", "utf-8-sig", "Web of Science", "wos", 2),
    "ebsco-cinahl.ris": ("ris", "cp1252", "CINAHL", "ebsco", 1),
    "proquest.ris": ("ris", "cp1252", "PsycINFO", "proquest", 1),
    "ovid-embase.ris": ("ris", "utf-8", "Embase", "ovid", 2),
    "cochrane-central.ris": ("ris", "utf-8", "Cochrane CENTRAL", "wiley", 2),
    "embase.ris": ("ris", "utf-8-sig", "Embase", "embase", 1),
    "pubmed.ris": ("ris", "utf-8", "PubMed", "pubmed", 1),
    "zotero.ris": ("ris", "utf-8", None, "zotero", 1),
    "endnote.ris": ("ris", "utf-8-sig", "PubMed", "endnote", 1),
    "mendeley.ris": ("ris", "utf-8", None, None, 1),
    "cp1252.ris": ("ris", "cp1252", None, None, 1),
    "latin1.ris": ("ris", "cp1252", None, None, 1),
    "pubmed.nbib": ("nbib", "utf-8", "PubMed", "pubmed", 2),
    "wos.txt": ("wos-txt", "utf-8-sig", "Web of Science", "wos", 2),
    "wos-tab.txt": ("wos-tab", "utf-16", "Web of Science", "wos", 2),
    "scopus.csv": ("scopus-csv", "utf-8-sig", "Scopus", "scopus", 2),
    "zotero.bib": ("bibtex", "utf-8", None, None, 2),
    "endnote.xml": ("endnote-xml", "utf-8", "PubMed", "endnote", 2),
    "asreview.csv": ("csv", "utf-8", None, None, 3),
    "asreview.tsv": ("tsv", "utf-8", None, None, 2),
    "openalex.json": ("openalex-json", "utf-8", "OpenAlex", None, 2),
    "crossref.json": ("crossref-json", "utf-8", "Crossref", None, 1),
}


@pytest.mark.parametrize("name", sorted(DETECTION))
def test_detection(name: str) -> None:
    fmt, encoding, source, dialect, count = DETECTION[name]
    result = read_report(DATA / name)
    assert (result.format, result.encoding, result.source_db, result.dialect) == (
        fmt,
        encoding,
        source,
        dialect,
    )
    assert len(result.records) == count


def test_every_data_file_is_covered() -> None:
    assert {p.name for p in DATA.iterdir() if p.is_file()} == set(DETECTION)


def one(name: str, position: int = 0):  # type: ignore[no-untyped-def]
    return read(DATA / name)[position]


def test_scopus_ris_fields() -> None:
    r = one("scopus.ris")
    assert r.title == "Co-production of mental health services: a realist review"
    assert r.journal == "Health Expectations"  # T2, not the abbreviated J2
    assert r.authors == ["Smith, J.", "Müller, K.", "O'Brien, S."]
    assert (r.year, r.volume, r.issue, r.pages) == (2021, "24", "3", "801-815")
    assert (r.doi, r.issn, r.language) == ("10.1111/hex.13225", "13696513", "English")
    assert r.keywords == ["co-production", "mental health", "realist review"]
    assert ("SN", "13696513 (ISSN) ") in r.raw  # raw keeps the trailing space
    assert one("scopus.ris", 1).publication_type == "Conference Paper"


def test_web_of_science_ris_with_bare_cr_and_continuations() -> None:
    r = one("wos.ris")
    assert r.record_id == "WOS:000440314900007"
    assert dict(r.raw)["WE"] == "Social Science Citation Index (SSCI)"
    assert dict(r.raw)["N1"].count("\n") == 2
    assert r.doi == "10.1017/S071498081800017X"


def test_ebsco_cp1252_crlf_n2_abstract() -> None:
    r = one("ebsco-cinahl.ris")
    assert r.title == "“Nothing about us without us”: co-producing community care"
    assert r.authors == ["Gonçalves, Ana", "D’Souza, Mary"]
    assert r.abstract is not None and r.abstract.startswith("Aim: To explore co-production –")
    assert (r.year, r.record_id, r.journal) == (2019, "134567890", "Journal of Advanced Nursing")


def test_proquest_latin1_doi_url_prefix() -> None:
    r = one("proquest.ris")
    assert r.authors[0] == "Lefèvre, Hélène"
    assert r.doi == "10.1111/hsc.12970"
    assert r.journal == "Health & Social Care in the Community"


def test_ovid_mixes_databases_per_record() -> None:
    embase, medline = read(DATA / "ovid-embase.ris")
    assert (embase.source_db, medline.source_db) == ("Embase", "MEDLINE")
    assert embase.doi == "10.1177/14713012211012345"
    assert embase.authors == ["Nguyen, T.", "Okafor, C."]  # A1
    assert medline.pmid == "34567890"


def test_cochrane_central_identifiers() -> None:
    r = one("cochrane-central.ris")
    assert (r.record_id, r.pmid, r.journal) == ("CN-02012345", "31812345", "Thorax")
    assert r.authors == ["Jones A", "Kaur B"]


def test_embase_fields() -> None:
    r = one("embase.ris")
    assert r.title is not None and r.title.startswith("Duplication cysts")
    assert (r.record_id, r.pmid, r.year) == ("L373791783", "25210000", 2014)
    assert r.abstract == "Gastrointestinal duplication cysts are rare congenital malformations."


def test_pubmed_ris_and_endnote_pmcid() -> None:
    assert (one("pubmed.ris").pmid, one("pubmed.ris").pmcid) == ("31616496", "PMC6791142")
    r = one("endnote.ris")
    assert (r.pmid, r.pmcid, r.year, r.journal) == (
        "29657938",
        "PMC5887694",
        2018,
        "Adv Biomed Res",
    )
    assert dict(r.raw)["AD"].count("\n") == 1  # the continuation line is kept


def test_zotero_html_in_title_and_abstract() -> None:
    r = one("zotero.ris")
    assert r.title == "Effects of Lactobacillus & diet on wellbeing in care homes"
    assert r.abstract == "Background: residents’ wellbeing."
    assert dict(r.raw)["TI"].startswith("Effects of <i>Lactobacillus</i> &amp;")


def test_mendeley_page_range_in_sp() -> None:
    r = one("mendeley.ris")
    assert (r.pages, r.doi, r.journal) == (
        "1-12",
        "10.5334/ijic.5678",
        "International Journal of Integrated Care",
    )


def test_legacy_encodings() -> None:
    assert one("cp1252.ris").title == "Café culture – “care” €"
    assert one("latin1.ris").title == "São Paulo § health"


def test_medline_fields() -> None:
    r = one("pubmed.nbib")
    assert r.title == (
        "The importance of cognitive flexibility and flexibility in coping with stress for "
        "the quality of life in inflammatory bowel disease patients."
    )
    assert r.authors == ["Rudnik, Agata", "Basińska, Małgorzata Anna"]
    assert (r.pmid, r.pmcid, r.doi, r.pages) == (
        "31616496",
        "PMC6791142",
        "10.5114/pg.2018.81081",
        "121-128",
    )
    assert r.journal == "Przeglad gastroenterologiczny"
    assert r.issn == "1895-5770"


def test_wos_plain_and_tab_agree() -> None:
    plain, tab = one("wos.txt"), one("wos-tab.txt")
    for r in (plain, tab):
        assert r.authors == ["Li, Wei", "Dou, Zhiguo"]
        assert (r.doi, r.pmid, r.year) == ("10.1080/20964129.2020.1722034", "31858815", 2020)
        assert r.record_id == "WOS:000514379300001"
    assert (
        plain.title
        == "Soil fauna diversity at different stages of reed restoration in a lakeshore wetland"
    )
    assert dict(plain.raw)["CR"].count("\n") == 1


def test_scopus_csv_multiline_abstract() -> None:
    r = one("scopus.csv")
    assert r.authors == ["Liu, Fengyuan", "Li, Chunyun"]
    assert (
        r.abstract
        == "Objective: This study aimed to evaluate research. Methods: We searched Scopus."
    )
    assert (r.pages, r.pmid) == ("101-110", "38123456")
    assert one("scopus.csv", 1).pages == "e070000"


def test_bibtex_macros_latex_and_braces() -> None:
    first, book = read(DATA / "zotero.bib")
    assert first.journal == "BMJ Quality & Safety"  # @string macro # concatenation, \&
    assert first.pages == "509-517"
    assert len(first.authors) == 7
    assert first.abstract == "Efforts to improve healthcare élan with ``quoted'' text"
    assert dict(first.raw)["month"] == "jul"
    assert book.title == "Müller's Guide to Care"
    assert book.authors == ["Müller, Jürgen", "World Health Organization"]


def test_endnote_xml_styles_and_attributes() -> None:
    r, report = read(DATA / "endnote.xml")
    assert r.title == "Herbal gel of Antirrhinum majus extract & acne"
    assert r.publication_type == "Journal Article"
    assert ("ref-type@name", "Journal Article") in r.raw
    assert dict(r.raw)["auth-address"] == "Dept A, Isfahan, Iran.\rDept B, Isfahan, Iran."
    assert r.issn == "2277-9175 (Print)"
    assert report.publication_type == "Report"


def test_asreview_labels() -> None:
    records = read(DATA / "asreview.csv")
    assert [r.label for r in records] == [1, 0, None]
    assert records[0].abstract == "Abstract with a comma, and a line break"
    assert [r.label for r in read(DATA / "asreview.tsv")] == [1, 0]


def test_asreview_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["title", "abstract", "label_included", "year"])
    sheet.append(["Peer support", "Text", 1, 2020])
    sheet.append(["Soil", None, 0, 2019.0])
    path = tmp_path / "labels.xlsx"
    book.save(path)
    result = read_report(path)
    assert result.format == "xlsx"
    assert [(r.title, r.label, r.year) for r in result.records] == [
        ("Peer support", 1, 2020),
        ("Soil", 0, 2019),
    ]
    write(result.records, tmp_path / "again.xlsx", format="xlsx")
    assert [r.raw for r in read(tmp_path / "again.xlsx")] == [r.raw for r in result.records]


def test_openalex_and_crossref_fields() -> None:
    first, numeric_title = read(DATA / "openalex.json")
    assert first.abstract == "Climate matters."
    assert (first.pmid, first.pages, first.journal) == ("25599636", "S35-S42", "Geospatial Health")
    assert numeric_title.title == "12"
    assert ("title", '"12"') in numeric_title.raw  # a string that reads as a number
    crossref = one("crossref.json")
    assert crossref.authors == ["Grenier Ouimet, Antoine", "The Study Group"]
    assert crossref.abstract == "Background: telehealth & care."
    assert (crossref.year, crossref.doi) == (2020, "10.2196/22081")


def test_source_given_overrides_detection() -> None:
    records = read(DATA / "zotero.ris", source="MEDLINE (Ovid)")
    assert records[0].source_db == "MEDLINE (Ovid)"
    assert records[0].provenance is not None
    assert records[0].provenance.source_db == "MEDLINE (Ovid)"


def test_format_given_is_used(tmp_path: Path) -> None:
    path = tmp_path / "export.dat"
    path.write_text("TY  - JOUR\nTI  - Given format\nER  - \n")
    assert read(path, format="ris")[0].title == "Given format"
    assert read(path)[0].title == "Given format"


def test_covidence_and_zotero_csv_columns(tmp_path: Path) -> None:
    covidence = tmp_path / "covidence.csv"
    covidence.write_text(
        '"Title","Authors","Abstract","Published Year","Journal","DOI","Covidence #"\n'
        '"Peer support","Smith, J; Jones, K","Text","2021","BMJ Open","10.1/x","#12"\n'
    )
    r = read(covidence)[0]
    assert (r.title, r.authors, r.year, r.journal, r.record_id) == (
        "Peer support",
        ["Smith, J", "Jones, K"],
        2021,
        "BMJ Open",
        "#12",
    )
    zotero = tmp_path / "zotero.csv"
    zotero.write_text(
        '"Key","Item Type","Publication Year","Author","Title","Publication Title","Date"\n'
        '"ABCD1234","journalArticle","2019","Hicks, G.","Care homes","BMC Geriatrics","2019-07-02"\n'
    )
    z = read(zotero)[0]
    assert (z.record_id, z.year, z.journal, z.publication_type) == (
        "ABCD1234",
        2019,
        "BMC Geriatrics",
        "journalArticle",
    )
