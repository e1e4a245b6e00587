"""Invariances of HighDimKDE implied by its definition, as property tests.

A kernel density estimate depends on differences between points, so
translating data and queries together leaves every log-density unchanged.
With ``standardize="full"`` (the default) the kernel is shaped by the data
covariance and the Scott bandwidth is in standard units, so ``x -> a x``
changes the log-density by exactly ``-d log|a|`` (the Jacobian), and the
regime diagnosis does not move. A fixed bandwidth without standardisation is
in data units and is not scale invariant by design.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statnorm.kde import HighDimKDE


def _data(seed, n=150, d=4):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(d, d))
    return rng.normal(size=(n, d)) @ A, rng.normal(size=(20, d)) @ A


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), shift=st.floats(-1e4, 1e4, allow_nan=False))
def test_translation_leaves_log_densities_unchanged(seed, shift):
    X, Q = _data(seed)
    a = HighDimKDE().fit(X).score_samples(Q)
    b = HighDimKDE().fit(X + shift).score_samples(Q + shift)
    np.testing.assert_allclose(b, a, rtol=1e-7, atol=1e-7)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), scale=st.sampled_from([1e-6, 0.3, 7.0, 1e6]))
def test_scale_shifts_log_density_by_the_jacobian(seed, scale):
    X, Q = _data(seed)
    d = X.shape[1]
    a = HighDimKDE().fit(X).score_samples(Q)
    b = HighDimKDE().fit(X * scale).score_samples(Q * scale)
    np.testing.assert_allclose(b, a - d * np.log(scale), rtol=1e-8, atol=1e-7)


def test_regime_does_not_depend_on_units():
    X, Q = _data(0)
    a = HighDimKDE().fit(X).regime_report(Q, warn=False)
    b = HighDimKDE().fit(X * 1e3 + 5).regime_report(Q * 1e3 + 5, warn=False)
    assert a.regime == b.regime
    assert b.mu_hat == pytest.approx(a.mu_hat, rel=1e-6)


def test_row_order_of_the_data_does_not_matter():
    X, Q = _data(1)
    perm = np.random.default_rng(0).permutation(len(X))
    a = HighDimKDE().fit(X).score_samples(Q)
    b = HighDimKDE().fit(X[perm]).score_samples(Q)
    np.testing.assert_allclose(b, a, rtol=1e-10)


def test_fixed_bandwidth_without_standardisation_is_in_data_units():
    X, Q = _data(2)
    a = HighDimKDE(bandwidth=0.5, standardize="none").fit(X).score_samples(Q)
    b = HighDimKDE(bandwidth=0.5, standardize="none").fit(3 * X).score_samples(3 * Q)
    assert not np.allclose(b, a - X.shape[1] * np.log(3), rtol=1e-3)
