"""Trust-battery cases for statnorm.quantile (see tests/test_trust.py)."""

import copy
import warnings

import numpy as np
from sklearn.linear_model import QuantileRegressor

from statnorm import quantile as q
from statnorm.utils._trust import Case

_M = "statnorm.quantile"
_rng = np.random.default_rng(0)
_X = _rng.uniform(size=(80, 2))
_y = _X[:, 0] * 3 + _rng.normal(size=80)
_TAU = np.array([0.1, 0.5, 0.9])
_Q = np.sort(_y[:, None] + _rng.normal(size=(80, 3)), axis=1)
_LO, _HI = _Q[:, 0], _Q[:, 2]
_GROUPS = np.arange(80) % 2
# an unbounded interval is valid input (a conformal interval can be infinite:
# ConformalQuantileRegressor returns +-inf when the calibration set is too small)
_UNBOUNDED = {
    ("upper", "inf"): "an interval may be unbounded above",
    ("lower", "neg_inf"): "an interval may be unbounded below",
}


def _base():
    return [("lin", QuantileRegressor(alpha=0.0, solver="highs"))]


_fitted = {}


def _agg():
    if "agg" not in _fitted:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _fitted["agg"] = q.QuantileAggregator(
                _base(), quantiles=_TAU, cv=2, random_state=0
            ).fit(_X, _y)
            _fitted["cqr"] = q.ConformalQuantileRegressor(
                QuantileRegressor(alpha=0.0, solver="highs"),
                quantiles=_TAU,
                random_state=0,
            ).fit(_X, _y)
    return _fitted


def _prefit_list():
    if "prefit" not in _fitted:
        _fitted["prefit"] = [
            QuantileRegressor(quantile=t, alpha=0.0, solver="highs").fit(_X, _y)
            for t in _TAU
        ]
    return _fitted["prefit"]


CASES = {
    f"{_M}.QuantileAggregator": [
        Case(
            lambda X, y: (
                q.QuantileAggregator(_base(), quantiles=_TAU, cv=2, random_state=0)
                .fit(X, y)
                .predict(X)
            ),
            {"X": _X, "y": _y},
            id="fit",
        ),
        Case(lambda X: _agg()["agg"].predict(X), {"X": _X}, id="predict"),
    ],
    f"{_M}.ConformalQuantileRegressor": [
        Case(
            lambda X, y: (
                q.ConformalQuantileRegressor(
                    QuantileRegressor(alpha=0.0, solver="highs"),
                    quantiles=_TAU,
                    random_state=0,
                )
                .fit(X, y)
                .predict(X)
            ),
            {"X": _X, "y": _y},
            id="fit",
        ),
        Case(lambda X: _agg()["cqr"].predict(X), {"X": _X}, id="predict"),
        Case(
            lambda X, y: (
                q.ConformalQuantileRegressor(
                    _prefit_list(), quantiles=_TAU, allow_infinite_bounds=False
                )
                .fit(X, y)
                .predict(X)
            ),
            {"X": _X, "y": _y},
            id="fit_prefit_list",
        ),
        Case(
            lambda X, y, groups: (
                q.ConformalQuantileRegressor(
                    QuantileRegressor(alpha=0.0, solver="highs"),
                    quantiles=_TAU,
                    mondrian=True,
                    calibration_size=0.5,
                    random_state=0,
                )
                .fit(X, y, groups=groups)
                .predict(X, groups=groups)
            ),
            {"X": _X, "y": _y, "groups": _GROUPS},
            skip={
                ("groups", "*"): "group labels are any hashable labels (tested in "
                "test_conformal.py: shape, unknown and missing labels)"
            },
            id="fit_mondrian",
        ),
        Case(
            lambda X, confidence_level: _agg()["cqr"].predict_interval(
                X, confidence_level=confidence_level
            ),
            {"X": _X, "confidence_level": [0.8]},
            skip={
                (
                    "confidence_level",
                    "none",
                ): "None (the default) means every fitted interval"
            },
            id="predict_interval",
        ),
    ],
    f"{_M}.central_intervals": Case(
        lambda y_pred, quantiles: q.central_intervals(y_pred, quantiles),
        {"y_pred": _Q, "quantiles": _TAU},
    ),
    f"{_M}.crossing_rate": Case(lambda y_pred: q.crossing_rate(y_pred), {"y_pred": _Q}),
    f"{_M}.interval_coverage": Case(
        lambda y_true, lower, upper: q.interval_coverage(y_true, lower, upper),
        {"y_true": _y, "lower": _LO, "upper": _HI},
        skip=_UNBOUNDED,
    ),
    f"{_M}.interval_score": Case(
        lambda y_true, lower, upper, alpha: q.interval_score(
            y_true, lower, upper, alpha
        ),
        {"y_true": _y, "lower": _LO, "upper": _HI},
        skip=_UNBOUNDED,
        params={"alpha": 0.2},
        bad_params={"alpha": [0.0, 1.0, np.nan, -0.1, "a"]},
    ),
    f"{_M}.interval_width": Case(
        lambda lower, upper: q.interval_width(lower, upper),
        {"lower": _LO, "upper": _HI},
        skip=_UNBOUNDED,
    ),
    f"{_M}.monotonize": [
        Case(
            lambda y_pred, method: q.monotonize(y_pred, method=method),
            {"y_pred": _Q},
            params={"method": "sort"},
            bad_params={"method": ["nope", 3]},
        ),
        Case(
            lambda y_pred, center: q.monotonize(y_pred, method="minmax", center=center),
            {"y_pred": _Q},
            params={"center": 1},
            bad_params={"center": [1.5, "1", 1.0, True, 3, -1]},
            id="minmax",
        ),
    ],
    f"{_M}.pinball_loss": Case(
        lambda y_true, y_pred, quantiles: q.pinball_loss(y_true, y_pred, quantiles),
        {"y_true": _y, "y_pred": _Q, "quantiles": _TAU},
    ),
    f"{_M}.weighted_interval_score": Case(
        lambda y_true, y_pred, quantiles, normalize: q.weighted_interval_score(
            y_true, y_pred, quantiles, normalize=normalize
        ),
        {"y_true": _y, "y_pred": _Q, "quantiles": _TAU},
        params={"normalize": "bracher"},
        bad_params={"normalize": ["nope", 1]},
    ),
}


