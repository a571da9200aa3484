"""Table exports: every awkward value quoted, formula cells neutralised."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from litrev.records import Provenance, Record, read, write
from litrev.records.formats.tabular_write import neutral_cell, write_delimited


def test_carriage_return_inside_a_value_round_trips(tmp_path: Path) -> None:
    # The csv module quotes only its line terminator's characters: "a\rb" went out bare and
    # every reader split the row in two (423 records read back as 424 rows).
    records = [Record(title=f"Title {i}\rsecond part", year=2000 + i) for i in range(3)]
    for fmt in ("csv", "tsv", "asreview-csv"):
        path = tmp_path / f"out-{fmt}.{'tsv' if fmt == 'tsv' else 'csv'}"
        write(records, path, format=fmt)
        back = read(path)
        assert len(back) == 3
        rows = list(
            csv.reader(
                io.StringIO(path.read_bytes().decode(), newline=""),
                delimiter="\t" if fmt == "tsv" else ",",
            )
        )
        assert len(rows) == 4 and rows[1][rows[0].index("title")] == "Title 0\rsecond part"


def test_table_raw_values_with_cr_and_quotes_round_trip(tmp_path: Path) -> None:
    raw = [("title", 'a "quoted"\r\rtitle'), ("notes", "x,y\r\nz"), ("abstract", "\r")]
    record = Record(raw=raw, provenance=Provenance(file="m", position=0, format="csv"))
    path = tmp_path / "raw.csv"
    write([record, record], path, format="csv")
    with open(path, encoding="utf-8", newline="") as stream:
        assert [
            list(zip(["title", "notes", "abstract"], row, strict=True))
            for row in csv.reader(stream)
        ][1:] == [raw, raw]
    # litrev's readers read CR, CRLF and LF alike as one newline; the rows stay two.
    assert [r.raw for r in read(path)] == [
        [(k, v.replace("\r\n", "\n").replace("\r", "\n")) for k, v in raw]
    ] * 2


def test_neutral_cell_follows_owasp() -> None:
    for value in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutral_cell(value) == "'" + value
    for value in ("", "Care homes", "'=already", "1-2"):
        assert neutral_cell(value) == value


def test_write_delimited_neutralises_only_when_asked() -> None:
    record = Record(title="=cmd|' /C calc'!A0", authors=["@me"])
    out = io.StringIO()
    write_delimited([record], out, neutralise=True)
    row = next(r for r in csv.reader(io.StringIO(out.getvalue())) if r[0] != "record_id")
    assert "'=cmd|' /C calc'!A0" in row and "'@me" in row
    raw_out = io.StringIO()
    write_delimited([record], raw_out)
    assert "=cmd|' /C calc'!A0" in raw_out.getvalue().splitlines()[1].split(",")
