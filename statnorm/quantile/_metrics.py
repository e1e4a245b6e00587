"""Scores of quantile forecasts and the non-crossing tools.

Conventions (stated once, used everywhere in statnorm.quantile):

- pinball loss of level ``tau`` at residual ``u = y - q``:
  ``psi_tau(u) = max(tau * u, (tau - 1) * u)``;
- interval score of the central ``(1 - alpha)`` interval ``[l, u]``:
  ``IS_alpha = (u - l) + (2 / alpha) (l - y)_+ + (2 / alpha) (y - u)_+``;
- weighted interval score (default ``normalize="bracher"``, Bracher et al. 2021):
  ``WIS = (K + 1/2)^-1 [ |y - m| / 2 + sum_k (alpha_k / 2) IS_alpha_k ]`` with
  ``K`` intervals and median ``m`` (without a median the divisor is ``K``).
  Because ``(alpha/2) IS_alpha = psi_{alpha/2}(y - l) + psi_{1-alpha/2}(y - u)``,
  this equals twice the pinball loss averaged over the levels.
"""

from numbers import Integral, Real

import numpy as np

from .._validation import (
    check_1d,
    check_2d,
    check_array_nd,
    check_consistent_length,
)
from ._utils import central_pairs, check_quantiles, check_y_Q

__all__ = [
    "central_intervals",
    "crossing_rate",
    "interval_coverage",
    "interval_score",
    "interval_width",
    "monotonize",
    "pinball_loss",
    "weighted_interval_score",
]

_WIS_NORMALIZE = ("bracher", "paper", "sum")


def _weights(sample_weight, n):
    if sample_weight is None:
        return np.ones(n)
    w = check_1d(sample_weight, name="sample_weight")
    if w.shape[0] != n:
        raise ValueError(
            f"sample_weight has {w.shape[0]} entries but there are {n} samples."
        )
    if (w < 0).any() or w.sum() <= 0:
        raise ValueError("sample_weight must be non-negative with a positive sum.")
    return w


def pinball_loss(
    y_true,
    y_pred,
    quantiles,
    *,
    sample_weight=None,
    multioutput="uniform_average",
    n_jobs=None,
):
    """Pinball (quantile) loss over many levels at once.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed values.
    y_pred : array-like of shape (n_samples, n_quantiles)
        Predicted quantiles, one column per level.
    quantiles : array-like of shape (n_quantiles,)
        Increasing levels in (0, 1).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"
        Average the per-level losses, or return one loss per level.
    n_jobs : int or None, default=None
        Numba threads for the single-pass kernel.

    Returns
    -------
    loss : float or ndarray of shape (n_quantiles,)
        ``mean_i psi_tau(y_i - q_i)``, averaged over levels unless
        ``multioutput="raw_values"``. For one level this equals
        :func:`sklearn.metrics.mean_pinball_loss`.

    Examples
    --------
    >>> from statnorm.quantile import pinball_loss
    >>> pinball_loss([1.0, 2.0], [[0.0, 1.0], [1.0, 3.0]], [0.1, 0.9])
    0.075
    """
    tau = check_quantiles(quantiles)
    y, Q = check_y_Q(y_true, y_pred, tau)
    w = _weights(sample_weight, y.shape[0])
    if multioutput not in ("uniform_average", "raw_values"):
        raise ValueError(
            "multioutput must be 'uniform_average' or 'raw_values'; "
            f"got {multioutput!r}."
        )
    out = np.empty(tau.size)
    from .._numba import parallel_threads  # Numba: imported on first use
    from ._kernels import pinball_sums

    with parallel_threads(n_jobs):
        pinball_sums(y, np.ascontiguousarray(Q), tau, w, out)
    out /= w.sum()
    return out if multioutput == "raw_values" else float(out.mean())


