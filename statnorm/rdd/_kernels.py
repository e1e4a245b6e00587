"""Numba kernels for statnorm.rdd (no validation, no Python objects).

The kernels the default fit runs take their outputs and scratch buffers from
a thin Python wrapper of the same name: every distinct ``np.zeros`` /
``np.empty`` call inside a kernel is one more compilation on first use
(about 0.1 s each).
"""

import math

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


def locpoly_moments(x, Y, h, p, kid):
    """Per column j: Gram matrix sum K r r', right-hand side sum K r Y, count.

    ``x`` (n,) are the units of one side, ``Y`` (n, k), ``h`` (k,).
    """
    k = Y.shape[1]
    d = p + 1
    M = np.zeros((k, d, d))
    rhs = np.zeros((k, d))
    cnt = np.zeros(k, dtype=np.int64)
    _locpoly_moments(x, Y, h, kid, M, rhs, cnt, np.empty(d))
    return M, rhs, cnt


@njit
def _locpoly_moments(x, Y, h, kid, M, rhs, cnt, r):
    """:func:`locpoly_moments` into the caller's zeroed outputs."""
    n, k = Y.shape
    d = r.shape[0]
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


def locpoly_weights(x, h, alpha, e, kid):
    """Intercept weights, positive-kernel mask and fitted values, (n, k) each."""
    n = x.shape[0]
    k = alpha.shape[1]
    W = np.zeros((n, k))
    F = np.zeros((n, k))
    mask = np.zeros((n, k), dtype=np.bool_)
    _locpoly_weights(x, h, alpha, e, kid, W, mask, F)
    return W, mask, F


@njit
def _locpoly_weights(x, h, alpha, e, kid, W, mask, F):
    """:func:`locpoly_weights` into the caller's zeroed outputs."""
    n = x.shape[0]
    d, k = alpha.shape
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


@njit
def _moments_prefix(x, yj, hj, d, kid, m, M, rhs, r):
    """Accumulate Gram and right-hand side of one column over ``x[:m]``
    (``r``: scratch of length >= ``d``)."""
    cnt = 0
    for i in range(m):
        u = x[i] / hj
        w = _kern(u, kid)
        if w <= 0.0:
            continue
        cnt += 1
        r[0] = 1.0
        for a in range(1, d):
            r[a] = r[a - 1] * u
        for a in range(d):
            wa = w * r[a]
            rhs[a] += wa * yj[i]
            for c in range(a, d):
                M[a, c] += wa * r[c]
    for a in range(d):
        for c in range(a):
            M[a, c] = M[c, a]
    return cnt


def rbc_moments(x, YT, h, b, nh, nb, dh, db, kid):
    """Moments of the order-``dh - 1`` fit at ``h`` and the order-``db - 1``
    fit at ``b``, per column ``j`` of ``YT`` (k, n) over the first ``nh[j]`` /
    ``nb[j]`` units of ``x`` (sorted by ``|x|``: the units within the
    bandwidth)."""
    k = YT.shape[0]
    if _outside_support(x, h, nh) and (db == 0 or _outside_support(x, b, nb)):
        # every unit past the prefix has zero kernel weight, so the prefix
        # sums are the sums over all units that locpoly_moments accumulates,
        # in the same order (bit-identical), and no other kernel compiles
        n = int(max(nh.max(initial=0), nb.max(initial=0) if db > 0 else 0))
        Y = np.ascontiguousarray(YT[:, :n].T)
        Mh, rh, ch = locpoly_moments(x[:n], Y, h, dh - 1, kid)
        if db > 0:
            Mb, rb, cb = locpoly_moments(x[:n], Y, b, db - 1, kid)
        else:
            Mb, rb, cb = np.zeros((k, 0, 0)), np.zeros((k, 0)), np.zeros(k, np.int64)
        return Mh, rh, ch, Mb, rb, cb
    Mh = np.zeros((k, dh, dh))
    rh = np.zeros((k, dh))
    ch = np.zeros(k, dtype=np.int64)
    Mb = np.zeros((k, db, db))
    rb = np.zeros((k, db))
    cb = np.zeros(k, dtype=np.int64)
    r = np.empty(max(dh, db, 1))
    _rbc_moments(x, YT, h, b, nh, nb, dh, db, kid, Mh, rh, ch, Mb, rb, cb, r)
    return Mh, rh, ch, Mb, rb, cb


