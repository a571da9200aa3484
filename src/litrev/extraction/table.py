"""Extraction tables: importing an agreed table of included studies, and reading extractions back.

Many teams keep their extraction table in a spreadsheet. `import_table` brings one in: each row
becomes a record (with provenance), one extraction value per codebook field, and, by default, a
final full-text "include" decision. The whole file is checked before anything is written.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select

from litrev.errors import InputError
from litrev.extraction.codebook import check_columns, check_row
from litrev.protocol import Codebook
from litrev.store import Store, schema

CONSENSUS = "consensus"


@dataclass(frozen=True)
class ImportSummary:
    file: str
    rows: int
    record_ids: list[int]


def read_table(path: str | Path) -> list[dict[str, str]]:
    """Read a CSV extraction table (UTF-8, with or without BOM) into rows of stripped strings."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            rows = []
            for row in reader:
                if None in row:
                    raise InputError(
                        str(path),
                        f"row has {len(reader.fieldnames or []) + len(row[None])} cells, "
                        f"expected {len(reader.fieldnames or [])} (the header's columns)",
                        line=reader.line_num,
                    )
                rows.append({k: (v or "").strip() for k, v in row.items()})
            return rows
    except FileNotFoundError as error:
        raise InputError(str(path), "file not found") from error
    except UnicodeDecodeError as error:
        raise InputError(str(path), f"not UTF-8 text ({error.reason})") from error
    except csv.Error as error:
        raise InputError(str(path), f"not valid CSV: {error}") from error


def import_table(
    store: Store,
    path: str | Path,
    codebook: Codebook,
    *,
    reviewer: str = CONSENSUS,
    record_included: bool = True,
    actor: str = "litrev",
) -> ImportSummary:
    """Import an extraction table; every row is validated first, then all are written in one transaction.

    >>> from litrev.protocol import CodebookField
    >>> import tempfile, pathlib
    >>> table = pathlib.Path(tempfile.mkdtemp()) / "studies.csv"
    >>> _ = table.write_text("first_author,year\\nBatalden,2016\\n")
    >>> codebook = Codebook(fields=[CodebookField(name="first_author", required=True),
    ...                             CodebookField(name="year", type="integer")])
    >>> import_table(Store.open("sqlite://"), table, codebook).rows
    1
    """
    path = Path(path)
    rows = read_table(path)
    columns = list(rows[0]) if rows else []
    problems = [f"{path}: {p}" for p in check_columns(codebook, columns)]
    for index, row in enumerate(rows):
        problems += [f"{path}:{index + 2}: {p}" for p in check_row(codebook, row)]
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise InputError(
            str(path), f"{len(problems)} problem(s); nothing imported:\n  {shown}{more}"
        )

    attach = "record_id" in columns
    now = datetime.now(UTC)
    record_ids: list[int] = []
    with store.transaction() as conn:
        if attach:
            targets = _existing_targets(conn, path, rows)
        for position, row in enumerate(rows):
            if attach:
                # The records were imported and screened in litrev: extract onto them, and leave
                # the inclusion to the screening decisions.
                record_id = targets[position]
            else:
                record_id = _insert_row(conn, row, str(path), position, now)
            for field in codebook.fields:
                if field.name in row:
                    conn.execute(
                        schema.extractions.insert().values(
                            record_id=record_id,
                            reviewer=reviewer,
                            field=field.name,
                            value=row[field.name],
                            created_at=now,
                        )
                    )
            if record_included and not attach:
                conn.execute(
                    schema.decisions.insert().values(
                        record_id=record_id,
                        stage="full_text",
                        reviewer=reviewer,
                        decision="include",
                        note=f"included per extraction table {path.name}",
                        created_at=now,
                    )
                )
            record_ids.append(record_id)
        store.log(
            conn,
            actor=actor,
            action="import_extraction_table",
            entity="extractions",
            detail={"file": str(path), "rows": len(rows), "reviewer": reviewer, "attached": attach},
        )
    return ImportSummary(file=str(path), rows=len(rows), record_ids=record_ids)


def _existing_targets(conn: Connection, path: Path, rows: list[dict[str, str]]) -> list[int]:
    """The store records named by a `record_id` column; any unknown id rejects the whole file."""
    wanted: list[int] = []
    problems = []
    for index, row in enumerate(rows):
        value = row["record_id"]
        if not value.isdigit():
            problems.append(f"line {index + 2}: record_id must be a record number, got {value!r}")
            wanted.append(-1)
        else:
            wanted.append(int(value))
    known = set(
        conn.execute(
            select(schema.records.c.id).where(schema.records.c.id.in_(set(wanted)))
        ).scalars()
    )
    problems += [
        f"line {index + 2}: no record {record_id} in this review"
        for index, record_id in enumerate(wanted)
        if record_id >= 0 and record_id not in known
    ]
    if problems:
        raise InputError(str(path), "; ".join(problems[:20]) + "; nothing imported")
    return wanted


def _insert_row(
    conn: Connection,
    row: Mapping[str, str],
    file: str,
    position: int,
    now: datetime,
) -> int:
    year = row.get("year", "")
    author = row.get("first_author", "")
    result = conn.execute(
        schema.records.insert().values(
            title=row.get("title") or None,
            abstract=row.get("abstract") or None,
            authors=[author] if author else [],
            year=int(year) if year.isdigit() else None,
            journal=row.get("journal") or None,
            doi=row.get("doi") or None,
            fields=dict(row),
            created_at=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None  # an INSERT always returns its key
    record_id = int(key[0])
    conn.execute(
        schema.record_provenance.insert().values(
            record_id=record_id,
            file=file,
            position=position,
            source_db="extraction table",
            # Not a search export: the PRISMA flow leaves these out of "records identified".
            format="extraction-table",
            imported_at=now,
        )
    )
    return record_id


def table_included_record_ids(conn: Connection) -> list[int]:
    """Records an extraction table recorded as included (latest consensus full-text decision).

    For reviews screened in litrev use `litrev.screening.included_record_ids`, which follows the
    screening outcomes (agreement, resolution, undo).
    """
    return _latest_consensus_full_text(conn, "include")


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
        ).order_by(schema.extractions.c.id)
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
    names = [f.name for f in codebook.fields]
    rows = []
    for record_id in included:
        extra = {f"source_{k}": v for k, v in (raw_fields.get(record_id) or {}).items()}
        row: dict[str, object] = {"record_id": record_id, **extra}
        row.update({name: by_record[record_id].get(name) for name in names})
        rows.append(row)
    return pd.DataFrame(rows, columns=None if rows else ["record_id", *names])


def unreconciled_records(store: Store) -> dict[int, list[str]]:
    """Records extracted by reviewers but with no consensus extraction: {record id: reviewers}.

    Records whose latest consensus full-text decision excludes them are left out.

    >>> unreconciled_records(Store.open("sqlite://"))
    {}
    """
    table = schema.extractions
    with store.connect() as conn:
        excluded = set(_latest_consensus_full_text(conn, "exclude"))
        pairs = conn.execute(select(table.c.record_id, table.c.reviewer).distinct()).all()
    by_record: dict[int, set[str]] = {}
    for record_id, reviewer in pairs:
        by_record.setdefault(record_id, set()).add(reviewer)
    return {
        record_id: sorted(reviewers)
        for record_id, reviewers in sorted(by_record.items())
        if CONSENSUS not in reviewers and record_id not in excluded
    }


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
