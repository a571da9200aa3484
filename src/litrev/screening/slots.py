"""Balanced, reproducible sharing of records among people: the planner behind screening
allocation (`litrev.screening.allocation.allocate`) and extraction assignment
(`litrev.extraction.assign.assign_extractors`).

Each record needs `need` distinct people; the people already on it (`filled`) take slots.
Records are visited in an order shuffled with `seed`, and each free slot goes to the person
with the least work so far (`load`), ties broken by a per-person draw from the same seed: the
same call gives the same plan. With `weights`, "least work" is Sainte-Laguë's lowest
(load + 1/2) / weight, the apportionment closest to the weights.

>>> plan = fill_slots([1, 2, 3], ["ann", "bob"], {2: {"ann"}}, 1, {"ann": 1, "bob": 0})
>>> sorted(plan["ann"] + plan["bob"]), len(plan["ann"]), len(plan["bob"])
([1, 3], 1, 1)
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence


def fill_slots(
    records: Sequence[int],
    names: Sequence[str],
    filled: Mapping[int, Collection[str]],
    need: int,
    load: Mapping[str, int],
    *,
    seed: int = 0,
    weights: Mapping[str, float] | None = None,
) -> dict[str, list[int]]:
    """{name: records newly given to them}, in the order planned (not sorted); see the module.

    >>> plan = fill_slots([1, 2, 3, 4], ["a", "b"], {}, 1, {"a": 0, "b": 0}, weights={"a": 3, "b": 1})
    >>> {who: len(ids) for who, ids in plan.items()}
    {'a': 3, 'b': 1}
    """
    rng = random.Random(seed)
    order = list(records)
    rng.shuffle(order)
    tiebreak = {who: rng.random() for who in names}
    work = {who: load[who] for who in names}
    plan: dict[str, list[int]] = {who: [] for who in names}
    for record_id in order:
        have = filled.get(record_id, ())
        slots = need - len(have)
        if slots <= 0:
            continue
        free = [w for w in names if w not in have]
        if weights is None:
            free.sort(key=lambda w: (work[w], tiebreak[w]))
        else:
            free.sort(key=lambda w: ((work[w] + 0.5) / weights[w], tiebreak[w]))
        for who in free[:slots]:
            plan[who].append(record_id)
            work[who] += 1
    return plan
