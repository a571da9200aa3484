"""Migration 5, the team workspace: accounts, memberships, sessions, invitations, API tokens,
login attempts, notes and tags, work allocation, full texts, stage gates and idempotency keys.

The tables are defined here on a frozen `MetaData` (what version 5 creates never changes);
`litrev.store.schema` copies them into the current schema.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

frozen = MetaData()
_records = Table("records", frozen, Column("id", Integer, primary_key=True))

# Accounts of people who use the web workspace. A server keeps them in one store (its first
# review's, or `litrev serve --accounts URL`); each review's members are `memberships` rows.
users = Table(
    "users",
    frozen,
    Column("username", String(128), primary_key=True),
    Column("display_name", Text),
    Column("password_hash", Text, nullable=False),  # argon2id, never the password
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True)),  # removed users keep their history
)

# Who may do what in which review: role is lead, reviewer or viewer. `project` is the review's
# key (its protocol `review.id`).
memberships = Table(
    "memberships",
    frozen,
    Column("project", String(128), primary_key=True),
    Column("username", String(128), ForeignKey("users.username"), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("added_by", String(128), nullable=False),
)

# Browser sessions: only a hash of the cookie's token is stored, so a copied database cannot
# be used to log in.
web_sessions = Table(
    "web_sessions",
    frozen,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(128), ForeignKey("users.username"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Invitation links to join a review with a role; single use, expiring.
invitations = Table(
    "invitations",
    frozen,
    Column("token_hash", String(64), primary_key=True),
    Column("project", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_by", String(128)),
    Column("used_at", DateTime(timezone=True)),
)

# Per-user tokens for the JSON API (stored hashed, shown once).
api_tokens = Table(
    "api_tokens",
    frozen,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("username", String(128), ForeignKey("users.username"), nullable=False),
    Column("label", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

# Login attempts, for rate limiting and for the lead to see.
login_attempts = Table(
    "login_attempts",
    frozen,
    Column("id", Integer, primary_key=True),
    Column("username", String(128), nullable=False),
    Column("remote", String(64), nullable=False),
    Column("ok", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
Index("ix_login_attempts_user_at", login_attempts.c.username, login_attempts.c.at)

# Notes and tags a reviewer puts on a record (append-only; removal is a marked row). Blind
# mode hides another reviewer's notes and tags exactly as it hides their decisions.
record_notes = Table(
    "record_notes",
    frozen,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("author", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("removed_at", DateTime(timezone=True)),
)
Index("ix_record_notes_record", record_notes.c.record_id)

record_tags = Table(
    "record_tags",
    frozen,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("author", String(128), nullable=False),
    Column("tag", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("removed_at", DateTime(timezone=True)),
)
Index("ix_record_tags_record", record_tags.c.record_id)

# Work allocation: which reviewer is to screen which record at a stage. With no rows for a
# stage, every reviewer may screen every record.
assignments = Table(
    "assignments",
    frozen,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("reviewer", String(128), nullable=False),
    Column("assigned_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("removed_at", DateTime(timezone=True)),
)
Index("ix_assignments_stage_reviewer", assignments.c.stage, assignments.c.reviewer)

# Full-text reports (PDFs) kept in the store, so `litrev db copy` moves them with the review.
fulltexts = Table(
    "fulltexts",
    frozen,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("filename", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content_type", String(128), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("uploaded_by", String(128), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("removed_at", DateTime(timezone=True)),
)
Index("ix_fulltexts_record", fulltexts.c.record_id)

# Stages the lead has opened (or closed again) in the workspace; the first stage is always open.
stage_gates = Table(
    "stage_gates",
    frozen,
    Column("id", Integer, primary_key=True),
    Column("stage", String(32), nullable=False),
    Column("state", String(16), nullable=False),  # open | closed
    Column("actor", String(128), nullable=False),
    Column("note", Text),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Idempotency keys of state-changing requests: a double-submitted form is recorded once. The key
# is written in the same transaction as the decision it made.
idempotency_keys = Table(
    "idempotency_keys",
    frozen,
    Column("key", String(128), primary_key=True),
    Column("username", String(128), nullable=False),
    Column("result", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


TABLES = (
    "users",
    "memberships",
    "web_sessions",
    "invitations",
    "api_tokens",
    "login_attempts",
    "record_notes",
    "record_tags",
    "assignments",
    "fulltexts",
    "stage_gates",
    "idempotency_keys",
)


def apply(conn: Connection) -> None:
    """Create the workspace tables (migration 5)."""
    frozen.create_all(conn, tables=[frozen.tables[name] for name in TABLES])
