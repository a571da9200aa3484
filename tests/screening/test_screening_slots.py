"""The balanced planner shared by screening allocation and extraction assignment
(litrev.screening.slots.fill_slots)."""

from litrev.screening.slots import fill_slots


def test_slots_examples_hold(docstring_examples) -> None:
    docstring_examples("litrev.screening.slots")


def test_people_already_on_a_record_fill_its_slots_and_loads_even_out() -> None:
    names = ["ann", "bob", "cy"]
    records = list(range(1, 31))
    filled = {1: {"ann", "bob"}, 2: {"cy"}}
    plan = fill_slots(records, names, filled, 2, {"ann": 5, "bob": 0, "cy": 0}, seed=3)
    assert all(1 not in ids for ids in plan.values())
    assert "cy" not in [w for w, ids in plan.items() if 2 in ids]
    given = {w: len(ids) for w, ids in plan.items()}
    assert sum(given.values()) == 2 * 28 + 1
    totals = {"ann": given["ann"] + 5, "bob": given["bob"], "cy": given["cy"]}
    assert max(totals.values()) - min(totals.values()) <= 1
    assert fill_slots(records, names, filled, 2, {"ann": 5, "bob": 0, "cy": 0}, seed=3) == plan
