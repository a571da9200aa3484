"""The merged record names, for each field, the source record it came from."""

from litrev.dedupe.merge import merge_records
from litrev.records.model import Record


def test_each_field_comes_from_one_named_member() -> None:
    wos = Record(title="EFFECTS OF EXERCISE ON SLEEP", authors=["Li, X"], year=2020,
                 journal="Age Ageing", pages="401", doi="10.1093/ageing/afz001")
    pubmed = Record(title="Effects of exercise on sleep", authors=["Li, Xiu", "Okafor, Ada"],
                    year=2020, journal="Age and Ageing", pages="401-409", pmid="31234567",
                    abstract="Background: ...")
    embase = Record(title="Effects of exercise on sleep", year=2021, journal="Age Ageing")
    merged = merge_records([wos, pubmed, embase], ["wos:7", "pubmed:8", "embase:9"])
    record, sources = merged.record, merged.sources
    assert (record.title, sources["title"]) == ("Effects of exercise on sleep", "pubmed:8")
    assert (record.authors, sources["authors"]) == (["Li, Xiu", "Okafor, Ada"], "pubmed:8")
    assert (record.year, sources["year"]) == (2020, "wos:7")
    assert (record.journal, sources["journal"]) == ("Age and Ageing", "pubmed:8")
    assert (record.pages, sources["pages"]) == ("401-409", "pubmed:8")
    assert (record.doi, sources["doi"]) == ("10.1093/ageing/afz001", "wos:7")
    assert (record.pmid, sources["pmid"]) == ("31234567", "pubmed:8")
    assert sources["abstract"] == "pubmed:8"
    assert merged.members == ["wos:7", "pubmed:8", "embase:9"]
    assert set(sources) <= {"title", "abstract", "authors", "year", "journal", "pages", "doi",
                            "pmid", "keywords", "volume", "issue"}
