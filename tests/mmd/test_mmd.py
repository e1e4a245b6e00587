"""statnorm.mmd: exactness, reference agreement, permutation test, validity, bad input.

Reference numbers (``tests/mmd/data/mmd_reference.npz``) were produced by running the
official MMD-MP code (ZSHsh98/MMD-MP, ``utils_MMD.py`` at dce6860: ``MMDu``,
``h1_mean_var_gram``, ``MMD_batch2``, ``mmd2_permutations``) with torch 2.13.0 on
CPU in float64, with a linear featurizer and torch autograd for the gradients, on
a fixed 7 + 7 sample in 5 dimensions. The tests need neither torch nor network.
"""

import itertools
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

from statnorm.datasets import load_mgt_embeddings
from statnorm.mmd import (
    DeepKernel,
    GaussianKernel,
    KernelLearner,
    MMDDetector,
    MMDTest,
    MMDTestResult,
    mmd2,
    power_criterion,
)
from statnorm.mmd._kernel import _sq_dists
from statnorm.mmd._learn import _loss_and_grad

REF = Path(__file__).parent / "data" / "mmd_reference.npz"


@pytest.fixture(scope="module")
def ref():
    with np.load(REF) as f:
        return {k: f[k] for k in f.files}


def _theta(sigma0, sigma, eps, w):
    return np.concatenate(
        [[np.log(sigma0), np.log(sigma), np.log(eps) - np.log1p(-eps)], np.ravel(w)]
    )


def _slow_k(a, b, sigma):
    return np.exp(-np.sum((a - b) ** 2) / sigma)


# --------------------------------------------------------- reference agreement


def test_deep_kernel_gram_and_score_match_reference(ref):
    k = DeepKernel(
        "linear",
        {"W": ref["W"]},
        sigma0=float(ref["sigma0"]),
        sigma=float(ref["sigma"]),
        epsilon=float(ref["eps"]),
    )
    Z = np.vstack([ref["X"], ref["Y"]])
    np.testing.assert_allclose(k(Z), ref["K"], rtol=0, atol=1e-12)
    det = MMDDetector(kernel=k).fit(ref["X"])
    np.testing.assert_allclose(det.score_samples(ref["Y"]), ref["score"], atol=1e-12)


@pytest.mark.parametrize("objective", ["mmd-d", "mmd-mp"])
def test_objective_and_gradient_match_reference_autograd(ref, objective):
    key = objective.replace("-", "_")
    X, Y, W = ref["X"], ref["Y"], ref["W"]
    n, d = X.shape
    r = W.shape[1]
    eps = float(ref["eps"])
    Z = np.vstack([X, Y])
    theta = _theta(float(ref["sigma0"]), float(ref["sigma"]), eps, W)
    loss, grad, stat, var = _loss_and_grad(
        theta, Z, n, _sq_dists(Z), "linear", d, r, 0, objective == "mmd-mp"
    )
    assert stat == pytest.approx(float(ref[key + "_stat"]), abs=1e-12)
    assert var == pytest.approx(float(ref[key + "_var"]), abs=1e-12)
    assert loss == pytest.approx(float(ref[key + "_loss"]), abs=1e-10)
    np.testing.assert_allclose(grad[3:].reshape(d, r), ref[key + "_grad_W"], atol=1e-10)
    assert grad[0] == pytest.approx(float(ref[key + "_grad_log_sigma0"]), abs=1e-10)
    assert grad[1] == pytest.approx(float(ref[key + "_grad_log_sigma"]), abs=1e-10)
    # theta[2] = logit(eps): d/dlogit = d/deps * eps (1 - eps)
    assert grad[2] / (eps * (1 - eps)) == pytest.approx(
        float(ref[key + "_grad_eps"]), abs=1e-9
    )
    # the public function computes the same criterion
    k = DeepKernel(
        "linear",
        {"W": W},
        sigma0=float(ref["sigma0"]),
        sigma=float(ref["sigma"]),
        epsilon=eps,
    )
    pc = power_criterion(X, Y, kernel=k, objective=objective)
    assert -pc.criterion == pytest.approx(float(ref[key + "_loss"]), abs=1e-10)


