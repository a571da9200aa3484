"""`litrev serve`: the team workspace (a thin adapter over `litrev.web`)."""

# litrev.web (FastAPI, SQLAlchemy) is imported inside the command: every `litrev` run imports
# this module.
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from litrev.cli._app import app, console, err_console

if TYPE_CHECKING:
    from litrev.web import Workspace


@app.command()
def serve(
    dirs: Annotated[
        list[Path] | None,
        typer.Argument(help="Review folders to serve (default: the current folder)."),
    ] = None,
    database: Annotated[
        list[str] | None,
        typer.Option(
            "--database",
            help="Store URL of each folder, in order (e.g. postgresql+psycopg://...).",
        ),
    ] = None,
    accounts: Annotated[
        str | None,
        typer.Option(help="Store for people's accounts (default: the first review's store)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    public: Annotated[
        list[str] | None,
        typer.Option("--public", help="Review id whose catalogue anyone may read (repeatable)."),
    ] = None,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies",
            help="Send the session cookie over HTTPS only (set this behind a TLS proxy).",
        ),
    ] = False,
    lead: Annotated[
        str | None,
        typer.Option(help="User name of the first lead, created when a review has none."),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the first lead's password from stdin.")
    ] = False,
) -> None:
    """Serve the team workspace: screening, conflicts, dashboard and outputs in the browser."""
    import uvicorn

    from litrev.web import Workspace, create_app

    workspace = Workspace.open(
        dirs or [Path(".")],
        databases=database or (),
        accounts=accounts,
        public=public or (),
        secure_cookies=secure_cookies,
    )
    for review in workspace.reviews.values():
        if review.store.engine.dialect.name != "sqlite":
            continue  # PostgreSQL has no journal mode to set
        mode = review.store.enable_wal()
        if mode != "wal":
            err_console.print(f"note: {review.project.root}: journal mode {mode}, not WAL")
    # Load the ranking model's libraries now, not on the first screening page (5-8 s).
    import litrev.screening.ranking.model  # noqa: F401
    _first_leads(workspace, lead, password_stdin)
    if host not in ("127.0.0.1", "localhost", "::1") and not secure_cookies:
        err_console.print(
            "warning: serving beyond this machine without --secure-cookies: put it behind "
            "HTTPS (a reverse proxy) and pass --secure-cookies"
        )
    console.print(
        f"litrev workspace: {len(workspace.reviews)} review(s) on http://{host}:{port}/ "
        "(Ctrl+C stops it)"
    )
    uvicorn.run(create_app(workspace), host=host, port=port, log_level="warning")


def _first_leads(workspace: Workspace, lead: str | None, password_stdin: bool) -> None:
    """Every served review needs a lead; create the first one when none exists."""
    from litrev.errors import LitrevError

    missing = [key for key in workspace.reviews if not workspace.accounts.has_lead(key)]
    if not missing:
        return
    accounts = workspace.accounts
    if lead is None:
        if not sys.stdin.isatty():
            raise LitrevError(
                f"review(s) {', '.join(missing)} have no lead: pass --lead NAME "
                "--password-stdin, or add one with `litrev user add NAME --role lead`"
            )
        lead = typer.prompt("No lead yet. User name of the first lead")
    if accounts.user(lead) is None:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt(
                f"Password for {lead}", hide_input=True, confirmation_prompt=True
            )
        accounts.add_user(lead, password, actor="serve")
        console.print(f"created user {lead}")
    for key in missing:
        accounts.grant(key, lead, "lead", actor="serve")
        workspace.reviews[key].screening.add_reviewer(lead)
        console.print(f"{lead} is the lead of {key}")
