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

from .._numba import FASTMATH_SAFE, njit

# exp(x) for x <= 0 by Cody-Waite reduction x = k ln2 + r, |r| <= ln2 / 2, a
# degree-13 Taylor polynomial (truncation < 1e-17) and 2^k built from its bits.
# Written out so that LLVM vectorises it (numba has no vector exp without
# Intel SVML); relative error per term < 3e-14 (tested), terms below e^-708
# are exactly 0. FASTMATH_SAFE keeps inf/NaN semantics.
_FM = set(FASTMATH_SAFE)
_LOG2E = 1.4426950408889634
_LN2_HI = 0.693147180369123816490
_LN2_LO = 1.90821492927058770002e-10


@njit(fastmath=_FM)
def _exp_row(G, i, mx, p, eb):
    """p[j] * 2^eb[j] = exp(G[i, j] - mx) for every j (G[i, j] - mx <= 0)."""
    bn = G.shape[1]
    for j in range(bn):
        x0 = G[i, j] - mx
        x = max(x0, -708.0)
        k = np.floor(x * _LOG2E + 0.5)
        r = (x - k * _LN2_HI) - k * _LN2_LO
        q = 1.0 / 6227020800.0
        q = q * r + 1.0 / 479001600.0
        q = q * r + 1.0 / 39916800.0
        q = q * r + 1.0 / 3628800.0
        q = q * r + 1.0 / 362880.0
        q = q * r + 1.0 / 40320.0
        q = q * r + 1.0 / 5040.0
        q = q * r + 1.0 / 720.0
        q = q * r + 1.0 / 120.0
        q = q * r + 1.0 / 24.0
        q = q * r + 1.0 / 6.0
        q = q * r + 0.5
        q = q * r + 1.0
        q = q * r + 1.0
        p[j] = q if x0 > -708.0 else 0.0
        eb[j] = (np.int64(k) + 1023) << 52


@njit(fastmath=_FM)
def _sum_exp_shift(G, i, c, logw, hx, shift, skip, p, eb):
    """sum_j exp(a_j - shift), ``a_j = min(G[i, j] + c_j - hx, logw_j)``, j != skip.

    ``a_j`` is the log-kernel term of :func:`_fill_a` computed on the fly
    (``c_j = logw_j - |y_j|^2 / 2``, ``hx = |x_i|^2 / 2``; the ``min`` is the
    clip of the squared distance at 0), so the tile is read once and never
    written; the exponential is that of :func:`_exp_row`.
    """
    bn = G.shape[1]
    for j in range(bn):
        x0 = min(G[i, j] + c[j] - hx, logw[j]) - shift
        x = max(x0, -708.0)
        k = np.floor(x * _LOG2E + 0.5)
        r = (x - k * _LN2_HI) - k * _LN2_LO
        q = 1.0 / 6227020800.0
        q = q * r + 1.0 / 479001600.0
        q = q * r + 1.0 / 39916800.0
        q = q * r + 1.0 / 3628800.0
        q = q * r + 1.0 / 362880.0
        q = q * r + 1.0 / 40320.0
        q = q * r + 1.0 / 5040.0
        q = q * r + 1.0 / 720.0
        q = q * r + 1.0 / 120.0
        q = q * r + 1.0 / 24.0
        q = q * r + 1.0 / 6.0
        q = q * r + 0.5
        q = q * r + 1.0
        q = q * r + 1.0
        p[j] = q if x0 > -708.0 else 0.0
        eb[j] = (np.int64(k) + 1023) << 52
    if 0 <= skip < bn:
        p[skip] = 0.0
    sc = eb.view(np.float64)
    s = 0.0
    for j in range(bn):
        s += p[j] * sc[j]
    return s


@njit
def _lse_shift_tile(G, xx, yy, logw, j0, self_idx, shift, run_sum):
    """Add ``sum_j exp(a_ij - shift_i)`` of one tile to ``run_sum`` (in place).

    ``shift_i`` is an upper bound of every ``a_ij`` fixed before the first
    tile (see ``run_tiles``), so no row maximum and no rescaling is needed:
    one fused pass per row.
    """
    bq, bn = G.shape
    p = np.empty(bn)
    eb = np.empty(bn, dtype=np.int64)
    c = np.empty(bn)
    for j in range(bn):
        c[j] = logw[j] - 0.5 * yy[j]
    for i in range(bq):
        run_sum[i] += _sum_exp_shift(
            G, i, c, logw, 0.5 * xx[i], shift[i], self_idx[i] - j0, p, eb
        )


@njit(fastmath=_FM)
def _sum_exp(G, i, mx, p, eb):
    """sum_j exp(G[i, j] - mx)."""
    _exp_row(G, i, mx, p, eb)
    sc = eb.view(np.float64)
    s = 0.0
    for j in range(G.shape[1]):
        s += p[j] * sc[j]
    return s


@njit(fastmath=_FM)
def _sum_exp2(G, i, mx, p, eb):
    """(sum_j e_j, sum_j e_j^2) with e_j = exp(G[i, j] - mx)."""
    _exp_row(G, i, mx, p, eb)
    sc = eb.view(np.float64)
    s = 0.0
    s2 = 0.0
    for j in range(G.shape[1]):
        e = p[j] * sc[j]
        s += e
        s2 += e * e
    return s, s2


@njit(fastmath=_FM)
def _exp_neg(x):
    """Scalar version of the vectorised exp (for tests)."""
    G = np.empty((1, 1))
    G[0, 0] = x
    return _sum_exp(G, 0, 0.0, np.empty(1), np.empty(1, np.int64))


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
    bq, bn = G.shape
    p = np.empty(bn)
    eb = np.empty(bn, dtype=np.int64)
    for i in range(bq):
        m = _fill_a(G, xx, yy, logw, j0, self_idx, i)
        if m == -np.inf:
            continue
        if m > run_max[i]:
            run_sum[i] *= np.exp(run_max[i] - m)
            run_max[i] = m
        run_sum[i] += _sum_exp(G, i, run_max[i], p, eb)


@njit
def _diag_tile(G, xx, yy, logw, j0, self_idx, run_max, run_sum, run_sum2, knn):
    """As ``_lse_tile`` plus the sum of squared weights and the k+1 smallest D.

    ``knn`` has shape (bq, k + 1), is kept sorted ascending and starts at +inf.
    """
    bq, bn = G.shape
    kk = knn.shape[1]
    p = np.empty(bn)
    eb = np.empty(bn, dtype=np.int64)
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
        s, s2 = _sum_exp2(G, i, run_max[i], p, eb)
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
