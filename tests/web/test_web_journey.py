"""The team's journey end to end, in headless Chromium against a live server (SQLite and
PostgreSQL): two reviewers screen the same records in parallel browser contexts by keyboard,
a conflict appears and the lead resolves it, the dashboard's kappa and PRISMA counts follow,
the lead opens the full-text stage, a PDF is uploaded and read, and the included study shows
in the catalogue. Every page reached is screenshotted into test-artefacts/web/journey-*.png.

The numbers on the pages are read off the page and compared with the core's own answers
(`Screening.status`, `agreement_report`), never with literals.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from .conftest import ARTEFACTS, TITLES, sign_in
from .route_sweep import pdf_bytes

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TA, FT = "title_abstract", "full_text"
INCLUDE = {1, 3, 6, 8, 11}  # what rui includes; the rest he excludes (reason key 1)...
MAYBE = 12  # ...except this one: maybe
SAM_DIFFERS = {6: "2"}  # sam excludes record 6 (reason key 2): include vs exclude


def _plan(who: str, rid: int) -> str:
    """The keys `who` presses for record `rid`: 'i', 'm', or 'e' then a reason number."""
    if who == "sam" and rid in SAM_DIFFERS:
        return "e" + SAM_DIFFERS[rid]
    if who == "sam" and rid == MAYBE:
        return "e1"  # a maybe against an exclude is a conflict too
    if rid in INCLUDE:
        return "i"
    return "m" if rid == MAYBE else "e1"


def _view(page: Any, name: str) -> None:
    """A screenshot of what the screen shows (not the whole page): on a phone the decision
    bar is fixed at the bottom, which a full-page shot would put mid-page."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"))


def _shown(page: Any) -> int | None:
    """The id of the record on the screening page, or None when nothing is left."""
    article = page.locator("article[data-record-id]")
    if article.count() == 0:
        return None
    return int(article.get_attribute("data-record-id"))


def _press(page: Any, keys: str, rid: int) -> None:
    """Press `keys` and wait for htmx to swap in the next record (or the done card)."""
    for key in keys:
        page.keyboard.press(key)
    page.wait_for_function(
        """(rid) => {
            const a = document.querySelector('article[data-record-id]');
            return document.querySelector('[data-testid="screen-done"]') !== null
                || (a !== null && a.dataset.recordId !== String(rid));
        }""",
        arg=rid,
    )


def _number(page: Any, testid: str) -> str:
    return page.get_by_test_id(testid).first.inner_text().strip()


def _check_dashboard(page: Any, screening: Any) -> str:
    """The dashboard's counts and kappa equal the core's; returns the kappa shown."""
    from litrev.screening.agreement_report import agreement_report

    status = screening.status(TA)
    for name in ("included", "excluded", "conflicts", "unscreened", "awaiting"):
        assert _number(page, f"{name}-{TA}") == str(getattr(status, name)), name
    pairs = agreement_report(screening, TA).pairs
    assert len(pairs) == 1
    stats = pairs[0].stats
    row = page.locator('[data-testid="pair"][data-pair="rui+sam"]')
    assert row.locator('[data-testid="pair-n"]').inner_text().strip() == str(stats.n)
    kappa = row.locator('[data-testid="kappa"]').inner_text().strip()
    if stats.kappa.kappa == stats.kappa.kappa:  # not NaN
        assert float(kappa) == pytest.approx(stats.kappa.kappa, abs=0.005)
    percent = row.locator('[data-testid="percent"]').inner_text().strip().rstrip("%")
    assert float(percent) == pytest.approx(100 * stats.percent, abs=0.05)
    return kappa


