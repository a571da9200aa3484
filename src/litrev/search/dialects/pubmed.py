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
    Limit,
    Near,
    Node,
    Phrase,
    Term,
    Vocabulary,
)
from litrev.search.dialects.base import Dialect, Parser, Token, Tokenizer
from litrev.search.dialects.generator import Generator
from litrev.search.dialects.limits import OPEN_END, OPEN_START

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
    "sh": frozenset({Field.SUBHEADING}), "subheading": frozenset({Field.SUBHEADING}),
    "mesh subheading": frozenset({Field.SUBHEADING}),
    "nm": frozenset({Field.SUBSTANCE}), "supplementary concept": frozenset({Field.SUBSTANCE}),
    "substance name": frozenset({Field.SUBSTANCE}), "rn": frozenset({Field.SUBSTANCE}),
    "pa": frozenset({Field.PHARMACOLOGICAL_ACTION}),
    "pharmacological action": frozenset({Field.PHARMACOLOGICAL_ACTION}),
    "tt": frozenset({Field.ORIGINAL_TITLE}),
    "transliterated title": frozenset({Field.ORIGINAL_TITLE}),
    "sb": frozenset({Field.SUBSET}), "subset": frozenset({Field.SUBSET}),
    "filter": frozenset({Field.SUBSET}), "ptyp": frozenset({Field.PUBLICATION_TYPE}),
    "edat": frozenset({Field.ENTRY_DATE}), "date - entrez": frozenset({Field.ENTRY_DATE}),
    "date - entry": frozenset({Field.ENTRY_DATE}),
    "dp": frozenset({Field.PUBLICATION_DATE}), "pdat": frozenset({Field.PUBLICATION_DATE}),
    "date - publication": frozenset({Field.PUBLICATION_DATE}),
}
#: date tags read as limits -> limit kind
DATE_TAGS: dict[str, str] = {
    "dp": "date", "pdat": "date", "date - publication": "date", "publication date": "date",
    "edat": "entry_date", "date - entry": "entry_date", "entry date": "entry_date",
    "date - entrez": "entry_date", "dcom": "completion_date",
    "date - completion": "completion_date", "completion date": "completion_date",
    "mhda": "mesh_date", "date - mesh": "mesh_date", "mesh date": "mesh_date",
    "crdt": "create_date", "date - create": "create_date", "create date": "create_date",
}
#: limit kinds written inside a PubMed query -> tag
DATE_KIND_TAGS = {"entry_date": "edat", "create_date": "crdt", "completion_date": "dcom",
                  "mesh_date": "mhda"}
_DATE_VALUE = r'"?\d{4}(?:/\d{1,2}(?:/\d{1,2})?)?"?'
_DATE_TAG = r"\[\s*(?i:" + "|".join(DATE_TAGS) + r")\s*\]"
#: `2000:2019[dp]`, `"2000/01/01"[crdt] : "2018/03/04"[crdt]`, `2019[dp]`
DATE_LIMIT = (rf"{_DATE_VALUE}\s*:\s*{_DATE_VALUE}{_DATE_TAG}"
              rf"|{_DATE_VALUE}{_DATE_TAG}(?:\s*:\s*{_DATE_VALUE}{_DATE_TAG})?")
#: heading tags -> (explode, major)
HEADING_TAGS: dict[str, tuple[bool, bool]] = {
    "mh": (True, False), "mesh": (True, False), "mesh terms": (True, False),
    "mh:noexp": (False, False), "mesh:noexp": (False, False),
    "mesh terms:noexp": (False, False), "majr": (True, True), "mesh major topic": (True, True),
    "majr:noexp": (False, True), "mesh major topic:noexp": (False, True),
}


