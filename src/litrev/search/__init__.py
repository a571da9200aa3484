"""Search strategies: one query tree, a dialect per database, translation, linting.

>>> q = parse('(co-produc* OR coproduc*)[ti,ab] NOT engineer*[ti,ab]')
>>> translate('(co-produc* OR coproduc*):ti,ab', read="cochrane", write="pubmed").text
'co-produc*[tiab] OR coproduc*[tiab]'
>>> generate(q, "scopus").text
'TITLE-ABS(co-produc* OR coproduc*) AND NOT TITLE-ABS(engineer*)'

`evaluate(query, records, dialect=...)` (runs a strategy over records) is re-exported from
`litrev.search.evaluate` when that module imports, and reported on first use otherwise.
"""

from __future__ import annotations

import contextlib
from typing import Any

from litrev.search.ast import (
    TI_AB,
    TI_AB_KW,
    And,
    Field,
    Fielded,
    Fields,
    Heading,
    Limit,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Query,
    Term,
    Vocabulary,
    normalize,
)
from litrev.search.compare import (
    compare,
    map_fields,
    merge_field_alternatives,
    precedence_note,
    precedence_readings,
)
from litrev.search.detect import Detection, detect
from litrev.search.dialects import DIALECTS as _REGISTRY
from litrev.search.dialects import get_dialect
from litrev.search.dialects.base import Dialect
from litrev.search.dialects.generator import TranslationWarning
from litrev.search.errors import SearchSyntaxError, UnknownDialectError
from litrev.search.lint import LintMessage, lint
from litrev.search.translate import Translation, generate, translate

#: every dialect name the API and the CLI accept
DIALECTS: tuple[str, ...] = tuple(_REGISTRY)


def parse(text: str, dialect: str | Dialect = "litrev") -> Query:
    """Read a search strategy written in `dialect` into a `Query`.

    Curly quotes are normalised first. Raises `SearchSyntaxError` (line, column, caret).

    >>> parse('heart adj3 attack.ti,ab.', "ovid") == parse('(heart NEAR/2 attack)[ti,ab]')
    True
    """
    return get_dialect(dialect).parse(text)


def field_codes(dialect: str | Dialect) -> dict[str, Fields]:
    """The field codes a dialect writes, each with the field set it searches.

    >>> field_codes("pubmed")["tiab"] == TI_AB
    True
    """
    generator = get_dialect(dialect).generator()
    return {code: fields for fields, code in generator.FIELDS.items()}


def __getattr__(name: str) -> Any:
    if name == "evaluate":  # only reached when the import below failed: say why when used
        from litrev.search.evaluate import evaluate

        return evaluate
    raise AttributeError(f"module 'litrev.search' has no attribute {name!r}")


# Bind the function (importing the submodule would otherwise shadow it by the module); the
# evaluator is optional for parsing and translating, so a failed import is not fatal here.
with contextlib.suppress(ImportError):
    from litrev.search.evaluate import evaluate


__all__ = [
    "DIALECTS", "TI_AB", "TI_AB_KW", "And", "Detection", "Dialect", "Field", "Fielded", "Fields", "Heading",
    "Limit", "LintMessage", "Near", "Node", "Not", "Or", "Phrase", "Query",
    "SearchSyntaxError", "Term", "Translation", "TranslationWarning", "UnknownDialectError",
    "Vocabulary", "compare", "detect", "evaluate", "field_codes", "generate", "get_dialect", "lint",
    "map_fields", "merge_field_alternatives", "normalize", "parse", "precedence_note",
    "precedence_readings", "translate",
]
