"""Tests of statnorm.depth: TTE depth, the depth rank-sum test, central selection
and the non-degenerate depths.

Reference numbers were produced by the PyPI package ``tte-depth`` 1.0.0 with
``tests/depth/data/make_tte_reference.py`` and are stored in
``tests/depth/data/tte_depth_reference.npz``; a live comparison runs too when the
package is importable (it is in the ``test`` extra).
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.distance import cosine as scipy_cosine
from scipy.stats import mannwhitneyu, ranksums
from sklearn.base import clone

from statnorm.datasets import load_mgt_embeddings
from statnorm.depth import (
    DepthTestResult,
    HalfspaceDepth,
    IsotropicReferenceWarning,
    MahalanobisDepth,
    ProjectionDepth,
    SpatialDepth,
    TTEDepth,
    depth_rank_sum_test,
    embed_texts,
    q_liu_singh,
    q_tte_depth,
    select_central,
)
from statnorm.depth._ranksum import _PooledCosine, _PooledMatrix, _Refit, _relabel
from statnorm.exceptions import DataDimensionalityWarning

REF = np.load(Path(__file__).parent / "data" / "tte_depth_reference.npz")
TOL = 1e-12  # agreement with the definition / the package, absolute


def _unit(A):
    return A / np.linalg.norm(A, axis=1, keepdims=True)


def _euclid(a, b):
    return float(np.sqrt(((a - b) ** 2).sum()))


def _naive_depths(F, G, dist, d_sup=2.0):
    """Slow re-statement of the definition: double loops over pairs."""
    n = len(F)
    dF = np.array(
        [
            d_sup - sum(dist(F[i], F[j]) for j in range(n) if j != i) / (n - 1)
            for i in range(n)
        ]
    )
    dG = np.array([d_sup - np.mean([dist(g, f) for f in F]) for g in G])
    return dF, dG


def _chord(a, b):
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    return float(np.linalg.norm(a - b))


@pytest.fixture(scope="module")
def tqa():
    emb = load_mgt_embeddings("truthfulqa")
    return emb.human.astype(np.float64), emb.machine.astype(np.float64)


# --------------------------------------------------------------- definition
@pytest.mark.parametrize(
    ("metric", "dist"),
    [("cosine", scipy_cosine), ("chord", _chord), (_euclid, _euclid)],
)
@pytest.mark.parametrize(("n", "m"), [(23, 17), (20, 20), (2, 3)])
@pytest.mark.filterwarnings("ignore::statnorm.depth.IsotropicReferenceWarning")
def test_tte_depth_matches_definition(rng, metric, dist, n, m):
    F = rng.normal(size=(n, 6)) + 0.7
    G = rng.normal(size=(m, 6)) + 0.3
    est = TTEDepth(metric=metric).fit(F)
    dF, dG = _naive_depths(F, G, dist)
    np.testing.assert_allclose(est.depths_, dF, rtol=0, atol=TOL)
    np.testing.assert_allclose(est.score_samples(G), dG, rtol=0, atol=TOL)


def test_cosine_closed_form_attributes(rng):
    F = rng.normal(size=(50, 5)) + 1.0
    est = TTEDepth().fit(F)
    m = _unit(F).mean(axis=0)
    np.testing.assert_allclose(est.mean_direction_, m, atol=1e-15)
    assert est.mean_resultant_length_ == pytest.approx(np.linalg.norm(m))
    assert est.reference_ is None
    # depth of a point = 1 + cos(x, m) * |m|, invariant to the scale of x
    x = rng.normal(size=(4, 5))
    np.testing.assert_allclose(est.score_samples(x), est.score_samples(7.5 * x))


def test_d_sup_only_shifts(rng):
    F = rng.normal(size=(30, 4)) + 1
    a = TTEDepth().fit(F)
    b = TTEDepth(d_sup=3.0).fit(F)
    np.testing.assert_allclose(b.depths_ - a.depths_, 1.0)


def test_float32_input_computed_in_float64(rng):
    F = (rng.normal(size=(40, 8)) + 1).astype(np.float32)
    est = TTEDepth().fit(F)
    dF, _ = _naive_depths(F.astype(np.float64), F[:1], scipy_cosine)
    assert est.depths_.dtype == np.float64
    np.testing.assert_allclose(est.depths_, dF, atol=TOL)


def test_blocked_scoring_equals_unblocked(rng, monkeypatch):
    import statnorm.depth._base as base

    F = rng.normal(size=(40, 5)) + 1
    G = rng.normal(size=(33, 5))
    full = TTEDepth(metric="chord").fit(F).score_samples(G)
    monkeypatch.setattr(base, "_BLOCK_ENTRIES", 40 * 4)  # 4-row blocks
    np.testing.assert_allclose(TTEDepth(metric="chord").fit(F).score_samples(G), full)


def test_dask_input_gives_same_depths(rng):
    da = pytest.importorskip("dask.array")
    F = rng.normal(size=(40, 5)) + 1
    G = rng.normal(size=(30, 5))
    est = TTEDepth().fit(F)
    lazy = est.score_samples(da.from_array(G, chunks=(7, 5)))
    np.testing.assert_allclose(lazy.compute(), est.score_samples(G))


# ------------------------------------------------ the tte-depth package numbers
@pytest.mark.parametrize("name", ["cos", "chord", "euclid"])
def test_agrees_with_tte_depth_package_unequal_sizes(name):
    F, G = REF["rand_F"], REF["rand_G"]
    if name == "chord":
        F, G = _unit(F), _unit(G)
    depth = {"cos": "cosine", "chord": "chord", "euclid": TTEDepth(metric=_euclid)}
    res = depth_rank_sum_test(F, G, depth=depth[name], method="asymptotic")
    np.testing.assert_allclose(res.depths_reference, REF[f"rand_{name}_dF"], atol=TOL)
    np.testing.assert_allclose(res.depths_sample, REF[f"rand_{name}_dG"], atol=TOL)
    q, w, p = REF[f"rand_{name}_qwp"]
    assert res.q_tte_depth == pytest.approx(q, abs=TOL)
    assert res.statistic == pytest.approx(w, abs=1e-10)
    assert res.pvalue == pytest.approx(p, rel=1e-9, abs=1e-15)


def test_agrees_with_tte_depth_package_depths_method():
    np.testing.assert_allclose(
        TTEDepth().fit(REF["rand_F"]).depths_, REF["rand_depths_F"], atol=TOL
    )


def test_agrees_with_tte_depth_package_on_truthfulqa(tqa):
    H, M = tqa
    res = depth_rank_sum_test(H[:60], M[100:145], method="asymptotic")
    np.testing.assert_allclose(res.depths_reference, REF["tqa_dF"], atol=TOL)
    np.testing.assert_allclose(res.depths_sample, REF["tqa_dG"], atol=TOL)
    q, w, p = REF["tqa_qwp"]
    assert (res.q_tte_depth, res.statistic) == pytest.approx((q, w), abs=1e-10)
    assert res.pvalue == pytest.approx(p, rel=1e-9, abs=1e-300)


def test_equal_sizes_fixed_where_package_is_wrong():
    """At |F| == |G| the package reads G's depths off the wrong axis."""
    F, G = REF["eq_F"], REF["eq_G"]
    with pytest.warns(IsotropicReferenceWarning):  # F is centred N(0, I)
        res = depth_rank_sum_test(F, G, method="asymptotic")
    _, dG = _naive_depths(F, G, scipy_cosine)
    np.testing.assert_allclose(res.depths_sample, dG, atol=TOL)
    # the package is right once G has 49 rows, and our first 49 depths match it
    np.testing.assert_allclose(res.depths_sample[:49], REF["eq49_dG"], atol=TOL)
    # ... and wrong at 50 rows: its "G depths" are depths of F's rows w.r.t. G
    assert np.abs(REF["eq_pkg_dG"] - dG).max() > 0.3
    np.testing.assert_allclose(REF["eq_pkg_dG"], _naive_depths(G, F, scipy_cosine)[1])
    # the package misses the shift (p = 0.61); the definition rejects
    assert REF["eq_pkg_qwp"][2] > 0.5 and res.pvalue < 1e-4


