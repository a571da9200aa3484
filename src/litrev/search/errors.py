"""Errors raised while reading a search strategy."""

from __future__ import annotations

from litrev.errors import LitrevError


def caret_display(text: str, line: int, column: int, width: int = 1) -> str:
    """The offending line of `text` with a caret under (1-based) `line`/`column`.

    >>> print(caret_display("a AND (b", 1, 7))
    a AND (b
          ^
    """
    lines = text.splitlines() or [""]
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    return f"{shown}\n{' ' * (column - 1)}{'^' * max(1, width)}"


class SearchSyntaxError(LitrevError):
    """A strategy cannot be read in the given dialect; `line`/`column` are 1-based.

    >>> err = SearchSyntaxError("unexpected ')'", "a )", 1, 3, dialect="pubmed")
    >>> print(err.caret())
    a )
      ^
    """

    def __init__(
        self, message: str, text: str, line: int, column: int, *, dialect: str = ""
    ) -> None:
        self.message = message
        self.text = text
        self.line = line
        self.column = column
        self.dialect = dialect
        where = f"{dialect} " if dialect else ""
        super().__init__(
            f"{where}search line {line}, column {column}: {message}\n{self.caret()}"
        )

    def caret(self) -> str:
        return caret_display(self.text, self.line, self.column)


class UnknownDialectError(LitrevError):
    """A dialect name that litrev does not know."""
