"""Every real export in shared/samples/exports: detection, fields, and a lossless round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from litrev.records import read_report, write

SAMPLES = Path(__file__).parents[2].parent / "shared" / "samples" / "exports"

# file -> (format, source database, dialect, number of records)
EXPECTED = {
    "ris/scopus__synthesisr__Scopus_ris_example.ris": ("ris", "Scopus", "scopus", 3),
    "ris/wos__citesource__WoS_79.ris": ("ris", "Web of Science", "wos", 79),
    "ris/ebsco-asp__synthesisr__ASP_ris_example.ris": ("ris", "Academic Search", "ebsco", 4),
    "ris/ebsco-psycinfo__citesource__psycinfo_64.ris": ("ris", "PsycINFO", "ebsco", 64),
    "ris/ovid-medline__citesource__medline_84.ris": ("ris", "MEDLINE", "ovid", 84),
    "ris/embase__asreview__embase.ris": ("ris", "Embase", "embase", 6),
    "ris/zotero-pubmed__asreview__pubmed_zotero.ris": ("ris", None, "zotero", 6),
    "ris/endnote__reflib__blue-light.ris": ("ris", "PubMed", "endnote", 102),
    "nbib/pubmed__synthesisr__PubMed_example.txt": ("nbib", "PubMed", "pubmed", 3),
    "nbib/pubmed__reflib__blue-light.nbib": ("nbib", "PubMed", "pubmed", 80),
    "wos_plain/wos__synthesisr__WoS_txt_example.txt": ("wos-txt", "Web of Science", "wos", 4),
    "wos_plain/wos__metaknowledge__savedrecs.txt": ("wos-txt", "Web of Science", "wos", 32),
    "scopus_csv/scopus__bibliometrix__scopus_sample.csv": ("scopus-csv", "Scopus", "scopus", 8),
    "endnote_xml/endnote20__reflib__blue-light.xml": ("endnote-xml", "PubMed", "endnote", 102),
    "bibtex/scopus__synthesisr__Scopus_bib_example.bib": ("bibtex", "Scopus", "scopus", 3),
    "bibtex/wos__pybibx__wos_m.bib": ("bibtex", "Web of Science", "wos", 29),
    "openalex_json/openalex__peneira__works.json": ("openalex-json", "OpenAlex", None, 49),
    "crossref_json/crossref__colrev__10.2196_22081.json": ("crossref-json", "Crossref", None, 1),
    "europepmc/europepmc-core__pyeuropepmc__search_cancer_core.json": (
        "europepmc-json",
        "Europe PMC",
        None,
        25,
    ),
}
WRITE_AS = {
    "ris": "ris",
    "nbib": "nbib",
    "wos-txt": "wos-txt",
    "scopus-csv": "csv",
    "endnote-xml": "endnote-xml",
    "bibtex": "bibtex",
    "openalex-json": "json",
    "crossref-json": "json",
    "europepmc-json": "json",
}


@pytest.fixture(scope="module")
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"real export samples not found at {SAMPLES}")
    return SAMPLES


def test_every_sample_is_listed(samples: Path) -> None:
    found = {p.relative_to(samples).as_posix() for p in samples.glob("*/*")}
    assert found == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_detection_and_fields(samples: Path, name: str) -> None:
    fmt, source, dialect, count = EXPECTED[name]
    result = read_report(samples / name)
    assert (result.format, result.source_db, result.dialect) == (fmt, source, dialect)
    assert len(result.records) == count
    assert result.skipped == []
    for position, record in enumerate(result.records):
        assert record.title, f"record {position} has no title"
        assert record.raw
        assert record.provenance is not None
        assert record.provenance.position == position
        assert record.provenance.format == fmt
        assert record.provenance.file == str(samples / name)
    with_year = sum(r.year is not None for r in result.records)
    assert with_year >= 0.9 * count
    assert sum(bool(r.authors) for r in result.records) >= 0.9 * count


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_round_trip_keeps_every_tag_and_value(
    samples: Path, name: str, tmp_path: Path
) -> None:
    result = read_report(samples / name)
    out = tmp_path / "out"
    write(result.records, out, format=WRITE_AS[result.format])
    again = read_report(out)
    assert again.format == result.format
    assert [r.raw for r in again.records] == [r.raw for r in result.records]
    assert [(r.title, r.doi, r.year, r.authors) for r in again.records] == [
        (r.title, r.doi, r.year, r.authors) for r in result.records
    ]


def test_ris_lines_are_counted_in_the_original_file(samples: Path) -> None:
    path = samples / "ris/endnote__reflib__blue-light.ris"
    records = read_report(path).records
    lines = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").split("\n")
    for record in records[:20]:
        assert record.provenance is not None and record.provenance.line is not None
        assert lines[record.provenance.line - 1].startswith("TY  - ")


def test_wos_ris_bare_carriage_return_separates_tags(samples: Path) -> None:
    record = read_report(samples / "ris/wos__citesource__WoS_79.ris").records[0]
    tags = dict(record.raw)
    assert tags["WE"] == "Social Science Citation Index (SSCI)"
    assert tags["AN"] == "WOS:000440314900007"
    assert tags["N1"].split("\n")[1:] == ["Total Times Cited:  12", "Cited Reference Count:  63"]
    assert record.record_id == "WOS:000440314900007"


def test_identifiers_from_samples(samples: Path) -> None:
    ovid = read_report(samples / "ris/ovid-medline__citesource__medline_84.ris").records
    assert ovid[0].pmid == "39012781"  # from the Ovid link's AN= parameter
    assert all(r.pmid for r in ovid)
    endnote = read_report(samples / "endnote_xml/endnote20__reflib__blue-light.xml").records[0]
    assert (endnote.pmid, endnote.doi) == ("29657938", "10.4103/abr.abr_99_17")
    pubmed = read_report(samples / "nbib/pubmed__reflib__blue-light.nbib").records[0]
    assert (pubmed.pmid, pubmed.doi) == ("29657938", "10.4103/abr.abr_99_17")
    scopus = read_report(samples / "scopus_csv/scopus__bibliometrix__scopus_sample.csv").records[0]
    assert scopus.record_id == "2-s2.0-105030721984"
    assert scopus.pmid is None  # "NA" is not an identifier
