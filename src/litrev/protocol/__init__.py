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
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError, model_validator

from litrev.appraisal.settings import AppraisalSettings
from litrev.errors import ProtocolError
from litrev.protocol._base import (
    CHOICE_TYPES,
    HIERARCHY_SEPARATOR,
    MULTIPLE_TYPES,
    FieldType,
    ReviewType,
    Stage,
    _Strict,
)
from litrev.protocol.coding import (
    Category,
    Classification,
    Codebook,
    CodebookField,
    CodebookGroup,
    ExtractionSettings,
    FieldCondition,
    Theme,
    hierarchy_nodes,
)
from litrev.protocol.report import STUDY_COLUMN, ReportSettings, ReportTable, template_fields
from litrev.protocol.review import (
    DIALECT_NAMES,
    FLOW_OVERRIDABLE,
    DatabaseSearch,
    DedupeSettings,
    Eligibility,
    ExclusionReason,
    GenericSearch,
    PreviousVersion,
    ReportedFlow,
    ReportedOtherMethods,
    ReviewInfo,
    Screening,
)


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


__all__ = [
    "CHOICE_TYPES",
    "DIALECT_NAMES",
    "FLOW_OVERRIDABLE",
    "HIERARCHY_SEPARATOR",
    "MULTIPLE_TYPES",
    "STUDY_COLUMN",
    "Category",
    "Classification",
    "Codebook",
    "CodebookField",
    "CodebookGroup",
    "DatabaseSearch",
    "DedupeSettings",
    "Eligibility",
    "ExclusionReason",
    "ExtractionSettings",
    "FieldCondition",
    "FieldType",
    "GenericSearch",
    "PreviousVersion",
    "Protocol",
    "ReportSettings",
    "ReportTable",
    "ReportedFlow",
    "ReportedOtherMethods",
    "ReviewInfo",
    "ReviewType",
    "Screening",
    "Stage",
    "Theme",
    "hierarchy_nodes",
    "load_protocol",
    "parse_protocol",
    "template_fields",
    "toml_problem",
]
