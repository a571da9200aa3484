"""Checking extraction values against the protocol's codebook.

Field types: `text` and `long_text` (anything), `integer` (a whole number), `number` (decimals
with a point: "2.5"), `year` (four ASCII digits, 1000-2999), `choice` (one of `choices`, exactly as written) and
`multi_choice` (several of `choices`, separated by ";"). An empty value is a problem only for a
required field.

>>> from litrev.protocol import CodebookField
>>> check_value(CodebookField(name="design", type="multi_choice", choices=["RCT", "cohort"]), "RCT; cohort")
>>> check_value(CodebookField(name="dose_mg", type="number"), "2,5")
"expected a number for 'dose_mg' with '.' as the decimal point, got '2,5'"
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from litrev.protocol import Codebook, CodebookField

# The reviewer name of a reconciled (agreed) extraction, as opposed to one reviewer's.
CONSENSUS = "consensus"

# Separates the values of a multi_choice field: "RCT; cohort".
MULTI_SEPARATOR = ";"

# A publication or study year: four ASCII digits from 1000 to 2999 ("18", "0018" and "9999" are
# typos; `\d` would also take other scripts' digits).
_YEAR = re.compile(r"[12][0-9]{3}")


def _nearest(value: str, options: Sequence[str]) -> str:
    """' (did you mean 'x'?)' for the option closest to `value`, or ''."""
    from rapidfuzz import fuzz, process

    found = process.extractOne(
        value, list(options), scorer=fuzz.ratio, processor=str.casefold, score_cutoff=60
    )
    return f" (did you mean {found[0]!r}?)" if found else ""


def _choice_problem(field: CodebookField, value: str) -> str | None:
    if value in field.choices:
        return None
    shown = ", ".join(repr(c) for c in field.choices[:12]) + (
        ", ..." if len(field.choices) > 12 else ""
    )
    return (
        f"expected one of {shown} for '{field.name}', got {value!r}{_nearest(value, field.choices)}"
    )


def split_multi(value: str) -> list[str]:
    """The values of a multi_choice cell, stripped, empty parts left out.

    >>> split_multi("RCT; cohort;")
    ['RCT', 'cohort']
    """
    return [part.strip() for part in value.split(MULTI_SEPARATOR) if part.strip()]


def check_value(field: CodebookField, value: str) -> str | None:
    """Return a problem with one value of a codebook field, or None when it is acceptable.

    Empty values are only a problem for required fields.

    >>> check_value(CodebookField(name="year", type="integer"), "20x9")
    "expected a whole number for 'year', got '20x9'"
    """
    value = value.strip()
    if value == "":
        return f"'{field.name}' is required but empty" if field.required else None
    if field.type == "integer":
        try:
            int(value)
        except ValueError:
            return f"expected a whole number for '{field.name}', got {value!r}"
    elif field.type == "number":
        try:
            number = float(value)
        except ValueError:
            if re.fullmatch(r"[+-]?\d+,\d+", value):
                return (
                    f"expected a number for '{field.name}' with '.' as the decimal point, "
                    f"got {value!r}"
                )
            return f"expected a number for '{field.name}' (e.g. 12 or 2.5), got {value!r}"
        if not math.isfinite(number):
            return f"expected a finite number for '{field.name}', got {value!r}"
    elif field.type == "year":
        if not _YEAR.fullmatch(value):
            return f"expected a four-digit year (1000-2999) for '{field.name}', got {value!r}"
    elif field.type == "choice":
        return _choice_problem(field, value)
    elif field.type == "multi_choice":
        parts = split_multi(value)
        if not parts and field.required:
            return f"'{field.name}' is required but empty"
        for part in parts:
            problem = _choice_problem(field, part)
            if problem:
                return f"{problem} (values are separated by '{MULTI_SEPARATOR}')"
    return None


def check_row(codebook: Codebook, row: dict[str, str]) -> list[str]:
    """All problems of one extraction row (missing columns are reported once, by `check_columns`)."""
    problems = []
    for field in codebook.fields:
        if field.name in row:
            problem = check_value(field, row[field.name])
            if problem:
                problems.append(problem)
    return problems


def check_columns(codebook: Codebook, columns: list[str]) -> list[str]:
    """Columns the codebook requires that a table lacks."""
    return [
        f"missing column '{field.name}' (a required codebook field)"
        for field in codebook.fields
        if field.required and field.name not in columns
    ]


def unknown_column_problem(column: str, codebook: Codebook) -> str:
    """Why a column that is no codebook field is refused, with the closest field's name.

    >>> from litrev.protocol import CodebookField
    >>> unknown_column_problem("countyr", Codebook(fields=[CodebookField(name="country")]))
    "column 'countyr' is not a codebook field (did you mean 'country'?); rename it, add it to the codebook, or pass --ignore-column countyr"
    """
    names = [f.name for f in codebook.fields]
    return (
        f"column {column!r} is not a codebook field{_nearest(column, names)}; rename it, add it "
        f"to the codebook, or pass --ignore-column {column}"
    )
