"""How each database's strategy differs in meaning from a review's canonical query.

For the review report: one entry per strategy, listing (1) differences of meaning from the
canonical query (`compare`), (2) interface behaviour that differs (hyphens, stemming),
(3) whether an UNVERIFIED operator precedence could change it, and (4) lint findings.

>>> from litrev.search import parse
>>> canon = parse('(co-produc* OR coproduc*)[ti,ab]')
>>> notes = strategy_differences(canon, [("Cochrane", "cochrane", 'co-produc*:ti,ab,kw')])
>>> notes["Cochrane"][:2]
['fields: canonical searches abstract/title, strategy searches abstract/keywords/title', \
'terms only in canonical: coproduc*']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from litrev.search.ast import Query, normalize
from litrev.search.compare import (
    HYPHENS,
    STEMMING,
    compare,
    hyphen_rule,
    hyphenated_words,
    precedence_note,
)
from litrev.search.dialects import get_dialect
from litrev.search.dialects.generator import leaf_fields
from litrev.search.lint import lint


def strategy_differences(
    canonical: Query,
    strategies: Iterable[tuple[str, str, str]],
) -> dict[str, list[str]]:
    """For each (label, dialect, text), the lines a report needs; see the module docstring."""
    out: dict[str, list[str]] = {}
    for label, dialect, text in strategies:
        query = get_dialect(dialect).parse(text)
        lines = [_relabel(line) for line in compare(canonical, query)]
        words = hyphenated_words(query.root)
        if words and dialect in HYPHENS:  # a hyphen in a field code (TITLE-ABS) is no term's
            lines.append(
                f"hyphens in {dialect}: {hyphen_rule(dialect, words)}"
                f" (hyphenated terms: {', '.join(words[:5])})"
            )
        untagged = None in leaf_fields(normalize(query.root))
        if dialect in STEMMING and (dialect != "pubmed" or untagged):  # ATM: untagged only
            lines.append(f"stemming in {dialect}: {STEMMING[dialect]}")
        note = precedence_note(text, dialect)
        if "depends" in note:
            lines.append(note)
        messages = lint(text, dialect)
        counts = Counter((m.code, m.message.split(":")[0]) for m in messages if m.code != "LR004")
        for (code, first), n in sorted(counts.items()):
            lines.append(f"lint {code}: {first}" + (f" ({n} times)" if n > 1 else ""))
        curly = sum(1 for m in messages if m.code == "LR004")
        if curly:
            lines.append(f"lint LR004: {curly} curly quotes (normalised before reading)")
        out[label] = lines
    return out


def _relabel(line: str) -> str:
    """compare() speaks of A and B; here A is the canonical query and B the strategy."""
    for old, new in (
        (" in A is ", " in the canonical query is "),
        (" in B", " in the strategy"),
        ("A searches", "canonical searches"),
        ("B searches", "strategy searches"),
        ("only in A", "only in canonical"),
        ("only in B", "only in strategy"),
        ("field scope: A", "field scope: the canonical query"),
        ("field scope: B", "field scope: the strategy"),
    ):
        line = line.replace(old, new)
    return line
