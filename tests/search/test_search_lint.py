"""Every lint code, with its position and caret display."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from litrev.search import lint

DATA = tomllib.loads((Path(__file__).parent / "data" / "seed_strategies.toml").read_text("utf-8"))


def found(text: str, dialect: str) -> list[tuple[str, int, int]]:
    return [(m.code, m.line, m.column) for m in lint(text, dialect)]


@pytest.mark.parametrize(("dialect", "text", "expected"), [
    # LR001 unbalanced parentheses: the unclosed '(' and a stray ')'
    ("pubmed", "(heart OR stroke", [("LR001", 1, 1)]),
    ("scopus", "TITLE(heart))", [("LR001", 1, 13)]),
    ("ovid", "1 heart.ti.\n2 (1 or stroke", [("LR001", 2, 3)]),
    # LR002 unbalanced quote
    ("cochrane", 'heart OR "public sector', [("LR002", 1, 10)]),
    # LR003 any other syntax error (Scopus needs AND NOT)
    ("scopus", "heart NOT stroke", [("LR003", 1, 7)]),
    ("pubmed", "heart[xyz]", [("LR003", 1, 6)]),
    # LR004 curly quotes (and the text still parses)
    ("pubmed", "“public sector”[tiab]", [("LR004", 1, 1), ("LR004", 1, 15)]),
    # LR010 AND/OR mixed without parentheses, in every dialect's precedence
    ("pubmed", "heart AND attack OR stroke", [("LR010", 1, 18)]),
    ("scopus", "heart OR attack AND NOT stroke", [("LR010", 1, 17)]),
    ("wos", "TS=(a OR b AND c)", [("LR010", 1, 12)]),
    ("litrev", "(a OR b) AND c", []),
    # LR011 lowercase operator read as a word (PubMed operators must be uppercase)
    ("pubmed", "heart and stroke", [("LR011", 1, 7)]),
    ("ovid", "heart and stroke", []),  # Ovid operators are case-insensitive
    # LR020 truncation too short for the dialect
    ("pubmed", "car*[tiab]", [("LR020", 1, 1)]),
    ("cochrane", "ca*", [("LR020", 1, 1)]),
    ("cochrane", "car*", []),
    # LR021 wildcard inside a phrase where unsupported
    ("cochrane", 'heart OR "hearing aid*":ti', [("LR021", 1, 10)]),
    ("scopus", '"wind turbine*"', []),
    # LR022 wildcard the dialect lacks, or in first place
    ("pubmed", "wom?n", [("LR022", 1, 1)]),
    ("ebsco", "*ology", [("LR022", 1, 1)]),
    # LR030 duplicate term in one OR group
    ("litrev", "(heart OR stroke OR heart)[ti]", [("LR030", 1, 21)]),
    # LR031 term made redundant by a broader truncation
    ("scopus", "TITLE-ABS(coproduction OR coproduc*)", [("LR031", 1, 11)]),
    ("litrev", '"public sector" OR "public sector*"', [("LR031", 1, 1)]),
    ("litrev", "coproduction[ti] OR coproduc*[ab]", []),  # different fields: not redundant
    # LR040 NOT excludes on fields the positive part does not search
    ("pubmed", "heart[ti] NOT stroke[tiab]", [("LR040", 1, 15)]),
    ("cochrane", "heart:ti,ab NOT stroke:ti", []),
    # LR050 empty group
    ("litrev", "heart AND ( )", [("LR050", 1, 11)]),
])
def test_each_lint_code_at_its_position(dialect: str, text: str, expected) -> None:
    assert found(text, dialect) == expected


def test_caret_points_at_the_problem() -> None:
    (message,) = lint("heart AND attack OR stroke", "pubmed")
    assert message.severity == "warning"
    assert "strictly" not in message.message and "AND=NOT=OR" in message.message
    assert message.caret() == "heart AND attack OR stroke\n                 ^^"
    assert str(message).startswith("1:18: LR010 warning:")


def test_caret_on_a_later_line() -> None:
    messages = lint("(heart OR\nstroke))", "litrev")
    assert [(m.code, m.line, m.column) for m in messages] == [("LR001", 2, 8)]
    assert messages[0].caret() == "stroke))\n       ^"


def test_the_seed_strategies_lint_as_expected() -> None:
    codes = {}
    for s in DATA["strategy"]:
        codes[s["database"]] = sorted({m.code for m in lint(s["query"], s["dialect"])})
    # Word processors left curly quotes in four of the six strings.
    assert codes["PsycINFO (ProQuest)"] == []
    assert codes["Scopus (Elsevier)"] == []
    # Cochrane ignores the wildcard in "public service*": the search missed "services".
    assert codes["Cochrane Central Register of Controlled Trials (Wiley)"] == ["LR004", "LR021"]
    assert "LR004" in codes["CINAHL with Full Text (EBSCOHost)"]
    assert "LR004" in codes["PubMed (legacy)"]
    assert "LR004" not in codes["Scopus (Elsevier)"]
    # None of them excludes on a field it does not search.
    assert all("LR040" not in c for c in codes.values())
