"""Extraction tables in and out: CSV and XLSX, one table (sheet) per repeating group.

Shape (what `export_extractions` writes and `import_table` reads):

* the main table, `record_id` then the fields outside any group; CSV: the file itself; XLSX:
  sheet "studies";
* one table per repeating group, `record_id`, `instance` (the row: 1, 2, ...) then the group's
  fields; CSV: `<stem>.<group>.csv` beside the main file; XLSX: a sheet named after the group;
* a quote field's location in the column `<field>.location` beside it.

Cells a spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`, tab or CR) are written
with a leading `'`, as `litrev.records` writers do; reading takes that `'` off again, so an
exported table imports unchanged. Files are written atomically.

>>> location_column("page_quote")
'page_quote.location'
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from litrev.errors import InputError
from litrev.extraction.codebook import CONSENSUS, nearest_hint
from litrev.protocol import Codebook, CodebookField
from litrev.store import Store, schema

MAIN_SHEET = "studies"
LOCATION_SUFFIX = ".location"
# A spreadsheet runs a cell starting with these as a formula (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def location_column(name: str) -> str:
    """The column holding a quote field's location."""
    return name + LOCATION_SUFFIX


def unneutral(cell: str) -> str:
    """A cell as the team wrote it: the `'` a writer put before a formula character removed.

    >>> unneutral("'-0.3"), unneutral("'quoted'")
    ('-0.3', "'quoted'")
    """
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@\t\r":
        return cell[1:]
    return cell


