"""The screening page over HTTP: next record, decisions, idempotency, undo, reasons, roles,
blind mode, escaping and highlighting (SQLite and PostgreSQL, via `web_review`)."""

from __future__ import annotations

import re
from typing import Any

from litrev.screening.fulltext import attach
from litrev.screening.gates import open_stage
from litrev.screening.queue import ScreeningQueue

from .conftest import WebReview
from .pdfs import pdf_with_text

TA = "title_abstract"
FT = "full_text"


def htmx(web_review: WebReview, client: Any) -> dict[str, str]:
    """The headers htmx sends: HX-Request and the session's CSRF token (read once a client)."""
    if not hasattr(client, "csrf_token"):
        client.csrf_token = web_review.csrf(client)
    return {"HX-Request": "true", "X-CSRF-Token": client.csrf_token}


def shown_id(html: str) -> int:
    found = re.search(r'data-record-id="(\d+)"', html)
    assert found, html[:2000]
    return int(found.group(1))


def form_key(html: str) -> str:
    found = re.search(
        r'name="record_id" value="\d+">\s*<input[^>]*>\s*<input type="hidden" '
        r'name="idempotency_key" value="([^"]+)"',
        html,
    )
    assert found, html[:3000]
    return found.group(1)


def decide(web_review: WebReview, client: Any, record_id: int, **form: str) -> Any:
    data = {"record_id": str(record_id), "stage": TA, **form}
    return client.post(
        f"/r/{web_review.key}/screen/decide", data=data, headers=htmx(web_review, client)
    )


def first_in_order(web_review: WebReview, reviewer: str = "rui") -> int:
    """The record the core's queue puts first (as `litrev screen` would: with the protocol prior)."""
    review = web_review.workspace.reviews[web_review.key]
    queue = ScreeningQueue(
        review.screening, reviewer=reviewer, stage=TA, protocol=review.project.protocol
    )
    return int(queue.order()[0])


def test_the_next_record_is_shown_with_its_fields_and_marks(web_review: WebReview) -> None:
    """The first record in order, its fields, criteria and reasons; protocol and strategy marks."""
    rui = web_review.client("rui")
    first = rui.get(f"/r/{web_review.key}/screen")
    assert first.status_code == 200
    # Before any decision the protocol ranks (criteria, strategy terms), and the page says so.
    assert shown_id(first.text) == first_in_order(web_review)
    assert "Ranked first by the review's protocol" in first.text
    page = rui.get(f"/r/{web_review.key}/screen?record=1")
    assert shown_id(page.text) == 1
    title = re.search(r'data-testid="record-title">(.*?)</h2>', page.text).group(1)  # type: ignore[union-attr]
    assert title == (
        'Home <mark class="hl-include">telemonitoring</mark> after discharge for '
        '<mark class="hl-include">heart failure</mark>: a randomised trial'
    )
    assert "Author1, A.; Second1, B." in page.text
    assert "Journal of Telemedicine 1" in page.text and "2019" in page.text
    assert "Not adults with heart failure" in page.text  # a title/abstract reason, numbered
    assert "No admissions outcome" not in page.text.split("data-reasons")[1].split("</fieldset>")[0]
    assert "hospital admissions reported" in page.text  # the inclusion criteria
    assert 'data-key="i"' in page.text and 'data-key="m"' in page.text
    assert 'data-testid="remaining">12<' in first.text
    # Record 4 holds the protocol's exclude words; record 3 the strategy's "telehealth".
    four = rui.get(f"/r/{web_review.key}/screen?record=4").text
    assert '<mark class="hl-exclude">protocol</mark>' in four
    assert '<mark class="hl-exclude">children</mark>' in four
    three = rui.get(f"/r/{web_review.key}/screen?record=3").text
    assert '<mark class="hl-strategy">Telehealth</mark>' in three
    assert '<mark class="hl-include">admissions</mark>' in three  # admission* wildcard


def test_a_decision_is_stored_and_the_next_record_follows(web_review: WebReview) -> None:
    rui = web_review.client("rui")
    first = first_in_order(web_review)
    rui.get(f"/r/{web_review.key}/screen")
    answer = decide(web_review, rui, first, decision="include")
    assert answer.status_code == 200
    assert shown_id(answer.text) != first
    assert 'id="toast" hx-swap-oob="true"' in answer.text
    assert f"Included record {first} — press u to undo" in answer.text
    outcome = web_review.workspace.reviews[web_review.key].screening.outcomes(TA)[first]
    assert [(v.reviewer, v.decision) for v in outcome.votes] == [("rui", "include")]
    assert 'data-testid="remaining">11<' in answer.text
    assert 'data-testid="stopping"' in answer.text
    # An include and an exclude to learn from: the order is ranked, and the page says why.
    ranked = decide(web_review, rui, shown_id(answer.text), reason="population")
    assert 'data-testid="explain">Ranked first by words learned' in ranked.text


