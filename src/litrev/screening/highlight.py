"""Terms to highlight while screening, taken from the protocol's search strategy or given.

Terms use litrev's wildcard notation (`*` any letters, `?` one, `%` zero or one). Terms under
a NOT are returned separately so a screener can mark them differently (they flag records the
search meant to leave out).

>>> positive, negative = terms_from_text('(co-produc* OR codesign*) AND NOT (engineer* OR "brand")')
>>> positive, negative
(['co-produc*', 'codesign*'], ['engineer*', 'brand'])
>>> [m.group() for m in compile_terms(positive).finditer("Co-production and co produced codesigns")]
['Co-production', 'co produced', 'codesigns']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from litrev.search.ast import Fielded, Near, Node, Not, Phrase, Query, Term

_OPERATORS = {"and", "or", "not", "near", "adj", "same", "with"}
_TOKEN = re.compile(r'"[^"]*"|“[^”]*”|\(|\)|[^\s()"“”]+')
_FIELD_TAG = re.compile(r"^(ti|ab|kw|tiab|su|mh|tw|title-abs(-key)?|all)$", re.IGNORECASE)


def _clean(word: str) -> str:
    word = re.sub(r"\[[^\]]*\]$", "", word)  # PubMed [Title/Abstract]
    word = re.sub(r":[a-z,]+$", "", word)  # Cochrane :ti,ab,kw
    return word.strip("“”\"'.,;")


def _add(target: list[str], term: str) -> None:
    if term and term.casefold() not in {t.casefold() for t in target}:
        target.append(term)


def terms_from_text(text: str) -> tuple[list[str], list[str]]:
    """Words and phrases of a Boolean search string, without operators and field tags:
    (terms to look for, terms under NOT). Works on any database's syntax, roughly."""
    positive: list[str] = []
    negative: list[str] = []
    depth = 0
    negated_depth: int | None = None  # the parenthesis depth a NOT applies to
    pending_not = False
    for token in _TOKEN.findall(text.replace("’", "'")):
        low = token.lower()
        if token == "(":
            depth += 1
            if pending_not:
                negated_depth, pending_not = depth, False
            continue
        if token == ")":
            if negated_depth == depth:
                negated_depth = None
            depth -= 1
            continue
        if low in _OPERATORS or re.fullmatch(r"(w|pre|near|adj)/?\d+", low):
            pending_not = pending_not or low == "not"
            continue
        word = _clean(token)
        if token.startswith(("“", '"')):
            word = token.strip('“”"').strip()
        if not word or _FIELD_TAG.match(word) or word.lower() == "search":
            continue
        negated = negated_depth is not None or pending_not
        _add(negative if negated else positive, word)
        pending_not = False
    return positive, negative


def terms_from_query(node: Node | Query) -> tuple[list[str], list[str]]:
    """Terms and phrases of a parsed query tree: (terms to look for, terms under NOT)."""
    positive: list[str] = []
    negative: list[str] = []

    def walk(n: Node, negated: bool) -> None:
        target = negative if negated else positive
        if isinstance(n, Term):
            _add(target, n.text)
        elif isinstance(n, Phrase):
            _add(target, " ".join(n.words))
        elif isinstance(n, Not):
            walk(n.include, negated)
            walk(n.exclude, not negated)
        elif isinstance(n, Fielded):
            walk(n.child, negated)
        elif isinstance(n, Near) or hasattr(n, "children"):
            for child in getattr(n, "children", ()):
                walk(child, negated)

    walk(node.root if isinstance(node, Query) else node, False)
    return positive, negative


