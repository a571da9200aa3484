"""Ovid strategies as they are printed in reviews: field codes (also without the closing
dot), headings, wildcards, limit lines, hit counts, unnumbered printouts.

Each construct is read (parse), written back (generation) and translated to PubMed and to
one other dialect, where the meaning is kept or a warning says why not.
"""

from __future__ import annotations

import pytest

from litrev.search import (
    TI_AB,
    And,
    Field,
    Heading,
    Limit,
    Near,
    Not,
    Or,
    Phrase,
    SearchSyntaxError,
    Term,
    generate,
    lint,
    parse,
    translate,
)

F = frozenset

# (Ovid text, tree, PubMed text, EBSCO text or None when EBSCO must warn)
FIELDS = [
    ("therapy.fs.", Term("therapy", F({Field.SUBHEADING})), "therapy[sh]", None),
    ("aspirin.nm.", Term("aspirin", F({Field.SUBSTANCE})), "aspirin[nm]", None),
    ("orphan.rs.", Term("orphan", F({Field.SUBSTANCE})), "orphan[nm]", None),
    ("heart.hw.", Term("heart", F({Field.HEADING_WORD})), None, None),
    ("heart.kf.", Term("heart", F({Field.KEYWORDS})), "heart[ot]", "KW heart"),
    ("heart.kw.", Term("heart", F({Field.KEYWORDS})), "heart[ot]", "KW heart"),
    ("heart.mp.", Term("heart", F({Field.ALL})), "heart[all]", "TX heart"),
    ("heart.af.", Term("heart", F({Field.ALL})), "heart[all]", "TX heart"),
    ("coeur.ot.", Term("coeur", F({Field.ORIGINAL_TITLE})), "coeur[tt]", None),
    ("2018*.ed.", Term("2018*", F({Field.ENTRY_DATE})), "2018*[edat]", None),
    ("erratum.cm.", Term("erratum", F({Field.COMMENTS})), None, None),
    ("review.pt.", Term("review", F({Field.PUBLICATION_TYPE})), "review[pt]", "PT review"),
    ("stroke.sh.", Term("stroke", F({Field.SUBJECT})), None, "SU stroke"),
    ("heart.ab.", Term("heart", F({Field.ABSTRACT})), None, "AB heart"),
    ("heart.ti.", Term("heart", F({Field.TITLE})), "heart[ti]", "TI heart"),
    ("heart.tw.", Term("heart", F({Field.TEXT_WORD})), "heart[tw]", None),
    # printed without the closing dot
    ("heart.tw", Term("heart", F({Field.TEXT_WORD})), "heart[tw]", None),
    ("heart.mp", Term("heart", F({Field.ALL})), "heart[all]", "TX heart"),
    (
        "(heart or cardiac).ti,ab",
        Or((Term("heart", TI_AB), Term("cardiac", TI_AB))),
        "heart[tiab] OR cardiac[tiab]",
        "TI (heart OR cardiac) OR AB (heart OR cardiac)",
    ),
    (
        "stroke.ti,ab,kw",
        Term("stroke", TI_AB | {Field.KEYWORDS}),
        "(stroke[tiab] OR stroke[ot])",
        "(TI stroke OR AB stroke OR KW stroke)",
    ),
]


@pytest.mark.parametrize(("text", "tree", "pubmed", "ebsco"), FIELDS)
def test_ovid_field_codes_parse_generate_and_translate(text, tree, pubmed, ebsco) -> None:
    assert parse(text, "ovid").root == tree
    again = generate(parse(text, "ovid"), "ovid")
    assert parse(again.text, "ovid").root == tree and not again.warnings
    to_pubmed = translate(text, "ovid", "pubmed")
    if pubmed is None:
        assert any(w.construct == "field" for w in to_pubmed.warnings), to_pubmed
    else:
        assert to_pubmed.text == pubmed and not to_pubmed.warnings
        assert parse(to_pubmed.text, "pubmed").root == tree
    to_ebsco = translate(text, "ovid", "ebsco")
    if ebsco is None:
        assert any(w.construct == "field" for w in to_ebsco.warnings), to_ebsco
    else:
        assert to_ebsco.text == ebsco and not to_ebsco.warnings


def test_dotless_codes_only_for_known_codes_so_domains_stay_words() -> None:
    assert parse("nhs.uk", "ovid").root == Term("nhs.uk")
    assert parse("e.g. care", "ovid").root == Phrase(("e.g.", "care"))
    with pytest.raises(SearchSyntaxError, match=r"unknown Ovid field \.zz\."):
        parse("heart.zz.", "ovid")


def test_read_only_codes_are_linted_as_read_as_their_neighbour() -> None:
    messages = [m for m in lint("heart.af. or x.ti,kw.", "ovid") if m.code == "LR061"]
    assert [(m.column, m.message.split(" is read")[0]) for m in messages] == [
        (6, ".af."),
        (15, ".kw."),
    ]


