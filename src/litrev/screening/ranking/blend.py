"""A ranking model that starts from the protocol and hands over to the learnt model.

`PriorRankingModel(base, prior)` blends the protocol's relevance score (`ProtocolPrior`) with
any ranking model's score. Both are standardised over the unscreened records and mixed as

    score = w * z(prior) + (1 - w) * z(model),   w = k / (k + n_included)

so before the first inclusion (w = 1) the protocol alone orders the records, after the first
inclusion it still counts for k / (k + 1), and it fades as inclusions arrive (with k = 1: a
twentieth of the score after 19 inclusions); it never outweighs a model trained on more than
k inclusions. k was chosen out of sample, by leave-one-review-out over the 12 labelled reviews
(benchmarks/screening/prior_effect.py; docs/screening-prior.md). With `base=None` the model
ranks by the prior only and never learns.

>>> from litrev.screening.ranking.prior import ProtocolPrior
>>> from litrev.screening.ranking.model import make_model
>>> records = [("Telemonitoring in heart failure", ""), ("Soil bacteria", ""),
...            ("Heart failure nurse telemonitoring", ""), ("Wheat yields", "")]
>>> model = PriorRankingModel(make_model("svm"), ProtocolPrior.from_text("heart failure telemonitoring"))
>>> [int(i) for i in model.fit(records, [None] * 4).rank()]   # no label yet: the protocol orders
[0, 2, 1, 3]
>>> model.explain(0).prior_driven
True
>>> [int(i) for i in model.fit(records, [1, 0, None, None]).rank()]
[2, 3]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from litrev.screening.ranking.features import RecordLike, record_fields
from litrev.screening.ranking.model import (
    Explanation,
    LabelsLike,
    RankingModel,
    TermContribution,
    parse_labels,
)
from litrev.screening.ranking.prior import ProtocolPrior

#: The blend constant k, chosen by leave-one-review-out (see the module docstring).
DEFAULT_K = 1.0


@dataclass(frozen=True)
class PriorExplanation(Explanation):
    """An explanation that also says how much the protocol prior weighed in the score."""

    prior_weight: float = 0.0  # w: the prior's weight in the blend at this point
    prior_share: float = 0.0  # the prior's share of this record's blended score (by size)
    prior_parts: tuple[tuple[str, float], ...] = ()  # ('criteria', 1.3), ('strategy', 0.8), ...

    @property
    def prior_driven(self) -> bool:
        """True when the protocol prior, not the learnt model, decided this record's place."""
        return self.prior_share > 0.5

    def summary(self, n: int = 5) -> str:
        """'protocol prior (80%): criteria +2.1, strategy +0.9; +heart failure' or the model's."""
        terms = super().summary(n)
        if not self.prior_driven:
            return terms
        parts = ", ".join(
            f"{name} {value:+.1f}"
            for name, value in self.prior_parts
            if not name.startswith("word:") and value
        )
        head = f"protocol prior ({self.prior_share:.0%})" + (f": {parts}" if parts else "")
        return f"{head}; {terms}" if terms else head


