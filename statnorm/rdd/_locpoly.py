"""One-sided local polynomial fits and the R3D bandwidth selector.

All quantile levels that share a bandwidth are solved together: one
``(p+1) x (p+1)`` Gram matrix per side and bandwidth, all right-hand sides in
one product. The intercept ("equivalent kernel") weights of a side are

    w_i = K(u_i) 1{side} e_1' (sum_j K(u_j) r(u_j) r(u_j)')^{-1} r(u_i),
    u = (x - c) / h,  r(u) = (1, u, ..., u^p),

so that the fitted boundary value is ``sum_i w_i Y_i``.
"""

from dataclasses import dataclass
from math import factorial

import numpy as np

KERNELS = {
    "triangular": lambda u: np.where(np.abs(u) <= 1, 1.0 - np.abs(u), 0.0),
    "epanechnikov": lambda u: np.where(np.abs(u) <= 1, 0.75 * (1.0 - u * u), 0.0),
    "uniform": lambda u: np.where(np.abs(u) <= 1, 0.5, 0.0),
}


def side_mask(xc, side):
    """Plus side includes the cutoff (x >= c); minus side is x < c."""
    return xc >= 0 if side == "+" else xc < 0


_KERNEL_ID = {"triangular": 0, "epanechnikov": 1, "uniform": 2}


@dataclass
class LocalFit:
    """One side's local polynomial fit over a set of columns."""

    idx: np.ndarray  # rows (units) on the side within the largest bandwidth
    kmask: np.ndarray  # (n_act, k) positive kernel weight
    weights: np.ndarray  # (n_act, k) intercept weights
    alpha: np.ndarray  # (p+1, k) coefficients on (1, u, ..., u^p)
    fit_values: np.ndarray  # (n_act, k) fitted polynomial at each active unit

    @property
    def intercept(self):
        return self.alpha[0]

    def fitted(self):
        """Fitted polynomial at each active unit, (n_act, k)."""
        return self.fit_values


def _too_few(side, count, p, h):
    name = "above" if side == "+" else "below"
    return ValueError(
        f"Too few units within the bandwidth {name} the cutoff: {count} unit(s) with "
        f"positive kernel weight at h={h:.4g}, but a local polynomial of order {p} "
        f"needs at least {p + 1} (distinct x values). Use a larger bandwidth or a "
        "lower order p."
    )


def local_poly(xc, Y, h, side, p, kernel):
    """Fit one side at bandwidth(s) ``h`` (scalar or one per column of Y).

    One pass of a compiled kernel accumulates the ``(p+1) x (p+1)`` Gram
    matrix and right-hand side of every column; the small systems are solved
    in one batched call.
    """
    from ._kernels import locpoly_moments, locpoly_weights

    k = Y.shape[1]
    h = np.ascontiguousarray(np.broadcast_to(np.asarray(h, dtype=np.float64), (k,)))
    kid = _KERNEL_ID[kernel]
    idx = np.flatnonzero(side_mask(xc, side) & (np.abs(xc) <= h.max()))
    x_act = np.ascontiguousarray(xc[idx])
    Y_act = np.ascontiguousarray(Y[idx])
    M, rhs, cnt = locpoly_moments(x_act, Y_act, h, p, kid)
    bad = np.flatnonzero(cnt < p + 1)
    if bad.size:
        j = bad[0]
        raise _too_few(side, int(cnt[j]), p, h[j])
    cond = np.linalg.cond(M)
    if np.any(~np.isfinite(cond) | (cond > 1e13)):
        j = int(np.flatnonzero(~np.isfinite(cond) | (cond > 1e13))[0])
        raise _too_few(side, int(cnt[j]), p, h[j])
    alpha = np.linalg.solve(M, rhs[:, :, None])[:, :, 0].T
    e = np.linalg.solve(M, np.broadcast_to(np.eye(p + 1)[:, :1], (k, p + 1, 1)))[
        :, :, 0
    ]
    W, kmask, F = locpoly_weights(
        x_act, h, np.ascontiguousarray(alpha), np.ascontiguousarray(e), kid
    )
    return LocalFit(idx=idx, kmask=kmask, weights=W, alpha=alpha, fit_values=F)


