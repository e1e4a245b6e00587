"""statnorm.compositional: reference numbers, the paper's equivalences, bad input.

Reference numbers. R (propr, corpcor) is not reachable here, so the
reference values are (a) Roman-cups reference figures
(Al-Fe +0.7267, Si-Al +0.7215, Si-Fe -0.6631, Ca-Na +0.5973, computed
with numpy and with R corpcor, agreeing to ~1e-11), and (b) independent,
deliberately naive numpy derivations written in this file: explicit
residual regressions, ``np.linalg.pinv`` of alr / clr / normalised
covariances, and the Schäfer-Strimmer shrinkage intensities from their
textbook formulas (explicit w_kij products, no SVD tricks).
"""

import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.base import clone
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from statnorm.compositional import (
    ALRTransformer,
    CLRTransformer,
    CompositionalPartialCorrelation,
    ILRTransformer,
    PartialCorrelationDisplay,
    PartialCorrelationNetworkDisplay,
    alr,
    alr_inv,
    closure,
    clr,
    clr_inv,
    ilr,
    ilr_basis,
    ilr_inv,
    multiplicative_replacement,
)
from statnorm.datasets import load_roman_cups
from statnorm.exceptions import DataDimensionalityWarning

CUPS = load_roman_cups()
X_CUPS = CUPS.data
NAMES = list(CUPS.feature_names)


def _ix(a):
    return NAMES.index(a)


def _cor2pcor(S):
    """corpcor::cor2pcor: -pinv, restore the diagonal sign, standardise."""
    P = np.linalg.pinv(S)
    d = np.sqrt(np.diag(P))
    R = -P / np.outer(d, d)
    np.fill_diagonal(R, 1.0)
    return R


@pytest.fixture(scope="module")
def cups_fit():
    return CompositionalPartialCorrelation().fit(X_CUPS)


# --------------------------------------------------------------- reference
@pytest.mark.parametrize(
    ("a", "b", "value"),
    [
        ("Al", "Fe", 0.7267),
        ("Si", "Al", 0.7215),
        ("Si", "Fe", -0.6631),
        ("Ca", "Na", 0.5973),
    ],
)
def test_roman_cups_headline_partial_correlations(cups_fit, a, b, value):
    r = cups_fit.partial_correlation_[_ix(a), _ix(b)]
    assert round(float(r), 4) == value


