"""`report.html` and `prisma.svg` render in real headless Chromium (Debian's /usr/bin/chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def test_report_html_renders_flow_and_tables_offline(
    browser, demo_dir: Path, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((demo_dir / "report.html").as_uri())
    # Self-contained: nothing but the file itself is requested.
    assert requests and all(url.startswith("file://") for url in requests), requests
    flow = page.locator("#prisma svg.prisma-flow")
    assert flow.count() == 1
    box = flow.bounding_box()
    assert box and box["width"] > 600 and box["height"] > 400
    assert "Studies included in review" in flow.text_content()
    rows = page.locator("#classification-table tbody tr")
    assert rows.count() == 5
    assert rows.nth(0).locator("td").all_text_contents()[:3] == [
        "Conceptual/theoretical models",  # the category's label, not its name
        "42",
        "58",
    ]
    assert page.locator("#audit-table tbody tr").count() >= 6
    assert page.locator("table.supplementary").count() == 4
    assert page.locator("#discipline_by_category").count() == 1
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
    page.close()


def test_prisma_svg_renders_standalone(browser, demo_dir: Path, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto((demo_dir / "prisma.svg").as_uri())
    texts = page.locator("text").all_text_contents()
    assert any("5,191" in t for t in texts)
    assert any("Records screened" in t for t in texts)
    assert any("73" in t for t in texts)
    shot = tmp_path / "prisma.png"
    page.screenshot(path=str(shot))
    # Dark pixels exist where the boxes and text are drawn.
    from PIL import Image

    image = Image.open(shot).convert("L")
    dark = sum(image.histogram()[:100])  # pixels darker than 100 of 255
    assert dark > 5_000
    page.close()
