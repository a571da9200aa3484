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
import re
import string
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from litrev.appraisal.settings import AppraisalSettings
from litrev.errors import ProtocolError

ReviewType = Literal["systematic", "scoping", "narrative", "rapid", "umbrella", "other"]
Stage = Literal["title_abstract", "full_text"]
# number: decimals allowed ("2.5"); year: four digits; multi_choice: values separated by ";";
# country: ISO 3166-1 (names reviews write, or codes); quote: verbatim text with its location;
# hierarchical: codes as paths "Health > Hospital", any node of the tree a value.
FieldType = Literal[
    "text", "long_text", "integer", "number", "year", "choice", "multi_choice",
    "country", "quote", "hierarchical",
]  # fmt: skip

#: Types whose `multiple = true` lets a field hold several values separated by ";"
#: (multi_choice always does).
MULTIPLE_TYPES: tuple[str, ...] = ("country", "hierarchical", "multi_choice")
#: Types whose values are `choices`.
CHOICE_TYPES: tuple[str, ...] = ("choice", "multi_choice", "hierarchical")
#: Separates the levels of a hierarchical code.
HIERARCHY_SEPARATOR = " > "
_IDENTIFIER = r"^[a-z_][a-z0-9_]*$"


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

#: The counts `[flow.overrides]` may replace (names of `litrev.synthesis.flow.Flow` counts;
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


def hierarchy_nodes(choices: list[str]) -> list[str]:
    """Every node of a hierarchical field's tree, in choice order, inner nodes before their first
    child: `"Health > Hospital"` implies `"Health"`.

    >>> hierarchy_nodes(["Health > Primary care", "Health > Hospital", "Social care"])
    ['Health', 'Health > Primary care', 'Health > Hospital', 'Social care']
    """
    nodes: dict[str, None] = {}
    for choice in choices:
        parts = [part.strip() for part in choice.split(HIERARCHY_SEPARATOR.strip())]
        for depth in range(1, len(parts) + 1):
            nodes.setdefault(HIERARCHY_SEPARATOR.join(parts[:depth]), None)
    return list(nodes)


