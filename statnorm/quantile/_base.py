"""Fitting any quantile model at many levels, and the default base models."""

import inspect
from contextlib import nullcontext
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

from .._validation import Interval, fit_context, validate_data

_HOW = (
    "expected an estimator with a 'quantile' parameter (QuantileRegressor, "
    "HistGradientBoostingRegressor(loss='quantile')), an 'alpha' parameter with "
    "loss='quantile' or objective='quantile' (GradientBoostingRegressor, "
    "LGBMRegressor), a 'quantiles' parameter (statnorm.quantile estimators), or "
    "predict(X, quantiles=...) (quantile-forest)"
)


def _param_key(params, leaf):
    """Key of a (possibly nested, 'step__leaf') parameter, or None."""
    keys = [k for k in params if k == leaf or k.endswith("__" + leaf)]
    if not keys:
        return None
    return min(keys, key=len)


def quantile_strategy(estimator, name="estimator"):
    """How to obtain quantiles from ``estimator``; raise TypeError if it cannot.

    Returns ``(kind, key)`` with kind in {"multi", "fan", "level"}.
    """
    if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
        raise TypeError(
            f"{name} ({type(estimator).__name__}) must implement fit and predict; "
            f"{_HOW}."
        )
    try:
        params = estimator.get_params(deep=True)
    except Exception as exc:  # not an sklearn estimator
        raise TypeError(
            f"{name} ({type(estimator).__name__}) is not a scikit-learn estimator "
            f"(get_params failed); {_HOW}."
        ) from exc
    try:
        sig = inspect.signature(estimator.predict)
        if "quantiles" in sig.parameters:
            return "multi", None
    except (TypeError, ValueError):  # pragma: no cover - builtins
        pass
    if "quantiles" in params:
        return "fan", "quantiles"
    key = _param_key(params, "quantile")
    if key is not None:
        loss_key = key[: -len("quantile")] + "loss"
        if loss_key in params and params[loss_key] != "quantile":
            raise TypeError(
                f"{name} ({type(estimator).__name__}) has loss="
                f"{params[loss_key]!r}; set loss='quantile' to predict quantiles."
            )
        return "level", key
    key = _param_key(params, "alpha")
    if key is not None:
        prefix = key[: -len("alpha")]
        for other in ("loss", "objective"):
            if params.get(prefix + other) == "quantile":
                return "level", key
    raise TypeError(
        f"{name} ({type(estimator).__name__}) cannot predict quantiles: {_HOW}."
    )


def fit_weights(estimator, sample_weight, name="estimator"):
    """``{"sample_weight": w}`` for ``estimator.fit``, or ``{}`` without weights.

    A Pipeline receives the weights at its last step
    (``<step>__sample_weight``). An estimator whose ``fit`` takes no
    ``sample_weight`` is an error when weights are given (never ignored).
    """
    if sample_weight is None:
        return {}
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import has_fit_parameter

    if isinstance(estimator, Pipeline):
        step, last = estimator.steps[-1]
        if has_fit_parameter(last, "sample_weight"):
            return {f"{step}__sample_weight": sample_weight}
    elif has_fit_parameter(estimator, "sample_weight"):
        return {"sample_weight": sample_weight}
    raise TypeError(
        f"sample_weight: {name} ({type(estimator).__name__}) does not accept "
        "sample_weight in fit; use a base model that does, or no weights."
    )


def routing_enabled():
    """Whether scikit-learn's metadata routing is switched on."""
    from sklearn import get_config

    return bool(get_config().get("enable_metadata_routing", False))


def quantile_router(meta, named, splitter):
    """The MetadataRouter of a quantile meta-estimator: its models and splitter.

    ``fit`` of the meta-estimator routes to ``fit`` of every named model and
    to ``split`` of the splitter (None: no splitter).
    """
    from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping

    router = MetadataRouter(owner=type(meta).__name__).add_self_request(meta)
    for name, est in named:
        router.add(
            **{name: est},
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )
    if splitter is not None:
        router.add(
            splitter=splitter,
            method_mapping=MethodMapping().add(caller="fit", callee="split"),
        )
    return router


def route_fit(meta, named, splitter, sample_weight, groups):
    """``(params, groups)`` for the models and the splitter under routing.

    ``params[name]`` holds the full-length ``fit`` metadata model ``name``
    requested (``set_fit_request``); ``groups`` is what the splitter requested.
    Without routing, ``params`` is None and the arguments pass as given.
    """
    if not routing_enabled():
        return None, groups
    from sklearn.utils.metadata_routing import process_routing

    kw = {
        k: v
        for k, v in (("sample_weight", sample_weight), ("groups", groups))
        if v is not None
    }
    routed = process_routing(meta, "fit", **kw)
    params = {name: dict(routed[name].fit) for name, _ in named}
    split_groups = routed.splitter.split.get("groups") if splitter is not None else None
    return params, split_groups


def rows_of(params, idx, n):
    """The rows ``idx`` of every length-``n`` array in a dict of fit metadata."""
    return {
        k: (np.asarray(v)[idx] if v is not None and np.ndim(v) and len(v) == n else v)
        for k, v in params.items()
    }


