"""Citation numbering of theme narratives: each `[@...]` marker is resolved once (the HTML and
the Markdown text share the numbers), and the output is byte-for-byte what it was."""

from __future__ import annotations

import pytest

from litrev.errors import InputError
from litrev.synthesis import themes

TEXT = (
    "Intro without citations.\n"
    "Carers [@12] and [@Lund, 2009; @40] agreed, as did [@12].\n"
    "\n"
    "A table | with a pipe [@  @40 ] and an unclosed [@ bracket.\n"
    "Last [@Abe, 1999;@12;@99]"
)
KNOWN = {5, 7, 12, 40, 99}
LABELS = {"Lund, 2009": [5], "Abe, 1999": [7], "": [12, 40, 99]}
# The output of the code before the change (each marker resolved twice), kept as the reference.
HTML = (
    "Intro without citations.\n"
    "Carers \\[[2](#theme-ref-2)\\] and \\[[3](#theme-ref-3), [4](#theme-ref-4)\\] agreed, "
    "as did \\[[2](#theme-ref-2)\\].\n"
    "\n"
    "A table | with a pipe \\[[4](#theme-ref-4)\\] and an unclosed [@ bracket.\n"
    "Last \\[[5](#theme-ref-5), [2](#theme-ref-2), [1](#theme-ref-1)\\]"
)
MARKDOWN = (
    "Intro without citations.\n"
    "Carers \\[2\\] and \\[3, 4\\] agreed, as did \\[2\\].\n"
    "\n"
    "A table | with a pipe \\[4\\] and an unclosed [@ bracket.\n"
    "Last \\[5, 2, 1\\]"
)


@pytest.fixture()
def resolved(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The entries `_resolve` is asked about (the real function still answers)."""
    calls: list[str] = []
    real = themes._resolve

    def counting(entry, known, by_label, where):  # type: ignore[no-untyped-def]
        calls.append(str(entry))
        return real(entry, known, by_label, where)

    monkeypatch.setattr(themes, "_resolve", counting)
    return calls


def test_each_citation_is_resolved_once_and_the_output_is_unchanged(resolved: list[str]) -> None:
    order, cited = [99], []  # 99: cited by an earlier narrative, so it keeps number 1
    html, markdown = themes._numbered(TEXT, "n.md", KNOWN, LABELS, order, cited)
    assert html == HTML
    assert markdown == MARKDOWN
    assert order == [99, 12, 5, 40, 7]
    assert cited == [12, 5, 40, 7, 99]
    assert len(resolved) == 8  # eight citations in five markers, each resolved once


def test_an_unknown_citation_is_still_refused_with_its_line(resolved: list[str]) -> None:
    with pytest.raises(InputError) as caught:
        themes._numbered("ok [@12]\nbad [@12; @8]\n", "n.md", KNOWN, LABELS, [], [])
    assert caught.value.line == 2
    assert "[@12; @8]" in str(caught.value) and "record 8" in str(caught.value)
