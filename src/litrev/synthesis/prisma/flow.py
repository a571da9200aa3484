"""PRISMA 2020 flow counts, each with where it came from.

Every count is taken, in order of preference, from the review's data (`data`), from the counts
the team reported in `litrev.toml` (`reported`), or derived from other counts (`derived`). A count
none of these gives is `None` and shown as "not reported" — never as zero.

The flow has PRISMA 2020's two columns: databases and registers (left; `[[searches]]` with
`kind = "database"` or `"register"`), and other methods (right; `kind = "other"`, e.g. hand
searches, citation searches, websites), each with its own boxes down to the reports assessed.
Imported records count towards the search their source matches (`litrev.records.sources`); a
database's count is its imported records or its reported hits, never both.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from litrev.protocol import Protocol
from litrev.records.sources import SourceMatch, match_sources

NOT_REPORTED = "not reported"


@dataclass
class Count:
    value: int | None
    source: str  # "data" | "reported" | "derived" | "not reported"
    note: str = ""

    @property
    def known(self) -> bool:
        return self.value is not None


def _pick(data: int | None, reported: int | None, label: str = "") -> Count:
    if data is not None:
        return Count(data, "data")
    if reported is not None:
        return Count(reported, "reported")
    return Count(None, NOT_REPORTED)


def _minus(a: Count, b: Count, note: str) -> Count:
    if a.known and b.known:
        return Count(a.value - b.value, "derived", note)  # type: ignore[operator]
    return Count(None, NOT_REPORTED)


def _unknown() -> Count:
    return Count(None, NOT_REPORTED)


def _plus(a: Count, b: Count) -> Count:
    if a.known and b.known:
        return Count(a.value + b.value, "derived")  # type: ignore[operator]
    return _unknown()


def _total(counts: dict[str, Count], note: str) -> Count:
    if not counts or not all(c.known for c in counts.values()):
        return _unknown()
    sources = {c.source for c in counts.values()}
    return Count(
        sum(c.value for c in counts.values()),  # type: ignore[misc]
        "data" if sources == {"data"} else "derived",
        note,
    )


@dataclass
class Progress:
    """Open screening work: records without a final decision, and unresolved conflicts."""

    title_abstract_pending: int = 0
    title_abstract_conflicts: int = 0
    full_text_pending: int = 0
    full_text_conflicts: int = 0

    @property
    def unfinished(self) -> bool:
        return bool(self.title_abstract_pending or self.full_text_pending)


@dataclass
class OtherMethods:
    """The right-hand column of PRISMA 2020: records identified via other methods."""

    sources: dict[str, Count] = field(default_factory=dict)  # one per `kind = "other"` search
    methods: dict[str, str] = field(default_factory=dict)  # search name -> method
    identified: Count = field(default_factory=_unknown)
    title_abstract_excluded: Count = field(default_factory=_unknown)  # screened in litrev
    reports_sought: Count = field(default_factory=_unknown)
    reports_not_retrieved: Count = field(default_factory=_unknown)
    full_text_assessed: Count = field(default_factory=_unknown)
    full_text_excluded: Count = field(default_factory=_unknown)
    full_text_excluded_reasons: dict[str, int] = field(default_factory=dict)
    included: Count = field(default_factory=_unknown)
    # Records these methods found that deduplication merged into database records: screened
    # (and counted) in the left column.
    also_in_databases: Count = field(default_factory=_unknown)
    progress: Progress = field(default_factory=Progress)

    @property
    def present(self) -> bool:
        """The review names other methods or has counts for them."""
        return bool(self.sources) or any(
            c.known
            for c in (
                self.reports_sought,
                self.full_text_assessed,
                self.included,
            )
        )


@dataclass
class Flow:
    databases: dict[str, Count]
    identified: Count
    duplicates_removed: Count
    automation_removed: Count
    other_removed: Count
    records_screened: Count
    title_abstract_excluded: Count
    reports_sought: Count
    reports_not_retrieved: Count
    full_text_assessed: Count
    full_text_excluded: Count
    full_text_excluded_reasons: dict[str, int] = field(default_factory=dict)
    included: Count = field(default_factory=_unknown)
    registers: dict[str, Count] = field(default_factory=dict)
    other: OtherMethods = field(default_factory=OtherMethods)
    progress: Progress = field(default_factory=Progress)
    source_matches: list[SourceMatch] = field(default_factory=list)
    reason_labels: dict[str, str] = field(default_factory=dict)
    # {search: (records imported, hits reported)} where both are known and differ.
    imported_vs_hits: dict[str, tuple[int, int]] = field(default_factory=dict)
    included_reports: Count = field(default_factory=_unknown)
    template: str = "new"  # "new" | "updated" (a previous-version column)
    previous_studies: Count = field(default_factory=_unknown)
    previous_reports: Count = field(default_factory=_unknown)
    skip: tuple[str, ...] = ()  # optional boxes and lines left out of the diagram
    # {count name: (value litrev computed or None, value from [flow.overrides])}
    overrides: dict[str, tuple[int | None, int]] = field(default_factory=dict)

    @property
    def total_studies(self) -> Count:
        """Updated reviews: studies of the previous version plus the new ones."""
        return _plus(self.previous_studies, self.included)

    @property
    def total_reports(self) -> Count:
        """Updated reviews: reports of the previous version plus the new ones."""
        return _plus(self.previous_reports, self.included_reports)

    @property
    def unmatched_sources(self) -> list[SourceMatch]:
        """Imports whose source matches no `[[searches]]` entry (counted under their own name)."""
        return [m for m in self.source_matches if not m.matched]

    def label(self, reason: str) -> str:
        """An exclusion reason's label from the protocol (the code itself when it has none)."""
        return self.reason_labels.get(reason, reason)

    def as_dict(self) -> dict[str, Any]:
        """Plain numbers plus a `sources` map, for `results.json`."""
        out: dict[str, Any] = {"databases": {k: c.value for k, c in self.databases.items()}}
        out["registers"] = {k: c.value for k, c in self.registers.items()}
        sources: dict[str, str] = {}
        skip = (
            "databases",
            "registers",
            "full_text_excluded_reasons",
            "other",
            "progress",
            "source_matches",
            "reason_labels",
            "imported_vs_hits",
            "template",
            "skip",
            "overrides",
        )
        for name, value in asdict(self).items():
            if name in skip:
                continue
            out[name] = value["value"]
            sources[name] = value["source"]
        out["full_text_excluded_reasons"] = dict(self.full_text_excluded_reasons)
        out["sources"] = sources
        other = self.other
        out["other_methods"] = {
            "sources": {
                k: {"method": other.methods.get(k, ""), "records": c.value}
                for k, c in other.sources.items()
            },
            **{
                name: getattr(other, name).value
                for name in (
                    "identified",
                    "title_abstract_excluded",
                    "reports_sought",
                    "reports_not_retrieved",
                    "full_text_assessed",
                    "full_text_excluded",
                    "included",
                    "also_in_databases",
                )
            },
            "full_text_excluded_reasons": dict(other.full_text_excluded_reasons),
            "progress": asdict(other.progress),
        }
        out["progress"] = asdict(self.progress)
        out["template"] = self.template
        out["overrides"] = {k: {"computed": c, "shown": v} for k, (c, v) in self.overrides.items()}
        out["unmatched_imports"] = [
            {"source": m.source, "choices": list(m.candidates), "how": m.how}
            for m in self.unmatched_sources
        ]
        return out


