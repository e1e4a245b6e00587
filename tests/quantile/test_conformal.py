"""statnorm.quantile conformal: post-processing, MAPIE parity, prefit models."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import QuantileRegressor
from threadpoolctl import threadpool_limits

from statnorm.quantile import ConformalQuantileRegressor

FrozenEstimator = pytest.importorskip("sklearn.frozen").FrozenEstimator


@pytest.fixture(autouse=True)
def _one_openmp_thread():
    with threadpool_limits(1):
        yield


class ShiftedFan(RegressorMixin, BaseEstimator):
    """A fixed fan q_tau(x) = x + offset_tau: nothing is learnt from y."""

    def __init__(self, offsets=None):
        self.offsets = offsets

    def fit(self, X, y):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X, quantiles=None):
        x = np.asarray(X, dtype=float)[:, :1]
        return x + np.asarray(self.offsets, dtype=float)[None, :]


def _rank(level, n):
    return int(np.ceil(level * (n + 1) - 1e-12))


@pytest.mark.parametrize("monotone", ["minmax", None])
def test_asymmetric_one_sided_miss_rates_monte_carlo(monotone):
    """Each one-sided miss rate of asymmetric CQR equals 1 - r/(n + 1).

    The fixed fan's median (offset -3) lies below every calibrated lower
    bound for exponential targets, so a min-max sweep out from the raw median
    would pull the lower bounds down to it (miss rate 0). For a fixed fan the
    scores are exchangeable and continuous, so the expected miss rate of
    level tau is exactly 1 - ceil(level (n + 1)) / (n + 1); each must lie
    within 3 Monte Carlo SEs of it.
    """
    tau = np.array([0.05, 0.1, 0.5, 0.9, 0.95])
    fan = FrozenEstimator(
        ShiftedFan([0.0, 0.0, -3.0, 0.0, 0.0]).fit(np.zeros((1, 1)), None)
    )
    rng = np.random.default_rng(2026)
    n_cal, n_test, reps = 99, 200, 400
    miss = np.empty((reps, tau.size - 1))
    for r in range(reps):
        X = rng.uniform(size=(n_cal + n_test, 1))
        y = X[:, 0] + rng.exponential(size=n_cal + n_test)
        est = ConformalQuantileRegressor(
            fan, quantiles=tau, method="asymmetric", monotone=monotone
        ).fit(X[:n_cal], y[:n_cal])
        Q = est.predict(X[n_cal:])
        yt = y[n_cal:]
        miss[r] = [
            (yt < Q[:, 0]).mean(),
            (yt < Q[:, 1]).mean(),
            (yt > Q[:, 3]).mean(),
            (yt > Q[:, 4]).mean(),
        ]
    levels = np.array([0.95, 0.9, 0.9, 0.95])
    expected = 1 - np.array([_rank(v, n_cal) for v in levels]) / (n_cal + 1)
    mean = miss.mean(axis=0)
    se = miss.std(axis=0, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(mean - expected) <= 3 * se), (mean, expected, se)


# ------------------------------------------------------------- MAPIE parity
def _qr(t):
    return QuantileRegressor(quantile=t, alpha=0.0, solver="highs")


@pytest.fixture(scope="module")
def crossing_setup():
    """Per-level linear models whose median lies beyond a calibrated bound.

    The median model is fitted on shifted targets, so on many rows the raw
    fan crosses and the median lies outside the calibrated interval: the
    setting where the min-max sweep used to move the calibrated bounds.
    """
    rng = np.random.default_rng(7)
    n = 900
    X = rng.uniform(size=(n, 2))
    y = X[:, 0] * 4 + (0.3 + X[:, 1]) * rng.standard_t(4, size=n)
    tr, cal, te = np.arange(400), np.arange(400, 700), np.arange(700, n)
    lower = _qr(0.1).fit(X[tr], y[tr])
    upper = _qr(0.9).fit(X[tr], y[tr])
    median = _qr(0.5).fit(X[tr], y[tr] + 3.0 * (X[tr, 1] - 0.5) * 4)
    return X, y, tr, cal, te, (lower, median, upper)


@pytest.mark.parametrize(
    ("method", "symmetric_correction"),
    [("symmetric", True), ("asymmetric", False)],
)
@pytest.mark.parametrize("monotone", [None, "minmax"])
def test_prefit_list_matches_mapie(
    crossing_setup, method, symmetric_correction, monotone
):
    """A list of prefit per-level models gives MAPIE's prefit=True intervals (1e-8).

    With ``monotone=None`` the intervals equal MAPIE's on every row; with the
    default min-max sweep they equal MAPIE's wherever MAPIE's own interval
    does not cross (the sweep only moves crossed calibrated bounds), and the
    fan is non-crossing.
    """
    mapie = pytest.importorskip("mapie.regression")
    X, y, _tr, cal, te, (lower, median, upper) = crossing_setup
    frozen = [FrozenEstimator(m) for m in (lower, median, upper)]
    est = ConformalQuantileRegressor(
        frozen, quantiles=[0.1, 0.5, 0.9], method=method, monotone=monotone
    ).fit(X[cal], y[cal])
    ref = mapie.ConformalizedQuantileRegressor(
        [lower, upper, median], confidence_level=0.8, prefit=True
    )
    ref.conformalize(X[cal], y[cal])
    ref_pred, ref_pis = ref.predict_interval(
        X[te], symmetric_correction=symmetric_correction
    )
    y_pred, y_pis = est.predict_interval(X[te])
    lo_ref, hi_ref = ref_pis[:, 0, 0], ref_pis[:, 1, 0]
    raw_med = median.predict(X[te])
    # the median model really lies beyond a calibrated bound on some rows
    assert np.mean((raw_med < lo_ref) | (raw_med > hi_ref)) > 0.05
    if monotone is None:
        np.testing.assert_allclose(y_pis[:, 0, 0], lo_ref, rtol=0, atol=1e-8)
        np.testing.assert_allclose(y_pis[:, 1, 0], hi_ref, rtol=0, atol=1e-8)
        np.testing.assert_allclose(y_pred, ref_pred, rtol=0, atol=1e-8)
    else:
        ok = lo_ref <= hi_ref
        assert ok.mean() > 0.5
        np.testing.assert_allclose(y_pis[ok, 0, 0], lo_ref[ok], rtol=0, atol=1e-8)
        np.testing.assert_allclose(y_pis[ok, 1, 0], hi_ref[ok], rtol=0, atol=1e-8)
        assert np.all(y_pis[:, 0, 0] <= y_pred) and np.all(y_pred <= y_pis[:, 1, 0])
        assert np.all(y_pis[~ok, 0, 0] <= lo_ref[~ok] + 1e-12)


def test_prefit_list_checks_order_and_fit(crossing_setup):
    X, y, _tr, cal, te, (lower, median, upper) = crossing_setup
    with pytest.raises(ValueError, match=r"estimator\[1\] was fitted for level 0.9"):
        ConformalQuantileRegressor(
            [lower, upper, median], quantiles=[0.1, 0.5, 0.9]
        ).fit(X[cal], y[cal])
    with pytest.raises(ValueError, match="one model per level"):
        ConformalQuantileRegressor([lower, upper], quantiles=[0.1, 0.5, 0.9]).fit(
            X[cal], y[cal]
        )
    with pytest.raises(ValueError, match=r"estimator\[0\].*not fitted"):
        ConformalQuantileRegressor(
            [_qr(0.1), median, upper], quantiles=[0.1, 0.5, 0.9]
        ).fit(X[cal], y[cal])
    with pytest.raises(ValueError, match="cv='split'"):
        ConformalQuantileRegressor(
            [lower, median, upper], quantiles=[0.1, 0.5, 0.9], cv="cv+"
        ).fit(X[cal], y[cal])
    # clone keeps FrozenEstimator-wrapped models fitted
    est = ConformalQuantileRegressor(
        [FrozenEstimator(m) for m in (lower, median, upper)], quantiles=[0.1, 0.5, 0.9]
    )
    clone(est).fit(X[cal], y[cal]).predict(X[te])


def test_single_frozen_level_asymmetric_matches_mapie_upper(crossing_setup):
    """One frozen upper-quantile model, float quantiles: MAPIE's upper correction."""
    mapie = pytest.importorskip("mapie.regression")
    X, y, _tr, cal, te, (lower, median, upper) = crossing_setup
    est = ConformalQuantileRegressor(
        FrozenEstimator(upper), quantiles=0.9, method="asymmetric"
    ).fit(X[cal], y[cal])
    q = est.predict(X[te])
    assert q.shape == (te.size,)
    # MAPIE at confidence 0.8 corrects the 0.9 model by the ceil(0.9 (n+1))-th
    # order statistic of y - q_0.9, as the asymmetric level-0.9 score does here
    ref = mapie.ConformalizedQuantileRegressor(
        [lower, upper, median], confidence_level=0.8, prefit=True
    )
    ref.conformalize(X[cal], y[cal])
    _, pis = ref.predict_interval(X[te])
    np.testing.assert_allclose(q, pis[:, 1, 0], rtol=0, atol=1e-8)


