"""Bandwidths of a fit: fixed values, or the R3D MSE / IMSE rule.

:func:`choose_bandwidths` turns the estimator's ``bandwidth`` and
``bandwidth_treatment`` into the outcome bandwidth per quantile level and
the first-stage bandwidth, warns where the rule of thumb replaced an
undefined MSE bandwidth, and logs the choice.
"""

import logging

import numpy as np

from ._design import warn_user
from ._locpoly import select_bandwidth

_logger = logging.getLogger("statnorm.rdd")


def check_bandwidth(bandwidth, n_q):
    """Fixed outcome bandwidths, one per quantile level (None for "mse")."""
    if isinstance(bandwidth, str):
        return None
    h = np.asarray(bandwidth, dtype=np.float64)
    if h.ndim == 0:
        h = np.full(n_q, float(h))
    elif h.shape != (n_q,):
        raise ValueError(
            f"bandwidth must be 'mse', a positive float or an array of "
            f"length {n_q} (one per quantile level); got shape {h.shape}."
        )
    if not np.all(np.isfinite(h)) or np.any(h <= 0):
        raise ValueError("bandwidth values must be finite and positive.")
    return h


def choose_bandwidths(
    xc,
    Q,
    q,
    T,
    *,
    bandwidth,
    bandwidth_treatment,
    method,
    pilot_order,
    kernel,
    pilot_kernel,
    coverage_correction,
    r3d_compat,
):
    """Outcome bandwidths (one per level) and the treatment bandwidth.

    Parameters
    ----------
    xc : ndarray of shape (n_units,)
        Running variable centred at the cutoff.
    Q : ndarray of shape (n_units, n_q)
        Unit quantiles the rule runs on.
    q : ndarray of shape (n_q,)
        Quantile levels.
    T : ndarray of shape (n_units,) or None
        Treatment (fuzzy designs; None in sharp designs).
    bandwidth, bandwidth_treatment, method, pilot_order, kernel, pilot_kernel,
    coverage_correction, r3d_compat
        The estimator's parameters of the same names.

    Returns
    -------
    bandwidths : dict
        ``h`` (n_q,), ``h_treatment`` (float, None in sharp designs), the
        selector's ``details`` (None when no rule ran), and where the rule of
        thumb replaced an undefined MSE bandwidth: ``fallback`` (n_q,) and
        ``fallback_treatment`` (bool).
    """
    nq, s = q.size, int(pilot_order)
    h_fixed = check_bandwidth(bandwidth, nq)
    mse_t = T is not None and isinstance(bandwidth_treatment, str)
    details = None
    if h_fixed is None or mse_t:
        details = select_bandwidth(
            xc,
            Q,
            q,
            method=method,
            s=s,
            kernel=kernel,
            pilot_kernel=pilot_kernel or ("triangular" if r3d_compat else kernel),
            treatment=T,
            coverage=coverage_correction,
            standardize=not r3d_compat,
        )
    if h_fixed is None:
        h, fallback = details["h"], details["fallback"].copy()
    else:
        h, fallback = h_fixed, np.zeros(nq, dtype=bool)
    hT, fallback_t = None, False
    if mse_t:
        hT = details["h_treatment"]
        fallback_t = bool(details["fallback_treatment"])
    elif T is not None:
        hT = float(bandwidth_treatment)
    if fallback.any() or fallback_t:
        what = (
            f"{int(fallback.sum())} of {nq} quantile level(s)"
            if fallback.any()
            else "the treatment equation"
        )
        warn_user(
            f"DistributionalRDD: the MSE bandwidth rule is undefined for {what} "
            "(estimated bias difference of zero); the rule of thumb 1.06 sd(x) "
            f"n^(-1/{2 * s + 1}) was used there instead (recorded in "
            "bandwidth_fallback_). Pass bandwidth= explicitly to choose."
        )
    _logger.info(
        "DistributionalRDD: bandwidth %s: %.4g to %.4g over %d level(s)%s",
        bandwidth if isinstance(bandwidth, str) else "fixed",
        float(np.min(h)),
        float(np.max(h)),
        h.size,
        f" (rule of thumb at {int(np.sum(fallback))})" if np.any(fallback) else "",
    )
    return {
        "h": h,
        "h_treatment": hT,
        "details": details,
        "fallback": fallback,
        "fallback_treatment": fallback_t,
    }
