"""One binary-score convention everywhere: a 1-D score ``s`` is the log-odds
of class 1, i.e. the logits ``(0, s)`` (any ``(c, c + s)`` is the same input).
Every route to a calibrator gives the same probabilities (1e-12)."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_predict

from statnorm.calibration import (
    BetaCalibration,
    CalibratedClassifier,
    HCalibrator,
    HistogramBinning,
    IsotonicCalibrator,
    MatrixScaling,
    MatrixScalingCV,
    SigmoidCalibration,
    TemperatureScaling,
    VectorScaling,
)

CALIBRATORS = [
    TemperatureScaling(),
    VectorScaling(),
    MatrixScaling(),
    MatrixScaling(reg_lambda=1e-2, reg_mu=1e-2),
    MatrixScalingCV(cv=3, random_state=0),
    IsotonicCalibrator(),
    HistogramBinning(),
    SigmoidCalibration(),
    BetaCalibration(),
    HCalibrator(max_iter=30, random_state=0),
]
IDS = [type(c).__name__ + str(i) for i, c in enumerate(CALIBRATORS)]
# calibrators whose fit is equivariant to a rescaling of the log-odds: they
# also give the same answer on scikit-learn's two-class logits (-s, s)
SCALE_FREE = (TemperatureScaling, IsotonicCalibrator, SigmoidCalibration)


def _data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    t = X @ np.array([1.5, -1.0, 0.5])
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-t / 2))).astype(int)
    return X, y


def _fresh(cal):
    return type(cal)(**cal.get_params())


@pytest.mark.parametrize("cal", CALIBRATORS, ids=IDS)
def test_one_d_equals_its_two_column_logits(cal):
    X, y = _data()
    s = LogisticRegression().fit(X, y).decision_function(X)
    new = np.r_[np.linspace(-6, 6, 25), s[:10]]
    a = _fresh(cal).fit(s, y)
    ref = a.predict_proba(new)
    for two in (np.c_[np.zeros_like(s), s], np.c_[-s / 2, s / 2], np.c_[s - 3, 2 * s - 3]):
        b = _fresh(cal).fit(two, y)
        for q in (np.c_[np.zeros_like(new), new], np.c_[-new / 2, new / 2]):
            np.testing.assert_allclose(b.predict_proba(q), ref, rtol=0, atol=1e-12)
        np.testing.assert_allclose(a.predict_proba(np.c_[0 * new, new]), ref, atol=1e-12, rtol=0)
    if isinstance(cal, SCALE_FREE):
        c = _fresh(cal).fit(np.c_[-s, s], y)
        np.testing.assert_allclose(
            c.predict_proba(np.c_[-new, new]), ref, rtol=0, atol=1e-12
        )


@pytest.mark.parametrize("cal", CALIBRATORS, ids=IDS)
def test_calibrated_classifier_route_equals_direct_route(cal):
    X, y = _data()
    cv = KFold(3, shuffle=True, random_state=0)
    clf = CalibratedClassifier(LogisticRegression(), calibrator=cal, cv=cv, ensemble=False)
    clf.fit(X, y)
    oof = cross_val_predict(LogisticRegression(), X, y, cv=cv, method="decision_function")
    direct = _fresh(cal).fit(oof, y)
    full = LogisticRegression().fit(X, y)
    np.testing.assert_allclose(
        clf.predict_proba(X), direct.predict_proba(full.decision_function(X)),
        rtol=0, atol=1e-12,
    )
    # ensemble: each pair is (classifier, calibrator on its 1-D held-out scores)
    ens = CalibratedClassifier(LogisticRegression(), calibrator=cal, cv=cv).fit(X, y)
    P = np.zeros((len(y), 2))
    for tr, te in cv.split(X, y):
        est = LogisticRegression().fit(X[tr], y[tr])
        c = _fresh(cal).fit(est.decision_function(X[te]), y[te])
        P += c.predict_proba(est.decision_function(X))
    np.testing.assert_allclose(ens.predict_proba(X), P / 3, rtol=0, atol=1e-12)


def test_predict_proba_only_model_probabilities_route():
    # a model without decision_function: 1-D p with input="probabilities" is
    # the pair (1 - p, p), the same as log(p) read as logits
    from sklearn.naive_bayes import GaussianNB

    X, y = _data()
    P = GaussianNB().fit(X, y).predict_proba(X)
    for cal in CALIBRATORS:
        a = _fresh(cal).fit(np.log(P), y).predict_proba(np.log(P))
        d = np.log(P[:, 1]) - np.log(P[:, 0])
        b = _fresh(cal).fit(d, y).predict_proba(d)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12, err_msg=type(cal).__name__)
