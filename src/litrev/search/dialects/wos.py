"""Web of Science Core Collection, advanced search. Reference: search-syntax.md section 6.

* Field tags precede a word or group: `TS=(...)` (title, abstract, author keywords,
  Keywords Plus), `TI=`, `AB=`, `AK=`, `KP=`, `AU=`, `SO=`, `OG=`, `ALL=`. Words without a
  tag are written under `TS=` with a warning (advanced search needs a tag).
* Precedence NEAR/x > SAME > NOT > AND > OR. `SAME` is read as AND (it only differs in
  the address field).
* `NEAR/n` = n words between, any order; bare `NEAR` = `NEAR/15`. No ordered proximity.
  An operand of NEAR may not hold AND (including implicit AND).
* Wildcards `*`, `?` (exactly one), `$` (zero or one); `$` not inside quotes.
* Limits: `LA=(English)`, `DT=(Article)`, `PY=(2000-2019)`, ANDed to the query.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, ClassVar

from litrev.search.ast import (
    TI_AB_KW,
    Field,
    Fields,
    Heading,
    Limit,
    Node,
    Phrase,
    Query,
    Term,
    normalize,
)
from litrev.search.dialects.base import Dialect, Parser, Token, Tokenizer
from litrev.search.dialects.generator import Generator
from litrev.search.dialects.limits import closed_years, language_name, publication_type_name
from litrev.search.dialects.scopus import merge_dates

CODES: dict[str, Fields] = {
    "TS": TI_AB_KW, "TI": frozenset({Field.TITLE}), "AB": frozenset({Field.ABSTRACT}),
    "AK": frozenset({Field.KEYWORDS}), "AU": frozenset({Field.AUTHOR}),
    "SO": frozenset({Field.JOURNAL}), "OG": frozenset({Field.AFFILIATION}),
    "ALL": frozenset({Field.ALL}),
}
READ_ONLY = {"KP": frozenset({Field.KEYWORDS}), "TOPIC": TI_AB_KW}


class WosTokenizer(Tokenizer):
    rules: ClassVar[list[tuple[str, str]]] = [
        ("LIMIT", r"(?i:PY|LA|DT)\s*=\s*(?:\([^()\n]*\)|\"[^\"\n]*\"|[\w-]+)"),
        ("(", r"\("), (")", r"\)"),
        ("PHRASE", r'"[^"\n]*"'),
        ("BADQUOTE", r'"'),
        ("OP", r"(?i:AND|OR|NOT|SAME)(?![^\s()\"])"),
        ("NEAR", r"(?i:NEAR(?:/\d+)?)(?![^\s()\"])"),
        ("PREFIX", r"(?i:TS|TI|AB|AK|KP|AU|SO|OG|ALL|TOPIC)\s*="),
        ("REF", r"#\d+(?![^\s()])"),
        ("WORD", r'[^\s()"=]+'),
    ]

    def value(self, kind: str, text: str, token: Token, match: re.Match[str]) -> Any:
        if kind == "NEAR":
            return (int(text.split("/")[1]) if "/" in text else 15), False
        if kind == "PREFIX":
            tag = text.rstrip("= ").upper()
            return CODES.get(tag) or READ_ONLY[tag]
        if kind == "LIMIT":
            tag, _, raw = text.partition("=")
            value = raw.strip().strip("()").strip().strip('"')
            tag = tag.strip().upper()
            if tag == "PY":
                a, _, b = value.partition("-")
                return Limit("date", f"{a.strip()}..{(b or a).strip()}")
            values = [v.strip().strip('"') for v in re.split(r"(?i)\s+OR\s+", value)]
            if tag == "LA":
                return Limit("language", " OR ".join(language_name(v) or v for v in values))
            return Limit("publication_type", " OR ".join(
                publication_type_name("Journal Article" if v.lower() == "article" else v)
                for v in values))
        return None


class WosParser(Parser):
    precedence: ClassVar[dict[str, int]] = {"OR": 1, "AND": 2, "NOT": 3, "SAME": 4, "NEAR": 5}


class WosGenerator(Generator):
    FIELDS: ClassVar[dict[Fields, str]] = {v: k for k, v in CODES.items()}
    KEYWORDS: ClassVar[frozenset[str]] = frozenset({"AND", "OR", "NOT", "NEAR", "SAME"})
    NEAR_WORD: ClassVar[re.Pattern[str]] = re.compile(r"(?i)NEAR(/\d+)?")
    AND_IN_NEAR: ClassVar[bool] = False

    def generate(self, query: Query | Node) -> str:
        q = query if isinstance(query, Query) else Query(query)
        root = normalize(q.root)
        if _has_default(root):
            self.warn("field", "Web of Science advanced search needs a field tag; words "
                      "without one are searched in Topic (TS)")
            root = _default_to(root, TI_AB_KW)
        return self.with_limits(self.expr(root), q.limits)

    def tag_group(self, text: str, code: str) -> str:
        return f"{code}=({text})"

    def near_op(self, distance: int, ordered: bool, node: Any, quiet: bool = False) -> str:
        if ordered and not quiet:
            self.warn("proximity", f"no ordered proximity; written as NEAR/{distance} in "
                      "any order (wider)", node)
        return f"NEAR/{distance}"

    @property
    def PHRASE_WILDCARDS(self) -> bool:  # type: ignore[override]
        return True

    def leaf(self, node: Term | Phrase) -> str:
        if isinstance(node, Phrase) and any("%" in w for w in node.words):
            self.warn("wildcard", "'$' is not allowed inside quotes; written as '*' (wider)",
                      node)
            node = replace(node, words=tuple(w.replace("%", "*") for w in node.words))
        return super().leaf(node)

    def heading(self, node: Heading) -> str:
        self.warn("heading", "Web of Science Core Collection has no thesaurus search; the "
                  "heading is searched as a phrase in Topic (TS)", node)
        return self.leaf(Phrase(tuple(node.term.split()), TI_AB_KW))

    def with_limits(self, text: str, limits: tuple[Limit, ...]) -> str:
        return self.inline_limits(text, limits, self._limit_clause, "Web of Science", wrap_or=False)

    def _limit_clause(self, limit: Limit, values: list[str]) -> str | None:
        if limit.kind == "language":
            return f"LA=({' OR '.join(values)})"
        if limit.kind == "publication_type":
            names = ["Article" if v == "Journal Article" else v for v in values]
            return f"DT=({' OR '.join(names)})"
        if limit.kind == "date":
            start, end = closed_years(limit)
            return f"PY=({start}-{end})"
        return None


def _has_default(node: Node) -> bool:
    if isinstance(node, Term | Phrase):
        return node.fields is None
    return any(_has_default(c) for c in _children(node))


def _children(node: Node) -> tuple[Node, ...]:
    from litrev.search.ast import Not

    if isinstance(node, Not):
        return (node.include, node.exclude)
    return tuple(getattr(node, "children", ()))


def _default_to(node: Node, fields: Fields) -> Node:
    from litrev.search.ast import And, Near, Not, Or

    if isinstance(node, Term | Phrase):
        return replace(node, fields=fields) if node.fields is None else node
    if isinstance(node, Not):
        return Not(_default_to(node.include, fields), _default_to(node.exclude, fields),
                   span=node.span)
    if isinstance(node, And | Or):
        return type(node)(tuple(_default_to(c, fields) for c in node.children), span=node.span)
    if isinstance(node, Near):
        return Near(tuple(_default_to(c, fields) for c in node.children), node.distance,
                    node.ordered, span=node.span)
    return node


class WebOfScience(Dialect):
    name: ClassVar[str] = "wos"
    title: ClassVar[str] = "Web of Science Core Collection (advanced search)"
    tokenizer_class = WosTokenizer
    parser_class = WosParser
    generator_class = WosGenerator
    WILDCARDS: ClassVar[dict[str, str | None]] = {"*": "*", "?": "?", "%": "$"}
    LINE_LABEL: ClassVar[str] = r"#\s?(\d+)\s+"  # the history table prints `# 3`
    COMBINATION: ClassVar[str | None] = (
        r"(?i)^\s*[({]*\s*(?:OR\s+|AND\s+)?#\d+(?:\s*[-,]\s*#\d+)*(?:\s*\)*\s*(?:AND|OR|NOT)\s*\(*\s*#\d+)*"
        r"\s*[)}]*(?:\s+\(?[\d,]+\)?)?\s*$")
    DEFAULT_FIELDS: ClassVar[str] = "Topic (TS): title, abstract, author keywords, Keywords Plus"
    LIMIT_LINE: ClassVar[str] = r"(?!)"  # limits are written inside the query

    def clean_printed(self, text: str) -> str:
        """The search history's settings after a line (`Indexes=SCI-EXPANDED, SSCI
        Timespan=2000-2019`, `Refined by: LANGUAGES: ( ENGLISH )`): read the timespan and the
        refinements as limits of that line, blank the rest."""
        rows = text.split("\n")
        label = re.compile(r"\s*" + self.LINE_LABEL)
        for i, row in enumerate(rows):
            m = label.match(row)
            cut = _SETTINGS.search(row, m.end()) if m else None
            if m is None or cut is None:
                continue
            found = _settings_limits(row[cut.start():])
            if found:
                self.line_limits[int(m.group(1))] = found
            rows[i] = row[:cut.start()] + " " * (len(row) - cut.start())
        return super().clean_printed("\n".join(rows))

    def parse(self, text: str) -> Query:
        query = super().parse(text)
        return Query(query.root, merge_dates(query.limits))


_SETTINGS = re.compile(r"\s(?=(?:Indexes|Databases|Timespan|Editions|Refined by)\s*[=:])")


def _settings_limits(settings: str) -> list[Limit]:
    """Limits in Web of Science's printed search settings."""
    out: list[Limit] = []
    span = re.search(r"Timespan\s*=\s*(\d{4})\s*-\s*(\d{4})", settings)
    if span:
        out.append(Limit("date", f"{span.group(1)}..{span.group(2)}"))
    refined = re.search(r"Refined by:\s*(.*?)(?=\s+(?:Indexes|Databases|Timespan|Editions)\s*=|$)",
                        settings)
    for part in re.split(r"\s+AND\s+", refined.group(1)) if refined else []:
        m = re.fullmatch(r"\s*(?:\[excluding\]\s*)?([A-Z /]+?)\s*:\s*\(\s*(.*?)\s*\)\s*", part)
        values = [v.strip().title() for v in re.split(r"\s+OR\s+", m.group(2))] if m else []
        what = m.group(1).strip().upper() if m else ""
        if m and "excluding" not in part and what in {"LANGUAGES", "LANGUAGE"}:
            out.append(Limit("language", " OR ".join(language_name(v) or v for v in values)))
        elif m and "excluding" not in part and what in {"DOCUMENT TYPES", "DOCUMENT TYPE"}:
            out.append(Limit("publication_type", " OR ".join(
                publication_type_name("Journal Article" if v == "Article" else v)
                for v in values)))
        elif part.strip():
            out.append(Limit("filter", f"wos: {part.strip()}"))
    return out
