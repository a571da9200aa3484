"""Co-production frameworks as built-in codebooks, and matching an initiative to the catalogue.

`load_frameworks()` and `framework(name)` give the frameworks (data files in `data/`, each with
its source citation); `codebook_toml`/`adopt` turn one into protocol codebook fields; `match`
ranks the built-in catalogue's models against a practitioner's initiative, with reasons.

>>> from litrev.frameworks import match
>>> match("peer support in mental health", top=1)[0].label
'Ridente, 2016'
"""

from __future__ import annotations

from litrev.frameworks.adopt import adopt, codebook_toml
from litrev.frameworks.answers import Initiative, parse_answers, read_answers
from litrev.frameworks.catalogue import (
    Catalogue,
    Framework,
    Study,
    builtin_catalogue,
    framework,
    load_frameworks,
)
from litrev.frameworks.match import Evidence, Match, match

__all__ = [
    "Catalogue",
    "Evidence",
    "Framework",
    "Initiative",
    "Match",
    "Study",
    "adopt",
    "builtin_catalogue",
    "codebook_toml",
    "framework",
    "load_frameworks",
    "match",
    "parse_answers",
    "read_answers",
]
