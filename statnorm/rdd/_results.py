"""The result objects of statnorm.rdd: the fitted effect and the uniform tests."""

from dataclasses import dataclass

import numpy as np

from .._validation import check_confidence_level
from ..results import ConfidenceInterval, Result, SummaryTable, TestResult

__all__ = ["RDDResult", "UniformTestResult"]

# (column header, RDDResult field) of the summary tables, after "q"
_COLUMNS = (
    ("tau", "tau"),
    ("std err", "std_error"),
    ("lower", "pointwise_lower"),
    ("upper", "pointwise_upper"),
    ("band lower", "band_lower"),
    ("band upper", "band_upper"),
)
_BOUNDARY_COLUMNS = (
    ("Q above", "intercept_plus"),
    ("Q below", "intercept_minus"),
    ("h", "bandwidth"),
)


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
    inference : str
        ``"robust"``: the band, intervals and standard errors are those of
        the bias-corrected estimate ``tau_bias_corrected`` (robust
        bias-corrected inference); ``"conventional"``: those of ``tau``.
    tau_bias_corrected : ndarray of shape (n_q,) or None
        Bias-corrected effect (the centre of the robust band and intervals;
        None under conventional inference).
    bandwidth_bias : ndarray of shape (n_q,) or None
        Bandwidth ``b`` of the bias fit (None under conventional inference).
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
    inference: str = "conventional"
    tau_bias_corrected: np.ndarray = None
    bandwidth_bias: np.ndarray = None

    def to_frame(self):
        """One row per quantile level: effect, errors, intervals, quantiles, h.

        Under robust inference the frame also holds the bias-corrected
        effect ``tau_bias_corrected`` (the centre of the band and intervals)
        and the bias bandwidth ``bandwidth_bias``, after ``tau``.

        Returns
        -------
        frame : pandas.DataFrame
        """
        import pandas as pd

        robust = {}
        if self.tau_bias_corrected is not None:
            robust = {"tau_bias_corrected": self.tau_bias_corrected}
            if self.bandwidth_bias is not None:
                robust["bandwidth_bias"] = np.broadcast_to(
                    self.bandwidth_bias, np.shape(self.q_grid)
                )
        return pd.DataFrame(
            {
                "q": self.q_grid,
                "tau": self.tau,
                **robust,
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

        Examples
        --------
        >>> import numpy as np
        >>> from statnorm.rdd import DistributionalRDD
        >>> x = np.linspace(-1, 1, 101)
        >>> Q = np.column_stack([x + (x >= 0), 2 * x + 3 * (x >= 0)])
        >>> est = DistributionalRDD(q_grid=[0.3, 0.6], bandwidth=0.5, n_bootstrap=0)
        >>> est.fit_quantiles(x, Q).result_.summary().header[:2]
        ('q', 'tau')
        """
        return self._table(
            max_rows,
            title="Distributional RDD effect",
            notes=(
                f"lower/upper: pointwise {self.confidence_level:.0%} intervals",
                f"band: uniform {self.confidence_level:.0%} band",
            ),
        )

    def _table(self, max_rows, *, title, notes, boundary=False):
        """The table of :meth:`summary`; ``boundary`` adds the boundary
        quantiles and bandwidths per level (the estimator's summary)."""
        n = self.q_grid.size
        k = n if max_rows is None else max(1, min(max_rows, n))
        idx = np.unique(np.linspace(0, n - 1, k).round().astype(int))
        cols = _COLUMNS + (_BOUNDARY_COLUMNS if boundary else ())
        rows = tuple(
            (
                f"{self.q_grid[i]:.3g}" if boundary else float(self.q_grid[i]),
                *(float(getattr(self, field)[i]) for _, field in cols),
            )
            for i in idx
        )
        return SummaryTable(
            title, ("q", *(name for name, _ in cols)), rows, tuple(notes)
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
        ci : ConfidenceInterval
            ``lower`` and ``upper`` of shape (n_q,) around ``estimate =
            tau``; unpacks as ``lower, upper = ci``.
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
            return ConfidenceInterval(
                lower=self.tau - z * self.std_error,
                upper=self.tau + z * self.std_error,
                confidence_level=float(level),
                kind=kind,
                estimate=self.tau,
            )
        if confidence_level is not None and not np.isclose(
            confidence_level, self.confidence_level
        ):
            raise ValueError(
                f"confidence_level={confidence_level!r}: the band was computed at "
                f"{self.confidence_level}; refit with that confidence_level."
            )
        lower, upper = (
            (self.pointwise_lower, self.pointwise_upper)
            if kind == "pointwise"
            else (self.band_lower, self.band_upper)
        )
        return ConfidenceInterval(
            lower=lower,
            upper=upper,
            confidence_level=float(self.confidence_level),
            kind=kind,
            estimate=self.tau,
        )


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


def fit_notes(result, *, n_units, n_covariates, fuzzy, level, tests):
    """The notes under a fitted estimator's summary: design, errors, tests.

    ``n_units`` is ``(all, below, above)`` (the last two within the
    bandwidth); ``tests`` the nullity and homogeneity results, or None
    without bootstrap draws.
    """
    n_all, n_below, n_above = n_units
    notes = [
        (
            f"units: {n_all} ({n_below} below / {n_above} above the cutoff within "
            "the bandwidth)"
        )
    ]
    if fuzzy:
        notes.append(
            f"first stage: jump in treatment {result.denominator:.4g} "
            f"(bandwidth {result.bandwidth_treatment:.4g})"
        )
    if n_covariates:
        notes.append(
            f"covariates: {n_covariates} pre-determined, coefficients "
            "common to both sides (boundary quantiles at their mean)"
        )
    if result.n_clusters:
        notes.append(
            f"clusters: {result.n_clusters} (one multiplier per cluster; "
            "cluster-robust standard errors)"
        )
    notes.append(
        "std err: plug-in (sandwich) standard error"
        + ("" if result.n_clusters else " (heteroskedasticity-robust)")
    )
    if result.inference == "robust":
        b = result.bandwidth_bias
        notes.append(
            "robust bias-corrected inference: intervals, band and tests are "
            "centred at the bias-corrected effect tau_bc "
            f"({np.min(result.tau_bias_corrected):.4g} to "
            f"{np.max(result.tau_bias_corrected):.4g}; bias bandwidth "
            f"{np.min(b):.4g} to {np.max(b):.4g}); tau is the conventional "
            "estimate"
        )
    if tests is not None:
        (s1, p1), (s2, p2) = tests
        notes += [
            (
                f"lower/upper: pointwise {level:.0%} bootstrap intervals (one level "
                "at a time)"
            ),
            (
                f"band: uniform {level:.0%} band over all levels, "
                f"{'tau_bc' if result.inference == 'robust' else 'tau'} +/- "
                f"{result.critical_value:.4g} ({result.n_bootstrap} multiplier draws)"
            ),
            f"nullity (tau = 0 for all q): stat {s1:.4g}, p = {p1:.3g}",
            f"homogeneity (tau constant): stat {s2:.4g}, p = {p2:.3g}",
        ]
    return notes


def _from_result(field, doc):
    """A read-only fitted attribute ``<field>_`` that reads ``result_.<field>``."""

    def get(self):
        if "result_" not in vars(self):
            raise AttributeError(
                f"{type(self).__name__} has no {field}_ before fit; call fit first."
            )
        return getattr(self.result_, field)

    return property(get, doc=doc)


class FittedFromResult:
    """The fitted attributes of an estimator whose estimates are ``result_``.

    Each estimate is stored once, in the frozen ``result_``; these
    attributes read it, so the two can never disagree.
    """

    q_grid_ = _from_result("q_grid", "Quantile levels used.")
    tau_ = _from_result("tau", "Estimated effect at each quantile level.")
    band_lower_ = _from_result("band_lower", "Lower end of the uniform band.")
    band_upper_ = _from_result("band_upper", "Upper end of the uniform band.")
    pointwise_lower_ = _from_result(
        "pointwise_lower", "Lower ends of the pointwise intervals."
    )
    pointwise_upper_ = _from_result(
        "pointwise_upper", "Upper ends of the pointwise intervals."
    )
    critical_value_ = _from_result("critical_value", "Half-width of the band.")
    std_error_ = _from_result("std_error", "Plug-in standard error per level.")
    bootstrap_std_error_ = _from_result(
        "bootstrap_std_error", "Standard deviation of the draws per level."
    )
    intercept_plus_ = _from_result(
        "intercept_plus", "Monotonised boundary quantile function above the cutoff."
    )
    intercept_minus_ = _from_result(
        "intercept_minus", "Monotonised boundary quantile function below the cutoff."
    )
    bandwidth_ = _from_result("bandwidth", "Outcome bandwidth per quantile level.")
    bandwidth_treatment_ = _from_result(
        "bandwidth_treatment", "First-stage bandwidth (fuzzy; else None)."
    )
    denominator_ = _from_result(
        "denominator", "Jump in treatment probability (fuzzy; else None)."
    )
    n_clusters_ = _from_result("n_clusters", "Number of clusters (or None).")
    tau_bias_corrected_ = _from_result(
        "tau_bias_corrected", "Bias-corrected effect (robust inference; else None)."
    )
    bandwidth_bias_ = _from_result(
        "bandwidth_bias", "Bias bandwidth per level (robust inference; else None)."
    )


def rdd_result(q, eff, band, bw, *, level, n_clusters, robust=None):
    """The :class:`RDDResult` of a fit from its effect, band and bandwidths
    (``robust``: the bias-corrected effect and bias bandwidth, or None)."""
    extra = {}
    if robust is not None:
        extra = {
            "inference": "robust",
            "tau_bias_corrected": robust["tau"],
            "bandwidth_bias": robust["b"],
        }
    return RDDResult(
        q_grid=q,
        tau=eff["tau"],
        band_lower=band.band_lower,
        band_upper=band.band_upper,
        intercept_plus=eff["mon"]["+"],
        intercept_minus=eff["mon"]["-"],
        critical_value=band.critical_value,
        bandwidth=bw["h"],
        bandwidth_treatment=bw["h_treatment"],
        denominator=eff["denom"],
        confidence_level=level,
        n_bootstrap=band.draws.shape[0],
        std_error=band.std_error,
        bootstrap_std_error=band.bootstrap_std_error,
        pointwise_lower=band.pointwise_lower,
        pointwise_upper=band.pointwise_upper,
        n_clusters=n_clusters,
        **extra,
    )
