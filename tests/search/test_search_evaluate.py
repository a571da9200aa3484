"""The pure-Python evaluator: dialect tokenisation, wildcards, phrases, proximity, NOT, limits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litrev.records.model import Record
from litrev.search.ast import (
    TI_AB,
    TI_AB_KW,
    And,
    Field,
    Fielded,
    Heading,
    Limit,
    Near,
    Not,
    Or,
    Phrase,
    Query,
    Term,
)
from litrev.search.evaluate import Matcher, evaluate, highlight
from litrev.search.limits import unchecked_limits
from litrev.search.text import DIALECT_RULES, MatchRules, fold, norms, words

TI = frozenset({Field.TITLE})


def found(query, records, dialect="litrev", **kw) -> list[int]:
    return [h.index for h in evaluate(query, records, dialect, **kw)]


HYPHEN_RECORDS = [
    Record(title="Co-production of mental health services"),
    Record(title="Co production with service users"),
    Record(title="Coproduction in primary care"),
    Record(title="A co–producer workshop"),  # en dash: a separator everywhere
]


@pytest.mark.parametrize("dialect", ["scopus", "ebsco", "ovid", "litrev"])
def test_hyphen_as_space_finds_hyphenated_and_spaced_not_closed(dialect):
    assert found(Term("co-produc*", fields=TI), HYPHEN_RECORDS, dialect) == [0, 1, 3]


def test_cochrane_treats_hyphen_as_a_character():
    assert found(Term("co-produc*", fields=TI), HYPHEN_RECORDS, "cochrane") == [0]
    assert found(Term("coproduc*", fields=TI), HYPHEN_RECORDS, "cochrane") == [2]


def test_closed_compound_needs_its_own_term():
    assert found(Term("coproduc*", fields=TI), HYPHEN_RECORDS, "scopus") == [2]


def test_wildcards_single_optional_and_bounded_truncation():
    recs = [
        Record(title=t)
        for t in [
            "woman",
            "women",
            "womyn",
            "wmn",
            "organisation",
            "organization",
            "gene",
            "genetic",
            "genes",
            "colour",
            "color",
        ]
    ]
    assert found(Term("wom?n", fields=TI), recs) == [0, 1, 2]
    assert found(Term("organi?ation", fields=TI), recs) == [4, 5]
    assert found(Term("colo%r", fields=TI), recs) == [9, 10]
    assert found(Term("gene*", fields=TI, max_extra=1), recs) == [6, 8]
    assert found(Term("*ation", fields=TI), recs) == [4, 5]


def test_case_and_diacritics_are_ignored():
    recs = [Record(title="Ménière's disease"), Record(title="MENIERE")]
    assert found(Term("meniere", fields=TI), recs) == [0, 1]
    assert found(Term("MÉNIÈRE", fields=TI), recs) == [0, 1]


def test_phrase_is_consecutive_words_in_one_value():
    recs = [
        Record(title="public service reform"),
        Record(title="service public"),
        Record(keywords=["public", "services"]),  # two keywords are not a phrase
        Record(keywords=["public services"]),
    ]
    phrase = Phrase(("public", "service*"), fields=TI_AB_KW)
    assert found(phrase, recs) == [0, 3]


def test_wildcards_inside_phrases_apply_in_every_dialect():
    """The tree's wildcards mean the same everywhere; a parser says if its database differs."""
    recs = [Record(title="public services"), Record(title="public service")]
    phrase = Phrase(("public", "service*"), fields=TI)
    assert found(phrase, recs, "scopus") == found(phrase, recs, "cochrane") == [0, 1]


def test_near_counts_words_between_in_any_order():
    recs = [
        Record(title="care planning with people"),  # 0 between care..planning
        Record(title="planning of person centred care"),  # 3 between
        Record(title="care is hard; and so is planning"),  # 5 between
    ]
    near = Near((Term("care"), Term("planning")), 3, fields=TI)
    assert found(near, recs) == [0, 1]
    assert found(Near((Term("care"), Term("planning")), 2, fields=TI), recs) == [0]
    ordered = Near((Term("care"), Term("planning")), 5, ordered=True, fields=TI)
    assert found(ordered, recs) == [0, 2]


