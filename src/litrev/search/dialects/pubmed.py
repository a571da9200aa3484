"""PubMed (NLM). Reference: search-syntax.md section 1.

* AND/OR/NOT uppercase, read strictly left to right (`a OR b AND c` = `(a OR b) AND c`).
* Tags follow a word or phrase (`term[tiab]`, `"a b"[Title/Abstract]`); a group cannot be
  tagged, so every word is tagged. No abstract-only tag: `[ab]` is read, `abstract` alone is
  written as `[tiab]` with a warning.
* `*` truncation at the end of a word only; no single-character wildcard.
* MeSH: `[mh]` (exploded), `[mh:noexp]`, `[majr]`, `[majr:noexp]`, subheading as
  `"Term/therapy"[mh]`.
* Proximity: `"a b"[tiab:~N]` (or `[ti:~N]`), N words between, any order.
* Legacy history lines start with `Search`; filters on a `Filters:` line.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from litrev.search.ast import (
    TI_AB,
    Field,
    Fielded,
    Fields,
    Heading,
    Near,
    Node,
    Phrase,
    Term,
    Vocabulary,
)
from litrev.search.dialects.base import Dialect, Parser, Token, Tokenizer
from litrev.search.dialects.generator import Generator

TAGS: dict[str, Fields] = {
    "tiab": TI_AB, "title/abstract": TI_AB, "ti": frozenset({Field.TITLE}),
    "title": frozenset({Field.TITLE}), "ab": frozenset({Field.ABSTRACT}),
    "tw": frozenset({Field.TEXT_WORD}), "text word": frozenset({Field.TEXT_WORD}),
    "all": frozenset({Field.ALL}), "all fields": frozenset({Field.ALL}),
    "au": frozenset({Field.AUTHOR}), "author": frozenset({Field.AUTHOR}),
    "ta": frozenset({Field.JOURNAL}), "journal": frozenset({Field.JOURNAL}),
    "jour": frozenset({Field.JOURNAL}), "ad": frozenset({Field.AFFILIATION}),
    "affiliation": frozenset({Field.AFFILIATION}), "pt": frozenset({Field.PUBLICATION_TYPE}),
    "publication type": frozenset({Field.PUBLICATION_TYPE}),
    "la": frozenset({Field.LANGUAGE}), "language": frozenset({Field.LANGUAGE}),
    "ot": frozenset({Field.KEYWORDS}), "other term": frozenset({Field.KEYWORDS}),
    "sh": frozenset({Field.SUBJECT}), "subheading": frozenset({Field.SUBJECT}),
}
#: heading tags -> (explode, major)
HEADING_TAGS: dict[str, tuple[bool, bool]] = {
    "mh": (True, False), "mesh": (True, False), "mesh terms": (True, False),
    "mh:noexp": (False, False), "mesh:noexp": (False, False),
    "mesh terms:noexp": (False, False), "majr": (True, True), "mesh major topic": (True, True),
    "majr:noexp": (False, True), "mesh major topic:noexp": (False, True),
}


class PubMedTokenizer(Tokenizer):
    rules: ClassVar[list[tuple[str, str]]] = [
        ("(", r"\("), (")", r"\)"),
        ("PHRASE", r'"[^"\n]*"'),
        ("BADQUOTE", r'"'),
        ("OP", r"(?:AND|OR|NOT)(?![^\s()\"\[])"),
        ("SUFFIX", r"\[[^\]\n]+\]"),
        ("REF", r"#\d+(?![^\s()])"),
        ("WORD", r'[^\s()"\[\]]+'),
    ]

    def value(self, kind: str, text: str, token: Token, match: re.Match[str]) -> Any:
        if kind != "SUFFIX":
            return None
        tag = re.sub(r"\s+", " ", text[1:-1].strip().lower())
        near = re.fullmatch(r"(tiab|title/abstract|ti|title):~(\d+)", tag)
        if near:
            return ("near", TAGS[near.group(1)], int(near.group(2)))
        if tag in HEADING_TAGS:
            return ("heading", *HEADING_TAGS[tag])
        if tag in TAGS:
            return ("fields", TAGS[tag])
        raise self.error(f"unknown PubMed tag {text}", token)


class PubMedParser(Parser):
    precedence: ClassVar[dict[str, int]] = {"OR": 1, "AND": 1, "NOT": 1}

    def suffix(self, node: Node, token: Token) -> Node:
        kind = token.value[0]
        if not isinstance(node, Term | Phrase):
            raise self.error("PubMed tags apply to one word or phrase, not a group", token)
        if kind == "fields":
            return Fielded(node, token.value[1], span=node.span)
        words = (node.text,) if isinstance(node, Term) else node.words
        if kind == "near":
            if len(words) < 2:
                raise self.error("proximity needs at least two words in quotes", token)
            terms = tuple(Term(w) for w in words)
            return Near(terms, token.value[2], False, token.value[1], span=node.span)
        _, explode, major = token.value
        term, *subs = " ".join(words).split("/")
        return Heading(term, Vocabulary.MESH, explode, major, tuple(s for s in subs if s),
                       span=node.span)


class PubMedGenerator(Generator):
    FIELDS: ClassVar[dict[Fields, str]] = {
        frozenset({Field.TITLE}): "ti", TI_AB: "tiab", frozenset({Field.TEXT_WORD}): "tw",
        frozenset({Field.ALL}): "all", frozenset({Field.AUTHOR}): "au",
        frozenset({Field.JOURNAL}): "ta", frozenset({Field.AFFILIATION}): "ad",
        frozenset({Field.PUBLICATION_TYPE}): "pt", frozenset({Field.LANGUAGE}): "la",
        frozenset({Field.KEYWORDS}): "ot",
    }
    GROUP_FIELDS: ClassVar[bool] = False
    LEADING_WILDCARD: ClassVar[bool] = False
    LIMIT_STYLE: ClassVar[str] = "pubmed"

    def tag_leaf(self, text: str, code: str) -> str:
        return f"{text}[{code}]"

    def word(self, term: Term, where: Node | None = None) -> str:
        if "*" in term.text.rstrip("*"):
            self.warn("wildcard", "truncation only at the end of a word; written as is "
                      "(PubMed will reject or misread it)", where or term)
        return super().word(term, where)

    def near(self, node: Near, force: bool = False) -> str:
        fields = {c.fields for c in node.children if isinstance(c, Term | Phrase)}
        simple = all(isinstance(c, Term) and not any(x in c.text for x in "*?%")
                     for c in node.children)
        tags = {frozenset({Field.TITLE}): "ti", TI_AB: "tiab"}
        only = next(iter(fields)) if len(fields) == 1 else None
        if simple and not node.ordered and only in tags:
            words = " ".join(c.text for c in node.children if isinstance(c, Term))
            return f'"{words}"[{tags[only]}:~{node.distance}]'
        why = ("in order" if node.ordered else "with wildcards or groups" if not simple
               else "outside title or title/abstract")
        self.warn("proximity", f"proximity {why} is not supported (only \"a b\"[tiab:~N] "
                  "over plain words); written as AND (wider)", node)
        from litrev.search.ast import And

        return self.bare(And(node.children, span=node.span))

    def heading(self, node: Heading) -> str:
        if node.vocabulary is not Vocabulary.MESH:
            return super().heading(node)
        tag = ("majr" if node.major else "mh") + ("" if node.explode else ":noexp")
        if not node.subheadings:
            return f'"{node.term}"[{tag}]'
        parts = [f'"{node.term}/{s}"[{tag}]' for s in node.subheadings]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


class PubMed(Dialect):
    name: ClassVar[str] = "pubmed"
    title: ClassVar[str] = "PubMed"
    tokenizer_class = PubMedTokenizer
    parser_class = PubMedParser
    generator_class = PubMedGenerator
    WILDCARDS: ClassVar[dict[str, str | None]] = {"*": "*", "?": None, "%": None}
    LINE_LABEL: ClassVar[str] = r"#?(\d+)\.?\s+"
    REF_FORMAT: ClassVar[str] = "#{n}"
    LIMIT_LINE: ClassVar[str] = r"(?i)^\s*filters\b"
    DEFAULT_FIELDS: ClassVar[str] = "all fields with Automatic Term Mapping"

    def parse(self, text: str):
        # Legacy history: "Search (...)" -- blank the word out, keeping columns.
        text = re.sub(r"(?m)^(\s*(?:#?\d+\.?\s+)?)Search\s", lambda m: m.group(1) + " " * 7,
                      text)
        return super().parse(text)
