"""The screener's queue: which record comes next, why, and when screening could stop.

Records this reviewer has decided come first (in the order decided), then the undecided ones,
most likely relevant first by `litrev.screening.ranking.model` once there is at least one
include and one exclude to learn from (by record id before that). Given
the review's `protocol` (as `litrev screen` and the web workspace pass it), the queue also uses
the protocol prior (`litrev.screening.ranking.prior`: the question, criteria, exclusion reasons,
highlight terms and search strategy): the protocol orders the records before the first decision
and counts for less with every inclusion (`ranking.blend.PriorRankingModel`); `prior=False`
turns it off, and a protocol with only a title changes nothing. The
model is retrained after every decision. Ranking labels: include and maybe count as relevant
(a maybe is worth seeing more of), exclude as not; the stopping estimate leaves maybes out. In blind mode the model learns only from this reviewer's own decisions and settled
outcomes, so the order cannot leak another reviewer's undisclosed votes.

>>> from litrev.store import Store
>>> from litrev.screening.demo import add_records
>>> from litrev.screening.decisions import Screening
>>> store = Store.open("sqlite://")
>>> _ = add_records(store, [("Co-design of care", "co-design"), ("Soil", "wheat soil"),
...                         ("Soil nitrogen", "soil"), ("Co-design toolkit", "co-design care")])
>>> s = Screening(store)
>>> queue = ScreeningQueue(s, reviewer="xx", stage="title_abstract")
>>> queue.order()
[1, 2, 3, 4]
>>> _ = s.decide(1, reviewer="xx", stage="title_abstract", decision="include")
>>> _ = s.decide(2, reviewer="xx", stage="title_abstract", decision="exclude")
>>> queue.order()[2] if queue.ranked() else 4
4
"""

from __future__ import annotations

from typing import Any

from litrev.screening.decisions import Screening
from litrev.screening.model import (
    DecisionEvent,
    Stage,
    StageSettings,
    current_decisions,
    parse_stage,
    stage_outcomes,
)
from litrev.screening.texts import record_texts


