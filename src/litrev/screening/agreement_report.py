"""Agreement between a review's screeners, per stage and reviewer pair, from their independent
decisions (resolutions are not votes and never count here).

>>> from litrev.store import Store
>>> from litrev.screening.demo import add_records
>>> from litrev.screening.decisions import Screening
>>> store = Store.open("sqlite://")
>>> _ = add_records(store, 4)
>>> s = Screening(store)
>>> for rid, a, b in [(1, "include", "include"), (2, "exclude", "exclude"),
...                   (3, "exclude", "include"), (4, "exclude", "exclude")]:
...     _ = s.decide(rid, reviewer="ann", stage="title_abstract", decision=a)
...     _ = s.decide(rid, reviewer="bob", stage="title_abstract", decision=b)
>>> report = agreement_report(s, "title_abstract")
>>> pair = report.pairs[0]
>>> pair.reviewers, pair.stats.n, pair.stats.percent, round(pair.stats.kappa.kappa, 2)
(('ann', 'bob'), 4, 0.75, 0.5)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

from litrev.screening.agreement import (
    PairAgreement,
    categories_of,
    fleiss_kappa,
    fleiss_table,
    pair_agreement,
)
from litrev.screening.model import DecisionEvent, Stage, current_decisions
from litrev.screening.texts import record_texts

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening


@dataclass(frozen=True)
class Disagreement:
    record_id: int
    title: str | None
    decisions: dict[str, str]  # reviewer -> "exclude (no-model)", "include", ...


@dataclass(frozen=True)
class PairReport:
    reviewers: tuple[str, str]
    stats: PairAgreement


@dataclass
class StageAgreement:
    stage: str
    reviewers: list[str]
    pairs: list[PairReport] = field(default_factory=list)
    fleiss: float | None = None  # with three or more reviewers, over records all of them rated
    fleiss_n: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for `--json`."""
        return {
            "stage": self.stage,
            "reviewers": self.reviewers,
            "pairs": [
                {
                    "reviewers": list(p.reviewers),
                    "n": p.stats.n,
                    "categories": list(p.stats.categories),
                    "percent_agreement": p.stats.percent,
                    "cohen_kappa": _num(p.stats.kappa.kappa),
                    "cohen_kappa_se": _num(p.stats.kappa.se),
                    "cohen_kappa_ci95": [_num(p.stats.kappa.ci_low), _num(p.stats.kappa.ci_high)],
                    # True when the normal interval passed -1 or 1 and was cut there.
                    "cohen_kappa_ci95_clipped": p.stats.kappa.clipped,
                    "pabak": p.stats.pabak,
                    "gwet_ac1": _num(p.stats.ac1),
                    "table": [list(row) for row in p.stats.table],
                }
                for p in self.pairs
            ],
            "fleiss_kappa": _num(self.fleiss) if self.fleiss is not None else None,
            "fleiss_n": self.fleiss_n,
            "disagreements": [
                {"record_id": d.record_id, "title": d.title, "decisions": d.decisions}
                for d in self.disagreements
            ],
        }


def _num(x: float) -> float | None:
    return None if x != x else x  # NaN (undefined) becomes null in JSON


def _labeller(binary: bool, reasons: bool) -> Callable[[DecisionEvent], str]:
    def label(event: DecisionEvent) -> str:
        if binary and event.decision == "maybe":
            return "include"
        if reasons and event.decision == "exclude":
            return f"exclude: {event.reason or 'unspecified'}"
        return event.decision

    return label


def agreement_report(
    screening: Screening, stage: str | Stage, *, binary: bool = False, reasons: bool = False
) -> StageAgreement:
    """Agreement at one stage. With `binary`, `maybe` counts as include (both go forward);
    with `reasons`, each exclusion reason is its own category (agreement on why, too)."""
    from litrev.screening.model import parse_stage

    stage = parse_stage(str(stage))
    label = _labeller(binary, reasons)
    votes: dict[int, dict[str, Any]] = {}
    for (record_id, reviewer), event in current_decisions(screening.events(stage)).items():
        votes.setdefault(record_id, {})[reviewer] = event
    reviewers = sorted({r for by in votes.values() for r in by})
    labels = [label(e) for by in votes.values() for e in by.values()]
    categories = categories_of(labels)
    report = StageAgreement(stage.value, reviewers)
    for a, b in combinations(reviewers, 2):
        shared = sorted(r for r, by in votes.items() if a in by and b in by)
        if not shared:
            continue
        stats = pair_agreement(
            [label(votes[r][a]) for r in shared],
            [label(votes[r][b]) for r in shared],
            categories,
        )
        report.pairs.append(PairReport((a, b), stats))
    if len(reviewers) >= 3:
        complete = [r for r, by in sorted(votes.items()) if len(by) == len(reviewers)]
        if complete:
            ratings = [[label(votes[r][x]) for x in reviewers] for r in complete]
            _, table = fleiss_table(ratings, categories)
            report.fleiss, report.fleiss_n = fleiss_kappa(table), len(complete)
    disagreeing = [r for r, by in votes.items() if len({label(e) for e in by.values()}) > 1]
    texts = record_texts(screening.store, disagreeing)
    for record_id in sorted(disagreeing):
        by = votes[record_id]
        report.disagreements.append(
            Disagreement(
                record_id,
                texts[record_id].title if record_id in texts else None,
                {
                    who: e.decision + (f" ({e.reason})" if e.reason else "")
                    for who, e in sorted(by.items())
                },
            )
        )
    return report
