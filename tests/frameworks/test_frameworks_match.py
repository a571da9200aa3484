"""`litrev match`: three described initiatives get models of the built-in catalogue, each reason
resting on text that the study's row (and the seed) really states; bad input is refused."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from litrev.cli import run
from litrev.errors import InputError
from litrev.examples import STUDIES_FILE, _folder
from litrev.frameworks import Catalogue, Study, match
from litrev.frameworks.catalogue import builtin_catalogue

SEED = "seed/000_ba6e7b868008b380.txt"


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, str]]:
    path = _folder("coproduction-models") / STUDIES_FILE
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["citation"]: row for row in csv.DictReader(handle)}


def _cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert run(["match", *args, "--json"]) == 0
    found: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return found


def _check_reasons(found: list[dict[str, Any]], rows: dict[str, dict[str, str]], seed: str) -> None:
    assert found, "no model matched"
    scores = [m["score"] for m in found]
    assert scores == sorted(scores, reverse=True)
    for item in found:
        assert item["reasons"], item["label"]
        row = rows[item["label"]]  # every match is a study of the built-in catalogue
        assert item["evidence"]
        for evidence in item["evidence"]:
            stated = row[evidence["fact"]]
            assert evidence["quote"] in stated, (item["label"], evidence)
            # and the study's row is the seed's text: the quote is in the paper too
            assert _norm(evidence["quote"]) in _norm(seed), (item["label"], evidence)
            assert any(f"'{evidence['quote']}'" in reason for reason in item["reasons"])
        # Nabatchi and colleagues' dimensions are not coded in the built-in data: empty, and a
        # reason naming them rests on a quoted text, never on a coded value.
        assert item["dimensions"]["nabatchi-2017.level"] == ""
        assert item["dimensions"]["nabatchi-2017.phase"] == ""
        assert item["dimensions"]["seed-model-types.model_type"] == row["category"]
        for reason in item["reasons"]:
            if "nabatchi-2017" in reason:
                assert "text says '" in reason


def test_a_uk_co_designed_mental_health_service(
    capsys: pytest.CaptureFixture[str], rows: dict[str, dict[str, str]], shared_dir: Path
) -> None:
    seed = (shared_dir / SEED).read_text(encoding="utf-8")
    found = _cli_json(
        capsys,
        "We co-design a peer-support service with mental health service users in the UK; "
        "users help run it",
        "--top",
        "5",
    )
    _check_reasons(found, rows, seed)
    assert len(found) == 5
    # The country is read from the description ("in the UK") and matched to the author country.
    assert all("country UK matches the study's Author country 'UK'" in m["reasons"] for m in found)
    co_design = [
        m for m in found if any("phase co-design (nabatchi-2017" in r for r in m["reasons"])
    ]
    assert co_design and all(
        "Co-design" in m["facts"]["contribution"] or "co-design" in m["facts"]["contribution"]
        for m in co_design
    )
    barrett = next(m for m in found if m["label"] == "Barrett, 2014")
    assert "'mental'" in barrett["reasons"][0] and barrett["category"] == "practice-oriented"


def test_a_collective_co_assessment_of_a_social_care_service(
    capsys: pytest.CaptureFixture[str],
    rows: dict[str, dict[str, str]],
    shared_dir: Path,
    tmp_path: Path,
) -> None:
    seed = (shared_dir / SEED).read_text(encoding="utf-8")
    answers = tmp_path / "answers.toml"
    answers.write_text(
        'framework = "nabatchi-2017"\nlevel = "collective"\nphase = ["co-assessment"]\n',
        encoding="utf-8",
    )
    found = _cli_json(
        capsys,
        "Tenants' associations jointly review how well a social care service works",
        "--answers",
        str(answers),
        "--top",
        "6",
    )
    _check_reasons(found, rows, seed)
    labels = [m["label"] for m in found]
    # Nabatchi and colleagues' own row names the collective level (and every phase) first;
    # Bovaird's and Pestoff's rows say 'collective'; equal scores are in label order.
    assert labels[0] == "Nabatchi, 2017"
    assert (
        labels.index("Bovaird, 2016")
        < labels.index("Pestoff, 2012")
        < labels.index("Pestoff, 2014")
    )
    nabatchi = next(m for m in found if m["label"] == "Nabatchi, 2017")
    assert any(
        r.startswith("level collective (nabatchi-2017; your answers)") for r in nabatchi["reasons"]
    )
    assert any(
        "phase co-assessment (nabatchi-2017; your answers)" in r
        for m in found
        for r in m["reasons"]
    )


def test_an_individual_co_delivery_in_primary_care(
    capsys: pytest.CaptureFixture[str],
    rows: dict[str, dict[str, str]],
    shared_dir: Path,
    tmp_path: Path,
) -> None:
    seed = (shared_dir / SEED).read_text(encoding="utf-8")
    answers = tmp_path / "answers.toml"
    answers.write_text(
        '[nabatchi-2017]\nlevel = "individual"\nphase = "co-delivery"\n'
        '[seed-model-types]\nmodel_type = "practice-oriented"\n',
        encoding="utf-8",
    )
    found = _cli_json(
        capsys,
        "Patients help deliver their own care with their general practice team in primary care",
        "--answers",
        str(answers),
        "--top",
        "3",
    )
    _check_reasons(found, rows, seed)
    assert len(found) == 3
    assert all(m["category"] == "practice-oriented" for m in found)
    by_label = {m["label"]: m for m in found}
    assert "Baim‐Lance, 2019" in by_label  # 'elevate and integrate co-delivery'
    assert any("co-delivery" in e["quote"] for e in by_label["Baim‐Lance, 2019"]["evidence"])
    assert "Farmer, 2017" in by_label  # discipline 'Primary care'
    assert any(
        "listed in Supplementary file 3 as 'practice-oriented'" in r
        for r in by_label["Farmer, 2017"]["reasons"]
    )


def test_text_output_names_the_study_its_facts_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(["match", "collective co-production", "--framework", "bovaird-2016", "--top", "1"]) == 0
    )
    out = capsys.readouterr().out
    assert "1. Bovaird, 2016 (score" in out
    assert "contribution: Individual and collective coproduction" in out
    assert (
        "form collective (bovaird-2016; your description: 'collective'): the study's contribution text says 'Individual and collective coproduction'"
        in out
    )


def test_ranking_is_deterministic_and_framework_limits_the_values() -> None:
    text = "A community group co-designs and evaluates a local health service"
    assert match(text, top=10) == match(text, top=10)
    only = match(text, framework="bovaird-2016", top=10)
    assert all("nabatchi-2017" not in r for m in only for r in m.reasons)


def test_a_catalogue_unlike_the_built_in_one() -> None:
    # Other field names, another country spelling, no coded dimension: nothing is the demo's.
    studies = (
        Study(
            "Ahn, 2021",
            "t1 row 1",
            "",
            "",
            "",
            {"summary": "Peer workers co-deliver home visits", "nation": "United Kingdom"},
        ),
        Study(
            "Berg, 2020",
            "t1 row 2",
            "",
            "",
            "",
            {"summary": "Hospital board co-commissioning of stroke services", "nation": "Norway"},
        ),
        Study("Cruz, 2019", "t1 row 3", "", "", "", {"summary": "A typology of budgets"}),
    )
    catalogue = Catalogue(
        "mine", studies, ("summary",), "nation", ("summary",), {"nation": "Nation"}
    )
    found = match("peer workers visit people at home", catalogue=catalogue, country="UK")
    assert [m.label for m in found] == ["Ahn, 2021"]
    assert "country UK matches the study's Nation 'United Kingdom'" in found[0].reasons
    found = match("", answers={"nabatchi-2017": {"phase": "co-commissioning"}}, catalogue=catalogue)
    assert [m.label for m in found] == ["Berg, 2020"]
    assert found[0].reasons == [
        "phase co-commissioning (nabatchi-2017; your answers): the study's summary text says "
        "'Hospital board co-commissioning of stroke services'"
    ]
    assert found[0].dimensions["seed-model-types.model_type"] == ""
    # A catalogue without a word to compare: no similarity, no error, no match.
    bare = Catalogue(
        "bare", (Study("D", "", "", "", "", {"summary": "of the and"}),), ("summary",), "nation"
    )
    assert match("the patients", catalogue=bare) == []


def test_nothing_matching_is_an_empty_list_not_a_guess(capsys: pytest.CaptureFixture[str]) -> None:
    assert match("zebra xylophone quokka") == []
    assert run(["match", "zebra xylophone quokka"]) == 0
    assert "No model in the catalogue matches" in capsys.readouterr().out


def _fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert run(list(args)) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return " ".join(captured.err.split())


def test_bad_input_exits_2_naming_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert "description: empty: describe your initiative" in _fails(capsys, "match", "  ")
    assert "no framework named 'nabachi-2017'; frameworks: seed-model-types" in _fails(
        capsys, "match", "co-design", "--framework", "nabachi-2017"
    )
    assert "--top: expected a number of models of at least 1, got 0" in _fails(
        capsys, "match", "co-design", "--top", "0"
    )
    cases = {
        'framework = "nabatchi-2017"\nlevels = "collective"\n': (
            ":2: unknown key 'levels' for framework 'nabatchi-2017'; its dimensions: level, phase"
        ),
        'framework = "nabatchi-2017"\n\nlevel = "communal"\n': (
            ":3: level: 'communal' is not a value of nabatchi-2017 level; values: individual, group, collective"
        ),
        'framework = "nabatchi-2017"\nlevel = ["individual", "group"]\n': (
            ":2: level takes one value, got 2"
        ),
        'level = "collective"\n': "'level': name the framework",
        'framework = "nabatchi-2017"\nlevel = \n': "line 2, column 9: not valid TOML",
        "[bovaird-2016]\nform = 3\n": ":2: form: expected a value or a list of values, got 3",
        "": "no answers",
        '[bovaird-2016]\nform = "collective"\ncountry = "UK"\n': (
            ":3: [bovaird-2016] country: write country at the top of the file"
        ),
    }
    for number, (text, message) in enumerate(cases.items()):
        path = tmp_path / f"answers{number}.toml"
        path.write_text(text, encoding="utf-8")
        error = _fails(capsys, "match", "", "--answers", str(path))
        assert str(path) in error and message in error, (text, error)
    latin = tmp_path / "latin.toml"
    latin.write_bytes('level = "coopération"\n'.encode("latin-1"))
    assert "not UTF-8" in _fails(capsys, "match", "x", "--answers", str(latin))
    assert "file not found" in _fails(
        capsys, "match", "x", "--answers", str(tmp_path / "none.toml")
    )
    with pytest.raises(InputError, match="description: empty"):
        match("", answers={})


def test_catalogue_is_loaded_once() -> None:
    assert builtin_catalogue() is builtin_catalogue()


def test_answers_decide_their_dimensions_the_description_adds_the_rest() -> None:
    found = match(
        "individual patients co-design their care plans",
        answers={"nabatchi-2017": {"level": "collective"}},
        framework="nabatchi-2017",
        top=73,
    )
    reasons = [r for m in found for r in m.reasons]
    assert not any("level individual" in r for r in reasons)  # the answers said collective
    assert any("level collective (nabatchi-2017; your answers)" in r for r in reasons)
    assert any(
        "phase co-design (nabatchi-2017; your description: 'co-design')" in r for r in reasons
    )


def test_a_country_no_study_has_is_noted(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["match", "peer support", "--country", "France", "--top", "1"]) == 0
    captured = capsys.readouterr()
    assert "no study in the catalogue has the country 'France'" in captured.err
    assert "country France" not in captured.out


@pytest.mark.parametrize(
    ("description", "country"),
    [
        ("a befriending service in Italy", "Italy"),
        ("run with the NHS in the United Kingdom", "United Kingdom"),
        ("an international network of carers", ""),  # not the country 'International'
        ("people who help us", ""),  # not 'US'
    ],
)
def test_the_country_read_from_a_description(description: str, country: str) -> None:
    reasons = [r for m in match(description, top=73) for r in m.reasons]
    stated = [r for r in reasons if r.startswith("country ")]
    if country:
        assert stated and all(r.startswith(f"country {country} matches") for r in stated)
    else:
        assert stated == []
