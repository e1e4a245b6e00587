"""Inference for R3D: residual blocks, plug-in standard errors and the bands.

The effect's multiplier process is ``nu_b(q) = sum_g xi_gb a_g(q)`` over
multiplier units ``g`` (units, or clusters), with ``a_g`` the residual times
intercept weight of the side fits (fuzzy: combined with the first stage by
the delta method). :func:`bootstrap_band` builds the blocks ``a_g``, the
plug-in standard error (the exact standard deviation of ``nu`` given the
data), the draws (:func:`~statnorm.rdd._bootstrap.multiplier_draws`) and
the uniform band and pointwise intervals from them.
"""

from dataclasses import dataclass

import numpy as np

from ._bootstrap import multiplier_draws
from ._design import warn_user


@dataclass(frozen=True)
class Inference:
    """Standard errors, band and draws of one fit (NaN / empty without draws)."""

    std_error: np.ndarray
    critical_value: float
    band_lower: np.ndarray
    band_upper: np.ndarray
    pointwise_lower: np.ndarray
    pointwise_upper: np.ndarray
    bootstrap_std_error: np.ndarray
    draws: np.ndarray  # (B, n_q) draws of the effect process
    side_draws: dict  # {"+": (B, n_q), "-": (B, n_q)} per-side processes


def residual_blocks(xc, Q, T, fits, tfits, h, hT, *, frechet, r3d_compat):
    """Per side: (row indices, residual * intercept weight) for the bootstrap.

    The outcome blocks come from the side fits ``fits``; the treatment
    blocks (fuzzy designs, else None) from the first-stage fits ``tfits``
    (R3D: from the outcome weights at the first level, ``r3d_compat``).
    """
    from .._isotonic import isotonic_rows

    shared = np.all(h == h[0])
    blocks = {}
    for side in "+-":
        f = fits[side]
        fitted = f.fitted()
        if frechet and shared and f.idx.size:
            fitted = isotonic_rows(fitted)
        mask = f.weights > 0 if r3d_compat else f.kmask
        E = np.where(mask, Q[f.idx] - fitted, 0.0)
        blocks[side] = (f.idx, E * f.weights)
    if T is None:
        return blocks, None
    tblocks = {}
    for side in "+-":
        tf = tfits[side]
        if r3d_compat:
            f = fits[side]
            rows = f.weights[:, 0] > 0
            idx = f.idx[rows]
            fitT = np.polyval(tf.alpha[::-1, 0], xc[idx] / hT)
            tblocks[side] = (idx, (T[idx] - fitT) * f.weights[rows, 0])
        else:
            e = np.where(tf.kmask[:, 0], T[tf.idx] - tf.fitted()[:, 0], 0.0)
            tblocks[side] = (tf.idx, e * tf.weights[:, 0])
    return blocks, tblocks


def _aggregate(codes, values):
    """Sum the rows of ``values`` by ``codes``: ``(unique codes, sums)``."""
    from scipy import sparse

    u, inv = np.unique(codes, return_inverse=True)
    S = sparse.csr_matrix(
        (np.ones(codes.size), (inv, np.arange(codes.size))), shape=(u.size, codes.size)
    )
    return u, np.asarray(S @ values)


def multiplier_blocks(blocks, tblocks, codes, n_multipliers):
    """Blocks indexed by position among the multiplier units that need a draw.

    With cluster ``codes``, rows are first summed per cluster. Returns the
    re-indexed blocks and the (sorted) multiplier units that appear in some
    block: only those get a multiplier.
    """
    if codes is not None:
        blocks = {k: _aggregate(codes[i], v) for k, (i, v) in blocks.items()}
        if tblocks is not None:
            tblocks = {
                k: _aggregate(codes[i], v[:, None]) for k, (i, v) in tblocks.items()
            }
            tblocks = {k: (g, s[:, 0]) for k, (g, s) in tblocks.items()}
    parts = [b[0] for b in blocks.values()]
    if tblocks is not None:
        parts += [b[0] for b in tblocks.values()]
    used = np.unique(np.concatenate(parts))
    pos = np.full(n_multipliers, -1, dtype=np.intp)
    pos[used] = np.arange(used.size)
    blocks = {k: (pos[i], v) for k, (i, v) in blocks.items()}
    if tblocks is not None:
        tblocks = {k: (pos[i], v) for k, (i, v) in tblocks.items()}
    return blocks, tblocks, used