def _import_tte_depth():
    spec = importlib.util.find_spec("tte_depth")
    if spec is None:
        pytest.skip("tte-depth is not installed")
    utils_spec = importlib.util.find_spec("utils")
    if utils_spec is None or Path(utils_spec.origin).parent != Path(spec.origin).parent:
        pytest.skip("tte-depth's top-level 'utils' module is shadowed")
    import tte_depth

    return tte_depth


def test_live_tte_depth_package(rng):
    tte_depth = _import_tte_depth()
    F = rng.normal(size=(25, 7)) + 0.4
    G = rng.normal(size=(19, 7)) + 0.2
    dF, dG, q, w, p = tte_depth.StatDepth("cosine").depth_rank_test(F, G)
    res = depth_rank_sum_test(F, G, method="asymptotic")
    np.testing.assert_allclose(res.depths_reference, dF, atol=TOL)
    np.testing.assert_allclose(res.depths_sample, dG, atol=TOL)
    assert (res.q_tte_depth, res.statistic, res.pvalue) == pytest.approx((q, w, p))


# ------------------------------------------------------------ the statistics
def test_statistics_match_scipy(rng):
    x, y = rng.normal(size=31), rng.normal(size=24) - 0.3
    x[:5] = y[:5]  # ties across samples
    F = np.column_stack([np.ones(31), x])  # depths are not these, so test helpers
    from statnorm.depth._ranksum import _rank_stats

    s, z = _rank_stats(x, y)
    assert z == pytest.approx(ranksums(x, y).statistic, abs=1e-12)
    assert s - 31 * 32 / 2 == pytest.approx(mannwhitneyu(x, y).statistic)
    assert F.shape == (31, 2)


