"""Users, passwords and logins, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from litrev.accounts import AccountError, Accounts, LoginThrottled
from litrev.store import Store, schema

PW = "correct horse battery"


def _hash_of(store: Store, name: str) -> str:
    with store.connect() as conn:
        return conn.execute(
            select(schema.users.c.password_hash).where(schema.users.c.username == name)
        ).scalar_one()


def _audit(store: Store) -> list[tuple[str, str]]:
    with store.connect() as conn:
        rows = conn.execute(select(schema.audit_log.c.action, schema.audit_log.c.detail))
        return [(r.action, json.dumps(r.detail)) for r in rows]


def test_default_hasher_is_argon2id_with_recommended_cost(store: Store) -> None:
    accounts = Accounts(store)
    accounts.add_user("ann", PW)
    stored = _hash_of(store, "ann")
    recommended = PasswordHasher()
    assert stored.startswith("$argon2id$")
    assert f"m={recommended.memory_cost},t={recommended.time_cost}" in stored
    assert PW not in stored
    assert accounts.verify("ann", PW) is not None


def test_usernames_are_case_insensitive_and_checked(accounts: Accounts) -> None:
    user = accounts.add_user("Ann.Smith@uni", PW, display_name="  Ann Smith ")
    assert (user.username, user.display_name, user.disabled) == (
        "ann.smith@uni",
        "Ann Smith",
        False,
    )
    assert accounts.user("ANN.SMITH@UNI") == user
    with pytest.raises(AccountError, match="already exists"):
        accounts.add_user("ann.smith@UNI", "another long password")
    for bad in ("", "ann smith", "x" * 65, "ann/../bob", "anné"):
        with pytest.raises(AccountError, match="expected 1 to 64 letters"):
            accounts.add_user(bad, PW)
    assert [u.username for u in accounts.users()] == ["ann.smith@uni"]


def test_weak_passwords_are_refused_without_echoing_them(accounts: Accounts) -> None:
    for weak, why in (("short pw", "at least 10"), ("bob.builder", "not be the username")):
        with pytest.raises(AccountError, match=why) as caught:
            accounts.add_user("bob.builder", weak)
        assert weak not in str(caught.value).replace("'bob.builder'", "")
    with pytest.raises(AccountError, match="at least 10"):
        accounts.add_user("BOB.BUILDER", "Bob")
    assert accounts.users() == []


def test_verify_right_wrong_unknown_and_removed(accounts: Accounts, store: Store) -> None:
    accounts.add_user("ann", PW)
    assert accounts.verify("ANN", PW).username == "ann"  # type: ignore[union-attr]
    assert accounts.verify("ann", PW + "!") is None
    assert accounts.verify("nobody", PW) is None
    assert accounts.verify("not a valid name", PW) is None
    accounts.remove_user("ann")
    assert accounts.verify("ann", PW) is None
    with store.connect() as conn:
        attempts = conn.execute(
            select(schema.login_attempts.c.username, schema.login_attempts.c.ok).order_by(
                schema.login_attempts.c.id
            )
        ).all()
    assert [tuple(a) for a in attempts] == [
        ("ann", 1),
        ("ann", 0),
        ("nobody", 0),
        ("not a valid name", 0),
        ("ann", 0),
    ]
    # The audit log says who logged in, never with what.
    assert all(PW not in detail for _, detail in _audit(store))
    assert (
        "accounts.login_failed",
        '{"username": "nobody", "remote": "-", "rehashed": false}',
    ) in _audit(store)


def test_throttle_after_failures_and_reset_after_window(accounts: Accounts, clock: Any) -> None:
    accounts.add_user("ann", PW)
    for _ in range(5):
        clock.advance(seconds=10)
        assert accounts.verify("ann", "wrong password!") is None
    with pytest.raises(LoginThrottled) as caught:
        accounts.verify("ann", PW)  # even the right password: refused before it is checked
    # The oldest of the 5 failures (40 s ago) leaves the 900 s window in 860 s.
    assert caught.value.retry_after == pytest.approx(860.0)
    assert "try again in 15 min" in str(caught.value)
    clock.advance(seconds=859)
    with pytest.raises(LoginThrottled):
        accounts.verify("ann", PW)
    clock.advance(seconds=2)
    assert accounts.verify("ann", PW) is not None


def test_success_resets_the_user_count(accounts: Accounts, clock: Any) -> None:
    accounts.add_user("ann", PW)
    for _ in range(4):
        assert accounts.verify("ann", "wrong password!") is None
    clock.advance(seconds=1)
    assert accounts.verify("ann", PW) is not None
    for _ in range(4):
        clock.advance(seconds=1)
        assert accounts.verify("ann", "wrong password!") is None
    assert accounts.verify("ann", PW) is not None


def test_unknown_users_throttle_like_known_ones(accounts: Accounts) -> None:
    for _ in range(5):
        assert accounts.verify("ghost", "wrong password!") is None
    with pytest.raises(LoginThrottled):
        accounts.verify("ghost", "wrong password!")


def test_throttle_per_remote_address(store: Store, clock: Any, hasher: PasswordHasher) -> None:
    accounts = Accounts(store, clock=clock, hasher=hasher, max_failures=3)
    for name in ("ann", "bob", "cat"):
        accounts.add_user(name, PW)
        assert accounts.verify(name, "wrong password!", remote="10.0.0.9") is None
    with pytest.raises(LoginThrottled, match=r"address 10\.0\.0\.9"):
        accounts.verify("dan", PW, remote="10.0.0.9")
    # Another address is not held up, and a success there does not unlock the first.
    assert accounts.verify("ann", PW, remote="10.0.0.10") is not None
    with pytest.raises(LoginThrottled):
        accounts.verify("ann", PW, remote="10.0.0.9")


def test_rehash_on_verify_when_parameters_change(
    store: Store, clock: Any, hasher: PasswordHasher
) -> None:
    old = Accounts(store, clock=clock, hasher=hasher)
    old.add_user("ann", PW)
    before = _hash_of(store, "ann")
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    new = Accounts(store, clock=clock, hasher=stronger)
    assert new.verify("ann", "wrong password!") is None
    assert _hash_of(store, "ann") == before  # a wrong password changes nothing
    assert new.verify("ann", PW) is not None
    after = _hash_of(store, "ann")
    assert after != before and "m=16,t=2,p=1" in after
    assert new.verify("ann", PW) is not None


def test_remove_user_keeps_history_and_refuses_reuse(accounts: Accounts) -> None:
    accounts.add_user("ann", PW)
    accounts.remove_user("ann")
    assert accounts.user("ann").disabled  # type: ignore[union-attr]
    with pytest.raises(AccountError, match="was removed"):
        accounts.remove_user("ann")
    with pytest.raises(AccountError, match="was removed"):
        accounts.add_user("ann", "a new long password")
    with pytest.raises(AccountError, match="no user 'zed'"):
        accounts.remove_user("zed")
    restored = accounts.add_user("ann", "a new long password", restore=True)
    assert not restored.disabled
    assert accounts.verify("ann", PW) is None
    assert accounts.verify("ann", "a new long password") is not None


def test_reset_password_ends_sessions(accounts: Accounts) -> None:
    accounts.add_user("ann", PW)
    token, _ = accounts.start_session("ann")
    with pytest.raises(AccountError, match="at least 10"):
        accounts.reset_password("ann", "tiny")
    assert accounts.session(token) is not None  # a refused reset changes nothing
    accounts.reset_password("ann", "the new long password")
    assert accounts.session(token) is None
    assert accounts.verify("ann", PW) is None
    assert accounts.verify("ann", "the new long password") is not None
    with pytest.raises(AccountError, match="no user"):
        accounts.reset_password("zed", "the new long password")


def test_bad_settings_are_refused(store: Store) -> None:
    with pytest.raises(AccountError, match="max_failures"):
        Accounts(store, max_failures=0)
    with pytest.raises(AccountError, match="session_hours"):
        Accounts(store, session_hours=0)


def test_password_typed_in_either_unicode_form_is_the_same(accounts: Accounts) -> None:
    composed, decomposed = "Ångström café 2024", "A\u030angstro\u0308m cafe\u0301 2024"
    assert composed != decomposed
    accounts.add_user("ann", composed)
    assert accounts.verify("ann", decomposed) is not None
    accounts.reset_password("ann", decomposed)
    assert accounts.verify("ann", composed) is not None
