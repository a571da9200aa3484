"""Everything a report shows, computed once from a review project: `compute_results(project)`.

`flow_data` (the store's PRISMA counts) lives in `litrev.synthesis.prisma.flow_data`; it is
imported here too, where it used to be.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from litrev.extraction import CONSENSUS, studies_frame
from litrev.extraction.table import record_citations, unreconciled_records
from litrev.extraction.versions import Misfit, misfits, sync_codebook
from litrev.project import Project
from litrev.protocol import Protocol
from litrev.synthesis.coded import CodedParts, coded_parts, group_rows, needed_groups
from litrev.synthesis.frequencies import appraisal_field_names
from litrev.synthesis.labels import label_field_names, row_labels, study_labels
from litrev.synthesis.prisma.flow import Flow, compute_flow
from litrev.synthesis.prisma.flow_data import flow_data
from litrev.synthesis.report.audit import AGREES, MISMATCH, AuditEntry, run_audit
from litrev.synthesis.report.claims import Claim, load_claims
from litrev.synthesis.report.display import NOT_STATED_CELL
from litrev.synthesis.report.parts import (
    agreement_rows,
    citations,
    crosstab_specs,
    crosstab_table,
    included_ids,
)
from litrev.synthesis.tables import CategoryCount, category_counts

RESULTS_SCHEMA_VERSION = 1


def report_date() -> dt.date:
    """Today, or the date of `SOURCE_DATE_EPOCH` (the reproducible-builds convention) when set."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        from litrev.synthesis.ooxml import document_time  # checks it: a bad value is named

        return document_time().date()
    return dt.date.today()


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
    table_titles: dict[str, str] = field(default_factory=dict)
    ordered_tables: set[str] = field(default_factory=set)  # whole-number rows (years)
    citations: list[dict[str, Any]] = field(default_factory=list)
    agreement: list[dict[str, Any]] = field(default_factory=list)
    unreconciled: dict[int, list[str]] = field(default_factory=dict)
    extraction_mode: str = "dual"
    # Frequencies, counts over time, quality appraisal and themes (litrev.synthesis.coded).
    coded: CodedParts | None = None

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
            "flow": {
                **self.flow.as_dict(),
                "reason_labels": {
                    code: self.flow.label(code)
                    for code in {
                        *self.flow.full_text_excluded_reasons,
                        *self.flow.other.full_text_excluded_reasons,
                    }
                },
            },
            "tables": {name: _table_json(table) for name, table in self.tables.items()},
            "included_studies": self.citations,
            "agreement": self.agreement,
            "extraction": {
                "mode": self.extraction_mode,
                "unreconciled": [
                    {"record_id": r, "reviewers": who} for r, who in self.unreconciled.items()
                ],
            },
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
            # Added in schema version 1 (readers of the keys above are unaffected).
            **(_coded_json(self.coded) if self.coded is not None else {}),
        }


