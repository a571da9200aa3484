"""Export → import into a new project, undo and ids on a PostgreSQL team server."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from litrev.records import identification_counts, import_files
from litrev.records.export import export_records
from litrev.records.importer import stored_records
from litrev.records.imports import undo_import
from litrev.store import Store

DATA = Path(__file__).parent / "data"
POSTGRES_URL = os.environ.get("LITREV_TEST_POSTGRES_URL")


@pytest.fixture
def schemas(postgres_schemas: Callable[[], str]) -> Iterator[list[Store]]:
    stores = [Store.open(postgres_schemas()) for _ in range(2)]  # two reviews, one server
    yield stores
    for store in stores:
        store.close()


@pytest.mark.postgres
def test_ids_databases_and_undo_on_postgres(schemas: list[Store], tmp_path: Path) -> None:
    first, second = schemas
    import_files(first, [DATA / "zotero.ris"], actor="t")  # unspecified database
    import_files(first, [DATA / "scopus.ris", DATA / "pubmed.nbib"], actor="t")
    undo_import(first, 1, actor="t")  # ids start at 2 now
    out = tmp_path / "all.ris"
    assert export_records(first, out, "ris", actor="t") == 4
    report = import_files(second, [out], actor="t")
    assert report.files[0].kept_ids
    before = [(i, r.title, r.source_db) for i, r in stored_records(first)]
    assert [(i, r.title, r.source_db) for i, r in stored_records(second)] == before
    # The sequence was moved past the kept ids: the next import does not collide.
    import_files(second, [DATA / "ebsco-cinahl.ris"], actor="t")
    assert [i for i, _ in stored_records(second)] == [2, 3, 4, 5, 6]
    assert identification_counts(second) == {"CINAHL": 1, "PubMed": 2, "Scopus": 2}
    # Undone ids are not given again on PostgreSQL either.
    undo_import(first, 2, actor="t")
    import_files(first, [DATA / "scopus.ris"], actor="t", allow_reimport=True)
    assert [i for i, _ in stored_records(first)] == [4, 5, 6, 7]
