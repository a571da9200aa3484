"""Screening: dual independent decisions with blind mode, conflicts and their resolution,
agreement statistics and the PRISMA flow counts (ranking, simulation and stopping live beside
them in `rank`, `simulate`, `metrics` and `stopping`).

>>> from litrev.screening import ExclusionReason, Screening
>>> from litrev.store import Store
>>> reasons = [ExclusionReason("no-pdf", "Full text not found", ("full_text",)),
...            ExclusionReason("wrong-design", "Not a trial")]
>>> screening = Screening(Store.open("sqlite://"), exclusion_reasons=reasons)
>>> [r.code for r in screening.reasons_for("title_abstract")]
['wrong-design']
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litrev.screening.decisions import DecisionInput, Screening, StageSettings
    from litrev.screening.flow import flow_counts, included_record_ids
    from litrev.screening.model import (
        Decision,
        DecisionEvent,
        ExclusionReason,
        Method,
        Outcome,
        ScreeningError,
        Stage,
        State,
    )

# Loaded on first use (PEP 562): `litrev simulate` and the ranking models import
# `litrev.screening.ranking.model` without paying for the store (SQLAlchemy) that decisions need.
_HOMES = {
    "DecisionInput": "decisions",
    "Screening": "decisions",
    "StageSettings": "decisions",
    "flow_counts": "flow",
    "included_record_ids": "flow",
    **dict.fromkeys(
        [
            "Decision",
            "DecisionEvent",
            "ExclusionReason",
            "Method",
            "Outcome",
            "ScreeningError",
            "Stage",
            "State",
        ],
        "model",
    ),
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'litrev.screening' has no attribute {name!r}")
    return getattr(import_module(f"litrev.screening.{_HOMES[name]}"), name)


__all__ = [
    "Decision",
    "DecisionEvent",
    "DecisionInput",
    "ExclusionReason",
    "Method",
    "Outcome",
    "Screening",
    "ScreeningError",
    "Stage",
    "StageSettings",
    "State",
    "flow_counts",
    "included_record_ids",
]
