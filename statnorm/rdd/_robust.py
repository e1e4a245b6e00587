"""Robust bias-corrected (RBC) inference for R3D.

Calonico, Cattaneo and Titiunik (2014): the order-``p`` local polynomial
boundary value at bandwidth ``h`` has leading bias

    h^{p+1} m^{(p+1)}(c) / (p+1)!  e_0' G_p^{-1} L_p,
    G_p = sum_i K(u_i) r_p(u_i) r_p(u_i)',  L_p = sum_i K(u_i) r_p(u_i) u_i^{p+1},

with ``u = x / h``. The bias is estimated by the coefficient on ``v^{p+1}``
(``v = x / b``) of an order-``q = p + 1`` fit at bandwidth ``b`` and
subtracted. The bias-corrected boundary value is again linear in the
outcomes, ``sum_i w^bc_i Y_i`` with

    w^bc_i = w^p_i - e_0' G_p^{-1} L_p (h / b)^{p+1} K(v_i) r_q(v_i)' G_q^{-1} e_{p+1},

and its "robust" variance (rdrobust's robust row) is the sandwich of these
weights with the residuals of the order-``q`` fit. The blocks ``(rows,
residual x w^bc)`` returned here feed the same multiplier bootstrap as the
conventional blocks (Chiang, Hsu and Sasaki, 2019; Qu, Yoon and Perron,
2024: the bootstrap of the bias-corrected influence functions). Small-sample
corrections HC1-HC3 rescale the residuals as ``rdrobust``'s ``vce`` does
(the leverage of the order-``q`` fit).
"""

from dataclasses import dataclass

import numpy as np

from ._locpoly import _KERNEL_ID, side_mask


@dataclass
class RobustSide:
    """The bias-corrected fit of one side over a set of columns."""

    idx: np.ndarray  # rows (units) on the side within max(h, b)
    intercept: np.ndarray  # (k,) bias-corrected boundary values
    bias: np.ndarray  # (k,) estimated bias of the order-p boundary value
    block: np.ndarray  # (n_act, k) scaled residual x bias-corrected weight


def _too_few_bias(side, count, order, b, name):
    where = "above" if side == "+" else "below"
    return ValueError(
        f"{name}: too few units within the bias bandwidth {where} the cutoff: "
        f"{count} unit(s) with positive kernel weight at b={b:.4g}, but the "
        f"order-{order} bias fit needs at least {order + 1} (distinct x values). "
        f"Use a larger {name} or a lower bias_order."
    )


def _equilibrated_inverse(M):
    """Inverses of the Gram matrices ``M`` (k, d, d) after diagonal scaling,
    and the condition numbers of the scaled matrices (inf where singular).
    A bandwidth far beyond the data makes ``u = x / b`` tiny, so the moments
    of ``u^a`` span many orders of magnitude; the scaling removes that (it
    is exact)."""
    d = np.sqrt(np.einsum("kaa->ka", M))
    d = np.where(d > 0, d, 1.0)
    D = d[:, :, None] * d[:, None, :]
    Me = M / D
    cond = np.linalg.cond(Me)
    ok = np.isfinite(cond) & (cond <= 1e13)
    inv = np.zeros_like(M)
    if ok.any():
        inv[ok] = np.linalg.inv(Me[ok]) / D[ok]
    return inv, np.where(ok, cond, np.inf)


def _solve_checked(M, cnt, order, b, side, name):
    inv, cond = _equilibrated_inverse(M)
    bad = np.flatnonzero((cnt < order + 1) | ~np.isfinite(cond))
    if bad.size:
        j = int(bad[0])
        raise _too_few_bias(side, int(cnt[j]), order, float(b[j]), name)
    return inv


