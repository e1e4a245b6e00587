"""Row-wise isotonic (L2, non-decreasing) regression: one kernel for statnorm.

Pool-adjacent-violators with equal weights, the fit of R's
``stats::isoreg`` and of :func:`sklearn.isotonic.isotonic_regression`.
:func:`statnorm.quantile.monotonize` (``method="isotonic"``) and the local
Frechet boundary curves of :class:`statnorm.rdd.DistributionalRDD` both
call :func:`isotonic_rows`; the Numba kernels below take C-contiguous
float64 arrays and never raise.
"""

import numpy as np

from ._numba import njit, parallel_threads, prange

__all__ = ["isotonic_rows", "pava_rows"]


def isotonic_rows(Q, n_jobs=1):
    """Isotonic (non-decreasing) least-squares fit of each row, equal weights.

    Parameters
    ----------
    Q : array-like of shape (n_rows, m)
        Rows to project (not validated: finite numbers expected; infinite
        entries are allowed where the caller's pooling can handle them).
    n_jobs : int or None, default=1
        Numba threads (sklearn convention); the result does not depend on it.

    Returns
    -------
    out : ndarray of shape (n_rows, m)
        Each row's L2 projection onto non-decreasing sequences.

    Examples
    --------
    >>> from statnorm._isotonic import isotonic_rows
    >>> isotonic_rows([[0.0, 2.0, 1.0, 3.0]])
    array([[0. , 1.5, 1.5, 3. ]])
    """
    Q = np.ascontiguousarray(Q, dtype=np.float64)
    out = np.empty_like(Q)
    with parallel_threads(n_jobs):
        pava_rows(Q, out)
    return out


@njit(inline="always")
def _pav_push(v, S, C, nb, ts, tc):
    """Push ``v`` on a PAV stack (pool-adjacent-violators).

    The top block (sum ``ts``, count ``tc``) lives in registers; the blocks
    below it are ``S[1:nb]``, ``C[1:nb]`` (sums and counts), above a sentinel
    ``S[0] = -inf``. Means are compared as ``S_a * C_b > S_b * C_a`` (no
    division). The first pool is branch-free (most values pool zero or one
    block); further pools loop. The old top is stored unconditionally (a
    wasted store when it is pooled), which keeps the common path free of
    mispredicted branches.
    """
    pool = ts > v * tc
    S[nb] = ts
    C[nb] = tc
    nb = nb if pool else nb + 1
    ts = v + ts if pool else v
    tc = 1.0 + tc if pool else 1.0
    while S[nb - 1] * tc > ts * C[nb - 1]:
        nb -= 1
        ts += S[nb]
        tc += C[nb]
    return nb, ts, tc


@njit(inline="always")
def _pav_blocks(S, C, E, nb, ts, tc, m):
    """Close a stack: block means in ``S[1:nb+1]``, block ends in ``E``."""
    S[nb] = ts
    C[nb] = tc
    e = 0
    for b in range(1, nb + 1):
        e += int(C[b])
        E[b] = e
    for b in range(1, nb + 1):
        S[b] = S[b] / C[b]
    E[nb + 1] = m + 1


@njit(parallel=True)
def pava_rows(Q, out):
    """Row-wise L2 isotonic (non-decreasing) projection, equal weights (PAV).

    Rows are split into 64 contiguous chunks (no allocation per row). A
    first pass copies the rows that are already non-decreasing (a
    vectorised check, the common case after a good model). The other rows go
    through PAV four at a time, interleaved: each row's stack is a chain of
    dependent compare-and-pool steps, and four independent chains keep the
    core busy where one would wait on each step's latency. The output pass
    is interleaved the same way.
    """
    n, m = Q.shape
    if m == 0:
        return
    nt = 64
    step = (n + nt - 1) // nt
    for t in prange(nt):
        lo = t * step
        hi = min(n, (t + 1) * step)
        if hi <= lo:
            continue
        bad = np.empty(hi - lo, dtype=np.int64)
        nbad = 0
        for i in range(lo, hi):
            viol = 0
            for j in range(1, m):
                viol += Q[i, j] < Q[i, j - 1]
            if viol == 0:
                for j in range(m):
                    out[i, j] = Q[i, j]
            else:
                bad[nbad] = i
                nbad += 1
        S = np.empty((4, m + 1))
        C = np.empty((4, m + 1))
        E = np.empty((4, m + 2), dtype=np.int64)
        S0, S1, S2, S3 = S[0], S[1], S[2], S[3]
        C0, C1, C2, C3 = C[0], C[1], C[2], C[3]
        E0, E1, E2, E3 = E[0], E[1], E[2], E[3]
        for r in range(4):
            S[r, 0] = -np.inf
            C[r, 0] = 1.0
        k = 0
        while k + 4 <= nbad:
            i0, i1, i2, i3 = bad[k], bad[k + 1], bad[k + 2], bad[k + 3]
            n0 = n1 = n2 = n3 = 1
            t0, t1, t2, t3 = Q[i0, 0], Q[i1, 0], Q[i2, 0], Q[i3, 0]
            c0 = c1 = c2 = c3 = 1.0
            for j in range(1, m):
                n0, t0, c0 = _pav_push(Q[i0, j], S0, C0, n0, t0, c0)
                n1, t1, c1 = _pav_push(Q[i1, j], S1, C1, n1, t1, c1)
                n2, t2, c2 = _pav_push(Q[i2, j], S2, C2, n2, t2, c2)
                n3, t3, c3 = _pav_push(Q[i3, j], S3, C3, n3, t3, c3)
            _pav_blocks(S0, C0, E0, n0, t0, c0, m)
            _pav_blocks(S1, C1, E1, n1, t1, c1, m)
            _pav_blocks(S2, C2, E2, n2, t2, c2, m)
            _pav_blocks(S3, C3, E3, n3, t3, c3, m)
            b0 = b1 = b2 = b3 = 1
            for j in range(m):
                b0 += j >= E0[b0]
                b1 += j >= E1[b1]
                b2 += j >= E2[b2]
                b3 += j >= E3[b3]
                out[i0, j] = S0[b0]
                out[i1, j] = S1[b1]
                out[i2, j] = S2[b2]
                out[i3, j] = S3[b3]
            k += 4
        while k < nbad:
            i0 = bad[k]
            n0 = 1
            t0 = Q[i0, 0]
            c0 = 1.0
            for j in range(1, m):
                n0, t0, c0 = _pav_push(Q[i0, j], S0, C0, n0, t0, c0)
            _pav_blocks(S0, C0, E0, n0, t0, c0, m)
            b0 = 1
            for j in range(m):
                b0 += j >= E0[b0]
                out[i0, j] = S0[b0]
            k += 1
