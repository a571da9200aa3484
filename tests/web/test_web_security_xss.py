"""Record text is untrusted: titles and abstracts holding markup or script render as text, in
every page that shows them, and a strict Content-Security-Policy comes with every HTML page.

The review here holds only hostile records, so each page has one to show: rui and sam
disagree on the first (a conflict), both include the second through full text (so it is in
the catalogue and the report), and the third waits on rui's screening page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import sign_in
from .route_sweep import fill, query_variants, routes, seed, shared_review

HOSTILE = [
    '<script>alert("xss-1")</script>Telemonitoring and heart failure admissions',
    '<img src=x onerror=alert("xss-2")> Telehealth for heart failure',
    '"><svg onload=alert("xss-3")></svg> Home telemonitoring of heart failure',
]
RAW = ("<script>alert", "<img src=x", "<svg onload", "<b onmouseover")


def _add_hostile(store: Any) -> list[int]:
    """The HOSTILE records, written as stored text (the importers strip tags from titles, so
    a record that reached the store some other way is what is tested here), with hostile
    authors, journal and DOI too."""
    from datetime import UTC, datetime

    from litrev.store import schema

    rows = [
        {
            "title": title,
            "abstract": f"{title}. <script>alert('abstract-{n}')</script> adults, admissions.",
            "authors": [f'<img src=x onerror=alert("au-{n}")>, A.', "Second, B."],
            "year": 2020 + n,
            "journal": f"<script>alert('journal-{n}')</script>J Telemed",
            "doi": f'10.5555/xss.{n}"><script>alert("doi")</script>',
            "fields": {},
            "created_at": datetime.now(UTC),
        }
        for n, title in enumerate(HOSTILE, start=1)
    ]
    insert = schema.records.insert().returning(schema.records.c.id, sort_by_parameter_order=True)
    with store.transaction() as conn:
        return [int(i) for i in conn.execute(insert, rows).scalars()]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def web_review(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[Any]:
    """This module's review (one per backend; the tests only read): one ordinary record (rui
    and sam include it) and the three hostile records, screened as the module docstring says."""
    from litrev.screening import gates, notes

    for made in shared_review(request, tmp_path_factory, titles=[("Telemonitoring trial", 2019)]):
        review = made.workspace.reviews[made.key]
        screening, store = review.screening, review.store
        conflict, included, _waiting = _add_hostile(store)
        made.hostile = {"conflict": conflict, "included": included}
        ta, ft = "title_abstract", "full_text"
        for who in ("rui", "sam"):
            screening.decide(1, reviewer=who, stage=ta, decision="include")
        screening.decide(conflict, reviewer="rui", stage=ta, decision="include")
        screening.decide(
            conflict, reviewer="sam", stage=ta, decision="exclude", reason="population"
        )
        for who in ("rui", "sam"):
            screening.decide(included, reviewer=who, stage=ta, decision="include")
        gates.open_stage(screening, ft, by="lena", force=True)
        for who in ("rui", "sam"):
            screening.decide(included, reviewer=who, stage=ft, decision="include")
        notes.add_note(store, conflict, ta, "rui", '<script>alert("xss-note")</script>')
        notes.add_tag(store, conflict, ta, "rui", "<b onmouseover=alert(4)>tag")
        made.values = seed(made, record_id=conflict)
        yield made


def _pages(key: str, hostile: dict[str, int]) -> list[tuple[str, str]]:
    """(who, path) of every page that shows record text."""
    conflict, included = hostile["conflict"], hostile["included"]
    return [
        ("rui", f"/r/{key}/screen?stage=title_abstract"),
        ("rui", f"/r/{key}/records/{conflict}?stage=title_abstract"),
        ("rui", f"/r/{key}/records/{included}?stage=full_text"),
        ("lena", f"/r/{key}/conflicts?stage=title_abstract"),
        ("lena", f"/r/{key}/dashboard"),
        ("rui", f"/r/{key}/fulltext"),
        ("rui", f"/r/{key}/fulltext/{included}"),
        ("lena", f"/r/{key}/catalogue"),
        ("lena", f"/r/{key}/report"),
    ]


def test_hostile_record_text_is_escaped_in_every_html_response(web_review: Any) -> None:
    """Server side, without a browser: no response of any GET route holds the markup raw."""
    values = web_review.values
    checked = 0
    for username in ("rui", "lena"):
        client = web_review.client(username)
        for route in routes(web_review.app):
            if route.writes or route.path.startswith(("/static", "/login", "/invite/")):
                continue
            for query in query_variants(route):
                response = client.get(fill(route.path, values), params=query)
                kind = response.headers.get("content-type", "")
                if not kind.startswith(("text/html", "image/svg")):
                    continue
                for raw in RAW:
                    assert raw not in response.text, f"{route.path} {query} as {username}: {raw}"
                checked += 1
    assert checked >= 10


def test_every_html_response_carries_the_content_security_policy(web_review: Any) -> None:
    values = web_review.values
    client = web_review.client("lena")
    urls = ["/login", "/no-such-page", "/r/no-such-review/", f"/invite/{values['token']}"]
    for route in routes(web_review.app):
        if not route.writes and not route.path.startswith("/static"):
            urls += [
                fill(route.path, values) + "?" + "&".join(f"{k}={v}" for k, v in q.items())
                for q in query_variants(route)
            ]
    html = 0
    for url in urls:
        response = client.get(url, follow_redirects=False)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        html += 1
        policy = response.headers.get("content-security-policy", "")
        assert "default-src 'none'" in policy, url
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        scripts = directives.get("script-src", directives.get("default-src"))
        assert scripts is not None, url
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(scripts), url
        assert response.headers.get("x-content-type-options") == "nosniff", url
    assert html >= 10
    # A logged-out visitor's sign-in page too.
    login = web_review.client().get("/login")
    assert "script-src 'self'" in login.headers["content-security-policy"]


@pytest.mark.browser
def test_hostile_titles_render_inert_in_chromium(
    web_review: Any, live_server: str, browser: Any, screenshot: Any
) -> None:
    dialogs: list[str] = []
    violations: list[str] = []
    contexts: dict[str, Any] = {}
    try:
        for who, path in _pages(web_review.key, web_review.hostile):
            if who not in contexts:
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                page.on(
                    "console",
                    lambda m: violations.append(m.text) if "Content Security" in m.text else None,
                )
                sign_in(page, live_server, who)
                contexts[who] = (context, page)
            page = contexts[who][1]
            response = page.goto(live_server + path)
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("load")
            page.hover("body")
            text = page.inner_text("body")
            assert page.locator('img[src="x"]').count() == 0, path
            assert page.locator("svg[onload]").count() == 0, path
            name = path.split("?")[0].replace(f"/r/{web_review.key}", "").replace("/", "-")
            screenshot(page, f"xss{name}")
            if "/report" not in path and "/dashboard" not in path:
                shown = [t for t in HOSTILE if t in text]
                assert shown, f"{path}: no hostile title shown as text in {text[:1500]}"
        assert dialogs == [], dialogs
    finally:
        for context, _page in contexts.values():
            context.close()