def _prisma_counts(page: Any, url: str) -> dict[str, str]:
    """The PRISMA SVG's box labels and their 'n = ...' values, read from the served SVG."""
    svg = page.request.get(url).text()
    texts = [t.replace("\xa0", " ") for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    return {
        label: value.removeprefix("n = ")
        for label, value in itertools.pairwise(texts)
        if value.startswith("n = ")
    }


@pytest.mark.browser
def test_the_team_screens_resolves_and_reads_full_texts(
    web_review: Any, live_server: str, browser: Any, screenshot: Any
) -> None:
    from litrev.screening import fulltext, gates

    base, key = live_server, web_review.key
    review = web_review.workspace.reviews[key]
    screening = review.screening
    dialogs: list[str] = []
    overflow: dict[str, int] = {}  # page -> its width on the phone (wider: it scrolls sideways)
    contexts = {
        "rui": browser.new_context(viewport=LAPTOP),
        "sam": browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True),
        "lena": browser.new_context(viewport=LAPTOP),
    }
    try:
        pages = {who: ctx.new_page() for who, ctx in contexts.items()}
        for page in pages.values():
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: dialogs.append(f"page error: {e}"))
        rui, sam, lena = pages["rui"], pages["sam"], pages["lena"]

        rui.goto(f"{base}/r/{key}/")
        assert "/login" in rui.url
        screenshot(rui, "journey-01-login")
        sign_in(rui, base, "rui")
        screenshot(rui, "journey-02-projects")
        rui.click(f'a[href="/r/{key}/"]')
        screenshot(rui, "journey-03-review-home")
        sign_in(sam, base, "sam")
        sign_in(lena, base, "lena")

        # --- two reviewers screen in parallel, by keyboard --------------------------------
        for page in (rui, sam):
            page.goto(f"{base}/r/{key}/screen?stage={TA}")
            page.wait_for_selector("article[data-record-id]")
        screenshot(rui, "journey-04-screen-laptop")
        screenshot(sam, "journey-04-screen-phone")
        overflow["screen"] = sam.evaluate("document.documentElement.scrollWidth")
        _view(sam, "journey-04-screen-phone-view")
        # rui slips on his first record, and takes it back with u
        first = _shown(rui)
        assert first is not None
        _press(rui, "e2" if first in INCLUDE else "i", first)
        assert screening.decision_of(first, TA, "rui") is not None
        rui.keyboard.press("u")
        rui.wait_for_function(
            "(rid) => document.querySelector(`article[data-record-id='${rid}']`) !== null",
            arg=first,
        )
        assert screening.decision_of(first, TA, "rui") is None
        done = {"rui": 0, "sam": 0}
        while True:
            moved = False
            for who in ("rui", "sam"):
                rid = _shown(pages[who])
                if rid is None:
                    continue
                _press(pages[who], _plan(who, rid), rid)
                done[who] += 1
                moved = True
                if done[who] == 3:
                    screenshot(pages[who], f"journey-05-screen-{who}-after-3")
            if done["rui"] == 6 and done["sam"] == 6:
                lena.goto(f"{base}/r/{key}/dashboard")
                midway = _check_dashboard(lena, screening)
                screenshot(lena, "journey-06-dashboard-midway")
            if not moved:
                break
        assert done == {"rui": len(TITLES), "sam": len(TITLES)}
        screenshot(rui, "journey-07-screen-done")
        for rid in range(1, len(TITLES) + 1):
            for who in ("rui", "sam"):
                event = screening.decision_of(rid, TA, who)
                assert event is not None, (who, rid)
                assert event.decision[0] == _plan(who, rid)[0], (who, rid)

        # --- the conflicts appear, and the lead resolves them -----------------------------
        expected = {o.record_id for o in screening.conflicts(TA)}
        assert expected == {6, MAYBE}
        lena.goto(f"{base}/r/{key}/conflicts?stage={TA}")
        rows = lena.get_by_test_id("conflict-row")
        assert {
            int(rows.nth(i).get_attribute("data-record")) for i in range(rows.count())
        } == expected
        screenshot(lena, "journey-08-conflicts-laptop")
        conflicts_phone = contexts["lena"].new_page()
        conflicts_phone.set_viewport_size(PHONE)
        conflicts_phone.goto(f"{base}/r/{key}/conflicts?stage={TA}")
        screenshot(conflicts_phone, "journey-08-conflicts-phone")
        overflow["conflicts"] = conflicts_phone.evaluate("document.documentElement.scrollWidth")
        _view(conflicts_phone, "journey-08-conflicts-phone-view")
        conflicts_phone.close()
        row = lena.locator('[data-testid="conflict-row"][data-record="6"]')
        row.get_by_test_id("resolve-note").fill("Agreed with rui and sam on a call")
        row.get_by_test_id("resolve-include").click()
        lena.locator('[data-record="6"] [data-testid="resolution"]').wait_for()
        row = lena.locator(f'[data-testid="conflict-row"][data-record="{MAYBE}"]')
        row.get_by_test_id("resolve-reason").select_option("population")
        row.get_by_test_id("resolve-exclude").click()
        lena.locator(f'[data-record="{MAYBE}"] [data-testid="resolution"]').wait_for()
        screenshot(lena, "journey-09-conflicts-resolved")
        assert screening.conflicts(TA) == []
        assert screening.outcome(6, TA).decision == "include"
        assert screening.outcome(MAYBE, TA).decision == "exclude"

        # --- the dashboard follows: kappa and PRISMA counts -------------------------------
        lena.goto(f"{base}/r/{key}/dashboard")
        final = _check_dashboard(lena, screening)
        assert final != midway or _number(lena, f"included-{TA}") != "0"
        status = screening.status(TA)
        counts = _prisma_counts(lena, f"{base}/r/{key}/dashboard/prisma.svg")
        assert counts["Records screened"] == str(status.records)
        assert counts["Records excluded"] == str(status.excluded)
        assert counts["Reports sought for retrieval"] == str(status.included)
        assert lena.get_by_test_id("prisma").evaluate("img => img.naturalWidth") > 0
        screenshot(lena, "journey-10-dashboard")
        dashboard_phone = contexts["lena"].new_page()
        dashboard_phone.set_viewport_size(PHONE)
        dashboard_phone.goto(f"{base}/r/{key}/dashboard")
        screenshot(dashboard_phone, "journey-10-dashboard-phone")
        _view(dashboard_phone, "journey-10-dashboard-phone-view")
        overflow["dashboard"] = dashboard_phone.evaluate("document.documentElement.scrollWidth")
        dashboard_phone.close()

        # --- the lead opens full-text screening -------------------------------------------
        assert not gates.gate(screening, FT).open
        lena.get_by_test_id("gate-open").click()
        lena.get_by_test_id("gate-close").wait_for()
        assert gates.gate(screening, FT).open
        screenshot(lena, "journey-11-full-text-opened")

        # --- a PDF is uploaded and read at the full-text stage ----------------------------
        rui.goto(f"{base}/r/{key}/fulltext")
        screenshot(rui, "journey-12-fulltext-list")
        rui.get_by_test_id("upload-input").set_input_files(
            [
                {
                    "name": "10.5555_telehf.0001.pdf",
                    "mimeType": "application/pdf",
                    "buffer": pdf_bytes("Home telemonitoring after discharge: full report"),
                },
                {
                    "name": "trial-report.pdf",
                    "mimeType": "application/pdf",
                    "buffer": pdf_bytes("doi:10.5555/telehf.0003 Telehealth and admissions"),
                },
            ]
        )
        rui.get_by_test_id("upload-submit").click()
        rui.get_by_test_id("upload-result").first.wait_for()
        results = rui.get_by_test_id("upload-result")
        assert results.count() == 2
        assert all("Attached to record" in t for t in results.all_inner_texts())
        screenshot(rui, "journey-13-fulltext-uploaded")
        assert [f.filename for f in fulltext.fulltexts_of(review.store, 1)] == [
            "10.5555_telehf.0001.pdf"
        ]
        assert [f.filename for f in fulltext.fulltexts_of(review.store, 3)] == ["trial-report.pdf"]
        rui.goto(f"{base}/r/{key}/fulltext/1")
        assert rui.get_by_test_id("pdf-frame").count() == 1
        assert "full report" in rui.get_by_test_id("pdf-text").inner_text()
        pdf = rui.request.get(base + rui.get_by_test_id("pdf-frame").get_attribute("src"))
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF-")
        screenshot(rui, "journey-14-fulltext-view")
        with rui.expect_navigation():  # a plain form POST, answered with the next record
            rui.keyboard.press("i")
        assert screening.decision_of(1, FT, "rui").decision == "include"
        screenshot(rui, "journey-15-fulltext-decided")
        sam.goto(f"{base}/r/{key}/fulltext/1")
        screenshot(sam, "journey-15-fulltext-view-phone")
        with sam.expect_navigation():
            sam.get_by_test_id("decide-include").click()
        assert screening.outcome(1, FT).decision == "include"

        # --- the included study is in the catalogue, and the record keeps its history ------
        lena.goto(f"{base}/r/{key}/catalogue")
        studies = lena.get_by_test_id("study")
        assert studies.count() == 1
        assert TITLES[0][0] in studies.first.inner_text()
        screenshot(lena, "journey-16-catalogue")
        rui.goto(f"{base}/r/{key}/records/6?stage={TA}")
        history = rui.get_by_test_id("history").inner_text()
        assert "lena" in history and "sam" in history
        screenshot(rui, "journey-17-record-history")
        lena.goto(f"{base}/r/{key}/report")
        screenshot(lena, "journey-18-report")
        lena.goto(f"{base}/r/{key}/members")
        screenshot(lena, "journey-19-team")
        assert dialogs == []
        print("phone page widths:", overflow)
    finally:
        for context in contexts.values():
            context.close()


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"])  # layout, not storage: one backend is enough
def test_every_page_fits_a_phone_screen(
    web_review: Any, live_server: str, browser: Any, screenshot: Any
) -> None:
    """Every HTML page of the app (read from `app.routes`), loaded on a 390 px phone after
    the journey's screening, is no wider than the screen: nothing scrolls sideways."""
    from .route_sweep import fill, routes, seed

    screening = web_review.workspace.reviews[web_review.key].screening
    for rid in range(1, len(TITLES) + 1):
        for who in ("rui", "sam"):
            keys = _plan(who, rid)
            decision = {"i": "include", "m": "maybe", "e": "exclude"}[keys[0]]
            reason = {"1": "population", "2": "intervention"}.get(keys[1:]) if keys[1:] else None
            screening.decide(rid, reviewer=who, stage=TA, decision=decision, reason=reason)
    values = seed(web_review, record_id=6)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        sign_in(page, live_server, "lena")
        wide = {}
        for route in routes(web_review.app):
            if route.writes or route.api or route.path.startswith(("/static", "/openapi")):
                continue
            url = live_server + fill(route.path, values)
            response = page.goto(url)
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide[route.path] = width
                screenshot(
                    page,
                    "too-wide" + route.path.replace("/", "-").replace("{", "").replace("}", ""),
                )
        assert wide == {}, f"pages wider than a {PHONE['width']} px phone: {wide}"
    finally:
        context.close()
