"""How record text and query words are cut into words, per dialect: the shared ground of
`evaluate` (pure Python) and `compile` (SQLite FTS5), so both see exactly the same words.

A word is a run of Unicode letters and digits (with their combining marks). Dialects differ on
hyphens and apostrophes (`MatchRules.hyphen`):

* ``"split"`` (Scopus, EBSCOhost, Ovid and, by assumption, the rest): a hyphen is a space, so
  ``co-production`` is the two words ``co production`` and the query word ``co-produc*`` is the
  phrase ``co produc*`` (finds "co-production" and "co production", not "coproduction").
* ``"char"`` (Cochrane): hyphens and apostrophes between letters are part of the word, so
  ``co-production`` is one word and ``co-produc*`` does not find "co production".

Words are compared case-insensitively and without diacritics (``Ménière`` = ``meniere``).

>>> [w.norm for w in words("Co-production in Ménière's care", "split")]
['co', 'production', 'in', 'meniere', 's', 'care']
>>> [w.norm for w in words("Co-production in Ménière's care", "char")]
['co-production', 'in', "meniere's", 'care']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, NamedTuple

from litrev.search.ast import TI_AB, TI_AB_KW, Field, Fields

Hyphen = Literal["split", "char"]

_LETTER = r"(?:[^\W_]|[\u0300-\u036f])"
_JOIN = "['\\-\u2010\u2011\u2019]"
_WORD_RE = {
    "split": re.compile(f"{_LETTER}+"),
    "char": re.compile(f"{_LETTER}+(?:{_JOIN}{_LETTER}+)*"),
}
# The same for lower-cased ASCII text, much faster than the Unicode classes above.
_ASCII_WORD_RE = {
    "split": re.compile(r"[a-z0-9]+"),
    "char": re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*"),
}
# Query words may also hold litrev's wildcards (`*`, `?`, `%`).
_QLETTER = r"(?:[^\W_]|[\u0300-\u036f*?%])"
_QUERY_WORD_RE = {
    "split": re.compile(f"{_QLETTER}+"),
    "char": re.compile(f"{_QLETTER}+(?:{_JOIN}{_QLETTER}+)*"),
}
_FOLD = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2019": "'"})
# Compatibility decomposition can turn a letter into ASCII punctuation ("⑴" -> "(1)"); such
# punctuation is dropped so that a folded word is always one word for SQLite FTS5 too.
_ASCII_JUNK = {
    "split": re.compile(r"[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]"),
    "char": re.compile(r"[\x00-\x26\x28-\x2c\x2e\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]"),
}
_QUERY_JUNK = {
    "split": re.compile(r"[\x00-\x24\x26-\x29\x2b-\x2f\x3a-\x3e\x40\x5b-\x60\x7b-\x7f]"),
    "char": re.compile(r"[\x00-\x24\x26\x28\x29\x2b\x2c\x2e\x2f\x3a-\x3e\x40\x5b-\x60\x7b-\x7f]"),
}


class Word(NamedTuple):
    """One word of a text: its folded form and its character span in the original text."""

    norm: str
    start: int
    end: int


def fold(word: str) -> str:
    """Lower-case a word and strip its diacritics: the form words are compared in.

    >>> fold("Ménière’s")
    "meniere's"
    """
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.translate(_FOLD))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped.casefold())


def words(text: str, hyphen: Hyphen) -> list[Word]:
    """Cut `text` into words under a dialect's hyphen rule (see the module docstring)."""
    out = []
    for m in _WORD_RE[hyphen].finditer(text):
        norm = fold(m.group())
        if not norm.isalnum():
            norm = _ASCII_JUNK[hyphen].sub("", norm)
        if norm:
            out.append(Word(norm, m.start(), m.end()))
    return out


def norms(text: str, hyphen: Hyphen) -> list[str]:
    """The folded words of `text` only (no spans): `[w.norm for w in words(text, hyphen)]`,
    fast for ASCII text, which lower-cases without changing where words start and end.

    >>> norms("Co-Design", "split"), norms("Co-Design", "char")
    (['co', 'design'], ['co-design'])
    """
    if text.isascii():
        return _ASCII_WORD_RE[hyphen].findall(text.lower())
    return [w.norm for w in words(text, hyphen)]


def query_words(text: str, hyphen: Hyphen) -> list[str]:
    """Cut a query word or phrase into folded words, keeping wildcards attached.

    >>> query_words("Co-produc*", "split"), query_words("Co-produc*", "char")
    (['co', 'produc*'], ['co-produc*'])
    """
    junk = _QUERY_JUNK[hyphen]
    found = (junk.sub("", fold(m.group())) for m in _QUERY_WORD_RE[hyphen].finditer(text))
    return [w for w in found if w]


@dataclass(frozen=True)
class MatchRules:
    """How a dialect's database matches text, as far as litrev can reproduce it locally.

    `default_fields` are searched by a term written without a field tag; `note` says what the
    local evaluation cannot reproduce for this database. Wildcards always mean what the tree
    says: a dialect that ignores them inside quotes (Cochrane) must say so when parsing.
    """

    hyphen: Hyphen
    default_fields: Fields
    note: str = ""


