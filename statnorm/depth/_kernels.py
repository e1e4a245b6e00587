"""Numba kernels of statnorm.depth (no validation, float64 C-contiguous input)."""

import numpy as np

from .._numba import njit, prange

_CHUNK = 256  # points per task: a direction's sorted row stays in cache for them


def _halfspace_counts_py(sorted_proj, proj_x, tol):
    """Smallest closed-halfspace count over directions, for each point.

    ``sorted_proj[k]`` holds the reference projections on direction ``k`` in
    increasing order (shape (K, n)); ``proj_x[k, i]`` is point ``i``'s
    projection. Returns, for each point, min over k of
    min(#{f : u_k.f <= u_k.x}, #{f : u_k.f >= u_k.x}), where projections
    within ``tol[k]`` of each other count as equal (so a reference point
    always counts itself, whatever the rounding of the matrix product).
    Directions are the outer loop within a chunk of points, so each sorted
    row is read from cache by all the chunk's binary searches.
    """
    K, m = proj_x.shape
    n = sorted_proj.shape[1]
    out = np.full(m, n, dtype=np.int64)
    n_chunks = (m + _CHUNK - 1) // _CHUNK
    for c in prange(n_chunks):
        start = c * _CHUNK
        stop = min(start + _CHUNK, m)
        for k in range(K):
            row = sorted_proj[k]
            t = tol[k]
            for i in range(start, stop):
                if out[i] == 0:
                    continue
                v = proj_x[k, i]
                # left: number of values < v - t; right: number of values <= v + t
                lo, hi = 0, n
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if row[mid] < v - t:
                        lo = mid + 1
                    else:
                        hi = mid
                left = lo
                hi = n
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if row[mid] <= v + t:
                        lo = mid + 1
                    else:
                        hi = mid
                right = lo
                cnt = min(n - left, right)
                out[i] = min(out[i], cnt)
    return out


halfspace_counts = njit(_halfspace_counts_py)
halfspace_counts_parallel = njit(_halfspace_counts_py, parallel=True)


@njit
def rank_sums_rows(V, n1):
    """Sum of the average ranks of the first ``n1`` entries of each row of V.

    Equal to ``scipy.stats.rankdata(V, axis=1)[:, :n1].sum(axis=1)`` (ties get
    the average of their ranks; exact equality defines a tie). The sums are of
    half-integers, so they are exact in float64 for any realistic row length.
    """
    size, N = V.shape
    out = np.empty(size)
    for b in range(size):
        row = V[b]
        order = np.argsort(row, kind="mergesort")
        s = 0.0
        i = 0
        while i < N:
            v = row[order[i]]
            j = i
            while j + 1 < N and row[order[j + 1]] == v:
                j += 1
            r = 0.5 * (i + j) + 1.0  # average of the 1-based ranks i+1 .. j+1
            for k in range(i, j + 1):
                if order[k] < n1:
                    s += r
            i = j + 1
        out[b] = s
    return out
