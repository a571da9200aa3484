"""Checking extraction values against the protocol's codebook.

Field types: `text` and `long_text` (anything), `integer` (a whole number), `number` (decimals
with a point: "2.5"), `year` (four ASCII digits, 1000-2999), `choice` (one of `choices`, exactly
as written), `multi_choice` (several of `choices`, separated by ";"), `country` (an ISO 3166-1
country as reviews write it: `litrev.extraction.countries`), `quote` (verbatim text; its
location is kept beside it) and `hierarchical` (a node of the tree `choices` describe:
`litrev.extraction.hierarchy`). `multiple = true` lets a country or hierarchical field hold
several values separated by ";". An empty value is a problem only for a required field.

One record's values are keyed `(field, instance)`: instance 0 outside repeating groups, 1, 2, ...
for a group's rows (`check_values`, `applies`).

>>> from litrev.protocol import CodebookField
>>> check_value(CodebookField(name="design", type="multi_choice", choices=["RCT", "cohort"]), "RCT; cohort")
>>> check_value(CodebookField(name="dose_mg", type="number"), "2,5")
"expected a number for 'dose_mg' with '.' as the decimal point, got '2,5'"
>>> normalise_value(CodebookField(name="where", type="country", multiple=True), "UK; the Netherlands; U.K.")
'United Kingdom; Netherlands'
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from litrev.protocol import Codebook, CodebookField

if TYPE_CHECKING:
    from litrev.extraction.hierarchy import CodeTree

#: One value's key in a record's extraction: (field, instance); instance 0 outside any group.
ValueKey = tuple[str, int]

# The reviewer name of a reconciled (agreed) extraction, as opposed to one reviewer's.
CONSENSUS = "consensus"

# Separates the values of a multi_choice field: "RCT; cohort".
MULTI_SEPARATOR = ";"

# A publication or study year: four ASCII digits from 1000 to 2999 ("18", "0018" and "9999" are
# typos; `\d` would also take other scripts' digits).
_YEAR = re.compile(r"[12][0-9]{3}")


def nearest_hint(value: str, options: Sequence[str]) -> str:
    """' (did you mean 'x'?)' for the option closest to `value`, or ''.

    >>> nearest_hint("cuontry", ["country", "design"])
    " (did you mean 'country'?)"
    """
    from rapidfuzz import fuzz, process

    found = process.extractOne(
        value, list(options), scorer=fuzz.ratio, processor=str.casefold, score_cutoff=60
    )
    return f" (did you mean {found[0]!r}?)" if found else ""


def _choice_problem(field: CodebookField, value: str) -> str | None:
    if value in field.choices:
        return None
    shown = ", ".join(repr(c) for c in field.choices[:12]) + (
        ", ..." if len(field.choices) > 12 else ""
    )
    return f"expected one of {shown} for '{field.name}', got {value!r}{nearest_hint(value, field.choices)}"


def split_multi(value: str) -> list[str]:
    """The values of a multi_choice cell, stripped, empty parts left out.

    >>> split_multi("RCT; cohort;")
    ['RCT', 'cohort']
    """
    return [part.strip() for part in value.split(MULTI_SEPARATOR) if part.strip()]


def _country_problem(field: CodebookField, value: str) -> str | None:
    from litrev.extraction.countries import nearest_country, to_country

    if to_country(value) is not None:
        return None
    if "," in value and all(to_country(p) for p in value.split(",") if p.strip()):
        if field.is_multiple:
            return (
                f"separate the countries of '{field.name}' with '{MULTI_SEPARATOR}', got {value!r}"
            )
        return f"'{field.name}' takes one country, got {value!r}"
    near = nearest_country(value)
    hint = f" (did you mean {near!r}?)" if near else ""
    return f"expected a country for '{field.name}' (a name or ISO code), got {value!r}{hint}"


@lru_cache(maxsize=64)
def _tree(choices: tuple[str, ...]) -> CodeTree:
    # A form checks the same field's values over and over: build its tree once.
    from litrev.extraction.hierarchy import CodeTree

    return CodeTree.from_choices(choices)


def _hierarchy_problem(field: CodebookField, value: str) -> str | None:
    tree = _tree(tuple(field.choices))
    if tree.find(value) is not None:
        return None
    shown = ", ".join(repr(c) for c in tree.nodes[:12]) + (", ..." if len(tree.nodes) > 12 else "")
    return f"expected a code of {shown} for '{field.name}', got {value!r}{nearest_hint(value, tree.nodes)}"


def _one_problem(field: CodebookField, value: str) -> str | None:
    # One value (one part of a multiple field), already stripped and not empty.
    if field.type == "choice" or field.type == "multi_choice":
        return _choice_problem(field, value)
    if field.type == "country":
        return _country_problem(field, value)
    if field.type == "hierarchical":
        return _hierarchy_problem(field, value)
    return None


def _unit_hint(field: CodebookField, value: str) -> str:
    if field.unit and value.casefold().endswith(field.unit.casefold()):
        return f" (give the number without its unit, {field.unit!r})"
    return ""


def check_value(field: CodebookField, value: str) -> str | None:
    """Return a problem with one value of a codebook field, or None when it is acceptable.

    Empty values are only a problem for required fields. Country and hierarchical values are
    accepted as any spelling `normalise_value` reads ("UK", "health>hospital").

    >>> check_value(CodebookField(name="year", type="integer"), "20x9")
    "expected a whole number for 'year', got '20x9'"
    >>> check_value(CodebookField(name="where", type="country"), "Untied Kingdom")
    "expected a country for 'where' (a name or ISO code), got 'Untied Kingdom' (did you mean 'United Kingdom'?)"
    """
    value = value.strip()
    if value == "":
        return f"'{field.name}' is required but empty" if field.required else None
    if field.type == "integer":
        try:
            int(value)
        except ValueError:
            return (
                f"expected a whole number for '{field.name}', got {value!r}"
                f"{_unit_hint(field, value)}"
            )
    elif field.type == "number":
        try:
            number = float(value)
        except ValueError:
            if re.fullmatch(r"[+-]?\d+,\d+", value):
                return (
                    f"expected a number for '{field.name}' with '.' as the decimal point, "
                    f"got {value!r}"
                )
            return (
                f"expected a number for '{field.name}' (e.g. 12 or 2.5), got {value!r}"
                f"{_unit_hint(field, value)}"
            )
        if not math.isfinite(number):
            return f"expected a finite number for '{field.name}', got {value!r}"
    elif field.type == "year":
        if not _YEAR.fullmatch(value):
            return f"expected a four-digit year (1000-2999) for '{field.name}', got {value!r}"
    elif field.is_multiple:
        parts = split_multi(value)
        if not parts and field.required:
            return f"'{field.name}' is required but empty"
        for part in parts:
            problem = _one_problem(field, part)
            if problem:
                return f"{problem} (values are separated by '{MULTI_SEPARATOR}')"
    elif field.type in ("choice", "country", "hierarchical"):
        if field.type != "choice" and MULTI_SEPARATOR in value:
            parts = split_multi(value)
            if len(parts) > 1 and not any(_one_problem(field, p) for p in parts):
                return (
                    f"'{field.name}' takes one value, got {len(parts)} ({value!r}); "
                    "set multiple = true in the codebook for several"
                )
        return _one_problem(field, value)
    return None


def value_notes(field: CodebookField, value: str) -> list[str]:
    """What reading a value involved beyond its spelling ("England is read as United Kingdom ...").

    >>> value_notes(CodebookField(name="where", type="country"), "Wales")
    ['Wales is read as United Kingdom (ISO 3166-1 has no code for Wales)']
    """
    if field.type != "country":
        return []
    from litrev.extraction.countries import to_country

    parts = split_multi(value) if field.is_multiple else [value.strip()]
    notes = []
    for part in parts:
        country = to_country(part)
        if country is not None and country.note and country.note not in notes:
            notes.append(country.note)
    return notes


def normalise_value(field: CodebookField, value: str) -> str:
    """The stored form of a value: trimmed; countries as their ISO name ("UK" -> "United
    Kingdom"); hierarchical codes as the tree writes them; the parts of a multiple value
    de-duplicated, in codebook order (countries in the order given), joined with "; ".
    Raises nothing: a part litrev cannot read stays as typed (`check_value` reports it).

    >>> field = CodebookField(name="design", type="multi_choice", choices=["RCT", "cohort"])
    >>> normalise_value(field, " cohort;RCT; cohort ")
    'RCT; cohort'
    >>> tree = CodebookField(name="setting", type="hierarchical", choices=["Health > Hospital"])
    >>> normalise_value(tree, "health>hospital")
    'Health > Hospital'
    """
    value = value.strip()
    if field.type not in ("multi_choice", "country", "hierarchical") or value == "":
        return value
    parts = split_multi(value) if field.is_multiple else [value]
    read = [_normalise_one(field, part) for part in parts]
    unique = list(dict.fromkeys(read))
    if field.type != "country":
        order = _order(field)
        unique.sort(key=lambda part: order.get(part, len(order)))  # stable: unknowns keep order
    return f"{MULTI_SEPARATOR} ".join(unique)


def _order(field: CodebookField) -> dict[str, int]:
    nodes = _tree(tuple(field.choices)).nodes if field.type == "hierarchical" else field.choices
    return {node: n for n, node in enumerate(nodes)}


def _normalise_one(field: CodebookField, part: str) -> str:
    if field.type == "country":
        from litrev.extraction.countries import to_country

        country = to_country(part)
        return country.name if country else part
    if field.type == "hierarchical":
        return _tree(tuple(field.choices)).find(part) or part
    return part


def check_row(
    codebook: Codebook,
    row: Mapping[str, str],
    *,
    group: str = "",
    context: Mapping[str, str] | None = None,
) -> list[str]:
    """All problems of one extraction row (missing columns are reported once, by `check_columns`).

    The row holds the fields of `group` (`""`: the fields outside any group); a conditional
    field that does not apply may be empty even if required, and must be. `context` gives the
    study's values outside the group, which a group field's condition may name.

    >>> from litrev.protocol import FieldCondition
    >>> codebook = Codebook(fields=[
    ...     CodebookField(name="design", type="choice", choices=["RCT", "cohort"]),
    ...     CodebookField(name="arms", type="integer", required=True,
    ...                   when=FieldCondition(field="design", values=["RCT"]))])
    >>> check_row(codebook, {"design": "cohort", "arms": ""}), check_row(codebook, {"design": "RCT", "arms": ""})
    ([], ["'arms' is required but empty"])
    """
    row_instance = 1 if group else 0  # the row stands for any one row of its group
    values: dict[ValueKey, str] = {(name, 0): value for name, value in (context or {}).items()}
    values.update({(name, row_instance): value for name, value in row.items()})
    problems = []
    for field in codebook.fields_of(group):
        if field.name not in row:
            continue
        if field.when is not None and not applies(codebook, field, values, row_instance):
            if row[field.name].strip():
                problems.append(f"'{field.name}' applies only when {field.when.describe()}")
            continue
        problem = check_value(field, row[field.name])
        if problem:
            problems.append(problem)
    return problems


def check_columns(codebook: Codebook, columns: list[str], *, group: str = "") -> list[str]:
    """Columns the codebook requires that a table lacks: the required fields of `group`
    (`""`, the main table: the fields outside any group)."""
    return [
        f"missing column '{field.name}' (a required codebook field)"
        for field in codebook.fields_of(group)
        if field.required and field.name not in columns
    ]


def unknown_column_problem(column: str, codebook: Codebook) -> str:
    """Why a column that is no codebook field is refused, with the closest field's name.

    >>> from litrev.protocol import CodebookField
    >>> unknown_column_problem("countyr", Codebook(fields=[CodebookField(name="country")]))
    "column 'countyr' is not a codebook field (did you mean 'country'?); rename it, add it to the codebook, or pass --ignore-column countyr"
    """
    names = [f.name for f in codebook.fields]
    return (
        f"column {column!r} is not a codebook field{nearest_hint(column, names)}; rename it, add it "
        f"to the codebook, or pass --ignore-column {column}"
    )


def _get(values: Mapping[ValueKey, str] | Mapping[str, str], name: str, instance: int) -> str:
    # Field-name keys (a form with no groups) are instance 0.
    found = values.get((name, instance))  # type: ignore[call-overload]
    if found is None and instance == 0:
        found = values.get(name)  # type: ignore[call-overload]
    return str(found or "")


def _condition_holds(target: CodebookField, wanted: Sequence[str], value: str) -> bool:
    value = value.strip()
    if not value:
        return False
    parts = split_multi(value) if target.is_multiple else [value]
    parts = [_normalise_one(target, part.strip()) for part in parts]
    if target.type == "country":
        wanted = [_normalise_one(target, w) for w in wanted]
    if target.type == "hierarchical":
        tree = _tree(tuple(target.choices))
        return any(tree.is_within(part, w) for part in parts for w in wanted)
    return any(part in wanted for part in parts)


def applies(
    codebook: Codebook,
    field: CodebookField | str,
    values: Mapping[ValueKey, str] | Mapping[str, str],
    instance: int = 0,
) -> bool:
    """Whether a field applies to a record, given its other values (`when`); a field whose
    condition's field does not apply does not apply either. `instance` is the group row.

    >>> from litrev.protocol import FieldCondition
    >>> codebook = Codebook(fields=[
    ...     CodebookField(name="design", type="choice", choices=["RCT", "cohort", "other"]),
    ...     CodebookField(name="arms", type="integer", when=FieldCondition(field="design", values=["RCT"]))])
    >>> applies(codebook, "arms", {("design", 0): "RCT"}), applies(codebook, "arms", {"design": "other"})
    (True, False)
    """
    current = codebook.field(field) if isinstance(field, str) else field
    seen: set[str] = set()
    while current is not None and current.when is not None and current.name not in seen:
        seen.add(current.name)
        target = codebook.field(current.when.field)
        if target is None:
            return False
        where = instance if target.group else 0
        if not _condition_holds(target, current.when.values, _get(values, target.name, where)):
            return False
        current = target
    return True


def _unknown_field_problem(codebook: Codebook, name: str) -> str:
    renamed = next((f.name for f in codebook.fields if name in f.renamed_from), None)
    if renamed:
        return f"'{name}' is now called '{renamed}' in the codebook"
    fields = [f.name for f in codebook.fields]
    return f"'{name}' is not a codebook field{nearest_hint(name, fields)}"


def key_problem(codebook: Codebook, key: ValueKey) -> str | None:
    """Why a (field, instance) key cannot hold a value (unknown field, wrong row), or None;
    the structural checks `check_values` makes of each key before its value.

    >>> key_problem(Codebook(fields=[CodebookField(name="country")]), ("country", 2))
    "'country' is not in a repeating group; it has no row 2"
    """
    return _key_problem(codebook, codebook.field(key[0]), key)


def _key_problem(codebook: Codebook, field: CodebookField | None, key: ValueKey) -> str | None:
    name, instance = key
    if field is None:
        return _unknown_field_problem(codebook, name)
    if field.group and instance < 1:
        return (
            f"'{name}' belongs to the repeating group '{field.group}': give its row "
            "(instance 1, 2, ...)"
        )
    if not field.group and instance != 0:
        return f"'{name}' is not in a repeating group; it has no row {instance}"
    return None


def check_values(
    codebook: Codebook,
    values: Mapping[ValueKey, str],
    locations: Mapping[ValueKey, str] | None = None,
    *,
    complete: bool,
) -> dict[ValueKey, str]:
    """The problems of one record's values, by key (none: an empty dict).

    Always: type problems, a value where its field does not apply (`when`), a group field at
    instance 0 or an ungrouped one at instance >= 1, a location for a field that is not a quote,
    and keys naming no field (with the nearest field). With `complete`: required fields that
    apply but are empty (outside groups, and in each group row that has any value), a quote
    without its location, and groups with fewer rows than their `min` (keyed `(group, 0)`).
    Empty values count as absent.

    >>> from litrev.protocol import CodebookGroup
    >>> codebook = Codebook(groups=[CodebookGroup(name="outcomes", min=1)], fields=[
    ...     CodebookField(name="title", required=True),
    ...     CodebookField(name="outcome", group="outcomes", required=True),
    ...     CodebookField(name="effect", type="number", group="outcomes")])
    >>> check_values(codebook, {("title", 0): "A trial", ("effect", 1): "1.5"}, complete=True)
    {('outcome', 1): "'outcome' is required but empty"}
    >>> check_values(codebook, {("title", 0): "A trial"}, complete=True)
    {('outcomes', 0): "'outcomes' needs at least 1 row, has 0"}
    """
    locations = locations or {}
    present = {key: value for key, value in values.items() if value.strip()}
    by_name = {f.name: f for f in codebook.fields}
    problems: dict[ValueKey, str] = {}
    for key, value in present.items():
        name, instance = key
        field = by_name.get(name)
        misplaced = _key_problem(codebook, field, key)
        if misplaced is not None:
            problems[key] = misplaced
            continue
        assert field is not None  # _key_problem refuses a key naming no field
        problem = check_value(field, value)
        if (
            problem is None
            and field.when is not None
            and not applies(codebook, field, present, instance)
        ):
            problem = f"'{name}' applies only when {field.when.describe()}"
        if problem is not None:
            problems[key] = problem
    for key, location in locations.items():
        field = by_name.get(key[0])
        if location.strip() and field is not None and field.type != "quote":
            problems.setdefault(
                key, f"'{key[0]}' is not a quote field; only quotes keep a location"
            )
    if complete:
        problems.update(_completeness(codebook, present, locations, problems))
    return problems


def _completeness(
    codebook: Codebook,
    present: Mapping[ValueKey, str],
    locations: Mapping[ValueKey, str],
    problems: Mapping[ValueKey, str],
) -> dict[ValueKey, str]:
    missing: dict[ValueKey, str] = {}
    rows: dict[str, set[int]] = {}
    by_name = {f.name: f for f in codebook.fields}
    for name, instance in present:
        field = by_name.get(name)
        if field is not None and field.group and instance >= 1:
            rows.setdefault(field.group, set()).add(instance)
    contexts: list[tuple[list[CodebookField], int]] = [(codebook.fields_of(""), 0)]
    for group in codebook.groups:
        contexts += [(codebook.fields_of(group.name), n) for n in sorted(rows.get(group.name, ()))]
    for fields, instance in contexts:
        for field in fields:
            key = (field.name, instance)
            if key in problems or not applies(codebook, field, present, instance):
                continue
            if key not in present:
                if field.required:
                    missing[key] = f"'{field.name}' is required but empty"
            elif field.type == "quote" and not locations.get(key, "").strip():
                missing[key] = f"'{field.name}' needs the quote's location (a page or section)"
    for group in codebook.groups:
        count = len(rows.get(group.name, ()))
        if count < group.min:
            row_word = "row" if group.min == 1 else "rows"
            missing[(group.name, 0)] = (
                f"'{group.name}' needs at least {group.min} {row_word}, has {count}"
            )
    return missing
