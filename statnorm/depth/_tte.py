"""TTE depth (Seegmiller & Preum, EMNLP 2023): depth of text embeddings."""

import warnings
from numbers import Real
from typing import ClassVar

import numpy as np
from scipy.spatial.distance import cdist
from scipy.stats import chi2

from .._validation import Interval, StrOptions, check_sample_weight, fit_context
from ..exceptions import StatnormWarning
from ._base import _BaseDepth, _unit_rows

__all__ = ["IsotropicReferenceWarning", "TTEDepth"]


class IsotropicReferenceWarning(StatnormWarning):
    """Warn that the reference has no detectable mean direction.

    The cosine TTE depth of ``x`` equals ``1 + cos(x, m) * ||m||`` where ``m``
    is the mean of the unit-normalised reference rows; when ``||m||`` is
    indistinguishable from the ``1/sqrt(n)`` of directions drawn uniformly on
    the sphere, all depths are close to 1 and their ranking is noise.

    Examples
    --------
    >>> from statnorm.depth import IsotropicReferenceWarning
    >>> from statnorm.exceptions import StatnormWarning
    >>> issubclass(IsotropicReferenceWarning, StatnormWarning)
    True
    """


def _chord_from_cos(C):
    """Chord distance sqrt(2 - 2 cos) of unit vectors, rounding clamped at 0."""
    return np.sqrt(np.maximum(2.0 - 2.0 * C, 0.0))