def test_allow_infinite_bounds(crossing_setup):
    X, y, _tr, cal, te, models = crossing_setup
    frozen = [FrozenEstimator(m) for m in models]
    few = cal[:3]  # symmetric 80 %: ceil(0.8 * 4) = 4 > 3
    with pytest.raises(ValueError, match="allow_infinite_bounds"):
        ConformalQuantileRegressor(
            frozen, quantiles=[0.1, 0.5, 0.9], allow_infinite_bounds=False
        ).fit(X[few], y[few])
    from statnorm.exceptions import StatnormWarning

    with pytest.warns(StatnormWarning, match="infinite"):
        est = ConformalQuantileRegressor(frozen, quantiles=[0.1, 0.5, 0.9]).fit(
            X[few], y[few]
        )
    Q = est.predict(X[te])
    assert np.all(Q[:, 0] == -np.inf) and np.all(Q[:, 2] == np.inf)
    assert np.isfinite(Q[:, 1]).all()


@pytest.mark.parametrize(
    ("value", "exc"),
    [
        ("0.9x", TypeError),
        (["0.8"], TypeError),
        ([0.8, "a"], TypeError),
        ([[0.8], [0.9, 1]], ValueError),
        (True, TypeError),
        (1.5, ValueError),
        ([], ValueError),
        (np.nan, ValueError),
    ],
)
def test_confidence_level_errors_name_it(crossing_setup, value, exc):
    X, y, _tr, cal, te, models = crossing_setup
    est = ConformalQuantileRegressor(
        [FrozenEstimator(m) for m in models], quantiles=[0.1, 0.5, 0.9]
    ).fit(X[cal], y[cal])
    with pytest.raises(exc, match=r"confidence_level must be a float .* e\.g\. 0\.9"):
        est.predict_interval(X[te], confidence_level=value)
    with pytest.raises(ValueError, match=r"confidence_level=0\.9 is not a fitted"):
        est.predict_interval(X[te], confidence_level=0.9)


