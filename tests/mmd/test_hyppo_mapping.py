"""What hyppo's ``ksample.MMD`` and ``ksample.Energy`` compute, from statnorm's numbers.

hyppo (0.5.2) runs a two-sample test as an independence test between the
pooled sample and its group labels: ``MMD`` is ``2 n^2 m^2 / N^4`` times the
distance *correlation* (``Dcorr``) between ``1 - K / max K`` and the label
distance, ``Energy`` is ``N^4 / (2 n^2 m^2)`` times the distance
*covariance*; ``bias=False`` (the default) U-centres, ``bias=True`` double
centres and takes square roots. The relations below are derived on the
method page (docs/methods/mmd.rst, "Relation to hyppo"); these tests check
them to 1e-10 with one fixed kernel.
"""

import warnings

import numpy as np
import pytest

from statnorm.mmd import EnergyKernel, GaussianKernel, MMDTest, energy_test, mmd2

hyppo_ksample = pytest.importorskip("hyppo.ksample")


def _hyppo(test, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba / deprecation chatter
        return test(*args, **kw)


def _samples(n, m, seed=0, shift=0.3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 3)), rng.normal(shift, size=(m, 3))


def _u_centre(A):
    """U-centring (Szekely & Rizzo 2014) of ``A`` with its diagonal set to 0."""
    A = A.copy()
    np.fill_diagonal(A, 0.0)
    N = A.shape[0]
    r = A.sum(axis=1)
    U = A - (r[:, None] + r[None, :]) / (N - 2) + A.sum() / ((N - 1) * (N - 2))
    np.fill_diagonal(U, 0.0)
    return U


def _same_sample(n, m):
    S = np.zeros((n + m, n + m))
    S[:n, :n] = S[n:, n:] = 1.0
    return S


def _hyppo_mmd_from_statnorm(X, Y, sigma, bias):
    """hyppo's ``MMD(bias=bias, gamma=1 / sigma).statistic`` from statnorm's output."""
    n, m = len(X), len(Y)
    N = n + m
    K = GaussianKernel(sigma)(np.vstack([X, Y]))
    scale = 2.0 * n**2 * m**2 / N**4
    if bias:
        H = np.eye(N) - 1.0 / N
        mmd_b = mmd2(X, Y, kernel=sigma, statistic="biased")
        return scale * np.sqrt(n * m * mmd_b / (N * np.linalg.norm(H @ K @ H)))
    UK, US = _u_centre(K), _u_centre(_same_sample(n, m))
    if n == m:
        # <U(K), U(S)> = n^2 (n - 1) / (2n - 1) * MMD^2_u, |U(S)|^2 = 2 n^2 (n-1)/(2n-1)
        mmd_u = mmd2(X, Y, kernel=sigma)
        return (
            scale
            * n
            * np.sqrt((n - 1) / (2 * (2 * n - 1)))
            * mmd_u
            / (np.linalg.norm(UK))
        )
    return scale * (UK * US).sum() / (np.linalg.norm(UK) * np.linalg.norm(US))


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(("n", "m"), [(30, 30), (25, 40)])
def test_hyppo_mmd_statistic_from_statnorm(bias, n, m):
    X, Y = _samples(n, m)
    sigma = 4.0  # statnorm's squared bandwidth; hyppo's gamma = 1 / sigma
    got = _hyppo(hyppo_ksample.MMD(bias=bias, gamma=1.0 / sigma).statistic, X, Y)
    want = _hyppo_mmd_from_statnorm(X, Y, sigma, bias)
    assert got == pytest.approx(want, rel=1e-10, abs=1e-14)


def test_hyppo_default_bandwidth_is_twice_statnorms_median():
    # hyppo: gamma = 1 / (2 median(|a - b|)^2); statnorm: sigma = median(|a - b|^2).
    # With an odd number of pairs (N = 50: 1225) the medians coincide, so
    # hyppo's default kernel is GaussianKernel(2 * statnorm's median).
    X, Y = _samples(25, 25, seed=3)
    sigma = MMDTest(n_permutations=1).test(X, Y).kernel.bandwidth
    got = _hyppo(hyppo_ksample.MMD().statistic, X, Y)
    assert got == pytest.approx(
        _hyppo_mmd_from_statnorm(X, Y, 2.0 * sigma, bias=False), rel=1e-10
    )