def standardise(
    values: npt.NDArray[np.float64], mask: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """Standardise by the mean and SD over `mask` (the unscreened records); constant -> zeros.

    >>> standardise(np.array([1.0, 3.0, 9.0]), np.array([True, True, False])).tolist()
    [-1.0, 1.0, 7.0]
    """
    pool = values[mask] if mask.any() else values
    spread = float(pool.std()) if pool.size else 0.0
    if not np.isfinite(spread) or spread < 1e-12:
        return np.zeros_like(values)
    return (values - float(pool.mean())) / spread


class PriorRankingModel(RankingModel):
    """The protocol prior blended with a ranking model (or alone, `base=None`); the same
    interface as `RankingModel`: `featurize`, `fit`, `fit_indices`, `decision_function`,
    `predict_proba`, `rank`, `explain`, `add_seeds`."""

    def __init__(
        self,
        base: RankingModel | None,
        prior: ProtocolPrior,
        k: float = DEFAULT_K,
        name: str | None = None,
    ) -> None:
        if k < 0:
            raise ValueError(f"the blend constant k must be >= 0, got {k}")
        self.base = base
        self.prior = prior
        self.k = float(k)
        self.name = name or (f"{base.name}+prior" if base is not None else "prior")
        self.seed = base.seed if base is not None else 0
        if base is not None:
            self.components, self.features = base.components, base.features
        self.X: sp.csr_matrix | None = None
        self.labels: npt.NDArray[np.int8] | None = None
        self.scores_: npt.NDArray[np.float64] | None = None
        self.prior_scores: npt.NDArray[np.float64] | None = None
        self.has_abstract: npt.NDArray[np.bool_] | None = None
        self.weight_: float = 1.0
        self._z_prior: npt.NDArray[np.float64] | None = None
        self._z_base: npt.NDArray[np.float64] | None = None
        self._fingerprint: int | None = None
        self._base_fitted = False

    def weight(self, n_included: int) -> float:
        """The prior's weight after `n_included` inclusions: k / (k + n).

        >>> PriorRankingModel(None, ProtocolPrior(), k=2).weight(2)
        0.5
        """
        if n_included <= 0:
            return 1.0
        return self.k / (self.k + n_included)

    # -- features ---------------------------------------------------------------------------
    def featurize(self, records: Sequence[RecordLike]) -> sp.csr_matrix:
        """The base model's features (cached by it) and the prior's score of every record."""
        fields = [record_fields(r) for r in records]
        fingerprint = hash((len(fields), tuple(fields)))
        if self.prior_scores is None or fingerprint != self._fingerprint:
            self.prior_scores = self.prior.score(fields)
            self.has_abstract = np.array([bool(a.strip()) for _, a in fields], dtype=bool)
            self._fingerprint = fingerprint
        if self.base is not None:
            self.X = self.base.featurize(fields)
        elif self.X is None or self.X.shape[0] != len(fields):
            self.X = sp.csr_matrix((len(fields), 0), dtype=np.float32)
        return self.X

    # -- learning ---------------------------------------------------------------------------
    def fit(
        self, records: Sequence[RecordLike], labels: LabelsLike, seeds: Sequence[RecordLike] = ()
    ) -> PriorRankingModel:
        """Score every record: the prior alone until the base model can learn (an inclusion
        and an exclusion, or what the base needs), then the blend."""
        X = self.featurize(records)
        self.labels = parse_labels(labels, X.shape[0])
        base_scores = None
        if self.base is not None:
            try:
                self.base.fit(records, self.labels, seeds)
                base_scores = self.base.decision_function()
            except ValueError:  # one class only: nothing to learn yet
                base_scores = None
        self._blend(base_scores)
        return self

    def fit_indices(
        self, X: sp.csr_matrix, index: npt.NDArray[np.int_], y: npt.NDArray[np.int_]
    ) -> npt.NDArray[np.float64]:
        """Low-level refit used by simulation (after `featurize`): rows `index` labelled `y`."""
        self.X = X
        labels = np.full(X.shape[0], -1, dtype=np.int8)
        labels[np.asarray(index, dtype=np.intp)] = np.asarray(y, dtype=np.int8)
        self.labels = labels
        base_scores = None
        if self.base is not None and len(index):
            try:
                base_scores = self.base.fit_indices(X, np.asarray(index), np.asarray(y)).copy()
            except ValueError:
                base_scores = None
        self._blend(base_scores)
        assert self.scores_ is not None
        return self.scores_

    def add_seeds(self, seeds: Sequence[RecordLike]) -> PriorRankingModel:
        """Seed papers train the base model (the prior is the protocol's and stays as it is)."""
        if self.labels is None:
            raise RuntimeError("call fit() before add_seeds()")
        if self.base is not None:
            self.base.add_seeds(seeds)
            self._blend(self.base.decision_function())
        return self

    def _blend(self, base_scores: npt.NDArray[np.float64] | None) -> None:
        assert self.prior_scores is not None and self.labels is not None
        open_ = self.labels < 0
        n_included = int((self.labels == 1).sum())
        self._z_prior = standardise(self.prior_scores, open_)
        self._base_fitted = base_scores is not None
        if base_scores is None:
            self.weight_, self._z_base = 1.0, np.zeros_like(self._z_prior)
        else:
            self.weight_ = self.weight(n_included)
            self._z_base = standardise(np.asarray(base_scores, dtype=np.float64), open_)
        self.scores_ = self.weight_ * self._z_prior + (1.0 - self.weight_) * self._z_base
        # A prior that is all ties (no protocol text) must not scramble the order: ties keep
        # corpus order in `rank` (stable sort), as an untrained queue does.

    # -- scoring ----------------------------------------------------------------------------
    def decision_function(self, records: Sequence[RecordLike] | None = None) -> npt.NDArray[Any]:
        """The blended score of the corpus; for new `records`, the base model's score once it
        has learnt (the prior of a new record has no corpus to be standardised against), else
        the prior's raw score."""
        if self.scores_ is None:
            raise RuntimeError("call fit() first")
        if records is None:
            return self.scores_
        if self.base is not None and self._base_fitted:
            return self.base.decision_function(records)
        return self.prior.score(records)

    def explain(self, index: int, top: int = 10) -> PriorExplanation:
        """The base model's terms (if it has learnt), with the prior's weight and share; when
        the prior drove the place, its parts and the protocol words the record shares."""
        if self.scores_ is None or self._z_prior is None or self._z_base is None:
            raise RuntimeError("call fit() first")
        prior_part = abs(self.weight_ * float(self._z_prior[index]))
        base_part = abs((1.0 - self.weight_) * float(self._z_base[index]))
        share = prior_part / (prior_part + base_part) if prior_part + base_part else self.weight_
        parts = tuple(self.prior.explain(index, top))
        if self.base is not None and self._base_fitted:
            inner = self.base.explain(index, top)
            terms, has_abstract = inner.terms, inner.has_abstract
        else:
            terms = []
            has_abstract = bool(self.has_abstract[index]) if self.has_abstract is not None else True
        if share > 0.5 or not terms:
            words = [TermContribution(name, 1.0) for name, _ in parts if name.startswith("word:")]
            terms = words[:top] if share > 0.5 else terms
        return PriorExplanation(
            index,
            float(self.scores_[index]),
            terms,
            has_abstract,
            prior_weight=self.weight_,
            prior_share=share,
            prior_parts=parts,
        )


def with_prior(
    model: RankingModel | None, prior: ProtocolPrior | None, k: float = DEFAULT_K
) -> RankingModel:
    """`model` blended with `prior`, or `model` unchanged when the prior is absent or empty."""
    if prior is None or prior.is_empty():
        if model is None:
            raise ValueError("a prior-only ranking needs a prior with text, terms or a strategy")
        return model
    return PriorRankingModel(model, prior, k)
