"""Everything a report shows, computed once from a review project: `compute_results(project)`."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

import pandas as pd

from litrev.dedupe.persist import duplicates_removed
from litrev.dedupe.persist import history as dedupe_history
from litrev.extraction import CONSENSUS, studies_frame, table_included_record_ids
from litrev.project import Project
from litrev.protocol import Protocol
from litrev.records.importer import identification_counts
from litrev.screening.flow import flow_counts
from litrev.store import Store
from litrev.synthesis.audit import MISMATCH, AuditEntry, run_audit
from litrev.synthesis.claims import Claim, load_claims
from litrev.synthesis.flow import Flow, FlowData, compute_flow
from litrev.synthesis.tables import (
    STUDY_LABEL_FIELDS,
    CategoryCount,
    category_counts,
    crosstab,
    study_label,
    year_crosstab,
)

RESULTS_SCHEMA_VERSION = 1


def report_date() -> dt.date:
    """Today, or the date of `SOURCE_DATE_EPOCH` (the reproducible-builds convention) when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def flow_data(store: Store, protocol: Protocol) -> FlowData:
    """The flow counts the store's records and decisions can give (None where it holds none).

    Identification comes from imported exports, duplicates from deduplication runs, screening
    from screening decisions. A review screened elsewhere (only an extraction table imported)
    gets its included count from the extraction table's final decisions.
    """
    data = FlowData(identified_by_database=identification_counts(store))
    if dedupe_history(store):
        data.duplicates_removed = duplicates_removed(store)
    screening = flow_counts(store, protocol=protocol)
    if screening["records_screened"] is not None:
        data.records_screened = screening["records_screened"]
        data.title_abstract_excluded = screening["title_abstract_excluded"]
        data.reports_sought = screening["reports_sought"]
        data.full_text_assessed = screening["full_text_assessed"]
        data.full_text_excluded_reasons = screening["full_text_excluded_reasons"]
        data.included = screening["included"]
    else:
        with store.connect() as conn:
            included = table_included_record_ids(conn)
        data.included = len(included) if included else None
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


def supplementary_table(rows: pd.DataFrame, protocol: Protocol, category: str) -> dict[str, Any]:
    """One category's studies as a table: a study label, then every other codebook field."""
    classification = protocol.classification
    label = next((c for c in classification.categories if c.name == category), None)
    fields = [
        f
        for f in protocol.codebook.fields
        if f.name not in STUDY_LABEL_FIELDS and f.name != classification.field
    ]
    title = f"{(label.table if label and label.table else 'Table')}: "
    title += f"{(label.label if label and label.label else category)} (n={len(rows)})"
    return {
        "title": title,
        "columns": ["Study", *[f.label or f.name for f in fields]],
        "rows": [
            [
                study_label(row),
                *["" if pd.isna(row.get(f.name)) else str(row.get(f.name)) for f in fields],
            ]
            for _, row in rows.iterrows()
        ],
    }


def compute_results(project: Project, *, reviewer: str = CONSENSUS) -> Results:
    """Compute counts, tables, the flow and the audit of a review project."""
    protocol = project.protocol
    field = protocol.classification.field
    studies = studies_frame(project.store, protocol.codebook, reviewer=reviewer)
    if field not in studies.columns:
        studies[field] = None
    categories = category_counts(studies, field, protocol.classification.names)
    flow = compute_flow(protocol, flow_data(project.store, protocol))
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
    supplementary = [
        supplementary_table(studies[studies[field] == category.name], protocol, category.name)
        for category in protocol.classification.categories
    ]
    return Results(
        project, report_date(), studies, categories, flow, claims, audit, tables, supplementary
    )
