"""Numbered search lines and the tables interfaces print them in, in every dialect that has
them: line combinations, hit-count columns, EBSCOhost and Web of Science history tables."""

from __future__ import annotations

import pytest

from litrev.search import (
    And,
    Field,
    Limit,
    Near,
    Or,
    SearchSyntaxError,
    Term,
    generate,
    parse,
    translate,
)

TI = frozenset({Field.TITLE})
HEART_OR_STROKE = Or((Term("heart", TI), Term("stroke", TI)))
HEART_AND_STROKE = And((Term("heart", TI), Term("stroke", TI)))

LINES = [
    ("ovid", "1 heart.ti.\n2 stroke.ti.\n3 or/1-2", HEART_OR_STROKE),
    ("ovid", "1 heart.ti.\n2 stroke.ti.\n3 and/1,2", HEART_AND_STROKE),
    ("ovid", "1 heart.ti.\n2 stroke.ti.\n3 1 or 2", HEART_OR_STROKE),
    ("cochrane", "#1 heart:ti\n#2 stroke:ti\n#3 #1 OR #2", HEART_OR_STROKE),
    ("cochrane", "#1 heart:ti\n#2 stroke:ti\n#3 {OR #1-#2}", HEART_OR_STROKE),
    ("pubmed", "#1 heart[ti]\n#2 stroke[ti]\n#3 #1 OR #2", HEART_OR_STROKE),
    ("ebsco", "S1 TI heart\nS2 TI stroke\nS3 S1 OR S2", HEART_OR_STROKE),
    ("proquest", "S1 ti(heart)\nS2 ti(stroke)\nS3 S1 AND S2", HEART_AND_STROKE),
    ("embase", "#1 heart:ti\n#2 stroke:ti\n#3 #1 AND #2", HEART_AND_STROKE),
    ("wos", "#1 TI=heart\n#2 TI=stroke\n#3 #1 AND #2", HEART_AND_STROKE),
    ("scopus", "#1 TITLE(heart)\n#2 TITLE(stroke)\n#3 #1 AND #2", HEART_AND_STROKE),
]


@pytest.mark.parametrize(("dialect", "text", "tree"), LINES)
def test_line_combinations_in_every_dialect(dialect: str, text: str, tree) -> None:
    assert parse(text, dialect).root == tree
    to_pubmed = translate(text, dialect, "pubmed")
    assert parse(to_pubmed.text, "pubmed").root == tree and not to_pubmed.warnings
    to_ovid = translate(text, dialect, "ovid")
    assert parse(to_ovid.text, "ovid").root == tree


def test_scopus_history_references_were_read_as_words() -> None:
    # '#1' used to be a search word in Scopus: the combined line searched '#1 AND #2'.
    q = parse("#1 TITLE(heart)\n#2 TITLE(stroke)\n#3 #1 AND #2", "scopus")
    assert Term("#1") not in q.root.children  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("dialect", "text"),
    [
        (
            "ovid",
            "1     heart.ti.     (3,456,789)\n2     stroke.ti.     12\n3     1 or 2     (3,456,801)",
        ),
        ("ovid", "1 heart.ti. (3456789)\n2 stroke.ti. (12)\n3 1 or 2 (3456801)"),
        ("cochrane", "ID\tSearch\tHits\n#1\theart:ti\t123\n#2\tstroke:ti\t45\n#3\t#1 OR #2\t150"),
        ("pubmed", "#1\theart[ti]\t1,234\n#2\tstroke[ti]\t567\n#3\t#1 OR #2\t1,700"),
        ("ebsco", "S1  TI heart  1,234\nS2  TI stroke  567\nS3  S1 OR S2  1,700"),
    ],
)
def test_hit_count_columns_are_not_search_words(dialect: str, text: str) -> None:
    assert parse(text, dialect).root == HEART_OR_STROKE


def test_a_number_searched_is_not_taken_for_a_count_without_evidence() -> None:
    # one space before it and not every line ends with a number: a search word
    q = parse("#1 covid 19\n#2 sars:ti\n#3 #1 OR #2", "cochrane")
    assert q.root == Or((And((Term("covid"), Term("19"))), Term("sars", TI)))


EBSCO_TABLE = """#\tQuery\tLimiters/Expanders\tLast Run Via\tResults
S1\t(MH "Primary Health Care+")\tExpanders - Apply equivalent subjects
Search modes - Boolean/Phrase\tInterface - EBSCOhost Research Databases
Search Screen - Advanced Search
Database - CINAHL Plus with Full Text\t12,345
S2\tTI heart N3 attack\tSearch modes - Find all my search terms\tInterface - EBSCOhost\t678
S3\tS1 AND S2\tLimiters - Published Date: 20000101-20191231; English Language; Peer Reviewed; Age Groups: All Adult
Search modes - Boolean/Phrase\tInterface - EBSCOhost\t90"""