def robust_side(
    xc, Y, h, b, side, p, q, kernel, vce, name="bandwidth_bias", correct=True
):
    """Bias-corrected boundary values of one side and their bootstrap block.

    Parameters
    ----------
    xc : ndarray of shape (n,)
        Running variable centred at the cutoff.
    Y : ndarray of shape (n, k)
        Outcome columns (unit quantiles, or the treatment).
    h, b : ndarray of shape (k,)
        Bandwidths of the point-estimate (order ``p``) and bias (order ``q``)
        fits.
    side : {"+", "-"}
    p, q : int
        Orders, ``q > p``.
    kernel : str
    vce : {"hc0", "hc1", "hc2", "hc3"}
        Residual scaling (rdrobust's ``vce``).
    name : str
        Argument named in the error when ``b`` leaves too few units.
    correct : bool, default=True
        False: no bias correction (the conventional fit with the residual
        scaling ``vce`` of the order-``p`` fit).
    """
    from ._kernels import rbc_block, rbc_moments

    k = Y.shape[1]
    h = np.ascontiguousarray(np.broadcast_to(np.asarray(h, dtype=np.float64), (k,)))
    b = np.ascontiguousarray(np.broadcast_to(np.asarray(b, dtype=np.float64), (k,)))
    kid = _KERNEL_ID[kernel]
    reach = max(float(h.max()), float(b.max()) if correct else 0.0)
    idx = np.flatnonzero(side_mask(xc, side) & (np.abs(xc) <= reach))
    # units sorted by |x|: the units within a bandwidth are a prefix
    idx = idx[np.argsort(np.abs(xc[idx]), kind="stable")]
    x = np.ascontiguousarray(xc[idx])
    YT = np.ascontiguousarray(Y[idx].T)
    ax = np.abs(x)
    nh = np.searchsorted(ax, h, side="right")
    nb = np.searchsorted(ax, b, side="right") if correct else nh
    # order p + 1 moments at h (G_p is the leading block, L_p its last
    # column) and order q moments at b, in one pass
    Mp1, rhs_p1, cnt_p, Mq, rhs_q, cnt_q = rbc_moments(
        x, YT, h, b, nh, nb, p + 2, q + 1 if correct else 0, kid
    )
    Gp = np.ascontiguousarray(Mp1[:, : p + 1, : p + 1])
    Lp = Mp1[:, : p + 1, p + 1]
    Gp_inv, cond_p = _equilibrated_inverse(Gp)
    bad = np.flatnonzero((cnt_p < p + 1) | ~np.isfinite(cond_p))
    if bad.size:
        from ._locpoly import _too_few

        raise _too_few(side, int(cnt_p[bad[0]]), p, h[bad[0]])
    alpha_p = np.einsum("kab,kb->ak", Gp_inv, rhs_p1[:, : p + 1])
    e0 = np.ascontiguousarray(Gp_inv[:, :, 0])  # G_p^{-1} e_0 (symmetric)
    mode = {"hc0": 0, "hc1": 0, "hc2": 2, "hc3": 3}[vce]
    if correct:
        Gq_inv = _solve_checked(Mq, cnt_q, q, b, side, name)
        alpha_q = np.einsum("kab,kb->ak", Gq_inv, rhs_q)
        eq = np.ascontiguousarray(Gq_inv[:, :, p + 1])  # G_q^{-1} e_{p+1}
        c = np.einsum("ka,ka->k", e0, Lp) * (h / b) ** (p + 1)
        bias = c * alpha_q[p + 1]
        n_in, order, bb = np.where(b >= h, cnt_q, cnt_p), q, b
    else:  # the order-p fit is its own "bias fit", with no correction
        Gq_inv, alpha_q, eq = Gp_inv, alpha_p, np.zeros_like(e0)
        c = bias = np.zeros(k)
        n_in, order, bb = cnt_p, p, h
    blockT = rbc_block(
        x,
        YT,
        h,
        np.ascontiguousarray(bb),
        np.maximum(nh, nb),
        e0,
        np.ascontiguousarray(alpha_q),
        eq,
        np.ascontiguousarray(Gq_inv),
        np.ascontiguousarray(c),
        kid,
        mode,
    )
    block = np.ascontiguousarray(blockT.T)
    if vce == "hc1":
        n_in = np.maximum(n_in, order + 2).astype(np.float64)
        block *= np.sqrt(n_in / (n_in - (order + 1)))[None, :]
    return RobustSide(idx=idx, intercept=alpha_p[0] - bias, bias=bias, block=block)


