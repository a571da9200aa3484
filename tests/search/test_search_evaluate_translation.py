"""Property: a strategy finds the same records before and after translation to any dialect,
wherever the translation raised no warning (generate -> parse, evaluated under one set of
matching rules so that only the meaning of the tree is compared)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litrev import search
from litrev.records.model import Record
from litrev.search.evaluate import evaluate

# The random records and trees of the FTS5 identity tests (same folder, on pytest's path).
sys.path.insert(0, str(Path(__file__).parent))
from test_search_compile import random_record, tree


def _available() -> list[str]:
    out = []
    for name in search.DIALECTS:
        try:
            search.get_dialect(name).generator()
        except ImportError:  # a dialect still being written
            continue
        out.append(name)
    return out


DIALECTS = _available()
CORPUS_RNG = random.Random(99)
CORPUS: list[Record] = [random_record(CORPUS_RNG) for _ in range(120)]


def _ids(q: object) -> list[int]:
    return [h.index for h in evaluate(q, CORPUS, "litrev")]  # type: ignore[arg-type]


@pytest.mark.skipif(not DIALECTS, reason="no dialect generators available")
# Derandomized so that CI is reproducible; the known failures below were found by running
# it with random seeds.
@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.integers(0, 2**32 - 1), st.sampled_from(DIALECTS or ["litrev"]))
def test_same_hits_after_translation_without_warnings(seed, dialect):
    q = tree(random.Random(seed))
    try:
        out = search.generate(q, dialect)
    except search.SearchSyntaxError:
        return  # the dialect cannot write this tree at all: nothing to compare
    if out.warnings:
        return
    back = search.parse(out.text, dialect)
    assert _ids(back) == _ids(q), (dialect, out.text)


# Trees whose Embase translation once raised no warning but read back differently (found by
# the property above with other seeds; fixed, kept as regression cases). Each seed builds a
# tree with `tree(random.Random(seed))`.
EMBASE_KNOWN = {
    # a proximity over a phrase is written `s?ctor NEAR/1 o'brien NEXT/1 co-design*`, read
    # back left to right as a different proximity
    649371: "proximity over a phrase written without parentheses",
}


@pytest.mark.skipif("embase" not in DIALECTS, reason="embase dialect not available")
@pytest.mark.parametrize("seed", sorted(EMBASE_KNOWN))
def test_fixed_embase_translation_defects(seed):
    q = tree(random.Random(seed))
    out = search.generate(q, "embase")
    assert not out.warnings
    assert _ids(search.parse(out.text, "embase")) == _ids(q), out.text


# Dialects whose matching rules (hyphens, default fields of an untagged term) give the same
# hits as litrev's for every tree the generator writes without a warning.
SAME_RULES = [
    d for d in ("pubmed", "scopus", "proquest", "embase", "europepmc", "wos") if d in DIALECTS
]


@pytest.mark.skipif(not SAME_RULES, reason="no dialect generators available")
@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.integers(0, 2**32 - 1), st.sampled_from(SAME_RULES or ["litrev"]))
def test_same_hits_under_the_target_databases_own_rules(seed, dialect):
    q = tree(random.Random(seed))
    try:
        out = search.generate(q, dialect)
    except search.SearchSyntaxError:
        return
    if out.warnings:
        return
    back = search.parse(out.text, dialect)
    assert [h.index for h in evaluate(back, CORPUS, dialect)] == _ids(q), (dialect, out.text)


@pytest.mark.skipif("cochrane" not in DIALECTS, reason="cochrane dialect not available")
def test_hyphenated_truncation_to_cochrane_keeps_its_hits_or_warns():
    records = [Record(title="Co-production of care"), Record(title="Co production of care")]
    out = search.translate("TITLE-ABS(co-produc*)", read="scopus", write="cochrane")
    before = [
        h.index
        for h in evaluate(search.parse("TITLE-ABS(co-produc*)", "scopus"), records, "scopus")
    ]
    after = [h.index for h in evaluate(search.parse(out.text, "cochrane"), records, "cochrane")]
    assert out.warnings or after == before, out.text
    assert any(w.construct == "hyphen" for w in out.warnings)