def test_reference_permutation_statistic_is_paired_u(ref):
    # the reference test statistic (paired one-sample U) equals power_criterion's
    k = DeepKernel(
        "linear",
        {"W": ref["W"]},
        sigma0=float(ref["sigma0"]),
        sigma=float(ref["sigma"]),
        epsilon=float(ref["eps"]),
    )
    pc = power_criterion(ref["X"], ref["Y"], kernel=k)
    assert pc.statistic == pytest.approx(float(ref["perm_observed"]), abs=1e-12)


# ---------------------------------------------------------- exact formulas


def _slow_mmd2(X, Y, sigma, estimator):
    n, m = len(X), len(Y)
    kxx = sum(_slow_k(X[i], X[j], sigma) for i in range(n) for j in range(n) if i != j)
    kyy = sum(_slow_k(Y[i], Y[j], sigma) for i in range(m) for j in range(m) if i != j)
    kxy = sum(_slow_k(X[i], Y[j], sigma) for i in range(n) for j in range(m))
    if estimator == "unbiased":
        return kxx / (n * (n - 1)) + kyy / (m * (m - 1)) - 2 * kxy / (n * m)
    return (kxx + n) / n**2 + (kyy + m) / m**2 - 2 * kxy / (n * m)


@pytest.mark.parametrize("estimator", ["unbiased", "biased"])
def test_mmd2_equals_direct_formula(rng, estimator):
    X, Y = rng.normal(size=(9, 3)), rng.normal(0.5, size=(6, 3))
    assert mmd2(X, Y, kernel=2.5, statistic=estimator) == pytest.approx(
        _slow_mmd2(X, Y, 2.5, estimator), abs=1e-10
    )


def test_linear_mmd2_equals_direct_formula(rng):
    X, Y = rng.normal(size=(9, 3)), rng.normal(0.5, size=(7, 3))
    vals = []
    for i in range(3):  # floor(min(9, 7) / 2) pairs
        x1, x2, y1, y2 = X[2 * i], X[2 * i + 1], Y[2 * i], Y[2 * i + 1]
        vals.append(
            _slow_k(x1, x2, 3.0)
            + _slow_k(y1, y2, 3.0)
            - _slow_k(x1, y2, 3.0)
            - _slow_k(x2, y1, 3.0)
        )
    assert mmd2(X, Y, kernel=3.0, statistic="linear") == pytest.approx(
        np.mean(vals), abs=1e-12
    )


@pytest.mark.parametrize("objective", ["mmd-d", "mmd-mp"])
def test_power_criterion_equals_direct_formula(rng, objective):
    n = 8
    X, Y = rng.normal(size=(n, 2)), rng.normal(0.3, size=(n, 2))
    c = 0.0 if objective == "mmd-mp" else 1.0
    H = np.array(
        [
            [
                _slow_k(X[i], X[j], 2.0)
                + c * _slow_k(Y[i], Y[j], 2.0)
                - _slow_k(X[i], Y[j], 2.0)
                - _slow_k(Y[i], X[j], 2.0)
                for j in range(n)
            ]
            for i in range(n)
        ]
    )
    stat = (H.sum() - np.trace(H)) / (n * (n - 1))
    var = 4 / n**3 * np.sum(H.sum(1) ** 2) - 4 / n**4 * H.sum() ** 2
    pc = power_criterion(X, Y, kernel=2.0, objective=objective)
    assert pc.statistic == pytest.approx(stat, abs=1e-10)
    assert pc.variance == pytest.approx(var, abs=1e-10)
    shift = 1e-8 if objective == "mmd-d" else 0.0
    assert pc.criterion == pytest.approx(
        (stat + shift) / np.sqrt(var + 1e-8), abs=1e-10
    )


def test_median_heuristic_is_median_squared_distance(rng):
    X, Y = rng.normal(size=(10, 2)), rng.normal(size=(7, 2))
    Z = np.vstack([X, Y])
    d2 = [np.sum((Z[i] - Z[j]) ** 2) for i, j in itertools.combinations(range(17), 2)]
    k = GaussianKernel().bind(Z)
    assert k.bandwidth == pytest.approx(np.median(d2), rel=1e-12)
    assert mmd2(X, Y) == pytest.approx(_slow_mmd2(X, Y, np.median(d2), "unbiased"))


