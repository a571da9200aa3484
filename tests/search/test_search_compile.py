"""The FTS5-compiled search gives exactly the evaluator's hits (fixed corpus and hypothesis)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litrev.records.model import Record
from litrev.search.ast import (
    TI_AB,
    TI_AB_KW,
    And,
    Field,
    Heading,
    Limit,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Query,
    Term,
)
from litrev.search.compile import compile_plan, ensure_index, search_store
from litrev.search.evaluate import Matcher, evaluate
from litrev.store import Store, schema

WORDS = ["co", "production", "coproduction", "health", "care", "public", "service",
         "services", "design", "codesign", "engineering", "Ménière", "social", "sector", "x1",
         "o'brien"]  # fmt: skip
SEPARATORS = [" ", " ", " ", "-", ", ", " – ", "'", ". "]
PATTERNS = ["co-produc*", "coproduc*", "co-design*", "health", "heal*", "serv*", "s?ctor",
            "wom%n", "*ion", "car?", "public", "o'brien", "co", "production", "menier*",
            "x1"]  # fmt: skip
FIELD_SETS = [None, frozenset({Field.TITLE}), TI_AB, TI_AB_KW, frozenset({Field.ALL}),
              frozenset({Field.AUTHOR}), frozenset({Field.KEYWORDS})]  # fmt: skip
DIALECTS = ["litrev", "scopus", "cochrane", "wos", "openalex"]


def text_of(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        out += [rng.choice(WORDS), rng.choice(SEPARATORS)]
    return "".join(out[:-1])


def random_record(rng: random.Random) -> Record:
    return Record(
        title=text_of(rng, rng.randint(1, 8)),
        abstract=text_of(rng, rng.randint(0, 25)) or None,
        keywords=[text_of(rng, rng.randint(1, 3)) for _ in range(rng.randint(0, 3))],
        authors=[f"{rng.choice(WORDS)}, {rng.choice('ABC')}" for _ in range(rng.randint(0, 2))],
        journal=rng.choice([None, "Health Services Research", "Public Health"]),
        language=rng.choice([None, "eng", "French", "English"]),
        year=rng.choice([None, 1999, 2010, 2019]),
    )


def make_store(records: list[Record]) -> Store:
    store = Store.open("sqlite://")
    now = datetime.now(UTC)
    with store.transaction() as conn:
        for rec in records:
            conn.execute(
                schema.records.insert().values(
                    title=rec.title,
                    abstract=rec.abstract,
                    authors=rec.authors,
                    year=rec.year,
                    journal=rec.journal,
                    fields={"keywords": rec.keywords, "language": rec.language},
                    created_at=now,
                )
            )
    return store


def expected_ids(query: Query | Node, records: list[Record], dialect: str) -> list[int]:
    return [h.index + 1 for h in evaluate(query, records, dialect)]  # store ids start at 1


def leaf(rng: random.Random) -> Node:
    fields = rng.choice(FIELD_SETS)
    kind = rng.random()
    if kind < 0.6:
        extra = rng.choice([None, None, 2]) if rng.choice(PATTERNS).endswith("*") else None
        text = rng.choice(PATTERNS)
        return Term(text, fields=fields, max_extra=extra if text.endswith("*") else None)
    if kind < 0.9:
        return Phrase((rng.choice(PATTERNS), rng.choice(PATTERNS)), fields=fields)
    return Heading(rng.choice(["public health", "care", "health services"]))


def tree(rng: random.Random, depth: int = 0) -> Node:
    if depth >= 3 or rng.random() < 0.3:
        return leaf(rng)
    kind = rng.choice(["and", "or", "not", "near"])
    if kind == "not":
        return Not(tree(rng, depth + 1), tree(rng, depth + 1))
    if kind == "near":
        operands = tuple(
            leaf(rng) if rng.random() < 0.7 else tree(rng, depth + 1)
            for _ in range(rng.choice([2, 2, 3]))
        )
        fields = rng.choice([None, TI_AB, TI_AB_KW])
        return Near(operands, rng.randint(0, 3), rng.random() < 0.3, fields=fields)
    children = tuple(tree(rng, depth + 1) for _ in range(rng.randint(2, 3)))
    return And(children) if kind == "and" else Or(children)


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Record], Store]:
    rng = random.Random(20190318)
    records = [random_record(rng) for _ in range(300)]
    return records, make_store(records)


def test_seed_strategy_same_hits_through_fts(corpus):
    records, store = corpus
    pos = Or(tuple(Term(t) for t in ["co-produc*", "coproduc*", "co-design*", "codesign*"]))
    ctx = Or(
        (
            Term("health"),
            Term("social"),
            Phrase(("public", "service*")),
            Phrase(("public", "sector*")),
        )
    )
    neg = Or(tuple(Term(t) for t in ["engineer*", "biomass", "chemic*", "osmosis"]))
    from litrev.search.ast import Fielded

    q = Query(Fielded(Not(And((pos, ctx)), neg), TI_AB), (Limit("language", "English"),))
    for dialect in ["scopus", "cochrane"]:
        want = expected_ids(q, records, dialect)
        assert want, "the corpus should hold hits"
        assert search_store(store, q, dialect) == want


def test_exact_constructs_need_no_python_check():
    """Terms, prefixes, phrases, boolean and NEAR of distinct words compile exactly."""
    q = And((Or((Term("co-produc*"), Phrase(("public", "service")))), Not(Term("care"), Term("x"))))
    upper, lower = compile_plan(Matcher(q, "scopus").plan)
    assert upper == lower and upper[0] == "m"
    near = Near((Term("health"), Term("care")), 2, fields=TI_AB)
    upper, lower = compile_plan(Matcher(near, "scopus").plan)
    assert upper == lower == ("m", '{title abstract} : NEAR("health" "care", 2)')
    upper, lower = compile_plan(Matcher(Term("wom?n"), "scopus").plan)
    assert lower == ("none",) and "wom" in upper[1]


def test_many_random_trees_same_hits(corpus):
    records, store = corpus
    rng = random.Random(7)
    for _ in range(100):
        q = tree(rng)
        dialect = rng.choice(DIALECTS)
        assert search_store(store, q, dialect) == expected_ids(q, records, dialect), (q, dialect)


def test_index_rebuilds_when_records_change(corpus):
    records = list(corpus[0][:20])
    store = make_store(records)
    first = ensure_index(store, "split")
    assert first.rebuilt and first.records == 20
    assert not ensure_index(store, "split").rebuilt
    with store.transaction() as conn:
        conn.execute(
            schema.records.update().where(schema.records.c.id == 1).values(title="co-design zz")
        )
    assert ensure_index(store, "split").rebuilt
    assert search_store(store, Term("zz"), "litrev") == [1]
    assert ensure_index(store, "split", rebuild=True).rebuilt


@st.composite
def records_and_tree(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    records = [random_record(rng) for _ in range(draw(st.integers(1, 12)))]
    return records, tree(rng), draw(st.sampled_from(DIALECTS))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records_and_tree())
def test_hypothesis_fts_equals_evaluate(case):
    records, q, dialect = case
    store = make_store(records)
    try:
        assert search_store(store, q, dialect) == expected_ids(q, records, dialect)
    finally:
        store.close()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=30), min_size=1, max_size=5), st.text(max_size=12))
def test_hypothesis_any_text_same_hits(texts, word):
    """Arbitrary Unicode titles and query words: FTS5 sees the evaluator's words."""
    records = [Record(title=t) for t in texts]
    store = make_store(records)
    try:
        for q in (
            Term(word or "a"),
            Term((word or "a") + "*"),
            Phrase(tuple((word or "a b").split()) or ("a",)),
        ):
            for dialect in ("litrev", "cochrane"):
                assert search_store(store, q, dialect) == expected_ids(q, records, dialect)
    finally:
        store.close()


