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
from litrev.records.annotate import apply_review_tags
from litrev.records.base import SkippedRecord
from litrev.records.io import ReadResult, read_report
from litrev.records.known import KnownRecords, refuse_known
from litrev.records.model import Provenance, Record
from litrev.records.record_ids import insert_records, kept_ids
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
    import_id: int | None = None  # None: the file held no records and was not recorded
    kept_ids: bool = False  # the records kept the litrev ids of the export they came from

    @property
    def empty(self) -> bool:
        return self.import_id is None


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

    @property
    def empty_files(self) -> list[str]:
        """Files that held no records: not recorded as imports (a warning, not an error)."""
        return [f.path for f in self.files if f.empty]


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

    `source` names the database for every file (overriding detection). Unless
    `allow_reimport`, a file whose bytes were imported before is refused, and so is a file
    holding records already in the review (same database and record id, or same citation from
    the same database: see `litrev.records.known`), so counts are not inflated. A file with no
    records is not recorded (`ImportReport.empty_files`). Records of a litrev export keep their
    own database, and their litrev ids when all of them are above every id the review has used
    (always so in a new project). `progress(path, n_records)` is called after each file is read.
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
    results: list[tuple[ReadResult, str, list[int | None]]] = []
    for path in paths:
        result = read_report(path, format, source, skip_invalid=skip_invalid)
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        origins = apply_review_tags(result.records, source_given=source is not None)
        results.append((result, digest, origins))
        if progress:
            progress(str(path), len(result.records))
    now = datetime.now(UTC)
    report = ImportReport([], now.isoformat())
    with store.transaction() as conn:
        # Everything below reads what it will write (ids, earlier imports): hold the lock.
        Store.lock(conn, "import")
        known: KnownRecords | None = None
        for result, digest, origins in results:
            sources = Counter(r.source_db or UNSPECIFIED for r in result.records)
            item = FileImport(
                result.path,
                result.format,
                result.encoding,
                result.source_db,
                result.dialect,
                len(result.records),
                result.skipped,
                dict(sources),
            )
            report.files.append(item)
            if not result.records:
                continue  # an empty export is a warning (the caller's), not an import
            if not allow_reimport:
                _refuse_reimport(conn, result.path, digest)
                if known is None:
                    databases = {r.source_db for res, _, _ in results for r in res.records}
                    known = KnownRecords.of_store(conn, databases)
                refuse_known(result.path, result.records, known)
            ids, item.import_id, item.kept_ids = _write_file(
                conn, result, digest, who, now, origins
            )
            if known is not None:
                # A later file of this batch must not repeat this one's records either.
                for record_id, record in zip(ids, result.records, strict=True):
                    known.add(record, record_id)
    for result, _, _ in results:
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
            " its records twice (pass --again to import it anyway)",
        )


def _write_file(
    conn: Connection,
    result: ReadResult,
    digest: str,
    actor: str,
    now: datetime,
    origins: list[int | None],
) -> tuple[list[int], int, bool]:
    """Write one file's records, provenance, import row and audit entry; return (record ids,
    import id, whether the export's litrev ids were kept)."""
    rows = [_record_row(r, now) for r in result.records]
    kept = kept_ids(conn, origins)
    ids = insert_records(conn, rows, kept)
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
            "record_ids": [min(ids), max(ids)] if ids else [],
            "kept_ids": kept is not None,
        },
    )
    return ids, import_id, kept is not None


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


# Kept here for callers of the first API; the export lives in `litrev.records.export`.
def export_records(*args: Any, **kwargs: Any) -> int:
    """See `litrev.records.export.export_records`."""
    from litrev.records.export import export_records as export

    return export(*args, **kwargs)
