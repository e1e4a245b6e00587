"""Tests of statnorm.kde: exactness, theory, Monte Carlo, selectors, bad input.

There is no reference implementation of Biroli & Mezard's KDE analysis. The
ground truths here are (i) brute-force float64 log-sum-exp sums computed
independently with numpy/scipy, (ii) scipy's ``gaussian_kde.logpdf`` where it
is defined, (iii) the paper's closed-form thresholds (derived from the
random-energy-model analogy) and (iv) Monte Carlo checks of its predictions.
"""

import warnings

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from statnorm.kde import HighDimKDE, KDERegimeReport, KDERegimeWarning, theory
from statnorm.kde._engine import run_tiles


def brute_logpdf(Q, Y, H, w=None):
    """Independent reference: explicit differences, scipy logsumexp."""
    n, d = Y.shape
    w = np.full(n, 1.0 / n) if w is None else np.asarray(w) / np.sum(w)
    L = np.linalg.cholesky(H)
    zq = np.linalg.solve(L, Q.T).T
    zy = np.linalg.solve(L, Y.T).T
    diff = zq[:, None, :] - zy[None, :, :]
    D = np.einsum("ijk,ijk->ij", diff, diff)
    lognorm = -0.5 * d * np.log(2 * np.pi) - np.sum(np.log(np.diag(L)))
    return logsumexp(-0.5 * D + np.log(w)[None, :], axis=1) + lognorm


# --------------------------------------------------------------------- theory
# The note's table (d -> inf, sigma = 1): alpha, t, h_G, h_CLT, h_KL, mu(h_KL),
# u_min, KL/d at h_KL, KL/d at h_G.
NOTE_TABLE = [
    (0.05, 1.3329, 1.7331, 2.4509, 1.1459, 0.437, 1.3130, 0.1862, 0.3185),
    (0.10, 1.5322, 1.3708, 1.9386, 1.0386, 0.574, 1.0786, 0.1379, 0.2024),
    (0.20, 1.9146, 1.0457, 1.4788, 0.8917, 0.727, 0.7951, 0.0854, 0.1082),
    (0.30, 2.3281, 0.8677, 1.2272, 0.7836, 0.816, 0.6140, 0.0562, 0.0659),
    (0.50, 3.3513, 0.6521, 0.9223, 0.6224, 0.911, 0.3874, 0.0259, 0.0280),
    (1.00, 8.2221, 0.3721, 0.5262, 0.3693, 0.985, 0.1364, 0.0040, 0.0040),
]


@pytest.mark.parametrize("row", NOTE_TABLE, ids=lambda r: f"alpha={r[0]}")
def test_theory_reproduces_note_table(row):
    a, t, hg, hc, hk, mu_k, u, kl_k, kl_g = row
    assert theory.solve_t(a) == pytest.approx(t, abs=5e-5)
    assert theory.h_glass(a) == pytest.approx(hg, abs=5e-5)
    assert theory.h_clt(a) == pytest.approx(hc, abs=5e-5)
    assert theory.h_kl(a) == pytest.approx(hk, abs=5e-5)
    # the note prints mu and KL rounded from rounded inputs: one unit of the
    # last printed digit
    assert theory.stable_index(theory.h_kl(a), a) == pytest.approx(mu_k, abs=1e-3)
    assert theory.nn_level(a) == pytest.approx(u, abs=5e-5)
    kl_opt = theory.kl_per_dimension(theory.h_kl(a), a)
    assert kl_opt == pytest.approx(kl_k, abs=1e-4)
    assert theory.kl_per_dimension(theory.h_glass(a), a) == pytest.approx(
        kl_g, abs=1e-4
    )