@pytest.mark.parametrize(
    ("text", "heading", "pubmed", "cochrane"),
    [
        (
            "exp Primary Health Care/",
            Heading("Primary Health Care"),
            '"Primary Health Care"[mh]',
            '[mh "Primary Health Care"]',
        ),
        (
            "*Neoplasms/",
            Heading("Neoplasms", explode=False, major=True),
            '"Neoplasms"[majr:noexp]',
            '[mh ^"Neoplasms" [mj]]',
        ),
        (
            "Neoplasms/ut",
            Heading("Neoplasms", explode=False, subheadings=("ut",)),
            '"Neoplasms/ut"[mh:noexp]',
            '[mh ^"Neoplasms"/ut]',
        ),
        (
            "exp Neoplasms/dt, th [Drug Therapy, Therapy]",
            Heading("Neoplasms", subheadings=("dt", "th")),
            '("Neoplasms/dt"[mh] OR "Neoplasms/th"[mh])',
            '[mh "Neoplasms"/dt,th]',
        ),
        (
            'exp "clinical trial [publication type]"/',
            Heading("clinical trial [publication type]"),
            '"clinical trial [publication type]"[mh]',
            None,
        ),
    ],
)
def test_ovid_headings_as_printed(text, heading, pubmed, cochrane) -> None:
    assert parse(text, "ovid").root == heading
    assert parse(generate(heading, "ovid").text, "ovid").root == heading
    assert translate(text, "ovid", "pubmed").text == pubmed
    if cochrane is not None:
        assert translate(text, "ovid", "cochrane").text == cochrane


@pytest.mark.parametrize(
    ("text", "tree", "wos"),
    [
        ("colo?r", Term("colo%r"), "colo$r"),  # ? = zero or one character
        ("wom#n", Term("wom?n"), "wom?n"),  # # = exactly one
        ("behavio$", Term("behavio*"), "behavio*"),
        ("gene$4", Term("gene*", max_extra=4), "gene*"),  # bounded: WoS warns (wider)
        ("heart adj3 attack", Near((Term("heart"), Term("attack")), 2), "heart NEAR/2 attack"),
    ],
)
def test_ovid_wildcards_and_adjacency(text, tree, wos) -> None:
    assert parse(text, "ovid").root == tree
    assert parse(generate(tree, "ovid").text, "ovid").root == tree
    out = translate(text, "ovid", "wos")
    assert out.text == f"TS=({wos})" or out.text == f"TS={wos}"
    if tree == Term("gene*", max_extra=4):
        assert any("bounded truncation" in w.message for w in out.warnings)
    pubmed = translate(text, "ovid", "pubmed")
    assert pubmed.text and all(w.message for w in pubmed.warnings)


PRINTED = """Database: Ovid MEDLINE(R) ALL <1946 to March 04, 2019>
Search Strategy:
--------------------------------------------------------------------------------
1     exp Primary Health Care/     (72,345)
2     (coproduc* or co-produc*).tw     (1234)
3     1 or 2     (80000)
4     limit 3 to english language     (70000)
5     limit 4 to ed=19460101-20180304
6     limit 5 to humans
7     limit 6 to "reviews (maximizes specificity)"
8     limit 7 to yr="2000 -Current"
9     remove duplicates from 8
***************************"""


def test_an_ovid_printout_with_counts_limits_and_dedup_lines() -> None:
    q = parse(PRINTED, "ovid")
    words = F({Field.TEXT_WORD})
    assert q.root == Or(
        (Heading("Primary Health Care"), Term("coproduc*", words), Term("co-produc*", words))
    )
    assert set(q.limits) == {
        Limit("language", "English"),
        Limit("entry_date", "1946-01-01..2018-03-04"),
        Limit("species", "Humans"),
        Limit("filter", "ovid: reviews (maximizes specificity)"),
        Limit("date", "2000.."),
    }


def test_ovid_limits_translate_to_pubmed_filters_or_say_why_not() -> None:
    out = translate(PRINTED, "ovid", "pubmed")
    assert '("1946/01/01"[edat] : "2018/03/04"[edat])' in out.text
    filters = out.text.splitlines()[-1]
    assert filters.startswith("Filters: ") and {"English", "Humans"} <= set(
        filters.removeprefix("Filters: ").split("; ")
    )
    why = [w.message for w in out.warnings if w.construct == "limit"]
    assert why == [
        "pubmed: PubMed has no equivalent of the ovid filter 'reviews (maximizes "
        "specificity)' (a filter is the interface's own): limit dropped (wider)"
    ]
    back = parse(out.text, "pubmed")
    assert set(back.limits) == set(parse(PRINTED, "ovid").limits) - {
        Limit("filter", "ovid: reviews (maximizes specificity)")
    }


