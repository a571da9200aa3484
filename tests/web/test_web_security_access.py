"""Who may reach what: every route of the app, read from `app.routes`, as nobody, as a
cross-site page, as a viewer, as a non-member, and as a reviewer trying to act as another.

New routes are covered without being listed here; see tests/web/route_sweep.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import PASSWORD, TITLES
from .route_sweep import ACTOR_NAMES, audit_count, fill, routes, seed, shared_review

EVIL = "http://evil.example"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def web_review(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Any:
    """One review per backend for this module: every test here refuses requests (and checks
    that nothing was written) or writes only what it then checks."""
    for made in shared_review(request, tmp_path_factory):
        made.values = seed(made)
        yield made


def _send(client: Any, method: str, url: str, **kwargs: Any) -> Any:
    return client.request(method, url, follow_redirects=False, **kwargs)


def test_logged_out_requests_get_only_the_login_page(web_review: Any) -> None:
    values = web_review.values
    client = web_review.client()
    checked = 0
    for route in routes(web_review.app):
        if route.public:
            continue
        url = fill(route.path, values)
        for htmx in (False, True):
            headers = {"hx-request": "true"} if htmx else {}
            response = _send(client, route.method, url, headers=headers)
            where = f"{route.method} {url} (htmx={htmx})"
            if route.api:
                assert response.status_code == 401, where
                assert response.headers["content-type"].startswith("application/json"), where
            elif htmx:
                assert response.status_code == 401, where
                assert response.headers.get("hx-redirect") == "/login", where
            else:
                assert response.status_code == 303, where
                assert response.headers["location"].startswith("/login?next="), where
            for title, _year in TITLES:
                assert title not in response.text, where
            checked += 1
    # the skeleton's own routes at least: project list, review home, team, invite, role, logout
    assert checked >= 12


def test_the_declared_public_routes_show_no_review_data(web_review: Any) -> None:
    """The exceptions of the sweep above are what they say: the sign-in page, the invitation
    page (which names the review it invites to, nothing else) and the OpenAPI schema."""
    values = web_review.values
    client = web_review.client()
    for url in ("/login", f"/invite/{values['token']}", "/openapi.json"):
        response = client.get(url)
        assert response.status_code == 200, url
        for title, _year in TITLES:
            assert title not in response.text, url
        assert "rui" not in response.text and "a note by rui" not in response.text, url
    # The public catalogue exists only for keys the team published.
    assert client.get(f"/p/{web_review.key}/catalogue").status_code == 404


def test_cross_site_posts_without_the_csrf_token_are_refused(web_review: Any) -> None:
    values = web_review.values
    client = web_review.client("lena")  # the lead may do everything, so only CSRF stops her
    before = audit_count(web_review)
    writes = [r for r in routes(web_review.app) if r.writes and not r.public]
    assert writes, "no state-changing routes"
    for route in writes:
        url = fill(route.path, values)
        for headers in ({"origin": EVIL}, {"origin": EVIL, "x-csrf-token": "forged"}, {}):
            response = _send(client, route.method, url, headers=headers)
            assert response.status_code == 403, f"{route.method} {url} {headers}"
        # a form field with a wrong token is refused too (the field is read when no header)
        response = _send(client, route.method, url, data={"csrf_token": "forged"})
        assert response.status_code == 403, f"{route.method} {url} (wrong form token)"
    assert audit_count(web_review) == before, "a refused request wrote something"
    # The same session with its token is not refused: the 403s above were the CSRF check.
    token = web_review.csrf(client)
    ok = _send(
        client,
        "POST",
        f"/r/{web_review.key}/members/invite",
        data={"role": "viewer", "csrf_token": token},
    )
    assert ok.status_code == 200


def test_sign_in_and_joining_from_another_site_are_refused(web_review: Any) -> None:
    values = web_review.values
    client = web_review.client()
    form = {"username": "rui", "password": PASSWORD}
    refused = client.post("/login", data=form, headers={"origin": EVIL}, follow_redirects=False)
    assert refused.status_code == 403
    assert "litrev_session" not in refused.headers.get("set-cookie", "")
    joined = client.post(
        f"/invite/{values['token']}",
        data={"username": "newcomer", "password": PASSWORD},
        headers={"origin": EVIL},
        follow_redirects=False,
    )
    assert joined.status_code == 403
    assert web_review.workspace.accounts.user("newcomer") is None
    assert web_review.workspace.accounts.invitation(values["token"]).used_by is None


def test_a_viewer_cannot_write(web_review: Any) -> None:
    values = web_review.values
    client = web_review.client("vic")
    token = web_review.csrf(client)
    before = audit_count(web_review)
    writes = [r for r in routes(web_review.app) if r.writes and r.in_review]
    assert writes
    for route in writes:
        url = fill(route.path, values)
        response = _send(client, route.method, url, headers={"x-csrf-token": token})
        assert response.status_code == 403, f"{route.method} {url} as viewer"
    assert audit_count(web_review) == before, "a viewer's request wrote something"


def test_a_reviewer_cannot_use_the_leads_routes(web_review: Any) -> None:
    values = web_review.values
    client = web_review.client("rui")
    token = web_review.csrf(client)
    lead_only = [r for r in routes(web_review.app) if r.needs_lead()]
    assert lead_only  # at least the team page and its forms
    before = audit_count(web_review)
    for route in lead_only:
        url = fill(route.path, values)
        response = _send(client, route.method, url, headers={"x-csrf-token": token})
        assert response.status_code == 403, f"{route.method} {url} as reviewer"
    assert audit_count(web_review) == before


def test_a_non_member_gets_not_found_for_the_review(web_review: Any) -> None:
    values = web_review.values
    web_review.workspace.accounts.add_user("nora", PASSWORD, actor="test")
    client = web_review.client("nora")
    home = client.get("/")
    assert home.status_code == 200 and web_review.key not in home.text
    token = web_review.csrf(client, "/")
    before = audit_count(web_review)
    for route in routes(web_review.app):
        if not route.in_review or route.public:
            continue
        for key in (web_review.key, "no-such-review"):
            url = fill(route.path, {**values, "key": key})
            response = _send(client, route.method, url, headers={"x-csrf-token": token})
            assert response.status_code == 404, f"{route.method} {url} as non-member"
            for title, _year in TITLES:
                assert title not in response.text
    assert audit_count(web_review) == before


def test_no_route_but_the_leads_takes_the_actor_from_the_request(web_review: Any) -> None:
    """The actor of every write is the signed-in member: a route open to reviewers that read
    a `reviewer`, `by` or `author` field would let rui act as sam. (Signing in and joining
    by invitation read a user name: they establish who the visitor is.)"""
    offenders = [
        f"{r.method} {r.path}: {sorted(r.request_fields() & ACTOR_NAMES)}"
        for r in routes(web_review.app)
        if not r.public and not r.needs_lead() and r.request_fields() & ACTOR_NAMES
    ]
    assert offenders == []


def _route_exists(app: Any, method: str, path: str) -> bool:
    return any(r.method == method and r.path == path for r in routes(app))


def test_a_reviewer_cannot_decide_as_another(web_review: Any) -> None:
    key = web_review.key
    if not _route_exists(web_review.app, "POST", "/r/{key}/screen/decide"):
        pytest.skip("the screening page's decide route is not there yet")
    client = web_review.client("rui")
    token = web_review.csrf(client)
    response = client.post(
        f"/r/{key}/screen/decide",
        data={
            "record_id": "2",
            "stage": "title_abstract",
            "decision": "include",
            "reviewer": "sam",
            "username": "sam",
            "by": "sam",
            "csrf_token": token,
        },
        headers={"x-csrf-token": token},
        follow_redirects=False,
    )
    assert response.status_code < 500
    screening = web_review.workspace.reviews[key].screening
    deciders = {e.reviewer for e in screening.events("title_abstract", record_id=2)}
    assert "sam" not in deciders
    assert deciders <= {"rui"}


def test_the_api_does_not_let_a_reviewer_decide_as_another(web_review: Any) -> None:
    key = web_review.key
    if not _route_exists(web_review.app, "POST", "/api/r/{key}/decisions"):
        pytest.skip("the API's decisions route is not there yet")
    bearer = web_review.workspace.accounts.create_token("rui", "test")
    client = web_review.client()
    response = client.post(
        f"/api/r/{key}/decisions",
        json={
            "record_id": 3,
            "stage": "title_abstract",
            "decision": "exclude",
            "reason": "population",
            "reviewer": "sam",
        },
        headers={"authorization": f"Bearer {bearer}"},
    )
    assert response.status_code < 500
    screening = web_review.workspace.reviews[key].screening
    deciders = {e.reviewer for e in screening.events("title_abstract", record_id=3)}
    assert "sam" not in deciders