def test_q_scores_match_naive_formulas(rng):
    x = rng.integers(0, 6, size=20).astype(float)  # many ties
    y = rng.integers(0, 6, size=13).astype(float)
    ls = np.mean([[xi <= yj for xi in x] for yj in y])
    pooled = np.concatenate([x, y])
    from scipy.stats import rankdata

    r = rankdata(pooled)
    tte = np.mean([np.mean(r < ry) for ry in r[20:]])
    assert q_liu_singh(x, y) == pytest.approx(ls, abs=1e-15)
    assert q_tte_depth(x, y) == pytest.approx(tte, abs=1e-15)


def test_result_fields_and_unpacking(tqa):
    H, M = tqa
    res = depth_rank_sum_test(H[:80], M[:70])
    assert isinstance(res, DepthTestResult)
    z, p = res
    assert (z, p) == (res.statistic, res.pvalue)
    n = 80
    assert res.u_statistic == pytest.approx(res.rank_sum - n * (n + 1) / 2)
    # U / (n m) + Q_LS = 1 when there are no ties
    assert res.u_statistic / (80 * 70) + res.q_liu_singh == pytest.approx(1.0)
    text = str(res.summary())
    assert "Q (Liu-Singh)" in text and "z (rank-sum" in text
    assert "<array of shape (80,)>" in repr(res)


def test_alternatives_are_consistent(tqa):
    H, M = tqa
    kw = {"method": "asymptotic"}
    g = depth_rank_sum_test(H[:90], M[:60], **kw).pvalue
    lo = depth_rank_sum_test(H[:90], M[:60], alternative="less", **kw).pvalue
    two = depth_rank_sum_test(H[:90], M[:60], alternative="two-sided", **kw).pvalue
    assert g + lo == pytest.approx(1.0)
    assert two == pytest.approx(2 * min(g, lo))
    # permutation p-values (1 + k) / (B + 1): every relabelling is at or above
    # z, or at or below it (ties count on both sides), so k_g + k_l >= B
    kw = {"method": "permutation", "n_permutations": 199, "random_state": 5}
    g = depth_rank_sum_test(H[:90], M[:60], **kw)
    lo = depth_rank_sum_test(H[:90], M[:60], alternative="less", **kw)
    np.testing.assert_array_equal(g.null_distribution, lo.null_distribution)
    assert round((g.pvalue + lo.pvalue) * 200) >= 201


def test_separates_human_from_chatgpt(tqa):
    H, M = tqa
    res = depth_rank_sum_test(H[:400], M[400:])
    assert res.pvalue < 1e-20
    assert res.q_liu_singh < 0.35
    assert res.mean_resultant_length > 0.2


