"""A limited line used inside OR or NOT (FAILURES.md F09): the limit becomes a search term
ANDed to that line when it has a term form, and is refused naming the line when it has none.
"""

from __future__ import annotations

import pytest

from litrev.search import generate, parse
from litrev.search.ast import And, Field, Heading, Limit, Not, Or, Phrase, Term
from litrev.search.dialects.limits import limit_term
from litrev.search.errors import SearchSyntaxError

TI = frozenset({Field.TITLE})
LA = frozenset({Field.LANGUAGE})
PT = frozenset({Field.PUBLICATION_TYPE})
HEART, STROKE = Term("heart", TI), Term("stroke", TI)


def test_a_language_limited_line_under_or_is_anded_with_a_language_term() -> None:
    q = parse("1 heart.ti.\n2 limit 1 to english language\n3 2 or stroke.ti.", "ovid")
    assert q.limits == ()
    assert q.root == Or((And((HEART, Term("English", LA))), STROKE))


def test_species_limits_on_both_sides_of_not_become_mesh_check_tags() -> None:
    # the shape of ovid/sigir17-q186: `limit 1 to animals`, `limit 1 to humans`, `2 not 3`,
    # used under OR: the excluded side is a term; the kept side of a top NOT limits it all
    q = parse(
        "1 heart.ti.\n2 limit 1 to animals\n3 limit 1 to humans\n4 2 not 3\n5 4 or stroke.ti.",
        "ovid",
    )
    assert q.limits == ()
    assert q.root == Or(
        (
            Not(
                And((HEART, Heading("Animals", explode=False))),
                And((HEART, Heading("Humans", explode=False))),
            ),
            STROKE,
        )
    )
    top = parse("1 heart.ti.\n2 limit 1 to animals\n3 limit 1 to humans\n4 2 not 3", "ovid")
    assert top.limits == (Limit("species", "Animals"),)
    assert top.root == Not(HEART, And((HEART, Heading("Humans", explode=False))))


def test_an_ovid_age_group_limit_is_the_or_of_its_mesh_age_tags() -> None:
    q = parse('1 heart.ti.\n2 limit 1 to "all child (0 to 18 years)"\n3 2 or stroke.ti.', "ovid")
    ages = Or(
        tuple(
            Heading(t, explode=False)
            for t in ("Infant, Newborn", "Infant", "Child, Preschool", "Child", "Adolescent")
        )
    )
    assert q.root == Or((And((HEART, ages)), STROKE))


def test_a_publication_type_and_a_language_on_one_line_are_both_anded() -> None:
    q = parse("1 heart.ti.\n2 limit 1 to (english and review)\n3 2 or stroke.ti.", "ovid")
    assert q.root == Or((And((HEART, Term("English", LA), Term("review", PT))), STROKE))


def test_the_same_line_used_whole_and_under_or_keeps_both_readings() -> None:
    # line 2 under AND at the top limits the whole search; inside the OR it is a term
    q = parse("1 heart.ti.\n2 limit 1 to humans\n3 2 or stroke.ti.\n4 2 and 3", "ovid")
    assert q.limits == (Limit("species", "Humans"),)
    assert q.root == And((HEART, Or((And((HEART, Heading("Humans", explode=False))), STROKE))))


def test_legacy_pubmed_line_limits_under_or_are_anded() -> None:
    text = "#1 Search heart[ti]\n#2 Search #1 Limits: English, Humans\n#3 Search #2 OR stroke[ti]"
    q = parse(text, "pubmed")
    assert q.root == Or(
        (And((HEART, Term("English", LA), Heading("Humans", explode=False))), STROKE)
    )


@pytest.mark.parametrize(
    ("limit", "kind"),
    [
        ("yr=2000-2019", "date"),
        ("ed=20000101-20191231", "entry_date"),
        ('"reviews (maximizes specificity)"', "filter"),
    ],
)
def test_a_limit_without_a_term_form_under_or_is_refused_naming_the_line(
    limit: str, kind: str
) -> None:
    text = f"1 heart.ti.\n2 limit 1 to {limit}\n3 2 or stroke.ti."
    with pytest.raises(SearchSyntaxError) as caught:
        parse(text, "ovid")
    assert caught.value.line == 3
    assert "search line 2" in caught.value.message
    assert f"its limit {kind}=" in caught.value.message and "no search-term form" in (
        caught.value.message
    )


def test_a_limited_line_inside_proximity_is_refused() -> None:
    with pytest.raises(SearchSyntaxError, match=r"search line 2 .* proximity"):
        parse("1 heart.ti.\n2 limit 1 to english\n3 (2 adj3 stroke).ti.", "ovid")


def test_species_has_no_term_form_outside_mesh() -> None:
    assert limit_term(Limit("species", "Humans"), "emtree") is None
    assert limit_term(Limit("species", "Humans")) == Heading("Humans", explode=False)
    assert limit_term(Limit("language", "English OR French")) == Or(
        (Term("English", LA), Term("French", LA))
    )
    assert limit_term(Limit("publication_type", "Journal Article")) == Phrase(
        ("Journal", "Article"), PT
    )


@pytest.mark.parametrize("target", ["pubmed", "ovid", "embase", "scopus", "wos", "ebsco"])
def test_a_limited_line_under_or_is_written_as_a_search_and_read_back(target: str) -> None:
    q = parse("1 heart.ti.\n2 limit 1 to (english and humans)\n3 2 or stroke.ti.", "ovid")
    out = generate(q, target)
    if target == "pubmed":
        assert "english[la]" in out.text.lower() and '"humans"[mh:noexp]' in out.text.lower()
    if not out.warnings:
        assert parse(out.text, target) == q
    else:
        assert all(w.construct and w.message for w in out.warnings)


def test_pubmed_round_trip_keeps_the_meaning() -> None:
    q = parse(
        '1 heart.ti.\n2 limit 1 to "all child (0 to 18 years)"\n3 limit 1 to animals\n'
        "4 2 or 3 or stroke.ti.",
        "ovid",
    )
    out = generate(q, "pubmed")
    assert not out.warnings
    back = parse(out.text, "pubmed")
    assert back == q
    assert parse(generate(back, "ovid").text, "ovid") == q
