"""Fits of the three Adam learners under several settings, as arrays.

``python tests/data/make_optim_fits.py OUT`` saves every array with ``np.save``
under ``OUT/`` (one file per array) and prints their SHA-256; the test
``tests/test_optim.py::test_fits_match_the_pinned_hashes`` recomputes them
and compares with ``optim_fits.json`` (bit-identical fits across refactors
of the training loop in ``statnorm._optim``).
"""

import hashlib
import json
import sys
import warnings

import numpy as np


class _StopAt:
    """A callback that asks to stop after ``n`` epochs."""

    def __init__(self, n):
        self.n, self.seen = n, 0

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        if context.task_name == "epoch":
            self.seen += 1
            return self.seen >= self.n
        return False

    def teardown(self, estimator, context):
        pass


class _Count(_StopAt):
    def __init__(self):
        super().__init__(10**9)


def _warned(fit):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        est = fit()
    return est, [type(x.message).__name__ for x in w]


def hcal_cases():
    from statnorm.calibration import HCalibrator

    rng = np.random.default_rng(0)
    n, C = 400, 4
    y = rng.integers(0, C, n)
    Z = rng.normal(size=(n, C))
    Z[np.arange(n), y] += 1.5
    Z *= 2.0
    Zt = rng.normal(size=(100, C)) * 2
    kw = {"window": 40, "random_state": 0}
    cases = {
        "default": {"max_iter": 40},
        "cv_no_es": {"max_iter": 12, "early_stopping": False},
        "cv_es2": {"max_iter": 40, "n_iter_no_change": 2},
        "authors": {"init": "identity", "cv": "in-sample", "max_iter": 60},
        "authors_es": {
            "init": "identity",
            "cv": "in-sample",
            "max_iter": 80,
            "n_iter_no_change": 4,
        },
        "authors_no_es_dece": {
            "init": "identity",
            "cv": "in-sample",
            "max_iter": 30,
            "early_stopping": False,
            "selector": "dece_l1",
        },
        "insample_last": {"cv": "in-sample", "max_iter": 25, "selector": "last"},
        "auto_insample": {
            "map": "auto",
            "map_grid": ["pwlinear", "ts_ensemble"],
            "cv": "in-sample",
            "max_iter": 30,
            "n_iter_no_change": 5,
            "iterate_classes": 2,
        },
        "auto_cv": {
            "map": "auto",
            "map_grid": ["pwlinear", "ts_ensemble"],
            "max_iter": 20,
        },
    }
    out = {}
    for name, p in cases.items():
        est, w = _warned(lambda p=p: HCalibrator(**kw, **p).fit(Z, y))
        out[f"hcal_{name}"] = (est, w)
    for name, cb, p in [
        ("cb_count_cv", _Count, {"max_iter": 15}),
        ("cb_count_insample", _Count, {"cv": "in-sample", "max_iter": 15}),
        ("cb_stop_insample", lambda: _StopAt(6), {"cv": "in-sample", "max_iter": 15}),
    ]:
        est, w = _warned(
            lambda p=p, cb=cb: HCalibrator(**kw, **p).set_callbacks(cb()).fit(Z, y)
        )
        out[f"hcal_{name}"] = (est, w)
    arrays = {}
    for key, (est, w) in out.items():
        arrays[f"{key}.coef"] = est.coef_
        arrays[f"{key}.proba"] = est.predict_proba(Zt)
        arrays[f"{key}.n_iter"] = np.array([est.n_iter_])
        arrays[f"{key}.loss_hist"] = np.asarray(est.history_["loss"])
        arrays[f"{key}.warnings"] = np.array([len(w)])
        if est.cv_results_ is not None:
            arrays[f"{key}.cv_curve"] = np.concatenate(est.cv_results_["mean_curves"])
            arrays[f"{key}.cv_step"] = np.array([est.cv_results_["step"]])
    return arrays


