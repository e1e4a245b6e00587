"""DistributionalRDD: regression discontinuity with distribution-valued outcomes."""

import logging
import warnings
from dataclasses import dataclass
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import metadata_routing
from sklearn.utils.validation import check_is_fitted

from .._optim import loop_progress
from .._parallel import is_dask_array
from .._validation import (
    RANDOM_STATE,
    Interval,
    StrOptions,
    check_1d,
    check_2d,
    check_confidence_level,
    fit_context,
)
from ..exceptions import StatnormWarning
from ..results import Result, SummaryTable, TestResult
from ._bootstrap import multiplier_draws
from ._locpoly import local_poly, select_bandwidth, side_mask
from ._quantiles import _check_q_grid, _gini, quantile_matrix

__all__ = ["DistributionalRDD", "RDDResult", "UniformTestResult"]

_DEFAULT_Q = np.arange(1, 100) / 100

_logger = logging.getLogger("statnorm.rdd")


@dataclass(frozen=True, repr=False)
class RDDResult(Result):
    """Estimates of a fitted :class:`DistributionalRDD`.

    Attributes
    ----------
    q_grid, tau, band_lower, band_upper : ndarray of shape (n_q,)
        Quantile levels, the effect and its uniform confidence band (NaN when
        no bootstrap was run).
    intercept_plus, intercept_minus : ndarray of shape (n_q,)
        Monotonised boundary quantile functions above and below the cutoff.
    critical_value : float
        Bootstrap critical value of ``sup_q |nu(q)|`` (the band half-width).
    bandwidth : ndarray of shape (n_q,)
        Outcome bandwidth per quantile level.
    bandwidth_treatment, denominator : float or None
        First-stage bandwidth and jump in treatment probability (fuzzy only).
    confidence_level : float
        Level of the band.
    n_bootstrap : int
        Number of multiplier draws.
    std_error : ndarray of shape (n_q,)
        Plug-in (sandwich) standard error of the effect per level: the exact
        standard deviation of the multiplier process given the data
        (heteroskedasticity-robust, or cluster-robust with clusters).
    bootstrap_std_error : ndarray of shape (n_q,)
        Standard deviation of the bootstrap draws per level (NaN without
        bootstrap); estimates ``std_error`` with relative error about
        ``1 / sqrt(2 n_bootstrap)``.
    pointwise_lower, pointwise_upper : ndarray of shape (n_q,)
        Pointwise confidence intervals per level: ``tau(q) +- c(q)`` with
        ``c(q)`` the same bootstrap order statistic as the band, taken of
        ``|nu_b(q)|`` level by level (NaN without bootstrap).
    n_clusters : int or None
        Number of clusters of the cluster bootstrap (None: per unit).
    """

    q_grid: np.ndarray
    tau: np.ndarray
    band_lower: np.ndarray
    band_upper: np.ndarray
    intercept_plus: np.ndarray
    intercept_minus: np.ndarray
    critical_value: float
    bandwidth: np.ndarray
    bandwidth_treatment: float | None
    denominator: float | None
    confidence_level: float
    n_bootstrap: int
    std_error: np.ndarray = None
    bootstrap_std_error: np.ndarray = None
    pointwise_lower: np.ndarray = None
    pointwise_upper: np.ndarray = None
    n_clusters: int | None = None

    def to_frame(self):
        """One row per quantile level: effect, errors, intervals, quantiles, h.

        Returns
        -------
        frame : pandas.DataFrame
        """
        import pandas as pd

        return pd.DataFrame(
            {
                "q": self.q_grid,
                "tau": self.tau,
                "std_error": self.std_error,
                "pointwise_lower": self.pointwise_lower,
                "pointwise_upper": self.pointwise_upper,
                "band_lower": self.band_lower,
                "band_upper": self.band_upper,
                "intercept_plus": self.intercept_plus,
                "intercept_minus": self.intercept_minus,
                "bandwidth": self.bandwidth,
            }
        )

    def summary(self, *, max_rows=None):
        """The per-level estimates as a :class:`~statnorm.results.SummaryTable`.

        Parameters
        ----------
        max_rows : int or None, default=None
            Show at most this many quantile levels, evenly spaced (None: all).

        Returns
        -------
        table : SummaryTable
        """
        n = self.q_grid.size
        k = n if max_rows is None else max(1, min(max_rows, n))
        idx = np.unique(np.linspace(0, n - 1, k).round().astype(int))
        rows = tuple(
            (
                float(self.q_grid[i]),
                float(self.tau[i]),
                float(self.std_error[i]),
                float(self.pointwise_lower[i]),
                float(self.pointwise_upper[i]),
                float(self.band_lower[i]),
                float(self.band_upper[i]),
            )
            for i in idx
        )
        return SummaryTable(
            "Distributional RDD effect",
            ("q", "tau", "std err", "lower", "upper", "band lower", "band upper"),
            rows,
            (
                f"lower/upper: pointwise {self.confidence_level:.0%} intervals",
                f"band: uniform {self.confidence_level:.0%} band",
            ),
        )

    def confidence_interval(self, confidence_level=None, *, kind="uniform"):
        """Confidence intervals ``(lower, upper)`` over the quantile grid.

        Parameters
        ----------
        confidence_level : float or None, default=None
            For ``kind="uniform"`` and ``"pointwise"`` (bootstrap, computed at
            fit time): None or the fitted level. For ``kind="normal"``: any
            level in (0, 1) (None: the fitted level).
        kind : {"uniform", "pointwise", "normal"}, default="uniform"
            ``"uniform"``: the band covering all levels jointly;
            ``"pointwise"``: bootstrap intervals level by level;
            ``"normal"``: ``tau +- z std_error`` level by level.

        Returns
        -------
        lower, upper : ndarray of shape (n_q,)
        """
        if kind not in ("uniform", "pointwise", "normal"):
            raise ValueError(
                f"kind must be 'uniform', 'pointwise' or 'normal'; got {kind!r}."
            )
        if kind == "normal":
            from scipy.stats import norm

            level = check_confidence_level(
                self.confidence_level if confidence_level is None else confidence_level
            )
            z = norm.ppf(0.5 + level / 2)
            return self.tau - z * self.std_error, self.tau + z * self.std_error
        if confidence_level is not None and not np.isclose(
            confidence_level, self.confidence_level
        ):
            raise ValueError(
                f"confidence_level={confidence_level!r}: the band was computed at "
                f"{self.confidence_level}; refit with that confidence_level."
            )
        if kind == "pointwise":
            return self.pointwise_lower, self.pointwise_upper
        return self.band_lower, self.band_upper


