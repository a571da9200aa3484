"""Complete-linkage clustering: a record joins a cluster only if it matches every member.

Single-linkage (transitive closure) lets A~B and B~C merge A with C even when A and C are
different works (a conference abstract bridging two papers, a generic title). Here two clusters
merge only when every cross pair is judged a duplicate (or was declared the same by a person),
and never when any cross pair was declared different.

>>> same = {(0, 1), (1, 2)}
>>> def judge(i, j):  # 0~1 and 1~2, but 0 and 2 are different works
...     return (min(i, j), max(i, j)) in same
>>> complete_linkage(3, [(0.9, 0, 1), (0.8, 1, 2)], judge)
[[0, 1], [2]]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


class _Clusters:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {}

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def group(self, root: int) -> list[int]:
        return self.members.get(root, [root])

    def union(self, a: int, b: int) -> None:
        merged = self.group(a) + self.group(b)
        self.members.pop(b, None)
        self.parent[b] = a
        self.members[a] = merged


def complete_linkage(
    n: int,
    edges: Iterable[tuple[float, int, int]],
    is_duplicate: Callable[[int, int], bool],
    *,
    seeds: Iterable[Iterable[int]] = (),
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    max_cluster: int = 50,
    on_conflict: Callable[[int, int], None] | None = None,
) -> list[list[int]]:
    """Cluster n items from scored duplicate edges; return clusters (sorted lists), sorted.

    `seeds` are earlier clusters kept together; `must_link` pairs (a person said "same") are
    merged first; `cannot_link` pairs (a person said "different") are never put together.
    `on_conflict(i, j)` is called for an edge that could not be merged because of another member.
    """
    clusters = _Clusters(n)
    forbidden = {(min(i, j), max(i, j)) for i, j in cannot_link}

    def allowed(ra: int, rb: int, check: bool) -> bool:
        ga, gb = clusters.group(ra), clusters.group(rb)
        if len(ga) + len(gb) > max_cluster:
            return False
        for x in ga:
            for y in gb:
                pair = (x, y) if x < y else (y, x)
                if pair in forbidden or (check and not is_duplicate(*pair)):
                    return False
        return True

    for seed in seeds:
        items = sorted(seed)
        for other in items[1:]:
            ra, rb = clusters.find(items[0]), clusters.find(other)
            if ra != rb:
                clusters.union(min(ra, rb), max(ra, rb))
    for i, j in must_link:
        ra, rb = clusters.find(i), clusters.find(j)
        if ra != rb and allowed(ra, rb, check=False):
            clusters.union(min(ra, rb), max(ra, rb))
    for _score, i, j in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        ra, rb = clusters.find(i), clusters.find(j)
        if ra == rb:
            continue
        if allowed(ra, rb, check=True):
            clusters.union(min(ra, rb), max(ra, rb))
        elif on_conflict is not None:
            on_conflict(i, j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(clusters.find(i), []).append(i)
    return sorted(groups.values())
