"""Blind mode cannot be broken through pages, fragments, exports or the API.

sam decides, notes and tags a record that rui has not decided yet; then every GET route of
the app (read from `app.routes`: pages, htmx fragments, exports, report files, /api) is
fetched as rui, and as the lead, and none may hold a trace of sam's work on that record.
Once rui decides it too, the same record page does show sam's note: the sweep can see a leak.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from .route_sweep import fill, query_variants, routes, seed

BLIND = 5  # the record sam screens alone at title/abstract
FULL_TEXT = 2  # both include it at title/abstract; sam alone assesses its full text
MARKS = (
    "SAM-SECRET-NOTE-7",
    "sam-secret-tag-7",
    "SAM-DECISION-NOTE-7",
    "SAM-FT-NOTE-9",
    "sam-ft-tag-9",
    "SAM-FT-DECISION-9",
)


def _text(response: Any) -> str:
    """The response as text, with an XLSX (zip of XML) opened up."""
    body = response.content
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return body.decode("utf-8", "replace")


def _sam_works_blind(web_review: Any) -> None:
    from litrev.screening import notes

    review = web_review.workspace.reviews[web_review.key]
    screening, store = review.screening, review.store
    screening.decide(
        BLIND,
        reviewer="sam",
        stage="title_abstract",
        decision="exclude",
        reason="population",
        note="SAM-DECISION-NOTE-7",
    )
    notes.add_note(store, BLIND, "title_abstract", "sam", "SAM-SECRET-NOTE-7")
    notes.add_tag(store, BLIND, "title_abstract", "sam", "sam-secret-tag-7")
    # Records both decided (unblinded for them), so the pages have decisions to show.
    for record, (a, b) in {1: ("include", "exclude"), 2: ("include", "include")}.items():
        screening.decide(
            record,
            reviewer="rui",
            stage="title_abstract",
            decision=a,
            reason=None if a == "include" else "population",
        )
        screening.decide(
            record,
            reviewer="sam",
            stage="title_abstract",
            decision=b,
            reason=None if b == "include" else "intervention",
        )
    notes.add_note(store, BLIND, "title_abstract", "rui", "RUI-OWN-NOTE-3")
    # The full-text stage, blind the same way: sam assesses record 2's full text alone.
    from litrev.screening import gates

    gates.open_stage(screening, "full_text", by="lena", force=True)
    screening.decide(
        FULL_TEXT,
        reviewer="sam",
        stage="full_text",
        decision="exclude",
        reason="outcome",
        note="SAM-FT-DECISION-9",
    )
    notes.add_note(store, FULL_TEXT, "full_text", "sam", "SAM-FT-NOTE-9")
    notes.add_tag(store, FULL_TEXT, "full_text", "sam", "sam-ft-tag-9")


def _sweep(web_review: Any, values: dict[str, str], username: str) -> int:
    """Fetch every GET route as `username` (session, htmx fragment, and API token); return
    how many responses were checked, failing on the first that shows one of MARKS."""
    client = web_review.client(username)
    bearer = web_review.workspace.accounts.create_token(username, "blind sweep")
    checked = 0
    for route in routes(web_review.app):
        if route.writes or route.public:
            continue
        url = fill(route.path, values)
        for query in query_variants(route):
            # pages plain and as htmx fragments; the API by session and by token
            ways: list[dict[str, str]] = [{}]
            ways.append(
                {"authorization": f"Bearer {bearer}"} if route.api else {"hx-request": "true"}
            )
            for headers in ways:
                response = client.get(url, params=query, headers=headers, follow_redirects=False)
                assert response.status_code < 500, f"GET {url} {query}: {response.text[:300]}"
                text = _text(response)
                for mark in MARKS:
                    assert mark not in text, f"GET {url} {query} {headers} as {username}: {mark}"
                checked += 1
    return checked


def test_no_get_route_shows_another_reviewers_blind_work(web_review: Any) -> None:
    _sam_works_blind(web_review)
    values = seed(web_review, record_id=BLIND)
    for rid in (BLIND, FULL_TEXT):
        values = {**values, "rid": str(rid), "record_id": str(rid)}
        assert _sweep(web_review, values, "rui") >= 6
        # The lead sees a record's decisions only once the required reviewers have decided.
        assert _sweep(web_review, values, "lena") >= 6
    # The viewer never decided anything: blind to every record (the list pages show both).
    assert _sweep(web_review, values, "vic") >= 6


def test_the_sweep_sees_sams_note_once_the_record_is_unblinded(web_review: Any) -> None:
    """The control: the same pages do show sam's note after rui decided the record, so a
    route that leaked it while blind would have failed the sweep above."""
    _sam_works_blind(web_review)
    values = seed(web_review, record_id=BLIND)
    key = web_review.key
    paths = {r.path for r in routes(web_review.app) if not r.writes}
    record_views = [
        p for p in ("/r/{key}/records/{rid}", "/api/r/{key}/records/{rid}") if p in paths
    ]
    assert record_views, "neither the record page nor the API record route exists"
    client = web_review.client("rui")
    for path in record_views:
        text = client.get(fill(path, values)).text
        assert "RUI-OWN-NOTE-3" in text, path  # one's own note is always there
        assert "SAM-SECRET-NOTE-7" not in text, path
    screening = web_review.workspace.reviews[key].screening
    screening.decide(BLIND, reviewer="rui", stage="title_abstract", decision="include")
    for path in record_views:
        text = client.get(fill(path, values)).text
        assert "SAM-SECRET-NOTE-7" in text, path


def test_the_full_text_sweep_sees_sams_note_once_rui_has_decided(web_review: Any) -> None:
    """The same control at the full-text stage (record page and API with ?stage=full_text)."""
    _sam_works_blind(web_review)
    values = seed(web_review, record_id=FULL_TEXT)
    paths = {r.path for r in routes(web_review.app) if not r.writes}
    views = [p for p in ("/r/{key}/records/{rid}", "/api/r/{key}/records/{rid}") if p in paths]
    assert views
    client = web_review.client("rui")
    query = {"stage": "full_text"}
    for path in views:
        assert "SAM-FT-NOTE-9" not in client.get(fill(path, values), params=query).text, path
    screening = web_review.workspace.reviews[web_review.key].screening
    screening.decide(FULL_TEXT, reviewer="rui", stage="full_text", decision="include")
    for path in views:
        assert "SAM-FT-NOTE-9" in client.get(fill(path, values), params=query).text, path