# ------------------------------------------- DataFrames through to a Pipeline
def _frame(n=400, seed=0, nan=False):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=n)
    cat = rng.choice(["a", "b", "c"], size=n)
    y = 2 * x + (cat == "b") * 3.0 + rng.normal(scale=0.5, size=n)
    z = rng.normal(size=n)
    if nan:
        z[rng.uniform(size=n) < 0.2] = np.nan
    X = pd.DataFrame({"x": x, "cat": pd.Categorical(cat), "z": z})
    return X, y


def _encoding_pipeline(t=None):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    ct = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["cat"]),
            ("num", SimpleImputer(), ["x", "z"]),
        ],
        sparse_threshold=0.0,
    )
    qr = QuantileRegressor(alpha=0.0, solver="highs")
    if t is not None:
        qr.set_params(quantile=t)
    return Pipeline([("prep", ct), ("qr", qr)])


@pytest.mark.parametrize("cv", ["split", "cv+"])
def test_conformal_passes_dataframe_to_pipeline(cv):
    from statnorm.quantile import QuantileAggregator

    X, y = _frame(nan=True)
    X0 = X.copy()
    tau = [0.1, 0.5, 0.9]
    est = ConformalQuantileRegressor(
        _encoding_pipeline(), quantiles=tau, cv=cv, n_folds=3, random_state=0
    ).fit(X, y)
    Q = est.predict(X.iloc[:50])
    assert Q.shape == (50, 3) and np.isfinite(Q).all()
    assert list(est.feature_names_in_) == ["x", "cat", "z"]
    # the split path equals fitting the same pipeline on the same rows
    if cv == "split":
        perm = np.random.RandomState(0).permutation(len(y))
        n_cal = round(0.25 * len(y))
        tr = perm[n_cal:]
        ref = _encoding_pipeline(0.9).fit(X.iloc[tr], y[tr]).predict(X.iloc[:50])
        np.testing.assert_allclose(Q[:, 2] - est.shifts_[2], ref, rtol=0, atol=1e-10)
    agg = QuantileAggregator(
        [("pipe", _encoding_pipeline())], quantiles=tau, cv=3, random_state=0
    ).fit(X, y)
    assert agg.predict(X.iloc[:50]).shape == (50, 3)
    assert agg.predict_base(X.iloc[:5]).shape == (5, 1, 3)
    # prefit per-level pipelines on a DataFrame
    models = [FrozenEstimator(_encoding_pipeline(t).fit(X, y)) for t in tau]
    pre = ConformalQuantileRegressor(models, quantiles=tau).fit(X, y)
    assert np.isfinite(pre.predict(X.iloc[:5])).all()
    pd = pytest.importorskip("pandas")
    pd.testing.assert_frame_equal(X, X0)


