"""Browser sessions, invitation links and API tokens: random secrets stored only as hashes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update

from litrev.accounts._base import (
    LOCK,
    AccountsBase,
    Invitation,
    User,
    WebSession,
    check_project,
    check_role,
    user_of,
    utc,
)
from litrev.accounts.errors import AccountError
from litrev.accounts.passwords import TOKEN_PREFIX, new_token, token_hash
from litrev.store import Store, schema

MAX_LABEL = 200
MAX_INVITE_HOURS = 24.0 * 90  # an invitation link is short-lived; three months at most


class SessionsMixin(AccountsBase):
    """Sessions, invitations and API tokens of `Accounts`."""

    # --- browser sessions ----------------------------------------------------------------
    def start_session(self, username: str) -> tuple[str, WebSession]:
        """Log `username` in: returns the cookie's token (shown once) and the session.

        >>> from litrev.accounts import Accounts
        >>> accounts = Accounts(Store.open("sqlite://"))
        >>> _ = accounts.add_user("ann", "correct horse battery")
        >>> token, web = accounts.start_session("ann")
        >>> accounts.session(token) == web
        True
        """
        token = new_token()
        now = self.now()
        expires = now + timedelta(hours=self.session_hours)
        csrf = new_token()
        sessions = schema.web_sessions
        with self.store.transaction() as conn:
            Store.lock(conn, LOCK)
            row = self.active_row(conn, username)
            # Ended sessions are dropped at each login, so the table holds (nearly) live ones only.
            conn.execute(delete(sessions).where(sessions.c.expires_at <= now))
            conn.execute(
                insert(sessions).values(
                    token_hash=token_hash(token),
                    username=row.username,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=expires,
                )
            )
            Store.log(
                conn,
                actor=row.username,
                action="accounts.session_start",
                entity="user",
                detail={"username": row.username, "expires_at": expires.isoformat()},
            )
        return token, WebSession(username=row.username, csrf_token=csrf, expires_at=expires)

    def session(self, token: str) -> WebSession | None:
        """The live session of a cookie's token; None when unknown, expired or the user removed."""
        if not isinstance(token, str) or not token:
            return None
        sessions, users = schema.web_sessions, schema.users
        with self.store.connect() as conn:
            row = conn.execute(
                select(sessions, users.c.disabled_at)
                .join(users, users.c.username == sessions.c.username)
                .where(sessions.c.token_hash == token_hash(token))
            ).first()
        if row is None or row.disabled_at is not None:
            return None
        expires = utc(row.expires_at)
        if expires <= self.now():
            return None
        return WebSession(username=row.username, csrf_token=row.csrf_token, expires_at=expires)

    def end_session(self, token: str) -> None:
        """Log out: the token stops working (an unknown token is no error)."""
        if not isinstance(token, str) or not token:
            return
        sessions = schema.web_sessions
        with self.store.transaction() as conn:
            gone = conn.execute(
                delete(sessions)
                .where(sessions.c.token_hash == token_hash(token))
                .returning(sessions.c.username)
            ).first()
            if gone is not None:
                Store.log(
                    conn,
                    actor=gone.username,
                    action="accounts.session_end",
                    entity="user",
                    detail={"username": gone.username},
                )

    # --- invitations ---------------------------------------------------------------------
    def invite(self, project: str, role: str, *, actor: str, hours: float = 72.0) -> str:
        """A single-use invitation to join `project` as `role`, valid `hours`; returns its token.

        >>> from litrev.accounts import Accounts
        >>> accounts = Accounts(Store.open("sqlite://"))
        >>> token = accounts.invite("r", "reviewer", actor="cli")
        >>> accounts.invitation(token).role
        'reviewer'
        """
        project = check_project(project)
        check_role(role)
        if not isinstance(hours, int | float) or not 0 < hours <= MAX_INVITE_HOURS:
            raise AccountError(
                f"invitation lifetime {hours!r} hours: expected more than 0 and at most "
                f"{MAX_INVITE_HOURS:g}"
            )
        token = new_token()
        now = self.now()
        expires = now + timedelta(hours=float(hours))
        with self.store.transaction() as conn:
            conn.execute(
                insert(schema.invitations).values(
                    token_hash=token_hash(token),
                    project=project,
                    role=role,
                    created_by=actor,
                    created_at=now,
                    expires_at=expires,
                )
            )
            Store.log(
                conn,
                actor=actor,
                action="accounts.invite",
                entity="invitation",
                detail={"project": project, "role": role, "expires_at": expires.isoformat()},
            )
        return token

    def invitation(self, token: str) -> Invitation | None:
        """What an invitation token offers; None when unknown (expired or used ones are returned)."""
        if not isinstance(token, str) or not token:
            return None
        invitations = schema.invitations
        with self.store.connect() as conn:
            row = conn.execute(
                select(invitations).where(invitations.c.token_hash == token_hash(token))
            ).first()
        if row is None:
            return None
        return Invitation(
            project=row.project,
            role=row.role,
            expires_at=utc(row.expires_at),
            used_by=row.used_by,
        )

    def usable_invitation(self, token: str) -> Invitation:
        """The invitation if it can still be accepted, else AccountError saying why."""
        found = self.invitation(token)
        if found is None:
            raise AccountError("unknown invitation link: ask the review's lead for a new one")
        if found.used_by is not None:
            raise AccountError("this invitation link was already used: ask the lead for a new one")
        if found.expires_at <= self.now():
            raise AccountError(
                f"this invitation link expired on {found.expires_at:%Y-%m-%d %H:%M} UTC: "
                "ask the lead for a new one"
            )
        return found

    # --- API tokens ----------------------------------------------------------------------
    def create_token(self, username: str, label: str) -> str:
        """A new API token for `username` (shown once; only its hash is kept).

        >>> from litrev.accounts import Accounts
        >>> accounts = Accounts(Store.open("sqlite://"))
        >>> _ = accounts.add_user("ann", "correct horse battery")
        >>> token = accounts.create_token("ann", "laptop")
        >>> token.startswith("lrv_"), accounts.token_user(token).username
        (True, 'ann')
        """
        text = label.strip() if isinstance(label, str) else ""
        if not text or len(text) > MAX_LABEL:
            raise AccountError(f"token label {label!r}: expected 1 to {MAX_LABEL} characters")
        token = new_token(TOKEN_PREFIX)
        now = self.now()
        tokens = schema.api_tokens
        with self.store.transaction() as conn:
            Store.lock(conn, LOCK)
            row = self.active_row(conn, username)
            made = conn.execute(
                insert(tokens)
                .values(
                    token_hash=token_hash(token),
                    username=row.username,
                    label=text,
                    created_at=now,
                )
                .returning(tokens.c.id)
            ).scalar_one()
            Store.log(
                conn,
                actor=row.username,
                action="accounts.token_create",
                entity="api_token",
                entity_id=made,
                detail={"username": row.username, "label": text},
            )
        return token

    def token_user(self, token: str) -> User | None:
        """The user an API token belongs to; None when unknown, revoked or the user removed."""
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
            return None
        tokens, users = schema.api_tokens, schema.users
        with self.store.connect() as conn:
            row = conn.execute(
                select(users, tokens.c.revoked_at)
                .join(tokens, tokens.c.username == users.c.username)
                .where(tokens.c.token_hash == token_hash(token))
            ).first()
        if row is None or row.revoked_at is not None or row.disabled_at is not None:
            return None
        return user_of(row)

    def tokens(self, username: str) -> list[tuple[int, str, datetime, datetime | None]]:
        """(id, label, created_at, revoked_at) of each of the user's API tokens, oldest first."""
        tokens = schema.api_tokens
        with self.store.connect() as conn:
            row = self.user_row(conn, username)
            if row is None:
                raise AccountError(f"no user {username!r} (see `litrev user list`)")
            rows = conn.execute(
                select(tokens.c.id, tokens.c.label, tokens.c.created_at, tokens.c.revoked_at)
                .where(tokens.c.username == row.username)
                .order_by(tokens.c.id)
            ).all()
        return [
            (r.id, r.label, utc(r.created_at), utc(r.revoked_at) if r.revoked_at else None)
            for r in rows
        ]

    def revoke_token(self, username: str, token_id: int) -> None:
        """Revoke one of the user's API tokens (revoking it again changes nothing)."""
        if isinstance(token_id, bool) or not isinstance(token_id, int):
            raise AccountError(f"API token id {token_id!r}: expected a whole number")
        tokens = schema.api_tokens
        with self.store.transaction() as conn:
            row = self.user_row(conn, username)
            found = None
            if row is not None:
                found = conn.execute(
                    select(tokens.c.revoked_at).where(
                        tokens.c.id == token_id, tokens.c.username == row.username
                    )
                ).first()
            if row is None or found is None:
                raise AccountError(f"user {username!r} has no API token {token_id!r}")
            if found.revoked_at is not None:
                return
            conn.execute(
                update(tokens).where(tokens.c.id == token_id).values(revoked_at=self.now())
            )
            Store.log(
                conn,
                actor=row.username,
                action="accounts.token_revoke",
                entity="api_token",
                entity_id=token_id,
                detail={"username": row.username},
            )
