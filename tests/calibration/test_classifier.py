"""CalibratedClassifier: any scikit-learn classifier, calibrated by statnorm."""

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from statnorm.calibration import CalibratedClassifier, TemperatureScaling


def _data(n_classes=3, seed=0, n=400):
    return make_classification(
        n_samples=n,
        n_features=8,
        n_informative=5,
        n_classes=n_classes,
        random_state=seed,
    )


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("ensemble", [True, False])
def test_temperature_equals_scikit_learn_on_the_same_folds(n_classes, ensemble):
    X, y = _data(n_classes)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    clf = LogisticRegression(C=0.05, max_iter=1000)
    ours = CalibratedClassifier(
        clf, calibrator="temperature", cv=cv, ensemble=ensemble
    ).fit(X, y)
    theirs = CalibratedClassifierCV(
        clf, method="temperature", cv=cv, ensemble=ensemble
    ).fit(X, y)
    # both solve the same 1-D convex problem; scikit-learn stops at its own
    # tolerance, statnorm's Newton iteration at machine precision
    np.testing.assert_allclose(
        ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6
    )


def test_string_labels_and_default_h_calibration():
    X, y = _data(3)
    labels = np.array(["cat", "dog", "eel"])[y]
    clf = CalibratedClassifier(LogisticRegression(max_iter=500), cv=2)
    clf.set_params(calibrator="temperature").fit(X, labels)
    assert list(clf.classes_) == ["cat", "dog", "eel"]
    assert set(clf.predict(X)) <= set(clf.classes_)
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)


def test_prefit_model_with_frozen_estimator():
    X, y = _data(2)
    fitted = LogisticRegression().fit(X[:200], y[:200])
    cal = CalibratedClassifier(FrozenEstimator(fitted), calibrator="temperature")
    cal.fit(X[200:], y[200:])
    assert len(cal.calibrated_classifiers_) == 1
    # the binary convention: the 1-D decision function is the logits (0, z)
    z = fitted.decision_function(X[200:])
    T = TemperatureScaling().fit(z, y[200:])
    assert cal.calibrated_classifiers_[0][1].temperature_ == pytest.approx(
        T.temperature_, rel=1e-12
    )
    # scikit-learn's two-class logits (-z, z) double the log-odds, so its
    # temperature is twice ours and the probabilities are the same
    T2 = TemperatureScaling().fit(np.column_stack([-z, z]), y[200:])
    assert T2.temperature_ == pytest.approx(2 * T.temperature_, rel=1e-8)


def test_pipeline_and_grid_search_over_calibrator_parameters():
    X, y = _data(3)
    pipe = make_pipeline(
        StandardScaler(),
        CalibratedClassifier(LogisticRegression(max_iter=500), cv=KFold(2)),
    )
    grid = {"calibratedclassifier__calibrator": ["temperature", "vector"]}
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    assert (
        search.best_params_["calibratedclassifier__calibrator"]
        in grid["calibratedclassifier__calibrator"]
    )


def test_one_class_is_an_error():
    X, _ = _data(2)
    with pytest.raises(ValueError, match="class"):
        CalibratedClassifier(calibrator="temperature", cv=2).fit(X, np.zeros(len(X)))
