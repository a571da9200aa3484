"""The hypergeometric stopping test against hand-computed values, and the heuristic."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litrev.screening.ranking.stopping import (
    first_stop,
    hypergeometric_estimate,
    hypergeometric_min_p,
    hypergeometric_p_values,
    irrelevant_in_a_row,
)


def test_p_values_by_hand() -> None:
    # 10 records, 3 screened (1, 0, 0), target 50%: 7 unscreened, 1 relevant seen.
    # Sample = last 1 (0): urn 8, H0 needs K >= floor(1/0.5 - 1 + 1) = 2; P(0 of 1) = 6/8.
    # Sample = last 2 (0, 0): urn 9, K = 2; P(0 of 2) = C(7,2)/C(9,2) = 21/36.
    # Sample = all 3 (1, 0, 0): urn 10, K = 3; P(<=1 of 3) = (C(7,3) + 3*C(7,2)) / C(10,3) = 98/120.
    p = hypergeometric_p_values([1, 0, 0], n_total=10, target_recall=0.5)
    assert p.tolist() == pytest.approx([6 / 8, 21 / 36, 98 / 120])


def test_estimate_uses_smallest_p_and_matches_combinatorics() -> None:
    labels = [1] * 19 + [0] * 400
    # Best sample: the 400 exclusions. Urn = 81 unscreened + 400; K = floor(19/0.95 - 19 + 1) = 2.
    expected = comb(81, 2) / comb(481, 2)
    est = hypergeometric_estimate(labels, n_total=500, target_recall=0.95, confidence=0.95)
    assert est.p_value == pytest.approx(expected)
    assert est.sample_size == 400
    assert est.should_stop  # 0.028 < 0.05
    assert est.recall_lower_bound >= 0.95 - 1e-9
    assert est.relevant_left_upper <= 1


def test_estimate_says_keep_going_when_much_is_left() -> None:
    est = hypergeometric_estimate([1] * 19 + [0] * 100, n_total=1000)
    assert not est.should_stop
    assert est.p_value == pytest.approx(comb(881, 2) / comb(981, 2))
    assert est.relevant_left_upper > 5
    assert "keep screening" in est.message()


def test_everything_screened_always_stops() -> None:
    est = hypergeometric_estimate([0, 1, 0, 0], n_total=4)
    assert est.should_stop and est.recall_lower_bound == 1.0


def test_irrelevant_in_a_row_and_first_stop() -> None:
    assert irrelevant_in_a_row([1, 0, 1, 0, 0, 0]) == 3
    assert irrelevant_in_a_row([0, 0]) == 2
    stop = first_stop([1, 0, 0, 1, 0, 0, 0, 0], rule="irrelevant_in_a_row", run_length=3)
    assert (stop.screened, stop.recall, stop.records_saved, stop.fired) == (7, 1.0, 1, True)


def test_first_stop_hypergeometric_replays_order() -> None:
    order = np.array([1] * 19 + [0] * 481)
    stop = first_stop(order, rule="hypergeometric", target_recall=0.95, confidence=0.95)
    # It must not fire before the p-value drops below 0.05, and must fire when it does.
    first = next(
        n for n in range(1, 501) if hypergeometric_p_values(order[:n], 500, 0.95).min() < 0.05
    )
    assert stop.screened == first and stop.reached_target
    assert stop.records_saved == 500 - first


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        hypergeometric_p_values([1, 0, 2], n_total=10)
    with pytest.raises(ValueError):
        hypergeometric_p_values([1, 0, 0], n_total=2)
    with pytest.raises(ValueError):
        first_stop([1, 0], rule="coin-toss")


@settings(max_examples=300)
@given(
    labels=st.lists(st.sampled_from([0, 0, 0, 1]), min_size=1, max_size=300),
    unscreened=st.integers(min_value=0, max_value=3000),
    target=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_min_p_over_run_ends_equals_min_over_every_sample(
    labels: list[int], unscreened: int, target: float
) -> None:
    # The fast statistic evaluates only samples ending just before an inclusion; it must give
    # the same minimum (and a sample reaching it) as evaluating every sample size.
    n_total = len(labels) + unscreened
    every = hypergeometric_p_values(labels, n_total, target)
    p_min, size = hypergeometric_min_p(labels, n_total, target)
    assert p_min == pytest.approx(float(every.min()), rel=1e-9, abs=1e-15)
    assert every[size - 1] == pytest.approx(p_min, rel=1e-9, abs=1e-15)
