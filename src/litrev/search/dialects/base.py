"""The machinery every dialect specialises: tokens, a tokenizer, a precedence parser.

A dialect module subclasses `Tokenizer` (its token rules), `Parser` (its precedence table
and how adjacent words combine) and `Generator` (in `generator.py`), and ties them
together in a `Dialect` subclass, as sqlglot does. Canonical wildcards in the tree are
`*` (any run), `?` (exactly one) and `%` (zero or one); see `litrev.search.ast`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from litrev.search.ast import (
    And,
    Fielded,
    Fields,
    Heading,
    Limit,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Query,
    Term,
)
from litrev.search.errors import SearchSyntaxError

# Curly and other typographic quotes pasted from word processors, each replaced by one
# ASCII character so that columns stay right.
QUOTE_MAP = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
                           "‘": "'", "’": "'", "‚": "'", "‛": "'", "´": "'",
                           "–": "-", "—": "-", "\u00a0": " "})


def normalize_quotes(text: str) -> str:
    """Replace curly quotes, dashes and no-break spaces by ASCII, keeping every column.

    >>> normalize_quotes("“public sector”")
    '"public sector"'
    """
    return text.translate(QUOTE_MAP)


@dataclass(frozen=True)
class Token:
    kind: str  # "(" ")" WORD PHRASE OP NEAR PREFIX SUFFIX HEADING LIMIT REF EOF
    text: str
    pos: int
    end: int
    line: int
    column: int
    value: Any = None


class Tokenizer:
    """Splits text into tokens with `rules`: (kind, regex) pairs tried in order at each point.

    A subclass adds rules and may override `make` to turn a match into a token value.
    """

    rules: ClassVar[list[tuple[str, str]]] = []

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._regex = _master_regex(type(self))

    def error(self, message: str, token: Token) -> SearchSyntaxError:
        return SearchSyntaxError(message, self.text, token.line, token.column,
                                 dialect=self.dialect.name)

    def tokenize(self, text: str) -> list[Token]:
        self.text = text
        # Lines are counted as the scan advances, not listed up front: a numbered line is
        # tokenized inside the whole strategy, so listing every newline per line was quadratic.
        line, line_start, counted = 1, 0, 0
        tokens: list[Token] = []
        pos = 0
        while pos < len(text):
            if text[pos].isspace():
                # one regex step over a run of spaces: a numbered line is tokenized inside
                # the whole strategy blanked out, so runs are as long as the strategy
                pos = _SPACES.match(text, pos).end()  # type: ignore[union-attr]
                continue
            m = self._regex.match(text, pos)
            if (newlines := text.count("\n", counted, pos)):
                line += newlines
                line_start = text.rfind("\n", counted, pos) + 1
            counted = pos
            column = pos - line_start + 1
            if m is None or m.end() == pos:
                raise SearchSyntaxError(
                    f"unexpected character {text[pos]!r}", text, line, column,
                    dialect=self.dialect.name,
                )
            index = int(m.lastgroup[1:]) if m.lastgroup else 0
            kind = self.rules[index][0]
            token = Token(kind, m.group(), pos, m.end(), line, column)
            made = self.make(token, m)
            if made is not None:
                tokens.append(made)
            pos = m.end()
        # The end is where the last token ends: a line cut out of a numbered strategy is
        # padded with the other lines blanked, and an error at its end belongs to it.
        end = tokens[-1].end if tokens else len(text)
        if (newlines := text.count("\n", counted, end)):
            line += newlines
            line_start = text.rfind("\n", counted, end) + 1
        tokens.append(Token("EOF", "", end, end, line, end - line_start + 1))
        return tokens

    def make(self, token: Token, match: re.Match[str]) -> Token | None:
        """Give a matched token its value; `value` does the dialect-specific kinds."""
        kind, text = token.kind, token.text
        if kind == "BADQUOTE":
            raise self.error(f"unbalanced {text!r}: the phrase is never closed", token)
        if kind == "PHRASE":
            value: Any = text[1:-1]
        elif kind == "OP":
            value = "NOT" if re.fullmatch(r"(?i)and\s+not", text) else text.upper()
        elif kind == "REF":
            value = self.value(kind, text, token, match) or (
                "AND", (int(re.sub(r"\D", "", text)),))
        else:
            value = self.value(kind, text, token, match)
        return Token(kind, text, token.pos, token.end, token.line, token.column, value)

    def value(self, kind: str, text: str, token: Token, match: re.Match[str]) -> Any:
        return None


_REGEXES: dict[type[Tokenizer], re.Pattern[str]] = {}
_SPACES = re.compile(r"\s+")


def _master_regex(cls: type[Tokenizer]) -> re.Pattern[str]:
    """One compiled alternation of a tokenizer class's rules, built once per class."""
    if cls not in _REGEXES:
        parts = [f"(?P<r{i}>{rx})" for i, (_, rx) in enumerate(cls.rules)]
        _REGEXES[cls] = re.compile("|".join(parts))
    return _REGEXES[cls]


