"""export_records(extra_columns=...): more table columns per record (the workspace's catalogue
puts its coded values there), formula-neutralised like every other cell."""

from __future__ import annotations

import csv
from pathlib import Path

from litrev.records.export import export_records
from litrev.records.importer import import_files
from litrev.store import Store


def test_extra_columns_follow_the_review_columns_per_record(tmp_path: Path) -> None:
    import openpyxl

    source = tmp_path / "cinahl.ris"
    source.write_text(
        "TY  - JOUR\nTI  - Falls in care homes\nER  - \nTY  - JOUR\nTI  - Hip protectors\nER  - \n",
        encoding="utf-8",
    )
    store = Store.open(f"sqlite:///{tmp_path / 'r.db'}")
    import_files(store, [source], source="CINAHL", actor="me")
    extra = {2: [("coded_setting", '=HYPERLINK("x")'), ("coded_design", "RCT")]}
    out = tmp_path / "out.csv"
    assert export_records(store, out, "csv", record_ids=[1, 2], extra_columns=extra) == 2
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0])[-2:] == ["coded_setting", "coded_design"]
    assert (rows[0]["coded_setting"], rows[0]["coded_design"]) == ("", "")
    assert rows[1]["coded_setting"] == '\'=HYPERLINK("x")'  # neutralised
    assert rows[1]["coded_design"] == "RCT"
    book = tmp_path / "out.xlsx"
    export_records(store, book, "xlsx", extra_columns=extra)
    header, *cells = openpyxl.load_workbook(book).active.iter_rows(values_only=True)
    assert cells[1][header.index("coded_design")] == "RCT"
    store.close()
