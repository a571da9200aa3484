"""Importing export files into a review's store, in one transaction, and reading records back.

Every file is read and checked before anything is written; then records, their provenance,
one `record_imports` row per file and one audit-log entry per file are written in a single
transaction. A malformed file (without `skip_invalid`) therefore leaves the store unchanged.

>>> import tempfile, os
>>> from litrev.store import Store
>>> folder = tempfile.mkdtemp(); path = os.path.join(folder, "cinahl.ris")
>>> text = "TY  - JOUR\\nTI  - Care\\nDP  - EBSCOhost\\nDB  - CINAHL Complete\\nER  - \\n"
>>> _ = open(path, "w").write(text)
>>> store = Store.open("sqlite://")
>>> import_files(store, [path], actor="me").by_source
{'CINAHL': 1}
>>> identification_counts(store), load_records(store)[0].title
({'CINAHL': 1}, 'Care')
"""

from __future__ import annotations

import gc
import getpass
import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select

from litrev.errors import InputError
from litrev.records.base import SkippedRecord
from litrev.records.io import ReadResult, read_report, write
from litrev.records.model import Provenance, Record
from litrev.store import Store, schema

UNSPECIFIED = "unspecified"
_TYPED = (
    "volume",
    "issue",
    "pages",
    "pmcid",
    "issn",
    "keywords",
    "language",
    "publication_type",
    "url",
    "record_id",
    "source_db",
    "label",
)


@dataclass
class FileImport:
    path: str
    format: str
    encoding: str
    source_db: str | None
    dialect: str | None
    imported: int
    skipped: list[SkippedRecord] = field(default_factory=list)
    by_source: dict[str, int] = field(default_factory=dict)


