"""Migration 8: sentence embeddings cached per record, so each record is embedded once.

A row is one record's vector under one model, keyed by a digest of the text that was embedded:
when a record's title or abstract changes (a merge, a corrected import) the digest no longer
matches and the vector is computed again. `vector` holds float32 values, little-endian.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

frozen = MetaData()
_records = Table("records", frozen, Column("id", Integer, primary_key=True))

record_embeddings = Table(
    "record_embeddings",
    frozen,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("model", String(128), nullable=False),
    Column("text_digest", String(64), nullable=False),  # sha256 of the embedded text
    Column("dimensions", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),  # float32, little-endian
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("record_id", "model", name="uq_record_embeddings_record_model"),
)


def apply(conn: Connection) -> None:
    """Create the embedding cache (migration 8)."""
    frozen.create_all(conn, tables=[record_embeddings])
