"""The examples in the records modules' docstrings run and give what they show."""

from __future__ import annotations

from collections.abc import Callable

import pytest

MODULES = [
    "litrev.records",
    "litrev.records.annotate",
    "litrev.records.base",
    "litrev.records.bibtex",
    "litrev.records.cochrane",
    "litrev.records.csl_json",
    "litrev.records.detect",
    "litrev.records.encoding",
    "litrev.records.endnote_xml",
    "litrev.records.europepmc_xml",
    "litrev.records.export",
    "litrev.records.importer",
    "litrev.records.imports",
    "litrev.records.io",
    "litrev.records.jsonfmt",
    "litrev.records.known",
    "litrev.records.listing",
    "litrev.records.medline",
    "litrev.records.model",
    "litrev.records.ovid",
    "litrev.records.pubmed_xml",
    "litrev.records.record_ids",
    "litrev.records.refworks",
    "litrev.records.ris",
    "litrev.records.tabular",
    "litrev.records.tabular_write",
    "litrev.records.tagged",
    "litrev.records.vendor_tables",
    "litrev.records.wos",
    "litrev.records.xmlsafe",
    "litrev.records.zotero_rdf",
    "litrev.store.db",  # not a records module: its examples were run with the listing's, and are kept
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, docstring_examples: Callable[[str], None]) -> None:
    docstring_examples(name)
