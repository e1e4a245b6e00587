"""Numba kernels for statnorm.rdd (no validation, no Python objects)."""

import numpy as np

from .._numba import njit


@njit
def _kern(u, kid):
    a = abs(u)
    if a > 1.0:
        return 0.0
    if kid == 0:
        return 1.0 - a
    if kid == 1:
        return 0.75 * (1.0 - u * u)
    return 0.5


@njit
def locpoly_moments(x, Y, h, p, kid):
    """Per column j: Gram matrix sum K r r', right-hand side sum K r Y, count.

    ``x`` (n,) are the units of one side, ``Y`` (n, k), ``h`` (k,).
    """
    n, k = Y.shape
    d = p + 1
    M = np.zeros((k, d, d))
    rhs = np.zeros((k, d))
    cnt = np.zeros(k, dtype=np.int64)
    r = np.empty(d)
    for i in range(n):
        xi = x[i]
        for j in range(k):
            u = xi / h[j]
            w = _kern(u, kid)
            if w <= 0.0:
                continue
            cnt[j] += 1
            r[0] = 1.0
            for a in range(1, d):
                r[a] = r[a - 1] * u
            yv = Y[i, j]
            for a in range(d):
                wa = w * r[a]
                rhs[j, a] += wa * yv
                for b in range(a, d):
                    M[j, a, b] += wa * r[b]
    for j in range(k):
        for a in range(d):
            for b in range(a):
                M[j, a, b] = M[j, b, a]
    return M, rhs, cnt


@njit
def locpoly_weights(x, h, alpha, e, kid):
    """Intercept weights, positive-kernel mask and fitted values, (n, k) each."""
    n = x.shape[0]
    d, k = alpha.shape
    W = np.zeros((n, k))
    F = np.zeros((n, k))
    mask = np.zeros((n, k), dtype=np.bool_)
    for i in range(n):
        for j in range(k):
            u = x[i] / h[j]
            w = _kern(u, kid)
            f = 0.0
            for a in range(d - 1, -1, -1):
                f = f * u + alpha[a, j]
            F[i, j] = f
            if w <= 0.0:
                continue
            mask[i, j] = True
            s = 0.0
            ua = 1.0
            for a in range(d):
                s += e[j, a] * ua
                ua *= u
            W[i, j] = w * s
    return W, mask, F


@njit
def locpoly_resid_var(x, Y, h, alpha, e, kid):
    """Per column: sum of w r^2 and of w over units with intercept weight w > 0.

    ``w = K(x/h) e'(1, u, ..., u^p)`` and ``r = Y - sum_a alpha_a u^a``: the
    stage-2 variance of the bandwidth rule in one pass, without the
    (n, k) weight, mask and fitted-value matrices of :func:`locpoly_weights`.
    """
    n, k = Y.shape
    d = alpha.shape[0]
    num = np.zeros(k)
    den = np.zeros(k)
    for i in range(n):
        xi = x[i]
        for j in range(k):
            u = xi / h[j]
            w = _kern(u, kid)
            if w <= 0.0:
                continue
            f = 0.0
            for a in range(d - 1, -1, -1):
                f = f * u + alpha[a, j]
            s = 0.0
            ua = 1.0
            for a in range(d):
                s += e[j, a] * ua
                ua *= u
            w = w * s
            if w > 0.0:
                r = Y[i, j] - f
                num[j] += w * r * r
                den[j] += w
    return num, den
