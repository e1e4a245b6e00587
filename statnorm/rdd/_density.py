"""Manipulation test: is the density of the running variable continuous at
the cutoff? A local polynomial density test in the spirit of Cattaneo,
Jansson and Ma (2020), as users run with ``rddensity`` before any RD.

The density on each side is the slope at the cutoff of a one-sided local
polynomial fit of the empirical distribution function; its variance is the
jackknife (leave-one-out influence) variance of that fit.
"""

import functools
from dataclasses import dataclass
from math import factorial
from numbers import Integral, Real

import numpy as np
from scipy.stats import norm

from .._validation import Interval, StrOptions, check_1d, validate_params
from ..results import SummaryTable, TestResult
from ._locpoly import KERNELS

__all__ = ["DensityTestResult", "density_test"]


@dataclass(frozen=True, repr=False)
class DensityTestResult(TestResult):
    """Result of :func:`density_test`.

    ``stat, p = result`` unpacks the t statistic and the two-sided p-value.

    Attributes
    ----------
    statistic, pvalue : float
        ``(f_above - f_below) / std_error`` and its two-sided normal p-value.
    density_below, density_above : float
        Estimated density of the running variable just below / above the
        cutoff (local polynomial of order ``p + 1``, as used by the test).
    std_error : float
        Jackknife standard error of ``density_above - density_below``.
    bandwidth : float
        Bandwidth on each side of the cutoff when both are equal, else NaN.
    bandwidth_below, bandwidth_above : float
        Bandwidth below / above the cutoff.
    n_below, n_above : int
        Units within the bandwidth below / at or above the cutoff.
    order : int
        Polynomial order of the fits (``p + 1``).
    """

    density_below: float = np.nan
    density_above: float = np.nan
    std_error: float = np.nan
    bandwidth: float = np.nan
    n_below: int = 0
    n_above: int = 0
    order: int = 3
    bandwidth_below: float = np.nan
    bandwidth_above: float = np.nan

    def summary(self, *, max_rows=None):
        """The estimates and the test as a :class:`~statnorm.results.SummaryTable`.

        Parameters
        ----------
        max_rows : int or None, default=None
            Unused (one row per quantity).

        Returns
        -------
        table : SummaryTable
        """
        rows = (
            ("density below", self.density_below),
            ("density above", self.density_above),
            ("difference", self.density_above - self.density_below),
            ("std error", self.std_error),
            ("t statistic", self.statistic),
            ("p-value", self.pvalue),
            (
                "bandwidth below / above",
                f"{self.bandwidth_below:.4g} / {self.bandwidth_above:.4g}",
            ),
            ("units below / above", f"{self.n_below} / {self.n_above}"),
        )
        return SummaryTable(
            "Density (manipulation) test at the cutoff",
            ("quantity", "value"),
            rows,
            (f"local polynomial of order {self.order}, jackknife standard error",),
        )


@functools.lru_cache(maxsize=32)
def _kernel_constants(kernel, p, n_grid=2000):
    """One-sided constants on [0, 1] by the midpoint rule: S, G and Lambda."""
    u = (np.arange(n_grid) + 0.5) / n_grid
    du = 1.0 / n_grid
    K = KERNELS[kernel](u)
    R = u[:, None] ** np.arange(p + 1)[None, :]
    S = (R * K[:, None]).T @ R * du
    lam = (u ** (p + 1) * K) @ R * du
    A = R * K[:, None] * du  # G = sum_ij A_i A_j' min(u_i, u_j)
    G = A.T @ np.minimum(u[:, None], u[None, :]) @ A
    return S, G, lam


