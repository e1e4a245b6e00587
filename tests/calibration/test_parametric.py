"""Platt (sigmoid) and Beta calibration; binary 1-D scores; sample weights."""

from pathlib import Path

import numpy as np
import pytest
from scipy.special import softmax
from sklearn import config_context
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import LinearSVC

from statnorm.calibration import (
    BetaCalibration,
    CalibratedClassifier,
    HistogramBinning,
    IsotonicCalibrator,
    MatrixScaling,
    SigmoidCalibration,
    TemperatureScaling,
    VectorScaling,
)
from statnorm.exceptions import StatnormWarning

DATA = Path(__file__).parent / "data"


def _data(n_classes, seed=0, n=400):
    return make_classification(
        n_samples=n, n_features=8, n_informative=5, n_classes=n_classes,
        random_state=seed,
    )  # fmt: skip


def _logits(n=300, C=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, C, n)
    Z = rng.normal(size=(n, C)) * 2
    Z[np.arange(n), y] += 1.5
    return Z, y


# ------------------------------------------------------ Platt vs scikit-learn
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("ensemble", [True, False])
@pytest.mark.parametrize("clf", [LogisticRegression(C=0.05), LinearSVC(C=0.1)])
@pytest.mark.parametrize("weighted", [False, True])
def test_sigmoid_equals_scikit_learn_on_the_same_folds(
    n_classes, ensemble, clf, weighted
):
    X, y = _data(n_classes)
    w = np.random.default_rng(1).integers(1, 4, len(y)) if weighted else None
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    ours = CalibratedClassifier(clf, calibrator="sigmoid", cv=cv, ensemble=ensemble)
    theirs = CalibratedClassifierCV(clf, method="sigmoid", cv=cv, ensemble=ensemble)
    P = ours.fit(X, y, sample_weight=w).predict_proba(X)
    Q = theirs.fit(X, y, sample_weight=w).predict_proba(X)
    # the same Platt problem; scikit-learn's L-BFGS stops at gtol=1e-6 (largest
    # difference seen: 1.2e-8), statnorm's Newton iteration at machine precision
    np.testing.assert_allclose(P, Q, atol=1e-7, rtol=0)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_sigmoid_on_probabilities_equals_scikit_learn(n_classes):
    # a classifier without decision_function: scikit-learn calibrates the
    # predict_proba columns (class 1 only for two classes)
    X, y = _data(n_classes, n=600)
    nb = GaussianNB().fit(X[:200], y[:200])
    theirs = CalibratedClassifierCV(FrozenEstimator(nb), method="sigmoid")
    Q = theirs.fit(X[200:400], y[200:400]).predict_proba(X[400:])
    ours = SigmoidCalibration(input="probabilities")
    P = ours.fit(nb.predict_proba(X[200:400]), y[200:400])
    np.testing.assert_allclose(
        P.predict_proba(nb.predict_proba(X[400:])), Q, atol=1e-7, rtol=0
    )


def test_sigmoid_binary_margin_is_invariant_to_the_logit_convention():
    Z, y = _logits(C=2)
    s = Z[:, 1] - Z[:, 0]
    a = SigmoidCalibration().fit(s, y)
    b = SigmoidCalibration().fit(np.c_[-s / 2, s / 2], y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-10)  # same margin s
    np.testing.assert_allclose(a.predict_proba(Z), b.predict_proba(Z), atol=1e-12)


# --------------------------------------------------------- Beta vs betacal
def _ll(p, y, w=None):
    w = np.ones_like(p) if w is None else w
    return float(np.sum(w * np.where(y == 1, np.log(p), np.log1p(-p))))


