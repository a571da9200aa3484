"""`Accounts`: the people of a workspace, their roles per review, and how they log in.

Every write is one `store.transaction()` with its audit-log entry; no password, hash or token
is ever logged or put in a message. Slow argon2 work happens outside the transaction, so a
login does not hold the database's write lock while it hashes.
"""

from __future__ import annotations

import unicodedata

from argon2.exceptions import InvalidHashError
from sqlalchemy import delete, insert, select, update

from litrev.accounts import throttle
from litrev.accounts._base import (
    LOCK,
    User,
    rank,
    user_of,
)
from litrev.accounts.errors import AccountError
from litrev.accounts.membership import MembershipMixin
from litrev.accounts.passwords import (
    check_password,
    hash_password,
    normalise_username,
    token_hash,
    verify_hash,
)
from litrev.accounts.sessions import SessionsMixin
from litrev.store import Store, schema

MAX_DISPLAY = 200


def _display_name(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if len(text) > MAX_DISPLAY or any(unicodedata.category(c) == "Cc" for c in text):
        raise AccountError(
            f"display name {value[:80]!r}: expected at most {MAX_DISPLAY} characters "
            "and no control characters"
        )
    return text or None


class Accounts(MembershipMixin, SessionsMixin):
    """The accounts kept in one store: users, memberships, sessions, invitations, API tokens.

    `clock` (a function returning an aware datetime) and `hasher` (an argon2 PasswordHasher)
    can be injected, e.g. by tests; the defaults are the real time and argon2-cffi's
    recommended parameters.

    >>> accounts = Accounts(Store.open("sqlite://"))
    >>> accounts.add_user("Ann", "correct horse battery").username
    'ann'
    >>> accounts.grant("my-review", "ann", "lead")
    >>> accounts.role_of("my-review", "ANN"), Accounts.at_least("lead", "reviewer")
    ('lead', True)
    """

    # --- users ---------------------------------------------------------------------------
    def add_user(
        self,
        username: str,
        password: str,
        *,
        display_name: str | None = None,
        actor: str = "cli",
        restore: bool = False,
    ) -> User:
        """Create an account. A removed user's name stays taken (their history is theirs)
        unless `restore`, which brings the account back with the new password."""
        name = normalise_username(username)
        check_password(name, password)
        shown = _display_name(display_name)
        hashed = hash_password(self.hasher, password)
        users = schema.users
        now = self.now()
        with self.store.transaction() as conn:
            Store.lock(conn, LOCK)
            row = self.user_row(conn, name)
            if row is not None and row.disabled_at is None:
                raise AccountError(f"user {name!r} already exists")
            if row is not None and not restore:
                raise AccountError(
                    f"user {name!r} was removed (their history is kept); choose another name, "
                    "or restore the account (`litrev user add NAME --restore`)"
                )
            if row is None:
                conn.execute(
                    insert(users).values(
                        username=name, display_name=shown, password_hash=hashed, created_at=now
                    )
                )
            else:
                conn.execute(
                    update(users)
                    .where(users.c.username == name)
                    .values(
                        password_hash=hashed,
                        disabled_at=None,
                        display_name=shown if shown is not None else row.display_name,
                    )
                )
            Store.log(
                conn,
                actor=actor,
                action="accounts.user_restore" if row is not None else "accounts.user_add",
                entity="user",
                detail={"username": name, "display_name": shown},
            )
            made = conn.execute(select(users).where(users.c.username == name)).one()
        return user_of(made)

    def users(self) -> list[User]:
        """Every account, removed ones included, by username."""
        with self.store.connect() as conn:
            rows = conn.execute(select(schema.users).order_by(schema.users.c.username))
            return [user_of(row) for row in rows]

    def user(self, username: str) -> User | None:
        """The account named `username` (any case), or None."""
        with self.store.connect() as conn:
            row = self.user_row(conn, username)
        return None if row is None else user_of(row)

    def remove_user(self, username: str, *, actor: str = "cli") -> None:
        """Disable an account: its sessions end and its API tokens are revoked at once. Its
        decisions, notes and memberships stay in the review's history.

        >>> accounts = Accounts(Store.open("sqlite://"))
        >>> _ = accounts.add_user("ann", "correct horse battery")
        >>> accounts.remove_user("ann")
        >>> accounts.user("ann").disabled, accounts.verify("ann", "correct horse battery")
        (True, None)
        """
        users, sessions, tokens = schema.users, schema.web_sessions, schema.api_tokens
        now = self.now()
        with self.store.transaction() as conn:
            Store.lock(conn, LOCK)
            row = self.active_row(conn, username)
            conn.execute(
                update(users).where(users.c.username == row.username).values(disabled_at=now)
            )
            ended = conn.execute(delete(sessions).where(sessions.c.username == row.username))
            revoked = conn.execute(
                update(tokens)
                .where(tokens.c.username == row.username, tokens.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            Store.log(
                conn,
                actor=actor,
                action="accounts.user_remove",
                entity="user",
                detail={
                    "username": row.username,
                    "sessions_ended": ended.rowcount,
                    "tokens_revoked": revoked.rowcount,
                },
            )

    def reset_password(self, username: str, password: str, *, actor: str = "cli") -> None:
        """Set a new password; the user's browser sessions end (API tokens stay)."""
        name = normalise_username(username)
        check_password(name, password)
        hashed = hash_password(self.hasher, password)
        users, sessions = schema.users, schema.web_sessions
        with self.store.transaction() as conn:
            Store.lock(conn, LOCK)
            row = self.active_row(conn, name)
            conn.execute(update(users).where(users.c.username == name).values(password_hash=hashed))
            ended = conn.execute(delete(sessions).where(sessions.c.username == name))
            Store.log(
                conn,
                actor=actor,
                action="accounts.password_reset",
                entity="user",
                detail={"username": row.username, "sessions_ended": ended.rowcount},
            )

    # --- logging in ----------------------------------------------------------------------
    def verify(self, username: str, password: str, *, remote: str = "-") -> User | None:
        """The user if `password` is theirs, else None (unknown, removed or wrong: the same
        answer and about the same time). Every attempt is recorded; after `max_failures`
        failures within `failure_window_s` for the username, or `max_remote_failures` from
        the remote address, LoginThrottled is raised instead of an answer."""
        try:
            name = normalise_username(username)
        except AccountError:
            name = str(username).strip().lower()[:128]
        where = (str(remote) or throttle.NO_REMOTE)[:64]
        now = self.now()
        dummy = self.dummy_hash()  # made before the branch: a first login costs the same
        with self.store.connect() as conn:
            throttle.check(conn, self.limits, name, where, now)
            row = self.user_row(conn, name)
        text = password if isinstance(password, str) else ""
        if row is None or row.disabled_at is not None:
            verify_hash(self.hasher, dummy, text)
            ok = False
        else:
            ok = verify_hash(self.hasher, row.password_hash, text)
        rehashed = None
        if ok and self._needs_rehash(row.password_hash):
            rehashed = hash_password(self.hasher, text)
        with self.store.transaction() as conn:
            Store.lock(conn, LOCK)
            # Counted again under the lock: concurrent guesses get no more answers than allowed.
            throttle.check(conn, self.limits, name, where, now)
            conn.execute(
                insert(schema.login_attempts).values(
                    username=name, remote=where, ok=1 if ok else 0, at=now
                )
            )
            if rehashed is not None:
                users = schema.users
                conn.execute(
                    update(users).where(users.c.username == name).values(password_hash=rehashed)
                )
            Store.log(
                conn,
                actor=name,
                action="accounts.login" if ok else "accounts.login_failed",
                entity="user",
                detail={"username": name, "remote": where, "rehashed": rehashed is not None},
            )
        return user_of(row) if ok else None

    def _needs_rehash(self, stored: str) -> bool:
        try:
            return bool(self.hasher.check_needs_rehash(stored))
        except (InvalidHashError, ValueError):
            return False

    # --- invitations ---------------------------------------------------------------------
    def accept_invite(
        self,
        token: str,
        *,
        username: str,
        password: str,
        display_name: str | None = None,
        remote: str = "-",
    ) -> User:
        """Use an invitation: create the account (or, for an existing one, check its password,
        throttled like a login), grant the invited role (never lowering a higher one) and mark
        the invitation used, all in one transaction.

        >>> accounts = Accounts(Store.open("sqlite://"))
        >>> link = accounts.invite("my-review", "reviewer", actor="cli")
        >>> accounts.accept_invite(link, username="bob", password="bob's own password").username
        'bob'
        >>> accounts.role_of("my-review", "bob"), accounts.invitation(link).used_by
        ('reviewer', 'bob')
        """
        offer = self.usable_invitation(token)
        name = normalise_username(username)
        shown = _display_name(display_name)
        existing = self.user(name)
        hashed = None
        if existing is not None:
            if existing.disabled:
                raise AccountError(f"user {name!r} was removed; ask the lead to restore it")
            if self.verify(name, password, remote=remote) is None:
                raise AccountError(
                    f"user {name!r} already exists and that is not their password: "
                    "give your own password, or choose another username"
                )
        else:
            check_password(name, password)
            hashed = hash_password(self.hasher, password)
        self._accept(token, offer.project, offer.role, name, hashed, shown)
        found = self.user(name)
        assert found is not None  # created or checked just above, in the transaction
        return found

    def _accept(
        self,
        token: str,
        project: str,
        role: str,
        name: str,
        hashed: str | None,
        shown: str | None,
    ) -> None:
        invitations, users = schema.invitations, schema.users
        now = self.now()
        with self.store.transaction() as conn:
            Store.lock(conn, LOCK)
            # Marking the invitation used first, guarded by `used_by IS NULL`, makes two
            # concurrent acceptances of one link end with one winner.
            marked = conn.execute(
                update(invitations)
                .where(
                    invitations.c.token_hash == token_hash(token),
                    invitations.c.used_by.is_(None),
                    invitations.c.expires_at > now,
                )
                .values(used_by=name, used_at=now)
            )
            if marked.rowcount != 1:
                raise AccountError("this invitation link was already used or has expired")
            row = self.user_row(conn, name)
            if hashed is not None:
                if row is not None:
                    raise AccountError(f"user {name!r} already exists: choose another username")
                conn.execute(
                    insert(users).values(
                        username=name, display_name=shown, password_hash=hashed, created_at=now
                    )
                )
            elif row is None or row.disabled_at is not None:
                raise AccountError(f"user {name!r} was removed; ask the lead to restore it")
            old = self._role(conn, project, name)
            if old is None or rank(role) > rank(old):  # an invitation never lowers a role
                self._set_role(conn, project, name, role, old=old, by=name, at=now)
            Store.log(
                conn,
                actor=name,
                action="accounts.invite_accept",
                entity="membership",
                detail={
                    "project": project,
                    "username": name,
                    "role": role if rank(role) > rank(old) else old,
                    "invited_as": role,
                    "new_user": hashed is not None,
                },
            )
