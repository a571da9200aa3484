"""The evidence-and-gap map in a real browser (Playwright + Debian's chromium), opened from a
file: filters, click-through, keyboard, no console errors, hostile titles inert.

The built-in review's map is screenshotted into test-artefacts/web/gapmap.png (and, with
LITREV_DOCS_SCREENSHOTS=1, into docs/gapmap.png, the picture in docs/synthesis.md)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from litrev.project import Project
from litrev.protocol import parse_protocol
from litrev.synthesis.maps.catalogue import Catalogue, StudyRow
from litrev.synthesis.maps.gapmap import GapMap, build_gapmap
from litrev.synthesis.maps.gapmap_html import render_gapmap, write_gapmap
from litrev.synthesis.tables import variant_key

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "test-artefacts" / "web"


def _open(browser: Any, path: Path, errors: list[str], width: int = 1366) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: errors.append(f"request {r.url}") if not r.url.startswith("file:") else None,
    )
    page.goto(path.as_uri())
    return page


def _labels(gapmap: GapMap, ids: tuple[int, ...]) -> set[str]:
    by_id = {s.record_id: s.label for s in gapmap.studies}
    return {by_id[i] for i in ids}


def _listed(page: Any) -> set[str]:
    return set(page.locator("#panel-list li .cite").all_inner_texts())


@pytest.fixture(scope="module")
def demo_map(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GapMap]:
    project = Project.open(demo_dir)
    try:
        out = tmp_path_factory.mktemp("map") / "gapmap.html"
        path, gapmap = write_gapmap(project, out, rows="discipline", cols="category")
    finally:
        project.store.close()
    return path, gapmap


def test_filters_and_click_through_list_the_cells_studies(
    browser: Any, demo_map: tuple[Path, GapMap]
) -> None:
    path, gapmap = demo_map
    errors: list[str] = []
    page = _open(browser, path, errors)
    bubbles = page.locator("button.bubble")
    assert bubbles.count() == len(gapmap.cells) - len(gapmap.gaps)
    assert page.locator("td.gap").count() == len(gapmap.gaps)
    assert page.locator("#status").inner_text() == "73 of 73 studies shown."

    # click a bubble: its studies, with citation, are listed
    cell = gapmap.cell("Public administration", "typology")
    page.get_by_role("button", name="Public administration × typology: 4 studies").click()
    assert _listed(page) == _labels(gapmap, cell.study_ids)
    assert page.locator("#panel-title").inner_text().endswith("4 studies")

    # filter to one model type: only its column keeps bubbles, the count table follows
    page.locator("details[data-field=category] input[value=typology]").check()
    typology = [c for c in gapmap.cells if c.col == "typology" and not c.gap]
    assert bubbles.count() == len(typology)
    assert page.locator("#status").inner_text() == "7 of 73 studies shown (filtered)."
    shown = page.locator("#counts td:not(.zero)").all_inner_texts()
    assert sorted(int(n) for n in shown) == sorted(c.count for c in typology)

    # a second filter on another field (AND): the bubble lists only studies meeting both
    target = typology[0]
    inputs = page.locator("details[data-field=country] input")
    offered = {variant_key(v): v for v in inputs.evaluate_all("l => l.map(i => i.value)")}
    coded = next(s.values["country"] for s in gapmap.studies if s.record_id in target.study_ids)
    country = offered[variant_key(coded or "")]
    page.locator(f'details[data-field=country] input[value="{country}"]').check()
    expected = tuple(
        s.record_id
        for s in gapmap.studies
        if s.record_id in target.study_ids
        and variant_key(s.values.get("country") or "") == variant_key(country)
    )
    page.get_by_role(
        "button", name=f"{target.row} × typology: {len(expected)} stud", exact=False
    ).click()
    assert _listed(page) == _labels(gapmap, expected)

    # keyboard: Tab reaches a bubble, Enter lists its studies
    page.get_by_role("button", name="Clear filters").click()
    assert page.locator("#status").inner_text() == "73 of 73 studies shown."
    page.locator("button.bubble").first.focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Enter")
    name, _, count = focused.rpartition(": ")
    r, c = name.split(" × ")
    assert _listed(page) == _labels(gapmap, gapmap.cell(r, c).study_ids)
    assert (
        count == f"{gapmap.cell(r, c).count} stud{'y' if gapmap.cell(r, c).count == 1 else 'ies'}"
    )
    assert errors == []
    page.close()


def test_screenshot_of_the_built_in_review(browser: Any, demo_map: tuple[Path, GapMap]) -> None:
    path, _ = demo_map
    errors: list[str] = []
    page = _open(browser, path, errors)
    page.get_by_role(
        "button", name="Health Services Research × practice-oriented: 7 studies"
    ).click()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / "gapmap.png"
    page.screenshot(path=str(shot), full_page=False)
    if os.environ.get("LITREV_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(shot, ROOT / "docs" / "gapmap.png")
    assert shot.stat().st_size > 20_000 and errors == []
    page.close()


def test_hostile_titles_are_inert(browser: Any, tmp_path: Path) -> None:
    protocol = parse_protocol(
        '[review]\nid="h"\ntitle="</script><script>window.__pwned=1</script>"\n[codebook]\n'
        '[[codebook.fields]]\nname="place"\nlabel="<img src=x onerror=window.__pwned=2>"\n'
        '[[codebook.fields]]\nname="kind"\ntype="multi_choice"\nchoices=["a","b"]'
    )
    title = "</script><script>window.__pwned=3</script>"
    label = '<img src=x onerror="window.__pwned=4">'
    studies = [
        StudyRow(
            1,
            label,
            ("X",),
            2020,
            title,
            "<b>J</b>",
            "10.1234/a",
            {"place": "</script>", "kind": "a; b"},
        ),
        StudyRow(
            2,
            "Plain, 2021",
            ("P",),
            2021,
            "A plain title",
            None,
            None,
            {"place": "Ward", "kind": "b"},
        ),
    ]
    catalogue = Catalogue.from_rows(protocol, studies)
    gapmap = build_gapmap(catalogue, rows="place", cols="kind", colour="place")
    path = tmp_path / "hostile.html"
    path.write_text(render_gapmap(gapmap, catalogue, title=protocol.review.title), encoding="utf-8")
    errors: list[str] = []
    page = _open(browser, path, errors)
    for i in range(page.locator("button.bubble").count()):
        page.locator("button.bubble").nth(i).click()
    page.locator("button.bubble[aria-label^='</script> × a']").click()
    assert page.locator("#panel-list .study-title").inner_text() == title
    assert page.locator("#panel-list .cite").inner_text() == label
    assert page.locator("#panel-list a").get_attribute("href") == "https://doi.org/10.1234/a"
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#panel-list img, #panel-list b, header img").count() == 0
    assert page.locator("script").count() == 2  # the page's own two
    assert errors == []
    page.close()
