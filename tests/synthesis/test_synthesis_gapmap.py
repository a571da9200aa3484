"""The evidence-and-gap map (litrev.synthesis.maps.gapmap, gapmap_html, `litrev map`)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from litrev.cli import run
from litrev.errors import InputError
from litrev.project import Project
from litrev.protocol import parse_protocol
from litrev.synthesis.maps.catalogue import Catalogue, StudyRow
from litrev.synthesis.maps.gapmap import build_gapmap, choices_of, project_gapmap
from litrev.synthesis.maps.gapmap_html import (
    colours,
    legend,
    map_data,
    render,
    render_gapmap,
    script_json,
)
from litrev.synthesis.tables import NOT_STATED, variant_key

# A review unlike the built-in one: falls prevention, a multi-choice design, a choice with an
# option no study has, a text field with spelling variants and a blank.
PROTOCOL = """
[review]
id = "falls"
title = "Falls prevention in care homes"

[codebook]
[[codebook.fields]]
name = "design"
label = "Study design"
type = "multi_choice"
choices = ["RCT", "cohort", "qualitative", "case series"]
[[codebook.fields]]
name = "setting"
label = "Care setting"
[[codebook.fields]]
name = "region"
type = "choice"
choices = ["Europe", "Asia", "Africa"]
"""


def catalogue(*extra: StudyRow) -> Catalogue:
    data = [
        (10, "RCT; cohort", "Nursing home", "Europe"),
        (11, "qualitative", "nursing home", "Asia"),
        (12, "RCT", "Residential care", "Europe"),
        (13, "cohort", "", "Asia"),
    ]
    studies = [
        StudyRow(
            rid, f"S{rid}", (f"A{rid}",), 2020, f"Title {rid}", None, f"10.1234/falls.{rid}", v
        )
        for rid, d, s, r in data
        for v in [{"design": d, "setting": s, "region": r}]
    ]
    return Catalogue.from_rows(parse_protocol(PROTOCOL), [*studies, *extra])


def test_multi_choice_counts_a_study_under_each_value_and_empty_cells_are_gaps() -> None:
    c = catalogue()
    m = build_gapmap(c, rows="design", cols="setting", choices=choices_of(c_protocol()))
    # declared choices in codebook order (unused "case series" kept, as a gap row)
    assert m.rows == ("RCT", "cohort", "qualitative", "case series")
    # spelling variants grouped, the most frequent spelling shown; blank last
    assert m.cols == ("Nursing home", "Residential care", NOT_STATED)
    assert m.cell("RCT", "Nursing home").study_ids == (10,)
    assert m.cell("cohort", "Nursing home").study_ids == (10,)
    assert m.cell("RCT", "Residential care").study_ids == (12,)
    assert m.cell("qualitative", "Nursing home").study_ids == (11,)
    assert m.cell("cohort", NOT_STATED).study_ids == (13,)
    assert all(cell.gap for cell in m.cells if cell.row == "case series")
    counted = {(cell.row, cell.col): cell.count for cell in m.cells if not cell.gap}
    assert sum(counted.values()) == 5  # study 10 twice (RCT and cohort), the others once
    assert len(m.gaps) == 12 - 5
    assert m.max_count == 1


def c_protocol():  # type: ignore[no-untyped-def]
    return parse_protocol(PROTOCOL)


def test_colour_splits_cells_into_segments() -> None:
    m = build_gapmap(catalogue(), rows="region", cols="design", colour="setting")
    assert m.rows == ("Asia", "Europe")  # no choices passed: values present, tie alphabetical
    cell = m.cell("Europe", "RCT")
    assert cell.study_ids == (10, 12)
    assert [(s.value, s.study_ids) for s in cell.segments] == [
        ("Nursing home", (10,)),
        ("Residential care", (12,)),
    ]
    assert m.colours == ("Nursing home", "Residential care", NOT_STATED)


def test_each_study_lists_rows_cols_then_colour_values_in_that_order() -> None:
    # They were a set's order, which changes with the string hash seed: `litrev demo` wrote a
    # different gapmap.html on each run.
    c = catalogue()
    m = build_gapmap(c, rows="region", cols="design", colour="setting")
    data = map_data(m, c, title="Falls")
    assert [list(s["values"]) for s in data["studies"]] == [["region", "design", "setting"]] * 4


def test_unknown_field_is_refused_with_the_known_fields() -> None:
    with pytest.raises(InputError, match=r"--cols: 'settings' .*known fields: design, setting"):
        build_gapmap(catalogue(), rows="design", cols="settings")
    with pytest.raises(InputError, match="--colour: 'x'"):
        build_gapmap(catalogue(), rows="design", cols="setting", colour="x")


def test_colours_past_the_palette_share_one_named_other() -> None:
    values = (*[f"v{i}" for i in range(12)], NOT_STATED)
    shades = colours(values)
    assert len({shades[f"v{i}"] for i in range(8)}) == 8
    assert {shades[f"v{i}"] for i in range(8, 12)} == {"#8c8c8c"}
    keys = legend(values)
    assert keys[-2] == ("#8c8c8c", "other: v8, v9, v10, v11")
    assert keys[-1][1] == NOT_STATED


def test_script_json_cannot_end_the_script_block() -> None:
    hostile = {"title": "</script><script>alert(1)</script><!-- &amp;"}
    text = script_json(hostile)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == hostile


def test_page_embeds_hostile_titles_only_as_json() -> None:
    evil = StudyRow(
        20,
        "<img src=x onerror=alert(1)>",
        ("Evil",),
        2022,
        "</script><script>alert(2)</script>",
        None,
        "javascript:alert(3)",
        {"design": "RCT", "setting": "<b>ward</b>", "region": "Africa"},
    )
    c = catalogue(evil)
    page = render_gapmap(build_gapmap(c, rows="setting", cols="design"), c, title="<i>T</i>")
    assert page.count("</script>") == 2  # the data block's and the script's own
    assert "<img" not in page and "<b>ward" not in page and "<i>T" not in page
    data = json.loads(re.search(r'id="gapmap-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    row = next(s for s in data["studies"] if s["id"] == 20)
    assert row["title"] == evil.title
    assert row["doi_url"] is None  # not a DOI: no link
    assert (
        next(s for s in data["studies"] if s["id"] == 10)["doi_url"]
        == "https://doi.org/10.1234/falls.10"
    )
    # no address but the studies' DOI links: nothing loads from a network
    assert not re.search(r"https?://(?!doi\.org/)", page)
    assert not re.search(r"<(img|link|iframe)\b|<script src", page)


def _store_counts(db: Path, rows: str, cols: str) -> Counter[tuple[str, str]]:
    """Counts per (row, column) straight from the store's consensus extractions."""
    with sqlite3.connect(db) as connection:
        found = connection.execute(
            "SELECT record_id, field, value FROM extractions WHERE reviewer = 'consensus' "
            "AND field IN (?, ?) ORDER BY id",
            (rows, cols),
        ).fetchall()
    values: dict[int, dict[str, str]] = {}
    for record_id, name, value in found:
        values.setdefault(record_id, {})[name] = (value or "").strip() or NOT_STATED
    return Counter(
        (variant_key(v.get(rows, NOT_STATED)), variant_key(v.get(cols, NOT_STATED)))
        for v in values.values()
    )


