"""The report's parts computed from coded fields of any type: frequency tables, counts over time,
the quality appraisal summary and the themes (see `litrev.synthesis.frequencies`,
`appraisal_summary`, `themes`). `compute_results` calls `coded_parts` once.

>>> import tempfile
>>> from litrev.project import Project
>>> project = Project.init(tempfile.mkdtemp())
>>> parts = coded_parts(project, pd.DataFrame({"record_id": []}), [], {})
>>> parts.frequencies, parts.timeline, parts.appraisal.note
([], None, 'No quality appraisal was done.')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from litrev.project import Project
from litrev.protocol import CodebookField, Protocol
from litrev.synthesis.appraisal_summary import (
    AppraisalSummary,
    appraisal_studies,
    appraisal_summary,
)
from litrev.synthesis.frequencies import (
    FrequencyTable,
    frequency_fields,
    frequency_table,
    study_values,
    timeline_field,
    timeline_table,
)
from litrev.synthesis.themes import ThemesSection, build_themes


@dataclass(frozen=True)
class Timeline:
    field: str
    title: str
    table: pd.DataFrame  # one column, "Studies"; a row per year, gaps included

    def as_json(self) -> dict[str, object]:
        return {
            "field": self.field,
            "title": self.title,
            "counts": {str(k): int(v) for k, v in self.table["Studies"].items()},
        }


@dataclass
class CodedParts:
    frequencies: list[FrequencyTable]
    timeline: Timeline | None
    appraisal: AppraisalSummary
    themes: ThemesSection
    groups: dict[str, pd.DataFrame] = field(default_factory=dict)


def needed_groups(protocol: Protocol, names: Iterable[str]) -> list[str]:
    """The repeating groups the fields `names` belong to, in codebook order."""
    wanted = set(names)
    groups = [f.group for f in protocol.codebook.fields if f.name in wanted and f.group]
    return list(dict.fromkeys(groups))


def group_rows(project: Project, groups: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Each group's rows (`litrev.extraction.table.group_frame`)."""
    from litrev.extraction.table import group_frame

    return {g: group_frame(project.store, project.protocol, g) for g in groups}


def _group_label(protocol: Protocol, name: str) -> str:
    group = next((g for g in protocol.codebook.groups if g.name == name), None)
    return (group.label or group.name) if group else name


def field_values(
    protocol: Protocol,
    studies: pd.DataFrame,
    found: CodebookField,
    groups: Mapping[str, pd.DataFrame],
) -> dict[int, list[str]]:
    """`study_values` of `found` at its `[report] levels` level, from `groups` (each repeating
    group's rows, `group_rows`) for a field of a group.

    >>> from litrev.protocol import parse_protocol
    >>> p = parse_protocol('[review]\\nid="x"\\ntitle="x"')
    >>> f = CodebookField(name="n", type="multi_choice", choices=["a", "b"])
    >>> field_values(p, pd.DataFrame({"record_id": [1], "n": ["a; b"]}), f, {})
    {1: ['a', 'b']}
    """
    level = protocol.report.levels.get(found.name)
    return study_values(studies, found, groups.get(found.group), level)


def coded_parts(
    project: Project,
    studies: pd.DataFrame,
    included: Sequence[int],
    labels: Mapping[int, str],
    groups: Mapping[str, pd.DataFrame] | None = None,
) -> CodedParts:
    """Frequencies, timeline, appraisal and themes of the studies `studies` (one row per study;
    `included` and `labels` as the report's reference list has them)."""
    protocol = project.protocol
    fields = frequency_fields(protocol)
    timeline = timeline_field(protocol)
    theme = protocol.codebook.field(protocol.report.theme_field)
    names = [f.name for f in fields] + [f.name for f in (timeline, theme) if f is not None]
    rows = dict(groups or {})
    missing = [g for g in needed_groups(protocol, names) if g not in rows]
    rows.update(group_rows(project, missing))
    record_ids = [int(r) for r in studies["record_id"]] if len(studies) else []
    frequencies = [
        frequency_table(
            f,
            field_values(protocol, studies, f, rows),
            record_ids,
            level=protocol.report.levels.get(f.name),
            group_label=_group_label(protocol, f.group) if f.group else "",
        )
        for f in fields
    ]
    shown_timeline = None
    if timeline is not None:
        table = timeline_table(
            timeline, field_values(protocol, studies, timeline, rows), record_ids
        )
        title = f"Included studies by {(timeline.label or timeline.name).lower()}"
        shown_timeline = Timeline(timeline.name, title, table)
    appraisal = appraisal_summary(protocol, appraisal_studies(project.store, protocol, studies))
    coded = field_values(protocol, studies, theme, rows) if theme is not None else None
    themes = build_themes(project.root, protocol, included, labels, coded)
    return CodedParts(frequencies, shown_timeline, appraisal, themes, rows)
