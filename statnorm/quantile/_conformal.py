"""Conformal calibration of every central interval of a quantile fan."""

import math
import warnings
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin
from sklearn.model_selection import KFold
from sklearn.utils.validation import check_is_fitted

from .._parallel import check_dask_array, is_dask_array, map_row_blocks
from .._validation import (
    RANDOM_STATE,
    HasMethods,
    Interval,
    StrOptions,
    check_random_state,
    fit_context,
    validate_data,
)
from ..exceptions import StatnormWarning
from ._aggregate import DEFAULT_QUANTILES
from ._base import QuantileFan, quantile_strategy
from ._metrics import apply_monotone, pinball_loss
from ._utils import central_pairs, check_quantiles, is_scalar_level


def _default_estimator():
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(loss="quantile", max_iter=100)


def _rank(level, n):
    """1-based rank ceil(level * (n + 1)); > n means an infinite bound."""
    return math.ceil(level * (n + 1) - 1e-12)


def _kth(scores, r):
    """r-th smallest score (1-based), +inf when r > n."""
    if r > scores.shape[-1]:
        return np.inf
    return np.partition(scores, r - 1, axis=-1)[..., r - 1]


def _plan(tau, method):
    """Per output column: (kind, partner/level data).

    Returns a list of adjustments ``(cols, side, level)``: ``side`` is +1 for an
    upper end point, -1 for a lower one; ``cols`` is (lo, hi) for a symmetric
    pair (one shared score) or (k,) for a single level; ``level`` is the
    coverage level of the order statistic.
    """
    plan = []
    if method == "symmetric":
        lo, hi, alphas, _ = central_pairs(tau)
        for a, b, al in zip(lo, hi, alphas):
            plan.append(((int(a), int(b)), 0, 1.0 - al))
    else:
        for k, t in enumerate(tau):
            if t > 0.5:
                plan.append(((k,), +1, t))
            elif t < 0.5:
                plan.append(((k,), -1, 1.0 - t))
    return plan


def _scores(Q, y, cols, side):
    if side == 0:
        return np.maximum(Q[:, cols[0]] - y, y - Q[:, cols[1]])
    if side > 0:
        return y - Q[:, cols[0]]
    return Q[:, cols[0]] - y