@pytest.mark.parametrize("featurizer", ["linear", "mlp", "identity"])
@pytest.mark.parametrize("drop_yy", [False, True])
def test_gradient_equals_finite_differences(rng, featurizer, drop_yy):
    n, d, r, h = 6, 4, 3, 5
    Z = rng.normal(size=(2 * n, d))
    Z[n:] += 0.4
    size = {"identity": 0, "linear": d * r, "mlp": d * h + h + h * r}[featurizer]
    theta = np.concatenate(
        [[np.log(3.0), np.log(6.0), np.log(0.2 / 0.8)], rng.normal(0, 0.5, size=size)]
    )
    Dr = _sq_dists(Z)

    def f(t):
        return _loss_and_grad(t, Z, n, Dr, featurizer, d, r, h, drop_yy)[0]

    g = _loss_and_grad(theta, Z, n, Dr, featurizer, d, r, h, drop_yy)[1]
    fd = np.array(
        [(f(theta + e) - f(theta - e)) / 2e-6 for e in np.eye(theta.size) * 1e-6]
    )
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-7)
    # scipy's one-sided check agrees too
    assert np.allclose(approx_fprime(theta, f, 1e-7), g, rtol=1e-3, atol=1e-5)


# -------------------------------------------------------- permutation test


def test_permutation_null_values_are_relabelled_statistics(rng):
    # 4 + 3 points: every null value must be MMD^2 of one of the C(7, 4) = 35 splits
    X, Y = rng.normal(size=(4, 2)), rng.normal(size=(3, 2))
    Z = np.vstack([X, Y])
    res = MMDTest(kernel=1.7, n_permutations=400, random_state=3).test(X, Y)
    splits = []
    for idx in itertools.combinations(range(7), 4):
        rest = [i for i in range(7) if i not in idx]
        splits.append(mmd2(Z[list(idx)], Z[rest], kernel=1.7))
    splits = np.array(splits)
    dist = np.abs(res.null_distribution[:, None] - splits[None, :]).min(axis=1)
    assert dist.max() < 1e-12
    # all splits appear, roughly uniformly (35 cells, 400 draws)
    hit = np.abs(res.null_distribution[:, None] - splits[None, :]).argmin(axis=1)
    counts = np.bincount(hit, minlength=35)
    assert counts.min() > 0
    assert res.statistic == pytest.approx(mmd2(X, Y, kernel=1.7), abs=1e-12)
    p = (1 + np.sum(res.null_distribution >= res.statistic - 1e-12)) / 401
    assert res.pvalue == pytest.approx(p)


@pytest.mark.parametrize("estimator", ["unbiased", "biased"])
def test_permutation_test_result_and_reproducibility(rng, estimator):
    X, Y = rng.normal(size=(20, 3)), rng.normal(size=(25, 3))
    t = MMDTest(n_permutations=57, statistic=estimator, random_state=0)
    res = t.test(X, Y)
    assert isinstance(res, MMDTestResult)
    stat, p = res
    assert res.null_distribution.shape == (57,)
    assert 1 / 58 <= p <= 1
    assert stat == pytest.approx(mmd2(X, Y, statistic=estimator))
    res2 = t.test(X, Y)
    np.testing.assert_array_equal(res.null_distribution, res2.null_distribution)
    assert "MMDTestResult(statistic=" in repr(res)


def test_permutation_test_detects_a_shift(rng):
    X, Y = rng.normal(size=(40, 5)), rng.normal(0.6, size=(40, 5))
    res = MMDTest(n_permutations=199, random_state=1).test(X, Y)
    assert res.pvalue == pytest.approx(1 / 200)


def _null_rejections(kernel_for_rep, n, reps, rng, H, alpha=0.05):
    rej = 0
    for rep in range(reps):
        idx = rng.permutation(len(H))[: 2 * n]
        k = kernel_for_rep(rep)
        res = MMDTest(k, n_permutations=99, random_state=rep).test(
            H[idx[:n]], H[idx[n:]]
        )
        rej += res.pvalue <= alpha
    return rej / reps


def test_size_median_kernel_human_vs_human(rng):
    # Under H0 (two disjoint random halves of the human answers) the permutation
    # test with 99 permutations rejects with probability exactly 5/100 = 0.05.
    H = load_mgt_embeddings("truthfulqa", dtype=np.float64).human
    reps, alpha = 300, 0.05
    rate = _null_rejections(lambda rep: "gaussian", 25, reps, rng, H, alpha)
    se = np.sqrt(alpha * (1 - alpha) / reps)
    assert rate <= alpha + 3 * se  # 0.088
    assert rate >= alpha - 3 * se  # not absurdly conservative either