def test_theory_identities_and_asymptotics():
    a = np.geomspace(1e-6, 20, 200)
    t = theory.solve_t(a)
    np.testing.assert_allclose(np.log(t) - (t - 1) / t**2, 2 * a, rtol=1e-12)
    assert np.all(np.diff(t) > 0)
    np.testing.assert_allclose(theory.h_clt(a), np.sqrt(2) * theory.h_glass(a))
    # h_KL < h_G (both tend to e^-alpha, equal in float64 beyond alpha ~ 10)
    assert np.all(theory.h_kl(a[a < 5]) < theory.h_glass(a[a < 5]))
    # the KL minimiser: a grid search agrees with the closed form
    for al in (0.1, 0.3):
        hs = np.linspace(0.3, 2.0, 20001)
        assert hs[np.argmin(theory.kl_per_dimension(hs, al))] == pytest.approx(
            theory.h_kl(al), abs=1e-4
        )
    # alpha -> 0 and alpha -> inf limits
    assert theory.h_glass(1e-6) == pytest.approx((3 / 4e-6) ** 0.25, rel=1e-2)
    assert theory.h_glass(20.0) == pytest.approx(np.exp(-20.0), rel=1e-6)
    assert theory.regime([0.5, 0.8, 1.2], 0.5).tolist() == ["extreme", "stable", "clt"]
    assert theory.alpha(np.e**10, 20) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("n", "d", "h_g", "h_clt", "h_kl"),
    [
        (22026, 100, 1.461, 2.066, 1.081),
        (3269017, 150, 1.437, 2.032, 1.069),
        (22026, 50, 1.131, 1.599, 0.947),
        (22026, 20, 0.733, 1.036, 0.694),
    ],
)
def test_finite_d_thresholds_match_note(n, d, h_g, h_clt, h_kl):
    th = theory.finite_d_thresholds(n, d)
    assert th["h_G"] == pytest.approx(h_g, abs=1e-3)
    assert th["h_CLT"] == pytest.approx(h_clt, abs=1e-3)
    assert th["h_KL"] == pytest.approx(h_kl, abs=1e-3)


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf])
def test_theory_rejects_bad_alpha(bad):
    with pytest.raises(ValueError, match="alpha must be positive"):
        theory.h_glass(bad)
    with pytest.raises(ValueError, match="alpha must be positive"):
        theory.h_kl([0.1, bad])


def test_theory_rejects_bad_h():
    with pytest.raises(ValueError, match="h must be positive"):
        theory.stable_index(-1.0, 0.2)


# ------------------------------------------------------------------ exactness
@pytest.mark.parametrize("h_over_hg", [0.5, 1.2, 3.0], ids=["extreme", "stable", "clt"])
def test_score_samples_equals_brute_force(h_over_hg, rng):
    n, d = 1500, 50
    X = rng.standard_normal((n, d))
    Q = rng.standard_normal((25, d))
    h = h_over_hg * theory.h_glass(np.log(n) / d)
    kde = HighDimKDE(bandwidth=h, standardize="none").fit(X)
    ref = brute_logpdf(Q, X, h * h * np.eye(d))
    np.testing.assert_allclose(kde.score_samples(Q), ref, rtol=1e-10)


def test_full_matrix_and_weights_equal_brute_force(rng):
    n, d = 600, 12
    A = rng.standard_normal((d, d)) / np.sqrt(d) + np.eye(d)
    X = rng.standard_normal((n, d)) @ A.T + 5.0
    Q = rng.standard_normal((30, d)) @ A.T + 5.0
    w = rng.uniform(0.1, 2.0, n)
    H = 0.3 * (A @ A.T)
    kde = HighDimKDE(bandwidth=H).fit(X, sample_weight=w)
    np.testing.assert_allclose(
        kde.score_samples(Q), brute_logpdf(Q, X, H, w), rtol=1e-10
    )
    # per-dimension vector bandwidth
    s = rng.uniform(0.3, 1.0, d)
    kde = HighDimKDE(bandwidth=s).fit(X)
    np.testing.assert_allclose(
        kde.score_samples(Q), brute_logpdf(Q, X, np.diag(s**2)), rtol=1e-10
    )


