"""Numba kernels for statnorm.rdd (no validation, no Python objects)."""

import numpy as np

from .._numba import njit


@njit
def pava_rows(Y):
    """Isotonic (non-decreasing) least-squares fit of each row, equal weights.

    Pool-adjacent-violators; the same fit as R's ``stats::isoreg``.
    """
    n, m = Y.shape
    out = np.empty_like(Y)
    val = np.empty(m)
    cnt = np.empty(m, dtype=np.int64)
    for i in range(n):
        k = 0
        for j in range(m):
            val[k] = Y[i, j]
            cnt[k] = 1
            while k > 0 and val[k - 1] > val[k]:
                tot = cnt[k - 1] + cnt[k]
                val[k - 1] = (val[k - 1] * cnt[k - 1] + val[k] * cnt[k]) / tot
                cnt[k - 1] = tot
                k -= 1
            k += 1
        pos = 0
        for b in range(k):
            for _ in range(cnt[b]):
                out[i, pos] = val[b]
                pos += 1
    return out
