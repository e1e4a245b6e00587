"""Numba engine of :func:`statnorm.rdd.scalar_rd` for a sharp design without
covariates or clusters: rdrobust's bandwidth rules and the final fits in one
compiled call (no Python objects between the steps).

The arithmetic is that of statnorm/rdd/_scalar.py (the reference path, which
handles every design and raises the errors): the same windows, fits,
residuals and meats, with the Gram matrices, right-hand sides, bias moments
and conventional meats built from Hankel power sums (``G[a, b] = S[a + b]``)
so that the fits sharing a window share one pass over its units. A nonzero
status makes the caller rerun the reference path, which then raises the
message (too few units within a bandwidth, a rule that broke down).
"""

import numpy as np

from .._numba import njit
from ._kernels import _kern, nn_residuals, spd_inverse

_SQRT_EPS = float(np.sqrt(np.finfo(float).eps))

# bandwidth rules (ids): mserd, msetwo, msesum, msecomb1, msecomb2
_RULE_ID = {"mserd": 0, "msetwo": 1, "msesum": 2, "msecomb1": 3, "msecomb2": 4}


@njit
def _window(x, lo0, hi0, left, h, kid):
    """Units of ``x[lo0:hi0]`` (one side, sorted) with positive weight at h."""
    if left:
        lo = lo0 + np.searchsorted(x[lo0:hi0], -h, side="left")
        hi = hi0
    else:
        lo = lo0
        hi = lo0 + np.searchsorted(x[lo0:hi0], h, side="right")
    while lo < hi and _kern(x[lo] / h, kid) <= 0.0:
        lo += 1
    while hi > lo and _kern(x[hi - 1] / h, kid) <= 0.0:
        hi -= 1
    return lo, hi


@njit
def _distinct(x, lo, hi):
    if hi <= lo:
        return 0
    m = 1
    for i in range(lo + 1, hi):
        if x[i] != x[i - 1]:
            m += 1
    return m


@njit
def _weights(x, lo, hi, h, kid):
    """``K(x / h) / h`` over ``x[lo:hi]`` (the arithmetic of ``_kern``; no
    fast-math here: ``x / h`` decides the kernel's support)."""
    w = np.empty(hi - lo)
    for i in range(lo, hi):
        u = x[i] / h
        a = abs(u)
        if kid == 0:
            k = 1.0 - a
        elif kid == 1:
            k = 0.75 * (1.0 - u * u)
        else:
            k = 0.5
        w[i - lo] = k / h if a <= 1.0 else 0.0
    return w


# the loops below are column-wise (one pass per power) so that LLVM
# vectorizes them; reassociation lets it split the sums into lanes
_FM = {"reassoc", "contract", "nsz"}


@njit(fastmath=_FM)
def _power_sums(w, x, y, S, T):
    """``S[m] = sum w x^m`` and ``T[m] = sum w x^m y`` over the window."""
    t = w.copy()
    n = t.size
    for m in range(S.size):
        s = 0.0
        if m < T.size:
            st = 0.0
            for i in range(n):
                s += t[i]
                st += t[i] * y[i]
                t[i] *= x[i]
            T[m] = st
        else:
            for i in range(n):
                s += t[i]
                t[i] *= x[i]
        S[m] = s


@njit(fastmath=_FM)
def _horner(c, x):
    """``sum_m c[m] x^m`` per unit."""
    n = x.size
    f = np.full(n, c[c.size - 1])
    for m in range(c.size - 2, -1, -1):
        cm = c[m]
        for i in range(n):
            f[i] = f[i] * x[i] + cm
    return f


