"""Option handling shared by the commands that write output files (`litrev prisma`, `litrev tables`)."""

from __future__ import annotations

from collections.abc import Sequence

import typer


def parse_formats(text: str, allowed: Sequence[str]) -> list[str]:
    """The formats of `--format` ("svg,png"), in the order given, each once; any other is refused.

    >>> parse_formats("pdf, svg,pdf", ("svg", "png", "pdf"))
    ['pdf', 'svg']
    >>> parse_formats("xlsx, docx,xlsx", ("docx", "xlsx"))
    ['xlsx', 'docx']
    """
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [w for w in wanted if w not in allowed]
    if unknown or not wanted:
        raise typer.BadParameter(
            f"{', '.join(unknown) or 'nothing'}: give one or more of {', '.join(allowed)}, "
            "separated by commas",
            param_hint="--format",
        )
    return list(dict.fromkeys(wanted))
