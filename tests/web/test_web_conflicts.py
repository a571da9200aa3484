"""The conflicts page, resolving conflicts (who may, audit, idempotency) and the stage gate,
on SQLite and PostgreSQL (the `web_review` fixture runs each test on both)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from litrev.screening.model import State
from litrev.store import schema

TA = "title_abstract"
FT = "full_text"
HTMX = {"hx-request": "true"}


def decide(
    web_review: Any,
    rid: int,
    who: str,
    decision: str,
    reason: str | None = None,
    stage: str = TA,
    note: str | None = None,
) -> None:
    screening = web_review.workspace.reviews[web_review.key].screening
    screening.decide(rid, reviewer=who, stage=stage, decision=decision, reason=reason, note=note)


def screening_of(web_review: Any) -> Any:
    return web_review.workspace.reviews[web_review.key].screening


def rows(html: str) -> list[str]:
    """The record ids of the conflict rows of a page, in order."""
    return re.findall(r'data-testid="conflict-row" data-record="(\d+)"', html)


def section(html: str, testid: str) -> str:
    """The markup of one list of the conflicts page (up to the next section)."""
    start = html.find(f'data-testid="{testid}"')
    assert start >= 0, f"no {testid} on the page"
    end = html.find("</section>", start)
    return html[start:end]


def audit(web_review: Any, action: str) -> list[Any]:
    store = web_review.workspace.reviews[web_review.key].store
    with store.connect() as conn:
        table = schema.audit_log
        return list(conn.execute(select(table).where(table.c.action == action)).all())


def test_a_conflict_is_listed_and_the_two_reviewers_resolve_it_together(web_review: Any) -> None:
    decide(web_review, 1, "rui", "include", note="RUI-VOTE-NOTE")
    decide(web_review, 1, "sam", "exclude", "population")
    lena = web_review.client("lena")
    page = lena.get(f"/r/{web_review.key}/conflicts?stage={TA}")
    assert page.status_code == 200
    assert rows(page.text) == ["1"]
    row = section(page.text, "conflicts")
    assert "Home telemonitoring after discharge" in row
    # each reviewer's decision and reason (by its protocol label) and the vote's note
    assert "Not adults with heart failure" in row and "RUI-VOTE-NOTE" in row
    assert re.search(r"rui</span>\s*<span class=\"chip decision-include\"", row)
    assert re.search(r"sam</span>\s*<span class=\"chip decision-exclude\"", row)

    # the viewer is blind to the record: it is not listed, only counted
    vic = web_review.client("vic")
    seen = vic.get(f"/r/{web_review.key}/conflicts").text
    assert rows(seen) == [] and 'data-testid="hidden-conflicts"' in seen
    assert re.search(r'data-testid="count-title_abstract">0<', seen)  # counts what it lists
    assert "RUI-VOTE-NOTE" not in seen and "Home telemonitoring after discharge" not in seen
    refused = vic.post(
        f"/r/{web_review.key}/conflicts/1/resolve",
        data={"stage": TA, "decision": "include", "csrf_token": web_review.csrf(vic)},
    )
    assert refused.status_code == 403

    sam = web_review.client("sam")
    token = web_review.csrf(sam)
    assert "resolve-include" in sam.get(f"/r/{web_review.key}/conflicts").text
    done = sam.post(
        f"/r/{web_review.key}/conflicts/1/resolve",
        data={
            "stage": TA,
            "decision": "include",
            "method": "consensus",
            "note": "abstract mentions admissions",
            "csrf_token": token,
            "idempotency_key": "sam-resolve-1",
        },
        headers=HTMX,
    )
    assert done.status_code == 200
    # the htmx answer is the row itself, now resolved
    assert done.text.lstrip().startswith("<article") and 'data-testid="resolution"' in done.text
    assert "consensus of rui and sam: abstract mentions admissions" in done.text
    # and, out of band, the stage's conflict count and the gate card, both up to date
    assert re.search(r'id="count-title_abstract"[^>]*hx-swap-oob="true">0<', done.text)
    assert re.search(r'id="stage-gate"[^>]*hx-swap-oob="true"', done.text)

    outcome = screening_of(web_review).outcome(1, TA)
    assert outcome.state is State.RESOLVED and outcome.decision == "include"
    assert outcome.resolution.reviewer == "sam" and outcome.resolution.resolution == "consensus"
    entries = audit(web_review, "screening.resolve")
    assert [e.actor for e in entries] == ["sam"]
    after = lena.get(f"/r/{web_review.key}/conflicts").text
    assert 'data-testid="no-conflicts"' in after
    assert rows(section(after, "resolved-list")) == ["1"]  # it moved to the resolved list


def test_the_lead_resolves_any_conflict_as_third_reviewer(web_review: Any) -> None:
    decide(web_review, 2, "rui", "maybe")
    decide(web_review, 2, "sam", "include")
    lena = web_review.client("lena")
    page = lena.get(f"/r/{web_review.key}/conflicts").text
    assert 'class="chip kind kind-maybe"' in page
    # not one of the record's reviewers, the lead is offered "third reviewer" first
    assert re.search(r'<option value="third_reviewer" selected>', page)
    answer = lena.post(
        f"/r/{web_review.key}/conflicts/2/resolve",
        data={
            "stage": TA,
            "decision": "exclude",
            "reason": "intervention",
            "method": "third_reviewer",
            "csrf_token": web_review.csrf(lena),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303  # a plain form post goes back to the list
    assert answer.headers["location"] == f"/r/{web_review.key}/conflicts?stage={TA}"
    outcome = screening_of(web_review).outcome(2, TA)
    assert (outcome.decision, outcome.reason) == ("exclude", "intervention")
    assert outcome.resolution.resolution == "third_reviewer"
    assert outcome.resolution.reviewer == "lena" and outcome.resolution.note is None


def test_only_the_records_own_reviewers_resolve_it_and_only_by_consensus(web_review: Any) -> None:
    decide(web_review, 3, "rui", "include")
    decide(web_review, 3, "lena", "exclude", "population")
    sam = web_review.client("sam")
    page = sam.get(f"/r/{web_review.key}/conflicts").text
    # blind to sam, who did not decide it: not listed, and not his to resolve
    assert rows(page) == [] and 'data-testid="hidden-conflicts"' in page
    data = {"stage": TA, "decision": "include", "csrf_token": web_review.csrf(sam)}
    assert sam.post(f"/r/{web_review.key}/conflicts/3/resolve", data=data).status_code == 403
    rui = web_review.client("rui")
    data = {
        "stage": TA,
        "decision": "include",
        "method": "third_reviewer",
        "csrf_token": web_review.csrf(rui),
    }
    refused = rui.post(f"/r/{web_review.key}/conflicts/3/resolve", data=data)
    assert refused.status_code == 403 and "consensus" in refused.text
    assert screening_of(web_review).outcome(3, TA).state is State.CONFLICT
    assert audit(web_review, "screening.resolve") == []
    # without the CSRF token nothing is written either
    del data["csrf_token"]
    data["method"] = "consensus"
    assert rui.post(f"/r/{web_review.key}/conflicts/3/resolve", data=data).status_code == 403
    assert screening_of(web_review).outcome(3, TA).state is State.CONFLICT


def test_a_double_submitted_resolution_is_written_once(web_review: Any) -> None:
    decide(web_review, 4, "rui", "include")
    decide(web_review, 4, "sam", "exclude", "population")
    rui = web_review.client("rui")
    data = {
        "stage": TA,
        "decision": "include",
        "csrf_token": web_review.csrf(rui),
        "idempotency_key": "form-key-4",
    }
    for _ in range(2):
        answer = rui.post(f"/r/{web_review.key}/conflicts/4/resolve", data=data, headers=HTMX)
        assert answer.status_code == 200 and 'data-testid="resolution"' in answer.text
    events = screening_of(web_review).events(TA, record_id=4)
    written = [e for e in events if e.resolution is not None]
    assert len(written) == 1
    assert len(audit(web_review, "screening.resolve")) == 1


def test_a_refused_resolution_says_why_in_the_row(web_review: Any) -> None:
    decide(web_review, 5, "rui", "include")
    decide(web_review, 5, "sam", "exclude", "population")
    rui = web_review.client("rui")
    data = {"stage": TA, "decision": "exclude", "csrf_token": web_review.csrf(rui)}
    answer = rui.post(f"/r/{web_review.key}/conflicts/5/resolve", data=data, headers=HTMX)
    assert answer.status_code == 400
    assert 'data-testid="resolve-error"' in answer.text
    assert (
        "exclude needs a reason at title_abstract: one of population, intervention" in answer.text
    )
    assert 'data-record="5"' in answer.text  # the row again, with its form, to try again
    assert "resolve-exclude" in answer.text
    # a record with no conflict: refused, plainly, as a page for a plain post
    data = {"stage": TA, "decision": "include", "csrf_token": web_review.csrf(rui)}
    plain = rui.post(f"/r/{web_review.key}/conflicts/9/resolve", data=data)
    assert plain.status_code == 403  # rui did not decide record 9: not his to resolve
    lena = web_review.client("lena")
    data["csrf_token"] = web_review.csrf(lena)
    plain = lena.post(f"/r/{web_review.key}/conflicts/9/resolve", data=data)
    assert plain.status_code == 400 and "record 9 has no conflict" in plain.text
    assert lena.get(f"/r/{web_review.key}/conflicts?stage=nonsense").status_code == 400


def test_different_exclusion_reasons_are_listed_apart_at_title_abstract(web_review: Any) -> None:
    decide(web_review, 6, "rui", "exclude", "population")
    decide(web_review, 6, "sam", "exclude", "intervention")
    decide(web_review, 7, "rui", "include")
    decide(web_review, 7, "sam", "include")
    lena = web_review.client("lena")
    page = lena.get(f"/r/{web_review.key}/conflicts?stage={TA}").text
    assert 'data-testid="no-conflicts"' in page
    mismatches = section(page, "reason-mismatches")
    assert rows(mismatches) == ["6"]
    assert "Not adults with heart failure" in mismatches and "No home telemonitoring" in mismatches
    assert "resolve-include" not in mismatches  # excluded either way: nothing to resolve
    # at full text the same disagreement is a conflict to resolve
    decide(web_review, 7, "rui", "exclude", "outcome", stage=FT)
    decide(web_review, 7, "sam", "exclude", "population", stage=FT)
    full = lena.get(f"/r/{web_review.key}/conflicts?stage={FT}").text
    assert rows(section(full, "conflicts")) == ["7"]
    assert 'class="chip kind kind-reasons"' in full and "reason-mismatches" not in full
    assert re.search(r'data-testid="count-full_text">1<', full)


def test_stage_gate_warns_and_opens_only_when_forced(web_review: Any) -> None:
    decide(web_review, 1, "rui", "include")
    decide(web_review, 1, "sam", "maybe")
    decide(web_review, 2, "rui", "include")
    lena = web_review.client("lena")
    key = web_review.key
    page = lena.get(f"/r/{key}/conflicts").text
    gate = section(page, "stage-gate")
    assert "Not open yet" in gate
    assert "1 open conflicts (1 with a maybe), 1 awaiting another reviewer, 10 unscreened" in gate
    assert 'data-testid="gate-open-anyway"' in gate and 'data-testid="gate-open"' not in gate
    token = web_review.csrf(lena)
    refused = lena.post(
        f"/r/{key}/stages/{FT}/open", data={"csrf_token": token, "back": f"/r/{key}/conflicts"}
    )
    assert refused.status_code == 409
    assert "title_abstract is not finished: 1 open conflicts" in refused.text
    screening = screening_of(web_review)
    from litrev.screening.gates import gate as gate_of

    assert not gate_of(screening, FT).open and audit(web_review, "screening.open_stage") == []
    # only the lead may open or close a stage
    for name in ("rui", "vic"):
        other = web_review.client(name)
        data = {"csrf_token": web_review.csrf(other), "force": "1"}
        assert other.post(f"/r/{key}/stages/{FT}/open", data=data).status_code == 403
    opened = lena.post(
        f"/r/{key}/stages/{FT}/open",
        data={"csrf_token": token, "force": "1", "back": "https://evil.example/"},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/r/{key}/dashboard"  # never off the site
    assert gate_of(screening, FT).open
    [entry] = audit(web_review, "screening.open_stage")
    assert entry.actor == "lena" and entry.detail["forced"] is True
    card = lena.post(f"/r/{key}/stages/{FT}/close", data={"csrf_token": token}, headers=HTMX)
    assert card.status_code == 200 and card.text.lstrip().startswith("<section")
    assert "Not open yet" in card.text and not gate_of(screening, FT).open
    assert lena.post(f"/r/{key}/stages/{TA}/close", data={"csrf_token": token}).status_code == 400


def test_the_gate_opens_without_force_once_title_abstract_is_settled(
    tmp_path: Any, backend: str
) -> None:
    from .conftest import TITLES, make_review

    review = make_review(tmp_path / "two", backend, TITLES[:2])
    try:
        for rid in (1, 2):
            decide(review, rid, "rui", "include")
            decide(review, rid, "sam", "include")
        lena = review.client("lena")
        page = lena.get(f"/r/{review.key}/dashboard").text
        assert "every record is settled" in page and 'data-testid="gate-open"' in page
        token = review.csrf(lena)
        card = lena.post(
            f"/r/{review.key}/stages/{FT}/open", data={"csrf_token": token}, headers=HTMX
        )
        assert card.status_code == 200 and "Open: opened by lena" in card.text
        assert 'data-testid="gate-close"' in card.text
        # the viewer sees the gate's state, without its buttons
        vic = review.client("vic")
        seen = section(vic.get(f"/r/{review.key}/conflicts").text, "stage-gate")
        assert "Open: opened by lena" in seen and "gate-close" not in seen
    finally:
        review.workspace.close()


def test_a_long_conflict_list_comes_in_pages(tmp_path: Any, backend: str) -> None:
    from litrev.screening.model import DecisionInput

    from .conftest import make_review

    titles = [(f"Telemonitoring trial {n} in heart failure", 2000 + n % 20) for n in range(1, 56)]
    review = make_review(tmp_path / "many", backend, titles)
    try:
        votes = [DecisionInput(r, "rui", TA, "include", None, None) for r in range(1, 56)]
        votes += [DecisionInput(r, "sam", TA, "maybe", None, None) for r in range(1, 56)]
        screening_of(review).decide_many(votes)
        lena = review.client("lena")
        first = lena.get(f"/r/{review.key}/conflicts").text
        assert rows(first) == [str(r) for r in range(1, 51)]
        assert 'id="open-total">(55)</span>' in first
        assert "1–50 of 55" in first and 'data-testid="next-page"' in first
        second = lena.get(f"/r/{review.key}/conflicts?page=2").text
        assert rows(second) == [str(r) for r in range(51, 56)] and "51–55 of 55" in second
        beyond = lena.get(f"/r/{review.key}/conflicts?page=9").text
        assert rows(beyond) == [] and "Nothing on page 9" in beyond
        assert lena.get(f"/r/{review.key}/conflicts?page=0").status_code == 422
    finally:
        review.workspace.close()


def test_the_lead_reopens_a_resolution(web_review: Any) -> None:
    decide(web_review, 8, "rui", "include")
    decide(web_review, 8, "sam", "exclude", "population")
    screening = screening_of(web_review)
    screening.resolve(8, stage=TA, decision="include", by="rui", method="consensus")
    key = web_review.key
    rui = web_review.client("rui")
    listed = rui.get(f"/r/{key}/conflicts").text
    assert rows(section(listed, "resolved-list")) == ["8"] and 'data-testid="reopen"' not in listed
    data = {"stage": TA, "csrf_token": web_review.csrf(rui)}
    assert rui.post(f"/r/{key}/conflicts/8/reopen", data=data).status_code == 403
    lena = web_review.client("lena")
    assert 'data-testid="reopen"' in lena.get(f"/r/{key}/conflicts").text
    data = {"stage": TA, "csrf_token": web_review.csrf(lena), "idempotency_key": "reopen-8"}
    answer = lena.post(f"/r/{key}/conflicts/8/reopen", data=data, headers=HTMX)
    assert answer.status_code == 200 and "resolve-include" in answer.text
    assert re.search(r'id="count-title_abstract"[^>]*>1<', answer.text)
    assert screening.outcome(8, TA).state is State.CONFLICT
    [entry] = audit(web_review, "screening.undo")
    assert entry.actor == "lena"
    # the same form again changes nothing; a record with no resolution says so in its row
    again = lena.post(f"/r/{key}/conflicts/8/reopen", data=data, headers=HTMX)
    assert again.status_code == 200 and len(audit(web_review, "screening.undo")) == 1
    data["idempotency_key"] = "reopen-8-twice"
    refused = lena.post(f"/r/{key}/conflicts/8/reopen", data=data, headers=HTMX)
    assert refused.status_code == 400 and "no resolution on record 8" in refused.text
