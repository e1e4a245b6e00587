"""Conformal calibration of every central interval of a quantile fan."""

import inspect
import logging
import math
import warnings
from contextlib import contextmanager, nullcontext
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin
from sklearn.utils.validation import _num_samples, check_is_fitted

from .._optim import CallbackSupportMixin, callback_root, with_callbacks
from .._parallel import check_dask_array, is_dask_array, map_row_blocks
from .._validation import (
    RANDOM_STATE,
    HasMethods,
    Interval,
    StrOptions,
    check_groups,
    check_random_state,
    check_sample_weight,
    fit_context,
)
from ..exceptions import StatnormWarning
from ._aggregate import DEFAULT_QUANTILES
from ._base import QuantileFan, quantile_router, quantile_strategy, route_fit, rows_of
from ._metrics import apply_monotone, pinball_loss
from ._utils import (
    central_pairs,
    check_quantiles,
    handles_raw_X,
    is_scalar_level,
    reraise_strict,
    rows,
    validate_passthrough,
)

_logger = logging.getLogger("statnorm.quantile")


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


def _is_frozen(est):
    try:
        from sklearn.frozen import FrozenEstimator
    except ImportError:  # scikit-learn < 1.6
        return False
    return isinstance(est, FrozenEstimator)


class _FrozenFan:
    """The fan of a model fitted elsewhere (wrapped in FrozenEstimator)."""

    def __init__(self, estimator, quantiles):
        self.estimator = estimator
        self.quantiles = np.asarray(quantiles, dtype=np.float64)
        try:
            sig = inspect.signature(estimator.predict)
            self.multi = "quantiles" in sig.parameters
        except (TypeError, ValueError):  # pragma: no cover - builtins
            self.multi = False

    def predict(self, X):
        m = self.quantiles.size
        if self.multi:
            Q = self.estimator.predict(X, quantiles=list(self.quantiles))
        else:
            Q = self.estimator.predict(X)
        Q = np.asarray(Q, dtype=np.float64)
        if Q.shape != (len(X), m) and not (m == 1 and Q.shape == (len(X),)):
            raise ValueError(
                f"estimator: the frozen model predicts shape {Q.shape}; a model "
                f"fitted elsewhere must predict the whole fan, ({len(X)}, {m}) "
                "columns at `quantiles` (e.g. a fitted QuantileAggregator, or a "
                "model with predict(X, quantiles=...))."
            )
        return Q.reshape(len(X), m)


def _check_confidence_level(confidence_level):
    """``confidence_level`` as a 1-D float array, or an error naming it."""
    expected = (
        "confidence_level must be a float or a 1-D list of floats in (0, 1), "
        "e.g. 0.9 or [0.8, 0.9]"
    )
    if isinstance(confidence_level, str | bytes | bool):
        raise TypeError(f"{expected}; got {confidence_level!r}.")
    try:
        arr = np.asarray(confidence_level)
    except (TypeError, ValueError) as exc:  # ragged nesting
        raise ValueError(f"{expected}; got {confidence_level!r}.") from exc
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{expected}; got {confidence_level!r} (dtype {arr.dtype}).")
    want = np.atleast_1d(arr.astype(np.float64))
    if want.ndim != 1 or want.size == 0:
        raise ValueError(f"{expected}; got shape {arr.shape}.")
    if not np.isfinite(want).all() or ((want <= 0) | (want >= 1)).any():
        raise ValueError(f"{expected}; got {confidence_level!r}.")
    return want


def _declared_level(model):
    """The level a single-level quantile model was fitted for, if it says so."""
    inner = getattr(model, "estimator", None) if _is_frozen(model) else model
    try:
        params = inner.get_params(deep=False)
    except Exception:  # noqa: BLE001 - not an sklearn estimator
        return None
    if isinstance(params.get("quantile"), Real):
        return float(params["quantile"])
    loss = params.get("loss", params.get("objective"))
    if loss == "quantile" and isinstance(params.get("alpha"), Real):
        return float(params["alpha"])
    return None


