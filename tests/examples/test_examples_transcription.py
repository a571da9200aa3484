"""The built-in review's data files, checked against the seed paper they are transcribed from.

Only the standard library reads the files here (csv, tomllib), so these tests guard the
transcription itself, independently of litrev's loaders. They pin what the seed prints,
including its inconsistencies (43 vs 42, 20 vs 22, 8 vs 7, the repeated "Lindsay, 2018"):
those are what litrev's audit must find, so nothing here smooths them away.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).parents[2]
EXAMPLE = REPO / "src" / "litrev" / "examples" / "coproduction_models"
SEED = REPO.parent / "shared" / "seed" / "000_ba6e7b868008b380.txt"

CATEGORIES = {"conceptual/theoretical", "practice-oriented", "typology", "boundary-spanning"}
TABLES = {
    "Supplementary file 2": ("conceptual/theoretical", 42),
    "Supplementary file 3": ("practice-oriented", 22),
    "Supplementary file 4": ("typology", 7),
    "Results text": ("boundary-spanning", 2),
}
COLUMNS = [
    "table", "row", "citation", "first_author", "year", "year_suffix", "country",
    "discipline", "contribution", "category", "reference", "note",
]  # fmt: skip
# Keys each claim quantity needs beyond id/section/sentence/quote/stated/quantity.
QUANTITY_KEYS = {
    "count": {"where"},
    "percent": {"where"},
    "table_rows": {"table"},
    "flow": {"stage"},
    "hits": {"database"},
    "unverifiable": {"reason"},
}
FLOW_STAGES = {"records_screened", "full_text_assessed", "included"}


def _studies() -> list[dict[str, str]]:
    with (EXAMPLE / "studies.csv").open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def _toml(name: str) -> dict[str, Any]:
    with (EXAMPLE / name).open("rb") as stream:
        return tomllib.load(stream)


@pytest.fixture(scope="module")
def seed() -> str:
    if not SEED.exists():
        pytest.skip(f"seed paper not found at {SEED} (the shared/ folder sits beside the clone)")
    return SEED.read_text(encoding="utf-8")


# --- studies.csv -------------------------------------------------------------------------


def test_studies_has_73_rows_in_table_order_with_the_seed_row_counts() -> None:
    rows = _studies()
    assert len(rows) == 73
    assert Counter(r["table"] for r in rows) == {t: n for t, (_, n) in TABLES.items()}
    # Tables appear in the seed's order, rows numbered 1..n within each table.
    assert [r["table"] for r in rows] == [t for t, (_, n) in TABLES.items() for _ in range(n)]
    for table, (_, n) in TABLES.items():
        assert [int(r["row"]) for r in rows if r["table"] == table] == list(range(1, n + 1))


def test_every_category_is_valid_and_follows_its_table() -> None:
    for row in _studies():
        assert row["category"] in CATEGORIES
        assert row["category"] == TABLES[row["table"]][0], row["citation"]


def test_cells_are_stripped_single_line_and_years_are_integers() -> None:
    for row in _studies():
        for column, value in row.items():
            assert value == value.strip(), (row["citation"], column)
            assert "\n" not in value and "\t" not in value, (row["citation"], column)
        assert row["first_author"] and row["contribution"] and row["discipline"]
        assert row["year"] == "" or re.fullmatch(r"(19|20)\d\d", row["year"])
        assert row["year_suffix"] in {"", "a", "b"}
        assert row["reference"] == "" or row["reference"].isdigit()
        if row["year"] == "":
            assert "year not stated in the seed" in row["note"].lower()


def test_citation_is_consistent_with_author_year_and_suffix() -> None:
    for row in _studies():
        if row["table"] == "Results text":
            assert row["citation"].startswith(row["first_author"])
            continue
        expected = f"{row['first_author']}, {row['year']}{row['year_suffix']}"
        # "Fledderus 2015a" is printed without its comma; it stays that way.
        assert row["citation"] in {expected, expected.replace(",", "", 1)}, row["citation"]


def test_seed_spellings_and_duplicates_are_kept() -> None:
    rows = _studies()
    citations = [r["citation"] for r in rows]
    lindsay = [r for r in rows if r["citation"] == "Lindsay, 2018"]
    assert len(lindsay) == 2
    assert {r["table"] for r in lindsay} == {"Supplementary file 2"}
    assert lindsay[0]["contribution"] != lindsay[1]["contribution"]
    assert "Fledderus 2015a" in citations
    assert "Baim\u2010Lance, 2019" in citations  # U+2010 HYPHEN, as printed
    by_citation = {r["citation"]: r for r in rows}
    assert by_citation["Meijer, 2016"]["country"] == "Netherlands"
    assert by_citation["Cramm, 2016"]["country"] == "The Netherlands"
    assert by_citation["Redwood, 2016"]["discipline"] == "Health Services research"
    assert "corproduction" in by_citation["Verschuere, 2012"]["contribution"]
    assert "ialogical ethics" in by_citation["Palmer, 2018"]["contribution"]


def test_boundary_spanning_rows_come_from_the_results_text() -> None:
    rows = [r for r in _studies() if r["table"] == "Results text"]
    assert [(r["citation"], r["reference"]) for r in rows] == [
        ("Essén et al.", "36"),
        ("Batalden and colleagues", "37"),
    ]
    essen = rows[0]
    assert essen["discipline"] == "Management/Marketing"
    assert essen["country"] == ""  # the seed names the setting, not the authors' country
    assert "rheumatology care in Sweden" in essen["note"]


def test_reference_numbers_are_unique(seed: str) -> None:
    references = [r["reference"] for r in _studies() if r["reference"]]
    assert len(references) == len(set(references))
    for number in references:
        assert re.search(rf"\[(\d+[-, ]+)*{number}([-, ]+\d+)*\]", seed), number


def test_table_cells_occur_verbatim_in_the_seed_in_order(seed: str) -> None:
    position = 0
    for row in _studies():
        if row["table"] == "Results text":
            for sentence in row["contribution"].split(". "):
                assert sentence in seed, sentence
            continue
        for column in ("citation", "country", "discipline", "contribution"):
            found = seed.find(row[column], position)
            assert found >= 0, (row["table"], row["row"], column, row[column])
            if column == "citation":
                position = found


# --- litrev.toml -------------------------------------------------------------------------


def test_six_searches_with_hits_summing_to_5191() -> None:
    searches = _toml("litrev.toml")["searches"]
    assert [s["database"] for s in searches] == [
        "CINAHL with Full Text",
        "Cochrane Central Register of Controlled Trials",
        "MEDLINE",
        "PsycINFO",
        "PubMed (legacy)",
        "Scopus",
    ]
    assert [s["hits"] for s in searches] == [588, 47, 793, 403, 898, 2462]
    assert sum(s["hits"] for s in searches) == 5191
    assert {s["dialect"] for s in searches} == {"ebsco", "cochrane", "proquest", "pubmed", "scopus"}


def test_search_strings_occur_verbatim_in_the_seed(seed: str) -> None:
    protocol = _toml("litrev.toml")
    for line in protocol["search"]["generic"].splitlines():
        assert line in seed, line
    for search in protocol["searches"]:
        assert search["strategy"] in seed, search["database"]
        if search["limits_text"]:
            assert search["limits_text"] in seed
        for limit in search["limits"]:
            assert limit in search["limits_text"]
        date = search["date"]
        heading = f"{search['hits']} hits on {date:%B} {date.day}, {date.year}"
        assert heading in seed, heading


def test_protocol_sections_match_the_paper(seed: str) -> None:
    protocol = _toml("litrev.toml")
    assert protocol["review"]["title"] in seed
    assert protocol["review"]["question"] in seed
    assert protocol["review"]["summary"] in seed
    flow = protocol["flow"]
    stages = ("records_screened", "full_text_assessed", "included")
    assert [flow[stage] for stage in stages] == [979, 129, 73]
    # The paper reports no duplicates or other removals: none may be invented.
    assert not {"duplicates_removed", "other_removed"} & set(flow)
    codes = [r["code"] for r in protocol["eligibility"]["exclusion_reasons"]]
    assert len(codes) == len(set(codes)) == 4
    categories = protocol["classification"]["categories"]
    assert {c["name"] for c in categories} == CATEGORIES
    for category in categories:
        assert category["definition"] in seed, category["name"]
    choices = next(f for f in protocol["codebook"]["fields"] if f["name"] == "category")["choices"]
    assert set(choices) == CATEGORIES


def test_theme_headings_occur_in_the_seed(seed: str) -> None:
    themes = _toml("litrev.toml")["themes"]
    headings = [t["name"] for t in themes if t["category"]]
    for heading in headings:
        assert f"\n{heading}" in seed, heading
    for theme in themes:
        for number in theme["references"]:
            assert re.search(rf"\[(\d+[-, ]+)*{number}([-, ]+\d+)*\]", seed) or any(
                int(a) <= number <= int(b) for a, b in re.findall(r"\[(\d+)-(\d+)\]", seed)
            ), (theme["name"], number)


# --- claims.toml -------------------------------------------------------------------------


def test_every_claim_has_the_keys_its_quantity_needs() -> None:
    claims = _toml("claims.toml")["claims"]
    ids = [c["id"] for c in claims]
    assert len(ids) == len(set(ids))
    base = {"id", "section", "sentence", "quote", "stated", "quantity"}
    for claim in claims:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", claim["id"])
        assert set(claim) == base | QUANTITY_KEYS[claim["quantity"]], claim["id"]
        assert isinstance(claim["stated"], int)
        assert claim["quote"] in claim["sentence"], claim["id"]
        if claim["quantity"] == "flow":
            assert claim["stage"] in FLOW_STAGES
        if "where" in claim:
            assert set(claim["where"]) <= {"category"}
            assert set(claim["where"].values()) <= CATEGORIES


def test_every_claim_sentence_occurs_verbatim_in_the_seed(seed: str) -> None:
    for claim in _toml("claims.toml")["claims"]:
        assert claim["sentence"] in seed, claim["id"]


def test_claims_keep_the_papers_inconsistent_numbers() -> None:
    claims = _toml("claims.toml")["claims"]
    counts: dict[str, set[int]] = {}
    for claim in claims:
        if claim["quantity"] == "count":
            counts.setdefault(claim["where"].get("category", "all"), set()).add(claim["stated"])
    assert counts == {
        "all": {73},
        "conceptual/theoretical": {42, 43},
        "practice-oriented": {20, 22},
        "typology": {7, 8},
        "boundary-spanning": {2},
    }
    percents = [c["stated"] for c in claims if c["quantity"] == "percent"]
    assert sorted(percents) == [3, 10, 30, 58] and sum(percents) == 101
    hits = {c["database"]: c["stated"] for c in claims if c["quantity"] == "hits"}
    searches = {s["database"]: s["hits"] for s in _toml("litrev.toml")["searches"]}
    assert hits == searches
    rows = Counter(r["table"] for r in _studies())
    for claim in (c for c in claims if c["quantity"] == "table_rows"):
        assert rows[claim["table"]] == claim["stated"]
