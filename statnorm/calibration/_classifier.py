"""Calibrate any scikit-learn classifier with a statnorm calibrator."""

from __future__ import annotations

import warnings
from inspect import signature
from numbers import Integral
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.model_selection import check_cv
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import Bunch, _safe_indexing, indexable
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _num_samples, check_is_fitted, column_or_1d

from .._parallel import run_tasks
from .._validation import HasMethods, StrOptions, fit_context
from ..exceptions import StatnormWarning
from ._base import check_sample_weight
from ._baselines import (
    HistogramBinning,
    IsotonicCalibrator,
    MatrixScaling,
    TemperatureScaling,
    VectorScaling,
)
from ._hcal import HCalibrator
from ._parametric import BetaCalibration, SigmoidCalibration

__all__ = ["CalibratedClassifier"]

_CALIBRATORS = {
    "h-calibration": (HCalibrator, {}),
    "temperature": (TemperatureScaling, {}),
    "vector": (VectorScaling, {}),
    "matrix": (MatrixScaling, {}),
    "dirichlet": (MatrixScaling, {"reg_lambda": 1e-2, "reg_mu": 1e-2}),
    "isotonic": (IsotonicCalibrator, {}),
    "histogram": (HistogramBinning, {}),
    "sigmoid": (SigmoidCalibration, {}),
    "beta": (BetaCalibration, {}),
}


# log(predict_proba) is log(p + _PROBA_EPS), as scikit-learn's
_PROBA_EPS = 1e-12
# score of a class a fold's classifier never saw (ensemble=False): the score
# of a zero probability, log(_PROBA_EPS)
_MISSING_LOGIT = float(np.log(_PROBA_EPS))


class _Constant:
    """The calibrator of a held-out split holding one class of the
    classifier's (or a classifier that knows one class): the (weighted)
    class frequencies of the held-out rows, whatever the scores."""

    def __init__(self, y, sample_weight, n_classes):
        w = np.ones(len(y)) if sample_weight is None else sample_weight
        freq = np.bincount(y, weights=w, minlength=n_classes)[:n_classes]
        tot = freq.sum()
        self.proba_ = freq / tot if tot > 0 else np.full(n_classes, 1.0 / n_classes)

    def predict_proba(self, Z):
        return np.tile(self.proba_, (len(Z), 1))


def _check_y_finite(y):
    """Missing or non-finite labels are an error naming ``y``."""
    if hasattr(y, "isna") and bool(np.asarray(y.isna()).any()):
        raise ValueError("Input y contains NaN (missing labels).")
    a = np.asarray(y) if not hasattr(y, "dtype") else y
    kind = getattr(getattr(a, "dtype", None), "kind", "O")
    if kind in "fc":
        if not np.all(np.isfinite(np.asarray(a, dtype=np.complex128))):
            raise ValueError("Input y contains NaN or infinity.")


def _fit_named(est, X, y, params):
    """``est.fit`` whose ValueError / TypeError names ``X``: the classifier
    is the one that validates ``X`` (it reaches it untouched)."""
    try:
        return est.fit(X, y, **params)
    except (ValueError, TypeError) as e:
        if "X" in str(e):
            raise
        raise type(e)(
            f"X (or a fit parameter) was rejected by the classifier "
            f"{type(est).__name__}: {e}"
        ) from e


def _make_calibrator(spec):
    if isinstance(spec, str):
        cls, kw = _CALIBRATORS[spec]
        return cls(**kw)
    return clone(spec)


def _accepts_weights(obj):
    try:
        return "sample_weight" in signature(obj.fit).parameters
    except (TypeError, ValueError):
        return False


def _subset_params(params, rows, n):
    """Row-subset every per-sample array in ``params`` (others pass through)."""
    out = {}
    for key, val in params.items():
        if val is not None and hasattr(val, "__len__") and len(val) == n:
            out[key] = _safe_indexing(val, rows)
        else:
            out[key] = val
    return out


def _uses_decision_function(est, response):
    return response == "decision_function" or (
        response == "auto" and hasattr(est, "decision_function")
    )