def _local_poly_resid_var(xc, Y, h, side, p, kernel):
    """Coefficients of :func:`local_poly` and, per column, the sums of ``w r^2``
    and ``w`` over the units with positive intercept weight ``w`` (residuals
    ``r``): what stage 2 of the bandwidth rule needs, in one pass over the
    units and without the (n, k) matrices of a full fit."""
    from ._kernels import locpoly_moments, locpoly_resid_var

    k = Y.shape[1]
    h = np.ascontiguousarray(np.broadcast_to(np.asarray(h, dtype=np.float64), (k,)))
    kid = _KERNEL_ID[kernel]
    idx = np.flatnonzero(side_mask(xc, side) & (np.abs(xc) <= h.max()))
    x_act = np.ascontiguousarray(xc[idx])
    Y_act = np.ascontiguousarray(Y[idx])
    M, rhs, cnt = locpoly_moments(x_act, Y_act, h, p, kid)
    bad = np.flatnonzero(cnt < p + 1)
    if not bad.size:
        cond = np.linalg.cond(M)
        bad = np.flatnonzero(~np.isfinite(cond) | (cond > 1e13))
    if bad.size:  # the same error as local_poly
        raise _too_few(side, int(cnt[bad[0]]), p, h[bad[0]])
    alpha = np.linalg.solve(M, rhs[:, :, None])[:, :, 0].T
    e = np.linalg.solve(M, np.broadcast_to(np.eye(p + 1)[:, :1], (k, p + 1, 1)))
    num, den = locpoly_resid_var(
        x_act,
        Y_act,
        h,
        np.ascontiguousarray(alpha),
        np.ascontiguousarray(e[:, :, 0]),
        kid,
    )
    return alpha, num, den


def kernel_constants(kernel, s):
    """R3D's Riemann-sum kernel moments on 1000 points of [-1, 1] (step 2/1000)."""
    grid = np.linspace(-1.0, 1.0, 1000)
    dx = 2.0 / 1000
    K = KERNELS[kernel]
    out = {}
    for side, g in (("+", grid[grid >= 0]), ("-", grid[grid < 0])):
        r = g[:, None] ** np.arange(s + 1)[None, :]
        k = K(g)
        out["Gamma" + side] = (r * k[:, None]).T @ r * dx
        out["Lambda" + side] = (g ** (s + 1) * k) @ r * dx
        out["Psi" + side] = (r * (k * k)[:, None]).T @ r * dx
    return out


def _global_poly(y, x, order):
    """Least-squares global polynomial: (coef on x^order) * order!, residual var.

    Normal equations on ``x / max|x|`` (well conditioned for the low orders
    used here), all columns of ``y`` at once.
    """
    scale = np.max(np.abs(x)) or 1.0
    X = (x / scale)[:, None] ** np.arange(order + 1)[None, :]
    G = X.T @ X
    try:
        coef = np.linalg.solve(G, X.T @ y)
    except np.linalg.LinAlgError:
        coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    deriv = coef[order] / scale**order * factorial(order)
    var = resid.var(axis=0, ddof=1) if y.shape[0] > 1 else np.ones(np.shape(deriv))
    var = np.where(np.isfinite(var) & (var >= np.finfo(float).eps), var, 1.0)
    return deriv, var


def select_bandwidth(
    xc,
    Q,
    q_grid,
    *,
    method,
    s,
    kernel,
    pilot_kernel,
    treatment=None,
    coverage=False,
    standardize=True,
):
    """The R3D bandwidth rule, applied in standard units (``standardize=True``).

    R3D's rule (:func:`_select_bandwidth_raw`) is not equivariant to the
    units of the data: its stage-2 bias term is the coefficient on ``u^s`` of
    an order-``s`` fit, which does not scale like the derivative the MSE
    formula needs, so the selected ``h / scale(x)`` changes with the units of
    ``x``; and its zero-bias thresholds and variance floor are absolute. With
    ``standardize=True`` the rule runs on ``x / sd(x)`` and ``Q / sd(Q)`` and
    the bandwidths are scaled back, so ``h(a x + b) = |a| h(x)`` and
    ``h(k Q) = h(Q)`` to rounding; on data already in standard units it is
    R's rule. ``standardize=False`` is R's rule as published (``r3d_compat``).
    With standardization the diagnostic pieces ``B_*``, ``V_*`` and ``f_x`` are
    in standard units (``x_scale``, ``y_scale`` convert them).

    The result also has ``fallback`` (bool per quantile level) and
    ``fallback_treatment``: where the rule of thumb ``1.06 sd(x) n^(-1/(2s+1))``
    replaced an undefined bandwidth (zero estimated bias).
    """
    if not standardize:
        return _select_bandwidth_raw(
            xc,
            Q,
            q_grid,
            method=method,
            s=s,
            kernel=kernel,
            pilot_kernel=pilot_kernel,
            treatment=treatment,
            coverage=coverage,
        )
    sx = float(np.std(xc, ddof=1)) if xc.size > 1 else 0.0
    if not np.isfinite(sx) or sx <= 0:
        raise ValueError(
            "x has no spread (all units at one value of the running variable); "
            "a bandwidth cannot be selected."
        )
    big = float(np.max(np.abs(Q))) or 1.0
    sy = float(np.std(Q / big)) * big
    if not np.isfinite(sy) or sy <= 0:
        sy = 1.0  # constant outcomes: every bias and variance is zero anyway
    out = _select_bandwidth_raw(
        xc / sx,
        Q / sy,
        q_grid,
        method=method,
        s=s,
        kernel=kernel,
        pilot_kernel=pilot_kernel,
        treatment=treatment,
        coverage=coverage,
    )
    for key in ("h", "h_pilot"):
        out[key] = out[key] * sx
    for key in ("h_treatment", "h_pilot_treatment"):
        if out[key] is not None:
            out[key] = out[key] * sx
    # the pieces (B_*, V_*, f_x) stay in standard units: in data units they
    # can overflow (outcomes near 1e200 have variances near 1e400)
    out["x_scale"], out["y_scale"] = sx, sy
    return out


