"""PRISMA 2020 flow counts, each with where it came from.

Every count is taken, in order of preference, from the review's data (`data`), from the counts
the team reported in `litrev.toml` (`reported`), or derived from other counts (`derived`). A count
none of these gives is `None` and shown as "not reported" — never as zero.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from litrev.protocol import Protocol

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
    included: Count = field(default_factory=lambda: Count(None, NOT_REPORTED))

    def as_dict(self) -> dict[str, Any]:
        """Plain numbers plus a `sources` map, for `results.json`."""
        out: dict[str, Any] = {"databases": {k: c.value for k, c in self.databases.items()}}
        sources: dict[str, str] = {}
        for name, value in asdict(self).items():
            if name in ("databases", "full_text_excluded_reasons"):
                continue
            out[name] = value["value"]
            sources[name] = value["source"]
        out["full_text_excluded_reasons"] = dict(self.full_text_excluded_reasons)
        out["sources"] = sources
        return out


@dataclass
class FlowData:
    """Counts that come from the review's records and decisions (None where the store has none)."""

    identified_by_database: dict[str, int] = field(default_factory=dict)
    duplicates_removed: int | None = None
    records_screened: int | None = None
    title_abstract_excluded: int | None = None
    reports_sought: int | None = None
    full_text_assessed: int | None = None
    full_text_excluded_reasons: dict[str, int] = field(default_factory=dict)
    included: int | None = None


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
    ... [flow]
    ... records_screened = 8
    ... ''')
    >>> flow = compute_flow(p, FlowData(included=2))
    >>> flow.identified.value, flow.records_screened.source, flow.duplicates_removed.value
    (10, 'reported', None)
    """
    reported = protocol.flow
    databases: dict[str, Count] = {}
    for search in protocol.searches:
        databases[search.database] = _pick(
            data.identified_by_database.get(search.database), search.hits
        )
    for name, n in data.identified_by_database.items():
        databases.setdefault(name, Count(n, "data"))
    if databases and all(c.known for c in databases.values()):
        sources = {c.source for c in databases.values()}
        identified = Count(
            sum(c.value for c in databases.values()),  # type: ignore[misc]
            "data" if sources == {"data"} else "derived",
            "sum of the records identified per database",
        )
    else:
        identified = Count(None, NOT_REPORTED)

    screened = _pick(data.records_screened, reported.records_screened)
    full_text = _pick(data.full_text_assessed, reported.full_text_assessed)
    sought = _pick(data.reports_sought, reported.reports_sought)
    not_retrieved = _pick(None, reported.reports_not_retrieved)
    if not sought.known and full_text.known and not_retrieved.known:
        sought = Count(full_text.value + not_retrieved.value, "derived")  # type: ignore[operator]
    ta_excluded = _pick(data.title_abstract_excluded, reported.title_abstract_excluded)
    if not ta_excluded.known:
        basis = sought if sought.known else full_text
        ta_excluded = _minus(screened, basis, "records screened minus reports sought/assessed")
    included = _pick(data.included, reported.included)
    reasons = dict(data.full_text_excluded_reasons or reported.full_text_excluded)
    if reasons:
        ft_excluded = Count(
            sum(reasons.values()), "data" if data.full_text_excluded_reasons else "reported"
        )
    else:
        ft_excluded = _minus(full_text, included, "full texts assessed minus studies included")
    return Flow(
        databases=databases,
        identified=identified,
        duplicates_removed=_pick(data.duplicates_removed, reported.duplicates_removed),
        automation_removed=_pick(None, reported.automation_removed),
        other_removed=_pick(None, reported.other_removed),
        records_screened=screened,
        title_abstract_excluded=ta_excluded,
        reports_sought=sought,
        reports_not_retrieved=not_retrieved,
        full_text_assessed=full_text,
        full_text_excluded=ft_excluded,
        full_text_excluded_reasons=reasons,
        included=included,
    )
