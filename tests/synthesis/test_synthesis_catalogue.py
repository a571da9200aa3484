"""The included studies as a catalogue (litrev.synthesis.maps.catalogue) and the cached report
(litrev.synthesis.report.cache)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from litrev.errors import InputError
from litrev.protocol import parse_protocol
from litrev.synthesis.maps.catalogue import Catalogue, StudyRow, build_catalogue

PROTOCOL = """
[review]
id = "falls"
title = "Falls prevention in care homes"

[codebook]
[[codebook.fields]]
name = "design"
type = "multi_choice"
choices = ["RCT", "cohort", "qualitative"]
[[codebook.fields]]
name = "setting"
label = "Care setting"
[[codebook.fields]]
name = "lead_author"
[[codebook.fields]]
name = "summary"
type = "long_text"
[[codebook.fields]]
name = "sample"
type = "integer"
"""


def rows() -> list[StudyRow]:
    data = [
        (10, ("Okafor, N.",), 2019, "RCT; cohort", "Nursing home", "Okafor", "a", "120"),
        (11, ("Berg, L.",), 2021, "qualitative", "nursing home", "Berg", "b", "14"),
        (12, ("Aalto, K.",), 2017, "RCT", "Residential care", "Aalto", "c", "300"),
        (13, ("Zhou, M.",), 2021, "cohort", "", "Zhou", "d", "88"),
    ]
    return [
        StudyRow(
            rid,
            f"{authors[0].split(',')[0]}, {year}",
            authors,
            year,
            f"Study {rid} of falls",
            None,
            f"10.1/{rid}",
            {"design": d, "setting": s, "lead_author": a, "summary": m, "sample": n},
        )
        for rid, authors, year, d, s, a, m, n in data
    ]


def catalogue() -> Catalogue:
    return Catalogue.from_rows(parse_protocol(PROTOCOL), rows())


def ids(found: list[StudyRow]) -> list[int]:
    return [s.record_id for s in found]


def test_facets_come_from_the_codebook_by_type_and_values() -> None:
    c = catalogue()
    facets = {f.name: f.facet for f in c.fields}
    # prose never; a field naming each study once (lead_author, sample) is no facet
    assert facets == {
        "design": True,
        "setting": True,
        "lead_author": True,  # four studies: few values, still offered
        "summary": False,
        "sample": True,
    }
    many = [
        StudyRow(
            i, f"s{i}", (), 2000 + i, None, None, None, {"lead_author": f"A{i}", "setting": "home"}
        )
        for i in range(20)
    ]
    big = Catalogue.from_rows(parse_protocol(PROTOCOL), many)
    assert {f.name: f.facet for f in big.fields}["lead_author"] is False
    assert {f.name: f.facet for f in big.fields}["setting"] is True
    assert {f.name: f.facet for f in big.fields}["design"] is True  # a choice field always


def test_filters_or_within_a_field_and_across_fields() -> None:
    c = catalogue()
    assert ids(c.select(c.parse_filters([("design", "RCT")]))) == [12, 10]
    assert ids(c.select(c.parse_filters([("design", "RCT"), ("design", "qualitative")]))) == [
        12,
        10,
        11,
    ]
    both = c.parse_filters([("design", "cohort"), ("setting", "NURSING HOME")])
    assert ids(c.select(both)) == [10]  # spelling variants match (case)
    assert both.values == {"design": ("cohort",), "setting": ("Nursing home",)}
    blank = c.parse_filters([("setting", "(not stated)")])
    assert ids(c.select(blank)) == [13]


def test_facet_counts_ignore_their_own_field_and_keep_selected_values() -> None:
    c = catalogue()
    filters = c.parse_filters([("design", "qualitative"), ("setting", "Nowhere")])
    facets = {f.field.name: f for f in c.facets(filters)}
    design = {v.value: (v.count, v.selected) for v in facets["design"].values}
    # design counts among studies the setting filter keeps (none), selected value kept at 0
    assert design == {"qualitative": (0, True)}
    setting = [(v.value, v.count, v.selected) for v in facets["setting"].values]
    assert setting[0] == ("Nursing home", 1, False) and ("Nowhere", 0, True) in setting
    plain = {f.field.name: f for f in c.facets(c.parse_filters([]))}
    assert [(v.value, v.count) for v in plain["setting"].values] == [
        ("Nursing home", 2),
        ("Residential care", 1),
        ("(not stated)", 1),
    ]
    assert [v.value for v in plain["sample"].values] == ["14", "88", "120", "300"]  # numeric


def test_text_search_and_sorts() -> None:
    c = catalogue()
    assert ids(c.select(c.parse_filters([("q", "okafor")]))) == [10]
    assert ids(c.select(c.parse_filters([("q", "falls 12")]))) == [12]
    assert ids(c.select(c.parse_filters([("sort", "author")]))) == [12, 11, 10, 13]
    assert ids(c.select(c.parse_filters([("sort", "-year")]))) == [13, 11, 10, 12]


def test_unknown_field_or_sort_is_refused_with_the_choices() -> None:
    c = catalogue()
    with pytest.raises(InputError, match=r"countri.*design, setting, lead_author"):
        c.parse_filters([("countri", "UK")])
    with pytest.raises(InputError, match="expected one of year"):
        c.parse_filters([("sort", "title")])


def test_export_columns_carry_every_coded_field() -> None:
    c = catalogue()
    columns = c.export_columns(c.select(c.parse_filters([("design", "cohort")])))
    assert columns[10][:2] == [("coded_design", "RCT; cohort"), ("coded_setting", "Nursing home")]
    assert [name for name, _ in columns[13]] == [
        "coded_design",
        "coded_setting",
        "coded_lead_author",
        "coded_summary",
        "coded_sample",
    ]


def test_built_in_review_practice_oriented_models_from_the_uk(demo_dir: Path) -> None:
    """A practitioner's question, answered against the extraction table in the store."""
    from sqlalchemy import select

    from litrev.extraction.codebook import CONSENSUS
    from litrev.project import Project
    from litrev.store import schema

    project = Project.open(demo_dir)
    try:
        c = build_catalogue(project)
        with project.store.connect() as conn:
            values = conn.execute(
                select(
                    schema.extractions.c.record_id,
                    schema.extractions.c.field,
                    schema.extractions.c.value,
                ).where(schema.extractions.c.reviewer == CONSENSUS)
            ).all()
        coded: dict[int, dict[str, str]] = {}
        for rid, name, value in values:
            coded.setdefault(rid, {})[name] = value
        facet_names = {f.field.name for f in c.facets(c.parse_filters([]))}
    finally:
        project.store.close()
    assert len(c.studies) == len(coded)
    assert {"category", "discipline", "country", "year"} <= facet_names
    expected = sorted(
        rid
        for rid, v in coded.items()
        if v.get("category") == "practice-oriented" and v.get("country") == "UK"
    )
    found = c.select(c.parse_filters([("category", "practice-oriented"), ("country", "UK")]))
    assert expected and sorted(ids(found)) == expected


