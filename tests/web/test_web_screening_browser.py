"""The screening page in headless Chromium: a reviewer screens by keyboard only, then undoes."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ARTEFACTS, WebReview, sign_in

pytestmark = pytest.mark.browser

TA = "title_abstract"
# Once a saved tag or note is swapped in, the keys go back to screening (no field focused).
# (A function, not an expression: Playwright polls a bare expression with eval, which the CSP
# refuses.)
UNFOCUSED = "() => !['INPUT', 'TEXTAREA'].includes(document.activeElement.tagName)"


def _title_id(page: Any) -> int:
    return int(page.locator("article[data-record-id]").get_attribute("data-record-id"))


def _next(page: Any, before: int) -> int:
    """Wait for the htmx swap to show a record other than `before`, and to settle (screen.js
    then focuses its title; a key pressed before htmx has wired the new forms would post them
    as plain forms); return its id."""
    page.wait_for_function(
        "id => { const a = document.querySelector('article[data-record-id]');"
        " return a && a.dataset.recordId !== String(id)"
        " && document.activeElement && document.activeElement.id === 'record-title'; }",
        arg=before,
    )
    return _title_id(page)


def test_screening_by_keyboard(
    web_review: WebReview, live_server: str, browser: Any, screenshot: Any
) -> None:
    screening = web_review.workspace.reviews[web_review.key].screening
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.on(
        "console",
        lambda m: errors.append(f"{m.text} {m.location.get('url')}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_server, "rui")
    page.goto(f"{live_server}/r/{web_review.key}/screen")
    first = _title_id(page)

    page.keyboard.press("i")
    second = _next(page, first)
    assert page.locator("#toast").inner_text().startswith(f"Included record {first}")
    page.keyboard.press("e")
    assert page.locator("[data-reasons].armed").count() == 1
    assert page.locator("[data-exclude-arm]").get_attribute("aria-expanded") == "true"
    page.keyboard.press("1")
    third = _next(page, second)
    page.keyboard.press("m")
    fourth = _next(page, third)
    assert len({first, second, third, fourth}) == 4

    decided = {r: screening.decision_of(r, TA, "rui") for r in (first, second, third)}
    assert decided[first].decision == "include"  # type: ignore[union-attr]
    assert (decided[second].decision, decided[second].reason) == ("exclude", "population")  # type: ignore[union-attr]
    assert decided[third].decision == "maybe"  # type: ignore[union-attr]

    page.keyboard.press("u")
    assert _next(page, fourth) == third
    assert screening.decision_of(third, TA, "rui") is None
    assert "Undid maybe" in page.locator("#toast").inner_text()

    # n and t go to the note and tag fields; typed text is saved inline, Escape leaves the field.
    page.keyboard.press("t")
    page.keyboard.type("pragmatic trial")
    page.keyboard.press("Enter")
    page.locator(".tag-text", has_text="pragmatic trial").wait_for()
    page.wait_for_function(UNFOCUSED)
    page.keyboard.press("n")
    page.keyboard.type("Check the comparator")
    page.keyboard.press("Control+Enter")
    page.locator(".note-text", has_text="Check the comparator").wait_for()
    page.wait_for_function(UNFOCUSED)
    page.keyboard.press("?")
    assert page.locator("details.shortcuts").get_attribute("open") is not None
    # No script error and no CSP refusal (the browser's own favicon request aside). Checked
    # before any screenshot: Playwright's screenshot styles trip the CSP themselves.
    assert [e for e in errors if "favicon" not in e] == []
    screenshot(page, "screen-laptop-notes")
    page.goto(f"{live_server}/r/{web_review.key}/screen")
    screenshot(page, "screen-laptop")

    page.goto(f"{live_server}/r/{web_review.key}/records/{first}")
    page.locator('[data-testid="history"]').wait_for()
    screenshot(page, "record-page")

    # Made a viewer while the page is open: the refused decision says why, in the toast.
    page.goto(f"{live_server}/r/{web_review.key}/screen")
    web_review.workspace.accounts.grant(web_review.key, "rui", "viewer", actor="lena")
    page.keyboard.press("i")
    page.locator("#toast", has_text="needs the reviewer role").wait_for()
    context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    small = phone.new_page()
    sign_in(small, live_server, "sam")
    small.goto(f"{live_server}/r/{web_review.key}/screen")
    sams_first = _title_id(small)
    bar = small.locator(".decision-bar").bounding_box()
    assert bar is not None and bar["y"] + bar["height"] <= 844 + 1  # in reach, on screen
    # A key pressed while the next record is being swapped in (before htmx has wired it) waits
    # for it to settle and then applies to it through htmx: never a plain-form post.
    small.evaluate(
        """() => document.addEventListener("htmx:afterSwap", (e) => {
            if (e.detail.target && e.detail.target.id === "record" && !window.pressedOnce) {
                window.pressedOnce = true;
                document.dispatchEvent(new KeyboardEvent("keydown", {key: "m", bubbles: true}));
            }
        })"""
    )
    small.locator('[data-testid="decide-include"]').click()
    for _ in range(100):  # until the replayed m is stored too
        mine = {e.record_id: e.decision for e in screening.events(TA, reviewer="sam")}
        if len(mine) == 2:
            break
        small.wait_for_timeout(100)
    # Sam's first record is included and the replayed m marks the record that came next.
    assert mine.pop(sams_first) == "include"
    assert list(mine.values()) == ["maybe"]
    _next(small, first + 1)
    assert small.evaluate("() => window.pressedOnce") is True  # the same page: no reload
    assert small.url.endswith("/screen")
    # The phone's view as its user sees it (a full-page shot would float the fixed bar).
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    small.screenshot(path=str(ARTEFACTS / "screen-phone.png"))
    screenshot(small, "screen-phone-full")
    phone.close()
