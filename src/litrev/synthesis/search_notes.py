"""How a review's database strategies differ in meaning, for the report.

Each database's strategy (with its limits) is parsed in its dialect and compared with the first
database's; the generic strategy, when the protocol prints one, is compared too. The comparison
itself is `litrev.search.compare`: fields, truncation, terms, limits and the interface behaviour
(hyphens, stemming) that a reader of the strategies would otherwise have to know.
"""

from __future__ import annotations

import re

from litrev.errors import LitrevError
from litrev.protocol import DatabaseSearch, Protocol
from litrev.search import Query, compare, parse

GENERIC_DIALECTS = ("litrev", "scopus")  # generic strategies are written loosely; try both


def _parse_search(search: DatabaseSearch) -> Query:
    text = search.strategy + (f"\n{search.limits_text}" if search.limits_text else "")
    return parse(text, search.dialect)


def _drop_shared_scope(lines: list[str]) -> list[str]:
    # compare() describes each side's field scope; when both sides say the same, it is no difference.
    scopes: dict[str, list[str]] = {}
    for line in lines:
        match = re.match(r"field scope: ([AB]) needs (.*)", line)
        if match:
            scopes.setdefault(match.group(2), []).append(match.group(1))
    shared = {scope for scope, sides in scopes.items() if sorted(sides) == ["A", "B"]}
    return [line for line in lines if not any(line.endswith(scope) for scope in shared)]


def strategy_notes(protocol: Protocol) -> list[str]:
    """One line per difference in meaning between the protocol's strategies.

    >>> from litrev.protocol import parse_protocol
    >>> protocol = parse_protocol('''
    ... [review]
    ... id = "x"
    ... title = "x"
    ... [[searches]]
    ... database = "PubMed"
    ... dialect = "pubmed"
    ... strategy = "coproduc*[tiab]"
    ... [[searches]]
    ... database = "Scopus"
    ... dialect = "scopus"
    ... strategy = "TITLE-ABS(coproduc* OR codesign*)"
    ... ''')
    >>> any("codesign*" in note for note in strategy_notes(protocol))
    True
    """
    notes: list[str] = []
    parsed: list[tuple[DatabaseSearch, Query]] = []
    for search in protocol.searches:
        if not (search.strategy and search.dialect):
            continue
        try:
            parsed.append((search, _parse_search(search)))
        except LitrevError as error:
            notes.append(
                f"{search.database}: the strategy does not parse as {search.dialect}: {error}"
            )
    if not parsed:
        return notes
    reference, reference_query = parsed[0]
    for search, query in parsed[1:]:
        lines = _drop_shared_scope(
            compare(reference_query, query, reference.dialect, search.dialect)
        )
        notes += [f"{reference.database} (A) vs {search.database} (B): {line}" for line in lines]
    if protocol.search.generic.strip():
        for dialect in GENERIC_DIALECTS:
            try:
                generic = parse(protocol.search.generic, dialect)
            except LitrevError:
                continue
            for line in _drop_shared_scope(
                compare(reference_query, generic, reference.dialect, None)
            ):
                if not line.startswith(("hyphens:", "stemming:")):
                    notes.append(f"{reference.database} (A) vs the generic strategy (B): {line}")
            break
        else:
            notes.append(
                "the generic strategy does not parse in any dialect; it is shown as printed"
            )
    return notes