class FieldCondition(_Strict):
    """`when = { field = "design", in = ["RCT", "cohort"] }`: the field applies only when `field`
    holds one of `in` (for a multiple field: any of its values; for a hierarchical one: that
    node or one beneath it).

    >>> FieldCondition.model_validate({"field": "design", "in": ["RCT"]}).values
    ['RCT']
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field: str = Field(pattern=_IDENTIFIER)
    values: list[str] = Field(alias="in", min_length=1)

    def describe(self) -> str:
        """'design is RCT or cohort', for messages."""
        return f"{self.field} is {' or '.join(self.values)}"


class CodebookGroup(_Strict):
    """`[[codebook.groups]]`: a repeating group, one row per outcome, model, site, ...; its fields
    name it in `group`; `min` rows are required of a complete extraction (0: optional)."""

    name: str = Field(pattern=_IDENTIFIER)
    label: str = ""
    help: str = ""
    min: int = Field(default=0, ge=0)


class CodebookField(_Strict):
    """One `[[codebook.fields]]` table.

    >>> CodebookField(name="effect", type="number", unit="mmHg").heading
    'effect (mmHg)'
    """

    name: str = Field(pattern=_IDENTIFIER)
    label: str = ""
    type: FieldType = "text"
    required: bool = False
    choices: list[str] = []
    help: str = ""
    unit: str = ""
    multiple: bool = False
    when: FieldCondition | None = None
    group: str = ""
    renamed_from: list[str] = []

    @property
    def is_multiple(self) -> bool:
        """Whether a value may hold several parts separated by ";"."""
        return self.type == "multi_choice" or (self.multiple and self.type in MULTIPLE_TYPES)

    @property
    def heading(self) -> str:
        """The label (else the name), with the unit when there is one: 'effect (mmHg)'."""
        text = self.label or self.name
        return f"{text} ({self.unit})" if self.unit else text

    @model_validator(mode="after")
    def _type_settings(self) -> CodebookField:
        name = self.name
        if self.type in CHOICE_TYPES and not self.choices:
            raise ValueError(f"field {name!r} has type {self.type!r} but no choices")
        if self.unit and self.type not in ("number", "integer"):
            raise ValueError(
                f"field {name!r}: unit {self.unit!r} is only for number and integer fields "
                f"(type is {self.type!r})"
            )
        if self.multiple and self.type not in MULTIPLE_TYPES:
            hint = '; use type = "multi_choice"' if self.type == "choice" else ""
            raise ValueError(
                f"field {name!r}: multiple = true is only for country and hierarchical fields "
                f"(type is {self.type!r}){hint}"
            )
        repeated = sorted({c for c in self.choices if self.choices.count(c) > 1})
        if repeated:
            raise ValueError(f"field {name!r}: choices must be unique; repeated: {repeated}")
        if self.is_multiple:
            joined = [c for c in self.choices if ";" in c]
            if joined:
                raise ValueError(
                    f"field {name!r}: choice {joined[0]!r} contains ';', which separates the "
                    "values of a multiple field"
                )
        if self.type == "hierarchical":
            for choice in self.choices:
                parts = [part.strip() for part in choice.split(HIERARCHY_SEPARATOR.strip())]
                if not all(parts):
                    raise ValueError(
                        f"field {name!r}: hierarchical choice {choice!r} has an empty level; "
                        f"write levels as 'Parent{HIERARCHY_SEPARATOR}Child'"
                    )
        if name in self.renamed_from:
            raise ValueError(f"field {name!r}: renamed_from names the field itself")
        for old in self.renamed_from:
            if not re.fullmatch(_IDENTIFIER, old):
                raise ValueError(
                    f"field {name!r}: renamed_from {old!r} is not a field name (lower-case "
                    "letters, digits and '_')"
                )
        return self


class Codebook(_Strict):
    """`[codebook]`: the extraction form: `fields`, repeating `groups`, and an optional `version`
    label (litrev also detects any change by its digest: `litrev.extraction.versions`)."""

    version: int | str | None = None
    groups: list[CodebookGroup] = []
    fields: list[CodebookField] = []

    def field(self, name: str) -> CodebookField | None:
        return next((f for f in self.fields if f.name == name), None)

    def group(self, name: str) -> CodebookGroup | None:
        """The group called `name`, or None."""
        return next((g for g in self.groups if g.name == name), None)

    def fields_of(self, group: str) -> list[CodebookField]:
        """The fields of a group, in form order (`""`: the fields outside any group)."""
        return [f for f in self.fields if f.group == group]

    @model_validator(mode="after")
    def _names_groups_and_conditions(self) -> Codebook:
        names = [f.name for f in self.fields]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"codebook field names must be unique; repeated: {repeated}")
        groups = [g.name for g in self.groups]
        repeated = sorted({g for g in groups if groups.count(g) > 1})
        if repeated:
            raise ValueError(f"codebook group names must be unique; repeated: {repeated}")
        clash = sorted(set(groups) & set(names))
        if clash:
            raise ValueError(f"codebook group names must differ from field names; both: {clash}")
        claimed: dict[str, str] = {}
        by_name = {f.name: f for f in self.fields}
        for n, field in enumerate(self.fields, start=1):
            where = f"fields[{n}] ({field.name!r})"
            if field.group and field.group not in groups:
                raise ValueError(
                    f"{where}: group {field.group!r} is not a [[codebook.groups]] name; "
                    f"groups: {groups}"
                )
            for old in field.renamed_from:
                if old in by_name:
                    raise ValueError(
                        f"{where}: renamed_from {old!r} is still a field of the codebook"
                    )
                if old in claimed:
                    raise ValueError(
                        f"{where}: renamed_from {old!r} is claimed by {claimed[old]!r} too"
                    )
                claimed[old] = field.name
            if field.when is not None:
                self._check_condition(where, field, by_name)
        for field in self.fields:  # cycles: a -> b -> a
            seen = [field.name]
            current = field
            while current.when is not None:
                current = by_name[current.when.field]
                if current.name in seen:
                    chain = " -> ".join([*seen, current.name])
                    raise ValueError(f"codebook conditions form a cycle: {chain}")
                seen.append(current.name)
        return self

    @staticmethod
    def _check_condition(
        where: str, field: CodebookField, by_name: dict[str, CodebookField]
    ) -> None:
        when = field.when
        assert when is not None
        target = by_name.get(when.field)
        if target is None:
            raise ValueError(
                f"{where}: when.field {when.field!r} is not a codebook field; "
                f"fields: {sorted(by_name)}"
            )
        if target.name == field.name:
            raise ValueError(f"{where}: when.field names the field itself")
        if target.group and target.group != field.group:
            whose = f"group {field.group!r}" if field.group else "no group"
            raise ValueError(
                f"{where}: when.field {target.name!r} is in group {target.group!r} but this "
                f"field is in {whose}; a condition names a field of the same group or one "
                "outside any group"
            )
        allowed: list[str] = []
        if target.type in ("choice", "multi_choice"):
            allowed = target.choices
        elif target.type == "hierarchical":
            allowed = hierarchy_nodes(target.choices)
        if target.type == "country":
            # Read here, not at import: only a country condition needs the ISO table.
            from litrev.extraction.countries import to_country

            unknown_countries = [v for v in when.values if to_country(v) is None]
            if unknown_countries:
                raise ValueError(
                    f"{where}: when.in {unknown_countries} are not countries litrev knows "
                    f"(a name or ISO code, as {target.name!r} takes)"
                )
        if allowed:
            unknown = [v for v in when.values if v not in allowed]
            if unknown:
                raise ValueError(
                    f"{where}: when.in {unknown} are not values of {target.name!r}; "
                    f"its values: {allowed}"
                )


class Category(_Strict):
    name: str
    label: str = ""
    definition: str = ""
    table: str = ""


class Classification(_Strict):
    """`[classification]`: the codebook field holding each study's category (none by default:
    no field name is special) and the categories, in the order the report lists them."""

    field: str = ""
    categories: list[Category] = []

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.categories]


class Theme(_Strict):
    category: str = ""
    name: str
    summary: str = ""
    references: list[int] = []
    # The team's narrative (Markdown, relative to the review folder; default themes/<slug>.md)
    # and the studies it covers (record ids or study labels); see litrev.synthesis.themes.
    narrative: str = ""
    studies: list[int | str] = []


class ExtractionSettings(_Strict):
    """`[extraction]`: one extractor per record ("single") or two reconciled into a consensus;
    `extractors`: who may extract (empty: the screening reviewers).

    >>> ExtractionSettings(mode="single", extractors=["ana", "bo"]).extractors
    ['ana', 'bo']
    """

    mode: Literal["single", "dual"] = "dual"
    extractors: list[str] = []

    @field_validator("extractors")
    @classmethod
    def _extractors_named_once(cls, value: list[str]) -> list[str]:
        blank = [n for n, name in enumerate(value, start=1) if not name.strip()]
        if blank:
            raise ValueError(f"an extractor's name is empty (item {blank[0]})")
        if "consensus" in value:
            raise ValueError(
                "'consensus' is the reconciled extraction's name, not an extractor; leave it out"
            )
        repeated = sorted({name for name in value if value.count(name) > 1})
        if repeated:
            raise ValueError(f"extractors must be named once; repeated: {repeated}")
        return value


# In `[[report.tables]]` columns: the study's label (`[report] study_label`), not a codebook
# field (codebook names are lower-case identifiers, so "@study" can never be one).
STUDY_COLUMN = "@study"


class ReportTable(_Strict):
    """`[[report.tables]]`: one table of the paper (`litrev tables`): the studies of `category`
    (empty: every included study), with `columns` (codebook fields, `@study` for the label)
    headed by `headings` (default: the fields' labels); the title gets "(n=N)" appended."""

    category: str = ""
    label: str = ""  # "Supplementary file 2": what the paper calls the table
    title: str = ""
    columns: list[str] = []
    headings: list[str] = []


class ReportSettings(_Strict):
    """`[report]`: which cross-tables the report shows, as [row field, column field] pairs; how
    studies are labelled (`study_label`, templates over codebook fields, first that applies);
    which extraction-table columns give a row's place in the paper (`table_location`); and the
    paper's study tables (`[[report.tables]]`)."""

    crosstabs: list[tuple[str, str]] | None = None
    study_label: str | list[str] | None = None
    table_location: list[str] | None = Field(default=None, min_length=1, max_length=2)
    tables: list[ReportTable] = []
    # Synthesis of coded fields (litrev.synthesis.frequencies; checked by
    # litrev.appraisal.settings.check_protocol): the field whose values name each study's themes,
    # the fields given frequency tables (default: choice-like fields), hierarchical fields'
    # level, and the year field counted over time (default: the first `year` field).
    theme_field: str = ""
    frequencies: list[str] | None = None
    levels: dict[str, int] = {}
    timeline: str | None = None

    @property
    def study_labels(self) -> list[str]:
        """The label templates, in order (none: labels come from the records' citations)."""
        if self.study_label is None:
            return []
        return [self.study_label] if isinstance(self.study_label, str) else self.study_label


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
    extraction: ExtractionSettings = ExtractionSettings()
    report: ReportSettings = ReportSettings()
    appraisal: AppraisalSettings = AppraisalSettings()

    @model_validator(mode="after")
    def _appraisal_and_synthesis_keys(self) -> Protocol:
        from litrev.appraisal.settings import check_protocol

        check_protocol(self)
        return self

    @model_validator(mode="after")
    def _classification_matches_codebook(self) -> Protocol:
        if not self.classification.categories:
            return self
        field = self.codebook.field(self.classification.field)
        if field is None:
            names = sorted(f.name for f in self.codebook.fields)
            what = (
                f"classification.field {self.classification.field!r} is not a codebook field"
                if self.classification.field
                else "classification.field is required with categories"
            )
            raise ValueError(f"{what}; name the codebook field holding them: {names}")
        if field.type == "choice" and set(field.choices) != set(self.classification.names):
            raise ValueError(
                f"codebook field {field.name!r} choices {field.choices} differ from the "
                f"classification categories {self.classification.names}"
            )
        return self

    @model_validator(mode="after")
    def _classification_field_is_ungrouped(self) -> Protocol:
        # A study has one category: a field with a row per outcome cannot hold it.
        field = self.codebook.field(self.classification.field)
        if field is not None and field.group:
            raise ValueError(
                f"classification.field {field.name!r} belongs to the repeating group "
                f"{field.group!r}; a study's category must be a field outside any group"
            )
        return self

    @model_validator(mode="after")
    def _study_label_names_codebook_fields(self) -> Protocol:
        names = sorted(f.name for f in self.codebook.fields)
        templates = self.report.study_labels
        if self.report.study_label is not None and not templates:
            raise ValueError("report.study_label is an empty list; leave it out or give a template")
        for template in templates:
            try:
                used = template_fields(template)
            except ValueError as error:
                raise ValueError(f"report.study_label: {error}") from None
            unknown = sorted(set(used) - set(names))
            if unknown:
                raise ValueError(
                    f"report.study_label {template!r} names {unknown}, not codebook fields; "
                    f"fields: {names}"
                )
            if not used:
                raise ValueError(
                    f"report.study_label {template!r} names no codebook field (write them as "
                    f"{{name}}); fields: {names}"
                )
        return self

    @model_validator(mode="after")
    def _report_tables_name_fields_and_categories(self) -> Protocol:
        names = [f.name for f in self.codebook.fields]
        categories = self.classification.names
        seen: set[str] = set()
        for n, table in enumerate(self.report.tables, start=1):
            where = f"report.tables[{n}]"
            if table.category and table.category not in categories:
                raise ValueError(
                    f"{where}.category {table.category!r} is not a classification category; "
                    f"categories: {categories} (or leave it out for every included study)"
                )
            if table.category in seen:
                what = repr(table.category) if table.category else "every included study"
                raise ValueError(f"{where}: a second table for {what}")
            seen.add(table.category)
            unknown = [c for c in table.columns if c != STUDY_COLUMN and c not in names]
            if unknown:
                raise ValueError(
                    f"{where}.columns names {unknown}, not codebook fields; fields: "
                    f"{sorted(names)} (and {STUDY_COLUMN!r} for the study's label)"
                )
            if len(set(table.columns)) != len(table.columns):
                raise ValueError(f"{where}.columns names a column twice: {table.columns}")
            if table.headings and not table.columns:
                raise ValueError(f"{where}.headings given without columns")
            if table.headings and len(table.headings) != len(table.columns):
                raise ValueError(
                    f"{where}: {len(table.headings)} headings for {len(table.columns)} columns; "
                    "give one heading per column (or none, for the fields' labels)"
                )
        return self

    @model_validator(mode="after")
    def _crosstabs_name_codebook_fields(self) -> Protocol:
        names = {f.name for f in self.codebook.fields}
        unknown = sorted(
            {name for pair in self.report.crosstabs or [] for name in pair if name not in names}
        )
        if unknown:
            raise ValueError(
                f"report.crosstabs names {unknown}, not codebook fields; fields: {sorted(names)}"
            )
        return self


def template_fields(template: str) -> list[str]:
    """The field names a label template uses, in order: `{name}` places; `{{` and `}}` are braces.

    >>> template_fields("{lead_author}, {pub_year}{suffix}")
    ['lead_author', 'pub_year', 'suffix']
    >>> template_fields("{author:>10}")
    Traceback (most recent call last):
    ...
    ValueError: template '{author:>10}': write a field as {name}, without ':', '!', '.' or '['
    """
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:  # a lone "{" or "}"
        raise ValueError(
            f"template {template!r}: {error} (write braces as {{{{ and }}}})"
        ) from None
    names = []
    for _text, name, spec, conversion in parts:
        if name is None:
            continue
        if spec or conversion or not name or any(c in name for c in ".[]"):
            raise ValueError(
                f"template {template!r}: write a field as {{name}}, without ':', '!', '.' or '['"
            )
        names.append(name)
    return names


def _location(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """Render a pydantic error location as a TOML key path: `searches[2].hits`."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item + 1}]" if parts else f"[{item + 1}]"
        else:
            parts.append(str(item))
    return ".".join(parts) or "(top level)"


_TOML_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")
_DATE_LIKE = re.compile(r"=\s*(\d{4}-\d{1,2}-\d{1,2}\S*)")


def toml_problem(text: str, error: tomllib.TOMLDecodeError) -> str:
    """Describe a TOML syntax error with its line, column and the offending text.

    >>> try:
    ...     tomllib.loads("[review]\\ndate = 2019-13-45\\n")
    ... except tomllib.TOMLDecodeError as error:
    ...     print(toml_problem("[review]\\ndate = 2019-13-45\\n", error))
    line 2, column 8: not valid TOML: '2019-13-45' is not a valid date (write YYYY-MM-DD) | date = 2019-13-45
    """
    message = str(error)
    found = _TOML_WHERE.search(message)
    if not found:
        return f"not valid TOML: {message}"
    line_no, column = int(found.group(1)), int(found.group(2))
    reason = _TOML_WHERE.sub("", message).strip()
    lines = text.splitlines()
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    date = _DATE_LIKE.search(line)
    if date and not _valid_date(date.group(1)):
        # tomllib reports a bad date as a stray character after a number; say what it is.
        column = date.start(1) + 1
        reason = f"{date.group(1)!r} is not a valid date (write YYYY-MM-DD)"
    shown = line.strip()
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"line {line_no}, column {column}: not valid TOML: {reason} | {shown}"


def _valid_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return len(text) == 10 or text[10] in "T "


def parse_protocol(text: str, *, path: str = "litrev.toml") -> Protocol:
    """Parse and validate protocol text; raise `ProtocolError` naming each bad key.

    Array-of-table positions are shown 1-based (`searches[2]` is the second `[[searches]]`).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProtocolError(path, [toml_problem(text, error)]) from error
    except RecursionError as error:  # tomllib reads nested arrays and tables recursively
        raise ProtocolError(path, ["not valid TOML: arrays or tables nested too deeply"]) from error
    except ValueError as error:  # an integer of more than 4,300 digits
        raise ProtocolError(path, [f"not valid TOML: {str(error).split(';')[0]}"]) from error
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
