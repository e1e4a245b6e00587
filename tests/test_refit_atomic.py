"""An interrupted refit leaves the previous fit exactly as it was.

Every estimator found by :func:`statnorm.utils.all_estimators` is fitted on
data A, then refitted on data B of another shape while an interrupt is
injected at a chosen line of statnorm's own code inside ``fit`` (a trace
function raises, as ``KeyboardInterrupt`` or a raising callback would). The
estimator must then hold A's fit: the same attributes, bound to the same
objects, with the same contents.
"""

import copy
import os
import pickle
import sys

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.linear_model import QuantileRegressor

import statnorm
from statnorm.utils import all_estimators
from statnorm.utils._test_common import init_params

_PKG = os.path.dirname(statnorm.__file__) + os.sep
# the all-or-nothing wrapper of fit_context: an interrupt inside its own
# restore is outside what any Python code can guard against
_WRAPPER = (os.path.join(_PKG, "_validation.py"), "wrapper")


class _Interrupt(KeyboardInterrupt):
    """Raised by the trace function at the chosen line."""


class _LineTrace:
    """Count line events in statnorm frames; raise at event ``at`` if given."""

    def __init__(self, at=None, prefix=_PKG):
        self.at = at
        self.prefix = prefix
        self.n = 0

    def __call__(self, frame, event, arg):
        code = frame.f_code
        if not code.co_filename.startswith(self.prefix):
            return None
        if (code.co_filename, code.co_name) == _WRAPPER:
            return None
        return self._local

    def _local(self, frame, event, arg):
        if event == "line":
            self.n += 1
            if self.n == self.at:
                raise _Interrupt(f"injected at line event {self.n}")
        return self._local


def _traced_fit(est, args, at=None, prefix=_PKG):
    trace = _LineTrace(at, prefix)
    sys.settrace(trace)
    try:
        est.fit(*args)
    finally:
        sys.settrace(None)
    return trace.n


def _logits(n, c, seed):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % c
    Z = rng.normal(size=(n, c)) + 1.5 * np.eye(c)[y]
    return Z, y


def _positive(n, d, seed):
    rng = np.random.default_rng(seed)
    return np.exp(rng.normal(size=(n, d)))


