"""The JSON API's request and response models (pydantic): what `/openapi.json` documents.

Request bodies refuse unknown fields (`extra="forbid"`): there is no `reviewer` field, because
the actor of every write is the caller, and a body naming one is an error (422), not ignored.
Texts refuse NUL and other control characters (a store cannot keep them faithfully), and ids
stay within a 32-bit integer, the stores' id column.

>>> DecisionIn(record_id=3, stage="title_abstract", decision="include").decision
'include'
>>> from pydantic import ValidationError
>>> try:
...     DecisionIn(record_id=3, stage="title_abstract", decision="include", reviewer="ann")
... except ValidationError as error:
...     print(error.errors()[0]["loc"], error.errors()[0]["type"])
('reviewer',) extra_forbidden
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_ID = 2_147_483_647  # the stores' INTEGER id column (PostgreSQL int4)
StageName = Literal["title_abstract", "full_text"]
Choice = Literal["include", "exclude", "maybe"]
Final = Literal["include", "exclude"]

# NUL (PostgreSQL text refuses it), other C0 controls but tab/newline/return, and lone surrogates
# (not encodable as UTF-8).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _safe(text: str) -> str:
    """Refuse control characters a reviewer cannot have meant.

    >>> _safe("fine\\ttext")
    'fine\\ttext'
    """
    found = _UNSAFE.search(text)
    if found:
        raise ValueError(
            f"holds the control character U+{ord(found.group()):04X} at {found.start()}"
        )
    return text


RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
Reason = Annotated[str, Field(max_length=200), AfterValidator(_safe)]
NoteText = Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_safe)]
TagText = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_safe)]
IdempotencyKey = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_safe)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ----- requests -----


class DecisionIn(_In):
    """The caller's decision on a record at a stage (the caller is the reviewer)."""

    record_id: RecordId
    stage: StageName
    decision: Choice
    reason: Reason | None = Field(
        None, description="An exclusion reason of the stage (code or label from the protocol)"
    )
    note: NoteText | None = None


class UndoIn(_In):
    """Take back the caller's latest decision at a stage (on `record_id`, or their latest)."""

    stage: StageName
    record_id: RecordId | None = None


class ResolveIn(_In):
    """A final include/exclude settling a conflict (or a maybe)."""

    stage: StageName
    decision: Final
    reason: Reason | None = None
    note: NoteText | None = None
    method: Literal["consensus", "third_reviewer"] | None = None


class NoteIn(_In):
    stage: StageName
    text: NoteText


class TagIn(_In):
    stage: StageName
    tag: TagText


class StageOpenIn(_In):
    """Open a stage; `force` opens it while the stage before still has open work."""

    force: bool = False


# ----- responses -----


class Problem(BaseModel):
    """Every error: 400 refused input, 401 not signed in, 403 role, 404 unknown, 422 invalid."""

    detail: str


class ReviewRole(BaseModel):
    key: str
    title: str
    role: str


class Me(BaseModel):
    username: str
    display_name: str | None
    via: Literal["token", "session"]
    reviews: list[ReviewRole]


class StageSummary(BaseModel):
    stage: StageName
    open: bool
    blind: bool
    reviewers_required: int
    records: int
    unscreened: int
    awaiting: int
    conflicts: int
    agreed: int
    resolved: int
    included: int
    excluded: int


class ReviewSummary(BaseModel):
    key: str
    title: str
    role: str
    stages: list[StageSummary]


class RecordOut(BaseModel):
    id: int
    title: str | None
    abstract: str | None
    authors: list[str]
    year: int | None
    journal: str | None
    doi: str | None
    citation: str


class DecisionOut(BaseModel):
    id: int
    record_id: int
    stage: str
    reviewer: str
    decision: str = Field(description="include, exclude, maybe, or retracted for an undo row")
    reason: str | None = None
    note: str | None = None
    resolution: str | None = Field(None, description="the method, when this is a resolution")
    retracts: int | None = None
    created_at: datetime | None = None


class NoteOut(BaseModel):
    id: int
    record_id: int
    stage: str
    author: str
    text: str
    created_at: datetime


class TagOut(BaseModel):
    id: int
    record_id: int
    stage: str
    author: str
    tag: str
    created_at: datetime


class HistoryOut(BaseModel):
    at: datetime
    who: str
    what: str
    detail: str
    stage: str | None = None


class RecordDetail(BaseModel):
    """A record as the caller may see it: others' decisions, notes and tags only when not blind."""

    record: RecordOut
    stage: StageName
    blind: bool = Field(description="True while others' work on this record is hidden from you")
    mine: DecisionOut | None
    others: list[DecisionOut]
    notes: list[NoteOut]
    tags: list[TagOut]
    history: list[HistoryOut]


class NextRecord(BaseModel):
    stage: StageName
    remaining: int = Field(description="records still waiting for you at this stage")
    record: RecordOut | None
    why: str | None = Field(None, description="why this record comes next (the ranking)")
    stopping: str | None = Field(None, description="the stopping estimate, when there is one")


class ConflictOut(BaseModel):
    record_id: int
    title: str | None
    state: str
    votes: list[DecisionOut]


class ProgressOut(BaseModel):
    reviewer: str
    assigned: int | None = Field(description="records assigned (null: no allocation)")
    decided: int
    remaining: int


class KappaOut(BaseModel):
    kappa: float | None
    se: float | None
    ci95: tuple[float | None, float | None]
    clipped: bool


class PairOut(BaseModel):
    reviewers: tuple[str, str]
    n: int
    percent_agreement: float
    kappa: KappaOut
    pabak: float | None
    gwet_ac1: float | None


class AgreementOut(BaseModel):
    stage: StageName
    reviewers: list[str]
    pairs: list[PairOut]
    fleiss_kappa: float | None
    fleiss_n: int


class FlowOut(BaseModel):
    """The PRISMA 2020 counts (null where the review does not know one yet)."""

    databases: dict[str, int | None]
    identified: int | None
    duplicates_removed: int | None
    records_screened: int | None
    title_abstract_excluded: int | None
    reports_sought: int | None
    reports_not_retrieved: int | None
    full_text_assessed: int | None
    full_text_excluded: int | None
    full_text_excluded_reasons: dict[str, int]
    included: int | None
    pending: dict[str, int]


class GateOut(BaseModel):
    """Whether a stage is open, who opened it, and the open work left at the stage before."""

    stage: StageName
    open: bool
    by: str | None
    at: datetime | None
    open_conflicts: int
    maybes: int
    awaiting: int
    unscreened: int
