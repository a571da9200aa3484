"""Screening metrics against hand-computed examples (both WSS definitions, ERF, recall@k)."""

from __future__ import annotations

import pytest

from litrev.screening.ranking.metrics import (
    compute_metrics,
    erf_at,
    recall_at,
    records_to_recall,
    wss_asreview,
    wss_classic,
)

# 20 records, 4 relevant, found at positions 1, 2, 5 and 12 (1-based).
ORDER = [1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]


def test_recall_at_fractions() -> None:
    # 10% of 20 = 2 records screened: 2 of 4 found; 25% = 5 records: 3 of 4.
    assert recall_at(ORDER, 0.10) == pytest.approx(0.5)
    assert recall_at(ORDER, 0.25) == pytest.approx(0.75)
    assert recall_at(ORDER, 0.04) == 0.0  # 0.8 records: none screened yet


def test_records_to_recall() -> None:
    # 95% of 4 = 3.8 -> all 4 needed -> 12 records; 75% -> 3 -> 5 records.
    assert records_to_recall(ORDER, 0.95) == 12
    assert records_to_recall(ORDER, 1.0) == 12
    assert records_to_recall(ORDER, 0.75) == 5


def test_wss_classic_by_hand() -> None:
    # (N - n95) / N - 0.05 = (20 - 12) / 20 - 0.05 = 0.35
    assert wss_classic(ORDER) == pytest.approx(0.35)


def test_wss_asreview_by_hand() -> None:
    # floor(0.95 * 4) = 3 inclusions. The model finds the 3rd at index 4 (0-based).
    # Random curve round(linspace(0, 4, 20)): values 4*i/19; i = 11 gives 2.316 -> 2,
    # i = 12 gives 2.526 -> 3, so random needs index 12. (12 - 4) / 20 = 0.4
    assert wss_asreview(ORDER) == pytest.approx(0.4)


def test_erf_by_hand() -> None:
    # After 2 records: 2 found; random curve at index 1 is round(4/19) = 0 -> (2 - 0) / 4.
    assert erf_at(ORDER, 0.10) == pytest.approx(0.5)


def test_definitions_differ_and_bundle_agrees() -> None:
    m = compute_metrics(ORDER)
    assert m.wss95_classic != m.wss95_asreview
    assert (m.n_records, m.n_relevant, m.records_to_95, m.records_to_100) == (20, 4, 12, 12)
    assert m.recall_at_25 == pytest.approx(0.75)


def test_random_order_scores_near_zero_and_oracle_near_max() -> None:
    oracle = [1] * 5 + [0] * 95
    assert wss_classic(oracle) == pytest.approx((100 - 5) / 100 - 0.05)
    worst = [0] * 95 + [1] * 5
    assert wss_classic(worst) == pytest.approx(-0.05)


def test_rejects_bad_labels() -> None:
    with pytest.raises(ValueError):
        compute_metrics([0, 0, 0])
    with pytest.raises(ValueError):
        compute_metrics([0, 2, 1])
