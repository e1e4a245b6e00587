"""MMD statistics, the test-power criterion and the permutation test."""

import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator

from .._optim import loop_progress
from .._threads import blas_threads
from .._validation import (
    RANDOM_STATE,
    Hidden,
    Interval,
    StrOptions,
    check_2d,
    check_same_n_features,
    spawn_seeds,
    validate_params,
)
from ..results import Result, TestResult
from ._kernel import _MEDIAN_MAX_POINTS as _MEDIAN_ROWS
from ._kernel import (
    DeepKernel,
    EnergyKernel,
    GaussianKernel,
    _mean_rows,
    _pow2_scale,
    _sq_dists,
    bind_and_gram,
    resolve_kernel,
)

__all__ = ["MMDTest", "MMDTestResult", "PowerCriterion", "mmd2", "power_criterion"]

_ESTIMATORS = ("unbiased", "biased", "linear")
_PERM_BLOCK = 128  # permutations per GEMM block (fixed: results do not depend on it)


#: Beyond this magnitude squared distances overflow float64.
_TOO_LARGE = 1e150


def _check_samples(X, Y, names=("X", "Y"), kernel=None):
    """Validate both samples; rescale huge values when the kernel allows it.

    The median-heuristic Gaussian kernel depends on the data only through
    squared distances divided by their median, so a common rescaling of X
    and Y by a power of two (exact in floating point) changes nothing; it is
    applied when values are so large that squared distances would overflow.
    With any other kernel such data are an error.
    """
    X = check_2d(X, name=names[0], min_samples=2)
    Y = check_2d(Y, name=names[1], min_samples=2)
    check_same_n_features(X, Y, names=names)
    big = max(np.abs(X).max(), np.abs(Y).max())
    k = resolve_kernel(kernel) if kernel is not None else None
    median = isinstance(k, GaussianKernel) and k.bandwidth == "median"
    if median and (big > _TOO_LARGE or 0 < big < 1 / _TOO_LARGE):
        # squared distances would overflow or underflow: rescale exactly
        scale = 2.0 ** -np.ceil(np.log2(big))
        return X * scale, Y * scale
    if big > _TOO_LARGE and not isinstance(k, EnergyKernel):
        # (the energy kernel scales the rows by a power of two itself)
        who = names[0] if np.abs(X).max() > _TOO_LARGE else names[1]
        raise ValueError(
            f"{who} holds values of magnitude up to {big:.3g}: squared distances "
            "overflow float64 with this kernel. Divide X and Y by a common scale "
            "(and the bandwidth by its square), or use the median-heuristic "
            "Gaussian kernel, which is invariant to a common scale."
        )
    return X, Y


def _statistic_constraints(allowed=_ESTIMATORS):
    """Constraints of ``statistic`` and of its deprecated alias ``estimator``."""
    return {
        "statistic": [StrOptions(set(allowed))],
        "estimator": [StrOptions(set(allowed)), Hidden(StrOptions({"deprecated"}))],
    }


def _resolve_statistic(statistic, estimator, *, stacklevel=3):
    """``statistic``, or the deprecated ``estimator`` (with a FutureWarning) if given."""
    if isinstance(estimator, str) and estimator == "deprecated":
        return statistic
    warnings.warn(
        "estimator was renamed statistic; it will be removed in 0.2. Pass "
        f"statistic={estimator!r} instead.",
        FutureWarning,
        stacklevel=stacklevel,
    )
    return estimator


def _mmd2_from_gram(K, n, estimator):
    """MMD^2 from the pooled Gram matrix of ``[X; Y]`` with ``n`` rows of X."""
    m = K.shape[0] - n
    Kxx, Kyy, Kxy = K[:n, :n], K[n:, n:], K[:n, n:]
    sxx, syy, sxy = Kxx.sum(), Kyy.sum(), Kxy.sum()
    if estimator == "biased":
        return float(sxx / n**2 + syy / m**2 - 2.0 * sxy / (n * m))
    txx, tyy = np.trace(Kxx), np.trace(Kyy)
    return float(
        (sxx - txx) / (n * (n - 1)) + (syy - tyy) / (m * (m - 1)) - 2.0 * sxy / (n * m)
    )


