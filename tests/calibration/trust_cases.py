"""Trust-battery cases for statnorm.calibration (see tests/test_trust.py)."""

import numpy as np

from statnorm import calibration as c
from statnorm.calibration import metrics as m
from statnorm.utils._trust import Case

_rng = np.random.default_rng(0)
_Z = _rng.normal(size=(60, 3)) * 2
_Y = np.r_[np.arange(3).repeat(20)]
_Z[np.arange(60), _Y] += 1.5
_P = np.exp(_Z - _Z.max(1, keepdims=True))
_P /= _P.sum(1, keepdims=True)


_LOG0 = (
    "transform returns log-probabilities; a bin or isotonic step with no event "
    "of a class gives probability 0, so log 0 = -inf (documented)"
)


#: the labels as strings ("0", "1", ...) are as many classes as columns
_STRING_LABELS = {
    ("y", "pd_string"): "string labels are labels: classes_ = np.unique(y), one "
    "per logit column (tests/calibration/test_labels.py)"
}


def _fit_cases(cls, name, nonfinite_transform=None, **kw):
    def fit_proba(X, y):
        return cls(**kw).fit(X, y).predict_proba(X)

    fitted = {}

    def transform(X):
        if not fitted:
            fitted["est"] = cls(**kw).fit(_Z, _Y)
        return fitted["est"].transform(X)

    return [
        Case(fit_proba, {"X": _Z, "y": _Y}, id="fit", skip=_STRING_LABELS),
        Case(transform, {"X": _Z}, id="transform", nonfinite_ok=nonfinite_transform),
    ]


# a step below float resolution: training stops after one epoch without a
# ConvergenceWarning (real fits are tested in the calibration tests)
_HC = {
    "max_iter": 3,
    "n_iter_no_change": 1,
    "learning_rate_init": 1e-300,
    "window": 10,
    "random_state": 0,
}
_M = "statnorm.calibration"
_MM = "statnorm.calibration.metrics"


def _metric(f, **kw):
    return Case(
        lambda y_true, y_prob: f(y_true, y_prob, **kw), {"y_true": _Y, "y_prob": _P}
    )


CASES = {
    f"{_M}.HCalibrator": _fit_cases(c.HCalibrator, "HCalibrator", **_HC),
    f"{_M}.HistogramBinning": [
        *_fit_cases(c.HistogramBinning, "HistogramBinning", nonfinite_transform=_LOG0),
        # smoothed, the log-probabilities are finite
        Case(
            lambda X, y, smoothing: (
                c.HistogramBinning(smoothing=smoothing).fit(X, y).transform(X)
            ),
            {"X": _Z, "y": _Y},
            params={"smoothing": 2.0},
            bad_params={"smoothing": [-1.0, np.inf, np.nan, "2"]},
            id="smoothed",
            skip=_STRING_LABELS,
        ),
    ],
    f"{_M}.IsotonicCalibrator": _fit_cases(
        c.IsotonicCalibrator, "IsotonicCalibrator", nonfinite_transform=_LOG0
    ),
    f"{_M}.MatrixScaling": _fit_cases(c.MatrixScaling, "MatrixScaling"),
    f"{_M}.MatrixScalingCV": _fit_cases(
        c.MatrixScalingCV, "MatrixScalingCV", random_state=0
    ),
    f"{_M}.TemperatureScaling": _fit_cases(c.TemperatureScaling, "TemperatureScaling"),
    f"{_M}.VectorScaling": _fit_cases(c.VectorScaling, "VectorScaling"),
    f"{_M}.ReliabilityDisplay": Case(
        lambda y_true, y_prob: (
            c.ReliabilityDisplay.from_predictions(y_true, y_prob).ece
        ),
        {"y_true": _Y, "y_prob": _P},
    ),
    f"{_M}.hcalibration_loss": [
        Case(
            lambda y_true, y_prob, epsilon, iterate_classes, window: (
                c.hcalibration_loss(
                    y_true,
                    y_prob,
                    epsilon=epsilon,
                    iterate_classes=iterate_classes,
                    window=window,
                )
            ),
            {"y_true": _Y, "y_prob": _P},
            params={"epsilon": 1e-20, "iterate_classes": True, "window": 10},
            bad_params={
                "epsilon": [np.nan, -1.0, "a"],
                "iterate_classes": ["no", 1, None],
                "window": [0, -3, 2.5],
            },
        ),
        Case(
            lambda y_true, y_prob, return_gradient: c.hcalibration_loss(
                y_true, y_prob, window=10, return_gradient=return_gradient
            ),
            {"y_true": _Y, "y_prob": _P},
            params={"return_gradient": True},
            bad_params={"return_gradient": [None, 1]},
            id="gradient",
        ),
    ],
    f"{_MM}.SKCEResult": Case(
        lambda: m.SKCEResult(statistic=0.1, pvalue=0.5, bandwidth=1.0).summary(), {}
    ),
    f"{_MM}.adaptive_calibration_error": _metric(m.adaptive_calibration_error),
    f"{_MM}.brier_score": _metric(m.brier_score),
    f"{_MM}.classwise_ece": _metric(m.classwise_ece),
    f"{_MM}.debiased_ece": [
        _metric(m.debiased_ece),
        Case(
            lambda y_true, y_prob, kind: m.debiased_ece(y_true, y_prob, kind=kind),
            {"y_true": _Y, "y_prob": _P},
            params={"kind": "l1"},
            bad_params={"kind": ["l3", None, 1]},
        ),
    ],
    f"{_MM}.expected_calibration_error": _metric(m.expected_calibration_error),
    f"{_MM}.ks_calibration_error": _metric(m.ks_calibration_error),
    f"{_MM}.negative_log_likelihood": _metric(m.negative_log_likelihood),
    f"{_MM}.skce_test": Case(
        lambda y_true, y_prob, random_state: m.skce_test(
            y_true, y_prob, n_resamples=19, random_state=random_state
        ),
        {"y_true": _Y, "y_prob": _P},
        params={"random_state": 0},
        bad_params={"random_state": [-1, "a", 1.5]},
    ),
    f"{_MM}.smooth_ece": _metric(m.smooth_ece),
}


