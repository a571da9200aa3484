"""The screening counts of the PRISMA 2020 flow, taken from the decisions in a review database.

`litrev.synthesis.prisma.flow_data.flow_data` turns them into the PRISMA diagram's boxes; the
`*_pending` and `*_conflicts` keys say what is still open. A stage nobody has screened gives `None`
(not reported), never zero.

>>> from litrev.store import Store
>>> from litrev.screening.demo import add_records
>>> store = Store.open("sqlite://")
>>> _ = add_records(store, 3)
>>> flow_counts(store)["records_screened"] is None
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from litrev.screening.decisions import Screening, StageSettings
from litrev.screening.model import Stage, State, settings_from_protocol
from litrev.store import Store


def flow_counts(
    store: Store,
    *,
    exclusion_reasons: Iterable[Any] | None = None,
    defaults: StageSettings | None = None,
    protocol: Any = None,
    records: Collection[int] | None = None,
    not_retrieved: Collection[str] | None = None,
) -> dict[str, Any]:
    """Counts for the PRISMA flow from the final (agreed or resolved) screening outcomes.

    Returns `records_screened` (records with a final title/abstract outcome),
    `title_abstract_records` (every record in title/abstract screening, decided or not),
    `title_abstract_excluded`, `title_abstract_excluded_reasons`, `reports_sought` (= included
    at title/abstract), `reports_not_retrieved` (full-text exclusions whose reason is one of
    `not_retrieved`: the report could not be obtained), `full_text_assessed` (final full-text
    outcomes, not-retrieved ones left out), `full_text_excluded`, `full_text_excluded_reasons`
    ({reason code: n}), `included`, and the open work: `title_abstract_pending`,
    `title_abstract_conflicts`, `full_text_pending`, `full_text_conflicts`.

    With `protocol`, its exclusion reasons, their `not_retrieved` marks and its screening mode
    are used. With `records`, only those records are counted (e.g. one PRISMA column's).

    >>> from litrev.store import Store
    >>> from litrev.screening.demo import add_records
    >>> store = Store.open("sqlite://")
    >>> _ = add_records(store, 3)
    >>> one = StageSettings(blind=False, reviewers_required=1)
    >>> s = Screening(store, defaults=one)
    >>> for rid in (1, 2):
    ...     _ = s.decide(rid, reviewer="ann", stage="title_abstract", decision="include")
    >>> _ = s.decide(1, reviewer="ann", stage="full_text", decision="exclude", reason="no-pdf")
    >>> counts = flow_counts(store, defaults=one, not_retrieved=["no-pdf"])
    >>> counts["reports_sought"], counts["reports_not_retrieved"], counts["full_text_pending"]
    (2, 1, 1)
    """
    found = flow_counts_by(
        store,
        {"all": records},
        exclusion_reasons=exclusion_reasons,
        defaults=defaults,
        protocol=protocol,
        not_retrieved=not_retrieved,
    )
    return found["all"]


def flow_counts_by(
    store: Store,
    groups: Mapping[str, Collection[int] | None],
    *,
    exclusion_reasons: Iterable[Any] | None = None,
    defaults: StageSettings | None = None,
    protocol: Any = None,
    not_retrieved: Collection[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """`flow_counts` for several groups of records (None: every record), reading the decisions
    once: {group name: counts}.

    >>> from litrev.store import Store
    >>> from litrev.screening.demo import add_records
    >>> store = Store.open("sqlite://")
    >>> _ = add_records(store, 3)
    >>> one = StageSettings(blind=False, reviewers_required=1)
    >>> _ = Screening(store, defaults=one).decide(3, reviewer="ann", stage="title_abstract",
    ...                                           decision="include")
    >>> found = flow_counts_by(store, {"db": [1, 2], "hand": [3]}, defaults=one)
    >>> found["db"]["title_abstract_pending"], found["hand"]["reports_sought"]
    (2, 1)
    """
    if protocol is not None:
        exclusion_reasons = exclusion_reasons or protocol.eligibility.exclusion_reasons
        defaults = defaults or settings_from_protocol(protocol)
        if not_retrieved is None:
            not_retrieved = [
                r.code
                for r in protocol.eligibility.exclusion_reasons
                if getattr(r, "not_retrieved", False)
            ]
    missing = set(not_retrieved or ())
    screening = Screening(store, exclusion_reasons=exclusion_reasons, defaults=defaults)
    ta_all = screening.outcomes(Stage.TITLE_ABSTRACT)
    eligible = screening.eligible_records(Stage.TITLE_ABSTRACT)
    ft_all = screening.outcomes(Stage.FULL_TEXT)
    return {
        name: _counts(ta_all, eligible, ft_all, None if ids is None else set(ids), missing)
        for name, ids in groups.items()
    }


def _counts(
    ta_all: dict[int, Any],
    eligible: list[int],
    ft_all: dict[int, Any],
    keep: set[int] | None,
    missing: set[str],
) -> dict[str, Any]:
    def within(outcomes: dict[int, Any]) -> dict[int, Any]:
        return outcomes if keep is None else {r: o for r, o in outcomes.items() if r in keep}

    ta = within(ta_all)
    ta_total = len(eligible) if keep is None else len(keep.intersection(eligible))
    ft = within(ft_all)
    sought = {r for r, o in ta.items() if o.final and o.decision == "include"}

    def finals(outcomes: dict[int, Any], decision: str) -> list[Any]:
        return [o for o in outcomes.values() if o.final and o.decision == decision]

    ta_final = sum(1 for o in ta.values() if o.final)
    ft_final = sum(1 for r in sought if r in ft and ft[r].final)
    ft_excluded_all = [o for o in finals(ft, "exclude") if o.record_id in sought]
    unobtained = [o for o in ft_excluded_all if o.reason in missing]
    ft_excluded = [o for o in ft_excluded_all if o.reason not in missing]
    ft_reasons = Counter(o.reason or "unspecified" for o in ft_excluded)
    ta_reasons = Counter(o.reason or "unspecified" for o in finals(ta, "exclude"))
    screened_any = bool(ta)
    return {
        "records_screened": ta_final if screened_any else None,
        "title_abstract_records": ta_total if screened_any else None,
        "title_abstract_excluded": sum(ta_reasons.values()) if screened_any else None,
        "title_abstract_excluded_reasons": dict(sorted(ta_reasons.items())),
        "reports_sought": len(sought) if screened_any else None,
        "reports_not_retrieved": len(unobtained) if ft else None,
        "full_text_assessed": ft_final - len(unobtained) if ft else None,
        "full_text_excluded": len(ft_excluded) if ft else None,
        "full_text_excluded_reasons": dict(sorted(ft_reasons.items())),
        "included": sum(1 for o in finals(ft, "include") if o.record_id in sought) if ft else None,
        "title_abstract_pending": ta_total - ta_final,
        "title_abstract_conflicts": sum(1 for o in ta.values() if o.state is State.CONFLICT),
        "full_text_pending": len(sought) - ft_final,
        "full_text_conflicts": sum(
            1 for r, o in ft.items() if r in sought and o.state is State.CONFLICT
        ),
    }


def included_record_ids(
    store: Store,
    *,
    exclusion_reasons: Iterable[Any] | None = None,
    defaults: StageSettings | None = None,
) -> list[int]:
    """Records included at full text (agreed or resolved) that passed title/abstract.

    >>> from litrev.store import Store
    >>> from litrev.screening.demo import add_records
    >>> store = Store.open("sqlite://")
    >>> _ = add_records(store, 2)
    >>> s = Screening(store, defaults=StageSettings(blind=False, reviewers_required=1))
    >>> for stage in ("title_abstract", "full_text"):
    ...     _ = s.decide(2, reviewer="xx", stage=stage, decision="include")
    >>> included_record_ids(store, defaults=StageSettings(blind=False, reviewers_required=1))
    [2]
    """
    screening = Screening(store, exclusion_reasons=exclusion_reasons, defaults=defaults)
    sought = set(screening.eligible_records(Stage.FULL_TEXT))
    return sorted(
        r
        for r, o in screening.outcomes(Stage.FULL_TEXT).items()
        if r in sought and o.final and o.decision == "include"
    )
