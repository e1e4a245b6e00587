"""statnorm.mmd: the held-out check of MMDTest and split_populations.

The simulation trains kernels on human answers split into two fake populations
and tests human against human, so H0 holds and every rejection is a type I error.
"""

import numpy as np
import pytest

from statnorm.datasets import load_mgt_embeddings
from statnorm.mmd import KernelLearner, MMDTest, split_populations


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def _kernel(rng, n=40, d=3):
    X = rng.normal(size=(n, d))
    y = np.repeat([0, 1], n // 2)
    return X, KernelLearner(n_components=2, max_iter=2, random_state=0).fit(X, y)


def test_seen_rows_survive_rescaling_normalisation_and_float32(rng):
    X, kl = _kernel(rng)
    k = kl.kernel_
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    for Z in (X, 7.3 * X, 1e-3 * X, unit, X.astype(np.float32).astype(np.float64)):
        assert k.seen_in_training(Z).all()
    fresh = rng.normal(size=(30, 3))
    assert not k.seen_in_training(fresh).any()
    assert not k.seen_in_training(X + 1e-3).any()  # a shift is not caught


@pytest.mark.parametrize("side", ["X", "Y"])
def test_each_sample_is_checked_on_its_own(rng, side):
    X, kl = _kernel(rng)
    fresh = rng.normal(size=(200, 3))
    # 3 training rows in a sample of 10: more than max(1, ceil(2)) = 2
    bad = np.vstack([X[:3], fresh[:7]])
    args = (fresh[10:], bad) if side == "Y" else (bad, fresh[10:])
    # pooled, only 3 of 200 rows are training rows: the old pooled rule passed
    with pytest.raises(ValueError, match=f"rows of {side} were used to train"):
        MMDTest(kl, n_permutations=9).test(*args)
    ok = np.vstack([X[:2], fresh[:8]])
    MMDTest(kl, n_permutations=9).test(ok, fresh[10:])
    # rescaled training rows are refused too
    with pytest.raises(ValueError, match="used to train"):
        MMDTest(kl, n_permutations=9).test(2.5 * X[:10], fresh[:10])
    # n = 4: max(1, ceil(0.8)) = 1 training row tolerated
    MMDTest(kl, n_permutations=9).test(np.vstack([X[:1], fresh[:3]]), fresh[3:7])
    with pytest.raises(ValueError, match="at most max"):
        MMDTest(kl, n_permutations=9).test(np.vstack([X[:2], fresh[:2]]), fresh[3:7])


def test_split_populations_is_disjoint_and_stratified():
    y = np.repeat(["human", "gpt", "llama"], [50, 30, 21])
    tr, va, te = split_populations(
        y, train_size=0.4, validation_size=0.2, random_state=0
    )
    allidx = np.concatenate([tr, va, te])
    assert np.array_equal(np.sort(allidx), np.arange(y.size))
    for lab, n in (("human", 50), ("gpt", 30), ("llama", 21)):
        assert np.sum(y[tr] == lab) == int(0.4 * n)
        assert np.sum(y[va] == lab) == int(0.2 * n)
    again = split_populations(y, train_size=0.4, validation_size=0.2, random_state=0)
    assert all(np.array_equal(a, b) for a, b in zip(again, (tr, va, te)))
    assert split_populations(y, random_state=1).validation.size == 0


def test_split_populations_bad_input():
    y = np.repeat([0, 1], 10)
    with pytest.raises(ValueError, match="train_size"):
        split_populations(y, train_size=1.5)
    with pytest.raises(ValueError, match="below 1"):
        split_populations(y, train_size=0.6, validation_size=0.4)
    with pytest.raises(ValueError, match="too few"):
        split_populations(np.array([0, 1, 1, 1]), train_size=0.5)


@pytest.mark.slow
def test_guard_keeps_train_vs_fresh_type_one_error_at_alpha(rng):
    # Kernels learned on 300 human answers (two fake populations of 150) are
    # tested on n = 20 of their own training rows of one population against 20
    # fresh human answers: H0 holds, but without the guard the overfitted
    # kernel rejects far too often. With the guard such tests are refused
    # (counted as "not rejected"), and the worst case it accepts (ceil(0.2 n)
    # = 4 training rows + 16 fresh rows) keeps the level.
    H = load_mgt_embeddings("truthfulqa", dtype=np.float64).human
    perm = rng.permutation(len(H))
    train, fresh = H[perm[:300]], H[perm[300:]]
    y = np.repeat([0, 1], 150)
    kernels = [
        KernelLearner(
            obj,
            n_components=32,
            max_iter=60,
            batch_size=150,
            validation_fraction=0.0,  # the setting of the measurements on the page
            random_state=s,
        )
        .fit(train, y)
        .kernel_
        for s, obj in enumerate(["mmd-mp", "mmd-d"])
    ]
    n, alpha, reps = 20, 0.05, 200
    se = np.sqrt(alpha * (1 - alpha) / reps)
    for n_train_rows in (n, 4):
        raw = guarded = 0
        for rep in range(reps):
            k = kernels[rep % 2]
            src = train[:150] if rep % 4 < 2 else train[150:]
            i = rng.choice(150, n_train_rows, replace=False)
            j = rng.choice(len(fresh), 2 * n - n_train_rows, replace=False)
            X = np.vstack([src[i], fresh[j[: n - n_train_rows]]])
            Y = fresh[j[n - n_train_rows :]]
            if rep % 3 == 1:
                X, Y = 3.0 * X, 3.0 * Y  # a common rescaling hides nothing
            test = MMDTest(k, n_permutations=99, random_state=rep)
            raw += test.set_params(check_held_out=False).test(X, Y).pvalue <= alpha
            try:
                res = test.set_params(check_held_out=True).test(X, Y)
            except ValueError:
                continue  # refused: no rejection
            guarded += res.pvalue <= alpha
        assert guarded / reps <= alpha + 3 * se  # 0.096
        if n_train_rows == n:
            assert guarded == 0
            assert raw / reps > alpha + 3 * se  # the scenario is a real hazard


@pytest.mark.parametrize("value", ["no", "false", 0, None])
def test_check_held_out_must_be_a_boolean(value):
    # "no" is truthy: it used to keep the guard on, against the caller's intent
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(10, 2)), rng.normal(size=(10, 2))
    with pytest.raises(TypeError, match="'check_held_out' parameter of MMDTest"):
        MMDTest(n_permutations=9, check_held_out=value).test(X, Y)
    assert MMDTest(n_permutations=9, check_held_out=np.False_).test(X, Y).pvalue > 0