def test_near_operands_do_not_share_a_word():
    recs = [Record(title="health"), Record(title="health health")]
    assert found(Near((Term("health"), Term("heal*")), 0, fields=TI), recs) == [1]


def test_near_distributes_and_over_operands():
    recs = [Record(title="symptom and headache and nausea"), Record(title="symptom then headache")]
    near = Near((Term("symptom*"), And((Term("headache*"), Term("nausea")))), 3, fields=TI)
    assert found(near, recs) == [0]


def test_not_removes_records_matching_the_exclusion_anywhere_in_its_fields():
    recs = [Record(title="co-design in health"), Record(title="co-design", abstract="engineering")]
    q = Not(Term("co-design*", fields=TI_AB), Term("engineer*", fields=TI_AB))
    assert found(q, recs) == [0]
    q_title = Not(Term("co-design*", fields=TI_AB), Term("engineer*", fields=TI))
    assert found(q_title, recs) == [0, 1]


def test_default_fields_follow_the_dialect():
    recs = [Record(title="x", keywords=["codesign"]), Record(title="y", abstract="codesign")]
    assert found(Term("codesign"), recs, "openalex") == [1]
    assert found(Term("codesign"), recs, "wos") == [0, 1]
    own = MatchRules("split", frozenset({Field.KEYWORDS}))
    assert found(Term("codesign"), recs, rules=own) == [0]


def test_heading_matches_keyword_text():
    recs = [
        Record(keywords=["Patient Participation", "Humans"]),
        Record(title="patient participation"),
    ]
    assert found(Heading("Patient Participation"), recs) == [0]


def test_author_and_journal_fields():
    recs = [
        Record(authors=["Batalden, Paul"], journal="BMJ Quality & Safety"),
        Record(authors=["Smith, J"]),
    ]
    assert found(Term("batalden", fields=frozenset({Field.AUTHOR})), recs) == [0]
    # "&" is not a word, so "quality safety" are consecutive words of the journal title.
    assert found(Phrase(("quality", "safety"), fields=frozenset({Field.JOURNAL})), recs) == [0]
    assert found(Phrase(("safety", "quality"), fields=frozenset({Field.JOURNAL})), recs) == []


def test_limits_language_type_and_years():
    recs = [
        Record(title="co-design", language="eng", year=2018, publication_type="Journal Article"),
        Record(title="co-design", language="French", year=2018),
        Record(title="co-design", year=2020),
        Record(
            title="co-design", language="English; Spanish", year=1999, publication_type="Review"
        ),
    ]
    term = Term("co-design", fields=TI)
    assert found(Query(term, (Limit("language", "English"),)), recs) == [0, 2, 3]
    assert found(Query(term, (Limit("date", "2000-01-01..2019-03-18"),)), recs) == [0, 1]
    assert found(Query(term, (Limit("publication_type", "journal article"),)), recs) == [0, 1, 2]
    peer = Query(term, (Limit("peer_reviewed", "true"),))
    assert found(peer, recs) == [0, 1, 2, 3]
    assert unchecked_limits(peer.limits) == [
        "limit peer_reviewed=true is not applied locally: records do not say it"
    ]


def test_hit_explains_terms_fields_spans_and_highlights():
    rec = Record(
        title="Co-design and co-production in health", abstract="Codesign of public services."
    )
    q = And(
        (
            Or((Term("co-produc*"), Term("codesign*"))),
            Or((Term("health"), Phrase(("public", "service*")))),
        )
    )
    (hit,) = evaluate(Fielded(q, TI_AB), [rec], "scopus", ids=[42])
    assert hit.record_id == 42
    assert hit.terms == ['"public service*"', "co-produc*", "codesign*", "health"]
    assert hit.fields == ["abstract", "title"]
    spans = {(m.field, m.text) for m in hit.matches}
    assert ("title", "co-production") in spans and ("abstract", "public services") in spans
    assert hit.highlight("title") == ["Co-design and [[co-production]] in [[health]]"]
    assert hit.highlight("abstract", markup="rich") == [
        "[bold yellow]Codesign[/] of [bold yellow]public services[/]."
    ]
    assert "matched:" in hit.explain()


