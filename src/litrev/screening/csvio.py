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
import io
from pathlib import Path

from litrev.errors import InputError
from litrev.screening.decisions import DecisionInput, Screening
from litrev.screening.model import MAX_PROBLEMS_SHOWN, DecisionEvent, RowProblem, ScreeningError

REQUIRED = ("record_id", "reviewer", "stage", "decision")
OPTIONAL = ("reason", "note")


def read_decisions_csv(path: str | Path) -> list[DecisionInput]:
    """Parse a decisions CSV (UTF-8, with or without BOM; comma, semicolon or tab separated).
    Every malformed row is reported at once, each with its line."""
    items, problems = _read(Path(path))
    if problems:
        raise _input_error(Path(path), problems)
    return items


def _read(path: Path) -> tuple[list[DecisionInput], list[RowProblem]]:
    """The well-formed rows as decisions, and a problem for each malformed one."""
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
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
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
        raise InputError(
            str(path),
            f"unknown column(s) {', '.join(unknown)}; expected {', '.join(REQUIRED)} "
            f"and optionally {', '.join(OPTIONAL)}",
            line=1,
        )
    items: list[DecisionInput] = []
    problems: list[RowProblem] = []
    rows = 0
    end = reader.line_num
    try:
        for row in reader:
            # A quoted cell may span lines: a row is named by the line it starts on.
            line, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            item = _item(row, header, line, problems)
            if item is not None:
                items.append(item)
    except csv.Error as error:
        problems.append(RowProblem(reader.line_num, None, f"not valid CSV: {error}"))
    if not rows:
        raise InputError(str(path), "no decisions after the header")
    return items, problems


def _item(
    row: list[str], header: list[str], line: int, problems: list[RowProblem]
) -> DecisionInput | None:
    if len(row) != len(header):
        problems.append(
            RowProblem(line, None, f"{len(row)} fields, expected {len(header)} as in the header")
        )
        return None
    values = dict(zip(header, (cell.strip() for cell in row), strict=True))
    empty = [column for column in REQUIRED if not values[column]]
    if empty:
        problems.append(RowProblem(line, None, f"field '{empty[0]}' is empty"))
        return None
    try:
        record_id = int(values["record_id"])
    except ValueError:
        problems.append(
            RowProblem(line, "record_id", f"{values['record_id']!r} is not a whole number")
        )
        return None
    return DecisionInput(
        record_id,
        values["reviewer"],
        values["stage"],
        values["decision"],
        values.get("reason") or None,
        values.get("note") or None,
        line=line,
    )


def _input_error(path: Path, problems: list[RowProblem]) -> InputError:
    """One problem as `file:line: field 'x': ...`; several one per line, each with its line."""
    ordered = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
    if len(ordered) == 1:
        only = ordered[0]
        what = f"field '{only.field}': " if only.field else ""
        return InputError(str(path), f"{what}{only.message}", line=only.line)
    lines = []
    for p in ordered[:MAX_PROBLEMS_SHOWN]:
        what = f"field '{p.field}': " if p.field else ""
        lines.append(f"  {path}:{p.line}: {what}{p.message}")
    if len(ordered) > MAX_PROBLEMS_SHOWN:
        lines.append(f"  ... and {len(ordered) - MAX_PROBLEMS_SHOWN} more")
    return InputError(str(path), f"{len(ordered)} bad rows; nothing recorded:\n" + "\n".join(lines))


def apply_decisions_csv(screening: Screening, path: str | Path) -> list[DecisionEvent]:
    """Read a decisions CSV and record every row in one transaction (all or nothing). Every bad
    row is reported, malformed ones and those the review refuses alike (up to 50, then a count)."""
    path = Path(path)
    items, problems = _read(path)
    if problems:
        raise _input_error(path, problems + screening.check_many(items))
    try:
        return screening.decide_many(items)
    except ScreeningError as error:
        found = list(error.problems) or [RowProblem(error.line, error.field, str(error))]
        raise _input_error(path, found) from None


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
