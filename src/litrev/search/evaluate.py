"""Run a search strategy over records in pure Python, and explain every hit.

`evaluate(query, records, dialect)` applies the query's limits, then its tree, under the
dialect's matching rules (`litrev.search.text.DIALECT_RULES`: hyphen tokenisation, default
fields, wildcards in phrases). Each `Hit` says which terms matched, in which field and where.

What a local run cannot reproduce (documented in docs/search-run.md): stemming and
lemmatisation (Scopus, WoS, ProQuest, OpenAlex), automatic term mapping (PubMed, Embase),
thesaurus explosion (a heading matches records whose keywords contain its words; explode,
major and subheadings are not distinguished) and the peer-reviewed limit.

>>> from litrev.records.model import Record
>>> from litrev.search.ast import Term, TI_AB
>>> recs = [Record(title="Co-production of health"), Record(title="Coproduction")]
>>> hits = evaluate(Term("co-produc*", fields=TI_AB), recs, "scopus")
>>> [h.index for h in hits], hits[0].highlight("title")
([0], ['[[Co-production]] of health'])
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from rich.markup import escape

from litrev.records.model import Record
from litrev.search.ast import Node, Query
from litrev.search.limits import passes_limits
from litrev.search.plan import PAnd, PNear, PNot, POr, Seq, WordPattern, plan
from litrev.search.text import Hyphen, MatchRules, Word, column_values, norms, rules_for, words

__all__ = ["Hit", "Match", "Matcher", "evaluate", "highlight"]


@dataclass(frozen=True)
class Match:
    """One matched term: the term as written, the record column, which value, character span."""

    term: str
    field: str
    value_index: int
    start: int
    end: int
    text: str


@dataclass
class Hit:
    """A record a strategy finds, with the evidence."""

    index: int
    record_id: int | str | None
    record: Record = field(repr=False)
    matches: list[Match] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        return sorted({m.term for m in self.matches})

    @property
    def fields(self) -> list[str]:
        return sorted({m.field for m in self.matches})

    def highlight(
        self, column: str, markup: str = "brackets", context: int | None = None
    ) -> list[str]:
        """Each value of `column` that holds a match, with the matches marked."""
        values = column_values(self.record, column)
        out = []
        for i, value in enumerate(values):
            spans = [
                (m.start, m.end) for m in self.matches if m.field == column and m.value_index == i
            ]
            if spans:
                out.append(highlight(value, spans, markup, context))
        return out

    def explain(self, markup: str = "brackets", context: int | None = None) -> str:
        """A few lines: the matched terms, then each matched field highlighted."""
        lines = ["matched: " + ", ".join(self.terms)]
        for column in self.fields:
            for text in self.highlight(column, markup, context):
                lines.append(f"  {column}: {text}")
        return "\n".join(lines)


def highlight(
    text: str,
    spans: Iterable[tuple[int, int]],
    markup: str = "brackets",
    context: int | None = None,
) -> str:
    """Mark character spans of `text`: `[[...]]` (markup="brackets") or rich markup ("rich").

    With `context`, only that many characters around each match are kept, gaps shown as "…".

    >>> highlight("co-design in health", [(0, 9), (13, 19)])
    '[[co-design]] in [[health]]'
    >>> highlight("a long text about co-design of care services", [(18, 27)], context=5)
    '…bout [[co-design]] of c…'
    """
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    rich = markup == "rich"
    open_, close = ("[bold yellow]", "[/]") if rich else ("[[", "]]")
    plain = escape if rich else (lambda s: s)

    def between(gap: str, first: bool, last: bool) -> str:
        if context is None:
            return plain(gap)
        if first:  # before the first match
            return plain(gap) if len(gap) <= context else "…" + plain(gap[-context:])
        if last:  # after the last match
            return plain(gap) if len(gap) <= context else plain(gap[:context]) + "…"
        if len(gap) <= 2 * context:
            return plain(gap)
        return plain(gap[:context]) + " … " + plain(gap[-context:])

    out, pos = [], 0
    for i, (start, end) in enumerate(merged):
        out += [between(text[pos:start], i == 0, False), open_, plain(text[start:end]), close]
        pos = end
    out.append(between(text[pos:], False, True))
    return "".join(out)


class Occ(NamedTuple):
    """Where a positional operand matched: column, value, first and last word, and its parts."""

    column: str
    value: int
    start: int
    end: int
    parts: tuple[tuple[str, int, int], ...]


class _Doc:
    """One record's text, cut into words lazily, column by column."""

    __slots__ = ("_index", "_norms", "_words", "hyphen", "record")

    def __init__(self, record: Record, hyphen: Hyphen) -> None:
        self.record = record
        self.hyphen = hyphen
        self._words: dict[str, list[list[Word]]] = {}
        self._norms: dict[str, list[list[str]]] = {}
        self._index: dict[str, list[tuple[dict[str, list[int]], list[str]]]] = {}

    def words(self, column: str) -> list[list[Word]]:
        """Words with their character spans (for explanations)."""
        got = self._words.get(column)
        if got is None:
            got = [words(v, self.hyphen) for v in column_values(self.record, column)]
            self._words[column] = got
        return got

    def norms(self, column: str) -> list[list[str]]:
        """The folded words only: what matching needs, and faster to get."""
        got = self._norms.get(column)
        if got is None:
            got = [norms(v, self.hyphen) for v in column_values(self.record, column)]
            self._norms[column] = got
        return got

    def index(self, column: str) -> list[tuple[dict[str, list[int]], list[str]]]:
        got = self._index.get(column)
        if got is None:
            got = []
            for value in self.norms(column):
                positions: dict[str, list[int]] = {}
                for i, w in enumerate(value):
                    positions.setdefault(w, []).append(i)
                got.append((positions, sorted(positions)))
            self._index[column] = got
        return got


