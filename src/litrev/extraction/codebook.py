"""Checking extraction values against the protocol's codebook."""

from __future__ import annotations

from litrev.protocol import Codebook, CodebookField


def check_value(field: CodebookField, value: str) -> str | None:
    """Return a problem with one value of a codebook field, or None when it is acceptable.

    Empty values are only a problem for required fields.

    >>> check_value(CodebookField(name="year", type="integer"), "20x9")
    "expected a whole number for 'year', got '20x9'"
    """
    if value == "":
        return f"'{field.name}' is required but empty" if field.required else None
    if field.type == "integer":
        try:
            int(value)
        except ValueError:
            return f"expected a whole number for '{field.name}', got {value!r}"
    if field.type == "choice" and value not in field.choices:
        return f"expected one of {field.choices} for '{field.name}', got {value!r}"
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