@njit(fastmath=_FM)
def _residuals(x, y, w, beta, invG, mode, f1):
    """HC0-HC3 residuals ``y - r' beta`` of one fit (``combined_residuals``
    with one column), ``w`` its own weights for the leverage."""
    e = _horner(beta, x)
    n = x.size
    for i in range(n):
        e[i] = (y[i] - e[i]) * f1
    if mode >= 2:
        d = beta.size
        c = np.zeros(2 * d - 1)  # r' invG r as a polynomial in x
        for a in range(d):
            for b in range(d):
                c[a + b] += invG[a, b]
        lev = _horner(c, x)
        for i in range(n):
            one = max(1.0 - lev[i] * w[i], 1e-8)
            e[i] = e[i] / np.sqrt(one) if mode == 2 else e[i] / one
    return e


@njit
def _inverse(G):
    inv, ok = spd_inverse(G)
    if ok:
        return inv
    return np.ascontiguousarray(np.linalg.pinv(G))


@njit
def _gram(S, d):
    G = np.empty((d, d))
    for a in range(d):
        for b in range(d):
            G[a, b] = S[a + b]
    return G


@njit
def _sandwich(invG, M, j):
    """``(invG M invG)[j, j]``."""
    d = M.shape[0]
    out = 0.0
    for a in range(d):
        t = 0.0
        for b in range(d):
            t += M[a, b] * invG[b, j]
        out += invG[j, a] * t
    return out


@njit
def _nn(x, y, lo, hi, nnmatch):
    Y = np.ascontiguousarray(y[lo:hi]).reshape((hi - lo, 1))
    return np.ascontiguousarray(nn_residuals(x[lo:hi], Y, nnmatch)[:, 0])


@njit
def _errors(x, y, lo, hi, w, beta, invG, mode, nnmatch, dof, e_nn):
    """The residuals of a fit on ``[lo, hi)``: nearest-neighbour (mode -1;
    ``e_nn`` when it holds them already) or HC0-HC3 (HC1's factor with
    ``dof`` coefficients)."""
    if mode < 0:
        return e_nn if e_nn.size == hi - lo else _nn(x, y, lo, hi, nnmatch)
    n_w = hi - lo
    f1 = np.sqrt(n_w / (n_w - dof)) if mode == 1 else 1.0
    return _residuals(x[lo:hi], y[lo:hi], w, beta, invG, mode, f1)


@njit
def _fit_variance(x, y, lo, hi, h, kid, order, mode, nnmatch, nu, need_bias, e_nn):
    """One fit of order ``order`` at ``h`` on ``[lo, hi)``: its coefficients,
    ``(invG M invG)[nu, nu]`` with the HC/NN meat, and the bias constant
    ``h^nu (invG v)[nu]`` (``need_bias``)."""
    d = order + 1
    w = _weights(x, lo, hi, h, kid)
    xw = x[lo:hi]
    S = np.zeros(2 * d if need_bias else 2 * d - 1)
    T = np.zeros(d)
    _power_sums(w, xw, y[lo:hi], S, T)
    invG = _inverse(_gram(S, d))
    beta = invG @ T
    bconst = 0.0
    if need_bias:
        hp = h ** (order + 1)
        t = 0.0
        for a in range(d):
            t += invG[nu, a] * (S[a + d] / hp)
        bconst = h**nu * t
    e = _errors(x, y, lo, hi, w, beta, invG, mode, nnmatch, order + 1.0, e_nn)
    for i in range(w.size):
        w[i] = e[i] * e[i] * w[i] * w[i]
    MS = np.zeros(2 * d - 1)
    _power_sums(w, xw, xw, MS, MS[:0])
    return beta, _sandwich(invG, _gram(MS, d), nu), bconst


