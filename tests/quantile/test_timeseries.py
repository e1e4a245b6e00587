"""Adaptive conformal inference (AdaptiveConformalRegressor)."""

import math
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, QuantileRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from statnorm.exceptions import StatnormWarning
from statnorm.quantile import AdaptiveConformalRegressor, EnbPIRegressor


def _series(n, seed, shift_at=None, scale=3.0, mean_shift=0.0):
    """y = x1 - x2 + sigma_t eps, sigma_t jumping from 1 to ``scale``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    sd = np.ones(n)
    mu = np.zeros(n)
    if shift_at is not None:
        sd[shift_at:] = scale
        mu[shift_at:] = mean_shift
    return X, X[:, 0] - X[:, 1] + mu + sd * rng.normal(size=n)


def _bound(alpha1, gamma, T):
    """Gibbs & Candès (2021), Prop. 4.1: the long-run miscoverage bound."""
    return (max(alpha1, 1 - alpha1) + gamma) / (gamma * T)


# ------------------------------------------------------------ deterministic


@pytest.mark.parametrize("gamma", [0.005, 0.02, 0.1, 0.5])
@pytest.mark.parametrize("kind", ["absolute", "cqr"])
def test_long_run_miscoverage_obeys_the_deterministic_bound(gamma, kind):
    # a mean and variance shift mid-series: the bound holds for any sequence
    X, y = _series(3000, 1, shift_at=1200, scale=4.0, mean_shift=3.0)
    est = LinearRegression() if kind == "absolute" else QuantileRegressor(alpha=0.0)
    aci = AdaptiveConformalRegressor(
        est, gamma=gamma, conformity_score=kind, calibration_size=0.5
    ).fit(X[:400], y[:400])
    aci.predict_update(X[400:], y[400:])
    T = aci.n_updates_
    alpha = 0.1
    assert T == 2600
    gap = abs(aci.errors_.mean() - alpha)
    assert gap <= _bound(alpha, gamma, T) + 1e-12
    # Lemma 4.1: alpha_t never leaves [-gamma, 1 + gamma]
    assert aci.alpha_path_.min() >= -gamma - 1e-12
    assert aci.alpha_path_.max() <= 1 + gamma + 1e-12
    # the recursion itself, exactly
    path = aci.alpha_path_
    np.testing.assert_allclose(
        np.diff(path), gamma * (alpha - aci.errors_), rtol=0, atol=1e-12
    )


def test_bound_is_tight_enough_to_fail_for_split_conformal():
    # gamma = 0 (split conformal over the window) after the shift misses the
    # level by far more than ACI's bound at gamma = 0.02 allows
    X, y = _series(3000, 2, shift_at=400, scale=4.0)
    split = AdaptiveConformalRegressor(
        LinearRegression(), gamma=0.0, window=10**6, calibration_size=0.5
    ).fit(X[:400], y[:400])
    # window=10**6 grows the window: a fixed-scale calibration keeps voting
    split.predict_update(X[400:], y[400:])
    assert abs(split.errors_.mean() - 0.1) > _bound(0.1, 0.02, 2600)


def test_every_interval_at_its_alpha_is_the_split_interval_of_its_window():
    X, y = _series(400, 3, shift_at=200)
    aci = AdaptiveConformalRegressor(
        LinearRegression(), gamma=0.05, calibration_size=0.5
    ).fit(X[:100], y[:100])
    window = list(aci.scores_)
    model = aci.estimator_
    y_pred, pis, alphas = aci.predict_update(X[100:], y[100:])
    for t in range(300):
        n = len(window)
        a = alphas[t]
        r = math.ceil((1 - a) * (n + 1) - 1e-12)
        q = np.inf if (a <= 0 or r > n) else np.sort(window)[r - 1]
        p = model.predict(X[100 + t : 101 + t])[0]
        assert y_pred[t] == pytest.approx(p, abs=1e-12)
        assert pis[t, 0, 0] == pytest.approx(p - q, abs=1e-12)
        assert pis[t, 1, 0] == pytest.approx(p + q, abs=1e-12)
        window = [*window[1:], abs(y[100 + t] - p)]


def test_infinite_and_empty_intervals():
    X, y = _series(600, 4)
    # alpha = 0.5 and gamma = 0.5: two hits in a row reach alpha_t = 1 (empty),
    # two misses alpha_t = 0 (the real line)
    aci = AdaptiveConformalRegressor(
        LinearRegression(), confidence_level=0.5, gamma=0.5, calibration_size=0.5
    ).fit(X[:200], y[:200])
    _, pis, alphas = aci.predict_update(X[200:], y[200:])
    inf = alphas <= 0
    empty = alphas >= 1
    assert inf.any() and empty.any()
    assert np.all(np.isneginf(pis[inf, 0, 0])) and np.all(np.isposinf(pis[inf, 1, 0]))
    # an empty interval is (+inf, -inf): it covers nothing
    assert np.all(np.isposinf(pis[empty, 0, 0]))
    assert np.all(np.isneginf(pis[empty, 1, 0]))
    assert np.all(aci.errors_[empty] == 1) and np.all(aci.errors_[inf] == 0)
    strict = AdaptiveConformalRegressor(
        LinearRegression(),
        gamma=0.5,
        calibration_size=0.5,
        allow_infinite_bounds=False,
    ).fit(X[:200], y[:200])
    before = dict(vars(strict))
    with pytest.raises(ValueError, match="allow_infinite_bounds"):
        strict.predict_update(X[200:], y[200:])
    assert strict.n_updates_ == before["n_updates_"]
    assert strict.alpha_path_ is before["alpha_path_"]


def test_too_few_calibration_scores():
    X, y = _series(30, 5)
    with pytest.warns(StatnormWarning, match="too few"):
        AdaptiveConformalRegressor(
            LinearRegression(), confidence_level=0.95, calibration_size=0.3
        ).fit(X, y)
    with pytest.raises(ValueError, match="allow_infinite_bounds"):
        AdaptiveConformalRegressor(
            LinearRegression(),
            confidence_level=0.95,
            calibration_size=0.3,
            allow_infinite_bounds=False,
        ).fit(X, y)


# ------------------------------------------------------------ online API


def test_update_in_chunks_equals_one_pass():
    X, y = _series(700, 6, shift_at=350)
    one = AdaptiveConformalRegressor(
        LinearRegression(), gamma=0.03, calibration_size=0.5
    ).fit(X[:200], y[:200])
    _, pis, _ = one.predict_update(X[200:], y[200:])
    many = clone(one).fit(X[:200], y[:200])
    chunks = []
    for a in range(200, 700, 37):
        b = min(700, a + 37)
        chunks.append(many.predict_interval(X[a : a + 1])[1][0])
        many.partial_fit(X[a:b], y[a:b]) if a % 2 else many.update(X[a:b], y[a:b])
    np.testing.assert_array_equal(one.alpha_path_, many.alpha_path_)
    np.testing.assert_array_equal(one.errors_, many.errors_)
    np.testing.assert_array_equal(one.scores_, many.scores_)
    np.testing.assert_allclose(np.array(chunks), pis[::37], rtol=0, atol=1e-12)


def test_partial_fit_before_fit_is_fit_and_predict_keeps_state():
    X, y = _series(300, 7)
    a = AdaptiveConformalRegressor(LinearRegression()).partial_fit(X, y)
    b = AdaptiveConformalRegressor(LinearRegression()).fit(X, y)
    np.testing.assert_array_equal(a.scores_, b.scores_)
    before = dict(vars(b))
    b.predict_interval(X)
    b.predict(X)
    assert all(vars(b)[k] is v for k, v in before.items())
    with pytest.raises(ValueError, match="features"):
        b.update(X[:, :1], y)
    with pytest.raises(ValueError, match="X and y"):
        b.update(X[:5], y[:4])


def test_auto_score_and_cqr():
    X, y = _series(400, 8)
    cqr = AdaptiveConformalRegressor(QuantileRegressor(alpha=0.0)).fit(X, y)
    assert cqr.conformity_score_ == "cqr"
    lin = AdaptiveConformalRegressor(LinearRegression()).fit(X, y)
    assert lin.conformity_score_ == "absolute"
    pipe = AdaptiveConformalRegressor(
        make_pipeline(StandardScaler(), LinearRegression())
    ).fit(X, y)
    assert pipe.conformity_score_ == "absolute"
    # CQR bounds are the two quantile models shifted by the window quantile
    lo_m, hi_m = cqr.estimator_.models_
    assert lo_m.quantile == pytest.approx(0.05)
    assert hi_m.quantile == pytest.approx(0.95)
    _, pis = cqr.predict_interval(X[:5])
    n = cqr.scores_.size
    q = np.sort(cqr.scores_)[math.ceil(0.9 * (n + 1)) - 1]
    np.testing.assert_allclose(pis[:, 0, 0], lo_m.predict(X[:5]) - q)
    np.testing.assert_allclose(pis[:, 1, 0], hi_m.predict(X[:5]) + q)


def test_frozen_model_calibrates_on_every_row():
    X, y = _series(300, 9)
    lr = LinearRegression().fit(X[:100], y[:100])
    aci = AdaptiveConformalRegressor(FrozenEstimator(lr)).fit(X[100:], y[100:])
    assert aci.n_calibration_ == 200
    np.testing.assert_allclose(
        aci.scores_, np.abs(y[100:] - lr.predict(X[100:])), rtol=0, atol=1e-12
    )


def test_bad_parameters_name_themselves():
    X, y = _series(100, 10)
    for kw in (
        {"gamma": -0.1},
        {"confidence_level": 1.0},
        {"conformity_score": "nope"},
        {"calibration_size": 0.0},
        {"window": 0},
    ):
        with pytest.raises(ValueError, match=next(iter(kw))):
            AdaptiveConformalRegressor(LinearRegression(), **kw).fit(X, y)
    with pytest.raises(ValueError, match="calibration_size"):
        AdaptiveConformalRegressor(LinearRegression(), calibration_size=0.99).fit(X, y)


# ------------------------------------------------------------ Monte Carlo


@pytest.mark.slow
def test_post_shift_coverage_monte_carlo():
    """After a variance shift ACI covers at its level; split conformal does not.

    Scale shift with a correct mean model: the absolute-residual ranks are
    scale free, so once the window holds post-shift scores ACI is back in the
    same stationary regime, and the post-shift miscoverage has expectation
    alpha up to the telescoping term (alpha_end - alpha_shift) / (gamma L).
    """
    reps, n_cal, shift, T = 200, 200, 300, 1800
    alpha, gamma = 0.1, 0.02
    cov_aci, cov_split = [], []
    for r in range(reps):
        X, y = _series(n_cal + 100 + T, 1000 + r, shift_at=n_cal + 100 + shift)
        lr = LinearRegression().fit(X[:100], y[:100])
        aci = AdaptiveConformalRegressor(FrozenEstimator(lr), gamma=gamma).fit(
            X[100 : 100 + n_cal], y[100 : 100 + n_cal]
        )
        aci.partial_fit(X[100 + n_cal :], y[100 + n_cal :])
        cov_aci.append(1 - aci.errors_[shift:].mean())
        # split conformal: fixed calibration scores, no update
        s = np.sort(
            aci.scores_[:0].tolist()
            + list(np.abs(y[100 : 100 + n_cal] - lr.predict(X[100 : 100 + n_cal])))
        )
        q = s[math.ceil((1 - alpha) * (n_cal + 1)) - 1]
        res = np.abs(y[100 + n_cal + shift :] - lr.predict(X[100 + n_cal + shift :]))
        cov_split.append(np.mean(res <= q))
    cov_aci, cov_split = np.array(cov_aci), np.array(cov_split)
    se_aci = cov_aci.std(ddof=1) / np.sqrt(reps)
    se_split = cov_split.std(ddof=1) / np.sqrt(reps)
    assert abs(cov_aci.mean() - (1 - alpha)) <= 3 * se_aci
    # split conformal under-covers far beyond its MC error (0.9 -> about 0.41)
    assert cov_split.mean() < 1 - alpha - 20 * se_split


@pytest.mark.slow
def test_exchangeable_marginal_coverage_monte_carlo():
    """On an i.i.d. series the interval at a fixed time covers at 1 - alpha."""
    reps, n_cal, T = 400, 200, 1000
    alpha, gamma = 0.1, 0.01
    times = np.arange(99, T, 100)  # 10 times, 100 steps apart
    miss = []
    for r in range(reps):
        X, y = _series(100 + n_cal + T, 5000 + r)
        lr = LinearRegression().fit(X[:100], y[:100])
        aci = AdaptiveConformalRegressor(FrozenEstimator(lr), gamma=gamma).fit(
            X[100 : 100 + n_cal], y[100 : 100 + n_cal]
        )
        aci.partial_fit(X[100 + n_cal :], y[100 + n_cal :])
        miss.append(aci.errors_[times].mean())
    miss = np.array(miss)
    se = miss.std(ddof=1) / np.sqrt(reps)
    assert abs(miss.mean() - alpha) <= 2 * se


# ------------------------------------------------------------ MAPIE


def _mapie_aci(lr, Xc, yc, Xt, yt, gamma):
    mapie = pytest.importorskip("mapie")
    from mapie.conformity_scores import AbsoluteConformityScore
    from mapie.regression import TimeSeriesRegressor

    assert mapie.__version__.startswith("1.")
    m = TimeSeriesRegressor(
        lr,
        method="aci",
        cv="prefit",
        conformity_score=AbsoluteConformityScore(sym=True),
    ).fit(Xc, yc)
    lo, hi, al = [], [], []
    with warnings.catch_warnings():
        # MAPIE's update() warns that its deprecated arguments do nothing
        warnings.simplefilter("ignore")
        for i in range(len(yt)):
            x, yy = Xt[i : i + 1], yt[i : i + 1]
            al.append(getattr(m, "current_alpha", {}).get(0.1, 0.1))
            _, pis = m.predict(x, confidence_level=0.9, allow_infinite_bounds=True)
            lo.append(pis[0, 0, 0])
            hi.append(pis[0, 1, 0])
            m.adapt_conformal_inference(x, yy, gamma=gamma, confidence_level=0.9)
            m.update(x, yy)
    return np.array(lo), np.array(hi), np.array(al)


def test_matches_mapie_time_series_regressor_aci():
    # same fitted model, same calibration scores, same sliding window (MAPIE's
    # update rolls the oldest score out), same gamma: the same intervals
    pytest.importorskip("mapie")
    X, y = _series(600, 11, shift_at=350, scale=2.5)
    lr = LinearRegression().fit(X[:100], y[:100])
    Xc, yc, Xt, yt = X[100:200], y[100:200], X[200:], y[200:]
    lo, hi, al = _mapie_aci(lr, Xc, yc, Xt, yt, gamma=0.01)
    aci = AdaptiveConformalRegressor(FrozenEstimator(lr), gamma=0.01).fit(Xc, yc)
    _, pis, alphas = aci.predict_update(Xt, yt)
    # MAPIE clips alpha_t to [0, 1]; here it never reaches either end
    assert alphas.min() > 0 and alphas.max() < 1
    np.testing.assert_allclose(alphas, al, rtol=0, atol=1e-8)
    np.testing.assert_allclose(pis[:, 0, 0], lo, rtol=0, atol=1e-8)
    np.testing.assert_allclose(pis[:, 1, 0], hi, rtol=0, atol=1e-8)


def test_mapie_symmetric_score_cannot_return_infinite_aci_intervals():
    # documented difference: with a symmetric absolute score MAPIE 1.6 raises
    # once ceil((1 - alpha_t)(n + 1)) > n, even with allow_infinite_bounds=True
    # (its symmetric branch does not pass the flag on); statnorm returns the
    # infinite interval the method prescribes
    pytest.importorskip("mapie")
    X, y = _series(600, 11)
    lr = LinearRegression().fit(X[:100], y[:100])
    Xc, yc, Xt, yt = X[100:200], y[100:200], X[200:], y[200:]
    with pytest.raises(ValueError, match="too low"):
        _mapie_aci(lr, Xc, yc, Xt, yt, gamma=0.1)
    aci = AdaptiveConformalRegressor(FrozenEstimator(lr), gamma=0.1).fit(Xc, yc)
    _, pis, _alphas = aci.predict_update(Xt, yt)
    assert np.isinf(pis[:, 1, 0]).any()


# ------------------------------------------------------------ EnbPI


def test_enbpi_block_bootstrap_and_leave_one_out_residuals():
    X, y = _series(103, 20)
    e = EnbPIRegressor(
        LinearRegression(), n_resamplings=15, block_length=5, random_state=0
    ).fit(X, y)
    assert len(e.resamples_) == 15
    for idx in e.resamples_:
        assert idx.size == 105  # ceil(103 / 5) blocks of 5
        starts = idx[::5]
        assert np.all(starts % 5 == 0) and starts.max() < 100
        np.testing.assert_array_equal(
            idx.reshape(-1, 5) - starts[:, None], [range(5)] * 21
        )
    # the residual of row i uses exactly the models whose resample left i out
    models = e.estimator_.models
    for i in (0, 51, 102):
        out = [m for m, idx in zip(models, e.resamples_) if i not in idx]
        f = np.mean([m.predict(X[i : i + 1])[0] for m in out])
        assert e.scores_[i] == pytest.approx(abs(y[i] - f), abs=1e-12)
    # the centre: mean over training rows of their leave-one-out ensembles
    x = X[:3]
    loo = []
    for i in range(103):
        out = [m for m, idx in zip(models, e.resamples_) if i not in idx]
        loo.append(np.mean([m.predict(x) for m in out], axis=0))
    np.testing.assert_allclose(e.predict(x), np.mean(loo, axis=0), atol=1e-12)


def test_enbpi_random_state_and_errors():
    X, y = _series(120, 21)
    a = EnbPIRegressor(random_state=3).fit(X, y)
    b = EnbPIRegressor(random_state=3).fit(X, y)
    c = EnbPIRegressor(random_state=4).fit(X, y)
    np.testing.assert_array_equal(a.scores_, b.scores_)
    assert not np.array_equal(a.scores_, c.scores_)
    with pytest.raises(ValueError, match="n_resamplings"):
        EnbPIRegressor(n_resamplings=1, block_length=4, random_state=0).fit(
            X[:120], y[:120]
        )
    with pytest.raises(ValueError, match="block_length"):
        EnbPIRegressor(block_length=500).fit(X, y)
    with pytest.raises(ValueError, match="aggregation"):
        EnbPIRegressor(aggregation="max").fit(X, y)


def test_enbpi_with_aci_obeys_the_bound():
    X, y = _series(1500, 22, shift_at=700, scale=3.0)
    e = EnbPIRegressor(n_resamplings=10, gamma=0.05, random_state=0).fit(
        X[:300], y[:300]
    )
    e.predict_update(X[300:], y[300:])
    assert abs(e.errors_.mean() - 0.1) <= _bound(0.1, 0.05, 1200) + 1e-12


@pytest.mark.slow
def test_enbpi_exchangeable_coverage_monte_carlo():
    """Once the window holds only post-fit residuals, EnbPI is split conformal.

    On an i.i.d. series the window then holds residuals of one fixed centre,
    exchangeable with the next one, so each interval misses with probability
    exactly 1 - ceil(0.9 (n + 1)) / (n + 1) = 20/201.
    """
    reps, n = 200, 200
    miss = []
    for r in range(reps):
        X, y = _series(n + 600, 9000 + r)
        e = EnbPIRegressor(LinearRegression(), n_resamplings=20, random_state=r)
        e.fit(X[:n], y[:n]).partial_fit(X[n:], y[n:])
        miss.append(e.errors_[n:].mean())
    miss = np.array(miss)
    se = miss.std(ddof=1) / np.sqrt(reps)
    assert abs(miss.mean() - 20 / 201) <= 3 * se


@pytest.mark.parametrize("aggregation", ["mean", "median"])
def test_enbpi_matches_mapie(aggregation):
    # same resamples (MAPIE's BlockBootstrap indices), same models, same
    # leave-one-out residuals and the same rolling window: the same intervals
    pytest.importorskip("mapie")
    from mapie.conformity_scores import AbsoluteConformityScore
    from mapie.regression import TimeSeriesRegressor
    from mapie.subsample import BlockBootstrap

    X, y = _series(500, 23, shift_at=300, scale=2.0)
    Xtr, ytr, Xt, yt = X[:200], y[:200], X[200:], y[200:]
    cv = BlockBootstrap(n_resamplings=20, length=7, random_state=0)
    splits = [tr for tr, _ in cv.split(Xtr)]
    m = TimeSeriesRegressor(
        LinearRegression(),
        method="enbpi",
        cv=cv,
        agg_function=aggregation,
        conformity_score=AbsoluteConformityScore(sym=True),
    ).fit(Xtr, ytr)
    lo, hi, ct = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MAPIE's update() warns on every call
        for i in range(len(yt)):
            x = Xt[i : i + 1]
            yp, pis = m.predict(
                x, ensemble=True, confidence_level=0.9, allow_infinite_bounds=True
            )
            lo.append(pis[0, 0, 0])
            hi.append(pis[0, 1, 0])
            ct.append(yp[0])
            m.update(x, yt[i : i + 1], ensemble=True)
    e = EnbPIRegressor(LinearRegression(), aggregation=aggregation, n_resamplings=20)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(EnbPIRegressor, "_resamples", lambda self, n: splits)
        e.fit(Xtr, ytr)
    y_pred, pis, _ = e.predict_update(Xt, yt)
    np.testing.assert_allclose(y_pred, ct, rtol=0, atol=1e-8)
    np.testing.assert_allclose(pis[:, 0, 0], lo, rtol=0, atol=1e-8)
    np.testing.assert_allclose(pis[:, 1, 0], hi, rtol=0, atol=1e-8)
