"""Migration 7, structured extraction: repeating groups, quotes with their location, codebook
versions, each extractor's progress, and reconciliations.

* `extractions` gains `instance` (the row of a repeating group: 0 for fields outside any group,
  1, 2, ... for a group's rows), `location` (where a quote was found: "p. 5", "Results") and
  `codebook_version` (the codebook version the value was entered under).
* `codebook_versions`: every distinct codebook a review has used, so a change mid-review is
  detected and the values entered under the old one are migrated or flagged, never dropped.
* `extraction_progress`: whether an extractor has finished a record (the web form autosaves
  partial work; "complete" is a separate, checked step).
* `extraction_reconciliations`: who settled which field of which record, to what, from whose
  values, and why. The agreed value itself is an `extractions` row by "consensus".

Extraction assignments reuse migration 5's `assignments` table with stage "extraction".
The new tables are defined on a frozen `MetaData`; `litrev.store.schema` copies them.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

frozen = MetaData()
_records = Table("records", frozen, Column("id", Integer, primary_key=True))

codebook_versions = Table(
    "codebook_versions",
    frozen,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False, unique=True),
    Column("digest", String(64), nullable=False),  # sha256 of the codebook's canonical JSON
    Column("codebook", Text, nullable=False),  # that JSON
    Column("created_at", DateTime(timezone=True), nullable=False),
)

extraction_progress = Table(
    "extraction_progress",
    frozen,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("reviewer", String(128), nullable=False),
    Column("state", String(16), nullable=False),  # "in_progress" | "complete"
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("record_id", "reviewer", name="uq_extraction_progress_record_reviewer"),
)

extraction_reconciliations = Table(
    "extraction_reconciliations",
    frozen,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("field", String(128), nullable=False),
    Column("instance", Integer, nullable=False, default=0),
    Column("value", Text),
    Column("location", Text),
    Column("method", String(32), nullable=False),  # "agreed" | "chose" | "edited"
    Column("chosen_from", String(128)),  # the extractor whose value was taken, if one was
    Column("sources", Text, nullable=False),  # JSON {extractor: value} at the time
    Column("decided_by", String(128), nullable=False),
    Column("reason", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index(
    "ix_extraction_reconciliations_record",
    extraction_reconciliations.c.record_id,
    extraction_reconciliations.c.field,
)

_NEW_COLUMNS = (
    "ALTER TABLE extractions ADD COLUMN instance INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE extractions ADD COLUMN location TEXT",
    "ALTER TABLE extractions ADD COLUMN codebook_version INTEGER",
)


def apply(conn: Connection) -> None:
    """Add the extraction columns and tables (migration 7)."""
    for statement in _NEW_COLUMNS:
        conn.execute(text(statement))
    frozen.create_all(
        conn,
        tables=[codebook_versions, extraction_progress, extraction_reconciliations],
    )
