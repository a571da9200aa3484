"""The record-id parsing shared by `litrev extract assign` and `litrev stage assign`
(litrev.cli._options)."""

import pytest
import typer

from litrev.cli._options import parse_ids


def test_options_examples_hold(docstring_examples) -> None:
    docstring_examples("litrev.cli._options")


@pytest.mark.parametrize("text", ["5-3", "1,x", "1-2000002"])
def test_bad_ids_are_refused_naming_the_option(text: str) -> None:
    with pytest.raises(typer.BadParameter) as raised:
        parse_ids(text, "--only")
    assert str(raised.value).startswith("--only ")
    assert "expected ids like 1,2,7-9" in str(raised.value)
