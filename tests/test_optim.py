"""The shared optimiser and progress reporting (statnorm._optim)."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from statnorm._optim import (
    Adam,
    CallbackSupportMixin,
    Epoch,
    FitProgress,
    renamed_attribute,
    report_epoch,
    train,
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

# ------------------------------------------------------------- the driver
def _descent(w, opt):
    def epoch(i):
        opt.step([w], [2 * w])
        return Epoch(float(w[0] ** 2), float(w[0] ** 2))

    return epoch


def test_train_stops_after_n_iter_no_change_and_keeps_the_best():
    scores = [5.0, 3.0, 4.0, 3.0, 2.0, 2.5, 2.5, 2.5, 1.0]
    w = np.zeros(1)

    def epoch(i):
        w[0] = i
        return Epoch(scores[i - 1], scores[i - 1])

    t = train(epoch, w, max_iter=9, early_stopping=True, n_iter_no_change=3)
    assert t.reason == "no_change" and t.n_iter == 8
    assert t.best_iteration == 5 and t.params[0] == 5.0 and t.best_score == 2.0
    assert t.scores == scores[:8] and not t.capped
    # without early stopping every epoch runs; the budget ran out while
    # the score still improved: capped only when early stopping is on
    t = train(epoch, w, max_iter=9, early_stopping=False, n_iter_no_change=3)
    assert (t.reason, t.n_iter, t.best_iteration, t.capped) == ("max_iter", 9, 9, False)
    t = train(epoch, w, max_iter=9, early_stopping=True, n_iter_no_change=9)
    assert t.capped
    # tol: an improvement must exceed it to restart the counter
    t = train(epoch, w, max_iter=9, early_stopping=True, n_iter_no_change=2, tol=1.5)
    assert (t.n_iter, t.best_iteration) == (4, 2)


def test_train_initial_score_select_and_checkpoint_modes():
    w = np.zeros(1)
    sel = [3.0, 1.0, 2.0]

    def epoch(i):
        w[0] = i
        return Epoch(0.0, 10.0 - i, select=sel[i - 1])

    t = train(epoch, w, max_iter=3, early_stopping=True, n_iter_no_change=1)
    assert (t.best_iteration, t.params[0], t.best_select) == (2, 2.0, 1.0)
    t = train(
        epoch,
        w,
        max_iter=3,
        early_stopping=False,
        n_iter_no_change=1,
        checkpoint="last",
    )
    assert (t.best_iteration, t.params[0], t.best_select) == (3, 3.0, 2.0)
    t = train(
        epoch, w, max_iter=3, early_stopping=False, n_iter_no_change=1, checkpoint=None
    )
    assert t.params is w and t.best_iteration == 3
    # an initial score that is never beaten: no warning at the budget
    t = train(
        lambda i: Epoch(0.0, 1.0),
        [],
        max_iter=3,
        early_stopping=True,
        n_iter_no_change=5,
        checkpoint=None,
        initial_score=0.0,
    )
    assert t.scores == [0.0, 1.0, 1.0, 1.0] and not t.capped
    with pytest.warns(ConvergenceWarning, match="budget"):
        train(
            _descent(np.array([3.0]), Adam([np.ones(1)], learning_rate_init=0.1)),
            np.ones(1),
            max_iter=3,
            early_stopping=True,
            n_iter_no_change=5,
        ).warn_if_capped("budget")


def test_train_callback_stops_without_a_convergence_warning():
    est = _Mean(max_iter=10).set_callbacks(_StopAfter(3))
    w = np.array([3.0])
    opt = Adam([w], learning_rate_init=0.1)
    progress = FitProgress(est, 10)
    t = train(
        _descent(w, opt),
        w,
        max_iter=10,
        early_stopping=True,
        n_iter_no_change=50,
        progress=progress,
    )
    progress.close()
    assert (t.reason, t.n_iter, t.capped) == ("callback", 3, False)


class _StopAfter(_Recorder):
    def __init__(self, n):
        super().__init__()
        self.n = n

    def on_fit_task_end(self, estimator, context):
        super().on_fit_task_end(estimator, context)
        return self.events.count(("end", "epoch")) >= self.n


def test_renamed_attribute_warns_and_converts():
    class Est:
        loss_curve_ = np.array([1.0, -2.0])
        objective_history_ = renamed_attribute(
            "objective_history_", "loss_curve_", np.negative, note="its negative"
        )

    with pytest.warns(FutureWarning, match=r"use loss_curve_ \(its negative\)"):
        np.testing.assert_array_equal(Est().objective_history_, [-1.0, 2.0])
    assert not hasattr(
        object.__new__(type("E", (), {"a_": renamed_attribute("a_", "b_")})), "a_"
    )  # unfitted: no new attribute, no old one


# ---------------------------------------------- the three learners, one meaning
def _three_learners():
    from sklearn.linear_model import QuantileRegressor

    from statnorm.calibration import HCalibrator
    from statnorm.mmd import KernelLearner
    from statnorm.quantile import KNeighborsQuantileRegressor, QuantileAggregator

    rng = np.random.default_rng(0)
    Z = rng.normal(size=(300, 3)) * 2
    y = Z.argmax(1)
    y[:60] = rng.integers(0, 3, 60)
    X = rng.uniform(size=(150, 2))
    t = 2 * X[:, 0] + (0.5 + X[:, 1]) * rng.normal(size=150)
    Xk = np.vstack([rng.normal(size=(60, 3)), rng.normal(0.5, 1, size=(60, 3))])
    yk = np.repeat([0, 1], 60)
    qa = QuantileAggregator(
        [("a", QuantileRegressor(alpha=0.0)), ("b", KNeighborsQuantileRegressor(10))],
        quantiles=[0.2, 0.8],
        solver="adam",
        max_iter=300,
        n_iter_no_change=5,
        random_state=0,
    )
    kl = KernelLearner(
        n_components=2,
        batch_size=20,
        max_iter=40,
        learning_rate_init=0.05,
        early_stopping=True,
        n_iter_no_change=3,
        random_state=0,
    )
    hc = HCalibrator(window=40, max_iter=30, n_iter_no_change=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return hc.fit(Z, y), qa.fit(X, t), kl.fit(Xk, yk)


def test_the_three_learners_share_the_attribute_meanings():
    """n_iter_ epochs run; loss_curve_ one training loss per epoch;
    validation_scores_ the held-out score (higher is better) per evaluation;
    best_iteration_ the epoch (step) whose parameters were kept."""
    hc, qa, kl = _three_learners()
    for est in (hc, qa, kl):
        assert est.loss_curve_.ndim == est.validation_scores_.ndim == 1
        assert 0 <= est.best_iteration_ <= est.n_iter_
    # HCalibrator: held-out curve from step 0, the kept step = the refit's steps
    assert hc.validation_scores_.size == hc.n_iter_ - hc.best_iteration_ + 1
    assert hc.best_iteration_ == hc.cv_results_["step"] == hc.loss_curve_.size
    np.testing.assert_array_equal(
        hc.validation_scores_, -hc.cv_results_["mean_curves"][0]
    )
    # QuantileAggregator, KernelLearner: one score per epoch, the best kept
    for est in (qa, kl):
        assert est.loss_curve_.size == est.validation_scores_.size == est.n_iter_
        assert est.n_iter_ == est.best_iteration_ + est.n_iter_no_change
        best = est.validation_scores_[est.best_iteration_ - 1]
        assert best >= est.validation_scores_.max() - 1e-7


@pytest.mark.slow
def test_fits_match_the_pinned_hashes():
    """The fits of tests/data/make_optim_fits.py are bit-identical to those
    pinned in tests/data/optim_fits.json (the training loops before their
    move onto statnorm._optim.train; a callback stop no longer warns)."""
    import importlib.util
    import json
    from pathlib import Path

    here = Path(__file__).parent / "data"
    spec = importlib.util.spec_from_file_location(
        "make_optim_fits", here / "make_optim_fits.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    pinned = json.loads((here / "optim_fits.json").read_text())
    got = {k: mod.digest(a) for k, a in mod.all_arrays().items()}
    assert got.keys() == pinned.keys()
    differ = sorted(k for k in got if got[k] != pinned[k])
    assert not differ, differ