def test_ovid_limits_round_trip_and_reach_another_dialect() -> None:
    q = parse(PRINTED, "ovid")
    again = generate(q, "ovid")
    assert not again.warnings and parse(again.text, "ovid") == q
    assert "limit 1 to" in again.text and "ed=19460101-20180304" in again.text
    cochrane = translate(PRINTED, "ovid", "cochrane")
    lost = {
        w.message.split(":")[1].strip().split(" has no ")[1].split(" ")[0]
        for w in cochrane.warnings
        if w.construct == "limit"
    }
    assert lost == {"equivalent", "species", "language"}
    assert "Cochrane Library publication date from Jan 1946 to Mar 2018" in cochrane.text


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (
            'limit 1 to (english language and humans and yr="2000 - 2019")',
            {Limit("language", "English"), Limit("species", "Humans"), Limit("date", "2000..2019")},
        ),
        ("limit 1 to (english or french)", {Limit("language", "English OR French")}),
        ("limit 1 to yr=2003-2006", {Limit("date", "2003..2006")}),
        ("limit 1 to animals", {Limit("species", "Animals")}),
        ("limit 1 to dt=20100101-20121231", {Limit("create_date", "2010-01-01..2012-12-31")}),
        (
            'limit 1 to "all child (0 to 18 years)"',
            {Limit("filter", "ovid: all child (0 to 18 years)")},
        ),
    ],
)
def test_ovid_limit_items(limit: str, expected: set[Limit]) -> None:
    assert set(parse(f"1 heart.ti.\n2 {limit}", "ovid").limits) == expected


def test_a_limited_line_used_under_or_is_refused_with_its_position() -> None:
    # (a date limit: it has no search-term form; a language limit under OR is ANDed in,
    # see test_search_limited_lines.py)
    text = "1 heart.ti.\n2 limit 1 to yr=2000-2019\n3 2 or stroke.ti."
    with pytest.raises(SearchSyntaxError) as caught:
        parse(text, "ovid")
    assert caught.value.line == 3 and "search line 2 has limits of its own" in caught.value.message
    # under AND or on the positive side of NOT the limit covers the whole search: kept
    q = parse("1 heart.ti.\n2 limit 1 to english\n3 2 not stroke.ti.", "ovid")
    assert q.limits == (Limit("language", "English"),)
    assert q.root == Not(Term("heart", F({Field.TITLE})), Term("stroke", F({Field.TITLE})))


@pytest.mark.parametrize(
    "text",
    [
        "1. exp Neoplasms/\n2. tumour*.tw.\n3. or/1-2",
        "#1. exp Neoplasms/\n#2. tumour*.tw.\n# 3. or/1-2",
        "exp Neoplasms/\n\ntumour*.tw.\n\nor/1-2",  # numbers lost in the printout
        "exp Neoplasms/ (306193)\ntumour*.tw. (47759)\n1 or 2 (449361)",
        "1 exp Neoplasms/\n2 tumour*.tw.\n1 or 2",  # the last line printed without its number
    ],
)
def test_ovid_line_numbering_as_printed(text: str) -> None:
    q = parse(text, "ovid")
    assert q.root == Or((Heading("Neoplasms"), Term("tumour*", F({Field.TEXT_WORD}))))


def test_numbers_next_to_words_are_words_and_alone_are_line_references() -> None:
    q = parse("1 (kabi 2161 or type 2 diabetes).mp.\n2 1 and heart.ti.", "ovid")
    assert q.root == And(
        (
            Or(
                (
                    Phrase(("kabi", "2161"), F({Field.ALL})),
                    Phrase(("type", "2", "diabetes"), F({Field.ALL})),
                )
            ),
            Term("heart", F({Field.TITLE})),
        )
    )


def test_and_combinations_of_lists_of_lines() -> None:
    q = parse("1 a.ti.\n2 b.ti.\n3 c.ti.\n4 and/1,3\n5 4 not 2", "ovid")
    ti = F({Field.TITLE})
    assert q.root == Not(And((Term("a", ti), Term("c", ti))), Term("b", ti))


def test_ovid_printed_with_mp_notes_keeps_the_field() -> None:
    text = "1 R 121919.mp. [mp=title, original title, abstract, name of substance word]"
    assert parse(text, "ovid").root == Phrase(("R", "121919"), F({Field.ALL}))


def test_hash_references_and_unnumbered_limit_rows() -> None:
    ti = F({Field.TITLE})
    both = Or((Term("heart", ti), Term("stroke", ti)))
    assert parse("#1 heart.ti.\n#2 stroke.ti.\n#3 #1 or #2", "ovid").root == both
    q = parse("heart.ti.\nstroke.ti.\n1 or 2\nlimit 3 to english (12)", "ovid")
    assert (q.root, q.limits) == (both, (Limit("language", "English"),))
    # two differently limited lines ORed cannot be one limited search: refused
    with pytest.raises(SearchSyntaxError, match="limits of its own"):
        parse("heart.ti.\nlimit 1 to yr=2014-2015\nlimit 1 to english\n2 or 3", "ovid")


def test_a_field_suffix_printed_with_a_space_after_the_dot() -> None:
    assert parse("(Xpert or GeneXpert). tw.", "ovid").root == Or(
        (Term("Xpert", F({Field.TEXT_WORD})), Term("GeneXpert", F({Field.TEXT_WORD})))
    )