def _rule_of_thumb(x, cutoff, p, kernel):
    """Normal-reference MSE bandwidth of the order-``p`` density estimator.

    MSE ``h^{2p} (F^{(p+1)}(c) beta / (p+1)!)^2 + f(c) v / (n h)`` with the
    one-sided constants ``beta = e_2' S^{-1} Lambda`` and ``v = e_2' S^{-1} G
    S^{-1} e_2`` and ``f``, ``F^{(p+1)} = f^{(p)}`` from a normal fitted to
    ``x``. In standard units, ``|f^{(p)}(c)|`` is replaced by the norm of
    ``(f^{(p)}(c), f^{(p+1)}(c))`` floored at a tenth of its largest value, so
    the rule stays finite where one derivative of the normal vanishes and
    the order-``p + 1`` fit of the test is not left with a large bias.
    """
    n = x.size
    mu, sd = float(np.mean(x)), float(np.std(x, ddof=1))
    z = (cutoff - mu) / sd
    f = norm.pdf(z) / sd
    # p-th derivative of the normal density: (-1)^p He_p(z) phi(z) / sd^(p+1)
    grid = np.linspace(-6, 6, 2401)

    def deriv(t):
        he = np.polynomial.hermite_e.hermeval(t, [0] * p + [1])
        return he * norm.pdf(t)

    def deriv1(t):
        he = np.polynomial.hermite_e.hermeval(t, [0] * (p + 1) + [1])
        return he * norm.pdf(t)

    # curvature of the normal reference at the cutoff in standard units: the
    # p-th and (p+1)-th derivatives together (one alone can vanish)
    size = np.hypot(deriv(z), deriv1(z))
    fp = max(float(size), 0.1 * float(np.max(np.hypot(deriv(grid), deriv1(grid)))))
    fp /= sd ** (p + 1)
    S, G, lam = _kernel_constants(kernel, p)
    Sinv = np.linalg.inv(S)
    beta = (Sinv @ lam)[1]
    v = (Sinv @ G @ Sinv)[1, 1]
    bias = fp / factorial(p + 1) * beta
    return float((f * v / (2 * p * bias**2 * n)) ** (1.0 / (2 * p + 1)))


def _fit_sides(xs, F, n, h_left, h_right, order, kernel):
    """One-sided local polynomial fits of ``F`` on the window ``[-h_left, h_right]``.

    ``xs`` is sorted and centred at the cutoff, ``F`` the empirical
    distribution function at each unit. Returns the coefficients on ``(1, x,
    ..., x^order)`` below and above (``x`` in data units, i.e. the fit's
    coefficient on ``u^k`` over ``h^k``), their jackknife covariance (both
    sides, below first) and the numbers of units below / above in the window.
    """
    win = (xs >= -h_left) & (xs <= h_right)
    xw, Fw = xs[win], F[win]
    below = xw < 0
    h = np.where(below, h_left, h_right)
    u = xw / h
    K = KERNELS[kernel](u) / h
    R = u[:, None] ** np.arange(order + 1)[None, :]
    X = np.zeros((xw.size, 2 * (order + 1)))
    X[below, : order + 1] = R[below]
    X[~below, order + 1 :] = R[~below]
    XW = X * K[:, None]
    Sinv = np.linalg.inv(XW.T @ X)
    scale = np.r_[h_left ** -np.arange(order + 1.0), h_right ** -np.arange(order + 1.0)]
    b = (Sinv @ (XW.T @ Fw)) * scale
    # influence of unit i on the fit: sum over later units j of K_j x_j / (n-1)
    tail = np.cumsum(XW[::-1], axis=0)[::-1]
    L = np.vstack([tail[1:], np.zeros((1, X.shape[1]))]) / (n - 1)
    if np.unique(xw).size < xw.size:
        # ties: a unit's influence covers its tied partners too (every unit
        # after the first of the tie), as for the tied units' shared F_n
        L = L[np.searchsorted(xw, xw, side="left")]
    V = Sinv @ (L.T @ L) @ Sinv * np.outer(scale, scale)
    return b[: order + 1], b[order + 1 :], V, int(below.sum()), int((~below).sum())


# Normal-reference constants of the preliminary bandwidths of rddensity's
# selector rdbwdensity (Cattaneo, Jansson and Ma, 2020, and their package
# rddensity 3.0), for p = 1..7: the pilot of the (p+1)-th derivative (order
# p + 2) and of the variance (order p).
_PILOT_B = (
    25884.444444494150957,
    3430865.4551236177795,
    845007948.04262602329,
    330631733667.03808594,
    187774809656037.3125,
    145729502641999264.0,
    146013502974449876992.0,
)
_PILOT_C = (
    4.8000000000000246914,
    548.57142857155463389,
    100800.00000020420703,
    29558225.458100609481,
    12896196859.612621307,
    7890871468221.609375,
    6467911284037581.0,
)


