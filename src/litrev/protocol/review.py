"""The review, its searches, eligibility, screening and reported-flow tables of `litrev.toml`."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from litrev.protocol._base import ReviewType, Stage, _Strict, repeated


class ReviewInfo(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    type: ReviewType = "systematic"
    question: str = ""
    summary: str = ""
    source: str = ""
    authors: list[str] = []


class GenericSearch(_Strict):
    canonical: str = (
        ""  # the strategy in litrev's own dialect, from which each database's is generated
    )
    generic: str = ""
    fields_text: str = ""
    source: str = ""


SearchKind = Literal["database", "register", "other"]

#: The search dialects `[[searches]] dialect` may name: the keys of
#: `litrev.search.dialects.DIALECTS` (kept here so reading a protocol loads no search code;
#: a test checks the two lists agree).
DIALECT_NAMES: tuple[str, ...] = (
    "pubmed", "ovid", "ebsco", "proquest", "scopus", "wos", "cochrane", "embase",
    "europepmc", "openalex", "litrev",
)  # fmt: skip


class DatabaseSearch(_Strict):
    database: str
    platform: str = ""
    dialect: str = ""
    # Where PRISMA 2020 puts its records: databases and registers (left column) or other methods
    # (right column; `method` says which, e.g. "hand search", "citation search", "website").
    kind: SearchKind = "database"
    method: str = ""
    # Other names an import's source may carry for this search (litrev.records.sources).
    aliases: list[str] = []
    date: dt.date | None = None
    hits: int | None = Field(default=None, ge=0)
    strategy: str = ""
    limits: list[str] = []
    limits_text: str = ""

    @field_validator("dialect")
    @classmethod
    def _known_dialect(cls, value: str) -> str:
        # An unknown dialect used to leave the strategy unread with only a search note.
        if value and value.lower() not in DIALECT_NAMES:
            raise ValueError(
                f"unknown search dialect {value!r}; expected one of {', '.join(DIALECT_NAMES)}"
                " (or leave it out)"
            )
        return value.lower()


class ExclusionReason(_Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    label: str
    stages: list[Stage] = ["title_abstract", "full_text"]
    # The report could not be obtained: PRISMA counts it as "not retrieved", not as excluded.
    not_retrieved: bool = False


class Eligibility(_Strict):
    inclusion: list[str] = []
    exclusion_reasons: list[ExclusionReason] = []

    @model_validator(mode="after")
    def _unique_codes(self) -> Eligibility:
        codes = [reason.code for reason in self.exclusion_reasons]
        twice = repeated(codes)
        if twice:
            raise ValueError(f"exclusion reason codes must be unique; repeated: {twice}")
        return self


class Screening(_Strict):
    stages: list[Stage] = ["title_abstract", "full_text"]
    reviewers: list[str] = []
    mode: Literal["single", "dual"] = "dual"
    quality_appraisal: bool = False
    note: str = ""
    # Words to mark while screening (`*` wildcard): ones that suggest inclusion, and exclusion.
    highlight_include: list[str] = []
    highlight_exclude: list[str] = []


class DedupeSettings(_Strict):
    """`[dedupe]`: the review's deduplication setting (command-line flags override it)."""

    threshold: float | None = Field(default=None, gt=0, le=1)
    merge_versions: bool = False


class ReportedOtherMethods(_Strict):
    """`[flow.other_methods]`: reported counts of the "other methods" column of PRISMA 2020."""

    reports_sought: int | None = Field(default=None, ge=0)
    reports_not_retrieved: int | None = Field(default=None, ge=0)
    full_text_assessed: int | None = Field(default=None, ge=0)
    full_text_excluded: dict[str, int] = {}
    included: int | None = Field(default=None, ge=0)


class PreviousVersion(_Strict):
    """`[flow.previous]`: what the previous version of an updated review included."""

    studies: int | None = Field(default=None, ge=0)
    reports: int | None = Field(default=None, ge=0)


#: Optional PRISMA 2020 boxes and lines `[flow] skip` may leave out.
FlowSkip = Literal[
    "duplicates",
    "automation",
    "other_removed",
    "reports_not_retrieved",
    "included_reports",
]

#: The counts `[flow.overrides]` may replace (names of `litrev.synthesis.prisma.flow.Flow` counts;
#: `other.NAME` for the other-methods column). Records identified are not among them: the
#: diagram shows them per source, from `[[searches]]` (imported records, else `hits`).
FLOW_OVERRIDABLE: tuple[str, ...] = (
    "duplicates_removed",
    "automation_removed",
    "other_removed",
    "records_screened",
    "title_abstract_excluded",
    "reports_sought",
    "reports_not_retrieved",
    "full_text_assessed",
    "full_text_excluded",
    "included",
    "included_reports",
    "other.reports_sought",
    "other.reports_not_retrieved",
    "other.full_text_assessed",
    "other.full_text_excluded",
)


class ReportedFlow(_Strict):
    """Counts a team reports for stages whose records are not held in `litrev.db`.

    A count left out is "not reported", never zero: the PRISMA flow and the audit say so.
    """

    duplicates_removed: int | None = Field(default=None, ge=0)
    automation_removed: int | None = Field(default=None, ge=0)
    other_removed: int | None = Field(default=None, ge=0)
    records_screened: int | None = Field(default=None, ge=0)
    title_abstract_excluded: int | None = Field(default=None, ge=0)
    reports_sought: int | None = Field(default=None, ge=0)
    reports_not_retrieved: int | None = Field(default=None, ge=0)
    full_text_assessed: int | None = Field(default=None, ge=0)
    full_text_excluded: dict[str, int] = {}
    included: int | None = Field(default=None, ge=0)
    note: str = ""
    # The right-hand PRISMA column (records from other methods), when not held in litrev.db.
    other_methods: ReportedOtherMethods = ReportedOtherMethods()
    # Reports of the included studies (PRISMA 2020 "Reports of included studies").
    included_reports: int | None = Field(default=None, ge=0)
    # "new" (databases, registers, other methods) or "updated" (a previous-version column).
    template: Literal["new", "updated"] = "new"
    previous: PreviousVersion = PreviousVersion()
    # Optional boxes and lines left out of the diagram.
    skip: list[FlowSkip] = []
    # Counts that replace what litrev computes; the diagram marks them and the report lists them.
    overrides: dict[str, int] = {}

    @model_validator(mode="after")
    def _known_overrides(self) -> ReportedFlow:
        unknown = sorted(set(self.overrides) - set(FLOW_OVERRIDABLE))
        if unknown:
            raise ValueError(
                f"flow.overrides names unknown counts {unknown}; choose from {list(FLOW_OVERRIDABLE)}"
            )
        negative = sorted(k for k, v in self.overrides.items() if v < 0)
        if negative:
            raise ValueError(f"flow.overrides must be whole numbers >= 0; not so: {negative}")
        return self