def protocol_terms(protocol: Any) -> tuple[list[str], list[str]]:
    """Highlight terms from a protocol: the first database strategy its dialect can parse,
    else the generic search string. Returns ([], []) when the protocol has no search."""
    from litrev.search.dialects import get_dialect

    for search in getattr(protocol, "searches", None) or []:
        if not (search.strategy and search.dialect):
            continue
        try:
            return terms_from_query(get_dialect(search.dialect).parse(search.strategy))
        except Exception:  # any dialect failure falls back to the plain reading
            continue
    search = getattr(protocol, "search", None)
    canonical = getattr(search, "canonical", "") or ""
    if canonical.strip():
        # The strategy in litrev's own dialect, from which each database's is generated.
        try:
            return terms_from_query(get_dialect("litrev").parse(canonical))
        except Exception:  # an unparsable canonical string is still read plainly
            return terms_from_text(canonical)
    generic = getattr(search, "generic", "") or ""
    return terms_from_text(generic)


def _term_regex(term: str) -> str:
    parts = []
    for word in term.split():
        piece = ""
        for ch in word:
            if ch == "*":
                piece += r"[\w'-]*"
            elif ch == "?":
                piece += r"\w"
            elif ch == "%":
                piece += r"\w?"
            elif ch == "-":
                piece += r"[-\s]?"  # co-design matches co-design, co design and codesign
            else:
                piece += re.escape(ch)
        parts.append(piece)
    # Lookarounds rather than \b: a term that starts or ends with punctuation ("c++", "(a")
    # has no word boundary there and would never match.
    return r"(?<!\w)" + r"\s+".join(parts) + (r"" if term.endswith("*") else r"(?!\w)")


def compile_terms(terms: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive pattern matching any of the terms (longest first).
    With no terms, a pattern that never matches."""
    regexes = [
        _term_regex(t) for t in sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    ]
    if not regexes:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{r})" for r in regexes), re.IGNORECASE)


# Kinds of marks, in the order they win where two match at the same place: a word the
# protocol says suggests exclusion is the one a screener most needs to see.
MARK_KINDS = ("exclude", "include", "strategy")


@dataclass(frozen=True)
class Marker:
    """Finds the words to mark in a record's text: the protocol's `highlight_include` and
    `highlight_exclude` lists and the search strategy's terms (`protocol_terms`).

    >>> m = Marker.of(["telemonitor*"], ["child*"], ["heart failure"])
    >>> m.spans("Telemonitoring of children with heart failure")
    [(0, 14, 'include'), (18, 26, 'exclude'), (32, 45, 'strategy')]
    """

    pattern: re.Pattern[str]

    @classmethod
    def of(
        cls, include: Iterable[str], exclude: Iterable[str], strategy: Iterable[str] = ()
    ) -> Marker:
        groups = {"include": include, "exclude": exclude, "strategy": strategy}
        parts = [f"(?P<{kind}>{compile_terms(groups[kind]).pattern})" for kind in MARK_KINDS]
        return cls(re.compile("|".join(parts), re.IGNORECASE))

    @classmethod
    def from_protocol(cls, protocol: Any) -> Marker:
        """The marks a protocol asks for: `[screening] highlight_include/exclude` and the
        strategy's terms (terms under a NOT count as exclusion marks)."""
        screening = getattr(protocol, "screening", None)
        positive, negative = protocol_terms(protocol)
        include = list(getattr(screening, "highlight_include", None) or [])
        exclude = list(getattr(screening, "highlight_exclude", None) or []) + negative
        return cls.of(include, exclude, positive)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, kind) of each marked stretch of `text`, left to right, never
        overlapping; kind is one of `MARK_KINDS`."""
        found = []
        for match in self.pattern.finditer(text or ""):
            if match.end() > match.start() and match.lastgroup:
                found.append((match.start(), match.end(), match.lastgroup))
        return found

    def pieces(self, text: str) -> list[tuple[str, str | None]]:
        """`text` cut into (piece, kind or None) in order; joined, the pieces give `text`.

        >>> Marker.of(["care"], []).pieces("Home care")
        [('Home ', None), ('care', 'include')]
        """
        out: list[tuple[str, str | None]] = []
        at = 0
        for start, end, kind in self.spans(text):
            if start > at:
                out.append((text[at:start], None))
            out.append((text[start:end], kind))
            at = end
        if at < len(text or ""):
            out.append((text[at:], None))
        return out
