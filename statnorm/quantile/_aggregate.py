"""QuantileAggregator: weighted ensembles of quantile regressors (Fakoor et al.)."""

import logging
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import KFold, check_cv
from sklearn.utils.validation import _num_samples, check_is_fitted

from .._optim import (
    Adam,
    CallbackSupportMixin,
    Epoch,
    FitProgress,
    train,
    with_callbacks,
)
from .._parallel import check_dask_array, is_dask_array, map_row_blocks
from .._validation import (
    RANDOM_STATE,
    Interval,
    StrOptions,
    check_groups,
    check_random_state,
    check_sample_weight,
    fit_context,
)
from . import _weights as wt
from ._base import (
    QuantileFan,
    default_estimators,
    quantile_router,
    quantile_strategy,
    route_fit,
    rows_of,
)
from ._metrics import monotonize, pinball_loss
from ._utils import (
    check_quantiles,
    handles_raw_X,
    is_scalar_level,
    numeric_X,
    reraise_strict,
    rows,
    validate_passthrough,
)

_logger = logging.getLogger("statnorm.quantile")

DEFAULT_QUANTILES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
_LP_MAX_ROWS = 300_000


def named_estimators(estimators):
    if estimators is None:
        return default_estimators()
    if not isinstance(estimators, list | tuple) or len(estimators) == 0:
        raise ValueError(
            "estimators must be a non-empty list of estimators or of (name, "
            f"estimator) tuples; got {estimators!r}."
        )
    out = []
    for i, e in enumerate(estimators):
        if isinstance(e, tuple) and len(e) == 2 and isinstance(e[0], str):
            out.append(e)
        else:
            out.append((f"{type(e).__name__.lower()}{i}", e))
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise ValueError(f"estimator names must be unique; got {names}.")
    return out


def check_n_splits(cv, n, random_state):
    if isinstance(cv, Integral):
        if n < cv:
            raise ValueError(
                f"cv={cv} folds need at least {cv} samples; got {n} sample(s). "
                "Pass more data or a smaller cv."
            )
        return KFold(cv, shuffle=True, random_state=random_state)
    return check_cv(cv)


def _fit_predict_fold(name, est, tau, X, y, tr, te, sample_weight, params=None):
    sw = None if sample_weight is None else sample_weight[tr]
    prm = None if params is None else rows_of(params, tr, len(y))
    fan = QuantileFan(est, tau, name).fit(
        rows(X, tr), y[tr], sample_weight=sw, fit_params=prm
    )
    return fan.predict(rows(X, te))


def cv_splits(splitter, X, y, groups):
    """The folds of ``splitter`` and the rows held out exactly once.

    Rows that no fold holds out (the first block of a ``TimeSeriesSplit``) get
    no out-of-fold prediction and are left out of what is learned from those
    predictions; a row held out twice is an error.
    """
    n = _num_samples(X)
    splits = list(splitter.split(X, y, groups))
    seen = np.zeros(n, dtype=np.int64)
    for _, te in splits:
        seen[te] += 1
    if (seen > 1).any():
        raise ValueError(
            "cv: every sample may be held out at most once; "
            f"{int((seen > 1).sum())} sample(s) are in several test folds "
            "(use KFold-like splitters, GroupKFold or TimeSeriesSplit)."
        )
    held = np.flatnonzero(seen == 1)
    if held.size < 2:
        raise ValueError(
            f"cv: the folds hold out {held.size} sample(s); need at least 2."
        )
    return splits, held


def oof_predictions(
    named, tau, X, y, splitter, n_jobs, groups=None, sample_weight=None, params=None
):
    """Out-of-fold predictions Z (n, p, m) of the held-out rows, and those rows.

    Row ``i`` is predicted only by models not fit on it; rows that no fold
    holds out are dropped (see :func:`cv_splits`).
    """
    splits, held = cv_splits(splitter, X, y, groups)
    jobs = [
        delayed(_fit_predict_fold)(
            name,
            est,
            tau,
            X,
            y,
            tr,
            te,
            sample_weight,
            None if params is None else params[name],
        )
        for name, est in named
        for tr, te in splits
    ]
    res = Parallel(n_jobs=n_jobs)(jobs)
    Z = np.empty((_num_samples(X), len(named), tau.size))
    it = iter(res)
    for j in range(len(named)):
        for _, te in splits:
            Z[te, j, :] = next(it)
    return Z[held], held