def test_beta_matches_betacal_reference_numbers():
    d = np.load(DATA / "betacal_reference.npz")
    Zb, yb, Qb = d["binary_fit_logits"], d["binary_fit_y"], d["binary_test_logits"]
    for w, key in ((None, "binary"), (d["binary_weights"], "binary_weighted")):
        est = BetaCalibration().fit(Zb, yb, sample_weight=w)
        # betacal fits with LogisticRegression(C=1e11) at lbfgs' default
        # tol=1e-4: agreement to 2e-5 in probability; statnorm's Newton
        # solution is the exact maximum-likelihood one, so its likelihood is at
        # least betacal's
        np.testing.assert_allclose(
            est.predict_proba(Qb)[:, 1], d[f"{key}_proba"], atol=3e-5, rtol=0
        )
        np.testing.assert_allclose(est.coef_[0], d[f"{key}_ab"], atol=1e-3)
        ours = _ll(est.predict_proba(Zb)[:, 1], yb, w)
        assert ours >= _ll(d[f"{key}_fit_proba"], yb, w) - 1e-9
    est = BetaCalibration().fit(d["multi_fit_logits"], d["multi_fit_y"])
    np.testing.assert_allclose(
        est.predict_proba(d["multi_test_logits"]), d["multi_proba"], atol=1e-4, rtol=0
    )
    np.testing.assert_allclose(est.coef_, d["multi_ab"], atol=1e-3)


def test_beta_matches_betacal_live():
    betacal = pytest.importorskip("betacal")
    Z, y = _logits(C=2, seed=3)
    y = np.random.default_rng(3).uniform(size=len(y)) < softmax(0.4 * Z, 1)[:, 1]
    p = softmax(Z, axis=1)[:, 1]
    ref = betacal.BetaCalibration(parameters="abm").fit(p, y.astype(int))
    ours = BetaCalibration().fit(Z, y.astype(int))
    np.testing.assert_allclose(ours.predict_proba(Z)[:, 1], ref.predict(p), atol=1e-4)


def test_beta_fixes_a_negative_parameter_at_zero_and_refits():
    # the probability of class 1 decreases with s near 0: an unconstrained
    # fit gives a < 0, so a is fixed at 0 (Kull et al. 2017, section 3)
    rng = np.random.default_rng(0)
    s = rng.uniform(0.01, 0.99, 2000)
    mu = 0.2 + 0.6 * (s < 0.1) + 0.5 * s * (s >= 0.1)
    y = (rng.uniform(size=s.size) < mu).astype(int)
    est = BetaCalibration(input="probabilities").fit(np.c_[1 - s, s], y)
    a, b = est.coef_[0]
    assert a == 0.0 and b >= 0.0


def test_beta_identity_on_calibrated_scores():
    # scores calibrated by construction: the fitted map is the identity
    # a = b = 1, c = 0 up to sampling error. At n = 200000 with s ~ Beta(2, 2)
    # the asymptotic standard errors (inverse Fisher information) are 0.020
    # for a and b and 0.031 for c: the tolerances are about 5 of them
    rng = np.random.default_rng(1)
    s = rng.beta(2, 2, 200000)
    y = (rng.uniform(size=s.size) < s).astype(int)
    est = BetaCalibration(input="probabilities").fit(s, y)
    np.testing.assert_allclose(est.coef_[0], [1.0, 1.0], atol=0.1)
    assert abs(est.intercept_[0]) < 0.16
    # an over-confident score s' = expit(3 logit(s)) is mapped back: a = b = 1/3
    t = 1 / (1 + ((1 - s) / s) ** 3)
    est = BetaCalibration(input="probabilities").fit(t, y)
    np.testing.assert_allclose(est.coef_[0], [1 / 3, 1 / 3], atol=0.1 / 3)


def test_beta_logits_equal_probabilities_input():
    Z, y = _logits()
    P = softmax(Z, axis=1)
    a = BetaCalibration().fit(Z, y).predict_proba(Z)
    b = BetaCalibration(input="probabilities").fit(P, y).predict_proba(P)
    np.testing.assert_allclose(a, b, atol=1e-9)


@pytest.mark.parametrize("cls", [SigmoidCalibration, BetaCalibration])
def test_rows_sum_to_one_and_saturated_scores_stay_finite(cls):
    Z, y = _logits()
    est = cls().fit(Z, y)
    P = est.predict_proba(Z * 1e3)
    assert np.all(np.isfinite(P))
    np.testing.assert_allclose(P.sum(axis=1), 1.0)