def _select_bandwidth_raw(
    xc,
    Q,
    q_grid,
    *,
    method,
    s,
    kernel,
    pilot_kernel,
    treatment=None,
    coverage=False,
):
    """The R3D two-stage MSE (per quantile) / IMSE (single) bandwidth rule.

    Stage 1 plugs global polynomial pilots of order ``s + 1`` into the
    asymptotic bias and variance constants of an order-``s`` fit; stage 2
    refits locally (order ``s``, pilot bandwidth, ``pilot_kernel``) and uses
    the coefficient on ``u^s`` divided by ``(s+1)!`` as the bias term and the
    intercept-weighted residual variance, as the R package does. Returns a
    dict with ``h`` (n_q,), ``h_treatment`` (float or None) and the pieces.
    """
    n, nq = Q.shape
    sd = np.std(xc, ddof=1)
    fallback = 1.06 * sd * n ** (-1.0 / (2 * s + 1))
    rate = n ** (-1.0 / (2 * s + 3))
    cn = 1.06 * sd * n ** (-1.0 / 5)
    f_x = float(np.mean(KERNELS[kernel](xc / cn)) / cn)
    kc = kernel_constants(kernel, s)
    e0 = np.eye(s + 1)[0]
    fs = factorial(s + 1)
    dq = (q_grid[-1] - q_grid[0]) / (nq - 1) if nq > 1 else 1.0
    bias_c, var_c = {}, {}
    for side in "+-":
        Ginv = np.linalg.inv(kc["Gamma" + side])
        bias_c[side] = e0 @ Ginv @ kc["Lambda" + side]
        var_c[side] = e0 @ Ginv @ kc["Psi" + side] @ Ginv @ e0

    def stage1(Y, guard=True):
        d, v = {}, {}
        for side in "+-":
            m = side_mask(xc, side)
            if m.sum() > s + 1 or not guard:
                d[side], v[side] = _global_poly(Y[m], xc[m], s + 1)
            else:
                d[side] = np.zeros(Y.shape[1])
                v[side] = np.zeros(Y.shape[1])
        C = bias_c["+"] * d["+"] / fs - bias_c["-"] * d["-"] / fs
        V = (v["+"] * var_c["+"] + v["-"] * var_c["-"]) / f_x
        return C, V, v

    def rule(V, B2, ok):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            h = (V / (2 * (s + 1) * B2)) ** (1.0 / (2 * s + 3)) * rate
        good = np.asarray(ok & np.isfinite(h) & (h > 0))
        return np.where(good, h, fallback), ~good

    def stage2(Y, h, fallback_var=None):
        B, Vs = {}, {}
        for side in "+-":
            alpha, num, den = _local_poly_resid_var(xc, Y, h, side, s, pilot_kernel)
            B[side] = alpha[s] / fs
            with np.errstate(divide="ignore", invalid="ignore"):
                Vs[side] = np.where(den > 0, num / den, 0.0)
            if fallback_var is not None:
                Vs[side] = np.where(den > 0, Vs[side], fallback_var[side])
        return B, Vs

    C, V, _ = stage1(Q)
    if method == "simple":
        h_pilot, fb_pilot = rule(V, C**2, np.abs(C) > 1e-14)
    else:
        A = np.sum(C**2) * dq
        Bs = np.sum(V) * dq
        h1, fb1 = rule(Bs, A, A > 1e-14)
        h_pilot, fb_pilot = np.full(nq, h1), np.full(nq, bool(fb1))
    B, Vs = stage2(Q, h_pilot)
    bdiff = B["+"] - B["-"]
    vsum = (Vs["+"] + Vs["-"]) / f_x
    if method == "simple":
        h, fb = rule(vsum, bdiff**2, np.abs(bdiff) > 1e-14)
    else:
        A = np.sum(bdiff**2) * dq
        Bs = np.sum(vsum) * dq
        h1, fb1 = rule(Bs, A, A > 1e-14)
        h, fb = np.full(nq, h1), np.full(nq, bool(fb1))
    out = {
        "fallback": np.asarray(fb, dtype=bool),
        "fallback_pilot": np.asarray(fb_pilot, dtype=bool),
        "fallback_treatment": False,
        "h": np.asarray(h, dtype=np.float64),
        "h_pilot": np.asarray(h_pilot, dtype=np.float64),
        "B_plus": B["+"],
        "B_minus": B["-"],
        "V_plus": Vs["+"],
        "V_minus": Vs["-"],
        "f_x": f_x,
        "h_treatment": None,
        "h_pilot_treatment": None,
    }
    if treatment is not None:
        T = treatment[:, None]
        Ct, Vt, vt = stage1(T, guard=False)
        ht_pilot = float(rule(Vt, Ct**2, np.abs(Ct) > 1e-14)[0][0])
        Bt, Vst = stage2(T, ht_pilot, fallback_var=vt)
        bd = Bt["+"] - Bt["-"]
        ht_arr, fbt = rule((Vst["+"] + Vst["-"]) / f_x, bd**2, np.abs(bd) > 1e-14)
        ht = float(ht_arr[0])
        out["fallback_treatment"] = bool(np.asarray(fbt).ravel()[0])
        out["h_treatment"] = ht
        out["h_pilot_treatment"] = ht_pilot
    if coverage:
        factor = n ** (-s / ((2 * s + 3) * (s + 3)))
        out["h"] = out["h"] * factor
        if out["h_treatment"] is not None:
            out["h_treatment"] *= factor
    return out


