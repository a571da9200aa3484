"""Linear scorers the ranking ensemble is built from. Each returns weights over the features.

Every scorer is `score(x) = x @ coef + intercept`, so the ensemble stays linear (exact term
explanations, one sparse product to rerank). All train on the labelled rows only.

>>> import scipy.sparse as sp, numpy as np
>>> X = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]))
>>> s = svm(X, np.array([1, 0]))
>>> bool(s.coef[0] > s.coef[1])
True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

try:  # private, but stable across scikit-learn 1.x; LinearSVC is the fallback
    from sklearn.svm._base import _fit_liblinear
except ImportError:  # pragma: no cover
    _fit_liblinear = None


@dataclass(frozen=True)
class LinearScore:
    coef: npt.NDArray[np.float64]
    intercept: float


def balanced_weights(y: npt.NDArray[Any], ratio: float) -> npt.NDArray[np.float64]:
    """Sample weights giving the exclusions `1/ratio` of the inclusions' total weight.

    The same scheme as ASReview's 'balanced' balancer: inclusions weigh 1, each exclusion
    `n_incl / (ratio * n_excl)`, then rescaled to sum to the number of rows. `ratio <= 0`
    gives every row weight 1.

    >>> balanced_weights(np.array([1, 0, 0, 0]), 1.0).round(2).tolist()
    [2.0, 0.67, 0.67, 0.67]
    """
    if ratio <= 0:  # no reweighting: the rows were balanced by resampling (ranking.balance)
        return np.ones(len(y))
    n_pos = float((y == 1).sum())
    n_neg = float((y == 0).sum())
    weights = np.where(y == 1, 1.0, n_pos / (ratio * n_neg))
    return weights * (len(y) / weights.sum())


def _liblinear(
    X: sp.csr_matrix,
    y: npt.NDArray[Any],
    C: float,
    tol: float,
    seed: int,
    loss: str,
    weights: npt.NDArray[np.float64],
) -> LinearScore | None:
    """The solver LinearSVC and LogisticRegression(solver="liblinear") call, without their
    per-fit validation and label encoding, which cost as much as the solve on a few hundred
    labelled rows; None when scikit-learn no longer has it (the callers fall back to the
    estimators). Same arguments as the estimators with an intercept, L2, dual, 1000 iterations."""
    if _fit_liblinear is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        coef, intercept, _ = _fit_liblinear(
            X,
            np.asarray(y, dtype=np.int64),
            C,
            True,
            1.0,
            None,
            "l2",
            True,
            0,
            1000,
            tol,
            np.random.RandomState(seed),
            "ovr",
            loss,
            sample_weight=weights,
        )
    return LinearScore(np.asarray(coef, dtype=np.float64).ravel(), float(np.ravel(intercept)[0]))


def svm(
    X: sp.csr_matrix,
    y: npt.NDArray[Any],
    seed: int = 0,
    C: float = 0.11,
    ratio: float = 9.8,
    tol: float = 1e-4,
) -> LinearScore:
    """Linear SVM (squared hinge) with balanced sample weights."""
    weights = balanced_weights(y, ratio)
    fitted = _liblinear(X, y, C, tol, seed, "squared_hinge", weights)
    if fitted is not None:
        return fitted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LinearSVC(C=C, loss="squared_hinge", tol=tol, random_state=seed)
        model.fit(X, y, sample_weight=weights)
    return LinearScore(model.coef_.ravel().astype(np.float64), float(model.intercept_[0]))


def logistic(
    X: sp.csr_matrix, y: npt.NDArray[Any], seed: int = 0, C: float = 1.0, ratio: float = 1.0
) -> LinearScore:
    """L2 logistic regression with balanced sample weights, solved in the dual.

    The dual has one variable per labelled row rather than per term, so with a few hundred
    labels over tens of thousands of terms it is about 30x faster than the primal solver and
    reaches the same weights (to the solver's tolerance).
    """
    weights = balanced_weights(y, ratio)
    fitted = _liblinear(X, y, C, 1e-4, seed, "logistic_regression", weights)
    if fitted is not None:
        return fitted
    model = LogisticRegression(C=C, solver="liblinear", dual=True, random_state=seed, max_iter=1000)
    model.fit(X, y, sample_weight=weights)
    return LinearScore(model.coef_.ravel().astype(np.float64), float(model.intercept_[0]))


def naive_bayes(
    X: sp.csr_matrix, y: npt.NDArray[Any], seed: int = 0, alpha: float = 3.822, ratio: float = 1.2
) -> LinearScore:
    """Multinomial naive Bayes (as sklearn's MultinomialNB); its log-odds are linear in X.

    Computed directly: two weighted column sums, no per-fit validation overhead, which matters
    when a simulation refits hundreds of times.
    """
    weights = balanced_weights(y, ratio)
    log_probs, log_priors = [], []
    for label in (0, 1):
        rows = np.flatnonzero(y == label)
        counts = np.asarray(X[rows].T @ weights[rows], dtype=np.float64).ravel() + alpha
        log_probs.append(np.log(counts) - np.log(counts.sum()))
        log_priors.append(np.log(weights[rows].sum()))
    return LinearScore(log_probs[1] - log_probs[0], float(log_priors[1] - log_priors[0]))


def complement_nb(
    X: sp.csr_matrix, y: npt.NDArray[Any], seed: int = 0, alpha: float = 3.822, ratio: float = 1.2
) -> LinearScore:
    """Complement naive Bayes (Rennie et al. 2003) for two classes, as a linear scorer.

    Each class is scored by the term distribution of its *complement*. With two classes the
    complement of one is the other, so the log-odds are multinomial NB's term weights without
    the class prior: the intercept is 0. That drops the prior's pull towards "exclude", which
    with 1 inclusion against hundreds of exclusions otherwise swamps the few terms learnt.

    >>> X = sp.csr_matrix(np.array([[2.0, 0.0], [0.0, 2.0], [0.0, 1.0]]))
    >>> s = complement_nb(X, np.array([1, 0, 0]))
    >>> bool(s.coef[0] > 0 > s.coef[1]), s.intercept
    (True, 0.0)
    """
    return LinearScore(naive_bayes(X, y, seed, alpha, ratio).coef, 0.0)


def centroid(
    X: sp.csr_matrix, y: npt.NDArray[Any], seed: int = 0, beta: float = 0.5
) -> LinearScore:
    """Rocchio: similarity to the inclusions' centroid minus `beta` times the exclusions'."""
    positive = np.asarray(X[np.flatnonzero(y == 1)].mean(axis=0)).ravel()
    negative = np.asarray(X[np.flatnonzero(y == 0)].mean(axis=0)).ravel()
    return LinearScore((positive - beta * negative).astype(np.float64), 0.0)


COMPONENTS: dict[str, Callable[..., LinearScore]] = {
    "svm": svm,
    "logistic": logistic,
    "nb": naive_bayes,
    "cnb": complement_nb,
    "centroid": centroid,
}
