"""The PRISMA counts a review database holds: imports, deduplication and screening decisions.

Records are split into PRISMA 2020's two columns by where they were found: a record whose
imports all match `[[searches]]` of `kind = "other"` (hand search, citation search, website...)
goes to the right-hand column; every other record (databases, registers, unmatched sources) to
the left. A duplicate cluster is screened in the left column when any of its records came from a
database; the other methods' copies then count as removed duplicates of that column.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from litrev.dedupe.persist import current_clusters
from litrev.dedupe.persist import history as dedupe_history
from litrev.extraction import table_included_record_ids
from litrev.protocol import Protocol
from litrev.records.importer import identification_counts
from litrev.records.sources import match_sources
from litrev.screening.flow import flow_counts_by
from litrev.store import Store, schema
from litrev.synthesis.prisma.flow import ColumnData, FlowData, Progress


def _other_records(store: Store, protocol: Protocol) -> tuple[set[int], set[int]]:
    """(records found only by other methods, all records), by their imports' sources."""
    others = {s.database for s in protocol.searches if s.kind == "other"}
    prov, records = schema.record_provenance, schema.records
    with store.connect() as conn:
        every = set(conn.execute(select(records.c.id)).scalars())
        if not others:
            return set(), every
        rows = conn.execute(
            select(prov.c.record_id, prov.c.source_db).where(
                prov.c.format.is_not(None), prov.c.format != "extraction-table"
            )
        ).all()
    matches = match_sources((str(s or "") for _, s in rows), protocol.searches)
    other_ids: set[int] = set()
    left_ids: set[int] = set()
    for record_id, source in rows:
        found = matches[str(source or "")].search
        (other_ids if found in others else left_ids).add(record_id)
    return other_ids - left_ids, every


def _column(counts: dict[str, Any]) -> ColumnData:
    return ColumnData(
        records_screened=counts["title_abstract_records"],
        title_abstract_excluded=counts["title_abstract_excluded"],
        reports_sought=counts["reports_sought"],
        reports_not_retrieved=counts["reports_not_retrieved"],
        full_text_assessed=counts["full_text_assessed"],
        full_text_excluded_reasons=counts["full_text_excluded_reasons"],
        included=counts["included"],
        progress=Progress(
            counts["title_abstract_pending"],
            counts["title_abstract_conflicts"],
            counts["full_text_pending"],
            counts["full_text_conflicts"],
        ),
    )


def _split_clusters(store: Store, other: set[int]) -> tuple[set[int], int, int]:
    """Other-method records after deduplication, and the duplicates removed from each column.

    A cluster with any database record is screened in the left column (whichever record stands
    in for it): its database copies but one are duplicates there, and all its other-method
    copies are duplicates of it. A cluster of other-method records only stays on the right.
    """
    left_removed = other_removed = 0
    kept = set(other)
    for members in current_clusters(store).values():
        from_other = [m for m in members if m in other]
        if len(from_other) < len(members):
            left_removed += len(members) - len(from_other) - 1
            other_removed += len(from_other)
            kept.difference_update(members)
        else:
            other_removed += len(members) - 1
    return kept, left_removed, other_removed


def flow_data(store: Store, protocol: Protocol) -> FlowData:
    """The flow counts the store's records and decisions can give (None where it holds none).

    Identification comes from imported exports, duplicates from deduplication runs, screening
    from screening decisions. A review screened elsewhere (only an extraction table imported)
    gets its included count from the extraction table's final decisions.

    >>> from litrev.protocol import parse_protocol
    >>> data = flow_data(Store.open("sqlite://"), parse_protocol('[review]\\nid="x"\\ntitle="x"'))
    >>> data.records_screened, data.included, data.other
    (None, None, None)
    """
    data = FlowData(identified_by_database=identification_counts(store))
    other_ids, every = _other_records(store, protocol)
    deduplicated = bool(dedupe_history(store))
    left_removed = other_removed = 0
    if deduplicated:
        other_ids, left_removed, other_removed = _split_clusters(store, other_ids)
    if deduplicated:
        data.duplicates_removed = left_removed
    groups: dict[str, set[int] | None] = {"left": every - other_ids if other_ids else None}
    if other_ids:
        groups["other"] = other_ids
    counts = flow_counts_by(store, groups, protocol=protocol)  # the decisions are read once
    left = counts["left"]
    if left["records_screened"] is None and not other_ids:
        with store.connect() as conn:
            included = table_included_record_ids(conn)
        data.included = len(included) if included else None
        return data
    column = _column(left)
    data.records_screened = column.records_screened
    data.title_abstract_excluded = column.title_abstract_excluded
    data.reports_sought = column.reports_sought
    data.reports_not_retrieved = column.reports_not_retrieved
    data.full_text_assessed = column.full_text_assessed
    data.full_text_excluded_reasons = column.full_text_excluded_reasons
    data.included = column.included
    data.progress = column.progress
    if other_ids:
        other = _column(counts["other"])
        other.also_in_databases = other_removed if deduplicated else None
        # Records screened in litrev from other methods: their title/abstract outcomes replace
        # PRISMA's direct "reports sought" (the same records, one step earlier).
        data.other = other
        if other.included is not None or column.included is not None:
            data.included = (column.included or 0) + (other.included or 0)
    return data
