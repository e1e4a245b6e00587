"""statnorm on a Dask cluster: every distributed path equals the in-memory one.

One LocalCluster (loopback, 2 worker processes, ``tests/conftest.py``) is
shared by the whole run.
Chunked scoring is compared with the NumPy path to 1e-12; seeded resampling
under ``joblib.parallel_backend("dask")`` must equal the serial run exactly.
"""

import subprocess
import sys

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

from statnorm._parallel import is_dask_array
from statnorm.depth import (
    HalfspaceDepth,
    SpatialDepth,
    TTEDepth,
    depth_rank_sum_test,
)
from statnorm.kde import HighDimKDE
from statnorm.mmd import KernelLearner, MMDDetector, MMDTest, mmd2
from statnorm.rdd import DistributionalRDD, quantile_matrix

RTOL = 1e-12


@pytest.fixture
def client(dask_client):
    """The session-wide LocalCluster of tests/conftest.py."""
    return dask_client


def _close(lazy, expected):
    assert is_dask_array(lazy)
    assert lazy.shape == expected.shape
    got = lazy.compute()
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-12)


# ------------------------------------------------------------ chunked scoring


def test_kde_score_samples(client, rng):
    X = rng.standard_normal((400, 6))
    Q = rng.standard_normal((1000, 6))
    kde = HighDimKDE(bandwidth="scott").fit(X)
    expected = kde.score_samples(Q)
    # row chunks of unequal size, and chunks split along the feature axis
    # (merged before mapping: a row needs all its features)
    for chunks in ((130, 6), (250, 2)):
        _close(kde.score_samples(da.from_array(Q, chunks=chunks)), expected)
    assert kde.score(da.from_array(Q, chunks=200)) == pytest.approx(
        float(expected.sum()), rel=RTOL
    )


@pytest.mark.parametrize(
    "est",
    [TTEDepth(), SpatialDepth(), HalfspaceDepth(n_directions=50, random_state=0)],
    ids=lambda e: type(e).__name__,
)
def test_depth_score_samples(client, rng, est):
    F = rng.standard_normal((200, 5)) + 1.0
    Q = rng.standard_normal((700, 5)) + 1.0
    est.fit(F)
    _close(est.score_samples(da.from_array(Q, chunks=(150, 3))), est.score_samples(Q))


def test_mmd_detector_and_learner_transform(client, rng):
    R = rng.standard_normal((150, 4))
    Q = rng.standard_normal((900, 4)) + 0.3
    det = MMDDetector().fit(R)
    _close(det.score_samples(da.from_array(Q, chunks=200)), det.score_samples(Q))
    y = np.repeat([0, 1], 60)
    X = np.vstack([rng.standard_normal((60, 4)), rng.standard_normal((60, 4)) + 0.5])
    for feat in ("linear", "identity"):
        lrn = KernelLearner(
            featurizer=feat, n_components=3, max_iter=2, random_state=0
        ).fit(X, y)
        _close(lrn.transform(da.from_array(Q, chunks=250)), lrn.transform(Q))


@pytest.mark.parametrize("estimator", ["unbiased", "biased", "linear"])
def test_mmd2_kernel_sums_over_block_pairs(client, rng, estimator):
    X = rng.standard_normal((500, 5))
    Y = rng.standard_normal((420, 5)) + 0.2
    dX, dY = da.from_array(X, chunks=(130, 3)), da.from_array(Y, chunks=100)
    deep = (
        KernelLearner(n_components=3, max_iter=2, random_state=0)
        .fit(np.vstack([X[:60], Y[:60]]), np.repeat([0, 1], 60))
        .kernel_
    )
    for kernel in ("gaussian", 3.0, deep):
        expected = mmd2(X, Y, kernel=kernel, statistic=estimator)
        got = mmd2(dX, dY, kernel=kernel, statistic=estimator)
        assert got == pytest.approx(expected, rel=0, abs=1e-12)
    # one Dask, one NumPy sample
    assert mmd2(dX, Y, statistic=estimator) == pytest.approx(
        mmd2(X, Y, statistic=estimator), rel=0, abs=1e-12
    )