# --------------------------------------------- 1-D scores and sample weights
WEIGHTED = [
    TemperatureScaling(),
    VectorScaling(),
    MatrixScaling(),
    MatrixScaling(reg_lambda=1e-2, reg_mu=1e-2),  # Dirichlet calibration (ODIR)
    IsotonicCalibrator(),
    HistogramBinning(),
    SigmoidCalibration(),
    BetaCalibration(),
]
_IDS = [
    "temperature", "vector", "matrix", "dirichlet", "isotonic", "histogram",
    "sigmoid", "beta",
]  # fmt: skip
# L-BFGS stops matrix scaling at a relative decrease of 1e-10 in the objective
# (coefficients to about 1e-5), so the two equivalent fits agree to that; every
# other fit is exact (closed form) or solved to machine precision
_ATOL = {"matrix": 1e-4, "dirichlet": 1e-4, "vector": 1e-7}


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("est", WEIGHTED, ids=_IDS)
def test_integer_weights_equal_row_repetition(est, n_classes):
    Z, y = _logits(C=n_classes)
    w = np.random.default_rng(2).integers(0, 4, len(y))  # zeros drop rows
    a = type(est)(**est.get_params()).fit(Z, y, sample_weight=w)
    b = type(est)(**est.get_params()).fit(np.repeat(Z, w, 0), np.repeat(y, w))
    atol = _ATOL.get(_IDS[WEIGHTED.index(est)], 1e-9)
    np.testing.assert_allclose(a.predict_proba(Z), b.predict_proba(Z), atol=atol)


@pytest.mark.parametrize("est", WEIGHTED, ids=_IDS)
def test_weights_change_the_fit_and_scale_does_not(est):
    Z, y = _logits()
    w = np.random.default_rng(3).uniform(0.1, 3, len(y))
    a = type(est)(**est.get_params()).fit(Z, y, sample_weight=w).predict_proba(Z)
    b = type(est)(**est.get_params()).fit(Z, y, sample_weight=7 * w).predict_proba(Z)
    c = type(est)(**est.get_params()).fit(Z, y).predict_proba(Z)
    atol = _ATOL.get(_IDS[WEIGHTED.index(est)], 1e-9)
    if not isinstance(est, SigmoidCalibration):
        # Platt's targets (N+ + 1) / (N+ + 2) use the weighted counts (as
        # scikit-learn does), so only there does the scale of the weights matter
        np.testing.assert_allclose(a, b, atol=atol)
    assert np.abs(a - c).max() > 10 * atol


@pytest.mark.parametrize("est", WEIGHTED, ids=_IDS)
def test_binary_1d_scores_are_the_logits_0_s(est):
    Z, y = _logits(C=2)
    s = Z[:, 1] - Z[:, 0]
    a = type(est)(**est.get_params()).fit(s, y)
    b = type(est)(**est.get_params()).fit(np.c_[np.zeros_like(s), s], y)
    atol = _ATOL.get(_IDS[WEIGHTED.index(est)], 1e-9)
    np.testing.assert_allclose(
        a.predict_proba(s), b.predict_proba(np.c_[np.zeros_like(s), s]), atol=atol
    )
    assert a.n_features_in_ == 2


@pytest.mark.parametrize("est", WEIGHTED, ids=_IDS)
@pytest.mark.parametrize(
    ("w", "match"),
    [(-1.0, "non-negative"), (0.0, "positive sum"), ("short", "entries")],
)
def test_bad_sample_weight(est, w, match):
    Z, y = _logits()
    w = np.ones(len(y) - 1) if w == "short" else np.full(len(y), w)
    with pytest.raises(ValueError, match=match) as info:
        type(est)(**est.get_params()).fit(Z, y, sample_weight=w)
    assert "sample_weight" in str(info.value)


def test_binary_probabilities_1d_are_1_minus_p_p():
    Z, y = _logits(C=2)
    p = softmax(Z, axis=1)[:, 1]
    est = TemperatureScaling(input="probabilities")
    np.testing.assert_allclose(
        est.fit(p, y).predict_proba(p),
        est.fit(np.c_[1 - p, p], y).predict_proba(np.c_[1 - p, p]),
        atol=1e-12,
    )


