"""Property test of the decision log's replay: any sequence of decisions and undos gives the
state a plain undo stack would, per reviewer and record."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from litrev.screening.model import RETRACTED, DecisionEvent, current_decisions

ops = st.lists(
    st.tuples(
        st.sampled_from([1, 2]),  # record
        st.sampled_from(["xx", "yy"]),  # reviewer
        st.sampled_from(["include", "exclude", "maybe", "undo"]),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(ops)
def test_replay_matches_an_undo_stack(sequence: list[tuple[int, str, str]]) -> None:
    events: list[DecisionEvent] = []
    stacks: dict[tuple[int, str], list[tuple[int, str]]] = {}
    for n, (record, reviewer, action) in enumerate(sequence, start=1):
        stack = stacks.setdefault((record, reviewer), [])
        if action == "undo":
            if not stack:
                continue
            undone_id, _ = stack.pop()
            events.append(
                DecisionEvent(n, record, "title_abstract", reviewer, RETRACTED, retracts=undone_id)
            )
        else:
            stack.append((n, action))
            events.append(DecisionEvent(n, record, "title_abstract", reviewer, action))
    replayed = {key: e.decision for key, e in current_decisions(events).items()}
    expected = {key: stack[-1][1] for key, stack in stacks.items() if stack}
    assert replayed == expected
