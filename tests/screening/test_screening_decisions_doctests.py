"""The usage examples in the screening modules' docstrings run and give what they show."""

from __future__ import annotations

from collections.abc import Callable

import pytest

MODULES = [
    "litrev.screening",
    "litrev.screening.model",
    "litrev.screening.decisions",
    "litrev.screening.flow",
    "litrev.screening.status",
    "litrev.screening.texts",
    "litrev.screening.demo",
    "litrev.screening.csvio",
    "litrev.screening.agreement",
    "litrev.screening.agreement_report",
    "litrev.screening.highlight",
    "litrev.screening.queue",
    "litrev.screening.ranking.model",
    "litrev.screening.ranking.features",
    "litrev.screening.ranking.linear",
    "litrev.screening.ranking.metrics",
    "litrev.screening.ranking.stopping",
    "litrev.screening.ranking.simulate",
    "litrev.screening.reviewers",
    "litrev.screening.log",
    "litrev.examples.reasons",
    "litrev.extraction.codebook",
    "litrev.extraction.importing",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, docstring_examples: Callable[[str], None]) -> None:
    docstring_examples(name)
