"""statnorm.quantile: aggregation, non-crossing, conformal calibration, scores."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.ensemble import GradientBoostingRegressor, HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LinearRegression, QuantileRegressor
from sklearn.metrics import mean_pinball_loss
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from statnorm.exceptions import StatnormWarning
from statnorm.quantile import (
    ConformalQuantileRegressor,
    QuantileAggregator,
    central_intervals,
    crossing_rate,
    interval_coverage,
    interval_score,
    interval_width,
    monotonize,
    pinball_loss,
    weighted_interval_score,
)
from statnorm.quantile import _weights as wt
from statnorm.quantile._base import KNeighborsQuantileRegressor
from statnorm.quantile._kernels import crossing_penalty

TAU9 = np.arange(1, 10) / 10


@pytest.fixture(autouse=True)
def _one_openmp_thread():
    # HistGradientBoosting's OpenMP pool stalls on an oversubscribed CI box.
    with threadpool_limits(1):
        yield


def hetero(rng, n, d=3):
    X = rng.uniform(size=(n, d))
    y = np.sin(4 * X[:, 0]) + 2 * X[:, 1] + (0.2 + X[:, -1]) * rng.normal(size=n)
    return X, y


def linear_qr():
    return QuantileRegressor(alpha=0.0, solver="highs")


def psi_sum(y, q, tau):
    u = y - q
    return np.maximum(tau * u, (tau - 1) * u).sum()


# ------------------------------------------------------------ Prop. 2 (hypothesis)
_vals = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@st.composite
def _fan(draw):
    m = draw(st.integers(1, 12))
    tau = np.sort(
        draw(st.lists(st.floats(0.001, 0.999), min_size=m, max_size=m, unique=True))
    )
    q = draw(arrays(np.float64, m, elements=_vals))
    y = draw(_vals)
    return tau, q, y


@settings(max_examples=300, deadline=None)
@given(_fan())
def test_sort_and_isotonic_never_increase_pinball(fan):
    tau, q, y = fan
    if np.unique(tau).size != tau.size:
        return
    before = psi_sum(y, q, tau)
    for method in ("sort", "isotonic"):
        out = monotonize(q[None, :], method=method)[0]
        assert np.all(np.diff(out) >= 0)
        assert psi_sum(y, out, tau) <= before + 1e-9 * (1 + abs(before))


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(1, 15), elements=_vals))
def test_minmax_only_widens_central_intervals(q):
    m = q.size
    out = monotonize(q[None, :], method="minmax")[0]
    assert np.all(np.diff(out) >= 0)
    c = m // 2
    assert np.all(out[c:] >= q[c:]) and np.all(out[:c] <= q[:c])


def test_isotonic_matches_sklearn_rowwise(rng):
    Q = rng.normal(size=(50, 30))
    ref = np.vstack([IsotonicRegression().fit_transform(np.arange(30), r) for r in Q])
    np.testing.assert_allclose(
        monotonize(Q, method="isotonic"), ref, rtol=0, atol=1e-12
    )
    Q0 = Q.copy()
    monotonize(Q, method="minmax")
    np.testing.assert_array_equal(Q, Q0)


def test_minmax_can_increase_loss():
    # documented: min-max carries no loss guarantee
    tau = np.array([0.1, 0.5, 0.9])
    q = np.array([[0.0, -5.0, 1.0]])
    assert psi_sum(0.0, monotonize(q, method="minmax", center=1)[0], tau) > psi_sum(
        0.0, q[0], tau
    )


# ---------------------------------------------------------------- scores
@pytest.mark.parametrize("with_median", [True, False])
def test_wis_interval_form_equals_pinball(rng, with_median):
    tau = TAU9 if with_median else np.array([0.05, 0.1, 0.25, 0.75, 0.9, 0.95])
    n = 2000
    Q = np.sort(rng.normal(size=(n, tau.size)), axis=1) * rng.gamma(2, size=(n, 1))
    y = rng.standard_t(3, size=n)
    S = pinball_loss(y, Q, tau) * tau.size  # mean over rows of summed pinball
    K = (tau < 0.5).sum()
    wis_b = weighted_interval_score(y, Q, tau)
    assert abs(wis_b - S / (K + 0.5 * with_median)) <= 1e-12 * S
    assert abs(wis_b - 2 * pinball_loss(y, Q, tau)) <= 1e-12 * S
    assert (
        abs(weighted_interval_score(y, Q, tau, normalize="paper") - 2 * S) <= 1e-12 * S
    )
    assert abs(weighted_interval_score(y, Q, tau, normalize="sum") - S) <= 1e-12 * S
    # interval score identity for each interval: (a/2) IS_a = psi_{a/2} + psi_{1-a/2}
    alphas, lo, hi = central_intervals(Q, tau)
    for j, a in enumerate(alphas):
        k_lo, k_hi = (
            np.flatnonzero(np.isclose(tau, a / 2)),
            np.flatnonzero(np.isclose(tau, 1 - a / 2)),
        )
        both = pinball_loss(y, Q[:, [k_lo[0], k_hi[0]]], tau[[k_lo[0], k_hi[0]]]) * 2
        assert abs(a / 2 * interval_score(y, lo[:, j], hi[:, j], a) - both) <= 1e-12 * (
            1 + both
        )


def test_pinball_matches_sklearn_and_weights(rng):
    y = rng.normal(size=300)
    Q = rng.normal(size=(300, 9))
    w = rng.uniform(size=300)
    raw = pinball_loss(y, Q, TAU9, sample_weight=w, multioutput="raw_values")
    for k, t in enumerate(TAU9):
        ref = mean_pinball_loss(y, Q[:, k], alpha=t, sample_weight=w)
        assert raw[k] == pytest.approx(ref, rel=1e-12)


def test_coverage_width_crossing():
    y = np.array([0.0, 1.0, 5.0])
    lo = np.array([[-1.0, -0.5], [0.0, 0.5], [0.0, 1.0]])
    hi = np.array([[1.0, 0.5], [2.0, 1.5], [4.0, 3.0]])
    np.testing.assert_allclose(interval_coverage(y, lo, hi), [2 / 3, 2 / 3])
    np.testing.assert_allclose(interval_width(lo, hi), [8 / 3, 4 / 3])
    assert crossing_rate([[0, 1, 2], [1, 0, 2], [0, 0, 0]]) == pytest.approx(1 / 3)


def test_infinite_end_points_that_bound_nothing_are_refused():
    y = np.array([0.0, 1.0])
    # unbounded intervals are valid: lower=-inf, upper=+inf
    assert interval_coverage(y, [-np.inf, 0.0], [np.inf, 2.0]) == 1.0
    for f in (
        lambda lo, hi: interval_coverage(y, lo, hi),
        interval_width,
        lambda lo, hi: interval_score(y, lo, hi, 0.2),
    ):
        with pytest.raises(ValueError, match=r"lower contains \+inf"):
            f([np.inf, 0.0], [np.inf, 2.0])  # used to give coverage 0.5, width nan
        with pytest.raises(ValueError, match="upper contains -inf"):
            f([-np.inf, 0.0], [-np.inf, 2.0])


@pytest.mark.parametrize("center", [1.5, "1", 1.0, True, None])
def test_monotonize_center_must_be_a_column_index(center):
    Q = [[0.0, 2.0, 1.0, 3.0]]
    if center is None:  # the default: n_quantiles // 2
        np.testing.assert_array_equal(
            monotonize(Q, method="minmax", center=center),
            monotonize(Q, method="minmax", center=2),
        )
        return
    with pytest.raises(TypeError, match="center must be an int"):
        monotonize(Q, method="minmax", center=center)  # 1.5 used to mean 1
    np.testing.assert_array_equal(
        monotonize(Q, method="minmax", center=np.int64(1)), [[0.0, 2.0, 2.0, 3.0]]
    )


# ----------------------------------------------------------- gradients
def _fd_check(f, params, rng, eps=1e-6, n_coords=25):
    _, grads = f(params)
    for pi, p in enumerate(params):
        flat = p.reshape(-1)
        for idx in rng.choice(flat.size, size=min(n_coords, flat.size), replace=False):
            old = flat[idx]
            flat[idx] = old + eps
            lp = f(params, grad=False)
            flat[idx] = old - eps
            lm = f(params, grad=False)
            flat[idx] = old
            fd = (lp - lm) / (2 * eps)
            g = grads[pi].reshape(-1)[idx]
            assert abs(fd - g) <= 1e-5 * max(1.0, abs(g)) + 1e-7, (pi, idx, fd, g)


@pytest.mark.parametrize("fine", [False, True])
@pytest.mark.parametrize("local", [False, True])
def test_analytic_gradients_match_finite_differences(rng, fine, local):
    n, p, m, d = 40, 3, 5, 4
    tau = np.linspace(0.1, 0.9, m)
    Z = np.sort(rng.normal(size=(n, p, m)), axis=2)
    y = rng.normal(size=n)
    X = rng.normal(size=(n, d))
    gidx = np.array([0, 0, 1, 2, 2])
    G, lam, margin = 3, 0.7, 0.05
    if local:
        n_out = int(np.prod(wt.local_shape(p, m, G, fine)))
        params = wt.init_mlp(rng, d, (6, 5), n_out)
        params[-2][:] = rng.normal(scale=0.5, size=params[-2].shape)
        params[-1][:] = rng.normal(scale=0.5, size=params[-1].shape)
    else:
        params = [rng.normal(size=(m, p * m) if fine else (G, p))]

    def f(ps, grad=True):
        if local:
            Q, W, cache = wt.local_forward(ps, X, Z, gidx, fine, G)
        else:
            Q, W = wt.global_forward(ps[0], Z, gidx, fine)
        loss, dQ = wt.objective_grad_Q(y, Q, tau, lam, margin)
        if not grad:
            return loss
        if local:
            return loss, wt.local_backward(ps, cache, W, Z, gidx, fine, dQ)
        return loss, [wt.global_backward(W, Z, gidx, fine, dQ)]

    _fd_check(f, params, rng)


def test_crossing_penalty_value(rng):
    Q = rng.normal(size=(7, 6))
    g = np.empty_like(Q)
    val = crossing_penalty(Q, 0.1, g)
    pairs = [(k, l) for k in range(6) for l in range(k + 1, 6)]
    ref = np.mean([[max(r[k] - r[l] + 0.1, 0) for k, l in pairs] for r in Q])
    assert val == pytest.approx(ref, rel=1e-12)


# ---------------------------------------------------------- aggregator
@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(5)
    X, y = hetero(rng, 600)
    Xt, yt = hetero(rng, 600)
    return X, y, Xt, yt


def _bases():
    return [
        ("linear", linear_qr()),
        ("knn", KNeighborsQuantileRegressor(n_neighbors=25)),
        (
            "gbr",
            GradientBoostingRegressor(
                loss="quantile", n_estimators=30, max_depth=2, random_state=0
            ),
        ),
    ]


@pytest.fixture(scope="module")
def fitted(data):
    X, y, _, _ = data
    with threadpool_limits(1):
        return QuantileAggregator(_bases(), quantiles=TAU9, cv=4, random_state=0).fit(
            X, y
        )


def test_aggregate_beats_best_base_and_weights_on_simplex(fitted, data):
    _, _, Xt, yt = data
    base = [pinball_loss(yt, fitted.predict_base(Xt)[:, j], TAU9) for j in range(3)]
    agg = pinball_loss(yt, fitted.predict(Xt), TAU9)
    assert fitted.solver_ == "lp"
    assert agg < min(base)
    W = fitted.weights_
    assert W.shape == (9, 3) and np.all(W >= 0)
    np.testing.assert_allclose(W.sum(axis=1), 1.0, atol=1e-9)
    assert crossing_rate(fitted.predict(Xt)) == 0.0


def test_adam_reaches_lp_optimum(fitted, data):
    """The softmax/Adam path agrees with the exact LP on the same OOF data."""
    X, y, _, _ = data
    Z = fitted.oof_predictions_
    mu, sd = y.mean(), y.std()
    ys, Zs = (y - mu) / sd, (Z - mu) / sd
    for weights, gidx in (("medium", np.arange(9)), ("coarse", np.zeros(9, dtype=int))):
        W_lp = np.vstack(
            [
                wt.lp_group_weights(Zs, ys, TAU9, np.flatnonzero(gidx == g))
                for g in range(gidx.max() + 1)
            ]
        )[gidx]
        ad = clone(fitted).set_params(
            weights=weights, validation_fraction=0.0, max_iter=400, n_iter_no_change=400
        )
        ad.loss_curve_ = []
        with warnings.catch_warnings():
            # a fixed 400-epoch budget on purpose: still creeping towards the LP
            warnings.simplefilter("ignore", ConvergenceWarning)
            ad._fit_adam(X, ys, Zs, TAU9, gidx, False, None, np.random.RandomState(0))
        l_ad = pinball_loss(y, np.einsum("ijk,kj->ik", Z, ad.weights_), TAU9)
        l_lp = pinball_loss(y, np.einsum("ijk,kj->ik", Z, W_lp), TAU9)
        assert l_lp <= l_ad + 1e-9  # LP is exact
        assert l_ad <= l_lp * 1.002  # Adam within 0.2 %
        # the LP beats equal weights and every base model in sample
        assert l_lp <= pinball_loss(y, Z.mean(axis=1), TAU9) + 1e-12
        assert l_lp <= min(pinball_loss(y, Z[:, j], TAU9) for j in range(3)) + 1e-12
    np.testing.assert_allclose(
        fitted.weights_, W_lp if weights == "medium" else fitted.weights_
    )


def test_single_model_returns_that_model(data):
    X, y, Xt, _ = data
    agg = QuantileAggregator(
        [KNeighborsQuantileRegressor(20)], quantiles=TAU9, cv=3, random_state=0
    ).fit(X, y)
    ref = KNeighborsQuantileRegressor(20).fit(X, y).predict(Xt, quantiles=TAU9)
    np.testing.assert_allclose(agg.predict(Xt), ref, rtol=0, atol=1e-12)
    agg_l = clone(agg).set_params(local=True, max_iter=3).fit(X, y)
    np.testing.assert_allclose(agg_l.predict(Xt), ref, atol=1e-12)


def test_oof_predictions_are_honest(data):
    X, y, _, _ = data
    # a 1-nearest-neighbour model reproduces y exactly in sample
    agg = QuantileAggregator(
        [KNeighborsQuantileRegressor(1)], quantiles=0.5, cv=3, random_state=0
    ).fit(X, y)
    assert not np.any(np.isclose(agg.oof_predictions_[:, 0, 0], y))
    np.testing.assert_allclose(agg.predict(X), y)  # refit on all rows: in sample


@pytest.mark.parametrize(
    "kw",
    [
        dict(weights="fine"),
        dict(local=True, hidden_layer_sizes=(8,), max_iter=100),
        dict(local=True, weights="fine", hidden_layer_sizes=(8,), max_iter=100),
        dict(tau_groups=[0, 0, 0, 1, 1, 1, 2, 2, 2]),
        dict(crossing_penalty=0.5, monotone=None),
    ],
)
def test_variants_fit_and_predict(fitted, data, kw):
    X, y, Xt, _ = data
    # reuse the OOF fits: one cheap base model keeps this quick
    est = QuantileAggregator(
        [linear_qr(), KNeighborsQuantileRegressor(25)],
        quantiles=TAU9,
        cv=3,
        random_state=0,
        **kw,
    ).fit(X, y)
    Q = est.predict(Xt)
    assert Q.shape == (600, 9) and np.isfinite(Q).all()
    W = est.predict_weights(Xt[:5])
    assert np.all(W >= 0)
    np.testing.assert_allclose(W.reshape(5, 9, -1).sum(axis=2), 1.0, atol=1e-9)
    if "tau_groups" in kw:
        np.testing.assert_allclose(est.weights_[0], est.weights_[2])
        np.testing.assert_allclose(est.weights_[6], est.weights_[8])
    base = min(est.oof_pinball_)
    val = pinball_loss(y, est._combine(X, est.oof_predictions_), TAU9)
    assert val <= base * 1.02


def test_scalar_level_gives_1d_and_models_in_pipeline_and_gridsearch(data):
    X, y, Xt, _ = data
    pipe = make_pipeline(StandardScaler(), linear_qr())
    agg = QuantileAggregator(
        [pipe, KNeighborsQuantileRegressor(10)], quantiles=0.5, cv=3, random_state=0
    )
    assert agg.fit(X, y).predict(Xt).shape == (600,)
    gs = GridSearchCV(
        make_pipeline(
            StandardScaler(),
            QuantileAggregator(
                [KNeighborsQuantileRegressor(10)],
                quantiles=[0.1, 0.5, 0.9],
                cv=3,
                random_state=0,
            ),
        ),
        {"quantileaggregator__weights": ["coarse", "medium"]},
        cv=2,
    ).fit(X[:200], y[:200])
    assert gs.best_score_ < 0
    # statnorm estimators nest: a fan model as a base model
    inner = QuantileAggregator([KNeighborsQuantileRegressor(10)], cv=2)
    out = QuantileAggregator(
        [inner, linear_qr()], quantiles=[0.2, 0.5, 0.8], cv=2, random_state=0
    )
    assert out.fit(X[:150], y[:150]).predict(Xt[:3]).shape == (3, 3)


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("quantiles", "match"),
    [
        ([0.0, 0.5], "strictly between 0 and 1"),
        ([0.5, 1.2], "strictly between 0 and 1"),
        ([0.5, 0.1], "sorted in increasing order"),
        ([0.1, 0.1, 0.5], "duplicated"),
    ],
)
def test_bad_quantiles(data, quantiles, match):
    X, y, _, _ = data
    for est in (
        QuantileAggregator([KNeighborsQuantileRegressor()], quantiles=quantiles),
        ConformalQuantileRegressor(
            KNeighborsQuantileRegressor(), quantiles=quantiles, method="asymmetric"
        ),
    ):
        with pytest.raises(ValueError, match=match):
            est.fit(X, y)
    with pytest.raises(ValueError, match=match):
        pinball_loss(y[:3], np.zeros((3, len(quantiles))), quantiles)


def test_bad_estimators_and_data(data):
    X, y, _, _ = data
    with pytest.raises(TypeError, match=r"estimators\[1\].*cannot predict quantiles"):
        QuantileAggregator([linear_qr(), LinearRegression()]).fit(X, y)
    with pytest.raises(TypeError, match="loss='quantile'"):
        QuantileAggregator([HistGradientBoostingRegressor()]).fit(X, y)
    with pytest.raises(TypeError, match="cannot predict quantiles"):
        ConformalQuantileRegressor(LinearRegression()).fit(X, y)
    Xn = X.copy()
    Xn[3, 1] = np.nan
    yn = y.copy()
    yn[4] = np.nan
    for est in (
        QuantileAggregator([KNeighborsQuantileRegressor()]),
        ConformalQuantileRegressor(KNeighborsQuantileRegressor()),
    ):
        with pytest.raises(ValueError, match="NaN"):
            est.fit(Xn, y)
        with pytest.raises(ValueError, match="NaN"):
            est.fit(X, yn)
    with pytest.raises(ValueError, match=r"cv=5 folds need at least 5 samples; got 4"):
        QuantileAggregator([KNeighborsQuantileRegressor()]).fit(X[:4], y[:4])
    with pytest.raises(ValueError, match="n_folds=5 folds need at least 5"):
        ConformalQuantileRegressor(KNeighborsQuantileRegressor(), cv="cv+").fit(
            X[:4], y[:4]
        )
    with pytest.raises(ValueError, match="no partner"):
        ConformalQuantileRegressor(
            KNeighborsQuantileRegressor(), quantiles=[0.1, 0.5, 0.8]
        ).fit(X, y)
    with pytest.raises(ValueError, match="tau_groups"):
        QuantileAggregator(
            [KNeighborsQuantileRegressor()],
            quantiles=TAU9,
            weights="fine",
            tau_groups=[0] * 9,
        ).fit(X, y)
    with pytest.raises(ValueError, match="solver='lp'"):
        QuantileAggregator(
            [KNeighborsQuantileRegressor()], local=True, solver="lp"
        ).fit(X, y)
    with pytest.raises(ValueError, match="one column per level"):
        weighted_interval_score(y[:5], np.zeros((5, 3)), TAU9)


def test_inputs_not_modified(data):
    X, y, Xt, _ = data
    X0, y0, Xt0 = X.copy(), y.copy(), Xt.copy()
    tau = [0.1, 0.5, 0.9]
    agg = QuantileAggregator(
        [KNeighborsQuantileRegressor()], quantiles=tau, local=True, max_iter=2, cv=2
    ).fit(X, y)
    agg.predict(Xt)
    ConformalQuantileRegressor(
        KNeighborsQuantileRegressor(), quantiles=tau, cv="cv+"
    ).fit(X, y).predict(Xt)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(Xt, Xt0)


# --------------------------------------------------------------- conformal
def test_split_cqr_matches_mapie(data):
    """Symmetric split CQR equals MAPIE 1.6's symmetric_correction=True on the same models."""
    mapie = pytest.importorskip("mapie.regression")
    X, y, Xt, _ = data
    tau = np.array([0.1, 0.5, 0.9])
    rs = np.random.RandomState(3)
    perm = rs.permutation(600)
    cal, tr = perm[:150], perm[150:]
    cqr = ConformalQuantileRegressor(linear_qr(), quantiles=tau, random_state=3).fit(
        X, y
    )
    models = [
        clone(linear_qr()).set_params(quantile=t).fit(X[tr], y[tr])
        for t in (0.1, 0.9, 0.5)
    ]
    ref = mapie.ConformalizedQuantileRegressor(
        models, confidence_level=0.8, prefit=True
    )
    ref.conformalize(X[cal], y[cal])
    _, bounds = ref.predict_interval(Xt, symmetric_correction=True)
    Q = cqr.predict(Xt)
    np.testing.assert_allclose(Q[:, 0], bounds[:, 0, 0], rtol=0, atol=1e-8)
    np.testing.assert_allclose(Q[:, 2], bounds[:, 1, 0], rtol=0, atol=1e-8)