def test_rdd_unit_quantiles(client, rng):
    x = rng.uniform(-1, 1, 600)
    S = rng.normal(5 + 5 * x + 2 * (x >= 0), 1.0, size=(40, 600)).T
    q = np.linspace(0.1, 0.9, 9)
    dS = da.from_array(S, chunks=(150, 20))
    _close(quantile_matrix(dS, q), quantile_matrix(S, q))
    kw = {"q_grid": q, "n_bootstrap": 50, "random_state": 0}
    a = DistributionalRDD(**kw).fit(x, S)
    b = DistributionalRDD(**kw).fit(x, dS)
    np.testing.assert_array_equal(b.tau_, a.tau_)
    np.testing.assert_array_equal(b.bootstrap_draws_, a.bootstrap_draws_)


# ---------------------------------------------------------- seeded resampling


def test_mmd_permutations_on_the_cluster(client, rng):
    X, Y = rng.standard_normal((40, 3)), rng.standard_normal((50, 3)) + 0.2
    kw = {"n_permutations": 300, "random_state": 5}  # 3 blocks of 100
    serial = MMDTest(**kw).test(X, Y)
    with joblib.parallel_backend("dask"):
        on_cluster = MMDTest(n_jobs=-1, **kw).test(X, Y)
    np.testing.assert_array_equal(
        on_cluster.null_distribution, serial.null_distribution
    )
    assert on_cluster.pvalue == serial.pvalue
    threads = MMDTest(n_jobs=2, **kw).test(X, Y)  # local joblib workers
    np.testing.assert_array_equal(threads.null_distribution, serial.null_distribution)


def test_rdd_bootstrap_on_the_cluster(client, rng, monkeypatch):
    import statnorm.rdd._bootstrap as rdd_boot

    # small chunks of draws, so that the bootstrap is several joblib tasks
    monkeypatch.setattr(rdd_boot, "CHUNK_ENTRIES", 10_000)
    x = rng.uniform(-1, 1, 400)
    S = rng.normal(5 + 5 * x + 2 * (x >= 0), 1.0, size=(30, 400)).T
    kw = {"q_grid": [0.25, 0.5, 0.75], "n_bootstrap": 300, "random_state": 3}
    serial = DistributionalRDD(**kw).fit(x, S)
    with joblib.parallel_backend("dask"):
        on_cluster = DistributionalRDD(n_jobs=-1, **kw).fit(x, S)
    np.testing.assert_array_equal(on_cluster.bootstrap_draws_, serial.bootstrap_draws_)
    assert on_cluster.critical_value_ == serial.critical_value_
    threads = DistributionalRDD(n_jobs=2, **kw).fit(x, S)
    np.testing.assert_array_equal(threads.bootstrap_draws_, serial.bootstrap_draws_)


def test_depth_permutation_test_on_the_cluster(client, rng):
    F, G = rng.standard_normal((60, 4)) + 1.0, rng.standard_normal((50, 4)) + 1.2
    kw = {"method": "permutation", "n_permutations": 199, "random_state": 4}
    serial = depth_rank_sum_test(F, G, **kw)
    with joblib.parallel_backend("dask"):
        on_cluster = depth_rank_sum_test(F, G, n_jobs=-1, **kw)
    assert on_cluster.statistic == serial.statistic
    assert on_cluster.pvalue == serial.pvalue


def test_kde_bandwidth_grid_search_on_the_cluster(client, rng):
    from sklearn.model_selection import GridSearchCV

    X = rng.standard_normal((300, 4))
    grid = {"bandwidth": [0.3, 0.5, 0.8, 1.2]}
    serial = GridSearchCV(HighDimKDE(), grid, cv=3).fit(X)
    with joblib.parallel_backend("dask"):
        on_cluster = GridSearchCV(HighDimKDE(), grid, cv=3, n_jobs=-1).fit(X)
    assert on_cluster.best_params_ == serial.best_params_
    np.testing.assert_array_equal(
        on_cluster.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )


# ------------------------------------------------------------------ bad input


