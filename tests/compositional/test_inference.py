"""Weights, covariates, FDR control and intervals of compositional partial
correlations."""

import numpy as np
import pytest

from statnorm.compositional import (
    CompositionalPartialCorrelation,
    PartialCorrelationFDR,
    PartialCorrelationInterval,
)
from statnorm.datasets import load_roman_cups
from statnorm.exceptions import DataDimensionalityWarning

CPC = CompositionalPartialCorrelation


def _ring_model(D, strength=0.8):
    """Sparse alr precision (a ring through the reference part).

    Returns the true partial correlations (``-P_ij / sqrt(P_ii P_jj)`` of
    ``P = F^T Omega F``) and a Cholesky factor of the alr covariance. Pairs
    with a zero precision entry have partial correlation exactly 0.
    """
    d = D - 1
    om = np.zeros((d, d))
    k = np.arange(d - 1)
    om[k, k + 1] = om[k + 1, k] = -strength
    om[np.diag_indices(d)] = 2 * strength
    F = np.hstack([np.eye(d), -np.ones((d, 1))])
    P = F.T @ om @ F
    s = np.sqrt(np.diag(P))
    R = -P / np.outer(s, s)
    np.fill_diagonal(R, 1.0)
    return R, np.linalg.cholesky(np.linalg.inv(om))


def _draw(rng, n, D, chol):
    A = rng.normal(size=(n, D - 1)) @ chol.T
    X = np.exp(np.column_stack([A, np.zeros(n)]))
    return X / X.sum(axis=1, keepdims=True)


def _fdp(edges, R):
    if len(edges) == 0:
        return 0.0
    return float(np.mean(np.abs(R[edges.i, edges.j]) < 1e-12))