@pytest.mark.parametrize("method", ["scott", "silverman"])
def test_agrees_with_scipy_gaussian_kde(method, rng):
    n, d = 800, 15
    A = rng.standard_normal((d, d)) / np.sqrt(d) + np.eye(d)
    X = rng.standard_normal((n, d)) @ A.T
    Q = rng.standard_normal((50, d)) @ A.T
    w = rng.uniform(0.5, 1.5, n)
    ref = stats.gaussian_kde(X.T, bw_method=method, weights=w)
    kde = HighDimKDE(bandwidth=method).fit(X, sample_weight=w)
    np.testing.assert_allclose(kde.score_samples(Q), ref.logpdf(Q.T), rtol=1e-10)
    np.testing.assert_allclose(kde.kernel_covariance_, ref.covariance, rtol=1e-10)
    assert kde.bandwidth_whitened_ == pytest.approx(ref.factor, rel=1e-12)


def test_exact_at_d_1000_where_densities_underflow(rng):
    n, d = 1200, 1000
    X = rng.standard_normal((n, d))
    Q = rng.standard_normal((6, d))
    kde = HighDimKDE(bandwidth="scott").fit(X)
    ours = kde.score_samples(Q)
    assert np.all(np.isfinite(ours)) and np.all(ours < -1000)
    ref = brute_logpdf(Q, X, kde.kernel_covariance_)
    np.testing.assert_allclose(ours, ref, rtol=1e-10)
    # the density itself underflows double precision here
    assert np.all(np.exp(ours) == 0.0)
    # scipy's gaussian_kde: compare where it returns a finite value
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sp = stats.gaussian_kde(X.T).logpdf(Q.T)
    ok = np.isfinite(sp)
    np.testing.assert_allclose(ours[ok], sp[ok], rtol=1e-10)


def test_sklearn_tree_kde_is_off_in_extreme_regime(rng):
    """scikit-learn's exact-mode tree KDE overstates log-density here."""
    from sklearn.neighbors import KernelDensity

    n, d = 2000, 50
    X = rng.standard_normal((n, d))
    Q = rng.standard_normal((40, d))
    h = n ** (-1 / (d + 4))  # Scott, extreme-value regime
    ref = brute_logpdf(Q, X, h * h * np.eye(d))
    ours = HighDimKDE(bandwidth=h, standardize="none").fit(X).score_samples(Q)
    np.testing.assert_allclose(ours, ref, rtol=1e-10)
    sk = KernelDensity(bandwidth=h, rtol=0, atol=0).fit(X).score_samples(Q)
    err = sk - ref
    assert err.max() > 1.0  # more than one nat off (13.7 nats when written)
    assert np.mean(np.abs(err) > 1e-6) > 0.2


def test_tiling_edges_and_threads_agree(rng):
    n, d = 333, 7
    Y = rng.standard_normal((n, d))
    Q = rng.standard_normal((50, d))
    yy = np.einsum("ij,ij->i", Y, Y)
    logw = np.log(rng.uniform(0.1, 1, n))
    self_idx = np.arange(50, dtype=np.int64)
    ref = run_tiles(Q, Y, yy, logw, self_idx=self_idx, block_rows=1000)["lse"]
    for br, bc, nj in [(3, 7, 1), (16, 64, 2), (50, 333, -1)]:
        got = run_tiles(
            Q, Y, yy, logw, self_idx=self_idx, block_rows=br, block_cols=bc, n_jobs=nj
        )["lse"]
        np.testing.assert_allclose(got, ref, rtol=1e-13)
    # self term removed: equals dropping the point
    D = ((Q[:, None, :] - Y[None]) ** 2).sum(-1)
    a = logw[None, :] - 0.5 * D
    a[np.arange(50), np.arange(50)] = -np.inf
    np.testing.assert_allclose(ref, logsumexp(a, axis=1), rtol=1e-12)


def test_float32_option_is_close(rng):
    X = rng.standard_normal((3000, 50))
    Q = rng.standard_normal((40, 50))
    f64 = HighDimKDE().fit(X).score_samples(Q)
    kde32 = HighDimKDE(dtype="float32").fit(X)
    assert kde32._Yw.dtype == np.float32
    np.testing.assert_allclose(kde32.score_samples(Q), f64, atol=1e-3, rtol=0)