def test_unknown_chunk_sizes_are_a_clear_error(client, rng):
    Q = rng.standard_normal((300, 3))
    dQ = da.from_array(Q, chunks=100)
    masked = dQ[dQ[:, 0] > 0]  # boolean indexing: row counts unknown
    kde = HighDimKDE(bandwidth=0.5).fit(Q)
    det = MMDDetector().fit(Q[:50])
    for score in (
        kde.score_samples,
        det.score_samples,
        SpatialDepth().fit(Q).score_samples,
    ):
        with pytest.raises(ValueError, match="unknown chunk sizes"):
            score(masked)
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        quantile_matrix(masked, [0.5])
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        mmd2(masked, dQ)
    # the documented fix works
    masked.compute_chunk_sizes()
    _close(kde.score_samples(masked), kde.score_samples(Q[Q[:, 0] > 0]))


def test_wrong_shape_errors_before_computing(rng):
    Q = rng.standard_normal((300, 3))
    kde = HighDimKDE(bandwidth=0.5).fit(Q)
    det = MMDDetector().fit(Q[:50])
    bad = da.from_array(rng.standard_normal((100, 4)), chunks=50)
    for est in (kde, det):
        with pytest.raises(ValueError, match="expecting 3 features"):
            est.score_samples(bad)
    with pytest.raises(ValueError, match="2D dask array"):
        kde.score_samples(da.from_array(Q[:, 0], chunks=50))
    with pytest.raises(ValueError, match="same number of features"):
        mmd2(bad, da.from_array(Q))
    with pytest.raises(ValueError, match="at least 2 are required"):
        mmd2(bad[:1], bad)
    with pytest.raises(TypeError, match="weights are not supported"):
        quantile_matrix(da.from_array(Q), [0.5], weights=[np.ones(3)] * 300)
    with pytest.raises(ValueError, match="at least 2 draws"):
        quantile_matrix(da.from_array(Q[:, :1]), [0.5])
    # NaN in a block surfaces as the NumPy error at compute time
    Qn = Q.copy()
    Qn[250, 1] = np.nan
    lazy = kde.score_samples(da.from_array(Qn, chunks=100))
    with pytest.raises(ValueError, match="NaN"):
        lazy.compute(scheduler="synchronous")