@dataclass
class ColumnData:
    """Screening counts of one PRISMA column from the store (None where it holds none)."""

    records_screened: int | None = None
    title_abstract_excluded: int | None = None
    reports_sought: int | None = None
    reports_not_retrieved: int | None = None
    full_text_assessed: int | None = None
    full_text_excluded_reasons: dict[str, int] = field(default_factory=dict)
    included: int | None = None
    also_in_databases: int | None = None
    progress: Progress = field(default_factory=Progress)


@dataclass
class FlowData:
    """Counts that come from the review's records and decisions (None where the store has none).

    `identified_by_database` is keyed by the imports' source names; `compute_flow` matches them
    to the protocol's searches. `other` holds the screening counts of records found only by
    other methods (when the review has any).
    """

    identified_by_database: dict[str, int] = field(default_factory=dict)
    duplicates_removed: int | None = None
    records_screened: int | None = None
    title_abstract_excluded: int | None = None
    reports_sought: int | None = None
    reports_not_retrieved: int | None = None
    full_text_assessed: int | None = None
    full_text_excluded_reasons: dict[str, int] = field(default_factory=dict)
    included: int | None = None
    other: ColumnData | None = None
    progress: Progress = field(default_factory=Progress)


def _identification(
    protocol: Protocol, data: FlowData, differ: dict[str, tuple[int, int]]
) -> tuple[dict[str, dict[str, Count]], list[SourceMatch]]:
    """Per kind (database, register, other): {search or source name: count}."""
    imported: dict[str, int] = {}
    matches = list(match_sources(data.identified_by_database, protocol.searches).values())
    unmatched: dict[str, int] = {}
    for match in matches:
        n = data.identified_by_database[match.source]
        if match.search is not None:
            imported[match.search] = imported.get(match.search, 0) + n
        else:
            unmatched[match.source] = n
    by_kind: dict[str, dict[str, Count]] = {"database": {}, "register": {}, "other": {}}
    for search in protocol.searches:
        # Imported records or reported hits, never both (two [[searches]] of one name add up).
        n_imported = imported.pop(search.database, None)
        count = _pick(n_imported, search.hits)
        if n_imported is not None and search.hits is not None and n_imported != search.hits:
            differ[search.database] = (n_imported, search.hits)
        previous = by_kind[search.kind].get(search.database)
        if previous is not None and previous.known and count.known:
            count = Count(previous.value + count.value, "derived")  # type: ignore[operator]
        by_kind[search.kind][search.database] = count
    for name, n in unmatched.items():
        by_kind["database"].setdefault(name, Count(n, "data", "matches no [[searches]] entry"))
    return by_kind, matches