class PubMedTokenizer(Tokenizer):
    rules: ClassVar[list[tuple[str, str]]] = [
        ("LIMIT", DATE_LIMIT),
        ("(", r"\("), (")", r"\)"),
        ("PHRASE", r'"[^"\n]*"'),
        ("BADQUOTE", r'"'),
        ("OP", r"(?:AND|OR|NOT)(?![^\s()\"\[])"),
        ("SUFFIX", r"\[[^\]\n]+\]"),
        ("REF", r"#\d+(?![^\s()])"),
        ("WORD", r'[^\s()"\[\]]+'),
    ]

    def value(self, kind: str, text: str, token: Token, match: re.Match[str]) -> Any:
        if kind == "LIMIT":
            return date_limit(self, text, token)
        if kind != "SUFFIX":
            return None
        tag = re.sub(r"\s*:\s*", ":", re.sub(r"\s+", " ", text[1:-1].strip().lower()))
        tag = tag.replace(":no exp", ":noexp")  # printed `[mesh:no exp]`
        near = re.fullmatch(r"(tiab|title/abstract|ti|title):~(\d+)", tag)
        if near:
            return ("near", TAGS[near.group(1)], int(near.group(2)))
        if tag in HEADING_TAGS:
            return ("heading", *HEADING_TAGS[tag])
        if tag in TAGS:
            return ("fields", TAGS[tag])
        raise self.error(f"unknown PubMed tag {text}", token)


def date_limit(tokenizer: Tokenizer, text: str, token: Token) -> Limit:
    """A PubMed date search as a limit: kinds by tag, the two ends as ISO dates."""
    tags = {re.sub(r"\s+", " ", t.strip().lower()) for t in re.findall(r"\[([^\]]+)\]", text)}
    kinds = {DATE_TAGS[t] for t in tags}
    if len(kinds) != 1:
        raise tokenizer.error(f"a date range joins two different date fields: {text}", token)
    values = re.findall(r"\d{4}(?:/\d{1,2}(?:/\d{1,2})?)?", text)

    def iso(value: str) -> str:
        parts = value.split("/")
        return "-".join([parts[0], *(f"{int(p):02d}" for p in parts[1:])])

    start = iso(values[0])
    end = iso(values[1]) if len(values) > 1 else start
    return Limit(kinds.pop(), f"{start}..{end}")


class PubMedParser(Parser):
    precedence: ClassVar[dict[str, int]] = {"OR": 1, "AND": 1, "NOT": 1}

    def operand(self) -> Node:
        # `kidney allograft[tiab]`: a tag after several unquoted words applies to all of
        # them, as a phrase (PubMed help, "phrase searching"), not to the last word only.
        start = self.peek()
        j = self.i
        while self.tokens[j].kind == "WORD":
            j += 1
        if start.kind != "WORD" or j - self.i < 2 or self.tokens[j].kind != "SUFFIX":
            return super().operand()
        words = " ".join(t.text for t in self.tokens[self.i:j])
        self.i = j
        node = self.dialect.read_phrase(words)
        object.__setattr__(node, "span", (start.line, start.column))
        while self.peek().kind == "SUFFIX":
            node = self.suffix(node, self.next())
        return node

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
        frozenset({Field.KEYWORDS}): "ot", frozenset({Field.SUBHEADING}): "sh",
        frozenset({Field.SUBSTANCE}): "nm", frozenset({Field.PHARMACOLOGICAL_ACTION}): "pa",
        frozenset({Field.ORIGINAL_TITLE}): "tt", frozenset({Field.SUBSET}): "sb",
        frozenset({Field.ENTRY_DATE}): "edat", frozenset({Field.PUBLICATION_DATE}): "dp",
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
        pairs = _distributed(node)
        if pairs is not None:  # (a OR b) NEAR c == (a NEAR c) OR (b NEAR c): exact
            from litrev.search.ast import Or

            return self.bare(Or(pairs, span=node.span))
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

    def with_limits(self, text: str, limits: tuple[Limit, ...]) -> str:
        # Entry and create dates have no Filters-line form: PubMed searches them in the query.
        inline = tuple(lim for lim in limits if lim.kind in DATE_KIND_TAGS)
        text = self.inline_limits(text, inline, self._date_clause, "PubMed")
        return super().with_limits(text, tuple(lim for lim in limits if lim not in inline))

    def _date_clause(self, limit: Limit, values: list[str]) -> str:
        tag = DATE_KIND_TAGS[limit.kind]
        start, _, end = limit.value.partition("..")
        return (f'("{(start or OPEN_START).replace("-", "/")}"[{tag}] : '
                f'"{(end or OPEN_END).replace("-", "/")}"[{tag}])')

    def heading(self, node: Heading) -> str:
        if node.vocabulary is not Vocabulary.MESH:
            return super().heading(node)
        tag = ("majr" if node.major else "mh") + ("" if node.explode else ":noexp")
        if not node.subheadings:
            return f'"{node.term}"[{tag}]'
        parts = [f'"{node.term}/{s}"[{tag}]' for s in node.subheadings]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