def qa_cases():
    from sklearn.linear_model import QuantileRegressor

    from statnorm.quantile import KNeighborsQuantileRegressor, QuantileAggregator

    rng = np.random.default_rng(1)
    X = rng.uniform(size=(160, 2))
    y = 2 * X[:, 0] + (0.5 + X[:, 1]) * rng.normal(size=160)
    base = [
        ("lin", QuantileRegressor(alpha=0.0, solver="highs")),
        ("knn", KNeighborsQuantileRegressor(10)),
    ]
    kw = {"estimators": base, "quantiles": [0.1, 0.5, 0.9], "random_state": 0}
    kw["solver"] = "adam"
    cases = {
        "default": {"max_iter": 60},
        "fine": {"weights": "fine", "max_iter": 40, "n_iter_no_change": 5},
        "vf0": {"validation_fraction": 0.0, "max_iter": 40, "n_iter_no_change": 4},
        "local": {"local": True, "hidden_layer_sizes": (8,), "max_iter": 30},
    }
    arrays = {}
    for name, p in cases.items():
        est, w = _warned(lambda p=p: QuantileAggregator(**kw, **p).fit(X, y))
        _qa_arrays(arrays, f"qa_{name}", est, w, X)
    for name, cb in [("cb_count", _Count), ("cb_stop", lambda: _StopAt(5))]:
        est, w = _warned(
            lambda cb=cb: (
                QuantileAggregator(**kw, max_iter=30).set_callbacks(cb()).fit(X, y)
            )
        )
        _qa_arrays(arrays, f"qa_{name}", est, w, X)
    return arrays


def _qa_arrays(arrays, key, est, w, X):
    for i, p in enumerate(est.params_):
        arrays[f"{key}.param{i}"] = p
    arrays[f"{key}.pred"] = est.predict(X[:20])
    arrays[f"{key}.n_iter"] = np.array([est.n_iter_])
    arrays[f"{key}.loss_curve"] = np.asarray(est.loss_curve_)
    arrays[f"{key}.warnings"] = np.array([len(w)])


def kl_cases():
    from statnorm.mmd import KernelLearner

    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(size=(80, 3)), rng.normal(0.4, 1, size=(80, 3))])
    y = np.repeat([0, 1], 80)
    kw = {"n_components": 3, "batch_size": 20, "random_state": 0}
    kw["learning_rate_init"] = 0.05
    cases = {
        "default": {"max_iter": 15},
        "vf0": {"max_iter": 10, "validation_fraction": 0.0},
        "es3": {"max_iter": 200, "early_stopping": True, "n_iter_no_change": 3},
        "es_vf0": {
            "max_iter": 200,
            "early_stopping": True,
            "n_iter_no_change": 3,
            "validation_fraction": 0.0,
        },
        "es_cap": {"max_iter": 4, "early_stopping": True, "n_iter_no_change": 5},
        "interval": {"max_iter": 10, "validation_interval": 3},
        "mlp": {"max_iter": 8, "featurizer": "mlp", "hidden_layer_sizes": (5,)},
        "lbfgs": {"max_iter": 10, "optimizer": "lbfgs"},
    }
    arrays = {}
    for name, p in cases.items():
        est, w = _warned(lambda p=p: KernelLearner(**kw, **p).fit(X, y))
        _kl_arrays(arrays, f"kl_{name}", est, w, X)
    for name, cb in [("cb_count", _Count), ("cb_stop", lambda: _StopAt(4))]:
        est, w = _warned(
            lambda cb=cb: KernelLearner(**kw, max_iter=10).set_callbacks(cb()).fit(X, y)
        )
        _kl_arrays(arrays, f"kl_{name}", est, w, X)
    return arrays


def _kl_arrays(arrays, key, est, w, X):
    k = est.kernel_
    arrays[f"{key}.bw"] = np.array([k.sigma0, k.sigma, k.epsilon])
    arrays[f"{key}.features"] = est.transform(X[:10])
    arrays[f"{key}.n_iter"] = np.array([est.n_iter_])
    arrays[f"{key}.criterion"] = np.array([est.criterion_])
    arrays[f"{key}.warnings"] = np.array([len(w)])


def all_arrays():
    out = {}
    for fn in (hcal_cases, qa_cases, kl_cases):
        out.update(fn())
    return out


def digest(a):
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float64))
    return hashlib.sha256(a.tobytes() + str(a.shape).encode()).hexdigest()[:16]


if __name__ == "__main__":
    import pathlib

    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    arrays = all_arrays()
    for k, a in arrays.items():
        np.save(out / f"{k}.npy", a)
    print(json.dumps({k: digest(a) for k, a in arrays.items()}, indent=1))
