"""The readers added for litrev issue 10 (tests/records/data/formats): detection and fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from litrev.records import Record, read, read_report
from litrev.records.detect import detect_format

FORMATS = Path(__file__).parent / "data" / "formats"

# file -> (format, encoding, file's source database, dialect, records)
DETECTION = {
    "cochrane.txt": ("cochrane-txt", "utf-8", None, "wiley", 3),
    "pubmed.xml": ("pubmed-xml", "utf-8", "PubMed", "pubmed", 3),
    "europepmc.xml": ("europepmc-xml", "utf-8", "Europe PMC", None, 2),
    "ovid-medline.txt": ("ovid-txt", "utf-8", "MEDLINE", "ovid", 2),
    "ovid-embase.txt": ("ovid-txt", "utf-8", "Embase", "ovid", 2),
    "ovid-psycinfo.txt": ("ovid-txt", "utf-8", "PsycINFO", "ovid", 1),
    "csl.json": ("csl-json", "utf-8", None, "zotero", 2),
    "zotero.rdf": ("zotero-rdf", "utf-8", None, "zotero", 2),
    "refworks.txt": ("refworks", "utf-8", None, "refworks", 2),
    "embase.csv": ("embase-csv", "utf-8-sig", "Embase", "embase", 2),
    "proquest.csv": ("proquest-csv", "utf-8", None, "proquest", 2),
    "ebsco.csv": ("ebsco-csv", "utf-8", "CINAHL", "ebsco", 2),
    "mendeley-desktop.bib": ("bibtex", "utf-8", None, None, 3),
    "mendeley-rm.ris": ("ris", "utf-8-sig", None, None, 2),
}


@pytest.mark.parametrize("name", sorted(DETECTION))
def test_detection(name: str) -> None:
    fmt, encoding, source, dialect, count = DETECTION[name]
    result = read_report(FORMATS / name)
    assert (result.format, result.encoding, result.source_db, result.dialect) == (
        fmt,
        encoding,
        source,
        dialect,
    )
    assert len(result.records) == count
    for position, record in enumerate(result.records):
        assert record.provenance is not None
        assert record.provenance.position == position
        assert record.provenance.format == fmt


def test_every_fixture_is_covered() -> None:
    names = {p.name for p in FORMATS.iterdir() if p.name != "README.md"}
    assert names == set(DETECTION)


def test_explicit_format_names_are_accepted() -> None:
    for name, fmt in (
        ("cochrane.txt", "cochrane"),
        ("ovid-embase.txt", "ovid"),
        ("csl.json", "csl"),
    ):
        assert len(read(FORMATS / name, format=fmt)) == DETECTION[name][4]


def one(name: str, position: int = 0) -> Record:
    return read(FORMATS / name)[position]


def raw_dict(record: Record) -> dict[str, list[str]]:
    pairs: dict[str, list[str]] = {}
    for tag, value in record.raw:
        pairs.setdefault(tag, []).append(value)
    return pairs


def test_cochrane_fields_and_database_per_record() -> None:
    records = read(FORMATS / "cochrane.txt")
    trial, abstract_only, review = records
    assert trial.record_id == "CN-02345678"
    assert trial.authors == ["Lindholm A", "Bakshi R", "Moreau C"]
    assert (trial.journal, trial.year, trial.volume, trial.issue, trial.pages) == (
        "Age and ageing",
        2022,
        "51",
        "4",
        "afac071",
    )
    assert trial.doi == "10.1093/ageing/afac071" and trial.pmid == "35388654"
    assert trial.keywords[:2] == ["Activities of Daily Living", "Home Care Services"]
    assert raw_dict(trial)["KY"][0].startswith("Activities of Daily Living; *Home Care")
    assert trial.abstract is not None and trial.abstract.startswith("BACKGROUND: Reablement")
    assert [r.source_db for r in records] == [
        "Cochrane CENTRAL",
        "Cochrane CENTRAL",
        "Cochrane Database of Systematic Reviews",
    ]
    # A line without a tag continues the field above it.
    assert abstract_only.abstract == (
        "Abstract only. A feasibility study of restorative home support in two "
        "municipalities with 60 participants."
    )
    assert raw_dict(abstract_only)["AB"][0].count("\n") == 1
    assert review.doi == "10.1002/14651858.CD012111.pub2"
    assert raw_dict(review)["PB"] == ["John Wiley & Sons, Ltd"]
    assert [r.provenance.line for r in records if r.provenance] == [5, 24, 38]


def test_cochrane_keeps_every_field_line() -> None:
    text = (FORMATS / "cochrane.txt").read_text(encoding="utf-8")
    field_lines = [
        line
        for line in text.split("\n")
        if len(line) > 3 and line[:4].rstrip(":").isupper() and ": " in line[:5]
    ]
    assert sum(len(r.raw) for r in read(FORMATS / "cochrane.txt")) == len(field_lines)


def test_pubmed_xml_fields() -> None:
    article, old, book = read(FORMATS / "pubmed.xml")
    assert article.pmid == article.record_id == "38811122"
    assert article.title == (
        "Peer-led falls prevention for older adults living alone: a cluster randomised "
        "trial of community exercise groups."
    )
    assert article.abstract is not None
    assert article.abstract.startswith("BACKGROUND: Falls are the leading cause")
    assert (
        "METHODS: Twenty-four" in article.abstract and "RESULTS: The fall rate" in article.abstract
    )
    assert article.authors == [
        "Okonkwo, Chiamaka",
        "van der Berg, Pieter J Jr",
        "FALLS-PEER Study Group",
    ]
    assert (article.journal, article.volume, article.issue, article.pages, article.year) == (
        "BMC public health",
        "24",
        "1",
        "1450",
        2024,
    )
    # The article's own DOI, not the one of the review it cites.
    assert article.doi == "10.1186/s12889-024-18877-1"
    assert article.pmcid == "PMC11137000" and article.issn == "1471-2458"
    assert article.keywords == ["Humans", "Accidental Falls", "Peer support", "Living alone"]
    assert (article.language, article.publication_type) == ("eng", "Journal Article")
    raw = raw_dict(article)
    assert raw["MedlineCitation/Article/Abstract/AbstractText@Label"] == [
        "BACKGROUND",
        "METHODS",
        "RESULTS",
    ]
    assert raw["PubmedData/ReferenceList/Reference/ArticleIdList/ArticleId"][0].startswith(
        "10.1002/"
    )
    assert raw["MedlineCitation/Article/PublicationTypeList/PublicationType"] == [
        "Journal Article",
        "Randomized Controlled Trial",
    ]
    assert old.year == 1999 and old.pages == "101-9" and old.doi is None
    assert old.journal == "Health & social care in the community"
    assert (book.pmid, book.title, book.year, book.journal) == (
        "20301999",
        "Home care for older people",
        2015,
        None,
    )


def test_europepmc_xml_fields_agree_with_its_json() -> None:
    result, preprint = read(FORMATS / "europepmc.xml")
    assert result.record_id == "MED:37654321" and result.pmid == "37654321"
    assert result.pmcid == "PMC10480001"
    assert result.authors == ["Haddad R", "Nwosu E", "Lindqvist M"]
    assert (result.journal, result.volume, result.issue, result.pages, result.year) == (
        "BMJ open",
        "13",
        "9",
        "e071234",
        2023,
    )
    # Block markup in the abstract keeps its words apart.
    assert result.abstract == (
        "Objectives To explain how link workers reduce loneliness. "
        "Design Realist evaluation with 48 interviews."
    )
    assert result.keywords[:2] == ["Social prescribing", "Loneliness"]
    assert raw_dict(result)["authorList/author/authorId@type"] == ["ORCID"]
    assert preprint.record_id == "PPR:PPR712345" and preprint.journal is None
    assert preprint.authors == ["Oyelaran T", "Fairweather S"]
    assert preprint.publication_type == "Preprint"


def test_ovid_medline_complete_reference() -> None:
    first, second = read(FORMATS / "ovid-medline.txt")
    assert first.record_id == first.pmid == "36123456"
    assert first.authors == ["Achterberg, Wilco", "Sato, Yuki"]  # the full names
    assert (first.journal, first.volume, first.issue, first.pages, first.year) == (
        "International Journal of Geriatric Psychiatry",
        "37",
        "10",
        "e5812",
        2022,
    )
    assert first.doi == "10.1002/gps.5812" and first.issn == "1099-1166"
    assert first.keywords == ["Caregivers", "Dementia", "Humans"]
    assert first.abstract == (
        "OBJECTIVES: To relate respite use to carer burden. METHODS: 420 carers were "
        "followed for two years."
    )
    assert raw_dict(first)["Publication Type"] == [
        "Journal Article\nResearch Support, Non-U.S. Gov't"
    ]
    assert second.journal == "Child: Care, Health & Development" and second.pages == "801-809"
    assert first.provenance is not None and first.provenance.line == 11


def test_ovid_embase_citation_set() -> None:
    first, second = read(FORMATS / "ovid-embase.txt")
    assert first.record_id == "2019876543" and first.pmid == "36543210"
    assert first.authors == ["Feldmann H", "Osei-Bonsu A"]
    assert (first.journal, first.volume, first.issue, first.pages) == (
        "Child and Family Social Work",
        "28",
        "2",
        "455-467",
    )
    assert first.keywords == ["respite care", "child", "parent"]
    assert first.source_db == "Embase"  # told by its Emtree field: no Database field, no header
    assert second.pages is None  # "(no pagination)"


def test_ovid_psycinfo_source_and_header_database() -> None:
    record = one("ovid-psycinfo.txt")
    assert (record.journal, record.volume, record.issue, record.pages, record.year) == (
        "Journal of Family Psychology",
        "38",
        "2",
        "210-221",
        2024,
    )
    assert record.keywords == [
        "Caregiver Burden",
        "Psychosis",
        "compassion fatigue",
        "family carers",
    ]
    assert record.source_db == "PsycINFO"  # from the "Database: APA PsycInfo" header


def test_csl_json_fields() -> None:
    article, report = read(FORMATS / "csl.json")
    assert article.title.startswith("Integrating housing and health")  # type: ignore[union-attr]
    assert article.authors == ["Quispe, Rosa", "Hartley-Singh, Amrit", "Housing LIN"]
    assert (article.year, article.journal, article.volume, article.issue, article.pages) == (
        2021,
        "Journal of Integrated Care",
        "29",
        "3",
        "245-259",
    )
    assert (article.doi, article.pmid, article.issn) == (
        "10.1108/JICA-04-2021-0023",
        "34567890",
        "1476-9018",
    )
    assert article.keywords == ["housing", "hospital discharge", "integrated care"]
    assert article.source_db == "Emerald Insight"
    assert dict(article.raw)["issued"] == '{"date-parts":[["2021",8,2]]}'
    assert report.authors == ["de Whitfield, Owen"] and report.year == 2019
    assert report.source_db is None  # names no database: not counted under its neighbour's


def test_zotero_rdf_fields_and_separate_journal_node() -> None:
    article, book = read(FORMATS / "zotero.rdf")
    assert article.authors == ["Adeyemi, Folake", "Kowalczyk, Marek"]
    assert (article.journal, article.volume, article.issue, article.pages, article.year) == (
        "Health & Social Care in the Community",
        "30",
        "4",
        "e1102-e1115",
        2022,
    )
    assert (article.doi, article.issn, article.pmid) == (
        "10.1111/hsc.13771",
        "0966-0410",
        "35234567",
    )
    assert article.keywords == ["Carers", "Respite Care"]
    assert article.source_db == "PubMed"  # z:libraryCatalog
    raw = raw_dict(article)
    assert raw["dcterms:isPartOf@rdf:resource"] == ["urn:issn:0966-0410"]
    assert raw["dcterms:isPartOf/bib:Journal/dcterms:alternative"] == ["Health Soc Care Community"]
    assert book.authors == ["Greenhalgh, Imogen"]  # older Zotero's foaf:givenname
    assert book.publication_type == "book" and book.source_db is None
    # Attachments, notes and collections are not records.
    assert all(r.title != "Full Text PDF" for r in (article, book))


def test_refworks_fields() -> None:
    article, chapter = read(FORMATS / "refworks.txt")
    assert article.authors == ["Castellanos, Lucia", "Mwangi, Grace"]
    assert (article.journal, article.year, article.volume, article.issue, article.pages) == (
        "British Journal of Social Work",
        2020,
        "50",
        "4",
        "1123-1141",
    )
    assert article.keywords == ["personal budgets", "direct payments", "adult social care"]
    assert article.abstract is not None and article.abstract.endswith("depended on local markets.")
    assert article.doi == "10.1093/bjsw/bcz118" and article.record_id == "2339101234"
    assert article.source_db == "Social Services Abstracts"
    assert chapter.journal == "Handbook of Community Care" and chapter.pmid == "29999001"
    assert chapter.publication_type == "Book, Section" and chapter.source_db is None
    assert article.provenance is not None and article.provenance.line == 30
    assert raw_dict(article)["FD"] == ["Jun"]


def test_embase_csv_columns() -> None:
    record = one("embase.csv")
    assert record.authors == ["Rahman S.", "Ekström L.", "Vogt T."]
    assert (record.journal, record.year, record.volume, record.issue, record.pages) == (
        "Aging and Mental Health",
        2021,
        "25",
        "9",
        "1650-1659",
    )
    assert (record.record_id, record.pmid) == ("L2007123456", "32615789")
    assert record.keywords == [
        "assistive technology",
        "living alone",
        "dementia",
        "home care",
        "human",
        "telemedicine",
    ]
    assert len(record.raw) == 24 and record.raw[0][0] == "TITLE"


def test_proquest_csv_columns() -> None:
    first, second = read(FORMATS / "proquest.csv")
    assert first.authors == ["Brennan, Aoife", "Kiplagat, Jonah"]
    assert (first.journal, first.year, first.pages, first.record_id) == (
        "Disability & Society",
        2021,
        "1301-1322",
        "2431234567",
    )
    assert first.source_db == "Sociological Abstracts"  # the first database its cell names
    assert second.source_db == "ASSIA"


def test_ebsco_csv_columns() -> None:
    first, second = read(FORMATS / "ebsco.csv")
    assert first.authors == ["Delacroix, Amélie", "Osei, Kwame"]
    assert (first.journal, first.year, first.pages, first.record_id) == (
        "Journal of Advanced Nursing",
        2020,
        "812-823",  # first page + page count
        "141234567",
    )
    assert first.source_db == second.source_db == "CINAHL"  # db=rzh in PLink
    assert second.pages is None


def test_mendeley_exports_read_by_the_existing_readers() -> None:
    article, book, report = read(FORMATS / "mendeley-desktop.bib")
    assert article.title == "Link workers' experiences of social prescribing: a qualitative study"
    assert article.authors == ["Oduya, Grace", "Öberg, Lars", "de la Cruz, María"]
    assert article.pages == "1201-1210" and article.pmid == "32011111"
    assert article.journal == "Health & Social Care in the Community"
    assert article.keywords == ["link workers", "social prescribing"]
    assert any(tag == "mendeley-groups" for tag, _ in article.raw)
    assert book.title == "Community Development and Health"
    # Mendeley escapes %, $ and _ ({\%}, {\$}, {\_}) and braces corporate authors.
    assert report.title == "Community care at 5% of the cost: a $100 model"
    assert report.url == "http://www.example.org/reports/community_care_2016.pdf"
    assert report.authors == ["Smith, J.", "World Health Organization"]
    assert dict(report.raw)["annote"] == "Read for the review.\nSecond line of the note"
    ris = read(FORMATS / "mendeley-rm.ris")
    assert [r.title for r in ris] == [
        "Respite for carers in motor neurone disease: an interview study",
        "Short breaks: a practice guide",
    ]
    assert ris[0].pages == "210-219" and ris[0].journal == "British Journal of Neuroscience Nursing"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Record #1 of 2\nProvider: Cochrane\n\nTY  - JOUR\nER  - \n", "ris"),
        ("\n\nRecord #1 of 2\nID: CN-1\n", "cochrane-txt"),
        ("<1>\nTitle\n  x\n", "ovid-txt"),
        ("Database: Embase\n\n<1. >\nTitle\n  x\n", "ovid-txt"),
        ("RT Journal Article\nT1 x\n", "refworks"),
        ('[{"type": "journal-article", "title": ["x"], "DOI": "10.1/x"}]', "json"),
        ('[{"id": "a", "type": "book", "title": "x", "container-title": "y"}]', "csl-json"),
        ('<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet>', "pubmed-xml"),
        ("<responseWrapper><resultList>", "europepmc-xml"),
        ('<rdf:RDF xmlns:rdf="x">', "zotero-rdf"),
        ('<?xml version="1.0" encoding="UTF-8" ?><xml><records>', "endnote-xml"),
    ],
)
def test_detect_format(text: str, expected: str) -> None:
    assert detect_format("export.txt", text) == expected


def test_pubmed_xml_mathml_in_an_abstract(tmp_path: Path) -> None:
    # As efetch writes it (e.g. PMID 29963580): MathML inside AbstractText, pretty-printed.
    math = (
        '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML">\n  <mml:mrow>\n'
        "    <mml:mmultiscripts><mml:mrow><mml:mi>He</mml:mi></mml:mrow><mml:mprescripts/>"
        "<mml:none/><mml:mrow><mml:mn>3</mml:mn></mml:mrow></mml:mmultiscripts>\n"
        "    <mml:mtext> </mml:mtext><mml:mi>MRI</mml:mi>\n  </mml:mrow>\n</mml:math>"
    )
    path = tmp_path / "math.xml"
    path.write_text(
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>29963580</PMID><Article>"
        "<ArticleTitle>Lung imaging</ArticleTitle><Abstract><AbstractText>(1) inhaled "
        f"{math} ventilation.</AbstractText></Abstract></Article></MedlineCitation>"
        "</PubmedArticle></PubmedArticleSet>",
        encoding="utf-8",
    )
    record = read(path)[0]
    assert record.abstract == "(1) inhaled He3 MRI ventilation."  # MathML text, markup gone
    abstract = dict(record.raw)["MedlineCitation/Article/Abstract/AbstractText"]
    assert abstract.startswith("(1) inhaled \n") and "He" in abstract  # one field, text kept


def test_csl_json_keyword_list_and_odd_values(tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text(
        '[{"id": "x", "type": "article-journal", "title": "Care", "keyword": ["carers", 7, null],'
        ' "issued": {"date-parts": [[null]], "raw": "Spring 2018"}, "volume": 12,'
        ' "container-title": "Journal", "author": [{"family": "Li"}, "not a name"]}]',
        encoding="utf-8",
    )
    record = read(path)[0]
    assert record.keywords == ["carers", "7"]
    assert (record.year, record.volume, record.authors) == (2018, "12", ["Li"])
