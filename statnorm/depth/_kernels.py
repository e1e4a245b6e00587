"""Numba kernels of statnorm.depth (no validation, float64 C-contiguous input)."""

import numpy as np

from .._numba import njit, prange


def _halfspace_counts_py(sorted_proj, proj_x, tol):
    """Smallest closed-halfspace count over directions, for each point.

    ``sorted_proj[k]`` holds the reference projections on direction ``k`` in
    increasing order (shape (K, n)); ``proj_x[i, k]`` is point ``i``'s
    projection. Returns, for each point, min over k of
    min(#{f : u_k.f <= u_k.x}, #{f : u_k.f >= u_k.x}), where projections
    within ``tol[k]`` of each other count as equal (so a reference point
    always counts itself, whatever the rounding of the matrix product).
    """
    m, K = proj_x.shape
    n = sorted_proj.shape[1]
    out = np.empty(m, dtype=np.int64)
    for i in prange(m):
        best = n
        for k in range(K):
            row = sorted_proj[k]
            v = proj_x[i, k]
            t = tol[k]
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
            c = min(n - left, right)
            if c < best:
                best = c
                if best == 0:
                    break
        out[i] = best
    return out


halfspace_counts = njit(_halfspace_counts_py)
halfspace_counts_parallel = njit(_halfspace_counts_py, parallel=True)
