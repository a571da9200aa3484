"""ProQuest (incl. APA PsycInfo on ProQuest). Reference: search-syntax.md section 4.

* Fields precede a parenthesised word or group: `ti(...)`, `ab(...)`, `ti,ab(...)`,
  `noft(...)` (anywhere but full text), `su(...)`, `au(...)`, `pub(...)`.
* Headings: `MESH.EXACT.EXPLODE("Term")`, `MESH.EXACT("Term")`, `MJMESH.EXACT(...)`;
  APA thesaurus as `SU.EXACT.EXPLODE("Term")`, `MJSUB.EXACT(...)`.
* Proximity `NEAR/n` (`N/n`, any order), `PRE/n` (`P/n`, in order). Counting: UNVERIFIED;
  option `near_offset` (default 0: n = words between; 1 would mean n-1 between).
* Wildcards `*` (end or middle), `?` exactly one character.
* Precedence (legacy ProQuest help): OR > PRE/n > NEAR/n > AND > AND NOT, so
  `cat AND dog OR pet` = `cat AND (dog OR pet)`. The current platform is UNVERIFIED
  (option `precedence`). Unquoted adjacent words: ANDed (UNVERIFIED, option `implicit`).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from litrev.search.ast import TI_AB, Field, Fields, Heading, Vocabulary
from litrev.search.dialects.base import Dialect, Parser, Token, Tokenizer
from litrev.search.dialects.generator import Generator

CODES: dict[str, Fields] = {
    "ti": frozenset({Field.TITLE}), "ab": frozenset({Field.ABSTRACT}),
    "su": frozenset({Field.SUBJECT}), "noft": frozenset({Field.ALL}),
    "if": frozenset({Field.KEYWORDS}), "au": frozenset({Field.AUTHOR}),
    "pub": frozenset({Field.JOURNAL}), "af": frozenset({Field.AFFILIATION}),
    "dtype": frozenset({Field.PUBLICATION_TYPE}), "la": frozenset({Field.LANGUAGE}),
}
HEADINGS = {"MESH": (Vocabulary.MESH, False), "MJMESH": (Vocabulary.MESH, True),
            "SU": (Vocabulary.APA, False), "MJSUB": (Vocabulary.APA, True)}
FIELD_RE = "|".join(CODES)


class ProQuestTokenizer(Tokenizer):
    rules: ClassVar[list[tuple[str, str]]] = [
        ("HEADING", r'(?i:MESH|MJMESH|SU|MJSUB)\.EXACT(?:\.EXPLODE)?\(\s*"[^"\n]+"\s*\)'),
        ("(", r"\("), (")", r"\)"),
        ("PHRASE", r'"[^"\n]*"'),
        ("BADQUOTE", r'"'),
        ("OP", r"(?i:AND\s+NOT|AND|OR|NOT)(?![^\s()\"])"),
        ("NEAR", r"(?i:NEAR|N|PRE|P|W)/\d+(?![^\s()\"])"),
        ("PREFIX", rf"(?i:(?:{FIELD_RE})(?:\s*,\s*(?:{FIELD_RE}))*)(?=\s*\()"),
        ("REF", r"S\d+(?![^\s()])"),
        ("WORD", r'[^\s()"]+'),
    ]

    def value(self, kind: str, text: str, token: Token, match: re.Match[str]) -> Any:
        if kind == "NEAR":
            op, n = text.upper().split("/")
            return int(n) - self.dialect.options["near_offset"], op in {"PRE", "P"}
        if kind == "PREFIX":
            return frozenset().union(*(CODES[c.strip().lower()] for c in text.split(",")))
        if kind == "HEADING":
            m = re.match(r'(?i)(\w+)\.EXACT(\.EXPLODE)?\(\s*"([^"]+)"', text)
            assert m is not None
            vocabulary, major = HEADINGS[m.group(1).upper()]
            return Heading(m.group(3), vocabulary, bool(m.group(2)), major)
        return None


class ProQuestParser(Parser):
    precedence: ClassVar[dict[str, int]] = {"NOT": 1, "AND": 2, "NEAR": 3, "OR": 4}


class ProQuestGenerator(Generator):
    FIELDS: ClassVar[dict[Fields, str]] = {v: k for k, v in CODES.items()} | {TI_AB: "ti,ab"}
    OPS: ClassVar[dict[str, str]] = {"AND": "AND", "OR": "OR", "NOT": "NOT"}
    LIMIT_STYLE: ClassVar[str] = "proquest"

    def tag_group(self, text: str, code: str) -> str:
        return f"{code}({text})"

    def near_op(self, distance: int, ordered: bool, node: Any, quiet: bool = False) -> str:
        return f"{'PRE' if ordered else 'NEAR'}/{distance + self.dialect.options['near_offset']}"

    def heading(self, node: Heading) -> str:
        if node.vocabulary not in (Vocabulary.MESH, Vocabulary.APA):
            return super().heading(node)
        if node.subheadings:
            self.warn("heading", "subheadings are not written; the heading is searched "
                      "with all subheadings (wider)", node)
        base = {(Vocabulary.MESH, False): "MESH", (Vocabulary.MESH, True): "MJMESH",
                (Vocabulary.APA, False): "SU", (Vocabulary.APA, True): "MJSUB"}
        code = base[(node.vocabulary, node.major)]
        return f'{code}.EXACT{".EXPLODE" if node.explode else ""}("{node.term}")'


class ProQuest(Dialect):
    name: ClassVar[str] = "proquest"
    title: ClassVar[str] = "ProQuest"
    tokenizer_class = ProQuestTokenizer
    parser_class = ProQuestParser
    generator_class = ProQuestGenerator
    WILDCARDS: ClassVar[dict[str, str | None]] = {"*": "*", "?": "?", "%": None}
    LINE_LABEL: ClassVar[str] = r"S(\d+)\.?\s+"
    COMBINATION: ClassVar[str | None] = (
        r"(?i)^\s*\(*\s*S\d+(?:\s*\)*\s*(?:AND|OR|NOT)\s*\(*\s*S\d+)*\s*\)*(?:\s+\(?[\d,]+\)?)?\s*$")
    REF_FORMAT: ClassVar[str] = "S{n}"
    DEFAULT_FIELDS: ClassVar[str] = "anywhere, including full text where present"
    ASSUMPTIONS: ClassVar[dict[str, tuple[Any, str]]] = {
        "near_offset": (0, "NEAR/n counts n words between (0); set 1 if n counts the "
                           "operands' distance (n-1 between). UNVERIFIED"),
    }
