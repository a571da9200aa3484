"""The evidence-and-gap map page and the framework match page (TestClient, SQLite and
PostgreSQL; the browser test at the end uses Chromium). Numbers on the pages are compared with
the core's own answers (`project_gapmap`, `frameworks.match`), never with literals."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from .coded_review import KEY, MAP_CODEBOOK, coded_review, serve, signed_in_context
from .conftest import ARTEFACTS, WebReview

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def coded(tmp_path: Path, backend: str) -> Any:
    made = coded_review(tmp_path / "review", backend)
    yield made
    made.workspace.close()


def _testid(text: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}"[^>]*>([^<]*)<', text)
    assert found, name
    return html.unescape(found.group(1).strip())


def test_the_map_page(coded: WebReview) -> None:
    _draws_any_two_fields_with_the_cores_counts(coded)
    _defaults_to_the_first_two_fields_and_refuses_unknown_ones(coded)


def _draws_any_two_fields_with_the_cores_counts(coded: WebReview) -> None:
    from litrev.synthesis.maps.gapmap import project_gapmap

    review = coded.workspace.reviews[KEY]
    vic = coded.client("vic")  # a viewer reads the map
    for rows, cols, colour in [("design", "setting", ""), ("funder", "design", "setting")]:
        query = urlencode({"rows": rows, "cols": cols, "colour": colour})
        answer = vic.get(f"/r/{KEY}/map?{query}")
        assert answer.status_code == 200, answer.text
        gapmap, _ = project_gapmap(review.project, rows=rows, cols=cols, colour=colour or None)
        assert _testid(answer.text, "map-studies") == str(len(gapmap.studies))
        assert _testid(answer.text, "map-gaps") == str(len(gapmap.gaps))
        assert re.search(rf'<option value="{rows}" selected>', answer.text)
        frame = re.search(r'<iframe[^>]*src="([^"]+)"[^>]*sandbox="allow-scripts"', answer.text)
        assert frame, "the map is framed, sandboxed (no same-origin: no cookies, no pages)"
        served = vic.get(frame.group(1).replace("&amp;", "&"))
        assert served.status_code == 200
        # The frame's own inline script runs, by hash only; nothing else may.
        script = re.findall(r"<script>(.*?)</script>", served.text, re.DOTALL)
        assert len(script) == 1
        digest = base64.b64encode(hashlib.sha256(script[0].encode()).digest()).decode()
        policy = served.headers["content-security-policy"]
        scripts = policy.split("script-src ")[1].split(";")[0].split()
        assert scripts[0] == f"'sha256-{digest}'" and "'unsafe-inline'" not in scripts
        # the frame's inline handlers, each by its own hash (nothing else may run)
        handlers = set(
            re.findall(
                r'\son[a-z]+="([^"]*)"', re.sub(r"<script.*?</script>", "", served.text, flags=re.S)
            )
        )
        for code in handlers:
            digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in scripts
        assert len(scripts) == 1 + (len(handlers) + 1 if handlers else 0)
        assert "frame-ancestors 'self'" in policy
        for cell in gapmap.cells:  # every cell's count is in the frame's table of counts
            assert cell.row in served.text and cell.col in served.text
    download = vic.get(f"/r/{KEY}/map/frame?rows=design&cols=setting&download=1")
    assert download.headers["content-disposition"] == 'attachment; filename="gapmap.html"'


def _defaults_to_the_first_two_fields_and_refuses_unknown_ones(coded: WebReview) -> None:
    review = coded.workspace.reviews[KEY]
    names = [f.name for f in review.project.protocol.codebook.fields]
    rui = coded.client("rui")
    first = rui.get(f"/r/{KEY}/map")
    assert re.search(rf'name="rows"[^>]*>\s*<option value="{names[0]}" selected', first.text)
    assert f'<option value="{names[1]}" selected>' in first.text
    bad = rui.get(f"/r/{KEY}/map?rows=dessign&cols=setting")
    assert bad.status_code == 400
    message = _testid(bad.text, "map-error")
    assert "'dessign' is not a coded field" in message and "design" in message
    assert "<iframe" not in bad.text
    assert rui.get(f"/r/{KEY}/map/frame?rows=dessign&cols=setting").status_code == 400


def test_a_map_needs_two_fields(tmp_path: Path) -> None:
    one_field = MAP_CODEBOOK.split('[[codebook.fields]]\nname = "setting"')[0]
    made = coded_review(tmp_path / "one", "sqlite", codebook=one_field)
    try:
        answer = made.client("vic").get(f"/r/{KEY}/map")
        assert "fewer than two fields" in _testid(answer.text, "map-error")
    finally:
        made.workspace.close()


def test_hostile_labels_and_values_are_inert_on_the_map_page(tmp_path: Path) -> None:
    hostile = MAP_CODEBOOK.replace(
        'label = "Study design"', "label = \"<script>alert('label')</script>\""
    ).replace('"NIHR"', '"</script><img src=x onerror=alert(1)>"')
    made = coded_review(tmp_path / "hostile", "sqlite", codebook=hostile)
    try:
        vic = made.client("vic")
        page = vic.get(f"/r/{KEY}/map?rows=design&cols=funder").text
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;" in page
        frame = vic.get(f"/r/{KEY}/map/frame?rows=design&cols=funder").text
        assert "<img src=x" not in frame and "<script>alert" not in frame
    finally:
        made.workspace.close()


def _view(page: Any, name: str) -> None:
    """A screenshot of the viewport: a full-page one resizes the viewport, which re-lays out
    the framed map mid-test."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"))