@validate_params(
    {
        "X": "no_validation",
        "Y": "no_validation",
        "kernel": "no_validation",
        **_statistic_constraints(),
    },
    prefer_skip_nested_validation=True,
)
def mmd2(X, Y, *, kernel="gaussian", statistic="unbiased", estimator="deprecated"):
    r"""Squared maximum mean discrepancy between two samples.

    Parameters
    ----------
    X : array-like or dask.array.Array of shape (n, n_features)
        First sample (e.g. human-written texts), at least 2 rows.
    Y : array-like or dask.array.Array of shape (m, n_features)
        Second sample (e.g. machine-generated texts), at least 2 rows. If
        either sample is a Dask array, the kernel sums are computed over pairs
        of row blocks on the Dask scheduler (the Gram matrix is never held).
    kernel : str, float, kernel object or callable, default="gaussian"
        ``"gaussian"``: ``exp(-||a-b||^2 / sigma)`` with ``sigma`` the median
        squared distance of the pooled sample; a float is ``sigma`` itself;
        ``"energy"``: :class:`EnergyKernel` (MMD^2 is then half the energy
        distance); a callable ``f(A, B)`` must return the Gram matrix.
    statistic : {"unbiased", "biased", "linear"}, default="unbiased"
        ``"unbiased"``: the two-sample U-statistic of Gretton et al. (2012),
        :math:`\frac{1}{n(n-1)}\sum_{i\ne j}k(x_i,x_j) +
        \frac{1}{m(m-1)}\sum_{i\ne j}k(y_i,y_j) - \frac{2}{nm}\sum_{i,j}k(x_i,y_j)`;
        ``"biased"``: the V-statistic (all diagonals kept); ``"linear"``: the
        linear-time estimator over ``floor(min(n, m) / 2)`` disjoint pairs.
    estimator : {"unbiased", "biased", "linear"}
        Deprecated alias of ``statistic`` (renamed in 0.1; removed in 0.2):
        passing it raises a FutureWarning and overrides ``statistic``.

    Returns
    -------
    mmd2 : float
        The estimate (the unbiased and linear ones can be negative).

    See Also
    --------
    power_criterion : The paired one-sample U-statistic and its variance used
        to learn kernels (MMD-D / MMD-MP).

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.mmd import mmd2
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(size=(50, 3)), rng.normal(1.0, size=(50, 3))
    >>> round(mmd2(X, Y, kernel=6.0), 3)
    0.163
    """
    estimator = _resolve_statistic(statistic, estimator, stacklevel=4)
    from .._parallel import is_dask_array

    if is_dask_array(X) or is_dask_array(Y):
        return _mmd2_dask(X, Y, kernel, estimator)
    X, Y = _check_samples(X, Y, kernel=kernel)
    if estimator == "linear":
        # no Gram matrix: only the paired kernel values (the median heuristic,
        # if used, looks at most at 4,000 rows)
        k = resolve_kernel(kernel).bind(np.vstack([X, Y]))
        h = min(X.shape[0], Y.shape[0]) // 2
        x1, x2 = X[0 : 2 * h : 2], X[1 : 2 * h : 2]
        y1, y2 = Y[0 : 2 * h : 2], Y[1 : 2 * h : 2]
        vals = k.paired(x1, x2) + k.paired(y1, y2) - k.paired(x1, y2) - k.paired(x2, y1)
        return float(vals.mean())
    _, K = bind_and_gram(resolve_kernel(kernel), np.vstack([X, Y]))
    return _mmd2_from_gram(K, X.shape[0], estimator)


def _mmd2_dask(X, Y, kernel, estimator):
    """:func:`mmd2` of Dask arrays: kernel sums over pairs of row blocks.

    Each task evaluates the kernel between two row blocks and returns their
    sum, so memory per task is one ``(chunk, chunk)`` block of the Gram
    matrix; the kernel is bound first (the median heuristic computes at most
    4,000 evenly spaced rows of the pooled sample, as in memory).
    """
    import dask
    import dask.array as da

    from .._parallel import check_dask_array, finite_blocks

    X = finite_blocks(check_dask_array(da.asarray(X), name="X").astype(np.float64))
    Y = finite_blocks(check_dask_array(da.asarray(Y), name="Y").astype(np.float64), "Y")
    for A, name in ((X, "X"), (Y, "Y")):
        if A.shape[0] < 2:
            raise ValueError(
                f"{name} has {A.shape[0]} sample(s); at least 2 are required."
            )
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X and Y must have the same number of features; got {X.shape[1]} "
            f"and {Y.shape[1]}."
        )
    n, m = X.shape[0], Y.shape[0]
    k = resolve_kernel(kernel)
    Zsub = None
    if getattr(k, "bandwidth", None) == "median":
        Z = da.concatenate([X, Y])
        if n + m > _MEDIAN_ROWS:
            Z = Z[np.linspace(0, n + m - 1, _MEDIAN_ROWS).astype(np.intp)]
        Zsub = np.asarray(Z.compute())
    elif isinstance(k, EnergyKernel):
        # centred at the pooled mean, as in memory (one pass over the blocks)
        Zsub = np.asarray(da.concatenate([X, Y]).mean(axis=0).compute())[None, :]
    k = k.bind(Zsub)
    X, Y = X.rechunk({1: -1}), Y.rechunk({1: -1})
    if estimator == "linear":
        h = min(n, m) // 2
        x1 = X[0 : 2 * h : 2]
        parts = [x1] + [
            A.rechunk(x1.chunks) for A in (X[1 : 2 * h : 2], Y[0 : 2 * h : 2])
        ]
        parts.append(Y[1 : 2 * h : 2].rechunk(x1.chunks))

        def linear_block(a1, a2, b1, b2):
            return (
                k.paired(a1, a2)
                + k.paired(b1, b2)
                - k.paired(a1, b2)
                - k.paired(a2, b1)
            )

        vals = da.map_blocks(
            linear_block, *parts, drop_axis=1, dtype=np.float64, meta=np.empty(0)
        )
        return float(vals.mean().compute())

    def block_sum(a, b):
        return np.array([[k(a, b).sum()]])

    def pair_sum(A, B):
        return da.blockwise(
            block_sum,
            "ij",
            A,
            "ik",
            B,
            "jk",
            concatenate=True,
            adjust_chunks={"i": 1, "j": 1},
            dtype=np.float64,
            meta=np.empty((0, 0)),
        ).sum()

    def trace(A):
        return A.map_blocks(
            k.diag, drop_axis=1, dtype=np.float64, meta=np.empty(0)
        ).sum()

    sxx, syy, sxy, txx, tyy = dask.compute(
        pair_sum(X, X), pair_sum(Y, Y), pair_sum(X, Y), trace(X), trace(Y)
    )
    if estimator == "biased":
        return float(sxx / n**2 + syy / m**2 - 2.0 * sxy / (n * m))
    return float(
        (sxx - txx) / (n * (n - 1)) + (syy - tyy) / (m * (m - 1)) - 2.0 * sxy / (n * m)
    )


