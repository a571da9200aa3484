"""`Deduplicator`: blocking, pair judgement and complete-linkage clustering in one call.

>>> from litrev.records.model import Record
>>> recs = [Record(title="Care homes and sleep", authors=["Li, X"], year=2020, journal="BMJ",
...                volume="3", pages="10-9"),
...         Record(title="Care Homes and Sleep.", authors=["Li X"], year=2020, journal="BMJ",
...                volume="3", pages="10-19"),
...         Record(title="Erratum: Care homes and sleep", authors=["Li, X"], year=2020)]
>>> d = Deduplicator().fit(recs)
>>> d.clusters_
[[0, 1], [2]]
>>> [(i, j, reason) for i, j, reason in d.related_]
[(0, 2, 'article vs erratum'), (1, 2, 'article vs erratum')]
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from litrev.dedupe.blocking import candidate_pairs, key_hashes
from litrev.dedupe.cluster import complete_linkage
from litrev.dedupe.compare import (
    DISTINCT,
    DUPLICATE,
    MAYBE,
    RELATED,
    Judgement,
    Settings,
    judge,
)
from litrev.dedupe.features import Fingerprint, fingerprint
from litrev.dedupe.serial import mark_recurring
from litrev.records.model import Record


@dataclass
class ReviewItem:
    """An uncertain pair for a person to decide: indexes into the fitted records."""

    a: int
    b: int
    score: float
    reason: str


@dataclass
class Deduplicator:
    """Find duplicate clusters among records.

    `n_jobs` > 1 fingerprints and judges large inputs (20,000+ records) in forked processes.

    Parameters mirror `Settings`; `fit` accepts Records (or prebuilt fingerprints via
    `fit_fingerprints`). After fitting: `clusters_` (lists of indexes, each sorted, every record
    in exactly one), `labels_` (cluster number per record), `related_` (pairs linked as
    versions/notices of one work, not merged), `review_` (uncertain pairs), `pairs_compared_`.
    """

    threshold: float = Settings.title_threshold
    review_threshold: float = Settings.review_threshold
    merge_versions: bool = False
    max_block: int = Settings.max_block
    window: int = Settings.window
    n_jobs: int = 1
    clusters_: list[list[int]] = field(default_factory=list, init=False, repr=False)
    labels_: list[int] = field(default_factory=list, init=False, repr=False)
    related_: list[tuple[int, int, str]] = field(default_factory=list, init=False, repr=False)
    review_: list[ReviewItem] = field(default_factory=list, init=False, repr=False)
    pairs_compared_: int = field(default=0, init=False)

    @property
    def settings(self) -> Settings:
        return Settings(
            title_threshold=self.threshold,
            review_threshold=self.review_threshold,
            merge_versions=self.merge_versions,
            max_block=self.max_block,
            window=self.window,
        )

    def fit(
        self,
        records: Iterable[Record],
        *,
        seeds: Iterable[Iterable[int]] = (),
        must_link: Iterable[tuple[int, int]] = (),
        cannot_link: Iterable[tuple[int, int]] = (),
        progress: Callable[[int], None] | None = None,
    ) -> Deduplicator:
        """Deduplicate records; see the class docstring for the fitted attributes."""
        fps = fingerprints(records, self.n_jobs)
        return self.fit_fingerprints(
            fps, seeds=seeds, must_link=must_link, cannot_link=cannot_link, progress=progress
        )

    def fit_fingerprints(
        self,
        fps: list[Fingerprint],
        *,
        seeds: Iterable[Iterable[int]] = (),
        must_link: Iterable[tuple[int, int]] = (),
        cannot_link: Iterable[tuple[int, int]] = (),
        progress: Callable[[int], None] | None = None,
    ) -> Deduplicator:
        """As `fit`, on fingerprints already computed (lets callers drop the records).

        Sets `generic` on the fingerprints of titles that recur in a journal (`serial`).
        """
        settings = self.settings
        # Which titles recur in a journal is a property of the whole input, not of a pair.
        mark_recurring(fps)
        cache: dict[tuple[int, int], Judgement] = {}
        edges: list[tuple[float, int, int]] = []
        related: list[tuple[int, int, str]] = []
        review: dict[tuple[int, int], ReviewItem] = {}
        compared = 0
        for count, kept in _judge_all(fps, settings, self.n_jobs):
            compared += count
            if progress is not None:
                progress(compared)
            for i, j, verdict in kept:
                if verdict.label == DUPLICATE:
                    cache[(i, j)] = verdict
                    edges.append((verdict.score, i, j))
                elif verdict.label == RELATED:
                    related.append((i, j, verdict.reason))
                elif verdict.label == MAYBE:
                    review[(i, j)] = ReviewItem(i, j, verdict.score, verdict.reason)

        def is_duplicate(i: int, j: int) -> bool:
            if (i, j) not in cache:
                cache[(i, j)] = judge(fps[i], fps[j], settings)
            return cache[(i, j)].label == DUPLICATE

        def conflict(i: int, j: int) -> None:
            key = (min(i, j), max(i, j))
            review.setdefault(key, ReviewItem(*key, 0.0, "matches only part of a cluster"))

        self.clusters_ = complete_linkage(
            len(fps), edges, is_duplicate, seeds=seeds, must_link=must_link,
            cannot_link=cannot_link, on_conflict=conflict,
        )
        self.labels_ = [0] * len(fps)
        for number, members in enumerate(self.clusters_):
            for index in members:
                self.labels_[index] = number
        # A pair already together (or kept apart by a person) needs no review.
        decided = {(min(i, j), max(i, j)) for i, j in cannot_link}
        self.review_ = sorted(
            (item for key, item in review.items()
             if self.labels_[item.a] != self.labels_[item.b] and key not in decided),
            key=lambda item: (-item.score, item.a, item.b),
        )
        self.related_ = sorted(related)
        self.pairs_compared_ = compared
        return self


_PARALLEL_FROM = 20_000
_CHUNK = 20_000
# Worker processes are forked after these are set, so they read them without pickling.
_SHARED: dict[str, object] = {}


def fingerprints(records: Iterable[Record], n_jobs: int = 1) -> list[Fingerprint]:
    """Fingerprint records, in `n_jobs` forked processes for large inputs."""
    items = records if isinstance(records, list) else list(records)
    if n_jobs <= 1 or len(items) < _PARALLEL_FROM or not _can_fork():
        return [fingerprint(r) for r in items]
    # Workers are forked with the records in memory and given index ranges, so the records
    # are never pickled; only the (smaller) fingerprints travel back.
    _SHARED["records"] = items
    try:
        ranges = [(start, min(start + _CHUNK, len(items))) for start in range(0, len(items), _CHUNK)]
        with multiprocessing.get_context("fork").Pool(n_jobs) as pool:
            return [fp for part in pool.map(_fingerprint_range, ranges) for fp in part]
    finally:
        _SHARED.clear()


def _fingerprint_range(bounds: tuple[int, int]) -> list[Fingerprint]:
    records: list[Record] = _SHARED["records"]  # type: ignore[assignment]
    return [fingerprint(r) for r in records[bounds[0]:bounds[1]]]


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _judge_chunk(pairs: list[tuple[int, int]]) -> tuple[int, list[tuple[int, int, Judgement]]]:
    fps: list[Fingerprint] = _SHARED["fps"]  # type: ignore[assignment]
    settings: Settings = _SHARED["settings"]  # type: ignore[assignment]
    kept = []
    for i, j in pairs:
        verdict = judge(fps[i], fps[j], settings)
        if verdict.label != DISTINCT:
            kept.append((i, j, verdict))
    return len(pairs), kept


def _hash_range(bounds: tuple[int, int]) -> list[list[int]]:
    fps: list[Fingerprint] = _SHARED["fps"]  # type: ignore[assignment]
    return [key_hashes(fp) for fp in fps[bounds[0]:bounds[1]]]


def _chunks(pairs: Iterator[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
    chunk: list[tuple[int, int]] = []
    for pair in pairs:
        chunk.append(pair)
        if len(chunk) >= _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _judge_all(
    fps: list[Fingerprint], settings: Settings, n_jobs: int
) -> Iterator[tuple[int, list[tuple[int, int, Judgement]]]]:
    """Judge every candidate pair, by chunk: (pairs judged, those not plainly distinct)."""
    _SHARED["fps"], _SHARED["settings"] = fps, settings
    try:
        if n_jobs <= 1 or len(fps) < _PARALLEL_FROM or not _can_fork():
            pairs = candidate_pairs(fps, settings.max_block, settings.window)
            yield from map(_judge_chunk, _chunks(pairs))
            return
        with multiprocessing.get_context("fork").Pool(n_jobs) as pool:
            ranges = [(start, min(start + _CHUNK, len(fps))) for start in range(0, len(fps), _CHUNK)]
            hashed = [h for part in pool.map(_hash_range, ranges) for h in part]
            pairs = candidate_pairs(fps, settings.max_block, settings.window, hashed)
            yield from pool.imap(_judge_chunk, _chunks(pairs))
    finally:
        _SHARED.clear()
