"""The dashboard: progress per reviewer, agreement per pair against hand-computed values, the
live PRISMA diagram against `Screening.status`, the stopping estimate; SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from typing import Any

TA = "title_abstract"

# Ten records screened by rui and sam (the review has 12; 11 and 12 stay unscreened):
#                 sam include  sam exclude
#   rui include        3            1          (records 1-3 agree, 9 does not)
#   rui exclude        1            5          (records 4-8 agree, 10 does not)
DESIGN = {
    **{r: ("include", "include") for r in (1, 2, 3)},
    **{r: ("exclude", "exclude") for r in (4, 5, 6, 7, 8)},
    9: ("include", "exclude"),
    10: ("exclude", "include"),
}
# By hand: n = 10, agreement p_o = 8/10 = 80.0%. Both reviewers include 4 of 10, so chance
# agreement p_e = 0.4 * 0.4 + 0.6 * 0.6 = 0.52 and kappa = (0.80 - 0.52) / (1 - 0.52) = 7/12
# = 0.583. Its standard error (Fleiss, Cohen & Everitt 1969):
#   A = .3 * (1 - .8 * 5/12)^2 + .5 * (1 - 1.2 * 5/12)^2 = .13333 + .125 = .25833
#   B = (5/12)^2 * (.1 * (.4 + .6)^2 + .1 * (.6 + .4)^2) = .17361 * .2 = .03472
#   C = (7/12 - .52 * 5/12)^2 = .36667^2 = .13444
#   var = (A + B - C) / (10 * .48^2) = .15861 / 2.304 = .06884, SE = .26238
# 95% CI = .58333 -/+ 1.95996 * .26238 = .0691 to 1.0976, cut at kappa's bound 1.
KAPPA, PERCENT, CI = "0.58", "80.0%", "(0.07 to 1.00, cut at the bound)"


def screening_of(web_review: Any) -> Any:
    return web_review.workspace.reviews[web_review.key].screening


def screen_design(web_review: Any) -> None:
    screening = screening_of(web_review)
    for rid, votes in DESIGN.items():
        for who, decision in zip(("rui", "sam"), votes, strict=True):
            reason = "population" if decision == "exclude" else None
            screening.decide(rid, reviewer=who, stage=TA, decision=decision, reason=reason)


def by_testid(page: str, name: str) -> list[str]:
    """The texts of the elements marked data-testid=name (innermost text only)."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", m)).strip()
        for m in re.findall(rf'data-testid="{re.escape(name)}"[^>]*>(.*?)</', page, re.S)
    ]


def svg_text(svg: str) -> str:
    """The diagram's words, as one line of text."""
    words = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    return html.unescape(" ".join(words)).replace("\u00a0", " ")


def prisma_number(text: str, box: str) -> int:
    found = re.search(rf"{re.escape(box)}\s+n = ([\d,]+)", text)
    assert found, f"no {box!r} box in: {text}"
    return int(found.group(1).replace(",", ""))


def test_agreement_equals_the_hand_computed_kappa_and_percent(web_review: Any) -> None:
    screen_design(web_review)
    page = web_review.client("vic").get(f"/r/{web_review.key}/dashboard")
    assert page.status_code == 200
    panel = page.text.split('data-testid="stage-full_text"')[0]
    assert by_testid(panel, "pair-n") == ["10"]
    assert by_testid(panel, "percent") == [PERCENT]
    assert by_testid(panel, "kappa") == [KAPPA]
    assert by_testid(panel, "kappa-ci") == [CI]
    # and the page says the same as the core does
    from litrev.screening.agreement_report import agreement_report

    [pair] = agreement_report(screening_of(web_review), TA).pairs
    assert f"{pair.stats.kappa.kappa:.2f}" == KAPPA and pair.stats.kappa.clipped
    # progress per reviewer: 10 of the stage's 12 records each, no allocation
    bars = re.findall(r'data-reviewer="(\w+)">.*?<strong>(\d+)</strong>/(\d+)', panel, re.S)
    assert ("rui", "10", "12") in bars and ("sam", "10", "12") in bars


