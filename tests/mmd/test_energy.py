"""The energy-distance test (EnergyKernel + energy_test on the MMDTest engine)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statnorm.mmd import EnergyKernel, MMDTest, _stats, energy_test, mmd2


def _samples(n=40, m=55, d=3, seed=1, shift=0.3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(shift, size=(m, d))


def _energy_loops(X, Y, p=1.0, unbiased=False):
    """Energy distance by explicit double loops (the definition)."""

    def mean_dist(A, B, skip_diag):
        tot, cnt = 0.0, 0
        for i in range(len(A)):
            for j in range(len(B)):
                if skip_diag and i == j:
                    continue
                tot += np.sqrt(np.sum((A[i] - B[j]) ** 2)) ** p
                cnt += 1
        return tot / cnt

    return (
        2 * mean_dist(X, Y, False)
        - mean_dist(X, X, unbiased)
        - mean_dist(Y, Y, unbiased)
    )


@pytest.mark.parametrize("estimator", ["biased", "unbiased"])
@pytest.mark.parametrize("p", [1.0, 0.5, 1.5])
def test_statistic_equals_the_definition(estimator, p):
    X, Y = _samples(12, 9)
    got = energy_test(X, Y, exponent=p, statistic=estimator, n_permutations=9)
    want = _energy_loops(X, Y, p, unbiased=estimator == "unbiased")
    assert got.statistic == pytest.approx(want, rel=1e-12, abs=1e-14)
    # MMD^2 with the distance-induced kernel is half the energy distance
    k = EnergyKernel(p)
    assert 2 * mmd2(X, Y, kernel=k, statistic=estimator) == pytest.approx(
        want, rel=1e-12, abs=1e-14
    )


@pytest.mark.parametrize(
    ("estimator", "dcor_stat"), [("biased", "V"), ("unbiased", "U")]
)
@pytest.mark.parametrize("p", [1.0, 1.5])
def test_statistic_equals_dcor(estimator, dcor_stat, p):
    dcor = pytest.importorskip("dcor")
    for n, m in ((40, 55), (50, 50)):
        X, Y = _samples(n, m)
        got = energy_test(X, Y, exponent=p, statistic=estimator, n_permutations=9)
        want = dcor.energy_distance(X, Y, exponent=p, estimation_stat=dcor_stat)
        assert got.statistic == pytest.approx(want, rel=1e-10, abs=1e-12)


def test_duplicated_rows_and_far_from_origin_match_dcor():
    # exact duplicates across the samples (GEMM distances would give ~1e-8
    # instead of 0) and an offset of 1e4 (the kernel is centred at the mean)
    dcor = pytest.importorskip("dcor")
    X, Y = _samples(30, 20)
    Y[:10] = X[:10]
    for off in (0.0, 1e4):
        got = energy_test(X + off, Y + off, n_permutations=9).statistic
        want = dcor.energy_distance(X + off, Y + off)
        assert got == pytest.approx(want, rel=1e-10, abs=1e-12)


def test_pvalue_agrees_with_dcor_within_monte_carlo_error():
    dcor = pytest.importorskip("dcor")
    X, Y = _samples(30, 30, seed=8, shift=0.1)
    R = 1999
    d = dcor.homogeneity.energy_test(X, Y, num_resamples=R, random_state=0)
    res = energy_test(X, Y, n_permutations=R, random_state=0)
    # dcor's statistic is n m / (n + m) times the V-statistic
    assert d.statistic == pytest.approx(30 * 30 / 60 * res.statistic, rel=1e-10)
    assert 0.02 < res.pvalue < 0.9
    se = np.sqrt(res.pvalue * (1 - res.pvalue) * 2 / R)
    assert abs(d.pvalue - res.pvalue) <= 4 * se


def test_energy_test_is_mmdtest_with_the_energy_kernel():
    X, Y = _samples()
    for est in ("biased", "unbiased"):
        e = energy_test(X, Y, statistic=est, n_permutations=199, random_state=3)
        m = MMDTest("energy", statistic=est, n_permutations=199, random_state=3).test(
            X, Y
        )
        assert e.statistic == pytest.approx(2 * m.statistic, rel=1e-14)
        np.testing.assert_allclose(e.null_distribution, 2 * m.null_distribution)
        assert e.pvalue == m.pvalue
        assert e.pvalue_asymptotic == m.pvalue_asymptotic
        assert isinstance(e.kernel, EnergyKernel) and e.kernel.center is not None


def test_equal_sizes_biased_and_unbiased_give_the_same_pvalue():
    X, Y = _samples(35, 35, shift=0.2)
    b = energy_test(X, Y, n_permutations=299, random_state=0)
    u = energy_test(X, Y, statistic="unbiased", n_permutations=299, random_state=0)
    assert b.pvalue == u.pvalue


def test_blocked_path_equals_full(monkeypatch):
    X, Y = _samples(31, 26)
    kw = dict(n_permutations=150, random_state=2)
    monkeypatch.setattr(_stats, "_FULL_GRAM_MAX", 10**9)
    full = energy_test(X, Y, **kw)
    monkeypatch.setattr(_stats, "_FULL_GRAM_MAX", 0)
    monkeypatch.setattr(_stats, "_BLOCK_ROWS", 7)
    blk = energy_test(X, Y, **kw)
    assert blk.statistic == pytest.approx(full.statistic, rel=1e-12)
    np.testing.assert_allclose(blk.null_distribution, full.null_distribution, 1e-12)
    assert blk.pvalue == full.pvalue
    assert blk.pvalue_asymptotic == pytest.approx(full.pvalue_asymptotic, rel=1e-9)


def test_dask_mmd2_equals_in_memory():
    da = pytest.importorskip("dask.array")
    X, Y = _samples(40, 30)
    Xd, Yd = da.from_array(X, chunks=13), da.from_array(Y + 100.0, chunks=11)
    for est in ("biased", "unbiased", "linear"):
        want = mmd2(X, Y + 100.0, kernel="energy", statistic=est)
        got = mmd2(Xd, Yd, kernel="energy", statistic=est)
        assert got == pytest.approx(want, rel=1e-10, abs=1e-12)


def test_kernel_values_and_centre():
    A = np.array([[3.0, 4.0], [0.0, 0.0]])
    K = EnergyKernel()(A)
    np.testing.assert_allclose(K, [[5.0, 0.0], [0.0, 0.0]])
    kc = EnergyKernel(center=[3.0, 0.0])
    np.testing.assert_allclose(kc.diag(A), [4.0, 3.0])
    np.testing.assert_allclose(kc.paired(A, A[::-1]), np.diag(kc(A, A[::-1])))
    b = EnergyKernel(1.5).bind(A)
    np.testing.assert_allclose(b.center, [1.5, 2.0])
    assert b.exponent == 1.5 and "center" in repr(b)


def test_bad_parameters_name_the_argument():
    X, Y = _samples(10, 10)
    for bad in (0.0, 2.0, -1.0, np.nan):
        with pytest.raises(ValueError, match="exponent"):
            energy_test(X, Y, exponent=bad)
    for bad in ("1", True, None):
        with pytest.raises(TypeError, match="exponent"):
            energy_test(X, Y, exponent=bad)
    with pytest.raises(ValueError, match="center"):
        EnergyKernel(center=[[0.0]])(X)
    with pytest.raises(ValueError, match="center"):
        EnergyKernel(center=[np.nan, 0.0, 0.0])(X)
    with pytest.raises(ValueError, match="features"):
        EnergyKernel(center=[0.0, 0.0])(X)
    with pytest.raises(ValueError, match="statistic"):
        energy_test(X, Y, statistic="linear")


# -- validity and power -------------------------------------------------------


@pytest.mark.slow
def test_size_at_005_and_power_under_a_shift():
    # H0: N(0, I_3) vs N(0, I_3), n = m = 50, 99 permutations. The conservative
    # permutation p-value has size exactly floor(0.05 * 100) / 100 = 0.05 for
    # continuous data; the bound is three Monte Carlo standard errors.
    alpha, reps, n = 0.05, 400, 50
    se = np.sqrt(alpha * (1 - alpha) / reps)
    rng = np.random.default_rng(20261207)
    rej = pw = 0
    for rep in range(reps):
        X, Y = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
        rej += energy_test(X, Y, n_permutations=99, random_state=rep).pvalue <= alpha
        if rep < 100:
            Y = rng.normal(size=(n, 3)) + np.array([0.4, 0.0, 0.0])
            res = energy_test(X, Y, n_permutations=99, random_state=rep)
            pw += res.pvalue <= alpha
    size, power = rej / reps, pw / 100
    assert abs(size - alpha) <= 3 * se
    assert power > size + 3 * np.sqrt(power * (1 - power) / 100 + se**2)


# -- invariances --------------------------------------------------------------

_t = st.sampled_from([1e-200, 1e-3, 0.37, 1.0, 8.0, 1e5, 1e200])


def _rotation(seed, d=3):
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))
    return q * np.sign(np.diag(r))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    shift=st.floats(-1e3, 1e3, allow_nan=False),
    estimator=st.sampled_from(["biased", "unbiased"]),
)
def test_statistic_is_translation_and_rotation_invariant(seed, shift, estimator):
    X, Y = _samples(20, 25, seed=seed)
    Q = _rotation(seed)
    kw = dict(statistic=estimator, n_permutations=49, random_state=seed)
    a = energy_test(X, Y, **kw)
    b = energy_test(X @ Q + shift, Y @ Q + shift, **kw)
    # the data are rounded once by the shift: relative error ~ eps |shift| / |X|
    tol = 1e-12 * (1.0 + abs(shift)) * 10
    assert b.statistic == pytest.approx(a.statistic, abs=tol)
    if np.all(np.abs(a.null_distribution - a.statistic) > 10 * tol):
        assert b.pvalue == a.pvalue


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), t=_t, p=st.sampled_from([1.0, 0.5, 1.5]))
def test_statistic_scales_as_t_to_the_exponent(seed, t, p):
    X, Y = _samples(20, 25, seed=seed)
    a = energy_test(X, Y, exponent=p, n_permutations=49, random_state=seed)
    b = energy_test(t * X, t * Y, exponent=p, n_permutations=49, random_state=seed)
    assert np.isfinite(b.statistic)
    assert b.statistic == pytest.approx(t**p * a.statistic, rel=1e-9)
    np.testing.assert_allclose(b.null_distribution, t**p * a.null_distribution, 1e-9)
    assert b.pvalue == a.pvalue
