"""The Textual screener driven by its pilot: key presses must land in the review database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from litrev.examples.reasons import exclusion_reasons
from litrev.screening import Screening, StageSettings
from litrev.screening.demo import add_records
from litrev.screening.queue import ScreeningQueue
from litrev.store import Store
from litrev.tui.resolve import ResolverApp
from litrev.tui.screen import ReasonPicker, ScreenerApp

RECORDS = [
    ("Co-production of mental health services: a model", "We propose a codesign model."),
    ("Conference abstract on co-design", None),
    ("Hydrogen engineering for public services", "Engineering of biomass."),
    ("Typology of coproduction in social care", "A typology of co-producing care."),
]

REASONS = exclusion_reasons("coproduction-models")


def _screening(tmp_path: Path) -> Screening:
    store = Store.open(tmp_path / "litrev.db")
    add_records(store, RECORDS)
    return Screening(
        store,
        exclusion_reasons=REASONS,
        defaults=StageSettings(blind=True, reviewers_required=2),
    )


def _app(screening: Screening, reviewer: str = "xx") -> ScreenerApp:
    return ScreenerApp(
        screening,
        reviewer=reviewer,
        stage="title_abstract",
        terms=["co-produc*", "codesign*", "co-design*"],
        negative_terms=["engineer*", "hydrogen"],
    )


def test_keys_record_decisions_undo_and_navigation(tmp_path: Path) -> None:
    screening = _screening(tmp_path)

    async def session() -> None:
        app = _app(screening)
        async with app.run_test() as pilot:
            assert app.record_id == 1
            await pilot.press("i")  # include record 1, move to 2
            assert app.record_id == 2
            await pilot.press("e")
            assert isinstance(app.screen, ReasonPicker)
            await pilot.press("1")  # conference paper
            assert app.record_id == 3
            await pilot.press("m")
            await pilot.press("u")  # undo the maybe on 3: back on record 3, undecided
            assert app.record_id == 3
            await pilot.press("e", "escape")  # cancelled: nothing recorded
            await pilot.press("n", "p", "p")
            assert app.record_id == 2
            await pilot.press("q")

    asyncio.run(session())
    mine = {rid: screening.decision_of(rid, "title_abstract", "xx") for rid in range(1, 5)}
    assert mine[1] is not None and mine[1].decision == "include"
    assert mine[2] is not None and (mine[2].decision, mine[2].reason) == (
        "exclude",
        "conference-paper",
    )
    assert mine[3] is None and mine[4] is None


def test_screen_shows_highlights_progress_and_hides_votes_in_blind_mode(tmp_path: Path) -> None:
    screening = _screening(tmp_path)
    screening.decide(1, reviewer="yy", stage="title_abstract", decision="exclude", reason="2")

    async def session() -> None:
        app = _app(screening)
        async with app.run_test() as pilot:
            title = app.query_one("#title").render()
            spans = [str(title)[s.start : s.end] for s in title.spans]  # type: ignore[attr-defined]
            assert "Co-production" in spans
            assert "hidden (blind mode)" in str(app.query_one("#votes").render())
            assert "decided 0/4" in str(app.query_one("#progress").render())
            await pilot.press("i")
            await pilot.press("p")  # back to record 1: both decided, so yy's vote shows
            votes = str(app.query_one("#votes").render())
            assert "yy: exclude (no-coproduction-model)" in votes
            assert "decided 1/4" in str(app.query_one("#progress").render())
            await pilot.press("n", "n")
            abstract = app.query_one("#abstract").render()
            assert abstract.plain == "Engineering of biomass."  # type: ignore[attr-defined]
            await pilot.press("p")
            assert "no abstract" in str(app.query_one("#abstract").render())

    asyncio.run(session())
    assert [c.record_id for c in screening.conflicts("title_abstract")] == [1]


def test_refused_decision_is_shown_not_raised(tmp_path: Path) -> None:
    screening = _screening(tmp_path)
    screening.decide(1, reviewer="xx", stage="title_abstract", decision="include")
    screening.decide(1, reviewer="yy", stage="title_abstract", decision="include")

    async def session() -> None:
        app = ScreenerApp(screening, reviewer="xx", stage="full_text", order=[1, 2])
        async with app.run_test() as pilot:
            await pilot.press("n", "i")  # record 2 never reached full text
            assert "not included at title_abstract" in str(app.query_one("#message").render())
            await pilot.press("u")
            assert "no decision by xx" in str(app.query_one("#message").render())

    asyncio.run(session())


TOPIC = [
    ("Co-design of mental health services with service users", "A co-design model for care."),
    ("Wheat yields and soil nitrogen", "Soil nitrogen and wheat."),
    ("Soil bacteria in arable fields", "Bacteria of soil."),
    ("Nitrogen fertiliser trials", "Fertiliser and soil nitrogen."),
    ("Co-design toolkit for health services", "Co-design with patients in health care."),
    ("Crop rotation and soil", "Soil and crops."),
]


def test_queue_reranks_after_each_decision_and_explains(tmp_path: Path) -> None:
    pytest.importorskip("litrev.screening.ranking.model", reason="ranking model not installed yet")
    store = Store.open(tmp_path / "litrev.db")
    add_records(store, TOPIC)
    screening = Screening(store, defaults=StageSettings(blind=True, reviewers_required=1))
    queue = ScreeningQueue(screening, reviewer="xx", stage="title_abstract")
    assert queue.order() == [1, 2, 3, 4, 5, 6] and not queue.ranked()

    async def session() -> None:
        app = ScreenerApp(screening, reviewer="xx", stage="title_abstract", queue=queue)
        async with app.run_test() as pilot:
            await pilot.press("i")  # record 1 (co-design): relevant
            await pilot.press("e")  # record 2 (soil): not relevant; now the model can rank
            assert queue.ranked()
            assert app.record_id == 5  # the other co-design record jumps the queue
            assert "Ranked here by:" in str(app.query_one("#meta").render())
            assert "design" in (queue.explain(5) or "")
            progress = str(app.query_one("#progress").render())
            assert "no recall estimate yet: 1 relevant found" in progress

    asyncio.run(session())
    assert queue.order()[:3] == [1, 2, 5]


def test_queue_labels_respect_blind_mode_and_follow_new_rows(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "litrev.db")
    add_records(store, TOPIC)
    screening = Screening(store)  # dual, blind
    queue = ScreeningQueue(screening, reviewer="xx", stage="title_abstract")
    screening.decide(2, reviewer="yy", stage="title_abstract", decision="exclude")
    screening.decide(1, reviewer="xx", stage="title_abstract", decision="maybe")
    assert queue.order()[0] == 1
    assert queue._labels[:2] == [1, None]  # yy's undisclosed vote does not label record 2
    screening.configure("title_abstract", by="lead", blind=False)
    queue.order()
    assert queue._labels[:2] == [1, 0]
    screening.undo(reviewer="xx", stage="title_abstract")
    assert queue.order() == [1, 2, 3, 4, 5, 6]
    assert queue._labels[:2] == [None, 0]


def test_resolver_walks_conflicts_and_records_resolutions(tmp_path: Path) -> None:
    screening = _screening(tmp_path)
    ta = "title_abstract"
    for rid, (a, b) in {
        1: ("include", "maybe"),
        2: ("include", "include"),
        3: ("include", "exclude"),
    }.items():
        screening.decide(rid, reviewer="xx", stage=ta, decision=a)
        reason = "no-coproduction-model" if b == "exclude" else None
        screening.decide(rid, reviewer="yy", stage=ta, decision=b, reason=reason)

    async def session() -> None:
        app = ResolverApp(screening, reviewer="zz", stage=ta)
        async with app.run_test() as pilot:
            assert app.order == [1, 3]
            assert "xx: include; yy: maybe" in str(app.query_one("#votes").render())
            await pilot.press("m")  # a resolution must decide
            assert "not maybe" in str(app.query_one("#message").render())
            await pilot.press("i")
            assert app.record_id == 3
            await pilot.press("e", "2")
            assert "resolved 2/2" in str(app.query_one("#progress").render())
            await pilot.press("u")  # retracts the resolution of record 3
            assert app.record_id == 3 and "Unresolved" in str(app.query_one("#votes").render())

    asyncio.run(session())
    assert [c.record_id for c in screening.conflicts(ta)] == [3]
    first = screening.outcome(1, ta)
    assert first.resolution is not None and first.resolution.resolution == "third_reviewer"


def test_reason_picker_with_ten_or_more_reasons_takes_number_and_enter(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "litrev.db")
    add_records(store, RECORDS)
    many = [f"Reason {i}" for i in range(1, 13)]
    screening = Screening(store, exclusion_reasons=many)

    async def session() -> None:
        app = ScreenerApp(screening, reviewer="xx", stage="title_abstract")
        async with app.run_test() as pilot:
            await pilot.press("e", "1", "1", "enter")
            await pilot.press("e", "9", "9", "enter")  # no reason 99: nothing happens
            assert isinstance(app.screen, ReasonPicker)
            await pilot.press("escape")

    asyncio.run(session())
    first = screening.decision_of(1, "title_abstract", "xx")
    assert first is not None and first.reason == "reason-11"
    assert screening.decision_of(2, "title_abstract", "xx") is None
