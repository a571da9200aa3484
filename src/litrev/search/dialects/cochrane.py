"""Cochrane Library (Wiley) Search Manager. Reference: search-syntax.md section 7.

* Field labels follow a word, phrase or group: `:ti`, `:ab`, `:kw`, `:ti,ab,kw`, `:au`,
  `:so`, `:pt`.
* MeSH: `[mh "Term"]` explodes all trees, `[mh ^"Term"]` single term, subheadings
  `[mh "Term"/TH]`, major `[mh "Term"[mj]]`.
* `NEAR/n` any order (bare `NEAR` = `NEAR/6`); `NEXT` adjacent in order. Counting of
  `NEAR/n` is UNVERIFIED: option `near_offset` (default 0: n = words between).
* Wildcards `*` and `?` (exactly one character per one guide, zero-or-one per another:
  option `question_mark`, default "one"). No wildcards inside quotes: a phrase holding a
  wildcard is written as a NEXT chain (`hearing NEXT aid*`), which means the same.
* Precedence: UNVERIFIED; option `precedence`, default NEAR/NEXT > AND = NOT > OR.
* Hyphens are valid characters: `co-produc*` does not find "co production".
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from litrev.search.ast import Field, Fields, Heading, Limit, Vocabulary
from litrev.search.dialects.base import Dialect, Parser, Token, Tokenizer
from litrev.search.dialects.generator import Generator
from litrev.search.dialects.limits import parse_limit_item

CODES: dict[str, Field] = {
    "ti": Field.TITLE, "ab": Field.ABSTRACT, "kw": Field.KEYWORDS, "au": Field.AUTHOR,
    "so": Field.JOURNAL, "pt": Field.PUBLICATION_TYPE,
}
ORDER = list(CODES)


#: the Search Manager's printed MeSH line: `MeSH descriptor: [Neoplasms] explode all trees
#: and with qualifier(s): [drug therapy - DT, therapy - TH]`, or `... this term only`
DESCRIPTOR = (r"(?i:MeSH\s+descriptor\s*:?\s*\[[^\]\n]+\]\s*(?:explode\s+all\s+trees|this\s+term"
              r"\s+only|explode\s+trees?\s+[\d\s,]+)(?:\s+and\s+with\s+qualifiers?(?:\(s\))?\s*:"
              r"\s*\[[^\]\n]*\])?)")
#: `{OR #1-#5}`, `{AND #1, #3, #6-#8}`
BRACE_REF = r"\{\s*(?i:OR|AND)\s+#\d+(?:\s*-\s*#\d+)?(?:\s*,\s*#\d+(?:\s*-\s*#\d+)?)*\s*\}"
#: what the Search Manager prints after a line it limited
LINE_LIMIT = re.compile(
    r"(?i)(?:\s+with\s+(?=(?:cochrane\s+library\s+publication\s+date|publication\s+year|"
    r"original\s+publication\s+year)\b)|,?\s+(?=in\s+(?:trials|cochrane\s+reviews|cochrane\s+"
    r"protocols|clinical\s+answers|editorials|special\s+collections)\s*(?:,|$)))(?P<limits>.+)$")


class CochraneTokenizer(Tokenizer):
    rules: ClassVar[list[tuple[str, str]]] = [
        ("HEADING", DESCRIPTOR),
        ("REF", BRACE_REF),
        ("HEADING", r'(?i:\[mh\s+)\^?\s*(?:"[^"\n]+"|[^\]\["/\n]+)(?:/[A-Za-z,]+)?'
                    r'(?:\s*\[mj\])?\s*\]'),
        ("(", r"\("), (")", r"\)"),
        ("PHRASE", r'"[^"\n]*"'),
        ("BADQUOTE", r'"'),
        ("OP", r"(?i:AND|OR|NOT)(?![^\s()\"])"),
        ("NEAR", r"(?i:NEAR(?:/\d+)?|NEXT)(?![^\s()\"])"),
        ("SUFFIX", r":[a-z]{2}(?:,[a-z]{2})*(?![a-z])"),
        ("REF", r"#\d+(?![^\s()])"),
        ("WORD", r'[^\s()":]+'),
    ]

    def value(self, kind: str, text: str, token: Token, match: re.Match[str]) -> Any:
        if kind == "NEAR":
            up = text.upper()
            if up == "NEXT":
                return 0, True
            n = int(up.split("/")[1]) if "/" in up else 6
            return n - self.dialect.options["near_offset"], False
        if kind == "SUFFIX":
            codes = text[1:].split(",")
            unknown = [c for c in codes if c not in CODES]
            if unknown:
                raise self.error(f"unknown Cochrane field :{unknown[0]}", token)
            return frozenset(CODES[c] for c in codes)
        if kind == "REF":
            if not text.startswith("{"):
                return None
            op = "OR" if re.match(r"\{\s*(?i:or)", text) else "AND"
            numbers: list[int] = []
            for a, b in re.findall(r"#(\d+)(?:\s*-\s*#(\d+))?", text):
                numbers.extend(range(int(a), int(b or a) + 1))
            return op, tuple(numbers)
        if kind == "HEADING" and text.lower().startswith("mesh"):
            return self.descriptor(text, token)
        if kind == "HEADING":
            m = re.match(r'(?i)\[mh\s+(\^)?\s*(?:"([^"]+)"|([^\]\["/]+))(?:/([A-Za-z,]+))?'
                         r'(\s*\[mj\])?', text)
            assert m is not None
            term = (m.group(2) or m.group(3)).strip()
            subs = tuple(s for s in (m.group(4) or "").split(",") if s)
            return Heading(term, Vocabulary.MESH, not m.group(1), bool(m.group(5)), subs)
        return None


    def descriptor(self, text: str, token: Token) -> Heading:
        m = re.match(r"(?i)MeSH\s+descriptor\s*:?\s*\[([^\]]+)\]\s*(explode\s+all\s+trees|this\s+"
                     r"term\s+only|explode\s+trees?[\d\s,]+)(?:.*?\[([^\]]*)\])?", text)
        assert m is not None
        how = m.group(2).lower()
        if how.startswith("explode") and "all" not in how:
            raise self.error("MeSH descriptor exploded on selected trees only: litrev cannot "
                             "say which trees; use 'explode all trees' or list the narrower "
                             "headings", token)
        subs = []
        for part in filter(None, (p.strip() for p in (m.group(3) or "").split(","))):
            code = re.search(r"-\s*([A-Z]{2})$", part)
            subs.append(code.group(1) if code else part)
        return Heading(m.group(1).strip(), Vocabulary.MESH, how.startswith("explode"), False,
                       tuple(subs))


class CochraneParser(Parser):
    precedence: ClassVar[dict[str, int]] = {"OR": 1, "AND": 2, "NOT": 2, "NEAR": 3}


class CochraneGenerator(Generator):
    FIELDS: ClassVar[dict[Fields, str]] = {frozenset({v}): k for k, v in CODES.items()}
    KEYWORDS: ClassVar[frozenset[str]] = frozenset({"AND", "OR", "NOT", "NEAR", "NEXT"})
    PHRASE_WILDCARDS: ClassVar[bool] = False
    LIMIT_STYLE: ClassVar[str] = "cochrane"
    NEAR_WORD: ClassVar[re.Pattern[str]] = re.compile(r"(?i)NEAR(/\d+)?|NEXT")

    def express(self, fields: Fields, node: Any, quiet: bool = False) -> list[str]:
        if all(f in CODES.values() for f in fields):
            return [",".join(c for c in ORDER if CODES[c] in fields)]
        return super().express(fields, node, quiet)

    def tag_group(self, text: str, code: str) -> str:
        return f"({text}):{code}"

    def tag_leaf(self, text: str, code: str) -> str:
        return f"{text}:{code}"

    def near_op(self, distance: int, ordered: bool, node: Any, quiet: bool = False) -> str | None:
        if ordered:
            if distance == 0:
                return "NEXT"
            if not quiet:
                self.warn("proximity", f"no ordered proximity beyond adjacency; written as "
                          f"NEAR/{distance} in any order (wider)", node)
        return f"NEAR/{distance + self.dialect.options['near_offset']}"

    def heading(self, node: Heading) -> str:
        if node.vocabulary is not Vocabulary.MESH:
            return super().heading(node)
        subs = "/" + ",".join(node.subheadings) if node.subheadings else ""
        major = " [mj]" if node.major else ""
        return f'[mh {"" if node.explode else "^"}"{node.term}"{subs}{major}]'


class Cochrane(Dialect):
    name: ClassVar[str] = "cochrane"
    title: ClassVar[str] = "Cochrane Library (Wiley) Search Manager"
    tokenizer_class = CochraneTokenizer
    parser_class = CochraneParser
    generator_class = CochraneGenerator
    LINE_LABEL: ClassVar[str] = r"#(\d+)\s+"
    COMBINATION: ClassVar[str | None] = (
        r"(?i)^\s*[({]*\s*(?:OR\s+|AND\s+)?#\d+(?:\s*[-,]\s*#\d+)*(?:\s*\)*\s*(?:AND|OR|NOT)\s*\(*\s*#\d+)*"
        r"\s*[)}]*(?:\s+\(?[\d,]+\)?)?\s*$")
    REF_FORMAT: ClassVar[str] = "#{n}"
    DEFAULT_FIELDS: ClassVar[str] = "all text (title, abstract, keywords and more)"
    ASSUMPTIONS: ClassVar[dict[str, tuple[Any, str]]] = {
        "near_offset": (0, "NEAR/n allows n words between (0); 1 if n-1 between. UNVERIFIED"),
        "question_mark": ("one", "'?' matches exactly one character ('one') or zero or one "
                                 "('optional'); sources disagree"),
    }

    def split_limits(self, text: str) -> tuple[str, list[Limit]]:
        """Cut the limits the Search Manager prints after a line (`#4 #3 with Cochrane
        Library publication date from Jan 2000 to Mar 2019, in Trials`) and `Limits:` lines."""
        body, limits = super().split_limits(text)
        rows = body.split("\n")
        label = re.compile(r"\s*" + self.LINE_LABEL)
        for i, row in enumerate(rows):
            m = LINE_LIMIT.search(row)
            if m is None:
                continue
            items = [parse_limit_item(part, row)
                     for part in re.split(r"\s*,\s*", m.group("limits").strip()) if part]
            numbered = label.match(row)
            if numbered:
                self.line_limits[int(numbered.group(1))] = items
            else:
                limits.extend(items)
            rows[i] = row[:m.start()] + " " * (len(row) - m.start())
        return "\n".join(rows), limits

    @property
    def WILDCARDS(self) -> dict[str, str | None]:  # type: ignore[override]
        if self.options["question_mark"] == "optional":
            return {"*": "*", "?": None, "%": "?"}
        return {"*": "*", "?": "?", "%": None}
