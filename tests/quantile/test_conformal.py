"""statnorm.quantile conformal: post-processing, MAPIE parity, prefit models."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import QuantileRegressor
from threadpoolctl import threadpool_limits

from statnorm.quantile import ConformalQuantileRegressor

FrozenEstimator = pytest.importorskip("sklearn.frozen").FrozenEstimator


@pytest.fixture(autouse=True)
def _one_openmp_thread():
    with threadpool_limits(1):
        yield


class ShiftedFan(RegressorMixin, BaseEstimator):
    """A fixed fan q_tau(x) = x + offset_tau: nothing is learnt from y."""

    def __init__(self, offsets=None):
        self.offsets = offsets

    def fit(self, X, y):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X, quantiles=None):
        x = np.asarray(X, dtype=float)[:, :1]
        return x + np.asarray(self.offsets, dtype=float)[None, :]


def _rank(level, n):
    return int(np.ceil(level * (n + 1) - 1e-12))


@pytest.mark.parametrize("monotone", ["minmax", None])
def test_asymmetric_one_sided_miss_rates_monte_carlo(monotone):
    """Each one-sided miss rate of asymmetric CQR equals 1 - r/(n + 1).

    The fixed fan's median (offset -3) lies below every calibrated lower
    bound for exponential targets, so a min-max sweep out from the raw median
    would pull the lower bounds down to it (miss rate 0). For a fixed fan the
    scores are exchangeable and continuous, so the expected miss rate of
    level tau is exactly 1 - ceil(level (n + 1)) / (n + 1); each must lie
    within 3 Monte Carlo SEs of it.
    """
    tau = np.array([0.05, 0.1, 0.5, 0.9, 0.95])
    fan = FrozenEstimator(ShiftedFan([0.0, 0.0, -3.0, 0.0, 0.0]).fit(np.zeros((1, 1)), None))
    rng = np.random.default_rng(2026)
    n_cal, n_test, reps = 99, 200, 400
    miss = np.empty((reps, tau.size - 1))
    for r in range(reps):
        X = rng.uniform(size=(n_cal + n_test, 1))
        y = X[:, 0] + rng.exponential(size=n_cal + n_test)
        est = ConformalQuantileRegressor(
            fan, quantiles=tau, method="asymmetric", monotone=monotone
        ).fit(X[:n_cal], y[:n_cal])
        Q = est.predict(X[n_cal:])
        yt = y[n_cal:]
        miss[r] = [
            (yt < Q[:, 0]).mean(),
            (yt < Q[:, 1]).mean(),
            (yt > Q[:, 3]).mean(),
            (yt > Q[:, 4]).mean(),
        ]
    levels = np.array([0.95, 0.9, 0.9, 0.95])
    expected = 1 - np.array([_rank(v, n_cal) for v in levels]) / (n_cal + 1)
    mean = miss.mean(axis=0)
    se = miss.std(axis=0, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(mean - expected) <= 3 * se), (mean, expected, se)
