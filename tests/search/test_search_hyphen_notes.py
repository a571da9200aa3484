"""Hyphen notes speak of the strategy's own hyphenated words, never of another review's."""

from __future__ import annotations

from litrev.search import parse
from litrev.search.report import strategy_differences
from litrev.search.translate import translate


def test_a_field_code_hyphen_is_no_term_and_notes_name_the_own_terms() -> None:
    canonical = parse("(self-help* OR gambl*)[ti,ab]")
    notes = strategy_differences(
        canonical,
        [
            ("With", "scopus", "TITLE-ABS-KEY(self-help* OR gambl*)"),
            ("Without", "scopus", "TITLE-ABS-KEY(gambl*)"),
        ],
    )
    assert "hyphens in scopus: a hyphen is a space (hyphenated terms: self-help*)" in notes["With"]
    assert not any(n.startswith("hyphens") for n in notes["Without"])
    assert not any("co-produc" in n for lines in notes.values() for n in lines)


def test_translation_warning_gives_the_strategys_own_word() -> None:
    warnings = [
        str(w) for w in translate("self-help*:ti,ab", read="cochrane", write="pubmed").warnings
    ]
    hyphen = next(w for w in warnings if w.startswith("hyphen"))
    assert "'self help*'" in hyphen and "self NEXT help*" in hyphen
    assert "co production" not in hyphen