class QuantileAggregator(CallbackSupportMixin, RegressorMixin, BaseEstimator):
    """Aggregate quantile regressors with learned simplex weights (Fakoor et al.).

    Each base model is fit at every level ``tau``; honest out-of-fold (OOF)
    predictions ``Z[i, j, k]`` of model ``j`` at level ``k`` are collected by
    ``cv``-fold cross-fitting (row ``i`` is never predicted by a model that saw
    it), and weights on the probability simplex are learned by minimising the
    pinball loss summed over levels, which is the weighted interval score
    (:func:`weighted_interval_score`). Base models are then refit on all rows.

    Read more in :doc:`/methods/quantile`.

    Parameters
    ----------
    estimators : list of estimators or of (str, estimator) tuples, default=None
        Base quantile models. Accepted: estimators with a ``quantile`` parameter
        (``QuantileRegressor``, ``HistGradientBoostingRegressor(loss="quantile")``,
        also inside a ``Pipeline``), with ``alpha`` and ``loss="quantile"``
        (``GradientBoostingRegressor``) or ``objective="quantile"`` (LightGBM),
        with a ``quantiles`` parameter (statnorm.quantile estimators), or with
        ``predict(X, quantiles=...)`` (quantile-forest, fit once for all levels).
        Default: linear quantile regression, histogram gradient boosting and a
        30-nearest-neighbours quantile model.
    quantiles : float or array-like of float, default=(0.1, 0.2, ..., 0.9)
        Increasing levels in (0, 1). A single float makes ``predict`` 1-D.
    weights : {"coarse", "medium", "fine"}, default="medium"
        ``"coarse"``: one weight per model, shared across levels; ``"medium"``:
        one weight vector per level; ``"fine"``: each output level is a convex
        combination of every model at every level.
    local : bool, default=False
        Make the weights functions of the features: a softmax over the output
        of a small ELU network trained jointly (numpy, analytic gradients).
        ``local=True, weights="fine"`` is the paper's DQA.
    tau_groups : array-like of shape (n_quantiles,), default=None
        Group label per level; levels with the same label share a weight vector
        (e.g. lower tail / centre / upper tail). Overrides the coarse/medium
        grouping; not allowed with ``weights="fine"``.
    monotone : {"sort", "isotonic", "minmax"} or None, default="sort"
        Non-crossing post-processing of ``predict`` (see :func:`monotonize`).
    sort_base : bool, default=True
        Sort each base model's quantiles (per row) before aggregating, in the
        out-of-fold training data and at prediction. Sorting never raises a
        model's pinball loss, so the aggregate competes with the best *sorted*
        base model.
    crossing_penalty : float, default=0.0
        Weight ``lambda`` of the crossing penalty
        ``mean_{i, k<l} (q_ik - q_il + crossing_margin)_+`` added to the loss.
    crossing_margin : float, default=0.0
        Margin ``delta`` of the penalty, in standard deviations of ``y``.
    cv : int or cross-validation splitter, default=5
        Folds for the out-of-fold base predictions (a partition of the rows).
    solver : {"auto", "lp", "adam"}, default="auto"
        ``"lp"``: exact linear program (HiGHS) for global coarse/medium/grouped
        weights without crossing penalty; ``"adam"``: softmax weights trained by
        AMSGrad with early stopping on OOF validation rows. ``"auto"`` uses the
        LP when it applies and ``n_samples * n_quantiles <= 300000``.
    hidden_layer_sizes : tuple of int, default=(64, 64)
        Hidden layers of the local weight network.
    learning_rate_init : float or "auto", default="auto"
        Adam step size; "auto" is 0.05 for global and 0.002 for local weights.
    batch_size : int or "auto", default="auto"
        Mini-batch size; "auto" is ``max(32, n_samples // 10)`` (global, about
        ten steps per epoch) or 128 (local).
    max_iter : int, default=300
        Maximum number of epochs of Adam.
    early_stopping : bool, default=True
        Stop Adam once the monitored loss (the pinball loss of the validation
        rows, or of the training rows with ``validation_fraction=0``) has not
        improved by more than ``1e-7`` for ``n_iter_no_change`` epochs;
        ``False``: run all ``max_iter`` epochs. Either way the weights kept are
        those of the epoch with the lowest monitored loss
        (``best_iteration_``).
    n_iter_no_change : int, default=20
        Patience of ``early_stopping``, in epochs without improvement.
    validation_fraction : float, default=0.1
        Share of the OOF rows held out to monitor the loss and choose the
        kept epoch (they are OOF too, so the selection is honest). ``0``: the
        training rows' loss is monitored.
    weight_decay : float, default=1e-6
        L2 penalty on the weight network's parameters.
    n_jobs : int or None, default=None
        Parallel base-model fits (joblib).
    random_state : int, RandomState, Generator or None, default=None
        Folds, validation split and network initialisation.
    verbose : int, default=0
        Print one line per training epoch; the same lines go to the
        ``statnorm`` logger of the method at DEBUG level.

    Attributes
    ----------
    estimators_ : list of list of estimators
        Base models refit on all rows: per base model, one fitted estimator per
        level (or one for models that predict all levels at once).
    estimator_names_ : list of str
        Names of the base models.
    quantiles_ : ndarray of shape (n_quantiles,)
        Validated levels.
    oof_predictions_ : ndarray of shape (n_samples, n_estimators, n_quantiles)
        The out-of-fold base predictions the weights were trained on.
    oof_pinball_ : ndarray of shape (n_estimators,)
        Mean pinball loss of each base model's OOF predictions.
    weights_ : ndarray or None
        Global weights: (n_quantiles, n_estimators) for coarse/medium, or
        (n_quantiles, n_estimators, n_quantiles) for fine (output level, model,
        input level). None for local weights (see :meth:`predict_weights`).
    solver_ : str
        The solver used ("lp" or "adam").
    loss_curve_ : ndarray of shape (n_iter,)
        Mean training loss of each epoch (Adam; empty for the LP).
    validation_scores_ : ndarray of shape (n_iter,)
        Negative pinball loss of the validation rows after each epoch (higher
        is better; empty with ``validation_fraction=0`` and for the LP).
    best_iteration_ : int
        Epoch whose weights were kept (1 for the LP).
    n_iter_ : int
        Epochs run (Adam), or 1 for the LP (one exact solve).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit`` (string column names only).

    See Also
    --------
    ConformalQuantileRegressor : Conformal calibration of the aggregated fan.
    monotonize : The non-crossing post-processing.

    Notes
    -----
    With one base model the aggregate equals that model. Weights start at equal
    weights (quantile averaging). Global weights are invariant to the scale of
    ``y``; training uses standardised ``y``. ``score`` returns the negative mean
    pinball loss, so that ``GridSearchCV`` maximises it.

    References
    ----------
    .. [1] Fakoor, Kim, Mueller, Smola & Tibshirani (2023), "Flexible model
       aggregation for quantile regression", JMLR 24(162).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import QuantileRegressor
    >>> from sklearn.ensemble import HistGradientBoostingRegressor
    >>> from statnorm.quantile import QuantileAggregator
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(size=(300, 2))
    >>> y = 3 * X[:, 0] + (0.5 + X[:, 1]) * rng.normal(size=300)
    >>> agg = QuantileAggregator(
    ...     [QuantileRegressor(alpha=0.0),
    ...      HistGradientBoostingRegressor(loss="quantile", max_iter=20)],
    ...     quantiles=[0.1, 0.5, 0.9], random_state=0).fit(X, y)
    >>> agg.predict(X[:2]).shape
    (2, 3)
    >>> bool(np.allclose(agg.weights_.sum(axis=1), 1.0))
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimators": [list, tuple, None],
        "quantiles": ["array-like", Interval(Real, 0, 1, closed="neither")],
        "weights": [StrOptions({"coarse", "medium", "fine"})],
        "local": ["boolean"],
        "tau_groups": ["array-like", None],
        "monotone": [StrOptions({"sort", "isotonic", "minmax"}), None],
        "sort_base": ["boolean"],
        "crossing_penalty": [Interval(Real, 0, None, closed="left")],
        "crossing_margin": [Interval(Real, 0, None, closed="left")],
        "cv": [Interval(Integral, 2, None, closed="left"), "cv_object"],
        "solver": [StrOptions({"auto", "lp", "adam"})],
        "hidden_layer_sizes": [tuple, list],
        "learning_rate_init": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": RANDOM_STATE,
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimators=None,
        *,
        quantiles=DEFAULT_QUANTILES,
        weights="medium",
        local=False,
        tau_groups=None,
        monotone="sort",
        sort_base=True,
        crossing_penalty=0.0,
        crossing_margin=0.0,
        cv=5,
        solver="auto",
        hidden_layer_sizes=(64, 64),
        learning_rate_init="auto",
        batch_size="auto",
        max_iter=300,
        early_stopping=True,
        n_iter_no_change=20,
        validation_fraction=0.1,
        weight_decay=1e-6,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimators = estimators
        self.quantiles = quantiles
        self.weights = weights
        self.local = local
        self.tau_groups = tau_groups
        self.monotone = monotone
        self.sort_base = sort_base
        self.crossing_penalty = crossing_penalty
        self.crossing_margin = crossing_margin
        self.cv = cv
        self.solver = solver
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.validation_fraction = validation_fraction
        self.weight_decay = weight_decay
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------ helpers
    def _groups(self, m):
        if self.tau_groups is not None:
            if self.weights == "fine":
                raise ValueError(
                    "tau_groups ties weights across levels and applies to "
                    "weights='coarse' or 'medium'; got weights='fine'."
                )
            g = np.asarray(self.tau_groups)
            if g.ndim != 1 or g.shape[0] != m:
                raise ValueError(
                    f"tau_groups must have one label per quantile level ({m}); "
                    f"got shape {g.shape}."
                )
            _, gidx = np.unique(g, return_inverse=True)
            return gidx.astype(np.intp)
        if self.weights == "coarse":
            return np.zeros(m, dtype=np.intp)
        return np.arange(m, dtype=np.intp)

    def _check_hidden(self):
        h = tuple(self.hidden_layer_sizes)
        if not h or not all(isinstance(v, Integral) and v > 0 for v in h):
            raise ValueError(
                "hidden_layer_sizes must be a non-empty tuple of positive ints; "
                f"got {self.hidden_layer_sizes!r}."
            )
        return h

    # ---------------------------------------------------------------- fit
    @with_callbacks
    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, groups=None):
        """Fit the base models out of fold, learn the weights, refit the bases.

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
            Row weights: the weights are learned by the weighted pinball loss
            (integer weights give the weights of repeated rows), and every base
            model's ``fit`` receives them (a base model that takes no
            ``sample_weight`` is an error, never silently unweighted).
        groups : array-like of shape (n_samples,), default=None
            Group labels for a group splitter in ``cv`` (e.g. ``GroupKFold``).

        Returns
        -------
        self : QuantileAggregator
            Fitted estimator.
        """
        tau = check_quantiles(self.quantiles)
        named = named_estimators(self.estimators)
        for i, (name, est) in enumerate(named):
            quantile_strategy(est, f"estimators[{i}] ({name!r})")
        X, y, strict = validate_passthrough(
            self,
            X,
            y,
            lenient=handles_raw_X(est for _, est in named),
            y_numeric=True,
            ensure_min_samples=2,
        )
        if self.local:  # the weight network reads X itself: numbers only
            numeric_X(X, strict, "local weights")
        sw = check_sample_weight(sample_weight, X)
        groups = check_groups(groups, X)
        rs = check_random_state(self.random_state)
        n, m = _num_samples(X), tau.size
        splitter = check_n_splits(self.cv, n, rs.randint(2**31 - 1))
        gidx = self._groups(m)
        fine = self.weights == "fine"
        hidden = self._check_hidden() if self.local else None

        _logger.info(
            "QuantileAggregator: %d base model(s) x %d level(s), out of fold",
            len(named),
            m,
        )
        params, groups = route_fit(self, named, splitter, sw, groups)
        with reraise_strict(strict):
            Z, held = oof_predictions(
                named, tau, X, y, splitter, self.n_jobs, groups, sw, params
            )
        if self.sort_base:
            Z = np.sort(Z, axis=2)
        swh = None if sw is None else sw[held]
        self.oof_predictions_ = Z
        self.oof_rows_ = held
        self.oof_pinball_ = np.array(
            [
                pinball_loss(y[held], Z[:, j, :], tau, sample_weight=swh)
                for j in range(Z.shape[1])
            ]
        )
        self.quantiles_ = tau
        self.estimator_names_ = [name for name, _ in named]
        self.groups_ = gidx
        Xw = numeric_X(rows(X, held), strict, "local weights") if self.local else None
        self._learn_weights(Xw, y[held], Z, tau, gidx, fine, hidden, rs, swh)
        _logger.info("QuantileAggregator: weights by %s", self.solver_)

        with reraise_strict(strict):
            fans = Parallel(n_jobs=self.n_jobs)(
                delayed(QuantileFan(est, tau, name).fit)(
                    X,
                    y,
                    sample_weight=sw,
                    fit_params=None if params is None else params[name],
                )
                for name, est in named
            )
        self.fans_ = fans
        self.estimators_ = [f.models_ for f in fans]
        return self

    def _learn_weights(self, X, y, Z, tau, gidx, fine, hidden, rs, sw=None):
        n, m = Z.shape[0], tau.size
        mu, sd = float(y.mean()), float(y.std())
        sd = sd if sd > 0 else 1.0
        ys, Zs = (y - mu) / sd, (Z - mu) / sd

        lp_ok = not self.local and not fine and self.crossing_penalty == 0
        if self.solver == "lp" and not lp_ok:
            raise ValueError(
                "solver='lp' applies to global coarse/medium/grouped weights without "
                "crossing_penalty; use solver='adam' or 'auto'."
            )
        use_lp = self.solver == "lp" or (
            self.solver == "auto" and lp_ok and n * m <= _LP_MAX_ROWS
        )
        if use_lp:
            G = int(gidx.max()) + 1
            Wg = np.vstack(
                [
                    wt.lp_group_weights(
                        Zs, ys, tau, np.flatnonzero(gidx == g), sample_weight=sw
                    )
                    for g in range(G)
                ]
            )
            self.weights_ = Wg[gidx]
            self.solver_, self.n_iter_ = "lp", 1
            self.params_ = None
            self.best_iteration_ = 1
            self.loss_curve_ = self.validation_scores_ = np.empty(0)
        else:
            self.solver_ = "adam"
            self._fit_adam(X, ys, Zs, tau, gidx, fine, hidden, rs, sw)

    def _fit_adam(self, X, ys, Zs, tau, gidx, fine, hidden, rs, sw=None):
        n, p, m = Zs.shape
        G = int(gidx.max()) + 1
        lam, margin = float(self.crossing_penalty), float(self.crossing_margin)
        if self.local:
            self.x_mean_ = X.mean(axis=0)
            xs = X.std(axis=0)
            self.x_scale_ = np.where(xs > 0, xs, 1.0)
            Xs = (X - self.x_mean_) / self.x_scale_
            n_out = int(np.prod(wt.local_shape(p, m, G, fine)))
            params = wt.init_mlp(rs, X.shape[1], hidden, n_out)
            lr = (
                0.002
                if self.learning_rate_init == "auto"
                else float(self.learning_rate_init)
            )
            bs = 128 if self.batch_size == "auto" else int(self.batch_size)
        else:
            Xs = None
            params = [np.zeros((m, p * m)) if fine else np.zeros((G, p))]
            if fine:  # start at "each level uses its own level", equal over models
                params[0][:] = -8.0
                for k in range(m):
                    params[0][k, np.arange(p) * m + k] = 0.0
            lr = (
                0.05
                if self.learning_rate_init == "auto"
                else float(self.learning_rate_init)
            )
            bs = max(32, n // 10) if self.batch_size == "auto" else int(self.batch_size)

        idx = rs.permutation(n)
        n_val = round(self.validation_fraction * n)
        if n_val >= 1 and n - n_val >= 1:
            val, tr = idx[:n_val], idx[n_val:]
        else:
            val, tr = None, idx
        bs = max(1, min(bs, tr.size))
        opt = Adam(params, learning_rate_init=lr, amsgrad=True)
        wd = float(self.weight_decay)

        def loss_and_grads(rows, want_grad=True):
            if self.local:
                Q, W, cache = wt.local_forward(
                    params, Xs[rows], Zs[rows], gidx, fine, G
                )
            else:
                Q, W = wt.global_forward(params[0], Zs[rows], gidx, fine)
            w = None if sw is None else sw[rows]
            if not want_grad:
                return wt.pinball_grad(ys[rows], Q, tau, w)[0], None
            loss, dQ = wt.objective_grad_Q(ys[rows], Q, tau, lam, margin, w)
            if self.local:
                grads = wt.local_backward(params, cache, W, Zs[rows], gidx, fine, dQ)
                for i in range(0, len(params), 2):
                    grads[i] = grads[i] + wd * params[i]
            else:
                grads = [wt.global_backward(W, Zs[rows], gidx, fine, dQ)]
            return loss, grads

        def epoch(i):
            order = rs.permutation(tr)
            tot = 0.0
            for s in range(0, order.size, bs):
                rows = order[s : s + bs]
                loss, grads = loss_and_grads(rows)
                opt.step(params, grads)
                tot += loss * rows.size
            score = loss_and_grads(val if val is not None else tr, False)[0]
            loss = tot / order.size
            return Epoch(loss, score, metrics={"loss": loss, "validation_loss": score})

        progress = FitProgress(self, self.max_iter)
        t = train(
            epoch,
            params,
            max_iter=self.max_iter,
            early_stopping=self.early_stopping,
            n_iter_no_change=self.n_iter_no_change,
            progress=progress,
            tol=1e-7,
        )
        progress.close()
        t.warn_if_capped(
            f"QuantileAggregator: Adam stopped at max_iter={self.max_iter} "
            f"epochs before the validation loss stopped improving for "
            f"n_iter_no_change={self.n_iter_no_change} epochs; raise max_iter.",
            stacklevel=4,
        )
        best_params, best = t.params, t.best_score
        self.n_iter_, self.best_iteration_ = t.n_iter, t.best_iteration
        self.loss_curve_ = np.asarray(t.losses, dtype=np.float64)
        held = np.asarray(t.scores if val is not None else [], dtype=np.float64)
        self.validation_scores_ = -held
        self.params_ = best_params
        self.best_validation_loss_ = best
        if self.local:
            self.weights_ = None
        elif fine:
            W = wt.softmax(best_params[0], axis=1)
            self.weights_ = W.reshape(m, p, m)
        else:
            self.weights_ = wt.softmax(best_params[0], axis=1)[gidx]

    def get_metadata_routing(self):
        """Where ``fit`` metadata go under scikit-learn's metadata routing.

        With ``sklearn.set_config(enable_metadata_routing=True)``,
        ``sample_weight`` reaches the base models that requested it
        (``set_fit_request(sample_weight=True)``) and ``groups`` the splitter
        (group splitters request it by default).

        Returns
        -------
        routing : MetadataRouter
        """
        cv = KFold(self.cv) if isinstance(self.cv, Integral) else self.cv
        return quantile_router(self, named_estimators(self.estimators), cv)

    # ------------------------------------------------------------ predict
    def _raw_X_ok(self):
        return handles_raw_X(est for _, est in named_estimators(self.estimators))

    def predict_base(self, X):
        """Quantile predictions of every refit base model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_estimators, n_quantiles)
            Base predictions as aggregated: sorted per row when ``sort_base``,
            else unmodified (they may cross).
        """
        check_is_fitted(self)
        X, _, strict = validate_passthrough(
            self, X, reset=False, lenient=self._raw_X_ok()
        )
        with reraise_strict(strict):
            return self._base(X)

    def _base(self, X):
        Z = np.stack([f.predict(X) for f in self.fans_], axis=1)
        return np.sort(Z, axis=2) if self.sort_base else Z

    def _combine(self, X, Z):
        m = Z.shape[2]
        fine = (
            self.weights == "fine" if self.weights_ is None else self.weights_.ndim == 3
        )
        if self.weights_ is not None:
            if self.weights_.ndim == 3:
                return wt.rowwise_matmul(
                    Z.reshape(Z.shape[0], -1), self.weights_.reshape(m, -1).T
                )
            return np.einsum("ijk,kj->ik", Z, self.weights_)
        Xs = (np.asarray(X, dtype=np.float64) - self.x_mean_) / self.x_scale_
        G = int(self.groups_.max()) + 1
        Q, _, _ = wt.local_forward(
            self.params_, Xs, Z, self.groups_, fine, G, rowwise=True
        )
        return Q

    def predict_weights(self, X):
        """Aggregation weights at each row (local) or broadcast (global).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        W : ndarray of shape (n_samples, n_quantiles, n_estimators) or \
