"""Splitters, groups, prefit models, sample weights and MAPIE-style intervals."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import QuantileRegressor
from sklearn.model_selection import GroupKFold, KFold, ShuffleSplit, TimeSeriesSplit

from statnorm.quantile import (
    ConformalQuantileRegressor,
    KNeighborsQuantileRegressor,
    QuantileAggregator,
)
from statnorm.quantile import _weights as wt
from statnorm.quantile._metrics import pinball_loss

TAU = np.array([0.1, 0.5, 0.9])


def _grouped(rng, n_groups=30, per=8):
    g = np.repeat(np.arange(n_groups), per)
    X = rng.uniform(size=(g.size, 2))
    y = X[:, 0] + rng.normal(0, 0.5, n_groups)[g] + rng.normal(0, 0.3, g.size)
    return X, y, g


def test_group_kfold_keeps_groups_whole():
    rng = np.random.default_rng(0)
    X, y, g = _grouped(rng)
    knn = KNeighborsQuantileRegressor(n_neighbors=10)
    cqr = ConformalQuantileRegressor(knn, quantiles=TAU, cv=GroupKFold(4))
    with pytest.raises(ValueError, match="groups"):
        cqr.fit(X, y)  # a group splitter needs the groups
    cqr.fit(X, y, groups=g)
    # every group is calibrated by exactly one fold model, as a whole
    for label in np.unique(g):
        assert np.unique(cqr.fold_of_[g == label]).size == 1
    agg = QuantileAggregator(
        [KNeighborsQuantileRegressor(n_neighbors=10)], quantiles=TAU, cv=GroupKFold(4)
    ).fit(X, y, groups=g)
    assert agg.oof_rows_.size == y.size and agg.predict(X[:5]).shape == (5, 3)


def test_time_series_split_calibrates_on_held_out_rows_only():
    rng = np.random.default_rng(1)
    X, y, _ = _grouped(rng)
    cv = TimeSeriesSplit(4)
    first = next(cv.split(X))[1][0]  # rows before the first test block only train
    knn = KNeighborsQuantileRegressor(n_neighbors=10)
    cqr = ConformalQuantileRegressor(knn, quantiles=TAU, cv=cv).fit(X, y)
    assert cqr.n_calibration_ == y.size - first
    agg = QuantileAggregator([knn], quantiles=TAU, cv=cv).fit(X, y)
    np.testing.assert_array_equal(agg.oof_rows_, np.arange(first, y.size))
    with pytest.raises(ValueError, match="held out at most once"):
        ConformalQuantileRegressor(knn, quantiles=TAU, cv=ShuffleSplit(3)).fit(X, y)


def test_int_cv_is_kfold_cvplus_and_matches_cv_plus_string():
    rng = np.random.default_rng(2)
    X, y, _ = _grouped(rng)
    knn = KNeighborsQuantileRegressor(n_neighbors=10)
    a = ConformalQuantileRegressor(knn, quantiles=TAU, cv=4, random_state=0)
    b = ConformalQuantileRegressor(
        knn, quantiles=TAU, cv="cv+", n_folds=4, random_state=0
    )
    np.testing.assert_array_equal(a.fit(X, y).predict(X), b.fit(X, y).predict(X))


def _frozen(model):
    frozen = pytest.importorskip("sklearn.frozen")
    return frozen.FrozenEstimator(model)


def test_prefit_model_is_conformalised_on_the_rows_given_to_fit():
    rng = np.random.default_rng(3)
    X, y, _ = _grouped(rng)
    model = KNeighborsQuantileRegressor(n_neighbors=10).fit(X[:120], y[:120])
    cqr = ConformalQuantileRegressor(_frozen(model), quantiles=TAU).fit(
        X[120:], y[120:]
    )
    assert cqr.n_calibration_ == y.size - 120
    Q = model.predict(X[120:], quantiles=TAU)
    s = np.maximum(Q[:, 0] - y[120:], y[120:] - Q[:, 2])
    r = int(np.ceil(0.8 * (s.size + 1)))
    np.testing.assert_allclose(cqr.shifts_, [-np.sort(s)[r - 1], 0, np.sort(s)[r - 1]])
    # the frozen model was not refit
    np.testing.assert_array_equal(
        cqr.estimator_.estimator.predict(X[:3]), model.predict(X[:3])
    )
    with pytest.raises(ValueError, match="FrozenEstimator"):
        ConformalQuantileRegressor(_frozen(model), quantiles=TAU, cv=3).fit(X, y)
    one_level = QuantileRegressor(alpha=0.0).fit(X[:50], y[:50])
    with pytest.raises(ValueError, match="whole fan"):
        ConformalQuantileRegressor(_frozen(one_level), quantiles=TAU).fit(X, y)


@pytest.mark.slow
def test_coverage_of_prefit_and_group_cvplus_by_simulation():
    """Monte Carlo coverage of the 80 % interval, with a 3-SE bound that can fail.

    Split conformal on a prefit model guarantees >= 0.8 for a new row; CV+
    over GroupKFold guarantees >= 1 - 2 alpha = 0.6 for a row of a new group
    (Barber et al. 2021) and in practice gives about 0.8.
    """
    rng = np.random.default_rng(4)
    reps = 150
    cov_prefit, cov_group = [], []
    for _ in range(reps):
        X, y, _ = _grouped(rng, n_groups=40, per=5)
        model = KNeighborsQuantileRegressor(n_neighbors=15).fit(X[:100], y[:100])
        cqr = ConformalQuantileRegressor(_frozen(model), quantiles=TAU).fit(
            X[100:], y[100:]
        )
        Xt, yt, _ = _grouped(rng, n_groups=50, per=4)
        _, pis = cqr.predict_interval(Xt, confidence_level=0.8)
        cov_prefit.append(np.mean((pis[:, 0, 0] <= yt) & (yt <= pis[:, 1, 0])))
        X, y, g = _grouped(rng, n_groups=40, per=5)
        cqr = ConformalQuantileRegressor(
            KNeighborsQuantileRegressor(n_neighbors=15), quantiles=TAU, cv=GroupKFold(5)
        ).fit(X, y, groups=g)
        Q = cqr.predict(Xt)
        cov_group.append(np.mean((Q[:, 0] <= yt) & (yt <= Q[:, 2])))
    for cov, floor in ((cov_prefit, 0.8), (cov_group, 0.6)):
        m, se = np.mean(cov), np.std(cov, ddof=1) / np.sqrt(reps)
        assert m >= floor - 3 * se, (m, se)
    # CV+ over groups is not anti-conservative in practice either
    assert np.mean(cov_group) >= 0.8 - 3 * np.std(cov_group, ddof=1) / np.sqrt(reps)


def test_integer_weights_equal_repeated_rows_in_the_weight_objective():
    rng = np.random.default_rng(5)
    n, p = 60, 3
    y = rng.normal(size=n)
    Z = np.sort(y[:, None, None] + rng.normal(size=(n, p, 3)), axis=2)
    w = rng.integers(0, 4, n).astype(float)
    rep = np.repeat(np.arange(n), w.astype(int))
    for levels in (np.arange(3), np.array([0])):
        a = wt.lp_group_weights(Z, y, TAU, levels, sample_weight=w)
        b = wt.lp_group_weights(Z[rep], y[rep], TAU, levels)
        np.testing.assert_allclose(a, b, atol=1e-7)
    Q = Z[:, 0, :]
    la, ga = wt.pinball_grad(y, Q, TAU, w)
    lb, gb = wt.pinball_grad(y[rep], Q[rep], TAU)
    assert la == pytest.approx(lb, rel=1e-12)
    # the weighted gradient of a row is its weight times the gradient of a copy
    np.testing.assert_allclose(
        ga[w > 0] / w[w > 0, None], gb[np.searchsorted(rep, np.flatnonzero(w > 0))]
    )
    assert la == pytest.approx(pinball_loss(y, Q, TAU, sample_weight=w))


def test_weights_reach_the_base_models():
    rng = np.random.default_rng(6)
    X = rng.uniform(size=(80, 2))
    y = X @ [1.0, -1.0] + rng.normal(0, 0.3, 80)
    w = rng.integers(1, 4, 80)
    rep = np.repeat(np.arange(80), w)
    base = QuantileRegressor(alpha=0.0)
    agg = QuantileAggregator([base], quantiles=TAU, cv=KFold(3)).fit(
        X, y, sample_weight=w
    )
    ref = [
        QuantileRegressor(alpha=0.0, quantile=t).fit(X[rep], y[rep]).coef_ for t in TAU
    ]
    got = [m.coef_ for m in agg.estimators_[0]]
    np.testing.assert_allclose(got, ref, atol=1e-6)
    cqr = ConformalQuantileRegressor(base, quantiles=TAU, random_state=0)
    cqr.fit(X, y, sample_weight=w)
    with pytest.raises(TypeError, match="sample_weight"):
        QuantileAggregator([KNeighborsQuantileRegressor()], quantiles=TAU, cv=3).fit(
            X, y, sample_weight=w
        )
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        cqr.fit(X, y, sample_weight=-w)


def test_predict_interval_matches_predict_and_rejects_unfitted_levels():
    rng = np.random.default_rng(7)
    X, y, _ = _grouped(rng)
    tau = [0.05, 0.1, 0.5, 0.9, 0.95]
    cqr = ConformalQuantileRegressor(
        KNeighborsQuantileRegressor(n_neighbors=10), quantiles=tau, random_state=0
    ).fit(X, y)
    Q = cqr.predict(X[:7])
    y_pred, pis = cqr.predict_interval(X[:7])
    assert pis.shape == (7, 2, 2)
    np.testing.assert_array_equal(y_pred, Q[:, 2])
    np.testing.assert_array_equal(pis[:, :, 0], Q[:, [1, 3]])  # 80 % first
    np.testing.assert_array_equal(pis[:, :, 1], Q[:, [0, 4]])
    _, one = cqr.predict_interval(X[:7], confidence_level=0.9)
    np.testing.assert_array_equal(one[:, :, 0], Q[:, [0, 4]])
    with pytest.raises(ValueError, match=r"confidence_level=0\.5 is not a fitted"):
        cqr.predict_interval(X[:7], confidence_level=0.5)


def test_adam_at_its_epoch_limit_warns():
    rng = np.random.default_rng(8)
    X = rng.uniform(size=(120, 2))
    y = X[:, 0] + rng.normal(0, 0.3, 120)
    agg = QuantileAggregator(
        [KNeighborsQuantileRegressor(n_neighbors=10)],
        quantiles=TAU,
        weights="fine",
        max_iter=2,
        cv=3,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        agg.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # converged: the validation loss stopped improving before the limit
        agg.set_params(max_iter=300, n_iter_no_change=5).fit(X, y)
    assert agg.n_iter_ < 300


def test_progress_callbacks_inside_pipeline_and_grid_search():
    """scikit-learn's callback API sees every Adam epoch, nested in a search."""
    callback = pytest.importorskip("sklearn.callback")
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    class Recorder:
        max_propagation_depth = None  # reaches nested fits, like ProgressBar

        def __init__(self):
            self.epochs = 0

        def setup(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context):
            pass

        def on_fit_task_end(self, estimator, context):
            self.epochs += context.task_name == "epoch"
            return False

        def teardown(self, estimator, context):
            pass

    assert callback is not None
    rng = np.random.default_rng(9)
    X = rng.uniform(size=(90, 2))
    y = X[:, 0] + rng.normal(0, 0.3, 90)
    agg = QuantileAggregator(
        [KNeighborsQuantileRegressor(n_neighbors=10)],
        quantiles=TAU,
        weights="fine",
        cv=3,
        max_iter=3,
        n_iter_no_change=3,
        random_state=0,
    )
    rec = Recorder()
    search = GridSearchCV(
        make_pipeline(StandardScaler(), agg),
        {"quantileaggregator__learning_rate_init": [0.01, 0.05]},
        cv=2,
    ).set_callbacks(rec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 3 epochs on purpose
        search.fit(X, y)
    # 2 candidates x 2 folds + the refit, 3 epochs each
    assert rec.epochs == (2 * 2 + 1) * 3


def test_metadata_routing_of_weights_and_groups():
    """With routing on, weights reach only the models that requested them and
    groups reach the splitter, in both estimators (scikit-learn's API)."""
    import sklearn

    rng = np.random.default_rng(10)
    X, y, g = _grouped(rng, n_groups=24, per=5)
    w = rng.integers(1, 4, y.size)
    rep = np.repeat(np.arange(y.size), w)
    with sklearn.config_context(enable_metadata_routing=True):
        asked = QuantileRegressor(alpha=0.0).set_fit_request(sample_weight=True)
        not_asked = QuantileRegressor(alpha=0.0).set_fit_request(sample_weight=False)
        agg = QuantileAggregator(
            [("asked", asked), ("not_asked", not_asked)],
            quantiles=TAU,
            cv=GroupKFold(3),
        ).fit(X, y, sample_weight=w, groups=g)
        cqr = ConformalQuantileRegressor(asked, quantiles=TAU, cv=GroupKFold(3))
        cqr.fit(X, y, sample_weight=w, groups=g)
    ref_w = [
        QuantileRegressor(alpha=0.0, quantile=t).fit(X[rep], y[rep]).coef_ for t in TAU
    ]
    ref_u = [QuantileRegressor(alpha=0.0, quantile=t).fit(X, y).coef_ for t in TAU]
    np.testing.assert_allclose([m.coef_ for m in agg.estimators_[0]], ref_w, atol=1e-6)
    np.testing.assert_allclose([m.coef_ for m in agg.estimators_[1]], ref_u, atol=1e-6)
    for label in np.unique(g):  # groups reached the splitter
        assert np.unique(cqr.fold_of_[g == label]).size == 1
