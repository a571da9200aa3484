"""The `litrev` command line: a thin adapter over the Python API.

Each stage has its own module here that defines its commands on `app` (or a sub-app);
importing them below registers them. Business logic lives in the stage packages, never here.
"""

from __future__ import annotations

import os
import sys

from rich.markup import escape

from litrev.cli import appraisal as _appraisal  # noqa: F401
from litrev.cli import codebook as _codebook  # noqa: F401
from litrev.cli import db as _db  # noqa: F401
from litrev.cli import dedupe as _dedupe  # noqa: F401
from litrev.cli import extraction as _extraction  # noqa: F401
from litrev.cli import extraction_reconcile as _extraction_reconcile  # noqa: F401
from litrev.cli import frameworks as _frameworks  # noqa: F401
from litrev.cli import gapmap as _gapmap  # noqa: F401
from litrev.cli import prisma as _prisma  # noqa: F401
from litrev.cli import project as _project  # noqa: F401
from litrev.cli import records as _records  # noqa: F401
from litrev.cli import screening as _screening  # noqa: F401
from litrev.cli import search as _search  # noqa: F401
from litrev.cli import serve as _serve  # noqa: F401
from litrev.cli import simulate as _simulate  # noqa: F401
from litrev.cli import tables as _tables  # noqa: F401
from litrev.cli import themes as _themes  # noqa: F401
from litrev.cli import users as _users  # noqa: F401
from litrev.cli import workspace as _workspace  # noqa: F401
from litrev.cli._app import app, console, err_console
from litrev.cli._errors import describe
from litrev.errors import LitrevError


def run(argv: list[str] | None = None) -> int:
    """Run the `litrev` command line on `argv` and return its exit status (never raises).

    Errors in the user's input, files or database come out as one message and status 2;
    anything else is a bug in litrev, reported as such with status 1 (the traceback is shown
    when LITREV_TRACEBACK=1).

    >>> run(["search", "lint", "--dialect", "pubmed", "asthma[tiab]"])
    0 message(s), 0 error(s)
    0
    """
    try:
        app(args=argv, prog_name="litrev")
    except SystemExit as done:  # usage errors and normal ends, as Typer reports them
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except LitrevError as error:
        err_console.print(
            f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True
        )
        return 2
    except KeyboardInterrupt:
        err_console.print(
            "[bold red]error:[/] interrupted; nothing was half-written", highlight=False
        )
        return 130
    except Exception as error:
        message = describe(error)
        if message is None:
            if os.environ.get("LITREV_TRACEBACK") == "1":
                raise
            err_console.print(
                f"[bold red]internal error:[/] {type(error).__name__}: {escape(str(error))}\n"
                "This is a bug in litrev. Run again with LITREV_TRACEBACK=1 and report the traceback.",
                highlight=False,
                soft_wrap=True,
                markup=True,
            )
            return 1
        err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
        return 2
    return 0


def main() -> None:
    """Entry point of the `litrev` script."""
    sys.exit(run())


__all__ = ["app", "console", "err_console", "main", "run"]