def test_highlight_merges_overlapping_spans_and_escapes_rich_markup():
    assert highlight("abcdef", [(0, 3), (2, 4)]) == "[[abcd]]ef"
    assert highlight("[x] y", [(4, 5)], markup="rich") == "\\[x] [bold yellow]y[/]"


def test_highlight_with_context_keeps_only_text_around_matches():
    text = "Background: " + "x " * 40 + "co-design of care with " + "y " * 40 + "health services."
    a = text.index("co-design")
    b = text.index("health")
    out = highlight(text, [(a, a + 9), (b, b + 6)], context=8)
    assert out == "…x x x x [[co-design]] of care … y y y y [[health]] service…"
    assert highlight("short co-design", [(6, 15)], context=20) == "short [[co-design]]"


def test_matcher_agrees_with_evaluate_and_unknown_dialect_is_named():
    recs = HYPHEN_RECORDS
    m = Matcher(Term("co-produc*", fields=TI), "scopus")
    assert [i for i, r in enumerate(recs) if m.matches(r)] == [0, 1, 3]
    with pytest.raises(ValueError, match="unknown dialect 'bogus'"):
        evaluate(Term("x"), recs, "bogus")


def test_every_dialect_has_rules_with_a_note():
    assert set(DIALECT_RULES) >= {
        "pubmed",
        "ovid",
        "ebsco",
        "proquest",
        "scopus",
        "wos",
        "cochrane",
        "embase",
        "europepmc",
        "openalex",
        "litrev",
    }
    assert all(r.note for r in DIALECT_RULES.values())


def test_seed_strategy_over_seed_like_records():
    """The canonical strategy of the built-in review (title/abstract, NOT on title/abstract)."""
    pos = Or(tuple(Term(t) for t in ["co-produc*", "coproduc*", "co-design*", "codesign*"]))
    ctx = Or(
        (
            Term("health"),
            Term("social"),
            Phrase(("public", "service*")),
            Phrase(("public", "sector*")),
        )
    )
    neg = Or(
        tuple(
            Term(t)
            for t in [
                "engineer*",
                "biomass",
                "chemic*",
                "bioproduct*",
                "osmosis",
                "microalgae",
                "ecosystems",
                "hydrogen",
                "brand",
                "algebra",
            ]
        )
    )
    strategy = Query(Fielded(Not(And((pos, ctx)), neg), TI_AB), (Limit("language", "English"),))
    recs = [
        Record(title="Co-production in public services: a review", language="English"),
        Record(
            title="Co-designing social care", abstract="An ecosystems approach", language="English"
        ),
        Record(title="Coproduction of biomass fuels for health", language="English"),
        Record(title="Codesign in health", language="German"),
        Record(title="Co design of health apps"),
        Record(title="Coproduction", abstract="public sectors"),
        Record(title="Shared decision making in health"),
    ]
    assert found(strategy, recs, "scopus") == [0, 4, 5]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60), st.sampled_from(["split", "char"]))
def test_fast_norms_equal_the_words_of_the_text(text, hyphen):
    assert norms(text, hyphen) == [w.norm for w in words(text, hyphen)]
    for w in words(text, hyphen):
        assert w.norm and fold(text[w.start : w.end]).replace("\u2019", "'")


def test_why_not_names_the_failing_part_of_the_strategy():
    from litrev.search.explain import why_not

    pos = Or((Term("co-produc*"), Term("codesign*")))
    q = Query(Not(And((pos, Term("health"))), Term("engineer*")), (Limit("language", "English"),))
    m = Matcher(q, "scopus")
    assert why_not(m, Record(title="co-production in health", language="German")) == (
        "excluded by limit language = English"
    )
    assert why_not(m, Record(title="co-production in health engineering")) == "excluded by engineer*"
    assert why_not(m, Record(title="co-production")) == "needs health"
    assert why_not(m, Record(title="health")) == "needs (co-produc* OR codesign*)"
    assert why_not(m, Record(title="co-production in health")) == ""
    near = Matcher(Near((Term("care"), Term("plan*")), 1), "litrev")
    assert why_not(near, Record(title="care of the plan")) == "(care NEAR/1 plan*) not found"
