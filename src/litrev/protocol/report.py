"""The `[report]` settings of `litrev.toml`: study labels, tables and cross-tables."""

from __future__ import annotations

import string

from pydantic import (
    Field,
)

from litrev.protocol._base import _Strict

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
