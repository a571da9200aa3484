"""The checks of an extraction file beyond its main table's columns: quote location columns,
repeating-group tables (sheets), and each record's values as a whole (`check_values`, complete:
types, conditions, required fields, group rows, quote locations), each problem placed at its
file, sheet, row and column.

>>> from litrev.protocol import CodebookField
>>> codebook = Codebook(fields=[CodebookField(name="aim")])
>>> location_problems(codebook, ["aim", "aim.location"], "")
["column 'aim.location': 'aim' is not a quote field; only quotes keep a location"]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from litrev.extraction.codebook import ValueKey, check_columns, check_values, normalise_value
from litrev.extraction.exchange import LOCATION_SUFFIX, Sheet
from litrev.protocol import Codebook
from litrev.store import schema


def location_columns(columns: Sequence[str]) -> set[str]:
    """The columns that hold a location (`<field>.location`)."""
    return {c for c in columns if c.endswith(LOCATION_SUFFIX)}


def location_problems(codebook: Codebook, columns: Sequence[str], group: str) -> list[str]:
    """Location columns whose field is not a quote of this table."""
    problems = []
    for column in sorted(location_columns(columns)):
        name = column[: -len(LOCATION_SUFFIX)]
        target = codebook.field(name)
        if target is None or target.group != group:
            problems.append(f"column {column!r}: {name!r} is not a field of this table")
        elif target.type != "quote":
            problems.append(
                f"column {column!r}: {name!r} is not a quote field; only quotes keep a location"
            )
    return problems


def group_column_problems(codebook: Codebook, columns: Sequence[str]) -> list[str]:
    """Columns of the main table that belong on a group's sheet."""
    problems = []
    for column in columns:
        target = codebook.field(column)
        if target is not None and target.group:
            problems.append(
                f"column {column!r} is a field of the repeating group {target.group!r}: give it "
                f"on the group's own table (XLSX: sheet {target.group!r}; CSV: "
                f"<file>.{target.group}.csv), one row per record_id and instance"
            )
    return problems


@dataclass
class GroupRows:
    """A group table read and checked: {(record id, instance): (row index, row)}."""

    sheet: Sheet
    rows: dict[tuple[int, int], tuple[int, dict[str, str]]] = field(default_factory=dict)


def check_group_sheet(
    codebook: Codebook, group: str, sheet: Sheet, main_ids: Mapping[int, int]
) -> tuple[GroupRows, list[str]]:
    """Check a group's table: its columns (record_id, instance, the group's fields and quote
    locations), each row's record (one of the main table's) and row number (1, 2, ...; once
    per record)."""
    from litrev.extraction.codebook import unknown_column_problem

    problems: list[str] = []
    found = GroupRows(sheet)
    label = sheet.label
    columns = sheet.header
    for needed in ("record_id", "instance"):
        if needed not in columns:
            problems.append(f"{label}: missing column {needed!r} (a group table needs it)")
    problems += [f"{label}: {p}" for p in check_columns(codebook, columns, group=group)]
    problems += [f"{label}: {p}" for p in location_problems(codebook, columns, group)]
    members = {f.name for f in codebook.fields_of(group)}
    for column in columns:
        if column in ("record_id", "instance") or column in location_columns(columns):
            continue
        if column not in members:
            problem = unknown_column_problem(column, Codebook(fields=codebook.fields_of(group)))
            problems.append(
                f"{label}: {problem.split(';')[0]} of group {group!r}".replace(
                    "is not a codebook field", "is not a field"
                )
            )
    if problems:
        return found, problems
    for index, row in enumerate(sheet.rows):
        where = sheet.where(index)
        rid, inst = row["record_id"], row["instance"]
        if not rid.isdigit():
            problems.append(f"{where}: record_id must be a record number, got {rid!r}")
            continue
        if not inst.isdigit() or int(inst) < 1:
            problems.append(f"{where}: instance must be a row number 1, 2, ..., got {inst!r}")
            continue
        key = (int(rid), int(inst))
        if key[0] not in main_ids:
            problems.append(
                f"{where}: record {key[0]} is not in the main table; a group row belongs to "
                "a record the main table extracts"
            )
        elif key in found.rows:
            first = sheet.where(found.rows[key][0])
            problems.append(
                f"{where}: record {key[0]} row {key[1]} is already at {first}; one row each"
            )
        else:
            found.rows[key] = (index, row)
    return found, problems