class _PerLevelFan:
    """One fitted single-level model per level (MAPIE's ``prefit=True`` form)."""

    def __init__(self, models, quantiles):
        tau = np.asarray(quantiles, dtype=np.float64)
        models = list(models)
        if len(models) != tau.size:
            raise ValueError(
                f"estimator: a list of prefit models needs one model per level in "
                f"quantiles ({tau.size}), in the order of quantiles; got "
                f"{len(models)}. (MAPIE's (lower, upper, median) triple is "
                "[lower, median, upper] here.)"
            )
        for k, (mod, t) in enumerate(zip(models, tau)):
            if not hasattr(mod, "predict"):
                raise TypeError(
                    f"estimator[{k}] must be a fitted regressor with predict; got "
                    f"{type(mod).__name__}."
                )
            if not _is_frozen(mod):
                try:
                    check_is_fitted(mod)
                except Exception as exc:  # NotFittedError or a non-sklearn model
                    raise ValueError(
                        f"estimator[{k}] ({type(mod).__name__}) is not fitted: a list "
                        "of models is a list of prefit models, one per level. Fit "
                        "them first (wrap them in sklearn.frozen.FrozenEstimator so "
                        "that clone() keeps them fitted)."
                    ) from exc
            lvl = _declared_level(mod)
            if lvl is not None and abs(lvl - t) > 1e-9:
                raise ValueError(
                    f"estimator[{k}] was fitted for level {lvl:g} but quantiles[{k}] "
                    f"is {t:g}: list one prefit model per level in the order of "
                    f"quantiles {tau.tolist()}."
                )
        self.models = models
        self.quantiles = tau

    def predict(self, X):
        cols = []
        for k, mod in enumerate(self.models):
            q = np.asarray(mod.predict(X), dtype=np.float64)
            if q.shape not in ((len(X),), (len(X), 1)):
                raise ValueError(
                    f"estimator[{k}] predicts shape {q.shape}; a per-level prefit "
                    f"model must predict one value per row, ({len(X)},)."
                )
            cols.append(q.reshape(-1))
        return np.column_stack(cols)


