"""The API token page in real Chromium: make a token, use it, revoke it (screenshots at laptop and
phone widths)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_reviewer_makes_uses_and_revokes_an_api_token(
    browser: Any, live_server: str, screenshot: Any
) -> None:
    import httpx

    for width, height, suffix in ((1280, 800, "laptop"), (390, 844, "phone")):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        sign_in(page, live_server, "rui")
        page.click('[data-testid="tokens-link"]')
        page.wait_for_url(f"{live_server}/account/tokens")
        page.fill('input[name="label"]', f"script on my {suffix}")
        page.click('button[type="submit"].primary')
        token = page.locator('[data-testid="new-token"]').input_value()
        assert token.startswith("lrv_")
        screenshot(page, f"account-tokens-{suffix}")
        me = httpx.get(f"{live_server}/api/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["username"] == "rui"

        page.goto(f"{live_server}/account/tokens")
        row = page.locator('[data-testid="token-row"]', has_text=f"script on my {suffix}")
        assert token not in page.content()  # shown once, never again
        row.locator('[data-testid="revoke-token"]').click()
        page.wait_for_url(f"{live_server}/account/tokens")
        assert "revoked" in row.inner_text()
        me = httpx.get(f"{live_server}/api/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401
        context.close()
