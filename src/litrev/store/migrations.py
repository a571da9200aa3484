"""Versioned schema migrations.

Each migration is a numbered function that takes a connection inside a transaction. A database
records the versions it has applied in `schema_migrations`; `upgrade` applies the missing ones in
order, all in one transaction, so a failed migration leaves the database as it was.

To change the schema: append a new `Migration` to `MIGRATIONS` (never edit an applied one) and
update `litrev.store.schema` to match.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
)

from litrev.errors import StoreError
from litrev.store import schema, v5_workspace, v6_login_index, v7_extraction, v8_embeddings


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _v1_initial(conn: Connection) -> None:
    # Version 1 is the initial schema; later versions must not rely on `schema.metadata` here,
    # because the metadata follows the newest schema, not version 1.
    names = [
        "records",
        "record_provenance",
        "decisions",
        "audit_log",
    ]
    schema.metadata.create_all(conn, tables=[schema.metadata.tables[n] for n in names])
    # `extractions` as version 1 made it: migration 7 adds columns to it.
    frozen = MetaData()
    Table("records", frozen, Column("id", Integer, primary_key=True))
    extractions = Table(
        "extractions",
        frozen,
        Column("id", Integer, primary_key=True),
        Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
        Column("reviewer", String(128), nullable=False),
        Column("field", String(128), nullable=False),
        Column("value", Text),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    Index("ix_extractions_record", extractions.c.record_id, extractions.c.field)
    frozen.create_all(conn, tables=[extractions])


def _v4_screening(conn: Connection) -> None:
    # Table definitions are frozen here (not taken from `schema.metadata`) so that later
    # schema changes cannot alter what version 4 creates.
    from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table

    frozen = MetaData()
    Table("decisions", frozen, Column("id", Integer, primary_key=True))
    Table(
        "screening_reviewers",
        frozen,
        Column("name", String(128), primary_key=True),
        Column("role", String(32), nullable=False),
        Column("added_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "screening_settings",
        frozen,
        Column("stage", String(32), primary_key=True),
        Column("blind", Integer, nullable=False),
        Column("reviewers_required", Integer, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        Column("updated_by", String(128), nullable=False),
    )
    Table(
        "decision_marks",
        frozen,
        Column("decision_id", Integer, ForeignKey("decisions.id"), primary_key=True),
        Column("resolution", String(32)),
        Column("retracts", Integer, ForeignKey("decisions.id")),
    )
    names = ["screening_reviewers", "screening_settings", "decision_marks"]
    frozen.create_all(conn, tables=[frozen.tables[n] for n in names])


def _v2_record_imports(conn: Connection) -> None:
    # Frozen definition (not `schema.metadata`): later schema changes cannot alter version 2.
    from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, Text

    frozen = MetaData()
    Table(
        "record_imports",
        frozen,
        Column("id", Integer, primary_key=True),
        Column("file", Text, nullable=False),
        Column("sha256", String(64), nullable=False),
        Column("format", String(64), nullable=False),
        Column("encoding", String(32)),
        Column("source_db", Text),
        Column("dialect", String(64)),
        Column("records", Integer, nullable=False),
        Column("skipped", JSON, nullable=False),
        Column("actor", String(128), nullable=False),
        Column("imported_at", DateTime(timezone=True), nullable=False),
    )
    frozen.create_all(conn)


def _v3_dedupe(conn: Connection) -> None:
    # Frozen definitions (not `schema.metadata`): later schema changes cannot alter version 3.
    from sqlalchemy import (
        JSON,
        Column,
        DateTime,
        Float,
        ForeignKey,
        Index,
        Integer,
        MetaData,
        String,
        Table,
        Text,
    )

    frozen = MetaData()
    Table("records", frozen, Column("id", Integer, primary_key=True))
    actions = Table(
        "dedupe_actions",
        frozen,
        Column("id", Integer, primary_key=True),
        Column("kind", String(16), nullable=False),
        Column("actor", String(128), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("settings", JSON, nullable=False),
        Column("summary", JSON, nullable=False),
        Column("undone_at", DateTime(timezone=True)),
        Column("undone_by", String(128)),
    )
    members = Table(
        "duplicate_clusters",
        frozen,
        Column("id", Integer, primary_key=True),
        Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
        Column("cluster_id", Integer, nullable=False),
        Column("action_id", Integer, ForeignKey("dedupe_actions.id"), nullable=False),
        Column("superseded_by", Integer, ForeignKey("dedupe_actions.id")),
    )
    Index("ix_duplicate_clusters_record", members.c.record_id)
    links = Table(
        "duplicate_links",
        frozen,
        Column("id", Integer, primary_key=True),
        Column("record_a", Integer, ForeignKey("records.id"), nullable=False),
        Column("record_b", Integer, ForeignKey("records.id"), nullable=False),
        Column("relation", String(32), nullable=False),
        Column("reason", Text, nullable=False),
        Column("score", Float, nullable=False),
        Column("action_id", Integer, ForeignKey("dedupe_actions.id"), nullable=False),
        Column("superseded_by", Integer, ForeignKey("dedupe_actions.id")),
    )
    Index("ix_duplicate_links_pair", links.c.record_a, links.c.record_b)
    queue = Table(
        "dedupe_queue",
        frozen,
        Column("id", Integer, primary_key=True),
        Column("record_a", Integer, ForeignKey("records.id"), nullable=False),
        Column("record_b", Integer, ForeignKey("records.id"), nullable=False),
        Column("score", Float, nullable=False),
        Column("reason", Text, nullable=False),
        Column("action_id", Integer, ForeignKey("dedupe_actions.id"), nullable=False),
        Column("resolved_by", Integer, ForeignKey("dedupe_actions.id")),
    )
    Index("ix_dedupe_queue_pair", queue.c.record_a, queue.c.record_b)
    Table(
        "dedupe_decisions",
        frozen,
        Column("id", Integer, primary_key=True),
        Column("record_a", Integer, ForeignKey("records.id"), nullable=False),
        Column("record_b", Integer, ForeignKey("records.id"), nullable=False),
        Column("decision", String(16), nullable=False),
        Column("reviewer", String(128), nullable=False),
        Column("note", Text),
        Column("action_id", Integer, ForeignKey("dedupe_actions.id"), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    del actions
    names = ["dedupe_actions", "duplicate_clusters", "duplicate_links", "dedupe_queue",
             "dedupe_decisions"]
    frozen.create_all(conn, tables=[frozen.tables[n] for n in names])


MIGRATIONS: list[Migration] = [
    Migration(1, "initial schema: records, provenance, decisions, extractions, audit log", _v1_initial),
    Migration(2, "records: one row per imported export file (record_imports)", _v2_record_imports),
    Migration(3, "dedupe: actions, duplicate clusters and links, review queue, decisions", _v3_dedupe),
    Migration(4, "screening: reviewers, per-stage settings, decision marks", _v4_screening),
    Migration(5, "workspace: accounts, memberships, sessions, invitations, API tokens, notes, "
              "tags, assignments, full texts, stage gates, idempotency keys", v5_workspace.apply),
    Migration(6, "accounts: index login attempts by remote address", v6_login_index.apply),
    Migration(7, "extraction: repeating groups, quote locations, codebook versions, progress, "
              "reconciliations", v7_extraction.apply),
    Migration(8, "screening: sentence embeddings cached per record", v8_embeddings.apply),
]

HEAD = max(m.version for m in MIGRATIONS)


def current_version(conn: Connection) -> int:
    """Return the newest applied migration, 0 for an empty database."""
    if not inspect(conn).has_table("schema_migrations"):
        return 0
    versions = conn.execute(select(schema.schema_migrations.c.version)).scalars().all()
    return max(versions, default=0)


def upgrade(engine: Engine, target: int = HEAD) -> list[int]:
    """Apply every migration up to `target` that the database lacks; return the versions applied.

    >>> from sqlalchemy import create_engine
    >>> upgrade(create_engine("sqlite://"))
    [1]
    """
    applied: list[int] = []
    with engine.begin() as conn:
        schema.schema_migrations.create(conn, checkfirst=True)
        done = set(conn.execute(select(schema.schema_migrations.c.version)).scalars())
        unknown = done - {m.version for m in MIGRATIONS}
        if unknown:
            raise StoreError(
                f"database has schema versions {sorted(unknown)} that this litrev does not know; "
                "upgrade litrev"
            )
        # Apply every missing version in order (not only those above the newest applied),
        # so that migrations merged from parallel branches all run.
        for migration in sorted(MIGRATIONS, key=lambda m: m.version):
            if migration.version not in done and migration.version <= target:
                migration.apply(conn)
                conn.execute(
                    schema.schema_migrations.insert().values(
                        version=migration.version,
                        description=migration.description,
                        applied_at=datetime.now(UTC),
                    )
                )
                applied.append(migration.version)
    return applied
