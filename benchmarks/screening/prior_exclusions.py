"""Can exclusions correct the protocol prior before the first inclusion? Measured, not adopted.

Before any inclusion, `PriorRankingModel` orders the records by the protocol prior alone, and an
exclusion changes nothing. Tried here: subtract gamma times the standardised similarity of every
record to the exclusions so far (in the default model's TF-IDF space), either to their centroid
(Rocchio's negative feedback) or to the nearest exclusion, until the first inclusion; after it,
the blend is the usual one. Cold start (no starting record) on every labelled review, the
criteria texts of `criteria/` as the prior, refit after every label; the figures are the records
screened to the first and to the third inclusion (the prior is deterministic, so one seed).

    nice -n 5 .venv/bin/python benchmarks/screening/prior_exclusions.py
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import prior_effect  # noqa: E402

from litrev.screening.ranking.blend import PriorRankingModel, standardise  # noqa: E402
from litrev.screening.ranking.model import make_model  # noqa: E402
from litrev.screening.ranking.prior import ProtocolPrior  # noqa: E402
from litrev.screening.ranking.simulate import load_labelled_csv  # noqa: E402

CONFIGS = ((0.0, "centroid"), (0.5, "centroid"), (1.0, "centroid"), (0.5, "nearest"))


class ExclusionCorrected(PriorRankingModel):
    """The prior minus gamma x z(similarity to the exclusions) until the first inclusion."""

    def __init__(self, *args: object, gamma: float, mode: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.gamma, self.mode = gamma, mode

    def _blend(self, base_scores: npt.NDArray[np.float64] | None) -> None:
        super()._blend(base_scores)
        assert self.labels is not None and self._z_prior is not None
        excluded = np.flatnonzero(self.labels == 0)
        if base_scores is not None or not self.gamma or not excluded.size or self.X is None:
            return
        if self.mode == "centroid":
            centroid = np.asarray(self.X[excluded].mean(axis=0)).ravel()
            similarity = np.asarray(self.X @ centroid).ravel()
        else:
            similarity = np.asarray((self.X @ self.X[excluded].T).max(axis=1).todense()).ravel()
        self.scores_ = self._z_prior - self.gamma * standardise(similarity, self.labels < 0)


def records_to_inclusions(job: tuple[str, float, str]) -> tuple[str, float, str, list[int]]:
    """Records screened (cold start, best first) until the 1st and the 3rd inclusion."""
    name, gamma, mode = job
    data = load_labelled_csv(prior_effect.datasets()[name])
    prior = ProtocolPrior.from_text((prior_effect.CRITERIA / f"{name}.md").read_text("utf-8"))
    model = ExclusionCorrected(make_model("default", seed=0), prior, gamma=gamma, mode=mode)
    X = model.featurize(data.records)
    screened: list[int] = []
    found: list[int] = []
    while len(found) < 3 and len(screened) < len(data):
        y = data.labels[screened].astype(np.int8)
        scores = model.fit_indices(X, np.array(screened, dtype=np.intp), y)
        open_ = np.ones(len(data), dtype=bool)
        open_[screened] = False
        candidates = np.flatnonzero(open_)
        pick = int(candidates[np.argsort(-scores[candidates], kind="stable")[0]])
        screened.append(pick)
        if data.labels[pick] == 1:
            found.append(len(screened))
    return name, gamma, mode, found


def main() -> None:
    names = [n for n in prior_effect.datasets() if (prior_effect.CRITERIA / f"{n}.md").exists()]
    for missing in sorted(set(prior_effect.datasets()) - set(names)):
        print(f"{missing}: no criteria text in {prior_effect.CRITERIA}; left out", flush=True)
    jobs = [(n, g, m) for n in names for g, m in CONFIGS]
    with multiprocessing.Pool(2) as pool:
        rows = pool.map(records_to_inclusions, jobs, chunksize=1)
    print("| correction | mean records to 1st inclusion | to 3rd | per review (1st) |")
    print("| --- | ---: | ---: | --- |")
    for gamma, mode in CONFIGS:
        mine = [r for r in rows if r[1] == gamma and r[2] == mode]
        label = "none (the prior as it is)" if gamma == 0 else f"{mode}, gamma {gamma:g}"
        firsts = [r[3][0] for r in mine]
        thirds = [r[3][2] for r in mine]
        print(f"| {label} | {np.mean(firsts):.1f} | {np.mean(thirds):.1f} | {firsts} |")
    print(f"\nreviews: {names}")


if __name__ == "__main__":
    main()
