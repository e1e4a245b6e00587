"""Shared validation and the base class of every calibrator in this module."""

import warnings

import numpy as np
from scipy.special import log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.validation import check_is_fitted

from .._validation import as_array, check_1d, check_2d, check_consistent_length
from .._validation import check_sample_weight as _check_sample_weight
from ..exceptions import StatnormWarning


def _looks_like_probabilities(X):
    return X.min() >= 0 and np.abs(X.sum(axis=1) - 1).max() < 1e-6


def check_scores(X, *, input="logits", name="X", n_features=None, owner="Calibrator"):
    """Validate logits (or probabilities) and return the log-softmax.

    Never modifies ``X``. ``n_features``: the number of columns seen in fit.
    """
    if n_features is not None:
        X = check_2d(X, name=name)
        if X.shape[1] != n_features:
            raise ValueError(
                f"X has {X.shape[1]} features, but {owner} is expecting "
                f"{n_features} features as input (one logit per class)."
            )
    if input == "probabilities":
        X = check_2d(X, name=name, min_features=2)
        sums = X.sum(axis=1)
        if X.min() < 0 or np.abs(sums - 1).max() > 1e-6:
            raise ValueError(
                f"{name} must hold probabilities when input='probabilities': "
                f"non-negative with rows summing to 1 within 1e-6; got row sums in "
                f"[{sums.min():.6g}, {sums.max():.6g}] and min={X.min():.3g}."
            )
        with np.errstate(divide="ignore"):
            Z = np.log(np.maximum(X, 1e-300))
        return log_softmax(Z, axis=1)
    X = check_2d(X, name=name, min_features=2)
    if X.shape[0] > 1 and _looks_like_probabilities(X):
        warnings.warn(
            f"{name} look like probabilities (non-negative rows summing to 1); the "
            "calibrator expects logits. Pass input='probabilities' if they are "
            "probabilities.",
            StatnormWarning,
            stacklevel=3,
        )
    return log_softmax(X, axis=1)


def binary_scores_to_2d(X, *, input="logits", name="X", n_classes=None):
    """Two columns from 1-D binary scores; anything else is returned unchanged.

    A 1-D score ``s`` (a decision function, the logit of the positive class)
    becomes the logits ``(0, s)``: the softmax of ``(0, s)`` is
    ``(1 - sigmoid(s), sigmoid(s))``, so ``s`` is the log-odds of class 1.
    Any other pair ``(c, c + s)``, e.g. ``(-s/2, s/2)``, gives the same
    log-softmax. This is the module's one binary convention: every
    calibrator and ``CalibratedClassifier`` (for a binary
    ``decision_function``) use it. scikit-learn's temperature scaling reads
    ``s`` as ``(-s, s)``, log-odds ``2s``: a different input. With ``input="probabilities"`` a 1-D ``p`` is the
    probability of class 1 and becomes ``(1 - p, p)``. ``n_classes``: the
    number of columns seen in fit (1-D input is an error unless it is 2).
    """
    if X is None or isinstance(X, str):
        return X
    try:
        a = np.asarray(X)
    except (ValueError, TypeError):  # ragged input: let the 2-D check explain it
        return X
    if a.ndim != 1 or a.dtype.kind not in "fiub":
        return X
    if n_classes is not None and n_classes != 2:
        raise ValueError(
            f"Expected 2D array, got 1D array instead: {name} of shape {a.shape}. "
            f"A 1-D {name} holds binary scores, but the calibrator was fitted on "
            f"{n_classes} classes. Reshape your data to (n_samples, {n_classes})."
        )
    s = check_1d(a, name=name)
    if input == "probabilities":
        return np.column_stack([1.0 - s, s])
    return np.column_stack([np.zeros_like(s), s])


def check_sample_weight(sample_weight, n_samples, *, name="sample_weight"):
    """Non-negative finite weights of length ``n_samples`` (None: all ones).

    The weighted objectives are weighted means, so only ratios of the weights
    matter and integer weights are the same as repeating rows. The checks are
    :func:`statnorm._validation.check_sample_weight`.
    """
    w = _check_sample_weight(sample_weight, n_samples, name=name)
    return np.ones(n_samples) if w is None else w


