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

from litrev.search.ast import Field, Fields, Heading, Limit, Vocabulary
from litrev.search.dialects.base import Dialect, Parser, Token, Tokenizer
from litrev.search.dialects.generator import Generator
from litrev.search.errors import SearchSyntaxError

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


#: the columns EBSCOhost prints after a search in its history table (also pasted one per
#: line, or run together with the search when the tabs are lost)
META = re.compile(r"(?:\t|\s)(?=(?:Limiters|Expanders|Search modes|Narrow by [^\n]*?|Interface|"
                  r"Search Screen|Database)\s+-\s)")
META_START = re.compile(r"\s*(?:Limiters|Expanders|Search modes|Narrow by [^\n]*?|Interface|"
                        r"Search Screen|Database)\s+-\s")
META_PART = re.compile(r"(Limiters|Expanders|Search modes|Narrow by [^\n]*?|Interface|Search "
                       r"Screen|Database)\s+-\s+(.*?)(?=\s+(?:Limiters|Expanders|Search modes|"
                       r"Narrow by|Interface|Search Screen|Database)\s+-\s|\s*$)", re.S)
MODES = {"boolean/phrase": "phrase", "find all my search terms": "and"}


def ebsco_limiters(items: list[str]) -> list[Limit]:
    """EBSCOhost limiters; one litrev does not model (`Age Groups: Aged`) is kept as the
    interface's own filter, which other dialects report as dropped."""
    from litrev.search.dialects.limits import parse_limit_item

    out = []
    for item in filter(None, (v.strip() for v in items)):
        try:
            out.append(parse_limit_item(item))
        except SearchSyntaxError:
            out.append(Limit("filter", f"ebsco: {item}"))
    return out


class Ebsco(Dialect):
    name: ClassVar[str] = "ebsco"
    title: ClassVar[str] = "EBSCOhost"
    tokenizer_class = EbscoTokenizer
    parser_class = EbscoParser
    generator_class = EbscoGenerator
    WILDCARDS: ClassVar[dict[str, str | None]] = {"*": "*", "?": "?", "%": "#"}
    LINE_LABEL: ClassVar[str] = r"S(\d+)\.?\s+"
    COMBINATION: ClassVar[str | None] = (
        r"(?i)^\s*\(*\s*S\d+(?:\s*\)*\s*(?:AND|OR|NOT)\s*\(*\s*S\d+)*\s*\)*(?:\s+\(?[\d,]+\)?)?\s*$")
    REF_FORMAT: ClassVar[str] = "S{n}"
    DEFAULT_FIELDS: ClassVar[str] = "default fields of the database (varies by database)"
    ASSUMPTIONS: ClassVar[dict[str, tuple[Any, str]]] = {
        "vocabulary": ("mesh", "thesaurus that MH/MM search: mesh (MEDLINE), cinahl, apa"),
    }

    def clean_printed(self, text: str) -> str:
        """EBSCOhost's search history table: `S3  S1 AND S2  Limiters - English Language
        Search modes - Boolean/Phrase  Interface - ...  Database - CINAHL  1,234`, the columns
        after the search tab-separated, run together, or one per line. The limiters and the
        search mode of each line are read; the rest is blanked."""
        rows = text.split("\n")
        label = re.compile(r"\s*" + self.LINE_LABEL)
        current: int | None = None
        meta: dict[int, list[tuple[int, str]]] = {}
        for i, row in enumerate(rows):
            m = label.match(row)
            if m:
                current = int(m.group(1))
                cut = META.search(row, m.end())
            elif current is not None and META_START.match(row):
                cut = re.match(r"", row)
            else:
                continue
            if cut is not None:
                meta.setdefault(current, []).append((i + 1, row[cut.start():]))
                rows[i] = row[:cut.start()] + " " * (len(row) - cut.start())
        for number, parts in meta.items():
            self.read_meta(number, parts, text)
        return super().clean_printed("\n".join(rows))

    def parse_limit_line(self, line: str) -> list[Limit]:
        body = re.sub(r"(?i)^\s*(filters|limiters|limits)\s*[-:]?\s*", "", line)
        return ebsco_limiters(body.split(";"))

    def read_meta(self, number: int, parts: list[tuple[int, str]], text: str) -> None:
        """A line's Limiters (as limits of that line) and Search mode."""
        joined = " ".join(p for _, p in parts)
        line = parts[0][0]
        for what, value in META_PART.findall(joined):
            value = re.sub(r"\s+\d{1,3}(?:,\d{3})*\s*$", "", value.strip())  # the Results column
            if what == "Limiters":
                self.line_limits.setdefault(number, []).extend(
                    ebsco_limiters(value.split(";")))
            elif what == "Search modes":
                mode = MODES.get(value.strip().lower())
                if mode is None:
                    raise SearchSyntaxError(
                        f"search line S{number}: search mode {value.strip()!r} is not Boolean; "
                        "only 'Boolean/Phrase' and 'Find all my search terms' can be read",
                        text, line, 1, dialect=self.name)
                self.line_implicit[number] = mode
