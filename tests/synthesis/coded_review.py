"""A review unlike the built-in one for the synthesis tests: records screened in litrev, values
saved by extractors through `litrev.extraction.values.save_values` (the real path)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from litrev.project import Project
from litrev.screening.decisions import Screening, StageSettings
from litrev.screening.demo import add_records
from litrev.store import schema


def make_review(
    folder: Path,
    protocol_text: str,
    studies: Sequence[tuple[str, str, int]],
) -> tuple[Project, list[int], Screening]:
    """A project with `protocol_text` and one included record per (surname, title, year)."""
    project = Project.init(folder, protocol_text=protocol_text)
    ids = add_records(project.store, [(title, None) for _, title, _ in studies])
    with project.store.transaction() as conn:
        for record_id, (surname, _, year) in zip(ids, studies, strict=True):
            conn.execute(
                schema.records.update()
                .where(schema.records.c.id == record_id)
                .values(authors=[f"{surname}, A."], year=year)
            )
    screening = Screening(project.store, defaults=StageSettings(blind=False, reviewers_required=1))
    for record_id in ids:
        for stage in ("title_abstract", "full_text"):
            screening.decide(record_id, reviewer="ann", stage=stage, decision="include")
    return project, ids, screening


def save(
    project: Project,
    screening: Screening,
    record_id: int,
    reviewer: str,
    values: Mapping[tuple[str, int], str],
) -> None:
    """Save a reviewer's values and mark them complete; fail loudly on any problem."""
    from litrev.extraction.values import save_values

    result = save_values(
        project.store,
        project.protocol.codebook,
        record_id,
        reviewer,
        values,
        actor=reviewer,
        complete=True,
        screening=screening,
    )
    assert not result.problems, result.problems