@dataclass
class ImportReport:
    files: list[FileImport]
    imported_at: str

    @property
    def total(self) -> int:
        return sum(f.imported for f in self.files)

    @property
    def skipped(self) -> list[SkippedRecord]:
        return [s for f in self.files for s in f.skipped]

    @property
    def by_source(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for f in self.files:
            counts.update(f.by_source)
        return dict(counts)


def _record_row(record: Record, now: datetime) -> dict[str, Any]:
    prov = record.provenance
    fields = {
        "raw": record.raw,  # tuples are written as JSON arrays
        "format": prov.format if prov else None,
        "line": prov.line if prov else None,
        "dialect": prov.dialect if prov else None,
        "typed": {name: getattr(record, name) for name in _TYPED},
    }
    return {
        "title": record.title,
        "abstract": record.abstract,
        "authors": list(record.authors),
        "year": record.year,
        "journal": record.journal,
        "doi": record.doi,
        "pmid": record.pmid,
        "fields": fields,
        "created_at": now,
    }


def import_files(
    store: Store,
    paths: Sequence[str | Path],
    source: str | None = None,
    skip_invalid: bool = False,
    *,
    format: str | None = None,
    actor: str | None = None,
    allow_reimport: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> ImportReport:
    """Read `paths` and write all their records in ONE transaction (all files or none).

    `source` names the database for every file (overriding detection). A file whose exact bytes
    were imported before is refused unless `allow_reimport`, so counts are not inflated.
    `progress(path, n_records)` is called after each file is read.
    """
    collecting = gc.isenabled()
    gc.disable()  # as in `read_report`: many long-lived objects, no reference cycles
    try:
        return _import_files(
            store, paths, source, skip_invalid, format, actor, allow_reimport, progress
        )
    finally:
        if collecting:
            gc.enable()


def _import_files(
    store: Store,
    paths: Sequence[str | Path],
    source: str | None,
    skip_invalid: bool,
    format: str | None,
    actor: str | None,
    allow_reimport: bool,
    progress: Callable[[str, int], None] | None,
) -> ImportReport:
    who = actor or getpass.getuser()
    results: list[tuple[ReadResult, str]] = []
    for path in paths:
        result = read_report(path, format, source, skip_invalid=skip_invalid)
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        results.append((result, digest))
        if progress:
            progress(str(path), len(result.records))
    now = datetime.now(UTC)
    report = ImportReport([], now.isoformat())
    with store.transaction() as conn:
        for result, digest in results:
            if not allow_reimport:
                _refuse_reimport(conn, result.path, digest)
            _write_file(conn, result, digest, who, now)
            sources = Counter(r.source_db or UNSPECIFIED for r in result.records)
            report.files.append(
                FileImport(
                    result.path,
                    result.format,
                    result.encoding,
                    result.source_db,
                    result.dialect,
                    len(result.records),
                    result.skipped,
                    dict(sources),
                )
            )
    for result, _ in results:
        for record in result.records:
            if record.provenance:
                record.provenance.imported_at = report.imported_at
    return report


def _refuse_reimport(conn: Connection, path: str, digest: str) -> None:
    imports = schema.record_imports
    earlier = conn.execute(
        select(imports.c.file, imports.c.imported_at).where(imports.c.sha256 == digest)
    ).first()
    if earlier is not None:
        raise InputError(
            path,
            f"this file was already imported (as {earlier.file} on "
            f"{earlier.imported_at:%Y-%m-%d %H:%M}); importing it again would count"
            " its records twice (pass allow_reimport / --again to do it anyway)",
        )


def _insert_records(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert record rows; return their ids in order."""
    if conn.dialect.name == "sqlite":
        # SQLite cannot return ids of a multi-row insert in order, so SQLAlchemy would send
        # one INSERT per record; inside this write transaction ids are allocated here and
        # sent in one executemany (a concurrent writer makes the transaction fail, not clash).
        first = int(
            conn.execute(select(func.coalesce(func.max(schema.records.c.id), 0))).scalar_one()
        )
        ids = list(range(first + 1, first + 1 + len(rows)))
        for record_id, row in zip(ids, rows, strict=True):
            row["id"] = record_id
        conn.execute(insert(schema.records), rows)
        return ids
    inserted = conn.execute(
        insert(schema.records).returning(schema.records.c.id, sort_by_parameter_order=True), rows
    )
    return [int(row[0]) for row in inserted]


def _write_file(
    conn: Connection, result: ReadResult, digest: str, actor: str, now: datetime
) -> None:
    rows = [_record_row(r, now) for r in result.records]
    ids: list[int] = []
    if rows:
        ids = _insert_records(conn, rows)
        conn.execute(
            insert(schema.record_provenance),
            [
                {
                    "record_id": record_id,
                    "file": result.path,
                    "position": r.provenance.position if r.provenance else i,
                    "source_db": r.source_db,
                    "format": result.format,
                    "imported_at": now,
                }
                for i, (record_id, r) in enumerate(zip(ids, result.records, strict=True))
            ],
        )
    skipped = [asdict(s) for s in result.skipped]
    inserted_import = conn.execute(
        insert(schema.record_imports).values(
            file=result.path,
            sha256=digest,
            format=result.format,
            encoding=result.encoding,
            source_db=result.source_db,
            dialect=result.dialect,
            records=len(rows),
            skipped=skipped,
            actor=actor,
            imported_at=now,
        )
    )
    import_id = int(inserted_import.inserted_primary_key[0])  # type: ignore[index]
    Store.log(
        conn,
        actor=actor,
        action="import",
        entity="record_imports",
        entity_id=import_id,
        detail={
            "file": result.path,
            "format": result.format,
            "source_db": result.source_db,
            "records": len(rows),
            "skipped": len(skipped),
            "record_ids": [ids[0], ids[-1]] if ids else [],
        },
    )


def identification_counts(store: Store) -> dict[str, int]:
    """Records identified per source database (for the PRISMA flow), over every import.

    Counts provenance rows of imported exports, so merging duplicates (which keeps every
    provenance row) does not change them; extraction tables are not search results.
    """
    prov = schema.record_provenance
    with store.connect() as conn:
        rows = conn.execute(
            select(prov.c.source_db, func.count())
            .where(prov.c.format.is_not(None), prov.c.format != "extraction-table")
            .group_by(prov.c.source_db)
            .order_by(prov.c.source_db)
        )
        return {str(source or UNSPECIFIED): int(total) for source, total in rows}


def load_records(store: Store, record_ids: Sequence[int] | None = None) -> list[Record]:
    """Records from the store with their raw fields and first provenance, ordered by id."""
    return [record for _, record in stored_records(store, record_ids)]


def stored_records(
    store: Store, record_ids: Sequence[int] | None = None
) -> list[tuple[int, Record]]:
    """(store id, Record) pairs, ordered by id; `Record.record_id` stays the source's own id."""
    records_t, prov_t = schema.records, schema.record_provenance
    query = select(records_t).order_by(records_t.c.id)
    prov_query = select(prov_t).order_by(prov_t.c.id)
    if record_ids is not None:
        wanted = list(record_ids)
        query = query.where(records_t.c.id.in_(wanted))
        # Only these records' provenance, not the whole review's (the dedupe review table asks
        # for two records at a time).
        prov_query = prov_query.where(prov_t.c.record_id.in_(wanted))
    with store.connect() as conn:
        provenance: dict[int, Any] = {}
        for row in conn.execute(prov_query):
            provenance.setdefault(row.record_id, row)
        out = []
        for row in conn.execute(query):
            out.append((int(row.id), _record_of_row(row, provenance.get(row.id))))
    return out


def _record_of_row(row: Any, prov_row: Any) -> Record:
    fields = row.fields if isinstance(row.fields, dict) else {}
    ours = "raw" in fields and "typed" in fields
    typed = fields["typed"] if ours else {}
    raw = (
        [(str(t), str(v)) for t, v in fields["raw"]]
        if ours
        else [(str(k), str(v)) for k, v in fields.items()]
    )
    record = Record(
        title=row.title,
        abstract=row.abstract,
        authors=list(row.authors or []),
        year=row.year,
        journal=row.journal,
        doi=row.doi,
        pmid=row.pmid,
        raw=raw,
        **{k: v for k, v in typed.items() if k in _TYPED},
    )
    if prov_row is not None:
        imported = prov_row.imported_at
        record.provenance = Provenance(
            file=prov_row.file,
            position=prov_row.position,
            line=fields.get("line"),
            format=fields.get("format") if ours else prov_row.format,
            source_db=prov_row.source_db,
            imported_at=imported.isoformat() if imported else None,
            dialect=fields.get("dialect"),
        )
    return record


def export_records(
    store: Store,
    path: str | Path,
    format: str,
    *,
    record_ids: Sequence[int] | None = None,
    actor: str | None = None,
) -> int:
    """Write the store's records (all, or `record_ids`) to `path`; audit-log it; return the count."""
    records = load_records(store, record_ids)
    write(records, path, format=format)
    with store.transaction() as conn:
        Store.log(
            conn,
            actor=actor or getpass.getuser(),
            action="export",
            entity="records",
            detail={"file": str(path), "format": format, "records": len(records)},
        )
    return len(records)
