"""Identifier and field normalisation."""

from hypothesis import given
from hypothesis import strategies as st

from litrev.dedupe.normalize import (
    author_key,
    journal_tokens,
    normalize_accession,
    normalize_authors,
    normalize_doi,
    normalize_pages,
    normalize_pmcid,
    normalize_pmid,
    normalize_title,
    normalize_volume,
    normalize_year,
)


def test_doi_forms_normalise_to_one_value() -> None:
    forms = [
        "10.1016/J.JCLINEPI.2020.01.001",
        "https://doi.org/10.1016/j.jclinepi.2020.01.001",
        "http://dx.doi.org/10.1016/j.jclinepi.2020.01.001.",
        "doi: 10.1016/j.jclinepi.2020.01.001",
        "DOI 10.1016/j.jclinepi.2020.01.001 [doi]",
        "https://doi.org/10.1016%2Fj.jclinepi.2020.01.001",
    ]
    assert {normalize_doi(f) for f in forms} == {"10.1016/j.jclinepi.2020.01.001"}
    assert normalize_doi("not a doi") is None
    assert normalize_doi(None) is None


@given(st.from_regex(r"10\.[0-9]{4,6}/[a-zA-Z0-9.\-_]{1,20}[a-zA-Z0-9]", fullmatch=True))
def test_doi_normalisation_is_idempotent_and_prefix_blind(doi: str) -> None:
    once = normalize_doi(doi)
    assert once is not None
    assert normalize_doi(once) == once
    assert normalize_doi("https://doi.org/" + doi.upper()) == once


def test_pubmed_and_pmc_ids() -> None:
    assert normalize_pmid("PMID: 012345678 [Indexed for MEDLINE]") == "12345678"
    assert normalize_pmid("12345678") == "12345678"
    assert normalize_pmcid("PMC0012345") == "PMC12345"
    assert normalize_pmcid("pmc12345") == normalize_pmcid("12345") == "PMC12345"
    assert normalize_pmid("") is None


def test_accession_numbers_keep_their_database() -> None:
    assert normalize_accession("2-s2.0-85012345678") == "scopus:85012345678"
    assert normalize_accession("WOS:000412345600001") == "wos:000412345600001"
    assert normalize_accession("ISI:000412345600001") == "wos:000412345600001"
    assert normalize_accession("L612345678") == "embase:612345678"
    assert normalize_accession("EMB-612345678") == "embase:612345678"
    assert normalize_accession("12345") is None


def test_titles_fold_case_diacritics_punctuation_html_and_notes() -> None:
    base = normalize_title("Effects of exercise on sleep in older adults")
    for variant in [
        "EFFECTS OF EXERCISE ON SLEEP IN OLDER ADULTS.",
        "Effects of <i>exercise</i> on sleep in older adults",
        "Efféćts of exercise on sleep in older adults",
        "Effects of exercise on sleep in older adults. [Review] [45 refs]",
        "[Effects of exercise on sleep in older adults]",
        "Effects of exercise on sleep in older adults (Provisional abstract)",
        "Effects of exercise on sleep in older-adults!",
    ]:
        assert normalize_title(variant) == base, variant
    assert normalize_title("Ärzte &amp; Pflege") == "arzte pflege"


def test_pages_expand_abbreviated_ranges() -> None:
    assert normalize_pages("123-9") == normalize_pages("123-129") == ("123", "129")
    assert normalize_pages("1234-56") == ("1234", "1256")
    assert normalize_pages("47--65") == ("47", "65")
    assert normalize_pages("e1002") == ("e1002", "e1002")
    assert normalize_pages("S27-S31") == ("s27", "s31")
    assert normalize_pages("Suppl-29") is None  # garbled export field carries no page


def test_authors_journals_volumes_years() -> None:
    assert author_key("Müller, Hans") == author_key("Muller H") == "muller h"
    assert author_key("Wright Jr., T C") == "wright t"
    assert normalize_authors("Zuna, R E and Wang, S S") == ("zuna r", "wang s")
    assert normalize_authors(["ASCUS-LSIL Triage Study Group", "Solomon, D"]) == ("solomon d",)
    assert journal_tokens("JPEN. Journal of Parenteral & Enteral Nutrition") == (
        "jpen", "journal", "parenteral", "enteral", "nutrition")
    assert normalize_volume("35 Suppl 1") == "35"
    assert normalize_volume("Suppl. 2") == "s2"
    assert normalize_volume("(Jul)") is None
    assert normalize_year("2016/03/01") == 2016
    assert normalize_year(None) is None