def test_permutation_paths_agree(rng):
    """The fast pooled relabellings equal refitting the estimator from scratch."""
    F = rng.normal(size=(15, 4)) + 1
    G = rng.normal(size=(12, 4)) + 1
    Z = np.vstack([F, G])
    from scipy.spatial.distance import cdist

    for est, fast in [
        (TTEDepth(), _PooledCosine(Z, 15, 2.0)),
        (TTEDepth(metric=_euclid), _PooledMatrix(cdist(Z, Z), 15, 2.0)),
    ]:
        slow = _Refit(Z, 15, est)
        for seed in (0, 1, 2):
            np.testing.assert_allclose(
                fast(seed, size=5), slow(seed, size=5), atol=1e-10
            )
        z = fast(7, size=3)
        fi, gi = _relabel(7, 27, 15, 3)
        for b in range(3):  # each relabelling's z as the test itself computes it
            res = depth_rank_sum_test(Z[fi[b]], Z[gi[b]], depth=est)
            assert z[b] == pytest.approx(res.statistic, abs=1e-10)


def test_permutation_pvalue_reproducible(rng):
    F = rng.normal(size=(30, 4)) + 1
    G = rng.normal(size=(20, 4)) + 1.2
    a = depth_rank_sum_test(
        F, G, method="permutation", n_permutations=99, random_state=3
    )
    import joblib

    with joblib.parallel_backend("threading"):
        b = depth_rank_sum_test(
            F, G, method="permutation", n_permutations=99, random_state=3, n_jobs=2
        )
    assert a.pvalue == b.pvalue
    assert 0.01 <= a.pvalue <= 1 and a.null_distribution.shape == (99,)
    k = np.sum(a.null_distribution >= a.statistic - 1e-12)
    assert a.pvalue == pytest.approx((1 + k) / 100)


@pytest.mark.parametrize(
    "depth", ["chord", SpatialDepth(), HalfspaceDepth(n_directions=20)]
)
def test_test_with_other_depths(rng, depth):
    F = rng.normal(size=(40, 3))
    G = 2.5 * rng.normal(size=(30, 3))
    res = depth_rank_sum_test(
        F + 3,
        G + 3,
        depth=depth,
        method="permutation",
        n_permutations=19,
        random_state=0,
    )
    assert res.pvalue == pytest.approx(0.05)


# ------------------------------------------------------------- Monte Carlo
def _mc_size(H, n1, n2, reps, seed, **kw):
    rng = np.random.default_rng(seed)
    p = np.empty(reps)
    for r in range(reps):
        idx = rng.permutation(len(H))[: n1 + n2]
        p[r] = depth_rank_sum_test(
            H[idx[:n1]], H[idx[n1:]], random_state=r, **kw
        ).pvalue
    return p


@pytest.mark.slow
def test_size_on_human_splits_asymptotic(tqa):
    """Random splits of the human answers: rejection rate <= alpha + 3 MC s.e."""
    H = tqa[0]
    reps = 1000
    p = _mc_size(H, 90, 60, reps, seed=11, method="asymptotic")
    for alpha in (0.05, 0.10):
        rate, se = (p <= alpha).mean(), np.sqrt(alpha * (1 - alpha) / reps)
        assert rate <= alpha + 3 * se, (alpha, rate)
        assert rate >= alpha - 5 * se, (alpha, rate)  # not degenerate either


@pytest.mark.slow
def test_size_on_human_splits_permutation(tqa):
    """The permutation p-value is valid at every size (exchangeable null)."""
    H = tqa[0]
    reps = 400
    p = _mc_size(H, 45, 30, reps, seed=12, method="permutation", n_permutations=99)
    for alpha in (0.10, 0.20):
        rate, se = (p <= alpha).mean(), np.sqrt(alpha * (1 - alpha) / reps)
        assert rate <= alpha + 3 * se, (alpha, rate)
        assert rate >= alpha - 4 * se, (alpha, rate)


