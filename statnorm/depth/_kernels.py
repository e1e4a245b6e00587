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
