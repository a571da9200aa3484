"""The README's command table lists every `litrev` command, and nothing that is not one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from litrev.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"
WORD = re.compile(r"[a-z][a-z-]*$")


def _commands(command: Any, prefix: list[str]) -> Iterator[str]:
    # Typer's command objects (its own copy of click's): a group has `commands`.
    if hasattr(command, "commands"):
        if prefix and command.invoke_without_command:
            yield " ".join(prefix)
        for name, sub in command.commands.items():
            if not sub.hidden:
                yield from _commands(sub, [*prefix, name])
    else:
        yield " ".join(prefix)


def _words(text: str) -> list[str]:
    words = []
    for token in text.split():
        if not WORD.match(token):
            break
        words.append(token)
    return words


def readme_commands(text: str) -> set[str]:
    """Commands named in the first cell of the README's table rows (`litrev a b \\| c` is two)."""
    found: set[str] = set()
    for cell in re.findall(r"^\| `litrev ([^`]+)`", text, flags=re.M):
        alternatives = cell.split(r" \| ")
        first = _words(alternatives[0])
        found.add(" ".join(first))
        for other in alternatives[1:]:
            found.add(" ".join([*first[:-1], *_words(other)[:1]]))
    return found


def test_readme_parser() -> None:
    table = "| `litrev dedupe review \\| undo [--x]` | text |\n| `litrev init DIR` | t |\n"
    assert readme_commands(table) == {"dedupe review", "dedupe undo", "init"}


def test_readme_lists_every_command_and_no_other() -> None:
    actual = set(_commands(typer.main.get_command(app), []))
    listed = readme_commands(README.read_text(encoding="utf-8"))
    assert sorted(actual - listed) == [], "commands missing from the README's table"
    assert sorted(listed - actual) == [], "README names commands that do not exist"