def record_values(
    codebook: Codebook,
    row: Mapping[str, str],
    record_id: int | None,
    groups: Mapping[str, GroupRows],
) -> tuple[dict[ValueKey, str], dict[ValueKey, str], dict[ValueKey, str]]:
    """A record's values, locations (by key) and where each key's cell is, from the main row
    and its group rows (`where` is filled by the caller for main keys)."""
    values: dict[ValueKey, str] = {}
    locations: dict[ValueKey, str] = {}
    where: dict[ValueKey, str] = {}
    for target in codebook.fields_of(""):
        if target.name in row:
            values[(target.name, 0)] = row[target.name]
            locations[(target.name, 0)] = row.get(target.name + LOCATION_SUFFIX, "")
    if record_id is None:
        return values, locations, where
    for group, found in groups.items():
        members = codebook.fields_of(group)
        for (rid, instance), (index, cells) in found.rows.items():
            if rid != record_id:
                continue
            for target in members:
                key = (target.name, instance)
                where[key] = found.sheet.where(index)
                if target.name in cells:
                    values[key] = cells[target.name]
                    locations[key] = cells.get(target.name + LOCATION_SUFFIX, "")
    return values, locations, where


def record_problems(
    codebook: Codebook,
    values: Mapping[ValueKey, str],
    locations: Mapping[ValueKey, str],
    where: Mapping[ValueKey, str],
    main_where: str,
    absent: set[str],
) -> list[str]:
    """Every problem of one record's values, placed at its cell; required fields whose column
    the table lacks are left out (that column is refused once)."""
    found = check_values(codebook, values, locations, complete=True)
    out = []
    for key, problem in found.items():
        if key[0] in absent and not values.get(key, "").strip():
            continue
        out.append(f"{where.get(key, main_where)}: {problem}")
    return out


def stored(codebook: Codebook, key: ValueKey, value: str) -> str:
    """The stored form of an imported cell (`normalise_value`; unknown fields as given)."""
    target = codebook.field(key[0])
    return normalise_value(target, value) if target is not None else value.strip()


def existing_targets(
    conn: Connection, sheet: Sheet, rows: list[dict[str, str]]
) -> tuple[list[int], list[str]]:
    """The store records named by a `record_id` column, and a problem for each unknown or
    repeated id."""
    wanted: list[int] = []
    problems = []
    first: dict[int, int] = {}
    for index, row in enumerate(rows):
        value = row["record_id"]
        if not value.isdigit():
            problems.append(
                f"{sheet.where(index)}: record_id must be a record number, got {value!r}"
            )
            wanted.append(-1)
            continue
        record_id = int(value)
        if record_id in first:
            problems.append(
                f"{sheet.where(index)}: record {record_id} is already on line "
                f"{sheet.numbers[first[record_id]]}; one row per record"
            )
        first.setdefault(record_id, index)
        wanted.append(record_id)
    ids = sorted({w for w in wanted if w >= 0})
    known: set[int] = set()
    for k in range(0, len(ids), 500):  # under the database's limit on bound parameters
        chunk = ids[k : k + 500]
        known.update(
            conn.execute(
                select(schema.records.c.id).where(schema.records.c.id.in_(chunk))
            ).scalars()
        )
    problems += [
        f"{sheet.where(index)}: no record {record_id} in this review"
        for index, record_id in enumerate(wanted)
        if record_id >= 0 and record_id not in known
    ]
    return wanted, problems
