"""Roles, sessions, invitations and API tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from litrev.accounts import ROLES, AccountError, Accounts, LoginThrottled
from litrev.store import Store, schema

PW = "correct horse battery"


def test_role_order() -> None:
    assert ROLES == ("lead", "reviewer", "viewer")
    table = {
        (have, need): Accounts.at_least(have, need) for have in (*ROLES, None) for need in ROLES
    }
    assert [need for need in ROLES if table["lead", need]] == list(ROLES)
    assert [need for need in ROLES if table["reviewer", need]] == ["reviewer", "viewer"]
    assert [need for need in ROLES if table["viewer", need]] == ["viewer"]
    assert not any(table[None, need] for need in ROLES)
    assert not Accounts.at_least("admin", "viewer")
    with pytest.raises(AccountError, match="expected one of lead, reviewer, viewer"):
        Accounts.at_least("lead", "owner")


def test_grant_change_revoke_and_keep_a_lead(accounts: Accounts) -> None:
    for name in ("ann", "bob", "cat"):
        accounts.add_user(name, PW)
    accounts.grant("rev-a", "ann", "lead")
    accounts.grant("rev-a", "BOB", "viewer")
    accounts.grant("rev-a", "bob", "reviewer")
    accounts.grant("rev-b", "bob", "lead")
    assert accounts.members("rev-a") == [("ann", "lead"), ("bob", "reviewer")]
    assert accounts.projects_of("bob") == [("rev-a", "reviewer"), ("rev-b", "lead")]
    assert accounts.role_of("rev-a", "cat") is None
    assert accounts.has_lead("rev-a") and not accounts.has_lead("rev-c")
    with pytest.raises(AccountError, match="only lead"):
        accounts.grant("rev-a", "ann", "reviewer")
    with pytest.raises(AccountError, match="only lead"):
        accounts.revoke("rev-a", "ann")
    with pytest.raises(AccountError, match="expected one of"):
        accounts.grant("rev-a", "cat", "admin")
    with pytest.raises(AccountError, match="no user"):
        accounts.grant("rev-a", "zed", "viewer")
    with pytest.raises(AccountError, match="not a member"):
        accounts.revoke("rev-a", "cat")
    accounts.grant("rev-a", "cat", "lead")
    accounts.revoke("rev-a", "ann")
    assert accounts.members("rev-a") == [("bob", "reviewer"), ("cat", "lead")]


def test_removed_user_has_no_role_and_no_lead(accounts: Accounts) -> None:
    accounts.add_user("ann", PW)
    accounts.grant("rev", "ann", "lead")
    accounts.remove_user("ann")
    assert accounts.role_of("rev", "ann") is None
    assert accounts.members("rev") == [] and accounts.projects_of("ann") == []
    assert not accounts.has_lead("rev")
    with pytest.raises(AccountError, match="was removed"):
        accounts.grant("rev", "ann", "viewer")


def test_sessions_store_only_a_hash_and_expire(
    accounts: Accounts, store: Store, clock: Any
) -> None:
    accounts.add_user("ann", PW)
    token, web = accounts.start_session("ANN")
    assert web.username == "ann" and web.expires_at == clock.now + timedelta(hours=12)
    assert len(token) >= 43 and len(web.csrf_token) >= 43
    with store.connect() as conn:
        stored = conn.execute(select(schema.web_sessions.c.token_hash)).scalars().all()
    assert token not in stored and len(stored) == 1
    assert accounts.session(token) == web
    assert accounts.session(token + "x") is None and accounts.session("") is None
    clock.advance(hours=11, minutes=59)
    assert accounts.session(token) is not None
    clock.advance(minutes=1)
    assert accounts.session(token) is None
    # Expired sessions are dropped when the user logs in again.
    accounts.start_session("ann")
    with store.connect() as conn:
        assert len(conn.execute(select(schema.web_sessions)).all()) == 1
    with pytest.raises(AccountError, match="no user"):
        accounts.start_session("nobody")


def test_end_session(accounts: Accounts) -> None:
    accounts.add_user("ann", PW)
    one, _ = accounts.start_session("ann")
    two, _ = accounts.start_session("ann")
    accounts.end_session(one)
    accounts.end_session(one)  # twice is no error
    accounts.end_session("never issued")
    assert accounts.session(one) is None and accounts.session(two) is not None


def test_removed_users_sessions_and_tokens_stop_working(accounts: Accounts, store: Store) -> None:
    accounts.add_user("ann", PW)
    accounts.add_user("bob", PW)
    session, _ = accounts.start_session("ann")
    token = accounts.create_token("ann", "laptop")
    kept = accounts.create_token("bob", "script")
    accounts.remove_user("ann")
    assert accounts.session(session) is None
    assert accounts.token_user(token) is None
    assert accounts.token_user(kept).username == "bob"  # type: ignore[union-attr]
    [(_, label, _, revoked)] = accounts.tokens("ann")
    assert label == "laptop" and revoked is not None
    with pytest.raises(AccountError, match="was removed"):
        accounts.create_token("ann", "again")
    with pytest.raises(AccountError, match="was removed"):
        accounts.start_session("ann")


def test_api_tokens(accounts: Accounts, store: Store, clock: Any) -> None:
    accounts.add_user("ann", PW)
    accounts.add_user("bob", PW)
    first = accounts.create_token("ann", " laptop ")
    second = accounts.create_token("ann", "ci")
    assert first.startswith("lrv_") and first != second
    with store.connect() as conn:
        stored = conn.execute(select(schema.api_tokens.c.token_hash)).scalars().all()
    assert first not in stored and second not in stored
    listed = accounts.tokens("ann")
    assert [(label, revoked) for _, label, _, revoked in listed] == [("laptop", None), ("ci", None)]
    first_id = listed[0][0]
    with pytest.raises(AccountError, match="has no API token"):
        accounts.revoke_token("bob", first_id)  # a user cannot revoke another's token
    clock.advance(minutes=5)
    accounts.revoke_token("ann", first_id)
    accounts.revoke_token("ann", first_id)
    assert accounts.token_user(first) is None
    assert accounts.token_user(second).username == "ann"  # type: ignore[union-attr]
    assert accounts.tokens("ann")[0][3] == clock.now
    assert accounts.token_user("lrv_unknown") is None and accounts.token_user(first[4:]) is None
    with pytest.raises(AccountError, match="token label"):
        accounts.create_token("ann", "  ")
    with pytest.raises(AccountError, match="no user"):
        accounts.tokens("zed")
    # Tokens are logged by label only.
    with store.connect() as conn:
        details = [str(d) for d in conn.execute(select(schema.audit_log.c.detail)).scalars()]
    assert not any(first in d or second in d for d in details)


def test_invitation_is_single_use(accounts: Accounts) -> None:
    accounts.add_user("ann", PW)
    accounts.grant("rev", "ann", "lead")
    token = accounts.invite("rev", "reviewer", actor="ann")
    offer = accounts.invitation(token)
    assert offer is not None and (offer.project, offer.role, offer.used_by) == (
        "rev",
        "reviewer",
        None,
    )
    user = accounts.accept_invite(
        token, username="Bob", password="bob's long password", display_name="Bob B"
    )
    assert (user.username, user.display_name) == ("bob", "Bob B")
    assert accounts.role_of("rev", "bob") == "reviewer"
    assert accounts.invitation(token).used_by == "bob"  # type: ignore[union-attr]
    with pytest.raises(AccountError, match="already used"):
        accounts.accept_invite(token, username="cat", password="cat's long password")
    assert accounts.user("cat") is None
    assert accounts.invitation("no such token") is None
    with pytest.raises(AccountError, match="unknown invitation"):
        accounts.accept_invite("no such token", username="cat", password="cat's long password")


def test_invitation_expires(accounts: Accounts, clock: Any) -> None:
    token = accounts.invite("rev", "viewer", actor="cli", hours=2)
    clock.advance(hours=2)
    assert accounts.invitation(token) is not None  # still shown, so the page can say why
    with pytest.raises(AccountError, match="expired"):
        accounts.accept_invite(token, username="cat", password="cat's long password")
    assert accounts.user("cat") is None
    for hours in (0, -1, 24 * 365):
        with pytest.raises(AccountError, match="invitation lifetime"):
            accounts.invite("rev", "viewer", actor="cli", hours=hours)
    with pytest.raises(AccountError, match="expected one of"):
        accounts.invite("rev", "owner", actor="cli")


def test_invitation_for_existing_user_needs_their_password(accounts: Accounts) -> None:
    accounts.add_user("ann", PW)
    accounts.grant("other", "ann", "lead")
    token = accounts.invite("rev", "reviewer", actor="cli")
    with pytest.raises(AccountError, match="not their password"):
        accounts.accept_invite(token, username="ann", password="guessed password")
    assert accounts.role_of("rev", "ann") is None
    assert accounts.invitation(token).used_by is None  # type: ignore[union-attr]
    accounts.accept_invite(token, username="ANN", password=PW)
    assert accounts.role_of("rev", "ann") == "reviewer"
    assert accounts.verify("ann", PW) is not None  # the password is unchanged


def test_invitation_never_lowers_a_role(accounts: Accounts) -> None:
    accounts.add_user("ann", PW)
    accounts.grant("rev", "ann", "lead")
    token = accounts.invite("rev", "viewer", actor="cli")
    accounts.accept_invite(token, username="ann", password=PW)
    assert accounts.role_of("rev", "ann") == "lead"


def test_invitation_password_guessing_is_throttled(accounts: Accounts) -> None:
    accounts.add_user("ann", PW)
    token = accounts.invite("rev", "reviewer", actor="cli")
    for _ in range(5):
        with pytest.raises(AccountError, match="not their password"):
            accounts.accept_invite(token, username="ann", password="guessed password")
    with pytest.raises(LoginThrottled):
        accounts.accept_invite(token, username="ann", password=PW)


def test_invitation_new_user_weak_password(accounts: Accounts) -> None:
    token = accounts.invite("rev", "reviewer", actor="cli")
    with pytest.raises(AccountError, match="at least 10"):
        accounts.accept_invite(token, username="cat", password="short")
    assert accounts.invitation(token).used_by is None  # type: ignore[union-attr]
    assert (
        accounts.accept_invite(token, username="cat", password="long enough pw").username == "cat"
    )


def test_expired_sessions_of_anyone_are_dropped_at_a_login(
    accounts: Accounts, store: Store, clock: Any
) -> None:
    accounts.add_user("ann", PW)
    accounts.add_user("bob", PW)
    accounts.start_session("ann")
    clock.advance(hours=13)
    accounts.start_session("bob")
    with store.connect() as conn:
        assert conn.execute(select(schema.web_sessions.c.username)).scalars().all() == ["bob"]


def test_a_removed_leads_membership_can_be_revoked(accounts: Accounts) -> None:
    accounts.add_user("ann", PW)
    accounts.grant("rev", "ann", "lead")
    accounts.remove_user("ann")
    accounts.revoke("rev", "ann")
    accounts.add_user("ann", PW, restore=True)
    assert accounts.role_of("rev", "ann") is None


def test_bad_display_name_is_refused_before_the_invitation_is_used(accounts: Accounts) -> None:
    token = accounts.invite("rev", "viewer", actor="cli")
    with pytest.raises(AccountError, match="display name"):
        accounts.accept_invite(token, username="cat", password=PW, display_name="x" * 300)
    assert accounts.invitation(token).used_by is None  # type: ignore[union-attr]