def _reasons(
    data_reasons: dict[str, int], reported: dict[str, int], not_retrieved: set[str]
) -> tuple[dict[str, int], int | None, str]:
    """Exclusion reasons without the not-retrieved ones, how many those were, and the source."""
    source = "data" if data_reasons else "reported"
    reasons = dict(data_reasons or reported)
    missing = sum(n for code, n in reasons.items() if code in not_retrieved)
    kept = {code: n for code, n in reasons.items() if code not in not_retrieved}
    return kept, (missing if reasons and missing else None), source


def compute_flow(protocol: Protocol, data: FlowData) -> Flow:
    """Combine data and reported counts into a PRISMA 2020 flow.

    >>> from litrev.protocol import parse_protocol
    >>> p = parse_protocol('''
    ... [review]
    ... id = "x"
    ... title = "x"
    ... [[searches]]
    ... database = "A"
    ... hits = 10
    ... [[searches]]
    ... database = "Hand search"
    ... kind = "other"
    ... method = "hand search"
    ... hits = 2
    ... [flow]
    ... records_screened = 8
    ... ''')
    >>> flow = compute_flow(p, FlowData(included=2))
    >>> flow.identified.value, flow.records_screened.source, flow.duplicates_removed.value
    (10, 'reported', None)
    >>> flow.other.identified.value, list(flow.databases)
    (2, ['A'])
    """
    reported = protocol.flow
    not_retrieved = {r.code for r in protocol.eligibility.exclusion_reasons if r.not_retrieved}
    differ: dict[str, tuple[int, int]] = {}
    by_kind, matches = _identification(protocol, data, differ)
    databases, registers = by_kind["database"], by_kind["register"]
    identified = _total(
        {
            **{f"d:{k}": c for k, c in databases.items()},
            **{f"r:{k}": c for k, c in registers.items()},
        },
        "sum of the records identified per database and register",
    )

    screened = _pick(data.records_screened, reported.records_screened)
    reasons, missing, reasons_source = _reasons(
        data.full_text_excluded_reasons, reported.full_text_excluded, not_retrieved
    )
    not_retrieved_count = _pick(data.reports_not_retrieved, reported.reports_not_retrieved)
    if not not_retrieved_count.known and missing is not None:
        not_retrieved_count = Count(missing, reasons_source, "exclusions marked not_retrieved")
    full_text = _pick(data.full_text_assessed, reported.full_text_assessed)
    sought = _pick(data.reports_sought, reported.reports_sought)
    if not sought.known and full_text.known and not_retrieved_count.known:
        sought = Count(full_text.value + not_retrieved_count.value, "derived")  # type: ignore[operator]
    ta_excluded = _pick(data.title_abstract_excluded, reported.title_abstract_excluded)
    if not ta_excluded.known:
        basis = sought if sought.known else full_text
        ta_excluded = _minus(screened, basis, "records screened minus reports sought/assessed")
    included = _pick(data.included, reported.included)
    other = _other_column(protocol, data, by_kind["other"], not_retrieved)
    if reasons:
        ft_excluded = Count(sum(reasons.values()), reasons_source)
    else:
        included_here = _minus(included, other.included, "") if other.included.known else included
        ft_excluded = _minus(full_text, included_here, "full texts assessed minus studies included")
    flow = Flow(
        databases=databases,
        identified=identified,
        duplicates_removed=_pick(data.duplicates_removed, reported.duplicates_removed),
        automation_removed=_pick(None, reported.automation_removed),
        other_removed=_pick(None, reported.other_removed),
        records_screened=screened,
        title_abstract_excluded=ta_excluded,
        reports_sought=sought,
        reports_not_retrieved=not_retrieved_count,
        full_text_assessed=full_text,
        full_text_excluded=ft_excluded,
        full_text_excluded_reasons=reasons,
        included=included,
        registers=registers,
        other=other,
        progress=data.progress,
        source_matches=matches,
        reason_labels={r.code: r.label for r in protocol.eligibility.exclusion_reasons},
        imported_vs_hits=differ,
        included_reports=_pick(None, reported.included_reports),
        template=reported.template,
        previous_studies=_pick(None, reported.previous.studies),
        previous_reports=_pick(None, reported.previous.reports),
        skip=tuple(reported.skip),
    )
    _apply_overrides(flow, reported.overrides)
    return flow


