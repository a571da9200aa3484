"""Scopus advanced search. Reference: search-syntax.md section 5.

* Fields precede a parenthesised group: `TITLE-ABS-KEY(...)`, `TITLE-ABS(...)`,
  `TITLE(...)`, `ABS(...)`, `KEY(...)` (author + indexed keywords), `AUTHKEY(...)`,
  `INDEXTERMS(...)`, `ALL(...)`, `AUTH(...)`, `SRCTITLE(...)`, `AFFIL(...)`.
* Operators `AND`, `OR`, `AND NOT`; proximity `W/n` (any order) and `PRE/n` (in order),
  n = words between. Precedence: OR > W/n, PRE/n > AND > AND NOT, then left to right
  (`a AND NOT b AND c` = `a AND NOT (b AND c)`). The 2025/26 precedence change announced
  by Elsevier is not modelled (option `precedence`).
* A proximity operand may not hold AND/OR: `a W/3 (b OR c)` is written as
  `(a W/3 b) OR (a W/3 c)`, which means the same.
* `*` and `?`; `{exact phrase}` is read as a phrase. Whether wildcards work inside
  "quotes" is disputed: with option `phrase_wildcards`=False a phrase holding a
  wildcard is written as a `PRE/0` chain; the default (True, current guides)
  writes "wind turbine*".
* Limits: `AND (LIMIT-TO(LANGUAGE, "English"))`, `LIMIT-TO(DOCTYPE, "ar")`,
  `PUBYEAR > 1999 AND PUBYEAR < 2020`.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from litrev.search.ast import TI_AB, TI_AB_KW, Field, Fields, Heading, Limit, Phrase, Query
from litrev.search.dialects.base import Dialect, Parser, Token, Tokenizer
from litrev.search.dialects.generator import Generator
from litrev.search.dialects.limits import (
    PUBLICATION_TYPES,
    language_name,
    limit_loss,
    publication_type_name,
)

KW_SUBJECT = frozenset({Field.KEYWORDS, Field.SUBJECT})
CODES: dict[str, Fields] = {
    "TITLE-ABS-KEY": TI_AB_KW | {Field.SUBJECT}, "TITLE-ABS": TI_AB,
    "TITLE": frozenset({Field.TITLE}), "ABS": frozenset({Field.ABSTRACT}), "KEY": KW_SUBJECT,
    "AUTHKEY": frozenset({Field.KEYWORDS}), "INDEXTERMS": frozenset({Field.SUBJECT}),
    "ALL": frozenset({Field.ALL}), "AUTH": frozenset({Field.AUTHOR}),
    "SRCTITLE": frozenset({Field.JOURNAL}), "AFFIL": frozenset({Field.AFFILIATION}),
}
FIELD_RE = "|".join(sorted(CODES, key=len, reverse=True))


class ScopusTokenizer(Tokenizer):
    rules: ClassVar[list[tuple[str, str]]] = [
        ("LIMIT", r'(?i:LIMIT-TO|EXCLUDE)\s*\(\s*\w+\s*,\s*"[^"]*"\s*\)'),
        ("LIMIT", r"(?i:PUBYEAR)\s*(?:>|<|=|AFT|BEF|IS)\s*\d{4}"),
        ("(", r"\("), (")", r"\)"),
        ("PHRASE", r'"[^"\n]*"|\{[^}\n]*\}'),
        ("BADQUOTE", r'["{]'),
        ("OP", r"(?i:AND\s+NOT|AND|OR)(?![^\s()\"])"),
        ("BARENOT", r"(?i:NOT)(?![^\s()\"])"),
        ("NEAR", r"(?i:W|PRE)/\d+(?![^\s()\"])"),
        ("PREFIX", rf"(?i:{FIELD_RE})(?=\s*\()"),
        ("REF", r"#\d+(?![^\s()])"),  # search history: `#1 AND #2`
        ("WORD", r'[^\s()"{}]+'),
    ]

    def value(self, kind: str, text: str, token: Token, match: re.Match[str]) -> Any:
        if kind == "BARENOT":
            raise self.error("Scopus needs 'AND NOT', not 'NOT'", token)
        if kind == "NEAR":
            op, n = text.upper().split("/")
            return int(n), op == "PRE"
        if kind == "PREFIX":
            return CODES[text.upper()]
        if kind == "LIMIT":
            return read_limit(text)
        return None

    def make(self, token: Token, match: re.Match[str]) -> Token | None:
        if token.kind == "PHRASE" and token.text.startswith("{"):
            token = Token("PHRASE", '"' + token.text[1:-1] + '"', token.pos, token.end,
                          token.line, token.column)
        return super().make(token, match)


def read_limit(text: str) -> Limit:
    m = re.match(r'(?i)(LIMIT-TO|EXCLUDE)\s*\(\s*(\w+)\s*,\s*"([^"]*)"', text)
    if m:
        what, value = m.group(2).upper(), m.group(3)
        if what == "LANGUAGE":
            return Limit("language", language_name(value) or value)
        if what == "DOCTYPE":
            return Limit("publication_type", publication_type_name(value))
        if what == "PUBYEAR":
            return Limit("date", f"{value}..{value}")
        return Limit(what.lower(), value)
    m = re.match(r"(?i)PUBYEAR\s*(>|<|=|AFT|BEF|IS)\s*(\d{4})", text)
    assert m is not None
    op, year = m.group(1).upper(), int(m.group(2))
    if op in {">", "AFT"}:
        return Limit("date", f"{year + 1}..")
    if op in {"<", "BEF"}:
        return Limit("date", f"..{year - 1}")
    return Limit("date", f"{year}..{year}")


class ScopusParser(Parser):
    precedence: ClassVar[dict[str, int]] = {"NOT": 1, "AND": 2, "NEAR": 3, "OR": 4}


class ScopusGenerator(Generator):
    FIELDS: ClassVar[dict[Fields, str]] = {v: k for k, v in CODES.items()}
    OPS: ClassVar[dict[str, str]] = {"AND": "AND", "OR": "OR", "NOT": "AND NOT"}
    KEYWORDS: ClassVar[frozenset[str]] = frozenset({"AND", "OR", "NOT", "W", "PRE"})
    BOOLEAN_IN_NEAR: ClassVar[bool] = False
    NEAR_WORD: ClassVar[re.Pattern[str]] = re.compile(r"(?i)(W|PRE)/\d+")

    @property
    def PHRASE_WILDCARDS(self) -> bool:  # type: ignore[override]
        return bool(self.dialect.options["phrase_wildcards"])

    def tag_group(self, text: str, code: str) -> str:
        return f"{code}({text})"

    def near_op(self, distance: int, ordered: bool, node: Any, quiet: bool = False) -> str:
        return f"{'PRE' if ordered else 'W'}/{distance}"

    def heading(self, node: Heading) -> str:
        self.warn("heading", "Scopus has no thesaurus search; the heading is searched as an "
                  "index term, without explosion", node)
        return self.leaf(Phrase(tuple(node.term.split()), frozenset({Field.SUBJECT})))

    def with_limits(self, text: str, limits: tuple[Limit, ...]) -> str:
        clauses = []
        for limit in limits:
            values = limit.value.split(" OR ")
            if limit.kind == "language":
                clauses.append(" OR ".join(f'LIMIT-TO(LANGUAGE, "{v}")' for v in values))
            elif limit.kind == "publication_type":
                codes = [PUBLICATION_TYPES.get(v, (v, ""))[0] for v in values]
                clauses.append(" OR ".join(f'LIMIT-TO(DOCTYPE, "{c}")' for c in codes))
            elif limit.kind == "date":
                start, _, end = limit.value.partition("..")
                parts = ([f"PUBYEAR > {int(start[:4]) - 1}"] if start else []) + (
                    [f"PUBYEAR < {int(end[:4]) + 1}"] if end else [])
                if start[4:] or end[4:]:
                    self.warn("limit", "Scopus limits whole publication years; the date "
                              f"range {limit.value} is widened to whole years")
                clauses.extend(parts)
            else:
                self.warn("limit", limit_loss(limit, "Scopus"))
        if not clauses:
            return text
        return f"({text}) AND " + " AND ".join(f"({c})" for c in clauses)


class Scopus(Dialect):
    name: ClassVar[str] = "scopus"
    title: ClassVar[str] = "Scopus (advanced search)"
    tokenizer_class = ScopusTokenizer
    parser_class = ScopusParser
    generator_class = ScopusGenerator
    WILDCARDS: ClassVar[dict[str, str | None]] = {"*": "*", "?": "?", "%": None}
    LINE_LABEL: ClassVar[str] = r"#(\d+)\s+"
    COMBINATION: ClassVar[str | None] = (
        r"(?i)^\s*[({]*\s*(?:OR\s+|AND\s+)?#\d+(?:\s*[-,]\s*#\d+)*(?:\s*\)*\s*(?:AND|OR|NOT)\s*\(*\s*#\d+)*"
        r"\s*[)}]*(?:\s+\(?[\d,]+\)?)?\s*$")
    DEFAULT_FIELDS: ClassVar[str] = "all fields"
    LIMIT_LINE: ClassVar[str] = r"(?!)"  # limits are written inside the query
    ASSUMPTIONS: ClassVar[dict[str, tuple[Any, str]]] = {
        "phrase_wildcards": (True, "wildcards inside \"quotes\" work (current guides; old help "
                                   "disagrees); if False a "
                                    "phrase with wildcards is written as a PRE/0 chain"),
    }

    def parse(self, text: str) -> Query:
        query = super().parse(text)
        return Query(query.root, merge_dates(query.limits))


def merge_dates(limits: tuple[Limit, ...]) -> tuple[Limit, ...]:
    """PUBYEAR > 1999 and PUBYEAR < 2020 -> one date limit 2000..2019."""
    dates = [lim.value.partition("..") for lim in limits if lim.kind == "date"]
    if len(dates) < 2:
        return limits
    start = max((s for s, _, _ in dates if s), default="")
    end = min((e for _, _, e in dates if e), default="")
    rest = tuple(lim for lim in limits if lim.kind != "date")
    return (*rest, Limit("date", f"{start}..{end}"))
