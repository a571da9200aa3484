"""What the extraction form shows, built from the codebook and core calls; no review logic.

Every input of the form is named `f:FIELD:INSTANCE` (a quote's location `loc:FIELD:INSTANCE`;
a multi-choice field's checkboxes share one name), instance 0 outside repeating groups and
1, 2, ... for a group's rows. `form_values` reads them back into the core's
`{(field, instance): value}` mappings. Also the core reads the pages share (included records,
assignments, states, titles).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from litrev.protocol import Codebook, CodebookField, CodebookGroup
from litrev.web.workspace import Review

ValueKey = tuple[str, int]
ROW = "__row__"  # the instance placeholder of a new row's template (extract.js numbers it)


def value_name(name: str, instance: int | str) -> str:
    """The form name of a value.

    >>> value_name("effect", 2)
    'f:effect:2'
    """
    return f"f:{name}:{instance}"


def location_name(name: str, instance: int | str) -> str:
    """The form name of a quote's location.

    >>> location_name("model_quote", 0)
    'loc:model_quote:0'
    """
    return f"loc:{name}:{instance}"


# ----- reads the list and the form share (core calls)


def included_records(review: Review) -> list[int]:
    """The records included at full text, by id (the core's inclusion rule)."""
    from litrev.extraction.importing import inclusion_statuses

    screening = review.screening
    candidates = sorted(screening.outcomes("full_text"))
    with review.store.connect() as conn:
        refused = inclusion_statuses(review.store, screening, conn, candidates)
    return [rid for rid in candidates if rid not in refused]


def assignments_of(review: Review) -> dict[int, list[str]]:
    """{record: its assigned extractors} (live extraction assignments)."""
    from litrev.extraction.assign import live_assignments

    with review.store.connect() as conn:
        return live_assignments(conn)


def my_records(review: Review, username: str, *, is_lead: bool) -> list[int]:
    """The records the member extracts: those assigned to them; every included record when
    nothing is assigned yet (the core then lets anyone extract), or for the lead."""
    included = included_records(review)
    assignments = assignments_of(review)
    if is_lead or not assignments:
        return included
    return [rid for rid in included if username in assignments.get(rid, [])]


def titles_of(review: Review, ids: list[int]) -> dict[int, str]:
    """{record: its title} for the records among `ids` that exist."""
    from litrev.records.importer import stored_records

    return {rid: record.title or "[no title]" for rid, record in stored_records(review.store, ids)}


def states_of(review: Review, reviewer: str | None = None) -> dict[tuple[int, str], str]:
    """{(record, reviewer): extraction state} (the core's `progress`)."""
    from litrev.extraction.values import progress

    return {(p.record_id, p.reviewer): p.state for p in progress(review.store, reviewer)}


@dataclass(frozen=True)
class Option:
    """One choice of a select or checkbox list; `depth` indents a hierarchical code."""

    value: str
    label: str
    depth: int = 0


@dataclass
class FieldView:
    """One field (of one group row) as the form shows it."""

    field: CodebookField
    instance: int | str
    value: str = ""
    location: str = ""
    applies: bool = True
    problem: str | None = None
    options: list[Option] = dc_field(default_factory=list)
    number: int = 0  # position in the form (1-based), for the keyboard

    @property
    def key(self) -> str:
        return f"{self.field.name}:{self.instance}"

    @property
    def dom_id(self) -> str:
        return f"x-{self.field.name}-{self.instance}"

    @property
    def name(self) -> str:
        return value_name(self.field.name, self.instance)

    @property
    def location_name(self) -> str:
        return location_name(self.field.name, self.instance)

    @property
    def parts(self) -> list[str]:
        """The value's parts (a multiple field's values, separated by ';')."""
        return [p.strip() for p in self.value.split(";") if p.strip()]

    @property
    def kind(self) -> str:
        """The form control: text, long_text, number, year, select, checkboxes, country,
        quote, hierarchical (a multiple hierarchical field is shown as checkboxes)."""
        kind = str(self.field.type)
        if kind in ("integer", "number"):
            return "number"
        if kind == "choice":
            return "select"
        if kind == "multi_choice" or (kind == "hierarchical" and self.field.is_multiple):
            return "checkboxes"
        return kind


@dataclass
class RowView:
    instance: int | str
    fields: list[FieldView]


@dataclass
class GroupView:
    group: CodebookGroup
    rows: list[RowView]
    template: RowView  # a blank row with the ROW placeholder

    @property
    def next_instance(self) -> int:
        numbers = [r.instance for r in self.rows if isinstance(r.instance, int)]
        return max(numbers, default=0) + 1


@dataclass
class FormView:
    fields: list[FieldView]  # the fields outside any group
    groups: list[GroupView]

    def all_fields(self) -> list[FieldView]:
        out = list(self.fields)
        for group in self.groups:
            for row in group.rows:
                out.extend(row.fields)
        return out


def options_of(target: CodebookField) -> list[Option]:
    """The choices of a choice/multi-choice field, or a hierarchical field's tree (every node,
    parents before children, indented by depth).

    >>> tree = CodebookField(name="s", type="hierarchical", choices=["Health > Hospital"])
    >>> [(o.value, o.label, o.depth) for o in options_of(tree)]
    [('Health', 'Health', 0), ('Health > Hospital', 'Hospital', 1)]
    """
    if str(target.type) == "hierarchical":
        from litrev.extraction.hierarchy import CodeTree

        tree = CodeTree.from_choices(target.choices)
        return [
            Option(node, node.split(">")[-1].strip(), tree.level(node) - 1) for node in tree.nodes
        ]
    return [Option(c, c) for c in target.choices]


def _field_view(
    codebook: Codebook,
    target: CodebookField,
    instance: int | str,
    values: Mapping[ValueKey, str],
    locations: Mapping[ValueKey, str],
    problems: Mapping[ValueKey, str],
    options: dict[str, list[Option]],
) -> FieldView:
    from litrev.extraction.codebook import applies

    key = (target.name, instance if isinstance(instance, int) else -1)
    if target.name not in options:
        options[target.name] = options_of(target)
    return FieldView(
        field=target,
        instance=instance,
        value=values.get(key, ""),
        location=locations.get(key, ""),
        applies=applies(codebook, target, values, instance if isinstance(instance, int) else 0)
        if target.when is not None
        else True,
        problem=problems.get(key),
        options=options[target.name],
    )


def build_form(
    codebook: Codebook,
    values: Mapping[ValueKey, str],
    locations: Mapping[ValueKey, str] | None = None,
    problems: Mapping[ValueKey, str] | None = None,
    *,
    extra_rows: Mapping[str, int] | None = None,
) -> FormView:
    """The form of one reviewer's record: the ungrouped fields, then each group with a row per
    instance that has a value (at least the group's `min` rows), `extra_rows` blank rows more.

    >>> book = Codebook(groups=[CodebookGroup(name="arms", min=1)], fields=[
    ...     CodebookField(name="design"), CodebookField(name="arm", group="arms")])
    >>> form = build_form(book, {("design", 0): "RCT", ("arm", 2): "usual care"})
    >>> [(v.name, v.value) for v in form.all_fields()]
    [('f:design:0', 'RCT'), ('f:arm:2', 'usual care')]
    >>> [v.name for v in form.groups[0].template.fields]
    ['f:arm:__row__']
    """
    locations = locations or {}
    problems = problems or {}
    options: dict[str, list[Option]] = {}
    top = [
        _field_view(codebook, f, 0, values, locations, problems, options)
        for f in codebook.fields_of("")
    ]
    groups = []
    for group in codebook.groups:
        members = codebook.fields_of(group.name)
        names = {f.name for f in members}
        present = sorted({i for (n, i) in [*values, *problems] if n in names and i >= 1})
        wanted = max(group.min, len(present)) + (extra_rows or {}).get(group.name, 0)
        instances = list(present)
        while len(instances) < wanted:
            instances.append(max(instances, default=0) + 1)
        rows = [
            RowView(
                i,
                [
                    _field_view(codebook, f, i, values, locations, problems, options)
                    for f in members
                ],
            )
            for i in instances
        ]
        blank = RowView(ROW, [_field_view(codebook, f, ROW, {}, {}, {}, options) for f in members])
        groups.append(GroupView(group, rows, blank))
    form = FormView(top, groups)
    for number, view in enumerate(form.all_fields(), start=1):
        view.number = number
    return form


def parse_key(name: str, prefix: str) -> ValueKey | None:
    """`f:design:0` -> ("design", 0) for prefix "f"; None for any other name.

    >>> parse_key("f:design:0", "f"), parse_key("loc:q:1", "f"), parse_key("f:x:__row__", "f")
    (('design', 0), None, None)
    """
    parts = name.split(":")
    if len(parts) != 3 or parts[0] != prefix or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2])


def form_values(form: Any) -> tuple[dict[ValueKey, str], dict[ValueKey, str]]:
    """({key: value}, {key: location}) from a submitted form: a multi field's checked boxes
    joined with '; ' (the core's separator), every value as typed (the core normalises).

    >>> from starlette.datastructures import FormData
    >>> form_values(FormData([("f:devices:0", ""), ("f:devices:0", "scale"),
    ...     ("f:devices:0", "app"), ("f:q:0", " words "), ("loc:q:0", "p. 4"), ("csrf_token", "x")]))
    ({('devices', 0): 'scale; app', ('q', 0): 'words'}, {('q', 0): 'p. 4'})
    """
    values: dict[ValueKey, list[str]] = {}
    locations: dict[ValueKey, str] = {}
    for name, raw in form.multi_items():
        if not isinstance(raw, str):
            continue
        key = parse_key(name, "f")
        if key is not None:
            values.setdefault(key, [])
            if raw.strip():
                values[key].append(raw.strip())
            continue
        key = parse_key(name, "loc")
        if key is not None:
            locations[key] = raw.strip()
    return {k: "; ".join(v) for k, v in values.items()}, locations