def test_integer_weights_equal_repetition(rng):
    X = rng.standard_normal((40, 3))
    sw = rng.integers(0, 4, 40)
    Q = rng.standard_normal((10, 3))
    a = HighDimKDE(bandwidth=0.5).fit(X, sample_weight=sw).score_samples(Q)
    b = HighDimKDE(bandwidth=0.5).fit(np.repeat(X, sw, axis=0)).score_samples(Q)
    np.testing.assert_allclose(a, b, rtol=1e-12)


# ------------------------------------------------------------------ selectors
def test_selectors(rng):
    n, d = 1500, 10
    X = rng.standard_normal((n, d)) * np.linspace(0.5, 2, d)
    fits = {
        s: HighDimKDE(bandwidth=s, random_state=0).fit(X)
        for s in ("scott", "silverman", "normal_reference", "kl_gauss", "kl_nn")
    }
    assert fits["scott"].bandwidth_whitened_ == pytest.approx(n ** (-1 / (d + 4)))
    assert fits["silverman"].bandwidth_whitened_ == pytest.approx(
        (n * (d + 2) / 4) ** (-1 / (d + 4))
    )
    assert fits["kl_gauss"].bandwidth_whitened_ == pytest.approx(
        theory.h_kl(np.log(n) / d)
    )
    # kl_nn: median leave-one-out nearest-neighbour squared distance / d,
    # in data-covariance-whitened coordinates
    from sklearn.neighbors import NearestNeighbors

    S = np.cov(X, rowvar=False)
    Z = np.linalg.solve(np.linalg.cholesky(S), (X - X.mean(0)).T).T
    dist, _ = NearestNeighbors(n_neighbors=2).fit(Z).kneighbors(Z)
    r2 = dist[:, 1] ** 2
    h = np.sqrt(np.sort(r2)[np.searchsorted(np.arange(1, n + 1), 0.5 * n)] / d)
    assert fits["kl_nn"].bandwidth_whitened_ == pytest.approx(h, rel=1e-8)
    # standardize="diagonal": per-feature standard deviations
    diag = HighDimKDE(bandwidth="scott", standardize="diagonal").fit(X)
    np.testing.assert_allclose(
        diag.bandwidth_, n ** (-1 / (d + 4)) * X.std(axis=0, ddof=1), rtol=1e-10
    )


@pytest.mark.filterwarnings("ignore:After 0.17:FutureWarning")  # statsmodels' own
def test_normal_reference_matches_statsmodels(rng):
    from statsmodels.nonparametric.kernel_density import KDEMultivariate

    X = rng.standard_normal((300, 4)) * [1.0, 2.0, 0.5, 3.0]
    sm = KDEMultivariate(X, var_type="cccc", bw="normal_reference")
    ours = HighDimKDE(bandwidth="normal_reference", standardize="diagonal").fit(X)
    # statsmodels scales by the ddof=0 standard deviation, statnorm by the
    # unbiased covariance (as scipy): a factor sqrt(n / (n - 1)) apart
    n = X.shape[0]
    np.testing.assert_allclose(
        ours.bandwidth_, sm.bw * np.sqrt(n / (n - 1)), rtol=1e-10
    )
    same = HighDimKDE(bandwidth=sm.bw).fit(X)
    Q = rng.standard_normal((5, 4))
    np.testing.assert_allclose(same.score_samples(Q), np.log(sm.pdf(Q)), rtol=1e-10)


