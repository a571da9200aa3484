"""The `--format` parsing shared by `litrev prisma` and `litrev tables` (litrev.cli._outputs)."""

import pytest
import typer

from litrev.cli._outputs import parse_formats


def test_outputs_examples_hold(docstring_examples) -> None:
    docstring_examples("litrev.cli._outputs")


@pytest.mark.parametrize("text", ["svg,docx", "", " , "])
def test_unknown_or_empty_format_is_refused_by_name(text: str) -> None:
    with pytest.raises(typer.BadParameter) as raised:
        parse_formats(text, ("svg", "png"))
    assert "give one or more of svg, png" in str(raised.value)
    assert ("docx" in str(raised.value)) == ("docx" in text)