@njit
def _pilot_pieces(
    x, y, lo0, hi0, left, kid, mode, nnmatch, h_v, o, nu, o_b, h_b, scale, out, e_v
):
    """One MSE step of one side (``_Pilot.pieces``): V, B, R in ``out[:3]``;
    returns a status (0 ok). ``e_v``: the nearest-neighbour residuals of
    the pilot window (shared by its three fits), or empty."""
    lo, hi = _window(x, lo0, hi0, left, h_v, kid)
    if _distinct(x, lo, hi) < o + 1:
        return 1
    _, V_v, bconst = _fit_variance(
        x, y, lo, hi, h_v, kid, o, mode, nnmatch, nu, True, e_v
    )
    if not (np.isfinite(h_b) and h_b > 0):
        return 2
    lo, hi = _window(x, lo0, hi0, left, h_b, kid)
    if _distinct(x, lo, hi) < o_b + 1:
        return 1
    reg = 0.0
    if scale > 0:
        beta, V_b, _ = _fit_variance(
            x, y, lo, hi, h_b, kid, o_b, mode, nnmatch, o_b, False, np.empty(0)
        )
        reg = 3 * bconst**2 * V_b
    else:
        d = o_b + 1
        S = np.zeros(2 * d - 1)
        T = np.zeros(d)
        _power_sums(_weights(x, lo, hi, h_b, kid), x[lo:hi], y[lo:hi], S, T)
        beta = _inverse(_gram(S, d)) @ T
    out[0] = (2 * nu + 1) * h_v ** (2 * nu + 1) * V_v
    out[1] = np.sqrt(2.0 * (o + 1 - nu)) * bconst * beta[o_b]
    out[2] = scale * 2 * (o + 1 - nu) * reg
    return 0


@njit
def _nth_distinct(x, lo, hi, left, k):
    """|x| of the k-th distinct value from the cutoff (the farthest if fewer)."""
    count = 0
    last = np.nan
    if left:
        for i in range(hi - 1, lo - 1, -1):
            if count == 0 or x[i] != last:
                count += 1
                last = x[i]
                if count == k:
                    break
    else:
        for i in range(lo, hi):
            if count == 0 or x[i] != last:
                count += 1
                last = x[i]
                if count == k:
                    break
    return abs(last)


@njit
def _rule(num, bias2, reg, scale, rate, cap, bw_max):
    """``(num / (bias2 + scale * reg))^rate``, capped at ``bw_max``."""
    v = (num / (bias2 + scale * reg)) ** rate
    return min(v, bw_max) if cap else v


