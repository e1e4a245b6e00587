"""Affine equivariance of quantile fans and their scores, as property tests.

Quantiles are equivariant to increasing affine maps: if ``q_tau`` is the
tau-quantile of y, ``a q_tau + b`` is that of ``a y + b`` (``a > 0``). So
are linear quantile regression, the weights an aggregator learns from
pinball losses (the loss only scales by ``a``), conformal scores and
monotonisation. The pinball loss, interval score and WIS scale by ``a``;
coverage is invariant. (Equivariance of QuantileAggregator needs equivariant
base models; tree or nearest-neighbour models are, a neural network
trained from a fixed initialisation is not in general.)
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import QuantileRegressor

from statnorm.quantile import (
    ConformalQuantileRegressor,
    QuantileAggregator,
    interval_coverage,
    interval_score,
    monotonize,
    pinball_loss,
    weighted_interval_score,
)

TAU = np.array([0.1, 0.5, 0.9])
_a = st.sampled_from([1e-3, 0.5, 3.0, 1e4])
_b = st.floats(-1e3, 1e3, allow_nan=False)


def _fan(seed, n=60):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=n)
    Q = y[:, None] + rng.normal(size=(n, 3)) * [1.0, 0.5, 1.0] + [-1.0, 0.0, 1.0]
    return y, Q


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 1000), a=_a, b=_b)
def test_scores_scale_and_coverage_is_invariant(seed, a, b):
    y, Q = _fan(seed)
    Qs = np.sort(Q, axis=1)
    assert pinball_loss(a * y + b, a * Q + b, TAU) == pytest.approx(
        a * pinball_loss(y, Q, TAU), rel=1e-9
    )
    assert weighted_interval_score(a * y + b, a * Qs + b, TAU) == pytest.approx(
        a * weighted_interval_score(y, Qs, TAU), rel=1e-9
    )
    lo, hi = Qs[:, 0], Qs[:, 2]
    assert interval_score(a * y + b, a * lo + b, a * hi + b, 0.2) == pytest.approx(
        a * interval_score(y, lo, hi, 0.2), rel=1e-9
    )
    assert interval_coverage(a * y + b, a * lo + b, a * hi + b) == interval_coverage(
        y, lo, hi
    )


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 1000),
    a=_a,
    b=_b,
    method=st.sampled_from(["sort", "isotonic", "minmax"]),
)
def test_monotonize_is_affine_equivariant(seed, a, b, method):
    _, Q = _fan(seed)
    np.testing.assert_allclose(
        monotonize(a * Q + b, method=method),
        a * monotonize(Q, method=method) + b,
        rtol=1e-9,
        atol=1e-9 * (abs(b) + a),
    )


def _reg():
    return QuantileRegressor(alpha=0.0, solver="highs")


@pytest.mark.parametrize(("a", "b"), [(1e-3, 5.0), (250.0, -1e4)])
def test_linear_fans_are_affine_equivariant(a, b):
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(150, 2))
    y = X @ [3.0, -1.0] + rng.normal(size=150) * (0.5 + X[:, 0])
    agg = QuantileAggregator([("lin", _reg())], quantiles=TAU, cv=3, random_state=0)
    cqr = ConformalQuantileRegressor(_reg(), quantiles=TAU, random_state=0)
    for est in (agg, cqr):
        base = est.fit(X, y).predict(X)
        got = est.fit(X, a * y + b).predict(X)
        # HiGHS solves each LP to its own tolerance: equal to about 1e-6
        np.testing.assert_allclose(got, a * base + b, rtol=1e-6, atol=1e-6 * a)
