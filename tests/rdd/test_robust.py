"""Robust bias-corrected (RBC) inference of DistributionalRDD.

Calonico, Cattaneo and Titiunik (2014); docs/methods/rdd.rst, "Robust
bias-corrected inference".
"""

import numpy as np
import pytest
from sklearn.base import clone

from statnorm.rdd import DistributionalRDD, scalar_rd
from statnorm.rdd._dgp import simulate_dgp1, simulate_fuzzy_dgp1

DECILES = np.arange(1, 10) / 10


def _scalar(x, y, **kw):
    est = DistributionalRDD(
        q_grid=[0.5], kernel="epanechnikov", monotone=None, n_bootstrap=0, **kw
    )
    return est.fit_quantiles(x, y[:, None])


@pytest.mark.parametrize("vce", ["hc0", "hc1", "hc2", "hc3"])
@pytest.mark.parametrize("h,b", [(0.6, 0.6), (0.6, 0.9), (0.6, 0.4), (0.5, None)])
def test_scalar_outcome_matches_scalar_rd_robust_row(rng, vce, h, b):
    # one "quantile" column: the bias-corrected estimate and robust standard
    # error are rdrobust's (as reproduced by scalar_rd) for every vce
    x, S = simulate_dgp1(rng, n=400)
    y = np.median(S, axis=1)
    est = _scalar(x, y, bandwidth=h, bandwidth_bias=b, vce=vce)
    ref = scalar_rd(
        y, x, p=2, q=3, h=h, b=2 * h if b is None else b, kernel="epanechnikov", vce=vce
    )
    assert est.tau_[0] == pytest.approx(ref.estimate[0], rel=1e-11)
    assert est.tau_bias_corrected_[0] == pytest.approx(ref.estimate[2], rel=1e-11)
    assert est.std_error_[0] == pytest.approx(ref.std_error[2], rel=1e-10)
    if b is None:
        np.testing.assert_allclose(est.bandwidth_bias_, 2 * est.bandwidth_)


@pytest.mark.parametrize("vce", ["hc0", "hc2", "hc3"])
def test_conventional_hc_matches_scalar_rd_conventional_row(rng, vce):
    x, S = simulate_dgp1(rng, n=400)
    y = np.median(S, axis=1)
    est = _scalar(x, y, bandwidth=0.6, inference="conventional", vce=vce)
    ref = scalar_rd(y, x, p=2, h=0.6, b=0.6, kernel="epanechnikov", vce=vce)
    assert est.std_error_[0] == pytest.approx(ref.std_error[0], rel=1e-10)
    assert est.tau_bias_corrected_ is None


def test_tau_is_conventional_and_band_is_centred_at_bias_corrected(rng):
    x, S = simulate_dgp1(rng, n=300)
    rob = DistributionalRDD(q_grid=DECILES, n_bootstrap=99, random_state=0).fit(x, S)
    conv = clone(rob).set_params(inference="conventional").fit(x, S)
    assert rob.result_.inference == "robust"
    assert conv.result_.inference == "conventional"
    np.testing.assert_array_equal(rob.tau_, conv.tau_)
    centre = rob.tau_bias_corrected_
    np.testing.assert_allclose(rob.band_upper_ - centre, rob.critical_value_)
    np.testing.assert_allclose(centre - rob.band_lower_, rob.critical_value_)
    assert not np.allclose(centre, rob.tau_)
    # the tests use the bias-corrected effect and its draws
    assert rob.test_nullity().statistic == pytest.approx(np.max(np.abs(centre)))
    # robust intervals are wider (the bias estimate adds variance)
    assert np.all(rob.std_error_ > conv.std_error_)


def test_r3d_compat_keeps_conventional_inference(rng):
    x, S = simulate_dgp1(rng, n=300)
    kw = {"q_grid": DECILES, "kernel": "epanechnikov", "n_bootstrap": 50}
    compat = DistributionalRDD(r3d_compat=True, random_state=1, **kw).fit(x, S)
    pinned = DistributionalRDD(
        r3d_compat=True, inference="conventional", random_state=1, **kw
    ).fit(x, S)
    assert compat.result_.inference == "conventional"
    np.testing.assert_array_equal(compat.band_lower_, pinned.band_lower_)
    robust = DistributionalRDD(
        r3d_compat=True, inference="robust", random_state=1, **kw
    ).fit(x, S)
    assert robust.result_.inference == "robust"


