"""Agreement statistics against hand-computed examples, scikit-learn and statsmodels."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from litrev.screening import Screening
from litrev.screening.agreement import (
    cohen_kappa,
    contingency,
    fleiss_kappa,
    fleiss_table,
    gwet_ac1,
    kappa_from_table,
    pabak,
    pair_agreement,
    percent_agreement,
)
from litrev.screening.agreement_report import agreement_report
from litrev.screening.demo import add_records
from litrev.store import Store

inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")


def _expand(table: list[list[int]], cats: list[str]) -> tuple[list[str], list[str]]:
    a: list[str] = []
    b: list[str] = []
    for i, row in enumerate(table):
        for j, n in enumerate(row):
            a += [cats[i]] * n
            b += [cats[j]] * n
    return a, b


def test_hand_computed_two_by_two() -> None:
    # 50 records: both include 20, A include/B exclude 5, A exclude/B include 10, both exclude 15.
    # p_o = 35/50 = 0.70; A includes 25/50, B includes 30/50;
    # p_e = 0.5*0.6 + 0.5*0.4 = 0.50; kappa = (0.70-0.50)/(1-0.50) = 0.40.
    # PABAK = 2*0.70 - 1 = 0.40. AC1: pi_inc = (0.5+0.6)/2 = 0.55,
    # p_e = 2*0.55*0.45 = 0.495, AC1 = (0.70-0.495)/0.505 = 0.405940...
    a, b = _expand([[20, 5], [10, 15]], ["include", "exclude"])
    assert percent_agreement(a, b) == pytest.approx(0.70)
    assert cohen_kappa(a, b).kappa == pytest.approx(0.40)
    assert pabak(a, b) == pytest.approx(0.40)
    assert gwet_ac1(a, b) == pytest.approx(0.205 / 0.505)


def test_high_prevalence_paradox_is_what_pabak_and_ac1_address() -> None:
    # 979-record scale: 940 agreed excludes, 20 agreed includes, 19 disagreements.
    a, b = _expand([[20, 10], [9, 940]], ["include", "exclude"])
    stats = pair_agreement(a, b)
    assert stats.percent == pytest.approx(960 / 979)
    assert stats.kappa.kappa < stats.pabak < 1
    assert stats.ac1 > stats.kappa.kappa


def test_kappa_ci_stays_within_minus_one_to_one() -> None:
    # A small, lopsided table: the normal interval is 0.296 to 1.204 before clipping.
    ours = kappa_from_table([[9, 1], [0, 2]])
    theirs = inter_rater.cohens_kappa(np.array([[9, 1], [0, 2]]))
    assert theirs.kappa_upp > 1  # what an unclipped interval says
    assert ours.clipped and ours.ci_high == 1.0
    assert ours.ci_low == pytest.approx(theirs.kappa_low)
    low = kappa_from_table([[1, 4], [3, 0]])  # worse than chance, few records
    assert -1.0 <= low.ci_low <= low.kappa <= low.ci_high <= 1.0


def test_kappa_ci_matches_statsmodels_asymptotic_se() -> None:
    table = [[20, 5], [10, 15]]
    ours = kappa_from_table(table)
    theirs = inter_rater.cohens_kappa(np.array(table))
    assert ours.se == pytest.approx(theirs.std_kappa)
    assert (ours.ci_low, ours.ci_high) == pytest.approx((theirs.kappa_low, theirs.kappa_upp))


def test_three_categories_hand_computed() -> None:
    cats = ["include", "exclude", "maybe"]
    table = [[10, 2, 3], [1, 30, 2], [2, 1, 4]]  # n = 55, p_o = 44/55 = 0.8
    a, b = _expand(table, cats)
    # rows (A): 15, 33, 7; cols (B): 13, 33, 9 (of 55)
    p_e = (15 * 13 + 33 * 33 + 7 * 9) / 55**2
    assert cohen_kappa(a, b).kappa == pytest.approx((0.8 - p_e) / (1 - p_e))
    assert pabak(a, b) == pytest.approx((3 * 0.8 - 1) / 2)
    pis = [(15 + 13) / 110, (33 + 33) / 110, (7 + 9) / 110]
    ac1_pe = sum(p * (1 - p) for p in pis) / 2
    assert gwet_ac1(a, b) == pytest.approx((0.8 - ac1_pe) / (1 - ac1_pe))
    assert contingency(a, b)[1] == table


def test_undefined_kappa_when_both_raters_use_one_category() -> None:
    stats = pair_agreement(["exclude"] * 5, ["exclude"] * 5)
    assert math.isnan(stats.kappa.kappa)
    assert stats.percent == 1.0 and stats.pabak == 1.0


labels = st.sampled_from(["include", "exclude", "maybe"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(labels, labels), min_size=2, max_size=60))
def test_kappa_equals_scikit_learn(pairs: list[tuple[str, str]]) -> None:
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    ours = cohen_kappa(a, b)
    if len(set(a) | set(b)) == 1:
        assert math.isnan(ours.kappa)
        return
    theirs = cohen_kappa_score(a, b)
    if math.isnan(theirs):
        assert math.isnan(ours.kappa)
    else:
        assert ours.kappa == pytest.approx(theirs, abs=1e-9)
        assert ours.ci_low <= ours.kappa <= ours.ci_high


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=3, max_value=5).flatmap(
        lambda m: st.lists(st.lists(labels, min_size=m, max_size=m), min_size=2, max_size=40)
    )
)
def test_fleiss_equals_statsmodels(ratings: list[list[str]]) -> None:
    _, table = fleiss_table(ratings, ["include", "exclude", "maybe"])
    theirs = inter_rater.fleiss_kappa(np.array(table), method="fleiss")
    ours = fleiss_kappa(table)
    if math.isnan(theirs) or math.isinf(theirs):
        assert math.isnan(ours) or not math.isfinite(theirs)
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


def test_fleiss_hand_computed() -> None:
    # 4 subjects, 3 raters: P_i = 1, 1, 1/3, 1; P̄ = 5/6. Shares: include 8/12, exclude 4/12;
    # P_e = 4/9 + 1/9 = 5/9. kappa = (5/6 - 5/9) / (4/9) = 0.625.
    assert fleiss_kappa([[3, 0], [0, 3], [2, 1], [3, 0]]) == pytest.approx(0.625)
    with pytest.raises(ValueError, match="same number"):
        fleiss_kappa([[3, 0], [1, 1]])


def test_report_from_a_store_with_three_reviewers(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "litrev.db")
    add_records(store, [("Co-production of health", None), ("Codesign toolkit", None)] * 5)
    s = Screening(store)
    votes = {
        "xx": ["include", "exclude"] * 5,
        "yy": ["include", "exclude"] * 4 + ["exclude", "exclude"],
        "zz": ["include", "include"] + ["include", "exclude"] * 4,
    }
    for who, decisions in votes.items():
        for rid, d in enumerate(decisions, 1):
            s.decide(rid, reviewer=who, stage="title_abstract", decision=d)
    # A resolution is not a vote: it must not change agreement.
    s.resolve(9, stage="title_abstract", decision="include", by="lead")
    report = agreement_report(s, "title_abstract")
    assert [p.reviewers for p in report.pairs] == [("xx", "yy"), ("xx", "zz"), ("yy", "zz")]
    xy = report.pairs[0].stats
    assert xy.percent == pytest.approx(0.9)
    assert xy.kappa.kappa == pytest.approx(cohen_kappa_score(votes["xx"], votes["yy"]))
    per_record = [[votes[w][i] for w in ("xx", "yy", "zz")] for i in range(10)]
    _, table = fleiss_table(per_record, ["include", "exclude"])
    assert report.fleiss == pytest.approx(inter_rater.fleiss_kappa(np.array(table)))
    assert [d.record_id for d in report.disagreements] == [2, 9]
    assert report.disagreements[0].decisions == {"xx": "exclude", "yy": "exclude", "zz": "include"}
    assert report.as_dict()["pairs"][0]["n"] == 10


def test_report_binary_and_by_reason(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "litrev.db")
    add_records(store, 4)
    s = Screening(store)
    votes = [
        ("include", None, "maybe", None),
        ("exclude", "a", "exclude", "b"),
        ("exclude", "a", "exclude", "a"),
        ("include", None, "include", None),
    ]
    for rid, (x, rx, y, ry) in enumerate(votes, 1):
        s.decide(rid, reviewer="xx", stage="title_abstract", decision=x, reason=rx)
        s.decide(rid, reviewer="yy", stage="title_abstract", decision=y, reason=ry)
    plain = agreement_report(s, "title_abstract").pairs[0].stats
    assert plain.percent == 0.75 and plain.categories == ("include", "exclude", "maybe")
    binary = agreement_report(s, "title_abstract", binary=True).pairs[0].stats
    assert binary.percent == 1.0 and binary.categories == ("include", "exclude")
    by_reason = agreement_report(s, "title_abstract", binary=True, reasons=True)
    assert by_reason.pairs[0].stats.percent == 0.75
    assert by_reason.pairs[0].stats.categories == ("include", "exclude: a", "exclude: b")
    assert [d.record_id for d in by_reason.disagreements] == [2]
