"""Login throttling: too many failed logins for one username, or from one address, in a window.

The count is made twice: before the password is hashed (so a throttled guess costs no argon2
work) and again inside the transaction that records the attempt, under the accounts lock, so
concurrent guesses cannot exceed the limit: at most `max_failures` answers per window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select

from litrev.accounts._base import utc
from litrev.accounts.errors import LoginThrottled
from litrev.store import schema

NO_REMOTE = "-"  # the caller does not know the address (the command line): no address limit


@dataclass(frozen=True)
class Limits:
    """How many failures (per username, per address) within `window_s` seconds throttle."""

    max_failures: int
    max_remote_failures: int
    window_s: float


def check(conn: Connection, limits: Limits, name: str, remote: str, now: datetime) -> None:
    """Raise LoginThrottled when `name` or `remote` has reached its limit of failures.

    A success resets the username's count (only the password's owner can make one); an
    address's failures are never reset by a success, so one valid account cannot unlock
    guessing at the others from the same address.

    >>> from litrev.store import Store
    >>> from datetime import UTC
    >>> store = Store.open("sqlite://")
    >>> with store.connect() as conn:
    ...     check(conn, Limits(5, 5, 900.0), "ann", "-", datetime.now(UTC))
    """
    attempts = schema.login_attempts
    since = now - timedelta(seconds=limits.window_s)
    last_ok = conn.execute(
        select(func.max(attempts.c.at)).where(
            attempts.c.username == name, attempts.c.ok == 1, attempts.c.at >= since
        )
    ).scalar()
    checks = [
        (attempts.c.username == name, last_ok or since, limits.max_failures, f"user {name!r}")
    ]
    if remote != NO_REMOTE:
        checks.append(
            (attempts.c.remote == remote, since, limits.max_remote_failures, f"address {remote}")
        )
    for condition, start, limit, what in checks:
        # The newest `limit` failures: once the oldest of them leaves the window, fewer remain.
        recent = (
            conn.execute(
                select(attempts.c.at)
                .where(condition, attempts.c.ok == 0, attempts.c.at >= start)
                .order_by(attempts.c.at.desc())
                .limit(limit)
            )
            .scalars()
            .all()
        )
        if len(recent) >= limit:
            wait = max((utc(recent[-1]) - now).total_seconds() + limits.window_s, 1.0)
            raise LoginThrottled(
                f"too many failed logins for {what}: try again in {duration(wait)}",
                retry_after=wait,
            )


def duration(seconds: float) -> str:
    """'45 s', '13 min' or '2 h' (rounded up), for messages.

    >>> duration(44.2), duration(780), duration(7200)
    ('45 s', '13 min', '2 h')
    """
    if seconds < 90:
        return f"{int(seconds + 0.999)} s"
    if seconds < 5400:
        return f"{int(seconds / 60 + 0.999)} min"
    return f"{int(seconds / 3600 + 0.999)} h"