@pytest.mark.slow
def test_size_learned_kernel_on_held_out_split(rng):
    # Learn kernels on one part of the human answers (split into two fake
    # populations), then test human vs human on the held-out part: the size
    # stays at the nominal level. Testing on the training rows instead (what
    # check_held_out forbids) rejects far too often.
    H = load_mgt_embeddings("truthfulqa", dtype=np.float64).human
    perm = rng.permutation(len(H))
    train, test = H[perm[:300]], H[perm[300:]]
    y = np.repeat([0, 1], 150)
    kernels = [
        KernelLearner(
            obj,
            n_components=32,
            max_iter=60,
            batch_size=150,
            validation_fraction=0.0,
            random_state=s,
        )
        .fit(train, y)
        .kernel_
        for s, obj in enumerate(["mmd-mp", "mmd-d"])
    ]
    # drop held-out answers that repeat a training answer word for word (the
    # corpus repeats texts), so that no test sample trips the held-out check
    test = test[~kernels[0].seen_in_training(test)]
    reps, alpha = 200, 0.05
    se = np.sqrt(alpha * (1 - alpha) / reps)
    rate = _null_rejections(lambda rep: kernels[rep % 2], 20, reps, rng, test, alpha)
    assert rate <= alpha + 3 * se  # 0.096
    # the mistake: the same kernels tested on their own training rows
    rej = 0
    for rep in range(100):
        i, j = rng.choice(150, 20, replace=False), rng.choice(150, 20, replace=False)
        res = MMDTest(
            kernels[rep % 2], n_permutations=99, random_state=rep, check_held_out=False
        ).test(train[:150][i], train[150:][j])
        rej += res.pvalue <= alpha
    assert rej / 100 > 0.15  # measured about 0.4; a valid test would give 0.05


# ------------------------------------------------------ learner and detector


@pytest.mark.parametrize("optimizer", ["adam", "lbfgs"])
@pytest.mark.parametrize("objective", ["mmd-d", "mmd-mp"])
def test_learner_increases_the_criterion(rng, optimizer, objective):
    X = np.vstack([rng.normal(size=(80, 6)), rng.normal(size=(80, 6))])
    X[80:, 0] *= 2.0  # a difference in one coordinate's scale
    y = np.repeat([0, 1], 80)
    kl = KernelLearner(
        objective,
        n_components=4,
        optimizer=optimizer,
        max_iter=20,
        batch_size=80,
        random_state=0,
    ).fit(X, y)
    assert kl.loss_curve_.size >= 2
    assert kl.loss_curve_[-1] < kl.loss_curve_[0]
    assert isinstance(kl.kernel_, DeepKernel)
    assert kl.transform(X).shape == (160, 4)
    assert 0 <= kl.kernel_.epsilon <= 1


def test_learner_is_reproducible_and_clonable(rng):
    X = rng.normal(size=(60, 3))
    y = np.repeat([0, 1, 2], 20)  # reference + two machine populations
    kl = KernelLearner(
        featurizer="mlp",
        n_components=2,
        hidden_layer_sizes=(3,),
        max_iter=3,
        batch_size=10,
        random_state=1,
    )
    a = kl.fit(X, y).transform(X)
    b = clone(kl).fit(X, y).transform(X)
    np.testing.assert_array_equal(a, b)
    assert list(kl.classes_) == [0, 1, 2]


def test_learned_kernel_refuses_training_rows(rng):
    X = rng.normal(size=(40, 3))
    y = np.repeat([0, 1], 20)
    k = KernelLearner(n_components=2, max_iter=2, random_state=0).fit(X, y).kernel_
    with pytest.raises(ValueError, match="used to train"):
        MMDTest(k, n_permutations=9).test(X[:20], X[20:])
    MMDTest(k, n_permutations=9, check_held_out=False).test(X[:20], X[20:])
    # max(1, ceil(0.2 * 10)) = 2 training rows per sample are tolerated
    Y = np.vstack([X[:2], rng.normal(size=(8, 3))])
    MMDTest(k, n_permutations=9).test(rng.normal(size=(10, 3)), Y)