def _positions(pattern: WordPattern, positions: dict[str, list[int]], keys: list[str]) -> list[int]:
    kind = pattern.kind
    if kind == "exact":
        return positions.get(pattern.text, [])
    found: list[int] = []
    if kind == "prefix":
        prefix = pattern.literal_prefix
        i = bisect.bisect_left(keys, prefix)
        while i < len(keys) and keys[i].startswith(prefix):
            found.extend(positions[keys[i]])
            i += 1
    else:
        for key in keys:
            if pattern.matches(key):
                found.extend(positions[key])
    return sorted(found)


def _seq_occ(seq: Seq, doc: _Doc, first_only: bool) -> list[Occ]:
    out: list[Occ] = []
    n = len(seq.words)
    if n == 0:
        return out
    for column in sorted(seq.columns):
        index = doc.index(column)
        for vi, (positions, keys) in enumerate(index):
            value_words = doc.norms(column)[vi]
            for s in _positions(seq.words[0], positions, keys):
                if s + n > len(value_words):
                    continue
                if all(seq.words[k].matches(value_words[s + k]) for k in range(1, n)):
                    out.append(Occ(column, vi, s, s + n - 1, ((seq.label, s, s + n - 1),)))
                    if first_only:
                        return out
    return out


def _near_occ(p: PNear, doc: _Doc, first_only: bool) -> list[Occ]:
    lists = [_occ(c, doc, False) for c in p.children]
    if any(not occ for occ in lists):
        return []
    keys = set.intersection(*({(o.column, o.value) for o in occ} for occ in lists))
    out: list[Occ] = []
    for key in sorted(keys):
        groups = [[o for o in occ if (o.column, o.value) == key] for occ in lists]
        combos = _ordered(groups, p.distance) if p.ordered else _unordered(groups, p.distance)
        for combo in combos:
            parts = tuple(part for o in combo for part in o.parts)
            start, end = min(o.start for o in combo), max(o.end for o in combo)
            out.append(Occ(key[0], key[1], start, end, parts))
            if first_only:
                return out
    return out


def _ordered(groups: list[list[Occ]], distance: int) -> list[list[Occ]]:
    """Every first operand occurrence that starts a chain in order, each gap <= distance."""
    found = []

    def chain(i: int, prev: Occ, acc: list[Occ]) -> list[Occ] | None:
        if i == len(groups):
            return acc
        for o in groups[i]:
            if prev.end < o.start <= prev.end + 1 + distance:
                got = chain(i + 1, o, [*acc, o])
                if got is not None:
                    return got
        return None

    for first in groups[0]:
        got = chain(1, first, [first])
        if got is not None:
            found.append(got)
    return found


def _unordered(groups: list[list[Occ]], distance: int) -> list[list[Occ]]:
    """For each occurrence taken as the last-starting operand, one set of the others that
    end at most `distance` words before it starts and share no word with each other."""
    found = []
    for j, group in enumerate(groups):
        for last in group:
            low = last.start - distance - 1
            options = [
                [o for o in g if low <= o.end < last.start] for i, g in enumerate(groups) if i != j
            ]
            picked = _disjoint_pick(options, [])
            if picked is not None:
                found.append([*picked, last])
    return found


