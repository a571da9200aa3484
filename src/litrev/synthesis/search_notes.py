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
from litrev.search.ast import And, Fielded, Near, Node, Not, Or, Phrase, Term
from litrev.search.compare import HYPHENS
from litrev.search.report import strategy_differences


@dataclass
class StrategyReport:
    """Notes (one line each) and, per database, the strategy generated from the canonical query."""

    notes: list[str] = field(default_factory=list)
    generated: dict[str, str] = field(default_factory=dict)


def _text(search: DatabaseSearch) -> str:
    return search.strategy + (f"\n{search.limits_text}" if search.limits_text else "")


def hyphenated_terms(node: Node) -> list[str]:
    """The words of a strategy that contain a hyphen (terms and phrase words), in order.

    >>> hyphenated_terms(parse('(self-help* OR "peer-led group") AND gambl*', "litrev").root)
    ['self-help*', 'peer-led']
    """
    found: list[str] = []
    stack = [node]
    while stack:  # iterative: a strategy of thousands of lines must not hit the recursion limit
        current = stack.pop()
        if isinstance(current, Term):
            words = [current.text]
        elif isinstance(current, Phrase):
            words = list(current.words)
        else:
            words = []
            if isinstance(current, (And, Or, Near)):
                stack.extend(reversed(current.children))
            elif isinstance(current, Not):
                stack.extend([current.exclude, current.include])
            elif isinstance(current, Fielded):
                stack.append(current.child)
        found += [w for w in words if "-" in w.strip("-")]
    return list(dict.fromkeys(found))


def _hyphen_rule(dialect: str, terms: list[str]) -> str:
    """An interface's hyphen rule, without the example `litrev.search.compare.HYPHENS` gives
    it unless the example is one of this review's `terms` (another review's word misleads).

    >>> _hyphen_rule("cochrane", ["self-help*"])
    'a hyphen is a character'
    >>> _hyphen_rule("cochrane", ["co-produc*"])
    'a hyphen is a character: co-produc* likely misses co production'
    """
    rule, _, example = HYPHENS[dialect].partition(": ")
    if example and example.split()[0] in terms:
        return HYPHENS[dialect]
    return rule


def _own_hyphen_notes(lines: list[str], terms: list[str]) -> list[str]:
    """Hyphen notes name this review's hyphenated terms, not the built-in example; with no
    hyphenated term (a hyphen only in a field tag such as TITLE-ABS-KEY) there is no note."""
    out = []
    for line in lines:
        rules = [d for d in HYPHENS if HYPHENS[d] in line]
        if not rules:
            out.append(line)
            continue
        if not terms:
            continue
        for dialect in rules:
            line = line.replace(HYPHENS[dialect], _hyphen_rule(dialect, terms))
        out.append(f"{line} (hyphenated terms: {', '.join(terms[:5])})")
    return out


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
        own_terms = {s.database: hyphenated_terms(q.root) for s, q in parsed}
        for database, lines in differences.items():
            lines = _own_hyphen_notes(lines, own_terms.get(database, []))
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
            lines = _own_hyphen_notes(lines, hyphenated_terms(reference.root))
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
