"""Screening: dual independent decisions with blind mode, conflicts and their resolution,
agreement statistics and the PRISMA flow counts (ranking, simulation and stopping live beside
them in `rank`, `simulate`, `metrics` and `stopping`).

>>> from litrev.store import Store
>>> screening = Screening(Store.open("sqlite://"), exclusion_reasons=COPRODUCTION_EXCLUSION_REASONS)
>>> [r.code for r in screening.reasons_for("title_abstract")][:2]
['conference-paper', 'no-coproduction-model']
"""

from litrev.screening.decisions import DecisionInput, Screening, StageSettings
from litrev.screening.flow import flow_counts, included_record_ids
from litrev.screening.model import (
    COPRODUCTION_EXCLUSION_REASONS,
    Decision,
    DecisionEvent,
    ExclusionReason,
    Method,
    Outcome,
    ScreeningError,
    Stage,
    State,
)

__all__ = [
    "COPRODUCTION_EXCLUSION_REASONS",
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
