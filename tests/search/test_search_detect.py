"""Which dialect a pasted strategy is written in (`detect`, `--from auto`), and lint's
warning for another database's tag read as a search word (LR060)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from litrev.cli import app
from litrev.search import Detection, detect, lint, parse

runner = CliRunner()

CASES = [
    (
        "ovid",
        "1 exp Primary Health Care/\n2 (coproduc* or co-produc*).tw\n3 1 or 2\n"
        "4 limit 3 to english language",
    ),
    ("ovid", "heart adj3 attack.ti,ab."),
    ("ovid", "1     exp Neoplasms/     (3,456,789)\n2     or/1"),
    ("ovid", "(patient* adj2 involv*).mp."),
    ("pubmed", '"heart attack"[tiab:~2] OR "Myocardial Infarction"[mh]'),
    ("pubmed", "therapy[sh] AND aspirin[nm]"),
    ("pubmed", "#1 heart[tiab]\n#2 stroke[tiab]\n#3 #1 OR #2"),
    ("pubmed", "coproduc*[Title/Abstract] AND english[la]"),
    (
        "cochrane",
        "#1 MeSH descriptor: [Primary Health Care] explode all trees\n"
        "#2 (co NEXT produc*):ti,ab,kw\n#3 {OR #1-#2}",
    ),
    ("cochrane", "(heart NEAR/3 attack):ti,ab,kw"),
    ("cochrane", '#1 [mh "Stroke"]\n#2 stroke:ti\n#3 #1 OR #2'),
    ("ebsco", '(MH "Primary Health Care+") OR TI coproduc*'),
    ("ebsco", "S1 TI heart N3 attack\nS2 AB stroke\nS3 S1 OR S2"),
    ("ebsco", "TI ( a OR b ) OR AB ( a OR b )"),
    ("proquest", "ti(coproduc*) OR ab(coproduc*)"),
    ("proquest", 'MESH.EXACT.EXPLODE("Stroke") OR noft(stroke)'),
    ("scopus", "TITLE-ABS-KEY(heart W/2 attack)"),
    ("scopus", 'TITLE-ABS(a) AND NOT TITLE-ABS(b) AND (LIMIT-TO(LANGUAGE, "English"))'),
    ("wos", "TS=(heart NEAR/2 attack)"),
    ("wos", "TI=(a OR b) AND PY=(2000-2019)"),
    ("embase", "'heart attack'/exp OR (heart NEXT/2 attack):ti,ab"),
    ("embase", "stroke:ti,ab AND [english]/lim"),
    ("europepmc", 'TITLE:"heart attack" OR ABSTRACT:stroke'),
    ("openalex", "search=heart NOT attack"),
    ("openalex", "filter=title.search:heart"),
    ("litrev", "(co-produc* OR coproduc*)[ti,ab] NOT engineer*[ti,ab]"),
    ("litrev", 'mesh:"Stroke" AND x'),
]


@pytest.mark.parametrize(("dialect", "text"), CASES)
def test_detect_names_the_dialect_with_reasons(dialect: str, text: str) -> None:
    found = detect(text)
    assert isinstance(found, Detection)
    name, confidence, reasons = found
    assert name == dialect, reasons
    assert 0 < confidence <= 1
    assert reasons and all(r.startswith(("line ", "next best")) for r in reasons[:1])
    parse(text, name)  # a detected dialect always reads the text


def test_detect_prefers_a_dialect_that_parses() -> None:
    # 'adj3' says Ovid, but '[tiab]' tags and uppercase operators read only as PubMed.
    found = detect('heart[tiab] AND "attack adj3"[tiab] AND (a[ti] OR b[ti])')
    assert found.dialect == "pubmed"


def test_detect_without_any_clue_says_so() -> None:
    found = detect("heart attack")
    assert found == Detection("litrev", 0.0, found.reasons)
    assert "no dialect-specific syntax" in found.reasons[0]


def test_detect_is_exported_from_the_package() -> None:
    import litrev.search as search

    assert search.detect is detect and "detect" in search.__all__


@pytest.mark.parametrize(
    ("dialect", "text", "column", "owner"),
    [
        ("ovid", "heart[ti] OR stroke.ti.", 6, "PubMed"),
        ("ebsco", "heart[ti] OR TI stroke", 6, "PubMed"),
        ("ebsco", "x[Mesh] AND y", 2, "PubMed"),
        ("pubmed", "heart.ti,ab. AND x", 6, "Ovid"),
        ("pubmed", "heart:ti,ab,kw", 6, "Cochrane"),
        ("ovid", "TS=heart", 1, "Web of Science"),
        ("pubmed", "heart adj3 attack", 7, "Ovid"),
        ("cochrane", "heart N3 attack", 7, "EBSCOhost"),
    ],
)
def test_a_tag_of_another_database_is_a_lint_warning(dialect, text, column, owner) -> None:
    found = [m for m in lint(text, dialect) if m.code == "LR060"]
    assert len(found) == 1, lint(text, dialect)
    assert found[0].column == column and owner in found[0].message
    assert found[0].severity == "warning"


def test_own_tags_are_not_foreign() -> None:
    assert not [m for m in lint("heart[ti] OR stroke[tiab]", "pubmed") if m.code == "LR060"]
    assert not [m for m in lint("heart.ti. or stroke.tw.", "ovid") if m.code == "LR060"]


def test_cli_translate_from_auto_prints_the_dialect_and_reasons() -> None:
    result = runner.invoke(
        app, ["search", "translate", "heart adj3 attack.ti,ab.", "--from", "auto", "--to", "pubmed"]
    )
    assert result.exit_code == 0, result.output
    assert "detected dialect: ovid" in result.output
    assert "adj3" in result.output and '"heart attack"[tiab:~2]' in result.output


def test_cli_lint_from_auto() -> None:
    result = runner.invoke(
        app, ["search", "lint", "heart[ti] AND coproduction OR coproduc*", "--from", "auto"]
    )
    assert "detected dialect: pubmed" in result.output
    assert "LR010" in result.output
