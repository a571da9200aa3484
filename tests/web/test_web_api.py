"""The JSON API on SQLite and PostgreSQL: tokens, roles, the caller as actor, idempotency, blind mode."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from litrev.store import schema

from .conftest import PASSWORD, WebReview

KEY = "telehealth-hf"
TA = "title_abstract"


def token(web_review: WebReview, user: str) -> dict[str, str]:
    made = web_review.workspace.accounts.create_token(user, f"{user}'s script")
    return {"Authorization": f"Bearer {made}"}


def decision_rows(web_review: WebReview, **where: Any) -> int:
    table = schema.decisions
    query = select(func.count()).select_from(table)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with web_review.workspace.reviews[KEY].store.connect() as conn:
        return int(conn.execute(query).scalar_one())


def decide(client: Any, headers: dict[str, str], record: int, decision: str, **extra: Any) -> Any:
    body = {"record_id": record, "stage": TA, "decision": decision, **extra}
    return client.post(f"/api/r/{KEY}/decisions", json=body, headers=headers)


def test_token_auth_roles_and_the_caller_as_actor(web_review: WebReview) -> None:
    client = web_review.client()
    rui = token(web_review, "rui")
    me = client.get("/api/me", headers=rui).json()
    assert (me["username"], me["via"]) == ("rui", "token")
    assert me["reviews"] == [
        {"key": KEY, "title": web_review.workspace.reviews[KEY].title, "role": "reviewer"}
    ]
    # Nobody, a made-up token, a token of another scheme: 401, as JSON.
    assert client.get("/api/me").status_code == 401
    assert (
        client.get(f"/api/r/{KEY}", headers={"Authorization": "Bearer lrv_nope"}).status_code == 401
    )
    answer = client.get(f"/api/r/{KEY}", headers={"Authorization": "Basic cnVpOng="})
    assert answer.status_code == 401 and "API token" in answer.json()["detail"]

    made = decide(client, rui, 3, "exclude", reason="population")
    assert made.status_code == 201, made.text
    assert (made.json()["reviewer"], made.json()["reason"]) == ("rui", "population")
    # There is no reviewer field: a body naming one is refused, nothing written.
    forged = decide(client, rui, 4, "include", reviewer="sam")
    assert forged.status_code == 422 and "reviewer" in forged.json()["detail"]
    assert decision_rows(web_review, record_id=4) == 0

    vic = token(web_review, "vic")
    assert client.get(f"/api/r/{KEY}/records/3", headers=vic).status_code == 200
    refused = decide(client, vic, 5, "include")
    assert refused.status_code == 403 and "reviewer role" in refused.json()["detail"]
    note = client.post(
        f"/api/r/{KEY}/records/5/notes", json={"stage": TA, "text": "x"}, headers=vic
    )
    assert note.status_code == 403
    assert decision_rows(web_review, record_id=5) == 0


def test_a_revoked_token_is_refused(web_review: WebReview) -> None:
    accounts = web_review.workspace.accounts
    secret = accounts.create_token("sam", "laptop")
    client = web_review.client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"/api/r/{KEY}", headers=headers).status_code == 200
    (token_id, *_rest) = accounts.tokens("sam")[0]
    accounts.revoke_token("sam", token_id)
    assert client.get(f"/api/r/{KEY}", headers=headers).status_code == 401
    assert decide(client, headers, 1, "include").status_code == 401
    assert decision_rows(web_review) == 0


def test_an_idempotent_repeat_writes_once(web_review: WebReview) -> None:
    client = web_review.client()
    rui = {**token(web_review, "rui"), "Idempotency-Key": "form-7f3a"}
    first = decide(client, rui, 2, "include", note="a trial")
    again = decide(client, rui, 2, "include", note="a trial")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert decision_rows(web_review, record_id=2, reviewer="rui") == 1
    # The same key for another decision is refused, not silently replayed.
    other = decide(client, rui, 2, "exclude", reason="population")
    assert other.status_code == 400 and "different request" in other.json()["detail"]
    # Another user's key is theirs alone.
    sam = {**token(web_review, "sam"), "Idempotency-Key": "form-7f3a"}
    assert decide(client, sam, 2, "include").status_code == 400
    assert decision_rows(web_review, record_id=2) == 1
    # Undo with a key is idempotent too: one retraction.
    undo = {**rui, "Idempotency-Key": "undo-1"}
    body = {"stage": TA, "record_id": 2}
    for _ in range(2):
        answer = client.post(f"/api/r/{KEY}/decisions/undo", json=body, headers=undo)
        assert answer.status_code == 200 and answer.json()["id"] == first.json()["id"]
    assert decision_rows(web_review, record_id=2, decision="retracted") == 1


def test_blind_mode_holds_through_the_api(web_review: WebReview) -> None:
    client = web_review.client()
    rui, sam, lena = (token(web_review, u) for u in ("rui", "sam", "lena"))
    assert decide(client, rui, 1, "include", note="rui's reasoning").status_code == 201
    path = f"/api/r/{KEY}/records/1"
    for kind, body in (("notes", {"text": "rui's note"}), ("tags", {"tag": "rui-tag"})):
        made = client.post(f"{path}/{kind}", json={"stage": TA, **body}, headers=rui)
        assert made.status_code == 201, made.text

    seen = client.get(path, headers=sam).json()
    assert seen["blind"] is True
    assert seen["mine"] is None and seen["others"] == []
    assert seen["notes"] == [] and seen["tags"] == []
    assert all(item["who"] != "rui" for item in seen["history"])
    assert "rui" not in str(seen)
    # The lead does not see one reviewer's vote before the second one either.
    assert client.get(path, headers=lena).json()["others"] == []

    assert decide(client, sam, 1, "exclude", reason="population").status_code == 201
    conflicts = client.get(f"/api/r/{KEY}/conflicts", headers=sam).json()
    assert [c["record_id"] for c in conflicts] == [1]
    seen = client.get(path, headers=sam).json()
    assert seen["blind"] is False
    assert [(d["reviewer"], d["decision"]) for d in seen["others"]] == [("rui", "include")]
    assert [n["text"] for n in seen["notes"]] == ["rui's note"]
    assert [t["tag"] for t in seen["tags"]] == ["rui-tag"]


def test_conflicts_resolve_only_by_lead_or_the_records_reviewers(web_review: WebReview) -> None:
    accounts = web_review.workspace.accounts
    accounts.add_user("tao", PASSWORD, actor="test")
    accounts.grant(KEY, "tao", "reviewer", actor="test")
    web_review.workspace.reviews[KEY].screening.add_reviewer("tao")
    client = web_review.client()
    rui, sam, tao, lena = (token(web_review, u) for u in ("rui", "sam", "tao", "lena"))
    decide(client, rui, 6, "include")
    decide(client, sam, 6, "exclude", reason="intervention")
    # tao decided nothing on record 6: it is blind to them, so not even listed.
    assert client.get(f"/api/r/{KEY}/conflicts", headers=tao).json() == []
    url = f"/api/r/{KEY}/conflicts/6/resolve"
    body = {"stage": TA, "decision": "include"}
    assert client.post(url, json=body, headers=tao).status_code == 403
    resolved = client.post(url, json=body, headers=lena)
    assert resolved.status_code == 201, resolved.text
    assert (resolved.json()["reviewer"], resolved.json()["resolution"]) == (
        "lena",
        "third_reviewer",
    )
    assert client.get(f"/api/r/{KEY}/conflicts", headers=lena).json() == []
    summary = client.get(f"/api/r/{KEY}", headers=lena).json()["stages"][0]
    assert (summary["resolved"], summary["included"]) == (1, 1)


def test_session_callers_need_the_csrf_token(web_review: WebReview) -> None:
    client = web_review.client("rui")
    assert client.get("/api/me").json()["via"] == "session"
    body = {"record_id": 8, "stage": TA, "decision": "include"}
    assert client.post(f"/api/r/{KEY}/decisions", json=body).status_code == 403
    csrf = {"X-CSRF-Token": web_review.csrf(client)}
    assert client.post(f"/api/r/{KEY}/decisions", json=body, headers=csrf).status_code == 201
    assert decision_rows(web_review, record_id=8) == 1


def test_refused_input_is_a_4xx_with_a_message(web_review: WebReview) -> None:
    client = web_review.client()
    rui = token(web_review, "rui")
    closed = client.post(
        f"/api/r/{KEY}/decisions",
        json={"record_id": 1, "stage": "full_text", "decision": "include"},
        headers=rui,
    )
    assert closed.status_code == 400 and "not open" in closed.json()["detail"]
    unknown = decide(client, rui, 999, "include")
    assert unknown.status_code == 400 and "999" in unknown.json()["detail"]
    reason = decide(client, rui, 1, "exclude", reason="not-a-reason")
    assert reason.status_code == 400
    assert client.get(f"/api/r/{KEY}/records/999", headers=rui).status_code == 404
    assert client.get("/api/r/no-such-review", headers=rui).status_code == 404
    huge = decide(client, rui, 2**40, "include")
    assert huge.status_code == 422
    nul = client.post(
        f"/api/r/{KEY}/records/1/notes", json={"stage": TA, "text": "a\x00b"}, headers=rui
    )
    assert nul.status_code == 422 and "U+0000" in nul.json()["detail"]
    assert decision_rows(web_review) == 0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_next_record_follows_the_allocation_and_every_record_screened_by_two(
    web_review: WebReview,
) -> None:
    client = web_review.client()
    rui, sam = token(web_review, "rui"), token(web_review, "sam")
    seen = set()
    url = f"/api/r/{KEY}/records/next"
    for left in (12, 11, 10):
        answer = client.get(url, headers=rui).json()
        assert answer["remaining"] == left
        rid = answer["record"]["id"]
        assert rid not in seen
        seen.add(rid)
        assert decide(client, rui, rid, "include").status_code == 201
    # Once two reviewers decided a record it leaves everyone's list.
    for rid in seen:
        assert decide(client, sam, rid, "include").status_code == 201
    lena_token = token(web_review, "lena")
    lena = client.get(url, headers=lena_token).json()
    assert lena["remaining"] == 9 and lena["record"]["id"] not in seen
    # As on the screening page, a third decision on a record with its two is refused...
    third = decide(client, lena_token, min(seen), "exclude", reason="population")
    assert third.status_code == 400 and "already has its 2" in third.json()["detail"]
    # ...while changing one's own decision is not.
    assert decide(client, rui, min(seen), "maybe").status_code == 201
    progress = {p["reviewer"]: p for p in client.get(f"/api/r/{KEY}/progress", headers=rui).json()}
    assert (progress["rui"]["decided"], progress["sam"]["decided"]) == (3, 3)
    assert decision_rows(web_review, reviewer="lena") == 0
    assert progress["lena"]["remaining"] == 9


def test_tags_come_off_and_only_the_lead_opens_a_stage(web_review: WebReview) -> None:
    client = web_review.client()
    rui, lena = token(web_review, "rui"), token(web_review, "lena")
    tags = f"/api/r/{KEY}/records/4/tags"
    assert client.post(tags, json={"stage": TA, "tag": "RCT"}, headers=rui).status_code == 201
    again = client.post(tags, json={"stage": TA, "tag": "rct"}, headers=rui)
    assert again.status_code == 201 and again.json()["tag"] == "RCT"  # one tag, whatever the case
    assert client.delete(f"{tags}/rct", headers=rui).status_code == 204
    assert client.delete(f"{tags}/rct", headers=rui).status_code == 400
    assert client.get(f"/api/r/{KEY}/records/4", headers=rui).json()["tags"] == []

    url = f"/api/r/{KEY}/stages/full_text/open"
    assert client.post(url, json={}, headers=rui).status_code == 403
    refused = client.post(url, json={}, headers=lena)
    assert refused.status_code == 400 and "12 unscreened" in refused.json()["detail"]
    opened = client.post(url, json={"force": True}, headers=lena)
    assert opened.status_code == 200 and opened.json()["open"] is True
    assert opened.json()["by"] == "lena" and opened.json()["unscreened"] == 12
    assert client.get(f"/api/r/{KEY}", headers=rui).json()["stages"][1]["open"] is True


def test_the_token_page_creates_shows_once_and_revokes(web_review: WebReview) -> None:
    import re

    client = web_review.client("sam")
    csrf = web_review.csrf(client)
    made = client.post("/account/tokens", data={"label": "my laptop", "csrf_token": csrf})
    assert made.status_code == 201
    secret = re.search(r'data-testid="new-token"|value="(lrv_[^"]+)"', made.text)
    found = re.findall(r'value="(lrv_[^"]+)"', made.text)
    assert secret and len(found) == 1
    headers = {"Authorization": f"Bearer {found[0]}"}
    api = web_review.client()
    assert api.get("/api/me", headers=headers).json()["username"] == "sam"
    listing = client.get("/account/tokens")
    assert "my laptop" in listing.text and found[0] not in listing.text
    # Without the CSRF token a cross-site form cannot make or revoke tokens.
    assert client.post("/account/tokens", data={"label": "evil"}).status_code == 403
    (token_id, *_rest) = web_review.workspace.accounts.tokens("sam")[0]
    revoke = f"/account/tokens/{token_id}/revoke"
    assert client.post(revoke, data={}).status_code == 403
    # Another user cannot revoke sam's token.
    rui = web_review.client("rui")
    other = rui.post(revoke, data={"csrf_token": web_review.csrf(rui)})
    assert other.status_code == 400
    done = client.post(revoke, data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert api.get("/api/me", headers=headers).status_code == 401
    assert web_review.client().get("/account/tokens", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_openapi_schema_documents_every_api_operation(web_review: WebReview) -> None:
    spec = web_review.client().get("/openapi.json").json()
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    operations = [
        (path, method, op)
        for path, item in spec["paths"].items()
        if path.startswith("/api/")
        for method, op in item.items()
    ]
    assert len(operations) >= 15
    for path, method, op in operations:
        ok = [c for c in op["responses"] if c.startswith("2")]
        assert ok, (path, method)
        for code in (c for c in ok if c != "204"):
            assert "$ref" in str(op["responses"][code]["content"]), (path, method, code)
        assert {"400", "401", "403", "404", "422"} <= set(op["responses"]), (path, method)


@pytest.mark.parametrize("module", ["litrev.web.schemas", "litrev.web.routes.api"])
def test_the_api_models_examples(docstring_examples: Any, module: str) -> None:
    docstring_examples(module)