def test_lcv_drops_self_term_and_lands_near_kl_optimum(rng):
    n, d = 3000, 20
    X = rng.standard_normal((n, d))
    kde = HighDimKDE(bandwidth="lcv", random_state=0, max_samples=800).fit(X)
    h = kde.bandwidth_whitened_
    cv = kde.cv_results_
    assert cv["loo_log_likelihood"].max() == pytest.approx(
        cv["loo_log_likelihood"][np.argmin(np.abs(cv["bandwidth"] - h))], abs=1e-3
    )
    # with the self-term kept LCV would run to h -> 0; here it stays near the
    # finite-d KL optimum (MC in the note: ~0.7 at alpha=0.4, d=20)
    th = theory.finite_d_thresholds(n, d)
    assert 0.8 * th["h_KL"] < h < th["h_CLT"]
    # duplicated data: LOO with a duplicate still has a finite optimum search
    kde2 = HighDimKDE(bandwidth="kl_nn").fit(X)
    assert 0.8 < kde2.bandwidth_whitened_ / th["h_KL"] < 1.2


def test_grid_search_cv_and_clone(rng):
    X = rng.standard_normal((300, 5))
    gs = GridSearchCV(HighDimKDE(), {"bandwidth": [0.2, 0.6, 2.0]}, cv=3).fit(X)
    assert gs.best_params_["bandwidth"] == 0.6
    c = clone(HighDimKDE(bandwidth="lcv", n_jobs=2))
    assert c.get_params()["bandwidth"] == "lcv"


def test_sample(rng):
    X = rng.standard_normal((2000, 3)) * [1.0, 2.0, 0.5] + [1.0, -1.0, 0.0]
    kde = HighDimKDE(bandwidth="silverman").fit(X)
    s1 = kde.sample(20000, random_state=1)
    s2 = kde.sample(20000, random_state=1)
    np.testing.assert_array_equal(s1, s2)
    assert s1.shape == (20000, 3)
    expected_cov = np.cov(X, rowvar=False) + kde.kernel_covariance_
    np.testing.assert_allclose(np.cov(s1, rowvar=False), expected_cov, atol=0.08)
    np.testing.assert_allclose(s1.mean(0), X.mean(0), atol=0.05)


# ---------------------------------------------------------------- diagnostics
def test_regime_report_reads_regimes(rng):
    n, d = 4000, 40
    X = rng.standard_normal((n, d))
    a = np.log(n) / d
    hg = theory.h_glass(a)
    low = HighDimKDE(bandwidth=0.6 * hg, standardize="none").fit(X)
    with pytest.warns(KDERegimeWarning, match="error bars are meaningless"):
        rep = low.regime_report(random_state=0)
    assert isinstance(rep, KDERegimeReport)
    assert rep.regime == "extreme" and rep.regime_gaussian == "extreme"
    assert rep.n_eff_median < 3 and rep.max_weight_median > 0.5
    assert not rep.error_bars_valid
    assert rep.n_eff_query.shape == (200,)
    assert "extreme-value regime" in str(rep)
    high = HighDimKDE(bandwidth=3 * hg, standardize="none").fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rep = high.regime_report(rng.standard_normal((50, d)))
    assert rep.regime == "clt" and rep.n_eff_median > 100 and rep.error_bars_valid
    assert rep.warning == ""
    assert rep.alpha == pytest.approx(a)
    assert rep.h_G == pytest.approx(hg)


@pytest.mark.slow
def test_monte_carlo_sum_of_squared_weights_matches_one_minus_mu():
    """Deep in the extreme regime, E sum w^2 = 1 - mu (Poisson-Dirichlet).

    Gaussian data, alpha = 0.5, d = 20, n = e^10 = 22,026; queries with
    |x|^2 = d (the note's set-up); mu from the finite-d h_G. Tolerance: 3
    Monte Carlo standard errors of the mean over queries. Near h_G the
    transition is rounded at finite d (see the docs), so equality is only
    tested at h <= 0.6 h_G(inf); the CLT side is tested as sum w^2 -> 0.
    """
    rng = np.random.default_rng(1)
    a, d = 0.5, 20
    n = round(np.exp(a * d))
    X = rng.standard_normal((n, d))
    fd = theory.finite_d_thresholds(n, d)
    hg = theory.h_glass(a)
    for ratio in (0.5, 0.6):
        h = ratio * hg
        kde = HighDimKDE(bandwidth=h, standardize="none").fit(X)
        Q = rng.standard_normal((400, d))
        Q *= np.sqrt(d) / np.linalg.norm(Q, axis=1, keepdims=True)
        rep = kde.regime_report(Q, warn=False)
        s2 = 1.0 / rep.n_eff_query
        se = s2.std(ddof=1) / np.sqrt(s2.size)
        mu = (h / fd["h_G"]) ** 2
        assert abs(s2.mean() - (1 - mu)) < 3 * se, (ratio, s2.mean(), 1 - mu, se)
        # Hill estimate of the local stable index against the finite-d value
        assert rep.mu_hat == pytest.approx(mu, rel=0.1)
    kde = HighDimKDE(bandwidth=2 * hg, standardize="none").fit(X)
    rep = kde.regime_report(Q, warn=False)
    assert np.mean(1.0 / rep.n_eff_query) < 0.01
    assert rep.regime == "clt"


