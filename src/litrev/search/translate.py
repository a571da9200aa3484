"""Generate a tree in a dialect, and translate text from one dialect to another.

>>> t = translate('heart adj3 attack.ti,ab.', read="ovid", write="scopus")
>>> t.text
'TITLE-ABS(heart W/2 attack)'
>>> t.warnings
[]
"""

from __future__ import annotations

from dataclasses import dataclass, field

from litrev.search.ast import Node, Query
from litrev.search.compare import hyphenated_words
from litrev.search.dialects import get_dialect
from litrev.search.dialects.base import Dialect
from litrev.search.dialects.generator import TranslationWarning


@dataclass
class Translation:
    """Generated text plus every warning about what it could not say exactly."""

    text: str
    warnings: list[TranslationWarning] = field(default_factory=list)
    dialect: str = ""

    def __str__(self) -> str:
        return self.text


def generate(query: Query | Node, dialect: str | Dialect) -> Translation:
    """Write a tree in `dialect`.

    >>> from litrev.search.ast import Term, Or
    >>> generate(Or((Term("colo%r"), Term("heart"))), "scopus").text
    '(color OR colo?r) OR heart'
    """
    target = get_dialect(dialect)
    generator = target.generator()
    text = generator.generate(query)
    return Translation(text, list(generator.warnings), target.name)


def translate(text: str, read: str | Dialect, write: str | Dialect) -> Translation:
    """Parse `text` in dialect `read` and write it in dialect `write`.

    Unfielded words search each database's default fields; when those differ between the
    two dialects a warning says so.

    >>> translate("a AND NOT b AND c", read="scopus", write="pubmed").text
    'a NOT (b AND c)'
    """
    source = get_dialect(read)
    target = get_dialect(write)
    query = source.parse(text)
    result = generate(query, target)
    if (_has_default_fields(query.root) and source.DEFAULT_FIELDS != target.DEFAULT_FIELDS
            and "litrev" not in {source.name, target.name}):
        result.warnings.append(TranslationWarning(
            "default fields",
            f"words without a field search {source.name}'s default ({source.DEFAULT_FIELDS}) "
            f"but {target.name}'s default ({target.DEFAULT_FIELDS})"))
    hyphenated = hyphenated_words(query.root)
    if hyphenated and _hyphen_rule(source.name) != _hyphen_rule(target.name):
        # Cochrane keeps a hyphen inside the word, the others read it as a space: the same
        # text then finds different records ("co production" is lost or gained).
        result.warnings.append(TranslationWarning(
            "hyphen",
            f"{', '.join(hyphenated)}: {source.name} reads a hyphen as "
            f"{_HYPHEN_WORDS[_hyphen_rule(source.name)]}, {target.name} as "
            f"{_HYPHEN_WORDS[_hyphen_rule(target.name)]}; the spaced form (e.g. "
            f"'{hyphenated[0].replace('-', ' ')}') is matched by only one of them: add it "
            f"explicitly (Cochrane: {hyphenated[0].replace('-', ' NEXT ')})"))
    return result


_HYPHEN_WORDS = {"split": "a space", "char": "part of the word"}


def _hyphen_rule(dialect: str) -> str:
    from litrev.search.text import DIALECT_RULES

    rules = DIALECT_RULES.get(dialect)
    return rules.hyphen if rules is not None else "split"



def _has_default_fields(node: Node) -> bool:
    from litrev.search.ast import normalize
    from litrev.search.dialects.generator import leaf_fields

    return None in leaf_fields(normalize(node))