@njit
def _select(
    x,
    y,
    n_l,
    kid,
    mode,
    nnmatch,
    p,
    q,
    rule,
    scale,
    bwrestrict,
    n_unique,
    iqr,
    pilot_c,
    bwcheck,
    out,
):
    """rdrobust's MSE rules on standardized ``x``, ``y`` (``_scalar._select``);
    ``out`` = (h_l, h_r, b_l, b_r) in standardized units; returns a status."""
    n = x.shape[0]
    bw_max_l = -x[0]
    bw_max_r = x[n - 1]
    bw_max = max(bw_max_l, bw_max_r)
    BWp = min(1.0, iqr / 1.349)
    c_bw = pilot_c * BWp * n_unique ** (-0.2)
    if bwrestrict:
        c_bw = min(c_bw, bw_max)
    bw_min_l = 0.0
    bw_min_r = 0.0
    if bwcheck > 0:
        bw_min_l = _nth_distinct(x, 0, n_l, True, bwcheck) * (1 + _SQRT_EPS)
        bw_min_r = _nth_distinct(x, n_l, n, False, bwcheck) * (1 + _SQRT_EPS)
        c_bw = max(c_bw, bw_min_l, bw_min_r)
    ev_l = np.empty(0)
    ev_r = np.empty(0)
    if mode < 0:
        lo, hi = _window(x, 0, n_l, True, c_bw, kid)
        if _distinct(x, lo, hi) > 1:
            ev_l = _nn(x, y, lo, hi, nnmatch)
        lo, hi = _window(x, n_l, n, False, c_bw, kid)
        if _distinct(x, lo, hi) > 1:
            ev_r = _nn(x, y, lo, hi, nnmatch)
    dl = np.zeros(3)
    dr = np.zeros(3)
    bl = np.zeros(3)
    br = np.zeros(3)
    hl = np.zeros(3)
    hr = np.zeros(3)
    st = _pilot_pieces(
        x,
        y,
        0,
        n_l,
        True,
        kid,
        mode,
        nnmatch,
        c_bw,
        q + 1,
        q + 1,
        q + 2,
        bw_max_l * (1 + _SQRT_EPS),
        0.0,
        dl,
        ev_l,
    )
    st += _pilot_pieces(
        x,
        y,
        n_l,
        n,
        False,
        kid,
        mode,
        nnmatch,
        c_bw,
        q + 1,
        q + 1,
        q + 2,
        bw_max_r * (1 + _SQRT_EPS),
        0.0,
        dr,
        ev_r,
    )
    if st:
        return st
    rate_d = 1.0 / (2 * (q + 1) + 3)
    rate_b = 1.0 / (2 * q + 3)
    rate_h = 1.0 / (2 * p + 3)
    need_two = rule == 1 or rule == 4
    need_sum = rule == 2 or rule == 3 or rule == 4
    need_rd = rule == 0 or rule == 3 or rule == 4
    res = np.full((3, 4), np.nan)  # rows: msetwo, msesum, mserd
    if need_two:
        d_l = max(
            _rule(dl[0], dl[1] ** 2, 0.0, 0.0, rate_d, bwrestrict, bw_max_l), bw_min_l
        )
        d_r = max(
            _rule(dr[0], dr[1] ** 2, 0.0, 0.0, rate_d, bwrestrict, bw_max_r), bw_min_r
        )
        st = _pilot_pieces(
            x,
            y,
            0,
            n_l,
            True,
            kid,
            mode,
            nnmatch,
            c_bw,
            q,
            p + 1,
            q + 1,
            d_l,
            scale,
            bl,
            ev_l,
        )
        st += _pilot_pieces(
            x,
            y,
            n_l,
            n,
            False,
            kid,
            mode,
            nnmatch,
            c_bw,
            q,
            p + 1,
            q + 1,
            d_r,
            scale,
            br,
            ev_r,
        )
        if st:
            return st
        b_l = _rule(bl[0], bl[1] ** 2, bl[2], scale, rate_b, bwrestrict, bw_max_l)
        b_r = _rule(br[0], br[1] ** 2, br[2], scale, rate_b, bwrestrict, bw_max_r)
        st = _pilot_pieces(
            x, y, 0, n_l, True, kid, mode, nnmatch, c_bw, p, 0, q, b_l, scale, hl, ev_l
        )
        st += _pilot_pieces(
            x, y, n_l, n, False, kid, mode, nnmatch, c_bw, p, 0, q, b_r, scale, hr, ev_r
        )
        if st:
            return st
        res[0, 0] = _rule(hl[0], hl[1] ** 2, hl[2], scale, rate_h, bwrestrict, bw_max_l)
        res[0, 1] = _rule(hr[0], hr[1] ** 2, hr[2], scale, rate_h, bwrestrict, bw_max_r)
        res[0, 2] = b_l
        res[0, 3] = b_r
    for row in (1, 2):
        if (row == 1 and not need_sum) or (row == 2 and not need_rd):
            continue
        sign = 1.0 if row == 1 else -1.0
        dd = (dl[0] + dr[0]) / (dr[1] + sign * dl[1]) ** 2
        dd = dd**rate_d
        if bwrestrict:
            dd = min(dd, bw_max)
        dd = max(dd, bw_min_l, bw_min_r)
        st = _pilot_pieces(
            x,
            y,
            0,
            n_l,
            True,
            kid,
            mode,
            nnmatch,
            c_bw,
            q,
            p + 1,
            q + 1,
            dd,
            scale,
            bl,
            ev_l,
        )
        st += _pilot_pieces(
            x,
            y,
            n_l,
            n,
            False,
            kid,
            mode,
            nnmatch,
            c_bw,
            q,
            p + 1,
            q + 1,
            dd,
            scale,
            br,
            ev_r,
        )
        if st:
            return st
        b = (bl[0] + br[0]) / ((br[1] + sign * bl[1]) ** 2 + scale * (br[2] + bl[2]))
        b = b**rate_b
        if bwrestrict:
            b = min(b, bw_max)
        st = _pilot_pieces(
            x, y, 0, n_l, True, kid, mode, nnmatch, c_bw, p, 0, q, b, scale, hl, ev_l
        )
        st += _pilot_pieces(
            x, y, n_l, n, False, kid, mode, nnmatch, c_bw, p, 0, q, b, scale, hr, ev_r
        )
        if st:
            return st
        h = (
            (hl[0] + hr[0]) / ((hr[1] + sign * hl[1]) ** 2 + scale * (hr[2] + hl[2]))
        ) ** rate_h
        if bwrestrict:
            h = min(h, bw_max)
        res[row, 0] = h
        res[row, 1] = h
        res[row, 2] = b
        res[row, 3] = b
    if rule == 0:
        out[:] = res[2]
    elif rule == 1:
        out[:] = res[0]
    elif rule == 2:
        out[:] = res[1]
    elif rule == 3:
        out[0] = min(res[2, 0], res[1, 0])
        out[1] = out[0]
        out[2] = min(res[2, 2], res[1, 2])
        out[3] = out[2]
    else:
        for j in range(4):
            out[j] = np.median(res[:, j])
    return 0


