"""Stage gates: the first stage always open, full text opened by the lead (refused with the
open work counted unless forced), closed again, and open for reviews screened before gates."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from litrev.screening.decisions import Screening
from litrev.screening.demo import add_records
from litrev.screening.gates import close_stage, gate, open_stage, require_open
from litrev.screening.model import ScreeningError
from litrev.store import Store, schema

TA, FT = "title_abstract", "full_text"


@pytest.fixture
def s() -> Screening:
    screening = Screening(Store.open("sqlite://"))
    add_records(screening.store, 5)
    return screening


def _audit(store: Store, action: str) -> list[dict[str, object]]:
    a = schema.audit_log
    with store.connect() as conn:
        return list(conn.execute(select(a.c.detail).where(a.c.action == action)).scalars())


def test_first_stage_always_open(s: Screening) -> None:
    g = gate(s, "ta")
    assert (g.open, g.by, g.open_conflicts) == (True, None, 0)
    assert open_stage(s, TA, by="lead").open
    with pytest.raises(ScreeningError, match="first stage"):
        close_stage(s, TA, by="lead")
    assert _audit(s.store, "screening.open_stage") == []


def test_open_refused_with_the_counts_then_forced(s: Screening) -> None:
    s.decide(1, reviewer="ann", stage=TA, decision="include")
    s.decide(1, reviewer="bob", stage=TA, decision="exclude", reason="x")  # conflict
    s.decide(2, reviewer="ann", stage=TA, decision="maybe")
    s.decide(2, reviewer="bob", stage=TA, decision="include")  # conflict with a maybe
    s.decide(3, reviewer="ann", stage=TA, decision="include")  # awaiting bob
    s.decide(4, reviewer="ann", stage=TA, decision="include")
    s.decide(4, reviewer="bob", stage=TA, decision="include")  # agreed; record 5 unscreened
    g = gate(s, FT)
    assert not g.open
    assert (g.open_conflicts, g.maybes, g.awaiting, g.unscreened) == (2, 1, 1, 1)
    with pytest.raises(ScreeningError) as refused:
        open_stage(s, FT, by="lead")
    assert str(refused.value) == (
        "title_abstract is not finished: 2 open conflicts (1 with a maybe), 1 awaiting another "
        "reviewer, 1 unscreened; open full_text anyway with force"
    )
    with pytest.raises(ScreeningError, match="not open yet"):
        require_open(s, FT)
    opened = open_stage(s, FT, by="lead", force=True)
    assert opened.open and opened.by == "lead" and opened.at is not None
    require_open(s, FT)  # open: no error
    [entry] = _audit(s.store, "screening.open_stage")
    assert entry["forced"] is True and "2 open conflicts" in str(entry["warning"])
    # opening again writes nothing
    open_stage(s, FT, by="lead")
    assert len(_audit(s.store, "screening.open_stage")) == 1
    closed = close_stage(s, FT, by="lead")
    assert not closed.open and closed.by == "lead"
    assert not gate(s, FT).open


def test_open_without_force_when_the_stage_before_is_done(s: Screening) -> None:
    for r in range(1, 6):
        for who in ("ann", "bob"):
            s.decide(r, reviewer=who, stage=TA, decision="include")
    g = open_stage(s, FT, by="lead")
    assert g.open and g.open_work == 0
    assert _audit(s.store, "screening.open_stage")[0]["forced"] is False


def test_full_text_already_screened_counts_as_open(s: Screening) -> None:
    """A review screened before the workspace existed keeps working."""
    s.decide(1, reviewer="ann", stage=TA, decision="include")
    s.decide(1, reviewer="bob", stage=TA, decision="include")
    s.decide(1, reviewer="ann", stage=FT, decision="include")
    g = gate(s, FT)
    assert g.open and g.by is None
    # an explicit close wins over the old decisions
    close_stage(s, FT, by="lead")
    assert not gate(s, FT).open
