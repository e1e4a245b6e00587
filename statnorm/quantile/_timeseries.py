"""Adaptive conformal inference for time series (Gibbs & Candès, NeurIPS 2021)."""

import bisect
import math
import warnings
from collections import deque
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

from .._validation import (
    RANDOM_STATE,
    HasMethods,
    Interval,
    StrOptions,
    check_1d,
    check_random_state,
    fit_context,
    validate_data,
)
from ..exceptions import StatnormWarning
from ._base import QuantileFan, quantile_strategy
from ._conformal import _default_estimator, _FrozenFan, _is_frozen, _rank


def _quantile_of_window(sorted_scores, alpha_t):
    """The ACI radius at miscoverage level ``alpha_t`` from sorted scores.

    The ``ceil((1 - alpha_t)(n + 1))``-th smallest score; ``+inf`` when that
    rank exceeds ``n`` (always when ``alpha_t <= 0``: the whole real line),
    ``-inf`` when it is below 1 (``alpha_t >= 1``: the empty set), as
    Gibbs & Candès (2021, Sec. 2) define the sets outside (0, 1).
    """
    n = len(sorted_scores)
    if alpha_t <= 0.0:
        return math.inf
    if alpha_t >= 1.0:
        return -math.inf
    r = _rank(1.0 - alpha_t, n)
    if r > n:
        return math.inf
    if r < 1:
        return -math.inf
    return sorted_scores[r - 1]


