"""Pointwise inference, cluster bootstrap, covariates and the density test.

Reference numbers: ``data/rdrobust_reference.npz`` (rdrobust 2.1.1's
conventional estimate and HC0 standard error at fixed bandwidths, see
``data/make_rdrobust_fixture.py``). Monte Carlo checks state their number of
replications and fail beyond three Monte Carlo standard errors.
"""

from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm

from statnorm.exceptions import StatnormWarning
from statnorm.rdd import DistributionalRDD
from statnorm.rdd._dgp import simulate_dgp1

DECILES = np.arange(1, 10) / 10
RDROBUST = np.load(Path(__file__).parent / "data" / "rdrobust_reference.npz")
SETTINGS = [
    ("triangular", 1, 0.5),
    ("triangular", 2, 0.8),
    ("epanechnikov", 1, 0.6),
    ("epanechnikov", 2, 0.9),
    ("uniform", 1, 0.4),
]
KERNELS = {
    "triangular": lambda u: np.clip(1 - np.abs(u), 0, None),
    "epanechnikov": lambda u: np.clip(0.75 * (1 - u * u), 0, None),
    "uniform": lambda u: 0.5 * (np.abs(u) <= 1),
}


def _scalar_fit(x, y, c, kernel, p, h, **fit_kw):
    """DistributionalRDD on a scalar outcome: one 'quantile' column."""
    est = DistributionalRDD(
        cutoff=c,
        q_grid=[0.5],
        bandwidth=h,
        kernel=kernel,
        p=p,
        n_bootstrap=0,
        monotonize="none",
    )
    return est.fit_quantiles(x, y[:, None], **fit_kw)


def _joint_wls(x, y, c, kernel, p, h, Z=None):
    """Statsmodels WLS of y on side-specific polynomials (and common Z)."""
    u = (x - c) / h
    k = KERNELS[kernel](u)
    keep = k > 0
    plus = (x >= c)[keep].astype(float)
    V = np.vander(u[keep], p + 1, increasing=True)
    cols = [V * plus[:, None], V * (1 - plus)[:, None]]
    if Z is not None:
        cols.append(Z[keep])
    design = np.column_stack(cols)
    contrast = np.zeros(design.shape[1])
    contrast[0], contrast[p + 1] = 1.0, -1.0
    return design, y[keep], k[keep], keep, contrast


# --------------------------------------------------------- (a) pointwise
@pytest.mark.parametrize("j", range(len(SETTINGS)))
def test_scalar_estimate_and_se_match_rdrobust_hc0(j):
    kernel, p, h = SETTINGS[j]
    x, y, c = RDROBUST["x"], RDROBUST["y"], float(RDROBUST["cutoff"])
    est = _scalar_fit(x, y, c, kernel, p, h)
    assert est.tau_[0] == pytest.approx(float(RDROBUST[f"plain_{j}_tau"]), rel=1e-10)
    assert est.std_error_[0] == pytest.approx(
        float(RDROBUST[f"plain_{j}_se"]), rel=1e-9
    )


@pytest.mark.parametrize("kernel,p,h", SETTINGS)
def test_scalar_se_matches_statsmodels_hc0(kernel, p, h):
    x, y, c = RDROBUST["x"], RDROBUST["y"], float(RDROBUST["cutoff"])
    design, yy, k, _, contrast = _joint_wls(x, y, c, kernel, p, h)
    res = sm.WLS(yy, design, weights=k).fit(cov_type="HC0")
    est = _scalar_fit(x, y, c, kernel, p, h)
    assert est.tau_[0] == pytest.approx(contrast @ res.params, rel=1e-10)
    se = np.sqrt(contrast @ res.cov_params() @ contrast)
    assert est.std_error_[0] == pytest.approx(se, rel=1e-10)


def test_live_rdrobust_agrees_when_installed(rng):
    rdrobust = pytest.importorskip("rdrobust").rdrobust
    x = rng.uniform(-1, 1, 300)
    y = np.sin(2 * x) + (x >= 0) + rng.normal(0, 0.3 + 0.3 * np.abs(x), 300)
    r = rdrobust(y, x, c=0.0, h=0.7, b=0.7, p=2, kernel="tri", vce="hc0")
    est = _scalar_fit(x, y, 0.0, "triangular", 2, 0.7)
    assert est.tau_[0] == pytest.approx(float(r.coef.iloc[0, 0]), rel=1e-10)
    assert est.std_error_[0] == pytest.approx(float(r.se.iloc[0, 0]), rel=1e-9)


@pytest.mark.parametrize("fuzzy", [False, True])
def test_bootstrap_se_estimates_the_plugin_se(rng, fuzzy):
    # Var(nu_b(q) | data) = std_error^2 exactly; the draws' standard deviation
    # has relative error about 1/sqrt(2B) = 0.016 at B = 2000.
    n = 400
    x = rng.uniform(-1, 1, n)
    t = (rng.uniform(size=n) < 0.2 + 0.6 * (x >= 0)).astype(float)
    d = t if fuzzy else (x >= 0)
    S = rng.normal(5 + 2 * x + 2 * d, 1 + 0.5 * np.abs(x), size=(30, n)).T
    est = DistributionalRDD(
        q_grid=DECILES,
        bandwidth=0.6,
        bandwidth_treatment=0.7,
        fuzzy=fuzzy,
        n_bootstrap=2000,
        random_state=0,
    ).fit(x, S, treatment=t if fuzzy else None)
    ratio = est.bootstrap_std_error_ / est.std_error_
    assert np.all(np.abs(ratio - 1) < 4 / np.sqrt(2 * 2000)), ratio
    # pointwise intervals sit inside the uniform band and around tau
    assert np.all(est.pointwise_lower_ >= est.band_lower_)
    assert np.all(est.pointwise_upper_ <= est.band_upper_)
    np.testing.assert_allclose(
        est.tau_ - est.pointwise_lower_, est.pointwise_upper_ - est.tau_
    )
    # bootstrap half-width ~ 1.96 se
    half = (est.pointwise_upper_ - est.pointwise_lower_) / 2
    assert np.all(np.abs(half / (1.96 * est.std_error_) - 1) < 0.15)


