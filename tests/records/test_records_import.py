"""Importing into a review store: one transaction, provenance, audit log, PRISMA counts, export."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from litrev.errors import InputError
from litrev.records import identification_counts, import_files, load_records, read, write
from litrev.records.importer import stored_records
from litrev.store import Store, schema

DATA = Path(__file__).parent / "data"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store.open(tmp_path / "litrev.db")
    yield opened
    opened.close()


def _counts(store: Store) -> dict[str, int]:
    with store.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in (
                ("records", schema.records),
                ("record_provenance", schema.record_provenance),
                ("record_imports", schema.record_imports),
                ("audit_log", schema.audit_log),
            )
        }


def test_import_writes_records_provenance_and_audit(store: Store) -> None:
    files = [DATA / "scopus.ris", DATA / "ovid-embase.ris", DATA / "pubmed.nbib"]
    report = import_files(store, files, actor="tester")
    assert report.total == 6
    assert report.by_source == {"Scopus": 2, "Embase": 1, "MEDLINE": 1, "PubMed": 2}
    assert _counts(store) == {
        "records": 6,
        "record_provenance": 6,
        "record_imports": 3,
        "audit_log": 3,
    }
    assert identification_counts(store) == {"Embase": 1, "MEDLINE": 1, "PubMed": 2, "Scopus": 2}
    with store.connect() as conn:
        log = conn.execute(select(schema.audit_log).order_by(schema.audit_log.c.id)).all()
        prov = conn.execute(select(schema.record_provenance)).all()
    assert [(e.actor, e.action, e.entity) for e in log] == [
        ("tester", "import", "record_imports")
    ] * 3
    assert log[0].detail["file"] == str(DATA / "scopus.ris")
    assert log[0].detail["records"] == 2
    assert {(p.file, p.position, p.format) for p in prov} >= {
        (str(DATA / "pubmed.nbib"), 1, "nbib")
    }


def test_stored_records_come_back_whole(store: Store, tmp_path: Path) -> None:
    original = read(DATA / "endnote.ris")
    import_files(store, [DATA / "endnote.ris"])
    ((store_id, back),) = stored_records(store)
    assert store_id >= 1
    assert back.raw == original[0].raw
    assert (back.title, back.pmid, back.pmcid, back.pages) == (
        original[0].title,
        original[0].pmid,
        original[0].pmcid,
        original[0].pages,
    )
    assert back.provenance is not None
    assert (back.provenance.format, back.provenance.line, back.provenance.dialect) == (
        "ris",
        1,
        "endnote",
    )
    assert back.provenance.imported_at is not None
    out = tmp_path / "export.ris"
    write(load_records(store), out, format="ris")
    assert [r.raw for r in read(out)] == [r.raw for r in original]


def test_malformed_file_writes_nothing_of_any_file(store: Store, tmp_path: Path) -> None:
    import_files(store, [DATA / "scopus.ris"])
    before = _counts(store)
    bad = tmp_path / "bad.ris"
    bad.write_text("TY  - JOUR\nTI  - Fine\nER  - \nTY  - JOUR\nTI  - truncated\n")
    with pytest.raises(InputError) as caught:
        import_files(store, [DATA / "pubmed.nbib", bad, DATA / "embase.ris"])
    assert caught.value.path == str(bad) and caught.value.line == 4
    assert _counts(store) == before


def test_skip_invalid_imports_the_rest_and_lists_skipped(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ris"
    bad.write_text("TY  - JOUR\nTI  - Fine\nER  - \nTY  - JOUR\nTI  - truncated\n")
    report = import_files(store, [bad, DATA / "embase.ris"], skip_invalid=True)
    assert report.total == 2
    assert [(s.file, s.line) for s in report.skipped] == [(str(bad), 4)]
    with store.connect() as conn:
        skipped = conn.execute(select(schema.record_imports.c.skipped)).scalars().all()
    assert skipped[0][0]["line"] == 4


def test_reimporting_the_same_file_is_refused(store: Store) -> None:
    import_files(store, [DATA / "scopus.ris"])
    with pytest.raises(InputError, match="already imported"):
        import_files(store, [DATA / "scopus.ris"])
    assert _counts(store)["records"] == 2
    import_files(store, [DATA / "scopus.ris"], allow_reimport=True)
    assert _counts(store)["records"] == 4


def test_source_override_counts_under_that_name(store: Store) -> None:
    import_files(store, [DATA / "zotero.ris", DATA / "mendeley.ris"], source="PsycINFO (Ovid)")
    assert identification_counts(store) == {"PsycINFO (Ovid)": 2}


def test_unknown_source_is_counted_as_unspecified(store: Store) -> None:
    report = import_files(store, [DATA / "zotero.ris"])
    assert report.by_source == {"unspecified": 1}
    assert identification_counts(store) == {"unspecified": 1}


def test_counts_leave_out_extraction_tables(store: Store) -> None:
    from datetime import UTC, datetime

    import_files(store, [DATA / "embase.ris"])
    with store.transaction() as conn:
        record_id = conn.execute(
            schema.records.insert().values(authors=[], fields={}, created_at=datetime.now(UTC))
        ).inserted_primary_key[0]
        conn.execute(
            schema.record_provenance.insert().values(
                record_id=record_id,
                file="studies.csv",
                position=0,
                source_db="extraction table",
                format="extraction-table",
                imported_at=datetime.now(UTC),
            )
        )
    assert identification_counts(store) == {"Embase": 1}
    assert [r.raw for r in load_records(store)][1] == []
