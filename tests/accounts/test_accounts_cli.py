"""`litrev user ...` end to end: CliRunner for the output, `litrev.cli.run` for exit statuses."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from litrev.accounts import Accounts
from litrev.cli import app, run
from litrev.project import Project
from litrev.screening import Screening

PROTOCOL = """\
[review]
id = "falls-prevention"
title = "Falls prevention in care homes"

[screening]
reviewers = ["declared.one"]
"""
PW = "a long enough secret"


@pytest.fixture(autouse=True)
def cheap_default_hasher(monkeypatch: pytest.MonkeyPatch, hasher: PasswordHasher) -> None:
    # The command line builds `Accounts` with the default (recommended-cost) hasher; here a
    # cheap argon2id one keeps the suite fast. test_accounts_core checks the default's cost.
    monkeypatch.setattr("litrev.accounts._base.default_hasher", lambda: hasher)


@pytest.fixture
def review(tmp_path: Path) -> Path:
    root = tmp_path / "falls"
    Project.init(root, protocol_text=PROTOCOL).store.close()
    return root


@contextmanager
def _accounts(review: Path) -> Iterator[Accounts]:
    project = Project.open(review)
    try:
        yield Accounts(project.store)
    finally:
        project.store.close()


def _invoke(review: Path, *args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(app, ["user", *args, "-p", str(review)], input=stdin)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def _fails(
    review: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: str = "",
) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    status = run(["user", *args, "-p", str(review)])
    out, err = capsys.readouterr()
    assert status == 2, out + err
    assert "Traceback" not in out + err
    return " ".join((out + err).split())


def test_add_list_token_remove(review: Path) -> None:
    out = _invoke(
        review,
        "add",
        "Ann",
        "--role",
        "lead",
        "--display-name",
        "Ann Lee",
        "--password-stdin",
        stdin=PW + "\n",
    )
    assert "Added user 'ann': lead of 'falls-prevention' and may screen." in out
    _invoke(review, "add", "vic", "--role", "viewer", "--password-stdin", stdin=PW + "\r\n")
    rows = json.loads(_invoke(review, "list", "--json"))
    assert [(r["username"], r["display_name"], r["role"], r["disabled"]) for r in rows] == [
        ("ann", "Ann Lee", "lead", False),
        ("vic", None, "viewer", False),
    ]
    project = Project.open(review)
    accounts = Accounts(project.store)
    # The password went in as typed on stdin (line ending removed).
    assert accounts.verify("ann", PW) is not None and accounts.verify("vic", PW) is not None
    # A lead screens, a viewer does not.
    assert "ann" in Screening.from_protocol(project.store, project.protocol).known_reviewers()
    assert "vic" not in Screening.from_protocol(project.store, project.protocol).known_reviewers()

    token = _invoke(review, "token", "ann", "--label", "laptop").strip().splitlines()[-1]
    assert token.startswith("lrv_") and accounts.token_user(token).username == "ann"  # type: ignore[union-attr]
    table = _invoke(review, "list")
    assert "Ann Lee" in table and "viewer" in table

    assert "history kept" in _invoke(review, "remove", "ANN")
    assert accounts.token_user(token) is None
    assert accounts.verify("ann", PW) is None
    rows = json.loads(_invoke(review, "list", "--json"))
    assert rows[0]["disabled"] is True
    project.store.close()


def test_password_prompt_asks_twice(review: Path) -> None:
    _invoke(review, "add", "bob", stdin=f"{PW}\n{PW}\n")
    with _accounts(review) as accounts:
        assert accounts.verify("bob", PW) is not None
        assert accounts.role_of("falls-prevention", "bob") == "reviewer"


def test_reset_password_and_invite(review: Path) -> None:
    _invoke(review, "add", "ann", "--role", "lead", "--password-stdin", stdin=PW + "\n")
    _invoke(review, "reset-password", "ann", "--password-stdin", stdin="another long secret\n")
    link = _invoke(
        review,
        "invite",
        "--role",
        "reviewer",
        "--hours",
        "2",
        "--base-url",
        "https://review.example.org/",
    )
    url = link.strip().splitlines()[-1]
    assert url.startswith("https://review.example.org/invite/")
    with _accounts(review) as accounts:
        assert accounts.verify("ann", PW) is None
        assert accounts.verify("ann", "another long secret") is not None
        offer = accounts.invitation(url.rsplit("/", 1)[1])
        assert offer is not None and (offer.project, offer.role) == ("falls-prevention", "reviewer")


def test_bad_input_exits_2_with_a_message(
    review: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "expected 1 to 64 letters" in _fails(
        review, capsys, monkeypatch, "add", "a b", "--password-stdin", stdin=PW + "\n"
    )
    assert "at least 10 characters" in _fails(
        review, capsys, monkeypatch, "add", "ann", "--password-stdin", stdin="short\n"
    )
    assert "expected one of lead, reviewer, viewer" in _fails(
        review,
        capsys,
        monkeypatch,
        "add",
        "ann",
        "--role",
        "owner",
        "--password-stdin",
        stdin=PW + "\n",
    )
    assert "expected the password on standard input" in _fails(
        review, capsys, monkeypatch, "add", "ann", "--password-stdin"
    )
    assert "no user 'zed'" in _fails(review, capsys, monkeypatch, "remove", "zed")
    assert "no user 'zed'" in _fails(
        review, capsys, monkeypatch, "reset-password", "zed", "--password-stdin", stdin=PW + "\n"
    )
    assert "no user 'zed'" in _fails(review, capsys, monkeypatch, "token", "zed")
    assert "--base-url 'review.example.org'" in _fails(
        review, capsys, monkeypatch, "invite", "--base-url", "review.example.org"
    )
    assert "invitation lifetime" in _fails(review, capsys, monkeypatch, "invite", "--hours", "0")
    with _accounts(review) as accounts:
        assert accounts.users() == []  # nothing refused was half-written
    monkeypatch.setattr("sys.stdin", io.StringIO(PW + "\n"))
    assert run(["user", "add", "ann", "--password-stdin", "-p", str(review)]) == 0
    assert "already exists" in _fails(
        review, capsys, monkeypatch, "add", "ANN", "--password-stdin", stdin=PW + "\n"
    )


def test_cli_accounts_on_postgres(
    review: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LITREV_DATABASE", postgres_url)
    _invoke(review, "add", "ann", "--role", "lead", "--password-stdin", stdin=PW + "\n")
    rows = json.loads(_invoke(review, "list", "--json"))
    assert [(r["username"], r["role"]) for r in rows] == [("ann", "lead")]
    assert not (review / "litrev.db").exists() or _sqlite_has_no_users(review)


def _sqlite_has_no_users(review: Path) -> bool:
    from litrev.store import Store

    store = Store.open(review / "litrev.db")
    try:
        return Accounts(store).users() == []
    finally:
        store.close()


def test_accounts_in_another_store_as_serve_keeps_them(
    review: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    second = tmp_path / "second"
    Project.init(
        second, protocol_text=PROTOCOL.replace("falls-prevention", "hip-fracture")
    ).store.close()
    shared = str(review / "litrev.db")
    _invoke(
        second,
        "add",
        "ann",
        "--role",
        "reviewer",
        "--accounts",
        shared,
        "--password-stdin",
        stdin=PW + "\n",
    )
    with _accounts(review) as accounts:
        assert accounts.role_of("hip-fracture", "ann") == "reviewer"
    with _accounts(second) as accounts:
        assert accounts.users() == []  # the account is in the shared store only
    project = Project.open(second)
    assert "ann" in Screening.from_protocol(project.store, project.protocol).known_reviewers()
    project.store.close()
    rows = json.loads(_invoke(second, "list", "--json", "--accounts", shared))
    assert [(r["username"], r["role"]) for r in rows] == [("ann", "reviewer")]
    message = _fails(second, capsys, monkeypatch, "list", "--accounts", str(tmp_path / "typo.db"))
    assert "typo.db" in message and not (tmp_path / "typo.db").exists()


def test_remove_then_restore(
    review: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _invoke(review, "add", "ann", "--role", "lead", "--password-stdin", stdin=PW + "\n")
    _invoke(review, "remove", "ann")
    assert "was removed" in _fails(
        review, capsys, monkeypatch, "add", "ann", "--password-stdin", stdin="a brand new secret\n"
    )
    out = _invoke(
        review,
        "add",
        "ann",
        "--role",
        "lead",
        "--restore",
        "--password-stdin",
        stdin="a brand new secret\n",
    )
    assert "Restored user 'ann'" in out
    with _accounts(review) as accounts:
        assert accounts.verify("ann", "a brand new secret") is not None
        assert accounts.role_of("falls-prevention", "ann") == "lead"
