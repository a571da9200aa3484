"""Who may resolve a conflict, and how: one table, checked against the core rule, the conflicts
page and the JSON API, on SQLite and PostgreSQL.

Before the fix the API had its own check: a reviewer who decided the record could resolve it as
`third_reviewer` (the page refused that), and both let a lead who decided the record be its
"third" reviewer.
"""

from __future__ import annotations

import html
from typing import Any

import pytest
from sqlalchemy import func, select

from litrev.screening.conflict_list import conflict_item, may_resolve
from litrev.screening.model import State
from litrev.store import schema

from .conftest import WebReview

KEY = "telehealth-hf"
TA = "title_abstract"
# Record 1: rui include, sam exclude. Record 2: lena (the lead) include, rui exclude.
CONFLICTS = {
    1: (("rui", "include", None), ("sam", "exclude", "population")),
    2: (("lena", "include", None), ("rui", "exclude", "intervention")),
}
# (role, relation to the conflict) -> who asks, on which record
WHO = {
    ("lead", "did not decide it"): ("lena", 1),
    ("lead", "decided it"): ("lena", 2),
    ("reviewer", "decided it"): ("rui", 1),
    ("reviewer", "did not decide it"): ("sam", 2),
    ("viewer", "did not decide it"): ("vic", 1),
}
# (role, relation, method asked for) -> the resolution written, or what the 403 says
TABLE: list[tuple[str, str, str | None, str]] = [
    ("lead", "did not decide it", "consensus", "consensus"),
    ("lead", "did not decide it", "third_reviewer", "third_reviewer"),
    ("lead", "did not decide it", None, "third_reviewer"),
    ("lead", "decided it", "consensus", "consensus"),
    ("lead", "decided it", "third_reviewer", "403: you decided record 2"),
    ("lead", "decided it", None, "consensus"),
    ("reviewer", "decided it", "consensus", "consensus"),
    ("reviewer", "decided it", "third_reviewer", "403: third reviewer's resolution is the lead's"),
    ("reviewer", "decided it", None, "consensus"),
    ("reviewer", "did not decide it", "consensus", "403: only the lead or a reviewer who decided"),
    ("reviewer", "did not decide it", "third_reviewer", "403: only the lead or a reviewer who"),
    ("reviewer", "did not decide it", None, "403: only the lead or a reviewer who decided"),
    ("viewer", "did not decide it", "consensus", "403: viewer"),
    ("viewer", "did not decide it", "third_reviewer", "403: viewer"),
    ("viewer", "did not decide it", None, "403: viewer"),
]


def _and(names: list[str]) -> str:
    return " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " and " + names[-1]


def _setup(web_review: WebReview) -> Any:
    screening = web_review.workspace.reviews[KEY].screening
    for rid, votes in CONFLICTS.items():
        for who, decision, reason in votes:
            screening.decide(rid, reviewer=who, stage=TA, decision=decision, reason=reason)
        assert screening.outcome(rid, TA).state is State.CONFLICT
    return screening


def _resolutions(web_review: WebReview) -> int:
    table = schema.audit_log
    query = select(func.count()).select_from(table).where(table.c.action == "screening.resolve")
    with web_review.workspace.reviews[KEY].store.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _ask_page(
    web_review: WebReview, clients: dict[str, Any], who: str, rid: int, method: str | None
) -> tuple[int, str]:
    client = clients.setdefault(who, web_review.client(who))
    data = {
        "stage": TA,
        "decision": "include",
        "note": "talked it over",
        "csrf_token": web_review.csrf(client),
    }
    if method is not None:
        data["method"] = method
    answer = client.post(f"/r/{KEY}/conflicts/{rid}/resolve", data=data, follow_redirects=False)
    return answer.status_code, html.unescape(answer.text)


def _ask_api(
    web_review: WebReview, clients: dict[str, Any], who: str, rid: int, method: str | None
) -> tuple[int, str]:
    if who not in clients:
        made = web_review.workspace.accounts.create_token(who, f"{who}'s script")
        clients[who] = {"Authorization": f"Bearer {made}"}
    body: dict[str, Any] = {"stage": TA, "decision": "include", "note": "talked it over"}
    if method is not None:
        body["method"] = method
    client = clients.setdefault("", web_review.client())
    answer = client.post(f"/api/r/{KEY}/conflicts/{rid}/resolve", json=body, headers=clients[who])
    detail = answer.json().get("detail", "") if answer.status_code != 201 else ""
    return answer.status_code, str(detail)


def test_the_core_rule_is_the_table(web_review: WebReview) -> None:
    screening = _setup(web_review)
    roles = {"lena": "lead", "rui": "reviewer", "sam": "reviewer", "vic": "viewer"}
    for role, relation, method, expected in TABLE:
        who, rid = WHO[(role, relation)]
        item = conflict_item(screening, rid, TA, who, role=roles[who])
        allowed = may_resolve(item, who, role=roles[who], method=method)
        assert allowed is not expected.startswith("403"), (role, relation, method)


@pytest.mark.parametrize("adapter", ["page", "api"])
def test_page_and_api_follow_the_same_table(web_review: WebReview, adapter: str) -> None:
    screening = _setup(web_review)
    ask = _ask_page if adapter == "page" else _ask_api
    clients: dict[str, Any] = {}
    for role, relation, method, expected in TABLE:
        case = (adapter, role, relation, method)
        who, rid = WHO[(role, relation)]
        before = _resolutions(web_review)
        status, text = ask(web_review, clients, who, rid, method)
        outcome = screening.outcome(rid, TA)
        if expected.startswith("403"):
            assert status == 403, (case, status, text[:300])
            assert expected.removeprefix("403: ") in text, (case, text[:300])
            assert outcome.state is State.CONFLICT, case
            assert _resolutions(web_review) == before, case
            continue
        assert status == (303 if adapter == "page" else 201), (case, status, text[:300])
        assert outcome.state is State.RESOLVED, case
        assert outcome.resolution is not None
        assert (outcome.resolution.reviewer, outcome.resolution.resolution) == (who, expected), case
        if expected == "consensus":  # both adapters write the same consensus note
            deciders = sorted({v[0] for v in CONFLICTS[rid]} | ({who} if role == "lead" else set()))
            assert outcome.resolution.note == f"consensus of {_and(deciders)}: talked it over"
        # the lead takes the resolution back, so the next row meets the same conflict
        screening.undo(reviewer="lena", stage=TA, record_id=rid, resolution=True)
        assert screening.outcome(rid, TA).state is State.CONFLICT