class QuantileFan:
    """A fitted set of models giving one column per level (internal)."""

    def __init__(self, estimator, quantiles, name="estimator"):
        self.estimator = estimator
        self.quantiles = np.asarray(quantiles, dtype=np.float64)
        self.name = name
        self.kind, self.key = quantile_strategy(estimator, name)

    @property
    def n_models(self):
        """Number of models ``fit`` trains (one per level, or one)."""
        return self.quantiles.size if self.kind == "level" else 1

    def fit(self, X, y, sample_weight=None, fit_params=None, scope=None):
        """Fit the model(s); ``scope(k, model)``: a context manager around the
        ``k``-th model's fit (the meta-estimator's callback task)."""
        tau = self.quantiles
        if fit_params is not None:  # routed metadata, already sliced to the rows
            kw = dict(fit_params)
        else:
            kw = fit_weights(self.estimator, sample_weight, self.name)
        if self.kind == "level":
            models = [
                clone(self.estimator).set_params(**{self.key: float(t)}) for t in tau
            ]
        elif self.kind == "fan":
            models = [
                clone(self.estimator).set_params(
                    **{self.key: tuple(float(t) for t in tau)}
                )
            ]
        else:
            models = [clone(self.estimator)]
        for k, model in enumerate(models):
            with nullcontext() if scope is None else scope(k, model):
                model.fit(X, y, **kw)
        self.models_ = models
        return self

    def predict(self, X):
        tau = self.quantiles
        if self.kind == "level":
            Q = np.column_stack([np.ravel(m.predict(X)) for m in self.models_])
        elif self.kind == "fan":
            Q = np.asarray(self.models_[0].predict(X), dtype=np.float64)
        else:
            Q = np.asarray(
                self.models_[0].predict(X, quantiles=list(tau)), dtype=np.float64
            )
        Q = np.asarray(Q, dtype=np.float64).reshape(len(X), tau.size)
        return Q


class KNeighborsQuantileRegressor(RegressorMixin, BaseEstimator):
    """Empirical quantiles of the targets of the nearest neighbours.

    Features are standardised with the training mean and SD; the prediction
    at ``x`` is the empirical quantile (linear interpolation, numpy's default)
    of the targets of the ``n_neighbors`` nearest training points. One of the
    default base models of :class:`QuantileAggregator`.

    Parameters
    ----------
    n_neighbors : int, default=30
        Neighbours per prediction (capped at the training size).
    quantile : float, default=0.5
        Level predicted by ``predict(X)``; ``predict(X, quantiles=...)``
        returns several levels at once.

    Attributes
    ----------
    mean_, scale_ : ndarray of shape (n_features,)
        Standardisation of the features.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.quantile import KNeighborsQuantileRegressor
    >>> X = np.arange(100.0)[:, None]
    >>> y = np.arange(100.0)
    >>> est = KNeighborsQuantileRegressor(n_neighbors=11).fit(X, y)
    >>> est.predict([[50.0]])
    array([50.])
    >>> est.predict([[50.0]], quantiles=[0.1, 0.9])
    array([[46., 54.]])
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "quantile": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(self, n_neighbors=30, *, quantile=0.5):
        self.n_neighbors = n_neighbors
        self.quantile = quantile

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Store the standardised training points and their targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Targets.

        Returns
        -------
        self : KNeighborsQuantileRegressor
        """
        from sklearn.neighbors import NearestNeighbors

        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        self.mean_ = X.mean(axis=0)
        sd = X.std(axis=0)
        self.scale_ = np.where(sd > 0, sd, 1.0)
        k = min(self.n_neighbors, X.shape[0])
        self.nn_ = NearestNeighbors(n_neighbors=k).fit((X - self.mean_) / self.scale_)
        self.y_ = y.astype(np.float64)
        return self

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2 of ``predict(X)`` (at ``quantile``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights.

        Returns
        -------
        score : float
        """
        return super().score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # a 30-neighbour median is a heavy smoother: R^2 on the common checks'
        # small data sets can stay under 0.5 by design
        tags.regressor_tags.poor_score = True
        return tags

    def predict(self, X, *, quantiles=None):
        """Neighbourhood quantiles.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Query points.
        quantiles : array-like of float or None, default=None
            Levels to predict; None predicts ``quantile`` (1-D output).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_quantiles)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        idx = self.nn_.kneighbors((X - self.mean_) / self.scale_, return_distance=False)
        if quantiles is None:
            return np.quantile(self.y_[idx], float(self.quantile), axis=1)
        q = np.asarray(quantiles, dtype=np.float64)
        if q.ndim != 1 or np.any((q < 0) | (q > 1)) or not np.all(np.isfinite(q)):
            raise ValueError(
                f"quantiles must be a 1-D array of levels in [0, 1]. Got {quantiles!r}."
            )
        return np.quantile(self.y_[idx], q, axis=1).T


def default_estimators():
    """Three different base quantile models: linear, boosted trees, neighbours."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import QuantileRegressor

    return [
        ("linear", QuantileRegressor(alpha=0.0, solver="highs")),
        ("hgb", HistGradientBoostingRegressor(loss="quantile", max_iter=100)),
        ("knn", KNeighborsQuantileRegressor(n_neighbors=30)),
    ]