@njit
def _final_side(x, y, lo0, hi0, left, kid, mode, nnmatch, h, b, p, q, out):
    """``_scalar._final_side`` and the side's variance terms: out = (beta_p0,
    beta_bc0, V_cl, V_rb, n_h, n_b); returns a status."""
    lo_h, hi_h = _window(x, lo0, hi0, left, h, kid)
    lo_b, hi_b = _window(x, lo0, hi0, left, b, kid)
    if _distinct(x, lo_h, hi_h) < p + 1 or _distinct(x, lo_b, hi_b) < q + 1:
        return 1
    lo, hi = _window(x, lo0, hi0, left, max(h, b), kid)
    dp = p + 1
    dq = q + 1
    xw = x[lo:hi]
    yw = y[lo:hi]
    wh = _weights(x, lo, hi, h, kid)
    wb = _weights(x, lo, hi, b, kid)
    Sh = np.zeros(2 * dp)
    Th = np.zeros(dp)
    Sb = np.zeros(2 * dq - 1)
    Tb = np.zeros(dq)
    _power_sums(wh, xw, yw, Sh, Th)
    _power_sums(wb, xw, yw, Sb, Tb)
    invGp = _inverse(_gram(Sh, dp))
    invGq = _inverse(_gram(Sb, dq))
    L = np.empty(dp)
    hp = h ** (p + 1)
    for a in range(dp):
        L[a] = Sh[a + dp] / hp
    v = invGq[p + 1].copy()
    corr = h ** (p + 1)
    beta_p = invGp @ Th
    beta_q = invGq @ Tb
    beta_bc = invGp @ (Th - corr * (v @ Tb) * L)
    none = np.empty(0)
    e_h = _errors(x, y, lo, hi, wh, beta_p, invGp, mode, nnmatch, p + 1.0, none)
    e_b = (
        e_h
        if mode < 0
        else _errors(x, y, lo, hi, wb, beta_q, invGq, mode, nnmatch, q + 1.0, none)
    )
    n = hi - lo
    # conventional meat: sum e_h^2 wh^2 r r' (Hankel)
    t = np.empty(n)
    for i in range(n):
        t[i] = e_h[i] * e_h[i] * wh[i] * wh[i]
    MS = np.zeros(2 * dp - 1)
    _power_sums(t, xw, xw, MS, MS[:0])
    # bias-corrected score A_a = wh x^a - corr wb (r_q' v) L_a
    mb = _horner(v, xw)
    A = np.empty((dp, n))
    for i in range(n):
        mb[i] *= wb[i] * corr
        t[i] = wh[i]
    for a in range(dp):
        for i in range(n):
            A[a, i] = t[i] - mb[i] * L[a]
            t[i] *= xw[i]
    Mb = _score_meat(A, e_b)
    out[0] = beta_p[0]
    out[1] = beta_bc[0]
    out[2] = _sandwich(invGp, _gram(MS, dp), 0)
    out[3] = _sandwich(invGp, Mb, 0)
    out[4] = hi_h - lo_h
    out[5] = hi_b - lo_b
    return 0