def test_cups_matches_pinv_of_clr_covariance_and_alr_precision(cups_fit):
    Z = np.log(X_CUPS)
    Z -= Z.mean(axis=1, keepdims=True)
    G = np.cov(Z, rowvar=False)
    P = np.linalg.pinv(G)
    np.testing.assert_allclose(cups_fit.precision_, P, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(cups_fit.clr_covariance_, G, rtol=1e-12)
    np.testing.assert_allclose(cups_fit.partial_variance_, 1 / np.diag(P), rtol=1e-9)
    assert cups_fit.solver_ == "closed-form" and cups_fit.rank_ == 10
    # padded alr precision for every reference equals the same matrix
    for r in range(11):
        A = alr(X_CUPS, reference=r)
        Om = np.linalg.inv(np.cov(A, rowvar=False))
        keep = [k for k in range(11) if k != r]
        np.testing.assert_allclose(
            cups_fit.precision_[np.ix_(keep, keep)], Om, rtol=1e-9, atol=1e-8
        )
        np.testing.assert_allclose(
            cups_fit.partial_correlation_[np.ix_(keep, keep)],
            _cor2pcor(np.cov(A, rowvar=False)),
            atol=1e-10,
        )


def test_residual_regressions_every_reference(cups_fit):
    """rho_ij = corr of residuals of log(x_i/x_r), log(x_j/x_r) on all other
    log-ratios, for every reference r not in {i, j} (Erb's equivalence)."""
    L = np.log(X_CUPS)
    n, D = L.shape
    R = cups_fit.partial_correlation_
    worst = 0.0
    for r in range(D):
        A = L - L[:, [r]]
        for i in range(D):
            for j in range(i + 1, D):
                if r in (i, j):
                    continue
                others = [k for k in range(D) if k not in (i, j, r)]
                C = np.column_stack([np.ones(n), A[:, others]])
                ri = A[:, i] - C @ np.linalg.lstsq(C, A[:, i], rcond=None)[0]
                rj = A[:, j] - C @ np.linalg.lstsq(C, A[:, j], rcond=None)[0]
                worst = max(worst, abs(np.corrcoef(ri, rj)[0, 1] - R[i, j]))
    assert worst < 1e-10
    # partial variance: residual variance of log(x_i/x_r) given all others
    for i, r in [(0, 5), (1, 10), (10, 0)]:
        A = L - L[:, [r]]
        others = [k for k in range(D) if k not in (i, r)]
        C = np.column_stack([np.ones(n), A[:, others]])
        res = A[:, i] - C @ np.linalg.lstsq(C, A[:, i], rcond=None)[0]
        assert abs(res @ res / (n - 1) - cups_fit.partial_variance_[i]) < 1e-12


def test_residual_adjusting_for_partner_flips_sign(cups_fit):
    L = np.log(X_CUPS)
    i, j, r = _ix("Al"), _ix("Fe"), _ix("Sb")
    A = L - L[:, [r]]
    res = []
    for a in (i, j):
        others = [k for k in range(11) if k not in (a, r)]
        C = np.column_stack([np.ones(47), A[:, others]])
        res.append(A[:, a] - C @ np.linalg.lstsq(C, A[:, a], rcond=None)[0])
    r_all = np.corrcoef(*res)[0, 1]
    assert abs(r_all + cups_fit.partial_correlation_[i, j]) < 1e-10


def test_standardising_before_pseudo_inverse_is_wrong(cups_fit):
    Z = clr(X_CUPS)
    G = np.cov(Z, rowvar=False)
    d = np.sqrt(np.diag(G))
    wrong = _cor2pcor(G / np.outer(d, d))
    err = np.abs(wrong - cups_fit.partial_correlation_).max()
    assert err > 0.3  # the note reports 0.383
    np.testing.assert_allclose(_cor2pcor(G), cups_fit.partial_correlation_, atol=1e-10)


def test_normalisation_equivalence_when_normalisers_controlled(cups_fit):
    """log x - mean_S log x (propr's ivar / iqlr-style normalisation): its
    cor2pcor and residual regressions give rho on the parts outside S."""
    L = np.log(X_CUPS)
    S = [_ix("Ti"), _ix("P"), _ix("Mn")]
    Y = L - L[:, S].mean(axis=1, keepdims=True)
    R_norm = _cor2pcor(np.cov(Y, rowvar=False))
    out = [k for k in range(11) if k not in S]
    np.testing.assert_allclose(
        R_norm[np.ix_(out, out)],
        cups_fit.partial_correlation_[np.ix_(out, out)],
        atol=1e-9,
    )
    i, j = _ix("Al"), _ix("Fe")
    others = [k for k in range(11) if k not in (i, j)]  # includes S
    reg = LinearRegression()
    ri = Y[:, i] - reg.fit(Y[:, others], Y[:, i]).predict(Y[:, others])
    rj = Y[:, j] - reg.fit(Y[:, others], Y[:, j]).predict(Y[:, others])
    assert abs(np.corrcoef(ri, rj)[0, 1] - cups_fit.partial_correlation_[i, j]) < 1e-10


def test_invariances_and_clr_input(cups_fit):
    rng = np.random.default_rng(0)
    scaled = X_CUPS * rng.uniform(0.1, 10, size=(47, 1))
    R = cups_fit.partial_correlation_
    np.testing.assert_allclose(
        CompositionalPartialCorrelation().fit(scaled).partial_correlation_,
        R,
        atol=1e-10,
    )
    perm = rng.permutation(11)
    Rp = CompositionalPartialCorrelation().fit(X_CUPS[:, perm]).partial_correlation_
    np.testing.assert_allclose(Rp, R[np.ix_(perm, perm)], atol=1e-10)
    for data in (clr(X_CUPS), np.log(X_CUPS) + 3.0):
        est = CompositionalPartialCorrelation(input="clr").fit(data)
        np.testing.assert_allclose(est.partial_correlation_, R, atol=1e-10)
    np.testing.assert_allclose(
        CompositionalPartialCorrelation(ddof=0).fit(X_CUPS).partial_correlation_,
        R,
        atol=1e-10,
    )


def test_svd_route_equals_pinv_and_warns():
    rng = np.random.default_rng(1)
    X = np.exp(rng.normal(size=(12, 30)))
    with pytest.warns(DataDimensionalityWarning, match="rank 11 < n_parts - 1 = 29"):
        est = CompositionalPartialCorrelation().fit(X)
    assert est.solver_ == "svd" and est.rank_ == 11 and est.df_ is None
    G = np.cov(clr(X), rowvar=False)
    np.testing.assert_allclose(est.precision_, np.linalg.pinv(G), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(est.clr_covariance_, G, atol=1e-12)
    assert np.isnan(est.pvalues_).all()


def test_svd_route_partial_correlation_equals_scaled_pinv():
    # the low-rank route forms -P_ij / sqrt(P_ii P_jj) in one product of the
    # scaled factor; the same numbers as scaling the dense pseudo-inverse
    rng = np.random.default_rng(3)
    X = np.exp(rng.normal(size=(15, 40)))
    with pytest.warns(DataDimensionalityWarning):
        est = CompositionalPartialCorrelation().fit(X)
    P = np.linalg.pinv(np.cov(clr(X), rowvar=False))
    sd = np.sqrt(np.diag(P))
    R = -P / np.outer(sd, sd)
    np.fill_diagonal(R, 1.0)
    np.testing.assert_allclose(est.partial_correlation_, R, rtol=0, atol=1e-10)
    from statnorm.compositional._estimate import pcor_block

    block = pcor_block(est._precision, 5, 9, 3)
    np.testing.assert_allclose(block, R[5:9, 3:], rtol=0, atol=1e-10)


def test_collinear_parts_fall_back_to_pseudo_inverse():
    rng = np.random.default_rng(2)
    X = np.exp(rng.normal(size=(40, 5)))
    X = np.column_stack([X, 2 * X[:, 0]])  # constant log-ratio
    with pytest.warns(DataDimensionalityWarning, match="collinear or constant"):
        est = CompositionalPartialCorrelation().fit(X)
    assert est.rank_ == 4 and est.solver_ == "svd"


# ---------------------------------------------------------------- p-values
def test_pvalues_use_n_minus_D_plus_1(cups_fit):
    assert cups_fit.df_ == 47 - 11 + 1
    r = cups_fit.partial_correlation_[_ix("Al"), _ix("Fe")]
    t = r * np.sqrt(37 / (1 - r * r))
    p = 2 * stats.t.sf(abs(t), 37)
    assert abs(cups_fit.pvalues_[_ix("Al"), _ix("Fe")] - p) < 1e-15
    assert np.isnan(np.diag(cups_fit.pvalues_)).all()


@pytest.mark.slow
def test_pvalue_size_monte_carlo():
    """Under H0 (alr coordinates with identity covariance: all partial
    correlations between non-reference parts are 0) the test has size alpha.
    3000 replicates, n=16, D=8 (df=9): bound alpha +- 3 MC standard errors."""
    rng = np.random.default_rng(20260)
    reps, n, D, alpha = 3000, 16, 8, 0.05
    rej_right = rej_wrong = 0
    est = CompositionalPartialCorrelation(input="clr")
    for _ in range(reps):
        A = rng.normal(size=(n, D - 1))
        L = np.column_stack([A, np.zeros(n)])  # reference part last
        est.fit(L)
        r = est.partial_correlation_[0, 1]
        rej_right += est.pvalues_[0, 1] < alpha
        t = abs(r) * np.sqrt((n - 2) / (1 - r * r))  # df = n - 2 (pingouin #171)
        rej_wrong += 2 * stats.t.sf(t, n - 2) < alpha
    se = np.sqrt(alpha * (1 - alpha) / reps)
    assert abs(rej_right / reps - alpha) < 3 * se
    assert rej_wrong / reps > alpha + 3 * se  # the wrong df is anti-conservative


# ---------------------------------------------------------------- shrinkage
def _naive_cov_shrink(x):
    """Schäfer-Strimmer / Opgen-Rhein-Strimmer (corpcor cov.shrink), naive."""
    n, p = x.shape
    xc = x - x.mean(axis=0)
    v = (xc**2).sum(axis=0) / (n - 1)
    xs = xc / np.sqrt(v)
    # correlation intensity: sum_{i != j} Var(r_ij) / sum_{i != j} r_ij^2
    w = xs[:, :, None] * xs[:, None, :]  # n x p x p
    wbar = w.mean(axis=0)
    var_r = n / (n - 1) ** 3 * ((w - wbar) ** 2).sum(axis=0)
    r = wbar * n / (n - 1)
    off = ~np.eye(p, dtype=bool)
    lam = min(1.0, max(0.0, var_r[off].sum() / (r[off] ** 2).sum()))
    # variance intensity toward the median variance
    wv = xc**2
    var_s = n / (n - 1) ** 3 * ((wv - wv.mean(axis=0)) ** 2).sum(axis=0)
    lam_var = min(1.0, var_s.sum() / ((v - np.median(v)) ** 2).sum())
    s_star = lam_var * np.median(v) + (1 - lam_var) * v
    R = (1 - lam) * r
    np.fill_diagonal(R, 1.0)
    return np.sqrt(np.outer(s_star, s_star)) * R, lam, lam_var


def test_basis_shrinkage_matches_naive_estimator_on_cups():
    est = CompositionalPartialCorrelation(shrinkage="basis").fit(X_CUPS)
    B = np.log(closure(X_CUPS))
    Cb, lam, lam_var = _naive_cov_shrink(B)
    assert abs(est.shrinkage_ - lam) < 1e-12
    assert abs(est.shrinkage_variance_ - lam_var) < 1e-12
    G = np.eye(11) - 1 / 11
    Sigma = G @ Cb @ G
    np.testing.assert_allclose(est.clr_covariance_, Sigma, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(
        est.precision_, np.linalg.pinv(Sigma), rtol=1e-8, atol=1e-8
    )
    np.testing.assert_allclose(est.partial_correlation_, _cor2pcor(Sigma), atol=1e-10)
    # propr's test: the alr projection gives the same partial correlations
    F = np.column_stack([np.eye(10), -np.ones(10)])
    np.testing.assert_allclose(
        _cor2pcor(F @ Cb @ F.T), est.partial_correlation_[:10, :10], atol=1e-10
    )
    assert est.df_ is None and np.isnan(est.pvalues_).all()


def test_direct_shrinkage_and_fixed_intensity():
    est = CompositionalPartialCorrelation(shrinkage="direct").fit(X_CUPS)
    C, lam, _ = _naive_cov_shrink(clr(X_CUPS))
    assert abs(est.shrinkage_ - lam) < 1e-12
    np.testing.assert_allclose(est.partial_correlation_, _cor2pcor(C), atol=1e-10)
    # the closure artefact: direct shrinkage pushes partial correlations negative
    basis = CompositionalPartialCorrelation(shrinkage="basis").fit(X_CUPS)
    iu = np.triu_indices(11, 1)
    assert (est.partial_correlation_[iu] < 0).mean() > (
        basis.partial_correlation_[iu] < 0
    ).mean()
    fixed = CompositionalPartialCorrelation(shrinkage=0.3).fit(X_CUPS)
    assert fixed.shrinkage_ == 0.3
    # shrinkage 0 reproduces the exact estimator up to the variance shrinkage,
    # which does not change correlations when lambda_var is 0 ... check pinv
    zero = CompositionalPartialCorrelation(shrinkage=0.0).fit(X_CUPS)
    B = np.log(closure(X_CUPS))
    Cb, _, _ = _naive_cov_shrink(B)
    v = np.diag(Cb)
    Rb = np.corrcoef(B, rowvar=False)
    G = np.eye(11) - 1 / 11
    Sigma0 = G @ (np.sqrt(np.outer(v, v)) * Rb) @ G
    np.testing.assert_allclose(zero.partial_correlation_, _cor2pcor(Sigma0), atol=1e-9)


def test_woodbury_path_matches_dense_when_parts_outnumber_samples():
    rng = np.random.default_rng(3)
    n, D = 15, 40
    X = np.exp(rng.normal(size=(n, D)) + rng.normal(size=(1, D)))
    est = CompositionalPartialCorrelation(shrinkage="basis").fit(X)
    assert est.solver_ == "woodbury" and 0 < est.shrinkage_ < 1
    Cb, lam, _ = _naive_cov_shrink(np.log(closure(X)))
    assert abs(est.shrinkage_ - lam) < 1e-12
    G = np.eye(D) - 1 / D
    Sigma = G @ Cb @ G
    P = np.linalg.pinv(Sigma)
    np.testing.assert_allclose(est.precision_, P, rtol=1e-7, atol=1e-7 * abs(P).max())
    np.testing.assert_allclose(est.partial_correlation_, _cor2pcor(Sigma), atol=1e-9)
    assert np.allclose(est.precision_.sum(axis=1), 0, atol=1e-8 * abs(P).max())
    direct = CompositionalPartialCorrelation(shrinkage="direct").fit(X)
    C, _, _ = _naive_cov_shrink(clr(X))
    np.testing.assert_allclose(direct.partial_correlation_, _cor2pcor(C), atol=1e-9)
    # intensity 0 with D > n: a singular shrunk covariance -> SVD + warning
    with pytest.warns(DataDimensionalityWarning, match="shrinkage intensity 0"):
        zero = CompositionalPartialCorrelation(shrinkage=0.0).fit(X)
    assert zero.solver_ == "svd"


def test_constant_log_proportion_with_shrinkage_is_uncorrelated():
    rng = np.random.default_rng(4)
    P = closure(np.exp(rng.normal(size=(30, 6))))
    P = np.column_stack([P * 0.8, np.full(30, 0.2)])  # a part with constant share
    est = CompositionalPartialCorrelation(shrinkage="basis").fit(P)
    assert np.isfinite(est.partial_correlation_).all()


# -------------------------------------------------------------- edges, scale
def test_top_edges_and_edges_blockwise_match_dense():
    rng = np.random.default_rng(5)
    X = np.exp(rng.normal(size=(25, 60)))
    est = CompositionalPartialCorrelation(shrinkage="basis").fit(X)
    R = est.partial_correlation_
    iu = np.triu_indices(60, 1)
    v = R[iu]
    order = np.argsort(-np.abs(v), kind="stable")
    for bs in (1, 7, None):
        e = est.top_edges(12, block_size=bs)
        np.testing.assert_allclose(e.partial_correlation, v[order[:12]], atol=1e-12)
        assert set(zip(e.i, e.j)) == set(zip(iu[0][order[:12]], iu[1][order[:12]]))
        thr = float(np.quantile(np.abs(v), 0.9))
        ed = est.edges(threshold=thr, block_size=bs)
        assert len(ed) == int((np.abs(v) >= thr).sum())
        assert (ed.i < ed.j).all()
    assert len(est.top_edges(10**6)) == 60 * 59 // 2
    with pytest.raises(ValueError, match="max_edges=5"):
        est.edges(threshold=0.0, max_edges=5)


def test_top_edges_large_D_never_builds_the_matrix():
    rng = np.random.default_rng(6)
    n, D = 30, 3000
    X = np.exp(rng.normal(size=(n, D)))
    est = CompositionalPartialCorrelation(shrinkage="basis").fit(X)
    assert est.solver_ == "woodbury"
    e = est.top_edges(5, block_size=500)
    assert "precision" not in est._cache and "pcor" not in est._cache
    # spot-check the returned values against rows of the dense definition
    P = est._precision
    for i, j, r in zip(e.i, e.j, e.partial_correlation):
        row = P.block(i, i + 1)[0]
        assert abs(-row[j] / np.sqrt(row[i] * P.block(j, j + 1)[0][j]) - r) < 1e-12


def test_edge_exports(cups_fit):
    nx = pytest.importorskip("networkx")
    pd = pytest.importorskip("pandas")
    est = CompositionalPartialCorrelation().fit(load_roman_cups(as_frame=True).data)
    e = est.top_edges(5)
    G = e.to_networkx()
    assert isinstance(G, nx.Graph) and G.number_of_edges() == 5
    assert G["Al"]["Fe"]["partial_correlation"] == pytest.approx(0.7267, abs=5e-5)
    df = e.to_frame()
    assert isinstance(df, pd.DataFrame) and list(df.source[:2]) == ["Al", "Si"]
    assert "Al" in str(est.summary(max_rows=3))


def test_plots(cups_fit):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = PartialCorrelationDisplay.from_estimator(cups_fit).ax_
    assert len(ax.texts) == 110
    ax2 = PartialCorrelationNetworkDisplay.from_edges(cups_fit.top_edges(6)).ax_
    assert len(ax2.lines) == 6
    ax3 = PartialCorrelationNetworkDisplay.from_estimator(cups_fit, threshold=0.5).ax_
    assert len(ax3.lines) == 4
    with pytest.raises(ValueError, match="max_parts=5"):
        PartialCorrelationDisplay.from_estimator(cups_fit, max_parts=5)
    plt.close("all")


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("X", "match"),
    [
        ([[0.2, 0.3, -0.5], [0.2, 0.3, 0.5]], "Negative values in data passed to"),
        ([[0.2, 0.3, np.nan], [0.2, 0.3, 0.5]], "NaN"),
        ([[0.2, 0.3, np.inf], [0.2, 0.3, 0.5]], "infinity"),
        ([[0.2, 0.3, 0.5], [0.0, 0.0, 0.0]], "all-zero row"),
        ([[0.2, 0.3, 0.0], [0.2, 0.3, 0.5]], "multiplicative_replacement"),
        ([[0.2], [0.3], [0.4]], "1 feature"),
    ],
)
def test_bad_compositions(X, match):
    with pytest.raises(ValueError, match=match):
        CompositionalPartialCorrelation().fit(X)
    for fn in (clr, alr, ilr):
        with pytest.raises(ValueError, match=match if "feature" not in match else None):
            fn(np.asarray(X))


def test_bad_shapes_and_params():
    with pytest.raises(ValueError, match="1 sample"):
        CompositionalPartialCorrelation().fit([[0.2, 0.3, 0.5]])
    with pytest.raises(ValueError, match="minimum of 3 is required"):
        CompositionalPartialCorrelation().fit([[0.2, 0.3, 0.5], [0.1, 0.3, 0.6]])
    with pytest.raises(ValueError, match="Found array with 0 sample"):
        CompositionalPartialCorrelation().fit(np.empty((0, 3)))
    with pytest.raises(TypeError):
        CompositionalPartialCorrelation().fit("abc")
    with pytest.raises(ValueError, match="'shrinkage' parameter"):
        CompositionalPartialCorrelation(shrinkage="ledoit").fit(X_CUPS)
    with pytest.raises(ValueError, match="'shrinkage' parameter"):
        CompositionalPartialCorrelation(shrinkage=1.5).fit(X_CUPS)
    with pytest.raises(ValueError, match="ddof=47 must be smaller"):
        CompositionalPartialCorrelation(ddof=47).fit(X_CUPS)
    est = CompositionalPartialCorrelation().fit(X_CUPS)
    with pytest.raises(ValueError, match="k must be a positive int"):
        est.top_edges(0)
    with pytest.raises(ValueError, match="threshold must be"):
        est.edges(threshold=2)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        CompositionalPartialCorrelation().top_edges(3)
    with pytest.raises(NotFittedError):
        _ = CompositionalPartialCorrelation().partial_correlation_


def test_constant_parts_and_identical_rows():
    rng = np.random.default_rng(7)
    X = np.exp(rng.normal(size=(30, 5)))
    X[:, 2] = 3.0  # a constant raw part is a valid reference-like part
    est = CompositionalPartialCorrelation().fit(X)
    assert np.isfinite(est.partial_correlation_).all()
    same = np.tile([0.2, 0.3, 0.5], (10, 1))  # no variation at all
    with pytest.raises(ValueError, match="X has no variation"):
        CompositionalPartialCorrelation().fit(same)


@pytest.mark.parametrize("shrinkage", [None, "basis", "direct", 0.0, 0.5, 1.0])
def test_identical_compositions_are_refused_with_or_without_shrinkage(shrinkage):
    # shrunk, they used to return the shrinkage target's partial correlations
    rng = np.random.default_rng(9)
    same = np.tile([0.2, 0.3, 0.4, 0.1], (60, 1))
    scaled = same * np.exp(rng.normal(size=(60, 1)))  # the same compositions
    est = CompositionalPartialCorrelation(shrinkage=shrinkage)
    for X in (same, scaled):
        with pytest.raises(ValueError, match="X has no variation.*60 compositions"):
            est.fit(X)
    with pytest.raises(ValueError, match="X has no variation"):
        est.set_params(input="clr").fit(np.log(scaled))
    # all of the variation explained by a covariate: nothing left
    age = rng.normal(size=60)
    X = np.exp(np.outer(age, [1.0, -1.0, 0.5, 0.0]))
    with pytest.raises(ValueError, match="no variation: .* given the covariates"):
        est.set_params(input="composition").fit(X, covariates=age)
    # a little variation is data
    X = same * np.exp(1e-3 * rng.normal(size=same.shape))
    assert np.isfinite(est.fit(X).partial_correlation_).all()


def test_two_parts_documented_result():
    rng = np.random.default_rng(8)
    est = CompositionalPartialCorrelation().fit(np.exp(rng.normal(size=(10, 2))))
    np.testing.assert_allclose(est.partial_correlation_, np.ones((2, 2)))
    assert est.df_ is None


def test_inputs_never_modified():
    X = X_CUPS.copy()
    X[0, 0] = 0.0
    keep = X.copy()
    CompositionalPartialCorrelation(zero_replacement="multiplicative").fit(X)
    CompositionalPartialCorrelation(
        shrinkage="basis", zero_replacement="multiplicative"
    ).fit(X)
    multiplicative_replacement(X)
    closure(X)
    CLRTransformer(zero_replacement="multiplicative").fit_transform(X)
    np.testing.assert_array_equal(X, keep)
    Z = clr(X_CUPS)
    Zk = Z.copy()
    clr_inv(Z)
    CompositionalPartialCorrelation(input="clr").fit(Z)
    np.testing.assert_array_equal(Z, Zk)


def test_zero_replacement_in_estimator():
    X = X_CUPS.copy()
    X[3, 9] = 0.0
    est = CompositionalPartialCorrelation(zero_replacement="multiplicative").fit(X)
    ref = CompositionalPartialCorrelation().fit(multiplicative_replacement(X))
    np.testing.assert_allclose(est.partial_correlation_, ref.partial_correlation_)


# --------------------------------------------------------------- transforms
def test_multiplicative_replacement_rule_and_errors():
    np.testing.assert_allclose(
        multiplicative_replacement([0.2, 0.4, 0.4, 0.0]),
        [0.1875, 0.375, 0.375, 0.0625],
    )
    out = multiplicative_replacement([[2.0, 0.0, 0.0, 6.0]], delta=0.01)
    np.testing.assert_allclose(out, [[0.25 * 0.98, 0.01, 0.01, 0.75 * 0.98]])
    with pytest.raises(ValueError, match=r"delta=0\.5 is too large"):
        multiplicative_replacement([[1.0, 0.0, 0.0]], delta=0.5)
    with pytest.raises(ValueError, match="delta must be a float"):
        multiplicative_replacement([[1.0, 0.0]], delta=0)
    with pytest.raises(ValueError, match="all-zero"):
        multiplicative_replacement([[0.0, 0.0]])


def test_multiplicative_replacement_matches_scikit_bio():
    comp = pytest.importorskip("skbio.stats.composition")
    rng = np.random.default_rng(9)
    X = rng.integers(0, 5, size=(20, 6)).astype(float)
    X[X.sum(axis=1) == 0, 0] = 1.0
    np.testing.assert_allclose(
        multiplicative_replacement(X), comp.multi_replace(X), rtol=1e-12
    )
    P = closure(np.exp(rng.normal(size=(20, 6))))
    np.testing.assert_allclose(clr(P), comp.clr(P), atol=1e-12)
    np.testing.assert_allclose(ilr(P), comp.ilr(P), atol=1e-12)
    np.testing.assert_allclose(alr(P, reference=0), comp.alr(P, 0), atol=1e-12)


def test_transform_round_trips_and_basis():
    rng = np.random.default_rng(10)
    P = closure(np.exp(rng.normal(size=(8, 5))))
    np.testing.assert_allclose(clr_inv(clr(P)), P, rtol=1e-12)
    for r in (0, 2, -1):
        np.testing.assert_allclose(
            alr_inv(alr(P, reference=r), reference=r), P, rtol=1e-12
        )
    V = ilr_basis(5)
    np.testing.assert_allclose(V @ V.T, np.eye(4), atol=1e-14)
    np.testing.assert_allclose(ilr_inv(ilr(P)), P, rtol=1e-12)
    Q, _ = np.linalg.qr(V.T @ rng.normal(size=(4, 4)))  # another basis
    np.testing.assert_allclose(ilr_inv(ilr(P, basis=Q.T), basis=Q.T), P, rtol=1e-12)
    # isometry: Euclidean distances of ilr == of clr
    np.testing.assert_allclose(
        np.linalg.norm(ilr(P)[0] - ilr(P)[1]), np.linalg.norm(clr(P)[0] - clr(P)[1])
    )
    assert clr([1.0, 2.0, 4.0]).shape == (3,)
    with pytest.raises(ValueError, match="orthonormal rows"):
        ilr(P, basis=np.ones((4, 5)))
    with pytest.raises(ValueError, match="shape"):
        ilr(P, basis=np.ones((3, 5)))
    with pytest.raises(ValueError, match="out of range"):
        alr(P, reference=5)
    with pytest.raises(TypeError, match="reference must be an int"):
        alr(P, reference=1.5)
    with pytest.raises(ValueError, match="n_parts must be an int >= 2"):
        ilr_basis(1)


def test_transformers_pipeline_clone_and_names():
    pd = pytest.importorskip("pandas")
    df = load_roman_cups(as_frame=True).data
    Z = CLRTransformer().fit_transform(df)
    np.testing.assert_allclose(Z, clr(df.to_numpy()))
    t = ALRTransformer(reference=-1).fit(df)
    assert t.get_feature_names_out()[0] == "alr(Si/Sb)"
    np.testing.assert_allclose(
        t.inverse_transform(t.transform(df)), closure(df.to_numpy()), rtol=1e-12
    )
    it = ILRTransformer().fit(df)
    assert it.get_feature_names_out()[0] == "ilrtransformer0"
    np.testing.assert_allclose(
        it.inverse_transform(it.transform(df)), closure(df.to_numpy()), rtol=1e-12
    )
    pipe = make_pipeline(CLRTransformer(), CompositionalPartialCorrelation(input="clr"))
    pipe.fit(df)
    np.testing.assert_allclose(
        pipe[-1].partial_correlation_,
        CompositionalPartialCorrelation().fit(df).partial_correlation_,
        atol=1e-10,
    )
    c = clone(CompositionalPartialCorrelation(shrinkage="basis"))
    assert c.get_params()["shrinkage"] == "basis"
    with pytest.raises(ValueError, match="expecting 10 alr coordinates"):
        t.inverse_transform(np.ones((2, 3)))
    assert isinstance(df, pd.DataFrame)


def test_transformer_zero_error_and_replacement():
    X = [[0.2, 0.0, 0.8], [0.3, 0.3, 0.4]]
    with pytest.raises(ValueError, match="multiplicative_replacement"):
        CLRTransformer().fit(X)
    Z = CLRTransformer(zero_replacement="multiplicative").fit_transform(X)
    np.testing.assert_allclose(Z, clr(multiplicative_replacement(X)))


# ---------------------------------------------------------------------- CLI
def test_cli_pcor_on_cups(tmp_path, capsys):
    import shutil

    from statnorm import _cli

    src = tmp_path / "cups.csv"
    df = load_roman_cups(as_frame=True).data
    df.insert(0, "cup", np.arange(1, 48))
    df.to_csv(src, index=False)
    # a named column counting the rows is kept, with a note naming --index-col
    assert _cli.main(["pcor", str(src), "-k", "4"]) == 0
    assert "pass --index-col cup" in capsys.readouterr().err
    out = tmp_path / "m"
    argv = ["pcor", str(src), "--index-col", "cup", "-k", "4", "-o", str(out)]
    assert _cli.main(argv) == 0
    text = capsys.readouterr().out
    assert "Al       Fe       0.7267" in text and "df = 37" in text
    assert "partial variances" in text
    M = np.loadtxt(
        out / "partial_correlation.csv", delimiter=",", skiprows=1, usecols=range(1, 12)
    )
    assert abs(M[1, 2] - 0.7267) < 5e-5
    assert sorted(p.name for p in out.iterdir()) == [
        "partial_correlation.csv",
        "partial_variance.csv",
        "top_pairs.csv",
    ]
    assert (
        _cli.main(["pcor", str(src), "--index-col", "0", "--shrinkage", "basis"]) == 0
    )
    assert "shrinkage = 0.05912" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    shutil.copy(src, bad)
    bad.write_text(bad.read_text().replace("0.01,", "0,", 1))
    assert _cli.main(["pcor", str(bad), "--index-col", "cup"]) == 1
    assert "multiplicative_replacement" in capsys.readouterr().err
    argv = ["pcor", str(bad), "--index-col", "cup"]
    assert _cli.main([*argv, "--zero-replacement", "multiplicative"]) == 0
    assert _cli.main(["pcor", str(tmp_path / "missing.csv")]) == 1


def test_tour_section(tmp_path):
    pytest.importorskip("matplotlib")
    from statnorm._report import Report
    from statnorm._tours.compositional import tour

    rep = Report(tmp_path)
    tour(rep)
    text = "\n".join(rep.blocks)
    assert "+0.7267" in text and "r = -0.015" in text
    assert len(rep.figures) == 1