# ------------------------------------------------------------ sample_weight
@pytest.mark.parametrize("shrinkage", [None, "basis", "direct", 0.3])
def test_integer_weights_equal_row_repetition(shrinkage):
    rng = np.random.default_rng(1)
    X = np.exp(rng.normal(size=(14, 6)))
    w = rng.integers(0, 4, size=14)
    w[:3] = 1
    a = CPC(shrinkage).fit(X, sample_weight=w)
    b = CPC(shrinkage).fit(np.repeat(X, w, axis=0))
    np.testing.assert_allclose(
        a.partial_correlation_, b.partial_correlation_, atol=1e-12
    )
    np.testing.assert_allclose(a.precision_, b.precision_, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(a.partial_variance_, b.partial_variance_, rtol=1e-10)
    assert a.df_ == b.df_
    assert a.shrinkage_ == pytest.approx(b.shrinkage_, abs=1e-12)
    assert a.shrinkage_variance_ == pytest.approx(b.shrinkage_variance_, abs=1e-12)
    np.testing.assert_allclose(a.pvalues_, b.pvalues_, rtol=1e-9)


@pytest.mark.parametrize("shrinkage", [None, "basis"])
def test_integer_weights_equal_repetition_more_parts_than_samples(shrinkage):
    rng = np.random.default_rng(2)
    X = np.exp(rng.normal(size=(8, 15)))
    w = rng.integers(1, 3, size=8)
    with pytest.warns(DataDimensionalityWarning) if shrinkage is None else _nowarn():
        a = CPC(shrinkage).fit(X, sample_weight=w)
    with pytest.warns(DataDimensionalityWarning) if shrinkage is None else _nowarn():
        b = CPC(shrinkage).fit(np.repeat(X, w, axis=0))
    assert a.solver_ == b.solver_
    np.testing.assert_allclose(
        a.partial_correlation_, b.partial_correlation_, atol=1e-10
    )


class _nowarn:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_unit_weights_change_nothing_and_input_is_not_modified():
    X = load_roman_cups().data
    w = np.ones(X.shape[0])
    w0 = w.copy()
    a = CPC().fit(X, sample_weight=w)
    b = CPC().fit(X)
    np.testing.assert_allclose(a.partial_correlation_, b.partial_correlation_)
    assert a.df_ == b.df_ == 37
    np.testing.assert_array_equal(w, w0)


@pytest.mark.parametrize(
    ("w", "msg"),
    [
        (-np.ones(47), "non-negative"),
        (np.ones(10), "entries"),
        (np.r_[np.ones(2), np.zeros(45)], "at least 3"),
        (np.full(47, np.nan), "sample_weight"),
    ],
)
def test_bad_weights(w, msg):
    with pytest.raises(ValueError, match=msg):
        CPC().fit(load_roman_cups().data, sample_weight=w)


# --------------------------------------------------------------- covariates
def test_covariates_equal_residual_regression_on_alr():
    rng = np.random.default_rng(3)
    n, D = 40, 5
    Z = rng.normal(size=(n, 2))
    L = rng.normal(size=(n, D)) + Z @ rng.normal(size=(2, D))
    est = CPC().fit(np.exp(L), covariates=Z)
    A = L[:, :-1] - L[:, [-1]]  # alr, reference last
    for i, j in [(0, 1), (1, 3), (0, 2)]:
        others = [k for k in range(D - 1) if k not in (i, j)]
        des = np.column_stack([np.ones(n), Z, A[:, others]])
        ri = A[:, i] - des @ np.linalg.lstsq(des, A[:, i], rcond=None)[0]
        rj = A[:, j] - des @ np.linalg.lstsq(des, A[:, j], rcond=None)[0]
        assert est.partial_correlation_[i, j] == pytest.approx(
            np.corrcoef(ri, rj)[0, 1], abs=1e-12
        )
    # n - (D - 3 others + 2 covariates) - 2
    assert est.df_ == n - D + 1 - 2 == 34
    assert est.n_covariates_ == 2


def test_covariate_independent_of_parts_changes_little():
    rng = np.random.default_rng(4)
    X = load_roman_cups().data
    z = rng.normal(size=X.shape[0])
    a = CPC().fit(X, covariates=z)
    b = CPC().fit(X)
    assert np.abs(a.partial_correlation_ - b.partial_correlation_).max() < 0.15
    assert a.df_ == b.df_ - 1


def test_covariates_with_weights_equal_repetition():
    rng = np.random.default_rng(5)
    X = np.exp(rng.normal(size=(20, 5)))
    Z = rng.normal(size=(20, 2))
    w = rng.integers(1, 4, size=20)
    for shrinkage in (None, "basis"):
        a = CPC(shrinkage).fit(X, sample_weight=w, covariates=Z)
        b = CPC(shrinkage).fit(np.repeat(X, w, 0), covariates=np.repeat(Z, w, 0))
        np.testing.assert_allclose(
            a.partial_correlation_, b.partial_correlation_, atol=1e-10
        )


def test_bad_covariates():
    X = load_roman_cups().data
    with pytest.raises(ValueError, match="covariates"):
        CPC().fit(X, covariates=np.ones((X.shape[0], 1)))  # collinear with 1
    with pytest.raises(ValueError, match="covariates"):
        CPC().fit(X, covariates=np.ones((5, 1)))
    with pytest.raises(ValueError, match="covariates"):
        CPC().fit(X, covariates=np.full((X.shape[0], 1), np.nan))


# ------------------------------------------------------- multiple testing
def test_bh_and_by_are_statsmodels_on_the_t_test_pvalues():
    multipletests = pytest.importorskip("statsmodels.stats.multitest").multipletests
    est = CPC().fit(load_roman_cups().data)
    iu = np.triu_indices(11, 1)
    p = est.pvalues_[iu]
    for method, sm in [("bh", "fdr_bh"), ("by", "fdr_by")]:
        rej, q = multipletests(p, alpha=0.05, method=sm)[:2]
        e = est.edges(fdr=0.05, method=method)
        assert len(e) == rej.sum()
        got = {(a, b): qq for a, b, qq in zip(e.i, e.j, e.qvalue)}
        want = {(a, b): qq for a, b, qq, r in zip(*iu, q, rej) if r}
        assert got.keys() == want.keys()
        for k, v in got.items():
            assert v == pytest.approx(want[k], rel=1e-12)
    assert "q-value" in str(e)


def test_fdr_adjust_is_statsmodels_multipletests():
    # statnorm's BH/BY (scipy's false_discovery_control) against statsmodels on
    # p-values with ties, zeros, ones and values at the rejection boundary.
    multipletests = pytest.importorskip("statsmodels.stats.multitest").multipletests
    from statnorm.compositional._inference import _fdr_adjust

    rng = np.random.default_rng(0)
    cases = [
        rng.uniform(size=200),
        rng.beta(0.2, 3.0, size=500),
        np.r_[np.zeros(3), np.full(20, 0.01), np.ones(5), rng.uniform(size=30)],
        np.round(rng.uniform(size=300), 2),  # heavy ties
        np.arange(1, 21) * 0.05 / 20,  # each p exactly at k alpha / m
        np.array([0.3]),
    ]
    for p in cases:
        for method, sm in [("bh", "fdr_bh"), ("by", "fdr_by")]:
            for alpha in (0.01, 0.05, 0.2):
                want_rej, want_q = multipletests(p, alpha=alpha, method=sm)[:2]
                rej, q = _fdr_adjust(p, alpha, method)
                np.testing.assert_allclose(q, want_q, rtol=1e-12, atol=0)
                np.testing.assert_array_equal(rej, want_rej)
    rej, q = _fdr_adjust(np.zeros(0), 0.05, "bh")
    assert rej.shape == q.shape == (0,)


def test_fdr_arguments():
    est = CPC().fit(load_roman_cups().data)
    with pytest.raises(ValueError, match="either threshold or fdr"):
        est.edges(0.3, fdr=0.05)
    for bad in (0, 1, -0.1, np.nan, "a"):
        with pytest.raises(ValueError, match="fdr"):
            est.edges(fdr=bad)
    with pytest.raises(ValueError, match="method"):
        est.edges(fdr=0.05, method="holm")
    shrunk = CPC("basis").fit(load_roman_cups().data)
    with pytest.raises(ValueError, match="permutation"):
        shrunk.edges(fdr=0.05)
    e = shrunk.edges(fdr=0.05, method="permutation", n_permutations=20, random_state=0)
    assert len(e) >= 3
    assert (e.qvalue <= 0.05).all()
    assert len(est.edges()) == len(est.edges(0.5))  # default threshold kept


def test_permutation_fdr_table():
    est = CPC("basis").fit(load_roman_cups().data)
    a = est.permutation_fdr(n_permutations=30, random_state=1)
    b = est.permutation_fdr(n_permutations=30, random_state=1)
    assert isinstance(a, PartialCorrelationFDR)
    np.testing.assert_array_equal(a.fdr, b.fdr)
    assert (np.diff(a.cutoffs) > 0).all()
    assert (np.diff(a.n_edges) <= 0).all() and (np.diff(a.n_null) <= 0).all()
    assert ((a.fdr >= 0) & (a.fdr <= 1)).all()
    # the pooled null count at each cutoff, recomputed by brute force from
    # the same permutations (each part permuted, shrinkage intensity kept)
    from statnorm._validation import spawn_seeds

    L = np.log(np.asarray(load_roman_cups().data, dtype=float))
    iu = np.triu_indices(11, 1)
    pooled = []
    for seed in spawn_seeds(1, 30):
        idx = np.argsort(np.random.default_rng(seed).random(L.shape), axis=0)
        ref = CPC(est.shrinkage_, input="clr").fit(np.take_along_axis(L, idx, 0))
        pooled.append(np.abs(ref.partial_correlation_[iu]))
    pooled = np.concatenate(pooled)
    for k in (0, 3, 10):
        c = a.cutoffs[k]
        assert a.n_null[k] == pytest.approx((pooled >= c).sum() / 30)
    assert "FDR" in str(a.summary())


def _fdr_sim(method, shrinkage, reps, n, D, fdr, seed):
    R, chol = _ring_model(D)
    rng = np.random.default_rng(seed)
    fdps, found = [], []
    for r in range(reps):
        est = CPC(shrinkage).fit(_draw(rng, n, D, chol))
        e = est.edges(fdr=fdr, method=method, n_permutations=19, random_state=r)
        fdps.append(_fdp(e, R))
        found.append(len(e))
    fdps = np.array(fdps)
    return fdps.mean(), fdps.std(ddof=1) / np.sqrt(reps), np.mean(found)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "shrinkage", "reps", "min_found"),
    [
        ("bh", None, 400, 6.5),
        ("by", None, 400, 4.0),
        ("permutation", "basis", 200, 3.0),
    ],
)
def test_fdr_at_or_below_target(method, shrinkage, reps, min_found):
    # ring of 8 parts: 8 of the 28 pairs have partial correlation 0.5, the
    # other 20 exactly 0; n = 40. The realised FDR must not exceed the
    # target by more than 3 Monte Carlo standard errors, and the procedure
    # must find most of the 8 edges (so an empty answer fails too).
    mean, se, found = _fdr_sim(method, shrinkage, reps, 40, 8, 0.1, seed=11)
    assert mean <= 0.1 + 3 * se, (mean, se)
    assert found >= min_found, found