def test_infinite_bounds_not_clamped(data):
    X, y, Xt, _ = data
    # 9 calibration points: ceil(0.9 * 10) = 9 <= 9 is finite, ceil(0.98 * 10) = 10 > 9
    est = ConformalQuantileRegressor(
        KNeighborsQuantileRegressor(5),
        quantiles=[0.01, 0.05, 0.5, 0.95, 0.99],
        calibration_size=9 / 40,
        random_state=0,
    )
    with pytest.warns(StatnormWarning, match="infinite"):
        est.fit(X[:40], y[:40])
    Q = est.predict(Xt[:5])
    assert np.all(Q[:, 0] == -np.inf) and np.all(Q[:, 4] == np.inf)
    assert np.isfinite(Q[:, 1:4]).all()


def _coverage_mc(method, cv, reps, n_fit, n_cal, n_test, monotone, seed):
    rng = np.random.default_rng(seed)
    tau = TAU9
    covs = []
    for _ in range(reps):
        X, y = hetero(rng, n_fit + n_cal + n_test, d=2)
        n = n_fit + n_cal
        est = ConformalQuantileRegressor(
            KNeighborsQuantileRegressor(8),
            quantiles=tau,
            method=method,
            cv=cv,
            n_folds=5,
            calibration_size=n_cal / n if cv == "split" else 0.25,
            monotone=monotone,
            random_state=int(rng.integers(2**31)),
        ).fit(X[:n], y[:n])
        Q = est.predict(X[n:])
        _, lo, hi = central_intervals(Q, tau)
        covs.append(interval_coverage(y[n:], lo, hi))
    covs = np.array(covs)  # (reps, 4), intervals 80/60/40/20 %
    print(
        method,
        cv,
        monotone,
        covs.mean(axis=0),
        covs.std(axis=0, ddof=1) / np.sqrt(reps),
    )
    return covs.mean(axis=0), covs.std(axis=0, ddof=1) / np.sqrt(reps)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "monotone", "slack"),
    [("symmetric", None, 1), ("symmetric", "minmax", 1), ("asymmetric", None, 2)],
)
def test_split_conformal_coverage_monte_carlo(method, monotone, slack):
    """Coverage within [1 - a, 1 - a + slack/(n_cal + 1)] up to 4 Monte Carlo SEs.

    The raw 8-NN quantiles under-cover (checked below), so calibration matters.
    """
    n_cal = 60
    mean, se = _coverage_mc(method, "split", 800, 100, n_cal, 100, monotone, seed=11)
    nominal = np.array([0.8, 0.6, 0.4, 0.2])
    assert np.all(mean >= nominal - 4 * se), (mean, se)
    upper = nominal + slack / (n_cal + 1) + (0.03 if monotone else 0.0)
    assert np.all(mean <= upper + 4 * se), (mean, se)