def _reference_depths(X, w, metric, d_sup):
    """In-sample (leave-one-out) TTE depths of the reference ``X``.

    Returns ``(depths, mean_direction, mean_resultant_length, reference)``:
    what :class:`TTEDepth` stores (``reference`` is None for the cosine
    metric, which scores from the mean direction alone).
    """
    n = X.shape[0]
    # leave-one-out denominators: total weight minus one unit of the row
    W = float(n) if w is None else float(w.sum())
    loo = W - (1.0 if w is None else np.minimum(w, 1.0))
    if callable(metric):
        D = cdist(X, X, metric=metric)
        np.fill_diagonal(D, 0.0)
        if w is not None:
            depths = d_sup - D @ w / loo
        else:
            depths = d_sup - D.sum(axis=1) / (n - 1)
        return depths, None, float("nan"), X.copy()
    U = _unit_rows(X)
    S = U.sum(axis=0) if w is None else w @ U
    if w is not None:
        direction = S / W
        n = W  # effective sample size of the Rayleigh test
    else:
        direction = S / n
    R = float(np.linalg.norm(direction))
    d = X.shape[1]
    # Rayleigh test of uniformity on the sphere: d n R^2 ~ chi2(d).
    if d >= 2 and d * n * R * R < chi2.ppf(0.95, d):
        warnings.warn(
            f"The reference directions have no detectable mean direction "
            f"(mean resultant length {R:.3g}, about 1/sqrt(n) = "
            f"{1 / np.sqrt(n):.3g} for uniform directions): cosine TTE depths "
            "are all close to 1 and rank points by noise. Centre-free depths "
            "such as SpatialDepth or HalfspaceDepth rank such data "
            "meaningfully.",
            IsotropicReferenceWarning,
            stacklevel=4,
        )
    if metric == "cosine":
        if w is not None:  # d_sup - sum_j w_j (1 - u_i . u_j) / loo_i
            return d_sup - (W - U @ S) / loo, direction, R, None
        # D(f_i; F) = d_sup - 1 + (u_i . S - u_i . u_i) / (n - 1), u_i . u_i = 1
        return d_sup - 1.0 + (U @ S - 1.0) / (n - 1), direction, R, None
    n = U.shape[0]
    out = np.empty(n)
    step = max(1, (1 << 23) // n)
    for i in range(0, n, step):
        D = _chord_from_cos(U[i : i + step] @ U.T)
        rows = np.arange(D.shape[0])
        D[rows, rows + i] = 0.0
        if w is None:
            out[i : i + step] = d_sup - D.sum(axis=1) / (n - 1)
        else:
            out[i : i + step] = d_sup - D @ w / loo[i : i + step]
    return out, direction, R, U


class TTEDepth(_BaseDepth):
    """Transformer-based text embedding (TTE) depth.

    The depth of a point ``x`` with respect to a reference corpus
    ``F = {f_1, ..., f_n}`` is the supremum of the distance minus the mean
    distance from ``x`` to the reference (Seegmiller & Preum, 2023)::

        D(x; F)   = d_sup - (1/n) sum_j delta(x, f_j)
        D(f_i; F) = d_sup - (1/(n-1)) sum_{j != i} delta(f_i, f_j)

    The second line (leave-one-out, as in the reference implementation) gives
    the in-sample depths ``depths_``. Larger is more central.

    For the cosine distance the mean collapses to a closed form: with ``u``
    the unit vector of ``x`` and ``m`` the mean of the unit-normalised
    reference rows (``mean_direction_``), ``D(x; F) = 1 + u . m``. Scoring is
    then O((n + m) d) time and O(d) memory, with no pairwise matrix. The chord
    distance and custom distances use blocked matrix products with bounded
    memory.

    Parameters
    ----------
    metric : {"cosine", "chord"} or callable, default="cosine"
        Distance between embeddings. ``"cosine"`` is ``1 - cos(x, f)`` in
        [0, 2]; ``"chord"`` is ``sqrt(2 - 2 cos(x, f))``, the Euclidean
        distance between the unit-normalised vectors (rows are normalised
        first; the reference package assumes unit-norm input). A callable
        ``metric(u, v) -> float`` receives two raw rows (it is evaluated
        through :func:`scipy.spatial.distance.cdist`, a Python loop: slow).
    d_sup : float, default=2.0
        Supremum of the distance, subtracted from; 2 is exact for the cosine
        and chord distances. For custom distances it only shifts the depths
        (rankings and the rank-sum test are unaffected).

    Attributes
    ----------
    depths_ : ndarray of shape (n_reference,)
        Leave-one-out depths of the reference rows (each excluding itself).
    mean_direction_ : ndarray of shape (n_features,)
        Mean of the unit-normalised reference rows (cosine and chord).
    mean_resultant_length_ : float
        Norm of ``mean_direction_``, in [0, 1]. Near ``1/sqrt(n)`` the
        reference is isotropic and cosine depths rank by noise; an
        :class:`IsotropicReferenceWarning` is raised when a Rayleigh test
        cannot reject uniformity of the directions at the 5% level.
    reference_ : ndarray of shape (n_reference, n_features) or None
        The (unit-normalised, for chord) reference, kept for pairwise scoring;
        ``None`` for the cosine metric, which needs only ``mean_direction_``.
    sample_weight_ : ndarray of shape (n_reference,) or None
        Weights of the reference rows (None: unweighted).
    n_samples_fit_ : int
        Number of reference rows.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    depth_rank_sum_test : compare two corpora by the depths of their texts.
    select_central : the most central examples, overall or per class.
    SpatialDepth, MahalanobisDepth, ProjectionDepth, HalfspaceDepth :
        depths that do not degenerate on centred data.

    Notes
    -----
    The reference implementation is the ``tte-depth`` package (1.0.0). It
    computes the depths of the second corpus from the wrong axis of the
    distance matrix when both corpora have the same size; statnorm computes
    the definition above at every size. Its chord distance also sets
    distances below ``sqrt(1e-5)`` to zero and does not normalise; statnorm
    normalises and only clamps the rounding below zero. Depth by the cosine
    distance ranks points by their alignment with ``mean_direction_``: a shift
    of a corpus orthogonal to that direction is invisible to it.

    References
    ----------
    P. Seegmiller and S. Preum, "Statistical Depth for Ranking and
    Characterizing Transformer-Based Text Embeddings", EMNLP 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.depth import TTEDepth
    >>> rng = np.random.default_rng(0)
    >>> F = rng.normal(size=(100, 8)) + 2.0
    >>> depth = TTEDepth().fit(F)
    >>> depth.depths_.shape
    (100,)
    >>> x = np.vstack([np.full(8, 2.0), -np.ones(8)])
    >>> depth.score_samples(x).round(2)
    array([1.9, 0.1])
    >>> round(depth.mean_resultant_length_, 2)
    0.9
    """

    _parameter_constraints: ClassVar[dict] = {
        "metric": [StrOptions({"cosine", "chord"}), callable],
        "d_sup": [Interval(Real, None, None, closed="neither")],
    }

    def __init__(self, metric="cosine", *, d_sup=2.0):
        self.metric = metric
        self.d_sup = d_sup

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Fit the depth to a reference sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Reference sample (for text: the embeddings of the reference
            corpus). Not modified.
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative frequency weights of the reference rows (a weighted
            reference set): the mean distance to the reference becomes the
            weighted mean ``sum_j w_j delta(x, f_j) / sum_j w_j``. In-sample
            depths leave out one unit of each row's own weight (``min(w_i,
            1)``), so integer weights give the depths of the reference with
            rows repeated. The sum of the weights must exceed 1.

        Returns
        -------
        self : object
            The fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from statnorm.depth import TTEDepth
        >>> F = np.array([[1.0, 0.1], [1.0, 0.3], [0.2, 1.0]])
        >>> a = TTEDepth().fit(F, sample_weight=[2, 1, 1])
        >>> b = TTEDepth().fit(F[[0, 0, 1, 2]])
        >>> bool(np.allclose(a.score_samples(F), b.score_samples(F)))
        True
        """
        return self._fit_reference(X, sample_weight=sample_weight)

    def _weights(self, sample_weight, n):
        w = check_sample_weight(sample_weight, n)
        if w is None:
            return None
        if w.sum() <= 1:
            raise ValueError(
                "sample_weight must sum to more than 1 (a reference of more "
                f"than one point); got a sum of {w.sum():g} (zero weights?)."
            )
        return w

    def _fit(self, X, sample_weight=None):
        w = self._weights(sample_weight, X.shape[0])
        depths, direction, length, reference = _reference_depths(
            X, w, self.metric, self.d_sup
        )
        self.sample_weight_ = w
        self.mean_direction_ = direction
        self.mean_resultant_length_ = length
        self.reference_ = reference
        return depths

    def _score_block(self, X):
        w = self.sample_weight_
        if callable(self.metric):
            D = cdist(X, self.reference_, metric=self.metric)
            return self.d_sup - (D.mean(axis=1) if w is None else D @ w / w.sum())
        U = _unit_rows(X)
        if self.metric == "cosine":
            return self.d_sup - 1.0 + U @ self.mean_direction_
        D = _chord_from_cos(U @ self.reference_.T)
        return self.d_sup - (D.mean(axis=1) if w is None else D @ w / w.sum())

    def _score_rows(self):
        return 1 if self.metric == "cosine" else self.n_samples_fit_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
