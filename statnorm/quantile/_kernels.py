"""Numba kernels of statnorm.quantile (no validation, no Python objects).

Every kernel takes C-contiguous float64 arrays; row-wise kernels run their
outer loop with ``prange`` and are called inside ``parallel_threads``.
"""

import numpy as np

from .._numba import njit, prange


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


@njit(parallel=True)
def minmax_rows(Q, out, center):
    """Sweep out from column ``center``: running max upwards, running min downwards."""
    n, m = Q.shape
    for i in prange(n):
        out[i, center] = Q[i, center]
        for k in range(center + 1, m):
            out[i, k] = max(Q[i, k], out[i, k - 1])
        for k in range(center - 1, -1, -1):
            out[i, k] = min(Q[i, k], out[i, k + 1])


@njit(parallel=True)
def pinball_sums(y, Q, tau, w, out):
    """out[k] = sum_i w_i * psi_tau_k(y_i - Q_ik); single pass over Q."""
    n, m = Q.shape
    nt = 64
    partial = np.zeros((nt, m))
    step = (n + nt - 1) // nt
    for t in prange(nt):
        lo = t * step
        hi = min(n, lo + step)
        for i in range(lo, hi):
            yi = y[i]
            wi = w[i]
            for k in range(m):
                u = yi - Q[i, k]
                if u < 0.0:
                    partial[t, k] += wi * (tau[k] - 1.0) * u
                else:
                    partial[t, k] += wi * tau[k] * u
    for k in range(m):
        s = 0.0
        for t in range(nt):
            s += partial[t, k]
        out[k] = s


@njit(parallel=True)
def crossing_rows(Q, out):
    """out[i] = 1 if row i of Q decreases anywhere (strictly), else 0."""
    n, m = Q.shape
    for i in prange(n):
        flag = 0
        for k in range(1, m):
            if Q[i, k] < Q[i, k - 1]:
                flag = 1
                break
        out[i] = flag


@njit
def crossing_penalty(Q, margin, grad):
    """Mean over rows and pairs k < l of (Q_k - Q_l + margin)_+ and its gradient.

    ``grad`` (same shape as Q) is overwritten with d penalty / d Q.
    """
    n, m = Q.shape
    npairs = m * (m - 1) // 2
    if npairs == 0 or n == 0:
        for i in range(n):
            for k in range(m):
                grad[i, k] = 0.0
        return 0.0
    scale = 1.0 / (n * npairs)
    total = 0.0
    for i in range(n):
        for k in range(m):
            grad[i, k] = 0.0
        for k in range(m):
            for l in range(k + 1, m):
                v = Q[i, k] - Q[i, l] + margin
                if v > 0.0:
                    total += v
                    grad[i, k] += scale
                    grad[i, l] -= scale
    return total * scale
