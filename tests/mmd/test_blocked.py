"""The blocked permutation test (bounded memory) equals the full-Gram path."""

import numpy as np
import pytest

from statnorm.mmd import GaussianKernel, MMDTest, _stats


def _run(monkeypatch, blocked, X, Y, **kw):
    if blocked:
        monkeypatch.setattr(_stats, "_FULL_GRAM_MAX", 0)
        monkeypatch.setattr(_stats, "_BLOCK_ROWS", 7)  # tiny: many row blocks
    else:
        monkeypatch.setattr(_stats, "_FULL_GRAM_MAX", 10**9)
    return MMDTest(**kw).test(X, Y)


@pytest.mark.parametrize("estimator", ["unbiased", "biased"])
@pytest.mark.parametrize("kernel", ["gaussian", 3.0])
@pytest.mark.parametrize("shift", [0.0, 0.4])
def test_blocked_equals_full(monkeypatch, estimator, kernel, shift):
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(41, 4)), rng.normal(shift, size=(30, 4))
    kw = dict(kernel=kernel, statistic=estimator, n_permutations=300, random_state=5)
    full = _run(monkeypatch, False, X, Y, **kw)
    blk = _run(monkeypatch, True, X, Y, **kw)
    np.testing.assert_allclose(blk.statistic, full.statistic, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        blk.null_distribution, full.null_distribution, rtol=1e-12, atol=1e-14
    )
    assert blk.pvalue == full.pvalue
    np.testing.assert_allclose(
        blk.pvalue_asymptotic, full.pvalue_asymptotic, rtol=1e-10, atol=1e-14
    )
    assert blk.kernel.bandwidth == full.kernel.bandwidth


@pytest.mark.filterwarnings("ignore:method='asymptotic':UserWarning")
def test_blocked_asymptotic_and_callable_kernel(monkeypatch):
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(25, 3)), rng.normal(0.3, size=(33, 3))

    def lap(A, B):
        return np.exp(-np.abs(A[:, None, :] - B[None, :, :]).sum(-1) / 2.0)

    for kernel in (lap, GaussianKernel(2.0)):
        kw = dict(kernel=kernel, method="asymptotic")
        full = _run(monkeypatch, False, X, Y, **kw)
        blk = _run(monkeypatch, True, X, Y, **kw)
        assert blk.null_distribution is None
        np.testing.assert_allclose(blk.statistic, full.statistic, rtol=1e-12)
        np.testing.assert_allclose(blk.pvalue, full.pvalue, rtol=1e-10)


def test_blocked_ties_randomized(monkeypatch):
    rng = np.random.default_rng(6)
    X, Y = rng.normal(size=(20, 2)), rng.normal(size=(20, 2))
    kw = dict(kernel=1.5, ties="randomized", n_permutations=257, random_state=1)
    full = _run(monkeypatch, False, X, Y, **kw)
    blk = _run(monkeypatch, True, X, Y, **kw)
    np.testing.assert_allclose(blk.pvalue, full.pvalue, rtol=1e-12)


@pytest.mark.parametrize("kernel", ["gaussian", 2.5])
def test_detector_fit_blocked_equals_full(monkeypatch, kernel):
    from statnorm.mmd import MMDDetector

    rng = np.random.default_rng(7)
    R, Q = rng.normal(size=(53, 3)), rng.normal(0.5, size=(9, 3))
    monkeypatch.setattr(_stats, "_FULL_GRAM_MAX", 10**9)
    full = MMDDetector(kernel=kernel).fit(R)
    monkeypatch.setattr(_stats, "_FULL_GRAM_MAX", 0)
    monkeypatch.setattr(_stats, "_BLOCK_ROWS", 5)
    blk = MMDDetector(kernel=kernel).fit(R)
    assert blk.kernel_.bandwidth == full.kernel_.bandwidth
    np.testing.assert_allclose(blk.reference_mean_, full.reference_mean_, rtol=1e-12)
    np.testing.assert_allclose(
        blk.score_samples(Q), full.score_samples(Q), rtol=1e-12, atol=1e-15
    )