def _neutral(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


@dataclass
class Sheet:
    """One table of an extraction file: its rows as {column: cell}, with where each came from."""

    path: Path
    name: str | None  # the XLSX sheet, None for a CSV file
    header: list[str]
    rows: list[dict[str, str]]
    numbers: list[int] = field(default_factory=list)  # each row's line (CSV) or row (XLSX)

    @property
    def label(self) -> str:
        """'file.xlsx, sheet outcomes' or 'file.csv': where a column problem is."""
        return f"{self.path}, sheet {self.name!r}" if self.name is not None else str(self.path)

    def where(self, index: int) -> str:
        """Where row `index` (0-based) is: 'file.csv:5' or "file.xlsx, sheet 'x', row 5"."""
        number = self.numbers[index]
        return f"{self.label}, row {number}" if self.name is not None else f"{self.path}:{number}"


def read_csv_sheet(path: Path) -> Sheet:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            rows, numbers = [], []
            for row in reader:
                if None in row:
                    raise InputError(
                        str(path),
                        f"row has {len(reader.fieldnames or []) + len(row[None])} cells, "
                        f"expected {len(reader.fieldnames or [])} (the header's columns)",
                        line=reader.line_num,
                    )
                rows.append({k.strip(): unneutral((v or "").strip()) for k, v in row.items()})
                numbers.append(reader.line_num)
            header = [h.strip() for h in reader.fieldnames or []]
    except FileNotFoundError as error:
        raise InputError(str(path), "file not found") from error
    except UnicodeDecodeError as error:
        raise InputError(str(path), f"not UTF-8 text ({error.reason})") from error
    except csv.Error as error:
        raise InputError(str(path), f"not valid CSV: {error}") from error
    return Sheet(path, None, header, rows, numbers)


def _xlsx_sheets(path: Path) -> list[Sheet]:
    from litrev.records.formats.tabular import cell_text, open_xlsx

    if not path.exists():
        raise InputError(str(path), "file not found")
    workbook = open_xlsx(path)
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            if hasattr(worksheet, "reset_dimensions"):
                worksheet.reset_dimensions()  # a declared size may lie (A1:XFD1048576)
            values = worksheet.iter_rows(values_only=True)
            first = next(values, None)
            header = [cell_text(v).strip() for v in first or ()]
            while header and header[-1] == "":
                header.pop()
            rows, numbers = [], []
            for number, cells in enumerate(values, 2):
                texts = [unneutral(cell_text(v).strip()) for v in cells]
                if len(texts) > len(header) and any(texts[len(header) :]):
                    raise InputError(
                        f"{path}, sheet {worksheet.title!r}",
                        f"row {number} has cells beyond the header's {len(header)} columns",
                    )
                if any(texts):
                    padded = texts + [""] * (len(header) - len(texts))
                    rows.append(dict(zip(header, padded, strict=False)))
                    numbers.append(number)
            sheets.append(Sheet(path, worksheet.title, header, rows, numbers))
    except InputError:
        raise
    except Exception as error:  # a corrupt part shows only when read
        raise InputError(
            str(path), f"not a readable .xlsx workbook: {type(error).__name__}: {error}"
        ) from error
    finally:
        workbook.close()
    return sheets


def read_sheets(path: str | Path, codebook: Codebook) -> tuple[Sheet, dict[str, Sheet]]:
    """The main table and each repeating group's table of an extraction file (.csv or .xlsx).

    CSV: the file, and `<stem>.<group>.csv` beside it for each codebook group that has one.
    XLSX: sheet "studies" (else the first sheet), and a sheet per group; a sheet naming no
    group is refused with the nearest group's name.
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        sheets = _xlsx_sheets(path)
        if not sheets:
            raise InputError(str(path), "workbook has no worksheet")
        main = next((s for s in sheets if s.name == MAIN_SHEET), sheets[0])
        groups: dict[str, Sheet] = {}
        names = [g.name for g in codebook.groups]
        for sheet in sheets:
            if sheet is main:
                continue
            if sheet.name not in names:
                raise InputError(
                    str(path),
                    f"sheet {sheet.name!r} is not a repeating group of the codebook"
                    f"{nearest_hint(sheet.name or '', names)}; groups: {', '.join(names) or 'none'}",
                )
            groups[str(sheet.name)] = sheet
        return main, groups
    main = read_csv_sheet(path)
    found = {}
    for group in codebook.groups:
        beside = path.with_name(f"{path.stem}.{group.name}{path.suffix}")
        if beside.exists():
            found[group.name] = read_csv_sheet(beside)
    return main, found


def _columns(fields: Sequence[CodebookField]) -> list[str]:
    out = []
    for f in fields:
        out.append(f.name)
        if f.type == "quote":
            out.append(location_column(f.name))
    return out


def _tables(
    store: Store, codebook: Codebook, reviewer: str
) -> tuple[list[str], list[list[str]], dict[str, tuple[list[str], list[list[str]]]]]:
    table = schema.extractions
    values: dict[int, dict[tuple[str, int], tuple[str, str]]] = {}
    with store.connect() as conn:
        rows = conn.execute(
            select(
                table.c.record_id, table.c.field, table.c.instance, table.c.value, table.c.location
            )
            .where(table.c.reviewer == reviewer)
            .order_by(table.c.record_id, table.c.id)
        )
        for record_id, name, instance, value, location in rows:
            values.setdefault(int(record_id), {})[(name, int(instance or 0))] = (
                value or "",
                location or "",
            )
    main_fields = codebook.fields_of("")
    header = ["record_id", *_columns(main_fields)]
    main_rows = []
    groups: dict[str, tuple[list[str], list[list[str]]]] = {}
    for group in codebook.groups:
        members = codebook.fields_of(group.name)
        groups[group.name] = (["record_id", "instance", *_columns(members)], [])
    for record_id in sorted(values):
        found = values[record_id]
        main_rows.append([str(record_id), *_cells(main_fields, found, 0)])
        for group in codebook.groups:
            members = codebook.fields_of(group.name)
            names = {f.name for f in members}
            instances = sorted({i for (n, i) in found if n in names and i > 0})
            for instance in instances:
                groups[group.name][1].append(
                    [str(record_id), str(instance), *_cells(members, found, instance)]
                )
    return header, main_rows, groups


def _cells(
    fields: Sequence[CodebookField], found: dict[tuple[str, int], tuple[str, str]], instance: int
) -> Iterator[str]:
    for f in fields:
        value, location = found.get((f.name, instance), ("", ""))
        yield value
        if f.type == "quote":
            yield location


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_neutral(h) for h in header])
    for row in rows:
        writer.writerow([_neutral(cell) for cell in row])
    return out.getvalue()


def export_extractions(
    store: Store,
    codebook: Codebook,
    path: str | Path,
    *,
    reviewer: str = CONSENSUS,
    format: str = "csv",
) -> list[Path]:
    """Write one reviewer's (default: the consensus) extraction as CSV or XLSX; returns the
    files written (CSV: the main file, then `<stem>.<group>.csv` per group).

    >>> import tempfile
    >>> from litrev.protocol import CodebookField
    >>> out = Path(tempfile.mkdtemp()) / "agreed.csv"
    >>> [p.name for p in export_extractions(Store.open("sqlite://"),
    ...                                     Codebook(fields=[CodebookField(name="aim")]), out)]
    ['agreed.csv']
    >>> out.read_text()
    'record_id,aim\\n'
    """
    from litrev.fileio import atomic_output, atomic_write_text

    if format not in ("csv", "xlsx"):
        raise InputError(str(path), f"format must be csv or xlsx, got {format!r}")
    path = Path(path)
    header, rows, groups = _tables(store, codebook, reviewer)
    if format == "csv":
        written = [path]
        atomic_write_text(path, _csv_text(header, rows))
        for name, (group_header, group_rows) in groups.items():
            beside = path.with_name(f"{path.stem}.{name}{path.suffix or '.csv'}")
            atomic_write_text(beside, _csv_text(group_header, group_rows))
            written.append(beside)
        return written
    for name in groups:
        if len(name) > 31 or name == MAIN_SHEET:
            raise InputError(
                str(path),
                f"group {name!r} cannot be a sheet name (Excel allows 31 characters, and "
                f"{MAIN_SHEET!r} is the main sheet); export as CSV or rename the group",
            )
    from openpyxl import Workbook

    from litrev.records.formats.tabular_write import xlsx_cell

    workbook = Workbook(write_only=True)
    for title, (sheet_header, sheet_rows) in [(MAIN_SHEET, (header, rows)), *groups.items()]:
        sheet = workbook.create_sheet(title)
        sheet.append([xlsx_cell(sheet, _neutral(h)) for h in sheet_header])
        for row in sheet_rows:
            sheet.append([xlsx_cell(sheet, _neutral(cell)) for cell in row])
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as temporary:
        workbook.save(str(temporary))
    return [path]
