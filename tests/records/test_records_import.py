"""Importing into a review store: one transaction, provenance, audit log, PRISMA counts, export."""

from __future__ import annotations

import re
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


# --- empty files, records already in the review, undo ------------------------------------------

CARE = (
    "TY  - JOUR\nTI  - Home care for older adults\nAU  - Mbeki, T\nPY  - 2018\nAN  - {an}\nER  - \n"
)


def test_an_empty_file_is_not_recorded_as_an_import(store: Store, tmp_path: Path) -> None:
    # The defect: an empty export was recorded as an import of 0 records.
    empty = tmp_path / "empty.ris"
    empty.write_text("\n\n")
    report = import_files(store, [empty, DATA / "scopus.ris"])
    assert report.empty_files == [str(empty)]
    assert report.total == 2
    assert _counts(store)["record_imports"] == 1


def test_same_records_with_different_bytes_are_refused(store: Store, tmp_path: Path) -> None:
    # The defect: one extra newline made a new file, and every record was imported twice.
    original = (DATA / "scopus.ris").read_text()
    import_files(store, [DATA / "scopus.ris"])
    copy = tmp_path / "scopus-again.ris"
    copy.write_text(original + "\n")
    with pytest.raises(InputError, match=r"2 of its 2 records are already in this review") as err:
        import_files(store, [copy])
    assert "--again" in str(err.value) and "litrev record 1" in str(err.value)
    assert _counts(store)["records"] == 2
    import_files(store, [copy], allow_reimport=True)
    assert _counts(store)["records"] == 4


def test_records_without_ids_are_found_by_their_citation(store: Store, tmp_path: Path) -> None:
    first = tmp_path / "a.ris"
    first.write_text(
        "TY  - JOUR\nTI  - Befriending schemes\nAU  - Roy, A\nPY  - 2015\nER  - \n"
        "TY  - JOUR\nTI  - Carer breaks\nAU  - Roy, A\nPY  - 2016\nER  - \n"
    )
    import_files(store, [first], source="HMIC")
    second = tmp_path / "b.ris"
    second.write_text(
        "TY  - JOUR\nTI  - Carer  breaks\nAU  - Roy, A\nPY  - 2016\nER  - \n"
        "TY  - JOUR\nTI  - Something new\nPY  - 2016\nER  - \n"
    )
    with pytest.raises(InputError, match=r"1 of its 2 records.*same citation"):
        import_files(store, [second], source="HMIC")
    # The same article from another database is deduplication's business, not a re-import.
    assert import_files(store, [second], source="AMED").total == 2


def test_one_batch_cannot_hold_the_same_records_twice(store: Store, tmp_path: Path) -> None:
    a, b = tmp_path / "a.ris", tmp_path / "b.ris"
    a.write_text(CARE.format(an="X1"))
    b.write_text(CARE.format(an="X1") + "\n")
    with pytest.raises(InputError, match=re.escape(str(b))):
        import_files(store, [a, b], source="SocINDEX")
    assert _counts(store)["records"] == 0


def test_records_of_different_ids_are_not_refused(store: Store, tmp_path: Path) -> None:
    a, b = tmp_path / "a.ris", tmp_path / "b.ris"
    a.write_text(CARE.format(an="X1"))
    b.write_text(CARE.format(an="X2").replace("2018", "2019"))
    assert import_files(store, [a, b], source="SocINDEX").total == 2


def test_import_list_and_undo(store: Store, tmp_path: Path) -> None:
    from litrev.records.imports import list_imports, undo_import

    import_files(store, [DATA / "scopus.ris"], actor="t")
    import_files(store, [DATA / "pubmed.nbib"], actor="t")
    listed = list_imports(store)
    assert [(i.id, i.records, i.first_id, i.last_id) for i in listed] == [
        (1, 2, 1, 2),
        (2, 2, 3, 4),
    ]
    undone = undo_import(store, 1, actor="t")
    assert undone.records == 2
    assert [i.id for i in list_imports(store)] == [2]
    assert identification_counts(store) == {"PubMed": 2}
    assert [i for i, _ in stored_records(store)] == [3, 4]
    with store.connect() as conn:
        actions = conn.execute(select(schema.audit_log.c.action)).scalars().all()
    assert actions.count("import.undo") == 1
    # The file can come back, under new ids: ids 1 and 2 named other records once.
    import_files(store, [DATA / "scopus.ris"], actor="t")
    assert [i for i, _ in stored_records(store)] == [3, 4, 5, 6]
    from litrev.errors import LitrevError

    with pytest.raises(LitrevError, match="no import 1 in this review"):
        undo_import(store, 1)


def test_undo_refuses_when_decisions_depend_on_the_records(store: Store) -> None:
    from litrev.errors import LitrevError
    from litrev.records.imports import undo_import
    from litrev.screening.decisions import Screening

    import_files(store, [DATA / "scopus.ris"], actor="t")
    screening = Screening(store)
    screening.decide(2, reviewer="ann", stage="title_abstract", decision="include")
    screening.undo(reviewer="ann", stage="title_abstract", record_id=2)
    with pytest.raises(
        LitrevError, match=r"2 screening decision\(s\).*record 2 at title_abstract by ann"
    ):
        undo_import(store, 1)
    assert _counts(store)["records"] == 2


def test_undo_refuses_while_a_dedupe_run_uses_the_records(store: Store, tmp_path: Path) -> None:
    from litrev.dedupe import persist
    from litrev.errors import LitrevError
    from litrev.records.imports import undo_import

    import_files(store, [DATA / "scopus.ris"], source="Scopus")
    copy = tmp_path / "copy.ris"
    copy.write_text((DATA / "scopus.ris").read_text() + "\n")
    import_files(store, [copy], source="Embase")  # the same two articles from another database
    summary = persist.run(store, actor="t")
    assert summary.merged == 4
    with pytest.raises(LitrevError, match=f"deduplication action\\(s\\) {summary.action_id}"):
        undo_import(store, 2)
    persist.undo(store, actor="t")
    assert undo_import(store, 2).records == 2
    assert persist.current_clusters(store) == {}
    assert persist.run(store, actor="t").merged == 0


def test_a_repeat_is_found_whatever_the_case_of_the_database(store: Store, tmp_path: Path) -> None:
    a, b = tmp_path / "a.ris", tmp_path / "b.ris"
    a.write_text(CARE.format(an="X1"))
    b.write_text(CARE.format(an="X1") + "\n")
    import_files(store, [a], source="SocINDEX")
    with pytest.raises(InputError, match="already in this review"):
        import_files(store, [b], source="socindex")
