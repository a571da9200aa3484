"""Blind mode: the one rule that decides whether a viewer may see other reviewers' work on a
record (decisions, notes, tags, history), used by the screener, the web pages, exports and the
API alike, so that no path shows more than another.

A record is blind to `viewer` at a stage when the stage's settings are blind and it is not yet
unblinded. It is unblinded once the required number of reviewers have live decisions on it and
the viewer is one of them, or the viewer is the review's lead.

>>> from litrev.store import Store
>>> from litrev.screening.decisions import Screening
>>> from litrev.screening.demo import add_records
>>> s = Screening(Store.open("sqlite://"))
>>> add_records(s.store, 1)
[1]
>>> _ = s.decide(1, reviewer="ann", stage="title_abstract", decision="include")
>>> blind_for(s, 1, "title_abstract", "bob"), blind_for(s, 1, "title_abstract", "ann")
(True, True)
>>> _ = s.decide(1, reviewer="bob", stage="title_abstract", decision="include")
>>> blind_for(s, 1, "title_abstract", "bob"), blind_for(s, 1, "title_abstract", "lead", role="lead")
(False, False)
>>> blind_for(s, 1, "title_abstract", "carl")
True
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import select

from litrev.screening.log import read_tracks
from litrev.screening.model import StageSettings, current_decisions, parse_stage
from litrev.store import schema

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening

# The role that sees every record's decisions once enough reviewers have decided, without
# deciding itself (the review lead settles conflicts and opens stages).
LEAD = "lead"


def is_blind(
    settings: StageSettings, deciders: Collection[str], viewer: str, *, role: str = "reviewer"
) -> bool:
    """The rule itself, on one record: `deciders` are the reviewers with a live independent
    decision on it at the stage.

    >>> is_blind(StageSettings(blind=True, reviewers_required=2), {"ann"}, "ann")
    True
    >>> is_blind(StageSettings(blind=True, reviewers_required=2), {"ann", "bob"}, "ann")
    False
    >>> is_blind(StageSettings(blind=False), {"ann"}, "bob")
    False
    """
    if not settings.blind:
        return False
    if len(deciders) < settings.reviewers_required:
        return True
    return not (viewer in deciders or role == LEAD)


def blind_for(
    screening: Screening, record_id: int, stage: str, viewer: str, *, role: str = "reviewer"
) -> bool:
    """True when `viewer` must not see other reviewers' decisions, notes or tags on
    `record_id` at `stage` (see the module's rule)."""
    settings = screening.settings(stage)
    if not settings.blind:
        return False
    events = screening.events(stage, record_id=record_id)
    deciders = {who for (_, who) in current_decisions(events)}
    return is_blind(settings, deciders, viewer, role=role)


def blind_records(
    screening: Screening, stage: str, viewer: str, *, role: str = "reviewer"
) -> set[int]:
    """Every record of the review that is blind to `viewer` at `stage` (one pass over the
    stage's decisions; for lists and exports). Records nobody decided are blind too, since
    another reviewer's note or tag may already sit on them.

    >>> from litrev.store import Store
    >>> from litrev.screening.decisions import Screening
    >>> from litrev.screening.demo import add_records
    >>> s = Screening(Store.open("sqlite://"))
    >>> add_records(s.store, 2)
    [1, 2]
    >>> sorted(blind_records(s, "title_abstract", "ann"))
    [1, 2]
    """
    stage = parse_stage(str(stage)).value
    settings = screening.settings(stage)
    if not settings.blind:
        return set()
    with screening.store.connect() as conn:
        ids = set(conn.execute(select(schema.records.c.id)).scalars())
        events = read_tracks(conn, stage)
    deciders: dict[int, set[str]] = {}
    for record_id, who in current_decisions(events):
        deciders.setdefault(record_id, set()).add(who)
    return {r for r in ids if is_blind(settings, deciders.get(r, set()), viewer, role=role)}


__all__ = ["LEAD", "blind_for", "blind_records", "is_blind"]