@pytest.mark.slow
def test_size_small_corpora_default_is_valid_and_asymptotic_is_not():
    """n = m = 20 in 20 dimensions, N(0.3 * 1, I) for both corpora (mean
    resultant length about 0.29, like real embeddings): the default
    (``method="auto"``, permutation p-value at this size) holds the level
    within 2 Monte Carlo s.e.; the asymptotic p-value, the default before,
    exceeds the same bound (its size is 0.065 over 20,000 replications,
    benchmarks/size_depth_ranksum.py)."""
    reps, n, d, alpha = 4000, 20, 20, 0.05
    rng = np.random.default_rng(20)
    p_auto, p_asym, ran = np.empty(reps), np.empty(reps), set()
    import warnings

    with warnings.catch_warnings():
        # a few references of 20 points fail the Rayleigh test by chance
        warnings.simplefilter("ignore", IsotropicReferenceWarning)
        for r in range(reps):
            F = rng.normal(size=(n, d)) + 0.3
            G = rng.normal(size=(n, d)) + 0.3
            res = depth_rank_sum_test(F, G, n_permutations=99, random_state=r)
            p_auto[r], ran = res.pvalue, ran | {res.method}
            p_asym[r] = depth_rank_sum_test(F, G, method="asymptotic").pvalue
    assert ran == {"permutation"}
    se = np.sqrt(alpha * (1 - alpha) / reps)
    rate = (p_auto <= alpha).mean()
    assert alpha - 3 * se <= rate <= alpha + 2 * se, rate
    assert (p_asym <= alpha).mean() > alpha + 2 * se, (p_asym <= alpha).mean()


# ------------------------------------------------------------ bad input
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_rejected(rng, bad):
    F = rng.normal(size=(10, 3))
    F[2, 1] = bad
    word = "NaN" if np.isnan(bad) else "infinity"
    with pytest.raises(ValueError, match=word):
        TTEDepth().fit(F)
    with pytest.raises(ValueError, match=word):
        depth_rank_sum_test(F, rng.normal(size=(5, 3)))
    with pytest.raises(ValueError, match=word):
        depth_rank_sum_test(rng.normal(size=(5, 3)), F)


def test_mismatched_dimensions(rng):
    with pytest.raises(ValueError, match="features"):
        depth_rank_sum_test(rng.normal(size=(10, 3)), rng.normal(size=(10, 4)))
    est = TTEDepth().fit(rng.normal(size=(10, 3)) + 1)
    with pytest.raises(ValueError, match="3 features"):
        est.score_samples(rng.normal(size=(4, 4)))


@pytest.mark.parametrize("metric", ["cosine", "chord"])
def test_zero_vectors_rejected(rng, metric):
    F = rng.normal(size=(10, 3))
    F[4] = 0.0
    with pytest.raises(ValueError, match=r"zero vector.*row 4"):
        TTEDepth(metric=metric).fit(F)
    est = TTEDepth(metric=metric).fit(rng.normal(size=(10, 3)) + 1)
    with pytest.raises(ValueError, match="zero vector"):
        est.score_samples(F)
    with pytest.raises(ValueError, match="zero vector"):
        depth_rank_sum_test(rng.normal(size=(10, 3)) + 1, F)


def test_too_few_reference_points_and_empty(rng):
    with pytest.raises(ValueError, match="at least 2 reference samples"):
        TTEDepth().fit(np.ones((1, 3)))
    with pytest.raises(ValueError, match="minimum of 2"):
        depth_rank_sum_test(np.ones((1, 3)), np.ones((4, 3)))
    with pytest.raises(ValueError, match="minimum of 1"):
        depth_rank_sum_test(rng.normal(size=(5, 3)), np.empty((0, 3)))
    with pytest.raises(ValueError, match="minimum of 1"):
        TTEDepth().fit(np.empty((0, 3)))


def test_bad_options(rng):
    F, G = rng.normal(size=(10, 3)) + 1, rng.normal(size=(8, 3)) + 1
    with pytest.raises(ValueError, match="alternative"):
        depth_rank_sum_test(F, G, alternative="bigger")
    with pytest.raises(ValueError, match="method"):
        depth_rank_sum_test(F, G, method="exact")
    with pytest.raises(ValueError, match="n_permutations"):
        depth_rank_sum_test(F, G, method="permutation", n_permutations=0)
    with pytest.raises(TypeError, match="depth must be"):
        depth_rank_sum_test(F, G, depth=3)
    with pytest.raises(ValueError, match="metric"):
        TTEDepth(metric="euclidean").fit(F)
    with pytest.raises(TypeError, match="array-like of numbers"):
        depth_rank_sum_test("abc", G)


