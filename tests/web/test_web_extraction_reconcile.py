"""Reconciliation in the workspace's routes (TestClient, SQLite and PostgreSQL): blind until
both extractors completed, the side-by-side page, take / edit with a reason / accept agreed,
and the consensus and audit log as the core records them."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from .coded_review import KEY, form_review
from .conftest import WebReview

RUI = {
    "f:design:0": "randomised trial",
    "f:arms:0": "2",
    "f:country:0": "UK",
    "f:summary:0": "Daily weights sent to a nurse",
    "f:outcome:1": "readmission",
    "f:effect:1": "-2",
}
SAM = {**RUI, "f:country:0": "Ireland", "f:summary:0": "Nurses read daily weights"}


@pytest.fixture
def pair(tmp_path: Path, backend: str) -> Any:
    made = form_review(tmp_path / "review", backend)
    lena = made.client("lena")
    answer = lena.post(
        f"/r/{KEY}/extract/assign",
        data={"csrf_token": made.csrf(lena), "extractors": ["rui", "sam"], "per_record": 2},
    )
    assert answer.status_code == 200
    yield made
    made.workspace.close()


def _complete(web: WebReview, who: str, rid: int, values: dict[str, str]) -> None:
    client = web.client(who)
    answer = client.post(
        f"/r/{KEY}/extract/{rid}/complete",
        data={"csrf_token": web.csrf(client), **values},
        follow_redirects=False,
    )
    assert answer.status_code == 303, html.unescape(answer.text)[-3000:]


def _comparisons(web: WebReview, rid: int) -> list[Any]:
    from litrev.extraction.agreement import comparisons

    review = web.workspace.reviews[KEY]
    return comparisons(review.store, review.project.protocol.codebook, rid)


def _consensus(web: WebReview, rid: int) -> dict[tuple[str, int], str]:
    from litrev.extraction.values import read_values

    store = web.workspace.reviews[KEY].store
    return {k: v.value for k, v in read_values(store, rid, "consensus").items()}


def _audit(web: WebReview) -> list[dict[str, Any]]:
    from litrev.store import schema

    store = web.workspace.reviews[KEY].store
    table = schema.audit_log
    with store.connect() as conn:
        rows = conn.execute(
            select(table.c.actor, table.c.detail).where(table.c.action == "reconcile_extraction")
        ).all()
    out = []
    for actor, detail in rows:
        found = json.loads(detail) if isinstance(detail, str) else dict(detail)
        out.append({"actor": actor, **found})
    return out


def test_blind_then_side_by_side_then_settled(pair: WebReview) -> None:
    """One review for the scenarios (record 1: blind, side by side, the lead settles;
    record 2: a viewer reads, an extractor settles)."""
    _blind_until_both_complete_then_side_by_side(pair)
    _the_lead_takes_one_edits_one_and_accepts_the_agreed(pair)
    _viewers_read_and_extractors_may_settle(pair)


def _blind_until_both_complete_then_side_by_side(pair: WebReview) -> None:
    _complete(pair, "rui", 1, RUI)
    rui = pair.client("rui")
    assert 'data-testid="reconcile-empty"' in rui.get(f"/r/{KEY}/reconcile").text
    page = rui.get(f"/r/{KEY}/reconcile/1").text
    assert 'data-testid="reconcile-blind"' in page
    assert 'data-testid="value-sam"' not in page and "Ireland" not in page
    refused = rui.post(
        f"/r/{KEY}/reconcile/1",
        data={"csrf_token": pair.csrf(rui), "field": "country", "take": "rui"},
    )
    assert refused.status_code == 422 and "sam" in html.unescape(refused.text)
    assert _consensus(pair, 1) == {}
    _complete(pair, "sam", 1, SAM)
    listed = rui.get(f"/r/{KEY}/reconcile").text
    expected = [c for c in _comparisons(pair, 1) if c.applies and not c.agree]
    assert {c.field for c in expected} == {"country", "summary"}
    row = re.search(r'data-record="1">(.*?)</tr>', listed, re.S)
    assert row
    found = re.search(r'data-testid="disagreements">(\d+)<', row.group(1))
    assert found and int(found.group(1)) == len(expected)
    page = rui.get(f"/r/{KEY}/reconcile/1").text
    assert "Ireland" in page and "United Kingdom" in page
    marks = dict(re.findall(r'data-field="(\w+)" data-instance="0" data-agree="(\w+)"', page))
    assert marks["country"] == "no" and marks["design"] == "yes"


def _the_lead_takes_one_edits_one_and_accepts_the_agreed(pair: WebReview) -> None:
    lena = pair.client("lena")
    token = pair.csrf(lena)
    took = lena.post(
        f"/r/{KEY}/reconcile/1",
        data={"csrf_token": token, "field": "country", "take": "rui", "reason": "p. 2 says UK"},
        follow_redirects=False,
    )
    assert took.status_code == 303
    edited = lena.post(
        f"/r/{KEY}/reconcile/1",
        data={
            "csrf_token": token,
            "field": "summary",
            "value": "A nurse reads daily weights",
            "reason": "both half right",
        },
        follow_redirects=False,
    )
    assert edited.status_code == 303
    bad = lena.post(
        f"/r/{KEY}/reconcile/1",
        data={"csrf_token": token, "field": "arms", "value": "three", "reason": "typo"},
    )
    assert bad.status_code == 422 and "whole number" in html.unescape(bad.text)
    accepted = lena.post(
        f"/r/{KEY}/reconcile/1/accept-agreed", data={"csrf_token": token}, follow_redirects=False
    )
    assert accepted.status_code == 303
    consensus = _consensus(pair, 1)
    assert consensus[("country", 0)] == "United Kingdom"
    assert consensus[("summary", 0)] == "A nurse reads daily weights"
    for key in [("design", 0), ("arms", 0), ("outcome", 1), ("effect", 1)]:
        assert key in consensus  # the agreed values
    entries = {(e["field"], e["instance"]): e for e in _audit(pair)}
    assert entries[("country", 0)]["chosen_from"] == "rui"
    assert entries[("country", 0)]["reason"] == "p. 2 says UK"
    assert entries[("summary", 0)]["reason"] == "both half right"
    assert {e["actor"] for e in entries.values()} == {"lena"}
    page = lena.get(f"/r/{KEY}/reconcile/1").text
    assert "p. 2 says UK" in page and 'data-testid="open-count">0<' in page


def _viewers_read_and_extractors_may_settle(pair: WebReview) -> None:
    before = len(_audit(pair))
    _complete(pair, "rui", 2, RUI)
    _complete(pair, "sam", 2, SAM)
    vic = pair.client("vic")
    page = vic.get(f"/r/{KEY}/reconcile/2")
    assert page.status_code == 200 and "Ireland" in page.text
    assert 'data-testid="take-rui"' not in page.text
    refused = vic.post(
        f"/r/{KEY}/reconcile/2",
        data={"csrf_token": pair.csrf(vic), "field": "country", "take": "rui"},
    )
    assert refused.status_code == 403
    sam = pair.client("sam")
    assert 'data-testid="take-rui"' in sam.get(f"/r/{KEY}/reconcile/2").text
    answer = sam.post(
        f"/r/{KEY}/reconcile/2",
        data={"csrf_token": pair.csrf(sam), "field": "country", "take": "sam", "reason": "agreed"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert _consensus(pair, 2)[("country", 0)] == "Ireland"
    assert [e["actor"] for e in _audit(pair)[before:]] == ["sam"]