def test_an_ebsco_history_table_with_limiters_and_search_modes() -> None:
    q = parse(EBSCO_TABLE, "ebsco")
    from litrev.search import Heading

    assert q.root == And(
        (Heading("Primary Health Care"), Near((Term("heart", TI), Term("attack")), 3))
    )
    assert set(q.limits) == {
        Limit("date", "2000-01-01..2019-12-31"),
        Limit("language", "English"),
        Limit("peer_reviewed", "true"),
        Limit("filter", "ebsco: Age Groups: All Adult"),
    }
    again = generate(q, "ebsco")
    assert parse(again.text, "ebsco") == q and not again.warnings
    pubmed = translate(EBSCO_TABLE, "ebsco", "pubmed")
    lost = sorted(w.message.split("limit ")[-1] for w in pubmed.warnings if w.construct == "limit")
    assert len(lost) == 2  # peer review and the EBSCO age filter: PubMed has neither
    assert "Filters: " in pubmed.text and "English" in pubmed.text


def test_ebsco_search_modes_change_what_words_side_by_side_mean() -> None:
    def history(mode: str) -> str:
        return f"S1 TI heart attack\tSearch modes - {mode}\nS2 S1 OR AB stroke"

    phrase = parse(history("Boolean/Phrase"), "ebsco").root
    anded = parse(history("Find all my search terms"), "ebsco").root
    assert phrase == parse('TI "heart attack" OR AB stroke', "ebsco").root
    assert anded == parse("(TI heart AND attack) OR AB stroke", "ebsco").root
    with pytest.raises(SearchSyntaxError, match="SmartText"):
        parse(history("SmartText Searching"), "ebsco")


WOS_HISTORY = """# 3\t#2 AND #1\tIndexes=SCI-EXPANDED, SSCI Timespan=2000-2019\t1,234
# 2\tTS=(coproduc* OR "co produc*")\tIndexes=SCI-EXPANDED, SSCI Timespan=All years\t5,678
# 1\tTS=("primary care")\tRefined by: LANGUAGES: ( ENGLISH ) Indexes=SCI-EXPANDED Timespan=All years\t90,000"""


def test_a_web_of_science_history_printed_newest_first() -> None:
    q = parse(WOS_HISTORY, "wos")
    assert q.root == parse('TS=(coproduc* OR "co produc*") AND TS=("primary care")', "wos").root
    assert set(q.limits) == {Limit("date", "2000..2019"), Limit("language", "English")}
    pubmed = translate(WOS_HISTORY, "wos", "pubmed")
    assert pubmed.text.splitlines()[-1] == "Filters: from 2000 - 2019; English"


def test_scopus_limits_appended_after_and_not_refine_the_whole_search() -> None:
    q = parse('TITLE-ABS(a) AND NOT TITLE-ABS(b) AND (LIMIT-TO(LANGUAGE, "English"))', "scopus")
    assert q.limits == (Limit("language", "English"),)
    assert q.root == parse("TITLE-ABS(a) AND NOT TITLE-ABS(b)", "scopus").root


def test_print_headers_are_blanked_not_searched() -> None:
    text = (
        "Database: Embase <1974 to 2019 March 04>\nSearch Strategy:\n"
        "----------------------------\n1 heart.ti.\n2 stroke.ti.\n3 1 or 2\n"
        "***************************"
    )
    assert parse(text, "ovid").root == HEART_OR_STROKE


def test_an_error_at_the_end_of_a_numbered_line_points_at_that_line() -> None:
    with pytest.raises(SearchSyntaxError) as caught:
        parse("1 heart.ti.\n2 1 and\n3 stroke.ti.\n4 2 or 3", "ovid")
    assert (caught.value.line, caught.value.column) == (2, 8)


def test_embase_source_limits_are_embase_filters() -> None:
    q = parse("heart:ti AND [embase]/lim AND [english]/lim", "embase")
    assert set(q.limits) == {Limit("filter", "embase: embase"), Limit("language", "English")}
    assert parse(
        translate("heart:ti AND [embase]/lim", "embase", "embase").text, "embase"
    ) == parse("heart:ti AND [embase]/lim", "embase")
    pubmed = translate("heart:ti AND [embase]/lim", "embase", "pubmed")
    assert pubmed.text == "heart[ti]" and any("embase filter" in w.message for w in pubmed.warnings)


def test_a_wrapped_line_continues_while_its_parenthesis_is_open() -> None:
    text = "1. heart.ti.\n2. ((stroke or\ninfarct*) adj3 brain).ti.\n3. 1 or 2"
    q = parse(text, "ovid")
    assert q.root == parse("heart.ti. or ((stroke or infarct*) adj3 brain).ti.", "ovid").root
    # a line that never closes is refused where it opens, not joined to the lines below
    with pytest.raises(SearchSyntaxError) as caught:
        parse("1. heart.ti.\n2. ((stroke or infarct*).ti.\n3. brain.ti.\n4. 1 or 2", "ovid")
    assert caught.value.line == 2


def test_unnumbered_pubmed_history_referred_to_by_number() -> None:
    text = "heart [tiab]\n\nstroke [tiab]\n\n#1 OR #2\n\n#33#3 AND cancer[ti]"
    q = parse(text, "pubmed")
    assert q.root == parse("(heart[tiab] OR stroke[tiab]) AND cancer[ti]", "pubmed").root