def test_plot_regime_diagram(rng):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from statnorm.kde import RegimeDiagramDisplay

    kde = HighDimKDE().fit(rng.standard_normal((500, 10)))
    ax = RegimeDiagramDisplay.from_estimator(kde, marks={"x": (0.3, 0.5)}).ax_
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "scott" in labels and "x" in labels and "h_G" in labels
    plt.close(ax.figure)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_inf_rejected(bad, rng):
    X = rng.standard_normal((20, 3))
    Xb = X.copy()
    Xb[3, 1] = bad
    with pytest.raises(ValueError, match=r"NaN|inf"):
        HighDimKDE().fit(Xb)
    kde = HighDimKDE().fit(X)
    with pytest.raises(ValueError, match=r"NaN|inf"):
        kde.score_samples(Xb)


def test_wrong_dimensions_at_score_time(rng):
    kde = HighDimKDE().fit(rng.standard_normal((20, 3)))
    with pytest.raises(
        ValueError, match="X has 4 features, but HighDimKDE is expecting"
    ):
        kde.score_samples(rng.standard_normal((5, 4)))
    with pytest.raises(ValueError, match="2D array"):
        kde.score_samples(rng.standard_normal(3))
    with pytest.raises(ValueError, match="4 features"):
        kde.regime_report(rng.standard_normal((5, 4)))


@pytest.mark.parametrize(
    ("bw", "err", "match"),
    [
        (0.0, InvalidParameterError, "bandwidth"),
        (-1.0, InvalidParameterError, "bandwidth"),
        (np.nan, ValueError, "bandwidth"),
        (np.inf, ValueError, "bandwidth"),
        (np.array([1.0, np.nan, 1.0]), ValueError, "finite"),
        ("bogus", InvalidParameterError, "bandwidth"),
        ([1.0, -1.0, 1.0], ValueError, "positive standard deviations"),
        ([1.0, 1.0], ValueError, "n_features = 3"),
        ([[1.0, 2.0, 0], [0, 1.0, 0], [0, 0, 1.0]], ValueError, "symmetric"),
        (-np.eye(3), ValueError, "not positive definite"),
        (np.ones((2, 2)), ValueError, r"\(3, 3\) kernel covariance"),
    ],
)
def test_bad_bandwidth(bw, err, match, rng):
    with pytest.raises(err, match=match):
        HighDimKDE(bandwidth=bw).fit(rng.standard_normal((20, 3)))


def test_singular_covariance_is_a_clear_error(rng):
    X = rng.standard_normal((10, 30))  # n <= d
    for s in ("scott", "silverman"):
        with pytest.raises(ValueError, match=r"singular.*standardize=.diagonal."):
            HighDimKDE(bandwidth=s).fit(X)
    X = rng.standard_normal((100, 3))
    X[:, 2] = X[:, 0] + X[:, 1]  # collinear
    with pytest.raises(ValueError, match="singular"):
        HighDimKDE().fit(X)
    HighDimKDE(standardize="diagonal").fit(X)  # the documented way out
    X[:, 1] = 1.0
    with pytest.raises(ValueError, match="Feature 1 of X has zero variance"):
        HighDimKDE(standardize="diagonal").fit(X)


