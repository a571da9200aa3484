"""Concurrent logins, invitations and sign-ups; equal work for unknown users; bad types."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from litrev.accounts import AccountError, Accounts, LoginThrottled
from litrev.store import Store, schema

PW = "correct horse battery"


def _race(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..n-1) in n threads released together; each result or raised exception."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as error:  # collected, then checked by the test
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_concurrent_guesses_get_no_more_answers_than_the_limit(
    accounts: Accounts, store: Store
) -> None:
    accounts.add_user("ann", PW)
    results = _race(10, lambda i: accounts.verify("ann", f"guess number {i}"))
    answered = [r for r in results if r is None]
    throttled = [r for r in results if isinstance(r, LoginThrottled)]
    assert len(answered) == 5 and len(throttled) == 5, results
    with store.connect() as conn:
        failures = conn.execute(
            select(func.count())
            .select_from(schema.login_attempts)
            .where(schema.login_attempts.c.ok == 0)
        ).scalar()
    assert failures == 5


def test_one_invitation_raced_by_several_people_has_one_winner(accounts: Accounts) -> None:
    token = accounts.invite("rev", "reviewer", actor="cli")
    results = _race(4, lambda i: accounts.accept_invite(token, username=f"person{i}", password=PW))
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1, results
    assert all(isinstance(r, AccountError) for r in results if r not in winners)
    assert accounts.members("rev") == [(winners[0].username, "reviewer")]
    assert [u.username for u in accounts.users()] == [winners[0].username]


def test_concurrent_sign_ups_of_one_name(accounts: Accounts) -> None:
    results = _race(4, lambda i: accounts.add_user("ann", f"{PW} {i}"))
    made = [r for r in results if not isinstance(r, Exception)]
    assert len(made) == 1, results
    assert all("already exists" in str(r) for r in results if r not in made)


class CountingHasher(PasswordHasher):
    """A real argon2 hasher that counts its verifications."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified += 1
        return super().verify(hash, password)


def test_unknown_and_removed_users_cost_one_verification_too(store: Store, clock: Any) -> None:
    hasher = CountingHasher()
    accounts = Accounts(store, clock=clock, hasher=hasher)
    accounts.add_user("ann", PW)
    accounts.add_user("gone", PW)
    accounts.remove_user("gone")
    for name, password in (("ann", PW), ("ann", "wrong password"), ("nobody", PW), ("gone", PW)):
        before = hasher.verified
        clock.advance(seconds=1)
        accounts.verify(name, password)
        assert hasher.verified - before == 1, name


def test_wrong_types_and_odd_input_are_refused_cleanly(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="expected text"):
        accounts.add_user("ann", None)  # type: ignore[arg-type]
    with pytest.raises(AccountError, match="expected 1 to 64"):
        accounts.add_user(None, PW)  # type: ignore[arg-type]
    with pytest.raises(AccountError, match="control characters"):
        accounts.add_user("ann", PW, display_name="Ann\x00Lee")
    with pytest.raises(AccountError, match="at most 1024"):
        accounts.add_user("ann", "x" * 2000)
    accounts.add_user("ann", PW)
    assert accounts.verify("ann", None) is None  # type: ignore[arg-type]
    assert accounts.verify("ann", "x" * 100_000) is None
    assert accounts.verify(None, PW) is None  # type: ignore[arg-type]
    with pytest.raises(AccountError, match="expected a whole number"):
        accounts.revoke_token("ann", "1")  # type: ignore[arg-type]
    assert accounts.session(None) is None  # type: ignore[arg-type]
    assert accounts.token_user(None) is None  # type: ignore[arg-type]
    assert accounts.invitation(None) is None  # type: ignore[arg-type]
    with pytest.raises(AccountError, match="project"):
        accounts.grant("", "ann", "lead")


def test_no_secret_reaches_the_audit_log(accounts: Accounts, store: Store) -> None:
    secrets = [PW, "second long password", "third long password"]
    accounts.add_user("ann", secrets[0])
    accounts.reset_password("ann", secrets[1])
    accounts.grant("rev", "ann", "lead")
    session, web = accounts.start_session("ann")
    api = accounts.create_token("ann", "ci")
    invite = accounts.invite("rev", "viewer", actor="ann")
    accounts.accept_invite(invite, username="bob", password=secrets[2])
    accounts.verify("ann", secrets[0])
    accounts.end_session(session)
    with store.connect() as conn:
        text = json.dumps(
            [list(r) for r in conn.execute(select(schema.audit_log)).all()], default=str
        )
        hashes = conn.execute(select(schema.users.c.password_hash)).scalars().all()
    for secret in [*secrets, session, web.csrf_token, api, invite, *hashes]:
        assert secret not in text


def test_login_attempts_are_indexed_by_address(store: Store) -> None:
    # The throttle counts an address's failures on every login (migration 6).
    from sqlalchemy import inspect

    indexes = {
        ix["name"]: ix["column_names"] for ix in inspect(store.engine).get_indexes("login_attempts")
    }
    assert indexes["ix_login_attempts_remote_at"] == ["remote", "at"]
    assert indexes["ix_login_attempts_user_at"] == ["username", "at"]
