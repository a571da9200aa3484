"""Fixtures for the store tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from litrev.store import Store

from .fill import fill_store


@pytest.fixture
def full_store(tmp_path: Path) -> Callable[[str], Path]:
    """A maker of SQLite review databases filled by `fill_store`; returns the file's path."""

    def make(name: str = "source.db") -> Path:
        path = tmp_path / name
        store = Store.open(path)
        fill_store(store)
        store.close()
        return path

    return make