SHARED = Path(__file__).parents[2].parent / "shared" / "samples" / "exports"


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/samples/exports is not beside the clone")
def test_real_exports_imported_then_searched_same_hits_as_evaluate():
    from litrev.records.importer import import_files, stored_records

    files = sorted(SHARED.glob("ris/*.ris")) + sorted(SHARED.glob("nbib/*"))
    store = Store.open("sqlite://")
    # The samples hold the same PubMed records in several formats: import them all anyway.
    import_files(
        store, [str(f) for f in files], actor="test", skip_invalid=True, allow_reimport=True
    )
    pairs = stored_records(store)
    ids, records = [rid for rid, _ in pairs], [rec for _, rec in pairs]
    assert len(records) > 300 and sum(bool(r.keywords) for r in records) > 100
    queries = [
        (Or((Term("light"), Term("blue"))), "litrev"),
        (Near((Term("blue"), Term("light*")), 2, fields=TI_AB), "scopus"),
        (Query(Term("sleep*", fields=TI_AB_KW), (Limit("language", "English"),)), "wos"),
        (Not(Term("melatonin*"), Phrase(("randomi?ed", "controlled"))), "cochrane"),
        (Heading("Humans"), "pubmed"),
        (Term("co-produc*"), "ebsco"),
    ]
    found_some = 0
    for q, dialect in queries:
        want = [ids[h.index] for h in evaluate(q, records, dialect)]
        assert search_store(store, q, dialect) == want, (q, dialect)
        found_some += bool(want)
    assert found_some >= 4