def _kernel_moment(kernel, m):
    """``int_0^1 u^m K(u) du`` (exact)."""
    if kernel == "triangular":
        return 1.0 / (m + 1) - 1.0 / (m + 2)
    if kernel == "epanechnikov":
        return 0.75 * (1.0 / (m + 1) - 1.0 / (m + 3))
    return 0.5 / (m + 1)


def _kth(a, k):
    """The ``k``-th smallest of the sorted array ``a`` (its last if shorter)."""
    return a[min(k, a.size) - 1]


def _local_minimum(xs, k):
    """Smallest window reaching ``k`` units (or all) on each side: (left, right)."""
    return _kth(np.sort(-xs[xs < 0]), k), _kth(xs[xs >= 0], k)


def _bandwidths_auto(xs, F, p, kernel):
    """rddensity's data-driven bandwidths (``rdbwdensity``, unrestricted fit,
    jackknife variance, regularised): MSE-optimal ``h`` for the density
    below, above, of the difference and of the sum, as ``(l, r, diff, sum)``.
    """
    n = xs.size
    xu = np.unique(xs)
    z = float(np.mean(xs)) / float(np.std(xs, ddof=1))
    sd = float(np.std(xs, ddof=1))

    def herm(k):
        return np.polynomial.hermite_e.hermeval(z, [0] * k + [1])

    fb = 1.0 / (herm(p + 2) ** 2 * norm.pdf(z))
    fc = 1.0 / (herm(p) ** 2 * norm.pdf(z))
    bn = ((2 * p + 1) / 4 * fb * _PILOT_B[p - 1] / n) ** (1 / (2 * p + 5)) * sd
    cn = (fc * _PILOT_C[p - 1] / (2 * p) / n) ** (1 / (2 * p + 1)) * sd
    top = float(np.max(np.abs(xu)))
    bn = max(min(bn, top), *_local_minimum(xs, 23 + p), *_local_minimum(xu, 23 + p))
    cn = max(min(cn, top), *_local_minimum(xs, 21 + p), *_local_minimum(xu, 21 + p))
    # bias: the (p+1)-th coefficients of an order-(p+2) fit at bn
    bl, br = (side[p + 1] for side in _fit_sides(xs, F, n, bn, bn, p + 2, kernel)[:2])
    # variance: the jackknife variance of the order-p density estimates at cn
    _, _, V, _, _ = _fit_sides(xs, F, n, cn, cn, p, kernel)
    i, j = 1, p + 2
    var = np.array(
        [
            V[i, i],
            V[j, j],
            V[i, i] + V[j, j] - 2 * V[i, j],
            V[i, i] + V[j, j] + 2 * V[i, j],
        ]
    )
    var = np.where(var < 0, np.nan, var) * n * cn
    mom = np.array(
        [[_kernel_moment(kernel, a + b) for b in range(p + 1)] for a in range(p + 1)]
    )
    lam = np.array([_kernel_moment(kernel, a + p + 1) for a in range(p + 1)])
    const = np.linalg.solve(mom, lam)[1]
    left, right = bl * const * (-1) ** p, br * const
    bias2 = np.array([left, right, right - left, right + left]) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        h = (var / bias2 / n / (2 * p)) ** (1 / (2 * p + 1))
    h = np.where(np.isnan(h), 0.0, h)
    lo, hi = -float(xu[0]), float(xu[-1])
    h = np.minimum(h, [lo, hi, max(lo, hi), max(lo, hi)])
    for pts in (xs, xu):
        ml, mr = _local_minimum(pts, 21 + p)
        h = np.maximum(h, [ml, mr, max(ml, mr), max(ml, mr)])
    return h