class LineRef(Node):
    """Internal marker for a reference to an earlier numbered search line."""


@dataclass(frozen=True, eq=False)
class LimitNode(Node):
    """Internal marker for a limit written inside the query (Scopus LIMIT-TO); lifted out."""

    limit: Limit


@dataclass(frozen=True, eq=False)
class Limited(Node):
    """Internal marker: a numbered line with limits of its own (`5 limit 4 to english`)."""

    child: Node
    limits: tuple[Limit, ...]
    number: int = 0


class Parser:
    """A precedence-climbing parser. `precedence` maps operator names to binding levels:
    a higher number binds tighter, equal numbers group left to right.

    Operator names: AND, OR, NOT (meaning AND NOT), NEAR, SAME (an AND in most fields).
    `implicit` says what two operands written side by side mean: "and" or "phrase".
    """

    precedence: ClassVar[dict[str, int]] = {"OR": 1, "AND": 2, "NOT": 2, "NEAR": 3, "SAME": 2}
    implicit: ClassVar[str] = "and"

    def __init__(self, dialect: Dialect, text: str, lines: dict[int, Node] | None = None):
        self.dialect = dialect
        self.text = text
        self.lines = lines or {}
        self.levels: dict[str, int] = dict(dialect.options.get("precedence") or self.precedence)
        self.joins: str = dialect.options.get("implicit", self.implicit)
        self.tokens: list[Token] = []
        self.i = 0

    # -- helpers ---------------------------------------------------------------------
    def error(self, message: str, token: Token | None = None) -> SearchSyntaxError:
        token = token or self.peek()
        return SearchSyntaxError(message, self.text, token.line, token.column,
                                 dialect=self.dialect.name)

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def next(self) -> Token:
        token = self.peek()
        self.i += 1
        return token

    def starts_operand(self, token: Token) -> bool:
        return token.kind in {"(", "WORD", "PHRASE", "PREFIX", "HEADING", "REF", "LIMIT"}

    # -- grammar ---------------------------------------------------------------------
    def parse(self, tokens: list[Token]) -> Node:
        self.tokens, self.i = tokens, 0
        if self.peek().kind == "EOF":
            raise self.error("empty search")
        node = self.expression(0)
        if self.peek().kind != "EOF":
            token = self.peek()
            what = "unbalanced ')'" if token.kind == ")" else f"unexpected {token.text!r}"
            raise self.error(what, token)
        return node

    def operator(self, token: Token) -> str | None:
        if token.kind == "OP":
            return str(token.value)
        if token.kind == "NEAR":
            return "NEAR"
        if self.starts_operand(token):  # side by side (words already joined if "phrase")
            return "AND"
        return None

    def expression(self, min_level: int) -> Node:
        left = self.operand()
        while True:
            token = self.peek()
            name = self.operator(token)
            if name is None or name not in self.levels:
                if name is not None:
                    raise self.error(f"{token.text!r} is not an operator of this dialect")
                return left
            level = self.levels[name]
            if level < min_level:
                return left
            if token.kind in {"OP", "NEAR"}:
                self.next()
            if not self.starts_operand(self.peek()):
                raise self.error(f"expected a term after {token.text!r}")
            right = self.expression(level + 1)
            left = self.combine(name, token, left, right)

    def combine(self, name: str, token: Token, left: Node, right: Node) -> Node:
        span = left.span
        if name in {"AND", "SAME"}:
            return And((*_flat(And, left), right), span=span)
        if name == "OR":
            return Or((*_flat(Or, left), right), span=span)
        if name == "NOT":
            return Not(left, right, span=span)
        distance, ordered = token.value
        if isinstance(left, Near) and left.fields is None and (left.distance, left.ordered) == (
            distance, ordered) and not getattr(left, "_grouped", False):
            return Near((*left.children, right), distance, ordered, span=span)
        return Near((left, right), distance, ordered, span=span)

    def operand(self) -> Node:
        token = self.peek()
        span = (token.line, token.column)
        if token.kind == "PREFIX":
            self.next()
            if not self.starts_operand(self.peek()):
                raise self.error(f"expected a term or group after field {token.text!r}")
            return Fielded(self.operand(), token.value, span=span)
        if token.kind == "(":
            self.next()
            if self.peek().kind == ")":
                raise self.error("empty group '()'", token)
            node = self.expression(0)
            if self.peek().kind != ")":
                raise self.error("missing ')' to close the group opened here", token)
            self.next()
            object.__setattr__(node, "_grouped", True)
        elif token.kind == "WORD":
            self.next()
            node = self.dialect.read_word(token.value if token.value is not None else token.text)
            if self.joins == "phrase" and self.peek().kind == "WORD":
                words = [token.text]
                while self.peek().kind == "WORD":
                    words.append(self.next().text)
                node = Phrase(tuple(self.dialect.read_word(w).text for w in words))
        elif token.kind == "PHRASE":
            self.next()
            node = self.dialect.read_phrase(token.value)
        elif token.kind in {"HEADING", "LIMIT"}:
            self.next()
            node = token.value if token.kind == "HEADING" else LimitNode(token.value)
        elif token.kind == "REF":
            self.next()
            node = self.reference(token)
        else:
            raise self.error(f"expected a term, found {token.text or 'end of search'!r}")
        node = _with_span(node, span)
        while self.peek().kind == "SUFFIX":
            node = self.suffix(node, self.next())
        return node

    def suffix(self, node: Node, token: Token) -> Node:
        fields: Fields = token.value
        return Fielded(node, fields, span=node.span)

    def reference(self, token: Token) -> Node:
        if not self.lines:  # not a numbered strategy: 'S100' is a word
            return self.dialect.read_word(token.text)
        op, numbers = token.value
        missing = [n for n in numbers if n not in self.lines]
        if missing:
            raise self.error(f"search line {missing[0]} is not defined above", token)
        nodes = tuple(self.lines[n] for n in numbers)
        if len(nodes) == 1:
            return nodes[0]
        return And(nodes) if op == "AND" else Or(nodes)


