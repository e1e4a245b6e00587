"""Units do not change the answer: R3D's equivariances as property tests.

For a running variable in other units, ``x -> a x + b`` with the cutoff
``c -> a c + b`` (``a > 0``), the effect, bands and p-values are unchanged and
bandwidths scale by ``a``; for outcomes in other units, ``samples -> k
samples``, the effect and bands scale by ``k`` and p-values are unchanged.
Both hold for the simple and Fréchet estimators, sharp and fuzzy designs,
every kernel, fixed and data-driven bandwidths (to 1e-9 relative). The
data-driven rule achieves this by running R3D's selector in standard units
(:func:`statnorm.rdd._locpoly.select_bandwidth`); ``r3d_compat=True`` keeps
R's selector, which is not equivariant (see ``test_r3d_compat_is_not_equivariant``).
A negative ``a`` swaps the sides of the cutoff, so the effect changes sign
(and units exactly at the cutoff change side): not an invariance.
"""

import itertools

import numpy as np
import pytest

from statnorm.rdd import DistributionalRDD

Q = np.array([0.2, 0.5, 0.8])
RTOL = 1e-9


def _data(seed=0, n=240, m=25):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    S = rng.normal(size=(n, m)) * (1 + 0.5 * (x >= 0))[:, None]
    S += 2 * x[:, None] + (x >= 0)[:, None]
    T = (rng.uniform(size=n) < 0.2 + 0.6 * (x >= 0)).astype(float)
    return x, S, T


def _fit(x, S, T, cutoff, bandwidth, **kw):
    est = DistributionalRDD(
        cutoff=cutoff,
        q_grid=Q,
        bandwidth=bandwidth,
        bandwidth_treatment=bandwidth if kw.get("fuzzy") else "mse",
        n_bootstrap=40,
        random_state=0,
        **kw,
    )
    return est.fit(x, S, treatment=T if kw.get("fuzzy") else None)


def _close(a, b, what):
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=0, err_msg=what)


GRID = list(
    itertools.product(
        ["simple", "frechet"],
        [False, True],
        ["triangular", "epanechnikov", "uniform"],
        ["mse", 0.7],
    )
)


@pytest.mark.parametrize(("method", "fuzzy", "kernel", "bw"), GRID)
@pytest.mark.parametrize(("a", "b"), [(100.0, 0.0), (0.01, 3.0), (365.25, -1e4)])
def test_running_variable_units(method, fuzzy, kernel, bw, a, b):
    x, S, T = _data()
    kw = {"method": method, "fuzzy": fuzzy, "kernel": kernel}
    base = _fit(x, S, T, 0.0, bw, **kw)
    bw2 = bw if isinstance(bw, str) else bw * a
    got = _fit(a * x + b, S, T, b, bw2, **kw)
    _close(got.tau_, base.tau_, "tau")
    _close(got.bandwidth_, a * base.bandwidth_, "bandwidth")
    _close(got.band_lower_, base.band_lower_, "band")
    _close(got.band_upper_, base.band_upper_, "band")
    _close(got.std_error_, base.std_error_, "std_error")
    half = got.pointwise_upper_ - got.tau_  # half-widths: no cancellation
    _close(half, base.pointwise_upper_ - base.tau_, "pointwise")
    assert got.test_nullity().pvalue == base.test_nullity().pvalue
    if fuzzy:
        _close(got.bandwidth_treatment_, a * base.bandwidth_treatment_, "h_T")


@pytest.mark.parametrize(("method", "fuzzy", "kernel", "bw"), GRID)
@pytest.mark.parametrize("k", [1e-9, 1e-20, 1e200])
def test_outcome_units(method, fuzzy, kernel, bw, k):
    x, S, T = _data(1)
    kw = {"method": method, "fuzzy": fuzzy, "kernel": kernel}
    base = _fit(x, S, T, 0.0, bw, **kw)
    got = _fit(x, S * k, T, 0.0, bw, **kw)
    _close(got.tau_ / k, base.tau_, "tau")
    _close(got.bandwidth_, base.bandwidth_, "bandwidth")
    _close(got.band_lower_ / k, base.band_lower_, "band")
    _close(got.band_upper_ / k, base.band_upper_, "band")
    _close(got.std_error_ / k, base.std_error_, "std_error")
    _close(got.bootstrap_std_error_ / k, base.bootstrap_std_error_, "boot se")
    half = (got.pointwise_upper_ - got.tau_) / k
    _close(half, base.pointwise_upper_ - base.tau_, "pointwise")
    assert got.test_nullity().pvalue == base.test_nullity().pvalue


def test_r3d_compat_is_not_equivariant():
    """R's selector: h / scale(x) moves with the units of x (documented)."""
    x, S, T = _data(2)
    a = _fit(x, S, T, 0.0, "mse", r3d_compat=True).bandwidth_
    b = _fit(3 * x, S, T, 0.0, "mse", r3d_compat=True).bandwidth_ / 3
    assert not np.allclose(a, b, rtol=1e-3)


def test_fallback_bandwidth_warns_and_is_recorded():
    """An undefined MSE bandwidth (no curvature) falls back loudly."""
    from statnorm.exceptions import StatnormWarning

    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, 200)
    # exactly linear quantile functions on each side: zero estimated bias
    S = np.repeat((1.0 + 2.0 * x)[:, None], 5, axis=1) + np.linspace(0, 1, 5)
    with pytest.warns(StatnormWarning, match="rule of thumb"):
        est = DistributionalRDD(q_grid=Q, n_bootstrap=0).fit(x, S)
    assert est.bandwidth_fallback_.any()