def _coded_json(coded: CodedParts) -> dict[str, Any]:
    return {
        "frequencies": {t.field: t.as_json() for t in coded.frequencies},
        "timeline": coded.timeline.as_json() if coded.timeline else None,
        "appraisal": coded.appraisal.as_json(),
        "themes": coded.themes.as_json(),
        "theme_references": coded.themes.references,
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


def supplementary_table(
    rows: pd.DataFrame,
    protocol: Protocol,
    category: str,
    labels: Mapping[int, str] | None = None,
    *,
    fields: Sequence[str] | None = None,
) -> dict[str, Any]:
    """One category's studies as a table: a study label (`labels`, by record id), then every
    codebook field that is neither in the label templates nor the classification field (or the
    codebook fields named in `fields`, in that order).

    >>> from litrev.protocol import parse_protocol
    >>> p = parse_protocol('[review]\\nid="x"\\ntitle="x"\\n[codebook]\\n[[codebook.fields]]\\n'
    ...                    'name="lead"\\n[[codebook.fields]]\\nname="setting"\\n'
    ...                    '[report]\\nstudy_label="{lead}"')
    >>> table = supplementary_table(pd.DataFrame({"record_id": [3], "lead": ["Ito"],
    ...                             "setting": ["home"]}), p, "x", {3: "Ito"})
    >>> table["columns"], table["rows"]
    (['Study', 'setting'], [['Ito', 'home']])
    """
    classification = protocol.classification
    label = next((c for c in classification.categories if c.name == category), None)
    # Appraisal items are summarised by item (litrev.synthesis.appraisal_summary), not tabled.
    in_label = set(label_field_names(protocol)) | set(appraisal_field_names(protocol))
    shown_fields = (
        [
            f
            for f in protocol.codebook.fields
            if f.name not in in_label and f.name != classification.field
        ]
        if fields is None
        else [f for name in fields if (f := protocol.codebook.field(name)) is not None]
    )
    title = f"{(label.table if label and label.table else 'Table')}: "
    title += f"{(label.label if label and label.label else category)} (n={len(rows)})"
    return {
        "title": title,
        "columns": ["Study", *[f.label or f.name for f in shown_fields]],
        "rows": [
            [shown, *[_cell(row.get(f.name), f.type) for f in shown_fields]]
            for shown, (_, row) in zip(row_labels(rows, labels or {}), rows.iterrows(), strict=True)
        ],
    }


def _cell(value: object, kind: str) -> str:
    """A supplementary-table cell: "—" when blank (an empty cell reads as a fault), multi-choice
    values as `a; b`.

    >>> _cell(None, "number"), _cell("", "text"), _cell("a;b", "multi_choice")
    ('—', '—', 'a; b')
    """
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return NOT_STATED_CELL
    text = str(value).strip()
    if not text:
        return NOT_STATED_CELL
    if kind == "multi_choice":
        return "; ".join(part.strip() for part in text.split(";") if part.strip())
    return text


def misfit_entries(found: Sequence[Misfit]) -> list[AuditEntry]:
    """Audit entries for stored values the codebook no longer accepts (`litrev codebook check`
    lists the same): one finding each, or one agreeing check when there are none.

    >>> misfit_entries([])[0].status
    'agrees'
    """
    if not found:
        return [
            AuditEntry(
                id="codebook-fit",
                kind="data-quality",
                status=AGREES,
                claim="Every stored extraction value fits the codebook",
                stated=None,
                computed=0,
                sentence="",
                explanation="no stored value is refused by the current codebook",
            )
        ]
    return [
        AuditEntry(
            id=f"codebook-misfit-{m.record_id}-{m.reviewer}-{m.field}-{m.instance}",
            kind="data-quality",
            status=MISMATCH,
            claim="Every stored extraction value fits the codebook",
            stated=m.value,
            computed=None,
            sentence="",
            explanation=(
                f"record {m.record_id}, {m.reviewer}, {m.field}"
                + (f" (row {m.instance})" if m.instance else "")
                + f": {m.problem}; the value is kept (litrev codebook check lists them)"
            ),
        )
        for m in found
    ]


def compute_results(project: Project, *, reviewer: str | None = None) -> Results:
    """Compute counts, tables, the flow and the audit of a review project.

    `reviewer` picks whose extraction to read; by default the protocol decides: the consensus
    for `[extraction] mode = "dual"`, every reviewer's (consensus first) for "single".
    """
    protocol = project.protocol
    mode = protocol.extraction.mode
    if reviewer is None and mode == "dual":
        reviewer = CONSENSUS
    field_name = protocol.classification.field
    # Values of fields renamed with `renamed_from` move to the new name before anything is read
    # (the commands that write extractions record codebook versions; otherwise the report
    # writes nothing). Values that no longer fit are audit findings, never dropped.
    if any(f.renamed_from for f in protocol.codebook.fields):
        sync_codebook(project.store, protocol.codebook, actor="litrev report")
    studies = studies_frame(project.store, protocol.codebook, reviewer=reviewer)
    if field_name and field_name not in studies.columns:
        studies[field_name] = None
    classified = bool(protocol.classification.categories) or (
        bool(field_name) and protocol.codebook.field(field_name) is not None
    )
    # A review with no classification has no categories: not one "(not stated)" holding all.
    categories = (
        category_counts(studies, field_name, protocol.classification.names) if classified else []
    )
    flow = compute_flow(protocol, flow_data(project.store, protocol))
    claims = load_claims(project.root)
    included = included_ids(project.store, protocol, studies)
    found = record_citations(project.store, included)
    labels = study_labels(studies, protocol, found, included)
    audit = run_audit(claims, studies, flow, protocol, categories, labels)
    audit += misfit_entries(misfits(project.store, protocol.codebook))
    tables: dict[str, pd.DataFrame] = {}
    titles: dict[str, str] = {}
    ordered: set[str] = set()
    specs = crosstab_specs(protocol)
    groups = group_rows(
        project, needed_groups(protocol, [n for s in specs for n in (s.row, s.column)])
    )
    for spec in specs:
        tables[spec.name] = crosstab_table(studies, spec, protocol, groups)
        titles[spec.name] = spec.title
        if spec.ordered:
            ordered.add(spec.name)
    supplementary = [
        supplementary_table(studies[studies[field_name] == c.name], protocol, c.name, labels)
        for c in protocol.classification.categories
    ]
    return Results(
        project,
        report_date(),
        studies,
        categories,
        flow,
        claims,
        audit,
        tables,
        supplementary,
        table_titles=titles,
        ordered_tables=ordered,
        citations=citations(studies, found, included, labels),
        agreement=agreement_rows(project.store, protocol),
        unreconciled=unreconciled_records(project.store) if reviewer == CONSENSUS else {},
        extraction_mode=mode,
        coded=coded_parts(project, studies, included, labels, groups),
    )
