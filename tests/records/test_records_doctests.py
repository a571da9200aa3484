"""The examples in the records modules' docstrings run and give what they show."""

from __future__ import annotations

from collections.abc import Callable

import pytest

MODULES = [
    "litrev.records",
    "litrev.records.annotate",
    "litrev.records.base",
    "litrev.records.formats.bibtex",
    "litrev.records.formats.cochrane",
    "litrev.records.formats.csl_json",
    "litrev.records.detect",
    "litrev.records.encoding",
    "litrev.records.formats.endnote_xml",
    "litrev.records.formats.europepmc_xml",
    "litrev.records.export",
    "litrev.records.importer",
    "litrev.records.imports",
    "litrev.records.io",
    "litrev.records.formats.jsonfmt",
    "litrev.records.known",
    "litrev.records.listing",
    "litrev.records.formats.medline",
    "litrev.records.model",
    "litrev.records.formats.ovid",
    "litrev.records.formats.pubmed_xml",
    "litrev.records.record_ids",
    "litrev.records.formats.refworks",
    "litrev.records.formats.ris",
    "litrev.records.formats.tabular",
    "litrev.records.formats.tabular_write",
    "litrev.records.formats.tagged",
    "litrev.records.formats.vendor_tables",
    "litrev.records.formats.wos",
    "litrev.records.formats.xmlsafe",
    "litrev.records.formats.zotero_rdf",
    "litrev.store.db",  # not a records module: its examples were run with the listing's, and are kept
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, docstring_examples: Callable[[str], None]) -> None:
    docstring_examples(name)
