"""Double extraction in headless Chromium against a live server (SQLite and PostgreSQL): the lead
assigns, two reviewers fill the form for the same record (keyboard, a group row added, a
conditional field appearing, autosave surviving a reload, complete refused then accepted),
then the lead reconciles side by side (one take, one edit with a reason). The consensus and
the audit log are read from the core, never compared with literals of the page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from .coded_review import KEY, form_review, serve, signed_in_context
from .conftest import ARTEFACTS, WebReview

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def review_web(tmp_path: Path, backend: str) -> Any:
    made = form_review(tmp_path / "review", backend)
    yield made
    made.workspace.close()


def _view(page: Any, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"))


def _saved(page: Any) -> None:
    """Wait until every autosave has answered."""
    page.wait_for_function(
        "() => (document.getElementById('autosave').textContent || '').startsWith('All changes saved')"
        " && !document.querySelector('.xstatus') ?.textContent.includes('Saving')"
    )


def _fill(page: Any, country: str, summary: str, *, thorough: bool) -> None:
    """Fill record 1's form by keyboard where the form offers keys; `thorough` also reloads
    (autosave survives) and asks to complete before a required field is filled (refused)."""
    arms = page.locator("#x-arms-0")
    assert arms.is_hidden()  # conditional: design is not yet a randomised trial
    page.select_option("#in-x-design-0", "randomised trial")
    arms.wait_for(state="visible")  # the server said it applies now
    page.focus("#in-x-design-0")
    page.keyboard.press("Alt+ArrowDown")
    assert page.evaluate("document.activeElement.id") == "in-x-arms-0"
    page.keyboard.type("2")
    page.keyboard.press("Alt+ArrowDown")
    assert page.evaluate("document.activeElement.id") == "in-x-country-0"
    if not thorough:
        page.keyboard.type(country)
    page.fill("#in-x-summary-0", summary)
    page.fill('[name="f:outcome:1"]', "readmission")
    page.click('[data-testid="add-outcomes"]')  # a second outcome row
    page.locator('[name="f:outcome:2"]').wait_for()
    assert page.evaluate("document.activeElement.name") == "f:outcome:2"
    page.keyboard.type("deaths")
    page.keyboard.press("Tab")
    page.keyboard.type("-1.5")
    page.keyboard.press("Tab")
    if thorough:
        _saved(page)
        page.reload()  # autosave survives a reload
        assert page.input_value('[name="f:outcome:2"]') == "deaths"
        assert page.input_value('[name="f:effect:2"]') == "-1.5"
        assert page.input_value("#in-x-arms-0") == "2"
        page.focus("#in-x-summary-0")
        page.keyboard.press("Control+Enter")  # refused: country is required
        page.get_by_test_id("extract-problems").wait_for()
        assert page.locator("#x-country-0.has-problem").count() == 1
        page.fill("#in-x-country-0", country)
        # Leave the country box first: it offers the countries as a <datalist>, and Chromium's
        # suggestion popup, when it has opened by the time the keys arrive, takes Ctrl+Enter
        # itself, so the form was not submitted (a CI run timed out waiting for the next page).
        page.focus("#in-x-summary-0")
    page.keyboard.press("Control+Enter")
    try:
        page.wait_for_url(lambda url: "/extract/1" not in url)
    except Exception as timeout:  # say where the page was and what it showed, for a rerun
        _view(page, "extract-complete-timeout")
        state = page.evaluate(
            "() => [location.href, (document.getElementById('autosave') || {}).textContent,"
            " (document.querySelector('[data-testid=extract-problems]') || {}).textContent,"
            " document.activeElement && document.activeElement.id]"
        )
        raise AssertionError(f"Ctrl+Enter did not move on from record 1: {state}") from timeout


@pytest.mark.browser
def test_two_reviewers_extract_and_the_lead_reconciles(
    review_web: WebReview, browser: Any, screenshot: Any
) -> None:
    from litrev.extraction.agreement import comparisons
    from litrev.extraction.values import progress, read_values
    from litrev.store import schema

    review = review_web.workspace.reviews[KEY]
    store, codebook = review.store, review.project.protocol.codebook
    errors: list[str] = []
    with serve(review_web) as base:
        contexts = {
            "lena": signed_in_context(browser, review_web, base, "lena", viewport=LAPTOP),
            "rui": signed_in_context(browser, review_web, base, "rui", viewport=LAPTOP),
            "sam": signed_in_context(
                browser, review_web, base, "sam", viewport=PHONE, is_mobile=True, has_touch=True
            ),
        }
        try:
            pages = {who: ctx.new_page() for who, ctx in contexts.items()}
            for page in pages.values():
                page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
                page.on("dialog", lambda d: (errors.append(d.message), d.dismiss()))
            lena, rui, sam = pages["lena"], pages["rui"], pages["sam"]
            lena.goto(f"{base}/r/{KEY}/extract")
            lena.uncheck('input[name="extractors"][value="lena"]')  # rui and sam extract
            lena.click('[data-testid="assign-submit"]')
            lena.get_by_test_id("extract-message").wait_for()
            screenshot(lena, "extract-list-lead")
            for page in (rui, sam):
                page.goto(f"{base}/r/{KEY}/extract/1")
            rui.keyboard.press("?")
            assert rui.get_by_test_id("extract-help").is_visible()
            screenshot(rui, "extract-form-help-laptop")
            rui.keyboard.press("Escape")
            _fill(rui, "UK", "Daily weights sent to a nurse", thorough=True)
            _fill(sam, "Ireland", "Nurses read daily weights", thorough=False)
            assert {p.reviewer: p.state for p in progress(store) if p.record_id == 1} == {
                "rui": "complete",
                "sam": "complete",
            }
            assert read_values(store, 1, "rui")[("outcome", 2)].value == "deaths"
            # Alt+n: the next record of rui's
            assert "/extract/2" in rui.url  # complete moved on to the next record
            _view(rui, "extract-form-laptop")
            screenshot(rui, "extract-form-laptop-full")
            screenshot(sam, "extract-form-phone")
            _view(sam, "extract-form-phone-view")
            assert sam.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            rui.keyboard.press("Alt+n")
            rui.wait_for_url(lambda url: "/extract/2" not in url)

            # --- the lead reconciles side by side ---------------------------------------
            lena.goto(f"{base}/r/{KEY}/reconcile")
            lena.click(f'a[href="/r/{KEY}/reconcile/1"]')
            lena.get_by_test_id("reconcile-title").wait_for()
            screenshot(lena, "reconcile-laptop")
            open_rows = [c for c in comparisons(store, codebook, 1) if c.applies and not c.agree]
            assert {c.field for c in open_rows} == {"country", "summary"}
            assert lena.get_by_test_id("open-count").inner_text() == str(len(open_rows))
            country = lena.locator("#c-country-0")
            country.get_by_test_id("take-reason-rui").fill("Methods: recruited in England")
            country.get_by_test_id("take-rui").click()
            lena.get_by_test_id("reconcile-message").wait_for()
            summary = lena.locator("#c-summary-0")
            summary.get_by_test_id("edit-value").fill("A nurse reads the daily weights")
            summary.get_by_test_id("edit-reason").fill("both half right")
            summary.get_by_test_id("edit-submit").click()
            lena.get_by_test_id("reconcile-message").wait_for()
            lena.get_by_test_id("accept-agreed").click()
            lena.get_by_test_id("reconcile-message").wait_for()
            assert lena.get_by_test_id("open-count").inner_text() == "0"
            screenshot(lena, "reconcile-done-laptop")
            phone = contexts["lena"].new_page()
            phone.set_viewport_size(PHONE)
            phone.goto(lena.url)
            screenshot(phone, "reconcile-phone")
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        finally:
            for ctx in contexts.values():
                ctx.close()
    assert not errors, errors
    consensus = {k: v.value for k, v in read_values(store, 1, "consensus").items()}
    rui_values = {k: v.value for k, v in read_values(store, 1, "rui").items()}
    assert consensus[("country", 0)] == rui_values[("country", 0)]
    assert consensus[("summary", 0)] == "A nurse reads the daily weights"
    assert consensus[("outcome", 2)] == rui_values[("outcome", 2)]  # agreed, accepted
    with store.connect() as conn:
        table = schema.audit_log
        logged = conn.execute(
            select(table.c.actor, table.c.detail).where(table.c.action == "reconcile_extraction")
        ).all()
    details = [(a, json.loads(d) if isinstance(d, str) else dict(d)) for a, d in logged]
    by_field = {(d["field"], d["instance"]): (a, d) for a, d in details}
    assert by_field[("country", 0)][0] == "lena"
    assert by_field[("country", 0)][1]["chosen_from"] == "rui"
    assert by_field[("country", 0)][1]["reason"] == "Methods: recruited in England"
    assert by_field[("summary", 0)][1]["reason"] == "both half right"
