"""Stage gates: the lead opens the next stage of screening when the one before is done.

The first stage (title/abstract) is always open. Full text is open once the lead opened it (and
did not close it again), or when it already has decisions: a review screened before the team
workspace existed keeps working. The web workspace enforces the gate (`require_open`); the CLI
does not, as before.

>>> from litrev.store import Store
>>> from litrev.screening.decisions import Screening
>>> from litrev.screening.demo import add_records
>>> s = Screening(Store.open("sqlite://"))
>>> add_records(s.store, 1)
[1]
>>> gate(s, "full_text").open
False
>>> open_stage(s, "full_text", by="lead")
Traceback (most recent call last):
...
litrev.screening.model.ScreeningError: title_abstract is not finished: 1 unscreened; open full_text anyway with force
>>> g = open_stage(s, "full_text", by="lead", force=True)
>>> g.open, g.by
(True, 'lead')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from litrev.screening.log import read_tracks, write_transaction
from litrev.screening.model import (
    STAGES,
    Decision,
    ScreeningError,
    Stage,
    State,
    parse_stage,
    reviewer_name,
    stage_outcomes,
)
from litrev.screening.notes import utc
from litrev.store import Store, schema

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening


@dataclass(frozen=True)
class Gate:
    """Whether a stage is open, who opened or closed it and when (None for the first stage or
    a stage opened by its existing decisions), and the open work left at the stage before:
    `open_conflicts` (disagreements and maybes, of which `maybes` have a maybe), `awaiting`
    (fewer decisions than required) and `unscreened`."""

    stage: str
    open: bool
    by: str | None
    at: datetime | None
    open_conflicts: int
    maybes: int = 0
    awaiting: int = 0
    unscreened: int = 0

    @property
    def open_work(self) -> int:
        return self.open_conflicts + self.awaiting + self.unscreened

    def warning(self) -> str | None:
        """What is left at the stage before, as one phrase, or None."""
        parts = []
        if self.open_conflicts:
            extra = f" ({self.maybes} with a maybe)" if self.maybes else ""
            parts.append(f"{self.open_conflicts} open conflicts{extra}")
        if self.awaiting:
            parts.append(f"{self.awaiting} awaiting another reviewer")
        if self.unscreened:
            parts.append(f"{self.unscreened} unscreened")
        return ", ".join(parts) or None


def _previous(stage: Stage) -> Stage | None:
    index = STAGES.index(stage)
    return STAGES[index - 1] if index else None


def _work_before(screening: Screening, stage: Stage, conn: Connection) -> dict[str, int]:
    before = _previous(stage)
    counts = {"open_conflicts": 0, "maybes": 0, "awaiting": 0, "unscreened": 0}
    if before is None:
        return counts
    if before is Stage.TITLE_ABSTRACT:
        # Title/abstract states do not depend on reasons: replay the lighter rows.
        settings = screening.settings(before, conn)
        outcomes = stage_outcomes(read_tracks(conn, before.value), before, settings, ())
    else:
        outcomes = screening.outcomes(before, conn)
    for o in outcomes.values():
        if o.state is State.CONFLICT:
            counts["open_conflicts"] += 1
            counts["maybes"] += any(v.decision == Decision.MAYBE for v in o.votes)
        elif o.state is State.AWAITING:
            counts["awaiting"] += 1
    eligible = screening.eligible_records(before, conn)
    counts["unscreened"] = sum(1 for r in eligible if r not in outcomes)
    return counts


def _open_state(conn: Connection, stage: Stage) -> tuple[bool, str | None, datetime | None]:
    """(open, by, at) of a stage: its latest gate row, else open if it has any decision."""
    if _previous(stage) is None:
        return True, None, None
    table = schema.stage_gates
    row = conn.execute(
        select(table).where(table.c.stage == stage.value).order_by(table.c.id.desc()).limit(1)
    ).first()
    if row is not None:
        return row.state == "open", row.actor, utc(row.at)
    d = schema.decisions
    decided = conn.execute(select(d.c.id).where(d.c.stage == stage.value).limit(1)).first()
    return decided is not None, None, None


def _gate(screening: Screening, stage: Stage, conn: Connection) -> Gate:
    is_open, by, at = _open_state(conn, stage)
    return Gate(stage.value, is_open, by, at, **_work_before(screening, stage, conn))


def gate(screening: Screening, stage: str) -> Gate:
    """The gate of a stage now, with the open work left at the stage before (see the module)."""
    with screening.store.connect() as conn:
        return _gate(screening, parse_stage(str(stage)), conn)


def require_open(screening: Screening, stage: str) -> None:
    """Nothing if the stage is open; otherwise a ScreeningError saying the lead must open it.
    Cheap (no counting of the work before), for every decision the web workspace takes."""
    target = parse_stage(str(stage))
    with screening.store.connect() as conn:
        is_open = _open_state(conn, target)[0]
    if not is_open:
        raise ScreeningError(
            f"{target.value} is not open yet: the review's lead opens it", field="stage"
        )


def _write(conn: Connection, stage: Stage, state: str, by: str, note: str | None) -> None:
    conn.execute(
        schema.stage_gates.insert().values(
            stage=stage.value, state=state, actor=by, note=note, at=datetime.now().astimezone()
        )
    )


def open_stage(screening: Screening, stage: str, *, by: str, force: bool = False) -> Gate:
    """Open a stage. While the stage before has open conflicts (maybes included), records
    awaiting another reviewer or unscreened records, this refuses with their counts unless
    `force`; forced, the warning goes in the audit entry. Opening an open stage changes
    nothing."""
    target = parse_stage(str(stage))
    lead = reviewer_name(by)
    with write_transaction(screening.store) as conn:
        Store.lock(conn, "stage_gates")
        current = _gate(screening, target, conn)
        if current.open and (current.by is not None or _previous(target) is None):
            return current
        warning = current.warning()
        before = _previous(target)
        if warning and not force:
            assert before is not None  # the first stage has no work before it
            raise ScreeningError(
                f"{before.value} is not finished: {warning}; open {target.value} anyway with force"
            )
        _write(conn, target, "open", lead, warning)
        Store.log(
            conn,
            actor=lead,
            action="screening.open_stage",
            entity="stage_gate",
            detail={"stage": target.value, "forced": bool(warning), "warning": warning},
        )
        return _gate(screening, target, conn)


def close_stage(screening: Screening, stage: str, *, by: str) -> Gate:
    """Close a stage again (the first stage cannot be closed); decisions made stay."""
    target = parse_stage(str(stage))
    lead = reviewer_name(by)
    if _previous(target) is None:
        raise ScreeningError(f"{target.value} is the first stage; it is always open")
    with write_transaction(screening.store) as conn:
        Store.lock(conn, "stage_gates")
        _write(conn, target, "closed", lead, None)
        Store.log(
            conn,
            actor=lead,
            action="screening.close_stage",
            entity="stage_gate",
            detail={"stage": target.value},
        )
        return _gate(screening, target, conn)


__all__ = ["Gate", "close_stage", "gate", "open_stage", "require_open"]