class _OnlineConformal(MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Online state and predictions shared by ACI and EnbPI (internal)."""

    def _start(self, model, kind, scores, n_cal):
        """Check the first window and write the fitted state (end of fit)."""
        window = len(scores) if self.window is None else int(self.window)
        scores = scores[-window:]
        alpha = 1.0 - float(self.confidence_level)
        if _rank(1.0 - alpha, len(scores)) > len(scores):
            msg = (
                f"{len(scores)} calibration score(s) are too few for "
                f"confidence_level={self.confidence_level}: ceil(level * (n + 1)) "
                "> n, so the intervals start infinite."
            )
            if not self.allow_infinite_bounds:
                raise ValueError(
                    msg + " Use more calibration data, a lower level, or "
                    "allow_infinite_bounds=True."
                )
            warnings.warn(msg, StatnormWarning, stacklevel=4)
        self.estimator_ = model
        self.conformity_score_ = kind
        self.window_ = window
        self.n_calibration_ = n_cal
        self.scores_ = scores
        self.alpha_t_ = alpha
        self.alpha_path_ = np.array([alpha])
        self.errors_ = np.zeros(0)
        self.n_updates_ = 0

    @staticmethod
    def _base(model, kind, X):
        """Base predictions: (n, 2) lower/upper quantiles or (n,) points."""
        P = np.asarray(model.predict(X), dtype=np.float64)
        if kind == "cqr":
            return P.reshape(len(X), 2)
        if P.shape not in ((len(X),), (len(X), 1)):
            raise ValueError(
                f"estimator predicts shape {P.shape}; conformity_score='absolute' "
                f"needs one value per row, ({len(X)},)."
            )
        return P.reshape(-1)

    @staticmethod
    def _scores(kind, P, y):
        if kind == "cqr":
            return np.maximum(P[:, 0] - y, y - P[:, 1])
        return np.abs(y - P)

    @staticmethod
    def _bounds(kind, P, q):
        """Lower and upper bounds at radius ``q`` (rows of P)."""
        if kind == "cqr":
            lo, hi = P[..., 0], P[..., 1]
        else:
            lo = hi = P
        with np.errstate(invalid="ignore"):
            return lo - q, hi + q

    @staticmethod
    def _point(kind, P):
        return 0.5 * (P[:, 0] + P[:, 1]) if kind == "cqr" else P

    def _check_finite(self, q, where):
        if not self.allow_infinite_bounds and not np.all(np.isfinite(q)):
            raise ValueError(
                f"{where}: alpha_t <= 0 or too few scores in the window make this "
                "ACI interval infinite (part of the method: it keeps the "
                "long-run guarantee). Pass allow_infinite_bounds=True to get "
                "infinite bounds."
            )

    def _run(self, P, y):
        """The online loop over new rows; returns the new state and the path."""
        kind = self.conformity_score_
        alpha = 1.0 - float(self.confidence_level)
        gamma = float(self.gamma)
        new_scores = self._scores(kind, P, y)
        order = deque(self.scores_.tolist())
        srt = sorted(order)
        cap = self.window_
        a_t = float(self.alpha_t_)
        n = len(y)
        alphas = np.empty(n)
        qs = np.empty(n)
        errs = np.empty(n)
        for t in range(n):
            q = _quantile_of_window(srt, a_t)
            s = float(new_scores[t])
            # y_t lies in the (closed) interval iff its score is at most q
            err = 0.0 if s <= q else 1.0
            alphas[t], qs[t], errs[t] = a_t, q, err
            a_t = a_t + gamma * (alpha - err)
            bisect.insort(srt, s)
            order.append(s)
            if len(order) > cap:
                old = order.popleft()
                del srt[bisect.bisect_left(srt, old)]
        return np.asarray(order, dtype=np.float64), a_t, alphas, qs, errs

    def _validated(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64, reset=False)
        if y is None:
            return X, None
        y = check_1d(y, name="y")
        if len(y) != len(X):
            raise ValueError(
                f"X and y: Found input variables with inconsistent numbers of "
                f"samples: [{len(X)}, {len(y)}]."
            )
        return X, y

    def _store(self, scores, a_t, alphas, errs):
        # rebinding only (never in place), all at the end
        n = len(errs)
        self.scores_ = scores
        self.alpha_t_ = a_t
        self.alpha_path_ = np.concatenate([self.alpha_path_, alphas[1:], [a_t]])
        self.errors_ = np.concatenate([self.errors_, errs])
        self.n_updates_ = self.n_updates_ + n

    # ---------------------------------------------------------- online API
    @fit_context(prefer_skip_nested_validation=False)
    def partial_fit(self, X, y):
        """Feed observed outcomes: update ``alpha_t`` and the score window.

        Before :meth:`fit`, the same as :meth:`fit`. After it, each row (in
        time order) is scored against the interval it would have had, then
        ``alpha_t`` moves by ``gamma (alpha - err_t)`` and the row's score
        enters the window (the oldest leaves). The model is not refitted.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features of the new rows, in time order.
        y : array-like of shape (n_samples,)
            Their observed outcomes.

        Returns
        -------
        self : object
        """
        if not hasattr(self, "estimator_"):
            return self.fit.__wrapped__(self, X, y)
        X, y = self._validated(X, y)
        P = self._base(self.estimator_, self.conformity_score_, X)
        scores, a_t, alphas, _, errs = self._run(P, y)
        self._store(scores, a_t, alphas, errs)
        return self

    def update(self, X, y):
        """MAPIE's name for :meth:`partial_fit` on a fitted model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features of the new rows, in time order.
        y : array-like of shape (n_samples,)
            Their observed outcomes.

        Returns
        -------
        self : object
        """
        check_is_fitted(self)
        return self.partial_fit(X, y)

    def predict(self, X):
        """Point predictions (the midpoint of the quantile pair for CQR).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X, _ = self._validated(X)
        kind = self.conformity_score_
        return self._point(kind, self._base(self.estimator_, kind, X))

    def predict_interval(self, X):
        """Intervals at the current level ``1 - alpha_t``, shaped as MAPIE's.

        Every row gets the interval of the current state (as if it were the
        next time step); use :meth:`predict_update` to run the online loop.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Point predictions.
        y_pis : ndarray of shape (n_samples, 2, 1)
            ``[:, 0, 0]`` lower and ``[:, 1, 0]`` upper bounds.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from statnorm.quantile import AdaptiveConformalRegressor
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(200, 1))
        >>> y = X[:, 0] + rng.normal(size=200)
        >>> aci = AdaptiveConformalRegressor(LinearRegression()).fit(X, y)
        >>> y_pred, y_pis = aci.predict_interval(X[:3])
        >>> y_pis.shape
        (3, 2, 1)
        """
        check_is_fitted(self)
        X, _ = self._validated(X)
        kind = self.conformity_score_
        P = self._base(self.estimator_, kind, X)
        q = _quantile_of_window(np.sort(self.scores_), float(self.alpha_t_))
        self._check_finite(q, "predict_interval")
        lo, hi = self._bounds(kind, P, q)
        return self._point(kind, P), np.stack([lo, hi], axis=1)[:, :, None]

    def predict_update(self, X, y):
        """Run the online loop over a series: intervals, then updates.

        For each row in time order: its interval at the current level
        ``1 - alpha_t``, then the update with its outcome (as
        :meth:`partial_fit`). The intervals are those a forecaster would
        have issued one step ahead.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features, in time order.
        y : array-like of shape (n_samples,)
            Outcomes, in time order.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Point predictions.
        y_pis : ndarray of shape (n_samples, 2, 1)
            One-step-ahead intervals, MAPIE's layout.
        alphas : ndarray of shape (n_samples,)
            ``alpha_t`` each interval used.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from statnorm.quantile import AdaptiveConformalRegressor
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(300, 1))
        >>> y = X[:, 0] + rng.normal(size=300)
        >>> aci = AdaptiveConformalRegressor(LinearRegression(), gamma=0.01)
        >>> _ = aci.fit(X[:100], y[:100])
        >>> y_pred, y_pis, alphas = aci.predict_update(X[100:], y[100:])
        >>> float(alphas[0]), aci.n_updates_
        (0.1, 200)
        """
        check_is_fitted(self)
        X, y = self._validated(X, y)
        kind = self.conformity_score_
        P = self._base(self.estimator_, kind, X)
        scores, a_t, alphas, qs, errs = self._run(P, y)
        self._check_finite(qs, "predict_update")
        lo, hi = self._bounds(kind, P, qs)
        self._store(scores, a_t, alphas, errs)
        return self._point(kind, P), np.stack([lo, hi], axis=1)[:, :, None], alphas


class AdaptiveConformalRegressor(_OnlineConformal):
    """Adaptive conformal inference (ACI) for time series and drifting data.

    Split conformal intervals are calibrated once and keep their coverage only
    while the data stay exchangeable. ACI (Gibbs & Candès 2021) keeps a
    running miscoverage level ``alpha_t`` and, after each observed outcome,
    moves it by ``alpha_{t+1} = alpha_t + gamma (alpha - err_t)``, where
    ``err_t`` is 1 when ``y_t`` fell outside its interval: the intervals
    widen after misses and narrow after hits. Whatever the data do, the
    long-run miscoverage then obeys the deterministic bound
    ``|mean(err_1..err_T) - alpha| <= (max(alpha_1, 1 - alpha_1) + gamma) /
    (gamma T)``.

    The interval at time ``t`` is the split conformal interval at level
    ``1 - alpha_t`` over a sliding window of the most recent conformity
    scores (the calibration scores first, then each observed outcome's).
    With a quantile model the scores are CQR's ``max(lo - y, y - hi)`` for
    the levels ``(alpha/2, 1 - alpha/2)`` (as in
    :class:`ConformalQuantileRegressor`); with a point regressor they are the
    absolute residuals ``|y - y_hat|`` (MAPIE's ``TimeSeriesRegressor`` with
    a symmetric absolute score).

    Read more in :doc:`/methods/quantile`.

    Parameters
    ----------
    estimator : estimator, default=None
        A quantile model (any model :class:`ConformalQuantileRegressor`
        takes) or a point regressor. Wrap a model fitted elsewhere in
        ``sklearn.frozen.FrozenEstimator``: then every row given to
        :meth:`fit` is a calibration row. Default:
        ``HistGradientBoostingRegressor(loss="quantile")``.
    confidence_level : float, default=0.9
        Target long-run coverage ``1 - alpha``.
    gamma : float, default=0.005
        Step size of the ``alpha_t`` update (Gibbs & Candès's default);
        ``gamma=0`` is split conformal over the sliding window. Larger steps
        adapt faster to a shift and make ``alpha_t`` (and the widths) noisier.
    conformity_score : {"auto", "cqr", "absolute"}, default="auto"
        ``"cqr"``: fit ``estimator`` at the levels ``alpha/2`` and
        ``1 - alpha/2`` and score ``max(lo - y, y - hi)``. ``"absolute"``:
        fit it as a point regressor and score ``|y - y_hat|``. ``"auto"``:
        ``"cqr"`` when ``estimator`` predicts quantiles (a ``quantile`` or
        ``quantiles`` parameter, or ``predict(X, quantiles=...)``), else
        ``"absolute"``.
    calibration_size : float, default=0.25
        Share of the rows given to :meth:`fit` used for calibration: the
        *last* rows, in time order (never shuffled); the model is fitted on
        the rows before them.
    window : int or None, default=None
        Number of most recent scores the intervals use. None: as many as
        the calibration rows (a sliding window of fixed size). A larger
        number lets the window grow with the observed outcomes up to that
        size.
    allow_infinite_bounds : bool, default=True
        MAPIE's option of that name. ACI makes an interval infinite when
        ``alpha_t <= 0`` or ``ceil((1 - alpha_t)(n + 1)) > n`` (part of the
        method: the guarantee needs it). ``True`` returns those bounds as
        ``-inf``/``+inf``; ``False`` makes :meth:`predict_interval` and
        :meth:`predict_update` raise a ``ValueError`` instead (and :meth:`fit`
        when the calibration window is too small for ``confidence_level``
        itself). The online updates themselves never need the bounds: an
        infinite interval covers. An empty interval (``alpha_t >= 1``) is
        returned as ``(+inf, -inf)``, so that it covers nothing.

    Attributes
    ----------
    estimator_ : estimator or QuantileFan-like
        The fitted model.
    conformity_score_ : str
        ``"cqr"`` or ``"absolute"``.
    scores_ : ndarray of shape (n_window,)
        The current window of conformity scores, oldest first.
    window_ : int
        The largest window size.
    alpha_t_ : float
        The current miscoverage level (``alpha`` right after :meth:`fit`).
    alpha_path_ : ndarray of shape (``n_updates_ + 1``,)
        ``alpha_1 = alpha`` and every level after it: ``alpha_path_[t]`` is
        the level the interval of the ``t``-th observed outcome used.
    errors_ : ndarray of shape (``n_updates_``,)
        ``err_t`` of every observed outcome (1.0: outside its interval).
    n_updates_ : int
        Outcomes observed after :meth:`fit`.
    n_calibration_ : int
        Calibration rows used in :meth:`fit`.
    n_features_in_ : int
        Number of features seen during ``fit``.

    Warns
    -----
    StatnormWarning
        From :meth:`fit`, when the calibration window is too small for
        ``confidence_level`` (its interval is infinite from the start).

    See Also
    --------
    ConformalQuantileRegressor : split and CV+ calibration for exchangeable
        data.

    Notes
    -----
    There is no ``random_state``: the calibration split is chronological and
    the online loop is deterministic (seed a random base model itself).

    References
    ----------
    .. [1] Gibbs & Candès (2021), "Adaptive conformal inference under
       distribution shift", NeurIPS.
    .. [2] Zaffran, Féron, Goude, Josse & Dieuleveut (2022), "Adaptive
       conformal predictions for time series", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from statnorm.quantile import AdaptiveConformalRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(1500, 1))
    >>> scale = np.where(np.arange(1500) < 700, 1.0, 3.0)  # a variance shift
    >>> y = X[:, 0] + scale * rng.normal(size=1500)
    >>> aci = AdaptiveConformalRegressor(
    ...     LinearRegression(), confidence_level=0.9, gamma=0.02,
    ...     calibration_size=0.5).fit(X[:400], y[:400])
    >>> y_pred, y_pis, alphas = aci.predict_update(X[400:], y[400:])
    >>> y_pis.shape, alphas.shape
    ((1100, 2, 1), (1100,))
    >>> bool(abs(aci.errors_.mean() - 0.1) < 0.02)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "confidence_level": [Interval(Real, 0, 1, closed="neither")],
        "gamma": [Interval(Real, 0, None, closed="left")],
        "conformity_score": [StrOptions({"auto", "cqr", "absolute"})],
        "calibration_size": [Interval(Real, 0, 1, closed="neither")],
        "window": [Interval(Integral, 1, None, closed="left"), None],
        "allow_infinite_bounds": ["boolean"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        confidence_level=0.9,
        gamma=0.005,
        conformity_score="auto",
        calibration_size=0.25,
        window=None,
        allow_infinite_bounds=True,
    ):
        self.estimator = estimator
        self.confidence_level = confidence_level
        self.gamma = gamma
        self.conformity_score = conformity_score
        self.calibration_size = calibration_size
        self.window = window
        self.allow_infinite_bounds = allow_infinite_bounds

    # ------------------------------------------------------------------ fit
    def _score_kind(self, est):
        if self.conformity_score != "auto":
            return self.conformity_score
        if _is_frozen(est):
            fan = _FrozenFan(est, [0.05, 0.95])
            inner = est.estimator
            if fan.multi or "quantiles" in inner.get_params(deep=False):
                return "cqr"
            return "absolute"
        try:
            quantile_strategy(est)
        except TypeError:
            return "absolute"
        return "cqr"

    def _fit_model(self, est, kind, X, y):
        alpha = 1.0 - float(self.confidence_level)
        if kind == "cqr":
            tau = [alpha / 2.0, 1.0 - alpha / 2.0]
            if _is_frozen(est):
                return _FrozenFan(est, tau)
            return QuantileFan(est, tau).fit(X, y)
        if _is_frozen(est):
            return est
        return clone(est).fit(X, y)

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the model on the first rows and calibrate on the last ones.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features, in time order.
        y : array-like of shape (n_samples,)
            Targets, in time order.

        Returns
        -------
        self : AdaptiveConformalRegressor
        """
        est = _default_estimator() if self.estimator is None else self.estimator
        kind = self._score_kind(est)
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        n = len(y)
        if _is_frozen(est):
            tr, cal = np.arange(0), np.arange(n)
        else:
            n_cal = round(self.calibration_size * n)
            if n_cal < 1 or n - n_cal < 2:
                raise ValueError(
                    f"calibration_size={self.calibration_size} leaves {n_cal} "
                    f"calibration and {n - n_cal} training row(s) of "
                    f"n_samples={n}; need at least 1 and 2."
                )
            tr, cal = np.arange(n - n_cal), np.arange(n - n_cal, n)
        model = self._fit_model(est, kind, X[tr], y[tr])
        scores = self._scores(kind, self._base(model, kind, X[cal]), y[cal])
        self._start(model, kind, scores, len(cal))
        return self


def _block_bootstrap(n, block_length, n_resamplings, rs):
    """Row indices of ``n_resamplings`` non-overlapping block bootstraps.

    The ``n // block_length`` consecutive blocks are drawn with replacement,
    ``ceil(n / block_length)`` of them per resample (Künsch 1989; the last
    ``n % block_length`` rows belong to no block, so they are out of every
    resample).
    """
    n_blocks = n // block_length
    blocks = np.arange(n_blocks * block_length).reshape(n_blocks, block_length)
    draws = math.ceil(n / block_length)
    return [
        blocks[rs.randint(0, n_blocks, size=draws)].ravel()
        for _ in range(n_resamplings)
    ]


class _LeaveOneOutEnsemble:
    """Bootstrap models and EnbPI's aggregation of their predictions."""

    def __init__(self, models, oob, aggregation):
        self.models = models
        self.aggregation = aggregation
        # rows of the training set sharing one out-of-bag pattern share their
        # leave-one-out ensemble (whole blocks are drawn)
        self.patterns, self.row_pattern = np.unique(oob, axis=0, return_inverse=True)
        self.row_pattern = self.row_pattern.reshape(-1)

    def _per_pattern(self, F):
        """(n_rows, n_patterns): each pattern's aggregate of its OOB models."""
        out = np.empty((F.shape[0], len(self.patterns)))
        for k, mask in enumerate(self.patterns):
            sub = F[:, mask]
            if self.aggregation == "median":
                out[:, k] = np.median(sub, axis=1)
            else:
                out[:, k] = sub.mean(axis=1)
        return out

    def _all(self, X):
        return np.column_stack(
            [
                np.asarray(m.predict(X), dtype=np.float64).reshape(-1)
                for m in self.models
            ]
        )

    def loo(self, X):
        """f_{-i}(x_i) for the training rows X (in training order)."""
        G = self._per_pattern(self._all(X))
        return G[np.arange(len(X)), self.row_pattern]

    def predict(self, X):
        """The EnbPI centre: aggregate over training rows i of f_{-i}(x)."""
        G = self._per_pattern(self._all(X))
        if self.aggregation == "median":
            return np.median(G[:, self.row_pattern], axis=1)
        counts = np.bincount(self.row_pattern, minlength=len(self.patterns))
        return G @ (counts / counts.sum())


class EnbPIRegressor(_OnlineConformal):
    """Ensemble batch prediction intervals (EnbPI) for time series.

    Xu & Xie (2021): fit ``n_resamplings`` copies of a regressor on block
    bootstrap resamples of the training series; the leave-one-out ensemble
    ``f_{-i}`` of a training row aggregates the models whose resample left
    row ``i`` out, and its residual ``|y_i - f_{-i}(x_i)|`` is a calibration
    score, so no rows are held out from fitting. The interval at ``x`` is
    centred at the aggregate over training rows of ``f_{-i}(x)`` with the
    ``ceil((1 - alpha)(n + 1))``-th smallest residual of a sliding window
    as half-width; observed outcomes push their residuals into the window
    (the oldest leave) without refitting. ``gamma > 0`` adds adaptive
    conformal inference on top (as :class:`AdaptiveConformalRegressor`).

    Read more in :doc:`/methods/quantile`.

    Parameters
    ----------
    estimator : regressor, default=None
        Point regressor. Default: ``LinearRegression()``.
    confidence_level : float, default=0.9
        Target coverage ``1 - alpha``.
    n_resamplings : int, default=30
        Bootstrap models (MAPIE's default).
    block_length : int or None, default=None
        Length of the bootstrap blocks. None: ``round(n ** (1/3))``, at
        least 1.
    aggregation : {"mean", "median"}, default="mean"
        Aggregation ``phi`` of the models' predictions, both within a
        leave-one-out ensemble and over the training rows.
    gamma : float, default=0.0
        ACI step size; 0 is EnbPI as published (fixed level).
    window : int or None, default=None
        Most recent residuals kept. None: as many as the training rows.
    allow_infinite_bounds : bool, default=True
        As in :class:`AdaptiveConformalRegressor`.
    random_state : int, RandomState instance or None, default=None
        The block bootstrap draws.

    Attributes
    ----------
    estimator_ : object
        The fitted ensemble (``estimator_.models`` the bootstrap models).
    resamples_ : list of ndarray
        Row indices of every bootstrap resample.
    scores_, window_, alpha_t_, alpha_path_, errors_, n_updates_ : object
        The online state, as in :class:`AdaptiveConformalRegressor`.
    conformity_score_ : str
        ``"absolute"``.
    n_calibration_ : int
        Training rows (each is a calibration row).
    n_features_in_ : int
        Number of features seen during ``fit``.

    References
    ----------
    .. [1] Xu & Xie (2021), "Conformal prediction interval for dynamic
       time-series", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from statnorm.quantile import EnbPIRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(600, 2))
    >>> y = X[:, 0] - X[:, 1] + rng.normal(size=600)
    >>> enbpi = EnbPIRegressor(LinearRegression(), n_resamplings=20,
    ...                        random_state=0).fit(X[:300], y[:300])
    >>> y_pred, y_pis, _ = enbpi.predict_update(X[300:], y[300:])
    >>> bool(abs(enbpi.errors_.mean() - 0.1) < 0.05)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "confidence_level": [Interval(Real, 0, 1, closed="neither")],
        "n_resamplings": [Interval(Integral, 1, None, closed="left")],
        "block_length": [Interval(Integral, 1, None, closed="left"), None],
        "aggregation": [StrOptions({"mean", "median"})],
        "gamma": [Interval(Real, 0, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left"), None],
        "allow_infinite_bounds": ["boolean"],
        "random_state": RANDOM_STATE,
    }

    def __init__(
        self,
        estimator=None,
        *,
        confidence_level=0.9,
        n_resamplings=30,
        block_length=None,
        aggregation="mean",
        gamma=0.0,
        window=None,
        allow_infinite_bounds=True,
        random_state=None,
    ):
        self.estimator = estimator
        self.confidence_level = confidence_level
        self.n_resamplings = n_resamplings
        self.block_length = block_length
        self.aggregation = aggregation
        self.gamma = gamma
        self.window = window
        self.allow_infinite_bounds = allow_infinite_bounds
        self.random_state = random_state

    def _resamples(self, n):
        L = (
            max(1, round(n ** (1 / 3)))
            if self.block_length is None
            else self.block_length
        )
        if n < L:
            raise ValueError(
                f"block_length={self.block_length} is longer than the series "
                f"(n_samples={n})."
            )
        rs = check_random_state(self.random_state)
        return _block_bootstrap(n, int(L), self.n_resamplings, rs)

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the bootstrap ensemble and its leave-one-out residuals.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features, in time order.
        y : array-like of shape (n_samples,)
            Targets, in time order.

        Returns
        -------
        self : EnbPIRegressor
        """
        from sklearn.linear_model import LinearRegression

        est = LinearRegression() if self.estimator is None else self.estimator
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        n = len(y)
        if n < 2:
            raise ValueError(f"EnbPI needs at least 2 samples; got n_samples={n}.")
        resamples = self._resamples(n)
        oob = np.ones((n, len(resamples)), dtype=bool)
        for b, idx in enumerate(resamples):
            oob[idx, b] = False
        never = np.flatnonzero(~oob.any(axis=1))
        if never.size:
            raise ValueError(
                f"n_resamplings={self.n_resamplings}: {never.size} row(s) are in "
                "every bootstrap resample, so they have no leave-one-out "
                "ensemble; use more resamplings."
            )
        models = [clone(est).fit(X[idx], y[idx]) for idx in resamples]
        ens = _LeaveOneOutEnsemble(models, oob, self.aggregation)
        scores = np.abs(y - ens.loo(X))
        self.resamples_ = resamples
        self._start(ens, "absolute", scores, n)
        return self
