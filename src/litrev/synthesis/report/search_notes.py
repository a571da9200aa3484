"""How a review's database strategies differ in meaning, for the report.

With a canonical strategy in the protocol (`[search] canonical`, litrev's dialect), each
database's printed strategy is compared with it by `litrev.search.report.strategy_differences`:
differences of meaning, the interface's hyphen and stemming rules, sensitivity to operator
precedence, and lint findings. The canonical query is also written in each database's dialect.
Without one, each strategy is compared with the first database's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from litrev.errors import LitrevError
from litrev.protocol import DatabaseSearch, Protocol
from litrev.search import Query, compare, generate, parse
from litrev.search.report import strategy_differences


@dataclass
class StrategyReport:
    """Notes (one line each) and, per database, the strategy generated from the canonical query."""

    notes: list[str] = field(default_factory=list)
    generated: dict[str, str] = field(default_factory=dict)


def _text(search: DatabaseSearch) -> str:
    return search.strategy + (f"\n{search.limits_text}" if search.limits_text else "")


def _parseable(
    searches: list[DatabaseSearch], notes: list[str]
) -> list[tuple[DatabaseSearch, Query]]:
    parsed = []
    for search in searches:
        if not (search.strategy and search.dialect):
            continue
        try:
            parsed.append((search, parse(_text(search), search.dialect)))
        except LitrevError as error:
            notes.append(
                f"{search.database}: the strategy does not parse as {search.dialect}: {error}"
            )
    return parsed


def strategy_report(protocol: Protocol) -> StrategyReport:
    """Compare the protocol's strategies; see the module docstring.

    >>> from litrev.protocol import parse_protocol
    >>> protocol = parse_protocol('''
    ... [review]
    ... id = "x"
    ... title = "x"
    ... [search]
    ... canonical = "(coproduc* OR codesign*)[ti,ab]"
    ... [[searches]]
    ... database = "PubMed"
    ... dialect = "pubmed"
    ... strategy = "coproduc*[tiab]"
    ... ''')
    >>> report = strategy_report(protocol)
    >>> report.notes
    ['PubMed: terms only in canonical: codesign*']
    >>> report.generated["PubMed"]
    'coproduc*[tiab] OR codesign*[tiab]'
    """
    report = StrategyReport()
    parsed = _parseable(protocol.searches, report.notes)
    canonical_text = protocol.search.canonical.strip()
    if canonical_text:
        try:
            canonical = parse(canonical_text, "litrev")
        except LitrevError as error:
            report.notes.append(f"the canonical strategy does not parse: {error}")
            return report
        differences = strategy_differences(
            canonical, [(s.database, s.dialect, _text(s)) for s, _ in parsed]
        )
        for database, lines in differences.items():
            report.notes += [f"{database}: {line}" for line in lines]
        for search, _ in parsed:
            translation = generate(canonical, search.dialect)
            report.generated[search.database] = translation.text
            report.notes += [
                f"{search.database}: writing the canonical query: {w}" for w in translation.warnings
            ]
        reference: Query | None = canonical
        reference_name = "canonical"
    elif parsed:
        first, reference = parsed[0]
        reference_name = first.database
        for search, query in parsed[1:]:
            lines = compare(reference, query, first.dialect, search.dialect)
            report.notes += [
                f"{first.database} (A) vs {search.database} (B): {line}" for line in lines
            ]
    else:
        reference = None
        reference_name = ""
    if reference is not None and protocol.search.generic.strip():
        try:
            generic = parse(protocol.search.generic, "litrev")
        except LitrevError as error:
            report.notes.append(f"the generic strategy does not parse ({error}); shown as printed")
        else:
            for line in compare(reference, generic):
                report.notes.append(f"{reference_name} (A) vs the generic strategy (B): {line}")
    return report