@dataclass(frozen=True, repr=False)
class PowerCriterion(Result):
    """Statistic, variance and test-power criterion of MMD-D / MMD-MP.

    Attributes
    ----------
    statistic : float
        Paired one-sample U-statistic (MMD^2_u, or the MPP statistic without
        the machine-machine term for ``objective="mmd-mp"``).
    variance : float
        Plug-in variance estimate (diagonal kept, as in the reference code).
    criterion : float
        ``(statistic [+ 1e-8 for mmd-d]) / sqrt(variance + 1e-8)``, the
        quantity the kernel learner maximises.
    """

    statistic: float
    variance: float
    criterion: float


def _criterion_terms(Kxx, Kyy, Kxy, drop_yy):
    """Paired U-statistic and plug-in variance (Liu et al. 2020; Zhang et al. 2024).

    Equal sizes n. The statistic removes every diagonal including the paired
    cross-diagonal k(x_i, y_i); the variance keeps the diagonal.
    """
    n = Kxx.shape[0]
    cyy = 0.0 if drop_yy else 1.0
    off = n * (n - 1)
    xx = (Kxx.sum() - np.trace(Kxx)) / off
    yy = (Kyy.sum() - np.trace(Kyy)) / off
    xy = (Kxy.sum() - np.trace(Kxy)) / off
    stat = xx + cyy * yy - 2.0 * xy
    hh = Kxx + cyy * Kyy - Kxy - Kxy.T
    r = hh.sum(axis=1)
    v1 = (r @ r) / n**3
    v2 = hh.sum() / n**2
    return float(stat), float(4.0 * (v1 - v2**2))


