"""Proximity inside a title/abstract field group, written in each dialect's accepted form.

A proximity is counted within one field, so `((a OR b) adj3 (c OR d)).ti,ab.` is exactly
`TI=(... NEAR/2 ...) OR AB=(... NEAR/2 ...)` where no single code covers title and abstract.
It must never be written as a proximity operator between field-tagged groups
(`(TI=(a OR b) OR AB=(a OR b)) NEAR/2 (...)`, which Web of Science and EBSCO reject).
"""

from __future__ import annotations

import re

import pytest

from litrev.search import DIALECTS, generate, merge_field_alternatives, parse, translate

GROUPS = "((heart or cardiac) adj3 (attack or failure)).ti,ab."

EXPECTED = {
    "litrev": "((heart OR cardiac) NEAR/2 (attack OR failure))[ti,ab]",
    "pubmed": '"heart attack"[tiab:~2] OR "heart failure"[tiab:~2] OR '
    '"cardiac attack"[tiab:~2] OR "cardiac failure"[tiab:~2]',
    "ebsco": "TI ((heart OR cardiac) N2 (attack OR failure)) OR "
    "AB ((heart OR cardiac) N2 (attack OR failure))",
    "proquest": "ti,ab((heart OR cardiac) NEAR/2 (attack OR failure))",
    "scopus": "TITLE-ABS(((heart W/2 attack) OR (heart W/2 failure)) OR "
    "((cardiac W/2 attack) OR (cardiac W/2 failure)))",
    "cochrane": "((heart OR cardiac) NEAR/2 (attack OR failure)):ti,ab",
    "ovid": "((heart or cardiac) adj3 (attack or failure)).ti,ab.",
    "wos": "TI=((heart OR cardiac) NEAR/2 (attack OR failure)) OR "
    "AB=((heart OR cardiac) NEAR/2 (attack OR failure))",
    "embase": "((heart OR cardiac) NEAR/3 (attack OR failure)):ti,ab",
}

#: a proximity operator written right after or before a field-tagged group
BETWEEN_TAGGED = re.compile(
    r"\)\)?\s+(?:NEAR/\d+|N\d+|W/\d+|adj\d+|PRE/\d+)\s+\(+(?:TI|AB)\b"
    r"|\b(?:TI|AB)=?\s*\([^()]*\)\s*\)\s+(?:NEAR|N\d)"
)


@pytest.mark.parametrize("dialect", list(EXPECTED))
def test_proximity_over_or_groups_in_title_abstract(dialect: str) -> None:
    out = translate(GROUPS, "ovid", dialect)
    assert out.text == EXPECTED[dialect]
    assert not out.warnings
    assert not BETWEEN_TAGGED.search(out.text)
    # TI (p) OR AB (p) is the proximity p on title/abstract: proximity counts in one field
    assert merge_field_alternatives(parse(out.text, dialect)) == parse(GROUPS, "ovid")


@pytest.mark.parametrize("dialect", ["europepmc", "openalex"])
def test_dialects_without_proximity_say_so(dialect: str) -> None:
    out = translate(GROUPS, "ovid", dialect)
    assert any(
        w.construct == "proximity" and "written as AND (wider)" in w.message for w in out.warnings
    )


def test_every_dialect_is_covered() -> None:
    assert set(EXPECTED) | {"europepmc", "openalex"} == set(DIALECTS)


def test_a_proximity_holding_and_goes_under_one_wider_code_with_a_warning() -> None:
    out = translate("((care and home) adj3 visit*).ti,ab.", "ovid", "wos")
    assert out.text == "TS=((care AND home) NEAR/2 visit*)"
    assert any(
        "searched TS (abstract/keywords/title) instead (wider)" in w.message for w in out.warnings
    )


def test_pubmed_spells_out_small_groups_only() -> None:
    small = translate("((a or b) adj3 c).ti,ab.", "ovid", "pubmed")
    assert small.text == '"a c"[tiab:~2] OR "b c"[tiab:~2]' and not small.warnings
    many = " or ".join(f"w{i}" for i in range(9))
    big = translate(f"(({many}) adj3 ({many})).ti,ab.", "ovid", "pubmed")  # 81 pairs
    assert any(w.construct == "proximity" for w in big.warnings)
    wild = translate("((patient* or user*) adj3 involv*).ti,ab.", "ovid", "pubmed")
    assert "AND" in wild.text and any(w.construct == "proximity" for w in wild.warnings)


def test_a_single_code_keeps_the_group_whole() -> None:
    q = parse("((heart or cardiac) adj3 attack).ti.", "ovid")
    assert generate(q, "wos").text == "TI=((heart OR cardiac) NEAR/2 attack)"
    assert generate(q, "ebsco").text == "TI ((heart OR cardiac) N2 attack)"