def _choose_bandwidth(bandwidth, bwselect, xs, F, c, x, p, kernel):
    """``(h_left, h_right)`` from the ``bandwidth`` argument of density_test."""
    if isinstance(bandwidth, str) and bandwidth == "rot":
        h = _rule_of_thumb(x, c, p, kernel)
        return h, h
    if isinstance(bandwidth, str):
        xu = np.unique(xs)
        for name, count in (
            ("below", (xu < 0).sum()),
            ("at or above", (xu >= 0).sum()),
        ):
            if count < p + 3:
                raise ValueError(
                    f"x has {count} distinct values {name} the cutoff; "
                    f"bandwidth='auto' needs at least {p + 3} on each side (its "
                    f"bias pilot is an order-{p + 2} fit). Pass a bandwidth."
                )
        h = _bandwidths_auto(xs, F, p, kernel)
        pick = {
            "each": (h[0], h[1]),
            "diff": (h[2], h[2]),
            "sum": (h[3], h[3]),
            "comb": (float(np.median(h[[0, 2, 3]])), float(np.median(h[[1, 2, 3]]))),
        }
        return tuple(float(v) for v in pick[bwselect])
    if np.ndim(bandwidth) == 0:
        return float(bandwidth), float(bandwidth)
    h = np.asarray(bandwidth, dtype=float)
    if h.shape != (2,) or not np.all(np.isfinite(h)) or np.any(h <= 0):
        raise ValueError(
            "bandwidth must be 'rot', 'auto', a positive number or a pair "
            f"(h_below, h_above) of positive numbers; got {bandwidth!r}."
        )
    return float(h[0]), float(h[1])


