"""litrev's canonical, readable search form (used in `litrev.toml`).

    (co-produc* OR coproduc*)[ti,ab] AND ("public service*" OR health)[ti,ab]
    NOT (engineer* OR biomass)[ti,ab] AND (care NEAR/2 home)[ti] AND mesh:"Delivery of Health Care"
    LIMIT language = English

* Operators: `AND`, `OR`, `NOT` (= AND NOT), `NEAR/n` (any order) and `PRE/n` (in order),
  n = most words allowed *between* the operands; uppercase only (lowercase are words).
* Precedence: NEAR/PRE, then AND and NOT (left to right), then OR. The generator
  parenthesises every nested operator anyway.
* Wildcards: `*` any run, `?` exactly one character, `%` zero or one; `gene*{4}` = at
  most four characters more.
* Fields: a suffix on a word, phrase or group: `[ti]`, `[ab]`, `[kw]`, `[sh]`, `[tw]`,
  `[all]`, `[au]`, `[jo]`, `[af]`, `[pt]`, `[la]`, `[fs]` (subheading), `[nm]` (substance),
  `[pa]`, `[ot]`, `[cm]`, `[ed]`, `[sb]`, `[dp]`, `[hw]`, combined as `[ti,ab,kw]`.
* Headings: `mesh:"Term"`, `emtree:"Term"`, `cinahl:"Term"`, `apa:"Term"` (exploded),
  flags in brackets: `mesh:"Neoplasms"[noexp,major,sub=therapy/diagnosis]`.
* Limits: one line each, `LIMIT language = English`, `LIMIT publication_type = Review`,
  `LIMIT date = 2000..2019`, `LIMIT peer_reviewed`.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from litrev.search.ast import Field, Fields, Heading, Limit, Vocabulary
from litrev.search.dialects.base import Dialect, Parser, Token, Tokenizer
from litrev.search.dialects.generator import Generator
from litrev.search.dialects.limits import LIMIT_KINDS
from litrev.search.errors import SearchSyntaxError

CODES: dict[str, Field] = {
    "ti": Field.TITLE, "ab": Field.ABSTRACT, "kw": Field.KEYWORDS, "sh": Field.SUBJECT,
    "all": Field.ALL, "tw": Field.TEXT_WORD, "au": Field.AUTHOR, "jo": Field.JOURNAL,
    "af": Field.AFFILIATION, "pt": Field.PUBLICATION_TYPE, "la": Field.LANGUAGE,
    "fs": Field.SUBHEADING, "nm": Field.SUBSTANCE, "pa": Field.PHARMACOLOGICAL_ACTION,
    "ot": Field.ORIGINAL_TITLE, "cm": Field.COMMENTS, "ed": Field.ENTRY_DATE,
    "sb": Field.SUBSET, "dp": Field.PUBLICATION_DATE,
    "hw": Field.HEADING_WORD,
}
ORDER = list(CODES)


class LitrevTokenizer(Tokenizer):
    rules: ClassVar[list[tuple[str, str]]] = [
        ("(", r"\("), (")", r"\)"),
        ("PHRASE", r'"[^"\n]*"'),
        ("BADQUOTE", r'"'),
        ("NEAR", r"(?:NEAR|PRE)/\d+"),
        ("OP", r"(?:AND\s+NOT|AND|OR|NOT)(?![^\s()\"])"),
        ("SUFFIX", r"\[[a-zA-Z]+(?:\s*,\s*[a-zA-Z]+)*\]"),
        ("HEADING", r'(?:mesh|emtree|cinahl|apa):"[^"\n]+"(?:\[[^\]\n]*\])?'),
        ("WORD", r'[^\s()"\[\]]+'),
    ]

    def value(self, kind: str, text: str, token: Token, match: re.Match[str]) -> Any:
        if kind == "NEAR":
            op, n = text.split("/")
            return int(n), op == "PRE"
        if kind == "SUFFIX":
            return read_codes(self, text[1:-1], token)
        if kind == "HEADING":
            return read_heading(self, text, token)
        return None


def read_codes(tokenizer: Tokenizer, codes: str, token: Token) -> Fields:
    out = set()
    for code in re.split(r"\s*,\s*", codes.strip().lower()):
        if code not in CODES:
            raise tokenizer.error(f"unknown field [{code}]; expected one of "
                             f"{', '.join(CODES)}", token)
        out.add(CODES[code])
    return frozenset(out)


def read_heading(tokenizer: Tokenizer, text: str, token: Token) -> Heading:
    m = re.fullmatch(r'(\w+):"([^"]+)"(?:\[([^\]]*)\])?', text)
    assert m is not None
    explode, major, subs = True, False, ()
    for flag in filter(None, (f.strip() for f in (m.group(3) or "").split(","))):
        if flag == "noexp":
            explode = False
        elif flag == "major":
            major = True
        elif flag.startswith("sub="):
            subs = tuple(s for s in flag[4:].split("/") if s)
        else:
            raise tokenizer.error(f"unknown heading flag {flag!r} (noexp, major, sub=)", token)
    return Heading(m.group(2), Vocabulary(m.group(1)), explode, major, subs)


class LitrevParser(Parser):
    precedence: ClassVar[dict[str, int]] = {"OR": 1, "AND": 2, "NOT": 2, "NEAR": 3}


class LitrevGenerator(Generator):
    KEYWORDS: ClassVar[frozenset[str]] = frozenset({"AND", "OR", "NOT", "LIMIT"})
    NEAR_WORD: ClassVar[re.Pattern[str]] = re.compile(r"(NEAR|PRE)/\d+")
    BOUNDED: ClassVar[str | None] = "{stem}*{{{n}}}"

    def express(self, fields: Fields, node: object, quiet: bool = False) -> list[str]:
        return ["[" + ",".join(c for c in ORDER if CODES[c] in fields) + "]"]

    def tag_leaf(self, text: str, code: str) -> str:
        return f"{text}{code}"

    def near_op(self, distance: int, ordered: bool, node: object, quiet: bool = False) -> str:
        return f"{'PRE' if ordered else 'NEAR'}/{distance}"

    def heading(self, node: Heading) -> str:
        flags = []
        if not node.explode:
            flags.append("noexp")
        if node.major:
            flags.append("major")
        if node.subheadings:
            flags.append("sub=" + "/".join(node.subheadings))
        tail = f"[{','.join(flags)}]" if flags else ""
        return f'{node.vocabulary.value}:"{node.term}"{tail}'

    def with_limits(self, text: str, limits: tuple[Limit, ...]) -> str:
        lines = [text]
        for limit in limits:
            if limit.kind == "peer_reviewed":
                lines.append("LIMIT peer_reviewed")
            else:
                lines.append(f"LIMIT {limit.kind} = {limit.value}")
        return "\n".join(lines)


class Litrev(Dialect):
    name: ClassVar[str] = "litrev"
    title: ClassVar[str] = "litrev canonical form"
    tokenizer_class = LitrevTokenizer
    parser_class = LitrevParser
    generator_class = LitrevGenerator
    WILDCARDS: ClassVar[dict[str, str | None]] = {"*": "*", "?": "?", "%": "%"}
    LINE_LABEL: ClassVar[str] = r"#(\d+)\s+"
    LIMIT_LINE: ClassVar[str] = r"^\s*LIMIT\b"

    def read_word(self, raw: str):
        m = re.fullmatch(r"(.*\*)\{(\d+)\}", raw)
        term = super().read_word(m.group(1) if m else raw)
        if m:
            from dataclasses import replace

            return replace(term, max_extra=int(m.group(2)))
        return term

    def parse_limit_line(self, line: str) -> list[Limit]:
        kinds = "|".join(LIMIT_KINDS)
        m = re.fullmatch(rf"\s*LIMIT\s+({kinds})\s*(?:=\s*(.+?))?\s*", line)
        if not m:
            raise SearchSyntaxError(f"expected 'LIMIT <{kinds}> = value'", line, 1, 1,
                                    dialect=self.name)
        return [Limit(m.group(1), m.group(2) or "true")]