def test_fuzzy_se_is_the_delta_method(rng):
    # Scalar outcome: the fuzzy plug-in variance is the delta-method variance
    # of (num / den) from the stacked HC0 influence of both local fits.
    n, h, hT = 500, 0.6, 0.6
    x = rng.uniform(-1, 1, n)
    t = (rng.uniform(size=n) < 0.2 + 0.6 * (x >= 0)).astype(float)
    y = 1 + x + 2 * t + rng.normal(size=n)
    est = DistributionalRDD(
        q_grid=[0.5],
        bandwidth=h,
        bandwidth_treatment=hT,
        fuzzy=True,
        n_bootstrap=0,
        monotonize="none",
    ).fit_quantiles(x, y[:, None], treatment=t)
    infl = []
    for v in (y, t):
        design, yy, k, keep, contrast = _joint_wls(x, v, 0.0, "triangular", 2, h)
        res = sm.WLS(yy, design, weights=k).fit()
        bread = np.linalg.solve(design.T @ (k[:, None] * design), design.T).T
        a = np.zeros(n)
        a[keep] = (bread @ contrast) * k * res.resid
        infl.append((a, contrast @ res.params))
    (ay, num), (at, den) = infl
    a = (den * ay - num * at) / den**2
    assert est.tau_[0] == pytest.approx(num / den, rel=1e-10)
    assert est.std_error_[0] == pytest.approx(np.sqrt(np.sum(a * a)), rel=1e-10)


def test_intervals_without_bootstrap_and_confidence_interval_kinds(rng):
    x, S = simulate_dgp1(rng, n=200, m=20)
    est = DistributionalRDD(q_grid=DECILES, bandwidth=0.6, n_bootstrap=0).fit(x, S)
    assert np.all(np.isfinite(est.std_error_)) and np.all(est.std_error_ > 0)
    assert np.all(np.isnan(est.pointwise_lower_))
    r = est.result_
    lo, hi = r.confidence_interval(kind="normal")
    np.testing.assert_allclose(hi - lo, 2 * 1.959963984540054 * est.std_error_)
    lo90, hi90 = r.confidence_interval(0.9, kind="normal")
    assert np.all(hi90 - lo90 < hi - lo)
    with pytest.raises(ValueError, match="kind"):
        r.confidence_interval(kind="bogus")
    with pytest.raises(ValueError, match="confidence_level"):
        r.confidence_interval(0.9, kind="pointwise")
    frame = r.to_frame()
    assert {"std_error", "pointwise_lower", "pointwise_upper"} <= set(frame)


def test_summary_and_plot_show_pointwise_and_uniform(rng):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from statnorm.rdd import RDDEffectDisplay

    x, S = simulate_dgp1(rng, n=200, m=20)
    est = DistributionalRDD(q_grid=DECILES, n_bootstrap=100, random_state=0)
    est.fit(x, S)
    text = str(est.summary())
    assert "std err" in text and "band lower" in text and "pointwise" in text
    assert "std err" in str(est.result_.summary())
    disp = RDDEffectDisplay.from_estimator(est)
    labels = [c.get_label() for c in disp.ax_.collections]
    assert any("pointwise" in s for s in labels)
    assert any("uniform" in s for s in labels)
    plt.close("all")


def test_too_few_draws_warns_with_statnorm_warning(rng):
    x, S = simulate_dgp1(rng, n=120, m=10)
    with pytest.warns(StatnormWarning, match="too small"):
        DistributionalRDD(q_grid=DECILES, n_bootstrap=10).fit(x, S)


@pytest.mark.slow
def test_pointwise_coverage_dgp1_fixed_bandwidth():
    # DGP1 (tau = 2 at every level), n = 1000 units x 50 draws, h = 0.5,
    # Epanechnikov, p = 2, B = 200, 400 replications (MC SE 0.011 per
    # level). Measured per-level coverage 0.93-0.96 (bootstrap intervals,
    # mean 0.939) and 0.925-0.95 (normal intervals, mean 0.937); at n = 200
    # (h = 0.6) both average 0.92. Fail beyond 3 MC SE of 0.95 at any level.
    reps = 400
    se = np.sqrt(0.95 * 0.05 / reps)
    hit_b, hit_n = np.zeros(9), np.zeros(9)
    for r in range(reps):
        x, S = simulate_dgp1(np.random.default_rng(1000 + r), n=1000)
        est = DistributionalRDD(
            method="frechet",
            kernel="epanechnikov",
            q_grid=DECILES,
            bandwidth=0.5,
            random_state=r,
        ).fit(x, S)
        hit_b += (est.pointwise_lower_ <= 2) & (est.pointwise_upper_ >= 2)
        lo, hi = est.result_.confidence_interval(kind="normal")
        hit_n += (lo <= 2) & (hi >= 2)
    for hits in (hit_b / reps, hit_n / reps):
        assert np.all(np.abs(hits - 0.95) <= 3 * se), hits