@pytest.mark.parametrize(
    ("sw", "match"),
    [
        ("neg", "non-negative"),
        ("zero", "all zero"),
        ("short", "sample_weight has 19 entries"),
        ("nan", "NaN"),
    ],
)
def test_bad_weights(sw, match, rng):
    X = rng.standard_normal((20, 3))
    w = {
        "neg": np.r_[-1.0, np.ones(19)],
        "zero": np.zeros(20),
        "short": np.ones(19),
        "nan": np.r_[np.nan, np.ones(19)],
    }[sw]
    with pytest.raises(ValueError, match=match):
        HighDimKDE().fit(X, sample_weight=w)


def test_bad_other_parameters(rng):
    X = rng.standard_normal((20, 3))
    with pytest.raises(ValueError, match="dtype must be 'float64' or 'float32'"):
        HighDimKDE(dtype=np.int64).fit(X)
    with pytest.raises(InvalidParameterError, match="kernel"):
        HighDimKDE(kernel="tophat").fit(X)
    with pytest.raises(ValueError, match="n_jobs == 0"):
        HighDimKDE(n_jobs=0).fit(X).score_samples(X)
    kde = HighDimKDE().fit(X)
    with pytest.raises(ValueError, match="n_samples must be a positive int"):
        kde.sample(0)
    with pytest.raises(ValueError, match="k must be a positive int"):
        kde.regime_report(k=0)
    with pytest.raises(ValueError, match="1 sample"):
        HighDimKDE().fit(X[:1])
    with pytest.raises(TypeError, match="bandwidth must be a positive float"):
        HighDimKDE(bandwidth=np.array(["a"])).fit(X)


def test_inputs_not_modified(rng):
    X = rng.standard_normal((50, 4)) + 3.0
    w = rng.uniform(0, 1, 50)
    w[0] = 0.0
    Q = rng.standard_normal((7, 4))
    H = 0.2 * np.eye(4)
    copies = [a.copy() for a in (X, w, Q, H)]
    kde = HighDimKDE(bandwidth=H).fit(X, sample_weight=w)
    kde.score_samples(Q)
    kde.regime_report(Q, warn=False)
    HighDimKDE(bandwidth="lcv").fit(X, sample_weight=w)
    for a, b in zip((X, w, Q, H), copies):
        np.testing.assert_array_equal(a, b)
    assert kde.bandwidth is H  # the parameter object itself is kept


def test_vectorised_exp_is_accurate():
    from statnorm.kde._kernels import _exp_scalar as _exp_neg

    x = -np.concatenate([np.linspace(0, 1, 1001), np.geomspace(1e-12, 707.9, 3000)])
    got = np.array([_exp_neg(v) for v in x])
    np.testing.assert_allclose(got, np.exp(x), rtol=5e-14, atol=0)
    assert _exp_neg(-708.5) == 0.0 and _exp_neg(-np.inf) == 0.0
    assert _exp_neg(0.0) == 1.0


def test_far_query_is_exact_when_the_norm_bound_is_loose():
    # |x| equals every |y| here, so the a-priori shift of the log-sum-exp is
    # e^(2 / h^2) too high; the engine must notice and redo such queries
    from scipy.special import logsumexp

    rng = np.random.default_rng(6)
    d, h = 3, 0.2
    X = 0.1 * rng.standard_normal((200, d))
    X[:, 0] -= 5.0
    Q = np.array([[5.0, 0.0, 0.0], [-5.0, 0.1, 0.0], [0.0, 5.0, 0.0]])
    kde = HighDimKDE(bandwidth=h, standardize="none").fit(X)
    D = ((Q[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
    ref = (
        logsumexp(-0.5 * D / h**2, axis=1)
        - np.log(len(X))
        - 0.5 * d * np.log(2 * np.pi * h**2)
    )
    np.testing.assert_allclose(kde.score_samples(Q), ref, rtol=1e-12, atol=0)
