"""Everything a report shows, computed once from a review project: `compute_results(project)`."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import distinct, func, or_, select

from litrev.extraction import CONSENSUS, included_record_ids, studies_frame
from litrev.project import Project
from litrev.store import Store, schema
from litrev.synthesis.audit import MISMATCH, AuditEntry, run_audit
from litrev.synthesis.claims import Claim, load_claims
from litrev.synthesis.flow import Flow, FlowData, compute_flow
from litrev.synthesis.tables import CategoryCount, category_counts, crosstab, year_crosstab

RESULTS_SCHEMA_VERSION = 1
EXTRACTION_TABLE_FORMAT = "extraction-table"


def report_date() -> dt.date:
    """Today, or the date of `SOURCE_DATE_EPOCH` (the reproducible-builds convention) when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def flow_data(store: Store) -> FlowData:
    """The flow counts the store's records and decisions can give (None where it holds none)."""
    provenance, decisions = schema.record_provenance, schema.decisions
    with store.connect() as conn:
        identified = {
            source: n
            for source, n in conn.execute(
                select(provenance.c.source_db, func.count(distinct(provenance.c.record_id)))
                .where(
                    or_(
                        provenance.c.format.is_(None),
                        provenance.c.format != EXTRACTION_TABLE_FORMAT,
                    )
                )
                .group_by(provenance.c.source_db)
            )
        }
        screened = conn.execute(
            select(func.count(distinct(decisions.c.record_id))).where(
                decisions.c.stage == "title_abstract"
            )
        ).scalar_one()
        included = included_record_ids(conn)
    data = FlowData(
        identified_by_database={str(k or "unknown source"): int(v) for k, v in identified.items()}
    )
    if screened:
        data.records_screened = int(screened)
    if included:
        data.included = len(included)
    return data


@dataclass
class Results:
    project: Project
    generated_on: dt.date
    studies: pd.DataFrame
    categories: list[CategoryCount]
    flow: Flow
    claims: list[Claim]
    audit: list[AuditEntry]
    tables: dict[str, pd.DataFrame]
    supplementary: list[dict[str, Any]]

    @property
    def mismatches(self) -> list[AuditEntry]:
        return [entry for entry in self.audit if entry.status == MISMATCH]

    def as_json(self) -> dict[str, Any]:
        """The documented `results.json` document (schema version 1; see the README)."""
        protocol = self.project.protocol
        return {
            "schema_version": RESULTS_SCHEMA_VERSION,
            "generated_on": self.generated_on.isoformat(),
            "review": {
                "id": protocol.review.id,
                "title": protocol.review.title,
                "type": protocol.review.type,
            },
            "studies": len(self.studies),
            "categories": {
                c.name: {"n": c.n, "percent": c.percent, "percent_exact": c.percent_exact}
                for c in self.categories
            },
            "flow": self.flow.as_dict(),
            "tables": {name: _table_json(table) for name, table in self.tables.items()},
            "searches": [
                {
                    "database": s.database,
                    "platform": s.platform,
                    "dialect": s.dialect,
                    "date": s.date.isoformat() if s.date else None,
                    "hits": s.hits,
                    "limits": s.limits,
                }
                for s in protocol.searches
            ],
            "audit": [_audit_json(e) for e in self.mismatches],
            "checks": [_audit_json(e) for e in self.audit],
        }


def _audit_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "status": entry.status,
        "claim": entry.claim,
        "stated": entry.stated,
        "computed": entry.computed,
        "sentence": entry.sentence,
        "explanation": entry.explanation,
    }


def _table_json(table: pd.DataFrame) -> dict[str, dict[str, int]]:
    return {
        str(row): {str(col): int(v) for col, v in values.items()}
        for row, values in table.iterrows()
    }


def compute_results(project: Project, *, reviewer: str = CONSENSUS) -> Results:
    """Compute counts, tables, the flow and the audit of a review project."""
    protocol = project.protocol
    field = protocol.classification.field
    studies = studies_frame(project.store, protocol.codebook, reviewer=reviewer)
    if field not in studies.columns:
        studies[field] = None
    categories = category_counts(studies, field, protocol.classification.names)
    flow = compute_flow(protocol, flow_data(project.store))
    claims = load_claims(project.root)
    audit = run_audit(claims, studies, flow, protocol, categories)
    columns = protocol.classification.names
    tables: dict[str, pd.DataFrame] = {}
    for row_field, name in (
        ("discipline", "discipline_by_category"),
        ("country", "country_by_category"),
    ):
        if row_field in studies.columns:
            tables[name] = crosstab(studies, row_field, field, columns)
    if "year" in studies.columns:
        tables["year_by_category"] = year_crosstab(studies, "year", field, columns)
    supplementary = []
    for category in protocol.classification.categories:
        rows = studies[studies[field] == category.name]
        supplementary.append(
            {
                "category": category,
                "title": f"{category.table or 'Table'}: {category.label or category.name} (n={len(rows)})",
                "rows": rows.to_dict(orient="records"),
            }
        )
    return Results(
        project, report_date(), studies, categories, flow, claims, audit, tables, supplementary
    )