def _outside_support(x, h, n):
    """Whether every unit from ``n[j]`` on (``x`` sorted by ``|x|``) has
    ``|x / h[j]| > 1``, i.e. zero kernel weight in column ``j``."""
    n = np.asarray(n)
    past = n < x.shape[0]
    return bool(np.all(np.abs(x[n[past]] / h[past]) > 1.0))


@njit
def _rbc_moments(x, YT, h, b, nh, nb, dh, db, kid, Mh, rh, ch, Mb, rb, cb, r):
    """:func:`rbc_moments` into the caller's zeroed outputs (``r``: scratch)."""
    k = YT.shape[0]
    for j in range(k):
        ch[j] = _moments_prefix(x, YT[j], h[j], dh, kid, nh[j], Mh[j], rh[j], r)
        if db > 0:
            cb[j] = _moments_prefix(x, YT[j], b[j], db, kid, nb[j], Mb[j], rb[j], r)


def rbc_block(x, YT, h, b, nmax, e0, alpha_q, eq, Gq_inv, c, kid, mode):
    """Bootstrap block ``residual x bias-corrected weight`` of one side,
    (k, n) (column ``j`` over the first ``nmax[j]`` units of ``x``, sorted by
    ``|x|``; zero beyond).

    Per unit ``i`` and column ``j``, with ``u = x_i / h_j``, ``v = x_i / b_j``:
    the weight ``K(u) r_p(u)' e0_j - c_j K(v) r_q(v)' eq_j``
    (statnorm/rdd/_robust.py) times the residual ``Y_ij - r_q(v)' alpha_q_j``
    of the bias fit, plain (``mode`` 0; HC1's factor is the caller's) or
    divided by ``sqrt(1 - h_ii)`` (2) or ``1 - h_ii`` (3), ``h_ii`` the
    leverage ``K(v) r_q(v)' Gq_inv_j r_q(v)``. ``c = 0`` with ``b = h`` and
    the order-``p`` fit as the "bias fit" gives the conventional block.
    """
    out = np.zeros(YT.shape)
    rv = np.empty(alpha_q.shape[0])
    _rbc_block(x, YT, h, b, nmax, e0, alpha_q, eq, Gq_inv, c, kid, mode, out, rv)
    return out


@njit
def _rbc_block(x, YT, h, b, nmax, e0, alpha_q, eq, Gq_inv, c, kid, mode, out, rv):
    """:func:`rbc_block` into the caller's zeroed ``out`` (``rv``: scratch)."""
    k = YT.shape[0]
    dp = e0.shape[1]
    dq = alpha_q.shape[0]
    for j in range(k):
        for i in range(nmax[j]):
            xi = x[i]
            u = xi / h[j]
            v = xi / b[j]
            kh = _kern(u, kid)
            kb = _kern(v, kid)
            if kh <= 0.0 and kb <= 0.0:
                continue
            w = 0.0
            if kh > 0.0:
                s = 0.0
                ua = 1.0
                for a in range(dp):
                    s += e0[j, a] * ua
                    ua *= u
                w = kh * s
            rv[0] = 1.0
            for a in range(1, dq):
                rv[a] = rv[a - 1] * v
            if kb > 0.0:
                s = 0.0
                for a in range(dq):
                    s += eq[j, a] * rv[a]
                w -= c[j] * kb * s
            f = 0.0
            for a in range(dq):
                f += alpha_q[a, j] * rv[a]
            e = YT[j, i] - f
            if mode >= 2 and kb > 0.0:
                lev = 0.0
                for a in range(dq):
                    t = 0.0
                    for d in range(dq):
                        t += Gq_inv[j, a, d] * rv[d]
                    lev += rv[a] * t
                one = max(1.0 - kb * lev, 1e-8)
                e = e / math.sqrt(one) if mode == 2 else e / one
            out[j, i] = e * w


def locpoly_resid_var(x, Y, h, alpha, e, kid):
    """Per column: sum of w r^2 and of w over units with intercept weight w > 0.

    ``w = K(x/h) e'(1, u, ..., u^p)`` and ``r = Y - sum_a alpha_a u^a``: the
    stage-2 variance of the bandwidth rule. Above ``_RESID_VAR_NUMPY``
    (unit, column) pairs in one compiled pass, without the (n, k) weight,
    mask and fitted-value matrices of :func:`locpoly_weights`; below, from
    those matrices (bit-identical; one kernel fewer to compile on first use).
    """
    n, k = Y.shape
    if 0 < n * k <= _RESID_VAR_NUMPY:
        # from the (n, k) matrices of locpoly_weights: the same products,
        # summed in the same order (cumsum along the units is sequential),
        # so bit-identical, and no other kernel compiles
        W, _, F = locpoly_weights(x, h, alpha, e, kid)
        pos = W > 0.0
        with np.errstate(all="ignore"):
            r = Y - F
            wrr = np.where(pos, W * r * r, 0.0)
        num = np.cumsum(wrr, axis=0)[-1]
        den = np.cumsum(np.where(pos, W, 0.0), axis=0)[-1]
        return num, den
    num = np.zeros(k)
    den = np.zeros(k)
    _locpoly_resid_var(x, Y, h, alpha, e, kid, num, den)
    return num, den


