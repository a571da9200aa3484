"""The full-text stage and the review's outputs in headless Chromium, with screenshots:
fulltext-list, fulltext-view, catalogue-laptop, catalogue-phone, report."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import WebReview, _free_port, sign_in
from .pdfs import pdf_with_text
from .test_web_fulltext import KEY, to_full_text
from .test_web_outputs import DEMO, DemoSite, consensus_values

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def watch(page: Any) -> list[str]:
    """Console errors and page errors (a CSP violation shows here) collected as they come;
    the browser's own favicon request (base.html declares no icon) is not the page's."""
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} {m.location.get('url')}")
            if m.type == "error" and not str(m.location.get("url", "")).endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_upload_view_and_decide_full_texts(
    web_review: WebReview, live_server: str, browser: Any, screenshot: Any
) -> None:
    review = to_full_text(web_review)
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server, "rui")
    page.goto(f"{live_server}/r/{KEY}/fulltext")
    page.set_input_files(
        '[data-testid="upload-input"]',
        [
            {
                "name": "10.5555_telehf.0001.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_with_text(
                    "Home telemonitoring after discharge for heart failure",
                    "Randomised trial, 412 adults; 12-month admissions fell by a fifth.",
                ),
            },
            {
                "name": "Author3 telehealth.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_with_text("Telehealth and admissions", "doi:10.5555/telehf.0003"),
            },
            {
                "name": "scan 2024-03.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_with_text("A scanned report without its DOI"),
            },
        ],
    )
    page.click('[data-testid="upload-submit"]')
    page.wait_for_selector('[data-testid="upload-result"]')
    assert page.locator('[data-testid="upload-attached"]').count() == 2
    assert page.locator('[data-testid="upload-unmatched"]').count() == 1
    screenshot(page, "fulltext-upload")
    page.goto(f"{live_server}/r/{KEY}/fulltext")
    assert page.locator('[data-testid="pdf-attached"]').count() == 2
    screenshot(page, "fulltext-list")

    page.goto(f"{live_server}/r/{KEY}/fulltext/1")
    assert page.locator('[data-testid="pdf-frame"]').count() == 1
    assert "412 adults" in page.locator('[data-testid="pdf-text"]').inner_text()
    screenshot(page, "fulltext-view")
    page.keyboard.press("i")  # include, then on to the next record without my decision
    page.wait_for_url(f"{live_server}/r/{KEY}/fulltext/2?decided=1")
    page.keyboard.press("e")
    page.keyboard.press("3")  # the third full-text reason
    page.wait_for_url(f"{live_server}/r/{KEY}/fulltext/3?decided=2")
    page.keyboard.press("r")  # report not retrieved
    page.wait_for_url(f"{live_server}/r/{KEY}/fulltext/5?decided=3")
    made = {r: review.screening.decision_of(r, "full_text", "rui") for r in (1, 2, 3)}
    assert [(made[r].decision, made[r].reason) for r in (1, 2, 3)] == [  # type: ignore[union-attr]
        ("include", None),
        ("exclude", "outcome"),
        ("exclude", "no-report"),
    ]
    # the same session on a phone (no second sign-in)
    phone = browser.new_context(viewport=PHONE, storage_state=context.storage_state())
    small = phone.new_page()
    small.goto(f"{live_server}/r/{KEY}/fulltext/3")
    screenshot(small, "fulltext-view-phone")
    small.goto(f"{live_server}/r/{KEY}/fulltext")
    screenshot(small, "fulltext-list-phone")
    phone.close()
    context.close()
    assert errors == []


@pytest.fixture
def demo_server(demo_dir: Path, tmp_path: Path) -> Iterator[tuple[DemoSite, str]]:
    import uvicorn

    root = tmp_path / "demo"
    shutil.copytree(demo_dir, root)
    site = DemoSite(root)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(site.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield site, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    site.workspace.close()


def test_catalogue_filters_and_report(
    demo_server: tuple[DemoSite, str], browser: Any, screenshot: Any
) -> None:
    site, base = demo_server
    coded = consensus_values(site)
    expected = sorted(
        r
        for r, v in coded.items()
        if v.get("category") == "practice-oriented" and v.get("country") == "UK"
    )
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    errors = watch(page)
    page.goto(f"{base}/login")
    page.fill('input[name="username"]', "lea")
    page.fill('input[name="password"]', "correct horse battery")
    page.click('button[type="submit"]')
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/r/{DEMO}/catalogue")
    assert page.locator('[data-testid="study"]').count() == len(coded)
    # ticking a box applies the filter (catalogue.js submits the GET form)
    page.locator('[data-testid="facet-category"] input[value="practice-oriented"]').check()
    page.wait_for_url("**category=practice-oriented**")
    page.locator('[data-testid="facet-country"] input[value="UK"]').check()
    page.wait_for_url("**country=UK**")
    shown = sorted(
        int(r)
        for r in page.locator('[data-testid="study"]').evaluate_all(
            "items => items.map(i => i.dataset.record)"
        )
    )
    assert shown == expected
    screenshot(page, "catalogue-laptop")
    with page.expect_download() as download:
        page.click('[data-testid="export-csv"]')
    assert download.value.suggested_filename == "coproduction-models-catalogue.csv"

    phone = browser.new_context(viewport=PHONE, storage_state=context.storage_state())
    small = phone.new_page()
    small.goto(f"{base}/r/{DEMO}/catalogue?category=practice-oriented&country=UK")
    screenshot(small, "catalogue-phone")
    phone.close()

    page.goto(f"{base}/r/{DEMO}/report")
    frame = page.frame_locator('[data-testid="report-frame"]')
    frame.locator("h1").first.wait_for()
    screenshot(page, "report")
    context.close()
    assert errors == []


def test_public_catalogue_in_the_browser(
    demo_server: tuple[DemoSite, str], browser: Any, screenshot: Any
) -> None:
    site, base = demo_server
    site.workspace.public.add(DEMO)
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    errors = watch(page)
    page.goto(f"{base}/p/{DEMO}/catalogue?category=typology")
    assert page.locator('[data-testid="study"]').count() > 0
    assert page.locator('a[href^="/r/"]').count() == 0
    screenshot(page, "catalogue-public")
    context.close()
    assert errors == []
