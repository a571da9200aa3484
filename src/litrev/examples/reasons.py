"""The exclusion reasons of a built-in example review, read from its `litrev.toml`.

Tests and tutorials that want a realistic set of reasons use these; the screening core knows no
review's reasons (they come from each review's protocol).

>>> [r.code for r in exclusion_reasons("coproduction-models")][:2]
['conference-paper', 'no-coproduction-model']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litrev.examples import DEFAULT_EXAMPLE, _folder

if TYPE_CHECKING:
    from litrev.screening.model import ExclusionReason


def exclusion_reasons(name: str = DEFAULT_EXAMPLE) -> tuple[ExclusionReason, ...]:
    """The example's `[[eligibility.exclusion_reasons]]`, as screening uses them."""
    from litrev.project import PROTOCOL_FILE
    from litrev.protocol import load_protocol
    from litrev.screening.model import as_reasons

    protocol = load_protocol(_folder(name) / PROTOCOL_FILE)
    return as_reasons(protocol.eligibility.exclusion_reasons)
