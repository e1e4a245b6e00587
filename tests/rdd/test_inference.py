"""Pointwise inference, cluster bootstrap, covariates and the density test.

Reference numbers: ``data/rdrobust_reference.npz`` (rdrobust 2.1.1's
conventional estimate and HC0 standard error at fixed bandwidths, see
``data/make_rdrobust_fixture.py``). Monte Carlo checks state their number of
replications and fail beyond three Monte Carlo standard errors.
"""

import warnings
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
        monotone=None,
        inference="conventional",  # the pinned rdrobust numbers are conventional
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


@pytest.mark.parametrize("tag", ["plain", "covs"])
@pytest.mark.parametrize("j", range(len(SETTINGS)))
def test_fuzzy_estimate_and_se_match_rdrobust_hc0(j, tag):
    kernel, p, h = SETTINGS[j]
    x, c = RDROBUST["x"], float(RDROBUST["cutoff"])
    est = DistributionalRDD(
        cutoff=c,
        q_grid=[0.5],
        bandwidth=h,
        bandwidth_treatment=h,
        fuzzy=True,
        kernel=kernel,
        p=p,
        inference="conventional",
        n_bootstrap=0,
        monotone=None,
    ).fit_quantiles(
        x,
        RDROBUST["y_fuzzy"][:, None],
        treatment=RDROBUST["t"],
        covariates=RDROBUST["Z"] if tag == "covs" else None,
    )
    want_tau = float(RDROBUST[f"fuzzy_{tag}_{j}_tau"])
    assert est.tau_[0] == pytest.approx(want_tau, rel=1e-9)
    want_se = float(RDROBUST[f"fuzzy_{tag}_{j}_se"])
    assert est.std_error_[0] == pytest.approx(want_se, rel=1e-9)


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
@pytest.mark.parametrize("inference", ["conventional", "robust"])
def test_bootstrap_se_estimates_the_plugin_se(rng, fuzzy, inference):
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
        inference=inference,
    ).fit(x, S, treatment=t if fuzzy else None)
    ratio = est.bootstrap_std_error_ / est.std_error_
    centre = est.tau_ if inference == "conventional" else est.tau_bias_corrected_
    assert np.all(np.abs(ratio - 1) < 4 / np.sqrt(2 * 2000)), ratio
    # pointwise intervals sit inside the uniform band and around tau
    assert np.all(est.pointwise_lower_ >= est.band_lower_)
    assert np.all(est.pointwise_upper_ <= est.band_upper_)
    np.testing.assert_allclose(
        centre - est.pointwise_lower_, est.pointwise_upper_ - centre
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
        monotone=None,
        inference="conventional",
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


def test_to_frame_holds_the_bias_corrected_effect_under_robust_inference(rng):
    x, S = simulate_dgp1(rng, n=300, m=15)
    kw = {"q_grid": DECILES, "n_bootstrap": 0, "bandwidth": 0.5}
    robust = DistributionalRDD(inference="robust", **kw).fit(x, S)
    frame = robust.result_.to_frame()
    head = ["q", "tau", "tau_bias_corrected", "bandwidth_bias"]
    assert list(frame.columns[:4]) == head
    np.testing.assert_array_equal(
        frame["tau_bias_corrected"], robust.tau_bias_corrected_
    )
    np.testing.assert_array_equal(frame["bandwidth_bias"], robust.bandwidth_bias_)
    conventional = DistributionalRDD(inference="conventional", **kw).fit(x, S)
    frame = conventional.result_.to_frame()
    assert "tau_bias_corrected" not in frame and "bandwidth_bias" not in frame


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


# ------------------------------------------------------ (b) cluster bootstrap
def clustered_dgp(rng, n_clusters=400, size=8, m=20):
    """Clusters of nearby units sharing a N(0, 1) shift of their distribution."""
    xg = rng.uniform(-1, 1, n_clusters)
    eta = rng.normal(0, 1, n_clusters)
    g = np.repeat(np.arange(n_clusters), size)
    x = np.clip(xg[g] + rng.uniform(-0.1, 0.1, g.size), -1, 1)
    S = rng.normal(5 + 5 * x + 2 * (x >= 0) + eta[g], 1, size=(m, g.size)).T
    return x, S, g


def test_singleton_clusters_reproduce_the_unit_bootstrap(rng):
    x, S, _ = clustered_dgp(rng, n_clusters=60, size=4)
    kw = {"q_grid": DECILES, "bandwidth": 0.7, "n_bootstrap": 50, "random_state": 3}
    a = DistributionalRDD(**kw).fit(x, S)
    labels = np.array([f"u{i:04d}" for i in range(x.size)])  # sorted = unit order
    b = DistributionalRDD(**kw).fit(x, S, clusters=labels)
    np.testing.assert_allclose(b.std_error_, a.std_error_, rtol=1e-12)
    np.testing.assert_allclose(b.bootstrap_draws_, a.bootstrap_draws_, rtol=1e-12)
    assert a.n_clusters_ is None and b.n_clusters_ == x.size


def test_cluster_se_matches_statsmodels_cluster_robust(rng):
    # clusters straddle the cutoff: the cross-side terms matter
    x, S, g = clustered_dgp(rng, n_clusters=80, size=5)
    y = S[:, 0]
    for p, kernel, h in [(1, "triangular", 0.6), (2, "epanechnikov", 0.8)]:
        design, yy, k, keep, contrast = _joint_wls(x, y, 0.0, kernel, p, h)
        res = sm.WLS(yy, design, weights=k).fit(
            cov_type="cluster", cov_kwds={"groups": g[keep], "use_correction": False}
        )
        est = _scalar_fit(x, y, 0.0, kernel, p, h, clusters=g)
        assert est.tau_[0] == pytest.approx(contrast @ res.params, rel=1e-10)
        se = np.sqrt(contrast @ res.cov_params() @ contrast)
        assert est.std_error_[0] == pytest.approx(se, rel=1e-9)
        unit = _scalar_fit(x, y, 0.0, kernel, p, h)
        assert est.std_error_[0] > unit.std_error_[0]  # positive within-cluster corr.


@pytest.mark.parametrize("fuzzy", [False, True])
def test_cluster_bootstrap_se_estimates_the_cluster_se(rng, fuzzy):
    x, S, g = clustered_dgp(rng, n_clusters=120, size=4)
    t = (rng.uniform(size=x.size) < 0.2 + 0.6 * (x >= 0)).astype(float)
    est = DistributionalRDD(
        q_grid=DECILES,
        bandwidth=0.6,
        bandwidth_treatment=0.7,
        fuzzy=fuzzy,
        n_bootstrap=2000,
        random_state=1,
    ).fit(x, S, treatment=t if fuzzy else None, clusters=g)
    ratio = est.bootstrap_std_error_ / est.std_error_
    assert np.all(np.abs(ratio - 1) < 4 / np.sqrt(2 * 2000)), ratio
    assert "clusters: 120" in str(est.summary())
    assert est.result_.n_clusters == 120


def test_fixed_multipliers_are_per_cluster(rng):
    x, S, g = clustered_dgp(rng, n_clusters=50, size=4)
    xi = rng.standard_normal((50, 30))
    kw = {"q_grid": DECILES, "bandwidth": 0.7}
    est = DistributionalRDD(**kw).fit(x, S, clusters=g, xi=xi)
    # the same draws as per-unit multipliers that repeat within clusters
    unit = DistributionalRDD(**kw).fit(x, S, xi=xi[g])
    np.testing.assert_allclose(est.bootstrap_draws_, unit.bootstrap_draws_)
    with pytest.raises(ValueError, match="one row per cluster"):
        DistributionalRDD(**kw).fit(x, S, clusters=g, xi=xi[g])


def test_bad_clusters(rng):
    x, S, g = clustered_dgp(rng, n_clusters=30, size=4)
    est = DistributionalRDD(q_grid=DECILES, bandwidth=0.7, n_bootstrap=0)
    with pytest.raises(ValueError, match="inconsistent numbers"):
        est.fit(x, S, clusters=g[:-1])
    with pytest.raises(ValueError, match="at least 2 distinct clusters"):
        est.fit(x, S, clusters=np.zeros(x.size))
    with pytest.raises(ValueError, match="clusters contains NaN"):
        est.fit(x, S, clusters=np.where(g == 3, np.nan, g))
    with pytest.raises(ValueError, match="1-D"):
        est.fit(x, S, clusters=g[:, None] * [1, 1])
    with pytest.raises(TypeError, match="clusters"):
        est.fit(x, S, clusters="region")
    g_copy = g.copy()
    est.fit(x, S, clusters=g)
    np.testing.assert_array_equal(g, g_copy)


def test_covariates_with_clusters_bootstrap_matches_plugin(rng):
    x, S, g = clustered_dgp(rng, n_clusters=150, size=4)
    z = rng.normal(size=x.size)
    S = S + z[:, None]
    est = DistributionalRDD(
        q_grid=DECILES, bandwidth=0.6, n_bootstrap=2000, random_state=2
    ).fit(x, S, clusters=g, covariates=z)
    ratio = est.bootstrap_std_error_ / est.std_error_
    assert np.all(np.abs(ratio - 1) < 4 / np.sqrt(2 * 2000)), ratio
    plain = DistributionalRDD(q_grid=DECILES, bandwidth=0.6, n_bootstrap=0)
    plain.fit(x, S, clusters=g)
    assert np.all(est.std_error_ < plain.std_error_)


@pytest.mark.slow
def test_cluster_bootstrap_covers_where_the_unit_bootstrap_does_not():
    # 400 clusters of 8 nearby units sharing a N(0, 1) shift (n = 3200),
    # tau = 2 at every level, h = 0.5, p = 2, B = 200, 400 replications
    # (MC SE 0.011). Measured: clusters= uniform 0.935, pointwise 0.934
    # (mean over deciles); one multiplier per unit: 0.855 and 0.861.
    reps = 400
    se = np.sqrt(0.95 * 0.05 / reps)
    cover = {"cluster": [], "unit": []}
    for r in range(reps):
        x, S, g = clustered_dgp(np.random.default_rng(7000 + r))
        for kind, hits in cover.items():
            est = DistributionalRDD(q_grid=DECILES, bandwidth=0.5, random_state=r)
            est.fit(x, S, clusters=g if kind == "cluster" else None)
            band = np.all((est.band_lower_ <= 2) & (est.band_upper_ >= 2))
            pw = np.mean((est.pointwise_lower_ <= 2) & (est.pointwise_upper_ >= 2))
            hits.append((band, pw))
    cl, un = np.mean(cover["cluster"], axis=0), np.mean(cover["unit"], axis=0)
    assert np.all(np.abs(cl - 0.95) <= 3 * se), cl
    assert np.all(un < 0.95 - 3 * se), un


# ------------------------------------------------------------ (c) covariates
@pytest.mark.parametrize("j", range(len(SETTINGS)))
def test_covariate_adjusted_estimate_and_se_match_rdrobust(j):
    kernel, p, h = SETTINGS[j]
    x, y, c, Z = (RDROBUST[k] for k in ("x", "y", "cutoff", "Z"))
    est = _scalar_fit(x, y, float(c), kernel, p, h, covariates=Z)
    assert est.tau_[0] == pytest.approx(float(RDROBUST[f"covs_{j}_tau"]), rel=1e-10)
    assert est.std_error_[0] == pytest.approx(float(RDROBUST[f"covs_{j}_se"]), rel=1e-9)
    # and the point estimate is the jump of statsmodels' joint WLS with Z
    design, yy, k, _, contrast = _joint_wls(x, y, float(c), kernel, p, h, Z=Z)
    res = sm.WLS(yy, design, weights=k).fit()
    assert est.tau_[0] == pytest.approx(contrast @ res.params, rel=1e-10)
    assert est.covariate_coef_[:, 0] == pytest.approx(res.params[-2:], rel=1e-9)


def test_covariates_per_level_and_fuzzy(rng):
    n = 500
    x = rng.uniform(-1, 1, n)
    z = rng.normal(size=n)
    t = (rng.uniform(size=n) < 0.2 + 0.6 * (x >= 0) + 0.1 * (z > 0)).astype(float)
    S = rng.normal(1 + x + 2 * t + z, 1, size=(20, n)).T
    q = np.array([0.2, 0.5, 0.8])
    h = np.array([0.5, 0.6, 0.7])
    est = DistributionalRDD(
        q_grid=q,
        bandwidth=h,
        bandwidth_treatment=0.65,
        fuzzy=True,
        n_bootstrap=0,
        monotone=None,
    ).fit(x, S, treatment=t, covariates=z)
    Q = np.quantile(S, q, axis=1, method="linear").T
    design, tt, k, _, contrast = _joint_wls(
        x, t, 0.0, "triangular", 2, 0.65, Z=z[:, None]
    )
    den = contrast @ sm.WLS(tt, design, weights=k).fit().params
    assert est.denominator_ == pytest.approx(den, rel=1e-10)
    for j in range(q.size):
        design, yy, k, _, contrast = _joint_wls(
            x, Q[:, j], 0.0, "triangular", 2, h[j], Z=z[:, None]
        )
        num = contrast @ sm.WLS(yy, design, weights=k).fit().params
        assert est.tau_[j] == pytest.approx(num / den, rel=1e-9)
    assert est.covariate_coef_.shape == (1, 3)
    assert est.covariate_coef_treatment_.shape == (1,)
    assert "covariates: 1" in str(est.summary())


def test_bad_covariates(rng):
    x, S = simulate_dgp1(rng, n=150, m=10)
    z = rng.normal(size=(150, 2))
    est = DistributionalRDD(q_grid=DECILES, bandwidth=0.7, n_bootstrap=0)
    with pytest.raises(ValueError, match="inconsistent numbers"):
        est.fit(x, S, covariates=z[:-1])
    with pytest.raises(ValueError, match="column 1 is constant"):
        est.fit(x, S, covariates=np.column_stack([z[:, 0], np.ones(150)]))
    with pytest.raises(ValueError, match="collinear"):
        est.fit(x, S, covariates=np.column_stack([z[:, 0], 2 * z[:, 0] + 1]))
    with pytest.raises(ValueError, match="covariates"):
        est.fit(x, S, covariates=np.where(z > 2, np.nan, z))
    z_copy, S_copy = z.copy(), S.copy()
    est.fit(x, S, covariates=z)
    np.testing.assert_array_equal(z, z_copy)
    np.testing.assert_array_equal(S, S_copy)


@pytest.mark.slow
def test_independent_covariate_keeps_tau_predictive_one_narrows():
    # n = 500 units x 20 draws of N(5 + 5x + 2 1{x>=0} + z1 + v, 1),
    # v ~ N(0, 0.5^2); z1 predictive, z2 independent noise; h = 0.6, p = 2,
    # B = 200, 300 replications. Measured: tau(z2) - tau(none) 0.0014-0.0021
    # per level (MC SE 0.0019); mean std_error 0.422 (none), 0.420 (z2),
    # 0.213 (z1), sd of tau(z1) 0.217; pointwise coverage 0.918 (none), 0.945 (z1).
    reps, n = 300, 500
    taus, ses, hits = {}, {}, {}
    for r in range(reps):
        rng = np.random.default_rng(9000 + r)
        x = rng.uniform(-1, 1, n)
        z1, z2 = rng.normal(size=n), rng.normal(size=n)
        S = rng.normal(
            5 + 5 * x + 2 * (x >= 0) + z1 + rng.normal(0, 0.5, n), 1, size=(20, n)
        ).T
        for kind, Z in (("none", None), ("indep", z2), ("pred", z1)):
            est = DistributionalRDD(q_grid=DECILES, bandwidth=0.6, random_state=r)
            est.fit(x, S, covariates=Z)
            taus.setdefault(kind, []).append(est.tau_)
            ses.setdefault(kind, []).append(est.std_error_)
            hits.setdefault(kind, []).append(
                (est.pointwise_lower_ <= 2) & (est.pointwise_upper_ >= 2)
            )
    diff = np.array(taus["indep"]) - np.array(taus["none"])
    mc = diff.std(axis=0, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(diff.mean(axis=0)) <= 3 * mc), (diff.mean(axis=0), mc)
    se_none, se_pred = np.mean(ses["none"]), np.mean(ses["pred"])
    assert se_pred < 0.7 * se_none
    sd_pred = np.array(taus["pred"]).std(axis=0, ddof=1)
    assert np.all(np.abs(np.mean(ses["pred"], axis=0) / sd_pred - 1) < 0.15)
    cover = np.mean(hits["pred"])  # mean over levels and replications
    assert abs(cover - 0.95) <= 3 * np.sqrt(0.95 * 0.05 / reps), cover


# ------------------------------------------------------------ (d) density test
RDDENSITY = np.load(Path(__file__).parent / "data" / "rddensity_reference.npz")


@pytest.mark.parametrize("j", range(4))
def test_density_test_matches_rddensity_at_fixed_bandwidth(j):
    from statnorm.rdd import density_test

    c, h, p = RDDENSITY[f"setting_{j}"]
    res = density_test(
        RDDENSITY[f"x_{j}"],
        cutoff=c,
        bandwidth=h,
        p=int(p),
        kernel=str(RDDENSITY[f"kernel_{j}"]),
    )
    below, above = RDDENSITY[f"hat_{j}"]
    assert res.density_below == pytest.approx(below, rel=1e-9)
    assert res.density_above == pytest.approx(above, rel=1e-9)
    assert res.std_error == pytest.approx(float(RDDENSITY[f"se_{j}"]), rel=1e-9)
    assert res.statistic == pytest.approx(float(RDDENSITY[f"t_{j}"]), rel=1e-9)
    assert res.pvalue == pytest.approx(float(RDDENSITY[f"p_{j}"]), rel=1e-8)


def test_density_test_live_rddensity_when_installed(rng):
    rddensity = pytest.importorskip("rddensity").rddensity
    from statnorm.rdd import density_test

    x = rng.gamma(3.0, size=600)
    with warnings.catch_warnings():  # the peer's own warnings are not ours
        warnings.simplefilter("ignore")
        r = rddensity(x, c=2.0, h=1.2, p=2, bino_flag=False)
    res = density_test(x, cutoff=2.0, bandwidth=1.2)
    assert res.statistic == pytest.approx(float(r.test["t_jk"]), rel=1e-9)


def test_density_test_properties_and_bad_input(rng):
    from statnorm.rdd import DensityTestResult, density_test

    x = rng.normal(size=1500)
    res = density_test(x, cutoff=0.2)
    assert isinstance(res, DensityTestResult)
    stat, p = res
    assert stat == res.statistic
    assert 0 < p <= 1 and res.bandwidth > 0 and res.order == 3
    # the density of N(0, 1) at 0.2 is 0.391
    assert abs(res.density_below - 0.391) < 4 * res.std_error
    # units: x -> a x + b with the cutoff moved gives the same test
    again = density_test(3 * x - 1, cutoff=3 * 0.2 - 1)
    assert again.statistic == pytest.approx(res.statistic, rel=1e-8)
    assert again.bandwidth == pytest.approx(3 * res.bandwidth, rel=1e-8)
    assert "p-value" in str(res.summary())
    x_copy = x.copy()
    density_test(x, cutoff=0.2, bandwidth=0.5, kernel="epanechnikov", p=1)
    np.testing.assert_array_equal(x, x_copy)
    with pytest.raises(ValueError, match="both sides"):
        density_test(x, cutoff=10.0)
    with pytest.raises(ValueError, match="Too few units"):
        density_test(x, cutoff=0.0, bandwidth=0.001)
    with pytest.raises(ValueError, match="bandwidth"):
        density_test(x, bandwidth=-1.0)
    with pytest.raises(ValueError, match="kernel"):
        density_test(x, kernel="gaussian")
    with pytest.raises(ValueError, match="x"):
        density_test(np.r_[x, np.nan])


@pytest.mark.slow
def test_density_test_size_and_power():
    from statnorm.rdd import density_test

    # n = 1000, default rule-of-thumb bandwidth, p = 2, 1000 replications
    # (MC SE 0.0069 at 5%). Measured rejection rates at 5%: N(0,1) c = 0.3
    # 0.054, c = 1 0.057; U(-1,1) c = 0 0.048; Gamma(3) c = 2 0.036. Power
    # against moving 30% of the units in [0.1, 0.3) to [0.3, 0.5): 0.90.
    reps, n, alpha = 1000, 1000, 0.05
    se = np.sqrt(alpha * (1 - alpha) / reps)
    designs = [
        (lambda r: r.normal(size=n), 0.3),
        (lambda r: r.normal(size=n), 1.0),
        (lambda r: r.uniform(-1, 1, n), 0.0),
        (lambda r: r.gamma(3.0, size=n), 2.0),
    ]
    for draw, c in designs:
        p = [
            density_test(draw(np.random.default_rng(100000 + i)), cutoff=c).pvalue
            for i in range(reps)
        ]
        assert np.mean(np.array(p) <= alpha) <= alpha + 3 * se, (c, np.mean(p))
    hits = 0
    for i in range(300):
        r = np.random.default_rng(200000 + i)
        x = r.normal(size=n)
        moved = (x >= 0.1) & (x < 0.3) & (r.uniform(size=n) < 0.3)
        x[moved] = 0.3 + 0.2 * r.uniform(size=moved.sum())
        hits += density_test(x, cutoff=0.3).pvalue <= alpha
    assert hits / 300 > 0.8


# ------------------------------- density test: rddensity's automatic bandwidths
AUTO = np.load(Path(__file__).parent / "data" / "rddensity_auto_reference.npz")


@pytest.mark.parametrize("j", range(int(AUTO["n_cases"])))
def test_density_test_matches_rddensity_bandwidths_and_pairs(j):
    from statnorm.rdd import density_test

    name, p, kernel, bw = (str(v) for v in AUTO[f"case_{j}"])
    x, c = AUTO[f"x_{name}"], float(AUTO[f"c_{name}"])
    if bw == "pair":
        res = density_test(
            x, cutoff=c, bandwidth=tuple(AUTO[f"h_{j}"]), p=int(p), kernel=kernel
        )
    else:
        res = density_test(
            x, cutoff=c, bandwidth="auto", bwselect=bw, p=int(p), kernel=kernel
        )
    hl, hr = AUTO[f"h_{j}"]
    assert res.bandwidth_below == pytest.approx(hl, rel=1e-8, abs=1e-12)
    assert res.bandwidth_above == pytest.approx(hr, rel=1e-8, abs=1e-12)
    below, above = AUTO[f"hat_{j}"]
    assert res.density_below == pytest.approx(below, rel=1e-8)
    assert res.density_above == pytest.approx(above, rel=1e-8)
    assert res.std_error == pytest.approx(float(AUTO[f"se_{j}"]), rel=1e-8)
    assert res.statistic == pytest.approx(float(AUTO[f"t_{j}"]), rel=1e-8)
    # p-values to 1e-8 absolute: relative to p, the order-4 fits' rounding
    # (t agrees to ~1e-9 there) is amplified by 2 phi(t) |t| / p (~8 at p~0.01)
    assert res.pvalue == pytest.approx(float(AUTO[f"p_{j}"]), rel=0, abs=1e-8)
    if bw != "pair":
        from statnorm.rdd._density import _bandwidths_auto

        xs = np.sort(x) - c
        F = (np.searchsorted(xs, xs, side="right") - 1) / (xs.size - 1)
        h4 = _bandwidths_auto(xs, F, int(p), kernel)
        np.testing.assert_allclose(h4, AUTO[f"bw4_{j}"], rtol=1e-8)


@pytest.mark.parametrize("bwselect", ["each", "diff", "sum", "comb"])
def test_density_test_auto_live_rddensity_when_installed(rng, bwselect):
    rddensity = pytest.importorskip("rddensity").rddensity
    from statnorm.rdd import density_test

    x = np.r_[rng.beta(2, 3, size=900), np.round(rng.uniform(size=300), 2)]
    with warnings.catch_warnings():  # the peer's own warnings are not ours
        warnings.simplefilter("ignore")
        r = rddensity(x, c=0.35, p=2, bwselect=bwselect, bino_flag=False)
        r2 = rddensity(x, c=0.35, p=1, h=[0.2, 0.3], kernel="uniform", bino_flag=False)
    res = density_test(x, cutoff=0.35, bandwidth="auto", bwselect=bwselect)
    assert res.bandwidth_below == pytest.approx(float(r.h["left"]), rel=1e-8)
    assert res.bandwidth_above == pytest.approx(float(r.h["right"]), rel=1e-8)
    assert res.statistic == pytest.approx(float(r.test["t_jk"]), rel=1e-8)
    res2 = density_test(x, cutoff=0.35, bandwidth=(0.2, 0.3), p=1, kernel="uniform")
    assert res2.statistic == pytest.approx(float(r2.test["t_jk"]), rel=1e-8)
    assert np.isnan(res2.bandwidth)


def test_density_test_bandwidth_pair_and_bad_bandwidths(rng):
    from statnorm.rdd import density_test

    x = rng.normal(size=800)
    same = density_test(x, cutoff=0.1, bandwidth=0.7)
    pair = density_test(x, cutoff=0.1, bandwidth=(0.7, 0.7))
    assert pair.statistic == pytest.approx(same.statistic, rel=1e-12)
    assert same.bandwidth == same.bandwidth_below == same.bandwidth_above == 0.7
    for bad in [(0.5,), (0.5, -1.0), (0.5, np.nan), (0.1, 0.2, 0.3)]:
        with pytest.raises(ValueError, match="bandwidth"):
            density_test(x, cutoff=0.1, bandwidth=bad)
    with pytest.raises(ValueError, match="bandwidth"):
        density_test(x, cutoff=0.1, bandwidth=(0.5, 0.001))  # too few above
    with pytest.raises(ValueError, match="bwselect"):
        density_test(x, cutoff=0.1, bandwidth="auto", bwselect="mserd")
    few = np.r_[x - 3, 0.1, 0.2, 0.3]
    with pytest.raises(ValueError, match="x has 3 distinct values at or above"):
        density_test(
            few[few >= 0.05].tolist() + (x[x < 0] - 3).tolist(), bandwidth="auto"
        )