def _flat(kind: type[And] | type[Or], node: Node) -> tuple[Node, ...]:
    if isinstance(node, kind) and not getattr(node, "_grouped", False):
        return node.children
    return (node,)


def _with_span(node: Node, span: tuple[int, int]) -> Node:
    if node.span is None:
        object.__setattr__(node, "span", span)
    return node


class Dialect:
    """A database's search syntax: tokenizer, parser, generator and its assumptions.

    `options` overrides the documented assumptions in `ASSUMPTIONS` (each UNVERIFIED rule of
    the syntax reference is one), e.g. `Ebsco(precedence={...})`.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    tokenizer_class: ClassVar[type[Tokenizer]] = Tokenizer
    parser_class: ClassVar[type[Parser]] = Parser
    generator_class: ClassVar[type[Any]]
    #: documented assumptions: option name -> (default, explanation)
    ASSUMPTIONS: ClassVar[dict[str, tuple[Any, str]]] = {}
    #: canonical wildcard -> this dialect's spelling (None: cannot be written)
    WILDCARDS: ClassVar[dict[str, str | None]] = {"*": "*", "?": "?", "%": None}
    LINE_LABEL: ClassVar[str] = r"(?:#|S)?(\d+)\.?\s+"
    LABEL_SINGLE: ClassVar[bool] = False  # one labelled line is a numbered strategy
    #: how a numbered line is labelled and referred to ("{n}" is the number); "" = none
    REF_FORMAT: ClassVar[str] = ""
    LIMIT_LINE: ClassVar[str] = r"(?i)^\s*(filters|limiters|limits)\b"
    #: a line that only combines earlier lines (`or/1-4`, `#1 OR #2`): its presence makes
    #: unnumbered rows of a printout numbered lines (None: this dialect has no such lines)
    COMBINATION: ClassVar[str | None] = None
    #: what words without a field tag search, in words (for warnings and the docs)
    DEFAULT_FIELDS: ClassVar[str] = "all fields"

    def __init__(self, **options: Any) -> None:
        unknown = set(options) - set(self.ASSUMPTIONS) - {"precedence", "implicit", "numbered"}
        if options.get("numbered") and not self.REF_FORMAT:
            raise ValueError(f"{self.name}: no numbered search lines in this interface")
        if unknown:
            raise ValueError(f"{self.name}: unknown option(s) {sorted(unknown)}")
        self.options = {k: v[0] for k, v in self.ASSUMPTIONS.items()} | options

    # -- reading ---------------------------------------------------------------------
    def read_word(self, raw: str) -> Term:
        """A word as typed in this dialect -> a canonical `Term`."""
        reverse = {v: k for k, v in self.WILDCARDS.items() if v}
        return Term("".join(reverse.get(ch, ch) for ch in raw))

    def read_phrase(self, inner: str) -> Node:
        words = tuple(self.read_word(w).text for w in inner.split())
        if len(words) == 1 and words[0].upper() in self.generator_class.KEYWORDS:
            return Term(words[0])  # an operator word quoted to be searched as a word
        return Phrase(words)

    def parse(self, text: str) -> Query:
        self.line_limits: dict[int, list[Limit]] = {}  # limits printed on a numbered line
        self.line_implicit: dict[int, str] = {}  # a line's own search mode (EBSCO)
        self.row_limits: dict[int, list[Limit]] = {}  # limits of an unnumbered row, by row
        text = self.clean_printed(normalize_quotes(text))
        body, limits = self.split_limits(text)
        # A history printed newest first (Web of Science) is read oldest first: a line can
        # only use lower-numbered lines, and the highest-numbered line is the search.
        lines = sorted(self.numbered_lines(body), key=lambda line: line[0])
        nodes: dict[int, Node] = {}
        root: Node | None = None
        padded = body
        blank = re.sub(r"[^\n]", " ", body)  # once, not once per line (was quadratic)
        for number, start, line_text in lines:
            padded = blank[:start] + line_text + blank[start + len(line_text):]
            parser = self.parser_class(self, padded, nodes)
            parser.joins = self.line_implicit.get(number, parser.joins)
            tokens = self.tokenizer_class(self).tokenize(padded)
            root = parser.parse(tokens)
            root, found = _lift_limits(root, padded, self.name)
            found.extend(self.line_limits.get(number, ()))
            if found:
                root = Limited(root, tuple(found), number, span=root.span)
            nodes[number] = root
            last = (tokens[0].line, tokens[0].column)
        assert root is not None
        if any(isinstance(node, Limited) for node in nodes.values()):
            root = _apply_line_limits(root, limits, padded, self.name, last,
                                      str(self.options.get("vocabulary", "mesh")))
        from litrev.search.dialects.limits import open_ends

        return Query(root, tuple(open_ends(lim) for lim in limits))

    def clean_printed(self, text: str) -> str:
        """Blank what an interface prints around a strategy (headers such as `Search
        Strategy:` or `ID Search Hits`, rules of dashes, the hit-count column), keeping
        every other character where it was.

        >>> Dialect().clean_printed("1  heart  (3,456)").rstrip()
        '1  heart'
        """
        rows = text.split("\n")
        for i, row in enumerate(rows):
            if PRINTED_HEADER.match(row):
                rows[i] = " " * len(row)
        numbered = self.numbered_rows(rows)
        counts = {i: _count_at(rows[i], own, at, self.REF_FORMAT == "{n}")
                  for i, (own, at) in numbered.items()}
        # A trailing number is a count for sure (tab, thousands comma, or a number no
        # earlier line can have), or when every numbered line ends with one.
        loose = len(numbered) > 1 and all(c is not None for c in counts.values())
        for i, found in counts.items():
            if found is not None and (found[1] or loose):
                rows[i] = rows[i][:found[0]] + " " * (len(rows[i]) - found[0])
        return "\n".join(rows)

    def numbered_rows(self, rows: list[str]) -> dict[int, tuple[int, int]]:
        """Row index -> (its line number, where its label ends) for the numbered rows."""
        implicit = self.implicit_numbers(rows)
        if implicit is not None:
            return {i: (n, at) for i, (n, at, more) in implicit.items() if not more}
        label = re.compile(r"\s*" + self.LINE_LABEL)
        return {i: (int(m.group(1)), m.end()) for i, row in enumerate(rows)
                if (m := label.match(row))}

    def implicit_numbers(self, rows: list[str]) -> dict[int, tuple[int, int, bool]] | None:
        """Row -> (line number, label end, continues the line above) for a printout whose
        rows are not all numbered: some numbered (`80 and 81` printed after line 79), or none
        but one combining lines (`or/1-9`, `#1 OR #2`). An unnumbered row takes the number
        after the row above, or continues it while the row above leaves a '(' open (a long
        line wrapped by the printout). None when the rows are all numbered, or nothing says
        the text is a numbered strategy."""
        label = re.compile(r"\s*" + self.LINE_LABEL)
        filled = [(i, label.match(r)) for i, r in enumerate(rows) if r.strip()]
        found = [m for _, m in filled]
        combining = re.compile(self.COMBINATION) if self.COMBINATION else None
        if len(filled) < 2 or all(found) or not combining or not (
                any(found) or any(combining.match(rows[i]) for i, _ in filled)):
            return None
        out: dict[int, tuple[int, int, bool]] = {}
        number, depth = 0, 0
        for k, (i, m) in enumerate(filled):
            # a wrap continues the line only when its ')' close it within three rows; a
            # line that never closes is left alone, to be refused where it is
            ahead = [rows[j] for j, mm in filled[k:k + 3] if mm is None]
            closes = any(depth + sum(map(_open_parentheses, ahead[:n + 1])) <= 0
                         for n in range(len(ahead)))
            more = m is None and depth > 0 and bool(out) and closes
            if not more:
                number = int(m.group(1)) if m else number + 1
                depth = 0
            depth += _open_parentheses(rows[i])
            out[i] = (number, m.end() if m else 0, more)
        return out

    @staticmethod
    def _pad(body: str, start: int, line_text: str) -> str:
        """Blank out everything but one line, so that token positions match the input."""
        before = re.sub(r"[^\n]", " ", body[:start])
        after = re.sub(r"[^\n]", " ", body[start + len(line_text):])
        return before + line_text + after

    def numbered_lines(self, body: str) -> list[tuple[int, int, str]]:
        """(number, offset, text) of each search line, or the whole body as line 0."""
        raw = [(m.start(), m.group()) for m in re.finditer(r"[^\n]+", body) if m.group().strip()]
        label = re.compile(r"\s*" + self.LINE_LABEL)
        if not raw:
            raise SearchSyntaxError("empty search", body, 1, 1, dialect=self.name)
        rows = body.split("\n")
        implicit = self.implicit_numbers(rows)
        if implicit is not None:
            lines: list[tuple[int, int, str]] = []
            at = 0
            for i, row in enumerate(rows):
                if i in implicit:
                    number, label_end, more = implicit[i]
                    if more:  # a wrapped line: the row joins the line above, newline kept
                        n, start, _ = lines[-1]
                        lines[-1] = (n, start, body[start:at + len(row)])
                    else:
                        lines.append((number, at + label_end, row[label_end:]))
                    if i in self.row_limits:
                        self.line_limits[number] = self.row_limits[i]
                at += len(row) + 1
            return lines
        if (len(raw) > 1 or self.LABEL_SINGLE) and all(label.match(t) for _, t in raw):
            out = []
            for start, text in raw:
                m = label.match(text)
                assert m is not None
                out.append((int(m.group(1)), start + m.end(), text[m.end():]))
            return out
        return [(0, 0, body)]

    def split_limits(self, text: str) -> tuple[str, list[Limit]]:
        """Cut trailing limit lines ('Filters: English') off the query text."""
        kept: list[str] = []
        limits: list[Limit] = []
        for line in text.split("\n"):
            if re.match(self.LIMIT_LINE, line):
                limits.extend(self.parse_limit_line(line))
                kept.append("")
            else:
                kept.append(line)
        return "\n".join(kept), limits

    def parse_limit_line(self, line: str) -> list[Limit]:
        from litrev.search.dialects.limits import parse_limit_line

        return parse_limit_line(line)

    # -- writing ---------------------------------------------------------------------
    def generator(self) -> Any:
        return self.generator_class(self)


def _open_parentheses(row: str) -> int:
    """'(' minus ')' outside double quotes."""
    depth, quoted = 0, False
    for ch in row:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "()":
            depth += 1 if ch == "(" else -1
    return depth


#: lines an interface prints around a strategy: blanked before parsing
PRINTED_HEADER = re.compile(
    r"(?i)^\s*(?:(?:database|search strategy|search name|last saved|date run|date searched"
    r"|comment|description|searched|results?)\s*:.*|[-=*_]{3,}\s*|#?\s*searches\s+results\s*"
    r"|id\s+search(?:\s+hits)?\s*|#\s+query\b.*|search\s+query\s+(?:items found|results)"
    r".*)$")


def _count_at(row: str, own: int, start: int, bare_refs: bool) -> tuple[int, bool] | None:
    """Where a trailing hit count starts in numbered line `own` (its text from `start`),
    and whether it surely is one."""
    found = re.search(r"(\t+|\s{2,}|\s)(\(?)(\d{1,3}(?:,\d{3})+|\d+)(\)?)\s*$", row)
    if found is None or found.start() < start or bool(found.group(2)) != bool(found.group(4)):
        return None
    number = int(found.group(3).replace(",", ""))
    sure = ("\t" in found.group(1) or "," in found.group(3)
            or (number >= own and (bare_refs or bool(found.group(2)))))
    if found.group(1) == " " and not sure:
        return None  # one space: a word of the search ("covid 19") unless surely a count
    return found.start(), sure


def _apply_line_limits(root: Node, limits: list[Limit], text: str, dialect: str,
                       where: tuple[int, int], vocabulary: str = "mesh") -> Node:
    """Move the limits of numbered lines onto the whole search. A limited line the final
    line (at `where`) uses under OR or NOT becomes AND(the line, each limit as a search
    term) when every limit has a term form (`limit_term`: language, publication type,
    species, age group); otherwise, and under proximity, it is refused, naming the line."""
    from litrev.search.dialects.limits import limit_term

    # A line used by several later lines is one shared node: lift it once per position
    # (`where_` is "whole", "part" or "near"), return it unchanged when nothing below it is
    # limited, and keep the sharing (rebuilding it everywhere it is used made the tree, and
    # all later work, exponential). Plain loops, one frame per level: strategies can be
    # hundreds of lines deep.
    memo: dict[tuple[int, str], tuple[Node, list[Limit]]] = {}

    def refuse(node: Limited, why: str) -> SearchSyntaxError:
        what = f"search line {node.number}" if node.number else "a limit"
        return SearchSyntaxError(
            f"{what} has limits of its own ({', '.join(lim.kind for lim in node.limits)})"
            f" and the search uses it inside {why}; litrev can only limit the whole search "
            "(limit the final line instead)", text, *where, dialect=dialect)

    def lift(node: Node, at: str) -> Node:
        hit = memo.get((id(node), at))
        if hit is not None:
            limits.extend(hit[1])
            return hit[0]
        before = len(limits)
        result = node
        if isinstance(node, Limited):
            if at == "whole":
                limits.extend(node.limits)
                result = lift(node.child, at)
            elif at == "near":
                raise refuse(node, "proximity or a field group")
            else:
                terms = [limit_term(lim, vocabulary) for lim in node.limits]
                missing = [lim for lim, t in zip(node.limits, terms, strict=True) if t is None]
                if missing:
                    lim = missing[0]
                    raise refuse(node, f"OR or NOT, and its limit {lim.kind}={lim.value} has "
                                 "no search-term form")
                found = [t for t in terms if t is not None]
                result = And((lift(node.child, at), *found), span=node.span)
        elif isinstance(node, And | Or | Near):
            inner = "near" if isinstance(node, Near) or at == "near" else (
                at if isinstance(node, And) else "part")
            built: list[Node] = []
            for child in node.children:
                built.append(lift(child, inner))
            if any(a is not b for a, b in zip(node.children, built, strict=True)):
                if isinstance(node, Near):
                    result = Near(tuple(built), node.distance, node.ordered, node.fields,
                                  span=node.span)
                else:
                    result = type(node)(tuple(built), span=node.span)
        elif isinstance(node, Not):
            include = lift(node.include, at)
            exclude = lift(node.exclude, "near" if at == "near" else "part")
            if include is not node.include or exclude is not node.exclude:
                result = Not(include, exclude, span=node.span)
        elif isinstance(node, Fielded):
            child = lift(node.child, "near")  # a field on the group would recast the limit
            if child is not node.child:
                result = Fielded(child, node.fields, span=node.span)
        memo[(id(node), at)] = (result, limits[before:])
        return result

    return lift(root, "whole")


def _lift_limits(root: Node, text: str, dialect: str) -> tuple[Node, list[Limit]]:
    """Take in-query limits (`... AND (LIMIT-TO(...))`, `AND PY=(...)`) out of the tree;
    a limit anywhere but ANDed at the top is an error."""
    found: list[Limit] = []

    def strip(node: Node) -> Node | None:
        if isinstance(node, LimitNode):
            found.append(node.limit)
            return None
        if isinstance(node, And):
            kept = [c for c in (strip(c) for c in node.children) if c is not None]
            if not kept:
                return None
            return kept[0] if len(kept) == 1 else And(tuple(kept), span=node.span)
        if isinstance(node, Not) and isinstance(node.exclude, And | LimitNode):
            # `a AND NOT b AND (LIMIT-TO(...))`: Scopus binds AND NOT loosest, but the limits
            # its interface appends at the end refine the whole search.
            exclude = strip(node.exclude)
            if exclude is None:
                return strip(node.include)
            include = strip(node.include)
            return Not(include, exclude, span=node.span) if include is not None else None
        if isinstance(node, Or) and all(isinstance(c, LimitNode) for c in node.children):
            values = [c.limit for c in node.children if isinstance(c, LimitNode)]
            found.append(Limit(values[0].kind, " OR ".join(v.value for v in values)))
            return None
        return node

    def misplaced(node: Node) -> LimitNode | None:
        if isinstance(node, LimitNode):
            return node
        children = (node.include, node.exclude) if isinstance(node, Not) else getattr(
            node, "children", ()) or ((node.child,) if isinstance(node, Fielded) else ())
        for child in children:
            # a subtree checked for an earlier line is not walked again (was quadratic)
            if not child.__dict__.get("_limits_checked"):
                found = misplaced(child)
                if found is not None:
                    return found
        node.__dict__["_limits_checked"] = True
        return None

    stripped = strip(root)
    if stripped is None:
        line, column = root.span or (1, 1)
        raise SearchSyntaxError("the search holds only limits", text, line, column,
                                dialect=dialect)
    bad = misplaced(stripped)
    if bad is not None:
        line, column = bad.span or (1, 1)
        raise SearchSyntaxError("a limit must be ANDed to the whole search", text, line,
                                column, dialect=dialect)
    return stripped, found


__all__ = ["Dialect", "Heading", "LimitNode", "Parser", "Token", "Tokenizer"]
