"""The shared optimiser and progress reporting (statnorm._optim)."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from statnorm._optim import (
    Adam,
    CallbackSupportMixin,
    FitProgress,
    report_epoch,
    with_callbacks,
)

callback = pytest.importorskip("sklearn.callback")


class _Recorder:
    """A FitCallback that records the hooks it sees."""

    def __init__(self):
        self.events = []

    def setup(self, estimator, context):
        self.events.append("setup")

    def on_fit_task_begin(self, estimator, context):
        self.events.append(("begin", context.task_name))

    def on_fit_task_end(self, estimator, context):
        self.events.append(("end", context.task_name))
        return False

    def teardown(self, estimator, context):
        self.events.append("teardown")


class _PropagatedRecorder(_Recorder):
    """Auto-propagated (like scikit-learn's ProgressBar): reaches nested fits."""

    max_propagation_depth = None


class _Mean(CallbackSupportMixin, BaseEstimator):
    """Fits a mean by Adam: the smallest estimator with epochs."""

    def __init__(self, *, max_iter=5, verbose=0):
        self.max_iter = max_iter
        self.verbose = verbose

    @with_callbacks
    def fit(self, X, y=None):
        X = np.asarray(X, dtype=float)
        w = np.zeros(X.shape[1])
        opt = Adam([w], learning_rate_init=0.5)
        progress = FitProgress(self, self.max_iter)
        for i in range(1, self.max_iter + 1):
            opt.step([w], [w - X.mean(axis=0)])
            if progress.step(i, loss=float(((w - X.mean(0)) ** 2).sum())):
                break
        progress.close()
        self.mean_ = w
        return self

    def score(self, X, y=None):
        return -float(((np.asarray(X) - self.mean_) ** 2).sum())


def test_adam_matches_the_textbook_update():
    rng = np.random.default_rng(0)
    p, g = rng.normal(size=3), rng.normal(size=(4, 3))
    x = p.copy()
    opt = Adam([x], learning_rate_init=0.1)
    m = v = np.zeros(3)
    for t, gt in enumerate(g, 1):
        opt.step([x], [gt])
        m = 0.9 * m + (1 - 0.9) * gt
        v = 0.999 * v + (1 - 0.999) * gt * gt
        p = p - 0.1 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(x, p, rtol=1e-15)


def test_verbose_prints_each_epoch(capsys):
    _Mean(max_iter=3, verbose=1).fit(np.ones((4, 2)))
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == [
        f"_Mean epoch {i}/3" for i in (1, 2, 3)
    ]


def test_callbacks_see_every_epoch_inside_pipeline_and_grid_search():
    rec = _Recorder()
    est = _Mean(max_iter=3).set_callbacks(rec)
    est.fit(np.ones((4, 2)))
    assert rec.events[0] == "setup" and rec.events[-1] == "teardown"
    assert rec.events.count(("end", "epoch")) == 3
    rec2 = _PropagatedRecorder()
    search = GridSearchCV(
        make_pipeline(StandardScaler(), _Mean()), {"_mean__max_iter": [2, 3]}, cv=2
    ).set_callbacks(rec2)
    search.fit(np.random.default_rng(0).normal(size=(10, 2)))
    assert rec2.events[0] == "setup" and rec2.events[-1] == "teardown"
    # 2 candidates x 2 folds (2 + 3 epochs each) + the refit at the best max_iter
    n_epochs = rec2.events.count(("end", "epoch"))
    assert n_epochs == 2 * (2 + 3) + search.best_params_["_mean__max_iter"]
    assert clone(est).get_params() == {"max_iter": 3, "verbose": 0}


def test_report_epoch_logs(caplog):
    import logging

    class Est:
        verbose = 0

    Est.__module__ = "statnorm.kde._estimator"
    with caplog.at_level(logging.DEBUG, logger="statnorm.kde"):
        report_epoch(Est(), 1, 2, loss=0.25)
    assert "Est epoch 1/2: loss=0.25" in caplog.text


def test_progress_bar_runs(capsys):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    est = _Mean(max_iter=3).set_callbacks(ProgressBar())
    np.testing.assert_allclose(est.fit(np.ones((4, 2))).mean_.shape, (2,))


@pytest.mark.parametrize("which", ["HCalibrator", "KernelLearner"])
def test_statnorm_estimators_report_epochs_to_callbacks(which):
    """HCalibrator and KernelLearner epochs reach callbacks, also in a search."""
    rng = np.random.default_rng(0)
    if which == "HCalibrator":
        from statnorm.calibration import HCalibrator

        X = rng.normal(size=(120, 3)) * 2
        y = X.argmax(1)
        est = HCalibrator(
            max_iter=4, early_stopping=False, cv="in-sample", random_state=0
        )
        grid = {"hcalibrator__learning_rate_init": [0.005, 0.01]}
    else:
        from statnorm.mmd import KernelLearner

        X = np.vstack([rng.normal(size=(60, 3)), rng.normal(0.5, 1, size=(60, 3))])
        y = np.repeat([0, 1], 60)
        idx = rng.permutation(120)  # both populations in every CV fold
        X, y = X[idx], y[idx]
        est = KernelLearner(n_components=2, max_iter=4, batch_size=20, random_state=0)
        grid = {"kernellearner__learning_rate_init": [1e-3, 1e-2]}
    pipe = make_pipeline(StandardScaler(), clone(est))  # before set_callbacks
    rec = _PropagatedRecorder()
    est.set_callbacks(rec).fit(X, y)
    assert rec.events.count(("end", "epoch")) == 4
    rec2 = _PropagatedRecorder()
    search = GridSearchCV(pipe, grid, cv=2, scoring=lambda *a: 0.0).set_callbacks(rec2)
    search.fit(X, y)
    assert rec2.events.count(("end", "epoch")) == (2 * 2 + 1) * 4


@pytest.mark.parametrize("cv", ["split", 3])
def test_conformal_quantile_regressor_forwards_callbacks(cv):
    """One task per quantile model; QuantileAggregator's epochs reach callbacks."""
    from statnorm.quantile import (
        ConformalQuantileRegressor,
        KNeighborsQuantileRegressor,
        QuantileAggregator,
    )

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = X[:, 0] + rng.normal(size=120)
    tau = [0.1, 0.5, 0.9]
    n_fans = 1 if cv == "split" else 3
    agg = QuantileAggregator(
        [KNeighborsQuantileRegressor(n_neighbors=10)],
        quantiles=tau,
        cv=2,
        solver="adam",
        max_iter=4,
        n_iter_no_change=100,
        random_state=0,
    )
    rec = _PropagatedRecorder()
    est = ConformalQuantileRegressor(agg, quantiles=tau, cv=cv, random_state=0)
    est.set_callbacks(rec).fit(X, y)
    assert rec.events[0] == "setup" and rec.events[-1] == "teardown"
    assert rec.events.count("setup") == 1  # propagated: set up once, by CQR
    # a propagated callback sees each model task once, as the model's own fit
    assert rec.events.count(("end", "fit")) == 1 + n_fans
    assert rec.events.count(("end", "epoch")) == 4 * n_fans
    fans = est.estimator_ if n_fans > 1 else [est.estimator_]
    assert all("_skl_callbacks" not in vars(f.models_[0]) for f in fans)
    # a model without callbacks: one task per level and model, no warning
    rec2 = _Recorder()
    est2 = ConformalQuantileRegressor(
        KNeighborsQuantileRegressor(n_neighbors=10),
        quantiles=tau,
        cv=cv,
        random_state=0,
    )
    est2.set_callbacks(rec2).fit(X, y)
    assert rec2.events.count(("end", "quantile model")) == n_fans
    np.testing.assert_allclose(
        est2.predict(X[:5]),
        ConformalQuantileRegressor(
            KNeighborsQuantileRegressor(n_neighbors=10),
            quantiles=tau,
            cv=cv,
            random_state=0,
        )
        .fit(X, y)
        .predict(X[:5]),
    )
    assert clone(est).get_params()["cv"] == cv
