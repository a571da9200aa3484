"""What the line-by-line tagged readers (Cochrane, Ovid, RefWorks) share about a field.

A field's continuation lines are gathered and joined once (linear time), and a field that
grows over `MAX_FIELD_CHARS` is reported as it is read, so memory stays bounded.

>>> raw, more = [("TI", "Home care")], ["for older people"]
>>> join_continuation(raw, more)
>>> raw, more
([('TI', 'Home care\\nfor older people')], [])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litrev.records.base import MAX_FIELD_CHARS, Problems, field_too_long


def join_continuation(raw: list[tuple[str, str]] | None, more: list[str]) -> None:
    """Join the continuation lines `more` onto the last field of `raw`, then empty `more`.

    >>> raw, more = [("AU", "Li Q")], []
    >>> join_continuation(raw, more)
    >>> raw
    [('AU', 'Li Q')]
    """
    if more and raw:
        name, value = raw[-1]
        raw[-1] = (name, "\n".join([value, *more]))
    more.clear()


def report_too_long(problems: Problems, field: Sequence[Any], position: int) -> bool:
    """Report the open field (its name, first line and length so far) if over the limit.

    True when it was reported: the caller drops the record it belongs to.

    >>> problems = Problems("refs.txt", skip_invalid=True)
    >>> report_too_long(problems, ["AB", 7, 120], 0)
    False
    >>> report_too_long(problems, ["AB", 7, MAX_FIELD_CHARS + 1], 0), problems.skipped[0].line
    (True, 7)
    """
    name, first_line, length = field
    if length <= MAX_FIELD_CHARS:
        return False
    problems.report(
        field_too_long(f"the value of '{name}' from line {first_line}", length),
        line=first_line,
        position=position,
    )
    return True
