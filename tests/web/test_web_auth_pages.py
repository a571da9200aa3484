"""The pages around the work: sign-in, the review list, a review's home and its team page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import PASSWORD, sign_in


def test_the_review_list_shows_each_members_reviews_with_their_progress(web_review: Any) -> None:
    screening = web_review.workspace.reviews[web_review.key].screening
    screening.decide(1, reviewer="rui", stage="title_abstract", decision="include")
    screening.decide(
        1, reviewer="sam", stage="title_abstract", decision="exclude", reason="population"
    )
    status = screening.status("title_abstract")
    page = web_review.client("rui").get("/").text
    card = re.search(r'data-testid="project" data-review="telehealth-hf">(.*?)</li>', page, re.S)
    assert card, page
    text = card.group(1)
    assert f"<strong>{status.done}</strong>" in text and f"of {status.records} records" in text
    assert f"{status.conflicts} conflict" in text
    assert "role-reviewer" in text and "/screen" in text
    # a viewer gets no Screen button
    viewer = web_review.client("vic").get("/").text
    assert 'href="/r/telehealth-hf/screen"' not in viewer


def test_review_home_says_whether_each_stage_is_open(web_review: Any) -> None:
    from litrev.screening import gates

    key = web_review.key
    screening = web_review.workspace.reviews[key].screening
    screening.decide(2, reviewer="rui", stage="title_abstract", decision="include")
    home = web_review.client("rui").get(f"/r/{key}/").text
    full_text = home.split('data-testid="home-full_text"')[1]
    assert "not open yet" in full_text and "Assess full texts" not in full_text
    assert 'data-testid="my-work-title_abstract">You: 1 decided' in home
    assert "Does home telemonitoring reduce hospital admissions" in home  # the question
    gates.open_stage(screening, "full_text", by="lena", force=True)
    home = web_review.client("rui").get(f"/r/{key}/").text
    assert "Assess full texts" in home.split('data-testid="home-full_text"')[1]
    # the lead's links include the team and allocation pages; a reviewer's do not
    assert f"/r/{key}/members" not in home
    lead_home = web_review.client("lena").get(f"/r/{key}/").text
    assert f"/r/{key}/members" in lead_home and f"/r/{key}/allocation" in lead_home


def test_the_team_page_lists_people_by_name_and_makes_invitation_links(web_review: Any) -> None:
    key = web_review.key
    client = web_review.client("lena")
    page = client.get(f"/r/{key}/members").text
    for name in ("Lena", "Rui", "Sam", "Vic"):
        assert f"<strong>{name}</strong>" in page
    # the lead cannot remove themselves (the server refuses it too), so it is not offered
    lena_row = page.split('data-user="lena"')[1].split("</tr>")[0]
    assert "remove from review" not in lena_row
    assert "remove from review" in page.split('data-user="rui"')[1].split("</tr>")[0]
    token = web_review.csrf(client)
    made = client.post(
        f"/r/{key}/members/invite", data={"role": "viewer", "hours": "24", "csrf_token": token}
    )
    link = re.search(r'value="(http://testserver/invite/[^"]+)"', made.text)
    assert link, made.text
    invite = web_review.workspace.accounts.invitation(link.group(1).rsplit("/", 1)[1])
    assert invite is not None and invite.role == "viewer" and invite.project == key


def test_the_lead_changes_a_role_and_cannot_remove_themselves(web_review: Any) -> None:
    key = web_review.key
    client = web_review.client("lena")
    token = web_review.csrf(client)
    changed = client.post(
        f"/r/{key}/members/role",
        data={"username": "vic", "role": "reviewer", "csrf_token": token},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert web_review.workspace.accounts.role_of(key, "vic") == "reviewer"
    assert "vic" in web_review.workspace.reviews[key].screening.reviewers()
    refused = client.post(
        f"/r/{key}/members/role",
        data={"username": "lena", "role": "remove", "csrf_token": token},
    )
    assert refused.status_code == 400
    assert web_review.workspace.accounts.role_of(key, "lena") == "lead"


def test_a_wrong_password_keeps_the_name_and_says_so(web_review: Any) -> None:
    page = web_review.client().post(
        "/login",
        data={"username": "rui", "password": "nope-nope-nope"},
        headers={"origin": "http://testserver"},
    )
    assert page.status_code == 401
    assert 'data-testid="login-error"' in page.text
    assert PASSWORD not in page.text


@pytest.mark.browser
def test_the_pages_around_the_work_at_laptop_and_phone_width(
    web_review: Any, live_server: str, browser: Any, screenshot: Any
) -> None:
    key = web_review.key
    for size, viewport in (
        ("laptop", {"width": 1280, "height": 800}),
        ("phone", {"width": 390, "height": 844}),
    ):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        errors: list[str] = []

        def console(message: Any, errors: list[str] = errors) -> None:
            if message.type == "error":
                errors.append(message.text)

        def missing(response: Any, errors: list[str] = errors) -> None:
            if response.status == 404:
                errors.append(response.url)

        page.on("console", console)
        page.on("response", missing)
        page.goto(f"{live_server}/login")
        screenshot(page, f"login-{size}")
        sign_in(page, live_server, "lena")
        screenshot(page, f"projects-{size}")
        page.goto(f"{live_server}/r/{key}/")
        screenshot(page, f"review-home-{size}")
        # nothing wider than the screen: the page never scrolls sideways
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (size, width)
        page.goto(f"{live_server}/r/{key}/members")
        page.click("text=Make an invitation link")
        page.get_by_test_id("invite-link").wait_for()
        screenshot(page, f"team-{size}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        if size == "laptop":
            # the top bar keeps the lead's seven links on one row
            height = page.evaluate("document.querySelector('.topbar').offsetHeight")
            assert height < 60, height
        assert errors == []
        context.close()
