"""Dynamic resampling of the training rows against class imbalance ("double balance").

ASReview's early versions trained on a resampled set rather than on weighted rows: inclusions are
repeated so that they carry a share of the training set that shrinks as inclusions accumulate,
and exclusions are subsampled at random, their share growing as screening proceeds. A fresh
subsample at each retrain means successive fits see different exclusions (a bagging effect).
This module follows that idea with its published shape (a power law in the class ratio for
inclusions, a log schedule in the number screened for exclusions); the constants are ASReview's
defaults as reported in its documentation (a=2.155, alpha=0.94, b=0.789, beta=1.0).

>>> rows = double_balance_rows(np.array([1, 0, 0, 0, 0, 0]), n_read=6, rng=np.random.RandomState(0))
>>> int((rows == 0).sum()) >= 1, len(rows) == 6     # the inclusion (row 0) is repeated
(True, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def double_balance_rows(
    y: npt.NDArray[Any],
    n_read: int,
    rng: np.random.RandomState,
    a: float = 2.155,
    alpha: float = 0.94,
    b: float = 0.789,
    beta: float = 1.0,
) -> npt.NDArray[np.intp]:
    """Row indices of a resampled training set of the same size as `y`.

    Inclusions are repeated (each at least once), exclusions drawn without replacement (at
    least one). The expected inclusion share is `w1 n1 / (w1 n1 + w0 n0)` with
    `w1 = a (n1 / n0) ** -alpha` and `w0 = 1 - (1 - b) (1 + ln n_read) ** -beta`.
    """
    ones = np.flatnonzero(y == 1)
    zeros = np.flatnonzero(y == 0)
    n1, n0, total = ones.size, zeros.size, y.size
    if n1 == 0 or n0 == 0:
        return np.arange(total)
    w1 = a * (n1 / n0) ** (-alpha)
    w0 = 1.0 - (1.0 - b) * (1.0 + np.log(max(n_read, 1))) ** (-beta)
    share = w1 * n1 / (w1 * n1 + w0 * n0)
    n1_train = int(min(max(round(share * total), n1), total - 1))
    n0_train = max(1, min(n0, total - n1_train))
    # Every inclusion once, then whole repeats, then a random remainder: no inclusion is lost.
    repeats, extra = divmod(n1_train, n1)
    picked_ones = np.concatenate([np.tile(ones, repeats), rng.choice(ones, extra, replace=False)])
    picked_zeros = rng.choice(zeros, n0_train, replace=False)
    return np.sort(np.concatenate([picked_ones, picked_zeros]).astype(np.intp))