def central_intervals(y_pred, quantiles):
    """Split a symmetric quantile fan into its central intervals.

    Parameters
    ----------
    y_pred : array-like of shape (n_samples, n_quantiles)
        Predicted quantiles.
    quantiles : array-like of shape (n_quantiles,)
        Levels, symmetric about 0.5 (each ``tau < 0.5`` has a partner ``1 - tau``).

    Returns
    -------
    alphas : ndarray of shape (n_intervals,)
        Miscoverage of each interval (nominal coverage ``1 - alpha``), widest first.
    lower, upper : ndarray of shape (n_samples, n_intervals)
        Interval end points.

    Examples
    --------
    >>> from statnorm.quantile import central_intervals
    >>> alphas, lo, hi = central_intervals([[0.0, 1.0, 2.0]], [0.1, 0.5, 0.9])
    >>> alphas, lo, hi
    (array([0.2]), array([[0.]]), array([[2.]]))
    """
    tau = check_quantiles(quantiles)
    Q = check_2d(y_pred, name="y_pred")
    if Q.shape[1] != tau.size:
        raise ValueError(
            f"y_pred has {Q.shape[1]} columns but {tau.size} quantile levels were "
            "given; expected one column per level."
        )
    lo, hi, alphas, _ = central_pairs(tau)
    return alphas, Q[:, lo], Q[:, hi]


def _check_pair(lower, upper, *, allow_empty=False):
    """Interval end points: same shape, no NaN, lower <= upper.

    ``lower`` may be -inf and ``upper`` +inf (unbounded intervals); a lower
    end point of +inf or an upper one of -inf is an error.

    ``allow_empty=True`` accepts lower > upper (an empty interval, which
    covers nothing): crossing intervals happen, e.g. asymmetric conformal
    intervals without monotonisation, and their coverage is well defined.
    """
    lower = check_array_nd(lower, name="lower", allow_inf=True)
    upper = check_array_nd(upper, name="upper", allow_inf=True)
    # an unbounded interval has lower = -inf or upper = +inf; the other
    # infinities bound nothing
    for name, end, sign in (("lower", lower, np.inf), ("upper", upper, -np.inf)):
        bad = end == sign
        if bad.any():
            i = int(np.flatnonzero(bad.reshape(len(bad), -1).any(axis=1))[0])
            raise ValueError(
                f"{name} contains {sign:+} ({int(bad.sum())} entr"
                f"{'y' if bad.sum() == 1 else 'ies'}, first at row {i}); an "
                f"unbounded interval has lower=-inf or upper=+inf, while "
                f"{name}={sign:+} bounds nothing."
            )
    if lower.shape != upper.shape:
        raise ValueError(
            "lower and upper must have the same shape, (n_samples,) or "
            f"(n_samples, n_intervals); got {lower.shape} and {upper.shape}."
        )
    bad = lower > upper
    if bad.any() and not allow_empty:
        i = int(np.flatnonzero(bad.reshape(len(bad), -1).any(axis=1))[0])
        raise ValueError(
            f"lower must not exceed upper; {int(bad.sum())} interval(s) are swapped "
            f"(first at row {i}: lower={lower[i]!r}, upper={upper[i]!r})."
        )
    return lower, upper


def _check_bounds(y_true, lower, upper, *, allow_empty=False):
    y = check_1d(y_true, name="y_true")
    lower, upper = _check_pair(lower, upper, allow_empty=allow_empty)
    check_consistent_length(y_true=y, lower=lower)
    return y, lower, upper


def interval_score(y_true, lower, upper, alpha, *, sample_weight=None):
    """Mean interval score of central ``(1 - alpha)`` intervals (Gneiting & Raftery).

    ``IS_alpha = (u - l) + (2 / alpha)(l - y)_+ + (2 / alpha)(y - u)_+``;
    lower is better.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed values.
    lower, upper : array-like of shape (n_samples,)
        Interval end points.
    alpha : float
        Nominal miscoverage in (0, 1).
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    score : float
        Weighted mean interval score.

    Examples
    --------
    >>> from statnorm.quantile import interval_score
    >>> interval_score([0.0, 3.0], [-1.0, -1.0], [1.0, 1.0], alpha=0.5)
    6.0
    """
    y, lower, upper = _check_bounds(y_true, lower, upper)
    if (
        isinstance(alpha, bool)
        or not isinstance(alpha, Real)
        or not 0 < float(alpha) < 1
    ):
        raise ValueError(f"alpha must be a float in (0, 1). Got {alpha!r} instead.")
    alpha = float(alpha)
    w = _weights(sample_weight, y.shape[0])
    s = (
        (upper - lower)
        + (2 / alpha) * np.maximum(lower - y, 0)
        + (2 / alpha) * np.maximum(y - upper, 0)
    )
    return float(np.average(s, weights=w))