@pytest.mark.slow
def test_permutation_fdr_with_more_parts_than_samples():
    # 16 parts, 12 samples, basis shrinkage: the permuted refits keep the
    # data's shrinkage intensity. Re-estimating it on each permuted data set
    # (independent parts: intensity near 1, estimates near 0) gave a
    # realised FDR of 0.42 here.
    mean, se, _ = _fdr_sim("permutation", "basis", 200, 12, 16, 0.1, seed=13)
    assert mean <= 0.1 + 3 * se, (mean, se)


@pytest.mark.slow
def test_bh_fdr_close_to_its_theoretical_value():
    # with independent-enough tests BH's FDR is pi0 * alpha = 20/28 * 0.1
    mean, se, _ = _fdr_sim("bh", None, 400, 40, 8, 0.1, seed=12)
    assert abs(mean - 20 / 28 * 0.1) <= 3 * se + 0.01, (mean, se)


# --------------------------------------------------------------- intervals
def test_fisher_interval_formula():
    est = CPC().fit(load_roman_cups().data)
    ci = est.confidence_interval(0.9)
    assert isinstance(ci, PartialCorrelationInterval)
    r = est.partial_correlation_[1, 2]
    half = 1.6448536269514722 / np.sqrt(est.df_ - 1)
    assert ci.lower[1, 2] == pytest.approx(np.tanh(np.arctanh(r) - half), rel=1e-12)
    assert ci.upper[1, 2] == pytest.approx(np.tanh(np.arctanh(r) + half), rel=1e-12)
    np.testing.assert_allclose(ci.lower, ci.lower.T)
    assert (ci.lower <= est.partial_correlation_).all()
    assert (ci.upper >= est.partial_correlation_).all()
    assert ci.method == "fisher" and ci.df == 37
    assert "Fisher" in str(ci.summary(max_rows=2))
    wide = est.confidence_interval(0.99)
    assert (wide.upper - wide.lower)[1, 2] > (ci.upper - ci.lower)[1, 2]


