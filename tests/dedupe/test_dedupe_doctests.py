"""The examples in the deduplication modules' docstrings run and give what they show."""

from __future__ import annotations

from collections.abc import Callable

import pytest

MODULES = [
    "litrev.dedupe.blocking",
    "litrev.dedupe.cluster",
    "litrev.dedupe.compare",
    "litrev.dedupe.engine",
    "litrev.dedupe.features",
    "litrev.dedupe.guards",
    "litrev.dedupe.merge",
    "litrev.dedupe.normalize",
    "litrev.dedupe.serial",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, docstring_examples: Callable[[str], None]) -> None:
    docstring_examples(name)
