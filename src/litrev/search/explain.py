"""Why a strategy does not find a record: the part of the query that failed, in words.

>>> from litrev.records.model import Record
>>> from litrev.search.ast import And, Not, Or, Term
>>> q = Not(And((Term("co-design*"), Or((Term("health"), Term("social"))))), Term("engineer*"))
>>> why_not(Matcher(q, "scopus"), Record(title="Co-design in engineering health"))
'excluded by engineer*'
>>> why_not(Matcher(q, "scopus"), Record(title="Co-design of buildings"))
'needs (health OR social)'
"""

from __future__ import annotations

from litrev.records.model import Record
from litrev.search.evaluate import Matcher, _Doc, _match
from litrev.search.limits import passes_limit
from litrev.search.plan import PAnd, Plan, PNear, PNot, POr, Seq

__all__ = ["label", "why_not"]


def label(p: Plan, limit: int = 80) -> str:
    """A short readable rendering of a plan node (terms as written)."""
    if isinstance(p, Seq):
        text = p.label or " ".join(w.text for w in p.words)
    elif isinstance(p, PNear):
        op = f" {'PRE' if p.ordered else 'NEAR'}/{p.distance} "
        text = "(" + op.join(label(c, limit) for c in p.children) + ")"
    elif isinstance(p, PNot):
        text = f"({label(p.include, limit)} NOT {label(p.exclude, limit)})"
    else:
        op = " AND " if isinstance(p, PAnd) else " OR "
        text = "(" + op.join(label(c, limit) for c in p.children) + ")"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _matched_leaves(p: Plan, doc: _Doc) -> list[str]:
    if isinstance(p, Seq | PNear):
        return [label(p)] if _match(p, doc, False)[0] else []
    if isinstance(p, PNot):
        return _matched_leaves(p.include, doc)
    out: list[str] = []
    for c in p.children:
        out += _matched_leaves(c, doc)
    return out


def _why(p: Plan, doc: _Doc) -> str:
    if isinstance(p, PNot):
        if not _match(p.include, doc, False)[0]:
            return _why(p.include, doc)
        return "excluded by " + ", ".join(_matched_leaves(p.exclude, doc))
    if isinstance(p, PAnd):
        failed = [c for c in p.children if not _match(c, doc, False)[0]]
        if len(failed) == 1 and isinstance(failed[0], PNot | PAnd):
            return _why(failed[0], doc)
        return "needs " + " and ".join(label(c) for c in failed)
    if isinstance(p, POr):
        return "none of " + label(p) + " found"
    return label(p) + " not found"


def why_not(matcher: Matcher, record: Record) -> str:
    """Why `matcher` does not find `record` ('' if it does)."""
    for limit in matcher.query.limits:
        if not passes_limit(record, limit):
            return f"excluded by limit {limit.kind} = {limit.value}"
    doc = _Doc(record, matcher.rules.hyphen)
    if _match(matcher.plan, doc, False)[0]:
        return ""
    return _why(matcher.plan, doc)