@dataclass(frozen=True, repr=False)
class UniformTestResult(TestResult):
    """Result of a bootstrap test over a range of quantile levels.

    ``stat, p = result`` unpacks the statistic and the p-value.

    Attributes
    ----------
    statistic, pvalue : float
        Test statistic and bootstrap p-value.
    critical_value : float
        Bootstrap critical value at level ``1 - confidence_level``.
    q_range : tuple of float
        Range of quantile levels tested.
    null_distribution : ndarray of shape (n_bootstrap,)
        Bootstrap draws of the statistic under the null.
    estimate : float or None
        For the Gini test, the estimated Gini difference (above - below).
    """

    critical_value: float = np.nan
    q_range: tuple = ()
    null_distribution: np.ndarray = None
    estimate: float | None = None


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
    if how == "none":
        return y.copy()
    if how == "sort":
        return np.sort(y)
    if how == "rearrangement":
        return _rearrangement(q, y)
    from ._kernels import pava_rows

    return pava_rows(np.ascontiguousarray(y[None, :]))[0]


def _check_clusters(clusters, n):
    """Integer cluster codes (0..G-1) and G, or (None, None) without clusters."""
    if clusters is None:
        return None, None
    if isinstance(clusters, str | bytes):
        raise TypeError("clusters must be an array of cluster labels, one per unit.")
    c = np.asarray(clusters)
    if c.ndim != 1:
        raise ValueError(
            f"clusters must be 1-D (one label per unit); got shape {c.shape}."
        )
    if c.shape[0] != n:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"x has {n}, clusters has {c.shape[0]}."
        )
    if c.dtype.kind == "c":
        raise TypeError("clusters must hold labels (integers or strings), not complex.")
    if c.dtype.kind == "f" and not np.all(np.isfinite(c)):
        raise ValueError("clusters contains NaN or infinity.")
    if c.dtype.kind == "O" and any(v is None for v in c):
        raise ValueError("clusters contains None.")
    try:
        _, codes = np.unique(c, return_inverse=True)
    except TypeError as exc:
        raise TypeError(f"clusters must hold sortable labels: {exc}") from None
    g = int(codes.max()) + 1 if codes.size else 0
    if g < 2:
        raise ValueError(
            "clusters must hold at least 2 distinct clusters; got "
            f"{g}. Omit clusters for one multiplier per unit."
        )
    return codes.astype(np.intp), g


def _check_covariates(covariates, n):
    """Covariates as an (n, k) float array centred at their means, or None."""
    if covariates is None:
        return None
    Z = covariates
    if not isinstance(Z, str | bytes) and np.ndim(Z) == 1:
        Z = np.asarray(Z)[:, None]
    Z = check_2d(Z, name="covariates")
    if Z.shape[0] != n:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"x has {n}, covariates has {Z.shape[0]}."
        )
    Z = Z - Z.mean(axis=0)
    spread = np.max(np.abs(Z), axis=0)
    if np.any(spread == 0):
        j = int(np.flatnonzero(spread == 0)[0])
        raise ValueError(
            f"covariates column {j} is constant; drop it (the local fits already "
            "have intercepts)."
        )
    return Z


def _covariate_coefs(xc, Y, Z, h, p, kernel):
    """Common-slope covariate coefficients, one column per column of ``Y``.

    For each bandwidth, the kernel-weighted regression of ``Y`` on
    side-specific polynomials and ``Z`` (slopes common to both sides); by
    Frisch-Waugh-Lovell, ``gamma = (sum K Zt Zt')^{-1} sum K Zt Yt`` with
    ``Zt``, ``Yt`` the residuals of the one-sided local polynomial fits.
    """
    from ._locpoly import KERNELS

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


def _aggregate(codes, values):
    """Sum the rows of ``values`` by ``codes``: ``(unique codes, sums)``."""
    from scipy import sparse

    u, inv = np.unique(codes, return_inverse=True)
    S = sparse.csr_matrix(
        (np.ones(codes.size), (inv, np.arange(codes.size))), shape=(u.size, codes.size)
    )
    return u, np.asarray(S @ values)


def _plugin_std(blocks, tblocks, n_used, num, denom):
    """Standard deviation of the multiplier process given the data, per level.

    ``nu(q) = sum_g xi_g a_g(q)`` with ``a = a+ - a-`` (fuzzy: the delta
    method ``(D a - N aT) / D^2``) over multiplier units ``g`` (units or
    clusters), so ``Var(nu(q) | data) = sum_g a_g(q)^2``: the plug-in
    (HC0 / cluster-robust) sandwich variance of the local polynomial effect.
    Computed on rescaled columns, so outcomes near 1e200 do not overflow.
    """
    pp, P = blocks["+"]
    pm, M = blocks["-"]
    scale = np.maximum(
        np.max(np.abs(P), axis=0, initial=0.0), np.max(np.abs(M), axis=0, initial=0.0)
    )
    if num is not None:
        scale = np.maximum(scale, np.abs(num))
    scale = np.where(scale > 0, scale, 1.0)
    P, M = P / scale, M / scale
    ss = np.sum(P * P, axis=0) + np.sum(M * M, axis=0)
    _, ip, im = np.intersect1d(pp, pm, assume_unique=True, return_indices=True)
    if ip.size:
        ss = ss - 2.0 * np.sum(P[ip] * M[im], axis=0)
    if tblocks is None:
        return np.sqrt(np.maximum(ss, 0.0)) * scale
    t = np.zeros(n_used)
    for side, sign in (("+", 1.0), ("-", -1.0)):
        i, v = tblocks[side]
        np.add.at(t, i, sign * v)
    nm = num / scale
    cross = t[pp] @ P - t[pm] @ M
    var = (denom**2 * ss - 2.0 * denom * nm * cross + nm**2 * (t @ t)) / denom**4
    return np.sqrt(np.maximum(var, 0.0)) * scale


# Multipliers per chunk of bootstrap draws (chunk rows x used units).