def test_detector_separates_human_and_chatgpt():
    emb = load_mgt_embeddings("truthfulqa", machine="chatgpt", dtype=np.float64)
    det = MMDDetector().fit(emb.human[:300])
    s = np.concatenate(
        [det.score_samples(emb.human[300:600]), det.score_samples(emb.machine[300:600])]
    )
    auc = roc_auc_score(np.repeat([0, 1], 300), s)
    assert auc > 0.75


# ----------------------------------------------------------------- bad input


def test_bad_input_mismatched_dimensions(rng):
    with pytest.raises(ValueError, match="same number of features; got 3 and 4"):
        MMDTest().test(rng.normal(size=(5, 3)), rng.normal(size=(5, 4)))
    with pytest.raises(ValueError, match="same number of features"):
        mmd2(rng.normal(size=(5, 3)), rng.normal(size=(5, 4)))


def test_bad_input_too_few_samples(rng):
    with pytest.raises(ValueError, match=r"Y has 1 sample\(s\)"):
        MMDTest().test(rng.normal(size=(5, 3)), rng.normal(size=(1, 3)))
    with pytest.raises(ValueError, match=r"X has 1 sample\(s\)"):
        mmd2(rng.normal(size=(1, 3)), rng.normal(size=(5, 3)))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_bad_input_nan_inf(rng, bad):
    X = rng.normal(size=(5, 3))
    X[2, 1] = bad
    with pytest.raises(ValueError, match=r"Input X contains (NaN|infinity)"):
        MMDTest().test(X, rng.normal(size=(5, 3)))
    with pytest.raises(ValueError, match=r"Input Y contains (NaN|infinity)"):
        mmd2(rng.normal(size=(5, 3)), X, statistic="linear")


def test_bad_input_constant_sample():
    with pytest.raises(ValueError, match="median heuristic gave a zero bandwidth"):
        MMDTest().test(np.ones((6, 2)), np.ones((5, 2)))
    with pytest.raises(ValueError, match="zero bandwidth"):
        MMDDetector().fit(np.zeros((6, 2)))


@pytest.mark.parametrize("P", [0, -3, 2.5, True])
def test_bad_input_n_permutations(rng, P):
    with pytest.raises((ValueError, TypeError), match="n_permutations"):
        MMDTest(n_permutations=P).test(rng.normal(size=(5, 2)), rng.normal(size=(5, 2)))


def test_bad_kernel_and_statistic(rng):
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    with pytest.raises(ValueError, match="'statistic' parameter of mmd2"):
        mmd2(X, Y, statistic="quadratic")
    with pytest.raises(ValueError, match="'statistic' parameter of MMDTest"):
        MMDTest(statistic="linear").test(X, Y)
    with pytest.raises(ValueError, match="'estimator' parameter of MMDTest"):
        MMDTest(estimator="linear").test(X, Y)
    with pytest.raises(ValueError, match="kernel must be 'gaussian'"):
        mmd2(X, Y, kernel="laplace")
    with pytest.raises(ValueError, match="positive finite float"):
        mmd2(X, Y, kernel=-1.0)
    with pytest.raises(TypeError, match="kernel must be"):
        mmd2(X, Y, kernel=[1, 2])
    with pytest.raises(ValueError, match="equal size"):
        power_criterion(X, Y[:4])
    with pytest.raises(ValueError, match="objective"):
        power_criterion(X, Y, objective="mmd")


def test_learner_needs_two_rows_per_side(rng):
    with pytest.raises(ValueError, match="at least 2 rows of the reference class"):
        KernelLearner(max_iter=1).fit(rng.normal(size=(6, 2)), [0, 1, 1, 1, 1, 1])
    with pytest.raises(ValueError, match="1 class"):
        KernelLearner(max_iter=1).fit(rng.normal(size=(6, 2)), [0] * 6)


def test_inputs_are_never_modified(rng):
    X = rng.normal(size=(12, 3))
    Y = rng.normal(size=(10, 3))
    Xc, Yc = X.copy(), Y.copy()
    MMDTest(n_permutations=9, random_state=0).test(X, Y)
    mmd2(X, Y, statistic="linear")
    power_criterion(X[:10], Y)
    y = np.repeat([0, 1], [12, 10])
    Z = np.vstack([X, Y])
    Zc = Z.copy()
    kl = KernelLearner(n_components=2, max_iter=2, random_state=0).fit(Z, y)
    MMDDetector(kl.kernel_).fit(X).score_samples(Y)
    np.testing.assert_array_equal(X, Xc)
    np.testing.assert_array_equal(Y, Yc)
    np.testing.assert_array_equal(Z, Zc)