_ALL: Fields = frozenset({Field.ALL})
_STEM = "stemming/lemmatisation is on by default there and is not emulated (fewer local hits)"

# Defaults follow shared/reference/search-syntax.md; rules marked UNVERIFIED there are
# assumptions: pass your own `MatchRules` to `evaluate`/`search_store` to change them.
DIALECT_RULES: dict[str, MatchRules] = {
    "litrev": MatchRules("split", _ALL, note="canonical form: no database behaviour to emulate"),
    "pubmed": MatchRules(
        "split",
        _ALL,
        note="Automatic Term Mapping, MeSH explosion and the phrase index are not emulated; "
        "hyphen handling is an assumption (UNVERIFIED)",
    ),
    "ovid": MatchRules(
        "split",
        frozenset({Field.TITLE, Field.ABSTRACT, Field.KEYWORDS, Field.SUBJECT}),
        note="default fields are .mp. approximated as title, abstract, keywords, headings",
    ),
    "ebsco": MatchRules(
        "split",
        frozenset({Field.TITLE, Field.ABSTRACT, Field.KEYWORDS, Field.SUBJECT, Field.AUTHOR}),
        note="the default field set is an approximation of EBSCOhost's 'Select a field'",
    ),
    "proquest": MatchRules("split", _ALL, note=f"{_STEM}; hyphen rule UNVERIFIED"),
    "scopus": MatchRules("split", _ALL, note=f"{_STEM}; loose phrases also ignore punctuation"),
    "wos": MatchRules("split", TI_AB_KW, note=f"{_STEM}; hyphen rule for Topic UNVERIFIED"),
    "cochrane": MatchRules(
        "char",
        _ALL,
        note="hyphens and apostrophes are word characters; 'all text' approximated by title, "
        "abstract, keywords, authors, journal",
    ),
    "embase": MatchRules(
        "split", _ALL, note="Emtree mapping and explosion are not emulated; hyphen rule UNVERIFIED"
    ),
    "europepmc": MatchRules("split", _ALL, note="hyphen and wildcard rules UNVERIFIED"),
    "openalex": MatchRules(
        "split", TI_AB, note=f"{_STEM} (Kstem); full text is not available locally"
    ),
}

# The columns a record's text is cut into, and the fields each tag searches.
COLUMNS: tuple[str, ...] = (
    "title",
    "abstract",
    "keywords",
    "authors",
    "journal",
    "pubtype",
    "language",
)
MULTI_VALUED = frozenset({"keywords", "authors"})
FIELD_COLUMNS: dict[Field, frozenset[str]] = {
    Field.TITLE: frozenset({"title"}),
    Field.ABSTRACT: frozenset({"abstract"}),
    Field.KEYWORDS: frozenset({"keywords"}),
    # Records carry no separate subject-heading field: headings arrive among the keywords.
    Field.SUBJECT: frozenset({"keywords"}),
    Field.ALL: frozenset({"title", "abstract", "keywords", "authors", "journal"}),
    Field.TEXT_WORD: frozenset({"title", "abstract", "keywords"}),
    Field.AUTHOR: frozenset({"authors"}),
    Field.JOURNAL: frozenset({"journal"}),
    Field.AFFILIATION: frozenset(),  # not in the record model: never matches locally
    Field.PUBLICATION_TYPE: frozenset({"pubtype"}),
    Field.LANGUAGE: frozenset({"language"}),
    # Index fields records do not carry: never match locally (as affiliation).
    Field.SUBHEADING: frozenset(),
    Field.SUBSTANCE: frozenset(),
    Field.PHARMACOLOGICAL_ACTION: frozenset(),
    Field.ORIGINAL_TITLE: frozenset(),
    Field.COMMENTS: frozenset(),
    Field.ENTRY_DATE: frozenset(),
    Field.SUBSET: frozenset(),
    Field.PUBLICATION_DATE: frozenset(),
    Field.HEADING_WORD: frozenset({"keywords"}),  # headings arrive among the keywords
}


def rules_for(dialect: str) -> MatchRules:
    """The matching rules of a dialect; raises `ValueError` naming the known dialects."""
    try:
        return DIALECT_RULES[dialect]
    except KeyError:
        known = ", ".join(sorted(DIALECT_RULES))
        raise ValueError(f"unknown dialect {dialect!r}; expected one of: {known}") from None


def columns_of(fields: Fields) -> frozenset[str]:
    """The record columns a set of fields searches.

    >>> sorted(columns_of(TI_AB))
    ['abstract', 'title']
    """
    out: set[str] = set()
    for f in fields:
        out |= FIELD_COLUMNS[f]
    return frozenset(out)


def column_values(record: object, column: str) -> list[str]:
    """The text values of one column of a `Record` (several for keywords and authors)."""
    attr = {"pubtype": "publication_type", "authors": "authors", "keywords": "keywords"}.get(
        column, column
    )
    value = getattr(record, attr, None)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [str(value)] if value else []
