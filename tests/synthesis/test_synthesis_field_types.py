"""Synthesis over every codebook field type: frequency tables (country, hierarchical at a level,
multi_choice, a repeating group's field), counts over time, cross-tables of sets, charts (SVG
and 300-dpi PNG, whole-number ticks), on a review unlike the built-in one; and an empty one."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest

from litrev.project import Project
from litrev.synthesis.report.results import compute_results
from litrev.synthesis.report.writer import write_report

from .coded_review import make_review, save

PROTOCOL = """
[review]
id = "home-care"
title = "Home care workforce interventions"
type = "scoping"

[extraction]
mode = "single"

[[codebook.groups]]
name = "outcomes"
label = "Outcomes"

[[codebook.fields]]
name = "nations"
label = "Countries"
type = "country"
multiple = true

[[codebook.fields]]
name = "setting"
label = "Setting"
type = "hierarchical"
choices = ["Health > Primary care", "Health > Hospital", "Social care > Residential", "Social care > Domiciliary"]

[[codebook.fields]]
name = "methods"
label = "Methods"
type = "multi_choice"
choices = ["interviews", "survey", "focus groups"]

[[codebook.fields]]
name = "published"
label = "Year published"
type = "year"

[[codebook.fields]]
name = "outcome_kind"
label = "Outcome type"
type = "choice"
choices = ["retention", "wellbeing", "cost"]
group = "outcomes"