def test_inputs_never_modified(rng):
    F = rng.normal(size=(20, 4)) + 1
    G = rng.normal(size=(15, 4))
    F32 = F.astype(np.float32)
    copies = [F.copy(), G.copy(), F32.copy()]
    for depth in ["cosine", "chord", SpatialDepth(), MahalanobisDepth()]:
        depth_rank_sum_test(F, G, depth=depth)
        depth_rank_sum_test(F32, G, depth=depth, method="permutation", n_permutations=5)
    select_central(F, y=np.arange(20) % 2)
    for a, b in zip([F, G, F32], copies):
        np.testing.assert_array_equal(a, b)


def test_isotropic_reference_warns_and_real_data_does_not(rng, tqa):
    with pytest.warns(IsotropicReferenceWarning, match="mean resultant length"):
        TTEDepth().fit(rng.normal(size=(300, 32)))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TTEDepth().fit(tqa[0][:100])


# ------------------------------------------------------------ select_central
def test_select_central_overall_and_ties():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.05], [1.0, 0.05], [1.0, 0.0]])
    idx, d = select_central(X, n=None, return_depth=True)
    assert np.all(np.diff(d) <= 0)
    # duplicate rows tie: the smaller index comes first
    for a, b in [(2, 3), (0, 4)]:
        assert list(idx).index(a) < list(idx).index(b)
    assert list(select_central(X, n=2)) == list(idx[:2])


def test_select_central_per_class(tqa):
    H, M = tqa
    X = np.vstack([H[:50], M[:30]])
    y = np.array(["human"] * 50 + ["machine"] * 30)
    idx, d = select_central(X, y=y, n=3, return_depth=True)
    assert list(y[idx]) == ["human"] * 3 + ["machine"] * 3
    np.testing.assert_allclose(d[:3], np.sort(TTEDepth().fit(H[:50]).depths_)[::-1][:3])
    assert list(idx[3:]) == list(50 + np.argsort(-TTEDepth().fit(M[:30]).depths_)[:3])


def test_select_central_small_classes_and_errors(rng):
    X = rng.normal(size=(6, 3)) + 2
    idx, d = select_central(X, y=[0, 0, 0, 0, 1, 2], n=10, return_depth=True)
    assert sorted(idx[:4]) == [0, 1, 2, 3] and list(idx[4:]) == [4, 5]
    assert np.isnan(d[4:]).all()
    with pytest.raises(ValueError, match="n must be"):
        select_central(X, n=0)
    with pytest.raises(ValueError, match="inconsistent"):
        select_central(X, y=[0, 1])
    with pytest.raises(ValueError, match="minimum of 2"):
        select_central(X[:1])


# ------------------------------------------------------------ other depths
def test_spatial_depth_matches_definition(rng):
    F = rng.normal(size=(30, 4))
    X = np.vstack([rng.normal(size=(5, 4)), F[:3]])  # includes reference points
    est = SpatialDepth().fit(F)

    def naive(x):
        v = [(x - f) / np.linalg.norm(x - f) for f in F if np.linalg.norm(x - f) > 0]
        return 1 - np.linalg.norm(np.sum(v, axis=0)) / len(F)

    np.testing.assert_allclose(est.score_samples(X), [naive(x) for x in X], atol=TOL)
    np.testing.assert_allclose(est.depths_, [naive(f) for f in F], atol=TOL)


def test_mahalanobis_depth(rng):
    F = rng.normal(size=(60, 3)) @ np.array([[2, 0, 0], [0.5, 1, 0], [0, 0, 0.3]])
    X = rng.normal(size=(5, 3))
    est = MahalanobisDepth().fit(F)
    S = np.linalg.inv(np.cov(F.T))
    Z = X - F.mean(0)
    np.testing.assert_allclose(
        est.score_samples(X), 1 / (1 + np.einsum("ij,jk,ik->i", Z, S, Z)), atol=TOL
    )
    robust = MahalanobisDepth(robust=True, random_state=0).fit(F)
    assert robust.depths_.shape == (60,)
    with pytest.warns(DataDimensionalityWarning, match="rank"):
        MahalanobisDepth().fit(rng.normal(size=(4, 6)))
    with pytest.raises(ValueError, match="constant"):
        MahalanobisDepth().fit(np.ones((5, 2)))


