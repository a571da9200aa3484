"""A small review for the extraction workflow tests: school-based physical-activity
interventions, extracted by "ines" and "tomas" (nothing like the built-in review)."""

from __future__ import annotations

from pathlib import Path

from litrev.project import Project
from litrev.screening import Screening
from litrev.screening.decisions import DecisionInput
from litrev.screening.demo import add_records

BASE = """
[review]
id = "school-activity"
title = "School-based physical activity interventions"

[screening]
reviewers = ["ines", "tomas", "uma"]
mode = "single"

[extraction]
mode = "{mode}"

[[codebook.fields]]
name = "delivery"
type = "choice"
choices = ["teacher", "coach", "peer", "digital"]
required = true

[[codebook.fields]]
name = "components"
type = "multi_choice"
choices = ["curriculum", "recess", "active travel", "family"]

[[codebook.fields]]
name = "aim"
type = "text"

[[codebook.fields]]
name = "pupils"
type = "number"

[[codebook.fields]]
name = "started"
type = "year"
"""


def make_review(
    root: Path,
    *,
    records: int,
    mode: str = "dual",
    database: str | None = None,
    extra: str = "",
    excluded: int = 0,
) -> tuple[Project, list[int]]:
    """A review with `records` records included at full text (single-reviewer screening by
    "uma") and `excluded` more excluded at title/abstract; returns it and the included ids."""
    project = Project.init(root, protocol_text=BASE.format(mode=mode) + extra, database=database)
    ids = add_records(project.store, records + excluded)
    screening = Screening.from_protocol(project.store, project.protocol)
    included, others = ids[:records], ids[records:]
    screening.decide_many(
        [DecisionInput(r, "uma", "title_abstract", "include") for r in included]
        + [DecisionInput(r, "uma", "full_text", "include") for r in included]
        + [DecisionInput(r, "uma", "title_abstract", "exclude") for r in others]
    )
    return project, included
