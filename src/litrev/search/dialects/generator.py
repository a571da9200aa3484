"""The generator every dialect specialises: tree -> text, with the parentheses that keep
the meaning and a warning for every construct the target cannot say exactly.

Policy: any AND/OR/NOT or proximity inside another operator is parenthesised, whatever the
dialect's precedence, so the text means the same under every reading of its rules. A
construct the target lacks is rewritten equivalently where possible (a phrase holding
wildcards as an ordered adjacency chain, `%` as both spellings, OR inside proximity
distributed) and otherwise written as the nearest wider form with a `TranslationWarning`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from litrev.search.ast import (
    And,
    Field,
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
    normalize,
)
from litrev.search.dialects.limits import format_limit_line, limit_loss

if TYPE_CHECKING:
    from litrev.search.dialects.base import Dialect


@dataclass(frozen=True)
class TranslationWarning:
    """What a generated text lost or changed, and where (the node and its source position)."""

    construct: str  # "proximity", "field", "wildcard", "phrase", "heading", "limit", ...
    message: str
    node: str = ""
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}: " if self.line else ""
        subject = f" [{self.node}]" if self.node else ""
        return f"{where}{self.construct}: {self.message}{subject}"


def field_names(fields: Fields | None) -> str:
    if fields is None:
        return "default fields"
    return "/".join(sorted(f.value for f in fields))


def strip_fields(node: Node) -> Node:
    """The same tree with every leaf on the default fields (for tagging a group once)."""
    if isinstance(node, Term | Phrase):
        return replace(node, fields=None)
    if isinstance(node, And | Or):
        return type(node)(tuple(strip_fields(c) for c in node.children), span=node.span)
    if isinstance(node, Not):
        return Not(strip_fields(node.include), strip_fields(node.exclude), span=node.span)
    if isinstance(node, Near):
        return Near(tuple(strip_fields(c) for c in node.children), node.distance, node.ordered,
                    span=node.span)
    return node


def leaf_fields(node: Node) -> set[Fields | None]:
    # Remembered per node (trees are immutable): the generator asks at every level, which
    # walked each subtree once per ancestor (quadratic in the depth of line references).
    known = node.__dict__.get("_leaf_fields")
    if known is None:
        known = frozenset(_leaf_fields(node))
        node.__dict__["_leaf_fields"] = known
    return set(known)


def _leaf_fields(node: Node) -> set[Fields | None]:
    if isinstance(node, Term | Phrase):
        return {node.fields}
    if isinstance(node, Heading):
        return {frozenset()}  # a heading takes no field tag: never factor a tag over it
    if isinstance(node, Not):
        return leaf_fields(node.include) | leaf_fields(node.exclude)
    if isinstance(node, And | Or | Near):
        return set().union(*(leaf_fields(c) for c in node.children))
    return {None}


_QUOTES = {q: re.compile("[" + q + "]") for q in ("\"", "\"'")}
_JUMPS = {q: re.compile("[()" + q + "]") for q in ("\"", "\"'")}
_PLAIN = {q: re.compile(r"[^()\s" + q + "]+") for q in ("\"", "\"'")}


class Generator:
    OPS: ClassVar[dict[str, str]] = {"AND": "AND", "OR": "OR", "NOT": "NOT"}
    KEYWORDS: ClassVar[frozenset[str]] = frozenset({"AND", "OR", "NOT", "NEAR"})
    FIELDS: ClassVar[dict[Fields, str]] = {}
    GROUP_FIELDS: ClassVar[bool] = True  # a field tag may follow/precede a parenthesised group
    QUOTE: ClassVar[str] = '"'
    PHRASE_WILDCARDS: ClassVar[bool] = True
    LEADING_WILDCARD: ClassVar[bool] = True
    BOUNDED: ClassVar[str | None] = None  # format of a bounded truncation, e.g. "{stem}${n}"
    BOOLEAN_IN_NEAR: ClassVar[bool] = True  # may a proximity operand hold OR?
    AND_IN_NEAR: ClassVar[bool] = True  # may it hold AND/NOT?
    LIMIT_STYLE: ClassVar[str] = "generic"
    NEAR_WORD: ClassVar[re.Pattern[str]] = re.compile(r"(?i)(NEAR|NEXT|W|PRE|ADJ|N)/?\d*")

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.warnings: list[TranslationWarning] = []

    # -- entry -----------------------------------------------------------------------
    def generate(self, query: Query | Node) -> str:
        if isinstance(query, Node):
            query = Query(query)
        root = normalize(query.root)
        if self.dialect.options.get("numbered"):
            return self.numbered(root, query.limits)
        return self.with_limits(self.expr(root), query.limits)

    def numbered(self, root: Node, limits: tuple[Limit, ...]) -> str:
        """One numbered search line per concept, then a line combining them (option
        `numbered=True`): `1 (a or b).ti,ab.`, `2 c.ti.`, `3 1 and 2`."""
        ref = self.dialect.REF_FORMAT
        lines: list[str] = []

        def line(node: Node) -> str:
            lines.append(self.expr(node))
            return ref.format(n=len(lines))

        if isinstance(root, Not):
            include = root.include.children if isinstance(root.include, And) else (
                root.include,)
            kept = [line(c) for c in include]
            dropped = line(root.exclude)
            joined = f" {self.OPS['AND']} ".join(kept)
            final = f"({joined}) {self.OPS['NOT']} {dropped}" if len(kept) > 1 else (
                f"{joined} {self.OPS['NOT']} {dropped}")
        elif isinstance(root, And):
            final = f" {self.OPS['AND']} ".join(line(c) for c in root.children)
        else:
            final = ""
            line(root)
        if final:
            lines.append(final)
        text = "\n".join(f"{ref.format(n=i)} {t}" for i, t in enumerate(lines, 1))
        return self.with_limits(text, limits)

    def warn(self, construct: str, message: str, node: Node | None = None) -> None:
        from litrev.search.dialects import get_dialect

        shown = ""
        if node is not None:
            try:
                shown = get_dialect("litrev").generator().expr(normalize(node))
            except Exception:  # the canonical form can say anything; never fail a warning
                shown = repr(node)
        span = node.span if node is not None else None
        w = TranslationWarning(construct, f"{self.dialect.name}: {message}", shown,
                               *(span or (None, None)))
        if w not in self.warnings:
            self.warnings.append(w)

    # -- structure -------------------------------------------------------------------
    def expr(self, node: Node) -> str:
        fields = leaf_fields(node)
        if (self.GROUP_FIELDS and isinstance(node, Or | Near) and len(fields) == 1
                and (only := next(iter(fields)))):
            codes = self.express(only, node, quiet=True)
            if len(codes) > 1 and not _disjunctive(node):
                if isinstance(node, Near):
                    return self.near_in_one_code(node, only)
                return self.bare(node)  # TI (a AND b) OR AB (a AND b) would be narrower
            codes = self.express(only, node)
            if codes:
                inner = self.bare(strip_fields(node))
                tagged = [self.tag_group(inner, code) for code in codes]
                return f" {self.OPS['OR']} ".join(tagged)
        return self.bare(node)

    def near_in_one_code(self, node: Near, fields: Fields) -> str:
        """A proximity over a field set no one code covers, whose operands hold AND: it
        cannot be split by field, and tags on its operands would put the operator between
        field-tagged groups (Web of Science, EBSCO reject that), so it is written under the
        narrowest one code covering the fields, with a warning (wider)."""
        wider = sorted((fs for fs in self.FIELDS if fs >= fields), key=len)
        if not wider:
            self.warn("field", f"a proximity holding AND cannot be split by field and no code "
                      f"covers {field_names(fields)}; written without a field, so it searches "
                      "the default fields (wider)", node)
            return self.bare(strip_fields(node))
        code = self.FIELDS[wider[0]]
        self.warn("field", f"a proximity holding AND cannot be split by field and no code "
                  f"searches exactly {field_names(fields)}; searched {code} "
                  f"({field_names(wider[0])}) instead (wider)", node)
        return self.tag_group(self.bare(strip_fields(node)), code)

    def wrap(self, node: Node) -> str:
        text = self.expr(node)
        return text if self.atomic(node, text) else f"({text})"

    def atomic(self, node: Node, text: str) -> bool:
        """No operator outside parentheses and quotes: safe to use as an operand as is.

        Jumps from one quote or parenthesis to the next inside groups (the text of a group
        can hold a whole strategy, and every level of nesting is checked), reading words
        only at the top level.
        """
        quotes = "\"'" if self.QUOTE == "'" else '"'
        inside = _JUMPS[quotes]  # next quote or parenthesis
        plain = _PLAIN[quotes]  # a run of ordinary characters
        s = text + " "
        depth, quoted, pos = 0, False, 0
        word: list[str] = []
        words: list[str] = []
        while pos < len(s):
            if quoted or depth:
                m = (_QUOTES[quotes] if quoted else inside).search(s, pos)
                if m is None:
                    break
                ch, pos = m.group(), m.end()
                if ch in quotes:
                    quoted = not quoted
                elif not quoted:
                    depth += 1 if ch == "(" else -1
                if depth == 0 and not quoted:
                    word.append(ch)
                continue
            ch = s[pos]
            if ch in quotes:
                quoted = True
            elif ch in "()":
                depth += 1 if ch == "(" else -1
                if depth == 0:
                    word.append(ch)
            elif ch.isspace():
                words.append("".join(word))
                word = []
            else:
                m = plain.match(s, pos)
                assert m is not None
                word.append(m.group())
                pos = m.end()
                continue
            pos += 1
        return not any(self.is_operator_word(w.strip("()")) for w in words if w)

    def is_operator_word(self, word: str) -> bool:
        ops = {w for v in self.OPS.values() for w in v.split()}
        return word in ops or bool(self.NEAR_WORD.fullmatch(word))

    def bare(self, node: Node) -> str:
        if isinstance(node, And):
            return f" {self.OPS['AND']} ".join(self.wrap(c) for c in node.children)
        if isinstance(node, Or):
            return f" {self.OPS['OR']} ".join(self.wrap(c) for c in node.children)
        if isinstance(node, Not):
            return f"{self.wrap(node.include)} {self.OPS['NOT']} {self.wrap(node.exclude)}"
        if isinstance(node, Near):
            return self.near(node)
        if isinstance(node, Heading):
            return self.heading(node)
        if isinstance(node, Term | Phrase):
            return self.leaf(node)
        raise TypeError(f"cannot generate {node!r}")

    # -- fields ----------------------------------------------------------------------
    def express(self, fields: Fields, node: Node | None, quiet: bool = False) -> list[str]:
        """Codes whose OR searches exactly `fields`; else the nearest code, with a warning."""
        if fields in self.FIELDS:
            return [self.FIELDS[fields]]
        inside = sorted((fs for fs in self.FIELDS if fs <= fields), key=len, reverse=True)
        chosen: list[Fields] = []
        covered: set[Field] = set()
        for fs in inside:
            if not fs <= covered:
                chosen.append(fs)
                covered |= fs
        if covered == fields:
            return [self.FIELDS[fs] for fs in chosen]
        wider = sorted((fs for fs in self.FIELDS if fs >= fields), key=len)
        if wider:
            if not quiet:
                self.warn("field", f"cannot search exactly {field_names(fields)}; searched "
                          f"{field_names(wider[0])} instead (wider)", node)
            return [self.FIELDS[wider[0]]]
        if chosen:
            if not quiet:
                self.warn("field", f"cannot search {field_names(fields - covered)}; searched "
                          f"{field_names(frozenset(covered))} only (narrower)", node)
            return [self.FIELDS[fs] for fs in chosen]
        if not quiet:
            self.warn("field", f"cannot search {field_names(fields)}; searched the default "
                      "fields instead", node)
        return []

    def tag_leaf(self, text: str, code: str) -> str:
        return self.tag_group(text, code)

    def tag_group(self, text: str, code: str) -> str:
        return f"({text}){code}"

    # -- leaves ----------------------------------------------------------------------
    def leaf(self, node: Term | Phrase) -> str:
        words = [node.text] if isinstance(node, Term) else list(node.words)
        if (any("%" in w for w in words) and self.dialect.WILDCARDS.get("%") is None
                and self.dialect.WILDCARDS.get("?")):
            return self.expand_optional(node)
        if isinstance(node, Phrase) and not self.PHRASE_WILDCARDS and any(
                _has_wildcard(w) for w in words):
            chain = self.adjacent_chain(node)
            if chain is not None:
                return chain
            self.warn("phrase", "wildcards inside a phrase are not supported; written as is",
                      node)
        if isinstance(node, Term):
            text = self.word(node)
        else:
            text = self.phrase_text([self.spell(Term(w), node) for w in words], node)
        if node.fields is None:
            return text
        codes = self.express(node.fields, node)
        if not codes:
            return text
        tagged = [self.tag_leaf(text, c) for c in codes]
        return tagged[0] if len(tagged) == 1 else "(" + f" {self.OPS['OR']} ".join(tagged) + ")"

    def quote(self, text: str) -> str:
        return f"{self.QUOTE}{text}{self.QUOTE}"

    def phrase_text(self, words: list[str], node: Node) -> str:
        inner = " ".join(words)
        for quote in dict.fromkeys((self.QUOTE, '"')):
            if quote not in inner and self._reads_back(f"{quote}{inner}{quote}", None):
                return f"{quote}{inner}{quote}"
        self.warn("phrase", "the phrase holds a character this dialect cannot quote; "
                  "written as is", node)
        return self.quote(inner)

    def word(self, term: Term, where: Node | None = None) -> str:
        """A standalone word, quoted when this dialect would read it otherwise."""
        where = where or term
        text = self.spell(term, where)
        if term.text.upper() in self.KEYWORDS:
            return self.quote(text)
        if self._reads_back(text, term):
            return text
        for quote in dict.fromkeys((self.QUOTE, '"')):
            quoted = f"{quote}{text}{quote}"
            if self._reads_back(quoted, None):
                self.warn("word", f"{text!r} would not be read as a word here; written in "
                          "quotes (read back as a one-word phrase)", where)
                return quoted
        self.warn("word", f"{text!r} cannot be written safely here; written as is", where)
        return text

    def _reads_back(self, text: str, term: Term | None) -> bool:
        """Does the dialect read `text` back as this one word (or, term=None, one phrase)?"""
        from litrev.search.errors import SearchSyntaxError

        if re.match(self.dialect.LIMIT_LINE, text):
            return False
        try:
            tokens = self.dialect.tokenizer_class(self.dialect).tokenize(text)
        except SearchSyntaxError:
            return False
        if len(tokens) != 2:
            return False
        if term is None:
            return tokens[0].kind == "PHRASE"
        return tokens[0].kind == "WORD" and tokens[0].text == text

    def spell(self, term: Term, where: Node | None = None) -> str:
        """The word in this dialect's wildcard spelling, with a warning for what it lacks."""
        where = where or term
        text = term.text
        if not self.LEADING_WILDCARD and text[:1] in "*?%":
            self.warn("wildcard", "a word cannot start with a wildcard here", where)
        out = []
        for ch in text:
            if ch in "*?":
                mapped = self.dialect.WILDCARDS.get(ch)
                if mapped is None and ch == "?" and self.dialect.WILDCARDS.get("*"):
                    self.warn("wildcard", "no single-character wildcard; '?' written as "
                              "truncation (wider)", where)
                    mapped = self.dialect.WILDCARDS["*"]
                if mapped is None:
                    self.warn("wildcard", f"wildcard {ch!r} is not supported; dropped "
                              "(the word is searched whole)", where)
                    mapped = ""
                out.append(mapped)
            elif ch == "%":
                mapped = self.dialect.WILDCARDS.get("%")
                if mapped is None:
                    mapped = self.dialect.WILDCARDS.get("*") or ""
                    self.warn("wildcard", "no zero-or-one-character wildcard; written as "
                              f"{'truncation' if mapped else 'nothing'} (wider)", where)
                out.append(mapped)
            else:
                out.append(ch)
        result = "".join(out)
        if term.max_extra is not None and result.endswith(self.dialect.WILDCARDS.get("*") or "*"):
            if self.BOUNDED:
                stem = result[:-1]
                return self.BOUNDED.format(stem=stem, n=term.max_extra)
            self.warn("wildcard", f"bounded truncation (at most {term.max_extra} more "
                      "characters) is not supported; written as open truncation (wider)", where)
        return result

    def expand_optional(self, node: Term | Phrase) -> str:
        """`colo%r` (zero or one character) without such a wildcard: `colr OR colour`-style
        expansion cannot know the character, so use single-character wildcard alternatives."""
        words = [node.text] if isinstance(node, Term) else list(node.words)
        options = []
        for w in words:
            n = w.count("%")
            variants = []
            for picks in itertools.product(("", "?"), repeat=min(n, 3)):
                v = w
                for p in picks:
                    v = v.replace("%", p, 1)
                variants.append(v.replace("%", "?"))
            options.append(variants)
        alternatives: list[Node] = []
        for combo in itertools.product(*options):
            if isinstance(node, Term):
                alternatives.append(replace(node, text=combo[0]))
            else:
                alternatives.append(replace(node, words=tuple(combo)))
        return "(" + f" {self.OPS['OR']} ".join(self.wrap(a) for a in alternatives) + ")"

    def adjacent_chain(self, node: Phrase) -> str | None:
        """A phrase with wildcards as an ordered adjacency chain (Cochrane `hearing NEXT aid*`)."""
        op = self.near_op(0, True, node, quiet=True)
        if op is None:
            return None
        near = Near(tuple(Term(w, node.fields) for w in node.words), 0, True, span=node.span)
        return self.expr(near)

    # -- proximity -------------------------------------------------------------------
    def near_op(self, distance: int, ordered: bool, node: Node, quiet: bool = False) -> str | None:
        """This dialect's operator for `distance` words between, or None if it has none."""
        return None

    def near(self, node: Near, force: bool = False) -> str:
        if not self.BOOLEAN_IN_NEAR:
            for i, child in enumerate(node.children):
                if isinstance(child, Or):
                    parts = tuple(Near((*node.children[:i], c, *node.children[i + 1:]),
                                       node.distance, node.ordered, span=node.span)
                                  for c in child.children)
                    return self.bare(Or(parts, span=node.span))
            if any(isinstance(c, And | Not | Near) for c in node.children):
                self.warn("proximity", "AND/NOT/proximity inside a proximity operand is not "
                          "allowed here; written as is", node)
        elif not self.AND_IN_NEAR and any(isinstance(c, And | Not) for c in node.children):
            self.warn("proximity", "AND/NOT inside a proximity operand is not allowed here; "
                      "written as is", node)
        op = self.near_op(node.distance, node.ordered, node)
        if op is None:
            self.warn("proximity", f"no proximity operator for {node.distance} words between"
                      f"{' in order' if node.ordered else ''}; written as AND (wider)", node)
            return self.bare(And(node.children, span=node.span))
        return f" {op} ".join(self._near_operand(c) for c in node.children)

    def _near_operand(self, child: Node) -> str:
        # A phrase some dialects write as a proximity chain (Embase `a NEXT/1 b`) must keep its
        # own parentheses inside another proximity, or it is read back left to right.
        text = self.wrap(child)
        if isinstance(child, Phrase) and " " in text and not text.startswith(("(", '"', "'", "{")):
            return f"({text})"
        return text

    # -- vocabulary and limits -------------------------------------------------------
    def heading(self, node: Heading) -> str:
        self.warn("heading", f"no {node.vocabulary.value} heading search; searched as a "
                  "phrase in the default fields", node)
        return self.leaf(Phrase(tuple(node.term.split())))

    def with_limits(self, text: str, limits: tuple[Limit, ...]) -> str:
        if not limits:
            return text
        line, lost = format_limit_line(limits, self.LIMIT_STYLE)
        for limit in lost:
            self.warn("limit", limit_loss(limit, self.dialect.title))
        return f"{text}\n{line}" if line else text

    def inline_limits(
        self,
        text: str,
        limits: tuple[Limit, ...],
        clause: Callable[[Limit, list[str]], str | None],
        database: str,
        *,
        wrap_or: bool = True,
    ) -> str:
        """Limits written inside the query: `(text) AND clause AND ...`.

        `clause(limit, values)` writes one limit (its " OR "-separated values split), or returns
        None when the database cannot express it, which is warned about and dropped (wider).
        """
        clauses = []
        for limit in limits:
            made = clause(limit, limit.value.split(" OR "))
            if made is None:
                self.warn("limit", limit_loss(limit, database))
            else:
                clauses.append(made)
        if not clauses:
            return text
        return f"({text}) AND " + " AND ".join(
            f"({c})" if wrap_or and " OR " in c else c for c in clauses)


def _disjunctive(node: Node) -> bool:
    """Only ORs of words, phrases and proximities over words: a field split distributes."""
    if isinstance(node, Term | Phrase):
        return True
    if isinstance(node, Near):  # proximity counts within one field: it splits by field too
        return all(_disjunctive(c) and not isinstance(c, Near) for c in node.children)
    return isinstance(node, Or) and all(_disjunctive(c) for c in node.children)


def _has_wildcard(word: str) -> bool:
    return any(ch in word for ch in "*?%")
