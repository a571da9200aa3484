"""Usernames, passwords and secret tokens: checking, hashing (argon2id) and verifying.

Only hashes are stored: argon2id for passwords (slow, salted), SHA-256 for the random session,
invitation and API tokens (they carry 256 bits of entropy, so a fast hash is enough and lets
them be looked up by hash).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from litrev.accounts.errors import AccountError

MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 takes any length; a bound stops a megabyte "password" costing CPU
USERNAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")
TOKEN_PREFIX = "lrv_"


def default_hasher() -> PasswordHasher:
    """argon2-cffi's recommended parameters (argon2id; RFC 9106 low-memory profile).

    >>> default_hasher().type.name
    'ID'
    """
    return PasswordHasher()


def normalise_username(name: str) -> str:
    """The stored form of a username (lower-case), or AccountError saying what is expected.

    >>> normalise_username(" Ann.Smith@uni ")
    'ann.smith@uni'
    >>> normalise_username("ann smith")
    Traceback (most recent call last):
    ...
    litrev.accounts.errors.AccountError: username 'ann smith': expected 1 to 64 letters, digits or . _ - @
    """
    text = (name or "").strip() if isinstance(name, str) else ""
    if not USERNAME.fullmatch(text):
        shown = name if isinstance(name, str) and len(name) <= 80 else f"{str(name)[:80]}..."
        raise AccountError(f"username {shown!r}: expected 1 to 64 letters, digits or . _ - @")
    return text.lower()


def check_password(username: str, password: str) -> None:
    """Refuse a weak password (the message never repeats it).

    >>> check_password("ann", "correct horse battery")
    >>> check_password("ann", "short")
    Traceback (most recent call last):
    ...
    litrev.accounts.errors.AccountError: password for 'ann': expected at least 10 characters (got 5)
    """
    if not isinstance(password, str):
        raise AccountError(f"password for {username!r}: expected text")
    password = prepared(password)
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            f"password for {username!r}: expected at least {MIN_PASSWORD} characters "
            f"(got {len(password)})"
        )
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"password for {username!r}: expected at most {MAX_PASSWORD} characters")
    if password.strip().lower() == username.strip().lower():
        raise AccountError(f"password for {username!r}: must not be the username")
    if not password.strip():
        raise AccountError(f"password for {username!r}: expected more than spaces")


def prepared(password: str) -> str:
    """The password as hashed: Unicode NFKC, so "é" typed as one character or as e + accent
    (macOS and Windows keyboards differ) is the same password.

    >>> prepared("caf\u0065\u0301 au lait") == prepared("caf\u00e9 au lait")
    True
    """
    return unicodedata.normalize("NFKC", password)


def hash_password(hasher: PasswordHasher, password: str) -> str:
    """The argon2 hash of a (checked) password.

    >>> hash_password(default_hasher(), "correct horse battery").startswith("$argon2id$")
    True
    """
    return hasher.hash(prepared(password))


def verify_hash(hasher: PasswordHasher, stored: str, password: str) -> bool:
    """True when `password` matches the argon2 hash `stored`; False on mismatch or a bad hash.

    >>> h = default_hasher()
    >>> verify_hash(h, hash_password(h, "correct horse battery"), "correct horse battery")
    True
    >>> verify_hash(h, "not a hash", "x")
    False
    """
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return bool(hasher.verify(stored, prepared(password)))
    except (VerificationError, InvalidHashError):
        return False


def new_token(prefix: str = "") -> str:
    """A fresh random secret (256 bits, URL-safe), e.g. a session cookie or an API token.

    >>> new_token("lrv_").startswith("lrv_")
    True
    """
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The stored form of a token: SHA-256, hex (64 characters).

    >>> len(token_hash("abc"))
    64
    """
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
