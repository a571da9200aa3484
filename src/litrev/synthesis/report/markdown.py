"""Escaping for `report.md`: values from users' files must not become HTML, links or table cells.

The Markdown template's environment passes every `{{ value }}` through `md_finalize`, which
escapes HTML (`<`, `>`, `&`), table pipes, Markdown's emphasis, code and link characters, and
folds line breaks into spaces (a newline would end a table row). Text the template builds
itself is marked `MarkdownSafe`; a verbatim block (a search strategy) goes in a code fence
longer than any run of backticks inside it (`fenced`).
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*\[\]|])")


class MarkdownSafe(str):
    """A string already safe to place in Markdown as it is."""

    __slots__ = ()


def md_escape(value: object) -> str:
    """Escape text for a Markdown paragraph or table cell.

    >>> md_escape('a|b <img src=x onerror="alert(1)"> [x](javascript:alert(1))')
    'a\\\\|b &lt;img src=x onerror="alert(1)"&gt; \\\\[x\\\\](javascript:alert(1))'
    >>> md_escape("two\\nlines")
    'two lines'
    """
    text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\s*[\r\n]+\s*", " ", text)


def md_finalize(value: object) -> str:
    """Jinja `finalize`: escape everything but `MarkdownSafe` values (None renders empty).

    >>> md_finalize(MarkdownSafe("**bold**")), md_finalize("**bold**"), md_finalize(3)
    ('**bold**', '\\\\*\\\\*bold\\\\*\\\\*', '3')
    """
    if value is None:
        return ""
    if isinstance(value, MarkdownSafe):
        return str(value)
    if isinstance(value, int | float):
        return str(value)
    return md_escape(value)


def fenced(text: object) -> MarkdownSafe:
    """A code block that no backticks inside `text` can close early.

    >>> print(fenced("a ``` b"))
    ````
    a ``` b
    ````
    """
    body = str(text).strip("\n")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return MarkdownSafe(f"{fence}\n{body}\n{fence}")