@pytest.mark.parametrize(("rows", "cols"), [("discipline", "category"), ("country", "year")])
def test_built_in_review_map_counts_equal_the_store(demo_dir: Path, rows: str, cols: str) -> None:
    project = Project.open(demo_dir)
    try:
        m, _ = project_gapmap(project, rows=rows, cols=cols)
    finally:
        project.store.close()
    expected = _store_counts(demo_dir / "litrev.db", rows, cols)
    got = Counter({(variant_key(c.row), variant_key(c.col)): c.count for c in m.cells if not c.gap})
    assert got == expected
    assert len(m.studies) == sum(expected.values()) == 73
    if cols == "category":  # the classification's four declared categories, in their order
        assert m.cols == (
            "conceptual/theoretical",
            "practice-oriented",
            "typology",
            "boundary-spanning",
        )
        assert m.cell("Public administration", "typology").count == 4
        assert m.cell("Marketing", "boundary-spanning").gap


def test_cli_map_writes_the_page_and_refuses_unknown_fields(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "map.html"
    code = run(
        [
            "map",
            "-p",
            str(demo_dir),
            "--rows",
            "country",
            "--cols",
            "category",
            "--colour",
            "year",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    page = out.read_text(encoding="utf-8")
    assert "Author country" in page and 'id="gapmap-data"' in page
    assert f"written to {out}" in capsys.readouterr().out.replace("\n", "")
    assert run(["map", "-p", str(demo_dir), "--rows", "nation", "--cols", "category"]) == 2
    error = capsys.readouterr().err
    assert (
        "'nation' is not a coded field" in error
        and "discipline" in error
        and "Traceback" not in error
    )


def test_render_serves_the_workspace_a_string(demo_dir: Path) -> None:
    project = Project.open(demo_dir)
    try:
        page = render(project, rows="discipline", cols="category", colour="country")
    finally:
        project.store.close()
    assert page.startswith("<!DOCTYPE html>")
    # the count table (text alternative) is in the page itself, JavaScript or not
    assert re.search(r"<th scope=\"row\">Public administration</th>(<td[^>]*>\d+</td>){4}", page)


def test_docstring_examples(docstring_examples) -> None:  # type: ignore[no-untyped-def]
    docstring_examples("litrev.synthesis.maps.gapmap")
    docstring_examples("litrev.synthesis.maps.gapmap_html")


def test_a_review_of_its_own_through_the_store_and_the_cli(tmp_path: Path) -> None:
    """Not the built-in review: a multi-choice design imported into a new project's store."""
    root = tmp_path / "falls"
    root.mkdir()
    (root / "litrev.toml").write_text(
        PROTOCOL.replace(
            '[[codebook.fields]]\nname = "design"',
            '[[codebook.fields]]\nname = "author"\n[[codebook.fields]]\nname = "design"',
            1,
        ),
        encoding="utf-8",
    )
    table = tmp_path / "extraction.csv"
    table.write_text(
        "author,design,setting,region\nOkafor,RCT; cohort,Nursing home,Europe\n"
        "Berg,qualitative,nursing home,Asia\nAalto,RCT,Residential care,Europe\n"
        "Zhou,cohort,,Asia\n",
        encoding="utf-8",
    )
    assert run(["init", str(root)]) == 0
    assert run(["extract", "import", str(table), "-p", str(root)]) == 0
    assert run(["map", "-p", str(root), "--rows", "design", "--cols", "region"]) == 0
    page = (root / "gapmap.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="gapmap-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert data["rows"]["values"] == ["RCT", "cohort", "qualitative", "case series"]
    assert data["cols"]["values"] == ["Europe", "Asia", "Africa"]  # Africa: a declared choice
    by_author = {s["label"].split(",")[0]: s["values"]["design"] for s in data["studies"]}
    assert by_author["Okafor"] == ["RCT", "cohort"]
    counts = re.findall(r'<td data-r="(\d)" data-c="(\d)"(?: class="zero")?>(\d+)</td>', page)
    grid = {(int(r), int(c)): int(n) for r, c, n in counts}
    assert grid == {
        (0, 0): 2,
        (0, 1): 0,
        (0, 2): 0,  # RCT: Okafor and Aalto in Europe
        (1, 0): 1,
        (1, 1): 1,
        (1, 2): 0,  # cohort: Okafor (Europe), Zhou (Asia)
        (2, 0): 0,
        (2, 1): 1,
        (2, 2): 0,  # qualitative: Berg (Asia)
        (3, 0): 0,
        (3, 1): 0,
        (3, 2): 0,  # case series: a gap row
    }
