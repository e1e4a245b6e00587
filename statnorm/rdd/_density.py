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
        Bandwidth on each side of the cutoff.
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
            ("bandwidth", self.bandwidth),
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


@validate_params(
    {
        "x": ["array-like"],
        "cutoff": [Real],
        "bandwidth": [StrOptions({"rot"}), Interval(Real, 0, None, closed="neither")],
        "p": [Interval(Integral, 1, 6, closed="both")],
        "kernel": [StrOptions({"triangular", "epanechnikov", "uniform"})],
    },
    prefer_skip_nested_validation=True,
)
def density_test(x, *, cutoff=0.0, bandwidth="rot", p=2, kernel="triangular"):
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
    bandwidth : "rot" or float, default="rot"
        Bandwidth on each side. ``"rot"``: a normal-reference rule of thumb
        for the MSE of the order-``p`` density estimator (not rddensity's
        data-driven selector; pass a number to match a bandwidth of choice).
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
    (``fitselect="unrestricted"``, ``vce="jackknife"``; tests/rdd).

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
    h = (
        _rule_of_thumb(x, c, int(p), kernel)
        if isinstance(bandwidth, str)
        else bandwidth
    )
    h = float(h)
    xs = np.sort(x) - c
    n = xs.size
    # F_n at each sorted unit; tied units share the value of the last of them
    F = (np.searchsorted(xs, xs, side="right") - 1) / (n - 1)
    win = (xs >= -h) & (xs <= h)
    xw, Fw = xs[win], F[win]
    below = xw < 0
    n_below, n_above = int(below.sum()), int((~below).sum())
    for count, name in ((n_below, "below"), (n_above, "at or above")):
        if (
            count < q + 2
            or np.unique(xw[below if name == "below" else ~below]).size < q + 1
        ):
            raise ValueError(
                f"Too few units within the bandwidth {name} the cutoff: {count} "
                f"at h={h:.4g}; the order-{q} fit needs at least {q + 2} (with "
                f"{q + 1} distinct values). Use a larger bandwidth or a lower p."
            )
    u = xw / h
    K = KERNELS[kernel](u) / h
    R = u[:, None] ** np.arange(q + 1)[None, :]
    m = xw.size
    X = np.zeros((m, 2 * (q + 1)))
    X[below, : q + 1] = R[below]
    X[~below, q + 1 :] = R[~below]
    XW = X * K[:, None]
    Sinv = np.linalg.inv(XW.T @ X)
    b = Sinv @ (XW.T @ Fw)
    # influence of unit i on the fit: sum over later units j of K_j x_j / (n-1)
    tail = np.cumsum(XW[::-1], axis=0)[::-1]
    L = np.vstack([tail[1:], np.zeros((1, X.shape[1]))]) / (n - 1)
    if np.unique(xw).size < m:
        # ties: a unit's influence covers its tied partners too (every unit
        # after the first of the tie), as for the tied units' shared F_n
        L = L[np.searchsorted(xw, xw, side="left")]
    V = Sinv @ (L.T @ L) @ Sinv
    i0, i1 = 1, q + 2  # slope coefficients of each side
    f_below, f_above = b[i0] / h, b[i1] / h
    var = (V[i0, i0] + V[i1, i1] - 2 * V[i0, i1]) / h**2
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
        bandwidth=h,
        n_below=n_below,
        n_above=n_above,
        order=q,
    )