# ------------------------------------------ CalibratedClassifier and weights
@pytest.mark.parametrize("calibrator", ["sigmoid", "temperature"])
def test_metadata_routing_of_weights_and_groups_as_scikit_learn(calibrator):
    X, y = _data(3)
    w = np.random.default_rng(0).integers(1, 4, len(y))
    groups = np.arange(len(y)) % 7
    with config_context(enable_metadata_routing=True):
        clf = LogisticRegression(C=0.05).set_fit_request(sample_weight=True)
        ours = CalibratedClassifier(clf, calibrator=calibrator, cv=GroupKFold(3))
        theirs = CalibratedClassifierCV(clf, method=calibrator, cv=GroupKFold(3))
        P = ours.fit(X, y, sample_weight=w, groups=groups).predict_proba(X)
        Q = theirs.fit(X, y, sample_weight=w, groups=groups).predict_proba(X)
        # the classifier did receive the weights: unweighted fits differ
        clf0 = LogisticRegression(C=0.05).set_fit_request(sample_weight=False)
        ours0 = CalibratedClassifier(clf0, calibrator=calibrator, cv=GroupKFold(3))
        P0 = ours0.fit(X, y, sample_weight=w, groups=groups).predict_proba(X)
    np.testing.assert_allclose(P, Q, atol=1e-6, rtol=0)
    assert np.abs(P - P0).max() > 1e-4


def test_prefit_weights_reach_the_calibrator():
    X, y = _data(2)
    fitted = FrozenEstimator(LogisticRegression().fit(X[:200], y[:200]))
    w = np.random.default_rng(0).integers(0, 4, 200)
    cal = CalibratedClassifier(fitted, calibrator="beta")
    cal.fit(X[200:], y[200:], sample_weight=w)
    rep = np.repeat(np.arange(200, 400), w)
    ref = CalibratedClassifier(fitted, calibrator="beta").fit(X[rep], y[rep])
    np.testing.assert_allclose(cal.predict_proba(X), ref.predict_proba(X), atol=1e-9)


def test_estimator_without_sample_weight_warns():
    X, y = _data(2)
    est = CalibratedClassifier(KNeighborsClassifier(), calibrator="sigmoid", cv=2)
    with pytest.warns(StatnormWarning, match="calibrator only"):
        est.fit(X, y, sample_weight=np.ones(len(y)))


