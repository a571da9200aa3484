"""Lint a search strategy: stable codes, positions and a caret display.

| Code  | Severity | Finds |
|-------|----------|-------|
| LR001 | error    | unbalanced parentheses |
| LR002 | error    | unbalanced double quote |
| LR003 | error    | any other syntax error of the dialect |
| LR004 | warning  | curly (typographic) quotes, normalised before parsing |
| LR010 | warning  | AND/NOT mixed with OR in one group without parentheses |
| LR011 | warning  | lowercase operator read as a search word (case-sensitive dialects) |
| LR020 | warning  | truncation after too short a stem for the dialect |
| LR021 | warning  | wildcard inside a phrase where the dialect does not support it |
| LR022 | warning  | wildcard the dialect does not have (e.g. `?` in PubMed) or in first place |
| LR030 | warning  | the same term twice in one OR group |
| LR031 | warning  | a term already found by a broader truncation in the same OR group |
| LR040 | warning  | NOT excludes on fields the positive part does not search |
| LR050 | error    | empty group `()` |
| LR060 | warning  | a field tag or operator of another database, read here as a search word |
| LR061 | warning  | an Ovid field code read as a near one (`.af.` as `.mp.`): written back so |

>>> [m.code for m in lint('coproduction OR coproduc*', "pubmed")]
['LR031']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from litrev.search.ast import Fielded, Fields, Near, Node, Not, Or, Phrase, Term
from litrev.search.dialects import get_dialect
from litrev.search.dialects.base import Dialect, normalize_quotes
from litrev.search.errors import SearchSyntaxError, caret_display

#: shortest stem before a truncation symbol each interface accepts or advises
MIN_STEM: dict[str, int] = {
    "pubmed": 4, "cochrane": 3, "wos": 3, "embase": 3, "scopus": 3, "ebsco": 3,
    "ovid": 3, "proquest": 3, "europepmc": 3, "openalex": 3, "litrev": 3,
}
#: dialects whose operators must be uppercase
CASE_SENSITIVE = {"pubmed", "litrev", "openalex", "europepmc"}
CURLY = "“”„‟″‘’‚‛"


@dataclass(frozen=True)
class LintMessage:
    code: str
    severity: str  # "error" | "warning"
    message: str
    line: int
    column: int
    source: str = ""
    width: int = 1

    def caret(self) -> str:
        """The source line with a caret under the problem."""
        return caret_display(self.source, self.line, self.column, self.width)

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.code} {self.severity}: {self.message}"


def lint(text: str, dialect: str | Dialect) -> list[LintMessage]:
    """Check a strategy written in `dialect`; messages are sorted by position.

    >>> [str(m) for m in lint("heart and stroke", "pubmed")]
    ["1:7: LR011 warning: lowercase 'and' is searched as a word, not as the operator AND"]
    """
    d = get_dialect(dialect)
    out: list[LintMessage] = []

    def add(code: str, severity: str, message: str, line: int, column: int, width: int = 1):
        out.append(LintMessage(code, severity, message, line, column, text, width))

    for line_no, row in enumerate(text.split("\n"), 1):
        for m in re.finditer(f"[{CURLY}]", row):
            add("LR004", "warning", f"curly quote {m.group()!r}: normalised to a straight "
                "quote; replace it in the strategy", line_no, m.start() + 1)
    clean = normalize_quotes(text)
    if _structure(clean, add):
        return _sorted(out)
    try:
        query = d.parse(clean)
    except SearchSyntaxError as err:
        add("LR003", "error", err.message, err.line, err.column)
        return _sorted(out)
    _operators(d, clean, add)
    _foreign(d, clean, add)
    _tree(d, query.root, add)
    return _sorted(out)


def _sorted(messages: list[LintMessage]) -> list[LintMessage]:
    return sorted(dict.fromkeys(messages), key=lambda m: (m.line, m.column, m.code))


def _structure(text: str, add) -> bool:
    """Quotes, parentheses, empty groups; True when the text cannot be parsed."""
    broken = False
    stack: list[tuple[int, int]] = []
    for line_no, row in enumerate(text.split("\n"), 1):
        quotes = [m.start() for m in re.finditer('"', row)]
        if len(quotes) % 2:
            add("LR002", "error", "unbalanced '\"': this phrase is never closed", line_no,
                quotes[-1] + 1)
            broken = True
        inside = False
        for col, ch in enumerate(row, 1):
            if ch == '"':
                inside = not inside
            elif inside:
                continue
            elif ch == "(":
                stack.append((line_no, col))
            elif ch == ")":
                if not stack:
                    add("LR001", "error", "unbalanced ')': no '(' opens it", line_no, col)
                    broken = True
                else:
                    stack.pop()
        for m in re.finditer(r"\(\s*\)", row):
            add("LR050", "error", "empty group '()'", line_no, m.start() + 1, len(m.group()))
            broken = True
    for line_no, col in stack:
        add("LR001", "error", "unbalanced '(': never closed", line_no, col)
        broken = True
    return broken


def _operators(d: Dialect, text: str, add) -> None:
    body, _ = d.split_limits(text)
    for _, start, line_text in d.numbered_lines(body):
        tokens = d.tokenizer_class(d).tokenize(d._pad(body, start, line_text))
        groups: list[dict[str, object]] = [{}]
        for tok in tokens:
            if tok.kind == "(":
                groups.append({})
            elif tok.kind == ")" and len(groups) > 1:
                groups.pop()
            elif tok.kind == "OP":
                kinds = groups[-1]
                name = "OR" if tok.value == "OR" else "AND" if tok.value in {"AND", "NOT"} else ""
                if name and name not in kinds:
                    kinds[name] = tok
                    if {"OR", "AND"} <= set(kinds):
                        add("LR010", "warning", "AND/NOT and OR mixed without parentheses: "
                            f"{d.name} reads this by its precedence "
                            f"({_precedence(d)}); add parentheses", tok.line, tok.column,
                            len(tok.text))
            elif (tok.kind == "WORD" and d.name in CASE_SENSITIVE
                  and tok.text.upper() in {"AND", "OR", "NOT"} and tok.text != tok.text.upper()):
                add("LR011", "warning", f"lowercase {tok.text!r} is searched as a word, not as "
                    f"the operator {tok.text.upper()}", tok.line, tok.column, len(tok.text))


#: (pattern inside a search word, dialects it belongs to, what it is)
FOREIGN: list[tuple[re.Pattern[str], frozenset[str], str]] = [
    (re.compile(r"(?i)\[(?:tiab|ti|ab|tw|mh|mesh|majr|sh|nm|pa|pt|la|sb|au|ta|ad|ot|dp|crdt|"
                r"edat|all fields|title/abstract|title|abstract|mesh terms|mesh major topic|"
                r"text word|supplementary concept|pharmacological action)(?::[^\]]*)?\]"),
     frozenset({"pubmed", "litrev"}), "a field tag"),
    (re.compile(r"(?<=\w|\*|\?|\$)\.(?:ti|ab|tw|mp|kf|kw|sh|fs|nm|hw|af|ot|ed|pt|rs|cm)"
                r"(?:,[a-z]{2})*\.?$"), frozenset({"ovid"}), "a field suffix"),
    (re.compile(r"(?<=\w|\*|\?):(?:ti|ab|kw|de)(?:,(?:ti|ab|kw|de))*$"),
     frozenset({"cochrane", "embase"}), "a field label"),
    (re.compile(r"^(?:TS|TI|AB|AK|KP|OG|TOPIC|PY|DT|LA)=", re.I), frozenset({"wos"}),
     "a field tag"),
    (re.compile(r"^(?:TITLE-ABS-KEY|TITLE-ABS|AUTHKEY|INDEXTERMS)$", re.I),
     frozenset({"scopus"}), "a field code"),
    (re.compile(r"^(?:TITLE|ABSTRACT|AUTH|MESH_HEADING|MESH_MAJOR|PUB_YEAR|LANG):"),
     frozenset({"europepmc"}), "a field"),
    (re.compile(r"(?i)^adj\d*$"), frozenset({"ovid"}), "the proximity operator"),
    (re.compile(r"^(?:NEAR|NEXT)/\d+$", re.I),
     frozenset({"cochrane", "embase", "wos", "proquest", "litrev"}), "a proximity operator"),
    (re.compile(r"^(?:W|PRE)/\d+$", re.I), frozenset({"scopus", "proquest", "litrev"}),
     "a proximity operator"),
    (re.compile(r"^[NW]\d+$"), frozenset({"ebsco"}), "the proximity operator"),
    (re.compile(r"/(?:exp|de|mj)$"), frozenset({"embase"}), "a heading flag"),
    (re.compile(r"(?i)^\[mh$"), frozenset({"cochrane"}), "a heading"),
    (re.compile(r"^(?:or|and)/\d+"), frozenset({"ovid"}), "a line combination"),
]


def _foreign(d: Dialect, text: str, add) -> None:
    """A tag or operator of another database inside a search word (`term[ti]` in Ovid or
    EBSCO, `.ti,ab.` in PubMed): the dialect searches it as part of the word."""
    from litrev.search.dialects import dialect_class

    body, _ = d.split_limits(text)
    for _, start, line_text in d.numbered_lines(body):
        for tok in d.tokenizer_class(d).tokenize(d._pad(body, start, line_text)):
            if tok.kind == "SUFFIX" and d.name == "ovid":
                _ovid_alias(tok, add)
            if tok.kind != "WORD":
                continue
            for pattern, owners, what in FOREIGN:
                m = pattern.search(tok.text)
                if m is None or d.name in owners:
                    continue
                names = " or ".join(dialect_class(o).title for o in sorted(owners - {"litrev"})
                                    ) or "litrev"
                add("LR060", "warning", f"{m.group()!r} in {tok.text!r} is {what} of {names}; "
                    f"{d.name} searches it as part of a word (translate that part, or check "
                    "the dialect)", tok.line, tok.column + m.start(), len(m.group()))
                break


def _ovid_alias(tok, add) -> None:
    from litrev.search.dialects.ovid import CODES, READ_ONLY

    for code in tok.text.strip(". ").split(","):
        if code in READ_ONLY:
            written = next(c for c, f in CODES.items() if f is READ_ONLY[code])
            add("LR061", "warning", f".{code}. is read as .{written}. (the nearest field litrev "
                f"models); a translation or a rewrite writes .{written}.", tok.line,
                tok.column, len(tok.text))


def _precedence(d: Dialect) -> str:
    levels = dict(d.options.get("precedence") or d.parser_class.precedence)
    order = sorted(set(levels.values()), reverse=True)
    return " > ".join("=".join(sorted(k for k, v in levels.items() if v == lv)) for lv in order)


def _tree(d: Dialect, root: Node, add) -> None:
    generator = d.generator()
    wild = d.WILDCARDS
    for leaf, _ in _leaves(root, None):
        line, col = leaf.span or (1, 1)
        words = [leaf.text] if isinstance(leaf, Term) else list(leaf.words)
        for w in words:
            if "*" in w and len(w.split("*")[0].strip("-")) < MIN_STEM[d.name] and w[0] != "*":
                add("LR020", "warning", f"truncation {w!r} after fewer than {MIN_STEM[d.name]} "
                    f"characters: {d.name} may reject it or find too much", line, col)
            if w[:1] in "*?%" and not generator.LEADING_WILDCARD:
                add("LR022", "warning", f"{w!r} starts with a wildcard, which {d.name} does "
                    "not allow", line, col)
            for ch in "*?%":
                if ch in w and wild.get(ch) is None:
                    add("LR022", "warning", f"{d.name} has no wildcard for canonical {ch!r} "
                        f"in {w!r}", line, col)
        if isinstance(leaf, Phrase) and not generator.PHRASE_WILDCARDS and any(
                c in w for w in words for c in "*?%"):
            add("LR021", "warning", f"{d.name} does not apply wildcards inside a phrase; use "
                "an adjacency operator instead", line, col)
    for group in _or_groups(root, None):
        seen: dict[tuple[str, Fields | None], Term | Phrase] = {}
        for leaf, fields in group:
            key = (_text(leaf), fields)
            line, col = leaf.span or (1, 1)
            if key in seen:
                add("LR030", "warning", f"{key[0]!r} appears twice in the same OR group",
                    line, col)
                continue
            seen[key] = leaf
        for (text, fields), leaf in seen.items():
            for (other, ofields), _wider in seen.items():
                if other != text and fields == ofields and _covers(other, text):
                    line, col = leaf.span or (1, 1)
                    add("LR031", "warning", f"{text!r} is already found by {other!r}",
                        line, col)
                    break
    for node, fields in _nots(root, None):
        inc = {f for _, f in _leaves(node.include, fields) if f is not None}
        exc = {f for _, f in _leaves(node.exclude, fields) if f is not None}
        searched = frozenset().union(*inc) if inc else None
        extra = frozenset().union(*exc) - searched if exc and searched is not None else set()
        if extra:
            line, col = node.exclude.span or node.span or (1, 1)
            add("LR040", "warning", "NOT excludes on " + "/".join(sorted(f.value for f in extra))
                + ", which the positive part does not search", line, col)


def _text(leaf: Term | Phrase) -> str:
    return leaf.text.lower() if isinstance(leaf, Term) else '"' + " ".join(leaf.words).lower() + '"'


def _covers(pattern: str, text: str) -> bool:
    if not any(c in pattern for c in "*?%"):
        return False
    rx = "".join({"*": r"\S*", "?": r"\S", "%": r"\S?"}.get(c, re.escape(c)) for c in pattern)
    return re.fullmatch(rx, text) is not None


def _leaves(node: Node, fields: Fields | None) -> list[tuple[Term | Phrase, Fields | None]]:
    if isinstance(node, Fielded):
        return _leaves(node.child, node.fields)
    if isinstance(node, Term | Phrase):
        return [(node, node.fields if node.fields is not None else fields)]
    if isinstance(node, Near):
        fields = node.fields if node.fields is not None else fields
    children = (node.include, node.exclude) if isinstance(node, Not) else getattr(
        node, "children", ())
    return [pair for c in children for pair in _leaves(c, fields)]


def _or_groups(node: Node, fields: Fields | None):
    """Each OR group's direct leaves (nested ORs flattened), with their fields."""
    if isinstance(node, Fielded):
        yield from _or_groups(node.child, node.fields)
        return
    if isinstance(node, Or):
        direct: list[tuple[Term | Phrase, Fields | None]] = []
        stack: list[tuple[Node, Fields | None]] = [(c, fields) for c in node.children]
        while stack:
            child, f = stack.pop(0)
            if isinstance(child, Fielded):
                stack.insert(0, (child.child, child.fields))
            elif isinstance(child, Or):
                stack[0:0] = [(c, f) for c in child.children]
            elif isinstance(child, Term | Phrase):
                direct.append((child, child.fields if child.fields is not None else f))
            else:
                yield from _or_groups(child, f)
        yield direct
        return
    if isinstance(node, Near):
        fields = node.fields if node.fields is not None else fields
    children = (node.include, node.exclude) if isinstance(node, Not) else getattr(
        node, "children", ())
    for c in children:
        yield from _or_groups(c, fields)


def _nots(node: Node, fields: Fields | None):
    if isinstance(node, Fielded):
        yield from _nots(node.child, node.fields)
        return
    if isinstance(node, Not):
        yield node, fields
    children = (node.include, node.exclude) if isinstance(node, Not) else getattr(
        node, "children", ())
    for c in children:
        yield from _nots(c, fields)
