"""Invariances of the MMD statistics and tests, as property tests.

The Gaussian kernel depends on the data through pairwise distances only, so
every statistic is invariant to a common shift of X and Y; with the
median-heuristic bandwidth (distances divided by their median) it is also
invariant to a common scale. A fixed bandwidth is not scale invariant by
design (the kernel's length scale is in data units). Permutation p-values
are invariant too when the seed is fixed: the null draws relabel the pooled
rows, whose kernel matrix is the same.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statnorm.mmd import MMDTest, mmd2, power_criterion

_scale = st.sampled_from([1e-200, 1e-3, 0.37, 1.0, 8.0, 1e5, 1e200, 1e300])
_shift = st.floats(-1e3, 1e3, allow_nan=False)


def _samples(seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(25, 3)), rng.normal(size=(30, 3)) + 0.4


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), shift=_shift, scale=_scale)
def test_median_heuristic_mmd_is_invariant_to_shift_and_scale(seed, shift, scale):
    X, Y = _samples(seed)
    ref = mmd2(X, Y)
    got = mmd2((X + shift) * scale, (Y + shift) * scale)
    assert np.isfinite(got)
    assert got == pytest.approx(ref, rel=1e-8, abs=1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), shift=_shift, scale=_scale)
def test_permutation_pvalue_is_invariant_to_shift_and_scale(seed, shift, scale):
    X, Y = _samples(seed)
    t = MMDTest(n_permutations=99, random_state=seed)
    a = t.test(X, Y)
    b = t.test((X + shift) * scale, (Y + shift) * scale)
    assert b.pvalue == a.pvalue
    assert b.statistic == pytest.approx(a.statistic, rel=1e-8, abs=1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), scale=_scale)
def test_power_criterion_is_scale_invariant_with_the_median(seed, scale):
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(20, 2)), rng.normal(size=(20, 2)) + 0.5
    a = power_criterion(X, Y)
    b = power_criterion(X * scale, Y * scale)
    assert b.criterion == pytest.approx(a.criterion, rel=1e-6)


def test_fixed_bandwidth_is_shift_invariant_not_scale_invariant():
    X, Y = _samples(0)
    a = mmd2(X, Y, kernel=2.0)
    assert mmd2(X + 100.0, Y + 100.0, kernel=2.0) == pytest.approx(a, rel=1e-9)
    assert mmd2(X * 10, Y * 10, kernel=2.0) != pytest.approx(a, rel=1e-3)


def test_swapping_the_samples_keeps_the_statistic():
    X, Y = _samples(1)
    assert mmd2(Y, X) == pytest.approx(mmd2(X, Y), rel=1e-12)


def test_row_order_within_a_sample_keeps_the_statistic():
    X, Y = _samples(2)
    rng = np.random.default_rng(0)
    got = mmd2(X[rng.permutation(len(X))], Y[rng.permutation(len(Y))])
    assert got == pytest.approx(mmd2(X, Y), rel=1e-12)
