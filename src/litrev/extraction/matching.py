"""When two extractors' values of a field agree, how a field's agreement is measured, and the
(field, instance) slots of a record in form order; shared by agreement, comparison and
reconciliation.

>>> from litrev.protocol import CodebookField
>>> kind_of(CodebookField(name="n", type="integer")), kind_of(CodebookField(name="t"))
('categorical', 'text')
"""

from __future__ import annotations

from collections.abc import Mapping

from litrev.extraction.codebook import ValueKey, applies, split_multi
from litrev.extraction.values import StoredValue
from litrev.protocol import Codebook, CodebookField

CATEGORICAL_TYPES = ("choice", "country", "hierarchical", "year", "integer")


def kind_of(target: CodebookField) -> str:
    """How a field's agreement is measured: "categorical", "multi", "numeric" or "text"."""
    if target.is_multiple:
        return "multi"
    if target.type in CATEGORICAL_TYPES:
        return "categorical"
    if target.type == "number":
        return "numeric"
    return "text"


def normal_text(value: str) -> str:
    """Text as compared: runs of white space one space, case folded."""
    return " ".join(value.split()).casefold()


def same(target: CodebookField | None, a: StoredValue | None, b: StoredValue | None) -> bool:
    """Whether two extractors' values of a field agree (None: no value).

    >>> from litrev.protocol import CodebookField
    >>> v = lambda text: StoredValue(1, "x", "f", 0, text, None, None)
    >>> same(CodebookField(name="f", type="number"), v("2.50"), v("2.5"))
    True
    """
    left, right = (a.value if a else ""), (b.value if b else "")
    if target is None:
        return left == right
    kind = kind_of(target)
    if kind == "multi":
        return set(split_multi(left)) == set(split_multi(right))
    if kind == "numeric" or target.type == "integer":
        try:
            return float(left) == float(right)
        except ValueError:
            return left.strip() == right.strip()
    if kind == "text":
        where = target.type == "quote" and normal_text(
            (a.location if a else "") or ""
        ) != normal_text((b.location if b else "") or "")
        return normal_text(left) == normal_text(right) and not where
    return left.strip() == right.strip()


def applies_for(
    codebook: Codebook, target: CodebookField, values: Mapping[ValueKey, str], instance: int
) -> bool:
    """Whether a field applies given one extractor's values (the codebook's `when`)."""
    return applies(codebook, target, values, instance)


def _instances(
    codebook: Codebook, *extractions: Mapping[ValueKey, StoredValue]
) -> dict[str, list[int]]:
    """{group: row numbers any of the extractions has}, groups in codebook order."""
    order = [g.name for g in codebook.groups]
    order += [f.group for f in codebook.fields if f.group and f.group not in order]
    rows: dict[str, set[int]] = {g: set() for g in order}
    for values in extractions:
        for name, instance in values:
            target = codebook.field(name)
            if target is not None and target.group and instance > 0:
                rows[target.group].add(instance)
    return {g: sorted(r) for g, r in rows.items()}


def codebook_keys(
    codebook: Codebook, *extractions: Mapping[ValueKey, StoredValue]
) -> list[tuple[CodebookField, int]]:
    """The (field, instance) slots of a record in form order: every field outside a group, then
    each group's fields for each row any of the extractions has."""
    keys: list[tuple[CodebookField, int]] = [(f, 0) for f in codebook.fields_of("")]
    for group, rows in _instances(codebook, *extractions).items():
        members = codebook.fields_of(group)
        keys += [(f, row) for row in rows for f in members]
    return keys
