"""The extraction form, autosave, completion, assignment and blinding in the workspace's routes
(TestClient, SQLite and PostgreSQL). What the pages say is compared with the core's answers
(`read_values`, `progress`, `extractors_of`), never with literals."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from .coded_review import FORM_CODEBOOK, KEY, form_review
from .conftest import WebReview

HX = {"HX-Request": "true"}


@pytest.fixture
def form(tmp_path: Path, backend: str) -> Any:
    made = form_review(tmp_path / "review", backend)
    yield made
    made.workspace.close()


def _review(web: WebReview) -> Any:
    return web.workspace.reviews[KEY]


def _values(web: WebReview, rid: int, who: str) -> dict[tuple[str, int], str]:
    from litrev.extraction.values import read_values

    return {k: v.value for k, v in read_values(_review(web).store, rid, who).items()}


def _state(web: WebReview, rid: int, who: str) -> str | None:
    from litrev.extraction.values import progress

    found = [p.state for p in progress(_review(web).store, who) if p.record_id == rid]
    return found[0] if found else None


def _autosave(client: Any, token: str, rid: int, key: str, value: str, **more: str) -> Any:
    field, _, instance = key.partition(":")
    data = {"_key": key, f"f:{field}:{instance}": value, **more}
    return client.post(
        f"/r/{KEY}/extract/{rid}/save", data=data, headers={**HX, "X-CSRF-Token": token}
    )


def _assign(web: WebReview, extractors: list[str], per_record: int) -> Any:
    lena = web.client("lena")
    return lena.post(
        f"/r/{KEY}/extract/assign",
        data={"csrf_token": web.csrf(lena), "extractors": extractors, "per_record": per_record},
        follow_redirects=False,
    )


def test_the_form_autosave_completion_and_group_rows(form: WebReview) -> None:
    """One review for the form's scenarios (a review per scenario would dominate the time):
    each scenario uses its own record."""
    _every_field_type(form)
    _autosave_saves_a_good_field_and_answers_a_bad_one(form)
    _complete_is_refused_with_every_problem_then_accepted(form)
    _group_rows_are_added_and_removed(form)


def _every_field_type(form: WebReview) -> None:
    page = form.client("rui").get(f"/r/{KEY}/extract/1").text
    # choice: a select with every choice; required marked; help shown and referenced
    design = re.search(
        r'<select id="in-x-design-0" name="f:design:0"[^>]*>(.*?)</select>', page, re.S
    )
    assert design and all(f'value="{c}"' in design.group(1) for c in ("cohort", "qualitative"))
    assert 'aria-describedby="help-x-design-0"' in page and "As the authors name it" in page
    assert page.count('class="req"') >= 3  # design, arms, country (and the group's outcome)
    # conditional: present (all fields show without JavaScript), marked as not applying yet
    assert re.search(r'id="x-arms-0"[^>]*data-applies="false"', page)
    assert "only when design is randomised trial" in page
    # country: suggestions from ISO 3166
    assert '<datalist id="countries">' in page and '<option value="United Kingdom">' in page
    assert 'list="countries"' in page
    # hierarchical: every node, children indented under their parents
    setting = re.search(r'name="f:setting:0"[^>]*>(.*?)</select>', page, re.S)
    assert setting
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', setting.group(1))
    assert ("Health", "Health") in options
    assert ("Health &gt; Hospital", "\u2003Hospital") in options  # escaped, indented
    # multi choice: checkboxes, plus an empty value so unticking all clears the field
    assert page.count('type="checkbox" name="f:devices:0"') == 3
    assert '<input type="hidden" name="f:devices:0" value="">' in page
    # long text and quote with its location; number with its unit; year
    assert '<textarea id="in-x-summary-0" name="f:summary:0"' in page
    assert 'name="f:model_quote:0"' in page and 'name="loc:model_quote:0"' in page
    assert re.search(r'name="f:effect:1"[^>]*>\s*<span class="xunit">days</span>', page)
    assert 'name="f:start_year:0"' in page
    # the repeating group: min = 1 row shown, a template for more, add and remove
    assert 'data-testid="row-outcomes-1"' in page and 'data-row-template="outcomes"' in page
    assert 'name="f:outcome:__row__"' in page and 'data-testid="add-outcomes"' in page


def _autosave_saves_a_good_field_and_answers_a_bad_one(form: WebReview) -> None:
    rui = form.client("rui")
    token = form.csrf(rui)
    saved = _autosave(rui, token, 2, "design:0", "randomised trial")
    assert saved.status_code == 200 and "Saved" in saved.text
    trigger = json.loads(saved.headers["hx-trigger"])
    assert trigger["litrev-applies"]["arms:0"] is True  # the server says arms applies now
    assert _values(form, 2, "rui") == {("design", 0): "randomised trial"}
    bad = _autosave(rui, token, 2, "arms:0", "two")
    assert 'class="xproblem"' in bad.text and "whole number" in html.unescape(bad.text)
    assert ("arms", 0) not in _values(form, 2, "rui")  # refused, not saved
    # the stored form of a country, and a quote with its location
    _autosave(rui, token, 2, "country:0", "UK; The Netherlands")
    _autosave(rui, token, 2, "model_quote:0", "daily weights", **{"loc:model_quote:0": "p. 3"})
    values = _values(form, 2, "rui")
    assert values[("country", 0)] == "United Kingdom; Netherlands"
    from litrev.extraction.values import read_values

    quote = read_values(_review(form).store, 2, "rui")[("model_quote", 0)]
    assert (quote.value, quote.location) == ("daily weights", "p. 3")
    # an autosave changes only the field it names, whatever else the form posts
    _autosave(rui, token, 2, "start_year:0", "2019", **{"f:design:0": "cohort"})
    assert _values(form, 2, "rui")[("design", 0)] == "randomised trial"
    # the form shows the stored values after a reload
    page = rui.get(f"/r/{KEY}/extract/2").text
    assert 'value="United Kingdom; Netherlands"' in page and ">daily weights</textarea>" in page
    assert re.search(r'id="x-arms-0"[^>]*data-applies="true"', page)
    # without the CSRF token nothing is saved
    refused = rui.post(f"/r/{KEY}/extract/2/save", data={"_key": "summary:0", "f:summary:0": "x"})
    assert refused.status_code == 403 and ("summary", 0) not in _values(form, 2, "rui")


def _complete_is_refused_with_every_problem_then_accepted(form: WebReview) -> None:
    sam = form.client("sam")
    token = form.csrf(sam)
    post = {"csrf_token": token, "f:design:0": "randomised trial", "f:country:0": "Canada"}
    refused = sam.post(f"/r/{KEY}/extract/3/complete", data=post)
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert "'arms' is required but empty" in text
    assert "'outcomes' needs at least 1 row, has 0" in text
    assert _state(form, 3, "sam") == "in_progress"
    assert _values(form, 3, "sam")[("design", 0)] == "randomised trial"  # saved meanwhile
    assert "Not complete: 2 problems to fix" in text
    # a plain save (no JavaScript) with a bad value: the form again, the bad value as typed
    typo = sam.post(f"/r/{KEY}/extract/3/save", data={**post, "f:arms:0": "two"})
    assert typo.status_code == 422
    assert 'value="two"' in typo.text and "whole number" in html.unescape(typo.text)
    assert ("arms", 0) not in _values(form, 3, "sam")
    post.update({"f:arms:0": "2", "f:outcome:1": "readmission", "f:effect:1": "-1.5"})
    done = sam.post(f"/r/{KEY}/extract/3/complete", data=post, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert _state(form, 3, "sam") == "complete"
    assert _values(form, 3, "sam")[("effect", 1)] == "-1.5"
    assert "/extract/" in done.headers["location"]  # on to the next record
    listed = sam.get(f"/r/{KEY}/extract").text
    row = re.search(r'data-record="3">(.*?)</tr>', listed, re.S)
    assert row and "Complete" in row.group(1)


def _group_rows_are_added_and_removed(form: WebReview) -> None:
    rui = form.client("rui")
    token = form.csrf(rui)
    base = {"csrf_token": token, "f:outcome:1": "admissions", "f:outcome:2": "deaths"}
    added = rui.post(
        f"/r/{KEY}/extract/4/save", data={**base, "add_row": "outcomes"}, follow_redirects=False
    )
    assert added.status_code == 303 and added.headers["location"].endswith("?add=outcomes")
    page = rui.get(added.headers["location"]).text
    assert 'data-testid="row-outcomes-3"' in page  # a blank third row to fill
    removed = rui.post(
        f"/r/{KEY}/extract/4/remove-row",
        data={**base, "remove": "outcomes:1"},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert _values(form, 4, "rui") == {("outcome", 1): "deaths"}  # the rows move up
    bad = rui.post(f"/r/{KEY}/extract/4/remove-row", data={"csrf_token": token, "remove": "x:1"})
    assert bad.status_code == 422


def test_assignment_decides_who_extracts_and_viewers_only_read(form: WebReview) -> None:
    rui = form.client("rui")
    answer = rui.get(f"/r/{KEY}/extract/9")  # not included
    assert answer.status_code == 403
    assert "only records included at full text" in html.unescape(answer.text)
    from litrev.extraction.assign import extractors_of

    too_few = _assign(form, ["rui"], 2)  # the core's refusal, said on the page
    assert too_few.status_code == 400 and "at least 2 distinct extractors" in too_few.text
    answer = _assign(form, ["rui"], 1)
    assert answer.status_code == 303
    store = _review(form).store
    assert all(extractors_of(store, rid) == ["rui"] for rid in range(1, 7))
    lena_list = form.client("lena").get(f"/r/{KEY}/extract").text
    assert lena_list.count('data-testid="extract-row"') == 6 and "rui: Not started" in lena_list
    sam = form.client("sam")
    token = form.csrf(sam)
    assert sam.get(f"/r/{KEY}/extract/1").status_code == 403
    assert "not assigned to sam" in html.unescape(sam.get(f"/r/{KEY}/extract/1").text)
    assert _autosave(sam, token, 1, "design:0", "cohort").status_code == 403
    assert _values(form, 1, "sam") == {}
    assert 'data-testid="extract-empty"' in sam.get(f"/r/{KEY}/extract").text
    assert rui.get(f"/r/{KEY}/extract").text.count('data-testid="extract-row"') == 6
    vic = form.client("vic")
    listed = vic.get(f"/r/{KEY}/extract")
    assert listed.status_code == 200 and f'href="/r/{KEY}/extract/1"' not in listed.text
    assert vic.get(f"/r/{KEY}/extract/1").status_code == 403
    # a reviewer may not assign
    refused = rui.post(
        f"/r/{KEY}/extract/assign",
        data={"csrf_token": form.csrf(rui), "extractors": ["rui"], "per_record": 1},
    )
    assert refused.status_code == 403


def test_hostile_codebook_text_and_values_render_inert(tmp_path: Path) -> None:
    hostile = (
        FORM_CODEBOOK.replace('label = "Study design"', 'label = "<script>alert(1)</script>"')
        .replace('help = "As the authors name it"', 'help = "<img src=x onerror=alert(2)>"')
        .replace('"scale"', '"<b onmouseover=alert(3)>scale</b>"')
    )
    made = form_review(tmp_path / "hostile", "sqlite", codebook=hostile)
    try:
        rui = made.client("rui")
        token = made.csrf(rui)
        _autosave(rui, token, 1, "summary:0", '"><script>alert(4)</script>')
        page = rui.get(f"/r/{KEY}/extract/1").text
        for raw in ("<script>alert(", "<img src=x", "<b onmouseover"):
            assert raw not in page, raw
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "&lt;img src=x onerror=alert(2)&gt;" in page
        assert "&#34;&gt;&lt;script&gt;alert(4)&lt;/script&gt;</textarea>" in page
        problem = _autosave(rui, token, 1, "start_year:0", "<svg onload=alert(5)>")
        assert "<svg" not in problem.text and "&lt;svg" in problem.text
        # side by side, both extractors' hostile values stay text
        _assign(made, ["rui", "sam"], 2)
        for who, words in (("rui", "<script>alert(6)</script>"), ("sam", "<i onclick=x()>")):
            client = made.client(who)
            done = client.post(
                f"/r/{KEY}/extract/1/complete",
                data={
                    "csrf_token": made.csrf(client),
                    "f:design:0": "cohort",
                    "f:country:0": "Canada",
                    "f:summary:0": words,
                    "f:outcome:1": "admissions",
                },
                follow_redirects=False,
            )
            assert done.status_code == 303, html.unescape(done.text)[-2000:]
        side = made.client("lena").get(f"/r/{KEY}/reconcile/1").text
        assert "&lt;script&gt;alert(6)&lt;/script&gt;" in side and "&lt;i onclick=x()&gt;" in side
        assert "<script>alert(6)" not in side and "<i onclick" not in side
    finally:
        made.workspace.close()


def test_the_pages_helpers_have_examples_that_hold(docstring_examples: Any) -> None:
    for name in (
        "litrev.web.routes.extraction_view",
        "litrev.web.routes.synthesis_pages",
    ):
        docstring_examples(name)