def test_passed_through_X_still_refused_by_name():
    """A model that cannot take NaN or text gets the strict error naming X."""
    X, y = _frame(nan=True)
    tau = [0.1, 0.5, 0.9]
    with pytest.raises((ValueError, TypeError), match=r"\bX\b"):
        ConformalQuantileRegressor(
            QuantileRegressor(alpha=0.0), quantiles=tau, random_state=0
        ).fit(X, y)
    Xn = np.column_stack([X["x"].to_numpy(), X["z"].to_numpy()])
    with pytest.raises(ValueError, match=r"\bX\b.*NaN"):
        ConformalQuantileRegressor(
            QuantileRegressor(alpha=0.0), quantiles=tau, random_state=0
        ).fit(Xn, y)
    from statnorm.quantile import QuantileAggregator

    with pytest.raises((ValueError, TypeError), match="local weights need numeric"):
        QuantileAggregator(
            [("pipe", _encoding_pipeline())],
            quantiles=tau,
            cv=3,
            local=True,
            random_state=0,
        ).fit(X, y)


def test_pipeline_that_cannot_take_nan_gets_the_strict_error():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _frame(nan=True)
    Xn = np.column_stack([X["x"].to_numpy(), X["z"].to_numpy()])
    pipe = make_pipeline(StandardScaler(), QuantileRegressor(alpha=0.0))
    with pytest.raises(
        ValueError, match=r"(?s)X contains NaN.*refused it too: ValueError"
    ):
        ConformalQuantileRegressor(pipe, quantiles=[0.1, 0.5, 0.9]).fit(Xn, y)


# ------------------------------------------------------------------ Mondrian
def _two_noise_groups(rng, n):
    X = rng.uniform(size=(n, 1))
    g = rng.integers(0, 2, size=n)
    y = X[:, 0] + np.where(g == 1, 2.0, 0.3) * rng.normal(size=n)
    return X, y, g


@pytest.mark.slow
def test_mondrian_covers_each_group_monte_carlo():
    """Per-group coverage of Mondrian CQR equals r_g / (n_g + 1) within 3 MC SEs.

    Fixed fan (q = x -/+ 1.28 * 0.3, the narrow group's true quantiles) and
    prefit calibration on exactly n_g rows per group, so the scores within a
    group are exchangeable and continuous and the expected coverage of the
    80 % interval is exactly ceil(0.8 (n_g + 1)) / (n_g + 1). The marginal
    calibration on the same rows under-covers the wide group (checked, so
    the test has teeth).
    """
    fan = FrozenEstimator(
        ShiftedFan([-1.2816 * 0.3, 0.0, 1.2816 * 0.3]).fit(np.zeros((1, 1)), None)
    )
    tau = [0.1, 0.5, 0.9]
    rng = np.random.default_rng(99)
    n_g, n_test, reps = 49, 200, 400
    cov_m, cov_marg = np.empty((reps, 2)), np.empty((reps, 2))
    for r in range(reps):
        X, y, _ = _two_noise_groups(rng, 2 * n_g)
        g = np.repeat([0, 1], n_g)
        y = X[:, 0] + np.where(g == 1, 2.0, 0.3) * rng.normal(size=2 * n_g)
        Xt, yt, gt = _two_noise_groups(rng, n_test)
        mond = ConformalQuantileRegressor(fan, quantiles=tau, mondrian=True).fit(
            X, y, groups=g
        )
        marg = ConformalQuantileRegressor(fan, quantiles=tau).fit(X, y)
        Qm, Qa = mond.predict(Xt, groups=gt), marg.predict(Xt)
        for k in (0, 1):
            s = gt == k
            cov_m[r, k] = np.mean((yt[s] >= Qm[s, 0]) & (yt[s] <= Qm[s, 2]))
            cov_marg[r, k] = np.mean((yt[s] >= Qa[s, 0]) & (yt[s] <= Qa[s, 2]))
    expected = np.ceil(0.8 * (n_g + 1) - 1e-12) / (n_g + 1)
    mean = cov_m.mean(axis=0)
    se = cov_m.std(axis=0, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(mean - expected) <= 3 * se), (mean, expected, se)
    marg_mean = cov_marg.mean(axis=0)
    marg_se = cov_marg.std(axis=0, ddof=1) / np.sqrt(reps)
    assert marg_mean[1] < 0.8 - 10 * marg_se[1], (marg_mean, marg_se)
    assert marg_mean[0] > 0.8 + 10 * marg_se[0], (marg_mean, marg_se)