def test_interval_arguments():
    est = CPC().fit(load_roman_cups().data)
    for bad in (0, 1, 1.5, "a"):
        with pytest.raises(ValueError, match="confidence_level"):
            est.confidence_interval(bad)
    with pytest.raises(ValueError, match="method"):
        est.confidence_interval(method="wald")
    with pytest.raises(ValueError, match="n_bootstrap"):
        est.confidence_interval(method="bootstrap", n_bootstrap=0)
    rng = np.random.default_rng(0)
    wide = CPC("basis").fit(rng.dirichlet(np.ones(12), size=10))
    with pytest.raises(ValueError, match="bootstrap"):
        wide.confidence_interval(method="fisher")


def test_fisher_interval_under_shrinkage_is_that_of_the_exact_estimate():
    X = load_roman_cups().data
    ex = CPC().fit(X).confidence_interval(0.9)
    for sh in ("basis", "direct", 0.3):
        ci = CPC(sh).fit(X).confidence_interval(0.9)
        assert ci.method == "fisher" and ci.estimator == "unshrunk" and ci.df == 37
        np.testing.assert_array_equal(ci.lower, ex.lower)
        np.testing.assert_array_equal(ci.upper, ex.upper)
        np.testing.assert_array_equal(ci.partial_correlation, ex.partial_correlation)
        assert "without shrinkage" in str(ci.summary(max_rows=1))
    assert ex.estimator == "exact"


def test_bootstrap_interval_under_shrinkage():
    X = load_roman_cups().data
    est = CPC("basis").fit(X)
    with pytest.warns(UserWarning, match="nominal"):
        a = est.confidence_interval(method="bootstrap", n_bootstrap=40, random_state=0)
    with pytest.warns(UserWarning, match="method='fisher'"):
        b = est.confidence_interval(method="bootstrap", n_bootstrap=40, random_state=0)
    assert a.method == "bootstrap" and a.n_bootstrap == 40 and a.df is None
    assert a.estimator == "shrunk"
    np.testing.assert_array_equal(a.partial_correlation, est.partial_correlation_)
    np.testing.assert_array_equal(a.lower, b.lower)
    assert (a.lower <= a.upper).all()
    # the bootstrap interval of the exact estimate is about as wide as Fisher's
    ex = CPC().fit(X)
    f = ex.confidence_interval(0.95)
    bt = ex.confidence_interval(
        0.95, method="bootstrap", n_bootstrap=100, random_state=0
    )
    iu = np.triu_indices(11, 1)
    ratio = np.median((bt.upper - bt.lower)[iu] / (f.upper - f.lower)[iu])
    assert 0.6 < ratio < 1.6, ratio


@pytest.mark.slow
def test_fisher_interval_coverage():
    # df = n - D + 1 and standard error 1 / sqrt(df - 1): nominal coverage of
    # the true partial correlations (averaged over the 28 pairs), also when
    # n is small relative to D; 1 / sqrt(n - 3) would cover about 0.90 here.
    R, chol = _ring_model(8)
    rng = np.random.default_rng(21)
    iu = np.triu_indices(8, 1)
    cover = []
    for _ in range(600):
        ci = CPC().fit(_draw(rng, 20, 8, chol)).confidence_interval(0.95)
        cover.append(np.mean((ci.lower[iu] <= R[iu]) & (R[iu] <= ci.upper[iu])))
    mean, se = np.mean(cover), np.std(cover, ddof=1) / np.sqrt(len(cover))
    assert abs(mean - 0.95) <= 3 * se, (mean, se)


