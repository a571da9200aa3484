"""Ovid (MEDLINE, Embase, APA PsycInfo). Reference: search-syntax.md section 2.

* Numbered lines: `1 exp Heart Diseases/`, `2 (heart adj3 attack).ti,ab.`, `3 1 or 2`,
  `4 or/1-3`, `5 limit 4 to (english language and yr="2000 - 2019")`.
* Fields follow a word or group: `.ti.`, `.ab.`, `.ti,ab.`, `.tw.`, `.kf.`, `.mp.`, `.sh.`.
  After an adjacency chain (`heart adj3 attack.ti,ab.`) the field applies to the whole
  chain; after AND/OR/NOT without parentheses only to the last word (UNVERIFIED).
* Headings: `exp Term/` (exploded), `Term/`, `*Term/` (major), `Term/th` (subheading);
  the thesaurus is MeSH unless option `vocabulary` says otherwise (emtree, apa).
* `adjN` = within N words in any order (N-1 between); `adj` alone = adjacent in order.
* `*` or `$` unlimited truncation, `$n` at most n more characters, `#` exactly one
  character, `?` zero or one character.
* Words separated by a space are an adjacent phrase. Operators are case-insensitive.
* Precedence: UNVERIFIED; option `precedence`, default adjacency first, then AND, OR, NOT
  left to right (Ovid strategies parenthesise or use numbered lines).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from litrev.search.ast import Field, Fielded, Fields, Heading, Limit, Node, Vocabulary
from litrev.search.dialects.base import Dialect, Parser, Token, Tokenizer
from litrev.search.dialects.generator import Generator
from litrev.search.dialects.limits import language_name, publication_type_name, years
from litrev.search.errors import SearchSyntaxError

CODES: dict[str, Field] = {
    "ti": Field.TITLE, "ab": Field.ABSTRACT, "kf": Field.KEYWORDS, "sh": Field.SUBJECT,
    "mp": Field.ALL, "tw": Field.TEXT_WORD, "au": Field.AUTHOR, "jn": Field.JOURNAL,
    "in": Field.AFFILIATION, "pt": Field.PUBLICATION_TYPE, "lg": Field.LANGUAGE,
}
ORDER = list(CODES)
_OPWORD = r"(?:or|and|not|adj\d*|exp)\b"
HEADING = (rf"(?i:exp\s+)?\*?(?!{_OPWORD})[A-Za-z0-9][\w'-]*(?:[ ,]+(?!{_OPWORD})[\w'-]+)*/"
           r"(?:[a-z]{2}(?:,\s*[a-z]{2})*)?(?![\w/])")


class OvidTokenizer(Tokenizer):
    rules: ClassVar[list[tuple[str, str]]] = [
        ("REF", r"(?i:or|and)/\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*"),
        ("HEADING", HEADING),
        ("(", r"\("), (")", r"\)"),
        ("PHRASE", r'"[^"\n]*"'),
        ("BADQUOTE", r'"'),
        ("SUFFIX", r"\.[a-z]{2}(?:,[a-z]{2})*\.(?=[\s)]|$)"),
        ("OP", r"(?i:and|or|not)(?![^\s()\"])"),
        ("NEAR", r"(?i:adj\d*)(?![^\s()\"])"),
        ("LINEREF", r"\d+(?=[\s)]|$)"),
        ("WORD", r'[^\s()".]+(?:\.(?![a-z]{2}(?:,[a-z]{2})*\.(?:[\s)]|$))[^\s()".]*)*'),
    ]

    def value(self, kind: str, text: str, token: Token, match: re.Match[str]) -> Any:
        if kind == "NEAR":
            n = text[3:]
            return (int(n) - 1, False) if n else (0, True)
        if kind == "SUFFIX":
            codes = text.strip(".").split(",")
            unknown = [c for c in codes if c not in CODES]
            if unknown:
                raise self.error(f"unknown Ovid field .{unknown[0]}.", token)
            return frozenset(CODES[c] for c in codes)
        if kind == "HEADING":
            m = re.fullmatch(r"(?i)(exp\s+)?(\*)?(.+?)/([a-z, ]*)", text)
            assert m is not None
            subs = tuple(s.strip() for s in m.group(4).split(",") if s.strip())
            return Heading(m.group(3).strip(), Vocabulary(self.dialect.options["vocabulary"]),
                           bool(m.group(1)), bool(m.group(2)), subs)
        if kind == "REF":
            op, spans = text.split("/")
            numbers: list[int] = []
            for part in spans.split(","):
                a, _, b = part.partition("-")
                numbers.extend(range(int(a), int(b or a) + 1))
            return op.upper(), tuple(numbers)
        if kind == "LINEREF":
            return "AND", (int(text),)
        return None

    def make(self, token: Token, match: re.Match[str]) -> Token | None:
        made = super().make(token, match)
        if made is not None and made.kind == "LINEREF":
            return Token("REF", made.text, made.pos, made.end, made.line, made.column, made.value)
        return made


class OvidParser(Parser):
    precedence: ClassVar[dict[str, int]] = {"OR": 1, "AND": 1, "NOT": 1, "NEAR": 2}
    implicit: ClassVar[str] = "phrase"

    def combine(self, name: str, token: Token, left: Node, right: Node) -> Node:
        # `heart adj3 attack.ti,ab.`: a field after an adjacency chain applies to all of it
        # (proximity is counted within one field).
        if name == "NEAR" and isinstance(right, Fielded) and not getattr(right, "_grouped",
                                                                          False):
            near = super().combine(name, token, _unfield(left, right.fields), right.child)
            return Fielded(near, right.fields, span=near.span)
        return super().combine(name, token, left, right)


def _unfield(node: Node, fields: Fields) -> Node:
    """The operand without a field equal to `fields` (it moves to the whole chain)."""
    if isinstance(node, Fielded) and node.fields == fields:
        return node.child
    return node


class OvidGenerator(Generator):
    FIELDS: ClassVar[dict[Fields, str]] = {frozenset({v}): k for k, v in CODES.items()}
    OPS: ClassVar[dict[str, str]] = {"AND": "and", "OR": "or", "NOT": "not"}
    KEYWORDS: ClassVar[frozenset[str]] = frozenset({"AND", "OR", "NOT", "ADJ", "EXP"})
    BOUNDED: ClassVar[str | None] = "{stem}${n}"
    LEADING_WILDCARD: ClassVar[bool] = False
    NEAR_WORD: ClassVar[re.Pattern[str]] = re.compile(r"(?i)adj\d*")

    def express(self, fields: Fields, node: Any, quiet: bool = False) -> list[str]:
        if all(f in CODES.values() for f in fields):
            return [",".join(c for c in ORDER if CODES[c] in fields)]
        return super().express(fields, node, quiet)

    def tag_group(self, text: str, code: str) -> str:
        return f"({text}).{code}."

    def tag_leaf(self, text: str, code: str) -> str:
        return f"{text}.{code}."

    def near_op(self, distance: int, ordered: bool, node: Any, quiet: bool = False) -> str:
        if ordered:
            if distance == 0:
                return "adj"
            if not quiet:
                self.warn("proximity", f"no ordered proximity beyond adjacency; written as "
                          f"adj{distance + 1} in any order (wider)", node)
        return f"adj{distance + 1}"

    def heading(self, node: Heading) -> str:
        expected = self.dialect.options["vocabulary"]
        if node.vocabulary.value != expected:
            self.warn("heading", f"{node.vocabulary.value} heading written for a database "
                      f"indexed with {expected}; check the heading exists", node)
        subs = ",".join(node.subheadings)
        return f"{'exp ' if node.explode else ''}{'*' if node.major else ''}{node.term}/{subs}"

    def with_limits(self, text: str, limits: tuple[Limit, ...]) -> str:
        if not limits:
            return text
        items = []
        for limit in limits:
            for value in limit.value.split(" OR "):
                if limit.kind == "language":
                    items.append(f"{value.lower()} language")
                elif limit.kind == "publication_type":
                    items.append(value.lower())
                elif limit.kind == "date":
                    start, end = years(limit)
                    items.append(f'yr="{start} - {end}"' if end else f'yr="{start} - current"')
                else:
                    self.warn("limit", f"limit {limit.kind} cannot be expressed in Ovid; "
                              "dropped (wider)")
        if not items:
            return text
        joined = items[0] if len(items) == 1 else "(" + " and ".join(items) + ")"
        if self.dialect.options.get("numbered"):
            last = text.count("\n") + 1
            return f"{text}\n{last + 1} limit {last} to {joined}"
        return f"1 {text}\n2 limit 1 to {joined}"


class Ovid(Dialect):
    name: ClassVar[str] = "ovid"
    title: ClassVar[str] = "Ovid (MEDLINE, Embase, PsycINFO)"
    tokenizer_class = OvidTokenizer
    parser_class = OvidParser
    generator_class = OvidGenerator
    WILDCARDS: ClassVar[dict[str, str | None]] = {"*": "*", "?": "#", "%": "?"}
    LINE_LABEL: ClassVar[str] = r"(\d+)\.?\s+"
    LABEL_SINGLE: ClassVar[bool] = True
    REF_FORMAT: ClassVar[str] = "{n}"
    LIMIT_LINE: ClassVar[str] = r"(?i)^\s*(?:\d+\.?\s+)?limit\s+\d+\s+to\b"
    DEFAULT_FIELDS: ClassVar[str] = "the database's default fields (.mp. with mapping off)"
    ASSUMPTIONS: ClassVar[dict[str, tuple[Any, str]]] = {
        "vocabulary": ("mesh", "thesaurus of `Term/` headings: mesh, emtree or apa"),
    }

    def read_word(self, raw: str) -> Any:
        from dataclasses import replace

        m = re.fullmatch(r"(.*)\$(\d+)", raw)
        term = super().read_word((m.group(1) if m else raw).replace("$", "*") + ("*" if m else ""))
        return replace(term, max_extra=int(m.group(2))) if m else term


    def parse_limit_line(self, line: str) -> list[Limit]:
        m = re.match(r"(?i)\s*(?:\d+\.?\s+)?limit\s+\d+\s+to\s+\(?(.+?)\)?\s*$", line)
        assert m is not None
        limits = []
        for item in re.split(r"(?i)\s+and\s+", m.group(1)):
            item = item.strip()
            year = re.fullmatch(r'(?i)yr\s*=\s*"(\d{4})\s*-\s*(\d{4}|current)"', item)
            if year:
                end = "" if year.group(2).lower() == "current" else year.group(2)
                limits.append(Limit("date", f"{year.group(1)}..{end}"))
            elif language_name(item):
                limits.append(Limit("language", language_name(item) or item))
            elif item:
                limits.append(Limit("publication_type", publication_type_name(item.title())))
            else:
                raise SearchSyntaxError("empty limit", line, 1, 1, dialect=self.name)
        return limits
