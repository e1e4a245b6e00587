"""Regression discontinuity plots: binned means and global polynomials on each
side of the cutoff (Calonico, Cattaneo and Titiunik, 2015), the numbers of
``rdrobust.rdplot``.

The number of bins per side is IMSE-optimal (``"es"``, ``"qs"``) or mimics
the variability of the raw data (``"esmv"``, ``"qsmv"``), for evenly spaced
(``es*``) or quantile-spaced (``qs*``) bins; the variance entering the rule
comes from spacings of the sorted data or, in the ``*pr`` variants, from a
global polynomial regression.
"""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from scipy.stats import t as student_t

from .._plotting import DisplayMixin, get_axes
from .._validation import (
    Interval,
    StrOptions,
    check_1d,
    check_confidence_level,
    validate_params,
)
from ..results import Result, SummaryTable

__all__ = ["RDBinnedScatterResult", "RDPlotDisplay", "rd_binned_scatter"]

_BINSELECT = ("es", "espr", "esmv", "esmvpr", "qs", "qspr", "qsmv", "qsmvpr")
_NAMES = {
    "es": "IMSE-optimal evenly spaced, spacings estimators",
    "espr": "IMSE-optimal evenly spaced, polynomial regression",
    "esmv": "mimicking variance evenly spaced, spacings estimators",
    "esmvpr": "mimicking variance evenly spaced, polynomial regression",
    "qs": "IMSE-optimal quantile spaced, spacings estimators",
    "qspr": "IMSE-optimal quantile spaced, polynomial regression",
    "qsmv": "mimicking variance quantile spaced, spacings estimators",
    "qsmvpr": "mimicking variance quantile spaced, polynomial regression",
}
_KERNELS = {
    "uniform": lambda u: 0.5 * (np.abs(u) <= 1),
    "triangular": lambda u: (1 - np.abs(u)) * (np.abs(u) <= 1),
    "epanechnikov": lambda u: 0.75 * (1 - u**2) * (np.abs(u) <= 1),
}
# order of the global polynomial behind the bin-number rules (lowered to 3
# or 2 when a side has too few distinct values), as in rdrobust
_SELECTOR_ORDER = 4


