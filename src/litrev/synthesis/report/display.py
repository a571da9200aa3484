"""How a report shows protocol names: labels, not codes (category, codebook field, stage),
and the words for values that are absent.

`results.json` keeps the names and codes; only `report.html` and `report.md` use these.

>>> from litrev.protocol import parse_protocol
>>> p = parse_protocol('''
... [review]
... id = "x"
... title = "x"
... [[codebook.fields]]
... name = "design"
... label = "Study design"
... type = "choice"
... choices = ["rct"]
... [classification]
... field = "design"
... [[classification.categories]]
... name = "rct"
... label = "Randomised trial"
... ''')
>>> labels = DisplayLabels(p)
>>> labels.category("rct"), labels.field("design"), labels.stage("title_abstract")
('Randomised trial', 'Study design', 'Title and abstract')
>>> labels.value("design", "rct"), labels.value("design", "Total")
('Randomised trial', 'Total')
"""

from __future__ import annotations

from litrev.protocol import Protocol

#: Screening stages as a reader says them.
STAGE_LABELS = {"title_abstract": "Title and abstract", "full_text": "Full text"}
#: A codebook value left blank, in a table a reader sees (an empty cell looks like a bug).
NOT_STATED_CELL = "—"


class DisplayLabels:
    """Labels of one protocol's categories, codebook fields and stages (names when unlabelled)."""

    def __init__(self, protocol: Protocol) -> None:
        classification = protocol.classification
        self._classification_field = classification.field
        self._categories = {c.name: c.label or c.name for c in classification.categories}
        self._fields = {f.name: f.label or f.name for f in protocol.codebook.fields}

    def category(self, name: str) -> str:
        """A classification category's label (its name when it has none or is unknown)."""
        return self._categories.get(name, name)

    def field(self, name: str) -> str:
        """A codebook field's label (its name when it has none or is unknown)."""
        return self._fields.get(name, name)

    def stage(self, name: str) -> str:
        """A screening stage as a reader says it: "Title and abstract", "Full text"."""
        return STAGE_LABELS.get(name, name.replace("_", " ").capitalize())

    def value(self, field: str, value: object) -> str:
        """A cross-table heading: a category label when `field` is the classification field."""
        text = str(value)
        if field and field == self._classification_field:
            return self.category(text)
        return text


def hits_text(hits: int | None) -> str:
    """A search's reported hits for a heading.

    >>> hits_text(1234), hits_text(None)
    ('1,234 hits', 'hits not reported')
    """
    return "hits not reported" if hits is None else f"{hits:,} hits"
