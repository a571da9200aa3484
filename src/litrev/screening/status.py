"""Progress of a screening stage: where records stand, and counts per reviewer, decision and
reason.

>>> from litrev.store import Store
>>> from litrev.screening.demo import add_records
>>> from litrev.screening.decisions import Screening
>>> store = Store.open("sqlite://")
>>> _ = add_records(store, 2)
>>> s = Screening(store)
>>> _ = s.decide(1, reviewer="ann", stage="title_abstract", decision="maybe")
>>> st = stage_status(s, "title_abstract")
>>> st.records, st.unscreened, st.awaiting, st.by_reviewer["ann"]["maybe"]
(2, 1, 1, 1)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from litrev.screening.model import Stage, State, current_decisions

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening


@dataclass
class StageStatus:
    stage: str
    records: int  # records to screen at this stage
    unscreened: int
    awaiting: int  # fewer reviewers than required so far
    conflicts: int
    agreed: int
    resolved: int
    included: int
    excluded: int
    excluded_reasons: dict[str, int] = field(default_factory=dict)
    by_reviewer: dict[str, dict[str, int]] = field(default_factory=dict)
    reasons_by_reviewer: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def done(self) -> int:
        """Records with a final outcome (agreed or resolved)."""
        return self.agreed + self.resolved


def stage_status(screening: Screening, stage: str | Stage) -> StageStatus:
    """Counts for one stage, from the live decisions and resolutions."""
    from litrev.screening.model import parse_stage

    stage = parse_stage(str(stage))
    eligible = set(screening.eligible_records(stage))
    outcomes = {r: o for r, o in screening.outcomes(stage).items() if r in eligible}
    states = Counter(o.state for o in outcomes.values())
    finals = [o for o in outcomes.values() if o.final]
    by_reviewer: dict[str, Counter[str]] = {}
    reasons_by_reviewer: dict[str, Counter[str]] = {}
    for (record_id, reviewer), event in current_decisions(screening.events(stage)).items():
        if record_id not in eligible:
            continue
        by_reviewer.setdefault(reviewer, Counter())[event.decision] += 1
        if event.decision == "exclude":
            reasons_by_reviewer.setdefault(reviewer, Counter())[event.reason or "unspecified"] += 1
    excluded = Counter(o.reason or "unspecified" for o in finals if o.decision == "exclude")
    return StageStatus(
        stage=stage.value,
        records=len(eligible),
        unscreened=len(eligible) - len(outcomes),
        awaiting=states[State.AWAITING],
        conflicts=states[State.CONFLICT],
        agreed=states[State.AGREED],
        resolved=states[State.RESOLVED],
        included=sum(1 for o in finals if o.decision == "include"),
        excluded=sum(excluded.values()),
        excluded_reasons=dict(sorted(excluded.items())),
        by_reviewer={
            name: {d: counts[d] for d in ("include", "exclude", "maybe")}
            for name, counts in sorted(by_reviewer.items())
        },
        reasons_by_reviewer={
            n: dict(sorted(c.items())) for n, c in sorted(reasons_by_reviewer.items())
        },
    )
