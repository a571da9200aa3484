"""Cochrane Library (CENTRAL) strategies as the Search Manager prints them."""

from __future__ import annotations

import pytest

from litrev.search import (
    TI_AB_KW,
    Heading,
    Limit,
    Near,
    Or,
    SearchSyntaxError,
    Term,
    generate,
    parse,
    translate,
)
from litrev.search.ast import Phrase

# (Cochrane text, tree, PubMed text, Ovid text)
CONSTRUCTS = [
    (
        "MeSH descriptor: [Primary Health Care] explode all trees",
        Heading("Primary Health Care"),
        '"Primary Health Care"[mh]',
        "exp Primary Health Care/",
    ),
    (
        "MeSH descriptor: [Community Health Services] this term only",
        Heading("Community Health Services", explode=False),
        '"Community Health Services"[mh:noexp]',
        "Community Health Services/",
    ),
    (
        "MeSH descriptor: [Neoplasms] explode all trees and with qualifier(s): "
        "[drug therapy - DT, therapy - TH]",
        Heading("Neoplasms", subheadings=("DT", "TH")),
        '("Neoplasms/DT"[mh] OR "Neoplasms/TH"[mh])',
        "exp Neoplasms/DT,TH",
    ),
    (
        "[mh ^Patient Participation]",
        Heading("Patient Participation", explode=False),
        '"Patient Participation"[mh:noexp]',
        "Patient Participation/",
    ),
    (
        "[mh Consumer Participation]",
        Heading("Consumer Participation"),
        '"Consumer Participation"[mh]',
        "exp Consumer Participation/",
    ),
    ('[mh "Self Care"]', Heading("Self Care"), '"Self Care"[mh]', "exp Self Care/"),
    (
        '[mh ^"Self Care"]',
        Heading("Self Care", explode=False),
        '"Self Care"[mh:noexp]',
        "Self Care/",
    ),
    (
        "(coproduc* OR co-produc*):ti,ab,kw",
        Or((Term("coproduc*", TI_AB_KW), Term("co-produc*", TI_AB_KW))),
        None,
        "(coproduc* or co-produc*).ti,ab,kf.",
    ),
    (
        "(primary NEXT care):ti,ab,kw",
        Phrase(("primary", "care"), TI_AB_KW),
        '("primary care"[tiab] OR "primary care"[ot])',
        '"primary care".ti,ab,kf.',
    ),
    (
        "(patient* NEAR/3 involv*):ti,ab,kw",
        Near((Term("patient*"), Term("involv*")), 3, fields=TI_AB_KW),
        None,
        "(patient* adj4 involv*).ti,ab,kf.",
    ),
]


@pytest.mark.parametrize(("text", "tree", "pubmed", "ovid"), CONSTRUCTS)
def test_cochrane_constructs_parse_generate_and_translate(text, tree, pubmed, ovid) -> None:
    assert parse(text, "cochrane").root == tree
    again = generate(parse(text, "cochrane"), "cochrane")
    assert parse(again.text, "cochrane").root == tree and not again.warnings
    to_pubmed = translate(text, "cochrane", "pubmed")
    if pubmed is None:  # proximity over wildcards / keywords: PubMed warns
        assert to_pubmed.warnings and all(w.message for w in to_pubmed.warnings)
    else:
        assert to_pubmed.text == pubmed
    to_ovid = translate(text, "cochrane", "ovid")
    assert to_ovid.text == ovid and not [
        w for w in to_ovid.warnings if w.construct not in {"hyphen"}
    ]


def test_explode_on_selected_trees_is_refused() -> None:
    with pytest.raises(SearchSyntaxError, match="selected trees"):
        parse("MeSH descriptor: [Neoplasms] explode trees 1 2", "cochrane")


EXPORT = """ID\tSearch\tHits
#1\tMeSH descriptor: [Primary Health Care] explode all trees\t1234
#2\t[mh ^"Patient Participation"] OR [mh Consumer Participation]\t22
#3\t(co NEXT produc*):ti,ab,kw OR coproduc*:ti,ab,kw\t345
#4\t{OR #1-#3}\t9999
#5\t#4 with Cochrane Library publication date from Jan 2000 to Mar 2019, in Trials\t888"""


def test_a_search_manager_export_with_its_limits() -> None:
    q = parse(EXPORT, "cochrane")
    assert q.root == Or(
        (
            Heading("Primary Health Care"),
            Heading("Patient Participation", explode=False),
            Heading("Consumer Participation"),
            Near((Term("co", TI_AB_KW), Term("produc*", TI_AB_KW)), 0, True),
            Term("coproduc*", TI_AB_KW),
        )
    )
    assert set(q.limits) == {
        Limit("entry_date", "2000-01-01..2019-03-31"),
        Limit("database", "Trials"),
    }
    again = generate(q, "cochrane")
    assert parse(again.text, "cochrane") == q
    assert "Cochrane Library publication date from Jan 2000 to Mar 2019; in Trials" in again.text


def test_cochrane_limits_translate_or_say_why() -> None:
    pubmed = translate(EXPORT, "cochrane", "pubmed")
    assert pubmed.text.endswith('AND ("2000/01/01"[edat] : "2019/03/31"[edat])')
    why = [w.message for w in pubmed.warnings if w.construct == "limit"]
    assert why == [
        "pubmed: PubMed has no limit to one part of the database (e.g. Cochrane "
        "CENTRAL 'Trials'): limit database=Trials dropped (wider)"
    ]
    ovid = translate(EXPORT, "cochrane", "ovid")
    assert ovid.text.endswith("limit 1 to ed=20000101-20190331")


@pytest.mark.parametrize(
    ("line", "limits"),
    [
        ("#2 #1 with Publication Year from 2000 to 2019", {Limit("date", "2000..2019")}),
        (
            "#2 #1 with Publication Year from 2000 to 2019, in Trials",
            {Limit("date", "2000..2019"), Limit("database", "Trials")},
        ),
        ("#2 #1 in Cochrane Reviews", {Limit("database", "Cochrane Reviews")}),
        (
            "#2 #1 with Cochrane Library publication date from Jan 2010 to present",
            {Limit("entry_date", "2010-01-01..")},
        ),
    ],
)
def test_cochrane_line_limits(line: str, limits: set[Limit]) -> None:
    q = parse(f"#1 stroke:ti\n{line}", "cochrane")
    assert set(q.limits) == limits
    assert parse(generate(q, "cochrane").text, "cochrane") == q


def test_braced_combinations_with_lists() -> None:
    q = parse("#1 a:ti\n#2 b:ti\n#3 c:ti\n#4 {AND #1, #3}", "cochrane")
    assert q.root == parse("a:ti AND c:ti", "cochrane").root