@njit(fastmath=_FM)
def _score_meat(A, e):
    """``sum_i e_i^2 A_i A_i'`` for the rows ``A`` (d, n)."""
    d, n = A.shape
    M = np.zeros((d, d))
    g = np.empty(n)
    for i in range(n):
        g[i] = e[i] * e[i]
    for a in range(d):
        for c in range(a, d):
            s = 0.0
            for i in range(n):
                s += g[i] * A[a, i] * A[c, i]
            M[a, c] = s
            M[c, a] = s
    return M


@njit
def sharp_rd(
    xs,
    y,
    n_l,
    kid,
    mode,
    nnmatch,
    p,
    q,
    select,
    rule,
    scale,
    bwrestrict,
    x_sd,
    y_sd,
    iqr,
    pilot_c,
    cer,
    bws,
):
    """Sharp RD without covariates or clusters on ``xs`` (sorted, centred at
    the cutoff) and ``y`` (same order); ``n_l`` units below the cutoff.

    ``select``: choose ``bws`` = (h_l, h_r, b_l, b_r) by ``rule`` (written
    in place), else use the given ``bws``. ``mode``: -1 nearest neighbour,
    0-3 HC0-HC3. Returns ``(status, out)`` with out = (tau_cl, tau_bc,
    V_cl, V_rb, n_h_l, n_h_r, n_b_l, n_b_r); status 0 is success.
    """
    n = xs.shape[0]
    out = np.zeros(8)
    for lo, hi in ((0, n_l), (n_l, n)):
        if _distinct(xs, lo, hi) < q + 1:
            return 1, out
    if select:
        m_l = _distinct(xs, 0, n_l)
        m_r = _distinct(xs, n_l, n)
        mass = max(1 - m_l / n_l, 1 - m_r / (n - n_l))
        bwcheck = 10 if mass >= 0.2 else 0
        xz = xs / x_sd
        yz = y / y_sd
        st = _select(
            xz,
            yz,
            n_l,
            kid,
            mode,
            nnmatch,
            p,
            q,
            rule,
            scale,
            bwrestrict,
            m_l + m_r,
            iqr / x_sd,
            pilot_c,
            bwcheck,
            bws,
        )
        if st:
            return st, out
        for j in range(4):
            if not (np.isfinite(bws[j]) and bws[j] > 0):
                return 2, out
        if cer:
            factor = n ** (-(p / ((3 + p) * (3 + 2 * p))))
            bws[0] *= factor
            bws[1] *= factor
        for j in range(4):
            bws[j] *= x_sd
    fl = np.zeros(6)
    fr = np.zeros(6)
    st = _final_side(xs, y, 0, n_l, True, kid, mode, nnmatch, bws[0], bws[2], p, q, fl)
    st += _final_side(
        xs, y, n_l, n, False, kid, mode, nnmatch, bws[1], bws[3], p, q, fr
    )
    if st:
        return st, out
    out[0] = fr[0] - fl[0]
    out[1] = fr[1] - fl[1]
    out[2] = fl[2] + fr[2]
    out[3] = fl[3] + fr[3]
    out[4] = fl[4]
    out[5] = fr[4]
    out[6] = fl[5]
    out[7] = fr[5]
    return 0, out