class DistributionalRDD(BaseEstimator):
    """Regression discontinuity with distribution-valued outcomes (R3D).

    Each unit ``i`` has a running variable ``x_i`` and a whole sample of
    outcomes (wages in a firm, incomes in a state). The estimand is the jump
    at the cutoff ``c`` of the *average unit quantile function* (a
    Wasserstein-2 barycenter),

    .. math::
        \\tau(q) = \\lim_{x \\downarrow c} E[Q_{Y_i}(q) | X = x]
                 - \\lim_{x \\uparrow c} E[Q_{Y_i}(q) | X = x],

    divided by the jump in ``E[T | X]`` in fuzzy designs (Van Dijcke, 2025).
    Units with ``x >= cutoff`` are on the treated side.

    Parameters
    ----------
    cutoff : float, default=0.0
        Threshold of the running variable.
    method : {"simple", "frechet"}, default="simple"
        ``"simple"``: local polynomial per quantile level with an MSE-optimal
        bandwidth per level; ``"frechet"``: local Frechet (Wasserstein)
        regression, i.e. one IMSE-optimal bandwidth and an isotonic (L2)
        projection of the boundary curve onto quantile functions.
    p : int, default=2
        Order of the local polynomial.
    pilot_order : int, default=1
        Order ``s`` of the pilot fits of the bandwidth rule (R's ``s``); the
        selected bandwidth shrinks at the rate ``n^{-1/(2s+3)}``.
    kernel : {"triangular", "epanechnikov", "uniform"}, default="triangular"
        Kernel on ``[-1, 1]``. Note: R's ``r3d()`` defaults to
        ``"epanechnikov"`` (its help page says triangular).
    q_grid : array-like of shape (n_q,), default=None
        Quantile levels in (0, 1); ``None`` means 0.01, 0.02, ..., 0.99.
    bandwidth : "mse", float or array-like of shape (n_q,), default="mse"
        Outcome bandwidth: the data-driven R3D rule, or fixed value(s).
    bandwidth_treatment : "mse" or float, default="mse"
        First-stage bandwidth (fuzzy designs only).
    fuzzy : bool, default=False
        Fuzzy design: ``fit`` then needs ``treatment``.
    n_bootstrap : int, default=200
        Number of multiplier bootstrap draws (one N(0, 1) multiplier per unit
        and draw); 0 skips the band and the tests.
    confidence_level : float, default=0.95
        Level of the uniform band; tests use ``1 - confidence_level``.
    monotonize : {"auto", "sort", "isotonic", "rearrangement", "none"}, default="auto"
        How the boundary curves are made non-decreasing in ``q``. ``"auto"``:
        isotonic (PAVA) for ``"frechet"`` and a plain sort for ``"simple"``
        (``"rearrangement"`` under ``r3d_compat``).
    pilot_kernel : str or None, default=None
        Kernel of the local pilot fits of the bandwidth rule; ``None`` means
        ``kernel`` (``"triangular"`` under ``r3d_compat``, which is what R's
        ``r3d()`` actually uses whatever ``kernel_fun`` is).
    coverage_correction : bool, default=False
        Shrink the selected bandwidths by ``n^{-s/((2s+3)(s+3))}`` (the
        coverage-error rule of thumb; R's ``coverage=TRUE``).
    r3d_compat : bool, default=False
        Reproduce the R package R3D 0.1.x number for number, quirks included
        (see Notes).
    n_jobs : int or None, default=None
        Threads for the BLAS products (bootstrap, pilot fits); ``None`` means
        1, -1 all cores. With ``n_jobs`` other than 1, the chunks of bootstrap
        draws run as joblib tasks (threads, or a Dask cluster under
        ``joblib.parallel_backend("dask")``). Results do not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds the multipliers; draw ``b`` uses its own seed from
        :func:`statnorm._validation.spawn_seeds`, so results do not depend on
        how draws are chunked.
    verbose : int, default=0
        Print the progress of the bootstrap draws (about every 10 %); the
        chosen bandwidths are logged to ``logging.getLogger("statnorm.rdd")``.

    Attributes
    ----------
    tau_ : ndarray of shape (n_q,)
        Estimated effect at each quantile level.
    band_lower_, band_upper_ : ndarray of shape (n_q,)
        Uniform confidence band (NaN when ``n_bootstrap == 0``).
    bandwidth_ : ndarray of shape (n_q,)
        Outcome bandwidth per quantile level.
    bandwidth_treatment_ : float or None
        First-stage bandwidth (fuzzy).
    intercept_plus_, intercept_minus_ : ndarray of shape (n_q,)
        Monotonised boundary quantile functions above / below the cutoff.
    coef_plus_, coef_minus_ : ndarray of shape (p + 1, n_q)
        Local polynomial coefficients on ``(1, u, ..., u^p)``, ``u = (x-c)/h``.
    denominator_ : float or None
        Estimated jump in treatment probability (fuzzy).
    critical_value_ : float
        Half-width of the uniform band.
    std_error_ : ndarray of shape (n_q,)
        Plug-in (sandwich) standard error of the effect per level: the
        standard deviation of the multiplier process given the data,
        ``sqrt(sum_i a_i(q)^2)`` with ``a_i(q) = e_i(q) (w_i^+(q) -
        w_i^-(q))`` (sums over clusters with ``clusters``). For a scalar
        outcome it is the conventional HC0 standard error of the local
        polynomial jump (rdrobust's ``vce="hc0"``). Computed even when
        ``n_bootstrap == 0``.
    bootstrap_std_error_ : ndarray of shape (n_q,)
        Standard deviation of the bootstrap draws per level.
    pointwise_lower_, pointwise_upper_ : ndarray of shape (n_q,)
        Pointwise bootstrap confidence intervals ``tau(q) +- c(q)``, ``c(q)``
        the ``ceil(level (B+1))``-th smallest ``|nu_b(q)|`` (the band's rule,
        level by level). NaN when ``n_bootstrap == 0``.
    n_clusters_ : int or None
        Number of clusters (None without ``clusters``).
    n_covariates_ : int
        Number of covariates (0 without ``covariates``).
    covariate_coef_ : ndarray of shape (n_covariates, n_q) or None
        Covariate coefficients per quantile level, common to both sides.
    covariate_coef_treatment_ : ndarray of shape (n_covariates,) or None
        Covariate coefficients of the first stage (fuzzy).
    bootstrap_draws_ : ndarray of shape (n_bootstrap, n_q)
        Multiplier-bootstrap draws of the effect process ``nu_b(q)``.
    q_grid_ : ndarray of shape (n_q,)
        Quantile levels used.
    n_units_ : int
        Number of units.
    result_ : RDDResult
        All estimates in one frozen dataclass.

    Notes
    -----
    Algorithm (R package ``R3D``): unit quantile matrix (type 7); one-sided
    weighted least squares of ``Q_i(q)`` on ``(1, u, ..., u^p)`` with kernel
    weights; monotonisation; the multiplier bootstrap
    ``nu_b(q) = sum_i xi_ib e_i(q) (w_i^+(q) - w_i^-(q))`` with residuals
    ``e_i`` and intercept weights ``w_i``; the band is ``tau +- c`` with
    ``c`` the ``ceil((1-alpha)(B+1))``-th smallest ``sup_q |nu_b(q)|``.

    Differences from R3D 0.1.x, all switched back by ``r3d_compat=True``:

    1. Pilot local fits of the bandwidth rule use ``kernel`` (R: always
       triangular inside ``r3d()``).
    2. Bootstrap residuals are kept for every unit with positive kernel
       weight (R: only units whose intercept weight is positive, so units
       with negative local-quadratic weights drop out of the bootstrap and
       the band is too narrow).
    3. The fuzzy bootstrap denominator uses the first-stage fit's own
       weights and residuals at ``bandwidth_treatment`` (R: the outcome
       weights at the first quantile level).
    4. The Gini test is centred at the estimate (R: not centred, so its
       p-value is not calibrated).
    5. ``monotonize="auto"`` sorts for ``"simple"`` (R: rearrangement on a
       1001-point grid, which moves already monotone curves by ~1e-3).
    6. Bandwidth selection uses the within-unit weighted quantiles (R: the
       unweighted ones).
    7. Test p-values are ``(1 + #{T_b >= T}) / (B + 1)`` (R: ``mean(T_b >=
       T)``, which can be 0).
    8. The data-driven bandwidth rule runs in standard units: on
       ``x / sd(x)`` and ``Q / sd(Q)``, scaled back by ``sd(x)``. R's rule is
       not equivariant to the units of the data (its stage-2 bias term, the
       coefficient on ``u^s`` of an order-``s`` fit, does not scale like the
       derivative the MSE formula needs, so ``h / scale`` moves with the
       scale: at ``x * 100`` R's ``h / 100`` is about ``100^(-4/5)`` times
       the ``h`` at ``x``; and its zero-bias cut-offs (1e-14) and variance
       floor are absolute, so outcomes near 1e-9 or 1e200 change the answer).
       Here ``tau(a x + b; cutoff a c + b) = tau(x; c)`` and ``tau(k samples)
       = k tau(samples)`` to rounding, bandwidths scale with ``a``, and bands
       and p-values do not change (tests/rdd/test_properties.py). On data
       with ``sd(x) = 1`` the rule is R's. Where the rule is undefined (zero
       estimated bias) the rule of thumb ``1.06 sd(x) n^(-1/(2s+1))`` is used,
       as in R, but with a ``StatnormWarning`` and recorded in
       ``bandwidth_fallback_``.

    Kept from R (documented, not changed): the bandwidth rule's bias term is
    the coefficient on ``u^s`` of an order-``s`` pilot fit divided by
    ``(s+1)!`` (evaluated in standard units, see 8), and the rate uses ``s``
    not ``p`` (local quadratic fit at the
    local-linear MSE rate); the band is unstudentised (constant width).

    To match ``r3d()`` defaults use ``kernel="epanechnikov",
    r3d_compat=True`` and ``confidence_level=1 - alpha``.

    Beyond R3D: ``std_error_`` and the pointwise intervals; ``clusters``
    (one multiplier per cluster); ``covariates``: at each quantile level the
    kernel-weighted regression of ``Q_i(q)`` on side-specific polynomials and
    the (centred) covariates ``Z_i`` with a slope ``gamma(q)`` common to both
    sides, as rdrobust does for a scalar outcome (Calonico et al., 2019);
    the effect is ``tau(q) = tau_Q(q) - tau_Z' gamma(q)``, the boundary
    curves are those of a unit with average covariates, and the variance
    treats ``gamma`` as known (its error is of smaller order when the
    covariates do not jump). Assumed: covariates are pre-determined, i.e.
    their conditional mean is continuous at the cutoff; then the estimand is
    unchanged and a predictive covariate narrows the intervals. Bandwidths
    are selected on the unadjusted quantiles (pass ``bandwidth=`` to choose).

    References
    ----------
    D. Van Dijcke (2025). Regression Discontinuity Design with
    Distribution-Valued Outcomes. arXiv:2504.03992.

    S. Calonico, M. D. Cattaneo, M. H. Farrell and R. Titiunik (2019).
    Regression Discontinuity Designs Using Covariates. Review of Economics
    and Statistics 101(3), 442-451.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.rdd import DistributionalRDD
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(-1, 1, 300)
    >>> samples = rng.normal(5 + 5 * x + 2 * (x >= 0), 1.0, size=(50, 300)).T
    >>> est = DistributionalRDD(q_grid=[0.25, 0.5, 0.75], random_state=0)
    >>> est = est.fit(x, samples)
    >>> np.round(est.tau_, 1)
    array([1.9, 1.9, 2.1])
    >>> est.band_upper_ - est.band_lower_  # uniform band: constant width
    array([0.342..., 0.342..., 0.342...])
    """

    # fit's arguments are data, not routable metadata: no set_fit_request.
    __metadata_request__fit: ClassVar[dict] = dict.fromkeys(
        ("x", "samples", "treatment", "weights", "xi", "clusters", "covariates"),
        metadata_routing.UNUSED,
    )

    _parameter_constraints: ClassVar[dict] = {
        "cutoff": [Real],
        "method": [StrOptions({"simple", "frechet"})],
        "p": [Interval(Integral, 0, 8, closed="both")],
        "pilot_order": [Interval(Integral, 1, 6, closed="both")],
        "kernel": [StrOptions({"triangular", "epanechnikov", "uniform"})],
        "q_grid": ["array-like", None],
        "bandwidth": [
            StrOptions({"mse"}),
            Interval(Real, 0, None, closed="neither"),
            "array-like",
        ],
        "bandwidth_treatment": [
            StrOptions({"mse"}),
            Interval(Real, 0, None, closed="neither"),
        ],
        "fuzzy": ["boolean"],
        "n_bootstrap": [Interval(Integral, 0, None, closed="left")],
        "confidence_level": [Interval(Real, 0, 1, closed="neither")],
        "monotonize": [
            StrOptions({"auto", "sort", "isotonic", "rearrangement", "none"})
        ],
        "pilot_kernel": [StrOptions({"triangular", "epanechnikov", "uniform"}), None],
        "coverage_correction": ["boolean"],
        "r3d_compat": ["boolean"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "random_state": RANDOM_STATE,
    }

    def __init__(
        self,
        cutoff=0.0,
        *,
        method="simple",
        p=2,
        pilot_order=1,
        kernel="triangular",
        q_grid=None,
        bandwidth="mse",
        bandwidth_treatment="mse",
        fuzzy=False,
        n_bootstrap=200,
        confidence_level=0.95,
        monotonize="auto",
        pilot_kernel=None,
        coverage_correction=False,
        r3d_compat=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.cutoff = cutoff
        self.method = method
        self.p = p
        self.pilot_order = pilot_order
        self.kernel = kernel
        self.q_grid = q_grid
        self.bandwidth = bandwidth
        self.bandwidth_treatment = bandwidth_treatment
        self.fuzzy = fuzzy
        self.n_bootstrap = n_bootstrap
        self.confidence_level = confidence_level
        self.monotonize = monotonize
        self.pilot_kernel = pilot_kernel
        self.coverage_correction = coverage_correction
        self.r3d_compat = r3d_compat
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    def _q(self):
        return _check_q_grid(_DEFAULT_Q if self.q_grid is None else self.q_grid)

    @fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        x,
        samples,
        treatment=None,
        weights=None,
        xi=None,
        clusters=None,
        covariates=None,
    ):
        """Estimate the distributional effect at the cutoff.

        Parameters
        ----------
        x : array-like of shape (n_units,)
            Running variable of each unit.
        samples : list of array-like, ndarray or dask.array.Array of shape (n_units, m)
            Outcome draws of each unit (at least 2 each). Long-format data:
            see :func:`statnorm.rdd.long_to_samples`. A Dask array's unit
            quantiles are computed block by block on the cluster.
        treatment : array-like of shape (n_units,), optional
            Treatment take-up (fuzzy designs; required when ``fuzzy=True``).
        weights : list of array-like, optional
            Within-unit draw weights (weighted quantiles per unit).
        xi : array-like of shape (n_units, B), optional
            Fixed bootstrap multipliers (overrides ``n_bootstrap`` and
            ``random_state``), for deterministic comparisons; with
            ``clusters``, one row per cluster (clusters in sorted order).
        clusters : array-like of shape (n_units,), optional
            Cluster label of each unit (regions, markets). The bootstrap then
            draws one multiplier per cluster (wild cluster multiplier
            bootstrap) and the standard errors are cluster-robust, for units
            whose outcomes are correlated within clusters. ``None``: one
            multiplier per unit.
        covariates : array-like of shape (n_units,) or (n_units, k), optional
            Pre-determined unit covariates (measured before treatment, with no
            jump at the cutoff). They enter every local fit linearly with
            coefficients common to both sides (Calonico, Cattaneo, Farrell and
            Titiunik, 2019), one coefficient vector per quantile level; this
            keeps the estimand and can shrink the standard errors. See Notes.

        Returns
        -------
        self : DistributionalRDD
            Fitted estimator.
        """
        q = self._q()
        x = check_1d(x, name="x")
        Q = quantile_matrix(samples, q, weights)
        if is_dask_array(Q):
            # the (n_units, n_q) quantile matrix is small: bring it home
            Q = np.asarray(Q.compute(), dtype=np.float64)
        if Q.shape[0] != x.shape[0]:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"x has {x.shape[0]}, samples has {Q.shape[0]} units."
            )
        Q_bw = Q
        if weights is not None and self.r3d_compat:
            Q_bw = quantile_matrix(samples, q)
        return self._fit_core(x, Q, q, treatment, xi, Q_bw, clusters, covariates)

    @fit_context(prefer_skip_nested_validation=True)
    def fit_quantiles(
        self, x, quantiles, treatment=None, xi=None, clusters=None, covariates=None
    ):
        """Estimate from a precomputed matrix of unit quantiles.

        Useful when only unit-level quantiles are available (published
        percentiles per region) or to compare with another implementation
        on the same quantile matrix.

        Parameters
        ----------
        x : array-like of shape (n_units,)
            Running variable.
        quantiles : array-like of shape (n_units, n_q)
            ``quantiles[i, j]`` is unit ``i``'s quantile at ``q_grid[j]``.
        treatment : array-like of shape (n_units,), optional
            Treatment take-up (fuzzy designs).
        xi : array-like of shape (n_units, B), optional
            Fixed bootstrap multipliers (one row per cluster with ``clusters``).
        clusters : array-like of shape (n_units,), optional
            Cluster label of each unit (see :meth:`fit`).
        covariates : array-like of shape (n_units,) or (n_units, k), optional
            Pre-determined unit covariates (see :meth:`fit`).

        Returns
        -------
        self : DistributionalRDD
            Fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from statnorm.rdd import DistributionalRDD
        >>> x = np.linspace(-1, 1, 101)
        >>> Q = np.column_stack([x + (x >= 0), 2 * x + 3 * (x >= 0)])
        >>> est = DistributionalRDD(q_grid=[0.3, 0.6], bandwidth=0.5, n_bootstrap=0)
        >>> np.round(est.fit_quantiles(x, Q).tau_, 10)
        array([1., 3.])
        """
        q = self._q()
        x = check_1d(x, name="x")
        Q = check_2d(quantiles, name="quantiles")
        if Q.shape[1] != q.size:
            raise ValueError(
                f"quantiles has {Q.shape[1]} columns but q_grid has {q.size} levels."
            )
        if Q.shape[0] != x.shape[0]:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"x has {x.shape[0]}, quantiles has {Q.shape[0]}."
            )
        return self._fit_core(x, Q, q, treatment, xi, Q, clusters, covariates)

    def _fit_core(self, x, Q, q, treatment, xi, Q_bw, clusters=None, covariates=None):
        from .._numba import effective_n_threads
        from .._threads import blas_threads

        with blas_threads(effective_n_threads(self.n_jobs)):
            return self._fit_core_inner(
                x, Q, q, treatment, xi, Q_bw, clusters, covariates
            )

    def _fit_core_inner(self, x, Q, q, treatment, xi, Q_bw, clusters, covariates):
        """Orchestration: checks, bandwidths, side fits, effect, bootstrap."""
        level = check_confidence_level(self.confidence_level)
        xc, T = self._check_design(x, Q.shape[0], treatment)
        codes, self.n_clusters_ = _check_clusters(clusters, Q.shape[0])
        Z = _check_covariates(covariates, Q.shape[0])
        h, hT = self._bandwidths(xc, Q_bw, q, T)
        mono = self._monotonize_rule()
        p = int(self.p)
        self.covariate_coef_ = self.covariate_coef_treatment_ = None
        self.n_covariates_ = 0 if Z is None else Z.shape[1]
        if Z is not None:
            # common coefficients across sides; the rest runs on Q - Z gamma
            gam = _covariate_coefs(xc, Q, Z, h, p, self.kernel)
            Q = Q - Z @ gam
            self.covariate_coef_ = gam
            if self.fuzzy:
                hTs = np.array([hT])
                gT = _covariate_coefs(xc, T[:, None], Z, hTs, p, self.kernel)[:, 0]
                T = T - Z @ gT
                self.covariate_coef_treatment_ = gT
        fits = {side: local_poly(xc, Q, h, side, p, self.kernel) for side in "+-"}
        raw = {side: fits[side].alpha[0].copy() for side in "+-"}
        mon = {side: _monotonize(q, raw[side], mono) for side in "+-"}
        num = mon["+"] - mon["-"]
        tfits, denom = self._first_stage(xc, T, hT) if self.fuzzy else (None, None)
        tau = num if denom is None else num / denom

        self.q_grid_ = q
        self.n_units_ = Q.shape[0]
        self.coef_plus_ = fits["+"].alpha
        self.coef_minus_ = fits["-"].alpha
        self.raw_intercept_plus_ = raw["+"]
        self.raw_intercept_minus_ = raw["-"]
        self.intercept_plus_ = mon["+"]
        self.intercept_minus_ = mon["-"]
        self.denominator_ = denom
        self.tau_ = tau
        self.n_units_plus_ = int(fits["+"].kmask.any(axis=1).sum())
        self.n_units_minus_ = int(fits["-"].kmask.any(axis=1).sum())
        self.monotonize_ = mono

        self._codes = codes
        try:
            self._bootstrap(xc, Q, T, fits, tfits, h, hT, xi, num, denom, level)
        finally:
            del self._codes
        self.result_ = RDDResult(
            q_grid=q,
            tau=tau,
            band_lower=self.band_lower_,
            band_upper=self.band_upper_,
            intercept_plus=mon["+"],
            intercept_minus=mon["-"],
            critical_value=self.critical_value_,
            bandwidth=h,
            bandwidth_treatment=hT,
            denominator=denom,
            confidence_level=level,
            n_bootstrap=self.bootstrap_draws_.shape[0],
            std_error=self.std_error_,
            bootstrap_std_error=self.bootstrap_std_error_,
            pointwise_lower=self.pointwise_lower_,
            pointwise_upper=self.pointwise_upper_,
            n_clusters=self.n_clusters_,
        )
        return self

    def _check_design(self, x, n, treatment):
        """Centred running variable and validated treatment (fuzzy only)."""
        xc = x - float(self.cutoff)
        for side, name in (("+", "at or above"), ("-", "below")):
            if not side_mask(xc, side).any():
                raise ValueError(
                    f"No units {name} the cutoff {self.cutoff:g}; a regression "
                    "discontinuity needs units on both sides."
                )
        if not self.fuzzy:
            if treatment is not None:
                raise ValueError("treatment was given but fuzzy=False; set fuzzy=True.")
            return xc, None
        if treatment is None:
            raise ValueError("fuzzy=True requires treatment (one value per unit).")
        T = check_1d(treatment, name="treatment")
        if np.any((T < 0) | (T > 1)):
            raise ValueError(
                "treatment must hold treatment status in [0, 1] (0/1, or a "
                f"share treated); got values from {T.min():g} to {T.max():g}."
            )
        if T.shape[0] != n:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"x has {n}, treatment has {T.shape[0]}."
            )
        return xc, T

    def _monotonize_rule(self):
        mono = self.monotonize
        if mono != "auto":
            return mono
        if self.method == "frechet":
            return "isotonic"
        return "rearrangement" if self.r3d_compat else "sort"

    def _bandwidths(self, xc, Q_bw, q, T):
        """Outcome bandwidths (one per level) and the treatment bandwidth.

        Records ``bandwidth_*`` attributes; warns when the rule of thumb
        replaced an undefined MSE bandwidth.
        """
        compat = self.r3d_compat
        nq, s = q.size, int(self.pilot_order)
        details = None
        if isinstance(self.bandwidth, str) or (
            self.fuzzy and isinstance(self.bandwidth_treatment, str)
        ):
            details = select_bandwidth(
                xc,
                Q_bw,
                q,
                method=self.method,
                s=s,
                kernel=self.kernel,
                pilot_kernel=self.pilot_kernel
                or ("triangular" if compat else self.kernel),
                treatment=T,
                coverage=self.coverage_correction,
                standardize=not compat,
            )
        fallback = np.zeros(nq, dtype=bool)
        if isinstance(self.bandwidth, str):
            h = details["h"]
            fallback = details["fallback"].copy()
        else:
            h = np.asarray(self.bandwidth, dtype=np.float64)
            if h.ndim == 0:
                h = np.full(nq, float(h))
            elif h.shape != (nq,):
                raise ValueError(
                    f"bandwidth must be 'mse', a positive float or an array of "
                    f"length {nq} (one per quantile level); got shape {h.shape}."
                )
            if not np.all(np.isfinite(h)) or np.any(h <= 0):
                raise ValueError("bandwidth values must be finite and positive.")
        hT, fallback_t = None, False
        if self.fuzzy:
            if isinstance(self.bandwidth_treatment, str):
                hT = details["h_treatment"]
                fallback_t = bool(details["fallback_treatment"])
            else:
                hT = float(self.bandwidth_treatment)
        if fallback.any() or fallback_t:
            what = (
                f"{int(fallback.sum())} of {nq} quantile level(s)"
                if fallback.any()
                else "the treatment equation"
            )
            warnings.warn(
                f"DistributionalRDD: the MSE bandwidth rule is undefined for {what} "
                "(estimated bias difference of zero); the rule of thumb 1.06 sd(x) "
                f"n^(-1/{2 * s + 1}) was used there instead (recorded in "
                "bandwidth_fallback_). Pass bandwidth= explicitly to choose.",
                StatnormWarning,
                stacklevel=5,
            )
        self.bandwidth_ = h
        self.bandwidth_treatment_ = hT
        hv = np.atleast_1d(h)
        _logger.info(
            "DistributionalRDD: bandwidth %s: %.4g to %.4g over %d level(s)%s",
            self.bandwidth if isinstance(self.bandwidth, str) else "fixed",
            float(np.min(hv)),
            float(np.max(hv)),
            hv.size,
            f" (rule of thumb at {int(np.sum(fallback))})" if np.any(fallback) else "",
        )
        self.bandwidth_details_ = details
        self.bandwidth_fallback_ = fallback
        self.bandwidth_treatment_fallback_ = fallback_t
        return h, hT

    def _first_stage(self, xc, T, hT):
        """Local fits of the treatment on both sides and the jump (denominator)."""
        p = int(self.p)
        tfits = {
            side: local_poly(xc, T[:, None], hT, side, p, self.kernel) for side in "+-"
        }
        denom = float(tfits["+"].alpha[0, 0] - tfits["-"].alpha[0, 0])
        if not np.isfinite(denom) or abs(denom) < 1e-10:
            raise ValueError(
                "The treatment does not jump at the cutoff (estimated jump "
                f"{denom:.3g}); the fuzzy effect is undefined. Check treatment "
                "or use the sharp design."
            )
        return tfits, denom

    def _residual_blocks(self, xc, Q, T, fits, tfits, h, hT):
        """Per side: (row indices, residual * intercept weight) for the bootstrap."""
        compat = self.r3d_compat
        shared = np.all(h == h[0])
        blocks = {}
        for side in "+-":
            f = fits[side]
            fitted = f.fitted()
            if self.method == "frechet" and shared and f.idx.size:
                from ._kernels import pava_rows

                fitted = pava_rows(np.ascontiguousarray(fitted))
            mask = f.weights > 0 if compat else f.kmask
            E = np.where(mask, Q[f.idx] - fitted, 0.0)
            blocks[side] = (f.idx, E * f.weights)
        tblocks = None
        if T is not None:
            tblocks = {}
            for side in "+-":
                tf = tfits[side]
                if compat:
                    f = fits[side]
                    rows = f.weights[:, 0] > 0
                    idx = f.idx[rows]
                    u = xc[idx] / hT
                    fitT = np.polyval(tf.alpha[::-1, 0], u)
                    tblocks[side] = (idx, (T[idx] - fitT) * f.weights[rows, 0])
                else:
                    e = np.where(tf.kmask[:, 0], T[tf.idx] - tf.fitted()[:, 0], 0.0)
                    tblocks[side] = (tf.idx, e * tf.weights[:, 0])
        return blocks, tblocks

    def _bootstrap(self, xc, Q, T, fits, tfits, h, hT, xi, num, denom, level):
        n, nq = Q.shape
        codes = self._codes
        n_mult = n if codes is None else self.n_clusters_
        if xi is not None:
            xi = check_2d(xi, name="xi")
            if xi.shape[0] != n_mult:
                what = "cluster" if self.n_clusters_ else "unit"
                raise ValueError(
                    f"xi must have one row per {what} ({n_mult}); got shape {xi.shape}."
                )
            B = xi.shape[1]
        else:
            B = int(self.n_bootstrap)
        self.critical_value_ = np.nan
        self.band_lower_ = np.full(nq, np.nan)
        self.band_upper_ = np.full(nq, np.nan)
        self.pointwise_lower_ = np.full(nq, np.nan)
        self.pointwise_upper_ = np.full(nq, np.nan)
        self.bootstrap_std_error_ = np.full(nq, np.nan)
        self.bootstrap_draws_ = np.empty((0, nq))
        self._nu_side = {"+": np.empty((0, nq)), "-": np.empty((0, nq))}
        blocks, tblocks = self._residual_blocks(xc, Q, T, fits, tfits, h, hT)
        if codes is not None:
            blocks = {k: _aggregate(codes[i], v) for k, (i, v) in blocks.items()}
            if tblocks is not None:
                tblocks = {
                    k: _aggregate(codes[i], v[:, None]) for k, (i, v) in tblocks.items()
                }
                tblocks = {k: (i, v[:, 0]) for k, (i, v) in tblocks.items()}
        # Only multiplier units (units or clusters) in some block need a draw.
        parts = [b[0] for b in blocks.values()]
        if tblocks is not None:
            parts += [b[0] for b in tblocks.values()]
        used = np.unique(np.concatenate(parts))
        pos = np.full(n_mult, -1, dtype=np.intp)
        pos[used] = np.arange(used.size)
        blocks = {k: (pos[i], v) for k, (i, v) in blocks.items()}
        if tblocks is not None:
            tblocks = {k: (pos[i], v) for k, (i, v) in tblocks.items()}
        self.std_error_ = _plugin_std(blocks, tblocks, used.size, num, denom)
        if B == 0:
            return
        nu_p, nu_m, nuT = multiplier_draws(
            blocks,
            tblocks,
            used.size,
            B,
            random_state=self.random_state,
            xi=None if xi is None else xi[used],
            n_jobs=self.n_jobs,
            progress=loop_progress(self, "bootstrap draws", verbose=self.verbose),
        )
        nu = {"+": nu_p, "-": nu_m}
        draws = nu["+"] - nu["-"]
        if denom is not None:
            draws = (denom * draws - num[None, :] * nuT[:, None]) / denom**2
        sup = np.max(np.abs(draws), axis=1)
        k = int(np.ceil(level * (B + 1)))
        if k > B:
            warnings.warn(
                f"n_bootstrap={B} is too small for a {level:.0%} band "
                f"(needs at least {k} draws); using the largest draw.",
                StatnormWarning,
                stacklevel=3,
            )
            k = B
        crit = float(np.sort(sup)[k - 1])
        self.critical_value_ = crit
        self.band_lower_ = self.tau_ - crit
        self.band_upper_ = self.tau_ + crit
        # pointwise: the same order statistic of |nu_b(q)| level by level
        crit_q = np.sort(np.abs(draws), axis=0)[k - 1]
        self.pointwise_lower_ = self.tau_ - crit_q
        self.pointwise_upper_ = self.tau_ + crit_q
        if B > 1:
            sc = np.max(np.abs(draws), axis=0)
            sc = np.where(sc > 0, sc, 1.0)  # rescaled: no overflow near 1e200
            self.bootstrap_std_error_ = np.std(draws / sc, axis=0, ddof=1) * sc
        self.bootstrap_draws_ = draws
        self._nu_side = nu

    # ---------------------------------------------------------------- tests
    def _range_idx(self, q_range):
        q = self.q_grid_
        if q_range is None:
            return np.arange(q.size), (float(q[0]), float(q[-1]))
        lo, hi = float(np.min(q_range)), float(np.max(q_range))
        if lo < 0 or hi > 1:
            raise ValueError(f"q_range must lie in [0, 1]; got ({lo}, {hi}).")
        idx = np.flatnonzero((q >= lo) & (q <= hi))
        if idx.size == 0:
            raise ValueError(
                f"No quantile level of q_grid lies in q_range [{lo}, {hi}]."
            )
        return idx, (lo, hi)

    def _need_boot(self, what):
        check_is_fitted(self)
        if self.bootstrap_draws_.shape[0] == 0:
            raise ValueError(
                f"{what} needs bootstrap draws; refit with n_bootstrap > 0."
            )

    def _pvalue(self, null, stat):
        B = null.size
        if self.r3d_compat:
            return float(np.mean(null >= stat))
        return float((1 + np.sum(null >= stat)) / (B + 1))

    def test_nullity(self, q_range=None):
        """Test ``H0: tau(q) = 0`` for every level in ``q_range``.

        Statistic ``max |tau(q)|`` against the bootstrap ``max |nu_b(q)|``.

        Parameters
        ----------
        q_range : tuple of float, optional
            Sub-range ``(lo, hi)`` of quantile levels (default: all).

        Returns
        -------
        result : UniformTestResult
            ``stat, p = result``; also ``critical_value`` and the null draws.
        """
        self._need_boot("test_nullity")
        idx, rng = self._range_idx(q_range)
        stat = float(np.max(np.abs(self.tau_[idx])))
        null = np.max(np.abs(self.bootstrap_draws_[:, idx]), axis=1)
        crit = float(np.quantile(null, self.confidence_level))
        return UniformTestResult(
            stat,
            self._pvalue(null, stat),
            critical_value=crit,
            q_range=rng,
            null_distribution=null,
        )

    def test_homogeneity(self, q_range=None):
        """Test ``H0: tau(q)`` is constant over ``q_range``.

        Statistic ``max |tau(q) - mean tau|`` against the demeaned bootstrap
        draws.

        Parameters
        ----------
        q_range : tuple of float, optional
            Sub-range ``(lo, hi)`` of quantile levels (default: all).

        Returns
        -------
        result : UniformTestResult
            ``stat, p = result``; also ``critical_value`` and the null draws.
        """
        self._need_boot("test_homogeneity")
        idx, rng = self._range_idx(q_range)
        t = self.tau_[idx]
        stat = float(np.max(np.abs(t - t.mean())))
        d = self.bootstrap_draws_[:, idx]
        null = np.max(np.abs(d - d.mean(axis=1, keepdims=True)), axis=1)
        crit = float(np.quantile(null, self.confidence_level))
        return UniformTestResult(
            stat,
            self._pvalue(null, stat),
            critical_value=crit,
            q_range=rng,
            null_distribution=null,
        )

    def test_gini(self):
        """Test equal Gini coefficients of the boundary distributions.

        ``H0: G(Q_+) = G(Q_-)`` with the Gini of each monotonised boundary
        quantile function (trapezoid rule). The bootstrap perturbs each side
        by its own multiplier process and is centred at the estimate, so the
        p-value is calibrated (R3D 0.1.x does not centre; ``r3d_compat=True``
        reproduces that).

        Returns
        -------
        result : UniformTestResult
            ``stat = |G+ - G-|``, p-value, critical value, null draws and
            ``estimate = G+ - G-``.
        """
        self._need_boot("test_gini")
        q = self.q_grid_
        g_plus = float(_gini(q, self.intercept_plus_)[0][0])
        g_minus = float(_gini(q, self.intercept_minus_)[0][0])
        diff = g_plus - g_minus
        if not np.isfinite(diff):
            raise ValueError(
                "The Gini coefficient is undefined: a boundary quantile function "
                "has a non-positive mean."
            )
        bp = _gini(q, self.intercept_plus_[:, None] + self._nu_side["+"].T)[0]
        bm = _gini(q, self.intercept_minus_[:, None] + self._nu_side["-"].T)[0]
        boot = bp - bm
        boot = boot[np.isfinite(boot)]
        null = np.abs(boot) if self.r3d_compat else np.abs(boot - diff)
        stat = abs(diff)
        crit = float(np.quantile(null, self.confidence_level))
        return UniformTestResult(
            stat,
            self._pvalue(null, stat),
            critical_value=crit,
            q_range=(float(q[0]), float(q[-1])),
            null_distribution=null,
            estimate=float(diff),
        )

    # ------------------------------------------------------------- reporting
    def summary(self, *, max_rows=11):
        """Table of the effect, band and boundary quantiles, plus the tests.

        Parameters
        ----------
        max_rows : int or None, default=11
            Number of quantile levels shown (evenly spaced over the grid;
            None: all).

        Returns
        -------
        table : statnorm.results.SummaryTable
            Prints as text; renders as HTML in notebooks.
        """
        check_is_fitted(self)
        q = self.q_grid_
        rows_idx = np.unique(
            np.linspace(0, q.size - 1, min(max_rows or q.size, q.size))
            .round()
            .astype(int)
        )
        rows = [
            [
                f"{q[j]:.3g}",
                float(self.tau_[j]),
                float(self.std_error_[j]),
                float(self.pointwise_lower_[j]),
                float(self.pointwise_upper_[j]),
                float(self.band_lower_[j]),
                float(self.band_upper_[j]),
                float(self.intercept_plus_[j]),
                float(self.intercept_minus_[j]),
                float(self.bandwidth_[j]),
            ]
            for j in rows_idx
        ]
        design = "fuzzy" if self.fuzzy else "sharp"
        title = (
            f"Distributional RDD ({design}, {self.method}, p={self.p}, "
            f"{self.kernel} kernel, cutoff={self.cutoff:g})"
        )
        notes = [
            (
                f"units: {self.n_units_} ({self.n_units_minus_} below / "
                f"{self.n_units_plus_} above the cutoff within the bandwidth)"
            ),
        ]
        if self.fuzzy:
            notes.append(
                f"first stage: jump in treatment {self.denominator_:.4g} "
                f"(bandwidth {self.bandwidth_treatment_:.4g})"
            )
        B = self.bootstrap_draws_.shape[0]
        if self.n_covariates_:
            notes.append(
                f"covariates: {self.n_covariates_} pre-determined, coefficients "
                "common to both sides (boundary quantiles at their mean)"
            )
        if self.n_clusters_:
            notes.append(
                f"clusters: {self.n_clusters_} (one multiplier per cluster; "
                "cluster-robust standard errors)"
            )
        notes.append(
            "std err: plug-in (sandwich) standard error"
            + ("" if self.n_clusters_ else " (heteroskedasticity-robust)")
        )
        if B:
            notes.append(
                f"lower/upper: pointwise {self.confidence_level:.0%} bootstrap "
                "intervals (one level at a time)"
            )
            notes.append(
                f"band: uniform {self.confidence_level:.0%} band over all levels, "
                f"tau +/- {self.critical_value_:.4g} ({B} multiplier draws)"
            )
            s1, p1 = self.test_nullity()
            s2, p2 = self.test_homogeneity()
            notes.append(f"nullity (tau = 0 for all q): stat {s1:.4g}, p = {p1:.3g}")
            notes.append(f"homogeneity (tau constant): stat {s2:.4g}, p = {p2:.3g}")
        return SummaryTable(
            title,
            (
                "q",
                "tau",
                "std err",
                "lower",
                "upper",
                "band lower",
                "band upper",
                "Q above",
                "Q below",
                "h",
            ),
            rows,
            notes=tuple(notes),
        )