def test_dask_is_not_imported_unless_used():
    code = (
        "import sys, numpy as np\n"
        "import statnorm.kde, statnorm.depth, statnorm.mmd, statnorm.rdd\n"
        "from statnorm.kde import HighDimKDE\n"
        "X = np.random.default_rng(0).standard_normal((50, 2))\n"
        "HighDimKDE().fit(X).score_samples(X)\n"
        "assert 'dask' not in sys.modules and 'distributed' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------ quantile


def _quantile_data(rng, n=240):
    X = rng.uniform(size=(n, 3))
    y = 3 * X[:, 0] + (0.5 + X[:, 1]) * rng.normal(size=n)
    return X, y


def _quantile_models():
    from sklearn.ensemble import HistGradientBoostingRegressor

    return [
        HistGradientBoostingRegressor(loss="quantile", max_iter=15, random_state=0),
        HistGradientBoostingRegressor(
            loss="quantile", max_iter=30, max_depth=2, random_state=0
        ),
    ]


@pytest.mark.parametrize("local", [False, True])
# 20 epochs keep the test fast; the local weights are still improving then
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_quantile_aggregator_predict(client, rng, local):
    from sklearn.base import clone

    from statnorm.quantile import QuantileAggregator

    X, y = _quantile_data(rng)
    Xq = rng.uniform(size=(700, 3))
    agg = QuantileAggregator(
        _quantile_models(),
        quantiles=[0.1, 0.5, 0.9],
        local=local,
        hidden_layer_sizes=(8,),
        max_iter=20,
        cv=3,
        random_state=0,
    ).fit(X, y)
    _close(agg.predict(da.from_array(Xq, chunks=(150, 2))), agg.predict(Xq))
    if not local:  # out-of-fold base-model fits on the cluster
        with joblib.parallel_backend("dask"):
            on_cluster = clone(agg).set_params(n_jobs=-1).fit(X, y)
        np.testing.assert_array_equal(on_cluster.predict(Xq), agg.predict(Xq))
    agg1 = QuantileAggregator(
        _quantile_models(), quantiles=0.5, max_iter=20, cv=3, random_state=0
    ).fit(X, y)
    _close(agg1.predict(da.from_array(Xq, chunks=200)), agg1.predict(Xq))


@pytest.mark.parametrize("cv", ["split", "cv+"])
def test_conformal_predict_and_cvplus_folds(client, rng, cv):
    from statnorm.quantile import ConformalQuantileRegressor

    X, y = _quantile_data(rng)
    Xq = rng.uniform(size=(600, 3))
    kw = {
        "estimator": _quantile_models()[0],
        "quantiles": [0.1, 0.5, 0.9],
        "cv": cv,
        "n_folds": 3,
        "random_state": 0,
    }
    serial = ConformalQuantileRegressor(**kw).fit(X, y)
    _close(serial.predict(da.from_array(Xq, chunks=(150, 2))), serial.predict(Xq))
    if cv == "cv+":  # the fold fits on the cluster
        with joblib.parallel_backend("dask"):
            on_cluster = ConformalQuantileRegressor(n_jobs=-1, **kw).fit(X, y)
        np.testing.assert_array_equal(on_cluster.predict(Xq), serial.predict(Xq))


def test_quantile_bad_dask_input(rng):
    from statnorm.quantile import ConformalQuantileRegressor

    X, y = _quantile_data(rng, n=60)
    est = ConformalQuantileRegressor(
        _quantile_models()[0], quantiles=[0.1, 0.5, 0.9], random_state=0
    ).fit(X, y)
    with pytest.raises(ValueError, match="expecting 3 features"):
        est.predict(da.from_array(rng.uniform(size=(10, 4))))
    dX = da.from_array(rng.uniform(size=(50, 3)), chunks=10)
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        est.predict(dX[dX[:, 0] > 0.5])


def _nan_cases(rng):
    from statnorm.quantile import QuantileAggregator

    X = rng.standard_normal((60, 3))
    P = np.abs(X) + 0.5
    Xq, y = _quantile_data(rng)
    agg = QuantileAggregator(
        _quantile_models()[:1], quantiles=[0.1, 0.9], cv=2, random_state=0
    )
    learner = KernelLearner(featurizer="identity", random_state=0)
    S = rng.normal(size=(60, 20))
    x = rng.uniform(-1, 1, 60)
    return {
        "kde": (lambda A: HighDimKDE().fit(X).score_samples(A), X),
        "tte": (lambda A: TTEDepth().fit(P).score_samples(A), P),
        "spatial": (lambda A: SpatialDepth().fit(X).score_samples(A), X),
        "mmd2": (lambda A: mmd2(A, da.from_array(X + 1, chunks=20)), X),
        "detector": (lambda A: MMDDetector().fit(X).score_samples(A), X),
        "learner": (
            lambda A: learner.fit(
                np.vstack([X, X + 1]), np.repeat([0, 1], 60)
            ).transform(A),
            X,
        ),
        "quantile_matrix": (lambda A: quantile_matrix(A, [0.5]), S),
        "rdd": (lambda A: DistributionalRDD(n_bootstrap=0).fit(x, A).tau_, S),
        "quantile": (lambda A: agg.fit(Xq, y).predict(A), Xq[:60]),
    }


@pytest.mark.parametrize(
    "entry",
    [
        "kde",
        "tte",
        "spatial",
        "mmd2",
        "detector",
        "learner",
        "quantile_matrix",
        "rdd",
        "quantile",
    ],
)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_in_a_dask_array_is_a_clear_error(rng, entry, bad):
    """A NaN/inf inside a Dask array raises at compute time, never a NaN result."""
    func, A = _nan_cases(rng)[entry]
    A = np.array(A, dtype=np.float64)
    A[len(A) // 2, 1] = bad
    with pytest.raises(ValueError, match=r"(?i)nan|inf"):
        out = func(da.from_array(A, chunks=(20, A.shape[1])))
        if is_dask_array(out):
            out.compute()