class ConformalQuantileRegressor(
    CallbackSupportMixin, MetaEstimatorMixin, RegressorMixin, BaseEstimator
):
    """Conformalised quantile regression of a whole quantile fan (CQR, CV+).

    Every central interval ``[q_tau, q_{1-tau}]`` of the wrapped model's fan is
    calibrated on held-out residuals (Romano, Patterson & Candès 2019), so that
    for exchangeable data it covers a new ``y`` with probability at least its
    nominal level ``1 - 2 tau`` (split), or ``1 - 4 tau`` up to a small term
    (CV+, Barber et al. 2021). The adjusted fan is then made non-crossing by a
    min-max sweep that never moves a calibrated bound inwards (the median is
    clipped into the calibrated intervals instead), so each guarantee
    survives.

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
    cv : "split", "cv+", int or cross-validation splitter, default="split"
        ``"split"``: split conformal on a held-out calibration set.
        ``"cv+"``: CV+ over ``n_folds`` shuffled folds (every row is used for
        fitting and calibration; one model per fold). An int: CV+ over that
        many shuffled folds. A splitter (``KFold``, ``GroupKFold`` with
        ``groups`` passed to :meth:`fit`, ``TimeSeriesSplit``, ...): CV+ over
        its folds; a row no fold holds out (the first block of a
        ``TimeSeriesSplit``) only trains, and a row held out twice is an
        error. The guarantee needs exchangeable rows: group splitters keep it
        for exchangeable groups; for time series it does not hold (a forward
        split only calibrates on the past).

        For a model fitted elsewhere, wrap it in
        ``sklearn.frozen.FrozenEstimator`` (scikit-learn's convention):
        then every row given to :meth:`fit` is a calibration row and
        ``calibration_size`` is not used (``cv`` must be "split").
        A list of fitted single-level models, one per level in the order of
        ``quantiles`` (MAPIE's ``prefit=True`` triple ``(lower, upper, median)``
        is ``[lower, median, upper]`` here), is conformalised the same way;
        a model that names its level (``quantile=`` or ``alpha=`` with a
        quantile loss) must match its position. Wrap the models in
        ``FrozenEstimator`` so that :func:`~sklearn.base.clone` keeps them
        fitted. One frozen single-level model goes with a float ``quantiles``
        and ``method="asymmetric"``.
    n_folds : int, default=5
        Folds for ``cv="cv+"``.
    calibration_size : float, default=0.25
        Share of rows held out for calibration with ``cv="split"``.
    verbose : int, default=0
        Print one line per fitted fold model (CV+).
    monotone : {"minmax", "sort", "isotonic"} or None, default="minmax"
        Non-crossing post-processing of the calibrated fan. ``"minmax"``
        first clips the (uncalibrated) median into the innermost calibrated
        interval, then sweeps out from it: a calibrated bound moves only where
        calibrated levels cross each other, and then only outwards, so every
        coverage guarantee survives, and where no calibrated levels cross the
        bounds are exactly the calibrated ones (so asymmetric one-sided miss
        rates stay at their nominal values). Sort and isotonic keep the
        pinball-loss guarantee instead, not the per-level ones. ``None``: the
        calibrated fan as is (it may cross).
    n_jobs : int or None, default=None
        Parallel fold fits for CV+ (joblib).
    random_state : int, RandomState instance or None, default=None
        Calibration split or folds.
    mondrian : bool, default=False
        Mondrian (group-conditional) conformal prediction (Vovk et al. 2005):
        calibrate the corrections separately within each group given as
        ``fit(X, y, groups=...)`` and apply a row's group corrections in
        ``predict(X, groups=...)``. Each group's intervals then cover at
        their level *within that group* (for rows exchangeable within
        groups), where the marginal calibration only covers on average over
        groups; each group needs enough calibration rows (else infinite
        bounds). Split conformal only.
    allow_infinite_bounds : bool, default=True
        MAPIE's option of that name. When ``ceil(level (n + 1)) > n`` for a
        level (too few calibration scores), ``True`` makes that bound infinite
        (with a warning), as the finite-sample guarantee requires; ``False``
        raises a ``ValueError`` in :meth:`fit` instead. The index is never
        clamped either way.

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
    group_labels_, group_shifts_, group_n_calibration_ : ndarray
        ``mondrian=True`` only: the sorted group labels, the shifts of each
        (shape ``(n_groups, n_quantiles)``) and the calibration rows of each.
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

    Three single-level models fitted elsewhere, as MAPIE's ``prefit=True``
    takes them, listed in the order of ``quantiles``:

    >>> from sklearn.frozen import FrozenEstimator
    >>> models = [FrozenEstimator(QuantileRegressor(quantile=t, alpha=0.0)
    ...                           .fit(X[:300], y[:300])) for t in (0.1, 0.5, 0.9)]
    >>> cqr = ConformalQuantileRegressor(models, quantiles=[0.1, 0.5, 0.9],
    ...                                  method="asymmetric").fit(X[300:], y[300:])
    >>> cqr.n_calibration_
    100

    Mondrian calibration within groups (here two noise levels):

    >>> g = np.where(X[:, 0] > 0.5, "wide", "narrow")
    >>> y2 = X[:, 0] + np.where(g == "wide", 3.0, 0.3) * rng.normal(size=400)
    >>> mcqr = ConformalQuantileRegressor(
    ...     QuantileRegressor(alpha=0.0), quantiles=[0.1, 0.5, 0.9],
    ...     mondrian=True, random_state=0).fit(X, y2, groups=g)
    >>> mcqr.group_labels_.tolist()
    ['narrow', 'wide']
    >>> mcqr.predict(X[:3], groups=g[:3]).shape
    (3, 3)
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit", "predict"]), list, tuple, None],
        "quantiles": ["array-like", Real],
        "method": [StrOptions({"symmetric", "asymmetric"})],
        "cv": [StrOptions({"split", "cv+"}), "cv_object"],
        "n_folds": [Interval(Integral, 2, None, closed="left")],
        "calibration_size": [Interval(Real, 0, 1, closed="neither")],
        "monotone": [StrOptions({"minmax", "sort", "isotonic"}), None],
        "n_jobs": [Integral, None],
        "random_state": RANDOM_STATE,
        "verbose": ["verbose"],
        "allow_infinite_bounds": ["boolean"],
        "mondrian": ["boolean"],
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
        verbose=0,
        allow_infinite_bounds=True,
        mondrian=False,
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
        self.verbose = verbose
        self.allow_infinite_bounds = allow_infinite_bounds
        self.mondrian = mondrian

    @with_callbacks
    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, groups=None):
        """Fit the quantile model(s) and the conformal corrections.

        Callbacks set with ``set_callbacks`` (scikit-learn >= 1.9, e.g.
        ``ProgressBar()``) see one task per quantile model trained (one
        per fold for CV+, times one per level for a single-level model); an
        auto-propagated callback also reaches the model's own training when
        the model supports callbacks (e.g. the epochs of a
        :class:`QuantileAggregator`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features (not modified). A DataFrame is handed to the
            model(s) untouched; when every model is a ``Pipeline`` (possibly
            frozen), categorical, text or NaN columns are allowed too (only
            the shape, length and feature names are checked here, and the
            pipeline encodes or imputes them); other models get float64 input
            checked for NaN, infinity and text.
        y : array-like of shape (n_samples,)
            Training targets (not modified).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights passed to the quantile model's ``fit`` (an error if it
            takes none). The conformal scores stay unweighted, so the
            guarantee is the usual one: coverage for a new exchangeable row,
            whatever the weights did to the model. (Weighted conformal
            prediction under covariate shift is a different method.)
        groups : array-like of shape (n_samples,), default=None
            Group labels for a group splitter in ``cv``; with
            ``mondrian=True`` (split conformal only), the categories the
            corrections are calibrated within (required then).

        Returns
        -------
        self : ConformalQuantileRegressor
            Fitted estimator.
        """
        tau = check_quantiles(self.quantiles)
        est = _default_estimator() if self.estimator is None else self.estimator
        per_level = isinstance(est, list | tuple)
        prefit = per_level or _is_frozen(est)
        if not prefit:
            quantile_strategy(est, "estimator")
        elif self.cv != "split":
            raise ValueError(
                f"cv={self.cv!r}: a FrozenEstimator or a list of prefit models "
                "(models fitted elsewhere) is conformalised on the rows given to "
                "fit; use cv='split'."
            )
        plan = _plan(tau, self.method)
        X, y, strict = validate_passthrough(
            self,
            X,
            y,
            lenient=handles_raw_X(est if per_level else [est]),
            y_numeric=True,
            ensure_min_samples=2,
        )
        sw = check_sample_weight(sample_weight, X)
        groups = check_groups(groups, X)
        if self.mondrian:
            if groups is None:
                raise ValueError(
                    "groups: mondrian=True calibrates within groups; pass the "
                    "group label of every row, fit(X, y, groups=...)."
                )
            if self.cv != "split":
                raise ValueError(
                    f"cv={self.cv!r}: mondrian=True is implemented for split "
                    "conformal (cv='split') only."
                )
        mgroups = groups if self.mondrian else None
        params, groups = route_fit(
            self,
            [] if per_level else [("estimator", est)],
            self._splitter(),
            sw,
            groups,
        )
        params = None if params is None else params.get("estimator")
        rs = check_random_state(self.random_state)
        n = _num_samples(X)
        self.quantiles_ = tau
        self.plan_ = plan
        with reraise_strict(strict):
            self._fit_models(
                est,
                prefit,
                per_level,
                tau,
                plan,
                X,
                y,
                sw,
                groups,
                rs,
                params,
                n,
                mgroups,
            )
        if self.mondrian:
            for g, n_g in zip(self.group_labels_, self.group_n_calibration_):
                self._warn_infinite(plan, int(n_g), f" in group {g!r}")
        else:
            self._warn_infinite(plan, self.n_calibration_)
        return self

    def _fit_models(
        self,
        est,
        prefit,
        per_level,
        tau,
        plan,
        X,
        y,
        sw,
        groups,
        rs,
        params,
        n,
        mgroups=None,
    ):
        if prefit:
            self.estimator_ = (
                _PerLevelFan(est, tau) if per_level else _FrozenFan(est, tau)
            )
            self._calibrate_split(self.estimator_.predict(X), y, plan, tau, mgroups)
        elif self.cv == "split":
            n_cal = round(self.calibration_size * n)
            if n_cal < 1 or n - n_cal < 2:
                raise ValueError(
                    f"calibration_size={self.calibration_size} leaves {n_cal} "
                    f"calibration and {n - n_cal} training sample(s) out of {n}; "
                    "need at least 1 and 2."
                )
            perm = rs.permutation(n)
            cal, tr = perm[:n_cal], perm[n_cal:]
            fan = QuantileFan(est, tau)
            root = self._callback_root(fan.n_models)
            self.estimator_ = fan.fit(
                rows(X, tr),
                y[tr],
                sample_weight=None if sw is None else sw[tr],
                fit_params=None if params is None else rows_of(params, tr, len(y)),
                scope=self._callback_scope(root, fan.n_models),
            )
            self._callback_close(root)
            g = mgroups
            self._calibrate_split(
                self.estimator_.predict(rows(X, cal)),
                y[cal],
                plan,
                tau,
                None if g is None else g[cal],
            )
        else:
            self._fit_cvplus(est, tau, plan, X, y, sw, groups, rs, params)

    # ------------------------------------------------- callbacks (sklearn >= 1.9)
    def _callback_root(self, n_tasks):
        """The fit task of ``set_callbacks`` callbacks, or None without them."""
        return callback_root(self, n_tasks)

    def _callback_scope(self, root, n_models):
        """Context managers for :meth:`QuantileFan.fit`: one leaf task per
        model, created here (in the parent process, so that CV+ folds fitted
        in parallel get distinct tasks), propagated to models that take
        callbacks."""
        if root is None:
            return None
        leaves = [root.subcontext(task_name="quantile model") for _ in range(n_models)]

        @contextmanager
        def scope(k, model):
            # as scikit-learn's Pipeline: inside the propagation, so that a
            # propagated callback sees this task once, as the model's own fit
            leaf = leaves[k]
            with (
                leaf.propagate_callback_context(model)
                if hasattr(model, "set_callbacks")
                else nullcontext()
            ):
                leaf.call_on_fit_task_begin(estimator=self)
                yield
                leaf.call_on_fit_task_end(estimator=self)

        return scope

    def _callback_close(self, root):
        if root is not None:
            root.call_on_fit_task_end(estimator=self)

    @staticmethod
    def _shifts(Qc, yc, plan, tau):
        n_cal = len(yc)
        shifts = np.zeros(tau.size)
        for cols, side, level in plan:
            c = _kth(_scores(Qc, yc, cols, side), _rank(level, n_cal))
            if side == 0:
                shifts[cols[0]], shifts[cols[1]] = -c, c
            else:
                shifts[cols[0]] = side * c
        return shifts

    def _calibrate_split(self, Qc, yc, plan, tau, gc=None):
        self.shifts_ = self._shifts(Qc, yc, plan, tau)
        self.n_calibration_ = len(yc)
        if gc is not None:
            labels, inv = np.unique(gc, return_inverse=True)
            self.group_labels_ = labels
            self.group_shifts_ = np.vstack(
                [
                    self._shifts(Qc[inv == k], yc[inv == k], plan, tau)
                    for k in range(labels.size)
                ]
            )
            self.group_n_calibration_ = np.bincount(inv, minlength=labels.size)

    def _splitter(self):
        """The CV+ splitter for routing (None for split conformal)."""
        from sklearn.model_selection import KFold

        if self.cv == "split":
            return None
        if self.cv == "cv+":
            return KFold(self.n_folds)
        return KFold(self.cv) if isinstance(self.cv, Integral) else self.cv

    def get_metadata_routing(self):
        """Where ``fit`` metadata go under scikit-learn's metadata routing.

        With ``sklearn.set_config(enable_metadata_routing=True)``,
        ``sample_weight`` reaches the quantile model if it requested it
        (``set_fit_request(sample_weight=True)``) and ``groups`` the CV+
        splitter.

        Returns
        -------
        routing : MetadataRouter
        """
        est = _default_estimator() if self.estimator is None else self.estimator
        named = [] if isinstance(est, list | tuple) else [("estimator", est)]
        return quantile_router(self, named, self._splitter())

    def _fit_cvplus(self, est, tau, plan, X, y, sw, groups, rs, params=None):
        from ._aggregate import check_n_splits, cv_splits

        n = _num_samples(X)
        if self.cv == "cv+" and n < self.n_folds:
            raise ValueError(
                f"n_folds={self.n_folds} folds need at least {self.n_folds} "
                f"samples; got {n} sample(s)."
            )
        cv = self.n_folds if self.cv == "cv+" else self.cv
        if cv is None:
            cv = 5
        splitter = check_n_splits(cv, n, rs.randint(2**31 - 1))
        folds, held = cv_splits(splitter, X, y, groups)
        _logger.info(
            "ConformalQuantileRegressor: CV+ over %d folds, %d calibration rows",
            len(folds),
            held.size,
        )

        n_models = QuantileFan(est, tau).n_models
        root = self._callback_root(len(folds) * n_models)
        scopes = [self._callback_scope(root, n_models) for _ in folds]

        def fit_fold(k, tr):
            fan = QuantileFan(est, tau).fit(
                rows(X, tr),
                y[tr],
                sample_weight=None if sw is None else sw[tr],
                fit_params=None if params is None else rows_of(params, tr, len(y)),
                scope=scopes[k],
            )
            if self.verbose:
                print(
                    f"ConformalQuantileRegressor fold {k + 1}/{len(folds)}: "
                    f"{tr.size} training rows",
                    flush=True,
                )
            return fan

        fans = Parallel(n_jobs=self.n_jobs)(
            delayed(fit_fold)(k, tr) for k, (tr, _) in enumerate(folds)
        )
        self._callback_close(root)
        fold_of = np.full(n, -1, dtype=np.intp)
        Qoof = np.empty((n, tau.size))
        for k, (_, te) in enumerate(folds):
            fold_of[te] = k
            Qoof[te] = fans[k].predict(rows(X, te))
        self.fold_models_ = fans
        self.estimator_ = fans
        self.fold_of_ = fold_of[held]
        self.scores_ = [
            _scores(Qoof[held], y[held], cols, side) for cols, side, _ in plan
        ]
        self.n_calibration_ = held.size

    def _warn_infinite(self, plan, n, where=""):
        bad = [lvl for _, _, lvl in plan if _rank(lvl, n) > n]
        if bad and not self.allow_infinite_bounds:
            raise ValueError(
                f"{n} calibration score(s){where} are too few for level(s) "
                f"{sorted({round(b, 6) for b in bad})}: ceil(level * (n + 1)) > n, so "
                "those bounds would be infinite. Use more calibration data, less "
                "extreme levels, or allow_infinite_bounds=True."
            )
        if bad:
            warnings.warn(
                f"{n} calibration score(s){where} are too few for level(s) "
                f"{sorted({round(b, 6) for b in bad})}: ceil(level * (n + 1)) > n, so "
                "those bounds are infinite (the guarantee allows nothing smaller). "
                "Use more calibration data or less extreme levels.",
                StatnormWarning,
                stacklevel=3,
            )

    def predict(self, X, groups=None):
        """Calibrated, non-crossing quantile fan.

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)
            Features. A Dask array is predicted lazily block by block and a
            Dask array is returned.
        groups : array-like of shape (n_samples,), default=None
            With ``mondrian=True`` (required then): the group of each row,
            one of the groups seen in :meth:`fit`; each row gets its group's
            corrections. Not used otherwise.

        Returns
        -------
        Q : ndarray of shape (n_samples, n_quantiles), or (n_samples,) when
            ``quantiles`` is a single float
            Calibrated quantiles; central interval ``[Q[:, k], Q[:, m-1-k]]``
            has coverage at least ``1 - 2 tau_k``.
        """
        check_is_fitted(self)
        if is_dask_array(X):
            if self.mondrian:
                raise TypeError(
                    "X: mondrian=True predicts in-memory arrays only (the groups "
                    "must line up with the rows); compute the Dask array first."
                )
            check_dask_array(X, n_features=self.n_features_in_, estimator=self)
            n_out = None if is_scalar_level(self.quantiles) else self.quantiles_.size
            return map_row_blocks(self.predict, X, n_outputs=n_out)
        X, _, strict = validate_passthrough(
            self, X, reset=False, lenient=self._raw_X_ok()
        )
        with reraise_strict(strict):
            if hasattr(self, "shifts_"):
                Q = self.estimator_.predict(X) + self._row_shifts(X, groups)
            else:
                Q = self._predict_cvplus(X)
        Q = self._monotone(Q)
        return Q[:, 0] if is_scalar_level(self.quantiles) else Q

    def _row_shifts(self, X, groups):
        if not self.mondrian:
            return self.shifts_
        if groups is None:
            raise ValueError(
                "groups: this model was calibrated within groups (mondrian=True); "
                "pass predict(X, groups=...) with the group of every row."
            )
        g = check_groups(groups, np.empty((_num_samples(X), 0)))
        try:
            idx = np.searchsorted(self.group_labels_, g)
            idx = np.clip(idx, 0, self.group_labels_.size - 1)
            unknown = self.group_labels_[idx] != g
        except TypeError:  # labels of another kind than in fit
            idx, unknown = None, np.ones(g.shape, dtype=bool)
        if unknown.any():
            raise ValueError(
                f"groups: label {np.asarray(g[unknown][0]).item()!r} was not seen "
                "in fit; the "
                f"calibrated groups are {self.group_labels_.tolist()}."
            )
        return self.group_shifts_[idx]

    def _raw_X_ok(self):
        est = self.estimator
        if est is None:
            return False
        return handles_raw_X(est if isinstance(est, list | tuple) else [est])

    def _monotone(self, Q):
        """Non-crossing post-processing that keeps the calibrated bounds.

        The median (level 0.5) is the only column conformal calibration does
        not adjust. With ``"minmax"`` it is first clipped into the innermost
        calibrated interval (their midpoint if that pair crosses), so the sweep
        out from it moves a calibrated bound only where calibrated levels cross
        each other, and then only outwards. Without the clip a median model
        lying beyond a calibrated bound would drag that bound along: the
        interval still covers, but the one-sided miss rates the asymmetric
        scores calibrate would fall to zero (see
        ``test_asymmetric_one_sided_miss_rates_monte_carlo``).
        """
        if self.monotone is None or Q.shape[1] < 2:
            return Q
        tau = self.quantiles_
        m = Q.shape[1]
        center = int(np.argmin(np.abs(tau - 0.5)))
        if tau[center] < 0.5 and center + 1 < m:
            center += 1
        if (
            self.monotone == "minmax"
            and abs(tau[center] - 0.5) < 1e-12
            and (0 < center < m - 1)
        ):
            lo, hi = Q[:, center - 1], Q[:, center + 1]
            with np.errstate(invalid="ignore"):
                mid = np.where(lo <= hi, np.clip(Q[:, center], lo, hi), 0.5 * (lo + hi))
            Q = Q.copy()
            Q[:, center] = mid
        return apply_monotone(Q, self.monotone, center, self.n_jobs)

    def predict_interval(self, X, *, confidence_level=None, groups=None):
        """Point predictions and calibrated intervals, shaped as MAPIE's.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        confidence_level : float or array-like of float, default=None
            Levels ``1 - alpha`` of the central intervals to return; each must
            be one of the fitted central intervals (``quantiles`` holds
            ``alpha / 2`` and ``1 - alpha / 2``). Default: every fitted central
            interval, narrowest first.
        groups : array-like of shape (n_samples,), default=None
            Group of each row, with ``mondrian=True`` (see :meth:`predict`).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The calibrated median when 0.5 is among ``quantiles``, else the
            midpoint of the narrowest interval.
        y_intervals : ndarray of shape (n_samples, 2, n_levels)
            ``[:, 0, k]`` lower and ``[:, 1, k]`` upper bound of the interval
            at ``confidence_level[k]``, as ``MapieQuantileRegressor`` and
            MAPIE's ``predict_interval`` return them.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import QuantileRegressor
        >>> from statnorm.quantile import ConformalQuantileRegressor
        >>> rng = np.random.default_rng(0)
        >>> X = rng.uniform(size=(300, 1))
        >>> y = X[:, 0] + rng.normal(size=300)
        >>> cqr = ConformalQuantileRegressor(
        ...     QuantileRegressor(alpha=0.0), quantiles=[0.05, 0.1, 0.5, 0.9, 0.95],
        ...     random_state=0).fit(X, y)
        >>> y_pred, y_pis = cqr.predict_interval(X[:4], confidence_level=[0.8, 0.9])
        >>> y_pred.shape, y_pis.shape
        ((4,), (4, 2, 2))
        """
        check_is_fitted(self)
        tau = self.quantiles_
        lo, hi, alphas, _ = central_pairs(tau)
        fitted = 1.0 - np.asarray(alphas, dtype=np.float64)
        if confidence_level is None:
            order = np.argsort(fitted)
            want = fitted[order]
        else:
            want = _check_confidence_level(confidence_level)
        idx = []
        for c in want:
            hit = np.flatnonzero(np.abs(fitted - c) < 1e-9)
            if hit.size == 0:
                raise ValueError(
                    f"confidence_level={c:g} is not a fitted central interval; "
                    f"the quantiles give {sorted(np.round(fitted, 10).tolist())}."
                )
            idx.append(int(hit[0]))
        Q = self.predict(X, groups=groups).reshape(-1, tau.size)
        y_pis = np.stack(
            [np.column_stack([Q[:, lo[k]], Q[:, hi[k]]]) for k in idx],
            axis=2,
        )
        med = np.flatnonzero(np.abs(tau - 0.5) < 1e-12)
        if med.size:
            y_pred = Q[:, med[0]]
        else:
            k = int(np.argmin(fitted))
            y_pred = 0.5 * (Q[:, lo[k]] + Q[:, hi[k]])
        return y_pred, y_pis

    def _predict_cvplus(self, X):
        n = self.fold_of_.size
        Qk = np.stack([f.predict(X) for f in self.fold_models_])  # (K, nt, m)
        nt = _num_samples(X)
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

    def score(self, X, y, groups=None):
        """Negative mean pinball loss of the calibrated fan (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Targets.
        groups : array-like of shape (n_samples,), default=None
            Group of each row, with ``mondrian=True`` (see :meth:`predict`).

        Returns
        -------
        score : float
            ``-pinball_loss(y, self.predict(X), self.quantiles_)``; infinite
            bounds give ``-inf``.
        """
        Q = self.predict(X, groups=groups)
        Q = Q.reshape(len(Q), -1)
        if not np.isfinite(Q).all():
            return -np.inf
        return -pinball_loss(y, Q, self.quantiles_)
