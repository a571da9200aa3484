"""Scripted decisions from a CSV file: columns record_id, reviewer, stage, decision, reason
(optional) and note (optional), one decision per row. The whole file is applied in one
transaction; any bad row raises `InputError` naming the file, line and field, and writes nothing.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
>>> _ = path.write_text("record_id,reviewer,stage,decision\\n1,xx,title_abstract,include\\n")
>>> item = read_decisions_csv(path)[0]
>>> item.record_id, item.reviewer, item.decision, item.line
(1, 'xx', 'include', 2)
"""

from __future__ import annotations

import csv
from pathlib import Path

from litrev.errors import InputError
from litrev.screening.decisions import DecisionInput, Screening
from litrev.screening.model import DecisionEvent, ScreeningError

REQUIRED = ("record_id", "reviewer", "stage", "decision")
OPTIONAL = ("reason", "note")


def read_decisions_csv(path: str | Path) -> list[DecisionInput]:
    """Parse a decisions CSV (UTF-8, with or without BOM; comma, semicolon or tab separated)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except UnicodeDecodeError as error:
        raise InputError(
            str(path), f"not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    if not text.strip():
        raise InputError(str(path), "empty file; expected a header row: " + ",".join(REQUIRED))
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text.splitlines()[0], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text.splitlines(), dialect)
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            str(path),
            f"header lacks column(s) {', '.join(missing)}; expected "
            f"{', '.join(REQUIRED)} and optionally {', '.join(OPTIONAL)}",
            line=1,
        )
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    if unknown:
        raise InputError(str(path), f"unknown column(s) {', '.join(unknown)}", line=1)
    items: list[DecisionInput] = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputError(
                str(path), f"{len(row)} fields, expected {len(header)} as in the header", line=line
            )
        values = dict(zip(header, (cell.strip() for cell in row), strict=True))
        for column in REQUIRED:
            if not values[column]:
                raise InputError(str(path), f"field '{column}' is empty", line=line)
        try:
            record_id = int(values["record_id"])
        except ValueError:
            raise InputError(
                str(path),
                f"field 'record_id': {values['record_id']!r} is not a whole number",
                line=line,
            ) from None
        items.append(
            DecisionInput(
                record_id,
                values["reviewer"],
                values["stage"],
                values["decision"],
                values.get("reason") or None,
                values.get("note") or None,
                line=line,
            )
        )
    if not items:
        raise InputError(str(path), "no decisions after the header")
    return items


def apply_decisions_csv(screening: Screening, path: str | Path) -> list[DecisionEvent]:
    """Read a decisions CSV and record every row in one transaction (all or nothing)."""
    items = read_decisions_csv(path)
    try:
        return screening.decide_many(items)
    except ScreeningError as error:
        message = str(error)
        if error.line is not None:
            message = message.removeprefix(f"line {error.line}: ")
        if error.field:
            message = f"field '{error.field}': {message}"
        raise InputError(str(path), message, line=error.line) from None


EXPORT_COLUMNS = (
    "decision_id",
    "record_id",
    "stage",
    "reviewer",
    "decision",
    "reason",
    "note",
    "resolution",
    "retracts",
    "created_at",
)


def write_decisions_csv(screening: Screening, path: str | Path, *, history: bool = False) -> int:
    """Write the live decisions and resolutions of both stages (or, with `history`, every row,
    retractions and replaced decisions included) to a CSV, oldest first per stage, for audit
    and analysis. A row with `resolution` settles a conflict; a `retracted` row undoes the row
    named in `retracts`. Returns the number of rows written."""
    from litrev.screening.model import STAGES, current_decisions, current_resolutions

    rows = []
    for stage in STAGES:
        events = screening.events(stage)
        if not history:
            events = sorted(
                [*current_decisions(events).values(), *current_resolutions(events).values()],
                key=lambda e: e.id,
            )
        rows.extend(events)
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for e in rows:
            created = e.created_at.isoformat() if e.created_at is not None else ""
            writer.writerow(
                [
                    e.id,
                    e.record_id,
                    e.stage,
                    e.reviewer,
                    e.decision,
                    e.reason or "",
                    e.note or "",
                    e.resolution or "",
                    e.retracts or "",
                    created,
                ]
            )
    return len(rows)