def test_fuzzy_robust_is_the_ratio_of_bias_corrected_jumps(rng):
    x, S, t = simulate_fuzzy_dgp1(rng, n=600)
    est = DistributionalRDD(
        q_grid=DECILES,
        fuzzy=True,
        bandwidth=0.6,
        bandwidth_treatment=0.7,
        monotone=None,
        n_bootstrap=0,
    ).fit(x, S, treatment=t)
    num = DistributionalRDD(
        q_grid=DECILES, bandwidth=0.6, monotone=None, n_bootstrap=0
    ).fit(x, S)  # the numerator alone: sharp fit of the outcomes
    tden = DistributionalRDD(
        q_grid=[0.5], bandwidth=0.7, monotone=None, n_bootstrap=0
    ).fit_quantiles(x, t[:, None])
    np.testing.assert_allclose(
        est.tau_bias_corrected_,
        num.tau_bias_corrected_ / tden.tau_bias_corrected_[0],
        rtol=1e-12,
    )


def test_bad_bias_settings_name_the_argument(rng):
    x, S = simulate_dgp1(rng, n=300)
    est = DistributionalRDD(q_grid=DECILES, bandwidth=0.5, n_bootstrap=0)
    with pytest.raises(ValueError, match="bandwidth_bias"):
        clone(est).set_params(bandwidth_bias=0.005).fit(x, S)
    with pytest.raises(ValueError, match="bandwidth_bias"):
        clone(est).set_params(bandwidth_bias=[0.5, 0.6]).fit(x, S)
    with pytest.raises(ValueError, match="bias_order"):
        clone(est).set_params(bias_order=2).fit(x, S)
    with pytest.raises(ValueError, match="rho"):
        clone(est).set_params(rho=0.0).fit(x, S)
    with pytest.raises(ValueError, match="vce"):
        clone(est).set_params(vce="nn").fit(x, S)
    # a bias bandwidth far beyond the data is fine (global fit on each side)
    far = clone(est).set_params(bandwidth_bias=50.0).fit(x, S)
    assert np.all(np.isfinite(far.std_error_))


def _coverage(inference, reps, n=200):
    band, pw = [], []
    for r in range(reps):
        x, S = simulate_dgp1(np.random.default_rng(1000 + r), n=n)
        est = DistributionalRDD(
            method="frechet",
            kernel="epanechnikov",
            q_grid=DECILES,
            n_bootstrap=199,
            random_state=r,
            inference=inference,
        ).fit(x, S)
        band.append(np.all((est.band_lower_ <= 2) & (est.band_upper_ >= 2)))
        pw.append(np.mean((est.pointwise_lower_ <= 2) & (est.pointwise_upper_ >= 2)))
    return np.mean(band), np.mean(pw), np.std(pw, ddof=1) / np.sqrt(reps)


@pytest.mark.slow
def test_robust_default_covers_at_n200_where_conventional_does_not():
    # The author's DGP1 (m = 50, deciles, Epanechnikov, p = 2, data-driven
    # bandwidths, B = 199), n = 200, Frechet. Measured with
    # benchmarks/coverage_rdd.py at 500 replications: robust band 0.968,
    # pointwise 0.944; conventional 0.900 / 0.898.
    reps = 300
    se = np.sqrt(0.95 * 0.05 / reps)
    band, pw, pw_se = _coverage("robust", reps)
    assert abs(band - 0.95) <= 3 * se, band
    assert abs(pw - 0.95) <= 3 * max(pw_se, 0.005), pw
    band_c, pw_c, _ = _coverage("conventional", reps)
    assert band_c < 0.95 - 2 * se, band_c
    assert pw_c < pw, (pw_c, pw)
