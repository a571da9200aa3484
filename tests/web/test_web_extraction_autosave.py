"""An autosave checks the member's right to the record once (inside the save's transaction)
and answers which conditional fields apply from the values the save returns, without reading
them again; what it answers is the same as a fresh read of the store gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from litrev.extraction import values as core
from litrev.extraction.codebook import applies

from .coded_review import KEY, form_review

HX = {"HX-Request": "true"}


@pytest.fixture
def form(tmp_path: Path) -> Any:
    made = form_review(tmp_path / "review", "sqlite")
    yield made
    made.workspace.close()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the permission check and `read_values` run (the real functions answer)."""
    calls = {"check": 0, "read": 0}
    check, read = core.check_reviewer_may_extract, core.read_values

    def counting_check(*args: Any, **kwargs: Any) -> None:
        calls["check"] += 1
        check(*args, **kwargs)

    def counting_read(*args: Any, **kwargs: Any) -> Any:
        calls["read"] += 1
        return read(*args, **kwargs)

    monkeypatch.setattr(core, "check_reviewer_may_extract", counting_check)
    monkeypatch.setattr(core, "read_values", counting_read)
    return calls


def _autosave(client: Any, token: str, rid: int, key: str, value: str, **more: str) -> Any:
    field, _, instance = key.partition(":")
    return client.post(
        f"/r/{KEY}/extract/{rid}/save",
        data={"_key": key, f"f:{field}:{instance}": value, **more},
        headers={**HX, "X-CSRF-Token": token},
    )


def _fresh_applies(form: Any, rid: int, who: str) -> dict[str, bool]:
    review = form.workspace.reviews[KEY]
    codebook = review.project.protocol.codebook
    stored = {k: v.value for k, v in core.read_values(review.store, rid, who).items()}
    rows = {i for (name, i) in stored if codebook.field(name) and codebook.field(name).group}
    out = {}
    for target in codebook.fields:
        if target.when is not None:
            for instance in sorted(rows) if target.group else [0]:
                out[f"{target.name}:{instance}"] = applies(codebook, target, stored, instance)
    return out


def test_an_autosave_checks_once_and_reads_nothing_back(form: Any, counted: dict) -> None:
    rui = form.client("rui")
    token = form.csrf(rui)
    before = dict(counted)
    saved = _autosave(rui, token, 3, "design:0", "randomised trial")
    assert saved.status_code == 200 and "Saved" in saved.text
    assert counted["check"] - before["check"] == 1  # in save_values, under the record's lock
    assert counted["read"] - before["read"] == 0  # the applies map comes from the save
    trigger = json.loads(saved.headers["hx-trigger"])
    assert trigger["litrev-applies"] == _fresh_applies(form, 3, "rui")
    assert trigger["litrev-applies"]["arms:0"] is True
    # Changing the design back hides arms again; a refused value changes nothing.
    assert json.loads(_autosave(rui, token, 3, "design:0", "cohort").headers["hx-trigger"])[
        "litrev-applies"
    ] == {"arms:0": False}
    refused = _autosave(rui, token, 3, "start_year:0", "soon")
    assert 'class="xproblem"' in refused.text
    assert json.loads(refused.headers["hx-trigger"])["litrev-applies"] == _fresh_applies(
        form, 3, "rui"
    )


def test_a_location_only_key_and_a_group_row_match_a_fresh_read(form: Any) -> None:
    rui = form.client("rui")
    token = form.csrf(rui)
    _autosave(rui, token, 4, "design:0", "randomised trial")
    _autosave(rui, token, 4, "model_quote:0", "", **{"loc:model_quote:0": "p. 9"})
    answer = _autosave(rui, token, 4, "outcome:2", "readmission")
    review = form.workspace.reviews[KEY]
    result = core.save_values(
        review.store,
        review.project.protocol.codebook,
        4,
        "rui",
        {("effect", 2): "12"},
        actor="rui",
        screening=review.screening,
    )
    stored = {k: v.value for k, v in core.read_values(review.store, 4, "rui").items()}
    assert result.values == stored  # what the store holds, a location-only key included
    assert stored[("model_quote", 0)] == ""
    assert json.loads(answer.headers["hx-trigger"])["litrev-applies"] == _fresh_applies(
        form, 4, "rui"
    )


def test_an_autosave_on_a_record_not_theirs_is_still_refused(form: Any) -> None:
    lena = form.client("lena")
    assigned = lena.post(
        f"/r/{KEY}/extract/assign",
        data={"csrf_token": form.csrf(lena), "extractors": ["rui"], "per_record": 1},
        follow_redirects=False,
    )
    assert assigned.status_code == 303
    sam = form.client("sam")
    token = form.csrf(sam)
    refused = _autosave(sam, token, 1, "design:0", "cohort")
    assert refused.status_code == 403 and "not assigned to sam" in refused.text
    complete = sam.post(
        f"/r/{KEY}/extract/1/complete",
        data={"f:design:0": "cohort"},
        headers={"X-CSRF-Token": token},
    )
    assert complete.status_code == 403
    review = form.workspace.reviews[KEY]
    assert core.read_values(review.store, 1, "sam") == {}
