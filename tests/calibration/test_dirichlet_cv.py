"""MatrixScalingCV: Dirichlet calibration with the ODIR penalty chosen by CV."""

import warnings

import numpy as np
import pytest
from scipy.special import log_softmax
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from statnorm.calibration import MatrixScaling, MatrixScalingCV, TemperatureScaling
from statnorm.calibration import metrics as M
from statnorm.datasets import load_cifar10_logits


def _logits(n=300, C=4, seed=0):
    """Over-confident logits with class-dependent bias (ODIR has work to do)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, C, n)
    Z = rng.normal(size=(n, C))
    Z[np.arange(n), y] += 1.5
    Z[:, 0] += 0.7  # a biased column
    return 3.0 * Z, y


def _cifar10(n=1000):
    X, y = load_cifar10_logits("validation", return_X_y=True)
    return X[:n], y[:n]


def _brute_force(X, y, folds, pairs, w=None, score=None):
    """Mean held-out score of MatrixScaling at every (lambda, mu), cold starts."""
    w = np.ones(len(y)) if w is None else w
    out = []
    for lam, mu in pairs:
        per_fold = []
        for train, test in folds:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                m = MatrixScaling(lam, reg_mu=mu).fit(
                    X[train], y[train], sample_weight=w[train]
                )
            if score is None:  # the model's log-probabilities (no log(0))
                U = log_softmax(X[test], axis=1) @ m.coef_.T + m.intercept_
                L = log_softmax(U, axis=1)[np.arange(len(test)), y[test]]
                per_fold.append(np.average(L, weights=w[test]))
            else:
                per_fold.append(score(m, X[test], y[test]))
        out.append(np.mean(per_fold))
    return np.array(out)


# ------------------------------------------------------- choice and refit
# Warm (path) and cold (brute-force) starts reach the same optimum to the
# solver's tolerance: L-BFGS stops at a relative change of the training
# objective of 1e-10. On the synthetic logits the held-out scores then agree
# to a few 1e-6. On the CIFAR-10 subset one held-out row has a log-probability
# of -110 for its class, and it magnifies what the stopping rule leaves
# undetermined: on that fold the two training objectives agree to 1e-9 (the
# warm start is the lower) while coefficients differ by 1e-2 and the mean
# held-out score by 2e-4 at reg_lambda=1e3, and by up to 5e-3 at the weakest
# penalty. There the choice and the whole ranking must agree, the scores to 1e-2.
@pytest.mark.parametrize(
    ("data", "grid", "rtol"),
    [
        ("synthetic", [1e-3, 1e-1, 10.0, 1e3, 1e5], 2e-5),
        ("cifar10", [1.0, 10.0, 1e2, 1e3, 1e5], 1e-2),
    ],
)
def test_choice_equals_brute_force_on_the_same_folds(data, grid, rtol):
    X, y = _logits() if data == "synthetic" else _cifar10()
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    folds = list(cv.split(X, y))
    est = MatrixScalingCV(reg_lambdas=grid, cv=cv).fit(X, y)
    brute = _brute_force(X, y, folds, [(g, g) for g in grid])
    assert np.ptp(brute) > 1e-2  # the grid matters on this data
    assert est.reg_lambda_ == grid[int(np.argmax(brute))]
    assert est.reg_mu_ == est.reg_lambda_
    np.testing.assert_array_equal(
        est.cv_results_["rank_test_score"], rankdata(-brute, method="min")
    )
    np.testing.assert_allclose(est.cv_results_["mean_test_score"], brute, rtol=rtol)
    assert est.best_index_ == int(np.argmax(brute))
    assert est.best_score_ == est.cv_results_["mean_test_score"][est.best_index_]


def test_path_starts_cold_at_the_largest_penalty_then_warm():
    X, y = _cifar10()
    grid = [1.0, 10.0, 1e2, 1e3, 1e5]
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    est = MatrixScalingCV(reg_lambdas=grid, cv=cv).fit(X, y)
    folds = list(cv.split(X, y))
    cold = np.mean(
        [[MatrixScaling(g, reg_mu=g).fit(X[t], y[t]).n_iter_ for t, _ in folds]
         for g in grid],
        axis=1,
    )  # fmt: skip
    path = est.cv_results_["mean_n_iter"]
    # the largest penalty is fitted first, from MatrixScaling's own start: the
    # same fit up to BLAS rounding on another copy of the rows, which L-BFGS
    # carries to about 1e-8 in the score
    brute = _brute_force(X, y, folds, [(1e5, 1e5)])
    assert est.cv_results_["mean_test_score"][-1] == pytest.approx(brute[0], rel=1e-6)
    # every other one starts at its neighbour's solution: far fewer iterations
    assert path[:-1].sum() < 0.7 * cold[:-1].sum()


def test_int_cv_is_stratified_shuffled_folds_seeded_by_random_state():
    X, y = _logits(seed=1)
    grid = [1e-2, 1.0, 1e2]
    a = MatrixScalingCV(reg_lambdas=grid, cv=4, random_state=3).fit(X, y)
    b = MatrixScalingCV(
        reg_lambdas=grid, cv=StratifiedKFold(4, shuffle=True, random_state=3)
    ).fit(X, y)
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )
    c = MatrixScalingCV(reg_lambdas=grid, cv=4, random_state=4).fit(X, y)
    assert not np.array_equal(
        a.cv_results_["split0_test_score"], c.cv_results_["split0_test_score"]
    )
    assert a.n_splits_ == 4


def test_separate_mu_grid_and_weights_equal_brute_force():
    X, y = _logits(seed=2)
    w = np.random.default_rng(0).integers(1, 4, len(y)).astype(float)
    lams, mus = [1e-2, 1.0, 1e2], [1e-3, 10.0]
    folds = list(KFold(3, shuffle=True, random_state=1).split(X, y))
    est = MatrixScalingCV(reg_lambdas=lams, reg_mus=mus, cv=folds).fit(
        X, y, sample_weight=w
    )
    pairs = [(a, b) for a in lams for b in mus]
    brute = _brute_force(X, y, folds, pairs, w=w)
    assert [(p["reg_lambda"], p["reg_mu"]) for p in est.cv_results_["params"]] == pairs
    assert (est.reg_lambda_, est.reg_mu_) == pairs[int(np.argmax(brute))]
    np.testing.assert_allclose(est.cv_results_["mean_test_score"], brute, rtol=2e-5)


def test_refit_equals_matrix_scaling_on_all_rows():
    X, y = _cifar10(600)
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    est = MatrixScalingCV(reg_lambdas=[1e-1, 10.0, 1e3], cv=3, random_state=0)
    est.fit(X, y, sample_weight=w)
    ref = MatrixScaling(est.reg_lambda_, reg_mu=est.reg_mu_).fit(
        X, y, sample_weight=w
    )
    np.testing.assert_array_equal(est.coef_, ref.coef_)
    np.testing.assert_array_equal(est.intercept_, ref.intercept_)
    np.testing.assert_array_equal(est.predict_proba(X), ref.predict_proba(X))
    np.testing.assert_array_equal(est.transform(X), ref.transform(X))
    np.testing.assert_array_equal(est.predict(X), ref.predict(X))
    np.testing.assert_array_equal(est.best_estimator_.coef_, ref.coef_)
    np.testing.assert_array_equal(est.classes_, np.arange(10))
    assert est.n_features_in_ == 10


def test_scorer_name_and_callable_equal_brute_force():
    X, y = _logits(seed=3)
    grid = [1e-2, 1.0, 1e2, 1e4]
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))

    def neg_brier(est, Xt, yt):
        P = est.predict_proba(Xt)
        return -np.mean(np.sum((P - np.eye(P.shape[1])[yt]) ** 2, axis=1))

    brute = _brute_force(X, y, folds, [(g, g) for g in grid], score=neg_brier)
    by_callable = MatrixScalingCV(reg_lambdas=grid, cv=folds, scoring=neg_brier)
    by_callable.fit(X, y)
    assert by_callable.reg_lambda_ == grid[int(np.argmax(brute))]
    np.testing.assert_allclose(
        by_callable.cv_results_["mean_test_score"], brute, rtol=2e-5
    )
    by_name = MatrixScalingCV(reg_lambdas=grid, cv=folds, scoring="neg_log_loss")
    default = MatrixScalingCV(reg_lambdas=grid, cv=folds)
    np.testing.assert_allclose(
        by_name.fit(X, y).cv_results_["mean_test_score"],
        default.fit(X, y).cv_results_["mean_test_score"],
        rtol=1e-10,
    )


def test_cv_results_layout_and_n_jobs_do_not_change_results():
    X, y = _logits(seed=4)
    grid = [1e3, 1e-2, 1.0]  # any order: results are reported in this order
    a = MatrixScalingCV(reg_lambdas=grid, cv=3, random_state=0).fit(X, y)
    b = MatrixScalingCV(reg_lambdas=grid, cv=3, random_state=0, n_jobs=2).fit(X, y)
    r = a.cv_results_
    np.testing.assert_array_equal(r["param_reg_lambda"], grid)
    for key in (
        "split0_test_score", "split2_test_score", "mean_test_score",
        "std_test_score", "rank_test_score", "mean_fit_time", "std_fit_time",
        "mean_score_time", "std_score_time", "mean_n_iter",
    ):  # fmt: skip
        assert r[key].shape == (3,), key
    assert r["rank_test_score"][a.best_index_] == 1
    assert sorted(r["rank_test_score"]) == [1, 2, 3]
    np.testing.assert_array_equal(
        r["mean_test_score"], b.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(a.coef_, b.coef_)


def test_warm_start_hook_starts_at_the_given_solution():
    X, y = _logits(seed=5)
    Z = log_softmax(X, axis=1)
    w = np.ones(len(y))
    cold = MatrixScaling(1.0, reg_mu=1.0)._fit(Z, y, w)
    warm = MatrixScaling(1.0, reg_mu=1.0)._fit(
        Z, y, w, init=(cold.coef_, cold.intercept_)
    )
    assert warm.n_iter_ < cold.n_iter_ / 3
    np.testing.assert_allclose(warm.coef_, cold.coef_, rtol=1e-4, atol=1e-5)


def test_convergence_warning_at_the_chosen_penalty():
    X, y = _logits(seed=6)
    with pytest.warns(ConvergenceWarning) as record:
        MatrixScalingCV(reg_lambdas=[1e-3], cv=2, max_iter=2, random_state=0).fit(
            X, y
        )
    messages = [str(r.message) for r in record]
    assert any("MatrixScalingCV" in m and "chosen penalty" in m for m in messages)
    assert any(m.startswith("MatrixScaling:") for m in messages)  # the refit


# ------------------------------------------------------------ C=10 quality
def test_cifar10_at_least_as_good_as_temperature_scaling_on_test_nll():
    Xv, yv = load_cifar10_logits("validation", return_X_y=True)
    Xt, yt = load_cifar10_logits("test", return_X_y=True)
    est = MatrixScalingCV(random_state=0).fit(Xv, yv)
    nll = M.negative_log_likelihood(yt, est.predict_proba(Xt))
    ts = TemperatureScaling().fit(Xv, yv)
    nll_ts = M.negative_log_likelihood(yt, ts.predict_proba(Xt))
    # the default grid ends near a diagonal W (1e3 per off-diagonal entry)
    assert est.cv_results_["param_reg_lambda"].max() == pytest.approx(90 * 1e3)
    assert nll <= nll_ts + 1e-3, (nll, nll_ts)


# --------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"reg_lambdas": []}, ValueError, "reg_lambdas must hold at least one"),
        ({"reg_lambdas": [1.0, -1.0]}, ValueError, "reg_lambdas must be non-negative"),
        ({"reg_lambdas": [1.0, np.nan]}, ValueError, "reg_lambdas must be finite"),
        ({"reg_lambdas": [1.0, np.inf]}, ValueError, "reg_lambdas must be finite"),
        ({"reg_lambdas": [[1.0, 2.0]]}, ValueError, "reg_lambdas must be a 1-D"),
        ({"reg_lambdas": [1.0, 1.0]}, ValueError, "reg_lambdas must not repeat"),
        ({"reg_lambdas": ["a", "b"]}, TypeError, "reg_lambdas must hold real numbers"),
        ({"reg_lambdas": 1.0}, ValueError, "'reg_lambdas' parameter"),
        ({"reg_mus": [-1.0]}, ValueError, "reg_mus must be non-negative"),
        ({"reg_mus": []}, ValueError, "reg_mus must hold at least one"),
        ({"cv": 1}, ValueError, "'cv' parameter"),
        ({"scoring": "bogus"}, ValueError, "'scoring' parameter"),
        ({"max_iter": 0}, ValueError, "'max_iter' parameter"),
    ],
)
def test_bad_parameters_name_the_argument(kwargs, exc, match):
    X, y = _logits(n=60)
    with pytest.raises(exc, match=match):
        MatrixScalingCV(**kwargs).fit(X, y)


def test_bad_data_name_the_argument():
    X, y = _logits(n=60)
    est = MatrixScalingCV(reg_lambdas=[1.0], cv=2)
    for bad in (np.nan, np.inf):
        Xb = X.copy()
        Xb[3, 1] = bad
        with pytest.raises(ValueError, match="X"):
            est.fit(Xb, y)
    with pytest.raises(ValueError, match="0 sample"):
        est.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="only 1 class"):
        est.fit(X, np.zeros(len(y), dtype=int))
    with pytest.raises(ValueError, match="sample_weight"):
        est.fit(X, y, sample_weight=-np.ones(len(y)))
    X0 = X.copy()
    est.fit(X, y)
    np.testing.assert_array_equal(X, X0)  # not modified in place
    with pytest.raises(ValueError, match="features"):
        est.predict_proba(X[:, :3])


# ------------------------------------------------------- sklearn interplay
def test_clone_gridsearch_and_pipeline():
    X, y = _logits(seed=7)
    est = MatrixScalingCV(reg_lambdas=[1e-2, 1e2], cv=2, random_state=0)
    c = clone(est)
    assert c.get_params() == est.get_params()
    assert not hasattr(c, "coef_")
    gs = GridSearchCV(est, {"cv": [2, 3]}, cv=2).fit(X, y)
    assert gs.best_estimator_.reg_lambda_ in (1e-2, 1e2)
    pipe = Pipeline([("cal", clone(est))]).fit(X, y)
    np.testing.assert_allclose(
        pipe.predict_proba(X), clone(est).fit(X, y).predict_proba(X), rtol=1e-12
    )
    assert np.isfinite(pipe.score(X, y))


def test_probabilities_input_and_binary_scores():
    X, y = _logits(seed=8)
    P = np.exp(log_softmax(X, axis=1))
    kw = {"reg_lambdas": [1e-1, 10.0], "cv": 3, "random_state": 0}
    a = MatrixScalingCV(**kw).fit(X, y)
    b = MatrixScalingCV(input="probabilities", **kw).fit(P, y)
    assert a.reg_lambda_ == b.reg_lambda_
    np.testing.assert_allclose(b.predict_proba(P), a.predict_proba(X), atol=1e-6)
    # a 1-D binary score s is the logits (0, s)
    s, yb = X[:, 1] - X[:, 0], (y % 2)
    one = MatrixScalingCV(**kw).fit(s, yb)
    two = MatrixScalingCV(**kw).fit(np.column_stack([np.zeros_like(s), s]), yb)
    assert one.reg_lambda_ == two.reg_lambda_
    S = np.column_stack([np.zeros_like(s), s])
    np.testing.assert_array_equal(one.predict_proba(s), two.predict_proba(S))