(n_samples, n_quantiles, n_estimators, n_quantiles) for fine weights
            Simplex weights of each output level.
        """
        check_is_fitted(self)
        X, _, strict = validate_passthrough(
            self, X, reset=False, lenient=self._raw_X_ok()
        )
        n = _num_samples(X)
        if self.weights_ is not None:
            return np.broadcast_to(self.weights_, (n, *self.weights_.shape)).copy()
        p, m = len(self.fans_), self.quantiles_.size
        X = numeric_X(X, strict, "local weights")
        Xs = (X - self.x_mean_) / self.x_scale_
        logits, _ = wt.mlp_forward(self.params_, Xs, rowwise=True)
        G = int(self.groups_.max()) + 1
        if self.weights == "fine":
            return wt.softmax(logits.reshape(n, m, p * m), axis=2).reshape(n, m, p, m)
        return wt.softmax(logits.reshape(n, G, p), axis=2)[:, self.groups_, :]

    def predict(self, X):
        """Aggregated quantiles, non-crossing when ``monotone`` is set.

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)
            Features. A Dask array is predicted lazily block by block and a
            Dask array is returned.

        Returns
        -------
        Q : ndarray of shape (n_samples, n_quantiles), or (n_samples,) when
            ``quantiles`` is a single float
            Predicted quantiles in level order.
        """
        check_is_fitted(self)
        if is_dask_array(X):
            check_dask_array(X, n_features=self.n_features_in_, estimator=self)
            n_out = None if is_scalar_level(self.quantiles) else self.quantiles_.size
            return map_row_blocks(self.predict, X, n_outputs=n_out)
        X, _, strict = validate_passthrough(
            self, X, reset=False, lenient=self._raw_X_ok()
        )
        with reraise_strict(strict):
            Z = self._base(X)
        if self.weights_ is None:
            X = numeric_X(X, strict, "local weights")
        Q = self._combine(X, Z)
        if self.monotone is not None and Q.shape[1] > 1:
            Q = monotonize(Q, method=self.monotone, n_jobs=self.n_jobs)
        return Q[:, 0] if is_scalar_level(self.quantiles) else Q

    def score(self, X, y):
        """Negative mean pinball loss over the levels (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Targets.
        Returns
        -------
        score : float
            ``-pinball_loss(y, self.predict(X), self.quantiles_)``.
        """
        Q = self.predict(X)
        return -pinball_loss(y, Q.reshape(len(Q), -1), self.quantiles_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


def refit_weights(fitted, X, y, **params):
    """A copy of a fitted aggregator with other weight settings, same base fits.

    Only weight-related parameters (``weights``, ``local``, ``tau_groups``,
    ``monotone``, ``crossing_penalty``, solver and network settings) may
    change; the out-of-fold predictions and refit base models are reused.
    ``X`` and ``y`` must be the data ``fitted`` was fit on.
    """
    from sklearn.base import clone

    bad = {"estimators", "quantiles", "cv", "sort_base"} & set(params)
    if bad:
        raise ValueError(f"refit_weights cannot change {sorted(bad)}.")
    new = clone(fitted).set_params(**params)
    for k, v in vars(fitted).items():
        if k.endswith("_") and not k.startswith("__"):
            setattr(new, k, v)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    tau = fitted.quantiles_
    gidx = new._groups(tau.size)
    new.groups_ = gidx
    hidden = new._check_hidden() if new.local else None
    new._learn_weights(
        X,
        y,
        fitted.oof_predictions_,
        tau,
        gidx,
        new.weights == "fine",
        hidden,
        check_random_state(new.random_state),
    )
    return new