def _disjoint_pick(options: list[list[Occ]], acc: list[Occ]) -> list[Occ] | None:
    if not options:
        return acc
    for o in options[0]:
        if all(o.end < a.start or a.end < o.start for a in acc):
            got = _disjoint_pick(options[1:], [*acc, o])
            if got is not None:
                return got
    return None


def _occ(p: object, doc: _Doc, first_only: bool) -> list[Occ]:
    if isinstance(p, Seq):
        return _seq_occ(p, doc, first_only)
    if isinstance(p, PNear):
        return _near_occ(p, doc, first_only)
    if isinstance(p, POr):
        out: list[Occ] = []
        for c in p.children:
            out += _occ(c, doc, first_only)
            if first_only and out:
                break
        return out
    raise TypeError(f"not a positional plan: {p!r}")


def _match(p: object, doc: _Doc, explain: bool) -> tuple[bool, list[Occ]]:
    """Whether the plan matches; with `explain`, also the occurrences that made it match."""
    if isinstance(p, Seq | PNear):
        occ = _occ(p, doc, first_only=not explain)
        return bool(occ), occ
    if isinstance(p, POr):
        hit, evidence = False, []
        for c in p.children:
            ok, ev = _match(c, doc, explain)
            if ok:
                hit = True
                evidence += ev
                if not explain:
                    break
        return hit, evidence
    if isinstance(p, PAnd):
        evidence = []
        for c in p.children:
            ok, ev = _match(c, doc, explain)
            if not ok:
                return False, []
            evidence += ev
        return True, evidence
    if isinstance(p, PNot):
        ok, evidence = _match(p.include, doc, explain)
        if not ok or _match(p.exclude, doc, False)[0]:
            return False, []
        return True, evidence
    raise TypeError(f"not a plan: {p!r}")


class Matcher:
    """A query prepared once for one dialect, then matched against many records.

    >>> from litrev.search.ast import Term
    >>> Matcher(Term("codesign*"), "ebsco").matches(Record(title="Codesigning care"))
    True
    """

    def __init__(
        self, query: Query | Node, dialect: str = "litrev", rules: MatchRules | None = None
    ) -> None:
        self.query = query if isinstance(query, Query) else Query(query)
        self.rules = rules or rules_for(dialect)
        self.plan = plan(self.query.root, self.rules)

    def matches(self, record: Record) -> bool:
        if self.query.limits and not passes_limits(record, self.query.limits):
            return False
        return _match(self.plan, _Doc(record, self.rules.hyphen), False)[0]

    def explain(
        self, record: Record, index: int = 0, record_id: int | str | None = None
    ) -> Hit | None:
        """The hit with its evidence, or None if the record does not match."""
        if self.query.limits and not passes_limits(record, self.query.limits):
            return None
        doc = _Doc(record, self.rules.hyphen)
        ok, evidence = _match(self.plan, doc, True)
        if not ok:
            return None
        matches: dict[Match, None] = {}
        for occ in evidence:
            value_words = doc.words(occ.column)[occ.value]
            value = column_values(record, occ.column)[occ.value]
            for label, s, e in occ.parts:
                start, end = value_words[s].start, value_words[e].end
                matches[Match(label, occ.column, occ.value, start, end, value[start:end])] = None
        rid = record_id if record_id is not None else record.record_id
        ordered = sorted(matches, key=lambda m: (m.field, m.value_index, m.start))
        return Hit(index, rid, record, ordered)


def evaluate(
    query: Query | Node,
    records: Iterable[Record],
    dialect: str = "litrev",
    *,
    rules: MatchRules | None = None,
    ids: Sequence[int | str] | None = None,
) -> list[Hit]:
    """Run a strategy over records; return the hits in record order, each explained.

    `fields=None` on a term means the dialect's default fields (`DIALECT_RULES`); `rules`
    overrides the dialect's matching rules; `ids` gives each record's id for `Hit.record_id`.

    >>> from litrev.search.ast import Not, Term
    >>> recs = [Record(title="co-design of services"), Record(title="co-design of engines")]
    >>> [h.index for h in evaluate(Not(Term("co-design"), Term("engine*")), recs)]
    [0]
    """
    matcher = Matcher(query, dialect, rules)
    hits = []
    for i, record in enumerate(records):
        if matcher.matches(record):
            hit = matcher.explain(record, i, ids[i] if ids is not None else None)
            if hit is not None:
                hits.append(hit)
    return hits
