"""DistributionalRDD: regression discontinuity with distribution-valued outcomes.

The estimator validates its input, runs the estimation steps (design checks
in ``_design``, bandwidths and local fits in ``_locpoly``, inference in
``_band``), and writes its fitted state in one place at the end of ``fit``;
results live in ``_results`` and the tests in ``_uniform_tests``.
"""

import warnings
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
    Hidden,
    Interval,
    StrOptions,
    check_1d,
    check_2d,
    check_confidence_level,
    fit_context,
)
from ._band import bootstrap_band, multiplier_blocks, residual_blocks
from ._bandwidth import choose_bandwidths
from ._design import (
    check_clusters,
    check_covariates,
    check_design,
    check_xi,
    monotonize_rule,
)
from ._effect import boundary_effect
from ._quantiles import _check_q_grid, check_n_units, quantile_matrix
from ._results import (
    FittedFromResult,
    RDDResult,
    UniformTestResult,
    fit_notes,
    rdd_result,
)
from ._robust import conventional_hc_blocks, robust_effect
from ._uniform_tests import gini_test, homogeneity_test, nullity_test

__all__ = ["DistributionalRDD", "RDDResult", "UniformTestResult"]

_DEFAULT_Q = np.arange(1, 100) / 100

# the estimator parameters that choose_bandwidths takes
_BANDWIDTH_PARAMS = (
    *("bandwidth", "bandwidth_treatment", "method", "pilot_order"),
    *("kernel", "pilot_kernel", "coverage_correction", "r3d_compat"),
)