def bias_bandwidths(b, h, n_q, rho):
    """The bias bandwidth per level: ``h / rho`` (``b=None``) or fixed value(s)."""
    if b is None:
        return np.asarray(h, dtype=np.float64) / rho
    out = np.asarray(b, dtype=np.float64)
    if out.ndim == 0:
        out = np.full(n_q, float(out))
    elif out.shape != (n_q,):
        raise ValueError(
            f"bandwidth_bias must be 'h', a positive float or an array of "
            f"length {n_q} (one per quantile level); got shape {out.shape}."
        )
    if not np.all(np.isfinite(out)) or np.any(out <= 0):
        raise ValueError("bandwidth_bias values must be finite and positive.")
    return out


def robust_effect(xc, eff, q_grid, bw, *, p, q_order, b, rho, kernel, mono, vce):
    """Bias-corrected effect and the blocks of its multiplier bootstrap.

    ``eff`` is :func:`~statnorm.rdd._effect.boundary_effect`'s dict (the
    covariate-adjusted ``Q`` and ``T``), ``bw`` the bandwidths. The fuzzy
    first stage is bias-corrected the same way at ``b = h_treatment / rho``
    (or the fixed ``bandwidth_bias`` when it is a single value).

    Returns a dict: ``tau``, ``num``, ``denom`` (None in sharp designs), the
    monotonised bias-corrected boundary curves ``mon``, the bias bandwidths
    ``b`` and the bootstrap ``blocks`` / ``tblocks`` (as
    :func:`~statnorm.rdd._band.residual_blocks` returns them).
    """
    from ._effect import _monotonize

    h = bw["h"]
    bb = bias_bandwidths(b, h, q_grid.size, rho)
    Q = eff["Q"]
    sides = {s: robust_side(xc, Q, h, bb, s, p, q_order, kernel, vce) for s in "+-"}
    mon = {s: _monotonize(q_grid, sides[s].intercept, mono) for s in "+-"}
    num = mon["+"] - mon["-"]
    blocks = {s: (sides[s].idx, sides[s].block) for s in "+-"}
    denom, tblocks = None, None
    if eff["T"] is not None:
        hT = np.array([bw["h_treatment"]])
        bT = hT / rho if b is None or np.ndim(b) else np.array([float(b)])
        T = eff["T"][:, None]
        tsides = {
            s: robust_side(
                xc, T, hT, bT, s, p, q_order, kernel, vce, name="bandwidth_bias"
            )
            for s in "+-"
        }
        denom = float(tsides["+"].intercept[0] - tsides["-"].intercept[0])
        if not np.isfinite(denom) or abs(denom) < 1e-10:
            raise ValueError(
                "The bias-corrected jump in treatment at the cutoff is "
                f"{denom:.3g}; the robust fuzzy effect is undefined. Use "
                "inference='conventional' or a larger bandwidth_treatment."
            )
        tblocks = {s: (tsides[s].idx, tsides[s].block[:, 0]) for s in "+-"}
    return {
        "tau": num if denom is None else num / denom,
        "num": num,
        "denom": denom,
        "mon": mon,
        "b": bb,
        "blocks": blocks,
        "tblocks": tblocks,
    }


def conventional_hc_blocks(xc, eff, bw, *, p, kernel, vce):
    """Bootstrap blocks of the conventional fits with HC1-HC3 residuals
    (the order-``p`` fit's own residuals and leverage)."""
    h, Q = bw["h"], eff["Q"]
    sides = {
        s: robust_side(xc, Q, h, h, s, p, p + 1, kernel, vce, correct=False)
        for s in "+-"
    }
    blocks = {s: (sides[s].idx, sides[s].block) for s in "+-"}
    if eff["T"] is None:
        return blocks, None
    hT, T = np.array([bw["h_treatment"]]), eff["T"][:, None]
    tb = {}
    for s in "+-":
        f = robust_side(xc, T, hT, hT, s, p, p + 1, kernel, vce, correct=False)
        tb[s] = (f.idx, f.block[:, 0])
    return blocks, tb
