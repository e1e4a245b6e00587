"""HighDimKDE: exact, log-space Gaussian KDE for high-dimensional data."""

import warnings
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._validation import (
    RANDOM_STATE,
    Interval,
    StrOptions,
    check_1d,
    check_random_state,
    fit_context,
    validate_data,
)
from . import theory
from ._regime import KDERegimeReport, KDERegimeWarning

__all__ = ["HighDimKDE"]

_SELECTORS = frozenset(
    {"scott", "silverman", "normal_reference", "lcv", "kl_nn", "kl_gauss"}
)
_LOG_2PI = float(np.log(2.0 * np.pi))


def _weighted_median(values, weights):
    order = np.argsort(values, kind="stable")
    cw = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cw, 0.5 * cw[-1])])


class HighDimKDE(BaseEstimator):
    """Exact Gaussian kernel density estimate that stays exact in high dimensions.

    The log-density is computed in log space (log-sum-exp over the data
    points, never a determinant, never a density that underflows) by a fused
    kernel: BLAS tiles of cross products, then exponentials summed per query
    under a shift that bounds the largest term, so the m x n matrix of
    distances never exists. There is no tree approximation: results equal a
    float64 brute-force sum to about 1e-13 relative (float64 default).

    In large dimensions a KDE lives in one of three statistical regimes
    (Biroli & Mezard): CLT, heavy-tailed (alpha-stable) or extreme-value,
    where a handful of data points carry the estimate. The KL-optimal
    bandwidth lies in the extreme-value regime and rule-of-thumb bandwidths
    (Scott, Silverman) sit there too for standardised data.
    :meth:`regime_report` says which regime a fit is in, from the data.

    Parameters
    ----------
    bandwidth : float, array-like or str, default="scott"
        Kernel width.

        - float: isotropic standard deviation, in data units (as
          scikit-learn's ``KernelDensity``).
        - array of shape (n_features,): per-feature standard deviations.
        - array of shape (n_features, n_features): kernel covariance matrix
          (symmetric positive definite).
        - ``"scott"``: ``h = n_eff^{-1/(d+4)}`` and ``"silverman"``:
          ``h = (n_eff (d+2) / 4)^{-1/(d+4)}`` (as scipy's
          ``gaussian_kde``), ``"normal_reference"``: ``1.06 n^{-1/(d+4)}``
          (statsmodels; equal to statsmodels' with
          ``standardize="diagonal"``).
        - ``"kl_gauss"``: the KL-optimal bandwidth of the Gaussian theory,
          ``h_KL(alpha)`` with ``alpha = log(n_eff) / d``
          (:func:`statnorm.kde.theory.h_kl`).
        - ``"kl_nn"``: ``h^2 = median_j r_j^2 / d`` where ``r_j`` is the
          distance from training point ``j`` to its nearest other point: the
          leading-order KL-optimal bandwidth for any density whose optimum is
          in the extreme-value regime; one nearest-neighbour pass, no
          optimisation.
        - ``"lcv"``: maximises the leave-one-out log-likelihood (self-term
          removed) over ``h`` by bounded golden-section search on ``log h``.

        For the strings, the kernel covariance is ``h^2 S`` with ``S`` the
        (weighted) data covariance chosen by ``standardize``.
    kernel : {"gaussian"}, default="gaussian"
        Kernel; only the Gaussian kernel is implemented (the theory is for
        it).
    standardize : {"full", "diagonal", "none"}, default="full"
        Data scale ``S`` used by the string selectors and for the whitened
        bandwidth: full covariance (as scipy), per-feature variances (as
        statsmodels), or the identity (as scikit-learn). A singular
        covariance with ``"full"`` is an error (use ``"diagonal"``).
    dtype : {"float64", "float32"}, default="float64"
        Precision of the cross products. float32 halves memory and is
        faster; accumulation stays in float64 (log-density error about
        1e-5 at d = 50).
    max_samples : int, default=2000
        Number of training points (drawn with ``random_state``) used as
        leave-one-out queries by ``"lcv"`` and ``"kl_nn"``; all points if
        fewer. The sum still runs over all training points.
    n_jobs : int, default=None
        Number of threads (``None``: 1, ``-1``: all cores).
    random_state : int, RandomState instance or None, default=None
        Seeds the subsample of ``max_samples`` points.

    Attributes
    ----------
    bandwidth_ : float or ndarray
        Kernel in data units: a float (isotropic standard deviation), a
        vector of per-feature standard deviations, or the kernel covariance
        matrix.
    bandwidth_whitened_ : float
        The bandwidth in units of the data scale ``S``:
        ``(det H / det S)^{1/(2d)}``, the ``h`` of the theory (NaN when ``S``
        is singular).
    kernel_covariance_ : ndarray of shape (n_features, n_features)
        The kernel covariance ``H``.
    location_ : ndarray of shape (n_features,)
        Weighted mean of the training data (data are centred on it).
    n_eff_ : float
        Effective sample size ``(sum w)^2 / sum w^2`` (``n`` unweighted).
    alpha_ : float
        Log of the effective sample size divided by the dimension.
    cv_results_ : dict or None
        For ``"lcv"``: ``{"bandwidth": ..., "loo_log_likelihood": ...}`` at
        each evaluated whitened bandwidth; None otherwise.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit (only when ``X`` has string
        feature names).

    See Also
    --------
    statnorm.kde.theory : Thresholds ``h_G``, ``h_CLT``, ``h_KL`` and ``mu``.
    sklearn.neighbors.KernelDensity : Tree-based KDE (approximate in the
        extreme-value regime; see the method page).
    scipy.stats.gaussian_kde : Direct KDE with full covariance.

    Notes
    -----
    The estimate is ``rho(x) = sum_i w_i N(x; y_i, H)`` with weights
    normalised to 1. Zero-weight points are dropped in ``fit``.

    References
    ----------
    G. Biroli and M. Mezard, "Kernel density estimators in large
    dimensions", arXiv:2408.05807.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.kde import HighDimKDE
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((2000, 20))
    >>> kde = HighDimKDE(bandwidth="scott").fit(X)
    >>> kde.score_samples(rng.standard_normal((3, 20))).round(2)
    array([-29.67, -30.3 , -32.42])
    >>> round(kde.bandwidth_whitened_, 3)  # Scott: 2000 ** (-1 / 24)
    0.729
    """

    _parameter_constraints: ClassVar[dict] = {
        "bandwidth": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions(set(_SELECTORS)),
            "array-like",
        ],
        "kernel": [StrOptions({"gaussian"})],
        "standardize": [StrOptions({"full", "diagonal", "none"})],
        "dtype": [StrOptions({"float64", "float32"}), type, np.dtype],
        "max_samples": [Interval(Integral, 2, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": RANDOM_STATE,
    }

    def __init__(
        self,
        bandwidth="scott",
        *,
        kernel="gaussian",
        standardize="full",
        dtype="float64",
        max_samples=2000,
        n_jobs=None,
        random_state=None,
    ):
        self.bandwidth = bandwidth
        self.kernel = kernel
        self.standardize = standardize
        self.dtype = dtype
        self.max_samples = max_samples
        self.n_jobs = n_jobs
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def _compute_dtype(self):
        dt = np.dtype(self.dtype)
        if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
            raise ValueError(
                f"dtype must be 'float64' or 'float32'. Got {self.dtype!r} instead."
            )
        return dt

    def _data_scale(self, X, w, n_eff):
        """Return the data scale S (covariance) per ``standardize``."""
        d = X.shape[1]
        if self.standardize == "none":
            return np.eye(d)
        if n_eff <= 1.0:
            raise ValueError(
                "The data scale needs at least 2 samples with positive weight "
                f"(effective sample size {n_eff:g}); got 1 sample. Pass a numeric "
                "bandwidth with standardize='none'."
            )
        cov = np.atleast_2d(np.cov(X, rowvar=False, aweights=w, bias=False))
        if self.standardize == "diagonal":
            var = np.diag(cov)
            # relative to the raw magnitude: centring a constant column leaves
            # rounding noise, not a true zero
            const = (
                var <= (1e-12 * (np.abs(self.location_) + np.sqrt(np.abs(var)))) ** 2
            )
            const |= var <= 0
            if np.any(const):
                j = int(np.flatnonzero(const)[0])
                raise ValueError(
                    f"Feature {j} of X has zero variance, so the diagonal data "
                    "scale is singular. Drop constant features or pass a numeric "
                    "bandwidth with standardize='none'."
                )
            return np.diag(var)
        return cov

    @staticmethod
    def _chol(S, what):
        """Cholesky factor of an SPD matrix, with a clear error otherwise."""
        d = S.shape[0]
        ev = np.linalg.eigvalsh(S)
        if not np.all(np.isfinite(ev)) or ev[0] <= ev[-1] * d * 1e-13 or ev[-1] <= 0:
            rank = int(np.sum(ev > max(ev[-1], 0) * d * 1e-13))
            raise ValueError(
                f"The {what} is singular or not positive definite (numerical rank "
                f"{rank} of {d}; smallest eigenvalue {ev[0]:.3g}). With "
                "standardize='full' this happens when n_samples <= n_features or "
                "features are collinear: use standardize='diagonal', reduce the "
                "dimension, or pass a numeric bandwidth."
            )
        return linalg.cholesky(S, lower=True)

    def _user_bandwidth(self, d):
        """Kernel covariance from a numeric ``bandwidth`` (data units)."""
        bw = self.bandwidth
        if isinstance(bw, bool | np.bool_):
            raise TypeError(
                f"bandwidth must be a positive float, an array or one of "
                f"{sorted(_SELECTORS)}. Got {bw!r} instead."
            )
        arr = np.asarray(bw)
        if arr.dtype.kind not in "iuf":
            raise TypeError(
                f"bandwidth must be a positive float, an array or one of "
                f"{sorted(_SELECTORS)}. Got {bw!r} instead."
            )
        arr = arr.astype(np.float64)
        if not np.all(np.isfinite(arr)):
            raise ValueError(
                f"bandwidth must be finite; got NaN or inf in {bw!r} instead."
            )
        if arr.ndim == 0:
            if arr <= 0:
                raise ValueError(
                    f"bandwidth must be a positive float. Got {bw!r} instead."
                )
            return float(arr), float(arr) ** 2 * np.eye(d)
        if arr.ndim == 1:
            if arr.shape[0] != d:
                raise ValueError(
                    f"bandwidth as a vector needs n_features = {d} entries (one "
                    f"standard deviation per feature); got {arr.shape[0]}."
                )
            if np.any(arr <= 0):
                raise ValueError(
                    "bandwidth entries must be positive standard deviations; got "
                    f"min {arr.min():g} instead."
                )
            return arr.copy(), np.diag(arr**2)
        if arr.ndim == 2:
            if arr.shape != (d, d):
                raise ValueError(
                    f"bandwidth as a matrix must be the ({d}, {d}) kernel "
                    f"covariance; got shape {arr.shape}."
                )
            if not np.allclose(arr, arr.T, rtol=1e-10, atol=0):
                raise ValueError("bandwidth as a matrix must be symmetric.")
            return arr.copy(), 0.5 * (arr + arr.T)
        raise ValueError(
            f"bandwidth must be a float, a vector or a matrix; got an array with "
            f"{arr.ndim} dimensions."
        )

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Store the data, choose the bandwidth and whiten once.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (not modified).
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero (normalised to sum 1;
            zero-weight points are dropped).

        Returns
        -------
        self : HighDimKDE
            The fitted estimator.
        """
        dt = self._compute_dtype()
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=1)
        n, d = X.shape
        if sample_weight is None:
            w = np.ones(n)
        else:
            w = check_1d(sample_weight, name="sample_weight")
            if w.shape[0] != n:
                raise ValueError(
                    f"sample_weight has {w.shape[0]} entries but X has {n} samples."
                )
            if np.any(w < 0):
                raise ValueError(
                    f"sample_weight must be non-negative; got min {w.min():g} instead."
                )
            if not np.any(w > 0):
                raise ValueError("sample_weight must not be all zero.")
            keep = w > 0
            X, w = X[keep], w[keep]
            n = X.shape[0]
        w = w / w.sum()
        n_eff = float(1.0 / np.sum(w * w))
        self.n_eff_ = n_eff
        self.alpha_ = float(np.log(n_eff) / d) if n_eff > 1 else float("nan")
        self.location_ = w @ X
        Xc = X - self.location_
        self.cv_results_ = None

        selector = self.bandwidth if isinstance(self.bandwidth, str) else None
        if selector is not None:
            if n_eff <= 1.0 + 1e-12:
                raise ValueError(
                    f"The bandwidth selector {selector!r} needs at least 2 samples "
                    "with positive weight; got 1 sample."
                )
            S = self._data_scale(Xc, w, n_eff)
            L_S = self._chol(S, "data covariance")
            h = self._select(selector, Xc, w, n_eff, L_S, dt)
            H = h * h * S
            self.bandwidth_whitened_ = float(h)
            if self.standardize == "none":
                self.bandwidth_ = float(h)
            elif self.standardize == "diagonal":
                self.bandwidth_ = h * np.sqrt(np.diag(S))
            else:
                self.bandwidth_ = H
            L = h * L_S
        else:
            self.bandwidth_, H = self._user_bandwidth(d)
            L = self._chol(H, "bandwidth matrix")
            try:
                if n_eff <= 1.0 + 1e-12 and self.standardize != "none":
                    raise ValueError
                S = self._data_scale(Xc, w, n_eff)
                _, ld_s = np.linalg.slogdet(S)
                ld_h = 2.0 * np.sum(np.log(np.diag(L)))
                hw = float(np.exp((ld_h - ld_s) / (2.0 * d)))
                self.bandwidth_whitened_ = hw if np.isfinite(hw) else float("nan")
            except ValueError:
                self.bandwidth_whitened_ = float("nan")
        self.kernel_covariance_ = H
        self._L = L
        self._log_norm = -0.5 * d * _LOG_2PI - float(np.sum(np.log(np.diag(L))))
        Yw = linalg.solve_triangular(L, Xc.T, lower=True).T
        self._Yw = np.ascontiguousarray(Yw, dtype=dt)
        self._yy = np.einsum("ij,ij->i", self._Yw, self._Yw, dtype=np.float64)
        self._logw = np.log(w)
        self._w = w
        return self

    # ------------------------------------------------------------ selectors
    def _loo_queries(self, n, rng):
        if n <= self.max_samples:
            return np.arange(n, dtype=np.int64)
        return np.sort(rng.choice(n, size=self.max_samples, replace=False)).astype(
            np.int64
        )

    def _select(self, selector, Xc, w, n_eff, L_S, dt):
        n, d = Xc.shape
        if selector == "scott":
            return n_eff ** (-1.0 / (d + 4))
        if selector == "silverman":
            return (n_eff * (d + 2) / 4.0) ** (-1.0 / (d + 4))
        if selector == "normal_reference":
            return 1.06 * n_eff ** (-1.0 / (d + 4))
        if selector == "kl_gauss":
            return float(theory.h_kl(np.log(n_eff) / d))
        from ._engine import run_tiles

        Z = np.ascontiguousarray(linalg.solve_triangular(L_S, Xc.T, lower=True).T)
        Zc = Z.astype(dt)
        zz = np.einsum("ij,ij->i", Zc, Zc, dtype=np.float64)
        rng = check_random_state(self.random_state)
        idx = self._loo_queries(n, rng)
        dmin = run_tiles(
            Zc[idx], Zc, zz, np.zeros(n), mode="nn", self_idx=idx, n_jobs=self.n_jobs
        )["dmin"]
        h_nn2 = _weighted_median(dmin, w[idx]) / d
        if selector == "kl_nn":
            if not h_nn2 > 0:
                raise ValueError(
                    "The 'kl_nn' bandwidth is 0: more than half of the points "
                    "have an exact duplicate. Remove duplicates or pass another "
                    "bandwidth."
                )
            return float(np.sqrt(h_nn2))
        return self._lcv(Z, zz, w, idx, h_nn2, n_eff, dt)

    def _lcv(self, Z, zz, w, idx, h_nn2, n_eff, dt):
        from scipy.optimize import minimize_scalar

        from ._engine import run_tiles

        d = Z.shape[1]
        logw = np.log(w)
        # leave-one-out: renormalise the remaining weights
        wq = w[idx]
        log_renorm = -np.log1p(-np.minimum(wq, 1.0 - 1e-16))
        h_ref = n_eff ** (-1.0 / (d + 4))
        h_nn = np.sqrt(h_nn2) if h_nn2 > 0 else h_ref
        lo = np.log(min(h_nn, h_ref) / 4.0)
        hi = np.log(max(h_nn, h_ref) * 4.0)
        hs, lls = [], []

        def negll(logh):
            h = float(np.exp(logh))
            Zh = (Z / h).astype(dt)
            yy = zz / (h * h)
            lse = run_tiles(
                Zh[idx], Zh, yy, logw, mode="lse", self_idx=idx, n_jobs=self.n_jobs
            )["lse"]
            ll = lse + log_renorm - 0.5 * d * _LOG_2PI - d * np.log(h)
            val = float(np.sum(wq * ll) / np.sum(wq))
            hs.append(h)
            lls.append(val)
            return -val if np.isfinite(val) else np.inf

        res = minimize_scalar(
            negll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-3}
        )
        order = np.argsort(hs)
        self.cv_results_ = {
            "bandwidth": np.asarray(hs)[order],
            "loo_log_likelihood": np.asarray(lls)[order],
        }
        h = float(np.exp(res.x))
        if res.x - lo < 1e-2 or hi - res.x < 1e-2:
            warnings.warn(
                f"The likelihood cross-validation optimum h = {h:.4g} is at the edge "
                "of the search interval; the leave-one-out likelihood may be "
                "unbounded (duplicated points) or flat.",
                KDERegimeWarning,
                stacklevel=4,
            )
        return h

    # ---------------------------------------------------------------- score
    def _whiten(self, X):
        Xw = linalg.solve_triangular(self._L, (X - self.location_).T, lower=True).T
        return np.ascontiguousarray(Xw, dtype=self._Yw.dtype)

    def score_samples(self, X):
        """Log-density of the estimate at each row of ``X``.

        Exact (no tree approximation) and computed in log space, so it never
        underflows: at d = 1,000 the log-density is about -1,400 where a
        density would be 0.

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_queries, n_features)
            Query points. A Dask array is scored lazily block by block (one
            row chunk per task) and a Dask array is returned.

        Returns
        -------
        log_density : ndarray or dask.array.Array of shape (n_queries,)
            ``log rho(x)``.
        """
        from .._parallel import check_dask_array, is_dask_array, map_row_blocks
        from ._engine import run_tiles

        check_is_fitted(self)
        if is_dask_array(X):
            check_dask_array(X, n_features=self.n_features_in_, estimator=self)
            return map_row_blocks(self.score_samples, X)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        Xw = self._whiten(X)
        lse = run_tiles(Xw, self._Yw, self._yy, self._logw, n_jobs=self.n_jobs)["lse"]
        return lse + self._log_norm

    def score_samples_loo(self):
        """Leave-one-out log-density at each training point.

        ``log rho_{-j}(y_j)``: training point ``j`` is removed from its own
        sum (the self-term is set to ``-inf``, not subtracted, so nothing
        cancels) and the remaining weights are renormalised. This is what
        ``bandwidth="lcv"`` maximises; without removing the self-term the
        likelihood grows without bound as ``h -> 0``.

        Returns
        -------
        log_density : ndarray of shape (n_samples_kept,)
            One value per training point with positive weight, in the order
            of the training data.

        Examples
        --------
        >>> import numpy as np
        >>> from statnorm.kde import HighDimKDE
        >>> X = np.random.default_rng(0).standard_normal((500, 5))
        >>> kde = HighDimKDE(bandwidth=0.5).fit(X)
        >>> bool(kde.score_samples_loo().mean() < kde.score_samples(X).mean())
        True
        """
        from ._engine import run_tiles

        check_is_fitted(self)
        n = self._Yw.shape[0]
        idx = np.arange(n, dtype=np.int64)
        lse = run_tiles(
            self._Yw, self._Yw, self._yy, self._logw, self_idx=idx, n_jobs=self.n_jobs
        )["lse"]
        with np.errstate(divide="ignore"):
            renorm = -np.log1p(-np.minimum(self._w, 1.0))
        return lse + renorm + self._log_norm

    def score(self, X, y=None):
        """Total log-likelihood of ``X`` under the estimate.

        Higher is better, so ``GridSearchCV`` can tune ``bandwidth`` with it.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            Held-out data.
        y : None
            Ignored.

        Returns
        -------
        log_likelihood : float
            ``sum_j log rho(x_j)``.
        """
        return float(np.sum(self.score_samples(X)))

    def sample(self, n_samples=1, random_state=None):
        """Draw samples from the estimate.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.
        random_state : int, RandomState instance or None, default=None
            Seed.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Samples: a data point drawn with its weight plus kernel noise.
        """
        check_is_fitted(self)
        if (
            isinstance(n_samples, bool)
            or not isinstance(n_samples, Integral)
            or n_samples < 1
        ):
            raise ValueError(
                f"n_samples must be a positive int. Got {n_samples!r} instead."
            )
        rng = check_random_state(random_state)
        n, d = self._Yw.shape
        idx = rng.choice(n, size=int(n_samples), p=self._w)
        Z = self._Yw[idx].astype(np.float64) + rng.standard_normal((n_samples, d))
        return self.location_ + Z @ self._L.T

    # ------------------------------------------------------------ diagnose
    def regime_report(
        self, X_query=None, *, n_query=200, k=5, random_state=None, warn=True
    ):
        """Diagnose the statistical regime of this fit.

        For each query it measures the effective number of contributing data
        points ``N_eff = 1 / sum_i w_i(x)^2`` (``w_i(x)`` the normalised
        kernel weights), the largest weight, and a local stable index
        ``mu_hat`` from a Hill estimate on the ``k + 1`` nearest squared
        distances (``mu_hat = 2 h^2 lambda_hat``). It also reports the
        Gaussian-reference thresholds of :mod:`statnorm.kde.theory` at
        ``alpha_`` (exact only as ``d -> inf`` for whitened Gaussian data).

        Parameters
        ----------
        X_query : array-like of shape (m, n_features), default=None
            Query points. Default: ``n_query`` training points drawn with
            ``random_state``, each left out of its own sum.
        n_query : int, default=200
            Number of training points used when ``X_query`` is None.
        k : int, default=5
            Hill order (larger ``k`` biases ``mu_hat`` low).
        random_state : int, RandomState instance or None, default=None
            Seeds the choice of training points.
        warn : bool, default=True
            Emit a :class:`KDERegimeWarning` when the median ``mu_hat`` is
            below 2, where variance-based error bars are meaningless.

        Returns
        -------
        report : KDERegimeReport
            Frozen dataclass; ``print(report)`` shows a summary table.
        """
        from ._engine import run_tiles

        check_is_fitted(self)
        if isinstance(k, bool) or not isinstance(k, Integral) or k < 1:
            raise ValueError(f"k must be a positive int. Got {k!r} instead.")
        if (
            isinstance(n_query, bool)
            or not isinstance(n_query, Integral)
            or n_query < 1
        ):
            raise ValueError(
                f"n_query must be a positive int. Got {n_query!r} instead."
            )
        n, d = self._Yw.shape
        if X_query is None:
            if n < k + 2:
                raise ValueError(
                    f"regime_report needs at least k + 2 = {k + 2} training points; "
                    f"got {n}."
                )
            rng = check_random_state(random_state)
            idx = np.sort(rng.choice(n, size=min(int(n_query), n), replace=False))
            Xw = self._Yw[idx]
            self_idx = idx.astype(np.int64)
            leave_out = True
        else:
            X = validate_data(
                self, X_query, dtype=np.float64, reset=False, name="X_query"
            )
            if n < k + 1:
                raise ValueError(
                    f"regime_report needs at least k + 1 = {k + 1} training points; "
                    f"got {n}."
                )
            Xw = self._whiten(X)
            self_idx = None
            leave_out = False
        out = run_tiles(
            Xw,
            self._Yw,
            self._yy,
            self._logw,
            mode="diag",
            self_idx=self_idx,
            k=int(k),
            n_jobs=self.n_jobs,
        )
        lse, lse2 = out["lse"], out["lse2"]
        n_eff_q = np.exp(2.0 * lse - lse2)
        max_w = np.exp(out["amax"] - lse)
        knn = out["knn"]
        spacing = np.mean(knn[:, -1:] - knn[:, :-1], axis=1)
        with np.errstate(divide="ignore"):
            mu_hat = 2.0 / spacing  # whitened units: beta = 1/2
        hw = self.bandwidth_whitened_
        a = self.alpha_
        if np.isfinite(a) and a > 0 and np.isfinite(hw):
            h_g, h_c, h_k = (
                float(theory.h_glass(a)),
                float(theory.h_clt(a)),
                float(theory.h_kl(a)),
            )
            mu = float(theory.stable_index(hw, a))
            reg_g = str(theory.regime(hw, a))
        else:
            h_g = h_c = h_k = mu = float("nan")
            reg_g = "unknown"
        med_mu = float(np.median(mu_hat))
        reg = "clt" if med_mu >= 2 else ("stable" if med_mu >= 1 else "extreme")
        report = KDERegimeReport(
            regime=reg,
            mu_hat=med_mu,
            n_eff_median=float(np.median(n_eff_q)),
            max_weight_median=float(np.median(max_w)),
            bandwidth_whitened=hw,
            alpha=a,
            n_features=d,
            n_eff_data=self.n_eff_,
            h_G=h_g,
            h_CLT=h_c,
            h_KL=h_k,
            mu=mu,
            regime_gaussian=reg_g,
            h_G_hat=float(hw / np.sqrt(med_mu)) if med_mu > 0 else float("nan"),
            leave_one_out=leave_out,
            k=int(k),
            n_eff_query=n_eff_q,
            max_weight=max_w,
            mu_hat_query=mu_hat,
        )
        if warn and med_mu < 2:
            warnings.warn(report.warning, KDERegimeWarning, stacklevel=2)
        return report

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
