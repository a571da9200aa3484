"""Parts of a report that come from the protocol, not from field names: which cross-tables to
show, the included studies as citations, and screening agreement per stage and reviewer pair.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pandas as pd

from litrev.extraction.table import Citation
from litrev.protocol import Protocol
from litrev.store import Store
from litrev.synthesis.tables import crosstab, year_crosstab

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


@dataclass(frozen=True)
class CrosstabSpec:
    row: str
    column: str
    title: str
    ordered: bool  # integer and year rows: every value in the range, in order

    @property
    def name(self) -> str:
        return f"{self.row}_by_{self.column}"


def crosstab_specs(protocol: Protocol) -> list[CrosstabSpec]:
    """The cross-tables a report shows: `[report] crosstabs`, else each choice field of the
    codebook by the classification field (or, with no classification, by the first choice field).

    >>> from litrev.protocol import parse_protocol
    >>> p = parse_protocol('''
    ... [review]
    ... id = "x"
    ... title = "x"
    ... [[codebook.fields]]
    ... name = "design"
    ... type = "choice"
    ... choices = ["RCT", "cohort"]
    ... [[codebook.fields]]
    ... name = "setting"
    ... type = "choice"
    ... choices = ["home", "ward"]
    ... ''')
    >>> [s.name for s in crosstab_specs(p)]
    ['setting_by_design']
    """
    codebook = protocol.codebook
    if protocol.report.crosstabs is not None:
        pairs = [tuple(pair) for pair in protocol.report.crosstabs]
    else:
        # Appraisal items have their own summary (litrev.synthesis.appraisal_summary).
        from litrev.synthesis.frequencies import appraisal_field_names

        appraisal = set(appraisal_field_names(protocol))
        choices = [
            f.name for f in codebook.fields if f.type == "choice" and f.name not in appraisal
        ]
        classified = protocol.classification.categories and protocol.classification.field
        by = classified if classified in choices else (choices[0] if choices else None)
        pairs = [(name, by) for name in choices if by is not None and name != by]

    def label(name: str) -> str:
        found = codebook.field(name)
        return (found.label or found.name) if found else name

    specs = []
    for row, column in pairs:
        found = codebook.field(row)
        specs.append(
            CrosstabSpec(
                row,
                column,
                f"{label(row)} × {label(column)}",
                ordered=found is not None and found.type in ("integer", "year"),
            )
        )
    return specs


def _column_values(protocol: Protocol, column: str) -> list[str]:
    if column == protocol.classification.field and protocol.classification.categories:
        return protocol.classification.names
    found = protocol.codebook.field(column)
    return list(found.choices) if found and found.choices else []


def _needs_sets(protocol: Protocol, name: str) -> bool:
    found = protocol.codebook.field(name)
    return found is not None and (
        found.is_multiple
        or bool(found.group)
        or found.type in ("hierarchical", "country")
        or name in protocol.report.levels
    )


def crosstab_table(
    studies: pd.DataFrame,
    spec: CrosstabSpec,
    protocol: Protocol,
    groups: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The counts of one cross-table (any fields; no studies give an empty table with totals).

    A multiple, grouped, country or hierarchical field (at `[report] levels`) is counted as
    sets (`litrev.synthesis.frequencies.set_crosstab`): a study counts once in each cell of its
    values and the totals count studies. `groups` holds each repeating group's rows.
    """
    if _needs_sets(protocol, spec.row) or _needs_sets(protocol, spec.column):
        return _set_crosstab_table(studies, spec, protocol, groups or {})
    frame = studies
    for name in (spec.row, spec.column):
        if name not in frame.columns:
            frame = frame.assign(**{name: None})
    columns = _column_values(protocol, spec.column)
    if spec.ordered:
        return year_crosstab(frame, spec.row, spec.column, columns)
    return crosstab(frame, spec.row, spec.column, columns)


def _set_crosstab_table(
    studies: pd.DataFrame,
    spec: CrosstabSpec,
    protocol: Protocol,
    groups: Mapping[str, pd.DataFrame],
) -> pd.DataFrame:
    from litrev.synthesis.coded import field_values
    from litrev.synthesis.frequencies import set_crosstab, value_order

    def values(name: str) -> tuple[dict[int, list[str]], list[str]]:
        found = protocol.codebook.field(name)
        if found is None:
            return {}, []
        order = value_order(found, protocol.report.levels.get(name))
        return field_values(protocol, studies, found, groups), order

    row_values, row_order = values(spec.row)
    column_values, column_order = values(spec.column)
    if spec.column == protocol.classification.field and protocol.classification.categories:
        column_order = protocol.classification.names
    record_ids = [int(r) for r in studies["record_id"]] if len(studies) else []
    return set_crosstab(
        row_values,
        column_values,
        record_ids,
        row_name=spec.row,
        row_order=row_order,
        column_order=column_order,
        numbered=spec.ordered,
    )


