"""The blend of the protocol prior with a ranking model: prior first, fading as inclusions arrive."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest

from litrev.screening.ranking.blend import DEFAULT_K, PriorRankingModel, with_prior
from litrev.screening.ranking.model import RankingModel, make_model
from litrev.screening.ranking.prior import ProtocolPrior
from litrev.screening.ranking.simulate import LabelledDataset, simulate_once

PRIOR = ProtocolPrior.from_text("Home telemonitoring for adults with heart failure")


def _review(n: int = 300, every: int = 15, seed: int = 3) -> LabelledDataset:
    """A synthetic review unlike the samples: relevant records speak of telemonitoring in
    heart failure, with varied wording; the rest of unrelated topics sharing some words."""
    rng = np.random.RandomState(seed)
    titles, abstracts, labels = [], [], []
    topics = [
        "soil nitrogen",
        "wheat yields",
        "school teachers",
        "home heating",
        "adult literacy",
        "heart rate of athletes",
        "failure of bridges",
        "remote sensing of forests",
    ]
    for i in range(n):
        if i % every == 0:
            word = ["telemonitoring", "remote monitoring", "telehealth"][i % 3]
            titles.append(f"{word} of patients with heart failure {i}")
            abstracts.append(f"A trial of {word} at home for adults with chronic heart failure.")
            labels.append(1)
        else:
            topic = topics[rng.randint(len(topics))]
            titles.append(f"{topic} study {i}")
            abstracts.append(f"We measured {topic} in {rng.randint(10, 99)} sites.")
            labels.append(0)
    return LabelledDataset("synthetic", titles, abstracts, np.array(labels, dtype=np.int8))


def test_examples(docstring_examples: Callable[[str], None]) -> None:
    docstring_examples("litrev.screening.ranking.blend")


def test_weight_fades_and_never_outweighs_a_trained_model() -> None:
    model = PriorRankingModel(make_model("svm"), PRIOR)
    assert model.weight(0) == 1.0
    assert model.weight(1) == pytest.approx(DEFAULT_K / (DEFAULT_K + 1))
    weights = [model.weight(n) for n in range(1, 60)]
    assert all(a > b for a, b in itertools.pairwise(weights))
    assert model.weight(20) < 0.25
    with pytest.raises(ValueError, match="k must be"):
        PriorRankingModel(None, PRIOR, k=-1)


def test_before_any_label_the_prior_orders_and_explains() -> None:
    data = _review()
    model = PriorRankingModel(make_model("default"), PRIOR)
    order = model.fit(data.records, [None] * len(data)).rank()
    assert set(np.flatnonzero(data.labels[order[:20]] == 1)) == set(range(20))
    why = model.explain(int(order[0]))
    assert why.prior_driven and why.prior_weight == 1.0
    assert why.summary().startswith("protocol prior")
    assert any(t.term.startswith("word:") for t in why.terms)


def test_with_many_inclusions_the_model_decides() -> None:
    data = _review()
    labels: list[int | None] = [None] * len(data)
    for i in range(0, 200):
        labels[i] = int(data.labels[i])
    model = PriorRankingModel(make_model("default"), PRIOR)
    model.fit(data.records, labels)
    assert model.weight_ == pytest.approx(DEFAULT_K / (DEFAULT_K + int(data.labels[:200].sum())))
    top = int(model.rank()[0])
    assert data.labels[top] == 1
    assert not model.explain(top).prior_driven
    assert model.explain(top).summary()  # the model's terms


def test_prior_only_model_never_learns_and_scores_new_records() -> None:
    data = _review()
    model = PriorRankingModel(None, PRIOR)
    a = model.fit(data.records, [None] * len(data)).decision_function().copy()
    b = model.fit(data.records, [1] + [None] * (len(data) - 1)).decision_function()
    # the same order (only the standardisation, over the unscreened records, moves)
    assert np.array_equal(np.argsort(-a[1:], kind="stable"), np.argsort(-b[1:], kind="stable"))
    assert model.name == "prior"
    assert model.decision_function([("heart failure telemonitoring", "")]).shape == (1,)


def test_make_model_and_with_prior() -> None:
    blended = make_model("svm", prior=PRIOR)
    assert isinstance(blended, PriorRankingModel) and blended.name == "svm+prior"
    assert isinstance(blended, RankingModel)  # same interface
    plain = make_model("svm", prior=ProtocolPrior())  # an empty prior changes nothing
    assert type(plain) is RankingModel
    with pytest.raises(ValueError, match="prior-only"):
        with_prior(None, ProtocolPrior())


def test_simulation_with_the_prior_finds_inclusions_sooner_on_a_cold_start() -> None:
    data = _review(150, 10)
    plain = simulate_once(data, "default", seed=0, n_prior_included=0, n_prior_excluded=0)
    with_it = simulate_once(
        data, "default", seed=0, n_prior_included=0, n_prior_excluded=0, prior=PRIOR
    )
    assert with_it.model == "default+prior" and with_it.priors == []
    assert with_it.records_to_first == 1
    assert plain.records_to_first is not None and plain.records_to_first >= with_it.records_to_first
    assert with_it.metrics.recall_at_10 >= plain.metrics.recall_at_10
    assert sorted(with_it.order) == sorted(set(with_it.order))


def test_cut_short_runs_keep_the_inclusion_count() -> None:
    data = _review(150, 10)
    full = simulate_once(data, "svm", seed=1)
    cut = simulate_once(data, "svm", seed=1, stop_recall=0.95, min_screened=0.1)
    assert len(cut.order) <= len(full.order)
    assert cut.metrics.n_relevant == full.metrics.n_relevant
    assert cut.metrics.wss95_classic == full.metrics.wss95_classic
    assert cut.metrics.recall_at_10 == full.metrics.recall_at_10


def test_prior_only_simulation() -> None:
    # On this review the protocol's words alone find every inclusion first.
    data = _review(120, 10)
    run = simulate_once(data, PriorRankingModel(None, PRIOR), seed=2)
    assert run.metrics.records_to_100 <= 12 and run.model == "prior"


def test_queue_uses_the_protocol_prior_unless_turned_off() -> None:
    from litrev.protocol import parse_protocol
    from litrev.screening.decisions import Screening
    from litrev.screening.demo import add_records
    from litrev.screening.queue import ScreeningQueue
    from litrev.store import Store

    protocol = parse_protocol(
        '[review]\nid = "r"\ntitle = "Telemonitoring"\n'
        'question = "Does home telemonitoring help adults with heart failure?"\n'
    )
    store = Store.open("sqlite://")
    ids = add_records(
        store,
        [
            ("Soil nitrogen", "wheat"),
            ("Crop yields", "soil"),
            ("Home telemonitoring in heart failure", "adults at home"),
            ("Teachers", "schools"),
        ],
    )
    screening = Screening(store)
    queue = ScreeningQueue(screening, reviewer="ann", protocol=protocol)
    assert queue.order()[0] == ids[2] and queue.ranked() and queue.prior_weight() == 1.0
    assert (queue.explain(ids[2]) or "").startswith("protocol prior")
    off = ScreeningQueue(screening, reviewer="ann", protocol=protocol, prior=False)
    assert off.order() == ids and not off.ranked() and off.prior_weight() is None
    screening.decide(ids[2], reviewer="ann", stage="title_abstract", decision="include")
    screening.decide(ids[0], reviewer="ann", stage="title_abstract", decision="exclude")
    queue.order()
    assert queue.prior_weight() == pytest.approx(DEFAULT_K / (DEFAULT_K + 1))
