"""The allocation page: the lead shares records out by percent, every record gets its reviewers,
progress and the records awaiting a second reviewer are listed; SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from typing import Any

TA = "title_abstract"


def screening_of(web_review: Any) -> Any:
    return web_review.workspace.reviews[web_review.key].screening


def test_allocation_gives_each_record_two_of_three_reviewers(web_review: Any) -> None:
    from litrev.screening.allocation import assigned

    lena = web_review.client("lena")
    key = web_review.key
    page = lena.get(f"/r/{key}/allocation")
    assert page.status_code == 200
    assert re.search(r'name="per_record" value="2"', page.text)  # the stage's requirement
    answer = lena.post(
        f"/r/{key}/allocation",
        data={
            "csrf_token": web_review.csrf(lena),
            "stage": TA,
            "reviewer": ["rui", "sam", "lena"],
            "share_rui": "40",
            "share_sam": "40",
            "share_lena": "20%",
            "per_record": "2",
        },
    )
    assert answer.status_code == 200
    assert "Assigned 24 record slots" in answer.text
    screening = screening_of(web_review)
    plan = {who: set(assigned(screening, TA, who) or []) for who in ("rui", "sam", "lena")}
    for record_id in screening.eligible_records(TA):
        holders = [who for who, ids in plan.items() if record_id in ids]
        assert len(holders) == 2, (record_id, holders)
    # 24 slots by 40/40/20: 9.6, 9.6 and 4.8 -> within one of the shares
    sizes = {who: len(ids) for who, ids in plan.items()}
    assert abs(sizes["rui"] - 9.6) <= 1 and abs(sizes["sam"] - 9.6) <= 1
    assert abs(sizes["lena"] - 4.8) <= 1 and sum(sizes.values()) == 24
    rows = dict(
        re.findall(
            r'data-reviewer="(\w+)">\s*<td>\w+</td>\s*<td class="num" data-testid="assigned">(\d+)',
            answer.text,
        )
    )
    assert rows == {who: str(n) for who, n in sizes.items()}
    # allocating again only tops up: nothing is left to assign
    again = lena.post(
        f"/r/{key}/allocation",
        data={
            "csrf_token": web_review.csrf(lena),
            "stage": TA,
            "reviewer": ["rui", "sam"],
            "share_rui": "50",
            "share_sam": "50",
            "per_record": "2",
        },
    )
    assert "Nothing new to assign" in again.text


def test_records_awaiting_a_second_reviewer_are_listed_without_decisions(web_review: Any) -> None:
    screening = screening_of(web_review)
    screening.decide(3, reviewer="rui", stage=TA, decision="exclude", reason="population")
    screening.decide(4, reviewer="sam", stage=TA, decision="include")
    screening.decide(4, reviewer="rui", stage=TA, decision="include")
    page = web_review.client("lena").get(f"/r/{web_review.key}/allocation").text
    waiting = re.findall(r'data-testid="awaiting-row" data-record="(\d+)"', page)
    assert waiting == ["3"]
    row = page[page.index('data-record="3"') :]
    row = row[: row.index("</tr>")]
    assert "<td>rui</td>" in row and "anyone (not assigned)" in row
    assert "exclude" not in row and "population" not in row  # who, never what
    assert "Telehealth and hospital admissions in older adults" in row


def test_bad_allocation_input_is_refused_with_the_reason(web_review: Any) -> None:
    lena = web_review.client("lena")
    key = web_review.key
    token = web_review.csrf(lena)
    cases = [
        (
            {"reviewer": ["rui", "sam"], "share_rui": "abc", "share_sam": "50", "per_record": "2"},
            "share of rui 'abc': expected a percent, such as 40",
        ),
        (
            {"reviewer": ["rui", "sam"], "share_rui": "0", "share_sam": "50", "per_record": "1"},
            "shares: rui's share 0.0 must be a number greater than 0",
        ),
        (
            {"reviewer": ["rui", "sam"], "share_rui": "50", "share_sam": "50", "per_record": "3"},
            "per_record 3 needs at least 3 distinct reviewers; 2 given",
        ),
        (
            {"reviewer": ["rui", "vic"], "share_rui": "50", "per_record": "1"},
            "vic: not a lead or reviewer of this review",
        ),
        (
            {"reviewer": ["rui"], "share_rui": "50", "per_record": "two"},
            "reviewers per record 'two': expected a whole number",
        ),
    ]
    for data, message in cases:
        answer = lena.post(f"/r/{key}/allocation", data={"csrf_token": token, "stage": TA, **data})
        assert answer.status_code == 400, data
        assert message in html.unescape(answer.text), data
    from litrev.screening.allocation import assigned

    assert assigned(screening_of(web_review), TA, "rui") is None  # nothing written


def test_only_the_lead_allocates(web_review: Any) -> None:
    key = web_review.key
    for name in ("rui", "vic"):
        client = web_review.client(name)
        assert client.get(f"/r/{key}/allocation").status_code == 403
        data = {
            "csrf_token": web_review.csrf(client),
            "reviewer": ["rui", "sam"],
            "per_record": "2",
            "share_rui": "50",
            "share_sam": "50",
        }
        assert client.post(f"/r/{key}/allocation", data=data).status_code == 403
    from litrev.screening.allocation import assigned

    assert assigned(screening_of(web_review), TA, "rui") is None
