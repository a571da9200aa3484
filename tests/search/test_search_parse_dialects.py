"""Each dialect's reader: constructs to trees, errors with positions, configurable assumptions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import litrev.search as search
from litrev.errors import LitrevError
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
    UnknownDialectError,
    Vocabulary,
    field_codes,
    generate,
    get_dialect,
    parse,
)

TI = frozenset({Field.TITLE})


@pytest.mark.parametrize(("dialect", "text", "tree"), [
    ("pubmed", "heart[ti] OR attack[ti]", Or((Term("heart", TI), Term("attack", TI)))),
    ("pubmed", '"heart attack"[tiab:~3]', Near((Term("heart"), Term("attack")), 3, fields=TI_AB)),
    ("pubmed", '"Neoplasms/therapy"[mh:noexp]',
     Heading("Neoplasms", Vocabulary.MESH, False, False, ("therapy",))),
    ("ebsco", '(MH "Nursing Care+")', Heading("Nursing Care", explode=True)),
    ("ebsco", "TI (a OR b)", Or((Term("a", TI), Term("b", TI)))),
    ("ebsco", "a N3 b", Near((Term("a"), Term("b")), 3)),
    ("ebsco", "a W3 b", Near((Term("a"), Term("b")), 3, ordered=True)),
    ("ebsco", "colo#r", Term("colo%r")),
    ("proquest", 'ti,ab(a NEAR/2 b)', Near((Term("a"), Term("b")), 2, fields=TI_AB)),
    ("proquest", 'MJMESH.EXACT("Stroke")', Heading("Stroke", explode=False, major=True)),
    ("scopus", "TITLE-ABS(a PRE/1 b)", Near((Term("a"), Term("b")), 1, True, TI_AB)),
    ("scopus", "{heart attack}", Phrase(("heart", "attack"))),
    ("cochrane", '[mh "Stroke"/TH [mj]]', Heading("Stroke", explode=True, major=True,
                                                 subheadings=("TH",))),
    ("cochrane", "(a OR b):ti", Or((Term("a", TI), Term("b", TI)))),
    ("ovid", "exp *Stroke/dt,th", Heading("Stroke", explode=True, major=True,
                                          subheadings=("dt", "th"))),
    ("ovid", "gene$2", Term("gene*", max_extra=2)),
    ("ovid", "heart adj attack", Phrase(("heart", "attack"))),
    ("wos", "TI=(a NEAR/0 b)", Near((Term("a", TI), Term("b", TI)), 0)),
    ("embase", "'heart attack'/exp", Heading("heart attack", Vocabulary.EMTREE, True)),
    ("embase", "(a NEXT/2 b):ti", Near((Term("a", TI), Term("b", TI)), 1, True)),
    ("europepmc", 'TITLE:"heart attack"', Phrase(("heart", "attack"), TI)),
    ("europepmc", '"heart attack"~3', Near((Term("heart"), Term("attack")), 3)),
    ("openalex", "search=heart NOT attack", Not(Term("heart"), Term("attack"))),
    ("openalex", "filter=title.search:heart", Term("heart", TI)),
    ("litrev", "a NEAR/2 b AND c", And((Near((Term("a"), Term("b")), 2), Term("c")))),
])
def test_constructs_read_into_the_tree(dialect: str, text: str, tree) -> None:
    assert parse(text, dialect).root == tree


@pytest.mark.parametrize(("dialect", "text", "line", "column", "words"), [
    ("pubmed", "heart AND (attack OR stroke", 1, 11, "missing ')'"),
    ("pubmed", "heart AND", 1, 10, "expected a term after 'AND'"),
    ("scopus", "TITLE(a) NOT b", 1, 10, "AND NOT"),
    ("litrev", "heart[xx]", 1, 6, "unknown field [xx]"),
    ("ovid", "1 heart\n2 3 or 1", 2, 3, "search line 3 is not defined"),
    ("cochrane", "heart:zz", 1, 6, "unknown Cochrane field"),
    ("litrev", "a AND ()", 1, 7, "empty group"),
    ("embase", "a NEAR/0 b", 1, 3, "counts from 1"),
    ("openalex", "filter=foo:bar", 1, 12, "unsupported OpenAlex filter 'foo'"),
    ("openalex", "", 1, 1, "no search= or .search"),
])
def test_syntax_errors_carry_line_column_and_caret(dialect, text, line, column, words) -> None:
    with pytest.raises(SearchSyntaxError) as info:
        parse(text, dialect)
    err = info.value
    assert isinstance(err, LitrevError)
    assert words in err.message
    assert (err.line, err.column) == (line, column)
    if err.text:
        assert err.caret().splitlines()[1] == " " * (column - 1) + "^"


def test_unknown_dialect_is_a_litrev_error() -> None:
    with pytest.raises(UnknownDialectError, match="expected one of litrev, pubmed"):
        parse("a", "medline")


def test_limits_are_read_from_each_interface() -> None:
    english = Limit("language", "English")
    assert parse("stroke[ti]\nFilters: English", "pubmed").limits == (english,)
    assert parse('TITLE(a) AND (LIMIT-TO(LANGUAGE, "English") OR LIMIT-TO(LANGUAGE, "French"))',
                 "scopus").limits == (Limit("language", "English OR French"),)
    assert parse("TS=(a) AND PY=(2001-2005)", "wos").limits == (Limit("date", "2001..2005"),)
    assert parse("a AND [article]/lim", "embase").limits == (
        Limit("publication_type", "Journal Article"),)
    assert set(parse("1 a\n2 limit 1 to (english language and review)", "ovid").limits) == {
        english, Limit("publication_type", "Review")}
    with pytest.raises(SearchSyntaxError, match="limit 'Moonlight' not understood"):
        parse("a\nFilters: Moonlight", "pubmed")


def test_unverified_rules_are_options() -> None:
    # EBSCO's NOT position: make NOT bind looser than OR.
    loose = get_dialect("ebsco", precedence={"NOT": 0, "OR": 1, "AND": 2, "NEAR": 3})
    assert parse("a NOT b OR c", loose).root == Not(Term("a"), Or((Term("b"), Term("c"))))
    assert parse("a NOT b OR c", "ebsco").root == Or((Not(Term("a"), Term("b")), Term("c")))
    # Cochrane NEAR/n counting, written and read.
    shifted = get_dialect("cochrane", near_offset=1)
    assert parse("a NEAR/3 b", shifted).root == Near((Term("a"), Term("b")), 2)
    assert generate(Near((Term("a"), Term("b")), 2), shifted).text == "a NEAR/3 b"
    # Scopus wildcards in quotes, either way.
    strict = get_dialect("scopus", phrase_wildcards=False)
    assert generate(Phrase(("wind", "turbine*")), strict).text == "wind PRE/0 turbine*"
    # Ovid on Embase: Emtree headings; EBSCO on CINAHL: CINAHL headings.
    assert parse("exp Stroke/", get_dialect("ovid", vocabulary="emtree")).root == Heading(
        "Stroke", Vocabulary.EMTREE)
    assert parse('(MH "Stroke")', get_dialect("ebsco", vocabulary="cinahl")).root == Heading(
        "Stroke", Vocabulary.CINAHL, explode=False)
    # EBSCO unquoted words: ANDed instead of a phrase.
    anded = get_dialect("ebsco", implicit="and")
    assert parse("heart attack", anded).root == And((Term("heart"), Term("attack")))
    with pytest.raises(ValueError, match="unknown option"):
        get_dialect("pubmed", near_offset=1)


def test_field_codes_and_dialect_names() -> None:
    assert search.DIALECTS == ("litrev", "pubmed", "ebsco", "proquest", "scopus", "cochrane",
                               "ovid", "wos", "embase", "europepmc", "openalex")
    assert field_codes("scopus")["TITLE-ABS"] == TI_AB
    assert field_codes("wos")["TS"] == TI_AB | {Field.KEYWORDS}


def test_evaluate_is_reexported_lazily() -> None:
    from litrev.search.evaluate import evaluate

    assert search.evaluate is evaluate
    with pytest.raises(AttributeError):
        _ = search.no_such_name  # type: ignore[attr-defined]


def test_equal_trees_mean_the_same() -> None:
    assert parse("a AND (b NOT c)") == parse("(a AND b) NOT c")
    assert parse("(a NOT b) NOT c") == parse("a NOT (b OR c)")
    assert parse("a[ti] OR a[ab]") == parse("a[ti,ab]")
    assert parse("a PRE/0 b") == parse('"a b"')
    assert parse("colo?r OR color") == parse("colo%r")
    assert parse("a NEAR/2 (b OR c)") == parse("(a NEAR/2 b) OR (a NEAR/2 c)")
    assert parse("a NEAR/2 b") != parse("a PRE/2 b")
    assert parse("a[ti] AND b[ti]") != parse("(a AND b)[ti,ab]")


FRAGMENTS = ["(", ")", '"', "'", "AND", "OR", "NOT", "and", "AND NOT", "heart", "attack*",
             "wom?n", "colo#r", "gene$4", "[tiab]", "[mh]", ":ti,ab", ".ti,ab.", "TI",
             "TITLE-ABS(", "TS=(", "W/2", "NEAR/3", "N2", "adj3", "NEXT", "PRE/1", "exp Heart/",
             "'stroke'/exp", '[mh "Stroke"]', '(MH "Stroke+")', "#1", "S1", "1", "or/1-2",
             "\n", 'LIMIT-TO(LANGUAGE,"English")', "PUBYEAR > 1999", "[english]/lim", "TITLE:",
             "search=", "Filters: English", "LIMIT language = English", "{a b}", "“x”", "*",
             ":", "/", "[", "]", "=", ",", '"a b"~3', "[tiab:~2]", "SAME", "PY=(2000-2010)"]


@settings(max_examples=80, deadline=None, derandomize=True)
@given(parts=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8),
       dialect=st.sampled_from(search.DIALECTS))
def test_any_text_parses_or_raises_a_syntax_error(parts: list[str], dialect: str) -> None:
    """Garbage in: a SearchSyntaxError with a position, or a tree every dialect can write."""
    text = " ".join(parts)
    messages = search.lint(text, dialect)  # lint never raises
    assert all(m.line >= 1 and m.column >= 1 for m in messages)
    try:
        query = parse(text, dialect)
    except SearchSyntaxError as err:
        assert err.line >= 1 and err.column >= 1
        assert any(m.severity == "error" for m in messages)
        return
    for target in search.DIALECTS:
        assert isinstance(generate(query, target).text, str)


@pytest.mark.parametrize("module", [
    "litrev.search", "litrev.search.ast", "litrev.search.translate", "litrev.search.lint",
    "litrev.search.compare", "litrev.search.errors", "litrev.search.dialects",
    "litrev.search.report",
    "litrev.search.dialects.base", "litrev.search.dialects.limits"])
def test_docstring_examples_hold(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize("dialect", ["ovid", "pubmed", "cochrane", "ebsco", "proquest"])
def test_numbered_lines_are_written_and_read_back(dialect: str) -> None:
    query = parse("(co-produc* OR coproduc*)[ti,ab] AND (health OR social)[ti,ab] "
                  "NOT (engineer* OR chemic*)[ti,ab]")
    out = generate(query, get_dialect(dialect, numbered=True))
    assert out.warnings == []
    assert len(out.text.splitlines()) == 4
    assert parse(out.text, dialect) == query
    if dialect == "ovid":
        assert out.text.splitlines()[-1] == "4 (1 and 2) not 3"
    with pytest.raises(ValueError, match="no numbered search lines"):
        get_dialect("scopus", numbered=True)
