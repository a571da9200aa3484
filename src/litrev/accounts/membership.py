"""Membership of reviews: who has which role (lead > reviewer > viewer) in which project."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from litrev.accounts._base import (
    LOCK,
    ROLES,
    AccountsBase,
    check_project,
    check_role,
    rank,
)
from litrev.accounts.errors import AccountError
from litrev.store import Store, schema


class MembershipMixin(AccountsBase):
    """Roles per review, of `Accounts`."""

    # --- membership ----------------------------------------------------------------------
    def grant(self, project: str, username: str, role: str, *, actor: str = "cli") -> None:
        """Make `username` a member of `project` with `role` (or change their role). The
        review's only lead cannot be demoted: make another lead first."""
        project = check_project(project)
        check_role(role)
        with self.store.transaction() as conn:
            Store.lock(conn, LOCK)
            row = self.active_row(conn, username)
            old = self._role(conn, project, row.username)
            if old == role:
                return
            if old == "lead":
                self._keep_a_lead(conn, project, row.username)
            self._set_role(conn, project, row.username, role, old=old, by=actor, at=self.now())
            Store.log(
                conn,
                actor=actor,
                action="accounts.grant",
                entity="membership",
                detail={"project": project, "username": row.username, "role": role, "was": old},
            )

    def revoke(self, project: str, username: str, *, actor: str = "cli") -> None:
        """End `username`'s membership of `project` (the only lead's cannot be ended)."""
        project = check_project(project)
        members = schema.memberships
        with self.store.transaction() as conn:
            Store.lock(conn, LOCK)
            row = self.user_row(conn, username)
            old = None if row is None else self._role(conn, project, row.username)
            if row is None or old is None:
                raise AccountError(f"{username!r} is not a member of {project!r}")
            if old == "lead" and row.disabled_at is None:  # a removed lead leads nothing
                self._keep_a_lead(conn, project, row.username)
            conn.execute(
                delete(members).where(
                    members.c.project == project, members.c.username == row.username
                )
            )
            Store.log(
                conn,
                actor=actor,
                action="accounts.revoke",
                entity="membership",
                detail={"project": project, "username": row.username, "was": old},
            )

    @staticmethod
    def _set_role(
        conn: Connection,
        project: str,
        name: str,
        role: str,
        *,
        old: str | None,
        by: str,
        at: datetime,
    ) -> None:
        """Write `name`'s membership row with `role`: a new row (added `at`, `by`) when they had
        none (`old` is None), else their role changed. The caller logs it, in its own words."""
        members = schema.memberships
        if old is None:
            conn.execute(
                insert(members).values(
                    project=project, username=name, role=role, added_at=at, added_by=by
                )
            )
        else:
            conn.execute(
                update(members)
                .where(members.c.project == project, members.c.username == name)
                .values(role=role)
            )

    @staticmethod
    def _role(conn: Connection, project: str, name: str) -> str | None:
        members = schema.memberships
        return conn.execute(
            select(members.c.role).where(members.c.project == project, members.c.username == name)
        ).scalar()

    def _keep_a_lead(self, conn: Connection, project: str, leaving: str) -> None:
        others = [name for name, role in self._members(conn, project) if role == "lead"]
        if not [name for name in others if name != leaving]:
            raise AccountError(
                f"{leaving!r} is the only lead of {project!r}: make another member lead first"
            )

    @staticmethod
    def _members(conn: Connection, project: str) -> list[tuple[str, str]]:
        members, users = schema.memberships, schema.users
        rows = conn.execute(
            select(members.c.username, members.c.role)
            .join(users, users.c.username == members.c.username)
            .where(members.c.project == project, users.c.disabled_at.is_(None))
            .order_by(members.c.username)
        )
        return [(r.username, r.role) for r in rows]

    def role_of(self, project: str, username: str) -> str | None:
        """The user's role in `project`; None when not a member, unknown or removed."""
        with self.store.connect() as conn:
            row = self.user_row(conn, username)
            if row is None or row.disabled_at is not None:
                return None
            return self._role(conn, project, row.username)

    def members(self, project: str) -> list[tuple[str, str]]:
        """(username, role) of the project's members (removed users left out), by username."""
        with self.store.connect() as conn:
            return self._members(conn, project)

    def projects_of(self, username: str) -> list[tuple[str, str]]:
        """(project, role) of each review the user belongs to (none once removed)."""
        members = schema.memberships
        with self.store.connect() as conn:
            row = self.user_row(conn, username)
            if row is None or row.disabled_at is not None:
                return []
            rows = conn.execute(
                select(members.c.project, members.c.role)
                .where(members.c.username == row.username)
                .order_by(members.c.project)
            )
            return [(r.project, r.role) for r in rows]

    def has_lead(self, project: str) -> bool:
        """Whether the project has a lead whose account is not removed."""
        return any(role == "lead" for _, role in self.members(project))

    @staticmethod
    def at_least(role: str | None, needed: str) -> bool:
        """Whether `role` is `needed` or above (lead > reviewer > viewer; None is no role).

        >>> MembershipMixin.at_least("reviewer", "viewer"), MembershipMixin.at_least(None, "viewer")
        (True, False)
        """
        check_role(needed)
        return role in ROLES and rank(role) >= rank(needed)
