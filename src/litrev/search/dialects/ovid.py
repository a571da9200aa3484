"""Ovid (MEDLINE, Embase, APA PsycInfo). Reference: search-syntax.md section 2.

* Numbered lines: `1 exp Heart Diseases/`, `2 (heart adj3 attack).ti,ab.`, `3 1 or 2`,
  `4 or/1-3`, `5 limit 4 to (english language and yr="2000 - 2019")`.
* Fields follow a word or group: `.ti.`, `.ab.`, `.ti,ab.`, `.tw.`, `.kf.`, `.mp.`, `.sh.`.
  After an adjacency chain (`heart adj3 attack.ti,ab.`) the field applies to the whole
  chain; after AND/OR/NOT without parentheses only to the last word (UNVERIFIED).
* Headings: `exp Term/` (exploded), `Term/`, `*Term/` (major), `Term/th` (subheading);
  the thesaurus is MeSH unless option `vocabulary` says otherwise (emtree, apa).
* `adjN` = within N words in any order (N-1 between); `adj` alone = adjacent in order.
* `*` or `$` unlimited truncation, `$n` at most n more characters, `#` exactly one
  character, `?` zero or one character.
* Words separated by a space are an adjacent phrase. Operators are case-insensitive.
* Precedence: UNVERIFIED; option `precedence`, default adjacency first, then AND, OR, NOT
  left to right (Ovid strategies parenthesise or use numbered lines).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from litrev.search.ast import Field, Fielded, Fields, Heading, Limit, Node, Vocabulary
from litrev.search.dialects.base import Dialect, Parser, Token, Tokenizer
from litrev.search.dialects.generator import Generator
from litrev.search.dialects.limits import (
    OPEN_END,
    OPEN_START,
    PUBLICATION_TYPES,
    language_name,
    limit_loss,
    publication_type_name,
    years,
)
from litrev.search.errors import SearchSyntaxError

CODES: dict[str, Field] = {
    "ti": Field.TITLE, "ab": Field.ABSTRACT, "kf": Field.KEYWORDS, "sh": Field.SUBJECT,
    "mp": Field.ALL, "tw": Field.TEXT_WORD, "au": Field.AUTHOR, "jn": Field.JOURNAL,
    "in": Field.AFFILIATION, "pt": Field.PUBLICATION_TYPE, "lg": Field.LANGUAGE,
    "fs": Field.SUBHEADING, "nm": Field.SUBSTANCE, "ot": Field.ORIGINAL_TITLE,
    "cm": Field.COMMENTS, "ed": Field.ENTRY_DATE, "sb": Field.SUBSET,
    "yr": Field.PUBLICATION_DATE, "hw": Field.HEADING_WORD,
}
#: codes read but never written: each is read as the field of a code above, and lint
#: (LR061) says so: .kw. (keyword heading) as .kf.; .af. (all fields) as .mp.; .rs.
#: (rare-disease supplementary concept word) and .rn. (registry number / substance name) as
#: .nm.; .la. as .lg.; .jw. (journal word) as .jn.; .em. (entry month) as .ed.; .dp. as .yr.
READ_ONLY: dict[str, Field] = {
    "kw": Field.KEYWORDS, "af": Field.ALL, "rs": Field.SUBSTANCE,
    "rn": Field.SUBSTANCE, "la": Field.LANGUAGE, "jw": Field.JOURNAL,
    "em": Field.ENTRY_DATE, "dp": Field.PUBLICATION_DATE,
}
ALL_CODES = CODES | READ_ONLY
ORDER = list(CODES)
_OPWORD = r"(?:or|and|not|adj\d*|exp)\b"
HEADING = (rf"(?i:exp\s+)?\*?(?:(?!{_OPWORD})[A-Za-z0-9][\w'-]*(?:[ ,]+(?!{_OPWORD})[\w'-]+)*"
           r'|"[^"\n]+")/'  # a quoted heading: `exp "clinical trial [publication type]"/`
           r"(?:[a-z]{2}(?:,\s*[a-z]{2})*(?:\s*\[[^\]\n]*\])?)?(?![\w/])")
_KNOWN = "|".join(sorted(ALL_CODES))
#: `.ti,ab.` as typed, or printed without the closing dot (`.tw`, `.ti,ab,kw`): the dotless
#: form is taken only for known codes, so `nhs.uk` stays a word.
SUFFIX = (r"\.[a-z]{2}(?:,[a-z]{2})*\.(?=[\s)]|$)"
          rf"|\.\s(?:{_KNOWN})(?:,(?:{_KNOWN}))*\.(?=[\s)]|$)"  # printed `). tw.`
          rf"|\.(?:{_KNOWN})(?:,(?:{_KNOWN}))*(?=[\s)]|$)")


class OvidTokenizer(Tokenizer):
    rules: ClassVar[list[tuple[str, str]]] = [
        ("REF", r"(?i:or|and)/\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*"),
        ("HEADING", HEADING),
        ("(", r"\("), (")", r"\)"),
        ("PHRASE", r'"[^"\n]*"'),
        ("BADQUOTE", r'"'),
        ("NOTE", r"\[\s*[a-z]{2}\s*=[^\]\n]*\]"),  # printed `[mp=title, abstract, ...]`
        ("SUFFIX", SUFFIX),
        ("OP", r"(?i:and|or|not)(?![^\s()\"])"),
        ("NEAR", r"(?i:adj\d*)(?![^\s()\"])"),
        ("LINEREF", r"#?\d+(?=[\s)]|$)"),  # `#6 or #7` in some printouts
        ("WORD", rf'[^\s()".]+(?:(?!{SUFFIX})\.[^\s()".]*)*'),
    ]

    def value(self, kind: str, text: str, token: Token, match: re.Match[str]) -> Any:
        if kind == "NEAR":
            n = text[3:]
            return (int(n) - 1, False) if n else (0, True)
        if kind == "SUFFIX":
            codes = text.strip(". ").split(",")
            unknown = [c for c in codes if c not in ALL_CODES]
            if unknown:
                raise self.error(f"unknown Ovid field .{unknown[0]}. (expected one of "
                                 f"{', '.join(sorted(ALL_CODES))})", token)
            return frozenset(ALL_CODES[c] for c in codes)
        if kind == "HEADING":
            text = re.sub(r"\s*\[[^\]]*\]$", "", text)  # printed `/dt, th [Drug Therapy, ...]`
            m = re.fullmatch(r"(?i)(exp\s+)?(\*)?(.+?)/([a-z, ]*)", text)
            assert m is not None
            subs = tuple(s.strip() for s in m.group(4).split(",") if s.strip())
            return Heading(m.group(3).strip().strip('"'), Vocabulary(self.dialect.options["vocabulary"]),
                           bool(m.group(1)), bool(m.group(2)), subs)
        if kind == "REF":
            op, spans = text.split("/")
            numbers: list[int] = []
            for part in spans.split(","):
                a, _, b = part.partition("-")
                numbers.extend(range(int(a), int(b or a) + 1))
            return op.upper(), tuple(numbers)
        if kind == "LINEREF":
            return "AND", (int(text.lstrip("#")),)
        return None

    def tokenize(self, text: str) -> list[Token]:
        tokens = super().tokenize(text)
        # A number next to a word is part of a phrase (`kabi 2161`, `type 2 diabetes`), not
        # a line reference: only a number standing alone between operators is one.
        for i, tok in enumerate(tokens):
            if tok.kind == "REF" and tok.text.isdigit() and any(
                    0 <= j < len(tokens) and tokens[j].kind == "WORD" for j in (i - 1, i + 1)):
                tokens[i] = Token("WORD", tok.text, tok.pos, tok.end, tok.line, tok.column)
        return tokens

    def make(self, token: Token, match: re.Match[str]) -> Token | None:
        if token.kind == "NOTE":
            return None  # Ovid's own note of what a field code covered
        made = super().make(token, match)
        if made is not None and made.kind == "LINEREF":
            return Token("REF", made.text, made.pos, made.end, made.line, made.column, made.value)
        return made


class OvidParser(Parser):
    precedence: ClassVar[dict[str, int]] = {"OR": 1, "AND": 1, "NOT": 1, "NEAR": 2}
    implicit: ClassVar[str] = "phrase"

    def combine(self, name: str, token: Token, left: Node, right: Node) -> Node:
        # `heart adj3 attack.ti,ab.`: a field after an adjacency chain applies to all of it
        # (proximity is counted within one field).
        if name == "NEAR" and isinstance(right, Fielded) and not getattr(right, "_grouped",
                                                                          False):
            near = super().combine(name, token, _unfield(left, right.fields), right.child)
            return Fielded(near, right.fields, span=near.span)
        return super().combine(name, token, left, right)


def _unfield(node: Node, fields: Fields) -> Node:
    """The operand without a field equal to `fields` (it moves to the whole chain)."""
    if isinstance(node, Fielded) and node.fields == fields:
        return node.child
    return node


class OvidGenerator(Generator):
    FIELDS: ClassVar[dict[Fields, str]] = {frozenset({v}): k for k, v in CODES.items()}
    OPS: ClassVar[dict[str, str]] = {"AND": "and", "OR": "or", "NOT": "not"}
    KEYWORDS: ClassVar[frozenset[str]] = frozenset({"AND", "OR", "NOT", "ADJ", "EXP"})
    BOUNDED: ClassVar[str | None] = "{stem}${n}"
    LEADING_WILDCARD: ClassVar[bool] = False
    NEAR_WORD: ClassVar[re.Pattern[str]] = re.compile(r"(?i)adj\d*")

    def express(self, fields: Fields, node: Any, quiet: bool = False) -> list[str]:
        if all(f in CODES.values() for f in fields):
            return [",".join(c for c in ORDER if CODES[c] in fields)]
        return super().express(fields, node, quiet)

    def tag_group(self, text: str, code: str) -> str:
        return f"({text}).{code}."

    def tag_leaf(self, text: str, code: str) -> str:
        return f"{text}.{code}."

    def near_op(self, distance: int, ordered: bool, node: Any, quiet: bool = False) -> str:
        if ordered:
            if distance == 0:
                return "adj"
            if not quiet:
                self.warn("proximity", f"no ordered proximity beyond adjacency; written as "
                          f"adj{distance + 1} in any order (wider)", node)
        return f"adj{distance + 1}"

    def heading(self, node: Heading) -> str:
        expected = self.dialect.options["vocabulary"]
        if node.vocabulary.value != expected:
            self.warn("heading", f"{node.vocabulary.value} heading written for a database "
                      f"indexed with {expected}; check the heading exists", node)
        subs = ",".join(node.subheadings)
        term = node.term
        if not re.fullmatch(r"[A-Za-z0-9][\w' ,-]*", term) or re.search(
                rf"(?i)(?:^|[ ,]){_OPWORD}", term):
            term = f'"{term}"'  # `exp "clinical trial [publication type]"/`
        return f"{'exp ' if node.explode else ''}{'*' if node.major else ''}{term}/{subs}"

    def with_limits(self, text: str, limits: tuple[Limit, ...]) -> str:
        if not limits:
            return text
        items: list[str] = []
        for limit in limits:
            dated = limit.kind == "date" or limit.kind.endswith("_date")
            found = [self.limit_item(limit, v)
                     for v in ([limit.value] if dated else limit.value.split(" OR "))]
            values = [v for v in found if v is not None]
            if len(values) < len(found):
                continue
            items.append(values[0] if len(values) == 1 else "(" + " or ".join(values) + ")")
        if not items:
            return text
        joined = items[0] if len(items) == 1 else "(" + " and ".join(items) + ")"
        if self.dialect.options.get("numbered"):
            last = text.count("\n") + 1
            return f"{text}\n{last + 1} limit {last} to {joined}"
        return f"1 {text}\n2 limit 1 to {joined}"

    def limit_item(self, limit: Limit, value: str) -> str | None:
        """One value of a limit as Ovid prints it, or None (warned) when Ovid has none."""
        if limit.kind == "language":
            return f"{value.lower()} language"
        if limit.kind == "publication_type":
            return value.lower()
        if limit.kind == "species":
            return value.lower()
        if limit.kind == "filter" and value.startswith("ovid: "):
            name = value.removeprefix("ovid: ")
            return f'"{name}"' if re.search(r"[\s()]", name) else name
        if limit.kind == "date":
            a, _, b = limit.value.partition("..")
            if a[4:] not in {"", "-01-01", "-01"} or b[4:] not in {"", "-12-31", "-12"}:
                self.warn("limit", f"Ovid's yr= limit takes whole years; the date range "
                          f"{limit.value} is widened to whole years")
            start, end = years(limit)
            return f'yr="{start or OPEN_START} - {end or "current"}"'
        if limit.kind in {"entry_date", "create_date"}:
            if limit.kind == "create_date":
                self.warn("limit", "create date ([crdt]) written as Ovid's entry date (ed=); "
                          "the two differ only for records revised before entry")
            a, _, b = limit.value.partition("..")
            start = (a.replace("-", "") + "0101")[:8] if a else f"{OPEN_START}0101"
            end = (b.replace("-", "") + "1231")[:8] if b else f"{OPEN_END}1231"
            return f"ed={start}-{end}"
        self.warn("limit", limit_loss(limit, "Ovid"))
        return None


class Ovid(Dialect):
    name: ClassVar[str] = "ovid"
    title: ClassVar[str] = "Ovid (MEDLINE, Embase, PsycINFO)"
    tokenizer_class = OvidTokenizer
    parser_class = OvidParser
    generator_class = OvidGenerator
    WILDCARDS: ClassVar[dict[str, str | None]] = {"*": "*", "?": "#", "%": "?"}
    # `1 or 2 or 3` printed without its own number is a combination, not line 1
    LINE_LABEL: ClassVar[str] = r"(?:#\s?)?(\d+)\.?\s+(?!(?i:or|and|not)\s)(?=\S)"
    LABEL_SINGLE: ClassVar[bool] = True
    REF_FORMAT: ClassVar[str] = "{n}"
    COMBINATION: ClassVar[str | None] = (
        r"(?i)^\s*(?:(?:or|and)/[\d,\s-]+|\d+(?:\s+(?:or|and|not)\s+\d+)+)(?:\s+\(?[\d,]+\)?)?\s*$")
    LIMIT_LINE: ClassVar[str] = r"(?i)^\s*(?:\d+\.?\s+)?limit\s+\d+\s+to\b"
    DEFAULT_FIELDS: ClassVar[str] = "the database's default fields (.mp. with mapping off)"
    ASSUMPTIONS: ClassVar[dict[str, tuple[Any, str]]] = {
        "vocabulary": ("mesh", "thesaurus of `Term/` headings: mesh, emtree or apa"),
    }

    def read_word(self, raw: str) -> Any:
        from dataclasses import replace

        m = re.fullmatch(r"(.*)\$(\d+)", raw)
        term = super().read_word((m.group(1) if m else raw).replace("$", "*") + ("*" if m else ""))
        return replace(term, max_extra=int(m.group(2))) if m else term


    def split_limits(self, text: str) -> tuple[str, list[Limit]]:
        """`5 limit 4 to english language` is line 5 = line 4 with limits of its own;
        `6 remove duplicates from 5` is line 6 = line 5. Both are rewritten in place to a
        reference to the earlier line (columns kept); an unnumbered limit line limits all."""
        kept: list[str] = []
        limits: list[Limit] = []
        for row in text.split("\n"):
            m = _LIMIT_ROW.match(row)
            if m is None:
                dup = _DEDUP_ROW.match(row)
                if dup is not None:  # keep only the line number and the referenced number
                    row = (row[:dup.start("words")] + " " * len(dup.group("words"))
                           + row[dup.start("ref"):])
                kept.append(row)
                continue
            found = self.parse_limit_items(m.group("items"), row, m.start("items"))
            at, ref = m.start("ref"), m.group("ref")
            as_ref = " " * at + ref + " " * (len(row) - at - len(ref))
            if m.group("label"):
                self.line_limits[int(m.group("label"))] = found
                kept.append(row[:m.end("label")] + as_ref[m.end("label"):])
            elif len([r for r in text.split("\n") if r.strip()]) > 1:
                # an unnumbered printout: the line keeps its place, numbered later
                self.row_limits[len(kept)] = found
                kept.append(as_ref)
            else:
                limits.extend(found)
                kept.append(" " * len(row))
        return "\n".join(kept), limits

    def parse_limit_line(self, line: str) -> list[Limit]:
        m = _LIMIT_ROW.match(line)
        if m is None:
            raise SearchSyntaxError("expected 'limit N to ...'", line, 1, 1, dialect=self.name)
        return self.parse_limit_items(m.group("items"), line, m.start("items"))

    def parse_limit_items(self, items: str, line: str, at: int) -> list[Limit]:
        """`(english language and humans and yr="2000 - 2019")` as limits, each item named
        in the error when it cannot be read."""
        body = items.strip()
        if body.startswith("(") and _balanced_outer(body):
            body = body[1:-1]
        limits: list[Limit] = []
        for item in _split_outside_quotes(body, "and"):
            alternatives = [_ovid_limit(a, line, at + max(0, line.find(a, at)) - at)
                            for a in _split_outside_quotes(item, "or")]
            kinds = {a.kind for a in alternatives}
            if len(kinds) != 1:
                raise SearchSyntaxError(f"limit {item!r}: OR between limits of different kinds",
                                        line, 1, at + 1, dialect=self.name)
            limits.append(Limit(kinds.pop(), " OR ".join(a.value for a in alternatives)))
        return limits


_LIMIT_ROW = re.compile(r"(?i)^\s*(?:(?:#\s?)?(?P<label>\d+)\.?\s+)?limit\s+(?P<ref>\d+)\s+to\s+"
                        r"(?P<items>.+?)(?:\s+\(\d[\d,]*\))?\s*$")  # without a hit count
_DEDUP_ROW = re.compile(r"(?i)^\s*(?:#\s?)?\d+\.?\s+(?P<words>remove\s+duplicates\s+from\s+)"
                        r"(?P<ref>\d+)\s*$")


def _balanced_outer(text: str) -> bool:
    """Whether the first '(' closes at the very end (quotes skipped)."""
    depth, quoted = 0, False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "()":
            depth += 1 if ch == "(" else -1
            if depth == 0:
                return i == len(text) - 1
    return False


def _split_outside_quotes(text: str, word: str) -> list[str]:
    """Split on the word `and`/`or` where it is outside quotes and parentheses."""
    parts, depth, quoted, last = [], 0, False, 0
    for m in re.finditer(rf'(?i)"|\(|\)|\s+{word}\s+', text):
        tok = m.group()
        if tok == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif tok in "()":
            depth += 1 if tok == "(" else -1
        elif depth == 0:
            parts.append(text[last:m.start()])
            last = m.end()
    parts.append(text[last:])
    return [p.strip() for p in parts if p.strip()]


_OVID_DATE = re.compile(r'(?i)(yr|ed|dt|ep|up)\s*=\s*"?\s*(\d{4,8})\s*-\s*(\d{4,8}|current)'
                        r'\s*"?')
_OVID_DATE_KIND = {"yr": "date", "ed": "entry_date", "dt": "create_date", "ep": "date",
                   "up": "entry_date"}


def _ovid_limit(item: str, line: str, column: int) -> Limit:
    """One item of an Ovid limit: yr=, ed=, dt= ranges, a language, humans/animals, a
    publication type, else a named filter (`"reviews (maximizes specificity)"`)."""
    text = item.strip()
    date = _OVID_DATE.fullmatch(text)
    if date:
        def iso(value: str) -> str:
            if value.lower() == "current":
                return ""
            return f"{value[:4]}-{value[4:6]}-{value[6:]}" if len(value) == 8 else value

        return Limit(_OVID_DATE_KIND[date.group(1).lower()],
                     f"{iso(date.group(2))}..{iso(date.group(3))}")
    if re.match(r"(?i)(yr|ed|dt|ep|up)\s*=", text):
        raise SearchSyntaxError(f"limit {text!r}: expected a range such as "
                                'yr="2000 - 2019" or ed=20000101-20191231', line, 1,
                                column + 1, dialect="ovid")
    bare = text.strip('"').strip()
    if language_name(bare):
        return Limit("language", language_name(bare) or bare)
    if bare.lower() in {"humans", "human", "animals", "animal"}:
        return Limit("species", "Humans" if bare.lower().startswith("human") else "Animals")
    name = publication_type_name(bare.title())
    if name in PUBLICATION_TYPES:
        return Limit("publication_type", name)
    if not bare:
        raise SearchSyntaxError("empty limit", line, 1, column + 1, dialect="ovid")
    return Limit("filter", f"ovid: {bare}")  # a named filter means something in Ovid only
