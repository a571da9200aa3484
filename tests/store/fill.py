"""A review store with rows in every table, built with the stage APIs where they exist."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from litrev.store import Store, schema

DATA = Path(__file__).resolve().parents[1] / "records" / "data"
# Bytes a PDF parser would see: header, binary marker, NUL and high bytes, no valid UTF-8.
PDF_BYTES = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00\xff\xfe\nendobj\n%%EOF\n"
)


def fill_store(store: Store) -> None:
    """Import two real exports, deduplicate, screen (conflict, resolution, undo), extract, and
    add one or more rows to every workspace table."""
    from litrev.dedupe import persist
    from litrev.records.importer import import_files
    from litrev.screening import ExclusionReason, Screening

    files = ["pubmed.ris", "scopus.csv", "cochrane-central.ris", "ovid-embase.ris", "zotero.ris"]
    import_files(store, [DATA / name for name in files], actor="ana")
    persist.run(store, actor="ana")
    with store.connect() as conn:
        ids = list(
            conn.execute(select(schema.records.c.id).order_by(schema.records.c.id)).scalars()
        )
    assert len(ids) >= 4
    persist.decide(store, ids[0], ids[1], "different", reviewer="ana", note="two trials")
    if not persist.open_queue(store):
        with store.transaction() as conn:
            action = conn.execute(select(func.max(schema.dedupe_actions.c.id))).scalar_one()
            conn.execute(
                schema.dedupe_queue.insert().values(
                    record_a=ids[2],
                    record_b=ids[3],
                    score=0.71,
                    reason="similar titles",
                    action_id=action,
                )
            )
            conn.execute(
                schema.duplicate_links.insert().values(
                    record_a=ids[2],
                    record_b=ids[3],
                    relation="erratum",
                    reason="notice",
                    score=0.93,
                    action_id=action,
                )
            )
            conn.execute(
                schema.duplicate_clusters.insert().values(
                    record_id=ids[3], cluster_id=ids[2], action_id=action
                )
            )

    reasons = [ExclusionReason("wrong-design", "Not a trial")]
    screening = Screening(store, exclusion_reasons=reasons)
    screening.add_reviewer("carol", role="third_reviewer")
    screening.configure("title_abstract", by="ana", blind=True, reviewers_required=2)
    screening.decide(ids[2], reviewer="ana", stage="title_abstract", decision="include")
    screening.decide(
        ids[2], reviewer="bob", stage="title_abstract", decision="exclude", reason="wrong-design"
    )
    screening.resolve(ids[2], stage="title_abstract", decision="include", by="carol")
    screening.decide(ids[0], reviewer="ana", stage="title_abstract", decision="maybe", note="ask")
    screening.undo(reviewer="ana", stage="title_abstract", record_id=ids[0])

    at = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)  # a DST change night in Europe
    later = at + timedelta(days=14)
    with store.transaction() as conn:
        conn.execute(
            schema.extractions.insert(),
            [
                {
                    "record_id": ids[2],
                    "reviewer": "consensus",
                    "field": "country",
                    "value": "Côte d'Ivoire; 日本",
                    "created_at": at,
                },
                {
                    "record_id": ids[2],
                    "reviewer": "ana",
                    "field": "notes",
                    "value": None,
                    "created_at": at,
                    "instance": 3,
                    "location": "Table 2",
                    "codebook_version": 1,
                },
            ],
        )
        conn.execute(
            schema.users.insert(),
            [
                {
                    "username": "ana",
                    "display_name": "Ana Ñúñez",
                    "password_hash": "$argon2id$v=19$x",
                    "created_at": at,
                },
                {
                    "username": "Bob",
                    "display_name": None,
                    "password_hash": "$argon2id$v=19$y",
                    "created_at": at,
                    "disabled_at": later,
                },
                {
                    "username": "_zed",
                    "display_name": "Zed",
                    "password_hash": "$argon2id$v=19$z",
                    "created_at": at,
                },
            ],
        )
        conn.execute(
            schema.memberships.insert(),
            [
                {
                    "project": "rev-b",
                    "username": "ana",
                    "role": "lead",
                    "added_at": at,
                    "added_by": "ana",
                },
                {
                    "project": "rev-a",
                    "username": "Bob",
                    "role": "viewer",
                    "added_at": at,
                    "added_by": "ana",
                },
                {
                    "project": "rev-a",
                    "username": "_zed",
                    "role": "reviewer",
                    "added_at": at,
                    "added_by": "ana",
                },
            ],
        )
        conn.execute(
            schema.web_sessions.insert().values(
                token_hash="a" * 64,
                username="ana",
                csrf_token="c" * 64,
                created_at=at,
                expires_at=later,
            )
        )
        conn.execute(
            schema.invitations.insert().values(
                token_hash="b" * 64,
                project="rev-a",
                role="reviewer",
                created_by="ana",
                created_at=at,
                expires_at=later,
                used_by="_zed",
                used_at=later,
            )
        )
        conn.execute(
            schema.api_tokens.insert().values(
                token_hash="d" * 64, username="ana", label="laptop", created_at=at
            )
        )
        conn.execute(
            schema.login_attempts.insert().values(username="Bob", remote="::1", ok=0, at=at)
        )
        conn.execute(
            schema.record_notes.insert().values(
                record_id=ids[2],
                stage="title_abstract",
                author="ana",
                text="<script>alert(1)</script> keep\nverbatim",
                created_at=at,
            )
        )
        conn.execute(
            schema.record_tags.insert().values(
                record_id=ids[2],
                stage="title_abstract",
                author="bob",
                tag="rct?",
                created_at=at,
                removed_at=later,
            )
        )
        conn.execute(
            schema.assignments.insert().values(
                record_id=ids[0],
                stage="title_abstract",
                reviewer="ana",
                assigned_by="ana",
                created_at=at,
            )
        )
        conn.execute(
            schema.fulltexts.insert().values(
                record_id=ids[2],
                filename="smith 2020 (final).pdf",
                sha256="e" * 64,
                content_type="application/pdf",
                size=len(PDF_BYTES),
                data=PDF_BYTES,
                uploaded_by="ana",
                uploaded_at=at,
            )
        )
        conn.execute(
            schema.stage_gates.insert().values(
                stage="full_text", state="open", actor="ana", note=None, at=later
            )
        )
        conn.execute(
            schema.idempotency_keys.insert().values(
                key="k-1",
                username="ana",
                result={"decision": 7, "nested": {"b": [1.5, None, "é"], "a": True}},
                created_at=at,
            )
        )
        conn.execute(
            schema.codebook_versions.insert().values(
                version=1, digest="0" * 64, codebook='{"fields": [{"name": "país"}]}', created_at=at
            )
        )
        conn.execute(
            schema.extraction_progress.insert().values(
                record_id=ids[2], reviewer="ana", state="complete", updated_at=later
            )
        )
        conn.execute(
            schema.extraction_reconciliations.insert().values(
                record_id=ids[2],
                field="country",
                instance=2,
                value="Côte d'Ivoire",
                location="p. 5",
                method="chose",
                chosen_from="ana",
                sources='{"ana": "Côte d\'Ivoire", "bo": "Ivory Coast"}',
                decided_by="ana",
                reason="the paper's own spelling",
                created_at=later,
            )
        )
        conn.execute(
            schema.record_embeddings.insert().values(
                record_id=ids[2],
                model="all-MiniLM-L6-v2",
                text_digest="f" * 64,
                dimensions=2,
                vector=b"\x00\x00\x80\x3f\x00\x00\x00\xc0",
                created_at=at,
            )
        )


def raw_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every schema table as SQLite holds it (text, blobs), in primary-key order."""
    conn = sqlite3.connect(path)
    try:
        out = {}
        for table in schema.metadata.sorted_tables:
            if table.name == "schema_migrations":
                continue
            keys = ", ".join(c.name for c in table.primary_key.columns)
            out[table.name] = conn.execute(f"SELECT * FROM {table.name} ORDER BY {keys}").fetchall()
        return out
    finally:
        conn.close()
