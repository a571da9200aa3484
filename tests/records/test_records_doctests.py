"""The examples in the records modules' docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "litrev.records",
    "litrev.records.base",
    "litrev.records.bibtex",
    "litrev.records.detect",
    "litrev.records.encoding",
    "litrev.records.endnote_xml",
    "litrev.records.importer",
    "litrev.records.io",
    "litrev.records.jsonfmt",
    "litrev.records.medline",
    "litrev.records.model",
    "litrev.records.ris",
    "litrev.records.tabular",
    "litrev.records.tabular_write",
    "litrev.records.tagged",
    "litrev.records.wos",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
