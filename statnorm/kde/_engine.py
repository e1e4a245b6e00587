"""Blocked, threaded driver of the fused KDE kernels (private).

The query set is cut into blocks of ``block_rows`` rows and the data into
tiles of ``block_cols`` points. One worker thread per core takes query
blocks; for each data tile it computes the cross products with BLAS into a
private buffer (BLAS is pinned to one thread per worker by
:func:`statnorm._numba.parallel_threads`) and folds the tile into the
running statistics with a serial ``nogil`` Numba kernel. Memory is
``n_workers * block_rows * block_cols`` numbers whatever m and n are.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .._numba import effective_n_threads, parallel_threads
from .._threads import blas_threads
from . import _kernels

BLOCK_ROWS = 256
BLOCK_COLS = 1024


def _blocks(m, size):
    return [(s, min(s + size, m)) for s in range(0, m, size)]


def run_tiles(
    Xq,
    Y,
    yy,
    logw,
    *,
    mode="lse",
    self_idx=None,
    k=5,
    n_jobs=None,
    block_rows=BLOCK_ROWS,
    block_cols=BLOCK_COLS,
):
    """Fold every (query block, data tile) pair through one kernel.

    Parameters
    ----------
    Xq : ndarray of shape (m, d)
        Whitened queries (float64 or float32, C-contiguous).
    Y : ndarray of shape (n, d)
        Whitened data, same dtype as ``Xq``.
    yy : ndarray of shape (n,)
        Squared norms of ``Y`` (float64).
    logw : ndarray of shape (n,)
        Log-weights (float64), normalised or not.
    mode : {"lse", "diag", "nn"}
        Which statistics to accumulate. ``"lse"`` shifts each query's sum by
        an upper bound of its terms fixed in advance (one fused pass per tile
        row, no running maximum) and redoes, with the running maximum
        (``"lse_max"``), the rare queries whose bound is so loose that a term
        may underflow.
    self_idx : ndarray of shape (m,) of int64, optional
        Data index left out for each query (-1: none).
    k : int
        Hill order for ``mode="diag"``.

    Returns
    -------
    dict of ndarray
        ``"lse"``: log-sum-exp of ``a``; ``"diag"`` adds ``"lse2"`` (log of
        the sum of ``exp(2a)``), ``"amax"`` (largest ``a``) and ``"knn"``
        (the k+1 smallest squared distances, ascending); ``"nn"``:
        ``"dmin"`` (smallest squared distance).
    """
    m = Xq.shape[0]
    n = Y.shape[0]
    dtype = Xq.dtype
    if self_idx is None:
        self_idx = np.full(m, -1, dtype=np.int64)
    xx = np.einsum("ij,ij->i", Xq, Xq, dtype=np.float64)
    shift = None
    if mode == "lse":
        # a_ij = logw_j - |x_i - y_j|^2 / 2 <= max(logw) - gap_i^2 / 2 with
        # gap_i the distance from |x_i| to [min |y|, max |y|] (triangle
        # inequality); a query's largest term is exp(-Delta) below 1
        yn = np.sqrt(np.asarray(yy, dtype=np.float64))
        xn = np.sqrt(xx)
        gap = np.maximum(np.maximum(xn - yn.max(), yn.min() - xn), 0.0)
        shift = np.max(logw) - 0.5 * gap * gap
        if not np.isfinite(shift).all():
            mode, shift = "lse_max", None
    run_max = np.full(m, -np.inf)
    run_sum = np.zeros(m)
    run_sum2 = np.zeros(m) if mode == "diag" else None
    knn = np.full((m, k + 1), np.inf) if mode == "diag" else None
    run_min = np.full(m, np.inf) if mode == "nn" else None
    col_tiles = _blocks(n, block_cols)
    yy = np.ascontiguousarray(yy, dtype=dtype)
    logw = np.ascontiguousarray(logw, dtype=np.float64)
    xx_t = xx.astype(dtype)

    def work(rows):
        r0, r1 = rows
        buf = np.empty((r1 - r0, block_cols), dtype=dtype)
        xb = Xq[r0:r1]
        si = self_idx[r0:r1]
        for c0, c1 in col_tiles:
            if c1 - c0 == block_cols:
                G = buf
                np.dot(xb, Y[c0:c1].T, out=G)
            else:
                G = np.dot(xb, Y[c0:c1].T)
            sic = si - c0
            if mode == "lse":
                _kernels._lse_shift_tile(
                    G,
                    xx_t[r0:r1],
                    yy[c0:c1],
                    logw[c0:c1],
                    0,
                    sic,
                    shift[r0:r1],
                    run_sum[r0:r1],
                )
            elif mode == "lse_max":
                _kernels._lse_tile(
                    G,
                    xx_t[r0:r1],
                    yy[c0:c1],
                    logw[c0:c1],
                    0,
                    sic,
                    run_max[r0:r1],
                    run_sum[r0:r1],
                )
            elif mode == "diag":
                _kernels._diag_tile(
                    G,
                    xx_t[r0:r1],
                    yy[c0:c1],
                    logw[c0:c1],
                    0,
                    sic,
                    run_max[r0:r1],
                    run_sum[r0:r1],
                    run_sum2[r0:r1],
                    knn[r0:r1],
                )
            else:
                _kernels._nn_tile(G, xx_t[r0:r1], yy[c0:c1], 0, sic, run_min[r0:r1])

    row_blocks = _blocks(m, block_rows)
    workers = min(effective_n_threads(n_jobs), len(row_blocks))
    if workers <= 1:
        # BLAS is pinned to one thread even here: the tiles are small
        # (block_rows x d x block_cols) and a multi-threaded BLAS spends more
        # time synchronising on them than computing, badly so under load.
        with blas_threads(1):
            for rb in row_blocks:
                work(rb)
    else:
        # parallel_threads pins BLAS to one thread per worker
        with parallel_threads(workers), ThreadPoolExecutor(workers) as pool:
            list(pool.map(work, row_blocks))
    out = {}
    if mode == "lse":
        # exp(a - shift) underflows below e^-708: with run_sum >= e^-660 every
        # dropped term is < e^-48 / n of the sum (relative error < 1e-20)
        redo = np.flatnonzero(~(run_sum >= n * np.exp(-660.0)))
        with np.errstate(divide="ignore"):
            lse = shift + np.log(run_sum)
        if redo.size:
            lse[redo] = run_tiles(
                Xq[redo],
                Y,
                yy,
                logw,
                mode="lse_max",
                self_idx=self_idx[redo],
                n_jobs=n_jobs,
                block_rows=block_rows,
                block_cols=block_cols,
            )["lse"]
        out["lse"] = lse
    if mode in ("lse_max", "diag"):
        with np.errstate(divide="ignore"):
            out["lse"] = run_max + np.log(run_sum)
    if mode == "diag":
        with np.errstate(divide="ignore"):
            out["lse2"] = 2.0 * run_max + np.log(run_sum2)
        out["amax"] = run_max
        out["knn"] = knn
    if mode == "nn":
        out["dmin"] = run_min
    return out