class ConformalQuantileRegressor(MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Conformalised quantile regression of a whole quantile fan (CQR, CV+).

    Every central interval ``[q_tau, q_{1-tau}]`` of the wrapped model's fan is
    calibrated on held-out residuals (Romano, Patterson & Candès 2019), so that
    for exchangeable data it covers a new ``y`` with probability at least its
    nominal level ``1 - 2 tau`` (split), or ``1 - 4 tau`` up to a small term
    (CV+, Barber et al. 2021). The adjusted fan is then made non-crossing by a
    min-max sweep that only widens intervals, so each guarantee survives.

    Read more in :doc:`/methods/quantile`.

    Parameters
    ----------
    estimator : estimator, default=None
        Any quantile model accepted by :class:`QuantileAggregator` (including a
        ``QuantileAggregator``). Default:
        ``HistGradientBoostingRegressor(loss="quantile")``.
    quantiles : array-like of float, default=(0.1, 0.2, ..., 0.9)
        Increasing levels in (0, 1); for ``method="symmetric"`` they must be
        symmetric about 0.5. The level 0.5 (if present) is not adjusted.
    method : {"symmetric", "asymmetric"}, default="symmetric"
        ``"symmetric"``: one score ``max(l - y, y - u)`` per interval, shifted by
        its ``ceil((1 - alpha)(n + 1))``-th order statistic (coverage between
        ``1 - alpha`` and ``1 - alpha + 1/(n + 1)``). ``"asymmetric"``: each
        level ``tau > 0.5`` is moved by the ``ceil(tau (n + 1))``-th order
        statistic of ``y - q_tau`` (and symmetrically below 0.5), which also
        calibrates each one-sided quantile.
    cv : {"split", "cv+"}, default="split"
        Split conformal on a held-out calibration set, or CV+ over ``n_folds``
        folds (uses every row for fitting and calibration; ``n_folds`` models).
    n_folds : int, default=5
        Folds for ``cv="cv+"``.
    calibration_size : float, default=0.25
        Share of rows held out for calibration with ``cv="split"``.
    monotone : {"minmax", "sort", "isotonic"} or None, default="minmax"
        Non-crossing post-processing of the calibrated fan. ``"minmax"`` only
        widens central intervals and keeps the coverage guarantee; sort and
        isotonic keep the pinball-loss guarantee instead.
    n_jobs : int or None, default=None
        Parallel fold fits for CV+ (joblib).
    random_state : int, RandomState instance or None, default=None
        Calibration split or folds.

    Attributes
    ----------
    estimator_ : QuantileFan-like
        The fitted model(s) behind the fan (split: one, CV+: ``fold_models_``).
    quantiles_ : ndarray of shape (n_quantiles,)
        Validated levels.
    shifts_ : ndarray of shape (n_quantiles,)
        Split only: amount added to each level (negative below the median);
        ``-inf``/``+inf`` when the calibration set is too small for a level.
    n_calibration_ : int
        Number of calibration scores.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit`` (string column names only).

    Warns
    -----
    StatnormWarning
        If ``ceil(level (n + 1)) > n`` for a level: that bound is infinite, as
        the finite-sample guarantee requires (it is never clamped).

    References
    ----------
    .. [1] Romano, Patterson & Candès (2019), "Conformalized quantile
       regression", NeurIPS.
    .. [2] Barber, Candès, Ramdas & Tibshirani (2021), "Predictive inference
       with the jackknife+", Ann. Statist.
    .. [3] Fakoor et al. (2023), "Flexible model aggregation for quantile
       regression", JMLR 24(162).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import QuantileRegressor
    >>> from statnorm.quantile import ConformalQuantileRegressor, central_intervals
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(size=(400, 1))
    >>> y = X[:, 0] + rng.normal(size=400)
    >>> cqr = ConformalQuantileRegressor(QuantileRegressor(alpha=0.0),
    ...                                  quantiles=[0.1, 0.5, 0.9],
    ...                                  random_state=0).fit(X, y)
    >>> alphas, lo, hi = central_intervals(cqr.predict(X), cqr.quantiles_)
    >>> alphas
    array([0.2])
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "quantiles": ["array-like"],
        "method": [StrOptions({"symmetric", "asymmetric"})],
        "cv": [StrOptions({"split", "cv+"})],
        "n_folds": [Interval(Integral, 2, None, closed="left")],
        "calibration_size": [Interval(Real, 0, 1, closed="neither")],
        "monotone": [StrOptions({"minmax", "sort", "isotonic"}), None],
        "n_jobs": [Integral, None],
        "random_state": RANDOM_STATE,
    }

    def __init__(
        self,
        estimator=None,
        *,
        quantiles=DEFAULT_QUANTILES,
        method="symmetric",
        cv="split",
        n_folds=5,
        calibration_size=0.25,
        monotone="minmax",
        n_jobs=None,
        random_state=None,
    ):
        self.estimator = estimator
        self.quantiles = quantiles
        self.method = method
        self.cv = cv
        self.n_folds = n_folds
        self.calibration_size = calibration_size
        self.monotone = monotone
        self.n_jobs = n_jobs
        self.random_state = random_state

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the quantile model(s) and the conformal corrections.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features (not modified).
        y : array-like of shape (n_samples,)
            Training targets (not modified).

        Returns
        -------
        self : ConformalQuantileRegressor
            Fitted estimator.
        """
        tau = check_quantiles(self.quantiles)
        est = _default_estimator() if self.estimator is None else self.estimator
        quantile_strategy(est, "estimator")
        plan = _plan(tau, self.method)
        X, y = validate_data(
            self, X, y, dtype=np.float64, y_numeric=True, ensure_min_samples=2
        )
        rs = check_random_state(self.random_state)
        n = X.shape[0]
        self.quantiles_ = tau
        self.plan_ = plan
        if self.cv == "split":
            n_cal = round(self.calibration_size * n)
            if n_cal < 1 or n - n_cal < 2:
                raise ValueError(
                    f"calibration_size={self.calibration_size} leaves {n_cal} "
                    f"calibration and {n - n_cal} training sample(s) out of {n}; "
                    "need at least 1 and 2."
                )
            perm = rs.permutation(n)
            cal, tr = perm[:n_cal], perm[n_cal:]
            self.estimator_ = QuantileFan(est, tau).fit(X[tr], y[tr])
            Qc = self.estimator_.predict(X[cal])
            shifts = np.zeros(tau.size)
            for cols, side, level in plan:
                c = _kth(_scores(Qc, y[cal], cols, side), _rank(level, n_cal))
                if side == 0:
                    shifts[cols[0]], shifts[cols[1]] = -c, c
                else:
                    shifts[cols[0]] = side * c
            self.shifts_ = shifts
            self.n_calibration_ = n_cal
        else:
            if n < self.n_folds:
                raise ValueError(
                    f"n_folds={self.n_folds} folds need at least {self.n_folds} "
                    f"samples; got {n} sample(s)."
                )
            folds = list(
                KFold(
                    self.n_folds, shuffle=True, random_state=rs.randint(2**31 - 1)
                ).split(X)
            )
            fans = Parallel(n_jobs=self.n_jobs)(
                delayed(QuantileFan(est, tau).fit)(X[tr], y[tr]) for tr, _ in folds
            )
            fold_of = np.empty(n, dtype=np.intp)
            Qoof = np.empty((n, tau.size))
            for k, (_, te) in enumerate(folds):
                fold_of[te] = k
                Qoof[te] = fans[k].predict(X[te])
            self.fold_models_ = fans
            self.estimator_ = fans
            self.fold_of_ = fold_of
            self.scores_ = [_scores(Qoof, y, cols, side) for cols, side, _ in plan]
            self.n_calibration_ = n
        self._warn_infinite(plan, self.n_calibration_)
        return self

    def _warn_infinite(self, plan, n):
        bad = [lvl for _, _, lvl in plan if _rank(lvl, n) > n]
        if bad:
            warnings.warn(
                f"{n} calibration score(s) are too few for level(s) "
                f"{sorted({round(b, 6) for b in bad})}: ceil(level * (n + 1)) > n, so "
                "those bounds are infinite (the guarantee allows nothing smaller). "
                "Use more calibration data or less extreme levels.",
                StatnormWarning,
                stacklevel=3,
            )

    def predict(self, X):
        """Calibrated, non-crossing quantile fan.

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)
            Features. A Dask array is predicted lazily block by block and a
            Dask array is returned.

        Returns
        -------
        Q : ndarray of shape (n_samples, n_quantiles), or (n_samples,) when
            ``quantiles`` is a single float
            Calibrated quantiles; central interval ``[Q[:, k], Q[:, m-1-k]]``
            has coverage at least ``1 - 2 tau_k``.
        """
        check_is_fitted(self)
        if is_dask_array(X):
            check_dask_array(X, n_features=self.n_features_in_, estimator=self)
            n_out = None if is_scalar_level(self.quantiles) else self.quantiles_.size
            return map_row_blocks(self.predict, X, n_outputs=n_out)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        if self.cv == "split":
            Q = self.estimator_.predict(X) + self.shifts_
        else:
            Q = self._predict_cvplus(X)
        if self.monotone is not None and Q.shape[1] > 1:
            m = Q.shape[1]
            center = int(np.argmin(np.abs(self.quantiles_ - 0.5)))
            if self.quantiles_[center] < 0.5 and center + 1 < m:
                center += 1
            Q = apply_monotone(Q, self.monotone, center, self.n_jobs)
        return Q[:, 0] if is_scalar_level(self.quantiles) else Q

    def _predict_cvplus(self, X):
        n = self.fold_of_.size
        Qk = np.stack([f.predict(X) for f in self.fold_models_])  # (K, nt, m)
        nt = X.shape[0]
        # every level starts at the mean over calibration rows of q^{-k(i)}(x)
        counts = np.bincount(self.fold_of_, minlength=Qk.shape[0]) / n
        Q = np.einsum("k,kim->im", counts, Qk)
        block = max(1, 2_000_000 // max(n, 1))
        for (cols, side, level), s in zip(self.plan_, self.scores_):
            r = _rank(level, n)
            targets = [(cols[1], +1), (cols[0], -1)] if side == 0 else [(cols[0], side)]
            for col, sgn in targets:
                for a in range(0, nt, block):
                    b = min(nt, a + block)
                    V = Qk[self.fold_of_, a:b, col].T  # (rows, n)
                    # upper: r-th smallest of q + s; lower: -(r-th smallest of -q + s)
                    Q[a:b, col] = sgn * _kth(sgn * V + s, r)
        return Q

    def score(self, X, y):
        """Negative mean pinball loss of the calibrated fan (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Targets.
        Returns
        -------
        score : float
            ``-pinball_loss(y, self.predict(X), self.quantiles_)``; infinite
            bounds give ``-inf``.
        """
        Q = self.predict(X)
        Q = Q.reshape(len(Q), -1)
        if not np.isfinite(Q).all():
            return -np.inf
        return -pinball_loss(y, Q, self.quantiles_)