def test_report_cache_rebuilds_only_when_the_report_can_change(tmp_path: Path) -> None:
    from litrev.project import Project
    from litrev.records.export import export_records
    from litrev.screening.decisions import Screening
    from litrev.screening.demo import add_records
    from litrev.screening.notes import add_note
    from litrev.synthesis.report.cache import cached_report, report_file, report_state

    project = Project.init(tmp_path / "r")
    add_records(project.store, 2)
    cache = tmp_path / "cache"
    first = cached_report(project, cache)
    assert first.built and (first.folder / "prisma.svg").exists()
    state = report_state(project)
    add_note(project.store, 1, "title_abstract", "ann", "check the dates")
    export_records(project.store, tmp_path / "out.ris", "ris", actor="ann")
    assert report_state(project) == state  # notes and exports are not in the report
    assert not cached_report(project, cache).built
    Screening(project.store).decide(1, reviewer="ann", stage="title_abstract", decision="include")
    assert report_state(project) != state
    again = cached_report(project, cache)
    assert again.built and again.state != first.state
    assert sorted(p.name for p in cache.iterdir()) == ["current"]  # old builds removed
    data, _ = report_file(project, cache, "report.md")
    assert data.startswith(b"#")
    with pytest.raises(FileNotFoundError):
        report_file(project, cache, "../litrev.toml")
    with pytest.raises(FileNotFoundError):
        report_file(project, cache, "state.txt")
    assert cached_report(project, cache, rebuild=True).built
    project.store.close()


@pytest.mark.parametrize(
    "module", ["litrev.synthesis.maps.catalogue", "litrev.synthesis.report.cache"]
)
def test_docstring_examples(module: str, docstring_examples: Any) -> None:
    docstring_examples(module)
