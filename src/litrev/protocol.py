"""The review protocol, `litrev.toml`: validated with pydantic, errors name the key and what was expected.

>>> protocol = parse_protocol('''
... [review]
... id = "demo"
... title = "A demo review"
... ''', path="litrev.toml")
>>> protocol.review.type
'systematic'
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from litrev.errors import ProtocolError

ReviewType = Literal["systematic", "scoping", "narrative", "rapid", "umbrella", "other"]
Stage = Literal["title_abstract", "full_text"]
FieldType = Literal["text", "long_text", "integer", "choice"]


class _Strict(BaseModel):
    # Unknown keys are errors: a misspelt key ("hit" for "hits") must not be silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class DatabaseSearch(_Strict):
    database: str
    platform: str = ""
    dialect: str = ""
    date: dt.date | None = None
    hits: int | None = Field(default=None, ge=0)
    strategy: str = ""
    limits: list[str] = []
    limits_text: str = ""


class ExclusionReason(_Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    label: str
    stages: list[Stage] = ["title_abstract", "full_text"]


class Eligibility(_Strict):
    inclusion: list[str] = []
    exclusion_reasons: list[ExclusionReason] = []

    @model_validator(mode="after")
    def _unique_codes(self) -> Eligibility:
        codes = [reason.code for reason in self.exclusion_reasons]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise ValueError(f"exclusion reason codes must be unique; repeated: {repeated}")
        return self


class Screening(_Strict):
    stages: list[Stage] = ["title_abstract", "full_text"]
    reviewers: list[str] = []
    mode: Literal["single", "dual"] = "dual"
    quality_appraisal: bool = False
    note: str = ""


class DedupeSettings(_Strict):
    """`[dedupe]`: the review's deduplication setting (command-line flags override it)."""

    threshold: float | None = Field(default=None, gt=0, le=1)
    merge_versions: bool = False


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


class CodebookField(_Strict):
    name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    label: str = ""
    type: FieldType = "text"
    required: bool = False
    choices: list[str] = []

    @model_validator(mode="after")
    def _choices_need_choice_type(self) -> CodebookField:
        if self.type == "choice" and not self.choices:
            raise ValueError(f"field {self.name!r} has type 'choice' but no choices")
        return self


class Codebook(_Strict):
    fields: list[CodebookField] = []

    def field(self, name: str) -> CodebookField | None:
        return next((f for f in self.fields if f.name == name), None)


class Category(_Strict):
    name: str
    label: str = ""
    definition: str = ""
    table: str = ""


class Classification(_Strict):
    field: str = "category"
    categories: list[Category] = []

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.categories]


class Theme(_Strict):
    category: str = ""
    name: str
    summary: str = ""
    references: list[int] = []


class Protocol(_Strict):
    review: ReviewInfo
    search: GenericSearch = GenericSearch()
    searches: list[DatabaseSearch] = []
    eligibility: Eligibility = Eligibility()
    screening: Screening = Screening()
    dedupe: DedupeSettings = DedupeSettings()
    flow: ReportedFlow = ReportedFlow()
    codebook: Codebook = Codebook()
    classification: Classification = Classification()
    themes: list[Theme] = []

    @model_validator(mode="after")
    def _classification_matches_codebook(self) -> Protocol:
        if not self.classification.categories:
            return self
        field = self.codebook.field(self.classification.field)
        if field is None:
            raise ValueError(
                f"classification.field {self.classification.field!r} is not a codebook field"
            )
        if field.type == "choice" and set(field.choices) != set(self.classification.names):
            raise ValueError(
                f"codebook field {field.name!r} choices {field.choices} differ from the "
                f"classification categories {self.classification.names}"
            )
        return self


def _location(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """Render a pydantic error location as a TOML key path: `searches[2].hits`."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item + 1}]" if parts else f"[{item + 1}]"
        else:
            parts.append(str(item))
    return ".".join(parts) or "(top level)"


def parse_protocol(text: str, *, path: str = "litrev.toml") -> Protocol:
    """Parse and validate protocol text; raise `ProtocolError` naming each bad key.

    Array-of-table positions are shown 1-based (`searches[2]` is the second `[[searches]]`).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProtocolError(path, [f"not valid TOML: {error}"]) from error
    try:
        return Protocol.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = _location(item["loc"], data)
            got = item.get("input")
            shown = "" if isinstance(got, dict) else f" (got {got!r})"
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] == "extra_forbidden":
                message = "unknown key (check its spelling)"
            problems.append(f"{where}: {message}{shown}")
        raise ProtocolError(path, problems) from error


def load_protocol(path: str | Path) -> Protocol:
    """Read and validate a `litrev.toml` file.

    >>> load_protocol("does-not-exist/litrev.toml")
    Traceback (most recent call last):
    ...
    litrev.errors.ProtocolError: does-not-exist/litrev.toml: invalid review file
      - file not found
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ProtocolError(str(path), ["file not found"]) from error
    except UnicodeDecodeError as error:
        raise ProtocolError(str(path), [f"not UTF-8 text: {error}"]) from error
    return parse_protocol(text, path=str(path))