def test_mondrian_split_and_errors():
    rng = np.random.default_rng(5)
    X, y, g = _two_noise_groups(rng, 600)
    labels = np.where(g == 1, "wide", "narrow")
    est = ConformalQuantileRegressor(
        QuantileRegressor(alpha=0.0),
        quantiles=[0.1, 0.5, 0.9],
        mondrian=True,
        random_state=0,
    ).fit(X, y, groups=labels)
    assert est.group_labels_.tolist() == ["narrow", "wide"]
    assert est.group_n_calibration_.sum() == est.n_calibration_ == 150
    # the wide group gets the larger correction
    assert est.group_shifts_[1, 2] > est.group_shifts_[0, 2]
    Q = est.predict(X[:10], groups=labels[:10])
    base = est.estimator_.predict(X[:10])
    shift = np.where(
        labels[:10, None] == "wide", est.group_shifts_[1], est.group_shifts_[0]
    )
    np.testing.assert_allclose(Q, np.sort(base + shift, axis=1), atol=1e-12)
    with pytest.raises(ValueError, match="groups: this model was calibrated"):
        est.predict(X[:10])
    with pytest.raises(ValueError, match=r"groups: label 'other' was not seen"):
        est.predict(X[:2], groups=["narrow", "other"])
    with pytest.raises(ValueError, match="groups must be 1-D"):
        est.predict(X[:2], groups=["narrow"])
    with pytest.raises(ValueError, match="groups: mondrian=True"):
        ConformalQuantileRegressor(QuantileRegressor(alpha=0.0), mondrian=True).fit(
            X, y
        )
    with pytest.raises(ValueError, match="cv='split'"):
        ConformalQuantileRegressor(
            QuantileRegressor(alpha=0.0), mondrian=True, cv="cv+"
        ).fit(X, y, groups=labels)
    _, pis = est.predict_interval(X[:4], confidence_level=0.8, groups=labels[:4])
    assert pis.shape == (4, 2, 1)
    assert np.isfinite(est.score(X[:50], y[:50], groups=labels[:50]))


# ---------------------------------------------------------------------- Dask
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    ("local", "weights"),
    [
        (False, "coarse"),
        (False, "medium"),
        (False, "fine"),
        (True, "medium"),
        (True, "fine"),
    ],
)
def test_aggregator_dask_predict_is_bit_identical(local, weights):
    """Dask block-by-block prediction equals the in-memory one exactly.

    BLAS matrix products change in the last bit with the number of rows
    (up to 9e-16 here before the prediction products became row-wise), so
    every chunking is compared with ``assert_array_equal``.
    """
    da = pytest.importorskip("dask.array")
    from sklearn.ensemble import HistGradientBoostingRegressor

    from statnorm.quantile import QuantileAggregator

    rng = np.random.default_rng(0)
    X = rng.uniform(size=(240, 3))
    y = 3 * X[:, 0] + (0.5 + X[:, 1]) * rng.normal(size=240)
    agg = QuantileAggregator(
        [
            HistGradientBoostingRegressor(loss="quantile", max_iter=15, random_state=0),
            HistGradientBoostingRegressor(
                loss="quantile", max_iter=30, max_depth=2, random_state=0
            ),
        ],
        quantiles=np.arange(1, 10) / 10,
        weights=weights,
        local=local,
        hidden_layer_sizes=(16,),
        max_iter=20,
        cv=3,
        random_state=0,
    ).fit(X, y)
    Xb = rng.uniform(size=(5000, 3))
    full = agg.predict(Xb)
    for chunks in [(777, 3), (64, 2), (5000, 3), (1, 3)]:
        Xd = da.from_array(Xb, chunks=chunks) if chunks[0] > 1 else None
        if Xd is None:  # single rows, in memory
            got = np.vstack([agg.predict(Xb[i : i + 1]) for i in range(0, 5000, 97)])
            np.testing.assert_array_equal(got, full[::97])
            continue
        got = agg.predict(Xd).compute(scheduler="threads")
        np.testing.assert_array_equal(got, full)
    if local:
        W = agg.predict_weights(Xb)
        np.testing.assert_array_equal(agg.predict_weights(Xb[:333]), W[:333])
