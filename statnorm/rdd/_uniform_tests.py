"""Bootstrap tests over a range of quantile levels (nullity, homogeneity, Gini).

Each test compares a statistic of the fitted effect with the same statistic
of the multiplier-bootstrap draws of the effect process, which are centred
at zero (the null holds for them by construction).
"""

import numpy as np

from ._quantiles import _gini
from ._results import UniformTestResult


def range_index(q, q_range):
    """Indices of the levels of ``q`` inside ``q_range`` and the range tested."""
    if q_range is None:
        return np.arange(q.size), (float(q[0]), float(q[-1]))
    lo, hi = float(np.min(q_range)), float(np.max(q_range))
    if lo < 0 or hi > 1:
        raise ValueError(f"q_range must lie in [0, 1]; got ({lo}, {hi}).")
    idx = np.flatnonzero((q >= lo) & (q <= hi))
    if idx.size == 0:
        raise ValueError(f"No quantile level of q_grid lies in q_range [{lo}, {hi}].")
    return idx, (lo, hi)


def _pvalue(null, stat, r3d_compat):
    if r3d_compat:
        return float(np.mean(null >= stat))
    return float((1 + np.sum(null >= stat)) / (null.size + 1))


def _result(null, stat, level, r3d_compat, q_range, estimate=None):
    return UniformTestResult(
        stat,
        _pvalue(null, stat, r3d_compat),
        critical_value=float(np.quantile(null, level)),
        q_range=q_range,
        null_distribution=null,
        estimate=estimate,
    )


def nullity_test(q, tau, draws, q_range, *, level, r3d_compat):
    """``H0: tau(q) = 0`` on ``q_range``: ``max |tau|`` against ``max |nu_b|``."""
    idx, rng = range_index(q, q_range)
    stat = float(np.max(np.abs(tau[idx])))
    null = np.max(np.abs(draws[:, idx]), axis=1)
    return _result(null, stat, level, r3d_compat, rng)


def homogeneity_test(q, tau, draws, q_range, *, level, r3d_compat):
    """``H0: tau`` constant on ``q_range``: ``max |tau - mean tau|``, demeaned draws."""
    idx, rng = range_index(q, q_range)
    t = tau[idx]
    stat = float(np.max(np.abs(t - t.mean())))
    d = draws[:, idx]
    null = np.max(np.abs(d - d.mean(axis=1, keepdims=True)), axis=1)
    return _result(null, stat, level, r3d_compat, rng)


def gini_test(q, q_plus, q_minus, side_draws, *, level, r3d_compat):
    """``H0: G(Q_+) = G(Q_-)`` for the boundary quantile functions.

    Each side is perturbed by its own multiplier process; the null draws are
    centred at the estimate (R3D 0.1.x does not centre: ``r3d_compat``).
    """
    g_plus = float(_gini(q, q_plus)[0][0])
    g_minus = float(_gini(q, q_minus)[0][0])
    diff = g_plus - g_minus
    if not np.isfinite(diff):
        raise ValueError(
            "The Gini coefficient is undefined: a boundary quantile function "
            "has a non-positive mean."
        )
    bp = _gini(q, q_plus[:, None] + side_draws["+"].T)[0]
    bm = _gini(q, q_minus[:, None] + side_draws["-"].T)[0]
    boot = bp - bm
    boot = boot[np.isfinite(boot)]
    null = np.abs(boot) if r3d_compat else np.abs(boot - diff)
    return _result(
        null, abs(diff), level, r3d_compat, (float(q[0]), float(q[-1])), float(diff)
    )