def test_projection_depth_matches_definition(rng):
    F = rng.normal(size=(41, 3))
    X = rng.normal(size=(6, 3))
    est = ProjectionDepth(n_directions=50, random_state=0).fit(F)
    U = est.directions_
    P = F @ U
    med = np.median(P, axis=0)
    mad = np.median(np.abs(P - med), axis=0)
    O = np.max(np.abs(X @ U - med) / mad, axis=1)
    np.testing.assert_allclose(est.score_samples(X), 1 / (1 + O), atol=TOL)
    with pytest.raises(ValueError, match="zero MAD"):
        ProjectionDepth(n_directions=5, random_state=0).fit(np.ones((6, 2)))


def test_halfspace_depth_matches_brute_force(rng):
    F = rng.normal(size=(37, 3))
    F[5] = F[6]  # a tie
    X = np.vstack([rng.normal(size=(8, 3)), F[:4]])
    est = HalfspaceDepth(n_directions=40, random_state=1).fit(F)
    PF, PX = F @ est.directions_, X @ est.directions_
    brute = [
        min(
            min((PF[:, k] <= PX[i, k]).sum(), (PF[:, k] >= PX[i, k]).sum())
            for k in range(40)
        )
        / 37
        for i in range(len(X))
    ]
    np.testing.assert_array_equal(est.score_samples(X), brute)
    par = HalfspaceDepth(n_directions=40, random_state=1, n_jobs=2).fit(F)
    np.testing.assert_array_equal(par.score_samples(X), brute)


def test_halfspace_exact_in_one_dimension():
    F = np.arange(1.0, 11.0)[:, None]
    d = HalfspaceDepth(n_directions=3, random_state=0).fit(F).depths_
    np.testing.assert_allclose(
        d, np.minimum(np.arange(1, 11), np.arange(10, 0, -1)) / 10
    )


@pytest.mark.parametrize(
    "est",
    [
        SpatialDepth(),
        MahalanobisDepth(),
        ProjectionDepth(100, random_state=0),
        HalfspaceDepth(200, random_state=0),
    ],
)
def test_centre_free_depths_rank_centred_data(rng, est):
    """On centred isotropic data the centre is deepest (TTE depth cannot say)."""
    F = rng.normal(size=(300, 5))
    d = clone(est).fit(F).score_samples(np.array([[0.0] * 5, [0.5] * 5, [2.0] * 5]))
    assert d[0] > d[1] > d[2]


# ------------------------------------------------------------ extras
def test_plots(rng, tqa):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from statnorm.depth import DDPlotDisplay, DepthHistogramDisplay

    H, M = tqa
    ax = DDPlotDisplay.from_samples(H[:40], M[:30], labels=("human", "ChatGPT")).ax_
    assert ax.get_ylabel() == "depth w.r.t. ChatGPT"
    res = depth_rank_sum_test(H[:40], M[:30])
    ax = DepthHistogramDisplay.from_result(res).ax_
    assert len(ax.patches) == 60
    plt.close("all")


def test_embed_texts_with_a_model_object_and_without_the_extra(monkeypatch):
    import sys

    class Toy:
        def encode(self, texts, batch_size=64):
            return np.array([[len(t), 1.0, 0.0] for t in texts])

    E = embed_texts(["a", "bbb"], model=Toy())
    np.testing.assert_allclose(np.linalg.norm(E, axis=1), 1, rtol=1e-6)
    with pytest.raises(TypeError, match="single string"):
        embed_texts("abc", model=Toy())
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(ImportError, match="sentence-transformers"):
        embed_texts(["a"], model="all-MiniLM-L6-v2")