@validate_params(
    {
        "x": ["array-like"],
        "cutoff": [Real],
        "bandwidth": [
            StrOptions({"rot", "auto"}),
            Interval(Real, 0, None, closed="neither"),
            "array-like",
        ],
        "bwselect": [StrOptions({"each", "diff", "sum", "comb"})],
        "p": [Interval(Integral, 1, 6, closed="both")],
        "kernel": [StrOptions({"triangular", "epanechnikov", "uniform"})],
    },
    prefer_skip_nested_validation=True,
)
def density_test(
    x, *, cutoff=0.0, bandwidth="rot", bwselect="comb", p=2, kernel="triangular"
):
    """Test for a discontinuity of the running variable's density at the cutoff.

    Units that can sort around the cutoff (manipulate their score) leave a
    jump in the density of ``x`` there; a regression discontinuity is not
    credible then. The density on each side is the slope at the cutoff of a
    one-sided local polynomial fit of the empirical distribution function
    (Cattaneo, Jansson and Ma, 2020), at order ``p + 1`` with a bandwidth of
    MSE-optimal order for ``p`` (robust bias correction, as ``rddensity``
    does); the statistic is the difference divided by its jackknife standard
    error, two-sided normal p-value. With ties (mass points) every tied unit
    gets the distribution function at its value.

    Parameters
    ----------
    x : array-like of shape (n_units,)
        Running variable, one value per unit.
    cutoff : float, default=0.0
        Threshold.
    bandwidth : "rot", "auto", float or (float, float), default="rot"
        ``"rot"``: a normal-reference rule of thumb for the MSE of the
        order-``p`` density estimator, the same on both sides. ``"auto"``:
        rddensity's data-driven selector (``rdbwdensity``: normal-reference
        pilots, local polynomial bias and jackknife variance estimates,
        regularised to at least ``21 + p`` units and distinct values per
        side), combined as ``bwselect`` says. A number: that bandwidth on
        both sides; a pair: ``(h_below, h_above)``.
    bwselect : {"each", "diff", "sum", "comb"}, default="comb"
        With ``bandwidth="auto"``, as rddensity's ``bwselect``: ``"each"``
        the MSE-optimal bandwidth of each side's density, ``"diff"`` / ``"sum"``
        that of the difference / sum on both sides, ``"comb"`` (rddensity's
        default) the median of ``each``, ``diff`` and ``sum`` per side.
    p : int, default=2
        Order whose MSE sets the bandwidth; the fits use ``p + 1``.
    kernel : {"triangular", "epanechnikov", "uniform"}, default="triangular"
        Kernel on ``[-1, 1]``.

    Returns
    -------
    result : DensityTestResult
        ``stat, p = result``; densities, standard error, bandwidth.

    Notes
    -----
    With ``F_n(x_(i)) = (i - 1) / (n - 1)`` on the sorted units, each side
    fits ``F_n`` on ``(1, u, ..., u^{p+1})``, ``u = (x - c) / h``, with
    weights ``K(u) / h``; the density is the coefficient on ``u`` over ``h``.
    The jackknife variance uses the influence of unit ``i`` on every fitted
    value ``F_n(x_j)`` with ``x_j > x_i``, over the window on both sides, so
    the two sides' estimates are correlated as they are. At a fixed bandwidth
    the densities, standard error and p-value equal ``rddensity``'s
    (``fitselect="unrestricted"``, ``vce="jackknife"``; tests/rdd), and so
    do the bandwidths of ``bandwidth="auto"`` (``rdbwdensity``).

    References
    ----------
    M. D. Cattaneo, M. Jansson and X. Ma (2020). Simple Local Polynomial
    Density Estimators. Journal of the American Statistical Association
    115(531), 1449-1455.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.rdd import density_test
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=2000)
    >>> res = density_test(x, cutoff=0.2)
    >>> round(res.pvalue, 2), round(res.density_below, 2)  # N(0,1) at 0.2: 0.39
    (0.96, 0.38)
    >>> # half the units just below the cutoff sort above it
    >>> moved = (x > -0.3) & (x < 0.2) & (rng.uniform(size=x.size) < 0.5)
    >>> x2 = np.where(moved, 0.2 + 0.3 * rng.uniform(size=x.size), x)
    >>> bool(density_test(x2, cutoff=0.2).pvalue < 1e-6)
    True
    >>> # rddensity's data-driven bandwidths (one per side with "each")
    >>> res = density_test(x, cutoff=0.2, bandwidth="auto", bwselect="each")
    >>> round(res.bandwidth_below, 2), round(res.bandwidth_above, 2)
    (0.64, 0.43)
    """
    x = check_1d(x, name="x", min_samples=2)
    c = float(cutoff)
    if not np.isfinite(c):
        raise ValueError(f"cutoff must be finite; got {cutoff!r}.")
    if not (np.any(x < c) and np.any(x >= c)):
        raise ValueError(
            f"x must have units on both sides of the cutoff {c:g} (below and at "
            "or above)."
        )
    q = int(p) + 1
    xs = np.sort(x) - c
    n = xs.size
    # F_n at each sorted unit; tied units share the value of the last of them
    F = (np.searchsorted(xs, xs, side="right") - 1) / (n - 1)
    hl, hr = _choose_bandwidth(bandwidth, bwselect, xs, F, c, x, int(p), kernel)
    for name, side, h in (("below", xs < 0, hl), ("at or above", xs >= 0, hr)):
        pts = xs[side & (xs >= -hl) & (xs <= hr)]
        if pts.size < q + 2 or np.unique(pts).size < q + 1:
            raise ValueError(
                f"Too few units within the bandwidth {name} the cutoff: "
                f"{pts.size} at bandwidth={h:.4g}; the order-{q} fit needs at "
                f"least {q + 2} (with {q + 1} distinct values). Use a larger "
                "bandwidth or a lower p."
            )
    b_below, b_above, V, n_below, n_above = _fit_sides(xs, F, n, hl, hr, q, kernel)
    i0, i1 = 1, q + 2  # slope coefficients of each side
    f_below, f_above = b_below[1], b_above[1]
    var = V[i0, i0] + V[i1, i1] - 2 * V[i0, i1]
    se = float(np.sqrt(max(var, 0.0)))
    diff = f_above - f_below
    if se > 0:
        stat = float(diff / se)
    else:
        stat = 0.0 if diff == 0 else float(np.sign(diff) * np.inf)
    pval = float(2 * norm.sf(abs(stat)))
    return DensityTestResult(
        stat,
        pval,
        density_below=float(f_below),
        density_above=float(f_above),
        std_error=se,
        bandwidth=hl if hl == hr else np.nan,
        n_below=n_below,
        n_above=n_above,
        order=q,
        bandwidth_below=hl,
        bandwidth_above=hr,
    )