def _map_case(cls, param, good, bad):
    def call(**p):
        est = c.HCalibrator(map=cls(**p), **_HC)
        return est.fit(_Z, _Y).predict_proba(_Z)

    return Case(call, {}, params={param: good}, bad_params={param: bad})


CASES[f"{_M}.PiecewiseLinearMap"] = _map_case(
    c.PiecewiseLinearMap, "n_segments", 4, [0, -1, 2.5, "a"]
)
CASES[f"{_M}.TemperatureEnsembleMap"] = _map_case(
    c.TemperatureEnsembleMap, "n_members", 3, [0, -2, "a"]
)
CASES[f"{_M}.MonotoneNetworkMap"] = _map_case(
    c.MonotoneNetworkMap, "hidden_layer_sizes", (3,), [(), (0,), "a", None]
)


def _calibrated_classifier(X, y):
    from sklearn.linear_model import LogisticRegression

    est = c.CalibratedClassifier(
        LogisticRegression(max_iter=300), calibrator="temperature", cv=2
    )
    return est.fit(X, y).predict_proba(X)


CASES[f"{_M}.CalibratedClassifier"] = Case(
    _calibrated_classifier,
    {"X": _Z, "y": _Y},
    skip={
        ("y", "strings"): "labels of any kind are valid (encoded internally)",
        ("y", "complex"): "complex labels are hashable labels: encoded, not rejected",
        ("X", "pd_string"): "X reaches the classifier untouched (as in "
        "CalibratedClassifierCV): a column of numeric strings is what "
        "LogisticRegression converts; other bad X errors name X",
    },
)


# Platt and Beta calibration; every calibrator but HCalibrator takes weights
CASES[f"{_M}.SigmoidCalibration"] = _fit_cases(c.SigmoidCalibration, "Sigmoid")
CASES[f"{_M}.BetaCalibration"] = _fit_cases(c.BetaCalibration, "Beta")
CASES[f"{_MM}.maximum_calibration_error"] = [
    _metric(m.maximum_calibration_error),
    _metric(m.maximum_calibration_error, strategy="quantile"),
]
_W = np.linspace(0.5, 2.0, len(_Y))


def _weighted_case(cls):
    def fit_proba(X, y, sample_weight):
        return cls().fit(X, y, sample_weight=sample_weight).predict_proba(X)

    return Case(
        fit_proba,
        {"X": _Z, "y": _Y, "sample_weight": _W},
        id="weighted",
        skip={
            ("sample_weight", "none"): "None means equal weights (documented)",
            **_STRING_LABELS,
        },
    )


for _cls in (
    c.BetaCalibration,
    c.HistogramBinning,
    c.IsotonicCalibrator,
    c.MatrixScaling,
    c.MatrixScalingCV,
    c.SigmoidCalibration,
    c.TemperatureScaling,
    c.VectorScaling,
):
    CASES[f"{_M}.{_cls.__name__}"].append(_weighted_case(_cls))
