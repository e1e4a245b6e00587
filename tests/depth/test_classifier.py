"""DepthClassifier: max-depth rule and DD-classifier."""

import numpy as np
import pytest
from scipy import stats
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from statnorm.depth import (
    DepthClassifier,
    HalfspaceDepth,
    MahalanobisDepth,
    ProjectionDepth,
    SpatialDepth,
    TTEDepth,
)


@parametrize_with_checks(
    [
        DepthClassifier(method="max-depth"),
        DepthClassifier(classifier="knn"),
        DepthClassifier(HalfspaceDepth(n_directions=50, random_state=0)),
        DepthClassifier(MahalanobisDepth(), classifier=KNeighborsClassifier(3)),
    ]
)
def test_sklearn_checks_of_the_variants(estimator, check):
    # the default DepthClassifier() goes through tests/test_common.py
    check(estimator)


def _scale_problem(rng, n, d=2, scale=3.0):
    """Two centred Gaussians differing only in scale: no linear rule works."""
    X = np.vstack([rng.normal(size=(n, d)), scale * rng.normal(size=(n, d))])
    return X, np.repeat([0, 1], n)


def _bayes_accuracy(d=2, scale=3.0):
    # class 1 iff ||x||^2 > c with equal priors (likelihood ratio)
    c = 2 * d * np.log(scale) / (1 - 1 / scale**2)
    p0 = stats.chi2.cdf(c, d)  # correct for class 0
    p1 = stats.chi2.sf(c / scale**2, d)  # correct for class 1
    return (p0 + p1) / 2


@pytest.mark.parametrize(
    "clf",
    [
        DepthClassifier(),
        DepthClassifier(classifier="knn"),
        DepthClassifier(ProjectionDepth(n_directions=200, random_state=0)),
        DepthClassifier(MahalanobisDepth()),
    ],
    ids=["dd-logistic", "dd-knn", "dd-projection", "dd-mahalanobis"],
)
def test_dd_classifier_near_bayes_where_linear_rules_fail(clf):
    rng = np.random.default_rng(0)
    X, y = _scale_problem(rng, 150)
    Xt, yt = _scale_problem(rng, 2000)
    acc = clf.fit(X, y).score(Xt, yt)
    bayes = _bayes_accuracy()  # 0.829
    lda = LinearDiscriminantAnalysis().fit(X, y).score(Xt, yt)
    # sampling error of a 4000-point accuracy is about 0.006
    assert acc >= bayes - 0.04, (acc, bayes)
    assert lda < 0.6 < acc


def test_max_depth_with_mahalanobis_is_near_lda_on_a_location_shift():
    rng = np.random.default_rng(1)

    def draw(n):
        X = np.vstack([rng.normal(size=(n, 3)), rng.normal(size=(n, 3)) + 1.5])
        return X, np.repeat(["a", "b"], n)

    X, y = draw(200)
    Xt, yt = draw(2000)
    md = DepthClassifier(MahalanobisDepth(), method="max-depth").fit(X, y)
    lda = LinearDiscriminantAnalysis().fit(X, y)
    bayes = stats.norm.cdf(1.5 * np.sqrt(3) / 2)  # 0.9066
    assert md.score(Xt, yt) >= bayes - 0.03
    assert abs(md.score(Xt, yt) - lda.score(Xt, yt)) < 0.03


def test_max_depth_rule_and_probabilities():
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(size=(30, 2)) + m for m in (0, 4, 8)])
    y = np.repeat(["x", "y", "z"], 30)
    clf = DepthClassifier(SpatialDepth(), method="max-depth").fit(X, y)
    V = clf.decision_depths(X)
    assert V.shape == (90, 3)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[V.argmax(axis=1)])
    P = clf.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(P, V / V.sum(axis=1, keepdims=True))
    assert clf.classifier_ is None
    assert clf.score(X, y) > 0.95
    # the depth of each class is the given depth fitted to that class only
    for k, d in enumerate(clf.depths_):
        ref = SpatialDepth().fit(X[y == clf.classes_[k]])
        np.testing.assert_allclose(d.score_samples(X[:5]), ref.score_samples(X[:5]))


def test_dd_multiclass_probabilities_and_labels():
    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal(size=(40, 2)) * s for s in (1, 3, 9)])
    y = np.repeat([10, 20, 30], 40)
    clf = DepthClassifier().fit(X, y)
    P = clf.predict_proba(X)
    assert P.shape == (120, 3)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[P.argmax(axis=1)])
    assert set(clf.predict(X)) <= {10, 20, 30}


def test_tte_depth_in_a_classifier():
    # embeddings with a shared mean direction; the two classes differ in spread
    rng = np.random.default_rng(4)
    m = np.ones(16)
    X = np.vstack([m + 0.3 * rng.normal(size=(60, 16)), m + rng.normal(size=(60, 16))])
    y = np.repeat([0, 1], 60)
    clf = DepthClassifier(TTEDepth()).fit(X, y)
    assert clf.score(X, y) > 0.85


def test_in_pipeline_and_grid_search():
    rng = np.random.default_rng(5)
    X, y = _scale_problem(rng, 60)
    pipe = make_pipeline(StandardScaler(), DepthClassifier())
    grid = GridSearchCV(
        pipe,
        {
            "depthclassifier__method": ["dd", "max-depth"],
            "depthclassifier__depth": [SpatialDepth(), MahalanobisDepth()],
        },
        cv=3,
    ).fit(X, y)
    assert grid.best_score_ > 0.7
    assert grid.predict_proba(X).shape == (120, 2)


def test_errors():
    X = np.arange(12.0).reshape(6, 2)
    with pytest.raises(ValueError, match="one class"):
        DepthClassifier().fit(X, np.zeros(6))
    with pytest.raises(ValueError, match="single sample"):
        DepthClassifier().fit(X, [0, 0, 0, 0, 0, 1])
    with pytest.raises(ValueError, match="method"):
        DepthClassifier(method="alpha").fit(X, [0, 0, 0, 1, 1, 1])
    with pytest.raises((ValueError, TypeError), match="depth"):
        DepthClassifier(depth="spatial").fit(X, [0, 0, 0, 1, 1, 1])
    with pytest.raises(ValueError, match="classifier"):
        DepthClassifier(classifier="svm").fit(X, [0, 0, 0, 1, 1, 1])


def test_knn_k_is_the_leave_one_out_choice():
    from sklearn.model_selection import LeaveOneOut, cross_val_score

    from statnorm.depth._classifier import _K_GRID, _loo_k

    rng = np.random.default_rng(6)
    V = rng.normal(size=(60, 2))
    y = (V[:, 0] + 0.8 * rng.normal(size=60) > 0).astype(int)
    accs = {
        k: cross_val_score(
            KNeighborsClassifier(n_neighbors=k), V, y, cv=LeaveOneOut()
        ).mean()
        for k in _K_GRID
        if k < 60
    }
    best = max(accs.values())
    assert _loo_k(V, y) == min(k for k, a in accs.items() if a == best)