def test_cli(tmp_path, capsys, tqa):
    from statnorm._cli import main

    H, M = tqa
    a, b = tmp_path / "a.npy", tmp_path / "b.npy"
    np.save(a, H[:60])
    np.save(b, M[:40])
    assert main(["depth", str(a), str(b), "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert "Depth rank-sum test" in out and "most central" in out
    assert (
        main(
            [
                "depth",
                str(a),
                str(b),
                "--method",
                "permutation",
                "--n-permutations",
                "19",
                "--random-state",
                "0",
            ]
        )
        == 0
    )
    capsys.readouterr()
    import json

    for flag, ran in [([], "permutation"), (["--method", "asymptotic"], "asymptotic")]:
        assert main(["depth", str(a), str(b), "--json", *flag]) == 0
        got = json.loads(capsys.readouterr().out)
        assert got["method"] == ran  # auto names the method that ran
        method = "auto" if not flag else flag[1]
        want = depth_rank_sum_test(H[:60], M[:40], method=method, random_state=0)
        assert (got["statistic"], got["pvalue"]) == (want.statistic, want.pvalue)
    bad = tmp_path / "bad.npy"
    np.save(bad, np.ones((5, 7)))
    assert main(["depth", str(a), str(bad)]) == 1
    assert "features" in capsys.readouterr().err
    assert main(["depth", str(a), str(tmp_path / "missing.npy")]) == 1


def test_cli_text_files_without_sentence_transformers(tmp_path, capsys, monkeypatch):
    import sys

    from statnorm._cli import main

    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("one text\nanother text\n")
    b.write_text("a third\n")
    assert main(["depth", str(a), str(b)]) == 2
    assert "sentence-transformers" in capsys.readouterr().err


# ------------------------------------------------------------ sample_weight
def _cityblock(u, v):
    return float(np.abs(u - v).sum())


@pytest.mark.parametrize("metric", ["cosine", "chord", _cityblock])
def test_tte_integer_weights_equal_row_repetition(metric):
    from statnorm.depth import TTEDepth

    rng = np.random.default_rng(7)
    F = rng.normal(size=(25, 6)) + 1.5
    G = rng.normal(size=(10, 6)) + 1.0
    w = rng.integers(0, 4, size=25)
    w[:2] = 1
    a = TTEDepth(metric).fit(F, sample_weight=w)
    b = TTEDepth(metric).fit(np.repeat(F, w, axis=0))
    np.testing.assert_allclose(a.score_samples(G), b.score_samples(G), rtol=1e-12)
    pos = w > 0
    # in the repeated fit the chord distance of a row to its own copy is
    # sqrt(2 - 2 u.u) with u.u = 1 - O(eps): about 1e-8, not 0
    atol = 1e-7 if metric == "chord" else 0.0
    np.testing.assert_allclose(
        np.repeat(a.depths_[pos], w[pos]), b.depths_, rtol=1e-12, atol=atol
    )
    # a zero-weight row is not in the reference: its in-sample depth is its
    # out-of-sample depth
    np.testing.assert_allclose(a.depths_[~pos], b.score_samples(F[~pos]), rtol=1e-12)
    if metric == "cosine":
        np.testing.assert_allclose(a.mean_direction_, b.mean_direction_)


def test_tte_unit_weights_change_nothing_and_bad_weights():
    from statnorm.depth import TTEDepth

    rng = np.random.default_rng(8)
    F = rng.normal(size=(20, 4)) + 2.0
    w = np.ones(20)
    a = TTEDepth("chord").fit(F, sample_weight=w)
    b = TTEDepth("chord").fit(F)
    np.testing.assert_allclose(a.depths_, b.depths_, rtol=1e-12)
    np.testing.assert_array_equal(w, np.ones(20))
    for bad, msg in [
        (-w, "non-negative"),
        (np.ones(3), "entries"),
        (np.r_[1.0, np.zeros(19)], "more than 1"),
        (np.full(20, np.nan), "sample_weight"),
    ]:
        with pytest.raises(ValueError, match=msg):
            TTEDepth().fit(F, sample_weight=bad)
    # fractional weights: leave-one-out removes the row's own weight
    v = np.linspace(0.2, 2.0, 20)
    c = TTEDepth("chord").fit(F, sample_weight=v)
    U = F / np.linalg.norm(F, axis=1, keepdims=True)
    D = np.sqrt(np.maximum(2 - 2 * U @ U.T, 0))
    np.fill_diagonal(D, 0.0)
    want = 2.0 - D @ v / (v.sum() - np.minimum(v, 1.0))
    np.testing.assert_allclose(c.depths_, want, rtol=1e-12)
