"""Numba kernels of statnorm.quantile (no validation, no Python objects).

The row-wise isotonic kernel shared with statnorm.rdd is in
:mod:`statnorm._isotonic`. Every kernel takes C-contiguous float64 arrays; row-wise kernels run their
outer loop with ``prange`` and are called inside ``parallel_threads``.
"""

import numpy as np
from numba import get_num_threads

from .._numba import njit, prange


def _minmax_rows_py(Q, out, center):
    """Sweep out from column ``center``: running max upwards, running min downwards."""
    n, m = Q.shape
    for i in prange(n):
        out[i, center] = Q[i, center]
        for k in range(center + 1, m):
            out[i, k] = max(Q[i, k], out[i, k - 1])
        for k in range(center - 1, -1, -1):
            out[i, k] = min(Q[i, k], out[i, k + 1])


_minmax_rows_serial = njit(_minmax_rows_py)
_minmax_rows_threads = njit(_minmax_rows_py, parallel=True)


def minmax_rows(Q, out, center):
    """Sweep out from column ``center``: running max upwards, running min downwards.

    Runs the ``parallel=True`` compilation only with more than one Numba
    thread (inside ``parallel_threads(n_jobs)``), so a default call compiles
    the cheaper serial one; both run the same operations in the same order.
    """
    kernel = _minmax_rows_threads if get_num_threads() > 1 else _minmax_rows_serial
    kernel(Q, out, center)


def _pinball_sums_py(y, Q, tau, w, out):
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


_pinball_sums_serial = njit(_pinball_sums_py)
_pinball_sums_threads = njit(_pinball_sums_py, parallel=True)


def pinball_sums(y, Q, tau, w, out):
    """out[k] = sum_i w_i * psi_tau_k(y_i - Q_ik); single pass over Q.

    Runs the ``parallel=True`` compilation only with more than one Numba
    thread (inside ``parallel_threads(n_jobs)``), so a default call compiles
    the cheaper serial one; both run the same operations in the same order.
    """
    kernel = _pinball_sums_threads if get_num_threads() > 1 else _pinball_sums_serial
    kernel(y, Q, tau, w, out)


def _crossing_rows_py(Q, out):
    """out[i] = 1 if row i of Q decreases anywhere (strictly), else 0."""
    n, m = Q.shape
    for i in prange(n):
        flag = 0
        for k in range(1, m):
            if Q[i, k] < Q[i, k - 1]:
                flag = 1
                break
        out[i] = flag


_crossing_rows_serial = njit(_crossing_rows_py)
_crossing_rows_threads = njit(_crossing_rows_py, parallel=True)


def crossing_rows(Q, out):
    """out[i] = 1 if row i of Q decreases anywhere (strictly), else 0.

    Runs the ``parallel=True`` compilation only with more than one Numba
    thread (inside ``parallel_threads(n_jobs)``), so a default call compiles
    the cheaper serial one; both run the same operations in the same order.
    """
    kernel = _crossing_rows_threads if get_num_threads() > 1 else _crossing_rows_serial
    kernel(Q, out)


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