def test_the_prisma_diagram_counts_are_the_stores(web_review: Any) -> None:
    screen_design(web_review)
    client = web_review.client("rui")
    key = web_review.key
    screening = screening_of(web_review)

    def check() -> Any:
        answer = client.get(f"/r/{key}/dashboard/prisma.svg")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("image/svg+xml")
        assert "script-src" not in answer.headers["content-security-policy"]
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")
        assert "<script" not in answer.text
        text = svg_text(answer.text)
        status = screening.status(TA)
        assert prisma_number(text, "Records screened") == status.records
        assert prisma_number(text, "Records excluded") == status.excluded
        assert prisma_number(text, "Reports sought for retrieval") == status.included
        pending = status.records - status.done
        assert f"Awaiting a title/abstract decision: {pending}, {status.conflicts} in" in text
        page = client.get(f"/r/{key}/dashboard").text
        assert by_testid(page, "included-title_abstract") == [str(status.included)]
        assert by_testid(page, "excluded-title_abstract") == [str(status.excluded)]
        assert 'data-testid="prisma"' in page and f"/r/{key}/dashboard/prisma.svg" in page
        return status

    before = check()
    assert (before.included, before.excluded, before.conflicts) == (3, 5, 2)
    # counts follow the next decisions at once (nothing cached goes stale)
    screening.decide(11, reviewer="rui", stage=TA, decision="include")
    screening.decide(11, reviewer="sam", stage=TA, decision="include")
    screening.resolve(9, stage=TA, decision="exclude", reason="population", by="lena")
    after = check()
    assert (after.included, after.excluded, after.conflicts) == (4, 6, 1)


def test_database_names_in_the_diagram_are_escaped(web_review: Any, tmp_path: Any) -> None:
    from litrev.records.importer import import_files

    from .conftest import ris_text

    export = tmp_path / "hostile.ris"
    export.write_text(ris_text([("A further telemonitoring trial", 2020)]), encoding="utf-8")
    source = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    import_files(web_review.workspace.reviews[web_review.key].store, [export], source=source)
    svg = web_review.client("vic").get(f"/r/{web_review.key}/dashboard/prisma.svg").text
    assert "<script" not in svg and "<img" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg


def test_stopping_estimates_are_each_reviewers_own_and_the_leads(web_review: Any) -> None:
    screen_design(web_review)
    key = web_review.key

    def stopping(name: str) -> str:
        page = web_review.client(name).get(f"/r/{key}/dashboard").text
        start = page.index('data-testid="stopping"')
        return page[start : page.index("</section>", start)]

    lead = stopping("lena")
    assert "<strong>rui</strong>" in lead and "<strong>sam</strong>" in lead
    assert "relevant in 10 of 12 screened" in lead  # ScreeningQueue.stopping_message
    # the queue is kept between requests; it still reads each new decision
    screening_of(web_review).decide(11, reviewer="rui", stage=TA, decision="include")
    assert "<strong>rui</strong>: 5 relevant in 11 of 12 screened" in stopping("lena")
    own = stopping("rui")
    assert "<strong>rui</strong>" in own and "<strong>sam</strong>" not in own
    viewer = stopping("vic")
    assert "<strong>" not in viewer and "their own screening" in viewer
    # a member's dashboard is read-only: the gate's buttons are the lead's
    vic = web_review.client("vic").get(f"/r/{key}/dashboard").text
    assert "gate-open" not in vic and "gate-close" not in vic


def test_an_empty_review_has_a_dashboard_too(web_review: Any) -> None:
    page = web_review.client("sam").get(f"/r/{web_review.key}/dashboard")
    assert page.status_code == 200
    assert "No records screened by two reviewers yet." in page.text
    assert by_testid(page.text, "done-title_abstract") == ["0"]
    assert "No estimate yet" in page.text
    svg = web_review.client("sam").get(f"/r/{web_review.key}/dashboard/prisma.svg")
    # as in `litrev report`: identified from the imports, screening not yet reported
    text = svg_text(svg.text)
    assert "Databases (n = 12)" in text and "Records screened n = not reported" in text
    # signed out: the login page, not the diagram
    anonymous = web_review.client().get(
        f"/r/{web_review.key}/dashboard/prisma.svg", follow_redirects=False
    )
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_with_an_allocation_each_bar_is_the_reviewers_assigned_work(web_review: Any) -> None:
    from litrev.screening.allocation import allocate

    screening = screening_of(web_review)
    plan = allocate(screening, TA, ["rui", "sam"], per_record=1, by="lena")
    first = plan["rui"][0]
    screening.decide(first, reviewer="rui", stage=TA, decision="include")
    # a decision on a record not assigned to him counts as decided, not as assigned work done
    screening.decide(plan["sam"][0], reviewer="rui", stage=TA, decision="include")
    page = web_review.client("sam").get(f"/r/{web_review.key}/dashboard").text
    panel = page.split('data-testid="stage-full_text"')[0]
    bars = dict(
        (who, (done, of))
        for who, done, of in re.findall(
            r'data-reviewer="(\w+)">(?:(?!</li>).)*?<strong>(\d+)</strong>/(\d+) <span class="muted">as',
            panel,
            re.S,
        )
    )
    # sam's record now has the one decision the stage needs (per_record=1 is the allocation,
    # the stage still asks for 2): it stays on his list
    assert bars == {"rui": ("1", str(len(plan["rui"]))), "sam": ("0", str(len(plan["sam"])))}
    assert re.search(r'data-reviewer="lena">(?:(?!</li>).)*?none assigned', panel, re.S)
