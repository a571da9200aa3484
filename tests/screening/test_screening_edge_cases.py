"""Edge cases of ranking and simulation: no abstract, two-word titles, non-English text,
duplicate rows, and reviews with under 1% inclusions. Nothing crashes or returns NaN."""

from __future__ import annotations

import numpy as np

from litrev.screening.queue import ScreeningQueue
from litrev.screening.ranking.blend import PriorRankingModel
from litrev.screening.ranking.model import make_model
from litrev.screening.ranking.prior import ProtocolPrior
from litrev.screening.ranking.simulate import LabelledDataset, simulate_once
from litrev.screening.ranking.stopping import screener_estimate

PRIOR = ProtocolPrior.from_text("Physiotherapy after hip fracture in older people")

ODD = [
    ("Physiotherapy after hip fracture", ""),  # no abstract
    ("Hip fracture", None),  # two words, abstract missing
    ("", "Physiotherapy programme for older people after a hip fracture."),  # no title
    ("Rééducation après fracture de la hanche chez la personne âgée", ""),  # French, accents
    ("髋部骨折术后康复训练", "老年患者髋部骨折后的物理治疗"),  # Chinese
    ("Физиотерапия после перелома бедра", ""),  # Russian
    ("", ""),  # nothing at all
    ("Soil nitrogen in wheat", "Field trials of fertiliser."),
]


def _labels(n: int, included: tuple[int, ...]) -> list[int | None]:
    labels: list[int | None] = [None] * n
    for i in included:
        labels[i] = 1
    labels[-1] = 0
    return labels


def test_odd_records_get_finite_scores_from_the_prior_and_the_models() -> None:
    scores = PRIOR.score(ODD)
    assert np.isfinite(scores).all()
    assert scores[0] > scores[-1] and scores[2] > scores[-1]
    assert scores[6] <= scores[0]
    for name in ("default", "svm", "nb"):
        model = make_model(name).fit(ODD, _labels(len(ODD), (0,)))
        assert np.isfinite(model.decision_function()).all()
        assert model.explain(1).has_abstract is False
    blended = PriorRankingModel(make_model("default"), PRIOR).fit(ODD, [None] * len(ODD))
    assert np.isfinite(blended.decision_function()).all()
    assert blended.explain(6).summary() is not None


def test_cjk_is_scored_by_character_pairs() -> None:
    # A Chinese criteria text finds the Chinese record (the tokenizer cuts CJK into pairs).
    prior = ProtocolPrior.from_text("髋部骨折 康复")
    scores = prior.score(ODD)
    assert int(np.argmax(scores)) == 4


def test_identical_rows_get_identical_scores_and_are_screened_once() -> None:
    base = [
        (f"Physiotherapy after hip fracture trial {i % 3}", "Older people walk again.")
        if i % 10 == 0
        else (f"Crop study {i}", "Soil and wheat.")
        for i in range(60)
    ]
    rows = base + base[:20]  # 20 exact duplicates inside the data set
    labels = np.array(
        [int(i % 10 == 0) for i in range(60)] + [int(i % 10 == 0) for i in range(20)], dtype=np.int8
    )
    data = LabelledDataset("dups", [t for t, _ in rows], [a for _, a in rows], labels)
    prior_scores = PRIOR.score(rows)
    model = PriorRankingModel(make_model("default"), PRIOR).fit(rows, _labels(len(rows), (0,)))
    for i in range(20):
        assert prior_scores[i] == prior_scores[60 + i]
        assert model.decision_function()[i] == model.decision_function()[60 + i]
    run = simulate_once(data, "default", seed=0, prior=PRIOR)
    assert len(run.order) == len(set(run.order))  # no record is screened twice
    assert run.metrics.n_records == len(rows) - 2  # each row counts once, priors left out
    assert run.metrics.n_relevant == int(labels.sum()) - 1


def _sparse_review() -> LabelledDataset:
    titles = [f"Crop rotation study {i}" for i in range(500)]
    abstracts = [f"Wheat and soil nitrogen in plot {i}." for i in range(500)]
    for i in (37, 411):  # 2 inclusions in 500 (0.4%)
        titles[i] = f"Physiotherapy after hip fracture {i}"
        abstracts[i] = "Older people after hip fracture."
    labels = np.zeros(500, dtype=np.int8)
    labels[[37, 411]] = 1
    return LabelledDataset("sparse", titles, abstracts, labels)


def test_under_one_percent_inclusions_simulates_and_stopping_will_not_guess() -> None:
    data = _sparse_review()
    for prior in (None, PRIOR):
        run = simulate_once(data, "default", seed=0, prior=prior)
        figures = run.metrics.as_dict()
        assert all(np.isfinite(float(v)) for v in figures.values())
        assert run.metrics.n_relevant == 1
    # After both inclusions and a long run of exclusions the screener still gets no number:
    estimate = screener_estimate([1, 0, 1] + [0] * 300, n_total=500)
    assert estimate.estimated_recall is None and estimate.recall_lower_bound is None
    assert "no recall estimate yet" in estimate.message()
    assert "2 relevant found" in estimate.message()


def test_queue_with_sparse_inclusions_says_it_cannot_estimate() -> None:
    from litrev.screening.decisions import Screening
    from litrev.screening.demo import add_records
    from litrev.store import Store

    store = Store.open("sqlite://")
    data = _sparse_review()
    ids = add_records(store, list(zip(data.titles[:120], data.abstracts[:120], strict=True)))
    screening = Screening(store)
    queue = ScreeningQueue(screening, reviewer="ann")
    for rid in ids[:60]:
        decision = "include" if rid == ids[37] else "exclude"
        screening.decide(rid, reviewer="ann", stage="title_abstract", decision=decision)
    assert queue.order()[:60] == ids[:60]
    message = queue.stopping_message()
    assert message is not None and "no recall estimate yet" in message
