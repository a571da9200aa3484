"""The six strategies of the seed review's Supplementary file 1 parse, mean the same once fields
are mapped explicitly, and are generated back from the canonical litrev query."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from litrev.search import (
    TI_AB,
    TI_AB_KW,
    Limit,
    Query,
    compare,
    generate,
    map_fields,
    merge_field_alternatives,
    parse,
    precedence_note,
    precedence_readings,
)

DATA = tomllib.loads((Path(__file__).parent / "data" / "seed_strategies.toml").read_text("utf-8"))
STRATEGIES = DATA["strategy"]
CANONICAL = parse(DATA["canonical"]["query"], "litrev")

#: the explicit field mapping per interface that makes the six one tree:
#: EBSCO and ProQuest write `TI (X) OR AB (X)` (X within one field), Cochrane adds keywords.
FIELD_MAPPING = {
    "ebsco": lambda q: merge_field_alternatives(q),
    "proquest": lambda q: merge_field_alternatives(q),
    "cochrane": lambda q: map_fields(q, {TI_AB_KW: TI_AB}),
    "pubmed": lambda q: q,
    "scopus": lambda q: q,
}
LIMITS = {
    "CINAHL with Full Text (EBSCOHost)": {Limit("peer_reviewed", "true"),
                                          Limit("language", "English")},
    "Cochrane Central Register of Controlled Trials (Wiley)": set(),
    "MEDLINE (EBSCOHost)": {Limit("language", "English")},
    "PsycINFO (ProQuest)": {Limit("peer_reviewed", "true"), Limit("language", "English")},
    "PubMed (legacy)": {Limit("language", "English")},
    "Scopus (Elsevier)": {Limit("language", "English")},
}


def test_the_seed_has_six_strategies_with_hits_and_dates() -> None:
    assert len(STRATEGIES) == 6
    assert {s["dialect"] for s in STRATEGIES} == {"ebsco", "cochrane", "proquest", "pubmed",
                                                   "scopus"}
    assert sum(s["hits"] for s in STRATEGIES) == 588 + 47 + 793 + 403 + 898 + 2462
    assert any("“" in s["query"] for s in STRATEGIES)  # curly quotes kept verbatim


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s["database"])
def test_each_strategy_parses_to_the_canonical_tree_once_fields_are_mapped(strategy) -> None:
    query = parse(strategy["query"], strategy["dialect"])
    assert set(query.limits) == LIMITS[strategy["database"]]
    mapped = FIELD_MAPPING[strategy["dialect"]](query)
    assert mapped.root == CANONICAL.root
    if strategy["dialect"] in {"ebsco", "proquest", "cochrane"}:
        assert query.root != CANONICAL.root  # the mapping is needed, and it is a real change


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s["database"])
def test_canonical_generates_each_strategy_back_equal_in_meaning(strategy) -> None:
    wanted = Query(CANONICAL.root, tuple(LIMITS[strategy["database"]]))
    out = generate(wanted, strategy["dialect"])
    assert out.warnings == [] or strategy["dialect"] in {"cochrane", "pubmed", "scopus"}
    assert parse(out.text, strategy["dialect"]) == wanted
    lost = {w.construct for w in out.warnings}
    assert lost <= {"limit"}  # only peer review / language limits an interface lacks


def test_generated_scopus_keeps_the_seed_shape() -> None:
    out = generate(Query(CANONICAL.root, (Limit("language", "English"),)), "scopus")
    assert out.text == (
        '((TITLE-ABS(co-produc* OR coproduc* OR co-design* OR codesign*) AND TITLE-ABS(health '
        'OR social OR "public service*" OR "public sector*")) AND NOT TITLE-ABS(engineer* OR '
        "biomass OR chemic* OR bioproduct* OR osmosis OR microalgae OR ecosystems OR hydrogen "
        'OR brand OR algebra)) AND (LIMIT-TO(LANGUAGE, "English"))')


def test_compare_names_the_seeds_own_differences() -> None:
    generic = parse(DATA["generic"]["query"], "litrev")
    diffs = compare(generic, map_fields(generic, {}))
    assert diffs == []
    by_db = {s["database"]: parse(s["query"], s["dialect"]) for s in STRATEGIES}
    # The generic summary: no field tags, no chemic*, "public sector" untruncated.
    diffs = compare(CANONICAL, generic)
    assert "fields: A searches abstract/title, B searches default fields" in diffs
    assert 'truncation: "public sector*" in A is "public sector" in B' in diffs
    assert "excluded terms only in A: chemic*" in diffs
    # EBSCO: every term within one field; Cochrane: keywords searched too.
    ebsco = compare(CANONICAL, by_db["CINAHL with Full Text (EBSCOHost)"], "litrev", "ebsco")
    assert any(d.startswith("field scope: B needs every term within one field") for d in ebsco)
    assert any(d.startswith("limits only in B: language=English, peer_reviewed=true")
               for d in ebsco)
    cochrane = compare(CANONICAL, by_db["Cochrane Central Register of Controlled Trials (Wiley)"])
    assert cochrane == ["fields: A searches abstract/title, B searches abstract/keywords/title"]
    hyphens = compare(by_db["Scopus (Elsevier)"],
                      by_db["Cochrane Central Register of Controlled Trials (Wiley)"],
                      "scopus", "cochrane")
    assert any(d.startswith("hyphens: scopus: a hyphen is a space") for d in hyphens)


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s["database"])
def test_seed_strategies_do_not_depend_on_unverified_precedence(strategy) -> None:
    """EBSCO's NOT position and Cochrane's precedence are UNVERIFIED: the seed's strings
    mean the same under every reading, so the assumption cannot change their results."""
    readings = precedence_readings(strategy["query"], strategy["dialect"])
    assert len(set(readings.values())) == 1
    assert "means the same" in precedence_note(strategy["query"], strategy["dialect"])


def test_precedence_note_flags_a_string_whose_meaning_depends_on_it() -> None:
    note = precedence_note("heart AND attack OR stroke", "pubmed")
    assert note == ("pubmed: the strategy's meaning depends on operator precedence "
                    "(2 different readings); litrev reads it as 'left to right'")


def test_report_lines_for_each_seed_strategy() -> None:
    from litrev.search.report import strategy_differences

    notes = strategy_differences(
        CANONICAL, [(s["database"], s["dialect"], s["query"]) for s in STRATEGIES])
    cinahl = notes["CINAHL with Full Text (EBSCOHost)"]
    assert cinahl[0] == "limits only in the strategy: language=English, peer_reviewed=true"
    assert cinahl[1].startswith("field scope: the strategy needs every term within one field")
    assert "lint LR004: 8 curly quotes (normalised before reading)" in cinahl
    cochrane = notes["Cochrane Central Register of Controlled Trials (Wiley)"]
    assert cochrane[0] == ("fields: canonical searches abstract/title, strategy searches "
                           "abstract/keywords/title")
    assert any(n.startswith("hyphens in cochrane: a hyphen is a character") for n in cochrane)
    assert any(n.startswith("lint LR021") and "(2 times)" in n for n in cochrane)
    assert not any(n.startswith("stemming") for n in notes["PubMed (legacy)"])  # all tagged
    assert notes["Scopus (Elsevier)"][0] == "limits only in the strategy: language=English"