def _fan_display(y_true, y_pred):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    return q.QuantileFanDisplay.from_predictions(y_true, y_pred, _TAU).line_


CASES[f"{_M}.QuantileFanDisplay"] = Case(_fan_display, {"y_true": _y, "y_pred": _Q})


_knn = {}


def _knn_predict(X):
    if not _knn:
        _knn["k"] = q.KNeighborsQuantileRegressor(n_neighbors=10).fit(_X, _y)
    return _knn["k"].predict(X, quantiles=_TAU)


CASES[f"{_M}.KNeighborsQuantileRegressor"] = [
    Case(
        lambda X, y: q.KNeighborsQuantileRegressor(n_neighbors=10).fit(X, y).predict(X),
        {"X": _X, "y": _y},
        id="fit",
    ),
    Case(_knn_predict, {"X": _X}, id="predict"),
]


# AdaptiveConformalRegressor: a series of 80 rows, the last 40 fed online
_fitted_aci = {}


def _aci():
    return q.AdaptiveConformalRegressor(
        QuantileRegressor(alpha=0.0, solver="highs"),
        confidence_level=0.8,
        gamma=0.01,
        calibration_size=0.5,
    )


def _aci_fitted():
    if "aci" not in _fitted_aci:
        _fitted_aci["aci"] = _aci().fit(_X[:40], _y[:40])
    return _fitted_aci["aci"]


def _aci_update(X, y, gamma):
    est = copy.deepcopy(_aci_fitted()).set_params(gamma=gamma)
    return est.partial_fit(X, y).alpha_path_


CASES[f"{_M}.AdaptiveConformalRegressor"] = [
    Case(
        lambda X, y, gamma: _aci().set_params(gamma=gamma).fit(X, y).predict(X),
        {"X": _X, "y": _y},
        params={"gamma": 0.01},
        bad_params={"gamma": [-0.1, np.nan, "a"]},
        id="fit",
    ),
    Case(
        lambda X, allow_infinite_bounds: (
            _aci()
            .set_params(allow_infinite_bounds=allow_infinite_bounds)
            .fit(_X, _y)
            .predict_interval(X)
        ),
        {"X": _X},
        params={"allow_infinite_bounds": True},
        id="predict_interval",
    ),
    Case(
        _aci_update,
        {"X": _X[40:], "y": _y[40:]},
        params={"gamma": 0.01},
        id="partial_fit",
    ),
    Case(
        lambda X, y: copy.deepcopy(_aci_fitted()).predict_update(X, y),
        {"X": _X[40:], "y": _y[40:]},
        id="predict_update",
    ),
]


# EnbPIRegressor: the same series, 30 linear bootstrap models
def _enbpi(aggregation="mean"):
    from sklearn.linear_model import LinearRegression

    return q.EnbPIRegressor(LinearRegression(), aggregation=aggregation, random_state=0)


CASES[f"{_M}.EnbPIRegressor"] = [
    Case(
        lambda X, y, aggregation: _enbpi(aggregation).fit(X, y).predict(X),
        {"X": _X, "y": _y},
        params={"aggregation": "median"},
        bad_params={"aggregation": ["max", 1]},
        id="fit",
    ),
    Case(
        lambda X, y: _enbpi().fit(_X[:40], _y[:40]).predict_update(X, y),
        {"X": _X[40:], "y": _y[40:]},
        id="predict_update",
    ),
]
