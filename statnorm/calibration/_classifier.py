"""Calibrate any scikit-learn classifier with a statnorm calibrator."""

from __future__ import annotations

import warnings
from inspect import signature
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.model_selection import check_cv
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import Bunch, _safe_indexing
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .._validation import HasMethods, StrOptions, fit_context, validate_data
from ..exceptions import StatnormWarning
from ._base import check_sample_weight

__all__ = ["CalibratedClassifier"]

_CALIBRATORS = {
    "h-calibration": ("HCalibrator", {}),
    "temperature": ("TemperatureScaling", {}),
    "vector": ("VectorScaling", {}),
    "matrix": ("MatrixScaling", {}),
    "dirichlet": ("MatrixScaling", {"reg_lambda": 1e-2, "reg_mu": 1e-2}),
    "isotonic": ("IsotonicCalibrator", {}),
    "histogram": ("HistogramBinning", {}),
    "sigmoid": ("SigmoidCalibration", {}),
    "beta": ("BetaCalibration", {}),
}


def _make_calibrator(spec):
    if isinstance(spec, str):
        from .. import calibration

        name, kw = _CALIBRATORS[spec]
        return getattr(calibration, name)(**kw)
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
    return np.log(np.clip(P, np.finfo(np.float64).tiny, None))


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
        has one ("auto"), else ``log(predict_proba)``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    calibrated_classifiers_ : list of (classifier, calibrator)
        One pair per split (``ensemble=True``), else one pair.
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
    }

    def __init__(
        self,
        estimator=None,
        *,
        calibrator="h-calibration",
        cv=5,
        ensemble="auto",
        response="auto",
    ):
        self.estimator = estimator
        self.calibrator = calibrator
        self.cv = cv
        self.ensemble = ensemble
        self.response = response

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
        X, y = validate_data(self, X, y, dtype=None)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X.shape[0])
        routed = self._route(sample_weight, fit_params)
        est_params = routed.estimator.fit
        check_classification_targets(y)
        enc = LabelEncoder().fit(y)
        self.classes_ = enc.classes_
        if self.classes_.size < 2:
            raise ValueError(
                f"y has {self.classes_.size} class; at least 2 are needed to "
                "calibrate a classifier."
            )
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
        pairs = []
        n = X.shape[0]
        sw = sample_weight

        def sub(rows):
            return _subset_params(est_params, rows, n)

        def w(rows):
            return None if sw is None else sw[rows]

        if frozen:
            est = base
            pairs.append((est, self._calibrate(est, X, yi, sw)))
        else:
            cv = check_cv(self.cv, yi, classifier=True)
            splits = list(cv.split(X, yi, **routed.splitter.split))
            if ensemble:
                for tr, te in splits:
                    est = clone(base).fit(X[tr], yi[tr], **sub(tr))
                    pairs.append((est, self._calibrate(est, X[te], yi[te], w(te))))
            else:
                Z = np.empty((n, self.classes_.size))
                for tr, te in splits:
                    est = clone(base).fit(X[tr], yi[tr], **sub(tr))
                    Z[te] = self._scores(est, X[te])
                cal = self._fit_calibrator(Z, yi, sw)
                pairs.append((clone(base).fit(X, yi, **est_params), cal))
        self.calibrated_classifiers_ = pairs
        return self

    def _new_calibrator(self):
        cal = _make_calibrator(self.calibrator)
        if self.calibrator in ("sigmoid", "isotonic") and self._proba_scores:
            # as scikit-learn: Platt / isotonic on the predict_proba columns
            # themselves (isotonic interpolates in p, not in log p)
            cal.set_params(input="probabilities")
        return cal

    def _scores(self, est, X):
        Z = _logits(
            est, X, self.response, probabilities=self.score_input_ == "probabilities"
        )
        if Z.shape[1] != self.classes_.size:
            raise ValueError(
                f"The classifier gives {Z.shape[1]} score column(s) for "
                f"{self.classes_.size} classes; every class must be seen in each "
                "training split (use fewer folds or a stratified splitter)."
            )
        return Z

    def _fit_calibrator(self, Z, y, sample_weight):
        cal = self._new_calibrator()
        if sample_weight is None:
            return cal.fit(Z, y)
        if not _accepts_weights(cal):
            warnings.warn(
                f"{type(cal).__name__}.fit takes no sample_weight: the weights are "
                "used by the classifier only, not by the calibration.",
                StatnormWarning,
                stacklevel=4,
            )
            return cal.fit(Z, y)
        return cal.fit(Z, y, sample_weight=sample_weight)

    def _calibrate(self, est, X, y, sample_weight=None):
        return self._fit_calibrator(self._scores(est, X), y, sample_weight)

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
        X = validate_data(self, X, dtype=None, reset=False)
        P = np.zeros((X.shape[0], self.classes_.size))
        for est, cal in self.calibrated_classifiers_:
            P += cal.predict_proba(self._scores(est, X))
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