@pytest.mark.slow
def test_cv_plus_coverage_monte_carlo():
    mean, se = _coverage_mc("symmetric", "cv+", 150, 100, 0, 100, "minmax", seed=12)
    nominal = np.array([0.8, 0.6, 0.4, 0.2])
    # guarantee: 1 - 2 alpha - sqrt(2/n); in practice close to 1 - alpha
    assert np.all(mean >= 1 - 2 * (1 - nominal) - np.sqrt(2 / 100))
    assert np.all(mean >= nominal - 0.03 - 4 * se), (mean, se)
    assert np.all(mean <= nominal + 0.08), (mean, se)


def test_raw_knn_under_covers_so_the_mc_test_has_teeth():
    rng = np.random.default_rng(0)
    X, y = hetero(rng, 4000, d=2)
    Q = (
        KNeighborsQuantileRegressor(8)
        .fit(X[:100], y[:100])
        .predict(X[100:], quantiles=TAU9)
    )
    _, lo, hi = central_intervals(Q, TAU9)
    assert interval_coverage(y[100:], lo, hi)[0] < 0.75


def test_conformal_wraps_aggregator(data):
    X, y, Xt, yt = data
    agg = QuantileAggregator(
        [linear_qr(), KNeighborsQuantileRegressor(25)], cv=3, random_state=0
    )
    cqr = ConformalQuantileRegressor(agg, quantiles=TAU9, random_state=0).fit(X, y)
    Q = cqr.predict(Xt)
    assert crossing_rate(Q) == 0.0
    assert np.all(np.diff(cqr.shifts_[5:]) >= -1e300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(cqr.score(Xt, yt))


# ------------------------------------------------------------------ CLI
def test_cli_quantile_runs_and_rejects_bad_target(tmp_path, capsys):
    from statnorm import _cli

    rng = np.random.default_rng(1)
    X, y = hetero(rng, 240)
    path = tmp_path / "d.csv"
    with open(path, "w") as f:
        f.write("a,b,c,colour,target\n")
        f.writelines(
            f"{row[0]},{row[1]},{row[2]},{'red' if row[0] > 0.5 else 'blue'},{t}\n"
            for row, t in zip(X, y)
        )
    out = tmp_path / "out"
    argv = [
        "quantile",
        str(path),
        "--target",
        "target",
        "--cv",
        "2",
        "--no-local",
        "--quantiles",
        "0.1",
        "0.5",
        "0.9",
        "-o",
        str(out),
    ]
    # a text column is never coded silently: the user names its levels
    assert _cli.main(argv) == 1
    assert "['colour']" in capsys.readouterr().err
    assert _cli.main([*argv, "--categories", "colour=blue,red"]) == 0
    text = capsys.readouterr().out
    assert "global medium + split CQR" in text and "rel. WIS" in text
    pred = np.loadtxt(out / "predictions.csv", delimiter=",", skiprows=1)
    assert pred.shape == (60, 5)
    assert (out / "fan.png").stat().st_size > 0
    assert _cli.main(["quantile", str(path), "--target", "nope"]) == 1
    assert "not a column" in capsys.readouterr().err
    assert (
        _cli.main(
            ["quantile", str(path), "--target", "target", "--quantiles", "0.5", "1.5"]
        )
        == 1
    )
    assert "strictly between 0 and 1" in capsys.readouterr().err
