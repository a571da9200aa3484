"""The embedding ranking models (`embeddings`, `embeddings-only`) and the queue's store cache.

Vectors come from the deterministic `WordHashEncoder` (see test_screening_embedding_cache.py) or
are given; the packaged model is tested in test_screening_embedding_model.py.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from test_screening_embedding_cache import WordHashEncoder  # type: ignore[import-not-found]

from litrev.screening.decisions import Screening
from litrev.screening.demo import add_records
from litrev.screening.queue import ScreeningQueue
from litrev.screening.ranking import embeddings as rank_embeddings
from litrev.screening.ranking.embedding_cache import DEFAULT_MODEL, embedded_count
from litrev.screening.ranking.embeddings import (
    EmbeddingOnlyModel,
    EmbeddingRankingModel,
    EncoderVectors,
    FixedVectors,
)
from litrev.screening.ranking.model import make_model
from litrev.screening.ranking.simulate import LabelledDataset, simulate_once
from litrev.store import Store

CORPUS = [
    ("Co-design of mental health services", "Service users co-design care with staff."),
    ("Soil nitrogen in wheat", "Nitrogen uptake in wheat fields."),
    ("Co-design with service users", "Users and staff co-design a mental health service."),
    ("Crop rotation and wheat", "Wheat and barley yields in rotation."),
    ("Peer support in mental health", "Service users as peer workers."),
    ("Barley fertiliser trial", "Fertiliser and soil nitrogen."),
]
LABELS = [1, 0, None, None, None, None]


def test_make_model_names_the_embedding_models() -> None:
    assert isinstance(make_model("embeddings-only", seed=3), EmbeddingOnlyModel)
    assert isinstance(make_model("embeddings"), EmbeddingRankingModel)
    with pytest.raises(ValueError, match="embeddings-only"):
        make_model("no-such-model")


def test_embeddings_only_ranks_by_meaning_and_explains_by_similar_records() -> None:
    encoder = WordHashEncoder(dims=64)
    model = EmbeddingOnlyModel(seed=0, source=EncoderVectors(encoder, progress=False))
    order = [int(i) for i in model.fit(CORPUS, LABELS).rank()]
    assert order[0] in (2, 4)  # the mental-health records share the inclusion's words
    assert set(order[-2:]) <= {3, 5}
    assert model.X is not None and model.X.shape == (6, 64)
    why = model.explain(2)
    assert why.terms[0].term == "record:like 'Co-design of mental health services'"
    assert why.terms[0].weight > 0 and why.terms[-1].weight < 0  # the exclusion is less alike
    assert why.summary(1) == "+like 'Co-design of mental health services'"
    calls = len(encoder.calls)
    model.fit(CORPUS, [1, 0, 1, None, None, None])  # same corpus: vectors are not recomputed
    assert len(encoder.calls) == calls
    new = model.decision_function([("Co-design in mental health care", "")])
    assert new.shape == (1,) and len(encoder.calls) == calls + 1


def test_ensemble_keeps_text_terms_in_its_explanations() -> None:
    vectors = WordHashEncoder(dims=32).encode([f"{t}. {a}" for t, a in CORPUS], 64)
    model = EmbeddingRankingModel(seed=0, source=FixedVectors(vectors, WordHashEncoder(dims=32)))
    model.fit(CORPUS, LABELS)
    X = model.X
    assert X is not None and X.shape[1] == len(model.features.feature_names()) + 32
    terms = model.explain(2).terms
    assert terms and all(t.term.split(":")[0] in ("text", "title") for t in terms)
    assert model.rank()[0] in (2, 4)
    model.fit(CORPUS, [1, 0, 1, None, None, None])
    assert model.X is X  # the same corpus reuses both blocks
    model.add_seeds([("Co-design of services", "Users co-design mental health care.")])
    assert model.seed_X is not None and model.seed_X.shape == (1, X.shape[1])


def test_ensemble_weighs_the_embedding_block_at_the_chosen_weight() -> None:
    """Each row: unit-length text terms beside a unit embedding scaled by the weight chosen out
    of sample (0.2; at 1 the dense block outweighed the terms)."""
    vectors = WordHashEncoder(dims=32).encode([f"{t}. {a}" for t, a in CORPUS], 64)
    model = EmbeddingRankingModel(seed=0, source=FixedVectors(vectors))
    assert model.embedding_weight == rank_embeddings.DEFAULT_EMBEDDING_WEIGHT == 0.2
    X = model.featurize(CORPUS).toarray()
    n_text = len(model.features.feature_names())
    assert np.allclose(np.linalg.norm(X[:, :n_text], axis=1), 1.0)
    assert np.allclose(np.linalg.norm(X[:, n_text:], axis=1), 0.2, atol=1e-6)


def test_a_corpus_is_embedded_once_for_several_models() -> None:
    # As `litrev simulate --seeds 5` makes one model per seed with the same encoder.
    encoder = WordHashEncoder(dims=8)
    for seed in range(3):
        EmbeddingOnlyModel(seed=seed, source=EncoderVectors(encoder, progress=False)).fit(
            CORPUS, LABELS
        )
    assert len(encoder.encoded) == len(CORPUS)
    other = WordHashEncoder(dims=8)  # another encoder never gets the first one's vectors
    EmbeddingOnlyModel(source=EncoderVectors(other, progress=False)).fit(CORPUS, LABELS)
    assert len(other.encoded) == len(CORPUS)


def test_fixed_vectors_must_match_the_corpus() -> None:
    model = EmbeddingOnlyModel(source=FixedVectors(np.ones((2, 4))))
    with pytest.raises(ValueError, match="2 vectors were given for 6 records"):
        model.fit(CORPUS, LABELS)


def test_simulation_runs_with_given_vectors() -> None:
    titles = [
        f"mental health co-design study {i}" if i % 5 == 0 else f"wheat soil trial {i}"
        for i in range(60)
    ]
    labels = np.array([1 if i % 5 == 0 else 0 for i in range(60)], dtype=np.int8)
    data = LabelledDataset("toy", titles, [""] * 60, labels)
    vectors = WordHashEncoder(dims=32).encode(titles, 64)
    for model in (
        EmbeddingOnlyModel(seed=1, source=FixedVectors(vectors)),
        EmbeddingRankingModel(seed=1, source=FixedVectors(vectors)),
    ):
        run = simulate_once(data, model, seed=1)
        assert run.metrics.records_to_100 <= 20  # the 11 remaining inclusions come first or near


def test_queue_takes_vectors_from_the_store_cache() -> None:
    store = Store.open("sqlite://")
    ids = add_records(store, CORPUS)
    screening = Screening(store)
    queue = ScreeningQueue(screening, reviewer="ana", model_name="embeddings-only")
    source = queue.model.source
    assert isinstance(source, rank_embeddings.StoreVectors)
    encoder = WordHashEncoder(dims=64)
    source.encoder = encoder
    source.progress = False
    screening.decide(ids[0], reviewer="ana", stage="title_abstract", decision="include")
    screening.decide(ids[1], reviewer="ana", stage="title_abstract", decision="exclude")
    order = queue.order()
    assert queue.ranked() and order[:2] == ids[:2] and order[2] in (ids[2], ids[4])
    assert embedded_count(store, DEFAULT_MODEL) == len(ids)
    assert len(encoder.encoded) == len(ids)
    assert (queue.explain(order[2]) or "").startswith("+like 'Co-design of mental health")

    # A second queue (another session) reuses the stored vectors: nothing is encoded.
    again = ScreeningQueue(screening, reviewer="ana", model_name="embeddings-only")
    unused = WordHashEncoder(dims=64)
    again.model.source.encoder = unused
    again.model.source.progress = False
    assert again.order() == order and unused.calls == []


def test_docstring_examples() -> None:
    assert doctest.testmod(rank_embeddings).failed == 0