def weighted_interval_score(
    y_true, y_pred, quantiles, *, normalize="bracher", sample_weight=None
):
    """Weighted interval score of a symmetric quantile fan, computed interval-wise.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed values.
    y_pred : array-like of shape (n_samples, n_quantiles)
        Predicted quantiles.
    quantiles : array-like of shape (n_quantiles,)
        Levels symmetric about 0.5, optionally including 0.5 (the median).
    normalize : {"bracher", "paper", "sum"}, default="bracher"
        With ``S = |y - m|/2 + sum_k (alpha_k/2) IS_alpha_k`` (the median term only
        when 0.5 is a level):

        - ``"bracher"``: ``S / (K + 1/2)`` (``S / K`` without a median), the
          COVID-19 Forecast Hub convention; equals ``2 * pinball_loss(...)``.
        - ``"paper"``: ``2 S = sum_k alpha_k IS_alpha_k + |y - m|``, the
          unnormalised form of Fakoor et al. (2023); equals twice the summed
          pinball loss.
        - ``"sum"``: ``S``, equal to the pinball loss summed over levels.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    wis : float
        Weighted mean over rows; lower is better.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.quantile import pinball_loss, weighted_interval_score
    >>> tau = [0.1, 0.5, 0.9]
    >>> Q = [[-1.0, 0.0, 1.0], [0.0, 0.5, 2.0]]
    >>> y = [0.3, 3.0]
    >>> bool(np.isclose(weighted_interval_score(y, Q, tau), 2 * pinball_loss(y, Q, tau)))
    True
    """
    tau = check_quantiles(quantiles)
    y, Q = check_y_Q(y_true, y_pred, tau)
    if normalize not in _WIS_NORMALIZE:
        raise ValueError(
            f"normalize must be one of {_WIS_NORMALIZE}; got {normalize!r}."
        )
    w = _weights(sample_weight, y.shape[0])
    lo, hi, alphas, med = central_pairs(tau)
    L, U = Q[:, lo], Q[:, hi]
    yy = y[:, None]
    IS = (U - L) + (2 / alphas) * (np.maximum(L - yy, 0) + np.maximum(yy - U, 0))
    S = (alphas / 2 * IS).sum(axis=1)
    if med is not None:
        S = S + 0.5 * np.abs(y - Q[:, med])
    if normalize == "bracher":
        S = S / (lo.size + (0.5 if med is not None else 0.0))
    elif normalize == "paper":
        S = 2.0 * S
    return float(np.average(S, weights=w))


def interval_coverage(y_true, lower, upper):
    """Share of observations inside ``[lower, upper]`` (end points included).

    End points may be infinite (an unbounded interval). A row with
    ``lower > upper`` is an empty interval, which covers nothing (crossing
    intervals arise, e.g., from asymmetric conformal calibration without
    monotonisation); :func:`interval_width` and :func:`interval_score` reject
    such rows instead.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed values.
    lower, upper : array-like of shape (n_samples,) or (n_samples, n_intervals)
        End points, e.g. from :func:`central_intervals`.

    Returns
    -------
    coverage : float or ndarray of shape (n_intervals,)
        Empirical coverage, per interval for 2-D bounds.

    Examples
    --------
    >>> from statnorm.quantile import interval_coverage
    >>> interval_coverage([0.0, 2.0], [-1.0, -1.0], [1.0, 1.0])
    0.5
    """
    y, lower, upper = _check_bounds(y_true, lower, upper, allow_empty=True)
    yy = y if lower.ndim == 1 else y[:, None]
    cov = ((lower <= yy) & (yy <= upper)).mean(axis=0)
    return float(cov) if lower.ndim == 1 else cov


def interval_width(lower, upper):
    """Mean width ``upper - lower`` of intervals.

    Parameters
    ----------
    lower, upper : array-like of shape (n_samples,) or (n_samples, n_intervals)
        End points.

    Returns
    -------
    width : float or ndarray of shape (n_intervals,)
        Mean width, per interval for 2-D bounds.

    Examples
    --------
    >>> from statnorm.quantile import interval_width
    >>> interval_width([0.0, 1.0], [1.0, 4.0])
    2.0
    """
    lower, upper = _check_pair(lower, upper)
    wdt = (upper - lower).mean(axis=0)
    return float(wdt) if lower.ndim == 1 else wdt


