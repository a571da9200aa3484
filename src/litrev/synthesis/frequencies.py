"""Frequency tables, counts over time and cross-tables of any coded field, whatever its type.

A study's values of a field are a set: one value for a plain field; each part of a multiple
field (multi_choice, `multiple = true` country or hierarchical); each value any of its rows has
for a field of a repeating group; a hierarchical code rolled up to `[report] levels` when one
is set. Counts are of studies: a study counts once under each of its values, so the shares of a
multiple field can sum to more than 100%; totals count studies, never values. Percentages are
of the included studies, rounded half up (`round_percent`), as the other tables are.

>>> from litrev.protocol import CodebookField
>>> import pandas as pd
>>> field = CodebookField(name="design", type="multi_choice", choices=["RCT", "cohort", "survey"])
>>> studies = pd.DataFrame({"record_id": [1, 2, 3], "design": ["RCT; cohort", "RCT", None]})
>>> table = frequency_table(field, study_values(studies, field), [1, 2, 3])
>>> [(r.value, r.n, r.percent) for r in table.rows]
[('RCT', 2, 67), ('cohort', 1, 33), ('survey', 0, 0), ('(not stated)', 1, 33)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from litrev.protocol import CodebookField, Protocol
from litrev.synthesis.tables import (
    NOT_STATED,
    as_int,
    is_blank,
    number_order,
    round_percent,
    with_total_row,
)

#: Field types that get a frequency table by default.
FREQUENCY_TYPES = ("choice", "multi_choice", "country", "hierarchical")

ROUNDING_NOTE = "rounded half up to whole numbers"


def _parts(field: CodebookField, value: object, level: int | None) -> list[str]:
    from litrev.extraction.codebook import normalise_value, split_multi
    from litrev.extraction.hierarchy import roll_up

    if is_blank(value):
        return []
    text = normalise_value(field, str(value))
    parts = split_multi(text) if field.is_multiple else [text.strip()]
    if field.type in ("integer", "year"):
        parts = [str(n) if (n := as_int(p)) is not None else p for p in parts]
    if level is not None and field.type == "hierarchical":
        parts = [roll_up(p, level) for p in parts]
    return list(dict.fromkeys(p for p in parts if p))


def study_values(
    studies: pd.DataFrame,
    field: CodebookField,
    group_rows: pd.DataFrame | None = None,
    level: int | None = None,
) -> dict[int, list[str]]:
    """{record id: the study's values of `field`}: from `studies` (one row per study) or, for a
    field of a repeating group, from `group_rows` (one row per record and instance)."""
    frame = group_rows if field.group and group_rows is not None else studies
    out: dict[int, list[str]] = {}
    if frame is None or not len(frame) or field.name not in frame.columns:
        return out
    for record_id, value in zip(frame["record_id"], frame[field.name], strict=True):
        found = _parts(field, value, level)
        if found:
            have = out.setdefault(int(record_id), [])
            have.extend(v for v in found if v not in have)
    return out


def value_order(field: CodebookField, level: int | None = None) -> list[str]:
    """The values a field's table lists first, zero or not: its choices in codebook order (a
    hierarchical field's tree, at `level` when given); none for free values.

    >>> value_order(CodebookField(name="s", type="hierarchical", choices=["A > B", "C"]), 1)
    ['A', 'C']
    """
    from litrev.extraction.hierarchy import CodeTree, roll_up

    if field.type == "hierarchical":
        nodes = CodeTree.from_choices(field.choices).nodes
        if level is None:
            return nodes
        return list(dict.fromkeys(roll_up(n, level) for n in nodes))
    if field.type in ("choice", "multi_choice"):
        return list(field.choices)
    return []


@dataclass(frozen=True)
class Frequency:
    value: str
    n: int
    percent: int


@dataclass(frozen=True)
class FrequencyTable:
    """n and % of studies per value of one field; `studies` is the denominator."""

    field: str
    title: str
    studies: int
    rows: list[Frequency]
    multiple: bool
    level: int | None
    group: str
    note: str

    def as_json(self) -> dict[str, object]:
        return {
            "field": self.field,
            "title": self.title,
            "studies": self.studies,
            "multiple": self.multiple,
            "level": self.level,
            "group": self.group or None,
            "note": self.note,
            "rows": [{"value": r.value, "n": r.n, "percent": r.percent} for r in self.rows],
        }


def _note(field: CodebookField, total: int, level: int | None, group_label: str) -> str:
    parts = [f"% of the {total:,} included studies, {ROUNDING_NOTE}."]
    if field.is_multiple or field.group:
        parts.append(
            "A study counts once under each of its values, so the percentages can sum to more"
            " than 100."
        )
    if field.group:
        parts.append(f"A study has a value when any of its {group_label} rows has it.")
    if level is not None:
        parts.append(f"Codes counted at level {level} (a deeper code counts under its ancestor).")
    return " ".join(parts)


def frequency_table(
    field: CodebookField,
    values: Mapping[int, list[str]],
    record_ids: Sequence[int],
    *,
    level: int | None = None,
    group_label: str = "",
) -> FrequencyTable:
    """The frequency table of one field over the studies `record_ids` (`values` from
    `study_values`): declared values first in codebook order (unused ones as 0, so gaps show),
    then the others by count and name, then "(not stated)" when a study has no value."""
    total = len(record_ids)
    counts: dict[str, int] = {}
    missing = 0
    for record_id in record_ids:
        found = values.get(record_id, [])
        missing += not found
        for value in found:
            counts[value] = counts.get(value, 0) + 1
    declared = value_order(field, level)
    others = sorted(set(counts) - set(declared), key=lambda v: (-counts[v], v.casefold(), v))
    rows = [
        Frequency(v, counts.get(v, 0), int(round_percent(counts.get(v, 0), total)))
        for v in [*declared, *others]
    ]
    if missing:
        rows.append(Frequency(NOT_STATED, missing, int(round_percent(missing, total))))
    title = field.label or field.name
    if level is not None:
        title += f" (level {level})"
    return FrequencyTable(
        field=field.name,
        title=title,
        studies=total,
        rows=rows,
        multiple=field.is_multiple or bool(field.group),
        level=level,
        group=field.group,
        note=_note(field, total, level, group_label or field.group),
    )


def frequency_fields(protocol: Protocol) -> list[CodebookField]:
    """The fields the report gives frequency tables: `[report] frequencies`, else every choice,
    multi-choice, country and hierarchical field but the classification field (which has its
    own table) and the appraisal tools' items (which have theirs)."""
    codebook = protocol.codebook
    if protocol.report.frequencies is not None:
        return [f for name in protocol.report.frequencies if (f := codebook.field(name))]
    appraisal = set(appraisal_field_names(protocol))
    skip = {protocol.classification.field} | appraisal
    return [f for f in codebook.fields if f.type in FREQUENCY_TYPES and f.name not in skip]


def appraisal_field_names(protocol: Protocol) -> list[str]:
    """Every codebook field of the review's appraisal tools."""
    from litrev.appraisal.tools import tool

    return [name for t in protocol.appraisal.tools for name in tool(t).field_names]


def timeline_field(protocol: Protocol) -> CodebookField | None:
    """The field counted over time: `[report] timeline`, else the first `year` field."""
    chosen = protocol.report.timeline
    if chosen == "":
        return None
    if chosen is not None:
        return protocol.codebook.field(chosen)
    return next((f for f in protocol.codebook.fields if f.type == "year"), None)


def timeline_table(
    field: CodebookField, values: Mapping[int, list[str]], record_ids: Sequence[int]
) -> pd.DataFrame:
    """Studies per year (or any whole number): every value from the first to the last (within
    200), so gaps show as zeros; other values, then "(not stated)", last. One column, `Studies`.

    >>> f = CodebookField(name="year", type="year")
    >>> timeline_table(f, {1: ["2001"], 2: ["2003"]}, [1, 2, 3])["Studies"].to_dict()
    {'2001': 1, '2002': 0, '2003': 1, '(not stated)': 1}
    """
    counts: dict[str, int] = {}
    for record_id in record_ids:
        for value in values.get(record_id) or [NOT_STATED]:
            counts[value] = counts.get(value, 0) + 1
    ordered = number_order(counts)
    table = pd.DataFrame({"Studies": [counts.get(v, 0) for v in ordered]}, index=ordered)
    table.index.name = field.name
    return table


def set_crosstab(
    rows: Mapping[int, list[str]],
    columns: Mapping[int, list[str]],
    record_ids: Sequence[int],
    *,
    row_name: str,
    row_order: Sequence[str] = (),
    column_order: Sequence[str] = (),
    numbered: bool = False,
) -> pd.DataFrame:
    """Studies by row value x column value, where a study may hold several of each: a study
    counts once in every cell of its values; `Total` (column and row) counts studies.

    >>> t = set_crosstab({1: ["a", "b"], 2: ["a"]}, {1: ["x"], 2: ["y"]}, [1, 2], row_name="r")
    >>> t.to_dict("index")
    {'a': {'x': 1, 'y': 1, 'Total': 2}, 'b': {'x': 1, 'y': 0, 'Total': 1}, 'Total': {'x': 1, 'y': 1, 'Total': 2}}
    """
    cells: dict[tuple[str, str], int] = {}
    row_total: dict[str, int] = {}
    column_total: dict[str, int] = {}
    for record_id in record_ids:
        found_rows = rows.get(record_id) or [NOT_STATED]
        found_columns = columns.get(record_id) or [NOT_STATED]
        for r in found_rows:
            row_total[r] = row_total.get(r, 0) + 1
            for c in found_columns:
                cells[(r, c)] = cells.get((r, c), 0) + 1
        for c in found_columns:
            column_total[c] = column_total.get(c, 0) + 1
    column_names = [*column_order, *sorted(set(column_total) - set(column_order))]
    if numbered:
        index = number_order(row_total)
    else:
        rest = set(row_total) - set(row_order) - {NOT_STATED}
        index = [*row_order, *sorted(rest, key=lambda v: (-row_total[v], v))]
        if NOT_STATED in row_total:
            index.append(NOT_STATED)
    table = pd.DataFrame(
        [[cells.get((r, c), 0) for c in column_names] for r in index],
        index=index,
        columns=column_names,
        dtype=int,
    )
    table["Total"] = [row_total.get(r, 0) for r in index]
    table = with_total_row(table, row_name)
    table.loc["Total"] = [*(column_total.get(c, 0) for c in column_names), len(record_ids)]
    return table
