"""Hierarchical codes (`litrev.extraction.hierarchy`): a tree of " > " paths."""

from __future__ import annotations

import pytest

from litrev.extraction.hierarchy import CodeTree, roll_up, split_code, tidy_code

SETTINGS = [
    "Community > Home",
    "Community > Day centre",
    "Residential care > Nursing home > Dementia unit",
    "Residential care",  # listed after its child: stays where first implied
    "Hospital",
]


def test_tree_nodes_include_implied_parents_in_choice_order() -> None:
    tree = CodeTree.from_choices(SETTINGS)
    assert tree.nodes == [
        "Community",
        "Community > Home",
        "Community > Day centre",
        "Residential care",
        "Residential care > Nursing home",
        "Residential care > Nursing home > Dementia unit",
        "Hospital",
    ]
    assert tree.depth == 3
    assert tree.children("Community") == ["Community > Home", "Community > Day centre"]
    assert tree.children("Hospital") == []


def test_parent_ancestors_level_and_within() -> None:
    tree = CodeTree.from_choices(SETTINGS)
    deep = "Residential care > Nursing home > Dementia unit"
    assert tree.parent(deep) == "Residential care > Nursing home"
    assert tree.parent("Hospital") is None
    assert tree.ancestors(deep) == ["Residential care > Nursing home", "Residential care"]
    assert [tree.level(c) for c in ("Hospital", deep)] == [1, 3]
    assert tree.is_within(deep, "Residential care")
    assert not tree.is_within("Community > Home", "Residential care")
    assert not tree.is_within("Community", "Community > Home")


def test_find_ignores_case_and_spacing() -> None:
    tree = CodeTree.from_choices(SETTINGS)
    assert tree.find("community>day centre") == "Community > Day centre"
    assert tree.find("  HOSPITAL ") == "Hospital"
    assert tree.find("Community > Hostel") is None
    assert split_code("a>b > c") == ["a", "b", "c"] and tidy_code("a>b") == "a > b"


def test_roll_up_to_a_level() -> None:
    deep = "Residential care > Nursing home > Dementia unit"
    assert roll_up(deep, 1) == "Residential care"
    assert roll_up(deep, 2) == "Residential care > Nursing home"
    assert roll_up(deep, 5) == deep
    with pytest.raises(ValueError, match="level must be 1 or more"):
        roll_up(deep, 0)
