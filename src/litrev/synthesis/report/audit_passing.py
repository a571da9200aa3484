"""The structural checks that pass or cannot be made, for `results.json` `checks`.

`litrev.synthesis.report.audit` reports what does not agree (the `audit`); this module adds an entry
for every structural check that agrees, and for every PRISMA step that cannot be checked, so
`checks` lists each check once with its status (`agrees`, `mismatch` or `unverifiable`).

>>> from litrev.protocol import parse_protocol
>>> from litrev.synthesis.prisma.flow import compute_flow
>>> from litrev.synthesis.prisma.flow_data import FlowData
>>> p = parse_protocol('[review]\\nid="x"\\ntitle="x"')
>>> entries = passing_checks(compute_flow(p, FlowData()), p, pd.DataFrame(), [])
>>> sorted({e.status for e in entries})
['unverifiable']
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from litrev.protocol import Protocol
from litrev.synthesis.prisma.flow import Flow
from litrev.synthesis.prisma.flow_checks import flow_equations
from litrev.synthesis.report.audit import AGREES, UNVERIFIABLE, AuditEntry, _slug
from litrev.synthesis.tables import CategoryCount, spelling_variants


def passing_checks(
    flow: Flow,
    protocol: Protocol,
    studies: pd.DataFrame,
    categories: Sequence[CategoryCount],
) -> list[AuditEntry]:
    """Entries for the structural checks the audit found no fault with; see the module docstring."""
    entries = [*_flow_steps(flow), *_search_counts(flow, protocol)]
    if not flow.unmatched_sources and (flow.databases or flow.registers or flow.other.sources):
        entries.append(
            _agrees(
                "prisma-unmatched-imports",
                "prisma",
                "Every import belongs to a search of the protocol",
                None,
                "each import's source matches a [[searches]] entry",
            )
        )
    excluded = flow.full_text_excluded
    if excluded.known and excluded.value and flow.full_text_excluded_reasons:
        entries.append(
            _agrees(
                "prisma-full-text-reasons",
                "prisma",
                "Reports excluded at full text are given with reasons",
                excluded.value,
                "reasons: " + ", ".join(flow.full_text_excluded_reasons),
            )
        )
    entries += _coverage(flow, studies)
    present = [c for c in categories if c.n > 0]
    if present and sum(c.percent for c in present) == 100:
        entries.append(
            _agrees(
                "rounding-percent-sum",
                "rounding",
                f"The percentages of the {protocol.classification.field} classification sum "
                "to 100%",
                100,
                "each percentage rounded half up on its own",
            )
        )
    for field in protocol.codebook.fields:
        if field.name not in studies.columns or field.type in ("long_text", "integer"):
            continue
        if not spelling_variants(studies[field.name]):
            entries.append(
                _agrees(
                    f"variants-{field.name}",
                    "data-quality",
                    f"One spelling per {field.label or field.name} value",
                    None,
                    "no two values differ only in case, spacing or a leading “The”",
                )
            )
    return entries


def _agrees(id: str, kind: str, claim: str, computed: int | None, explanation: str) -> AuditEntry:
    return AuditEntry(id, kind, AGREES, claim, computed, computed, "", explanation)


def _flow_steps(flow: Flow) -> list[AuditEntry]:
    entries = []
    for equation in flow_equations(flow):
        if equation.status == AGREES:
            entries.append(
                _agrees(
                    equation.id,
                    "prisma",
                    f"The PRISMA boxes add up: {equation.text}",
                    equation.result.count.value,
                    equation.explanation() + ".",
                )
            )
        elif equation.status == UNVERIFIABLE:
            entries.append(
                AuditEntry(
                    equation.id,
                    "prisma",
                    UNVERIFIABLE,
                    f"The PRISMA boxes add up: {equation.text}",
                    None,
                    None,
                    "",
                    "not reported: " + ", ".join(equation.unknown),
                )
            )
    return entries


def _search_counts(flow: Flow, protocol: Protocol) -> list[AuditEntry]:
    """A search with reported hits whose imported records are the same number."""
    counts = {**flow.databases, **flow.registers, **flow.other.sources}
    entries = []
    for search in protocol.searches:
        count = counts.get(search.database)
        if (
            search.hits is None
            or count is None
            or count.source != "data"
            or search.database in flow.imported_vs_hits
        ):
            continue
        entries.append(
            _agrees(
                f"prisma-hits-vs-imported-{_slug(search.database)}",
                "prisma",
                f"The records imported from {search.database} are the hits its search reported",
                count.value,
                f"{search.database}: {search.hits:,} hits reported, {count.value:,} records "
                "imported",
            )
        )
    return entries


def _coverage(flow: Flow, studies: pd.DataFrame) -> list[AuditEntry]:
    claim = "Every included study has extracted data, and only included studies do"
    if flow.included.source == "data" and flow.included.value == len(studies):
        return [
            _agrees(
                "extraction-coverage",
                "data-quality",
                claim,
                len(studies),
                f"screening includes {len(studies)} studies; the extraction table holds as many",
            )
        ]
    if flow.included.source != "data":
        return [
            AuditEntry(
                "extraction-coverage",
                "data-quality",
                UNVERIFIABLE,
                claim,
                flow.included.value,
                len(studies),
                "",
                "the included count is not from screening in litrev",
            )
        ]
    return []