@dataclass(frozen=True, repr=False)
class RDBinnedScatterResult(Result):
    """Result of :func:`rd_binned_scatter`: the bins and polynomials of an RD plot.

    Per side (``_left``: below the cutoff, ``_right``: at or above it) the
    arrays have one entry per bin, ordered by ``x``; an empty bin has count
    0 and NaN means and intervals.

    Attributes
    ----------
    edges_left, edges_right : ndarray of shape (n_bins + 1,)
        Bin edges; bins are closed on the left, the outermost one on both
        sides.
    centers_left, centers_right : ndarray
        Midpoints of the bins (where ``rdplot`` draws the means).
    mean_x_left, mean_x_right, mean_y_left, mean_y_right : ndarray
        Mean running variable and mean outcome per bin.
    count_left, count_right : ndarray of int
        Units per bin.
    std_error_left, std_error_right : ndarray
        Standard error of each bin mean (sample standard deviation over
        the square root of the count; 0 for a single unit).
    ci_lower_left, ci_upper_left, ci_lower_right, ci_upper_right : ndarray
        Student-t interval of each bin mean at ``confidence_level``
        (``count - 1`` degrees of freedom, at least 1).
    coef_left, coef_right : ndarray of shape (p + 1,)
        Coefficients of the global polynomial of order ``p`` on each side, in
        powers of ``x - cutoff`` (``rdplot``'s ``coef``).
    n_bins_left, n_bins_right : int
        Numbers of bins used, J- and J+.
    n_bins_imse, n_bins_mv : ndarray of shape (2,)
        IMSE-optimal and mimicking-variance numbers of bins (left, right) of
        the spacing family of ``binselect`` (``rdplot``'s ``J_IMSE``,
        ``J_MV``).
    binselect : str
        Rule used (``"manual"`` when ``nbins`` was given); mass points can
        turn a spacings rule into its ``*pr`` variant.
    spacing : {"es", "qs"}
        Evenly spaced or quantile-spaced bins.
    h_left, h_right : float
        Bandwidths of the polynomial fits (default: the range of ``x`` on
        each side).
    n_left, n_right, n_h_left, n_h_right : int
        Units per side, and those with positive kernel weight.
    cutoff : float
    p : int
    kernel : str
    confidence_level : float
    """

    edges_left: np.ndarray
    edges_right: np.ndarray
    centers_left: np.ndarray
    centers_right: np.ndarray
    mean_x_left: np.ndarray
    mean_x_right: np.ndarray
    mean_y_left: np.ndarray
    mean_y_right: np.ndarray
    count_left: np.ndarray
    count_right: np.ndarray
    std_error_left: np.ndarray
    std_error_right: np.ndarray
    ci_lower_left: np.ndarray
    ci_upper_left: np.ndarray
    ci_lower_right: np.ndarray
    ci_upper_right: np.ndarray
    coef_left: np.ndarray
    coef_right: np.ndarray
    n_bins_left: int
    n_bins_right: int
    n_bins_imse: np.ndarray
    n_bins_mv: np.ndarray
    binselect: str
    spacing: str
    h_left: float
    h_right: float
    n_left: int
    n_right: int
    n_h_left: int
    n_h_right: int
    cutoff: float
    p: int
    kernel: str
    confidence_level: float

    def polynomial(self, x):
        """Evaluate the global polynomial fits at ``x``.

        Parameters
        ----------
        x : array-like
            Points; those below the cutoff use the left fit, the others the
            right fit.

        Returns
        -------
        values : ndarray of the shape of ``x``
        """
        x = np.asarray(x, dtype=float)
        d = x - self.cutoff
        left = np.polynomial.polynomial.polyval(d, self.coef_left)
        right = np.polynomial.polynomial.polyval(d, self.coef_right)
        return np.where(x < self.cutoff, left, right)

    def to_frame(self):
        """One row per bin, left bins first (``rdplot``'s ``vars_bins``).

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``side``, ``lower``, ``upper``, ``center``, ``mean_x``,
            ``mean_y``, ``count``, ``std_error``, ``ci_lower``, ``ci_upper``.
        """
        import pandas as pd

        parts = []
        for side in ("left", "right"):
            e = getattr(self, f"edges_{side}")
            parts.append(
                pd.DataFrame(
                    {
                        "side": side,
                        "lower": e[:-1],
                        "upper": e[1:],
                        "center": getattr(self, f"centers_{side}"),
                        "mean_x": getattr(self, f"mean_x_{side}"),
                        "mean_y": getattr(self, f"mean_y_{side}"),
                        "count": getattr(self, f"count_{side}"),
                        "std_error": getattr(self, f"std_error_{side}"),
                        "ci_lower": getattr(self, f"ci_lower_{side}"),
                        "ci_upper": getattr(self, f"ci_upper_{side}"),
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)

    def summary(self, *, max_rows=None):
        """Numbers of bins and the polynomial fits per side.

        Parameters
        ----------
        max_rows : int or None, default=None
            Unused (two rows).

        Returns
        -------
        table : SummaryTable
        """
        rows = tuple(
            (
                name,
                getattr(self, f"n_{side}"),
                getattr(self, f"n_h_{side}"),
                getattr(self, f"n_bins_{side}"),
                float(self.n_bins_imse[j]),
                float(self.n_bins_mv[j]),
                getattr(self, f"h_{side}"),
            )
            for j, (name, side) in enumerate(
                (("below cutoff", "left"), ("at/above cutoff", "right"))
            )
        )
        rule = _NAMES.get(self.binselect, self.binselect)
        note = (
            f"cutoff {self.cutoff:g}; polynomial order p={self.p}, "
            f"kernel={self.kernel}; bins: {rule} ({self.spacing})"
        )
        return SummaryTable(
            "RD plot (binned means and global polynomials)",
            ("side", "units", "units in h", "bins", "J IMSE", "J MV", "h"),
            rows,
            (note,),
        )


# ------------------------------------------------------------- computations --


def _pair(value, name, kind):
    arr = np.atleast_1d(np.asarray(value, dtype=float)).ravel()
    if arr.size not in (1, 2) or not np.all(np.isfinite(arr) & (arr > 0)):
        raise ValueError(
            f"{name} must be a positive {kind} or a pair (left, right) of "
            f"positive {kind}s; got {value!r}."
        )
    if kind == "integer" and not np.all(arr == np.round(arr)):
        raise ValueError(f"{name} must hold integers; got {value!r}.")
    return float(arr[0]), float(arr[-1])


def _n_distinct(xs):
    """Distinct values of a sorted array."""
    return int(xs.size > 0) + int(np.count_nonzero(xs[1:] != xs[:-1]))


def _poly_fit(x, y, order):
    """Least squares of the columns of ``y`` on a polynomial of ``order`` in
    ``x``, on a centred and scaled basis (``t`` in [-1, 1], where the normal
    equations of an order <= 4 fit are well conditioned). Returns the fitted
    values at ``x``, the coefficients in ``t`` and the centre and scale."""
    m = 0.5 * (x.min() + x.max())
    s = 0.5 * (x.max() - x.min())
    V = np.polynomial.polynomial.polyvander((x - m) / s, order)
    coef = np.linalg.solve(V.T @ V, V.T @ y)
    return V @ coef, coef, m, s


def _horner(t, c):
    out = np.full(t.shape, c[-1])
    for a in c[-2::-1]:
        out *= t
        out += a
    return out


def _selector_pieces(xs, ys, k):
    """The ingredients of the bin-number rules on one side (``xs`` sorted)."""
    fit, coef, m, s = _poly_fit(xs, np.column_stack([ys, ys**2]), k)
    var_y = float(np.var(ys, ddof=1))
    dx = np.diff(xs)
    dy = np.diff(ys)
    t = (xs - m) / s
    t_mid = 0.5 * (t[1:] + t[:-1])
    d1 = np.polynomial.polynomial.polyder(coef[:, 0]) / s
    # conditional variance from the regressions of y and y^2, replaced by the
    # variance of y where it is negative
    s2 = fit[:, 1] - fit[:, 0] ** 2
    s2 = np.where(s2 < 0, var_y, s2)
    s2_mid = _horner(t_mid, coef[:, 1]) - _horner(t_mid, coef[:, 0]) ** 2
    s2_mid = np.where(s2_mid < 0, var_y, s2_mid)
    return {
        "var_y": var_y,
        "dx": dx,
        "dy": dy,
        "d1": _horner(t, d1),
        "d1_mid": _horner(t_mid, d1),
        "s2": s2,
        "s2_mid": s2_mid,
    }


def _bin_numbers(parts, ranges, n_sides, n):
    """IMSE and mimicking-variance numbers of bins of every rule, per side."""

    def imse(B, V):
        return np.ceil((2.0 * B / V * n) ** (1.0 / 3.0))

    def mv(var_y, V):
        return np.ceil(var_y / V * n / np.log(n) ** 2)

    out = {name: np.empty(2) for name in _BINSELECT}
    mv_of = {}
    for j, (P, rng, nj) in enumerate(zip(parts, ranges, n_sides)):
        dx, dy = P["dx"], P["dy"]
        B_es = rng**2 / (12.0 * n) * np.sum(P["d1"] ** 2)
        V_es = 0.5 / rng * np.sum(dx * dy**2)
        V_es_pr = np.sum(dx * P["s2_mid"]) / rng
        B_qs = nj**2 / (24.0 * n) * np.sum(dx**2 * P["d1_mid"] ** 2)
        V_qs = np.sum(dy**2) / (2.0 * nj)
        V_qs_pr = np.sum(P["s2"]) / nj
        out["es"][j] = imse(B_es, V_es)
        out["espr"][j] = imse(B_es, V_es_pr)
        out["qs"][j] = imse(B_qs, V_qs)
        out["qspr"][j] = imse(B_qs, V_qs_pr)
        out["esmv"][j] = mv(P["var_y"], V_es)
        out["esmvpr"][j] = mv(P["var_y"], V_es_pr)
        out["qsmv"][j] = mv(P["var_y"], V_qs)
        out["qsmvpr"][j] = mv(P["var_y"], V_qs_pr)
    for name in _BINSELECT:
        base = name.replace("mv", "")
        mv_of[name] = (out[base], out[base[:2] + "mv" + base[2:]])
    return out, mv_of


def _bins(xs, ys, edges, J, level):
    """Bin statistics of one side: bins closed on the left, the last one
    closed on both ends."""
    idx = np.clip(np.searchsorted(edges, xs, side="right") - 1, 0, J - 1)
    cnt = np.bincount(idx, minlength=J)
    with np.errstate(invalid="ignore", divide="ignore"):
        sx = np.bincount(idx, weights=xs, minlength=J)
        sy = np.bincount(idx, weights=ys, minlength=J)
        mx = np.where(cnt > 0, sx / np.maximum(cnt, 1), np.nan)
        my = np.where(cnt > 0, sy / np.maximum(cnt, 1), np.nan)
        ss = np.bincount(idx, weights=(ys - my[idx]) ** 2, minlength=J)
        sd = np.where(cnt > 1, np.sqrt(ss / np.maximum(cnt - 1, 1)), 0.0)
        se = np.where(cnt > 0, sd / np.sqrt(np.maximum(cnt, 1)), np.nan)
    quant = student_t.ppf(0.5 + level / 2, np.maximum(cnt - 1, 1))
    return mx, my, cnt.astype(np.int64), se, my - quant * se, my + quant * se


def _global_poly(d, y, w, h, kernel, p, where):
    """Kernel-weighted least squares of ``y`` on ``(1, d, ..., d^p)``,
    ``d = x - cutoff``; coefficients in powers of ``d``."""
    W = _KERNELS[kernel](d / h) / h
    n_h = int(np.count_nonzero(W > 0))
    if w is not None:
        W = W * w
    keep = W > 0
    distinct = _n_distinct(d[keep])
    if distinct < p + 1:
        raise ValueError(
            f"Too few units {where} the cutoff for a polynomial of order p={p}: "
            f"{distinct} distinct value(s) of x with positive weight, {p + 1} "
            "needed. Lower p, or widen h."
        )
    sw = np.sqrt(W[keep])
    V = np.polynomial.polynomial.polyvander(d[keep] / h, p) * sw[:, None]
    a = np.linalg.lstsq(V, y[keep] * sw, rcond=None)[0]
    return a / h ** np.arange(p + 1), n_h


@validate_params(
    {
        "y": ["array-like"],
        "x": ["array-like"],
        "cutoff": [Real],
        "p": [Interval(Integral, 0, 20, closed="both")],
        "nbins": [None, Integral, "array-like"],
        "binselect": [StrOptions(set(_BINSELECT))],
        "scale": [None, Real, "array-like"],
        "kernel": [StrOptions(set(_KERNELS))],
        "h": [None, Real, "array-like"],
        "weights": [None, "array-like"],
        "support": [None, "array-like"],
        "masspoints": [StrOptions({"adjust", "off"})],
        "confidence_level": [Real],
    },
    prefer_skip_nested_validation=True,
)
def rd_binned_scatter(
    y,
    x,
    *,
    cutoff=0.0,
    p=4,
    nbins=None,
    binselect="esmv",
    scale=None,
    kernel="uniform",
    h=None,
    weights=None,
    support=None,
    masspoints="adjust",
    confidence_level=0.95,
):
    """Binned means and global polynomial fits of a regression discontinuity plot.

    The numbers of ``rdrobust.rdplot`` (Calonico, Cattaneo and Titiunik,
    2015): on each side of the cutoff, the means of ``y`` in J- (below) and
    J+ (at or above) bins of the running variable, with Student-t intervals,
    and a global polynomial of order ``p`` fitted to the raw data. Draw them
    with :class:`RDPlotDisplay`. Every number equals ``rdrobust.rdplot``
    2.1.1 (Python) with the same settings (tests/rdd).

    Parameters
    ----------
    y : array-like of shape (n_units,)
        Outcome.
    x : array-like of shape (n_units,)
        Running variable; units with ``x >= cutoff`` are on the right side.
    cutoff : float, default=0.0
        Threshold (``rdplot``'s ``c``), strictly inside the range of ``x``.
    p : int, default=4
        Order of the global polynomial on each side.
    nbins : int or (int, int), default=None
        Numbers of bins (J-, J+); None: chosen by ``binselect``.
    binselect : str, default="esmv"
        Rule for the numbers of bins: ``"es"`` (IMSE-optimal, evenly
        spaced), ``"qs"`` (IMSE-optimal, quantile spaced), ``"esmv"`` and
        ``"qsmv"`` (as many bins as mimic the variability of the data); the
        variance uses spacings of the sorted data, or a global polynomial
        regression in the ``"espr"``, ``"esmvpr"``, ``"qspr"`` and
        ``"qsmvpr"`` variants. With ``nbins`` it still picks even (``es*``)
        or quantile (``qs*``) spacing.
    scale : float or (float, float), default=None
        Multiplier of the selected numbers of bins (truncated to an integer,
        at least 1).
    kernel : {"uniform", "triangular", "epanechnikov"}, default="uniform"
        Kernel weights of the polynomial fits (uniform: ordinary least
        squares over ``h``).
    h : float or (float, float), default=None
        Bandwidths of the polynomial fits below / above the cutoff; None:
        the distance from the cutoff to the ends of the support.
    weights : array-like of shape (n_units,), default=None
        Non-negative unit weights multiplying the kernel in the polynomial
        fits (the bin means are unweighted, as in ``rdplot``).
    support : (float, float), default=None
        Extends the range of ``x`` used for evenly spaced bins and the
        default bandwidths; never shrinks it.
    masspoints : {"adjust", "off"}, default="adjust"
        ``"adjust"``: when 20% or more of the units on a side repeat a value
        of ``x``, a spacings rule becomes its polynomial-regression variant.
    confidence_level : float, default=0.95
        Level of the bin-mean intervals.

    Returns
    -------
    result : RDBinnedScatterResult
        Bin edges, centres, means, counts and intervals per side, the
        numbers of bins, and the polynomial coefficients.

    Raises
    ------
    ValueError
        If an input holds NaN or infinity, ``x`` and ``y`` differ in length,
        fewer than 20 units are given, the cutoff is not inside the range of
        ``x``, a side has fewer distinct values of ``x`` than the
        polynomial of order ``p`` needs (3 for the bin rules), or ``nbins``,
        ``scale``, ``h`` or ``weights`` are not positive.

    Notes
    -----
    The rules (Calonico, Cattaneo and Titiunik, 2015, sections 3-4) use a
    global polynomial of order 4 per side for the bias (order 3 or 2 when a
    side has fewer distinct values); it is solved on a centred and scaled
    basis, where ``rdplot`` inverts the normal equations of raw powers of
    ``x``. Differences from ``rdplot``: NaN and negative weights are errors
    rather than dropped rows; an outcome constant on a side gets one bin
    without a printed warning; the covariate adjustment (``covs``) and
    ``subset`` are not implemented.

    References
    ----------
    S. Calonico, M. D. Cattaneo and R. Titiunik (2015). Optimal Data-Driven
    Regression Discontinuity Plots. Journal of the American Statistical
    Association 110(512), 1753-1769.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.rdd import rd_binned_scatter
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(-1, 1, 1000)
    >>> y = np.sin(2 * x) + 0.5 * (x >= 0) + rng.normal(0, 0.5, 1000)
    >>> res = rd_binned_scatter(y, x)              # rdplot(y, x)
    >>> res.n_bins_left, res.n_bins_right      # J-, J+ ("esmv")
    (29, 27)
    >>> rd_binned_scatter(y, x, binselect="es").n_bins_left
    9
    >>> res.coef_left.round(2)                 # powers of x - cutoff
    array([0.04, 2.94, 3.06, 2.11, 1.11])
    """
    y = check_1d(y, name="y")
    x = check_1d(x, name="x")
    if x.size != y.size:
        raise ValueError(
            f"x and y must have the same length; got {x.size} and {y.size}."
        )
    n = x.size
    if n < 20:
        raise ValueError(
            f"x: an RD plot needs at least 20 units; got {n} (1 sample is far too few)."
        )
    c = float(cutoff)
    if not np.isfinite(c):
        raise ValueError(f"cutoff must be finite; got {cutoff!r}.")
    level = check_confidence_level(confidence_level)
    w = None
    if weights is not None:
        w = check_1d(weights, name="weights")
        if w.size != n:
            raise ValueError(
                f"weights must have one value per unit ({n}); got {w.size}."
            )
        if np.any(w < 0):
            raise ValueError("weights must be non-negative.")
    x_min, x_max = float(x.min()), float(x.max())
    if not x_min < c < x_max:
        raise ValueError(
            f"cutoff={c:g} must lie strictly inside the range of x "
            f"[{x_min:g}, {x_max:g}]."
        )
    if support is not None:
        sup = np.asarray(support, dtype=float).ravel()
        if sup.size != 2 or not np.all(np.isfinite(sup)):
            raise ValueError(
                f"support must be a pair (lower, upper) of finite numbers; got "
                f"{support!r}."
            )
        x_min, x_max = min(x_min, sup[0]), max(x_max, sup[1])
    ranges = (c - x_min, x_max - c)
    hl, hr = ranges if h is None else _pair(h, "h", "number")
    sl, sr = (1.0, 1.0) if scale is None else _pair(scale, "scale", "number")
    if nbins is not None:
        nbins = _pair(nbins, "nbins", "integer")

    # tied units keep their row order (a stable sort; only needed with ties)
    order = np.argsort(x)
    xs_all = x[order]
    if np.any(xs_all[1:] == xs_all[:-1]):
        order = np.argsort(x, kind="stable")
    xs_all, ys_all = x[order], y[order]
    w_all = None if w is None else w[order]
    split = int(np.count_nonzero(x < c))
    sides = ((xs_all[:split], ys_all[:split]), (xs_all[split:], ys_all[split:]))
    n_sides = (split, n - split)

    rule = binselect
    distinct = [_n_distinct(s[0]) for s in sides]
    mass = any(1 - d / m >= 0.2 for d, m in zip(distinct, n_sides))
    if masspoints == "adjust" and mass and not rule.endswith("pr"):
        rule = rule + "pr"
    if min(distinct) < 3:
        where = "below" if distinct[0] < 3 else "at or above"
        raise ValueError(
            f"x has {min(distinct)} distinct value(s) {where} the cutoff; the "
            "bin rules need at least 3 per side."
        )
    k = min(_SELECTOR_ORDER, min(distinct) - 1)
    parts = [_selector_pieces(xs, ys, k) for xs, ys in sides]
    with np.errstate(divide="ignore", invalid="ignore"):  # a constant side
        table, mv_of = _bin_numbers(parts, ranges, n_sides, n)
    J_imse, J_mv = mv_of[rule]
    spacing = rule[:2]
    if nbins is None:
        J = [
            max(1, int(s * v)) if np.isfinite(v) else 1
            for s, v in zip((sl, sr), table[rule])
        ]
    else:
        J = [int(nbins[0]), int(nbins[1])]
    for j, P in enumerate(parts):
        if P["var_y"] == 0.0:
            J[j] = 1

    stats = {}
    for j, (side, (xs, ys)) in enumerate(zip(("left", "right"), sides)):
        if spacing == "es":
            lo, hi = (x_min, c) if j == 0 else (c, x_max)
            edges = np.linspace(lo, hi, J[j] + 1)
        else:
            edges = np.quantile(xs, np.linspace(0, 1, J[j] + 1))
        mx, my, cnt, se, lo_ci, hi_ci = _bins(xs, ys, edges, J[j], level)
        wj = None if w_all is None else (w_all[:split] if j == 0 else w_all[split:])
        coef, n_h = _global_poly(
            xs - c,
            ys,
            wj,
            (hl, hr)[j],
            kernel,
            p,
            "below" if j == 0 else "at or above",
        )
        stats.update(
            {
                f"edges_{side}": edges,
                f"centers_{side}": 0.5 * (edges[1:] + edges[:-1]),
                f"mean_x_{side}": mx,
                f"mean_y_{side}": my,
                f"count_{side}": cnt,
                f"std_error_{side}": se,
                f"ci_lower_{side}": lo_ci,
                f"ci_upper_{side}": hi_ci,
                f"coef_{side}": coef,
                f"n_h_{side}": n_h,
            }
        )
    return RDBinnedScatterResult(
        **stats,
        n_bins_left=J[0],
        n_bins_right=J[1],
        n_bins_imse=np.asarray(J_imse, dtype=float),
        n_bins_mv=np.asarray(J_mv, dtype=float),
        binselect="manual" if nbins is not None else rule,
        spacing=spacing,
        h_left=float(hl),
        h_right=float(hr),
        n_left=n_sides[0],
        n_right=n_sides[1],
        cutoff=c,
        p=int(p),
        kernel=kernel,
        confidence_level=level,
    )


# ------------------------------------------------------------------ display --


class RDPlotDisplay(DisplayMixin):
    """Regression discontinuity plot: binned means, global polynomials, cutoff.

    The picture of ``rdrobust.rdplot``: the mean outcome in each bin at the
    bin's midpoint, the global polynomial fit on each side over its
    bandwidth, a vertical line at the cutoff and, optionally, the
    intervals of the bin means. Create it with :meth:`from_data` (computes
    :func:`rd_binned_scatter`) or :meth:`from_result`.

    Parameters
    ----------
    result : RDBinnedScatterResult
        Output of :func:`rd_binned_scatter`.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        Bin means (both sides).
    lines_ : list of two matplotlib Line2D
        Polynomial fits below and above the cutoff.
    cutoff_line_ : matplotlib Line2D
    errorbar_ : matplotlib ErrorbarContainer or PolyCollection or None
        Bin-mean intervals (``ci=True``; a shaded band with ``shade=True``).
    ax_, figure_ : matplotlib Axes and Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from statnorm.rdd import RDPlotDisplay
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(-1, 1, 1000)
    >>> y = np.sin(2 * x) + 0.5 * (x >= 0) + rng.normal(0, 0.5, 1000)
    >>> disp = RDPlotDisplay.from_data(y, x, ci=True, color="C2")
    >>> disp.result.n_bins_left, len(disp.lines_)
    (29, 2)
    """

    def __init__(self, result):
        self.result = result

    @classmethod
    def from_result(
        cls, result, *, ax=None, ci=False, shade=False, n_points=500, **kwargs
    ):
        """Plot an :class:`RDBinnedScatterResult`.

        Parameters
        ----------
        result : RDBinnedScatterResult
        ax : matplotlib Axes, default=None
            Where to draw (a new figure when None).
        ci, shade, n_points, **kwargs
            As in :meth:`plot`.

        Returns
        -------
        display : RDPlotDisplay
        """
        if not isinstance(result, RDBinnedScatterResult):
            raise TypeError(
                "result must be an RDBinnedScatterResult (from "
                f"rd_binned_scatter). Got {type(result).__name__}."
            )
        return cls(result).plot(ax=ax, ci=ci, shade=shade, n_points=n_points, **kwargs)

    @classmethod
    def from_data(
        cls,
        y,
        x,
        *,
        cutoff=0.0,
        p=4,
        nbins=None,
        binselect="esmv",
        scale=None,
        kernel="uniform",
        h=None,
        weights=None,
        support=None,
        masspoints="adjust",
        confidence_level=0.95,
        ax=None,
        ci=False,
        shade=False,
        n_points=500,
        **kwargs,
    ):
        """Compute :func:`rd_binned_scatter` and plot it.

        Parameters
        ----------
        y, x : array-like of shape (n_units,)
            Outcome and running variable.
        cutoff, p, nbins, binselect, scale, kernel, h, weights, support, \
masspoints, confidence_level
            As in :func:`rd_binned_scatter`.
        ax : matplotlib Axes, default=None
            Where to draw.
        ci, shade, n_points, **kwargs
            As in :meth:`plot`.

        Returns
        -------
        display : RDPlotDisplay
        """
        result = rd_binned_scatter(
            y,
            x,
            cutoff=cutoff,
            p=p,
            nbins=nbins,
            binselect=binselect,
            scale=scale,
            kernel=kernel,
            h=h,
            weights=weights,
            support=support,
            masspoints=masspoints,
            confidence_level=confidence_level,
        )
        return cls(result).plot(ax=ax, ci=ci, shade=shade, n_points=n_points, **kwargs)

    def plot(
        self, *, ax=None, ci=False, shade=False, n_points=500, line_kw=None, **kwargs
    ):
        """Draw the bin means, the polynomial fits and the cutoff.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw (a new figure when None).
        ci : bool, default=False
            Draw the interval of each bin mean (at the result's
            ``confidence_level``) as error bars.
        shade : bool, default=False
            With ``ci``, a shaded band instead of error bars.
        n_points : int, default=500
            Points per side on which the polynomials are drawn.
        line_kw : dict, default=None
            Passed to matplotlib's ``plot`` for the polynomial lines (default
            colour ``"C3"``).
        **kwargs : dict
            Passed to matplotlib's ``scatter`` for the bin means
            (``color``, ``s``, ``marker``, ...).

        Returns
        -------
        display : RDPlotDisplay
            ``self``, with ``ax_``, ``figure_``, ``scatter_``, ``lines_``,
            ``cutoff_line_`` and ``errorbar_``.
        """
        if not isinstance(n_points, Integral) or n_points < 2:
            raise ValueError(f"n_points must be an int >= 2; got {n_points!r}.")
        fig, ax = get_axes(ax, "RDPlotDisplay.plot")
        r = self.result
        c = r.cutoff
        cx = np.concatenate([r.centers_left, r.centers_right])
        my = np.concatenate([r.mean_y_left, r.mean_y_right])
        ok = np.isfinite(my)
        kw = {"color": "C0", "s": 15, "zorder": 3, "label": "bin means"}
        kw.update(kwargs)
        self.scatter_ = ax.scatter(cx[ok], my[ok], **kw)
        lk = {"color": "C3"}
        lk.update(line_kw or {})
        self.lines_ = []
        for j, (lo, hi) in enumerate(((c - r.h_left, c), (c, c + r.h_right))):
            grid = np.linspace(lo, hi, n_points)
            coef = r.coef_left if j == 0 else r.coef_right
            vals = np.polynomial.polynomial.polyval(grid - c, coef)
            label = f"polynomial fit (p={r.p})" if j == 0 else None
            (line,) = ax.plot(grid, vals, label=label, **lk)
            self.lines_.append(line)
        self.errorbar_ = None
        if ci:
            lo = np.concatenate([r.ci_lower_left, r.ci_lower_right])[ok]
            hi = np.concatenate([r.ci_upper_left, r.ci_upper_right])[ok]
            color = self.scatter_.get_facecolor()[0]
            if shade:
                self.errorbar_ = ax.fill_between(
                    cx[ok], lo, hi, color=color, alpha=0.2, lw=0
                )
            else:
                self.errorbar_ = ax.errorbar(
                    cx[ok],
                    my[ok],
                    yerr=[my[ok] - lo, hi - my[ok]],
                    fmt="none",
                    ecolor=color,
                    elinewidth=0.8,
                    capsize=2,
                )
        self.cutoff_line_ = ax.axvline(c, color="k", lw=0.8)
        ax.set_xlabel("running variable")
        ax.set_ylabel("outcome")
        self.ax_, self.figure_ = ax, fig
        return self