@validate_params(
    {
        "X": "no_validation",
        "Y": "no_validation",
        "kernel": "no_validation",
        "objective": [StrOptions({"mmd-d", "mmd-mp"})],
        "lam": [Interval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def power_criterion(X, Y, *, kernel="gaussian", objective="mmd-d", lam=1e-8):
    r"""Test-power criterion ``J = MMD^2 / sigma_H1`` of MMD-D and MMD-MP.

    Exactly what the reference code maximises on a minibatch (equal sizes
    ``n``): with :math:`H_{ij} = k(x_i,x_j) + c\,k(y_i,y_j) - k(x_i,y_j) -
    k(y_i,x_j)` (``c = 1`` for MMD-D, ``c = 0`` for MMD-MP, which drops the
    machine-machine term), the statistic is the mean of ``H_ij`` over
    ``i != j`` and the variance is
    :math:`4/n^3\sum_i(\sum_j H_{ij})^2 - 4/n^4(\sum_{ij}H_{ij})^2`
    (diagonal kept).

    Parameters
    ----------
    X, Y : array-like of shape (n, n_features)
        Two samples of equal size ``n >= 2``.
    kernel : str, float, GaussianKernel, DeepKernel or callable, default="gaussian"
        As in :func:`mmd2`.
    objective : {"mmd-d", "mmd-mp"}, default="mmd-d"
        Full MMD (MMD-D) or the multi-population proxy without ``k(y, y')``.
    lam : float, default=1e-8
        Added to the variance inside the square root.

    Returns
    -------
    result : PowerCriterion
        ``statistic``, ``variance`` and ``criterion``.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.mmd import power_criterion
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(size=(40, 2)), rng.normal(0.8, size=(40, 2))
    >>> pc = power_criterion(X, Y, kernel=4.0)
    >>> pc.criterion > 0
    True
    """
    if isinstance(lam, bool) or not np.isfinite(lam):
        # (the constraint above accepts booleans and infinity)
        raise ValueError(
            f"lam must be a non-negative finite float. Got {lam!r} instead."
        )
    X, Y = _check_samples(X, Y, kernel=kernel)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(
            "power_criterion needs samples of equal size (the paired statistic "
            f"and its variance assume it); got {X.shape[0]} and {Y.shape[0]}."
        )
    n = X.shape[0]
    _, K = bind_and_gram(resolve_kernel(kernel), np.vstack([X, Y]))
    stat, var = _criterion_terms(K[:n, :n], K[n:, n:], K[:n, n:], objective == "mmd-mp")
    shift = 1e-8 if objective == "mmd-d" else 0.0
    return PowerCriterion(stat, var, float((stat + shift) / np.sqrt(var + lam)))


@dataclass(frozen=True, repr=False)
class MMDTestResult(TestResult):
    """Result of :meth:`MMDTest.test`.

    Attributes
    ----------
    statistic : float
        Observed MMD^2 estimate (the energy distance, twice the MMD^2 with
        the :class:`EnergyKernel`, for :func:`energy_test`).
    pvalue : float
        The p-value of the chosen ``method``: ``pvalue_permutation`` or
        ``pvalue_asymptotic``.
    null_distribution : ndarray of shape (n_permutations,) or None
        The statistic on each permutation of the pooled sample (None with
        ``method="asymptotic"``).
    estimator : str
        The MMD^2 statistic, ``"unbiased"`` or ``"biased"`` (the ``statistic``
        parameter of :class:`MMDTest`; the field keeps its name because
        ``statistic`` is the observed value).
    kernel : object
        The kernel used, with its bandwidth resolved.
    method : str
        ``"permutation"`` or ``"asymptotic"``.
    pvalue_permutation : float or None
        Permutation p-value (None with ``method="asymptotic"``): with
        ``ties="conservative"``, ``(1 + #{null >= statistic}) /
        (n_permutations + 1)``; with ``ties="randomized"``, ``(#{null >
        statistic} + U (1 + #{null == statistic})) / (n_permutations + 1)``,
        ``U`` uniform on (0, 1).
    pvalue_asymptotic : float
        Gamma approximation of the null distribution (always computed; it
        costs one pass over the kernel matrix), see :class:`MMDTest`.
    """

    null_distribution: np.ndarray = None
    estimator: str = "unbiased"
    kernel: object = None
    method: str = "permutation"
    pvalue_permutation: float = None
    pvalue_asymptotic: float = None


def _permutation_null_block(seed, K, n, size, estimator):
    """MMD^2 of ``size`` random relabellings drawn from ``seed`` (one task).

    ``M`` holds 0/1 indicators of the permuted first sample, one column per
    permutation; the three block sums follow from column sums of ``M * (K M)``,
    the row sums of ``K`` and ``diag(K) @ M``. The kernel matrix is never
    recomputed or gathered per permutation.
    """
    rng = np.random.default_rng(seed)
    N = K.shape[0]
    m = N - n
    diag = np.diag(K).copy()
    rows = K.sum(axis=1)
    total, trace = rows.sum(), diag.sum()
    idx = rng.permuted(np.broadcast_to(np.arange(N), (size, N)), axis=1)[:, :n]
    M = np.zeros((N, size))
    M[idx, np.arange(size)[:, None]] = 1.0
    # one BLAS thread: the summation order (so every bit of the null
    # distribution) must not depend on where the task runs (tests/test_dask.py)
    with blas_threads(1):
        KM = K @ M
    sxx = np.einsum("ij,ij->j", M, KM)
    sxy = rows @ M - sxx
    syy = total - sxx - 2.0 * sxy
    if estimator == "biased":
        return sxx / n**2 + syy / m**2 - 2.0 * sxy / (n * m)
    txx = diag @ M
    return (
        (sxx - txx) / (n * (n - 1))
        + (syy - (trace - txx)) / (m * (m - 1))
        - 2.0 * sxy / (n * m)
    )


def _permutation_null(
    K, n, n_permutations, random_state, estimator, n_jobs=None, progress=None
):
    """MMD^2 of ``n_permutations`` random relabellings by blocked GEMMs ``K @ M``.

    The permutations are split into ``ceil(n_permutations / 128)`` equal
    blocks (the last values of the final block are dropped); block ``i``
    draws from its own seed (:func:`statnorm._parallel.run_tasks`), so the
    null distribution is the same serially, with ``n_jobs`` and on a Dask
    cluster (``joblib.parallel_backend("dask")``).
    """
    from .._parallel import run_tasks

    n_blocks = -(-n_permutations // _PERM_BLOCK)
    size = -(-n_permutations // n_blocks)
    parts = run_tasks(
        _permutation_null_block,
        n_blocks,
        random_state,
        K,
        n,
        size,
        estimator,
        n_jobs=n_jobs,
        progress=None
        if progress is None
        else lambda done, _: progress(min(done * size, n_permutations), n_permutations),
    )
    return np.concatenate(parts)[:n_permutations]


def _gamma_pvalue(K, n, stat, estimator):
    """p-value of the Gamma approximation to the null of MMD^2 (Gretton et al. 2009).

    Under H0 the biased statistic has mean ``(1/n + 1/m) (E k(z, z) - E k(z,
    z'))`` and the unbiased one mean 0; both have variance ``(2/(n(n-1)) +
    2/(m(m-1)) + 4/(nm)) E[k~(z, z')^2]``, ``k~`` the kernel centred in the
    common distribution (the statistic is a degenerate U-statistic, so the
    pair terms are uncorrelated). Every expectation is estimated on the
    pooled sample. The statistic, shifted by the null mean of the biased
    statistic where needed, is compared with the Gamma law of that mean and
    variance.
    """
    from scipy.stats import gamma

    kmax = float(np.abs(K).max())
    if kmax > 1e100:
        # the p-value is scale-free (mean and variance scale as c and c^2);
        # huge kernel values (the energy kernel on huge data) would overflow
        K, stat = K / kmax, stat / kmax
    N = K.shape[0]
    m = N - n
    diag = np.diag(K)
    off = (K.sum() - diag.sum()) / (N * (N - 1))
    mean0 = (1.0 / n + 1.0 / m) * (diag.mean() - off)
    r = K.mean(axis=1)
    Kc = K - r[:, None] - r[None, :] + r.mean()
    dc = np.diag(Kc)
    e2 = (np.sum(Kc * Kc) - dc @ dc) / (N * (N - 1))
    var0 = (2.0 / (n * (n - 1)) + 2.0 / (m * (m - 1)) + 4.0 / (n * m)) * e2
    scale = max(1.0, float(np.abs(K).max()))
    if not (mean0 > 1e-12 * scale and var0 > 1e-24 * scale**2):
        return 1.0  # the kernel cannot tell the pooled rows apart
    t = stat + mean0 if estimator == "unbiased" else stat
    return float(gamma.sf(t, mean0**2 / var0, scale=var0 / mean0))


_ASYMPTOTIC_WARNING = (
    "method='asymptotic' (the Gamma approximation of the null) is liberal: "
    "its rejection rate at level 0.05 was measured up to 0.062 (n = m from "
    "25 to 200; see the MMD method page); use method=\"permutation\" for a "
    "test that keeps its level."
)

#: Pooled sizes above this use the blocked path (the Gram matrix is never held).
_FULL_GRAM_MAX = 8000
#: Bytes of one row block of the Gram matrix in the blocked path.
_ROW_BLOCK_BYTES = 64 * 2**20
#: Rows per block in the blocked path (None: from _ROW_BLOCK_BYTES); tests set it.
_BLOCK_ROWS = None


def _gram_row_blocks(k, Z, block_rows=None):
    """Yield ``(start, K[start:stop, :])`` for row blocks of the pooled Gram matrix.

    ``k`` is a bound kernel. For a Gaussian kernel the rows are centred once,
    as in :func:`bind_and_gram`, and the diagonal distances are exactly 0.
    Memory: one ``(block_rows, N)`` block.
    """
    N = Z.shape[0]
    if block_rows is None:
        block_rows = max(1, _ROW_BLOCK_BYTES // (8 * N))
    gauss = isinstance(k, GaussianKernel)
    if gauss:
        Zc = Z - Z.mean(axis=0)
        sigma = float(k.bandwidth)
    for start in range(0, N, block_rows):
        stop = min(N, start + block_rows)
        if gauss:
            D = _sq_dists(Zc[start:stop], Zc)
            D[np.arange(stop - start), np.arange(start, stop)] = 0.0
            D *= -1.0 / sigma
            yield start, np.exp(D, out=D)
        else:
            yield start, np.asarray(k(Z[start:stop], Z), dtype=np.float64)


def _permutation_indicators(seeds, N, n, size):
    """0/1 indicator matrices of the permuted first sample, one per seed.

    Same draws as :func:`_permutation_null_block`, so the blocked and the
    full-Gram paths test the same permutations.
    """
    Ms = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        idx = rng.permuted(np.broadcast_to(np.arange(N), (size, N)), axis=1)[:, :n]
        M = np.zeros((N, size))
        M[idx, np.arange(size)[:, None]] = 1.0
        Ms.append(M)
    return np.hstack(Ms)


def _blocked_test_parts(
    k, Z, n, n_permutations, random_state, estimator, block_rows=None, progress=None
):
    """Statistic, Gamma p-value inputs and permutation null in one pass over row blocks.

    Each row block ``K_b`` of the pooled Gram matrix is computed once; for all
    permutations at once ``sxx += colsum(M[b] * (K_b @ M))`` (one GEMM per
    block), and the row sums, diagonal and sum of squares give the statistic
    and the Gamma approximation. Memory: one row block plus the ``(N, P)``
    indicator matrix (``n_permutations=0``: no indicators).
    """
    N = Z.shape[0]
    m = N - n
    P = n_permutations
    if P:
        n_blocks = -(-P // _PERM_BLOCK)
        size = -(-P // n_blocks)
        M = _permutation_indicators(spawn_seeds(random_state, n_blocks), N, n, size)
        sxx_perm = np.zeros(M.shape[1])
    rows = np.empty(N)
    diag = np.empty(N)
    sq = 0.0
    sxx = sxy = syy = 0.0
    n_row_blocks = -(-N // (block_rows or max(1, _ROW_BLOCK_BYTES // (8 * N))))
    for i, (start, Kb) in enumerate(_gram_row_blocks(k, Z, block_rows)):
        stop = start + Kb.shape[0]
        r = np.arange(stop - start)
        diag[start:stop] = Kb[r, r + start]
        rows[start:stop] = Kb.sum(axis=1)
        sq += np.einsum("ij,ij->", Kb, Kb)
        # the three block sums of the observed split
        if start < n:
            e = min(stop, n) - start
            sxx += Kb[:e, :n].sum()
            sxy += Kb[:e, n:].sum()
        if stop > n:
            s = max(start, n) - start
            syy += Kb[s:, n:].sum()
        if P:
            KM = Kb @ M
            sxx_perm += np.einsum("ij,ij->j", M[start:stop], KM)
        if progress is not None:
            progress(i + 1, n_row_blocks)
    txx, tyy = diag[:n].sum(), diag[n:].sum()
    if estimator == "biased":
        stat = float(sxx / n**2 + syy / m**2 - 2.0 * sxy / (n * m))
    else:
        stat = float(
            (sxx - txx) / (n * (n - 1))
            + (syy - tyy) / (m * (m - 1))
            - 2.0 * sxy / (n * m)
        )
    null = None
    if P:
        total, trace = rows.sum(), diag.sum()
        s_xx = sxx_perm
        s_xy = rows @ M - s_xx
        s_yy = total - s_xx - 2.0 * s_xy
        if estimator == "biased":
            null = s_xx / n**2 + s_yy / m**2 - 2.0 * s_xy / (n * m)
        else:
            t = diag @ M
            null = (
                (s_xx - t) / (n * (n - 1))
                + (s_yy - (trace - t)) / (m * (m - 1))
                - 2.0 * s_xy / (n * m)
            )
        null = null[:P]
    return stat, (rows, diag, sq), null


def _gamma_pvalue_moments(rows, diag, sq, n, stat, estimator):
    """:func:`_gamma_pvalue` from row sums, diagonal and ``sum(K**2)`` of ``K``.

    ``sum(Kc**2) = sum(K**2) - 2 N sum(r**2) + N**2 rbar**2`` for the doubly
    centred symmetric ``Kc``, ``r`` the row means; equal to the full-Gram
    value up to rounding.
    """
    from scipy.stats import gamma

    N = rows.shape[0]
    m = N - n
    total = rows.sum()
    off = (total - diag.sum()) / (N * (N - 1))
    mean0 = (1.0 / n + 1.0 / m) * (diag.mean() - off)
    r = rows / N
    rbar = r.mean()
    dc = diag - 2.0 * r + rbar
    sum_kc2 = sq - 2.0 * N * (r @ r) + N**2 * rbar**2
    e2 = (sum_kc2 - dc @ dc) / (N * (N - 1))
    var0 = (2.0 / (n * (n - 1)) + 2.0 / (m * (m - 1)) + 4.0 / (n * m)) * e2
    # |k(a, b)| <= max k(z, z) for a positive-definite kernel: max |K| as in full
    scale = max(1.0, float(np.abs(diag).max()))
    if not (mean0 > 1e-12 * scale and var0 > 1e-24 * scale**2):
        return 1.0
    t = stat + mean0 if estimator == "unbiased" else stat
    return float(gamma.sf(t, mean0**2 / var0, scale=var0 / mean0))


def _energy_units(Z):
    """``(Z / u, u)`` with ``u`` a power of two near the spread of the rows of ``Z``.

    The energy kernel is homogeneous of degree ``p``, so the test runs on the
    rescaled rows (exact: a power of two) and the statistic is multiplied by
    ``u**p`` at the end: the kernel values are of order one, and the tie
    tolerance and the Gamma p-value see the same numbers at every scale of
    the data (the p-values are scale invariant, the statistic equivariant).
    """
    s = _pow2_scale(Z - _mean_rows(Z))
    return Z * s, 1.0 / s


def _max_training_rows(n):
    """Training rows a sample of ``n`` rows may hold: ``max(1, ceil(0.2 n))``."""
    return max(1, -(-n // 5))


def _check_held_out(kernel, X, Y):
    """Refuse X or Y when it holds more than ``max(1, ceil(0.2 n))`` training rows."""
    for A, name in ((X, "X"), (Y, "Y")):
        seen = int(kernel.seen_in_training(A).sum())
        limit = _max_training_rows(A.shape[0])
        if seen > limit:
            raise ValueError(
                f"{seen} of the {A.shape[0]} rows of {name} were used to train (or "
                f"validate) the kernel; at most max(1, ceil(0.2 * {A.shape[0]})) = "
                f"{limit} are accepted. Test a learned kernel on held-out rows only "
                "(see statnorm.mmd.split_populations), or pass check_held_out=False "
                "if these rows are genuine duplicates of training texts."
            )


class MMDTest(BaseEstimator):
    """Kernel two-sample permutation test with the MMD statistic.

    Parameters
    ----------
    kernel : str, float, kernel object or callable, default="gaussian"
        Kernel; ``"gaussian"`` uses the median heuristic on the pooled
        sample, ``"energy"`` the distance-induced :class:`EnergyKernel` (see
        also :func:`energy_test`). A learned kernel (``KernelLearner.kernel_``)
        must be tested on data it was not trained on (see
        ``check_held_out``).
    method : {"permutation", "asymptotic"}, default="permutation"
        ``"permutation"``: the permutation p-value (valid at every sample
        size). ``"asymptotic"``: no permutations; the p-value of the Gamma
        approximation of the null distribution (Gretton et al. 2009, moments
        estimated on the pooled sample, see ``pvalue_asymptotic`` in
        :class:`MMDTestResult`), as fast as one kernel matrix. It is an
        approximation for large samples: its size was checked by simulation
        (our test suite; the method page gives the table) and can exceed
        the level for small or very unbalanced samples. It is liberal (size
        up to about 0.06 at level 0.05 with 10 features), so it raises a
        ``UserWarning`` naming ``method="permutation"``.
    n_permutations : int, default=999
        Number of random permutations of the pooled sample (the paper's
        setting is 50; more gives a finer p-value). Unused with
        ``method="asymptotic"``.
    statistic : {"unbiased", "biased"}, default="unbiased"
        MMD^2 statistic, see :func:`mmd2`.
    estimator : {"unbiased", "biased"}
        Deprecated alias of ``statistic`` (renamed in 0.1; removed in 0.2):
        when given, ``test`` raises a FutureWarning and uses it instead of
        ``statistic``.
    ties : {"conservative", "randomized"}, default="conservative"
        How permutations whose statistic equals the observed one count.
        ``"conservative"``: all of them (and the observed sample itself) count
        as at least as extreme; the test never rejects more often than the
        level but is conservative when the null takes few distinct values
        (for ``n = m = 4`` the pooled 8 rows have only 35 distinct splits).
        ``"randomized"``: they count with a uniform random weight, which
        makes the size exactly the level at every sample size (the p-value
        then depends on ``random_state`` even given the null distribution).
    check_held_out : bool, default=True
        With a :class:`DeepKernel` learned by :class:`KernelLearner`, raise a
        ValueError when ``X`` or ``Y`` (each checked on its own) holds more
        than ``max(1, ceil(0.2 * n))`` of the kernel's training or validation
        rows, ``n`` being that sample's size: testing on training rows
        inflates the type I error far above the level. Rows are matched by
        direction (:meth:`DeepKernel.seen_in_training`), so a common
        rescaling or per-row normalisation of the data does not hide them. A
        few matches are tolerated because real corpora repeat texts ("I have
        no comment.").
    random_state : int, RandomState instance or None, default=None
        The permutations are drawn in blocks of at most 128, each from its own
        seed derived from ``random_state``, so a given seed gives the same
        null distribution whatever ``n_jobs`` or the joblib backend.
    n_jobs : int or None, default=None
        joblib workers for the permutation blocks (``None``: serial). Under
        ``with joblib.parallel_backend("dask"):`` the blocks run on a Dask
        cluster; the Gram matrix is shipped once per batch of blocks.
    verbose : int, default=0
        Print the progress of the permutations (about every 10 %).

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.mmd import MMDTest
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(size=(60, 5)), rng.normal(0.5, size=(60, 5))
    >>> res = MMDTest(n_permutations=199, random_state=0).test(X, Y)
    >>> stat, p = res
    >>> p < 0.05
    True
    """

    _parameter_constraints = {  # noqa: RUF012 (sklearn convention)
        "kernel": "no_validation",
        "method": [StrOptions({"permutation", "asymptotic"})],
        "n_permutations": [Interval(Integral, 1, None, closed="left")],
        **_statistic_constraints(("unbiased", "biased")),
        "ties": [StrOptions({"conservative", "randomized"})],
        "check_held_out": ["boolean"],
        "random_state": RANDOM_STATE,
        "n_jobs": [None, Integral],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        kernel="gaussian",
        *,
        method="permutation",
        n_permutations=999,
        statistic="unbiased",
        estimator="deprecated",
        ties="conservative",
        check_held_out=True,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.kernel = kernel
        self.method = method
        self.n_permutations = n_permutations
        self.statistic = statistic
        self.estimator = estimator
        self.ties = ties
        self.check_held_out = check_held_out
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def __repr__(self):
        return (
            f"MMDTest(kernel={self.kernel!r}, method={self.method!r}, "
            f"n_permutations={self.n_permutations}, statistic={self.statistic!r}, "
            f"ties={self.ties!r}, random_state={self.random_state!r})"
        )

    def test(self, X, Y):
        """Test ``H0: P = Q`` from samples ``X ~ P`` and ``Y ~ Q``.

        Parameters
        ----------
        X : array-like of shape (n, n_features)
            First sample, at least 2 rows.
        Y : array-like of shape (m, n_features)
            Second sample, at least 2 rows (``m`` may differ from ``n``).

        Returns
        -------
        result : MMDTestResult
            ``statistic, pvalue = result``; also ``null_distribution``.
        """
        self._validate_params()
        P = self.n_permutations
        if isinstance(P, bool):  # (the Integral constraint accepts booleans)
            raise TypeError(f"n_permutations must be an int >= 1. Got {P!r} instead.")
        estimator = _resolve_statistic(self.statistic, self.estimator)
        check_held_out = bool(self.check_held_out)
        X, Y = _check_samples(X, Y, kernel=self.kernel)
        if self.method == "asymptotic":
            warnings.warn(_ASYMPTOTIC_WARNING, UserWarning, stacklevel=2)
        Z = np.vstack([X, Y])
        k = resolve_kernel(self.kernel)
        if check_held_out and isinstance(k, DeepKernel):
            _check_held_out(k, X, Y)
        n = X.shape[0]
        null = p_perm = None
        unit = None
        if isinstance(k, EnergyKernel):
            Z, unit = _energy_units(Z)
        if Z.shape[0] > _FULL_GRAM_MAX:
            # blocked: the (N, N) Gram matrix is never held (see _blocked_test_parts)
            if (
                isinstance(k, GaussianKernel)
                and k.bandwidth == "median"
                and Z.shape[0] <= _MEDIAN_ROWS
            ):
                k, _ = bind_and_gram(k, Z)  # the same bandwidth as the full path
            else:
                k = k.bind(Z)
            stat, (rows, diag, sq), null = _blocked_test_parts(
                k,
                Z,
                n,
                int(P) if self.method == "permutation" else 0,
                self.random_state,
                estimator,
                block_rows=_BLOCK_ROWS,
                progress=loop_progress(self, "row blocks", verbose=self.verbose),
            )
            p_asym = _gamma_pvalue_moments(rows, diag, sq, n, stat, estimator)
            kmax = float(np.abs(diag).max())
        else:
            k, K = bind_and_gram(k, Z)
            stat = _mmd2_from_gram(K, n, estimator)
            p_asym = _gamma_pvalue(K, n, stat, estimator)
            kmax = float(np.abs(K).max())
            if self.method == "permutation":
                null = _permutation_null(
                    K,
                    n,
                    int(P),
                    self.random_state,
                    estimator,
                    n_jobs=self.n_jobs,
                    progress=loop_progress(self, "permutations", verbose=self.verbose),
                )
        if self.method == "permutation":
            tol = 1e-12 * max(1.0, kmax)
            if self.ties == "conservative":
                p_perm = (1.0 + np.count_nonzero(null >= stat - tol)) / (P + 1.0)
            else:
                # a seed independent of the permutation blocks' seeds
                n_blocks = -(-int(P) // _PERM_BLOCK)
                seed = spawn_seeds(self.random_state, n_blocks + 1)[-1]
                u = 1.0 - np.random.default_rng(seed).random()  # in (0, 1]
                above = np.count_nonzero(null > stat + tol)
                tied = np.count_nonzero(np.abs(null - stat) <= tol)
                p_perm = (above + u * (1.0 + tied)) / (P + 1.0)
            p_perm = float(p_perm)
        if unit is not None:
            # back to the data's units: the energy kernel is homogeneous
            stat, k = (
                stat * unit**k.exponent,
                EnergyKernel(k.exponent, center=k.center * unit),
            )
            null = None if null is None else null * unit**k.exponent
        return MMDTestResult(
            statistic=stat,
            pvalue=p_perm if self.method == "permutation" else p_asym,
            null_distribution=null,
            estimator=estimator,
            kernel=k,
            method=self.method,
            pvalue_permutation=p_perm,
            pvalue_asymptotic=p_asym,
        )
