"""What has been extracted, and by whom: the extraction imports (from the audit log) and each
reviewer's current values, for `litrev extract list`.

Every `import_table` call is logged with its file, reviewer, row count and whether it replaced
the reviewer's earlier values; the values themselves are counted from the extractions table.

>>> from litrev.store import Store
>>> store = Store.open("sqlite://")
>>> extraction_imports(store), extraction_counts(store)
([], [])
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select

from litrev.store import Store, schema

IMPORT_ACTION = "import_extraction_table"


@dataclass(frozen=True)
class ExtractionImport:
    """One logged extraction import."""

    id: int  # the audit log entry
    at: str
    file: str
    reviewer: str
    rows: int
    replace: bool
    replaced_values: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReviewerExtraction:
    """A reviewer's extraction as it stands: records with values, values, the latest value."""

    reviewer: str
    records: int
    values: int
    latest: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def extraction_imports(store: Store, reviewer: str | None = None) -> list[ExtractionImport]:
    """The extraction imports in order, optionally only `reviewer`'s.

    >>> extraction_imports(Store.open("sqlite://"), reviewer="ann")
    []
    """
    log = schema.audit_log
    query = select(log.c.id, log.c.at, log.c.detail).where(log.c.action == IMPORT_ACTION)
    out = []
    with store.connect() as conn:
        for entry_id, at, detail in conn.execute(query.order_by(log.c.id)):
            detail = detail or {}
            who = str(detail.get("reviewer", ""))
            if reviewer is not None and who != reviewer:
                continue
            out.append(
                ExtractionImport(
                    id=int(entry_id),
                    at=at.isoformat(timespec="seconds") if at else "",
                    file=str(detail.get("file", "")),
                    reviewer=who,
                    rows=int(detail.get("rows", 0)),
                    replace=bool(detail.get("replace", False)),
                    replaced_values=int(detail.get("replaced_values", 0)),
                )
            )
    return out


def extraction_counts(store: Store, reviewer: str | None = None) -> list[ReviewerExtraction]:
    """Per reviewer (by name): how many records and values (one per record and field) they have.

    >>> extraction_counts(Store.open("sqlite://"))
    []
    """
    table = schema.extractions
    # A value re-imported later supersedes the earlier one: count (record, field) pairs once.
    pairs = select(
        table.c.reviewer,
        table.c.record_id,
        table.c.field,
        func.max(table.c.created_at).label("at"),
    ).group_by(table.c.reviewer, table.c.record_id, table.c.field)
    if reviewer is not None:
        pairs = pairs.where(table.c.reviewer == reviewer)
    sub = pairs.subquery()
    query = select(
        sub.c.reviewer,
        func.count(func.distinct(sub.c.record_id)),
        func.count(),
        func.max(sub.c.at),
    ).group_by(sub.c.reviewer)
    with store.connect() as conn:
        rows = conn.execute(query.order_by(sub.c.reviewer)).all()
    return [
        ReviewerExtraction(
            str(who),
            int(records),
            int(values),
            latest.isoformat(timespec="seconds") if latest else "",
        )
        for who, records, values, latest in rows
    ]
