"""The `litrev` command line: a thin adapter over the Python API.

Each stage has its own module here that defines its commands on `app` (or a sub-app);
importing them below registers them. Business logic lives in the stage packages, never here.
"""

from __future__ import annotations

import sys

from litrev.cli import dedupe as _dedupe  # noqa: F401
from litrev.cli import project as _project  # noqa: F401
from litrev.cli import records as _records  # noqa: F401
from litrev.cli import screening as _screening  # noqa: F401
from litrev.cli import search as _search  # noqa: F401
from litrev.cli import simulate as _simulate  # noqa: F401
from litrev.cli._app import app, console, err_console
from litrev.errors import LitrevError


def main() -> None:
    """Entry point of the `litrev` script: turns litrev's own errors into a message and exit 2."""
    try:
        app()
    except LitrevError as error:
        err_console.print(f"[bold red]error:[/] {error}", highlight=False)
        sys.exit(2)


__all__ = ["app", "console", "err_console", "main"]