class DistributionalRDD(FittedFromResult, BaseEstimator):
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
    monotone : {"auto", "sort", "isotonic", "rearrangement"} or None, default="auto"
        How the boundary curves are made non-decreasing in ``q``. ``"auto"``:
        isotonic (PAVA) for ``"frechet"`` and a plain sort for ``"simple"``
        (``"rearrangement"`` under ``r3d_compat``); ``None``: left as
        estimated. The same name and spelling of "off" as
        :class:`~statnorm.quantile.ConformalQuantileRegressor`'s ``monotone``.
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
    inference : {"auto", "robust", "conventional"}, default="auto"
        ``"robust"``: robust bias-corrected (RBC) band, intervals and
        standard errors (Calonico, Cattaneo and Titiunik, 2014, rdrobust's
        "robust" rows): the bias of the order-``p`` boundary fits is
        estimated by an order-``bias_order`` fit at ``bandwidth_bias`` and
        subtracted, the band and intervals are centred at the bias-corrected
        effect ``tau_bias_corrected_`` and the multiplier bootstrap runs on
        the bias-corrected influence functions. ``tau_`` stays the
        conventional estimate. ``"conventional"``: the bootstrap of the
        order-``p`` fits, centred at ``tau_`` (R3D's band). ``"auto"``:
        robust, or conventional under ``r3d_compat``.
    bias_order : int or None, default=None
        Order ``q`` of the bias fit (robust inference); None means ``p + 1``.
    bandwidth_bias : float, array-like of shape (n_q,) or None, default=None
        Bandwidth ``b`` of the bias fit (rdrobust's ``b``); None means
        ``bandwidth_ / rho`` (data-driven with the outcome bandwidth).
    rho : float, default=0.5
        Ratio ``h / b`` when ``bandwidth_bias`` is None (rdrobust's ``rho``):
        the bias fit uses twice the outcome bandwidth by default. Any fixed
        ratio keeps the robust intervals valid (Calonico, Cattaneo and
        Titiunik, 2014); 0.5 was chosen by the coverage Monte Carlo of
        docs/methods/rdd.rst (``rho=1`` makes the bias-corrected estimate
        the order-``p + 1`` fit at ``h``, with a larger variance).
    vce : {"hc0", "hc1", "hc2", "hc3"} or None, default=None
        Residual scaling of the standard errors and the bootstrap
        (rdrobust's ``vce``): HC0 plain residuals, HC1 the
        degrees-of-freedom factor ``sqrt(n / (n - k))``, HC2 / HC3 divide by
        ``sqrt(1 - h_ii)`` / ``1 - h_ii`` with ``h_ii`` the leverage of the
        fit whose residuals are used (robust: the bias fit at ``b``;
        conventional: the order-``p`` fit at ``h``). None means ``"hc3"``
        under robust inference and ``"hc0"`` (R3D's) under conventional.
    n_jobs : int or None, default=None
        Threads for the BLAS products (bootstrap, pilot fits); ``None`` means
        1, -1 all cores. With ``n_jobs`` other than 1, the chunks of bootstrap
        draws run as joblib tasks (threads, or a Dask cluster under
        ``joblib.parallel_backend("dask")``). Results do not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds the multipliers; draw ``b`` uses its own seed from
        ``statnorm._validation.spawn_seeds``, so results do not depend on
        how draws are chunked.
    verbose : int, default=0
        Print the progress of the bootstrap draws (about every 10 %); the
        chosen bandwidths are logged to ``logging.getLogger("statnorm.rdd")``.
    monotonize : str, default="deprecated"
        The former name of ``monotone`` (with ``"none"`` for ``None``); still
        accepted with a ``FutureWarning``, and it wins over ``monotone``
        when given. It will be removed in 0.2.

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
        w_i^-(q))`` (sums over clusters with ``clusters``). Under robust
        inference ``w`` are the bias-corrected weights and ``e`` the (HC3)
        residuals of the bias fit: for a scalar outcome rdrobust's robust
        standard error; under conventional inference (HC0) rdrobust's
        conventional one (``vce="hc0"``). Computed even when
        ``n_bootstrap == 0``.
    tau_bias_corrected_ : ndarray of shape (n_q,) or None
        Bias-corrected effect, the centre of the robust band and intervals
        (None under conventional inference).
    bandwidth_bias_ : ndarray of shape (n_q,) or None
        Bandwidth of the bias fit per level (None under conventional
        inference).
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
        All estimates in one frozen dataclass. The attributes above that are
        also fields of ``result_`` (``tau_``, the band and intervals, standard
        errors, boundary curves, bandwidths, ``denominator_``, ``n_clusters_``)
        read it: each estimate is stored once.

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
    5. ``monotone="auto"`` sorts for ``"simple"`` (R: rearrangement on a
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
    Not in R3D: the default robust bias-corrected inference (``inference``;
    docs/methods/rdd.rst, "Robust bias-corrected inference"); R3D's band
    is ``inference="conventional"``.

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

    S. Calonico, M. D. Cattaneo and R. Titiunik (2014). Robust
    Nonparametric Confidence Intervals for Regression-Discontinuity
    Designs. Econometrica 82(6), 2295-2326.

    H. D. Chiang, Y.-C. Hsu and Y. Sasaki (2019). Robust uniform inference
    for quantile treatment effects in regression discontinuity designs.
    Journal of Econometrics 211(2), 589-618.

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
    array([0.469..., 0.469..., 0.469...])
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
        "monotone": [StrOptions({"auto", "sort", "isotonic", "rearrangement"}), None],
        # the name before 0.1 (off was "none"); FutureWarning, see fit
        "monotonize": [
            StrOptions({"auto", "sort", "isotonic", "rearrangement", "none"}),
            Hidden(StrOptions({"deprecated"})),
        ],
        "pilot_kernel": [StrOptions({"triangular", "epanechnikov", "uniform"}), None],
        "coverage_correction": ["boolean"],
        "r3d_compat": ["boolean"],
        "inference": [StrOptions({"auto", "robust", "conventional"})],
        "bias_order": [Interval(Integral, 1, 9, closed="both"), None],
        "bandwidth_bias": [
            None,
            Interval(Real, 0, None, closed="neither"),
            "array-like",
        ],
        "rho": [Interval(Real, 0, 1, closed="right")],
        "vce": [StrOptions({"hc0", "hc1", "hc2", "hc3"}), None],
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
        monotone="auto",
        pilot_kernel=None,
        coverage_correction=False,
        r3d_compat=False,
        inference="auto",
        bias_order=None,
        bandwidth_bias=None,
        rho=0.5,
        vce=None,
        n_jobs=None,
        random_state=None,
        verbose=0,
        monotonize="deprecated",
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
        self.monotone = monotone
        self.pilot_kernel = pilot_kernel
        self.coverage_correction = coverage_correction
        self.r3d_compat = r3d_compat
        self.inference = inference
        self.bias_order = bias_order
        self.bandwidth_bias = bandwidth_bias
        self.rho = rho
        self.vce = vce
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.monotonize = monotonize

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
            Outcome draws of each unit (at least 2 each): a list of 1-D arrays
            (one per unit, any lengths), or an array or pandas DataFrame with
            one row per unit and one column per draw. Long-format data (one
            row per draw): see :func:`statnorm.rdd.long_to_samples`. A Dask
            array's unit quantiles are computed block by block on the cluster.
        treatment : array-like of shape (n_units,), optional
            Treatment take-up (fuzzy designs; required when ``fuzzy=True``).
        weights : list of array-like, ndarray or DataFrame, optional
            Within-unit draw weights (weighted quantiles per unit), shaped
            like ``samples``.
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
        check_n_units(Q, x, samples)
        Q_bw = Q
        if weights is not None and self.r3d_compat:
            Q_bw = quantile_matrix(samples, q)
        return self._fit(x, Q, q, treatment, xi, Q_bw, clusters, covariates)

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
        check_n_units(Q, x, quantiles, q=q)
        return self._fit(x, Q, q, treatment, xi, Q, clusters, covariates)

    def _fit(self, x, Q, q, treatment, xi, Q_bw, clusters=None, covariates=None):
        from .._numba import effective_n_threads
        from .._threads import blas_threads

        with blas_threads(effective_n_threads(self.n_jobs)):
            fitted = self._estimate(x, Q, q, treatment, xi, Q_bw, clusters, covariates)
        # the one place that writes fitted state, in one step: a fit that
        # fails or is interrupted before this line leaves the previous fit
        vars(self).update(fitted)
        return self

    def _estimate(self, x, Q, q, treatment, xi, Q_bw, clusters, covariates):
        """Checks, bandwidths, side fits, effect, bootstrap: the fitted state.

        Returns the fitted attributes as a dict (nothing is written on the
        estimator).
        """
        n = Q.shape[0]
        level = check_confidence_level(self.confidence_level)
        xc, T = check_design(x, treatment, cutoff=self.cutoff, fuzzy=self.fuzzy)
        codes, n_clusters = check_clusters(clusters, n)
        Z = check_covariates(covariates, n)
        n_mult = n if codes is None else n_clusters
        xi, n_draws = check_xi(
            xi, n_mult, self.n_bootstrap, clustered=codes is not None
        )
        params = self.get_params()
        bw = choose_bandwidths(
            xc, Q_bw, q, T, **{k: params[k] for k in _BANDWIDTH_PARAMS}
        )
        mono = monotonize_rule(self._monotone(), self.method, self.r3d_compat)
        eff = boundary_effect(
            xc, Q, T, Z, q, bw, p=int(self.p), kernel=self.kernel, mono=mono
        )
        robust = None
        if self._inference() == "robust":
            robust = robust_effect(
                xc,
                eff,
                q,
                bw,
                p=int(self.p),
                q_order=self._bias_order(),
                b=self.bandwidth_bias,
                rho=float(self.rho),
                kernel=self.kernel,
                mono=mono,
                vce=self.vce or "hc3",
            )
            blocks, tblocks = robust["blocks"], robust["tblocks"]
            centre = (robust["tau"], robust["num"], robust["denom"])
        else:
            centre = (eff["tau"], eff["num"], eff["denom"])
            if self.vce in (None, "hc0"):
                blocks, tblocks = self._conventional_blocks(xc, eff, bw)
            else:
                blocks, tblocks = conventional_hc_blocks(
                    xc, eff, bw, p=int(self.p), kernel=self.kernel, vce=self.vce
                )
        progress = loop_progress(self, "bootstrap draws", verbose=self.verbose)
        band = bootstrap_band(
            *multiplier_blocks(blocks, tblocks, codes, n_mult),
            *centre,
            n_draws=n_draws,
            level=level,
            xi=xi,
            draw_options={
                "random_state": self.random_state,
                "n_jobs": self.n_jobs,
                "progress": progress,
            },
        )
        result = rdd_result(
            q, eff, band, bw, level=level, n_clusters=n_clusters, robust=robust
        )
        return self._fitted_state(n, result, eff, bw, band, mono, Z, robust)

    def _inference(self):
        if self.inference == "auto":
            return "conventional" if self.r3d_compat else "robust"
        return self.inference

    def _monotone(self):
        """``monotone``, or the value of its deprecated name."""
        if self.monotonize == "deprecated":
            return "none" if self.monotone is None else self.monotone
        warnings.warn(
            "monotonize was renamed monotone (off is None rather than 'none'); "
            "monotonize will be removed in 0.2.",
            FutureWarning,
            stacklevel=6,  # _estimate, _fit, fit or fit_quantiles, fit_context
        )
        return self.monotonize

    def _bias_order(self):
        q_order = int(self.p) + 1 if self.bias_order is None else int(self.bias_order)
        if q_order <= int(self.p):
            raise ValueError(
                f"bias_order must exceed p={self.p} (the bias fit estimates the "
                f"derivative of order p + 1); got bias_order={self.bias_order}."
            )
        return q_order

    def _conventional_blocks(self, xc, eff, bw):
        return residual_blocks(
            xc,
            eff["Q"],
            eff["T"],
            eff["fits"],
            eff["tfits"],
            bw["h"],
            bw["h_treatment"],
            frechet=self.method == "frechet",
            r3d_compat=self.r3d_compat,
        )

    def _fitted_state(self, n, result, eff, bw, band, mono, Z, robust):
        fits, raw = eff["fits"], eff["raw"]
        return {
            "result_": result,
            "n_units_": n,
            "n_units_plus_": int(fits["+"].kmask.any(axis=1).sum()),
            "n_units_minus_": int(fits["-"].kmask.any(axis=1).sum()),
            "coef_plus_": fits["+"].alpha,
            "coef_minus_": fits["-"].alpha,
            "raw_intercept_plus_": raw["+"],
            "raw_intercept_minus_": raw["-"],
            "monotone_": None if mono == "none" else mono,
            "bandwidth_details_": bw["details"],
            "bandwidth_fallback_": bw["fallback"],
            "bandwidth_treatment_fallback_": bw["fallback_treatment"],
            "n_covariates_": 0 if Z is None else Z.shape[1],
            "covariate_coef_": eff["gamma"],
            "covariate_coef_treatment_": eff["gamma_treatment"],
            "bootstrap_draws_": band.draws,
            "_side_draws": band.side_draws,
            "_test_centre": (eff["tau"], eff["mon"])
            if robust is None
            else (robust["tau"], robust["mon"]),
        }

    # ---------------------------------------------------------------- tests
    def _draws_for(self, what):
        """The bootstrap draws for the test named ``what``, and its options."""
        check_is_fitted(self)
        if self.bootstrap_draws_.shape[0] == 0:
            raise ValueError(
                f"{what} needs bootstrap draws; refit with n_bootstrap > 0."
            )
        opts = {"level": self.confidence_level, "r3d_compat": self.r3d_compat}
        return self.bootstrap_draws_, opts

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
        draws, opts = self._draws_for("test_nullity")
        centre = self._test_centre[0]
        return nullity_test(self.q_grid_, centre, draws, q_range, **opts)

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
        draws, opts = self._draws_for("test_homogeneity")
        centre = self._test_centre[0]
        return homogeneity_test(self.q_grid_, centre, draws, q_range, **opts)

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
        _, opts = self._draws_for("test_gini")
        mon = self._test_centre[1]
        above, below = mon["+"], mon["-"]
        return gini_test(self.q_grid_, above, below, self._side_draws, **opts)

    # ------------------------------------------------------------- reporting
    def summary(self, *, max_rows=11):
        """Table of the effect, band and boundary quantiles, plus the tests.

        The table is ``result_``'s, with the boundary quantiles and
        bandwidths per level and notes on the design and the tests.

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
        design = "fuzzy" if self.fuzzy else "sharp"
        title = (
            f"Distributional RDD ({design}, {self.method}, p={self.p}, "
            f"{self.kernel} kernel, cutoff={self.cutoff:g})"
        )
        tests = None
        if self.bootstrap_draws_.shape[0]:
            tests = (self.test_nullity(), self.test_homogeneity())
        notes = fit_notes(
            self.result_,
            n_units=(self.n_units_, self.n_units_minus_, self.n_units_plus_),
            n_covariates=self.n_covariates_,
            fuzzy=self.fuzzy,
            level=self.confidence_level,
            tests=tests,
        )
        return self.result_._table(
            max_rows or None, title=title, notes=notes, boundary=True
        )
