"""Numba kernels of :mod:`statnorm.kde` (no validation, no Python objects).

Every kernel works on one *tile*: a block ``G`` of cross products
``x_i . y_j`` between ``bq`` queries and ``bn`` data points (computed by BLAS
outside the kernel, in the same worker thread), the squared norms of both
sides, and the log-weights of the data points. The kernels turn the tile into
squared distances ``D = |x|^2 + |y|^2 - 2 x.y`` (clipped at 0), the log-kernel
values ``a = log w - D / 2`` (data are whitened by the bandwidth, so the kernel
is the standard normal), and fold them into per-query running statistics:

- ``_lse_shift_tile``: the sum ``S = sum exp(a - s)`` with a per-query shift
  ``s`` (an upper bound of ``a``) fixed by the caller, in one read-only pass;
- ``_lse_tile``: running maximum ``M`` and scaled sum ``S = sum exp(a - M)``
  (an online log-sum-exp, for queries where the bound is too loose), so the
  m x n matrix never exists;
- ``_diag_tile``: the same plus ``S2 = sum exp(2 (a - M))`` (for the effective
  number of points ``1 / sum w^2``) and the ``k + 1`` smallest distances (for
  the Hill estimate of the local stable index);
- ``_nn_tile``: the smallest distance only (nearest-neighbour bandwidth rule).

``self_idx[i]`` is the data index to leave out for query ``i`` (``-1``: none),
which gives the leave-one-out likelihood with the self-term removed.

The kernels are serial and release the GIL (``nogil=True``): the caller runs
one worker thread per core, each doing its own BLAS tile and kernel call, so
cross products and exponentials overlap on all cores.
"""

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from .._numba import FASTMATH_SAFE, njit

# exp(x) for x <= 0 by Cody-Waite reduction x = k ln2 + r, |r| <= ln2 / 2,
# exp(r) = 1 + r + r^2 s(r) with s a degree-8 polynomial (Chebyshev
# interpolation of (e^r - 1 - r) / r^2 on the interval, relative error
# 1.2e-15, so exp(0) = 1 exactly), and 2^k put into the exponent field by an
# integer add on the bits of the result (no second multiply, no buffer).
# Written out so that LLVM vectorises it (numba has no vector exp without
# Intel SVML); relative error per term < 3e-14 (tested), terms below e^-708
# are exactly 0. FASTMATH_SAFE keeps inf/NaN semantics.
_FM = set(FASTMATH_SAFE)
_LOG2E = 1.4426950408889634
_LN2_HI = 0.693147180369123816490
_LN2_LO = 1.90821492927058770002e-10
_S0 = 0.5
_S1 = 0.16666666666648303
_S2 = 0.041666666666651364
_S3 = 0.008333333353717156
_S4 = 0.0013888888905871347
_S5 = 0.0001984120875699232
_S6 = 2.4801536409064087e-05
_S7 = 2.7625102005388108e-06
_S8 = 2.761379555451986e-07


@intrinsic
def _bits(typingctx, x):
    """The IEEE-754 bits of a float64 as an int64 (a free bit cast)."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@intrinsic
def _from_bits(typingctx, x):
    """The float64 whose IEEE-754 bits are the int64 ``x``."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@njit(fastmath=_FM, inline="always")
