"""Depth-based classification: the max-depth rule and the DD-classifier."""

from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .._validation import HasMethods, StrOptions, fit_context, validate_data
from ._base import _BaseDepth
from ._multivariate import SpatialDepth

__all__ = ["DepthClassifier"]


_K_GRID = (1, 3, 5, 7, 9, 15, 25, 35, 50)


def _loo_k(V, y_idx):
    """Number of neighbours with the best leave-one-out accuracy (ties: the
    smallest k), from one neighbour search on the training depth vectors."""
    n = V.shape[0]
    ks = [k for k in _K_GRID if k < n] or [1]
    nbr = (
        NearestNeighbors(n_neighbors=ks[-1]).fit(V).kneighbors(return_distance=False)
    )  # each point's neighbours, itself excluded
    labels = y_idx[nbr]
    K = int(y_idx.max()) + 1
    votes = np.zeros((n, K))
    best, best_acc, done = ks[0], -1.0, 0
    for k in ks:
        np.add.at(votes, (np.arange(n)[:, None], labels[:, done:k]), 1.0)
        done = k
        acc = float(np.mean(votes.argmax(axis=1) == y_idx))
        if acc > best_acc:
            best, best_acc = k, acc
    return best


class DepthClassifier(ClassifierMixin, BaseEstimator):
    """Classify by statistical depth: the max-depth rule or a DD-classifier.

    One depth is fitted to the training points of each class (a clone of
    ``depth`` per class). A point is then described by its *depth vector*
    ``(D(x; X_1), ..., D(x; X_K))``, its depth with respect to every class:
    the coordinates of the DD-plot (Li, Cuesta-Albertos & Liu 2012).

    - ``method="max-depth"``: predict the class in which ``x`` is deepest
      (Ghosh & Chaudhuri 2005); ``predict_proba`` is the depth vector
      divided by its sum (uniform where every depth is 0).
    - ``method="dd"``: a second classifier is trained on the depth vectors
      of the training points (the DD-classifier, as in R's ``ddalpha``):
      ``"logistic"`` (multinomial logistic regression on the standardised
      depth vector: a linear separator in the DD-plot, like ddalpha's
      alpha-procedure with degree 1), ``"knn"`` (k nearest neighbours in the
      DD-plot, k chosen by leave-one-out cross-validation, ddalpha's
      ``knnlm``) or any scikit-learn classifier. With K classes the separator
      works in the K-dimensional depth space (ddalpha combines 2-class
      DD-plots by majority vote instead).

    As in ``ddalpha``, the depth vectors of the training points are their
    depths in the training samples that include them.

    Parameters
    ----------
    depth : depth estimator or None, default=None
        Any statnorm depth (:class:`SpatialDepth`, :class:`MahalanobisDepth`,
        :class:`ProjectionDepth`, :class:`HalfspaceDepth`,
        :class:`TTEDepth`), cloned for each class. None: ``SpatialDepth()``.
    method : {"dd", "max-depth"}, default="dd"
        Classification rule.
    classifier : {"logistic", "knn"} or classifier, default="logistic"
        Separator in the DD-plot (``method="dd"`` only); an estimator is
        cloned and must implement ``fit`` and ``predict`` (and
        ``predict_proba`` for :meth:`predict_proba`).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    depths_ : list of depth estimators
        The depth fitted to each class, in the order of ``classes_``.
    classifier_ : estimator or None
        The fitted DD-plot separator (None for ``"max-depth"``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    DDPlotDisplay : draw the DD-plot of two samples.

    References
    ----------
    .. [1] J. Li, J. A. Cuesta-Albertos, R. Y. Liu, "DD-classifier:
       nonparametric classification procedure based on DD-plot", JASA 107
       (2012) 737-753.
    .. [2] A. K. Ghosh, P. Chaudhuri, "On maximum depth and related
       classifiers", Scand. J. Stat. 32 (2005) 327-350.
    .. [3] O. Pokotylo, P. Mozharovskyi, R. Dyckerhoff, "Depth and
       depth-based classification with R package ddalpha", J. Stat. Softw.
       91 (2019).

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.depth import DepthClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (60, 2)), rng.normal(0, 3, (60, 2))])
    >>> y = np.repeat(["narrow", "wide"], 60)
    >>> clf = DepthClassifier().fit(X, y)
    >>> clf.predict([[0.0, 0.0], [6.0, 6.0]]).tolist()
    ['narrow', 'wide']
    >>> clf.predict_proba([[6.0, 6.0]]).round(2)
    array([[0.01, 0.99]])
    """

    _parameter_constraints: ClassVar[dict] = {
        "depth": [_BaseDepth, None],
        "method": [StrOptions({"dd", "max-depth"})],
        "classifier": [StrOptions({"logistic", "knn"}), HasMethods(["fit", "predict"])],
    }

    def __init__(self, depth=None, *, method="dd", classifier="logistic"):
        self.depth = depth
        self.method = method
        self.classifier = classifier

    def _separator(self, V, y_idx):
        if self.classifier == "logistic":
            return make_pipeline(StandardScaler(), LogisticRegression(C=10.0))
        if self.classifier == "knn":
            return KNeighborsClassifier(n_neighbors=_loo_k(V, y_idx))
        return clone(self.classifier)

    def _depth_vectors(self, X):
        return np.column_stack([d._score_blocked(X) for d in self.depths_])

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit one depth per class and the DD-plot separator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training points.
        y : array-like of shape (n_samples,)
            Class labels (any hashable labels; at least two classes, each
            with at least two points).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_idx, counts = np.unique(
            y, return_inverse=True, return_counts=True
        )
        if self.classes_.size < 2:
            raise ValueError(
                f"y has only one class ({self.classes_[0]!r}); DepthClassifier "
                "needs at least 2 classes."
            )
        if counts.min() < 2:
            bad = self.classes_[counts < 2][0]
            raise ValueError(
                f"y has class {bad!r} with a single sample; each class needs at "
                "least 2 points to fit a depth."
            )
        base = SpatialDepth() if self.depth is None else self.depth
        self.depths_ = [clone(base).fit(X[y_idx == k]) for k in range(counts.size)]
        if self.method == "max-depth":
            self.classifier_ = None
            return self
        V = self._depth_vectors(X)
        self.classifier_ = self._separator(V, y_idx).fit(V, y_idx)
        return self

    def decision_depths(self, X):
        """Depth vectors: the depth of each row of ``X`` in every class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Points.

        Returns
        -------
        depths : ndarray of shape (n_samples, n_classes)
            Column ``k`` is the depth with respect to class ``classes_[k]``
            (the DD-plot coordinates).

        Examples
        --------
        >>> import numpy as np
        >>> from statnorm.depth import DepthClassifier
        >>> X = np.array([[0.0, 0], [1, 0], [0, 1], [5, 5], [6, 5], [5, 6]])
        >>> clf = DepthClassifier(method="max-depth").fit(X, [0, 0, 0, 1, 1, 1])
        >>> clf.decision_depths([[0.3, 0.3]]).argmax(axis=1)
        array([0])
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self._depth_vectors(X)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Points.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            ``"dd"``: the separator's probabilities; ``"max-depth"``: the
            depth vector normalised to sum to 1.

        Examples
        --------
        >>> import numpy as np
        >>> from statnorm.depth import DepthClassifier
        >>> X = np.array([[0.0, 0], [1, 0], [0, 1], [5, 5], [6, 5], [5, 6]])
        >>> clf = DepthClassifier(method="max-depth").fit(X, [0, 0, 0, 1, 1, 1])
        >>> clf.predict_proba([[5.3, 5.3]]).round(2)
        array([[0., 1.]])
        """
        V = self.decision_depths(X)
        if self.method == "max-depth":
            V = np.maximum(V, 0.0)
            s = V.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                P = np.where(s > 0, V / np.where(s > 0, s, 1.0), 1.0 / V.shape[1])
            return P
        proba = self.classifier_.predict_proba(V)
        seen = getattr(self.classifier_, "classes_", np.arange(len(self.classes_)))
        if len(seen) == len(self.classes_):
            return proba
        out = np.zeros((V.shape[0], len(self.classes_)))
        out[:, np.asarray(seen, dtype=int)] = proba
        return out

    def score(self, X, y, sample_weight=None):
        """Accuracy of :meth:`predict` on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Points to classify.
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
        """Predict the class of each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Points.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.

        Examples
        --------
        >>> import numpy as np
        >>> from statnorm.depth import DepthClassifier, MahalanobisDepth
        >>> X = np.array([[0.0, 0], [1, 0], [0, 1], [5, 5], [6, 5], [5, 6]])
        >>> clf = DepthClassifier(MahalanobisDepth(), method="max-depth")
        >>> clf.fit(X, ["a", "a", "a", "b", "b", "b"]).predict([[4.0, 5.0]])
        array(['b'], dtype='<U1')
        """
        V = self.decision_depths(X)
        if self.method == "max-depth":
            idx = V.argmax(axis=1)
        else:
            idx = np.asarray(self.classifier_.predict(V), dtype=int)
        return self.classes_[idx]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
