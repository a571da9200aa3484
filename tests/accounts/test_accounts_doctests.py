"""The usage examples in the accounts modules' docstrings run and give what they show."""

from __future__ import annotations

from collections.abc import Callable

import pytest

MODULES = [
    "litrev.accounts",
    "litrev.accounts.errors",
    "litrev.accounts.passwords",
    "litrev.accounts._base",
    "litrev.accounts.accounts",
    "litrev.accounts.membership",
    "litrev.accounts.sessions",
    "litrev.accounts.throttle",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, docstring_examples: Callable[[str], None]) -> None:
    docstring_examples(name)
