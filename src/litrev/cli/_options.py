"""Option values shared by several command modules (`litrev extract assign`, `litrev stage assign`)."""

from __future__ import annotations

import typer


def parse_ids(text: str, option: str = "--records") -> list[int]:
    """Record ids written as "1,2,7-9"; anything else is refused naming `option`.

    >>> parse_ids("1, 3-5")
    [1, 3, 4, 5]
    >>> try:
    ...     parse_ids("2-x")
    ... except typer.BadParameter as refused:
    ...     print(refused.message)
    --records '2-x': expected ids like 1,2,7-9
    """
    ids: list[int] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        low, dash, high = part.partition("-")
        try:
            if dash:
                first, last = int(low), int(high)
                if last < first or last - first > 1_000_000:
                    raise ValueError
                ids.extend(range(first, last + 1))
            else:
                ids.append(int(part))
        except ValueError:
            raise typer.BadParameter(f"{option} {part!r}: expected ids like 1,2,7-9") from None
    return ids
