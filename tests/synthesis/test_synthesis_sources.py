"""Matching an import's source name to the protocol's `[[searches]]` (litrev.records.sources)."""

from __future__ import annotations

import pytest

from litrev.protocol import DatabaseSearch
from litrev.records.sources import AMBIGUOUS, FAMILIES, UNMATCHED, match_source


def _searches(*specs: tuple[str, str, str]) -> list[DatabaseSearch]:
    return [DatabaseSearch(database=d, platform=p, dialect=x) for d, p, x in specs]


@pytest.mark.parametrize(
    ("source", "protocol_name"),
    [
        ("Web of Science", "Web of Science Core Collection"),
        ("WoS", "Web of Science Core Collection"),
        ("Ovid MEDLINE(R) ALL", "MEDLINE"),
        ("MEDLINE (EBSCOhost)", "MEDLINE"),
        ("CINAHL", "CINAHL with Full Text"),
        ("CINAHL Plus", "CINAHL with Full Text"),
        ("Embase.com", "Ovid Embase"),
        ("APA PsycInfo", "PsycINFO"),
        ("Cochrane Library", "Cochrane Central Register of Controlled Trials"),
        ("CENTRAL", "Cochrane Central Register of Controlled Trials"),
        (
            "MEDLINE",
            "Ovid MEDLINE(R) and Epub Ahead of Print, In-Process, In-Data-Review & Other "
            "Non-Indexed Citations",
        ),
        ("CINAHL", "CINAHL Complete"),
    ],
)
def test_known_names_of_one_database_match(source: str, protocol_name: str) -> None:
    searches = _searches((protocol_name, "", ""), ("Scopus", "Elsevier", "scopus"))
    assert match_source(source, searches).search == protocol_name


def test_pubmed_is_not_medline_unless_the_protocol_says_so() -> None:
    searches = _searches(("MEDLINE", "Ovid", "ovid"))
    assert match_source("PubMed", searches).how == UNMATCHED
    aliased = [DatabaseSearch(database="MEDLINE", platform="Ovid", aliases=["PubMed"])]
    assert match_source("PubMed", aliased).search == "MEDLINE"


def test_the_platform_chooses_between_two_searches_of_one_database() -> None:
    searches = _searches(("MEDLINE", "Ovid", "ovid"), ("MEDLINE", "EBSCOhost", "ebsco"))
    assert match_source("MEDLINE", searches, dialect="ovid").search == "MEDLINE"
    found = match_source("MEDLINE", searches)
    assert found.how == AMBIGUOUS and found.candidates == ("MEDLINE", "MEDLINE")


def test_a_platform_only_source_matches_the_one_search_on_that_platform() -> None:
    searches = _searches(("PsycINFO", "ProQuest", "proquest"), ("ERIC", "EBSCOhost", "ebsco"))
    assert match_source("ProQuest", searches).search == "PsycINFO"


def test_unmatched_names_the_choices() -> None:
    found = match_source("Global Health", _searches(("Scopus", "", ""), ("ERIC", "", "")))
    assert found.how == UNMATCHED and found.candidates == ("Scopus", "ERIC")
    assert "choose one of: Scopus, ERIC" in found.message()


def test_hand_search_matches_by_name_only() -> None:
    searches = [DatabaseSearch(database="Hand search of key journals", kind="other")]
    assert match_source("hand search of key journals", searches).search == searches[0].database
    assert not match_source("hand search", searches).matched


def test_cochrane_reviews_are_not_central() -> None:
    searches = _searches(("Cochrane Central Register of Controlled Trials", "Wiley", "cochrane"))
    found = match_source("Cochrane Database of Systematic Reviews", searches)
    assert not found.matched


def test_no_name_is_in_two_families() -> None:
    names = [n for family in FAMILIES.values() for n in family]
    assert len(names) == len(set(names))


def test_cochrane_reviews_match_cdsr_never_central() -> None:
    searches = [DatabaseSearch(database="CDSR"), DatabaseSearch(database="CENTRAL")]
    found = match_source("Cochrane Database of Systematic Reviews", searches)
    assert found.search == "CDSR" and found.how == "alias"
    assert (
        match_source("Cochrane Central Register of Controlled Trials", searches).search == "CENTRAL"
    )