class ScreeningQueue:
    """Order, explanations and stopping estimate for one reviewer at one stage."""

    def __init__(
        self,
        screening: Screening,
        *,
        reviewer: str,
        stage: str | Stage = Stage.TITLE_ABSTRACT,
        model_name: str = "default",
        seed: int = 0,
        protocol: Any = None,
        prior: bool = True,
    ) -> None:
        self.screening = screening
        self.reviewer = reviewer
        self.stage = parse_stage(str(stage))
        self.records = screening.eligible_records(self.stage)
        self._index = {rid: i for i, rid in enumerate(self.records)}
        # Imported here, not at module level: scikit-learn loads only when a queue is made.
        # (These imports used to be optional, falling back to corpus order on ImportError;
        # they are core dependencies, so a broken import must fail loudly, not reorder.)
        from litrev.screening.ranking.model import make_model

        self.model: Any = make_model(model_name, seed=seed)
        self.prior: Any = None
        if hasattr(self.model, "use_store"):  # embedding models: vectors cached in the store
            self.model.use_store(screening.store, self.records)
        if protocol is not None and prior:
            from litrev.screening.ranking.blend import PriorRankingModel
            from litrev.screening.ranking.prior import ProtocolPrior

            candidate = ProtocolPrior.from_protocol(protocol)
            if candidate.has_protocol_text():
                self.prior = candidate
                self.model = PriorRankingModel(self.model, candidate)
        self._texts: list[tuple[str | None, str | None]] | None = None
        self._ranked = False
        self._settings: StageSettings | None = None
        self._last_id = 0
        self._by_record: dict[int, list[DecisionEvent]] = {}
        self._labels: list[int | None] = [None] * len(self.records)
        self._own: dict[int, tuple[int, str]] = {}

    def _refresh(self) -> None:
        """Read the rows added since the last call and update the touched records' labels,
        so that a rerank costs one small query plus the model fit, not a replay of the stage."""
        settings = self.screening.settings(self.stage)
        if settings != self._settings:  # blind mode changed: relabel everything
            self._settings, self._last_id, self._by_record = settings, 0, {}
            self._labels = [None] * len(self.records)
            self._own = {}
        new = self.screening.events(self.stage, after_id=self._last_id)
        touched = set()
        for event in new:
            if event.record_id in self._index:
                self._by_record.setdefault(event.record_id, []).append(event)
                touched.add(event.record_id)
            self._last_id = max(self._last_id, event.id)
        for rid in touched:
            self._relabel(rid, self._by_record[rid], settings)

    def _relabel(self, rid: int, events: list[DecisionEvent], settings: StageSettings) -> None:
        # The settled outcome is the best label; then this reviewer's own decision; then, when
        # not blind, anyone's (include and maybe count as relevant).
        mine = current_decisions(events).get((rid, self.reviewer))
        if mine is None:
            self._own.pop(rid, None)
        else:
            self._own[rid] = (mine.id, mine.decision)
        result = stage_outcomes(events, self.stage, settings, self.screening.reasons).get(rid)
        label: int | None = None
        if result is not None and result.final:
            label = int(result.decision == "include")
        elif mine is not None:
            label = int(mine.decision != "exclude")
        elif result is not None and result.votes and not settings.blind:
            label = int(any(v.decision != "exclude" for v in result.votes))
        self._labels[self._index[rid]] = label

    def _own_in_order(self) -> list[tuple[int, str]]:
        """(record_id, decision) of this reviewer's live decisions, oldest first."""
        self._refresh()
        return [(rid, d) for rid, (_, d) in sorted(self._own.items(), key=lambda kv: kv[1][0])]

    def ranked(self) -> bool:
        """Whether the last `order()` came from the ranking model (with or without the prior)."""
        return self._ranked

    def prior_weight(self) -> float | None:
        """The protocol prior's weight in the last ranking (1.0 before any inclusion), or None
        when the queue has no prior."""
        if self.prior is None or not self._ranked:
            return None
        return float(self.model.weight_)

    def order(self) -> list[int]:
        """Decided records (oldest first), then undecided ones, best first."""
        own = self._own_in_order()
        decided = [rid for rid, _ in own]
        done = set(decided)
        undecided = [rid for rid in self.records if rid not in done]
        self._ranked = False
        labels = self._labels
        known = [x for x in labels if x is not None]
        can_rank = self.prior is not None or (0 in known and 1 in known)
        if undecided and can_rank:
            if self._texts is None:
                texts = record_texts(self.screening.store, self.records)
                self._texts = [
                    (texts[r].title, texts[r].abstract) if r in texts else (None, None)
                    for r in self.records
                ]
            self.model.fit(self._texts, labels)
            scores = self.model.decision_function()
            undecided.sort(key=lambda rid: (-float(scores[self._index[rid]]), rid))
            self._ranked = True
        return decided + undecided

    def explain(self, record_id: int, terms: int = 6) -> str | None:
        """The terms that placed a record where it is, e.g. '+co design, +health, -soil'."""
        if not self._ranked or record_id not in self._index:
            return None
        summary: str = self.model.explain(self._index[record_id]).summary(terms)
        return summary or None

    def prior_driven(self, record_id: int) -> bool:
        """Whether the protocol prior, not the words learned from decisions, placed the record
        (so a screen can say which of the two its explanation is)."""
        if not self._ranked or record_id not in self._index:
            return False
        return bool(getattr(self.model.explain(self._index[record_id]), "prior_driven", False))

    def stopping_estimate(self) -> Any:
        """The stopping estimate (`stopping.ScreenerEstimate`) over this reviewer's decisions
        in the order made, or None before any decision. A "maybe" is
        undecided: it counts neither as relevant nor as excluded (the record stays among those
        left), so it cannot inflate the recall estimate."""
        from litrev.screening.ranking.stopping import screener_estimate

        labels = [int(d == "include") for _, d in self._own_in_order() if d != "maybe"]
        if not labels:
            return None
        return screener_estimate(labels, n_total=len(self.records))

    def stopping_message(self) -> str | None:
        """The stopping estimate as a sentence for the screen."""
        estimate = self.stopping_estimate()
        return None if estimate is None else str(estimate.message())
