"""The effect at the cutoff: side fits, monotonised boundary curves, Wald ratio.

Pure functions that return values (no estimator state): the local fits of
``_locpoly`` per side, the monotonisation of the boundary quantile functions
(docs/methods/rdd.rst, "Monotonisation") and the fuzzy first stage.
"""

import numpy as np

from ._locpoly import adjust_for_covariates, first_stage, local_poly


def _rearrangement(q, y, n_points=1000):
    """Chernozhukov-Fernandez-Val-Galichon rearrangement as in the R package
    ``Rearrangement`` (grid rescaled to [0, 1], linear interpolation on
    ``n_points + 1`` equispaced points, type-7 quantiles at the grid)."""
    if q.size < 2:
        return y.copy()
    nx = (q - q.min()) / (q.max() - q.min())
    vals = np.interp(np.arange(n_points + 1) / n_points, nx, y)
    return np.quantile(vals, nx, method="linear")


def _monotonize(q, y, how):
    """Boundary curve ``y`` over levels ``q`` made non-decreasing by ``how``."""
    if how == "none":
        return y.copy()
    if how == "sort":
        return np.sort(y)
    if how == "rearrangement":
        return _rearrangement(q, y)
    from .._isotonic import isotonic_rows

    return isotonic_rows(y[None, :])[0]


def boundary_effect(xc, Q, T, Z, q, bw, *, p, kernel, mono):
    """Covariate adjustment, side fits, boundary curves and the effect.

    Returns a dict: the (adjusted) ``Q`` and ``T``, the side ``fits`` and
    first-stage ``tfits``, the ``raw`` and monotonised (``mon``) boundary
    curves per side, the effect ``tau`` with its numerator ``num`` and
    ``denom`` (fuzzy; else None) and the covariate coefficients. ``bw`` is
    the dict of ``choose_bandwidths`` (outcome ``"h"``, ``"h_treatment"``).
    """
    h, hT = bw["h"], bw["h_treatment"]
    gam = gam_t = None
    if Z is not None:
        # common coefficients across sides; the rest runs on Q - Z gamma
        Q, T, gam, gam_t = adjust_for_covariates(xc, Q, T, Z, h, hT, p, kernel)
    fits = {side: local_poly(xc, Q, h, side, p, kernel) for side in "+-"}
    raw = {side: fits[side].alpha[0].copy() for side in "+-"}
    mon = {side: _monotonize(q, raw[side], mono) for side in "+-"}
    num = mon["+"] - mon["-"]
    tfits, denom = (None, None)
    if T is not None:
        tfits, denom = first_stage(xc, T, hT, p, kernel)
    return {
        "Q": Q,
        "T": T,
        "fits": fits,
        "tfits": tfits,
        "raw": raw,
        "mon": mon,
        "num": num,
        "denom": denom,
        "tau": num if denom is None else num / denom,
        "gamma": gam,
        "gamma_treatment": gam_t,
    }
