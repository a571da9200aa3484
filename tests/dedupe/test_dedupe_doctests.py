"""The examples in the deduplication modules' docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

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
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
