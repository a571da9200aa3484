"""Tables of a review database (the current schema, used for queries).

The schema only changes through `litrev.store.migrations`; `tests/test_store.py` checks that
migrating an empty database to the newest version gives exactly these tables and columns.
"""

from __future__ import annotations

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

from litrev.store import v5_workspace, v7_extraction, v8_embeddings

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", Text, nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

# One row per bibliographic record. `fields` keeps every field of the source, known or not,
# so that nothing imported is ever lost; the typed columns are conveniences for queries.
records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text),
    Column("abstract", Text),
    Column("authors", JSON, nullable=False, default=list),
    Column("year", Integer),
    Column("journal", Text),
    Column("doi", String(255)),
    Column("pmid", String(32)),
    Column("fields", JSON, nullable=False, default=dict),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_records_doi", records.c.doi)
Index("ix_records_pmid", records.c.pmid)

# Where each record came from: a record merged from three exports has three rows here.
record_provenance = Table(
    "record_provenance",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("file", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("source_db", Text),
    Column("format", String(64)),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)
Index("ix_provenance_record", record_provenance.c.record_id)

# Append-only: a changed decision is a new row; the latest row per (record, stage, reviewer) wins.
decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("reviewer", String(128), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("reason", Text),
    Column("note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_decisions_record_stage", decisions.c.record_id, decisions.c.stage)

# One value of one codebook field for one record, by one reviewer (or "consensus").
extractions = Table(
    "extractions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("reviewer", String(128), nullable=False),
    Column("field", String(128), nullable=False),
    Column("value", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Migration 7: the row of a repeating group (0 outside any group), where a quote was found,
    # and the codebook version the value was entered under.
    Column("instance", Integer, nullable=False, server_default="0", default=0),
    Column("location", Text),
    Column("codebook_version", Integer),
)
Index("ix_extractions_record", extractions.c.record_id, extractions.c.field)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(64), nullable=False),
    Column("entity", String(64), nullable=False),
    Column("entity_id", Integer),
    Column("detail", JSON, nullable=False, default=dict),
)

# --- Screening (migration 4) ---
# Reviewers who screen; registered on their first decision or by `Screening.add_reviewer`.
screening_reviewers = Table(
    "screening_reviewers",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("role", String(32), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

# Per-stage settings: blind mode and how many independent reviewers each record needs.
screening_settings = Table(
    "screening_settings",
    metadata,
    Column("stage", String(32), primary_key=True),
    Column("blind", Integer, nullable=False),  # 1 = blind
    Column("reviewers_required", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(128), nullable=False),
)

# Marks on rows of `decisions`: a row that resolves a conflict (`resolution` = consensus or
# third_reviewer) and/or a row that retracts (undoes) an earlier row (`retracts`).
decision_marks = Table(
    "decision_marks",
    metadata,
    Column("decision_id", Integer, ForeignKey("decisions.id"), primary_key=True),
    Column("resolution", String(32)),
    Column("retracts", Integer, ForeignKey("decisions.id")),
)

# One row per imported export file: what it was, where it came from, how many records it gave
# and which it skipped. Per-database counts for the PRISMA flow come from here.
record_imports = Table(
    "record_imports",
    metadata,
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


# Deduplication (migration 3). Every change is made by one `dedupe_actions` row (a run, a review
# decision); rows it adds point to it (`action_id`), rows it replaces are marked
# `superseded_by` it. Undoing an action sets its `undone_at`: its rows stop counting and the rows
# it superseded count again. Nothing is deleted, so the history stays complete.
dedupe_actions = Table(
    "dedupe_actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("settings", JSON, nullable=False),
    Column("summary", JSON, nullable=False),
    Column("undone_at", DateTime(timezone=True)),
    Column("undone_by", String(128)),
)

# Membership of records in duplicate clusters; `cluster_id` is the smallest record id in it.
# A record with no current row is a cluster of its own.
duplicate_clusters = Table(
    "duplicate_clusters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("cluster_id", Integer, nullable=False),
    Column("action_id", Integer, ForeignKey("dedupe_actions.id"), nullable=False),
    Column("superseded_by", Integer, ForeignKey("dedupe_actions.id")),
)
Index("ix_duplicate_clusters_record", duplicate_clusters.c.record_id)

# Records linked but not merged: versions of one work (preprint/article, abstract/paper,
# Cochrane updates) and notices (erratum, retraction, comment) of an article.
duplicate_links = Table(
    "duplicate_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_a", Integer, ForeignKey("records.id"), nullable=False),
    Column("record_b", Integer, ForeignKey("records.id"), nullable=False),
    Column("relation", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("action_id", Integer, ForeignKey("dedupe_actions.id"), nullable=False),
    Column("superseded_by", Integer, ForeignKey("dedupe_actions.id")),
)
Index("ix_duplicate_links_pair", duplicate_links.c.record_a, duplicate_links.c.record_b)

# Uncertain pairs waiting for a person (`litrev dedupe review`).
dedupe_queue = Table(
    "dedupe_queue",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_a", Integer, ForeignKey("records.id"), nullable=False),
    Column("record_b", Integer, ForeignKey("records.id"), nullable=False),
    Column("score", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Column("action_id", Integer, ForeignKey("dedupe_actions.id"), nullable=False),
    Column("resolved_by", Integer, ForeignKey("dedupe_actions.id")),
)
Index("ix_dedupe_queue_pair", dedupe_queue.c.record_a, dedupe_queue.c.record_b)

# A person's decision on a pair: "same" or "different". Later runs respect it.
dedupe_decisions = Table(
    "dedupe_decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_a", Integer, ForeignKey("records.id"), nullable=False),
    Column("record_b", Integer, ForeignKey("records.id"), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("reviewer", String(128), nullable=False),
    Column("note", Text),
    Column("action_id", Integer, ForeignKey("dedupe_actions.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


# --- Team workspace (migration 5): defined once in `v5_workspace`, copied here unchanged. ---
# A later change to one of these tables defines its new form here and adds a migration.
users = v5_workspace.users.to_metadata(metadata)
memberships = v5_workspace.memberships.to_metadata(metadata)
web_sessions = v5_workspace.web_sessions.to_metadata(metadata)
invitations = v5_workspace.invitations.to_metadata(metadata)
api_tokens = v5_workspace.api_tokens.to_metadata(metadata)
login_attempts = v5_workspace.login_attempts.to_metadata(metadata)
Index("ix_login_attempts_remote_at", login_attempts.c.remote, login_attempts.c.at)  # migration 6
record_notes = v5_workspace.record_notes.to_metadata(metadata)
record_tags = v5_workspace.record_tags.to_metadata(metadata)
assignments = v5_workspace.assignments.to_metadata(metadata)
fulltexts = v5_workspace.fulltexts.to_metadata(metadata)
stage_gates = v5_workspace.stage_gates.to_metadata(metadata)
idempotency_keys = v5_workspace.idempotency_keys.to_metadata(metadata)

# --- Extraction (migration 7) and the embedding cache (migration 8), copied like migration 5's. ---
codebook_versions = v7_extraction.codebook_versions.to_metadata(metadata)
extraction_progress = v7_extraction.extraction_progress.to_metadata(metadata)
extraction_reconciliations = v7_extraction.extraction_reconciliations.to_metadata(metadata)
record_embeddings = v8_embeddings.record_embeddings.to_metadata(metadata)
