"""The accounts' exceptions: bad input a person can act on (never carrying a password or token)."""

from __future__ import annotations

from litrev.errors import LitrevError


class AccountError(LitrevError):
    """Bad account input: unknown user, weak password, bad role, used or expired invitation...

    >>> str(AccountError("no user 'ann'"))
    "no user 'ann'"
    """


class LoginThrottled(AccountError):
    """Too many failed logins for a username or a remote address; `retry_after` is in seconds.

    >>> LoginThrottled("wait", retry_after=12.5).retry_after
    12.5
    """

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