def doi_url(doi: str | None) -> str | None:
    """A https://doi.org/ link for a well-formed DOI; None for anything else (never a
    `javascript:` or other scheme taken from a record).

    >>> doi_url("10.1136/bmj.n71"), doi_url("javascript:alert(1)")
    ('https://doi.org/10.1136/bmj.n71', None)
    """
    if not doi:
        return None
    bare = _DOI_PREFIX.sub("", doi.strip())
    if not _DOI.match(bare):
        return None
    return "https://doi.org/" + quote(bare, safe="/:;()._-")


def included_ids(store: Store, protocol: Protocol, studies: pd.DataFrame) -> list[int]:
    """Every included study: included at full text (screened in litrev, or per an extraction
    table), and every study with extracted data; sorted by record id.

    >>> from litrev.protocol import parse_protocol
    >>> p = parse_protocol('[review]\\nid="x"\\ntitle="x"')
    >>> included_ids(Store.open("sqlite://"), p, pd.DataFrame({"record_id": [4]}))
    [4]
    """
    from litrev.extraction.table import table_included_record_ids
    from litrev.screening.flow import included_record_ids
    from litrev.screening.model import settings_from_protocol

    screened = included_record_ids(
        store,
        exclusion_reasons=protocol.eligibility.exclusion_reasons,
        defaults=settings_from_protocol(protocol),
    )
    with store.connect() as conn:
        tabled = table_included_record_ids(conn)
    extracted = [int(r) for r in studies["record_id"]] if len(studies) else []
    return sorted({*screened, *tabled, *extracted})


def citations(
    studies: pd.DataFrame,
    found: dict[int, Citation],
    record_ids: list[int] | None = None,
    labels: Mapping[int, str] | None = None,
) -> list[dict[str, Any]]:
    """Included studies as reference-list entries: `record_ids` (default: the studies'), each
    with its label (`litrev.synthesis.labels.study_labels`; default: "record N").

    >>> frame = pd.DataFrame({"record_id": [1]})
    >>> c = Citation(("Page, M. J.", "McKenzie, J. E."), 2021, "The PRISMA 2020 statement",
    ...              "BMJ", "10.1136/bmj.n71")
    >>> entry = citations(frame, {1: c}, labels={1: "Page, 2021"})[0]
    >>> entry["label"], entry["authors"], entry["doi_url"]
    ('Page, 2021', 'Page, M. J.; McKenzie, J. E.', 'https://doi.org/10.1136/bmj.n71')
    """
    in_order = [int(r) for r in studies["record_id"]] if len(studies) else []
    extracted = set(in_order)
    wanted = list(dict.fromkeys(in_order)) if record_ids is None else record_ids
    labels = labels or {}
    out = []
    for record_id in wanted:
        citation = found.get(record_id)
        out.append(
            {
                "record_id": record_id,
                "label": labels.get(record_id, f"record {record_id}"),
                "authors": "; ".join(citation.authors) if citation else "",
                "year": citation.year if citation else None,
                "title": citation.title if citation else None,
                "journal": citation.journal if citation else None,
                "doi": citation.doi if citation else None,
                "doi_url": doi_url(citation.doi) if citation else None,
                "extracted": record_id in extracted,
            }
        )
    return out


def agreement_rows(store: Store, protocol: Protocol) -> list[dict[str, Any]]:
    """Cohen's kappa and percent agreement per stage and reviewer pair (independent decisions).

    >>> from litrev.protocol import parse_protocol
    >>> agreement_rows(Store.open("sqlite://"), parse_protocol('[review]\\nid="x"\\ntitle="x"'))
    []
    """
    from litrev.screening.agreement_report import agreement_report
    from litrev.screening.decisions import Screening
    from litrev.screening.model import settings_from_protocol

    screening = Screening(
        store,
        exclusion_reasons=protocol.eligibility.exclusion_reasons,
        defaults=settings_from_protocol(protocol),
    )
    rows = []
    for stage in protocol.screening.stages:
        report = agreement_report(screening, stage, binary=True)
        for pair in report.pairs:
            kappa = pair.stats.kappa
            rows.append(
                {
                    "stage": stage,
                    "reviewers": list(pair.reviewers),
                    "n": pair.stats.n,
                    "percent_agreement": pair.stats.percent,
                    "cohen_kappa": _num(kappa.kappa),
                    # The Wald interval can pass ±1 with few records; kappa cannot.
                    "cohen_kappa_ci95": [_clip(kappa.ci_low), _clip(kappa.ci_high)],
                }
            )
    return rows


def _clip(x: float) -> float | None:
    value = _num(x)
    return None if value is None else max(-1.0, min(1.0, value))


def _num(x: float) -> float | None:
    return None if x != x else round(x, 3)
