"""Sessions and the ways in: cookie flags, logout that ends the session on the server, the
login rate limit, and invitations that expire."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from .conftest import PASSWORD, make_review
from .route_sweep import shared_review

ORIGIN = {"origin": "http://testserver"}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def web_review(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[Any]:
    """One review per backend for the module; a test that changes the workspace puts it back,
    and the throttling test, whose failures would lock the others out, has its own."""
    yield from shared_review(request, tmp_path_factory)


def _login(client: Any, username: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/login",
        data={"username": username, "password": password},
        headers=ORIGIN,
        follow_redirects=False,
    )


def _cookie_header(response: Any) -> str:
    found = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    assert len(found) == 1, found
    assert found[0].startswith("litrev_session="), found
    return found[0]


def test_the_session_cookie_is_http_only_and_same_site_lax(web_review: Any) -> None:
    response = _login(web_review.client(), "rui")
    assert response.status_code == 303
    flags = [part.strip().lower() for part in _cookie_header(response).split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" not in flags  # plain http on a laptop: a Secure cookie would never return
    assert "path=/" in flags


def test_the_session_cookie_is_secure_when_asked(web_review: Any) -> None:
    web_review.workspace.secure_cookies = True
    try:
        response = _login(web_review.client(), "rui")
    finally:
        web_review.workspace.secure_cookies = False
    flags = [p.strip().lower() for p in _cookie_header(response).split(";")]
    assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags


def test_each_sign_in_gets_a_new_session_and_token(web_review: Any) -> None:
    first, second = web_review.client("rui"), web_review.client("rui")
    assert first.cookies["litrev_session"] != second.cookies["litrev_session"]
    assert web_review.csrf(first) != web_review.csrf(second)


def test_logout_ends_the_session_on_the_server(web_review: Any) -> None:
    client = web_review.client("rui")
    old = client.cookies["litrev_session"]
    token = web_review.csrf(client)
    assert client.get("/").status_code == 200
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert web_review.workspace.accounts.session(old) is None
    # A copy of the old cookie (kept by an attacker, or another tab) no longer works.
    replay = web_review.client()
    replay.cookies.set("litrev_session", old)
    again = replay.get(f"/r/{web_review.key}/", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/login")
    api = replay.get("/api/me")
    assert api.status_code == 401


def test_logout_needs_the_csrf_token(web_review: Any) -> None:
    """A cross-site form must not sign a person out (nor prove the session exists)."""
    client = web_review.client("rui")
    old = client.cookies["litrev_session"]
    refused = client.post("/logout", headers={"origin": "http://evil.example"})
    assert refused.status_code == 403
    assert web_review.workspace.accounts.session(old) is not None


def test_repeated_failed_sign_ins_are_throttled(tmp_path: Path, backend: str) -> None:
    web_review = make_review(tmp_path / "review", backend)
    try:
        _throttled(web_review)
    finally:
        web_review.workspace.close()


def _throttled(web_review: Any) -> None:
    client = web_review.client()
    limit = web_review.workspace.accounts.max_failures
    for attempt in range(limit):
        wrong = _login(client, "rui", "not the password")
        assert wrong.status_code == 401, attempt
        assert "Wrong user name or password" in wrong.text
        assert "litrev_session" not in wrong.headers.get("set-cookie", "")
    throttled = _login(client, "rui", "not the password")
    assert throttled.status_code == 429
    assert "Too many failed sign-ins" in throttled.text
    # Even the right password waits now: guessing cannot go on at full speed.
    right = _login(client, "rui")
    assert right.status_code == 429
    assert "litrev_session" not in right.headers.get("set-cookie", "")
    # Another person's account is not locked by rui's failures... but the address is: the
    # limit counts failures from one address too, so one guesser cannot try every name.
    other = _login(client, "sam")
    assert other.status_code == 429


def test_an_unknown_user_name_answers_like_a_wrong_password(web_review: Any) -> None:
    client = web_review.client()
    unknown = _login(client, "nobody-here", "whatever it is")
    wrong = _login(client, "rui", "whatever it is")
    assert unknown.status_code == wrong.status_code == 401
    assert "Wrong user name or password" in unknown.text


def test_an_expired_invitation_is_refused(web_review: Any) -> None:
    accounts = web_review.workspace.accounts
    token = accounts.invite(web_review.key, "reviewer", actor="lena", hours=1)
    client = web_review.client()
    assert client.get(f"/invite/{token}").status_code == 200
    later = datetime.now(UTC) + timedelta(hours=2)
    clock = accounts.clock
    accounts.clock = lambda: later
    try:
        _expired(web_review, client, token)
    finally:
        accounts.clock = clock


def _expired(web_review: Any, client: Any, token: str) -> None:
    accounts = web_review.workspace.accounts
    page = client.get(f"/invite/{token}")
    assert page.status_code == 410
    assert "Invitation expired" in page.text
    assert 'name="password"' not in page.text  # no form to fill in for nothing
    joined = client.post(
        f"/invite/{token}",
        data={"username": "late-comer", "password": PASSWORD},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert joined.status_code == 400
    assert "expired" in joined.text
    assert accounts.user("late-comer") is None
    assert accounts.role_of(web_review.key, "late-comer") is None


def test_an_invitation_works_once(web_review: Any) -> None:
    accounts = web_review.workspace.accounts
    token = accounts.invite(web_review.key, "viewer", actor="lena")
    client = web_review.client()
    first = client.post(
        f"/invite/{token}",
        data={"username": "newcomer", "password": PASSWORD},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert first.status_code == 303 and first.headers["location"] == f"/r/{web_review.key}/"
    assert accounts.role_of(web_review.key, "newcomer") == "viewer"
    second = web_review.client().post(
        f"/invite/{token}",
        data={"username": "someone-else", "password": PASSWORD},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert second.status_code == 400
    assert accounts.user("someone-else") is None
    assert web_review.client().get(f"/invite/{token}").status_code == 410


def test_sign_in_never_redirects_to_another_site(web_review: Any) -> None:
    client = web_review.client()
    for target in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "/\t/evil.example",
    ):
        response = client.post(
            "/login",
            data={"username": "rui", "password": PASSWORD, "next": target},
            headers=ORIGIN,
            follow_redirects=False,
        )
        assert response.status_code == 303
        location = response.headers["location"]
        assert location == "/", (target, location)


def test_sign_in_returns_to_the_page_asked_for(web_review: Any) -> None:
    target = f"/r/{web_review.key}/screen?stage=title_abstract"
    response = web_review.client().post(
        "/login",
        data={"username": "rui", "password": PASSWORD, "next": target},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == target