def crossing_rate(y_pred, *, n_jobs=None):
    """Share of rows whose quantiles decrease somewhere (quantile crossing).

    Parameters
    ----------
    y_pred : array-like of shape (n_samples, n_quantiles)
        Predicted quantiles in increasing level order.
    n_jobs : int or None, default=None
        Numba threads.

    Returns
    -------
    rate : float
        Fraction of rows with ``q[k] < q[k-1]`` for some ``k``.

    Examples
    --------
    >>> from statnorm.quantile import crossing_rate
    >>> crossing_rate([[0.0, 1.0, 2.0], [0.0, 2.0, 1.0]])
    0.5
    """
    Q = check_2d(y_pred, name="y_pred")
    out = np.empty(Q.shape[0], dtype=np.int64)
    from .._numba import parallel_threads  # Numba: imported on first use
    from ._kernels import crossing_rows

    with parallel_threads(n_jobs):
        crossing_rows(Q, out)
    return float(out.mean())


_MONOTONE = ("sort", "isotonic", "minmax")


def monotonize(y_pred, *, method="sort", center=None, n_jobs=None):
    """Make every row of a quantile matrix non-decreasing (no crossing).

    Parameters
    ----------
    y_pred : array-like of shape (n_samples, n_quantiles)
        Predicted quantiles, columns in increasing level order. Not modified.
    method : {"sort", "isotonic", "minmax"}, default="sort"
        - ``"sort"``: sort each row (Chernozhukov et al.'s rearrangement);
        - ``"isotonic"``: L2 projection onto non-decreasing rows (row-wise
          pool-adjacent-violators in Numba);
        - ``"minmax"``: from column ``center`` outwards, running maximum upwards
          and running minimum downwards. It only ever widens central intervals,
          so it keeps any coverage guarantee they had; it has no loss guarantee.

        Sort and isotonic never increase the pinball loss of any row, for any
        outcome (Fakoor et al. 2023, Prop. 2); min-max can.
    center : int or None, default=None
        Column the min-max sweep starts from (default ``n_quantiles // 2``, the
        median of an odd symmetric grid). Ignored by the other methods.
    n_jobs : int or None, default=None
        Numba threads for "isotonic" and "minmax".

    Returns
    -------
    Q : ndarray of shape (n_samples, n_quantiles)
        A new non-decreasing array.

    Examples
    --------
    >>> from statnorm.quantile import monotonize
    >>> monotonize([[0.0, 2.0, 1.0, 3.0]], method="isotonic")
    array([[0. , 1.5, 1.5, 3. ]])
    >>> monotonize([[0.0, 2.0, 1.0, 3.0]], method="minmax", center=1)
    array([[0., 2., 2., 3.]])
    """
    if method not in _MONOTONE:
        raise ValueError(f"method must be one of {_MONOTONE}; got {method!r}.")
    Q = check_2d(y_pred, name="y_pred", allow_nan=False)
    m = Q.shape[1]
    if center is not None and (
        isinstance(center, bool) or not isinstance(center, Integral)
    ):
        raise TypeError(
            f"center must be an int (a column index of y_pred) or None; got "
            f"{center!r} of type {type(center).__name__}."
        )
    c = m // 2 if center is None else int(center)
    if not 0 <= c < m:
        raise ValueError(
            f"center must be a column index in [0, {m - 1}]; got {center!r}."
        )
    return apply_monotone(Q, method, c, n_jobs)


def apply_monotone(Q, method, center, n_jobs=None):
    """Unchecked core of :func:`monotonize` (accepts infinite bounds)."""
    Q = np.ascontiguousarray(Q, dtype=np.float64)
    if method == "sort":
        return np.sort(Q, axis=1)
    if method == "isotonic":
        from .._isotonic import isotonic_rows  # Numba: imported on first use

        return isotonic_rows(Q, n_jobs)
    out = np.empty_like(Q)
    from .._numba import parallel_threads  # Numba: imported on first use
    from ._kernels import minmax_rows

    with parallel_threads(n_jobs):
        minmax_rows(Q, out, int(center))
    return out
