"""The consistency audit: every stated number checked against the data, plus structural checks.

Nothing here knows the built-in review: findings come from the claims, the protocol and the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from litrev.protocol import Protocol
from litrev.synthesis.labels import row_labels, study_labels
from litrev.synthesis.prisma.flow import Flow
from litrev.synthesis.prisma.flow_checks import Equation, failing_equations
from litrev.synthesis.report.claims import Claim
from litrev.synthesis.tables import CategoryCount, round_percent, spelling_variants

MISMATCH = "mismatch"
AGREES = "agrees"
UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True)
class AuditEntry:
    id: str
    kind: str  # claim | rounding | duplicate-row | prisma | data-quality
    status: str  # mismatch | agrees | unverifiable
    claim: str
    stated: int | str | None
    computed: int | str | None
    sentence: str
    explanation: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _matching(studies: pd.DataFrame, where: dict[str, str]) -> pd.DataFrame:
    selected = studies
    for field, value in where.items():
        if field not in studies.columns:
            raise KeyError(field)
        selected = selected[selected[field].astype(str) == value]
    return selected


def _describe(where: dict[str, str]) -> str:
    return " and ".join(f"{k} = {v}" for k, v in where.items()) or "all included studies"


def location_column(studies: pd.DataFrame, name: str) -> str:
    """The studies' column for a `[report] table_location` name: the codebook field of that name,
    else the extraction table's own column (kept with the record as `source_<name>`).

    >>> location_column(pd.DataFrame({"source_table": ["S2"]}), "table")
    'source_table'
    """
    if name in studies.columns:
        return name
    if f"source_{name}" in studies.columns:
        return f"source_{name}"
    raise KeyError(name)


def _unverifiable(claim: Claim, what: str, reason: str) -> AuditEntry:
    return AuditEntry(
        claim.id, "claim", UNVERIFIABLE, what, claim.stated, None, claim.sentence, reason
    )


def check_claim(
    claim: Claim, studies: pd.DataFrame, flow: Flow, table_location: Sequence[str] = ()
) -> AuditEntry:
    """Compute the quantity a claim states and compare.

    `table_location` (`[report] table_location`) names the column giving each study's table in
    the paper; `table_rows` claims count the studies by it.

    >>> from litrev.synthesis.prisma.flow import compute_flow, FlowData
    >>> from litrev.protocol import parse_protocol
    >>> flow = compute_flow(parse_protocol('[review]\\nid="x"\\ntitle="x"'), FlowData())
    >>> claim = Claim(id="c", sentence="Two were typologies.", stated=2, quantity="count",
    ...               where={"category": "typology"})
    >>> check_claim(claim, pd.DataFrame({"category": ["typology"]}), flow).status
    'mismatch'
    """
    computed: int | None
    what = claim.quote or claim.sentence
    explanation = ""
    try:
        if claim.quantity == "count":
            computed = len(_matching(studies, claim.where))
            explanation = f"studies with {_describe(claim.where)}"
        elif claim.quantity == "percent":
            computed = int(round_percent(len(_matching(studies, claim.where)), len(studies)))
            explanation = (
                f"percent of {len(studies)} included studies with {_describe(claim.where)}"
            )
        elif claim.quantity == "table_rows":
            if not table_location:
                return _unverifiable(
                    claim,
                    what,
                    "no column says which table a study is in: name it with "
                    "`[report] table_location` in litrev.toml",
                )
            column = location_column(studies, table_location[0])
            computed = int((studies[column].astype(str) == str(claim.table)).sum())
            explanation = f"rows of {claim.table} in the data"
        elif claim.quantity == "flow":
            computed = getattr(flow, str(claim.stage)).value
            source = getattr(flow, str(claim.stage)).source
            explanation = f"PRISMA flow '{claim.stage}' ({source})"
        elif claim.quantity == "hits":
            count = (
                flow.databases.get(claim.database)
                or flow.registers.get(claim.database)
                or flow.other.sources.get(claim.database)
            )
            computed = count.value if count else None
            explanation = f"records identified in {claim.database}" + (
                f" ({count.source})" if count else ""
            )
        else:
            return _unverifiable(claim, what, claim.reason)
    except KeyError as missing:
        return _unverifiable(claim, what, f"the data has no field {missing}")
    if computed is None:
        return _unverifiable(claim, what, f"{explanation}: not available")
    status = AGREES if computed == claim.stated else MISMATCH
    return AuditEntry(
        claim.id, "claim", status, what, claim.stated, computed, claim.sentence, explanation
    )


def check_rounding(
    claims: Sequence[Claim], categories: Sequence[CategoryCount], field: str
) -> list[AuditEntry]:
    """Rounded percentages of a classification should sum to 100; say when they do not, and why."""
    if not categories or sum(c.n for c in categories) == 0:
        return []
    by_name = {c.name: c for c in categories}
    stated = {
        c.where[field]: c
        for c in claims
        if c.quantity == "percent" and set(c.where) == {field} and c.where[field] in by_name
    }
    present = [c for c in categories if c.n > 0]
    if stated and set(stated) == {c.name for c in present}:
        total_stated = sum(c.stated for c in stated.values())
        sentence = " … ".join(dict.fromkeys(c.sentence for c in stated.values()))
        source = "stated"
    else:
        total_stated = sum(c.percent for c in present)
        sentence = ""
        source = "computed"
    if total_stated == 100:
        return []
    exact = ", ".join(f"{c.name} {c.percent}% ({c.percent_exact:g}%)" for c in present)
    return [
        AuditEntry(
            id="rounding-percent-sum",
            kind="rounding",
            status=MISMATCH,
            claim=f"The {source} percentages of the {field} classification sum to {total_stated}%",
            stated=total_stated,
            computed=100,
            sentence=sentence,
            explanation=f"each percentage is rounded on its own ({exact}); together they sum to "
            f"{total_stated}%, not 100%. Say so in a table note, or give one decimal.",
        )
    ]


def check_duplicate_rows(
    studies: pd.DataFrame,
    text_fields: Sequence[str] = (),
    labels: Sequence[str] | None = None,
    table_location: Sequence[str] = (),
) -> list[AuditEntry]:
    """The same citation label on several rows: one article listed twice, or two articles one label.

    `labels` are the rows' study labels, in row order (default: "record N"). `text_fields` (the
    codebook's long-text fields) tell the two apart: different texts under one label suggest
    different articles. `table_location` names the columns giving each row's table and row.

    >>> frame = pd.DataFrame({"record_id": [1, 2]})
    >>> check_duplicate_rows(frame, labels=["Ruiz, 2021", "Ruiz 2021"])[0].claim
    '“Ruiz, 2021” is listed 2 times (record 1; record 2)'
    """
    if studies.empty:
        return []
    if labels is not None:
        shown_labels = list(labels)
    elif "record_id" in studies.columns:
        shown_labels = row_labels(studies, {})
    else:
        shown_labels = [f"row {n + 1}" for n in range(len(studies))]
    key = pd.Series(shown_labels, dtype=str).str.replace(r"[\s,]+", " ", regex=True)
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(key.str.strip().str.casefold()):
        positions.setdefault(name, []).append(position)
    repeated = {name: found for name, found in sorted(positions.items()) if len(found) > 1}
    if not repeated:
        return []
    columns = [c for c in (_present(studies, name) for name in table_location) if c]
    fields = [f for f in text_fields if f in studies.columns]
    what = " and ".join(fields) or "row"
    # Only the repeated rows are read, once each: linear in the number of studies.
    wanted = sorted(p for found in repeated.values() for p in found)
    rows = dict(zip(wanted, studies.iloc[wanted].to_dict("records"), strict=True))
    entries = []
    for found in repeated.values():
        group = [rows[p] for p in found]
        shown = shown_labels[found[0]]
        where = "; ".join(_where(row, columns) for row in group)
        distinct = len({tuple(str(row.get(f)) for f in fields) for row in group}) if fields else 1
        entries.append(
            AuditEntry(
                id=f"duplicate-row-{_slug(shown)}",
                kind="duplicate-row",
                status=MISMATCH,
                claim=f"“{shown}” is listed {len(group)} times ({where})",
                stated=len(group),
                computed=1,
                sentence="",
                explanation=(
                    f"{len(group)} rows share one citation label but {distinct} different "
                    f"{what} texts: either one article is counted twice (then the category and "
                    "total counts are inflated) or different articles need distinct labels "
                    "(e.g. 2018a/2018b)."
                ),
            )
        )
    return entries


def _present(studies: pd.DataFrame, name: str) -> str | None:
    try:
        return location_column(studies, name)
    except KeyError:
        return None


def _where(row: Mapping[Any, Any], columns: Sequence[str]) -> str:
    """Where a row is in the paper ("Table 2 row 4"), else which record it is."""
    values = [_cell(row.get(c)) for c in columns]
    if columns and any(values):
        table = values[0]
        return f"{table} row {values[1] or '?'}".strip() if len(values) > 1 else table
    return f"record {row['record_id']}" if "record_id" in row else "row"


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text  # pandas floats


def _prisma(
    id: str,
    claim: str,
    stated: int | None,
    computed: int | None,
    explanation: str,
    status: str = MISMATCH,
) -> AuditEntry:
    """A finding of the PRISMA flow (it quotes no sentence of the paper)."""
    return AuditEntry(id, "prisma", status, claim, stated, computed, "", explanation)


def check_flow(flow: Flow) -> list[AuditEntry]:
    """PRISMA 2020 arithmetic and completeness of the flow, and imports no search accounts for."""
    entries = []
    for equation in failing_equations(flow):
        if equation.id == "prisma-identified-vs-screened":
            entries.append(_identified_gap(flow, equation))
            continue
        entries.append(
            _prisma(
                equation.id,
                f"The PRISMA boxes add up: {equation.text}",
                equation.result.count.value,
                equation.expected,
                equation.explanation() + ".",
            )
        )
    for name, (imported, hits) in flow.imported_vs_hits.items():
        entries.append(
            _prisma(
                f"prisma-hits-vs-imported-{_slug(name)}",
                f"The records imported from {name} are the hits its search reported",
                hits,
                imported,
                f"{name}: {hits:,} hits reported in litrev.toml, {imported:,} records "
                "imported. The flow counts the imported records (once, not both); export the "
                "whole result set or correct the reported hits.",
            )
        )
    for match in flow.unmatched_sources:
        entries.append(
            _prisma(
                f"prisma-unmatched-import-{_slug(match.source)}",
                f"Imported records from “{match.source}” belong to a search of the protocol",
                None,
                flow.databases[match.source].value if match.source in flow.databases else None,
                match.message()
                + ". They are counted under their own name; give the search's name with "
                "`litrev import --source`, or add it to that search's `aliases`.",
            )
        )
    for name, (computed, shown) in flow.overrides.items():
        # [flow.overrides] replaced a count: the report lists each, with what litrev counted.
        status = UNVERIFIABLE if computed is None else (AGREES if computed == shown else MISMATCH)
        was = "litrev did not compute it" if computed is None else f"litrev counted {computed:,}"
        entries.append(
            _prisma(
                f"prisma-override-{_slug(name)}",
                f"The PRISMA count {name} is the one litrev computes",
                shown,
                computed,
                f"{name} = {shown:,} is set in [flow.overrides] ({was}); the diagram marks it §.",
                status,
            )
        )
    if (
        flow.full_text_excluded.known
        and flow.full_text_excluded.value
        and not flow.full_text_excluded_reasons
    ):
        entries.append(
            _prisma(
                "prisma-full-text-reasons",
                "Reports excluded at full text are given with reasons",
                None,
                flow.full_text_excluded.value,
                f"{flow.full_text_excluded.value} reports were excluded at full text "
                "(assessed minus included) with no reasons reported; PRISMA 2020 asks for the reasons.",
            )
        )
    return entries


def _identified_gap(flow: Flow, equation: Equation) -> AuditEntry:
    removed = sum(t.count.value or 0 for t in equation.terms)
    gap = (equation.expected or 0) - (flow.records_screened.value or 0)
    missing = equation.not_reported
    return _prisma(
        "prisma-identified-vs-screened",
        "Records identified minus records removed before screening equals records screened",
        flow.identified.value,
        flow.records_screened.value,
        f"{flow.identified.value:,} records identified, {removed:,} reported removed, "
        f"{flow.records_screened.value:,} screened: {gap:,} records unaccounted for. "
        + (f"Not reported: {', '.join(missing)}. " if missing else "")
        + "PRISMA 2020 (item 16a, flow diagram) asks for the number of duplicates and "
        "of other records removed before screening.",
    )


def check_extraction_coverage(flow: Flow, studies: pd.DataFrame) -> list[AuditEntry]:
    """The studies included by screening and the studies with extracted data are the same number."""
    if flow.included.source != "data" or flow.included.value == len(studies):
        return []
    return [
        AuditEntry(
            id="extraction-coverage",
            kind="data-quality",
            status=MISMATCH,
            claim="Every included study has extracted data, and only included studies do",
            stated=flow.included.value,
            computed=len(studies),
            sentence="",
            explanation=f"screening includes {flow.included.value} studies; the extraction "
            f"table holds {len(studies)}. Tables and percentages use the extracted studies.",
        )
    ]


def check_data_quality(studies: pd.DataFrame, protocol: Protocol) -> list[AuditEntry]:
    """Spelling variants in coded fields and required values left empty."""
    entries = []
    for field in protocol.codebook.fields:
        if field.name not in studies.columns or field.type in ("long_text", "integer"):
            continue
        for group in spelling_variants(studies[field.name]).values():
            counts = studies[field.name].value_counts()
            shown = ", ".join(f"“{v}” ({counts[v]})" for v in group)
            entries.append(
                AuditEntry(
                    id=f"variants-{field.name}-{_slug(group[0])}",
                    kind="data-quality",
                    status=MISMATCH,
                    claim=f"One spelling per {field.label or field.name} value",
                    stated=len(group),
                    computed=1,
                    sentence="",
                    explanation=f"{shown} differ only in case, spacing or a leading “The”; the "
                    "cross-tables count them together under the most frequent spelling.",
                )
            )
    return entries


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.casefold()).strip("-")


def run_audit(
    claims: Sequence[Claim],
    studies: pd.DataFrame,
    flow: Flow,
    protocol: Protocol,
    categories: Sequence[CategoryCount],
    labels: Mapping[int, str] | None = None,
) -> list[AuditEntry]:
    """Every claim's check, then the structural checks, in a stable order.

    `labels` ({record id: study label}; default: from the protocol's templates, else "record N")
    name the studies in duplicate-label findings.
    """
    location = protocol.report.table_location or []
    entries = [check_claim(claim, studies, flow, location) for claim in claims]
    entries += check_rounding(claims, categories, protocol.classification.field)
    if labels is None and "record_id" in studies.columns:
        labels = study_labels(studies, protocol)
    entries += check_duplicate_rows(
        studies,
        [f.name for f in protocol.codebook.fields if f.type == "long_text"],
        row_labels(studies, labels or {}) if "record_id" in studies.columns else None,
        location,
    )
    entries += check_flow(flow)
    entries += check_extraction_coverage(flow, studies)
    entries += check_data_quality(studies, protocol)
    # Imported here: audit_passing builds on this module's entries and helpers.
    from litrev.synthesis.report.audit_passing import passing_checks

    found = {entry.id for entry in entries}
    entries += [
        entry
        for entry in passing_checks(flow, protocol, studies, categories)
        if entry.id not in found
    ]
    return entries
