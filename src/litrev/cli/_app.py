"""The Typer application and the rich consoles every command module shares."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

app = typer.Typer(
    name="litrev",
    help="Evidence reviews for health and social care: search, records, screening, "
    "extraction and synthesis. Offline, open, scriptable.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# soft_wrap: a message is one line however long its file path, so logs and
# scripts that grep litrev's output see it whole (tables still fit the width).
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def say(text: str) -> None:
    """Print `text` to stdout as written: no rich markup ("[x]" stays) and no highlighting.

    >>> say("[dim] is kept")
    [dim] is kept
    """
    console.print(escape(text), highlight=False)