def test_a_plain_form_post_redirects_back_to_the_page(web_review: WebReview) -> None:
    rui = web_review.client("rui")
    token = web_review.csrf(rui)
    answer = rui.post(
        f"/r/{web_review.key}/screen/decide",
        data={"record_id": "2", "stage": TA, "decision": "maybe", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/r/{web_review.key}/screen?stage={TA}&done=2"
    screening = web_review.workspace.reviews[web_review.key].screening
    assert screening.decision_of(2, TA, "rui").decision == "maybe"  # type: ignore[union-attr]
    landed = rui.get(answer.headers["location"]).text
    assert 'data-testid="confirmed">Marked record 2 as maybe.' in landed
    # Another reviewer's record number confirms nothing (their decision is theirs).
    sam = web_review.client("sam")
    assert 'data-testid="confirmed"' not in sam.get(answer.headers["location"]).text


def test_a_double_submit_records_one_decision(web_review: WebReview) -> None:
    rui = web_review.client("rui")
    key = form_key(rui.get(f"/r/{web_review.key}/screen").text)
    first = decide(web_review, rui, 1, decision="include", idempotency_key=key)
    again = decide(web_review, rui, 1, decision="include", idempotency_key=key)
    assert first.status_code == again.status_code == 200
    screening = web_review.workspace.reviews[web_review.key].screening
    assert len(screening.events(TA, record_id=1)) == 1


def test_undo_takes_back_the_last_decision_and_shows_that_record(web_review: WebReview) -> None:
    rui = web_review.client("rui")
    decide(web_review, rui, 1, decision="include")
    decide(web_review, rui, 2, reason="population")  # a reason button alone: exclude
    screening = web_review.workspace.reviews[web_review.key].screening
    assert screening.decision_of(2, TA, "rui").reason == "population"  # type: ignore[union-attr]
    answer = rui.post(
        f"/r/{web_review.key}/screen/undo", data={"stage": TA}, headers=htmx(web_review, rui)
    )
    assert answer.status_code == 200
    assert shown_id(answer.text) == 2
    assert "Undid exclude on record 2" in answer.text
    assert screening.decision_of(2, TA, "rui") is None
    assert screening.decision_of(1, TA, "rui") is not None
    last = rui.post(
        f"/r/{web_review.key}/screen/undo", data={"stage": TA}, headers=htmx(web_review, rui)
    )
    # Nothing left to take back: the undo button is off (retractions alone do not count).
    assert 'data-testid="undo" disabled' in last.text
    assert screening.decision_of(1, TA, "rui") is None
    # The record page's history: who decided what, changes and undos, in order.
    decide(web_review, rui, 1, decision="maybe")
    decide(web_review, rui, 1, decision="include")  # changed: the history says so
    page = rui.get(f"/r/{web_review.key}/records/1").text
    history = page.split('data-testid="history"')[1]
    assert "maybe at title_abstract" in history
    assert "include at title_abstract, was maybe" in history
    assert "undid decision include at title_abstract" in history
    assert history.index("decided") < history.index("changed")


def test_exclusion_needs_a_reason_of_its_stage(web_review: WebReview) -> None:
    review = web_review.workspace.reviews[web_review.key]
    screening = review.screening
    for who in ("rui", "sam"):
        screening.decide(1, reviewer=who, stage=TA, decision="include")
    rui = web_review.client("rui")
    closed = rui.get(f"/r/{web_review.key}/screen?stage={FT}")
    assert 'data-testid="stage-closed"' in closed.text
    refused = rui.post(
        f"/r/{web_review.key}/screen/decide",
        data={"record_id": "1", "stage": FT, "decision": "include"},
        headers=htmx(web_review, rui),
    )
    assert refused.status_code == 409
    open_stage(screening, FT, by="lena", force=True)
    page = rui.get(f"/r/{web_review.key}/screen?stage={FT}")
    assert shown_id(page.text) == 1 and "No admissions outcome" in page.text
    assert "No PDF attached yet" in page.text
    attach(review.store, 1, "trial.pdf", pdf_with_text("A trial"), by="rui")
    page = rui.get(f"/r/{web_review.key}/screen?stage={FT}")
    assert f'href="/r/{web_review.key}/fulltext/1">Read the full text: trial.pdf' in page.text
    answer = rui.post(
        f"/r/{web_review.key}/screen/decide",
        data={"record_id": "1", "stage": FT, "decision": "exclude"},
        headers=htmx(web_review, rui),
    )
    assert 'data-testid="decide-error"' in answer.text
    assert "exclude needs a reason at full_text" in answer.text
    assert screening.decision_of(1, FT, "rui") is None
    # A full-text-only reason is refused at title/abstract, with the reasons that apply there.
    wrong = decide(web_review, rui, 2, decision="exclude", reason="outcome")
    assert "is for full_text only" in wrong.text and screening.decision_of(2, TA, "rui") is None
    ok = rui.post(
        f"/r/{web_review.key}/screen/decide",
        data={"record_id": "1", "stage": FT, "reason": "3"},
        headers=htmx(web_review, rui),
    )
    assert ok.status_code == 200
    assert screening.decision_of(1, FT, "rui").reason == "outcome"  # type: ignore[union-attr]


def test_a_viewer_cannot_decide_and_sees_no_decision_buttons(web_review: WebReview) -> None:
    vic = web_review.client("vic")
    answer = decide(web_review, vic, 1, decision="include")
    assert answer.status_code == 403
    assert web_review.workspace.reviews[web_review.key].screening.events(TA) == []
    page = vic.get(f"/r/{web_review.key}/screen")
    assert page.status_code == 200 and 'data-testid="screen-viewer"' in page.text
    record = vic.get(f"/r/{web_review.key}/records/1")
    assert record.status_code == 200
    assert "decide-include" not in record.text and "note-input" not in record.text
    assert (
        vic.post(
            f"/r/{web_review.key}/records/1/notes",
            data={"text": "hi"},
            headers=htmx(web_review, vic),
        ).status_code
        == 403
    )


def test_a_record_not_on_the_list_is_refused(web_review: WebReview) -> None:
    screening = web_review.workspace.reviews[web_review.key].screening
    for who in ("sam", "lena"):
        screening.decide(5, reviewer=who, stage=TA, decision="include")
    rui = web_review.client("rui")
    answer = decide(web_review, rui, 5, decision="exclude", reason="1")
    assert "record 5 is not on your list" in answer.text
    assert screening.decision_of(5, TA, "rui") is None


def test_blind_mode_hides_the_other_reviewers_work(web_review: WebReview) -> None:
    screening = web_review.workspace.reviews[web_review.key].screening
    sam = web_review.client("sam")
    decide(web_review, sam, 1, decision="exclude", reason="intervention")
    headers = htmx(web_review, sam)
    sam.post(f"/r/{web_review.key}/records/1/notes", data={"text": "SAMNOTE here"}, headers=headers)
    sam.post(f"/r/{web_review.key}/records/1/tags", data={"tag": "SAMTAG"}, headers=headers)
    rui = web_review.client("rui")
    pages = [
        rui.get(f"/r/{web_review.key}/screen?record=1").text,
        rui.get(f"/r/{web_review.key}/records/1").text,
        rui.get(f"/r/{web_review.key}/screen?record=1", headers={"HX-Request": "true"}).text,
    ]
    for html in pages:
        assert "SAMNOTE" not in html and "SAMTAG" not in html
        assert "exclude (intervention)" not in html and "sam: exclude" not in html
        assert ">sam<" not in html and "sam:" not in html
    # Once rui decided too, both have decided: the record is no longer blind to him.
    decide(web_review, rui, 1, decision="include")
    after = rui.get(f"/r/{web_review.key}/records/1").text
    assert "SAMNOTE here" in after and "SAMTAG" in after and "sam: exclude (intervention)" in after
    assert screening.visible_decisions(1, TA, "rui")
    # The lead settles the conflict: the record page gives the outcome to those who may see it.
    screening.resolve(1, stage=TA, decision="include", by="lena")
    settled = rui.get(f"/r/{web_review.key}/records/1").text
    assert 'data-testid="outcome-title_abstract">outcome: include, resolved' in settled
    # A viewer decided nothing: the record stays blind to them, outcome included.
    vic = web_review.client("vic").get(f"/r/{web_review.key}/records/1").text
    assert "outcome:" not in vic and "SAMNOTE" not in vic and "sam: exclude" not in vic


def test_hostile_record_text_is_escaped(web_review: WebReview) -> None:
    from litrev.screening.demo import add_records

    review = web_review.workspace.reviews[web_review.key]
    [rid] = add_records(
        review.store,
        [("<script>alert(1)</script> telemonitoring", "<img src=x onerror=alert(1)> children")],
    )
    rui = web_review.client("rui")
    headers = htmx(web_review, rui)
    rui.post(f"/r/{web_review.key}/records/{rid}/tags", data={"tag": "<b>x</b>"}, headers=headers)
    for html in (
        rui.get(f"/r/{web_review.key}/screen?record={rid}").text,
        rui.get(f"/r/{web_review.key}/records/{rid}").text,
    ):
        assert f'data-record-id="{rid}"' in html or "record-page" in html
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>x</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert '<mark class="hl-include">telemonitoring</mark>' in html


def test_notes_and_tags_are_added_and_removed(web_review: WebReview) -> None:
    rui = web_review.client("rui")
    headers = htmx(web_review, rui)
    base = f"/r/{web_review.key}/records/3"
    panel = rui.post(f"{base}/notes", data={"text": "check the follow-up"}, headers=headers)
    assert panel.status_code == 200 and "check the follow-up" in panel.text
    rui.post(f"{base}/tags", data={"tag": "RCT"}, headers=headers)
    twice = rui.post(f"{base}/tags", data={"tag": "rct"}, headers=headers)
    assert twice.text.count('class="tag-text"') == 1
    empty = rui.post(f"{base}/notes", data={"text": "   "}, headers=headers)
    assert 'data-testid="notes-error"' in empty.text
    nid = re.search(r"/notes/(\d+)/delete", panel.text).group(1)  # type: ignore[union-attr]
    sam = web_review.client("sam")
    refused = sam.post(f"{base}/notes/{nid}/delete", headers=htmx(web_review, sam))
    assert "no such note of yours" in refused.text
    gone = rui.post(f"{base}/notes/{nid}/delete", headers=headers)
    assert "check the follow-up" not in gone.text
    untagged = rui.post(f"{base}/tags/delete", data={"tag": "RCT"}, headers=headers)
    assert 'class="tag-text"' not in untagged.text
    page = rui.get(f"{base}").text
    assert "undid" not in page and "untagged" in page and ">tag<" in page
    plain = rui.post(
        f"{base}/tags",
        data={"tag": "later", "back": "screen", "csrf_token": web_review.csrf(rui)},
        follow_redirects=False,
    )
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/r/{web_review.key}/screen?stage={TA}&record=3"


def test_other_versions_of_a_duplicate_are_listed(web_review: WebReview) -> None:
    from litrev.dedupe import persist

    review = web_review.workspace.reviews[web_review.key]
    rui = web_review.client("rui")
    rui.get(f"/r/{web_review.key}/screen")  # the queue is cached before deduplication
    persist.decide(review.store, 2, 9, "same", reviewer="lena")
    page = rui.get(f"/r/{web_review.key}/screen?record=2").text
    assert 'data-testid="versions"' in page and "Record 9" in page
    assert 'data-testid="remaining">11<' in page  # record 9 is screened as record 2
    other = rui.get(f"/r/{web_review.key}/records/9").text
    assert "screened as" in other and "Record 2" in other
    versions = other.split('data-testid="versions"')[1]
    assert f"/r/{web_review.key}/records/2?" in versions
    assert f"/r/{web_review.key}/records/9?" not in versions  # a record is not its own version


def test_bad_stage_and_unknown_record_are_refused_plainly(web_review: WebReview) -> None:
    rui = web_review.client("rui")
    assert rui.get(f"/r/{web_review.key}/screen?stage=abstracts").status_code == 400
    assert rui.get(f"/r/{web_review.key}/records/999").status_code == 404
    answer = decide(web_review, rui, 999, decision="include")
    assert "record 999 is not on your list" in answer.text


def test_an_allocation_gives_each_reviewer_their_share(web_review: WebReview) -> None:
    from litrev.screening import allocation

    screening = web_review.workspace.reviews[web_review.key].screening
    plan = allocation.allocate(screening, TA, ["rui", "sam"], per_record=1, by="lena")
    rui = web_review.client("rui")
    page = rui.get(f"/r/{web_review.key}/screen").text
    assert f"{len(plan['rui'])} records are assigned to you" in page
    assert f'data-testid="remaining">{len(plan["rui"])}<' in page
    assert shown_id(page) in plan["rui"]
    theirs = plan["sam"][0]
    refused = decide(web_review, rui, theirs, decision="include")
    assert f"record {theirs} is not on your list" in refused.text
    assert screening.decision_of(theirs, TA, "rui") is None
