"""The screener's stopping estimate: none until the data support one, then one that only rises
while exclusions accumulate; "maybe" is neither relevant nor excluded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from litrev.screening import Screening, StageSettings
from litrev.screening.demo import add_records
from litrev.screening.queue import ScreeningQueue
from litrev.screening.ranking.stopping import (
    default_min_run,
    hypergeometric_estimate,
    screener_estimate,
)
from litrev.store import Store


def _ranked_order(n: int, relevant: int, seed: int) -> list[int]:
    """A plausible screening order: relevant records drawn with a prevalence that decays."""
    rng = np.random.default_rng(seed)
    weights = np.exp(-np.arange(n) / (n / 6))
    where = rng.choice(n, size=relevant, replace=False, p=weights / weights.sum())
    labels = np.zeros(n, dtype=int)
    labels[where] = 1
    return labels.tolist()


@pytest.mark.parametrize("seed", [0, 1])
def test_estimate_only_rises_while_shown(seed: int) -> None:
    n = 500
    labels = _ranked_order(n, 25, seed)
    shown = 0
    previous = None
    for t in range(1, n):
        est = screener_estimate(labels[:t], n_total=n)
        if est.estimated_recall is None:
            assert est.why_not and "no recall estimate yet" in est.message()
            previous = None
            continue
        shown += 1
        assert est.run >= default_min_run(n) and est.relevant_found >= 5
        assert 0.0 <= est.recall_lower_bound <= est.estimated_recall <= 1.0
        if previous is not None:  # one more exclusion: never lower
            assert est.estimated_recall >= previous.estimated_recall - 1e-12
            assert est.recall_lower_bound >= previous.recall_lower_bound - 1e-12
        previous = est
    assert shown > n // 3  # it is shown for most of the tail, not withheld for ever


def test_the_old_estimate_swings_where_the_new_one_is_withheld() -> None:
    # The reported defect: one inclusion moves the old estimate from 43% to 28%, and early on
    # (three relevant records) it is a ratio of tiny counts.
    labels = [1] * 6 + [0] * 40 + [1] + [0] * 3
    old = [hypergeometric_estimate(labels[:t], n_total=500).estimated_recall for t in (46, 47)]
    assert old[0] - old[1] > 0.1
    new = [screener_estimate(labels[:t], n_total=500) for t in (46, 47, 50)]
    assert new[0].estimated_recall == pytest.approx(old[0])
    assert [e.estimated_recall for e in new[1:]] == [None, None]
    early = screener_estimate([1, 0, 0, 1, 0, 0, 0, 1, 0, 0], n_total=600)
    assert early.why_not == "3 relevant found (an estimate needs at least 5)"


def test_withheld_after_an_inclusion_until_a_new_run() -> None:
    labels = [1] * 6 + [0] * 30
    assert screener_estimate(labels, n_total=500).estimated_recall is not None
    after = screener_estimate([*labels, 1, 0, 0], n_total=500)
    assert after.estimated_recall is None
    assert (
        after.why_not == "only 2 excluded in a row since the last inclusion (an estimate needs 20)"
    )


def test_everything_screened_gives_full_recall() -> None:
    est = screener_estimate([1, 0, 1], n_total=3)
    assert est.estimated_recall == 1.0 and est.should_stop


def test_more_screened_than_records_is_refused() -> None:
    with pytest.raises(ValueError, match="4 records screened but only 3"):
        screener_estimate([0, 0, 0, 0], n_total=3)


def test_maybe_counts_neither_as_relevant_nor_as_screened(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "litrev.db")
    add_records(store, 60)
    screening = Screening(store, defaults=StageSettings(blind=False, reviewers_required=1))
    for rid in range(1, 6):
        screening.decide(rid, reviewer="ann", stage="ta", decision="include")
    for rid in range(6, 16):
        screening.decide(rid, reviewer="ann", stage="ta", decision="maybe")
    for rid in range(16, 41):
        screening.decide(rid, reviewer="ann", stage="ta", decision="exclude")
    est = ScreeningQueue(screening, reviewer="ann", stage="ta").stopping_estimate()
    assert (est.relevant_found, est.screened, est.run) == (5, 30, 25)
    # The ten maybes stay among the records left: 30 of 60 screened, not 40.
    assert est.n_total == 60 and est.relevant_left_upper > 0


def test_a_broken_ranking_import_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    """The queue used to import the ranking modules 'optionally': on ImportError it fell back
    to corpus order and no stopping estimate, without a word. They are core dependencies, so a
    broken import now raises where the queue is made."""
    import sys

    store = Store.open("sqlite://")
    add_records(store, [("Co-design in care", ""), ("Soil bacteria", "")])
    monkeypatch.setitem(sys.modules, "litrev.screening.ranking.model", None)
    with pytest.raises(ImportError):
        ScreeningQueue(Screening(store), reviewer="ann")