def check_labels(y, n_classes, *, name="y", min_classes=2):
    """Labels must be integers in ``0..n_classes-1``, with at least 2 classes."""
    if y is None:
        raise ValueError(
            f"This calibrator requires {name} to be passed, but the target y is None."
        )
    y_arr = as_array(y, name=name)
    if y_arr.ndim == 2 and y_arr.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please "
            "change the shape of y to (n_samples,), for example using ravel().",
            DataConversionWarning,
            stacklevel=3,
        )
    y = check_1d(y, name=name, dtype=None)
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)):
            raise ValueError(f"Input {name} contains NaN or inf.")
        if np.any(y != np.round(y)):
            raise ValueError(
                f"Unknown label type: continuous. {name} must hold integer class "
                f"labels 0..{n_classes - 1} (one per column of logits)."
            )
    elif y.dtype.kind == "b":
        pass
    elif y.dtype.kind not in "iu":
        raise ValueError(
            f"Unknown label type: {name} must hold integer class labels "
            f"0..{n_classes - 1} (the column index of the true class in logits); "
            f"got dtype {y.dtype}. Encode "
            "string labels with sklearn.preprocessing.LabelEncoder first."
        )
    y = y.astype(np.int64)
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(
            f"{name} must hold labels in 0..{n_classes - 1} because logits has "
            f"{n_classes} columns (one per class); got labels in [{y.min()}, "
            f"{y.max()}]. The number of classes in {name} disagrees with logits."
        )
    if np.unique(y).size < min_classes:
        raise ValueError(
            f"{name} contains only 1 class ({y[0]}); at least 2 classes are "
            "required to calibrate."
        )
    return y


def _relabel(y, n_classes):
    """True if ``y`` needs scikit-learn's ``np.unique`` encoding.

    That is: finite labels that are not all integers in ``0..n_classes-1``
    (strings, ``{3, 7, 9}``, ...). Booleans, index labels and anything
    :func:`check_labels` rejects (NaN, non-integer floats) are left to it.
    """
    if y.ndim != 1 or y.size == 0 or y.dtype.kind == "b":
        return False
    if y.dtype.kind in "iuf":
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            return False
        return bool(y.min() < 0 or y.max() >= n_classes)
    return True


def encode_labels(y, n_classes, *, name="y", min_classes=2):
    """Column indices of ``y`` and the ``classes_`` they index.

    Integer labels in ``0..n_classes-1`` are the column of their class in the
    logits, as before: ``classes_`` is ``0..n_classes-1`` (a class may be
    absent from ``y``). Any other labels (strings, ``{3, 7, 9}``, ...) follow
    scikit-learn: ``classes_`` is ``np.unique(y)`` and column ``k`` of the
    logits is the class ``classes_[k]``, so ``y`` must hold exactly
    ``n_classes`` distinct labels.

    Returns
    -------
    y_idx : ndarray of int64
    classes : ndarray of shape (n_classes,)
    """
    if y is not None:
        y_arr = as_array(y, name=name)
        if y_arr.dtype.kind == "O" and not all(isinstance(v, str) for v in y_arr.flat):
            # as scikit-learn's type_of_target: an object array is labels
            # only if it holds strings
            raise ValueError(
                f"Unknown label type: {name} has dtype object with values that are "
                "not all strings; pass string labels, or numeric labels in a "
                "numeric dtype (e.g. y.astype(int))."
            )
        if _relabel(y_arr, n_classes):
            return _encode_unique(y_arr, n_classes, name, min_classes)
    y_idx = check_labels(y, n_classes, name=name, min_classes=min_classes)
    return y_idx, np.arange(n_classes)


def _encode_unique(y, n_classes, name, min_classes):
    y = check_1d(y, name=name, dtype=None)
    try:
        classes, y_idx = np.unique(y, return_inverse=True)
    except TypeError as exc:
        raise ValueError(
            f"{name} mixes label types that cannot be sorted (e.g. str and int, "
            "or None); the labels must be all strings or all numbers."
        ) from exc
    if classes.size < min_classes:
        raise ValueError(
            f"{name} contains only 1 class ({classes[0]!r}); at least 2 classes "
            "are required to calibrate."
        )
    if classes.size != n_classes:
        raise ValueError(
            f"{name} holds {classes.size} distinct labels but logits has "
            f"{n_classes} columns. With labels other than 0..{n_classes - 1}, "
            "column k of logits is the class np.unique(y)[k] (scikit-learn's "
            "classes_), so every class must appear in y; otherwise pass integer "
            f"labels 0..{n_classes - 1} (the column index of the true class)."
        )
    return y_idx.astype(np.int64), classes


