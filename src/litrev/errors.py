"""The exceptions litrev raises. Every one carries a message a reviewer can act on."""

from __future__ import annotations


class LitrevError(Exception):
    """Base class: anything litrev raises on purpose."""


class ProtocolError(LitrevError):
    """`litrev.toml` (or another review file) is missing, unreadable or invalid.

    `problems` lists one line per problem, each naming the file, the key and what was expected.
    """

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: invalid review file\n{lines}")


class StoreError(LitrevError):
    """The review database cannot be opened, migrated or written."""


class InputError(LitrevError):
    """An input file is malformed. The message names the file, line or field and what was expected."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.detail = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
