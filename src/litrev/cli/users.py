"""`litrev user add|list|remove|reset-password|invite|token`: the team workspace's accounts, as
a thin adapter over `litrev.accounts`. The accounts live in the review's store; the review's
key is its protocol's `review.id`."""

# litrev.accounts and litrev.project load SQLAlchemy and argon2: imported inside the commands,
# since every `litrev` run imports this module.
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from litrev.cli._app import app, console, err_console

if TYPE_CHECKING:
    from litrev.accounts import Accounts
    from litrev.project import Project

user_app = typer.Typer(
    help="Accounts of the team workspace (`litrev serve`): who may log in, with which role.",
    no_args_is_help=True,
)
app.add_typer(user_app, name="user")

ProjectOpt = Annotated[Path, typer.Option("--project", "-p", help="The review folder.")]
StdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input."
    ),
]
AccountsOpt = Annotated[
    str | None,
    typer.Option(
        "--accounts",
        help="Store holding the accounts, as `litrev serve --accounts` (default: the review's).",
    ),
]
# Roles that may decide in screening: they are registered as reviewers too.
DECIDING = ("lead", "reviewer")


def _open(project_dir: Path, accounts_store: str | None) -> tuple[Project, Accounts]:
    """The review, and the accounts in its store or in `accounts_store` (a path or URL): one
    server serving several reviews keeps every account in one store."""
    from litrev.accounts import Accounts
    from litrev.project import Project
    from litrev.store import Store

    project = Project.open(project_dir)
    # create=False: a mistyped path is reported, not made into a new, empty accounts store.
    store = Store.open(accounts_store, create=False) if accounts_store else project.store
    return project, Accounts(store)


def _password(name: str, from_stdin: bool) -> str:
    from litrev.accounts import AccountError

    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise AccountError("--password-stdin: expected the password on standard input")
        return line.rstrip("\r\n")
    text: str = typer.prompt(
        f"Password for {name}", hide_input=True, confirmation_prompt=True, err=True
    )
    return text


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Username: letters, digits, . _ - @ (any case).")],
    project_dir: ProjectOpt = Path("."),
    accounts_store: AccountsOpt = None,
    role: Annotated[str, typer.Option(help="lead, reviewer or viewer, in this review.")] = (
        "reviewer"
    ),
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="The name shown to the team.")
    ] = None,
    password_stdin: StdinOpt = False,
    restore: Annotated[
        bool, typer.Option("--restore", help="Bring back a removed account of this name.")
    ] = False,
) -> None:
    """Create an account with a role in this review (asks for the password twice).

    A lead or reviewer is registered as a screening reviewer too, so the command line and the
    web workspace agree on who may decide."""
    from litrev.accounts import check_password, check_role, normalise_username
    from litrev.screening import Screening

    check_role(role)
    username = normalise_username(name)
    project, accounts = _open(project_dir, accounts_store)
    password = _password(username, password_stdin)
    check_password(username, password)
    user = accounts.add_user(username, password, display_name=display_name, restore=restore)
    review = project.protocol.review.id
    accounts.grant(review, user.username, role)
    note = ""
    if role in DECIDING:
        screening = Screening.from_protocol(project.store, project.protocol)
        screening.add_reviewer(user.username)
        note = " and may screen"
    done = "Restored" if restore else "Added"
    console.print(f"{done} user {user.username!r}: {role} of {review!r}{note}.", markup=False)


@user_app.command("list")
def user_list(
    project_dir: ProjectOpt = Path("."),
    accounts_store: AccountsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every account, with its role in this review (removed accounts included, marked)."""
    project, accounts = _open(project_dir, accounts_store)
    review = project.protocol.review.id
    roles = dict(accounts.members(review))
    rows: list[dict[str, Any]] = [
        {
            "username": u.username,
            "display_name": u.display_name,
            "role": roles.get(u.username),
            "created_at": u.created_at.isoformat(),
            "disabled": u.disabled,
        }
        for u in accounts.users()
    ]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    if not rows:
        console.print("No accounts yet: add one with `litrev user add NAME --role lead`.")
        return
    table = Table(title=f"{len(rows)} account(s); roles in {review}")
    for column in ("user", "display name", "role", "created", "disabled"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            escape(row["username"]),
            escape(row["display_name"] or ""),
            row["role"] or "-",
            row["created_at"][:16].replace("T", " "),
            "yes" if row["disabled"] else "",
        )
    console.print(table)


@user_app.command("remove")
def user_remove(
    name: Annotated[str, typer.Argument(help="The username.")],
    project_dir: ProjectOpt = Path("."),
    accounts_store: AccountsOpt = None,
) -> None:
    """Disable an account: its sessions end and its API tokens stop working; its decisions and
    notes stay in the review's history."""
    _, accounts = _open(project_dir, accounts_store)
    accounts.remove_user(name)
    console.print(
        f"Removed user {name.strip().lower()!r}: logged out, API tokens revoked, history kept.",
        markup=False,
    )


@user_app.command("reset-password")
def user_reset_password(
    name: Annotated[str, typer.Argument(help="The username.")],
    project_dir: ProjectOpt = Path("."),
    accounts_store: AccountsOpt = None,
    password_stdin: StdinOpt = False,
) -> None:
    """Set a new password (asks twice); the user's browser sessions end."""
    from litrev.accounts import AccountError, check_password, normalise_username

    username = normalise_username(name)
    _, accounts = _open(project_dir, accounts_store)
    if accounts.user(username) is None:
        raise AccountError(f"no user {username!r} (see `litrev user list`)")
    password = _password(username, password_stdin)
    check_password(username, password)
    accounts.reset_password(username, password)
    console.print(f"New password set for {username!r}; their sessions have ended.", markup=False)


@user_app.command("invite")
def user_invite(
    project_dir: ProjectOpt = Path("."),
    accounts_store: AccountsOpt = None,
    role: Annotated[str, typer.Option(help="lead, reviewer or viewer.")] = "reviewer",
    hours: Annotated[float, typer.Option(help="How long the link works.")] = 72.0,
    base_url: Annotated[
        str, typer.Option("--base-url", help="Where `litrev serve` is reached.")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Print a single-use invitation link to join this review with ROLE."""
    from litrev.accounts import AccountError

    base = base_url.strip().rstrip("/")
    if not base.startswith(("http://", "https://")) or len(base) <= len("https://"):
        raise AccountError(f"--base-url {base_url!r}: expected http://HOST[:PORT] or https://...")
    project, accounts = _open(project_dir, accounts_store)
    review = project.protocol.review.id
    token = accounts.invite(review, role, actor="cli", hours=hours)
    err_console.print(
        f"Invitation to {review!r} as {role}, single use, valid {hours:g} h:",
        markup=False,
        highlight=False,
    )
    console.print(f"{base}/invite/{token}", markup=False, highlight=False)


@user_app.command("token")
def user_token(
    name: Annotated[str, typer.Argument(help="The username.")],
    project_dir: ProjectOpt = Path("."),
    accounts_store: AccountsOpt = None,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Print a new API token for NAME (shown once: only its hash is kept)."""
    _, accounts = _open(project_dir, accounts_store)
    token = accounts.create_token(name, label)
    err_console.print(
        f"API token for {name.strip().lower()!r} ({label.strip()}); shown once, keep it safe:",
        markup=False,
        highlight=False,
    )
    console.print(token, markup=False, highlight=False)