def _match(client: Any, **params: str) -> Any:
    return client.get(f"/r/{KEY}/match?{urlencode(params)}")


def test_the_match_page(tmp_path: Path) -> None:
    """Match reads the built-in catalogue, nothing of the review's store: one backend."""
    made = coded_review(tmp_path / "match", "sqlite")
    try:
        _lists_the_cores_models_with_their_reasons_for_a_viewer(made)
        _says_what_is_missing(made)
        _hostile_descriptions_are_inert(made)
    finally:
        made.workspace.close()


def _lists_the_cores_models_with_their_reasons_for_a_viewer(coded: WebReview) -> None:
    from markupsafe import escape

    from litrev.frameworks.match import match

    vic = coded.client("vic")
    empty = vic.get(f"/r/{KEY}/match")
    assert empty.status_code == 200 and 'data-testid="match-result"' not in empty.text
    described = "Tenants and the housing association co-design and co-deliver repairs in Italy"
    answer = _match(
        vic, description=described, framework="nabatchi-2017", **{"nabatchi-2017.level": "group"}
    )
    assert answer.status_code == 200
    expected = match(
        described, answers={"nabatchi-2017": {"level": ["group"]}}, framework="nabatchi-2017"
    )
    assert expected
    labels = re.findall(r'data-testid="match-result" data-label="([^"]+)"', answer.text)
    assert labels == [str(escape(m.label)) for m in expected]
    for m in expected:
        for reason in m.reasons:
            assert str(escape(reason)) in answer.text
    assert 'option value="group" selected' in answer.text  # the answers are kept on the form


def _says_what_is_missing(coded: WebReview) -> None:
    vic = coded.client("vic")
    empty = _match(vic, description="  ")
    assert empty.status_code == 422
    assert "describe your initiative" in _testid(empty.text, "match-error")
    unknown = _match(vic, description="co-design", framework="nabatchi-2099")
    assert unknown.status_code == 422 and "nabatchi-2099" in _testid(unknown.text, "match-error")
    wrong = _match(vic, description="co-design", **{"nabatchi-2017.level": "galactic"})
    assert wrong.status_code == 422 and "galactic" in _testid(wrong.text, "match-error")
    assert "collective" in _testid(wrong.text, "match-error")  # the values it could be


def _hostile_descriptions_are_inert(coded: WebReview) -> None:
    answer = _match(coded.client("vic"), description="<script>alert(1)</script> co-design")
    assert "<script>alert(1)" not in answer.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text


@pytest.mark.browser
def test_the_map_filters_and_lists_studies_on_click_and_match_answers(
    coded: WebReview, browser: Any, screenshot: Any
) -> None:
    from litrev.synthesis.maps.gapmap import project_gapmap

    review = coded.workspace.reviews[KEY]
    gapmap, _ = project_gapmap(review.project, rows="design", cols="setting", colour="funder")
    errors: list[str] = []
    with serve(coded) as base:
        context = signed_in_context(browser, coded, base, "vic", viewport=LAPTOP)
        try:
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/r/{KEY}/map")
            page.select_option('[data-testid="map-rows"]', "design")
            page.select_option('[data-testid="map-cols"]', "setting")
            page.select_option('[data-testid="map-colour"]', "funder")
            page.click('[data-testid="map-draw"]')
            page.wait_for_url(re.compile(r"colour=funder"))
            frame = page.frame_locator('[data-testid="gapmap-frame"]')
            bubbles = frame.locator("#map-body button.bubble")
            bubbles.first.wait_for()
            assert bubbles.count() == sum(len(c.segments) for c in gapmap.cells)
            assert frame.locator("#map-body td.gap").count() == len(gapmap.gaps)
            _view(page, "map-laptop")
            # click-through: the busiest cell's first bubble lists that segment's studies
            busiest = max(gapmap.cells, key=lambda c: c.count)
            r, c = gapmap.rows.index(busiest.row), gapmap.cols.index(busiest.col)
            frame.locator(f'#map-body button.bubble[data-r="{r}"][data-c="{c}"]').first.click()
            items = frame.locator("#panel-list li")
            listed = {int(items.nth(i).get_attribute("data-id")) for i in range(items.count())}
            assert listed == set(busiest.segments[0].study_ids)
            _view(page, "map-laptop-clicked")
            # a filter narrows the map: one design value
            frame.locator(f'#filters input[name="design"][value="{busiest.row}"]').check()
            wanted = [s for s in gapmap.studies if s.values.get("design") == busiest.row]
            frame.locator("#status", has_text="(filtered)").wait_for()
            assert frame.locator("#status").inner_text().startswith(f"{len(wanted)} of ")
            others = [i for i, v in enumerate(gapmap.rows) if v != busiest.row]
            for other in others:  # the other rows are gaps now
                assert frame.locator(f'#map-body button.bubble[data-r="{other}"]').count() == 0
            phone = context.new_page()
            phone.set_viewport_size(PHONE)
            phone.goto(page.url)
            phone.frame_locator('[data-testid="gapmap-frame"]').locator(
                "#map-body button.bubble"
            ).first.wait_for()
            _view(phone, "map-phone")
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            # the match page
            page.goto(f"{base}/r/{KEY}/match")
            page.fill('[data-testid="match-description"]', "Patients co-design a clinic in the UK")
            page.click('[data-testid="match-submit"]')
            page.get_by_test_id("match-result").first.wait_for()
            assert page.get_by_test_id("match-reason").count() >= 1
            screenshot(page, "match-laptop")
            phone.goto(page.url)
            screenshot(phone, "match-phone")
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        finally:
            context.close()
    assert not errors, errors
