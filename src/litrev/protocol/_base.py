"""Shared pieces of the protocol models: the strict base model, field types and identifiers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
)

ReviewType = Literal["systematic", "scoping", "narrative", "rapid", "umbrella", "other"]
Stage = Literal["title_abstract", "full_text"]
# number: decimals allowed ("2.5"); year: four digits; multi_choice: values separated by ";";
# country: ISO 3166-1 (names reviews write, or codes); quote: verbatim text with its location;
# hierarchical: codes as paths "Health > Hospital", any node of the tree a value.
FieldType = Literal[
    "text", "long_text", "integer", "number", "year", "choice", "multi_choice",
    "country", "quote", "hierarchical",
]  # fmt: skip

#: Types whose `multiple = true` lets a field hold several values separated by ";"
#: (multi_choice always does).
MULTIPLE_TYPES: tuple[str, ...] = ("country", "hierarchical", "multi_choice")
#: Types whose values are `choices`.
CHOICE_TYPES: tuple[str, ...] = ("choice", "multi_choice", "hierarchical")
#: Separates the levels of a hierarchical code.
HIERARCHY_SEPARATOR = " > "
_IDENTIFIER = r"^[a-z_][a-z0-9_]*$"


def repeated(values: Iterable[str]) -> list[str]:
    """The values given more than once, sorted (names and codes a protocol must not repeat).

    >>> repeated(["b", "a", "b", "c", "a", "b"])
    ['a', 'b']
    """
    return sorted(value for value, n in Counter(values).items() if n > 1)


class _Strict(BaseModel):
    # Unknown keys are errors: a misspelt key ("hit" for "hits") must not be silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)
