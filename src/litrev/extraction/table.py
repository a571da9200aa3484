"""Extraction tables: reading extractions back (importing them is `litrev.extraction.importing`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select

from litrev.extraction.codebook import CONSENSUS
from litrev.protocol import Codebook, Protocol
from litrev.store import Store, schema


def table_included_record_ids(conn: Connection) -> list[int]:
    """Records an extraction table recorded as included (latest consensus full-text decision).

    For reviews screened in litrev use `litrev.screening.included_record_ids`, which follows the
    screening outcomes (agreement, resolution, undo).
    """
    return _latest_consensus_full_text(conn, "include")


def excluded_record_ids(conn: Connection) -> list[int]:
    """Records whose latest consensus full-text decision excludes them."""
    return _latest_consensus_full_text(conn, "exclude")


def _latest_consensus_full_text(conn: Connection, decision: str) -> list[int]:
    latest = (
        select(schema.decisions.c.record_id, func.max(schema.decisions.c.id).label("last_id"))
        .where(schema.decisions.c.stage == "full_text", schema.decisions.c.reviewer == CONSENSUS)
        .group_by(schema.decisions.c.record_id)
        .subquery()
    )
    query = (
        select(schema.decisions.c.record_id)
        .join(latest, schema.decisions.c.id == latest.c.last_id)
        .where(schema.decisions.c.decision == decision)
        .order_by(schema.decisions.c.record_id)
    )
    return list(conn.execute(query).scalars())


def studies_frame(
    store: Store, codebook: Codebook, *, reviewer: str | None = CONSENSUS
) -> pd.DataFrame:
    """One row per extracted study, one column per codebook field (the latest value by `reviewer`),
    plus `record_id` and the record's own `fields` (e.g. source table and row) as extra columns.

    A study is a record with extraction values by `reviewer`, unless its latest consensus
    full-text decision excludes it. With `reviewer=None` (single extraction) every reviewer's
    values count: a consensus value wins over a reviewer's, and a later value over an earlier.

    >>> from litrev.protocol import CodebookField
    >>> store = Store.open("sqlite://")
    >>> codebook = Codebook(fields=[CodebookField(name="country")])
    >>> studies_frame(store, codebook).columns.tolist()
    ['record_id', 'country']
    """
    with store.connect() as conn:
        excluded = set(_latest_consensus_full_text(conn, "exclude"))
        query = select(
            schema.extractions.c.record_id,
            schema.extractions.c.field,
            schema.extractions.c.value,
            schema.extractions.c.reviewer,
        ).where(schema.extractions.c.instance == 0)  # a group's rows: `group_frame`
        query = query.order_by(schema.extractions.c.id)
        if reviewer is not None:
            query = query.where(schema.extractions.c.reviewer == reviewer)
        values = conn.execute(query).all()
        included = sorted({record_id for record_id, _, _, _ in values} - excluded)
        # Only the studies' own records (not every record of the review), in bounded queries.
        raw_fields: dict[int, Any] = {}
        for start in range(0, len(included), 500):
            chunk = included[start : start + 500]
            found = conn.execute(
                select(schema.records.c.id, schema.records.c.fields).where(
                    schema.records.c.id.in_(chunk)
                )
            )
            raw_fields.update({record_id: fields for record_id, fields in found})
    by_record: dict[int, dict[str, str | None]] = {rid: {} for rid in included}
    # Consensus rows last, so that they win over any reviewer's (later rows win).
    ordered = sorted(values, key=lambda row: row[3] == CONSENSUS)
    for record_id, field, value, _ in ordered:
        if record_id in by_record:
            by_record[record_id][field] = value  # later rows win: the latest extraction
    names = [f.name for f in codebook.fields_of("")]
    rows = []
    for record_id in included:
        extra = {f"source_{k}": v for k, v in (raw_fields.get(record_id) or {}).items()}
        row: dict[str, object] = {"record_id": record_id, **extra}
        row.update({name: by_record[record_id].get(name) for name in names})
        rows.append(row)
    return pd.DataFrame(rows, columns=None if rows else ["record_id", *names])


def group_frame(store: Store, protocol: Protocol, group: str) -> pd.DataFrame:
    """One row per (record_id, instance) of a repeating group, one column per field of the
    group: the consensus values in dual mode, every extractor's (consensus first) in single
    mode. Records whose latest consensus full-text decision excludes them are left out.

    >>> from litrev.protocol import parse_protocol
    >>> protocol = parse_protocol('[review]\\nid="r"\\ntitle="R"\\n')
    >>> group_frame(Store.open("sqlite://"), protocol, "outcomes").columns.tolist()
    ['record_id', 'instance']
    """
    names = [f.name for f in protocol.codebook.fields_of(group)]
    table = schema.extractions
    query = select(
        table.c.record_id, table.c.instance, table.c.field, table.c.value, table.c.reviewer
    )
    query = query.where(table.c.instance > 0, table.c.field.in_(names) if names else table.c.id < 0)
    if protocol.extraction.mode == "dual":
        query = query.where(table.c.reviewer == CONSENSUS)
    with store.connect() as conn:
        excluded = set(_latest_consensus_full_text(conn, "exclude"))
        values = conn.execute(query.order_by(table.c.id)).all()
    by_row: dict[tuple[int, int], dict[str, str | None]] = {}
    # Consensus rows last, so that they win over an extractor's (later rows win).
    for record_id, instance, name, value, _ in sorted(values, key=lambda r: r[4] == CONSENSUS):
        if record_id not in excluded:
            by_row.setdefault((int(record_id), int(instance)), {})[name] = value
    rows = [
        {"record_id": rid, "instance": inst, **{n: found.get(n) for n in names}}
        for (rid, inst), found in sorted(by_row.items())
    ]
    return pd.DataFrame(rows, columns=["record_id", "instance", *names])


def unreconciled_records(store: Store, codebook: Codebook | None = None) -> dict[int, list[str]]:
    """Records extracted by reviewers but without a complete consensus: {record id: reviewers}
    (`litrev.extraction.reconcile.unreconciled`: some value an extractor gave has neither a
    consensus value nor a reconciliation). Records whose latest consensus full-text decision
    excludes them are left out.

    >>> unreconciled_records(Store.open("sqlite://"))
    {}
    """
    from litrev.extraction.reconcile import unreconciled_on

    with store.connect() as conn:
        return unreconciled_on(conn, codebook)


@dataclass(frozen=True)
class Citation:
    """What a reference list shows of a record."""

    authors: tuple[str, ...]
    year: int | None
    title: str | None
    journal: str | None
    doi: str | None


def record_citations(store: Store, record_ids: list[int]) -> dict[int, Citation]:
    """{record id: its citation} for the given records (read in chunks: bounded queries).

    >>> record_citations(Store.open("sqlite://"), [1])
    {}
    """
    records = schema.records
    out: dict[int, Citation] = {}
    with store.connect() as conn:
        for start in range(0, len(record_ids), 500):
            chunk = record_ids[start : start + 500]
            rows = conn.execute(
                select(
                    records.c.id,
                    records.c.authors,
                    records.c.year,
                    records.c.title,
                    records.c.journal,
                    records.c.doi,
                ).where(records.c.id.in_(chunk))
            )
            for row in rows:
                out[int(row.id)] = Citation(
                    tuple(str(a) for a in row.authors or ()),
                    row.year,
                    row.title,
                    row.journal,
                    row.doi,
                )
    return out
