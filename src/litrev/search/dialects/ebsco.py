"""EBSCOhost (CINAHL, MEDLINE, APA PsycInfo). Reference: search-syntax.md section 3.

* Field codes precede a word or group: `TI`, `AB`, `SU`, `TX`, `KW`, `AU`, `SO`, `AF`;
  `TI (a OR b)`. Title/abstract is written `TI (...) OR AB (...)` on OR groups, which is
  exact; EBSCO has no single title-or-abstract code.
* Headings: `(MH "Term+")` exploded, `(MH "Term")`, `(MM "Term")` major, subheadings
  `(MH "Term+/TH")`. Which thesaurus MH means depends on the database (option `vocabulary`).
* Proximity `Nn` (any order) and `Wn` (in order), n = words between.
* Wildcards `*`, `?` (exactly one), `#` (zero or one); none as the first character.
* Precedence: AND before OR (EBSCO help); where NOT sits is UNVERIFIED (option `precedence`,
  default: NOT with AND, left to right). Unquoted adjacent words: UNVERIFIED (option
  `implicit`, default "phrase", EBSCO's Boolean/Phrase mode).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from litrev.search.ast import Field, Fields, Heading, Vocabulary
from litrev.search.dialects.base import Dialect, Parser, Token, Tokenizer
from litrev.search.dialects.generator import Generator

CODES: dict[str, Fields] = {
    "TI": frozenset({Field.TITLE}), "AB": frozenset({Field.ABSTRACT}),
    "SU": frozenset({Field.SUBJECT}), "TX": frozenset({Field.ALL}),
    "KW": frozenset({Field.KEYWORDS}), "AU": frozenset({Field.AUTHOR}),
    "SO": frozenset({Field.JOURNAL}), "AF": frozenset({Field.AFFILIATION}),
    "PT": frozenset({Field.PUBLICATION_TYPE}), "LA": frozenset({Field.LANGUAGE}),
}


class EbscoTokenizer(Tokenizer):
    rules: ClassVar[list[tuple[str, str]]] = [
        ("(", r"\("), (")", r"\)"),
        ("HEADING", r'(?:MH|MM)\s+"[^"\n]+"'),
        ("PHRASE", r'"[^"\n]*"'),
        ("BADQUOTE", r'"'),
        ("OP", r"(?i:AND|OR|NOT)(?![^\s()\"])"),
        ("NEAR", r"[NW]\d+(?![^\s()\"])"),
        ("PREFIX", r"(?:" + "|".join(CODES) + r")(?=\s|\()"),
        ("REF", r"S\d+(?![^\s()])"),
        ("WORD", r'[^\s()"]+'),
    ]

    def value(self, kind: str, text: str, token: Token, match: re.Match[str]) -> Any:
        if kind == "NEAR":
            return int(text[1:]), text[0] == "W"
        if kind == "PREFIX":
            return CODES[text]
        if kind == "HEADING":
            code, inner = text[:2], text[2:].strip()[1:-1]
            term, _, subs = inner.partition("/")
            explode = term.endswith("+")
            return Heading(term.rstrip("+").strip(), Vocabulary(self.dialect.options["vocabulary"]),
                           explode, code == "MM",
                           tuple(s.strip() for s in subs.split(",") if s.strip()))
        return None


class EbscoParser(Parser):
    precedence: ClassVar[dict[str, int]] = {"OR": 1, "AND": 2, "NOT": 2, "NEAR": 3}
    implicit: ClassVar[str] = "phrase"


class EbscoGenerator(Generator):
    FIELDS: ClassVar[dict[Fields, str]] = {v: k for k, v in CODES.items()}
    KEYWORDS: ClassVar[frozenset[str]] = frozenset({"AND", "OR", "NOT"} | set(CODES))
    LEADING_WILDCARD: ClassVar[bool] = False
    LIMIT_STYLE: ClassVar[str] = "ebsco"
    NEAR_WORD: ClassVar[re.Pattern[str]] = re.compile(r"[NW]\d+")

    def tag_group(self, text: str, code: str) -> str:
        return f"{code} ({text})"

    def tag_leaf(self, text: str, code: str) -> str:
        return f"{code} {text}"

    def near_op(self, distance: int, ordered: bool, node: Any, quiet: bool = False) -> str:
        return f"{'W' if ordered else 'N'}{distance}"

    def heading(self, node: Heading) -> str:
        expected = self.dialect.options["vocabulary"]
        if node.vocabulary.value != expected:
            self.warn("heading", f"{node.vocabulary.value} heading written for a database "
                      f"indexed with {expected}; check the heading exists", node)
        subs = "/" + ",".join(node.subheadings) if node.subheadings else ""
        code = "MM" if node.major else "MH"
        return f'({code} "{node.term}{"+" if node.explode else ""}{subs}")'


class Ebsco(Dialect):
    name: ClassVar[str] = "ebsco"
    title: ClassVar[str] = "EBSCOhost"
    tokenizer_class = EbscoTokenizer
    parser_class = EbscoParser
    generator_class = EbscoGenerator
    WILDCARDS: ClassVar[dict[str, str | None]] = {"*": "*", "?": "?", "%": "#"}
    LINE_LABEL: ClassVar[str] = r"S(\d+)\.?\s+"
    REF_FORMAT: ClassVar[str] = "S{n}"
    DEFAULT_FIELDS: ClassVar[str] = "default fields of the database (varies by database)"
    ASSUMPTIONS: ClassVar[dict[str, tuple[Any, str]]] = {
        "vocabulary": ("mesh", "thesaurus that MH/MM search: mesh (MEDLINE), cinahl, apa"),
    }