[report]
levels = { setting = 1 }
crosstabs = [["setting", "methods"], ["outcome_kind", "nations"]]
"""

STUDIES = [
    ("Smith", "Retaining carers", 2019),
    ("Okafor", "Residential staff", 2021),
    ("Tanaka", "Care in Japan", 2021),
    ("Berg", "Primary care teams", 2023),
    ("Silva", "Home visits", 2020),
]
VALUES = [
    {"nations": "UK; Canada", "setting": "Health > Hospital", "methods": "interviews; survey",
     "published": "2019", ("outcome_kind", 1): "retention", ("outcome_kind", 2): "wellbeing"},
    {"nations": "Nigeria", "setting": "Social care > Residential", "methods": "survey",
     "published": "2021", ("outcome_kind", 1): "retention", ("outcome_kind", 2): "cost",
     ("outcome_kind", 3): "retention"},
    {"nations": "Japan; U.K.", "setting": "Social care", "methods": "focus groups",
     "published": "2021", ("outcome_kind", 1): "wellbeing"},
    {"nations": "The Netherlands", "setting": "Health > Primary care", "published": "2023"},
    {"setting": "Social care > Domiciliary", "methods": "interviews",
     ("outcome_kind", 1): "cost"},
]  # fmt: skip


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory):
    project, ids, screening = make_review(tmp_path_factory.mktemp("types"), PROTOCOL, STUDIES)
    for record_id, values in zip(ids, VALUES, strict=True):
        keyed = {(k, 0) if isinstance(k, str) else k: v for k, v in values.items()}
        save(project, screening, record_id, "ann", keyed)
    return project


def rows(table) -> list[tuple[str, int, int]]:
    return [(r.value, r.n, r.percent) for r in table.rows]


def test_frequency_tables_count_studies_per_value(review) -> None:
    coded = compute_results(review).coded
    tables = {t.field: t for t in coded.frequencies}
    assert list(tables) == ["nations", "setting", "methods", "outcome_kind"]
    # Countries as ISO names ("UK" and "U.K." are one), a study once per country: 5 studies.
    assert rows(tables["nations"]) == [
        ("United Kingdom", 2, 40), ("Canada", 1, 20), ("Japan", 1, 20),
        ("Netherlands", 1, 20), ("Nigeria", 1, 20), ("(not stated)", 1, 20),
    ]  # fmt: skip
    # Rolled up to level 1; "Social care" coded at the inner node counts there too.
    assert rows(tables["setting"]) == [("Health", 2, 40), ("Social care", 3, 60)]
    assert tables["setting"].title == "Setting (level 1)"
    assert rows(tables["methods"]) == [
        ("interviews", 2, 40), ("survey", 2, 40), ("focus groups", 1, 20), ("(not stated)", 1, 20),
    ]  # fmt: skip
    # A group field: a study has the value when any of its rows has it (Okafor's two
    # "retention" rows count once).
    assert rows(tables["outcome_kind"]) == [
        ("retention", 2, 40), ("wellbeing", 2, 40), ("cost", 2, 40), ("(not stated)", 1, 20),
    ]  # fmt: skip
    assert "rounded half up" in tables["methods"].note
    assert "more than 100" in tables["methods"].note
    assert "any of its Outcomes rows" in tables["outcome_kind"].note
    assert "more than 100" not in tables["setting"].note


def test_counts_over_time_list_every_year(review) -> None:
    timeline = compute_results(review).coded.timeline
    assert timeline.field == "published"
    assert timeline.table["Studies"].to_dict() == {
        "2019": 1, "2020": 0, "2021": 2, "2022": 0, "2023": 1, "(not stated)": 1,
    }  # fmt: skip


def test_crosstabs_of_sets_count_each_study_once_per_cell(review) -> None:
    tables = compute_results(review).tables
    table = tables["setting_by_methods"]
    assert table.to_dict("index") == {
        "Health": {"interviews": 1, "survey": 1, "focus groups": 0, "(not stated)": 1, "Total": 2},
        "Social care": {"interviews": 1, "survey": 1, "focus groups": 1, "(not stated)": 0,
                        "Total": 3},
        "Total": {"interviews": 2, "survey": 2, "focus groups": 1, "(not stated)": 1, "Total": 5},
    }  # fmt: skip
    by_country = tables["outcome_kind_by_nations"]
    assert by_country.loc["retention", "United Kingdom"] == 1  # Smith
    assert by_country.loc["Total", "United Kingdom"] == 2  # studies, not rows
    assert by_country.loc["Total", "Total"] == 5


def _png_dpi(data: bytes) -> float:
    at = data.index(b"pHYs")
    per_metre, _, unit = struct.unpack(">IIB", data[at + 4 : at + 13])
    assert unit == 1
    return per_metre * 0.0254


def test_report_shows_tables_and_writes_svg_and_300_dpi_png(review, tmp_path: Path) -> None:
    files = write_report(review, tmp_path)
    names = {p.name for p in files.values()}
    for chart in ("frequency-nations", "frequency-setting", "frequency-outcome_kind", "timeline",
                  "setting_by_methods"):  # fmt: skip
        assert f"chart-{chart}.svg" in names and f"chart-{chart}.png" in names
        assert round(_png_dpi((tmp_path / f"chart-{chart}.png").read_bytes())) == 300
        svg = (tmp_path / f"chart-{chart}.svg").read_text(encoding="utf-8")
        # Count axes have whole-number ticks only (text is kept as text in the SVG).
        assert not re.search(r">\s*\d+\.\d+\s*<", svg), chart
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Coded fields" in markdown and "### Setting (level 1)" in markdown
    assert "| United Kingdom | 2 | 40 |" in markdown
    assert "| 2022 | 0 |" in markdown
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="frequency-nations"' in html and 'id="timeline"' in html
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 1
    assert data["frequencies"]["methods"]["rows"][0] == {
        "value": "interviews",
        "n": 2,
        "percent": 40,
    }
    assert data["timeline"]["counts"]["2021"] == 2


def test_an_empty_review_renders(tmp_path: Path) -> None:
    project, _, _ = make_review(tmp_path / "empty", PROTOCOL, [])
    write_report(project, tmp_path / "out")
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "| retention | 0 | 0 |" in markdown
    assert not list((tmp_path / "out").glob("chart-frequency-*"))
    assert "No quality appraisal was done." in markdown


def test_report_follows_a_changed_codebook_and_audits_misfits(tmp_path: Path) -> None:
    project, ids, screening = make_review(tmp_path / "r", PROTOCOL, STUDIES[:2])
    for record_id, values in zip(ids, VALUES[:2], strict=True):
        keyed = {(k, 0) if isinstance(k, str) else k: v for k, v in values.items()}
        save(project, screening, record_id, "ann", keyed)
    # Mid-review: `methods` renamed `approach` (its values move), "survey" dropped as a choice.
    changed = PROTOCOL.replace(
        'name = "methods"\nlabel = "Methods"',
        'name = "approach"\nlabel = "Approach"\nrenamed_from = ["methods"]',
    ).replace('["interviews", "survey", "focus groups"]', '["interviews", "focus groups"]')
    changed = changed.replace('["setting", "methods"]', '["setting", "approach"]')
    (project.root / "litrev.toml").write_text(changed, encoding="utf-8")
    results = compute_results(Project.open(project.root))
    approach = next(t for t in results.coded.frequencies if t.field == "approach")
    # Smith's "interviews; survey" and Okafor's "survey": kept and counted, and audited.
    assert rows(approach) == [
        ("interviews", 1, 50), ("focus groups", 0, 0), ("survey", 2, 100),
    ]  # fmt: skip
    found = [e for e in results.mismatches if e.id.startswith("codebook-misfit-")]
    assert {e.id for e in found} == {
        f"codebook-misfit-{ids[0]}-ann-approach-0",
        f"codebook-misfit-{ids[1]}-ann-approach-0",
    }
    assert "survey" in found[0].explanation and "the value is kept" in found[0].explanation
