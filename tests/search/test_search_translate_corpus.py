"""The translation corpus (tests/search/data/translation_cases.toml): every dialect pair,
every construct, the precedence traps and the proximity counting rule."""

from __future__ import annotations

import tomllib
from itertools import permutations
from pathlib import Path

import pytest

from litrev.search import DIALECTS, parse, translate

CORPUS = tomllib.loads(
    (Path(__file__).parent / "data" / "translation_cases.toml").read_text("utf-8"))


def _cases() -> list:
    cases = []
    for group in CORPUS["expression"]:
        forms = group["forms"]
        for read, write in permutations(forms, 2):
            cases.append(pytest.param(
                {"read": read, "write": write, "input": forms[read], "expected": forms[write]},
                id=f"{group['name']}:{read}->{write}"))
    for i, case in enumerate(CORPUS["case"]):
        cases.append(pytest.param(case, id=f"case{i}:{case['read']}->{case['write']}"))
    return cases


CASES = _cases()


def test_the_corpus_is_large_and_covers_every_dialect_pair() -> None:
    assert len(CASES) >= 300
    pairs = {(c.values[0]["read"], c.values[0]["write"]) for c in CASES}
    assert {(a, b) for a, b in permutations(DIALECTS, 2)} <= pairs


@pytest.mark.parametrize("case", CASES)
def test_translation_case(case: dict) -> None:
    result = translate(case["input"], read=case["read"], write=case["write"])
    constructs = sorted({w.construct for w in result.warnings})
    assert constructs == sorted(set(case.get("warnings", []))), [str(w) for w in result.warnings]
    if "expected" in case:
        assert result.text == case["expected"]
    if not result.warnings:  # nothing lost: reading the output back gives the input's tree
        assert parse(result.text, case["write"]) == parse(case["input"], case["read"])
