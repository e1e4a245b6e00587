"""CalibratedClassifier as a meta-estimator, like CalibratedClassifierCV:
X reaches the classifier untouched, classes missing from a split get
probability 0, and the split fits run in parallel with the same results."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, TimeSeriesSplit
from sklearn.pipeline import make_pipeline

from statnorm.calibration import CalibratedClassifier


def _data(n=150, C=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, C, n)
    X = rng.normal(size=(n, 4)) + y[:, None]
    return X, y


@pytest.mark.parametrize("cal", ["temperature", "isotonic", "sigmoid"])
def test_sparse_X_reaches_the_classifier(cal):
    X, y = _data()
    S = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0))
    clf = CalibratedClassifier(LogisticRegression(), calibrator=cal, cv=3)
    P = clf.fit(S, y).predict_proba(S)
    ref = CalibratedClassifier(LogisticRegression(), calibrator=cal, cv=3)
    np.testing.assert_allclose(P, ref.fit(S.toarray(), y).predict_proba(S.toarray()),
                               rtol=0, atol=1e-10)


def test_nan_reaches_an_imputing_pipeline():
    X, y = _data()
    X = X.copy()
    X[::7, 1] = np.nan
    before = X.copy()
    pipe = make_pipeline(SimpleImputer(), LogisticRegression())
    clf = CalibratedClassifier(pipe, calibrator="temperature", cv=3).fit(X, y)
    P = clf.predict_proba(X)
    assert np.isfinite(P).all()
    np.testing.assert_array_equal(X, before)  # input untouched
    with pytest.raises(ValueError, match="X"):
        CalibratedClassifier(LogisticRegression(), calibrator="temperature").fit(X, y)


def test_raw_text_reaches_a_tfidf_pipeline():
    words = ["good", "great", "fine", "bad", "awful", "poor"]
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 120)
    docs = [
        " ".join(rng.choice(words[:3] if t else words[3:], 4)) + " the movie"
        for t in y
    ]
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
    clf = CalibratedClassifier(pipe, calibrator="isotonic", cv=3).fit(docs, y)
    P = clf.predict_proba(docs[:5])
    assert P.shape == (5, 2)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    ref = CalibratedClassifierCV(pipe, method="isotonic", cv=3).fit(docs, y)
    np.testing.assert_allclose(P, ref.predict_proba(docs[:5]), rtol=0, atol=1e-8)


def test_training_split_without_a_class_gives_it_probability_zero():
    # unstratified folds: the three rows of the rare class 2 are in one test fold
    X, y = _data(90, 2, 1)
    y = y.copy()
    y[[3, 7, 11]] = 2
    cv = KFold(3)
    ours = CalibratedClassifier(LogisticRegression(), calibrator="isotonic", cv=cv)
    ours.fit(X, y)
    ref = CalibratedClassifierCV(LogisticRegression(), method="isotonic", cv=cv)
    ref.fit(X, y)
    for k, ((est, cal), cols) in enumerate(
        zip(ours.calibrated_classifiers_, ours.class_columns_, strict=True)
    ):
        theirs = ref.calibrated_classifiers_[k].predict_proba(X)
        assert (2 not in cols) == (k == 0)  # the first classifier never saw 2
        mine = np.zeros((len(y), 3))
        mine[:, cols] = cal.predict_proba(est.decision_function(X))
        # first pair: class 2 unseen; later pairs: no class-2 row held out, so
        # the isotonic map of class 2 is 0 (in both libraries)
        np.testing.assert_array_equal(mine[:, 2], 0.0)
        np.testing.assert_array_equal(theirs[:, 2], 0.0)
    P = ours.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_array_equal(P[:, 2], ref.predict_proba(X)[:, 2])


def test_held_out_split_of_one_class_as_sklearn_isotonic():
    # time-ordered labels: a held-out block holds one class only
    rng = np.random.default_rng(2)
    y = np.r_[rng.integers(0, 2, 60), np.ones(30, dtype=int)]
    X = rng.normal(size=(90, 3)) + y[:, None]
    cv = TimeSeriesSplit(3)
    ours = CalibratedClassifier(LogisticRegression(), calibrator="isotonic", cv=cv)
    ref = CalibratedClassifierCV(LogisticRegression(), method="isotonic", cv=cv)
    ours.fit(X, y)
    ref.fit(X, y)
    last_ours = ours.calibrated_classifiers_[-1][1].predict_proba(X)
    last_ref = ref.calibrated_classifiers_[-1].predict_proba(X)
    np.testing.assert_array_equal(last_ref, np.c_[np.zeros(90), np.ones(90)])
    np.testing.assert_allclose(last_ours, last_ref, rtol=0, atol=0)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-8)


@pytest.mark.parametrize("ensemble", [True, False])
def test_n_jobs_gives_the_same_result(ensemble):
    X, y = _data()
    kw = {"calibrator": "temperature", "cv": 3, "ensemble": ensemble}
    a = CalibratedClassifier(LogisticRegression(), **kw).fit(X, y).predict_proba(X)
    b = CalibratedClassifier(LogisticRegression(), n_jobs=2, **kw).fit(X, y)
    np.testing.assert_array_equal(b.predict_proba(X), a)


def test_n_jobs_under_dask_gives_the_same_result():
    joblib = pytest.importorskip("joblib")
    distributed = pytest.importorskip("distributed")
    X, y = _data()
    kw = {"calibrator": "temperature", "cv": 3}
    a = CalibratedClassifier(LogisticRegression(), **kw).fit(X, y).predict_proba(X)
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2):
        with joblib.parallel_backend("dask"):
            b = CalibratedClassifier(LogisticRegression(), n_jobs=2, **kw).fit(X, y)
    np.testing.assert_array_equal(b.predict_proba(X), a)
