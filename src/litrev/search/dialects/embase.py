"""Embase.com (Elsevier). Reference: search-syntax.md section 8.

* Fields follow a word, phrase or group: `:ti`, `:ab`, `:kw`, `:ti,ab,kw`, `:de` (index
  terms), `:au`, `:jt`, `:ff`.
* Emtree: `'term'/exp` (exploded), `'term'/de` (not exploded), `'term'/mj` (major),
  `'term'/exp/mj`. Phrases in single quotes (double quotes are read too).
* AND/OR/NOT: parentheses first, then strictly left to right (no operator outranks
  another); proximity is treated the same way (option `precedence`).
* `NEAR/n` any order and `NEXT/n` in order, n-1 words between (`NEAR/1` = adjacent).
* `*` truncation, `?` exactly one character. Wildcards inside a quoted phrase were disabled
  in older help (current behaviour UNVERIFIED; option `phrase_wildcards`, default False, which
  writes such a phrase as a `NEXT/1` chain).
* Limits: `[english]/lim`, `[article]/lim`, `[2000-2019]/py`, ANDed to the query.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from litrev.search.ast import Field, Fields, Heading, Limit, Query, Vocabulary
from litrev.search.dialects.base import Dialect, Parser, Token, Tokenizer
from litrev.search.dialects.generator import Generator
from litrev.search.dialects.limits import closed_years, language_name, publication_type_name
from litrev.search.dialects.scopus import merge_dates

CODES: dict[str, Field] = {
    "ti": Field.TITLE, "ab": Field.ABSTRACT, "kw": Field.KEYWORDS, "de": Field.SUBJECT,
    "au": Field.AUTHOR, "jt": Field.JOURNAL, "ff": Field.AFFILIATION,
    "it": Field.PUBLICATION_TYPE, "la": Field.LANGUAGE,
}
ORDER = list(CODES)


#: `[embase]/lim`, `[medline]/lim`: a limit to the records of one source, Embase's own
SOURCE_LIMITS = frozenset({"embase", "medline", "preprint", "embase classic", "pubmed-not-medline"})


class EmbaseTokenizer(Tokenizer):
    rules: ClassVar[list[tuple[str, str]]] = [
        ("LIMIT", r"\[[^\]\n]+\]/(?:lim|py)"),
        ("HEADING", r"(?:'[^'\n]+'|[\w-]+)(?:/(?:exp|de|mj|br))+(?![\w/])"),
        ("(", r"\("), (")", r"\)"),
        ("PHRASE", r"'[^'\n]*'|\"[^\"\n]*\""),
        ("BADQUOTE", r"\""),
        ("OP", r"(?i:AND|OR|NOT)(?![^\s()'\"])"),
        ("NEAR", r"(?i:NEAR|NEXT)/\d+(?![^\s()'\"])"),
        ("SUFFIX", r":[a-z]{2}(?:,[a-z]{2})*(?![a-z])"),
        ("REF", r"#\d+(?![^\s()])"),
        ("WORD", r"[^\s()'\":]+(?:'[^\s()'\":]+)*"),
    ]

    def value(self, kind: str, text: str, token: Token, match: re.Match[str]) -> Any:
        if kind == "NEAR":
            op, n = text.upper().split("/")
            if int(n) < 1:
                raise self.error(f"{text}: Embase counts from 1 (1 = adjacent)", token)
            return int(n) - 1, op == "NEXT"
        if kind == "SUFFIX":
            codes = text[1:].split(",")
            unknown = [c for c in codes if c not in CODES]
            if unknown:
                raise self.error(f"unknown Embase field :{unknown[0]}", token)
            return frozenset(CODES[c] for c in codes)
        if kind == "HEADING":
            term, *flags = text.split("/")
            return Heading(term.strip("'"), Vocabulary(self.dialect.options["vocabulary"]),
                           "exp" in flags, "mj" in flags)
        if kind == "LIMIT":
            inner, _, kind_ = text[1:].partition("]/")
            if kind_ == "py":
                a, _, b = inner.partition("-")
                return Limit("date", f"{a.strip()}..{(b or a).strip()}")
            if inner.strip().lower() == "peer reviewed":
                return Limit("peer_reviewed", "true")
            if inner.strip().lower() in {"humans", "animals"}:
                return Limit("species", inner.strip().title())
            if inner.strip().lower() in SOURCE_LIMITS:  # records from one source database
                return Limit("filter", f"embase: {inner.strip().lower()}")
            if language_name(inner):
                return Limit("language", language_name(inner) or inner)
            name = "Journal Article" if inner.strip().lower() == "article" else inner
            return Limit("publication_type", publication_type_name(name))
        return None


class EmbaseParser(Parser):
    precedence: ClassVar[dict[str, int]] = {"OR": 1, "AND": 1, "NOT": 1, "NEAR": 1}


class EmbaseGenerator(Generator):
    FIELDS: ClassVar[dict[Fields, str]] = {frozenset({v}): k for k, v in CODES.items()}
    KEYWORDS: ClassVar[frozenset[str]] = frozenset({"AND", "OR", "NOT", "NEAR", "NEXT"})
    QUOTE: ClassVar[str] = "'"
    NEAR_WORD: ClassVar[re.Pattern[str]] = re.compile(r"(?i)(NEAR|NEXT)/\d+")

    @property
    def PHRASE_WILDCARDS(self) -> bool:  # type: ignore[override]
        return bool(self.dialect.options["phrase_wildcards"])

    def express(self, fields: Fields, node: Any, quiet: bool = False) -> list[str]:
        if all(f in CODES.values() for f in fields):
            return [",".join(c for c in ORDER if CODES[c] in fields)]
        return super().express(fields, node, quiet)

    def tag_group(self, text: str, code: str) -> str:
        return f"({text}):{code}"

    def tag_leaf(self, text: str, code: str) -> str:
        return f"{text}:{code}"

    def near_op(self, distance: int, ordered: bool, node: Any, quiet: bool = False) -> str:
        return f"{'NEXT' if ordered else 'NEAR'}/{distance + 1}"

    def heading(self, node: Heading) -> str:
        if node.vocabulary is not Vocabulary.EMTREE:
            self.warn("heading", f"{node.vocabulary.value} heading written as an Emtree term; "
                      "check that Emtree has it", node)
        if node.subheadings:
            self.warn("heading", "subheadings are not written; the heading is searched with "
                      "all subheadings (wider)", node)
        flags = ("/exp" if node.explode else "/de") + ("/mj" if node.major else "")
        return f"'{node.term}'{flags}"

    def with_limits(self, text: str, limits: tuple[Limit, ...]) -> str:
        return self.inline_limits(text, limits, self._limit_clause, "Embase")

    def _limit_clause(self, limit: Limit, values: list[str]) -> str | None:
        if limit.kind == "language":
            return " OR ".join(f"[{v.lower()}]/lim" for v in values)
        if limit.kind == "publication_type":
            return " OR ".join(
                f"[{'article' if v == 'Journal Article' else v.lower()}]/lim" for v in values)
        if limit.kind == "date":
            start, end = closed_years(limit)
            return f"[{start}-{end}]/py"
        if limit.kind == "species":
            return " OR ".join(f"[{v.lower()}]/lim" for v in values)
        if limit.kind == "filter" and all(v.startswith("embase: ") for v in values):
            return " OR ".join(f"[{v.removeprefix('embase: ')}]/lim" for v in values)
        return None


class Embase(Dialect):
    name: ClassVar[str] = "embase"
    title: ClassVar[str] = "Embase.com"
    tokenizer_class = EmbaseTokenizer
    parser_class = EmbaseParser
    generator_class = EmbaseGenerator
    LINE_LABEL: ClassVar[str] = r"#(\d+)\.?\s+"
    COMBINATION: ClassVar[str | None] = (
        r"(?i)^\s*[({]*\s*(?:OR\s+|AND\s+)?#\d+(?:\s*[-,]\s*#\d+)*(?:\s*\)*\s*(?:AND|OR|NOT)\s*\(*\s*#\d+)*"
        r"\s*[)}]*(?:\s+\(?[\d,]+\)?)?\s*$")
    DEFAULT_FIELDS: ClassVar[str] = "all fields, with Emtree mapping in quick search"
    LIMIT_LINE: ClassVar[str] = r"(?!)"  # limits are written inside the query
    ASSUMPTIONS: ClassVar[dict[str, tuple[Any, str]]] = {
        "vocabulary": ("emtree", "thesaurus of 'term'/exp headings"),
        "phrase_wildcards": (False, "wildcards inside a quoted phrase work (older help: no); "
                                    "if False such a phrase is written as a NEXT/1 chain"),
    }


    def parse(self, text: str) -> Query:
        query = super().parse(text)
        return Query(query.root, merge_dates(query.limits))
