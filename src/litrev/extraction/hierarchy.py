"""Hierarchical codes: a tree written as paths, `"Health > Primary care"`.

A hierarchical field's `choices` list its codes; a code's parents are implied ("Health >
Hospital" makes "Health" a code too), and a value may be any node, leaf or inner. Synthesis can
count at a chosen depth with `roll_up`.

>>> tree = CodeTree.from_choices(["Health > Primary care", "Health > Hospital", "Social care"])
>>> tree.nodes
['Health', 'Health > Primary care', 'Health > Hospital', 'Social care']
>>> tree.parent("Health > Hospital"), tree.level("Health > Hospital")
('Health', 2)
>>> roll_up("Health > Hospital > Ward", 1)
'Health'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from litrev.protocol import HIERARCHY_SEPARATOR, hierarchy_nodes


def split_code(code: str) -> list[str]:
    """A code's levels, stripped; `>` with or without spaces separates them.

    >>> split_code("Health>Primary care ")
    ['Health', 'Primary care']
    """
    return [part.strip() for part in code.split(HIERARCHY_SEPARATOR.strip())]


def tidy_code(code: str) -> str:
    """A code written with the standard separator: `"Health>Hospital"` -> `"Health > Hospital"`."""
    return HIERARCHY_SEPARATOR.join(split_code(code))


def roll_up(code: str, level: int) -> str:
    """The code's ancestor at `level` (1 = top); the code itself when it is no deeper.

    >>> roll_up("Social care > Residential", 1), roll_up("Social care", 2)
    ('Social care', 'Social care')
    """
    if level < 1:
        raise ValueError(f"level must be 1 or more, got {level}")
    return HIERARCHY_SEPARATOR.join(split_code(code)[:level])


@dataclass(frozen=True)
class CodeTree:
    """The nodes of a hierarchical field, in choice order (parents before their first child)."""

    nodes: list[str]

    @classmethod
    def from_choices(cls, choices: Sequence[str]) -> CodeTree:
        """The tree a field's `choices` describe (implied parents included)."""
        return cls(hierarchy_nodes(list(choices)))

    def find(self, text: str) -> str | None:
        """The node `text` names, ignoring case and spacing around `>`, or None.

        >>> CodeTree.from_choices(["Health > Hospital"]).find("health>hospital")
        'Health > Hospital'
        """
        wanted = tidy_code(text).casefold()
        return next((node for node in self.nodes if node.casefold() == wanted), None)

    def parent(self, code: str) -> str | None:
        """The code one level up, or None for a top-level code."""
        parts = split_code(code)
        return HIERARCHY_SEPARATOR.join(parts[:-1]) if len(parts) > 1 else None

    def ancestors(self, code: str) -> list[str]:
        """The codes above `code`, nearest first.

        >>> CodeTree.from_choices(["A > B > C"]).ancestors("A > B > C")
        ['A > B', 'A']
        """
        parts = split_code(code)
        return [HIERARCHY_SEPARATOR.join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]

    def level(self, code: str) -> int:
        """1 for a top-level code, 2 for its children, ..."""
        return len(split_code(code))

    def children(self, code: str) -> list[str]:
        """The codes directly beneath `code`, in tree order."""
        return [node for node in self.nodes if self.parent(node) == code]

    def is_within(self, code: str, node: str) -> bool:
        """Whether `code` is `node` or beneath it.

        >>> CodeTree.from_choices(["A > B"]).is_within("A > B", "A")
        True
        """
        return code == node or node in self.ancestors(code)

    @property
    def depth(self) -> int:
        """The deepest level (0 for an empty tree)."""
        return max((self.level(node) for node in self.nodes), default=0)