_RESID_VAR_NUMPY = 2**20  # up to this many (unit, column) pairs


@njit
def _locpoly_resid_var(x, Y, h, alpha, e, kid, num, den):
    """:func:`locpoly_resid_var` into the caller's zeroed outputs."""
    n, k = Y.shape
    d = alpha.shape[0]
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


@njit
def nn_residuals(x, D, nnmatch):
    """Nearest-neighbour residuals of every column of ``D`` on sorted ``x``.

    For unit ``i`` the match set grows outward, one group of tied ``x``
    values at a time, toward the closer side (both when the two distances
    agree to a relative ``sqrt(eps)``), until it holds at least ``nnmatch``
    other units (at most ``n - 1``); tied units are always matched together.
    The residual is ``sqrt(J / (J + 1)) (D_i - mean of the J matches)``.
    """
    n, k = D.shape
    out = np.empty((n, k))
    tol = np.sqrt(np.finfo(np.float64).eps)
    # first and one-past-last index of each unit's tie group
    first = np.empty(n, dtype=np.int64)
    last = np.empty(n, dtype=np.int64)
    i = 0
    while i < n:
        j = i + 1
        while j < n and x[j] == x[i]:
            j += 1
        for t in range(i, j):
            first[t] = i
            last[t] = j
        i = j
    cap = nnmatch if nnmatch < n - 1 else n - 1
    for i in range(n):
        lo = first[i]
        hi = last[i]
        while hi - lo - 1 < cap:
            if lo == 0:
                hi = last[hi]
            elif hi == n:
                lo = first[lo - 1]
            else:
                dl = x[i] - x[lo - 1]
                dr = x[hi] - x[i]
                eps = (dl if dl > dr else dr) * tol
                if dl - dr > eps:
                    hi = last[hi]
                elif dr - dl > eps:
                    lo = first[lo - 1]
                else:
                    hi = last[hi]
                    lo = first[lo - 1]
        J = hi - lo - 1
        sf = np.sqrt(J / (J + 1.0))
        for c in range(k):
            s = 0.0
            for t in range(lo, hi):
                s += D[t, c]
            s -= D[i, c]
            out[i, c] = sf * (D[i, c] - s / J)
    return out


@njit
def wls_moments(x, D, h, order, kid):
    """Gram ``sum w r r'``, ``sum w r D'`` and ``sum w D D'`` (the latter
    only for more than one column) of a one-sided fit, with
    ``w = K(x / h) / h`` and ``r = (1, x, ..., x^order)``."""
    n, k = D.shape
    d = order + 1
    G = np.zeros((d, d))
    RD = np.zeros((d, k))
    DD = np.zeros((k, k))
    r = np.empty(d)
    for i in range(n):
        w = _kern(x[i] / h, kid) / h
        if w <= 0.0:
            continue
        r[0] = 1.0
        for a in range(1, d):
            r[a] = r[a - 1] * x[i]
        for a in range(d):
            wa = w * r[a]
            for c in range(k):
                RD[a, c] += wa * D[i, c]
            for b in range(a, d):
                G[a, b] += wa * r[b]
        if k > 1:
            for a in range(k):
                wa = w * D[i, a]
                for c in range(k):
                    DD[a, c] += wa * D[i, c]
    for a in range(d):
        for b in range(a):
            G[a, b] = G[b, a]
    return G, RD, DD


@njit
def wls_bias_moment(x, h, order, kid):
    """``sum w r (x / h)^(order + 1)`` of a one-sided fit (the bias constant)."""
    n = x.shape[0]
    d = order + 1
    v = np.zeros(d)
    for i in range(n):
        u = x[i] / h
        w = _kern(u, kid) / h
        if w <= 0.0:
            continue
        t = w * u ** (order + 1)
        ra = 1.0
        for a in range(d):
            v[a] += t * ra
            ra *= x[i]
    return v


