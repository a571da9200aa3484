"""One module per database interface; `get_dialect(name)` returns a configured instance.

>>> get_dialect("scopus").name
'scopus'
"""

from __future__ import annotations

import importlib
from typing import Any

from litrev.search.dialects.base import Dialect
from litrev.search.errors import UnknownDialectError

#: dialect name -> module and class
DIALECTS: dict[str, str] = {
    "litrev": "litrev.search.dialects.litrev:Litrev",
    "pubmed": "litrev.search.dialects.pubmed:PubMed",
    "ebsco": "litrev.search.dialects.ebsco:Ebsco",
    "proquest": "litrev.search.dialects.proquest:ProQuest",
    "scopus": "litrev.search.dialects.scopus:Scopus",
    "cochrane": "litrev.search.dialects.cochrane:Cochrane",
    "ovid": "litrev.search.dialects.ovid:Ovid",
    "wos": "litrev.search.dialects.wos:WebOfScience",
    "embase": "litrev.search.dialects.embase:Embase",
    "europepmc": "litrev.search.dialects.europepmc:EuropePMC",
    "openalex": "litrev.search.dialects.openalex:OpenAlex",
}


def dialect_class(name: str) -> type[Dialect]:
    try:
        module, cls = DIALECTS[name.lower()].split(":")
    except KeyError:
        raise UnknownDialectError(
            f"unknown search dialect {name!r}; expected one of {', '.join(DIALECTS)}"
        ) from None
    found: type[Dialect] = getattr(importlib.import_module(module), cls)
    return found


def get_dialect(dialect: str | Dialect, **options: Any) -> Dialect:
    """A dialect instance by name (with optional assumption overrides), or `dialect` itself."""
    if isinstance(dialect, Dialect):
        return dialect
    return dialect_class(dialect)(**options)