def _regression(n, d, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, X[:, 0] + rng.normal(size=n)


def _two_classes(n, d, seed, shift=1.5):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    return rng.normal(size=(n, d)) + shift * y[:, None], y


def _directions(n, d, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) + 3.0


_QR = QuantileRegressor(alpha=0.0, solver="highs")

#: class name -> (constructor arguments, fit arguments A, fit arguments B)
_LOGITS = (_logits(60, 3, 0), _logits(80, 4, 1))
_PARTS = ((_positive(40, 4, 0),), (_positive(50, 6, 1),))
_POINTS = ((_regression(30, 3, 0)[0],), (_regression(40, 5, 1)[0],))
_REGRESSION = (_regression(60, 2, 0), _regression(80, 4, 1))
SETUPS = {
    **{
        name: ({}, *_LOGITS)
        for name in (
            "BetaCalibration",
            "HistogramBinning",
            "IsotonicCalibrator",
            "MatrixScaling",
            "SigmoidCalibration",
            "TemperatureScaling",
            "VectorScaling",
        )
    },
    "HCalibrator": (
        {"max_iter": 20, "early_stopping": False, "random_state": 0},
        *_LOGITS,
    ),
    "MatrixScalingCV": ({"reg_lambdas": [1.0, 10.0], "cv": 2}, *_LOGITS),
    "CalibratedClassifier": (
        {"calibrator": "temperature", "cv": 2},
        _two_classes(60, 3, 0),
        _logits(80, 5, 1),  # three classes, five features
    ),
    **{
        name: ({}, *_PARTS)
        for name in (
            "ALRTransformer",
            "CLRTransformer",
            "ILRTransformer",
            "CompositionalPartialCorrelation",
        )
    },
    **{
        name: ({}, *_POINTS)
        for name in ("HalfspaceDepth", "MahalanobisDepth", "ProjectionDepth")
    },
    "SpatialDepth": ({}, *_POINTS),
    "TTEDepth": ({}, (_directions(30, 3, 0),), (_directions(40, 5, 1),)),
    "DepthClassifier": ({}, _two_classes(60, 3, 0), _logits(90, 5, 1)),
    "HighDimKDE": ({}, *_POINTS),
    "KernelLearner": (
        {"validation_fraction": 0.0},
        _two_classes(60, 3, 0),
        _two_classes(80, 5, 1),
    ),
    "MMDDetector": ({}, *_POINTS),
    "MMDDriftDetector": ({"n_permutations": 19, "random_state": 0}, *_POINTS),
    "KNeighborsQuantileRegressor": ({"n_neighbors": 5}, *_REGRESSION),
    "QuantileAggregator": ({}, *_REGRESSION),
    "ConformalQuantileRegressor": ({}, *_REGRESSION),
    "AdaptiveConformalRegressor": ({"confidence_level": 0.5}, *_REGRESSION),
    "EnbPIRegressor": ({"confidence_level": 0.5}, *_REGRESSION),
}

#: estimators without a fit of their own, or covered elsewhere
NOT_FITTED = {
    # another developer is restructuring statnorm.rdd; its refit is tested there
    "DistributionalRDD": "rdd is covered by its own tests",
    "MMDTest": "a hypothesis test: no fit, nothing stored",
    "MonotoneNetworkMap": "a map strategy for HCalibrator: no fit",
    "PiecewiseLinearMap": "a map strategy for HCalibrator: no fit",
    "TemperatureEnsembleMap": "a map strategy for HCalibrator: no fit",
}


def _make(name, cls):
    """An unfitted instance and its two data sets."""
    kwargs, fit_a, fit_b = SETUPS[name]
    kwargs = {**init_params(cls), **kwargs}
    if name == "QuantileAggregator":
        kwargs["estimators"] = [("linear", _QR)]
    if name in ("ConformalQuantileRegressor", "AdaptiveConformalRegressor"):
        kwargs["estimator"] = _QR
    return cls(**kwargs), fit_a, fit_b


def _params():
    for name, cls in all_estimators():
        if name in NOT_FITTED:
            continue
        yield pytest.param(name, cls, id=name)


def test_every_estimator_has_a_setup():
    names = {name for name, _ in all_estimators()}
    assert names - set(NOT_FITTED) == set(SETUPS), (
        "add the new estimator to SETUPS (or NOT_FITTED, with a reason)"
    )


def _state(est):
    return dict(vars(est))


def _fingerprint(state):
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


#: interrupt points, as fractions of the refit's line events
_FRACTIONS = (0.02, 0.25, 0.5, 0.75, 0.95)
#: and the last few lines (where a fit stores what it computed)
_LAST = 4


def _problems(fitted, fit_b, name, min_lines=10, prefix=_PKG):
    """Interrupt refits of copies of ``fitted`` on ``fit_b``; list what broke."""
    # the number of statnorm lines a complete refit on B runs
    n = _traced_fit(copy.deepcopy(fitted), fit_b, prefix=prefix)
    assert n > min_lines, f"too few traced lines ({n}) to test {name}"
    points = {int(f * n) for f in _FRACTIONS} | set(range(n - _LAST, n + 1))
    points = {p for p in points if p >= 1}
    problems = []
    for at in sorted(points):
        est = copy.deepcopy(fitted)
        before = _state(est)
        fingerprint = _fingerprint(before)
        with pytest.raises(_Interrupt):
            _traced_fit(est, fit_b, at=at, prefix=prefix)
        after = _state(est)
        where = f"{name}: refit on B interrupted at line {at} of {n}"
        if after.keys() != before.keys():
            problems.append(
                f"{where}: attributes added {sorted(after.keys() - before.keys())}, "
                f"removed {sorted(before.keys() - after.keys())}"
            )
            continue
        rebound = sorted(k for k in before if after[k] is not before[k])
        if rebound:
            problems.append(f"{where}: attributes rebound {rebound}")
        elif _fingerprint(after) != fingerprint:
            problems.append(f"{where}: the previous fit was modified in place")
    return problems


@pytest.mark.parametrize(("name", "cls"), list(_params()))
def test_interrupted_refit_keeps_the_previous_fit(name, cls):
    est, fit_a, fit_b = _make(name, cls)
    fitted = est.fit(*fit_a)
    problems = _problems(fitted, fit_b, name)
    assert not problems, "\n".join(problems)


class _HalfWritten(BaseEstimator):
    """Stores the shape of X before the fit is done: not all-or-nothing."""

    def fit(self, X):
        self.n_features_in_ = X.shape[1]
        self.mean_ = X.mean(axis=0)
        self.scale_ = X.std(axis=0)
        return self


def test_the_harness_catches_a_half_written_refit():
    fitted = _HalfWritten().fit(np.ones((5, 2)))
    # the toy lives in this file, outside statnorm: trace this file
    problems = _problems(
        fitted, (np.ones((6, 3)),), "_HalfWritten", min_lines=2, prefix=__file__
    )
    assert any("rebound" in p and "n_features_in_" in p for p in problems)


@pytest.mark.parametrize(("name", "cls"), list(_params()))
def test_refit_on_an_array_forgets_the_column_names(name, cls):
    pd = pytest.importorskip("pandas")
    est, fit_a, fit_b = _make(name, cls)
    X = fit_a[0]
    frame = pd.DataFrame(X, columns=[f"c{j}" for j in range(X.shape[1])])
    est.fit(frame, *fit_a[1:])
    assert list(est.feature_names_in_) == list(frame.columns)
    est.fit(*fit_b)
    assert not hasattr(est, "feature_names_in_")