def _apply_overrides(flow: Flow, overrides: dict[str, int]) -> None:
    """Replace counts by `[flow.overrides]`, remembering what litrev had computed."""
    for name, value in overrides.items():
        owner: Any = flow.other if name.startswith("other.") else flow
        attr = name.removeprefix("other.")
        before: Count = getattr(owner, attr)
        flow.overrides[name] = (before.value, value)
        setattr(owner, attr, Count(value, "override", f"[flow.overrides] {name}"))


def _other_column(
    protocol: Protocol, data: FlowData, sources: dict[str, Count], not_retrieved: set[str]
) -> OtherMethods:
    reported = protocol.flow.other_methods
    column = data.other or ColumnData()
    reasons, missing, reasons_source = _reasons(
        column.full_text_excluded_reasons, reported.full_text_excluded, not_retrieved
    )
    not_obtained = _pick(column.reports_not_retrieved, reported.reports_not_retrieved)
    if not not_obtained.known and missing is not None:
        not_obtained = Count(missing, reasons_source, "exclusions marked not_retrieved")
    other = OtherMethods(
        sources=sources,
        methods={s.database: s.method for s in protocol.searches if s.kind == "other"},
        identified=_total(sources, "sum of the records identified per other method"),
        title_abstract_excluded=_pick(column.title_abstract_excluded, None),
        reports_sought=_pick(column.reports_sought, reported.reports_sought),
        reports_not_retrieved=not_obtained,
        full_text_assessed=_pick(column.full_text_assessed, reported.full_text_assessed),
        full_text_excluded_reasons=reasons,
        included=_pick(column.included, reported.included),
        also_in_databases=_pick(column.also_in_databases, None),
        progress=column.progress,
    )
    if not other.reports_sought.known and other.full_text_assessed.known and not_obtained.known:
        other.reports_sought = Count(
            other.full_text_assessed.value + not_obtained.value,  # type: ignore[operator]
            "derived",
        )
    if reasons:
        other.full_text_excluded = Count(sum(reasons.values()), reasons_source)
    else:
        other.full_text_excluded = _minus(
            other.full_text_assessed, other.included, "assessed minus included"
        )
    return other
