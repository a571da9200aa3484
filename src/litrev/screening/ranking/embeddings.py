"""Optional ranking models on sentence embeddings (all-MiniLM-L6-v2, 384 dimensions).

* `embeddings`: the default's TF-IDF features with the 384 embedding dimensions appended as one
  more block, one linear model; `explain` lists the text terms (embedding dimensions have no words).
* `embeddings-only`: the same classifier on the embeddings alone; `explain` names the labelled
  records the record is most similar to.

Both are linear (`score = X @ w + b`), so simulation, seed papers and reranking work as for the
default. The vectors come from a `VectorSource`: computed on demand (`EncoderVectors`, the
default), read from and written to the review's store (`StoreVectors`, what `litrev screen` and
the workspace use: `model.use_store(store, record_ids)`), or given (`FixedVectors`, for
benchmarks). Computing them needs the `embeddings` extra (see docs/screening-embeddings.md);
nothing is downloaded at run time. The extra is imported only when vectors must be computed.

>>> import numpy as np
>>> vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1], [0.1, 0.9]])
>>> model = EmbeddingOnlyModel(seed=0, source=FixedVectors(vectors))
>>> records = ["co-design", "soil", "co-production", "wheat"]
>>> [int(i) for i in model.fit(records, [1, 0, None, None]).rank()]
[2, 3]
>>> model.explain(2).summary(1)
"+like 'co-design'"
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from litrev.screening.ranking.embedding_cache import (
    DEFAULT_MODEL,
    EmbeddingsUnavailable,
    Encoder,
    embed_records,
    encode_in_batches,
    load_encoder,
)
from litrev.screening.ranking.features import RecordLike, record_fields
from litrev.screening.ranking.model import MODELS, Explanation, RankingModel, TermContribution

__all__ = [
    "EmbeddingOnlyModel",
    "EmbeddingRankingModel",
    "EmbeddingsUnavailable",
    "EncoderVectors",
    "FixedVectors",
    "StoreVectors",
    "VectorSource",
    "load_encoder",
]

# Scorers that accept signed features (naive Bayes needs counts; embeddings are signed).
_SIGNED = ("svm", "logistic", "centroid")


class VectorSource(Protocol):
    """Where a model gets its sentence vectors from."""

    def corpus(self, texts: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        """Vectors of the corpus being ranked, one row per record, in order."""
        ...

    def new(self, texts: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        """Vectors of records outside the corpus (seed papers, `decision_function(records)`)."""
        ...


_LAST_CORPUS: dict[str, Any] = {}


class EncoderVectors:
    """Computes vectors on demand with `encoder` (default: the packaged model, loaded lazily)."""

    def __init__(
        self, encoder: Encoder | None = None, batch_size: int = 64, progress: bool = True
    ) -> None:
        self.encoder = encoder
        self.batch_size = batch_size
        self.progress = progress

    def _encoder(self) -> Encoder:
        if self.encoder is None:
            self.encoder = load_encoder()
        return self.encoder

    def corpus(self, texts: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        # The last corpus is kept per encoder, so that the models of several seeds of one
        # `litrev simulate` run embed the data set once, not once per seed.
        encoder = self._encoder()
        key = (id(encoder), hash(tuple(texts)))
        if _LAST_CORPUS.get("key") == key:
            cached: npt.NDArray[np.float32] = _LAST_CORPUS["vectors"]
            return cached
        vectors = self.new(texts)
        _LAST_CORPUS.update(
            key=key, vectors=vectors, encoder=encoder
        )  # encoder kept: id stays unique
        return vectors

    def new(self, texts: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        from litrev.screening.ranking.embedding_cache import embedding_text

        strings = [embedding_text(t, a) for t, a in texts]
        parts = [
            v
            for _, v in encode_in_batches(
                strings,
                self._encoder(),
                batch_size=self.batch_size,
                progress=self.progress and len(strings) > self.batch_size,
            )
        ]
        return np.vstack(parts) if parts else np.zeros((0, 0), dtype=np.float32)


class FixedVectors(EncoderVectors):
    """Vectors computed beforehand, aligned with the corpus (new records are encoded)."""

    def __init__(self, vectors: npt.ArrayLike, encoder: Encoder | None = None) -> None:
        super().__init__(encoder, progress=False)
        self.vectors = np.asarray(vectors, dtype=np.float32)

    def corpus(self, texts: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        if len(texts) != self.vectors.shape[0]:
            raise ValueError(f"{self.vectors.shape[0]} vectors were given for {len(texts)} records")
        return self.vectors


class StoreVectors(EncoderVectors):
    """The review store's cache (`embed_records`): each record embedded once, reused after."""

    def __init__(
        self,
        store: Any,
        record_ids: Sequence[int],
        model_name: str = DEFAULT_MODEL,
        encoder: Encoder | None = None,
        batch_size: int = 64,
        progress: bool = True,
    ) -> None:
        super().__init__(encoder, batch_size, progress)
        self.store = store
        self.record_ids = list(record_ids)
        self.model_name = model_name

    def corpus(self, texts: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        if len(texts) != len(self.record_ids):
            raise ValueError(f"{len(self.record_ids)} record ids for {len(texts)} records")
        return embed_records(
            self.store,
            self.record_ids,
            model_name=self.model_name,
            encoder=_LazyEncoder(self),
            batch_size=self.batch_size,
            progress=self.progress,
            texts=texts,
        )


class _LazyEncoder:
    """Loads the model only if the cache has something to compute (loading takes ~10 s)."""

    def __init__(self, owner: EncoderVectors) -> None:
        self.owner = owner

    def encode(self, texts: list[str], batch_size: int) -> Any:
        return self.owner._encoder().encode(texts, batch_size=batch_size)


def _unit_rows(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32, copy=False)


def _signed_spec(base: str) -> dict[str, Any]:
    """`MODELS[base]` with its scorers restricted to those valid on signed features."""
    spec = dict(MODELS[base])
    for key in ("components", "early_components"):
        if key in spec:
            kept = tuple(c for c in spec[key] if c in _SIGNED)
            spec[key] = kept or (("svm",) if key == "components" else ())
    return spec


class _Embedded(RankingModel, ABC):
    """What both embedding models share: a vector source and text pairs of the corpus."""

    source: VectorSource

    def use_store(self, store: Any, record_ids: Sequence[int], *, progress: bool = True) -> None:
        """Take the corpus vectors from the review store's cache (records in `record_ids` order)."""
        self.source = StoreVectors(store, record_ids, progress=progress)

    @staticmethod
    def _pairs(records: Sequence[RecordLike]) -> list[tuple[str, str]]:
        return [record_fields(r) for r in records]

    def add_seeds(self, seeds: Sequence[RecordLike]) -> RankingModel:
        if self.X is None or self.labels is None:
            raise RuntimeError("call fit() before add_seeds()")
        new = self._transform_new(seeds)
        self.seed_X = new if self.seed_X is None else sp.vstack([self.seed_X, new], format="csr")
        return self._refit()

    def fit(
        self, records: Sequence[RecordLike], labels: Any, seeds: Sequence[RecordLike] = ()
    ) -> RankingModel:
        super().fit(records, labels)
        if seeds:
            self.add_seeds(seeds)
        return self

    def decision_function(self, records: Sequence[RecordLike] | None = None) -> Any:
        if records is None:
            return super().decision_function()
        if self.coef_ is None:
            raise RuntimeError("call fit() first")
        X_new = self._transform_new(records)
        return (
            np.asarray(X_new @ self.coef_.astype(X_new.dtype), dtype=np.float64) + self.intercept_
        )

    @abstractmethod
    def _transform_new(self, records: Sequence[RecordLike]) -> sp.csr_matrix:
        """The feature rows of records outside the fitted corpus (seed papers, new records),
        in the same columns as the corpus: each model adds its own embedding block."""


#: The embedding block's weight beside the unit-length TF-IDF rows, chosen by leave-one-review-out
#: over 12 labelled reviews from 0.1, 0.2, 0.4 and 1 (0.2 in every fold;
#: benchmarks/screening/embedding_weight.py). At 1 the dense block outweighed the terms and the
#: ensemble ranked worse than TF-IDF alone.
DEFAULT_EMBEDDING_WEIGHT = 0.2


class EmbeddingRankingModel(_Embedded):
    """The default's TF-IDF features with a sentence-embedding block, one linear model."""

    def __init__(
        self,
        seed: int = 0,
        embedding_weight: float = DEFAULT_EMBEDDING_WEIGHT,
        base: str = "default",
        source: VectorSource | None = None,
    ) -> None:
        super().__init__(name="embeddings", seed=seed, **_signed_spec(base))
        self.embedding_weight = embedding_weight
        self.source = source if source is not None else EncoderVectors()
        self._stacked: sp.csr_matrix | None = None
        self._text_X: sp.csr_matrix | None = None

    def _block(self, vectors: npt.NDArray[np.float32]) -> sp.csr_matrix:
        return sp.csr_matrix(_unit_rows(vectors) * np.float32(self.embedding_weight))

    def featurize(self, records: Sequence[RecordLike]) -> sp.csr_matrix:
        previous = self._stacked
        if previous is not None:
            self.X = self._text_X  # the base class compares its own (text) matrix
        text = super().featurize(records)
        if previous is not None and text is self._text_X:
            self.X = previous  # same corpus: reuse both blocks
            return previous
        self._text_X = text
        vectors = self.source.corpus(self._pairs(records))
        self._stacked = sp.hstack([text, self._block(vectors)], format="csr")
        self.X = self._stacked
        return self.X

    def _transform_new(self, records: Sequence[RecordLike]) -> sp.csr_matrix:
        pairs = self._pairs(records)
        text = self.features.transform([t for t, _ in pairs], [a for _, a in pairs])
        return sp.hstack([text, self._block(self.source.new(pairs))], format="csr")

    def explain(self, index: int, top: int = 10) -> Explanation:
        """The text terms that drove the score (the embedding block is left out: no words)."""
        full = super().explain(index, top=top + self.X.shape[1] if self.X is not None else top)
        words = [t for t in full.terms if not t.term.startswith("embedding:")][:top]
        return Explanation(full.index, full.score, words, full.has_abstract)


class EmbeddingOnlyModel(_Embedded):
    """A linear model on the sentence embeddings alone (the default's classifier settings)."""

    def __init__(
        self, seed: int = 0, base: str = "default", source: VectorSource | None = None
    ) -> None:
        super().__init__(name="embeddings-only", seed=seed, **_signed_spec(base))
        self.source = source if source is not None else EncoderVectors()
        self._titles: list[str] = []

    def featurize(self, records: Sequence[RecordLike]) -> sp.csr_matrix:
        pairs = self._pairs(records)
        fingerprint = hash((len(pairs), tuple(pairs)))
        if self.X is None or fingerprint != self._fingerprint:
            self.X = sp.csr_matrix(_unit_rows(self.source.corpus(pairs)))
            self.has_abstract = np.array([bool(a.strip()) for _, a in pairs])
            self._titles = [t or a[:60] for t, a in pairs]
            self._fingerprint = fingerprint
            self.seed_X = None
        return self.X

    def _transform_new(self, records: Sequence[RecordLike]) -> sp.csr_matrix:
        return sp.csr_matrix(_unit_rows(self.source.new(self._pairs(records))))

    def explain(self, index: int, top: int = 10) -> Explanation:
        """The labelled records this one is most similar to (cosine), + included, - excluded."""
        if self.X is None or self.scores_ is None:
            raise RuntimeError("call fit() first")
        labelled = np.flatnonzero(self.labels >= 0) if self.labels is not None else np.zeros(0, int)
        labelled = labelled[labelled != index]
        terms: list[TermContribution] = []
        if labelled.size:
            similarity = np.asarray(self.X[labelled] @ self.X.getrow(index).T.toarray()).ravel()
            assert self.labels is not None
            for k in np.argsort(-similarity, kind="stable")[:top]:
                row = int(labelled[k])
                sign = 1.0 if self.labels[row] == 1 else -1.0
                title = " ".join(self._titles[row].split())
                short = title if len(title) <= 60 else title[:59].rstrip() + "…"
                terms.append(
                    TermContribution(f"record:like '{short}'", sign * float(similarity[k]))
                )
        has_abstract = bool(self.has_abstract[index]) if self.has_abstract is not None else True
        return Explanation(index, float(self.scores_[index]), terms, has_abstract)
