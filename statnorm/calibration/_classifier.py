"""Calibrate any scikit-learn classifier with a statnorm calibrator."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.model_selection import check_cv
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .._validation import HasMethods, StrOptions, validate_data

__all__ = ["CalibratedClassifier"]

_CALIBRATORS = {
    "h-calibration": ("HCalibrator", {}),
    "temperature": ("TemperatureScaling", {}),
    "vector": ("VectorScaling", {}),
    "matrix": ("MatrixScaling", {}),
    "dirichlet": ("MatrixScaling", {"reg_lambda": 1e-2, "reg_mu": 1e-2}),
    "isotonic": ("IsotonicCalibrator", {}),
    "histogram": ("HistogramBinning", {}),
}


def _make_calibrator(spec):
    if isinstance(spec, str):
        from .. import calibration

        name, kw = _CALIBRATORS[spec]
        return getattr(calibration, name)(**kw)
    return clone(spec)


def _logits(est, X, response):
    """Class scores as logits, one column per class (binary 1-D -> (-z, z))."""
    if response == "decision_function" or (
        response == "auto" and hasattr(est, "decision_function")
    ):
        z = np.asarray(est.decision_function(X), dtype=np.float64)
        if z.ndim == 1 or z.shape[1] == 1:
            z = z.reshape(-1)
            # as scikit-learn's temperature scaling: two-class logits (-z, z)
            return np.column_stack([-z, z])
        return z
    P = np.asarray(est.predict_proba(X), dtype=np.float64)
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

    Parameters
    ----------
    estimator : classifier, default=None
        Any scikit-learn classifier or a Pipeline ending in one; None means
        ``LogisticRegression()``.
    calibrator : str or statnorm calibrator, default="h-calibration"
        A calibrator instance (cloned) or one of "h-calibration",
        "temperature", "vector", "matrix", "dirichlet" (matrix scaling with
        ODIR 1e-2), "isotonic", "histogram".
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

    def fit(self, X, y):
        """Fit the classifier(s) and the calibrator(s).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Labels (any hashable values).

        Returns
        -------
        self : CalibratedClassifier
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=None)
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
        ensemble = (not frozen) if self.ensemble == "auto" else bool(self.ensemble)
        pairs = []
        if frozen:
            est = base
            pairs.append((est, self._calibrate(est, X, yi)))
        else:
            splits = list(check_cv(self.cv, yi, classifier=True).split(X, yi))
            if ensemble:
                for tr, te in splits:
                    est = clone(base).fit(X[tr], yi[tr])
                    pairs.append((est, self._calibrate(est, X[te], yi[te])))
            else:
                Z = np.empty((X.shape[0], self.classes_.size))
                for tr, te in splits:
                    est = clone(base).fit(X[tr], yi[tr])
                    Z[te] = self._scores(est, X[te])
                cal = _make_calibrator(self.calibrator).fit(Z, yi)
                pairs.append((clone(base).fit(X, yi), cal))
        self.calibrated_classifiers_ = pairs
        return self

    def _scores(self, est, X):
        Z = _logits(est, X, self.response)
        if Z.shape[1] != self.classes_.size:
            raise ValueError(
                f"The classifier gives {Z.shape[1]} score column(s) for "
                f"{self.classes_.size} classes; every class must be seen in each "
                "training split (use fewer folds or a stratified splitter)."
            )
        return Z

    def _calibrate(self, est, X, y):
        return _make_calibrator(self.calibrator).fit(self._scores(est, X), y)

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