def covariate_coefs(xc, Y, Z, h, p, kernel):
    """Common-slope covariate coefficients, one column per column of ``Y``.

    For each bandwidth, the kernel-weighted regression of ``Y`` on
    side-specific polynomials and ``Z`` (slopes common to both sides); by
    Frisch-Waugh-Lovell, ``gamma = (sum K Zt Zt')^{-1} sum K Zt Yt`` with
    ``Zt``, ``Yt`` the residuals of the one-sided local polynomial fits.
    """
    k, nc = Z.shape[1], Y.shape[1]
    gam = np.empty((k, nc))
    for hu in np.unique(h):
        cols = np.flatnonzero(h == hu)
        G = np.zeros((k, k))
        r = np.zeros((k, cols.size))
        for side in "+-":
            stack = np.hstack([Y[:, cols], Z])
            f = local_poly(xc, stack, hu, side, p, kernel)
            R = stack[f.idx] - f.fitted()
            K = KERNELS[kernel](xc[f.idx] / hu)[:, None]
            Zt, Yt = R[:, cols.size :], R[:, : cols.size]
            G += (Zt * K).T @ Zt
            r += (Zt * K).T @ Yt
        scale = np.sqrt(np.diag(G))
        if np.any(scale == 0) or np.linalg.cond(G / np.outer(scale, scale)) > 1e10:
            raise ValueError(
                "covariates are collinear (or constant) among the units within the "
                f"bandwidth {hu:.4g} once the local polynomials are accounted for; "
                "drop redundant columns or use a larger bandwidth."
            )
        gam[:, cols] = np.linalg.solve(G, r)
    return gam


def adjust_for_covariates(xc, Q, T, Z, h, hT, p, kernel):
    """Remove the common-slope covariate terms from ``Q`` (and ``T``).

    Returns ``Q - Z gamma``, ``T - Z gamma_T`` (fuzzy designs; else ``T``)
    and the coefficients ``gamma`` (k, n_q) and ``gamma_T`` (k,) or None.
    """
    gam = covariate_coefs(xc, Q, Z, h, p, kernel)
    gam_t = None
    if T is not None:
        gam_t = covariate_coefs(xc, T[:, None], Z, np.array([hT]), p, kernel)[:, 0]
        T = T - Z @ gam_t
    return Q - Z @ gam, T, gam, gam_t


def first_stage(xc, T, hT, p, kernel):
    """Local fits of the treatment on both sides and its jump at the cutoff.

    Raises
    ------
    ValueError
        If the treatment does not jump (the fuzzy effect is undefined).
    """
    tfits = {side: local_poly(xc, T[:, None], hT, side, p, kernel) for side in "+-"}
    denom = float(tfits["+"].alpha[0, 0] - tfits["-"].alpha[0, 0])
    if not np.isfinite(denom) or abs(denom) < 1e-10:
        raise ValueError(
            "The treatment does not jump at the cutoff (estimated jump "
            f"{denom:.3g}); the fuzzy effect is undefined. Check treatment "
            "or use the sharp design."
        )
    return tfits, denom
