"""OpenAlex works API (`search` and `filter`). Reference: search-syntax.md section 10.

Text form: one parameter per line (or joined with `&`):

    search=(co-production OR coproduction) AND health
    filter=title_and_abstract.search:(co-production OR coproduction),language:en,publication_year:2000-2019

* `search=` covers title, abstract and full text; `title.search:`, `abstract.search:` and
  `title_and_abstract.search:` filters restrict the fields.
* AND/OR/NOT uppercase; quotes = exact phrase; words side by side are ANDed. Precedence
  UNVERIFIED: option `precedence`, default AND = NOT over OR.
* No wildcards and no proximity (whole-word matching with Kstem stemming): both are written
  with a warning (truncation dropped, proximity as AND).
* Limits as filters: `language:en`, `type:article`, `publication_year:2000-2019`.
"""

from __future__ import annotations

import re
from typing import ClassVar

from litrev.search.ast import TI_AB, And, Field, Fielded, Fields, Limit, Node, Query
from litrev.search.dialects.base import Dialect, Parser, Tokenizer
from litrev.search.dialects.generator import Generator, leaf_fields, strip_fields
from litrev.search.dialects.limits import (
    LANGUAGES,
    PUBLICATION_TYPES,
    closed_years,
    language_name,
    limit_loss,
    open_ends,
)
from litrev.search.errors import SearchSyntaxError

SEARCH_FILTERS: dict[str, Fields | None] = {
    "title.search": frozenset({Field.TITLE}), "abstract.search": frozenset({Field.ABSTRACT}),
    "title_and_abstract.search": TI_AB, "default.search": None,
}
TYPES: dict[str, str] = {}
for _name, _codes in PUBLICATION_TYPES.items():
    TYPES.setdefault(_codes[1], _name)  # "article" reads back as Journal Article


class OpenAlexTokenizer(Tokenizer):
    rules: ClassVar[list[tuple[str, str]]] = [
        ("(", r"\("), (")", r"\)"),
        ("PHRASE", r'"[^"\n]*"'),
        ("BADQUOTE", r'"'),
        ("OP", r"(?:AND|OR|NOT)(?![^\s()\"])"),
        ("WORD", r'[^\s()"]+'),
    ]


class OpenAlexParser(Parser):
    precedence: ClassVar[dict[str, int]] = {"OR": 1, "AND": 2, "NOT": 2}


class OpenAlexGenerator(Generator):
    LEADING_WILDCARD: ClassVar[bool] = False
    NEAR_WORD: ClassVar[re.Pattern[str]] = re.compile(r"(?!)")

    def generate(self, query: Query | Node) -> str:
        from litrev.search.ast import normalize

        q = query if isinstance(query, Query) else Query(query)
        root = normalize(q.root)
        # a heading is searched as words in the default fields: it counts as unfielded
        fields = {f if f else None for f in leaf_fields(root)}
        key = None
        if len(fields) == 1:
            only = next(iter(fields))
            key = next((k for k, v in SEARCH_FILTERS.items() if v == only and v is not None),
                       None)
            if only is not None and key is None:
                self.warn("field", f"OpenAlex cannot search only {sorted(only)}; searched "
                          "title, abstract and full text instead", root)
        elif len(fields) > 1:
            self.warn("field", "OpenAlex searches one field set per request; per-word fields "
                      "dropped (title, abstract and full text searched)", root)
        text = self.expr(strip_fields(root))
        filters = [f"{key}:{text}"] if key else []
        filters.extend(self.limit_filters(q.limits))
        lines = [] if key else [f"search={text}"]
        if filters:
            lines.append("filter=" + ",".join(filters))
        return "\n".join(lines)

    def limit_filters(self, limits: tuple[Limit, ...]) -> list[str]:
        out = []
        for limit in limits:
            values = limit.value.split(" OR ")
            if limit.kind == "language":
                out.append("language:" + "|".join(LANGUAGES.get(v, (v, ""))[0] for v in values))
            elif limit.kind == "publication_type":
                out.append("type:" + "|".join(PUBLICATION_TYPES.get(v, ("", v))[1]
                                              for v in values))
            elif limit.kind == "date":
                start, end = closed_years(limit)
                out.append(f"publication_year:{start}-{end}")
            else:
                self.warn("limit", limit_loss(limit, "OpenAlex"))
        return out


class OpenAlex(Dialect):
    name: ClassVar[str] = "openalex"
    title: ClassVar[str] = "OpenAlex (works search/filter)"
    tokenizer_class = OpenAlexTokenizer
    parser_class = OpenAlexParser
    generator_class = OpenAlexGenerator
    WILDCARDS: ClassVar[dict[str, str | None]] = {"*": None, "?": None, "%": None}
    DEFAULT_FIELDS: ClassVar[str] = "title, abstract and full text (stemmed)"
    LIMIT_LINE: ClassVar[str] = r"(?!)"  # limits are written inside the query

    def parse(self, text: str) -> Query:
        from litrev.search.dialects.base import normalize_quotes

        text = normalize_quotes(text)
        parts: list[Node] = []
        limits: list[Limit] = []
        for m in re.finditer(r"[^&\n]+", text):
            chunk, start = m.group(), m.start()
            head = re.match(r"\s*(search|filter)=", chunk)
            if not head:
                if chunk.strip():
                    parts.append(self._expr(text, start, chunk, None))
                continue
            body_at = start + head.end()
            body = chunk[head.end():]
            if head.group(1) == "search":
                parts.append(self._expr(text, body_at, body, None))
                continue
            for item in re.finditer(r"(?:[^,]|,(?![\w.]+:))+", body):
                key, _, value = item.group().partition(":")
                key = key.strip()
                at = body_at + item.start() + len(key) + 1
                if key in SEARCH_FILTERS:
                    parts.append(self._expr(text, at, value, SEARCH_FILTERS[key]))
                else:
                    limits.append(self._limit(key, value, text, at))
        if not parts:
            raise SearchSyntaxError("no search= or .search filter found", text, 1, 1,
                                    dialect=self.name)
        root = parts[0] if len(parts) == 1 else And(tuple(parts))
        return Query(root, tuple(open_ends(lim) for lim in limits))

    def _expr(self, text: str, start: int, body: str, fields: Fields | None) -> Node:
        padded = self._pad(text, start, body)
        node = self.parser_class(self, padded).parse(self.tokenizer_class(self).tokenize(padded))
        return Fielded(node, fields) if fields is not None else node

    def _limit(self, key: str, value: str, text: str, at: int) -> Limit:
        values = value.strip().split("|")
        if key == "language":
            return Limit("language", " OR ".join(language_name(v) or v for v in values))
        if key == "type":
            return Limit("publication_type", " OR ".join(TYPES.get(v, v) for v in values))
        if key == "publication_year":
            a, _, b = value.strip().partition("-")
            return Limit("date", f"{a}..{b or a}")
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        raise SearchSyntaxError(f"unsupported OpenAlex filter {key!r}", text, line, column,
                                dialect=self.name)


