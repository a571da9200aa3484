"""The built-in frameworks say only what their source states, and the catalogue is the built-in
review's rows as printed."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from litrev.errors import LitrevError
from litrev.examples import STUDIES_FILE, _folder
from litrev.frameworks import builtin_catalogue, framework, load_frameworks
from litrev.frameworks.catalogue import parse_framework
from litrev.project import PROTOCOL_FILE
from litrev.protocol import load_protocol

SEED = "seed/000_ba6e7b868008b380.txt"

# Where each section the data files name starts and ends in the seed's text.
SECTIONS = {
    "Methods": ("\nMethods\n", "\nResults\n"),
    "Results, Typologies": ("\nTypologies\n", "\nBoundary-spanning papers"),
    "Results, Boundary-spanning papers": ("\nBoundary-spanning papers", "\nDiscussion"),
    "Supplementary file 4": ("Supplementary file 4", None),
}


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def seed_text(shared_dir: Path) -> str:
    return (shared_dir / SEED).read_text(encoding="utf-8")


def _section(seed: str, name: str) -> str:
    assert name in SECTIONS, f"data file names a seed section the test does not know: {name!r}"
    start, end = SECTIONS[name]
    begin = seed.index(start)
    return seed[begin : seed.index(end, begin) if end else len(seed)]


def _seed_claims() -> list[tuple[str, str, str]]:
    """(framework, source section, definition) for every definition that claims the seed."""
    claims = []
    for fw in load_frameworks():
        for dimension in fw.dimensions:
            items = [(dimension.source, dimension.definition)] + [
                (v.source, v.definition) for v in dimension.values
            ]
            for source, definition in items:
                if definition or source:
                    assert source and definition, f"{fw.name}: a definition without its source"
                if source.startswith("seed:"):
                    claims.append((fw.name, source.removeprefix("seed:").strip(), definition))
    return claims


def test_every_seed_definition_is_found_in_its_section_of_the_seed(seed_text: str) -> None:
    claims = _seed_claims()
    assert len(claims) >= 12
    for fw_name, section, definition in claims:
        assert _norm(definition) in _norm(_section(seed_text, section)), (fw_name, definition)


def test_no_definition_is_given_without_a_source() -> None:
    for fw in load_frameworks():
        assert fw.citation
        for dimension in fw.dimensions:
            for value in dimension.values:
                # A value the source does not define has no definition, not one of litrev's.
                assert bool(value.definition) == bool(value.source), (fw.name, value.name)


def test_the_issue_frameworks_have_the_values_the_seed_names() -> None:
    nabatchi = framework("nabatchi-2017")
    assert nabatchi.dimension("level").value_names == ["individual", "group", "collective"]
    phase = nabatchi.dimension("phase")
    assert phase.multiple
    # The seed's words for the phases are the labels: "co-commissioning, co-designing, ...".
    assert [v.label for v in phase.values] == [
        "co-commissioning",
        "co-designing",
        "co-delivering",
        "co-assessing",
    ]
    assert framework("strokosch-osborne-2016").dimension("mode").value_names == [
        "consumer",
        "participative",
        "enhanced",
    ]
    brandsen = framework("brandsen-honingh-2016")
    assert brandsen.dimension("involvement").value_names == ["design", "delivery"]
    assert brandsen.dimension("service").value_names == ["core", "complementary"]
    assert framework("bovaird-2016").dimension("form").value_names == ["individual", "collective"]


def test_seed_model_types_are_the_built_in_review_classification() -> None:
    protocol = load_protocol(_folder("coproduction-models") / PROTOCOL_FILE)
    model_type = framework("seed-model-types").dimension("model_type")
    assert [(v.name, v.definition) for v in model_type.values] == [
        (c.name, c.definition) for c in protocol.classification.categories
    ]


def test_each_framework_source_is_a_study_of_the_catalogue() -> None:
    labels = {s.label for s in builtin_catalogue().studies}
    for fw in load_frameworks():
        if fw.seed_study:
            assert fw.seed_study in labels, fw.name


def _rows() -> list[dict[str, str]]:
    path = _folder("coproduction-models") / STUDIES_FILE
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_catalogue_is_the_rows_of_the_built_in_review() -> None:
    catalogue = builtin_catalogue()
    rows = _rows()
    assert len(catalogue.studies) == len(rows) == 73
    for study, row in zip(catalogue.studies, rows, strict=True):
        assert study.label == row["citation"]
        assert study.category == row["category"]
        for fact, text in study.facts.items():
            assert text == row[fact].strip()
        # Empty cells stay empty: no country is invented for the boundary-spanning papers.
        assert set(study.facts) == {
            f for f in ("country", "discipline", "category", "contribution") if row[f].strip()
        }
    essen = next(s for s in catalogue.studies if s.label == "Essén et al.")
    assert "country" not in essen.facts


def test_malformed_framework_file_is_refused_with_its_name() -> None:
    with pytest.raises(LitrevError, match=r"broken\.toml: not a framework file"):
        parse_framework('name = "x"\n[[dimensions]]\nname = "d"\n', path="broken.toml")
    with pytest.raises(
        LitrevError, match=r"no framework named 'nabachi'; frameworks: seed-model-types"
    ):
        framework("nabachi")
    with pytest.raises(LitrevError, match=r"has no dimension 'levels'; dimensions: level, phase"):
        framework("nabatchi-2017").dimension("levels")


@pytest.mark.parametrize(
    "module",
    [
        "litrev.frameworks",
        "litrev.frameworks.catalogue",
        "litrev.frameworks.adopt",
        "litrev.frameworks.answers",
        "litrev.frameworks.match",
    ],
)
def test_docstring_examples(module: str, docstring_examples: Callable[[str], None]) -> None:
    docstring_examples(module)


def test_terms_are_whole_words_from_their_start() -> None:
    from litrev.frameworks.answers import term_pattern

    assert term_pattern("core service").search("the core  services of it")
    assert not term_pattern("design").search("redesigned")
    assert re.fullmatch(term_pattern("co-design"), "co-designing")


def test_core_imports_no_adapter_and_loads_scikit_learn_only_to_match() -> None:
    import subprocess
    import sys

    code = (
        "import sys, litrev.frameworks as f; f.load_frameworks(); f.builtin_catalogue();"
        "bad = sorted(m for m in sys.modules if m.startswith(('litrev.cli', 'litrev.web', 'litrev.tui', 'sklearn')));"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