def _logits(est, X, response, probabilities=False):
    """Class scores as logits, one column per class (binary 1-D -> (0, z)).

    ``probabilities``: return ``predict_proba`` itself rather than its log.
    """
    if _uses_decision_function(est, response):
        z = np.asarray(est.decision_function(X), dtype=np.float64)
        if z.ndim == 1 or z.shape[1] == 1:
            z = z.reshape(-1)
            # the module's binary convention (binary_scores_to_2d): a 1-D
            # score is the log-odds of class 1, i.e. the logits (0, z)
            return np.column_stack([np.zeros_like(z), z])
        return z
    P = np.asarray(est.predict_proba(X), dtype=np.float64)
    if probabilities:
        return P
    # scikit-learn's rule (CalibratedClassifierCV, method="temperature"):
    # log(p + 1e-12), so a zero probability is the logit log(1e-12) = -27.6
    return np.log(P + _PROBA_EPS)


class CalibratedClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Calibrate a classifier's probabilities with a statnorm calibrator.

    The statnorm counterpart of scikit-learn's ``CalibratedClassifierCV``:
    the classifier's scores (``decision_function``, or ``log(predict_proba)``)
    are the logits a statnorm calibrator (by default h-calibration) maps to
    calibrated probabilities. Labels of any kind are encoded internally.

    With ``ensemble=True`` (``"auto"``), for each split of ``cv`` a clone of
    the classifier is fitted on the training part and a calibrator on its
    scores of the held-out part; probabilities are averaged over the splits.
    With ``ensemble=False``, one calibrator is fitted on out-of-fold scores
    and the classifier is refitted on all data. A ``FrozenEstimator`` (a
    classifier fitted elsewhere) is calibrated on the data passed to ``fit``.

    ``sample_weight`` reaches both the classifier's ``fit`` (training rows)
    and the calibrator's (held-out rows). With scikit-learn's metadata routing
    enabled (``sklearn.set_config(enable_metadata_routing=True)``) it, and
    ``groups`` for the splitter, are routed as the classifier and splitter
    request them (``set_fit_request``, as for ``CalibratedClassifierCV``);
    without routing, ``sample_weight`` goes to the classifier when its ``fit``
    takes it (a ``StatnormWarning`` says when it does not) and other fit
    parameters go to the classifier.

    Parameters
    ----------
    estimator : classifier, default=None
        Any scikit-learn classifier or a Pipeline ending in one; None means
        ``LogisticRegression()``.
    calibrator : str or statnorm calibrator, default="h-calibration"
        A calibrator instance (cloned) or one of "h-calibration",
        "temperature", "vector", "matrix", "dirichlet" (matrix scaling with
        ODIR 1e-2), "isotonic", "histogram", "sigmoid" (Platt scaling, as
        scikit-learn's ``method="sigmoid"``), "beta" (Beta calibration).
    cv : int, splitter or iterable, default=5
        Splits for the calibration data (ignored for a ``FrozenEstimator``).
    ensemble : bool or "auto", default="auto"
        See above; "auto" means True (False for a ``FrozenEstimator``).
    response : {"auto", "decision_function", "predict_proba"}, default="auto"
        Which scores to calibrate: ``decision_function`` when the classifier
        has one ("auto"), else ``log(predict_proba + 1e-12)`` (scikit-learn's
        rule: with it temperature scaling and binary isotonic agree with
        ``CalibratedClassifierCV`` to 1e-8 on the same folds; multi-class
        isotonic on a ``decision_function`` differs, since statnorm's maps
        read the softmax probabilities and scikit-learn's the raw columns).
    n_jobs : int, default=None
        joblib workers fitting the classifiers of the splits in parallel
        (``None``: serial). The fits, hence the results, are the same for
        every ``n_jobs``.

    ``X`` is passed to the classifier untouched (sparse matrices, missing
    values for a Pipeline that imputes, lists of raw texts for a Pipeline
    that vectorises them): the meta-estimator checks only the number of
    rows, the labels and ``sample_weight``, and the classifier validates the
    rest.

    **Classes missing from a split** (unstratified folds, ``TimeSeriesSplit``,
    rare classes), as scikit-learn does: a classifier fitted on a training
    split that lacks a class gives that class probability 0 in its pair, and
    its calibrator is fitted on the score columns of the classes it knows,
    on the held-out rows of those classes (rows of the unseen class are left
    out; scikit-learn's one-vs-rest calibrators count them as negatives).
    When the held-out rows hold a single one of its classes the calibrator
    is the constant of their class frequencies (what scikit-learn's isotonic
    calibration gives; its Platt scaling gives a near-constant instead).
    With ``ensemble=False`` an out-of-fold score of a class that the fold's
    classifier never saw is ``log(1e-12)``, the score of a zero probability.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    calibrated_classifiers_ : list of (classifier, calibrator)
        One pair per split (``ensemble=True``), else one pair.
    class_columns_ : list of ndarray
        For each pair, the columns of ``classes_`` its classifier knows (all
        of them unless its training split lacked a class).
    n_features_in_ : int
        Copied from the (first) classifier when it has it.
    score_input_ : {"logits", "probabilities"}
        What the calibrators receive: logits (``decision_function``, or
        ``log(predict_proba)``), or ``predict_proba`` itself when the scores
        come from ``predict_proba`` and the calibrator has
        ``input="probabilities"`` (``calibrator="sigmoid"`` and
        ``"isotonic"`` set it then, so that Platt scaling and isotonic
        regression read the probabilities, as scikit-learn's do).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from statnorm.calibration import CalibratedClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = CalibratedClassifier(LogisticRegression(max_iter=500),
    ...                            calibrator="temperature", cv=3).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit"]), None],
        "calibrator": [
            StrOptions(set(_CALIBRATORS)),
            HasMethods(["fit", "predict_proba"]),
        ],
        "cv": ["cv_object"],
        "ensemble": ["boolean", StrOptions({"auto"})],
        "response": [StrOptions({"auto", "decision_function", "predict_proba"})],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        estimator=None,
        *,
        calibrator="h-calibration",
        cv=5,
        ensemble="auto",
        response="auto",
        n_jobs=None,
    ):
        self.estimator = estimator
        self.calibrator = calibrator
        self.cv = cv
        self.ensemble = ensemble
        self.response = response
        self.n_jobs = n_jobs

    def _base(self):
        if self.estimator is None:
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression()
        return self.estimator

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the classifier(s) and the calibrator(s).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Labels (any hashable values).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights for the classifier and the calibrator (see above).
        **fit_params : dict
            Passed to the classifier's ``fit`` (with metadata routing: routed
            to the classifier and the splitter as they request).

        Returns
        -------
        self : CalibratedClassifier
        """
        if X is None:
            raise TypeError(
                "X must be array-like (what the classifier takes); got None."
            )
        _check_y_finite(y)
        check_classification_targets(y)
        y = column_or_1d(y, warn=True)
        X = indexable(X)[0]  # lists and arrays stay as they are
        n = _num_samples(X)
        if len(y) != n:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"X has {n}, y has {len(y)}."
            )
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, n)
        routed = self._route(sample_weight, fit_params)
        est_params = routed.estimator.fit
        enc = LabelEncoder().fit(y)
        classes = enc.classes_
        if classes.size < 2:
            raise ValueError(
                f"y has {classes.size} class; at least 2 are needed to "
                "calibrate a classifier."
            )
        self.classes_ = classes  # read by _scores while fitting
        yi = enc.transform(y)
        base = self._base()
        frozen = type(base).__name__ == "FrozenEstimator"
        self._proba_scores = not _uses_decision_function(base, self.response)
        inp = self._new_calibrator().get_params().get("input", "logits")
        self.score_input_ = (
            "probabilities"
            if self._proba_scores and inp == "probabilities"
            else "logits"
        )
        ensemble = (not frozen) if self.ensemble == "auto" else bool(self.ensemble)
        sw = sample_weight

        def w(rows):
            return None if sw is None else sw[rows]

        if frozen:
            est = base
            cols = self._columns(est)
            pairs = [(est, self._calibrate(est, X, yi, sw, cols))]
            columns = [cols]
        else:
            cv = check_cv(self.cv, yi, classifier=True)
            splits = list(cv.split(X, yi, **routed.splitter.split))
            fitted = self._fit_folds(base, X, yi, est_params, splits)
            if ensemble:
                pairs, columns = [], []
                for est, (_, te) in zip(fitted, splits, strict=True):
                    cols = self._columns(est)
                    Xte = _safe_indexing(X, te)
                    pairs.append((est, self._calibrate(est, Xte, yi[te], w(te), cols)))
                    columns.append(cols)
            else:
                C = classes.size
                Z = np.full((n, C), _MISSING_LOGIT)
                for est, (_, te) in zip(fitted, splits, strict=True):
                    cols = self._columns(est)
                    Z[np.ix_(te, cols)] = self._scores(est, _safe_indexing(X, te), cols)
                all_cols = np.arange(C)
                cal = self._fit_calibrator(Z, yi, sw, all_cols)
                est = _fit_named(clone(base), X, yi, est_params)
                pairs, columns = [(est, cal)], [self._columns(est)]
        fitted_attrs = {}
        first = pairs[0][0]
        for attr in ("n_features_in_", "feature_names_in_"):
            if hasattr(first, attr):
                fitted_attrs[attr] = getattr(first, attr)
        for attr in ("n_features_in_", "feature_names_in_"):  # of an earlier fit
            vars(self).pop(attr, None)
        self.__dict__.update(fitted_attrs)
        self.class_columns_ = columns
        self.calibrated_classifiers_ = pairs
        return self

    def _fit_folds(self, base, X, yi, est_params, splits):
        """One clone of the classifier per training split, in split order
        (``n_jobs`` workers through joblib; the same fits for every
        ``n_jobs``: a fold's fit uses its rows only)."""
        n = len(yi)

        def fit_one(task, splits, X, yi):
            tr = splits[task][0]
            params = _subset_params(est_params, tr, n)
            return _fit_named(clone(base), _safe_indexing(X, tr), yi[tr], params)

        if self.n_jobs in (None, 1):
            return [fit_one(k, splits, X, yi) for k in range(len(splits))]
        # run_tasks hands each task its seed; map the seeds back to the
        # split index (the folds need no randomness)
        from .._validation import spawn_seeds

        seeds = [int(t) for t in spawn_seeds(0, len(splits))]
        if len(set(seeds)) < len(seeds):  # a seed collision: stay serial
            return [fit_one(k, splits, X, yi) for k in range(len(splits))]
        index = {sd: k for k, sd in enumerate(seeds)}
        return run_tasks(
            lambda sd, *a: fit_one(index[int(sd)], *a),
            len(splits), 0, splits, X, yi, n_jobs=self.n_jobs,
        )

    def _columns(self, est):
        """Columns of ``classes_`` that the fitted classifier knows, in the
        order of its score columns (all of them unless a training split
        lacked a class)."""
        known = getattr(est, "classes_", None)
        C = self.classes_.size
        if known is None:
            return np.arange(C)
        known = np.asarray(known)
        if known.dtype.kind in "iu" and known.size and known.max() < C and not (
            type(self._base()).__name__ == "FrozenEstimator"
        ):
            return known.astype(np.int64)
        pos = np.searchsorted(self.classes_, known)
        pos = np.clip(pos, 0, C - 1)
        if not np.array_equal(self.classes_[pos], known):
            raise ValueError(
                "The classifier knows classes that are not in y: "
                f"{known[self.classes_[pos] != known]!r}."
            )
        return pos.astype(np.int64)

    def _new_calibrator(self):
        cal = _make_calibrator(self.calibrator)
        if self.calibrator in ("sigmoid", "isotonic") and self._proba_scores:
            # as scikit-learn: Platt / isotonic on the predict_proba columns
            # themselves (isotonic interpolates in p, not in log p)
            cal.set_params(input="probabilities")
        return cal

    def _scores(self, est, X, cols):
        Z = _logits(
            est, X, self.response, probabilities=self.score_input_ == "probabilities"
        )
        if Z.shape[1] != len(cols):
            raise ValueError(
                f"The classifier gives {Z.shape[1]} score column(s) for the "
                f"{len(cols)} classes it was fitted on."
            )
        return Z

    def _fit_calibrator(self, Z, y, sample_weight, cols):
        """A calibrator of the classes ``cols`` on their score columns.

        Rows of other classes (unseen by the classifier) are left out; with
        one class left the calibrator is a constant (see the class docstring).
        """
        keep = np.isin(y, cols)
        if not keep.all():
            Z, y = Z[keep], y[keep]
            sample_weight = None if sample_weight is None else sample_weight[keep]
        local = np.searchsorted(cols, y)  # cols are sorted (encoded classes)
        if len(cols) < 2 or np.unique(local).size < 2:
            return _Constant(local, sample_weight, len(cols))
        cal = self._new_calibrator()
        if sample_weight is None:
            return cal.fit(Z, local)
        if not _accepts_weights(cal):
            warnings.warn(
                f"{type(cal).__name__}.fit takes no sample_weight: the weights are "
                "used by the classifier only, not by the calibration.",
                StatnormWarning,
                stacklevel=4,
            )
            return cal.fit(Z, local)
        return cal.fit(Z, local, sample_weight=sample_weight)

    def _calibrate(self, est, X, y, sample_weight, cols):
        return self._fit_calibrator(self._scores(est, X, cols), y, sample_weight, cols)

    def _route(self, sample_weight, fit_params):
        """Parameters for the classifier's fit and the splitter's split."""
        if _routing_enabled():
            return process_routing(
                self, "fit", sample_weight=sample_weight, **fit_params
            )
        kw = dict(fit_params)
        base = self._base()
        if sample_weight is not None and type(base).__name__ != "FrozenEstimator":
            if _accepts_weights(base):
                kw["sample_weight"] = sample_weight
            else:
                warnings.warn(
                    f"{type(base).__name__}.fit takes no sample_weight: the "
                    "weights are used by the calibrator only.",
                    StatnormWarning,
                    stacklevel=3,
                )
        return Bunch(estimator=Bunch(fit=kw), splitter=Bunch(split={}))

    def get_metadata_routing(self):
        """Metadata routing: ``sample_weight`` to the classifier and the splitter.

        Returns
        -------
        routing : MetadataRouter
            Routes ``fit`` metadata to the classifier's ``fit`` and the
            splitter's ``split``; ``sample_weight`` is also consumed by the
            calibrator.

        Examples
        --------
        >>> from statnorm.calibration import CalibratedClassifier
        >>> router = CalibratedClassifier(calibrator="sigmoid").get_metadata_routing()
        >>> type(router).__name__
        'MetadataRouter'
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                estimator=self._base(),
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
            .add(
                splitter=check_cv(self.cv),
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        )

    def predict_proba(self, X):
        """Calibrated probabilities, averaged over the calibrated classifiers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        P = np.zeros((_num_samples(X), self.classes_.size))
        for (est, cal), cols in zip(
            self.calibrated_classifiers_, self.class_columns_, strict=True
        ):
            # classes unseen by this classifier get probability 0
            P[:, cols] += cal.predict_proba(self._scores(est, X, cols))
        return P / len(self.calibrated_classifiers_)

    def score(self, X, y, sample_weight=None):
        """Accuracy of :meth:`predict` on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights.

        Returns
        -------
        score : float
        """
        return super().score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        from sklearn.utils import get_tags

        tags = super().__sklearn_tags__()
        inner = get_tags(self._base()).input_tags
        tags.input_tags.sparse = inner.sparse
        tags.input_tags.allow_nan = inner.allow_nan
        tags.input_tags.string = getattr(inner, "string", False)
        return tags

    def predict(self, X):
        """The class with the largest calibrated probability.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
