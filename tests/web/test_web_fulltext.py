"""The full-text stage in the browser's routes (TestClient, on SQLite and PostgreSQL): uploading
PDFs matched to records, viewing one with its text, and the full-text decision."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import WebReview
from .pdfs import pdf_with_text

KEY = "telehealth-hf"
AT_FULL_TEXT = [1, 2, 3, 5, 6]


def to_full_text(web: WebReview, ids: list[int] = AT_FULL_TEXT, *, open_stage: bool = True) -> Any:
    """Both reviewers include `ids` at title/abstract; the lead opens full text."""
    from litrev.screening.gates import open_stage as open_gate

    review = web.workspace.reviews[KEY]
    for rid in ids:
        for who in ("rui", "sam"):
            review.screening.decide(rid, reviewer=who, stage="title_abstract", decision="include")
    if open_stage:
        open_gate(review.screening, "full_text", by="lena", force=True)
    return review


def upload(client: Any, csrf: str, files: list[tuple[str, bytes, str]]) -> Any:
    return client.post(
        f"/r/{KEY}/fulltext/upload",
        files=[("files", (name, data, kind)) for name, data, kind in files],
        headers={"X-CSRF-Token": csrf},
    )


def decisions(review: Any, stage: str = "full_text") -> list[Any]:
    return [e for e in review.screening.events(stage) if e.resolution is None]


def check_two_pdfs_at_once_attach_to_their_records(web_review: WebReview) -> None:
    from litrev.screening.fulltext import fulltexts_of

    review = web_review.workspace.reviews[KEY]
    rui = web_review.client("rui")
    by_name = pdf_with_text("Home telemonitoring after discharge")
    by_text = pdf_with_text("Telehealth and hospital admissions", "doi:10.5555/telehf.0003")
    answer = upload(
        rui,
        web_review.csrf(rui),
        [
            ("10.5555_telehf.0001.pdf", by_name, "application/pdf"),
            ("scan-0042.pdf", by_text, "application/pdf"),
        ],
    )
    assert answer.status_code == 200, answer.text
    assert answer.text.count('data-testid="upload-attached"') == 2
    assert "DOI in the file name" in answer.text and "DOI in the first page" in answer.text
    assert [f.filename for f in fulltexts_of(review.store, 1)] == ["10.5555_telehf.0001.pdf"]
    assert [f.filename for f in fulltexts_of(review.store, 3)] == ["scan-0042.pdf"]
    assert fulltexts_of(review.store, 2) == []
    listing = rui.get(f"/r/{KEY}/fulltext")
    rows = re.findall(r'data-record="(\d+)">(.*?)</tr>', listing.text, re.S)
    attached = {int(rid) for rid, row in rows if 'data-testid="pdf-attached"' in row}
    assert attached == {1, 3}
    assert {int(rid) for rid, _ in rows} == set(AT_FULL_TEXT)


def check_a_non_pdf_is_refused_by_name_and_nothing_attached(web_review: WebReview) -> None:
    from litrev.screening.fulltext import fulltexts_of

    review = web_review.workspace.reviews[KEY]
    rui = web_review.client("rui")
    answer = upload(
        rui,
        web_review.csrf(rui),
        [
            ("10.5555_telehf.0002.pdf", b"<html><script>alert(1)</script>", "application/pdf"),
            ("notes.docx", b"PK\x03\x04 word", "application/msword"),
        ],
    )
    assert answer.status_code == 200
    refused = re.findall(r'data-testid="upload-refused"><strong>([^<]+)</strong>', answer.text)
    assert refused == ["10.5555_telehf.0002.pdf", "notes.docx"]
    assert "not a PDF" in answer.text
    assert "<script>alert" not in answer.text
    assert fulltexts_of(review.store, 2) == []


def check_an_unmatched_pdf_waits_and_is_attached_to_the_record_picked(
    web_review: WebReview,
) -> None:
    from litrev.screening.fulltext import fulltexts_of

    review = web_review.workspace.reviews[KEY]
    rui = web_review.client("rui")
    csrf = web_review.csrf(rui)
    answer = upload(rui, csrf, [("scanned report.pdf", pdf_with_text("no doi"), "application/pdf")])
    assert 'data-testid="upload-unmatched"' in answer.text
    pending = re.search(r'name="pending" value="([0-9a-f]{64})"', answer.text)
    assert pending, answer.text
    options = {int(v) for v in re.findall(r'<option value="(\d+)"', answer.text)}
    assert options == set(AT_FULL_TEXT)  # only records at the full-text stage
    picked = rui.post(
        f"/r/{KEY}/fulltext/attach",
        data={"pending": pending.group(1), "record_id": "5", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert picked.status_code == 303 and picked.headers["location"] == f"/r/{KEY}/fulltext/5"
    assert [f.filename for f in fulltexts_of(review.store, 5)] == ["scanned report.pdf"]
    again = rui.post(
        f"/r/{KEY}/fulltext/attach",
        data={"pending": pending.group(1), "record_id": "6", "csrf_token": csrf},
    )
    assert again.status_code == 404  # attached once: no longer waiting
    both = pdf_with_text("Two trials", "doi:10.5555/telehf.0005", "doi:10.5555/telehf.0006")
    answer = upload(rui, csrf, [("two.pdf", both, "application/pdf")])
    buttons = re.findall(r'formaction="/r/[^/]+/fulltext/(\d+)/attach"', answer.text)
    assert buttons == ["5", "6"]  # the candidates, each one click away
    pending = re.search(r'name="pending" value="([0-9a-f]{64})"', answer.text)
    assert pending
    rui.post(f"/r/{KEY}/fulltext/5/attach", data={"pending": pending.group(1), "csrf_token": csrf})
    assert [f.filename for f in fulltexts_of(review.store, 5)] == ["scanned report.pdf", "two.pdf"]


def check_view_page_frames_the_pdf_and_shows_its_text(web_review: WebReview) -> None:
    review = web_review.workspace.reviews[KEY]
    rui = web_review.client("rui")
    pdf = pdf_with_text("Weight telemonitoring: 12-month <admissions>", "doi:10.5555/telehf.0006")
    upload(rui, web_review.csrf(rui), [("report.pdf", pdf, "application/pdf")])
    from litrev.screening.fulltext import fulltexts_of

    (attached,) = fulltexts_of(review.store, 6)
    page = rui.get(f"/r/{KEY}/fulltext/6")
    assert page.status_code == 200
    frame = re.search(r'<iframe src="([^"]+)"[^>]*data-testid="pdf-frame"', page.text)
    assert frame and frame.group(1) == f"/r/{KEY}/fulltext/file/{attached.id}"
    text = re.search(r'data-testid="pdf-text">(.*?)</div>', page.text, re.S)
    assert text and "12-month &lt;admissions&gt;" in text.group(1)
    served = rui.get(frame.group(1))
    assert served.status_code == 200 and served.content == pdf
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith('inline; filename="report.pdf"')
    assert served.headers["x-content-type-options"] == "nosniff"
    csp = served.headers["content-security-policy"]
    # No CSP sandbox: Chromium's PDF viewer will not run in a sandboxed document.
    assert "sandbox" not in csp and "default-src 'none'" in csp
    assert "frame-ancestors 'self'" in csp
    assert rui.get(f"/r/{KEY}/fulltext/file/{attached.id + 99}").status_code == 404
    csrf = web_review.csrf(rui)
    assert 'data-testid="remove-pdf"' in page.text
    removed = rui.post(
        f"/r/{KEY}/fulltext/file/{attached.id}/remove",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert removed.headers["location"] == f"/r/{KEY}/fulltext/6"
    assert fulltexts_of(review.store, 6) == []
    assert rui.get(frame.group(1)).status_code == 404
    assert 'data-testid="no-pdf"' in rui.get(f"/r/{KEY}/fulltext/6").text


def check_a_hostile_file_name_cannot_break_the_header(web_review: WebReview) -> None:
    from litrev.screening.fulltext import attach

    review = web_review.workspace.reviews[KEY]
    name = 'a"; filename=evil.html\r\nX-Injected: 1 é.pdf'
    found = attach(review.screening, 2, name, pdf_with_text("x"), by="rui")
    served = web_review.client("vic").get(f"/r/{KEY}/fulltext/file/{found.id}")
    disposition = served.headers["content-disposition"]
    assert disposition.count('"') == 2 and "\r" not in disposition and "\n" not in disposition
    assert "x-injected" not in served.headers
    assert "filename*=UTF-8''" in disposition


def check_not_retrieved_records_the_protocols_reason(web_review: WebReview) -> None:
    review = web_review.workspace.reviews[KEY]
    rui = web_review.client("rui")
    page = rui.get(f"/r/{KEY}/fulltext/2")
    assert 'data-testid="not-retrieved"' in page.text and 'data-key="r"' in page.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    form = {"not_retrieved": "1", "idempotency_key": key, "csrf_token": web_review.csrf(rui)}
    first = rui.post(f"/r/{KEY}/fulltext/2/decide", data=form, follow_redirects=False)
    assert first.status_code == 303
    again = rui.post(f"/r/{KEY}/fulltext/2/decide", data=form, follow_redirects=False)
    assert again.status_code == 303  # a double submit
    made = [e for e in decisions(review) if e.reviewer == "rui" and e.record_id == 2]
    assert [(e.record_id, e.reviewer, e.decision, e.reason) for e in made] == [
        (2, "rui", "exclude", "no-report")
    ]


def check_include_and_exclude_with_a_full_text_reason(web_review: WebReview) -> None:
    review = web_review.workspace.reviews[KEY]
    sam = web_review.client("sam")
    csrf = web_review.csrf(sam)
    page = sam.get(f"/r/{KEY}/fulltext/1")
    reasons = re.findall(r'name="reason" value="([^"]+)"', page.text)
    assert reasons == ["population", "intervention", "outcome", "no-report"]
    included = sam.post(
        f"/r/{KEY}/fulltext/1/decide",
        data={"decision": "include", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert included.headers["location"] == f"/r/{KEY}/fulltext/2?decided=1"
    sam.post(f"/r/{KEY}/fulltext/2/decide", data={"reason": "outcome", "csrf_token": csrf})
    wrong = sam.post(
        f"/r/{KEY}/fulltext/3/decide", data={"decision": "exclude", "csrf_token": csrf}
    )
    assert wrong.status_code == 400 and "needs a reason" in wrong.text
    mine = [review.screening.decision_of(r, "full_text", "sam") for r in (1, 2, 3)]
    assert [(e.decision, e.reason) if e else None for e in mine] == [
        ("include", None),
        ("exclude", "outcome"),
        None,
    ]
    listing = sam.get(f"/r/{KEY}/fulltext")
    assert listing.text.count('data-testid="my-decision"') == 2


def test_decisions_wait_for_the_lead_to_open_the_stage(web_review: WebReview) -> None:
    review = to_full_text(web_review, open_stage=False)
    rui = web_review.client("rui")
    page = rui.get(f"/r/{KEY}/fulltext/1")
    assert 'data-testid="stage-closed"' in page.text and "decide-include" not in page.text
    refused = rui.post(
        f"/r/{KEY}/fulltext/1/decide",
        data={"decision": "include", "csrf_token": web_review.csrf(rui)},
    )
    assert refused.status_code == 400 and "not open yet" in refused.text
    assert decisions(review) == []


def check_blind_a_reviewer_sees_only_their_own_full_text_decision(web_review: WebReview) -> None:
    review = web_review.workspace.reviews[KEY]
    review.screening.decide(
        1, reviewer="rui", stage="full_text", decision="exclude", reason="outcome"
    )
    sam = web_review.client("sam")
    for path in (f"/r/{KEY}/fulltext/1", f"/r/{KEY}/fulltext"):
        text = sam.get(path).text
        assert "rui" not in text  # neither rui's name nor decision
        assert 'data-testid="my-decision"' not in text and 'data-testid="others"' not in text
    review.screening.decide(1, reviewer="sam", stage="full_text", decision="include")
    after = sam.get(f"/r/{KEY}/fulltext/1").text
    assert re.search(r'data-testid="others">.*rui: exclude', after, re.S)


def check_viewers_read_but_cannot_upload_or_decide(web_review: WebReview) -> None:
    vic = web_review.client("vic")
    csrf = web_review.csrf(vic)
    assert vic.get(f"/r/{KEY}/fulltext").status_code == 200
    page = vic.get(f"/r/{KEY}/fulltext/1")
    assert page.status_code == 200 and "decide-include" not in page.text
    assert upload(vic, csrf, [("1.pdf", pdf_with_text("x"), "application/pdf")]).status_code == 403
    decided = vic.post(
        f"/r/{KEY}/fulltext/1/decide", data={"decision": "include", "csrf_token": csrf}
    )
    assert decided.status_code == 403


def check_an_upload_over_the_limit_is_refused_before_it_is_read(
    web_review: WebReview, monkeypatch: pytest.MonkeyPatch
) -> None:
    from litrev.screening.fulltext import fulltexts_of
    from litrev.web.routes import fulltext_upload

    review = web_review.workspace.reviews[KEY]
    before = fulltexts_of(review.store)
    monkeypatch.setattr(fulltext_upload, "MAX_UPLOAD_BYTES", 2000)
    rui = web_review.client("rui")
    big = pdf_with_text("x" * 3000, "doi:10.5555/telehf.0001")
    answer = upload(
        rui, web_review.csrf(rui), [("10.5555_telehf.0001.pdf", big, "application/pdf")]
    )
    assert answer.status_code == 413 and "at most" in answer.text
    assert fulltexts_of(review.store) == before
    chunked = rui.post(  # a body streamed without a declared length
        f"/r/{KEY}/fulltext/upload",
        content=iter([b"--x\r\n", b"%PDF-" * 10]),
        headers={
            "X-CSRF-Token": web_review.csrf(rui),
            "content-type": "multipart/form-data; boundary=x",
        },
    )
    assert chunked.status_code == 411 and "Content-Length" in chunked.text


def check_a_record_not_at_full_text_has_no_page(web_review: WebReview) -> None:
    assert web_review.client("rui").get(f"/r/{KEY}/fulltext/4").status_code == 404


def test_pdfs_are_uploaded_matched_viewed_and_served_safely(
    web_review: WebReview, monkeypatch: pytest.MonkeyPatch
) -> None:
    to_full_text(web_review)
    check_two_pdfs_at_once_attach_to_their_records(web_review)  # records 1 and 3
    check_a_non_pdf_is_refused_by_name_and_nothing_attached(web_review)  # record 2
    check_an_unmatched_pdf_waits_and_is_attached_to_the_record_picked(web_review)  # 5
    check_view_page_frames_the_pdf_and_shows_its_text(web_review)  # 6
    check_a_hostile_file_name_cannot_break_the_header(web_review)  # 2
    check_viewers_read_but_cannot_upload_or_decide(web_review)
    check_a_record_not_at_full_text_has_no_page(web_review)
    check_an_upload_over_the_limit_is_refused_before_it_is_read(web_review, monkeypatch)


def test_full_text_decisions_blind_reasons_and_not_retrieved(web_review: WebReview) -> None:
    to_full_text(web_review)
    check_blind_a_reviewer_sees_only_their_own_full_text_decision(web_review)  # rui, sam on 1
    check_include_and_exclude_with_a_full_text_reason(web_review)  # sam on 1, 2
    check_not_retrieved_records_the_protocols_reason(web_review)  # rui on 2
