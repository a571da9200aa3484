"""Importing an extraction table, checked against the codebook and the screening, all or nothing.

Two kinds of table:

* **With a `record_id` column** (the review was screened in litrev): each row's values attach to
  that record. The record must be included at full text (agreed or resolved), and every column
  must be a codebook field; otherwise the file is refused, each bad row named with the record's
  status (`allow_not_included` and `ignore_columns` relax the two checks, on purpose).
* **Without one** (a review screened elsewhere): each row becomes a record (with provenance,
  its columns kept in its `fields`) and, by default, an included study (a final full-text
  "include" by `reviewer`). With `keep_columns` given (the CLI always gives it), a column that
  is neither a codebook field nor a citation column is refused unless kept or ignored.

`replace` makes the import replace all of `reviewer`'s earlier values (a corrected file), in
the same transaction; without it, earlier values of records not in the file stay, and for
records in it the new values win.

`reviewer` is whose extraction it is: one reviewer's (dual extraction: each reviewer imports
their own) or `CONSENSUS`, the reconciled table. Every problem is reported at once (the first
50, then a count), and nothing is written unless the whole file is good.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from litrev.errors import InputError
from litrev.extraction.codebook import (
    CONSENSUS,
    ValueKey,
    check_columns,
    unknown_column_problem,
)
from litrev.extraction.inclusion import inclusion_statuses as inclusion_statuses
from litrev.protocol import Codebook
from litrev.records.formats.tabular import ALIASES as TABLE_ALIASES
from litrev.store import Store, schema

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening

MAX_SHOWN = 50


@dataclass(frozen=True)
class ImportSummary:
    file: str
    rows: int
    record_ids: list[int]
    # Rows imported for records not included at full text (only with allow_not_included).
    not_included: dict[int, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    # With `replace`: how many earlier values of the reviewer were removed.
    replaced_values: int = 0
    # Without `replace`: records of the file that already had values by the reviewer.
    updated_records: list[int] = field(default_factory=list)
    # Rows read from each repeating group's table.
    group_rows: dict[str, int] = field(default_factory=dict)


def read_table(path: str | Path) -> list[dict[str, str]]:
    """Read a CSV extraction table (UTF-8, with or without BOM) into rows of stripped strings
    (a `'` a writer put before a formula character taken off: `exchange.unneutral`)."""
    from litrev.extraction.exchange import read_csv_sheet

    return read_csv_sheet(Path(path)).rows


def _refuse(path: Path, problems: list[str]) -> InputError:
    shown = "\n  ".join(problems[:MAX_SHOWN])
    more = f"\n  ... and {len(problems) - MAX_SHOWN} more" if len(problems) > MAX_SHOWN else ""
    return InputError(str(path), f"{len(problems)} problem(s); nothing imported:\n  {shown}{more}")


# Columns a table without `record_id` may use to describe the record it creates.
# A row without a record_id becomes a record cited from the table's bibliographic columns, found
# by the names the records package reads in any table (Authors, Publication Year, Source title,
# ...), plus the first-author columns extraction tables often have instead of an author list.
_CITED = ("title", "abstract", "authors", "year", "journal", "doi")
_CITED_ALIASES = {
    name: TABLE_ALIASES[name] + (("first_author", "first author") if name == "authors" else ())
    for name in _CITED
}
CITATION_COLUMNS = frozenset(alias for names in _CITED_ALIASES.values() for alias in names)


def _cited(by_lower: Mapping[str, str], name: str) -> str:
    """The row's value for a citation field, under any of its column names ("" if none);
    `by_lower` is the row keyed by lower-cased, stripped column name."""
    for alias in _CITED_ALIASES[name]:
        if by_lower.get(alias):
            return by_lower[alias].strip()
    return ""


def _column_problems(
    codebook: Codebook,
    columns: list[str],
    ignore: Collection[str],
    attach: bool,
    keep: Collection[str] | None,
) -> list[str]:
    from rapidfuzz import fuzz, process

    from litrev.extraction.import_checks import group_column_problems

    names = {f.name for f in codebook.fields_of("")}
    problems = check_columns(codebook, columns) + group_column_problems(codebook, columns)
    grouped = {f.name for f in codebook.fields if f.group}
    problems += [
        f"--ignore-column {c!r}: the table has no such column" for c in ignore if c not in columns
    ]
    problems += [
        f"--keep-column {c!r}: the table has no such column" for c in keep or () if c not in columns
    ]
    if attach and keep:
        problems.append(
            "--keep-column is for tables without a record_id column (a screened record keeps "
            "only codebook fields); use --ignore-column to drop a column"
        )
    absent = [n for n in names if n not in columns]
    for column in columns:
        if column in names or column in ignore or column == "record_id" or column in grouped:
            continue
        if attach:
            # Values attached to a screened record are kept only for codebook fields.
            problems.append(unknown_column_problem(column, codebook))
        elif (
            keep is not None
            and column.strip().lower() not in CITATION_COLUMNS
            and column not in keep
        ):
            # Strict (the CLI): every column is a codebook field, a citation column, or
            # named as kept (a record field) or ignored.
            problems.append(
                unknown_column_problem(column, codebook).replace(
                    "or pass --ignore-column",
                    f"pass --keep-column {column} (kept as a field of "
                    "the record, not extracted), or pass --ignore-column",
                )
            )
        elif keep is None and absent and column.strip().lower() not in CITATION_COLUMNS:
            # Kept as the record's own fields, but a near-miss of a codebook field the table
            # lacks is a typo whose values would never reach the extraction.
            close = process.extractOne(column, absent, scorer=fuzz.ratio, score_cutoff=80)
            if close is not None:
                problems.append(unknown_column_problem(column, codebook))
    return problems


def import_table(
    store: Store,
    path: str | Path,
    codebook: Codebook,
    *,
    reviewer: str = CONSENSUS,
    record_included: bool = True,
    actor: str = "litrev",
    screening: Screening | None = None,
    allow_not_included: bool = False,
    ignore_columns: Collection[str] = (),
    keep_columns: Collection[str] | None = None,
    replace: bool = False,
) -> ImportSummary:
    """Import an extraction table (CSV or XLSX, with its repeating groups' tables: see
    `litrev.extraction.exchange`); every row is validated first, then all are written in one
    transaction.

    `screening` gives the review's screening settings and reviewers (`Screening.from_protocol`);
    without it, records are judged with the default (dual) settings and any reviewer name is
    taken. `reviewer` must be a known reviewer or `CONSENSUS`. `keep_columns` (tables without
    `record_id`): None keeps every column among the record's fields, refusing only near-misses
    of codebook fields; a collection refuses any column that is not a codebook field, a
    citation column, or in it. `replace` removes `reviewer`'s earlier values first (tables with
    `record_id` only). A reviewer's imported records count as completed by them.

    >>> from litrev.protocol import CodebookField
    >>> import tempfile, pathlib
    >>> table = pathlib.Path(tempfile.mkdtemp()) / "studies.csv"
    >>> _ = table.write_text("first_author,year\\nBatalden,2016\\n")
    >>> codebook = Codebook(fields=[CodebookField(name="first_author", required=True),
    ...                             CodebookField(name="year", type="year")])
    >>> import_table(Store.open("sqlite://"), table, codebook).rows
    1
    """
    from litrev.extraction import import_checks as checks
    from litrev.extraction.exchange import read_sheets
    from litrev.extraction.values import COMPLETE, set_state

    path = Path(path)
    main, group_sheets = read_sheets(path, codebook)
    rows = main.rows
    if not rows:
        raise InputError(main.label, "no rows after the header; nothing imported")
    if screening is not None and reviewer != CONSENSUS:
        from litrev.screening.model import ScreeningError

        try:
            reviewer = screening.require_reviewer(reviewer)
        except ScreeningError as error:
            raise InputError(str(path), f"--reviewer: {error}") from None
    columns = list(main.header)
    attach = "record_id" in columns
    ignore = set(ignore_columns)
    places = checks.location_columns(columns)
    plain = [c for c in columns if c not in places]
    problems = [
        f"{main.label}: {p}"
        for p in _column_problems(codebook, plain, ignore, attach, keep_columns)
        + checks.location_problems(codebook, columns, "")
    ]
    if replace and not attach:
        problems.append(
            f"{path}: --replace needs a record_id column (a table without one adds new records, "
            "so there is nothing of the reviewer's to replace)"
        )
    if group_sheets and not attach:
        problems.append(
            f"{path}: repeating-group tables ({', '.join(group_sheets)}) need a record_id "
            "column in the main table"
        )
    if ignore:  # dropped on purpose: not even kept among a new record's fields
        rows = [{k: v for k, v in row.items() if k not in ignore} for row in rows]
    main_ids: dict[int, int] = {}
    if attach:
        for index, row in enumerate(rows):
            if row["record_id"].isdigit():
                main_ids.setdefault(int(row["record_id"]), index)
    groups: dict[str, checks.GroupRows] = {}
    if attach:
        for name, sheet in group_sheets.items():
            groups[name], found = checks.check_group_sheet(codebook, name, sheet, main_ids)
            problems += found
    absent = {f.name for f in codebook.fields_of("") if f.name not in columns}
    for name, sheet in group_sheets.items():
        absent |= {f.name for f in codebook.fields_of(name) if f.name not in sheet.header}
    extracted: list[tuple[dict[ValueKey, str], dict[ValueKey, str]]] = []
    for index, row in enumerate(rows):
        rid = int(row["record_id"]) if attach and row["record_id"].isdigit() else None
        values, locations, where = checks.record_values(codebook, row, rid, groups)
        problems += checks.record_problems(
            codebook, values, locations, where, main.where(index), absent
        )
        extracted.append((values, locations))

    from litrev.extraction.versions import sync_codebook

    version = sync_codebook(store, codebook, actor=actor).version if not problems else None
    now = datetime.now(UTC)
    record_ids: list[int] = []
    not_included: dict[int, str] = {}
    with store.transaction() as conn:
        if attach:
            targets, target_problems = checks.existing_targets(conn, main, rows)
            problems += target_problems
            if not target_problems:
                statuses = inclusion_statuses(store, screening, conn, sorted(set(targets)))
                for index, record_id in enumerate(targets):
                    status = statuses.get(record_id)
                    if status is None:
                        continue
                    if allow_not_included:
                        not_included[record_id] = status
                    else:
                        problems.append(
                            f"{main.where(index)}: record {record_id} is {status}; only "
                            "records included at full text are extracted (or pass "
                            "--allow-not-included)"
                        )
        if problems:
            raise _refuse(path, problems)
        table = schema.extractions
        earlier = table.c.reviewer == reviewer
        replaced = 0
        updated: list[int] = []
        if replace:
            replaced = conn.execute(table.delete().where(earlier)).rowcount or 0
            progress = schema.extraction_progress
            # Their extraction of records left out of the file is gone with its values (the
            # file's records are marked complete again below).
            conn.execute(progress.delete().where(progress.c.reviewer == reviewer))
        elif attach:
            had = set(conn.execute(select(table.c.record_id).where(earlier).distinct()).scalars())
            updated = sorted(had & set(targets))
            for name in groups:  # a group's table replaces the records' earlier rows of it
                members = [f.name for f in codebook.fields_of(name)]
                for start in range(0, len(targets), 500):
                    conn.execute(
                        table.delete().where(
                            earlier,
                            table.c.field.in_(members),
                            table.c.record_id.in_(targets[start : start + 500]),
                        )
                    )
        for position, row in enumerate(rows):
            if attach:
                # The records were imported and screened in litrev: extract onto them, and leave
                # the inclusion to the screening decisions.
                record_id = targets[position]
            else:
                record_id = _insert_row(conn, row, str(path), position, now)
            values, locations = extracted[position]
            written = [
                {
                    "record_id": record_id,
                    "reviewer": reviewer,
                    "field": key[0],
                    "instance": key[1],
                    "value": checks.stored(codebook, key, value),
                    "location": locations.get(key, "").strip() or None,
                    "codebook_version": version,
                    "created_at": now,
                }
                for key, value in values.items()
            ]
            if written:
                conn.execute(table.insert(), written)
            if reviewer != CONSENSUS:
                set_state(conn, record_id, reviewer, COMPLETE, now)
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
        group_rows = {name: len(found.rows) for name, found in groups.items()}
        store.log(
            conn,
            actor=actor,
            action="import_extraction_table",
            entity="extractions",
            detail={
                "file": str(path),
                "rows": len(rows),
                "reviewer": reviewer,
                "attached": attach,
                "not_included": {str(k): v for k, v in not_included.items()},
                "ignored_columns": sorted(ignore),
                "kept_columns": sorted(keep_columns or ()),
                "replace": replace,
                "replaced_values": replaced,
                "updated_records": updated,
                "record_ids": record_ids,
                "group_rows": group_rows,
                "codebook_version": version,
            },
        )
    return ImportSummary(
        str(path),
        len(rows),
        record_ids,
        not_included,
        sorted(ignore),
        replaced,
        updated,
        group_rows,
    )


def _insert_row(
    conn: Connection,
    row: Mapping[str, str],
    file: str,
    position: int,
    now: datetime,
) -> int:
    # Keyed once per row, not once per citation field.
    by_lower = {key.strip().lower(): value for key, value in row.items()}
    year = _cited(by_lower, "year")
    authors = [a.strip() for a in _cited(by_lower, "authors").split(";") if a.strip()]
    result = conn.execute(
        schema.records.insert().values(
            title=_cited(by_lower, "title") or None,
            abstract=_cited(by_lower, "abstract") or None,
            authors=authors,
            year=int(year) if year.isdigit() else None,
            journal=_cited(by_lower, "journal") or None,
            doi=_cited(by_lower, "doi") or None,
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
