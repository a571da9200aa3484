"""Accounts of the team workspace: users, roles per review, sessions, invitations, API tokens.

The core of `litrev serve`'s logins and of `litrev user`; it imports no adapter.

>>> from litrev.store import Store
>>> accounts = Accounts(Store.open("sqlite://"))
>>> _ = accounts.add_user("ann", "correct horse battery")
>>> accounts.verify("ann", "correct horse battery").username
'ann'
>>> accounts.verify("ann", "wrong password!") is None
True
"""

from litrev.accounts._base import ROLES, Invitation, User, WebSession, check_role
from litrev.accounts.accounts import Accounts
from litrev.accounts.errors import AccountError, LoginThrottled
from litrev.accounts.passwords import check_password, normalise_username

__all__ = [
    "ROLES",
    "AccountError",
    "Accounts",
    "Invitation",
    "LoginThrottled",
    "User",
    "WebSession",
    "check_password",
    "check_role",
    "normalise_username",
]
