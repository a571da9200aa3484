"""A query tree turned into an executable plan for one dialect's matching rules.

The plan resolves what the tree leaves to the dialect: default fields, hyphen tokenisation of
each word, wildcard patterns. `evaluate` runs it over records in Python and `compile` turns it
into SQLite FTS5 MATCH expressions, so both execute the very same plan.

* Terms and phrases become a `Seq` of word patterns searched in a set of record columns.
* A `Heading` becomes a `Seq` over the keywords column (no thesaurus: not exploded).
* `Near` keeps only positional operands (`Seq`, `Or` of them, `Near`): an AND or NOT inside a
  proximity is distributed, `a NEAR (b AND c)` = `(a NEAR b) AND (a NEAR c)`.

>>> from litrev.search.ast import Term
>>> plan(Term("co-produc*"), rules_for("scopus"))
Seq(words=(WordPattern(text='co', max_extra=None), WordPattern(text='produc*', max_extra=None)), \
columns=frozenset({...}), label='co-produc*')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from litrev.search.ast import (
    And,
    Fielded,
    Fields,
    Heading,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    normalize,
)
from litrev.search.text import MatchRules, columns_of, query_words, rules_for

__all__ = ["PAnd", "PNear", "PNot", "POr", "Plan", "Seq", "WordPattern", "plan", "rules_for"]

_WILD = re.compile(r"[*?%]")


@dataclass(frozen=True)
class WordPattern:
    """One folded query word in litrev wildcards (`*` any run, `?` one char, `%` zero or one).

    >>> WordPattern("wom?n").matches("women"), WordPattern("gene*", 2).matches("genetic")
    (True, False)
    """

    text: str
    max_extra: int | None = None

    @cached_property
    def literal_prefix(self) -> str:
        """The characters before the first wildcard."""
        found = _WILD.search(self.text)
        return self.text if found is None else self.text[: found.start()]

    @cached_property
    def kind(self) -> str:
        """`exact` (no wildcard), `prefix` (one trailing `*` only) or `regex`."""
        if not _WILD.search(self.text):
            return "exact"
        if self.max_extra is None and self.text.endswith("*") and not _WILD.search(self.text[:-1]):
            return "prefix" if self.text[:-1] else "regex"
        return "regex"

    @cached_property
    def regex(self) -> re.Pattern[str]:
        parts: list[str] = []
        for i, ch in enumerate(self.text):
            if ch == "*":
                last = i == len(self.text) - 1
                bounded = last and self.max_extra is not None
                parts.append(f".{{0,{self.max_extra}}}" if bounded else ".*")
            elif ch == "?":
                parts.append(".")
            elif ch == "%":
                parts.append(".?")
            else:
                parts.append(re.escape(ch))
        return re.compile("".join(parts), re.DOTALL)

    def matches(self, word: str) -> bool:
        kind = self.kind
        if kind == "exact":
            return word == self.text
        if kind == "prefix":
            return word.startswith(self.literal_prefix)
        return self.regex.fullmatch(word) is not None

    def may_share_word(self, other: WordPattern) -> bool:
        """False only if no word can match both patterns (used to prove NEAR exact in FTS5)."""
        a, b = self.kind, other.kind
        if a == "exact" and b == "exact":
            return self.text == other.text
        if a == "exact" and b == "prefix":
            return self.text.startswith(other.literal_prefix)
        if a == "prefix" and b == "exact":
            return other.text.startswith(self.literal_prefix)
        if a == "prefix" and b == "prefix":
            x, y = self.literal_prefix, other.literal_prefix
            return x.startswith(y) or y.startswith(x)
        return True


@dataclass(frozen=True)
class Seq:
    """Consecutive words (a term cut by the dialect's tokenizer, or a phrase) in `columns`."""

    words: tuple[WordPattern, ...]
    columns: frozenset[str]
    label: str = field(default="", compare=False)


@dataclass(frozen=True)
class POr:
    children: tuple[Plan, ...]


@dataclass(frozen=True)
class PAnd:
    children: tuple[Plan, ...]


@dataclass(frozen=True)
class PNot:
    include: Plan
    exclude: Plan


@dataclass(frozen=True)
class PNear:
    """Operands within `distance` words. Unordered: each operand ends at most `distance` words
    before the last-starting one begins, and no two operands share a word. Ordered: each
    operand starts after the previous one ends, at most `distance` words after it."""

    children: tuple[Plan, ...]
    distance: int
    ordered: bool


Plan = Seq | POr | PAnd | PNot | PNear


def is_positional(p: Plan) -> bool:
    """True if `p` yields word positions (and so can be an operand of a proximity)."""
    if isinstance(p, Seq | PNear):
        return True
    if isinstance(p, POr):
        return all(is_positional(c) for c in p.children)
    return False


def plan(node: Node, rules: MatchRules) -> Plan:
    """Resolve a query tree into a plan under one dialect's matching rules."""
    return _plan(normalize(node), rules)


def _seq(
    texts: list[str],
    fields: Fields | None,
    rules: MatchRules,
    label: str,
    max_extra: int | None,
) -> Seq:
    cols = columns_of(fields if fields is not None else rules.default_fields)
    found: list[str] = []
    for text in texts:
        found.extend(query_words(text, rules.hyphen))
    patterns = [WordPattern(w) for w in found]
    if patterns and max_extra is not None and patterns[-1].text.endswith("*"):
        patterns[-1] = WordPattern(patterns[-1].text, max_extra)
    return Seq(tuple(patterns), cols, label)


def _plan(node: Node, rules: MatchRules) -> Plan:
    if isinstance(node, Term):
        return _seq([node.text], node.fields, rules, node.text, node.max_extra)
    if isinstance(node, Phrase):
        label = '"' + " ".join(node.words) + '"'
        return _seq(list(node.words), node.fields, rules, label, None)
    if isinstance(node, Heading):
        seq = _seq([node.term], frozenset(), rules, f"[{node.vocabulary}] {node.term}", None)
        return Seq(seq.words, frozenset({"keywords"}), seq.label)
    if isinstance(node, Fielded):
        return _plan(normalize(node), rules)
    if isinstance(node, And):
        return PAnd(tuple(_plan(c, rules) for c in node.children))
    if isinstance(node, Or):
        return POr(tuple(_plan(c, rules) for c in node.children))
    if isinstance(node, Not):
        return PNot(_plan(node.include, rules), _plan(node.exclude, rules))
    if isinstance(node, Near):
        operands = tuple(_plan(c, rules) for c in node.children)
        return _near(operands, node.distance, node.ordered)
    raise TypeError(f"not a search node: {node!r}")


def _near(operands: tuple[Plan, ...], distance: int, ordered: bool) -> Plan:
    """Build a proximity, distributing AND/NOT operands so every operand is positional."""
    for i, op in enumerate(operands):
        if is_positional(op):
            continue
        before, after = operands[:i], operands[i + 1 :]
        if isinstance(op, PAnd):
            return PAnd(tuple(_near((*before, c, *after), distance, ordered) for c in op.children))
        if isinstance(op, PNot):
            return PNot(_near((*before, op.include, *after), distance, ordered), op.exclude)
        if isinstance(op, POr):  # an OR holding an AND or NOT: distribute over its children
            return POr(tuple(_near((*before, c, *after), distance, ordered) for c in op.children))
    return PNear(operands, distance, ordered)
