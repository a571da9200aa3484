"""The codebook, classification, themes and extraction settings of `litrev.toml`."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import (
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from litrev.protocol._base import (
    _IDENTIFIER,
    CHOICE_TYPES,
    HIERARCHY_SEPARATOR,
    MULTIPLE_TYPES,
    FieldType,
    _Strict,
    repeated,
)


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
        twice = repeated(self.choices)
        if twice:
            raise ValueError(f"field {name!r}: choices must be unique; repeated: {twice}")
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
        twice = repeated(names)
        if twice:
            raise ValueError(f"codebook field names must be unique; repeated: {twice}")
        groups = [g.name for g in self.groups]
        twice = repeated(groups)
        if twice:
            raise ValueError(f"codebook group names must be unique; repeated: {twice}")
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
        twice = repeated(value)
        if twice:
            raise ValueError(f"extractors must be named once; repeated: {twice}")
        return value


# In `[[report.tables]]` columns: the study's label (`[report] study_label`), not a codebook
# field (codebook names are lower-case identifiers, so "@study" can never be one).
