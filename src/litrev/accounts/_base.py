"""What every part of `Accounts` shares: the store, the clock, the hasher and row helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from sqlalchemy import Connection, select

from litrev.accounts.errors import AccountError
from litrev.accounts.passwords import default_hasher, normalise_username
from litrev.store import Store, schema

if TYPE_CHECKING:
    from litrev.accounts.throttle import Limits

ROLES: tuple[str, ...] = ("lead", "reviewer", "viewer")  # lead > reviewer > viewer
_RANK = {role: len(ROLES) - i for i, role in enumerate(ROLES)}
LOCK = "accounts"  # one advisory lock serialises account writes on PostgreSQL


@dataclass(frozen=True)
class User:
    """A person's account (never its password hash)."""

    username: str
    display_name: str | None
    created_at: datetime
    disabled: bool


@dataclass(frozen=True)
class WebSession:
    """A logged-in browser: whose it is, the token its forms must carry, and when it ends."""

    username: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class Invitation:
    """An invitation link's content (never its token)."""

    project: str
    role: str
    expires_at: datetime
    used_by: str | None


def utc(value: datetime) -> datetime:
    """A stored time as an aware UTC datetime (SQLite gives naive UTC, PostgreSQL aware).

    >>> utc(datetime(2026, 1, 1, 12)).isoformat()
    '2026-01-01T12:00:00+00:00'
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def check_role(role: str) -> str:
    """`role` if it is one of ROLES, else AccountError naming the choices.

    >>> check_role("viewer")
    'viewer'
    """
    if role not in ROLES:
        raise AccountError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    return role


def check_project(project: str) -> str:
    """A review's key as memberships store it (1 to 128 characters)."""
    text = project.strip() if isinstance(project, str) else ""
    if not text or len(text) > 128:
        raise AccountError(f"project {project!r}: expected a review id of 1 to 128 characters")
    return text


def rank(role: str | None) -> int:
    """0 for no role, then viewer < reviewer < lead."""
    return _RANK.get(role or "", 0)


def user_of(row: Any) -> User:
    return User(
        username=row.username,
        display_name=row.display_name,
        created_at=utc(row.created_at),
        disabled=row.disabled_at is not None,
    )


class AccountsBase:
    """The store, clock and hasher, and lookups every part of `Accounts` uses."""

    def __init__(
        self,
        store: Store,
        *,
        session_hours: float = 12.0,
        max_failures: int = 5,
        failure_window_s: float = 900.0,
        max_remote_failures: int | None = None,
        clock: Callable[[], datetime] | None = None,
        hasher: PasswordHasher | None = None,
    ) -> None:
        if not session_hours > 0:
            raise AccountError(f"session_hours={session_hours!r}: expected a positive number")
        if max_failures < 1:
            raise AccountError(f"max_failures={max_failures!r}: expected at least 1")
        remote_limit = max_failures if max_remote_failures is None else max_remote_failures
        if remote_limit < 1:
            raise AccountError(f"max_remote_failures={max_remote_failures!r}: expected at least 1")
        if not failure_window_s > 0:
            raise AccountError(f"failure_window_s={failure_window_s!r}: expected seconds > 0")
        self.store = store
        self.session_hours = float(session_hours)
        self.max_failures = int(max_failures)
        self.failure_window_s = float(failure_window_s)
        self.max_remote_failures = int(remote_limit)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.hasher = hasher or default_hasher()
        self._dummy: str | None = None

    @property
    def limits(self) -> Limits:
        """The login throttle's limits."""
        from litrev.accounts.throttle import Limits  # throttle imports this module

        return Limits(self.max_failures, self.max_remote_failures, self.failure_window_s)

    def now(self) -> datetime:
        """The injected clock's time, in UTC."""
        return utc(self.clock())

    def dummy_hash(self) -> str:
        # Verified against when the user is unknown, so a wrong name costs what a wrong
        # password costs and response times do not tell which names exist.
        if self._dummy is None:
            self._dummy = self.hasher.hash("litrev-no-such-user-dummy-password")
        return self._dummy

    @staticmethod
    def user_row(conn: Connection, username: str) -> Any:
        """The users row of `username` (any case), or None (also for an invalid name)."""
        try:
            name = normalise_username(username)
        except AccountError:
            return None
        users = schema.users
        return conn.execute(select(users).where(users.c.username == name)).first()

    def active_row(self, conn: Connection, username: str) -> Any:
        """The users row of an existing, not removed user, else AccountError."""
        row = self.user_row(conn, username)
        if row is None:
            raise AccountError(f"no user {username!r} (see `litrev user list`)")
        if row.disabled_at is not None:
            raise AccountError(
                f"user {row.username!r} was removed on {utc(row.disabled_at):%Y-%m-%d}"
            )
        return row
