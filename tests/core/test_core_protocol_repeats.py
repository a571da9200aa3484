"""A protocol naming a field, group, choice, extractor or exclusion code twice is refused,
naming each repeated one once (litrev.protocol._base.repeated)."""

import pytest

from litrev.errors import ProtocolError
from litrev.protocol import parse_protocol

HEAD = '[review]\nid = "r"\ntitle = "R"\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[[codebook.fields]]\nname = "k"\ntype = "choice"\nchoices = ["b", "a", "b", "a", "b"]\n',
            "field 'k': choices must be unique; repeated: ['a', 'b']",
        ),
        (
            '[[codebook.groups]]\nname = "arms"\n[[codebook.groups]]\nname = "arms"\n',
            "codebook group names must be unique; repeated: ['arms']",
        ),
        (
            '[extraction]\nextractors = ["zoe", "ann", "zoe"]\n',
            "extractors must be named once; repeated: ['zoe']",
        ),
        (
            '[[eligibility.exclusion_reasons]]\ncode = "c"\nlabel = "C"\n'
            '[[eligibility.exclusion_reasons]]\ncode = "c"\nlabel = "C again"\n',
            "exclusion reason codes must be unique; repeated: ['c']",
        ),
    ],
)
def test_a_repeated_name_is_refused_by_name(body: str, message: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        parse_protocol(HEAD + body)
    assert message in str(refused.value)


def test_repeated_examples_hold(docstring_examples) -> None:
    docstring_examples("litrev.protocol._base")