def _exp_neg(x0):
    """exp(x0) for x0 <= 0 (0 below -708), branch-free so loops vectorise."""
    x = max(x0, -708.0)
    k = np.floor(x * _LOG2E + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    s = _S8
    s = s * r + _S7
    s = s * r + _S6
    s = s * r + _S5
    s = s * r + _S4
    s = s * r + _S3
    s = s * r + _S2
    s = s * r + _S1
    s = s * r + _S0
    q = (s * r) * r + r + 1.0  # in [0.70, 1.42]: adding k to the exponent is exact
    v = _from_bits(_bits(q) + (np.int64(k) << 52))
    return v if x0 > -708.0 else 0.0


@njit(fastmath=_FM)
def _sum_exp_range(G, i, c, logw, hx, shift, j0, j1):
    """sum_{j0 <= j < j1} exp(a_j - shift), ``a_j = min(G[i, j] + c_j - hx, logw_j)``.

    ``a_j`` is the log-kernel term of :func:`_fill_a` computed on the fly
    (``c_j = logw_j - |y_j|^2 / 2``, ``hx = |x_i|^2 / 2``; the ``min`` is the
    clip of the squared distance at 0), so the tile is read once and never
    written.
    """
    s = 0.0
    for j in range(j0, j1):
        s += _exp_neg(min(G[i, j] + c[j] - hx, logw[j]) - shift)
    return s


@njit
def _lse_shift_tile(G, xx, yy, logw, j0, self_idx, shift, run_sum):
    """Add ``sum_j exp(a_ij - shift_i)`` of one tile to ``run_sum`` (in place).

    ``shift_i`` is an upper bound of every ``a_ij`` fixed before the first
    tile (see ``run_tiles``), so no row maximum and no rescaling is needed:
    one fused pass per row. The left-out point is skipped (never subtracted,
    which would cancel: it is the largest term).
    """
    bq, bn = G.shape
    c = np.empty(bn)
    for j in range(bn):
        c[j] = logw[j] - 0.5 * yy[j]
    for i in range(bq):
        hx = 0.5 * xx[i]
        skip = self_idx[i] - j0
        if 0 <= skip < bn:
            v = _sum_exp_range(G, i, c, logw, hx, shift[i], 0, skip)
            v += _sum_exp_range(G, i, c, logw, hx, shift[i], skip + 1, bn)
        else:
            v = _sum_exp_range(G, i, c, logw, hx, shift[i], 0, bn)
        run_sum[i] += v


@njit(fastmath=_FM)
def _sum_exp(G, i, mx):
    """sum_j exp(G[i, j] - mx)."""
    s = 0.0
    for j in range(G.shape[1]):
        s += _exp_neg(G[i, j] - mx)
    return s


@njit(fastmath=_FM)
def _sum_exp2(G, i, mx):
    """(sum_j e_j, sum_j e_j^2) with e_j = exp(G[i, j] - mx)."""
    s = 0.0
    s2 = 0.0
    for j in range(G.shape[1]):
        e = _exp_neg(G[i, j] - mx)
        s += e
        s2 += e * e
    return s, s2


@njit(fastmath=_FM)
def _exp_scalar(x):
    """Scalar entry point of the vectorised exp (for tests)."""
    return _exp_neg(x)


@njit(fastmath=_FM)
def _fill_a(G, xx, yy, logw, j0, self_idx, i):
    """Overwrite row ``i`` of ``G`` by ``a``; return the row maximum."""
    bn = G.shape[1]
    xi = xx[i]
    for j in range(bn):
        d = max(xi + yy[j] - 2.0 * G[i, j], 0.0)
        G[i, j] = logw[j] - 0.5 * d
    skip = self_idx[i] - j0
    if 0 <= skip < bn:
        G[i, skip] = -np.inf
    m = -np.inf
    for j in range(bn):
        m = max(m, G[i, j])
    return m


@njit
def _lse_tile(G, xx, yy, logw, j0, self_idx, run_max, run_sum):
    """Fold one tile into the running log-sum-exp of each query (in place)."""
    bq = G.shape[0]
    for i in range(bq):
        m = _fill_a(G, xx, yy, logw, j0, self_idx, i)
        if m == -np.inf:
            continue
        if m > run_max[i]:
            run_sum[i] *= np.exp(run_max[i] - m)
            run_max[i] = m
        run_sum[i] += _sum_exp(G, i, run_max[i])


@njit
def _diag_tile(G, xx, yy, logw, j0, self_idx, run_max, run_sum, run_sum2, knn):
    """As ``_lse_tile`` plus the sum of squared weights and the k+1 smallest D.

    ``knn`` has shape (bq, k + 1), is kept sorted ascending and starts at +inf.
    """
    bq, bn = G.shape
    kk = knn.shape[1]
    for i in range(bq):
        xi = xx[i]
        skip = self_idx[i] - j0
        # k + 1 smallest distances (before G is overwritten by a)
        for j in range(bn):
            if j == skip:
                continue
            d = xi + yy[j] - 2.0 * G[i, j]
            d = max(d, 0.0)
            if d < knn[i, kk - 1]:
                pos = kk - 1
                while pos > 0 and knn[i, pos - 1] > d:
                    knn[i, pos] = knn[i, pos - 1]
                    pos -= 1
                knn[i, pos] = d
        m = _fill_a(G, xx, yy, logw, j0, self_idx, i)
        if m == -np.inf:
            continue
        if m > run_max[i]:
            f = np.exp(run_max[i] - m)
            run_sum[i] *= f
            run_sum2[i] *= f * f
            run_max[i] = m
        s, s2 = _sum_exp2(G, i, run_max[i])
        run_sum[i] += s
        run_sum2[i] += s2


@njit
def _nn_tile(G, xx, yy, j0, self_idx, run_min):
    """Fold one tile into the running smallest squared distance of each query."""
    bq, bn = G.shape
    for i in range(bq):
        xi = xx[i]
        skip = self_idx[i] - j0
        m = run_min[i]
        for j in range(bn):
            if j == skip:
                continue
            d = xi + yy[j] - 2.0 * G[i, j]
            m = min(m, d)
        run_min[i] = max(0.0, m)