def plugin_std(blocks, tblocks, n_used, num, denom):
    """Standard deviation of the multiplier process given the data, per level.

    ``nu(q) = sum_g xi_g a_g(q)`` with ``a = a+ - a-`` (fuzzy: the delta
    method ``(D a - N aT) / D^2``) over multiplier units ``g`` (units or
    clusters), so ``Var(nu(q) | data) = sum_g a_g(q)^2``: the plug-in
    (HC0 / cluster-robust) sandwich variance of the local polynomial effect.
    Computed on rescaled columns, so outcomes near 1e200 do not overflow.
    """
    pp, P = blocks["+"]
    pm, M = blocks["-"]
    scale = np.maximum(
        np.max(np.abs(P), axis=0, initial=0.0), np.max(np.abs(M), axis=0, initial=0.0)
    )
    if num is not None:
        scale = np.maximum(scale, np.abs(num))
    scale = np.where(scale > 0, scale, 1.0)
    P, M = P / scale, M / scale
    ss = np.einsum("ij,ij->j", P, P) + np.einsum("ij,ij->j", M, M)
    _, ip, im = np.intersect1d(pp, pm, assume_unique=True, return_indices=True)
    if ip.size:
        ss = ss - 2.0 * np.sum(P[ip] * M[im], axis=0)
    if tblocks is None:
        return np.sqrt(np.maximum(ss, 0.0)) * scale
    t = np.zeros(n_used)
    for side, sign in (("+", 1.0), ("-", -1.0)):
        i, v = tblocks[side]
        np.add.at(t, i, sign * v)
    nm = num / scale
    cross = t[pp] @ P - t[pm] @ M
    var = (denom**2 * ss - 2.0 * denom * nm * cross + nm**2 * (t @ t)) / denom**4
    return np.sqrt(np.maximum(var, 0.0)) * scale


def uniform_band(tau, draws, level):
    """Critical value, band, pointwise intervals and bootstrap standard error.

    The band is ``tau +- c`` with ``c`` the ``ceil(level (B + 1))``-th
    smallest ``sup_q |nu_b(q)|``; the pointwise intervals take the same order
    statistic of ``|nu_b(q)|`` level by level.
    """
    B = draws.shape[0]
    sup = np.max(np.abs(draws), axis=1)
    k = int(np.ceil(level * (B + 1)))
    if k > B:
        warn_user(
            f"n_bootstrap={B} is too small for a {level:.0%} band "
            f"(needs at least {k} draws); using the largest draw."
        )
        k = B
    crit = float(np.sort(sup)[k - 1])
    crit_q = np.sort(np.abs(draws), axis=0)[k - 1]
    se = np.full(tau.size, np.nan)
    if B > 1:
        sc = np.max(np.abs(draws), axis=0)
        sc = np.where(sc > 0, sc, 1.0)  # rescaled: no overflow near 1e200
        se = np.std(draws / sc, axis=0, ddof=1) * sc
    return crit, tau - crit, tau + crit, tau - crit_q, tau + crit_q, se


def bootstrap_band(
    blocks, tblocks, used, tau, num, denom, *, n_draws, level, xi, draw_options
):
    """Plug-in standard errors and, with ``n_draws > 0``, the bootstrap band.

    Parameters
    ----------
    blocks, tblocks, used
        From :func:`multiplier_blocks`.
    tau, num : ndarray of shape (n_q,)
        The effect and its numerator (equal in sharp designs).
    denom : float or None
        Jump in treatment probability (fuzzy designs).
    n_draws : int
        Number of multiplier draws (0: standard errors only).
    level : float
        Confidence level of the band and intervals.
    xi : ndarray of shape (n_multipliers, n_draws) or None
        Fixed multipliers.
    draw_options : dict
        ``random_state``, ``n_jobs`` and ``progress`` of
        :func:`~statnorm.rdd._bootstrap.multiplier_draws`.

    Returns
    -------
    inference : Inference
    """
    nq = tau.size
    std_error = plugin_std(blocks, tblocks, used.size, num, denom)
    if n_draws == 0:
        nan = np.full(nq, np.nan)
        empty = np.empty((0, nq))
        return Inference(
            std_error,
            np.nan,
            nan,
            nan.copy(),
            nan.copy(),
            nan.copy(),
            nan.copy(),
            empty,
            {"+": np.empty((0, nq)), "-": np.empty((0, nq))},
        )
    nu_p, nu_m, nuT = multiplier_draws(
        blocks,
        tblocks,
        used.size,
        n_draws,
        xi=None if xi is None else xi[used],
        **draw_options,
    )
    draws = nu_p - nu_m
    if denom is not None:
        draws = (denom * draws - num[None, :] * nuT[:, None]) / denom**2
    return Inference(
        std_error, *uniform_band(tau, draws, level), draws, {"+": nu_p, "-": nu_m}
    )