#: most proximity pairs an OR-group proximity is spelled out into (beyond: AND, warned)
MAX_PAIRS = 64


def _distributed(node: Near) -> tuple[Near, ...] | None:
    """A proximity over OR groups of plain words as the OR of proximities over words, when
    PubMed could write each and there are at most MAX_PAIRS of them; None otherwise."""
    from itertools import product

    from litrev.search.ast import Or

    if not any(isinstance(c, Or) for c in node.children):
        return None
    options: list[tuple[Term, ...]] = []
    for child in node.children:
        members = child.children if isinstance(child, Or) else (child,)
        if not all(isinstance(m, Term) and not any(x in m.text for x in "*?%")
                   for m in members):
            return None
        options.append(tuple(m for m in members if isinstance(m, Term)))
    count = 1
    for group in options:
        count *= len(group)
    if count > MAX_PAIRS:
        return None
    return tuple(Near(combo, node.distance, node.ordered, node.fields, span=node.span)
                 for combo in product(*options))


class PubMed(Dialect):
    name: ClassVar[str] = "pubmed"
    title: ClassVar[str] = "PubMed"
    tokenizer_class = PubMedTokenizer
    parser_class = PubMedParser
    generator_class = PubMedGenerator
    WILDCARDS: ClassVar[dict[str, str | None]] = {"*": "*", "?": None, "%": None}
    # also `#3(ear* AND ...)` and `# 4 home OR ...`
    # `#33#15 AND ...`; not `#1 OR #2` printed without its own number
    LINE_LABEL: ClassVar[str] = r"(?:#\s?)?(\d+)(?:\.?\s+(?!(?i:or|and|not)\s)|(?<=\d)(?=[(#]))"
    COMBINATION: ClassVar[str | None] = (
        r"(?i)^\s*[({]*\s*(?:OR\s+|AND\s+)?#\d+(?:\s*[-,]\s*#\d+)*(?:\s*\)*\s*(?:AND|OR|NOT)\s*\(*\s*#\d+)*"
        r"\s*[)}]*(?:\s+\(?[\d,]+\)?)?\s*$")
    REF_FORMAT: ClassVar[str] = "#{n}"
    LIMIT_LINE: ClassVar[str] = r"(?i)^\s*filters\b"
    DEFAULT_FIELDS: ClassVar[str] = "all fields with Automatic Term Mapping"

    def split_limits(self, text: str) -> tuple[str, list[Limit]]:
        """Also the legacy history's `#7 Search #3 AND #5 Limits: English, Humans`: the
        limits of that line."""
        body, limits = super().split_limits(text)
        rows = body.split("\n")
        label = re.compile(r"\s*" + self.LINE_LABEL)
        for i, row in enumerate(rows):
            m = re.search(r"\s(?:Limits|Filters)\s*:\s*(?P<items>.*)$", row)
            if m is None:
                continue
            from litrev.search.dialects.limits import parse_limit_line

            found = parse_limit_line("Limits: " + m.group("items"))
            numbered = label.match(row)
            if numbered:
                self.line_limits[int(numbered.group(1))] = found
            else:
                limits.extend(found)
            rows[i] = row[:m.start()] + " " * (len(row) - m.start())
        return "\n".join(rows), limits

    def parse(self, text: str):
        # Legacy history: "Search (...)" -- blank the word out, keeping columns.
        text = re.sub(r"(?m)^(\s*(?:#?\d+\.?\s+)?)Search\s", lambda m: m.group(1) + " " * 7,
                      text)
        return super().parse(text)
