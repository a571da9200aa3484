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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from litrev.dedupe.blocking import candidate_pairs
from litrev.dedupe.cluster import complete_linkage
from litrev.dedupe.compare import DUPLICATE, MAYBE, RELATED, Judgement, Settings, judge
from litrev.dedupe.features import Fingerprint, fingerprint
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
        fps = [fingerprint(r) for r in records]
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
        """As `fit`, on fingerprints already computed (lets callers drop the records)."""
        settings = self.settings
        cache: dict[tuple[int, int], Judgement] = {}
        edges: list[tuple[float, int, int]] = []
        related: list[tuple[int, int, str]] = []
        review: dict[tuple[int, int], ReviewItem] = {}
        compared = 0
        for i, j in candidate_pairs(fps, settings.max_block, settings.window):
            verdict = judge(fps[i], fps[j], settings)
            compared += 1
            if progress is not None and compared % 100_000 == 0:
                progress(compared)
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
