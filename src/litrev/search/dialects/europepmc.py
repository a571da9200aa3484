"""Europe PMC. Reference: search-syntax.md section 9 (much of it UNVERIFIED).

* `FIELD:term`, `FIELD:"a phrase"`, `FIELD:(a OR b)`: `TITLE`, `ABSTRACT`, `KW`, `AUTH`,
  `JOURNAL`, `AFF`, `MESH_HEADING`/`MESH_MAJOR` (MeSH; whether they explode is UNVERIFIED:
  option `mesh_explodes`, default False).
* AND/OR/NOT uppercase. Precedence UNVERIFIED: option `precedence`, default AND = NOT over OR.
* Wildcards: `*` truncation only (assumed; `?` UNVERIFIED and not written).
* Proximity UNVERIFIED: `"a b"~n` is read (n words between, any order) and written only
  with option `proximity=True`; otherwise proximity becomes AND with a warning.
* Limits: `LANG:"eng"`, `PUB_TYPE:"Journal Article"`, `PUB_YEAR:[2000 TO 2019]`.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from litrev.search.ast import Field, Fields, Heading, Limit, Near, Query, Term, Vocabulary
from litrev.search.dialects.base import Dialect, Parser, Token, Tokenizer
from litrev.search.dialects.generator import Generator
from litrev.search.dialects.limits import (
    LANGUAGES,
    closed_years,
    language_name,
    publication_type_name,
)
from litrev.search.dialects.scopus import merge_dates

CODES: dict[str, Fields] = {
    "TITLE": frozenset({Field.TITLE}), "ABSTRACT": frozenset({Field.ABSTRACT}),
    "KW": frozenset({Field.KEYWORDS}), "AUTH": frozenset({Field.AUTHOR}),
    "JOURNAL": frozenset({Field.JOURNAL}), "AFF": frozenset({Field.AFFILIATION}),
}


class EuropePmcTokenizer(Tokenizer):
    rules: ClassVar[list[tuple[str, str]]] = [
        ("LIMIT", r"(?:LANG|PUB_TYPE):(?:\"[^\"\n]*\"|[\w-]+)"),
        ("LIMIT", r"(?:PUB_YEAR|FIRST_PDATE):(?:\[[^\]\n]*\]|\d{4})"),
        ("HEADING", r"(?:MESH_HEADING|MESH_MAJOR):(?:\"[^\"\n]+\"|[\w-]+)"),
        ("(", r"\("), (")", r"\)"),
        ("NEARPHRASE", r'"[^"\n]*"~\d+'),
        ("PHRASE", r'"[^"\n]*"'),
        ("BADQUOTE", r'"'),
        ("OP", r"(?:AND|OR|NOT)(?![^\s()\"])"),
        ("PREFIX", r"(?:" + "|".join(CODES) + r"):"),
        ("REF", r"#\d+(?![^\s()])"),  # numbered lines pasted as `#1 ...`, `#3 #1 AND #2`
        ("WORD", r'[^\s()"]+'),
    ]

    def value(self, kind: str, text: str, token: Token, match: re.Match[str]) -> Any:
        if kind == "PREFIX":
            return CODES[text[:-1]]
        if kind == "HEADING":
            code, _, term = text.partition(":")
            return Heading(term.strip('"'), Vocabulary.MESH,
                           bool(self.dialect.options["mesh_explodes"]), code == "MESH_MAJOR")
        if kind == "LIMIT":
            code, _, raw = text.partition(":")
            raw = raw.strip('"[]')
            if code == "LANG":
                return Limit("language", language_name(raw) or raw)
            if code == "PUB_TYPE":
                return Limit("publication_type", publication_type_name(raw))
            a, _, b = raw.partition(" TO ")
            return Limit("date", f"{a.strip()[:4]}..{(b or a).strip()[:4]}")
        return None

    def make(self, token: Token, match: re.Match[str]) -> Token | None:
        if token.kind == "NEARPHRASE":
            phrase, _, n = token.text.rpartition("~")
            words = tuple(Term(w) for w in phrase.strip('"').split())
            near = Near(words, int(n), False, span=(token.line, token.column))
            return Token("HEADING", token.text, token.pos, token.end, token.line, token.column,
                         near)  # a ready-made operand, like a heading
        return super().make(token, match)


class EuropePmcParser(Parser):
    precedence: ClassVar[dict[str, int]] = {"OR": 1, "AND": 2, "NOT": 2}


class EuropePmcGenerator(Generator):
    FIELDS: ClassVar[dict[Fields, str]] = {v: k for k, v in CODES.items()}
    LEADING_WILDCARD: ClassVar[bool] = False
    NEAR_WORD: ClassVar[re.Pattern[str]] = re.compile(r"(?!)")

    def tag_group(self, text: str, code: str) -> str:
        return f"{code}:({text})"

    def tag_leaf(self, text: str, code: str) -> str:
        return f"{code}:{text}"

    def near(self, node: Near, force: bool = False) -> str:
        plain = all(isinstance(c, Term) and not any(x in c.text for x in "*?%")
                    for c in node.children)
        fields = {getattr(c, "fields", None) for c in node.children}
        if self.dialect.options["proximity"] and plain and not node.ordered and len(fields) == 1:
            words = " ".join(c.text for c in node.children if isinstance(c, Term))
            text = f'"{words}"~{node.distance}'
            only = fields.pop()
            if only is None:
                return text
            codes = self.express(only, node)
            return " OR ".join(f"{c}:{text}" for c in codes) if codes else text
        self.warn("proximity", "proximity is not written for Europe PMC (UNVERIFIED syntax); "
                  "written as AND (wider)", node)
        from litrev.search.ast import And

        return self.bare(And(node.children, span=node.span))

    def heading(self, node: Heading) -> str:
        if node.vocabulary is not Vocabulary.MESH:
            return super().heading(node)
        if node.explode != bool(self.dialect.options["mesh_explodes"]) or node.subheadings:
            self.warn("heading", "explosion and subheadings cannot be chosen in Europe PMC; "
                      "written as a plain MeSH heading", node)
        code = "MESH_MAJOR" if node.major else "MESH_HEADING"
        return f'{code}:"{node.term}"'

    def with_limits(self, text: str, limits: tuple[Limit, ...]) -> str:
        return self.inline_limits(text, limits, self._limit_clause, "Europe PMC")

    def _limit_clause(self, limit: Limit, values: list[str]) -> str | None:
        if limit.kind == "language":
            codes = [LANGUAGES.get(v, ("", v))[1] for v in values]
            return " OR ".join(f'LANG:"{c}"' for c in codes)
        if limit.kind == "publication_type":
            return " OR ".join(f'PUB_TYPE:"{v}"' for v in values)
        if limit.kind == "date":
            start, end = closed_years(limit)
            return f"PUB_YEAR:[{start} TO {end}]"
        return None


class EuropePMC(Dialect):
    name: ClassVar[str] = "europepmc"
    title: ClassVar[str] = "Europe PMC"
    tokenizer_class = EuropePmcTokenizer
    parser_class = EuropePmcParser
    generator_class = EuropePmcGenerator
    WILDCARDS: ClassVar[dict[str, str | None]] = {"*": "*", "?": None, "%": None}
    DEFAULT_FIELDS: ClassVar[str] = "all fields including full text where available"
    LIMIT_LINE: ClassVar[str] = r"(?!)"  # limits are written inside the query
    ASSUMPTIONS: ClassVar[dict[str, tuple[Any, str]]] = {
        "mesh_explodes": (False, "MESH_HEADING searches narrower headings too. UNVERIFIED"),
        "proximity": (False, "write proximity as \"a b\"~n (n words between). UNVERIFIED"),
    }

    def parse(self, text: str) -> Query:
        query = super().parse(text)
        return Query(query.root, merge_dates(query.limits))