def test_sigmoid_solves_platts_problem_at_least_as_well_as_scikit_learn():
    # CIFAR-10 logits as a classifier's decision function: the one-vs-rest
    # Platt problem of each class, solved by both; statnorm's objective is
    # never larger and the probabilities agree to 1e-3 (scikit-learn stops
    # L-BFGS at gtol=1e-6 on rescaled scores)
    from scipy.special import log_expit
    from sklearn.base import BaseEstimator, ClassifierMixin

    from statnorm.datasets import load_cifar10_logits

    class Scores(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.classes_ = np.arange(10)
            return self

        def decision_function(self, X):
            return np.asarray(X)

        def predict(self, X):
            return np.asarray(X).argmax(1)

    X, y = load_cifar10_logits("validation", return_X_y=True)
    Xt = load_cifar10_logits("test", return_X_y=True)[0][:2000]
    theirs = CalibratedClassifierCV(
        FrozenEstimator(Scores().fit(X, y)), method="sigmoid"
    )
    theirs.fit(X, y)
    ours = SigmoidCalibration().fit(X, y)
    np.testing.assert_allclose(
        ours.predict_proba(Xt), theirs.predict_proba(Xt), atol=1e-3, rtol=0
    )
    for k, cal in enumerate(theirs.calibrated_classifiers_[0].calibrators):
        t = y == k
        n1, n0 = t.sum(), (~t).sum()
        T = np.where(t, (n1 + 1) / (n1 + 2), 1 / (n0 + 2))

        def loss(a, b, f=X[:, k], T=T):
            eta = a * f + b
            return -np.sum(T * log_expit(eta) + (1 - T) * log_expit(-eta))

        assert loss(ours.coef_[k], ours.intercept_[k]) <= loss(-cal.a_, -cal.b_)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("ensemble", [True, False])
def test_sigmoid_on_a_predict_proba_classifier_equals_scikit_learn(n_classes, ensemble):
    # no decision_function: scikit-learn's Platt reads predict_proba itself,
    # and CalibratedClassifier(calibrator="sigmoid") passes it likewise
    X, y = _data(n_classes)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    ours = CalibratedClassifier(
        GaussianNB(), calibrator="sigmoid", cv=cv, ensemble=ensemble
    ).fit(X, y)
    theirs = CalibratedClassifierCV(
        GaussianNB(), method="sigmoid", cv=cv, ensemble=ensemble
    ).fit(X, y)
    assert ours.score_input_ == "probabilities"
    np.testing.assert_allclose(
        ours.predict_proba(X), theirs.predict_proba(X), atol=1e-7, rtol=0
    )


def test_grid_search_routes_weights_through_a_pipeline():
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _data(3)
    w = np.random.default_rng(0).integers(1, 3, len(y)).astype(float)
    with config_context(enable_metadata_routing=True):
        clf = LogisticRegression(max_iter=500).set_fit_request(sample_weight=True)
        cal = CalibratedClassifier(clf, cv=KFold(2))
        cal.set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
        scaler = StandardScaler().set_fit_request(sample_weight=False)
        pipe = make_pipeline(scaler, cal)
        grid = {"calibratedclassifier__calibrator": ["sigmoid", "beta"]}
        search = GridSearchCV(pipe, grid, cv=2).fit(X, y, sample_weight=w)
    best = search.best_estimator_[-1]
    assert best.calibrator in grid["calibratedclassifier__calibrator"]
    assert best.score_input_ == "logits"  # LogisticRegression.decision_function


def test_a_probability_calibrator_instance_receives_predict_proba():
    X, y = _data(3)
    est = CalibratedClassifier(
        GaussianNB(), calibrator=BetaCalibration(input="probabilities"), cv=2
    ).fit(X, y)
    assert est.score_input_ == "probabilities"
    np.testing.assert_allclose(est.predict_proba(X).sum(1), 1.0)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("ensemble", [True, False])
def test_weighted_temperature_equals_scikit_learn(n_classes, ensemble):
    X, y = _data(n_classes)
    w = np.random.default_rng(1).integers(1, 4, len(y)).astype(float)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    clf = LogisticRegression(C=0.05)
    ours = CalibratedClassifier(clf, calibrator="temperature", cv=cv, ensemble=ensemble)
    theirs = CalibratedClassifierCV(clf, method="temperature", cv=cv, ensemble=ensemble)
    P = ours.fit(X, y, sample_weight=w).predict_proba(X)
    Q = theirs.fit(X, y, sample_weight=w).predict_proba(X)
    np.testing.assert_allclose(P, Q, atol=1e-7, rtol=0)  # largest seen: 4.4e-9


def test_hcalibrator_takes_binary_1d_scores():
    from statnorm.calibration import HCalibrator

    rng = np.random.default_rng(11)
    s = rng.normal(size=300) * 3
    y = (rng.uniform(size=300) < 1 / (1 + np.exp(-s / 2))).astype(int)
    kw = {"max_iter": 30, "early_stopping": False, "random_state": 0}
    a = HCalibrator(**kw).fit(s, y)
    b = HCalibrator(**kw).fit(np.c_[np.zeros(300), s], y)
    np.testing.assert_array_equal(a.predict_proba(s), b.predict_proba(np.c_[0 * s, s]))


def test_hcalibrator_integer_weights_equal_row_repetition():
    from statnorm.calibration import HCalibrator

    rng = np.random.default_rng(12)
    X = rng.normal(size=(200, 3)) * 2
    y = (X + rng.gumbel(size=(200, 3))).argmax(1)
    w = rng.integers(0, 4, 200)
    rep = np.repeat(np.arange(200), w)
    kw = {"max_iter": 25, "early_stopping": False, "random_state": 0}
    a = HCalibrator(**kw).fit(X, y, sample_weight=w)
    b = HCalibrator(**kw).fit(X[rep], y[rep])
    np.testing.assert_array_equal(a.coef_, b.coef_)
    with pytest.raises(ValueError, match="non-negative integers"):
        HCalibrator(**kw).fit(X, y, sample_weight=w + 0.5)