class BaseCalibrator(ClassifierMixin, TransformerMixin, BaseEstimator):
    """Common plumbing: validation, ``predict``, ``transform``, tags."""

    # calibrators that take 1-D binary scores (see binary_scores_to_2d) set True
    _binary_scores = False

    def _as_2d(self, X, n_classes=None):
        if self._binary_scores:
            inp = getattr(self, "input", "logits")
            return binary_scores_to_2d(X, input=inp, n_classes=n_classes)
        return X

    def _check_fit_data(self, X, y):
        """Validate calibration data and store nothing.

        Returns ``(Z, y, fitted)``: the log-softmax of ``X``, the integer
        labels, and the attributes every calibrator stores
        (``n_features_in_``, ``classes_``, and ``feature_names_in_`` when ``X``
        has column names), to be passed to :meth:`_store_fit` once the fit
        has succeeded.
        """
        inp = getattr(self, "input", "logits")
        X = self._as_2d(X)
        Z = check_scores(X, input=inp)
        y, classes = encode_labels(y, Z.shape[1])
        check_consistent_length(X=Z, y=y)
        fitted = {"n_features_in_": Z.shape[1], "classes_": classes}
        if hasattr(X, "columns"):
            fitted["feature_names_in_"] = np.asarray(X.columns, dtype=object)
        return Z, y, fitted

    def _store_fit(self, fitted, **attributes):
        """Store a finished fit in one assignment; the last step of ``fit``.

        ``fitted`` comes from :meth:`_check_fit_data`, ``attributes`` are the
        estimator's own fitted attributes. Column names of an earlier fit on
        a DataFrame are dropped when the new ``X`` had none.
        """
        state = {k: v for k, v in vars(self).items() if k != "feature_names_in_"}
        state.update(fitted)
        state.update(attributes)
        self.__dict__ = state
        return self

    def _validate_fit(self, X, y):
        """:meth:`_check_fit_data`, storing its attributes at once.

        Prefer :meth:`_check_fit_data` and :meth:`_store_fit`, which keep the
        new attributes out of the estimator until the fit has succeeded.
        """
        Z, y, fitted = self._check_fit_data(X, y)
        vars(self).pop("feature_names_in_", None)
        vars(self).update(fitted)
        return Z, y

    def _validate_predict(self, X):
        check_is_fitted(self)
        inp = getattr(self, "input", "logits")
        X = self._as_2d(X, self.n_features_in_)
        return check_scores(
            X, input=inp, n_features=self.n_features_in_, owner=type(self).__name__
        )

    def _label_index(self, y, name="y"):
        """Column indices in ``classes_`` of the labels ``y`` (for scoring)."""
        classes = self.classes_
        if classes.dtype.kind in "iu" and np.array_equal(
            classes, np.arange(classes.size)
        ):
            return check_labels(y, classes.size, name=name, min_classes=1)
        y = check_1d(as_array(y, name=name), name=name, dtype=None)
        try:
            idx = np.searchsorted(classes, y)
            idx = np.minimum(idx, classes.size - 1)
            known = classes[idx] == y
        except TypeError:
            known = np.zeros(len(y), dtype=bool)
        if not np.all(known):
            raise ValueError(
                f"{name} contains labels not seen in fit: "
                f"{np.unique(y[~known]).tolist()!r}; classes_ is "
                f"{classes.tolist()!r}."
            )
        return idx.astype(np.int64)

    def transform(self, X):
        """Calibrated log-probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes)
            Logits (or probabilities if ``input="probabilities"``).

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return self._log_proba(X)

    def _log_proba(self, X):
        """The log-probabilities as an ndarray, whatever ``set_output`` says."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def get_feature_names_out(self, input_features=None):
        """Names of the columns of :meth:`transform`: one per class.

        As scikit-learn names the outputs of a transformer that are not its
        inputs: the lower-case class name followed by ``0..C-1``, in the order
        of ``classes_``. With them, ``set_output(transform="pandas")`` makes
        :meth:`transform` return a DataFrame.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Checked against ``feature_names_in_`` if given; not used otherwise.

        Returns
        -------
        names : ndarray of str objects
            ``[<classname>0, ..., <classname>{C-1}]``.

        Examples
        --------
        >>> import numpy as np
        >>> from statnorm.calibration import TemperatureScaling
        >>> X = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 3.0]])
        >>> ts = TemperatureScaling().fit(X, ["cat", "dog", "dog", "dog"])
        >>> ts.get_feature_names_out()
        array(['temperaturescaling0', 'temperaturescaling1'], dtype=object)
        """
        from sklearn.utils.validation import _generate_get_feature_names_out

        check_is_fitted(self, "n_features_in_")
        return _generate_get_feature_names_out(
            self, self.n_features_in_, input_features=input_features
        )

    def predict_log_proba(self, X):
        """Calibrated log-probabilities, always an ndarray (sklearn's name).

        The same values as :meth:`transform`, which follows ``set_output``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes)
            Logits.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return self._log_proba(X)

    def predict(self, X):
        """Arg-max of the calibrated probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes)
            Logits.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        P = self.predict_proba(X)
        return self.classes_[np.argmax(P, axis=1)]

    def score(self, X, y):
        """Mean log-likelihood of ``y`` under the calibrated probabilities.

        Higher is better (it is minus the NLL), so ``GridSearchCV``'s default
        scoring picks the best-calibrated model; accuracy would not, since a
        recalibrator rarely changes the arg-max.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes)
            Logits.
        y : array-like of shape (n_samples,)
            Labels in ``0..C-1``.

        Returns
        -------
        score : float
        """
        P = self.predict_proba(X)
        y = self._label_index(y)
        p = P[np.arange(len(y)), y]
        return float(np.mean(np.log(np.maximum(p, 1e-300))))

    def fit_transform(self, X, y, **fit_params):
        """Fit, then return calibrated log-probabilities of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes)
            Logits.
        y : array-like of shape (n_samples,)
            Labels in ``0..C-1``.
        **fit_params : dict
            Passed to ``fit``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return self.fit(X, y, **fit_params)._log_proba(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.input_tags.two_d_array = True
        return tags
