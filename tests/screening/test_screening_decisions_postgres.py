"""The same screening workflow on a PostgreSQL team server (bulk RETURNING, marks, audit)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from litrev.examples.reasons import exclusion_reasons
from litrev.screening import Screening, ScreeningError, flow_counts
from litrev.screening.agreement_report import agreement_report
from litrev.screening.decisions import DecisionInput
from litrev.screening.demo import add_records
from litrev.store import Store, schema

POSTGRES_URL = os.environ.get("LITREV_TEST_POSTGRES_URL")

REASONS = exclusion_reasons("coproduction-models")


@pytest.fixture
def store(postgres_store: Store) -> Store:
    return postgres_store


@pytest.mark.postgres
def test_dual_screening_on_postgres(store: Store) -> None:
    add_records(store, 40)
    s = Screening(store, exclusion_reasons=REASONS)
    batch = [
        DecisionInput(
            rid,
            who,
            "title_abstract",
            "include" if rid <= 10 else "exclude",
            None if rid <= 10 else "no-coproduction-model",
        )
        for rid in range(1, 41)
        for who in ("xx", "yy")
    ]
    batch[1] = DecisionInput(1, "yy", "title_abstract", "maybe")
    written = s.decide_many(batch)
    assert [e.id for e in written] == sorted(e.id for e in written)
    with pytest.raises(ScreeningError, match="line 9"):
        s.decide_many(
            [
                DecisionInput(2, "xx", "full_text", "include", line=9),
                DecisionInput(2, "xx", "title_abstract", "perhaps", line=9),
            ]
        )
    s.resolve(1, stage="title_abstract", decision="include", by="zz")
    s.undo(reviewer="yy", stage="title_abstract", record_id=40)
    s.decide(40, reviewer="yy", stage="title_abstract", decision="exclude", reason="1")
    counts = flow_counts(store)
    assert (counts["records_screened"], counts["reports_sought"]) == (40, 10)
    assert counts["title_abstract_excluded"] == 30
    report = agreement_report(s, "title_abstract")
    assert report.pairs[0].stats.n == 40 and len(report.disagreements) == 1
    with store.connect() as conn:
        n_audit = conn.execute(select(func.count()).select_from(schema.audit_log)).scalar_one()
    # 80 decisions + resolution + undo + decision, and three reviewers registered.
    assert n_audit == 80 + 3 + 3