@pytest.mark.parametrize("shrinkage", ["basis", "direct"])
def test_default_interval_under_shrinkage_covers_nonzero_pairs(shrinkage):
    # the percentile bootstrap of the shrunk estimate covered 0.72 of the
    # rho = 0.5 pairs at 90% (method page); the default interval under
    # shrinkage (Fisher of the exact estimate) is nominal on those pairs
    R, chol = _ring_model(8)
    rng = np.random.default_rng(33)
    iu = np.triu_indices(8, 1)
    strong = np.abs(R[iu]) > 1e-12
    cover = []
    for _ in range(500):
        ci = CPC(shrinkage).fit(_draw(rng, 40, 8, chol)).confidence_interval(0.9)
        hit = (ci.lower[iu] <= R[iu]) & (R[iu] <= ci.upper[iu])
        cover.append(hit[strong].mean())
    mean, se = np.mean(cover), np.std(cover, ddof=1) / np.sqrt(len(cover))
    assert abs(mean - 0.9) <= 3 * se, (mean, se)


def test_cli_intervals_under_shrinkage_name_the_estimate_they_surround(tmp_path):
    import pandas as pd

    from statnorm._cli import main
    from statnorm._cli._datasets import export

    (path,) = [p for p in export("roman_cups", tmp_path) if p.suffix == ".csv"]
    out = tmp_path / "out"
    argv = [
        "compositional",
        str(path),
        "--index-col",
        "cup",
        "--shrinkage",
        "basis",
        "--fdr",
        "0.5",
        "--fdr-method",
        "permutation",
        "--n-permutations",
        "20",
        "--confidence-level",
        "0.9",
        "--quiet",
        "-o",
        str(out),
    ]
    assert main(argv) == 0
    sig = pd.read_csv(out / "significant_pairs.csv")
    assert len(sig)
    inside = (sig["lower"] <= sig["unshrunk_partial_correlation"]) & (
        sig["unshrunk_partial_correlation"] <= sig["upper"]
    )
    assert inside.all()


@pytest.mark.parametrize("method", ["fisher", "bootstrap"])
def test_interval_to_frame_has_one_row_per_pair(method):
    pd = pytest.importorskip("pandas")
    cups = load_roman_cups(as_frame=True)
    est = CompositionalPartialCorrelation().fit(cups.data)
    kw = {"n_bootstrap": 50, "random_state": 0} if method == "bootstrap" else {}
    ci = est.confidence_interval(0.9, method=method, **kw)
    df = ci.to_frame()
    D = len(cups.feature_names)
    assert isinstance(df, pd.DataFrame) and len(df) == D * (D - 1) // 2
    assert list(df.columns) == [
        "part_i",
        "part_j",
        "i",
        "j",
        "partial_correlation",
        "lower",
        "upper",
    ]
    assert (df["i"] < df["j"]).all()
    for row in df.itertuples():
        assert row.part_i == cups.feature_names[row.i]
        assert row.part_j == cups.feature_names[row.j]
        assert row.partial_correlation == ci.partial_correlation[row.i, row.j]
        assert (row.lower, row.upper) == (
            ci.lower[row.i, row.j],
            ci.upper[row.i, row.j],
        )
    assert (df["lower"] <= df["partial_correlation"]).all()
    assert (df["partial_correlation"] <= df["upper"]).all()
    assert df.attrs == {
        "confidence_level": 0.9,
        "kind": method,
        "method": method,
        "df": ci.df,
        "n_bootstrap": ci.n_bootstrap,
        "estimator": "exact",
    }


def test_interval_is_a_confidence_interval_with_deprecated_low_high():
    from statnorm.results import ConfidenceInterval

    est = CPC().fit(load_roman_cups().data)
    ci = est.confidence_interval(0.9)
    assert isinstance(ci, ConfidenceInterval) and ci.kind == "fisher"
    lower, upper = ci
    assert lower is ci.lower and upper is ci.upper
    assert ci.estimate is ci.partial_correlation
    np.testing.assert_array_equal(ci.width, upper - lower)
    assert ci.contains(est.partial_correlation_).all()
    with pytest.warns(FutureWarning, match="use lower/upper"):
        assert ci.low is ci.lower
    with pytest.warns(FutureWarning, match="use lower/upper"):
        assert ci.high is ci.upper