@njit
def combined_residuals(x, D, h, order, kid, beta, invG, s, mode, n_dof, dof):
    """``(D_i - r_i' beta) . s`` per unit, scaled as HC0 (mode 0), HC1 (1,
    ``sqrt(n_dof / (n_dof - dof))``), HC2 (2) or HC3 (3); the leverage
    ``w_i r_i' invG r_i`` uses the fit's own weights (zero outside ``h``)."""
    n, k = D.shape
    d = order + 1
    e = np.empty(n)
    r = np.empty(d)
    f1 = np.sqrt(n_dof / (n_dof - dof)) if mode == 1 else 1.0
    for i in range(n):
        r[0] = 1.0
        for a in range(1, d):
            r[a] = r[a - 1] * x[i]
        acc = 0.0
        for c in range(k):
            fit = 0.0
            for a in range(d):
                fit += r[a] * beta[a, c]
            acc += (D[i, c] - fit) * s[c]
        if mode >= 2:
            w = _kern(x[i] / h, kid) / h
            hii = 0.0
            for a in range(d):
                t = 0.0
                for b in range(d):
                    t += invG[a, b] * r[b]
                hii += r[a] * t
            hii *= w
            one = 1.0 - hii
            if one < 1e-8:
                one = 1e-8
            acc = acc / np.sqrt(one) if mode == 2 else acc / one
        e[i] = acc * f1
    return e


@njit
def score_meat(x, e, h, p, kid, b, q, v, L, corr, codes, n_codes):
    """Meat ``sum_i e_i^2 A_i A_i'`` (or, with cluster ``codes`` >= 0, the
    sum over clusters of ``(sum_i e_i A_i)(...)'``) of the design

        A_i = K(x_i/h)/h r_p(x_i) - corr K(x_i/b)/b (r_q(x_i)' v) L,

    i.e. the conventional (``corr = 0``) or bias-corrected score. Returns
    the meat and the number of clusters present."""
    n = x.shape[0]
    d = p + 1
    M = np.zeros((d, d))
    A = np.empty(d)
    clustered = n_codes > 0
    S = np.zeros((n_codes if clustered else 1, d))
    seen = np.zeros(n_codes if clustered else 1, dtype=np.bool_)
    for i in range(n):
        wh = _kern(x[i] / h, kid) / h
        m = 0.0
        if corr != 0.0:
            wb = _kern(x[i] / b, kid) / b
            ra = 1.0
            for a in range(q + 1):
                m += ra * v[a]
                ra *= x[i]
            m *= wb * corr
        ra = 1.0
        for a in range(d):
            A[a] = wh * ra - m * L[a]
            ra *= x[i]
        if clustered:
            g = codes[i]
            seen[g] = True
            for a in range(d):
                S[g, a] += e[i] * A[a]
        else:
            e2 = e[i] * e[i]
            for a in range(d):
                for c in range(a, d):
                    M[a, c] += e2 * A[a] * A[c]
    n_seen = 0
    if clustered:
        for g in range(n_codes):
            if seen[g]:
                n_seen += 1
                for a in range(d):
                    for c in range(a, d):
                        M[a, c] += S[g, a] * S[g, c]
    for a in range(d):
        for c in range(a):
            M[a, c] = M[c, a]
    return M, n_seen


@njit
def spd_inverse(G):
    """Inverse of a small symmetric positive definite ``G`` by Cholesky
    (``G = L L'``, ``G^-1 = L^-T L^-1``); ``ok`` is False when ``G`` is not
    numerically positive definite (the caller falls back to a pseudo-inverse)."""
    k = G.shape[0]
    L = np.zeros((k, k))
    for j in range(k):
        d = G[j, j]
        for m in range(j):
            d -= L[j, m] * L[j, m]
        if not d > 0.0:
            return np.zeros((k, k)), False
        L[j, j] = np.sqrt(d)
        for i in range(j + 1, k):
            s = G[i, j]
            for m in range(j):
                s -= L[i, m] * L[j, m]
            L[i, j] = s / L[j, j]
    Li = np.zeros((k, k))
    for j in range(k):
        Li[j, j] = 1.0 / L[j, j]
        for i in range(j + 1, k):
            s = 0.0
            for m in range(j, i):
                s -= L[i, m] * Li[m, j]
            Li[i, j] = s / L[i, i]
    out = np.zeros((k, k))
    for i in range(k):
        for j in range(i, k):
            s = 0.0
            for m in range(j, k):
                s += Li[m, i] * Li[m, j]
            out[i, j] = s
            out[j, i] = s
    return out, True