def test_mmd_test_is_a_clonable_estimator():
    from sklearn.base import BaseEstimator, clone

    t = MMDTest(n_permutations=19, random_state=3)
    assert isinstance(t, BaseEstimator)
    c = clone(t).set_params(n_permutations=29)
    assert c.get_params()["random_state"] == 3 and t.n_permutations == 19
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(20, 2)), rng.normal(size=(20, 2)) + 1
    assert clone(t).test(X, Y).pvalue == t.test(X, Y).pvalue


def test_sigmoid_is_accurate_in_both_tails_and_eps_gradient_survives(rng):
    from statnorm.mmd._kernel import _sigmoid

    x = np.array([-745.0, -60.0, -38.0, -1.0, 0.0, 1.0, 38.0, 60.0, 745.0])
    s = _sigmoid(x)
    np.testing.assert_allclose(s[:4], np.exp(x[:4]) / (1 + np.exp(x[:4])), rtol=1e-14)
    np.testing.assert_allclose(s[4:], 1 / (1 + np.exp(-x[4:])), rtol=1e-14)
    # the gradient of eps with respect to its logit, below -37, used to be 0
    Z = rng.normal(size=(12, 3))
    theta = _theta(1.0, 3.0, 1e-20, rng.normal(size=6))
    _, g, _, _ = _loss_and_grad(theta, Z, 6, _sq_dists(Z), "linear", 3, 2, 0, False)
    assert g[2] != 0.0
    eps = 1e-20
    assert abs(np.log(_sigmoid(np.log(eps) - np.log1p(-eps))) - np.log(eps)) < 1e-12


def test_kernel_learner_integer_weights_equal_row_repetition():
    rng = np.random.default_rng(5)
    X = np.vstack([rng.normal(size=(40, 3)), rng.normal(0.5, 1, size=(40, 3))])
    y = np.repeat([0, 1], 40)
    w = rng.integers(0, 3, 80)
    w[[0, 40]] = 1  # both populations keep weight
    rep = np.repeat(np.arange(80), w)
    kw = {"n_components": 2, "max_iter": 3, "batch_size": 16, "random_state": 0}
    a = KernelLearner(**kw).fit(X, y, sample_weight=w)
    b = KernelLearner(**kw).fit(X[rep], y[rep])
    assert a.criterion_ == b.criterion_
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    with pytest.raises(ValueError, match="non-negative integers"):
        KernelLearner(**kw).fit(X, y, sample_weight=w + 0.25)


def test_permutation_progress_is_reported_and_changes_nothing(capsys):
    rng = np.random.default_rng(6)
    X, Y = rng.normal(size=(30, 3)), rng.normal(size=(30, 3))
    a = MMDTest(n_permutations=999, random_state=0, verbose=1).test(X, Y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "MMDTest permutations 999/999" and len(lines) >= 5
    b = MMDTest(n_permutations=999, random_state=0).test(X, Y)
    assert a.pvalue == b.pvalue


def test_estimator_was_renamed_statistic(rng):
    # the old keyword still works, with a FutureWarning, and overrides statistic
    X, Y = rng.normal(size=(12, 2)), rng.normal(size=(10, 2))
    msg = "estimator was renamed statistic; it will be removed in 0.2"
    want = mmd2(X, Y, kernel=2.0, statistic="biased")
    with pytest.warns(FutureWarning, match=msg):
        assert mmd2(X, Y, kernel=2.0, estimator="biased") == want
    new = MMDTest(2.0, statistic="biased", n_permutations=19, random_state=0)
    old = MMDTest(2.0, estimator="biased", n_permutations=19, random_state=0)
    with pytest.warns(FutureWarning, match=msg):
        res = old.test(X, Y)
    assert res.estimator == "biased"
    assert res.statistic == new.test(X, Y).statistic == want
    assert old.get_params()["estimator"] == "biased"  # the user's value, untouched
    from statnorm.mmd import energy_test

    with pytest.warns(FutureWarning, match=msg):
        e = energy_test(X, Y, estimator="unbiased", n_permutations=9, random_state=0)
    kw = dict(statistic="unbiased", n_permutations=9, random_state=0)
    assert e.statistic == energy_test(X, Y, **kw).statistic