@pytest.mark.parametrize(("n", "m"), [(30, 30), (25, 40)])
def test_hyppo_energy_statistic_from_statnorm(n, m):
    X, Y = _samples(n, m, seed=1)
    N = n + m
    e_v = energy_test(X, Y, n_permutations=1).statistic
    got = _hyppo(hyppo_ksample.Energy(bias=True).statistic, X, Y)
    # biased: the square root of the V-statistic times N^4 / (2 n^2 m^2)
    assert got == pytest.approx(np.sqrt(e_v * N**4 / (2 * n**2 * m**2)), rel=1e-10)
    got = _hyppo(hyppo_ksample.Energy().statistic, X, Y)
    if n == m:
        e_u = energy_test(X, Y, statistic="unbiased", n_permutations=1).statistic
        want = 4 * n * (n - 1) / ((2 * n - 1) * (2 * n - 3)) * e_u
    else:
        # <D, U(Delta)> / (N (N - 3)) with D the distances from the energy
        # kernel, D_ij = k(i, i) + k(j, j) - 2 k(i, j), Delta = 1 - S
        Z = np.vstack([X, Y])
        K = EnergyKernel().bind(Z)(Z)
        d = np.diag(K)
        D = d[:, None] + d[None, :] - 2.0 * K
        U = _u_centre(1.0 - _same_sample(n, m))
        want = (D * U).sum() / (N * (N - 3)) * N**4 / (2 * n**2 * m**2)
    assert got == pytest.approx(want, rel=1e-10, abs=1e-14)


def _agree(p1, R1, p2, R2):
    """Two Monte Carlo estimates of one permutation p-value: within 4 s.e."""
    p = (p1 * R1 + p2 * R2) / (R1 + R2)
    se = np.sqrt(max(p * (1 - p), 0.01) * (1 / R1 + 1 / R2))
    return abs(p1 - p2) <= 4 * se + 1 / min(R1, R2)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("n", "m", "bias"), [(30, 30, False), (30, 30, True), (25, 40, True)]
)
def test_hyppo_permutation_pvalue_agrees(n, m, bias):
    # The same statistic up to a permutation-invariant monotone map: with
    # bias=True (any n, m) that of statnorm's biased MMD^2, with bias=False
    # and n = m that of the unbiased one (for n != m hyppo's U-centred
    # statistic weights the three kernel blocks differently). hyppo ignores
    # random_state in this path and draws from numpy's global generator.
    X, Y = _samples(n, m, seed=7, shift=0.1)
    sigma, R = 4.0, 2000
    np.random.seed(0)  # noqa: NPY002 (hyppo's permutations come from it)
    _, p_h = _hyppo(
        hyppo_ksample.MMD(bias=bias, gamma=1.0 / sigma).test,
        X,
        Y,
        reps=R,
        workers=1,
        auto=False,
    )
    est = "biased" if bias else "unbiased"
    res = MMDTest(sigma, statistic=est, n_permutations=4999, random_state=0).test(X, Y)
    assert 0.02 < res.pvalue < 0.9  # an informative comparison
    assert _agree(p_h, R, res.pvalue, 4999)


@pytest.mark.slow
def test_hyppo_energy_permutation_pvalue_agrees():
    X, Y = _samples(30, 30, seed=8, shift=0.1)
    R = 2000
    np.random.seed(1)  # noqa: NPY002
    _, p_h = _hyppo(
        hyppo_ksample.Energy(bias=True).test, X, Y, reps=R, workers=1, auto=False
    )
    res = energy_test(X, Y, n_permutations=4999, random_state=0)
    assert 0.02 < res.pvalue < 0.9
    assert _agree(p_h, R, res.pvalue, 4999)
