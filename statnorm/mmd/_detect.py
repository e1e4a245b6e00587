"""Single-instance detection: MMD between a human reference set and one text."""

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._validation import fit_context, validate_data
from ._kernel import _MEDIAN_MAX_POINTS as _MEDIAN_ROWS
from ._kernel import bind_and_gram, resolve_kernel

__all__ = ["MMDDetector"]

_CHUNK = 2048


class MMDDetector(BaseEstimator):
    """Score single instances by their MMD to a reference set (Zhang et al. 2024).

    For a reference set ``R`` (human-written texts) and a query ``y``, the score
    is the biased MMD^2 between ``R`` and ``{y}``::

        score(y) = mean_{r, r'} k(r, r') - 2 mean_r k(r, y) + k(y, y)

    High scores are unlike the reference (machine-like); note that this is the
    opposite of scikit-learn's outlier detectors, whose ``score_samples`` is
    high for inliers, so the class is not an ``OutlierMixin``. Evaluate with
    ``sklearn.metrics.roc_auc_score(is_machine, scores)``. The first term is
    computed once in ``fit``; scoring costs one ``|R| x batch`` kernel block per
    chunk of queries.

    Parameters
    ----------
    kernel : str, float, GaussianKernel, DeepKernel or callable, default="gaussian"
        Kernel; ``"gaussian"`` uses the median heuristic on the reference set.
        Pass the ``kernel_`` of a fitted :class:`KernelLearner` for the paper's learned kernel.

    Attributes
    ----------
    kernel_ : object
        The kernel with its bandwidth resolved.
    reference_ : ndarray of shape (n_reference, n_features)
        Copy of the reference set.
    reference_mean_ : float
        ``mean_{r, r'} k(r, r')``.
    n_features_in_ : int
        Number of features seen during fit.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.mmd import MMDDetector
    >>> rng = np.random.default_rng(0)
    >>> det = MMDDetector().fit(rng.normal(size=(200, 3)))
    >>> s = det.score_samples(np.array([[0.0, 0.0, 0.0], [4.0, 4.0, 4.0]]))
    >>> bool(s[1] > s[0])
    True
    """

    _parameter_constraints = {  # noqa: RUF012 (sklearn convention)
        "kernel": "no_validation",
    }

    def __init__(self, kernel="gaussian"):
        self.kernel = kernel

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Store the reference set (human-written rows) and its kernel mean.

        Parameters
        ----------
        X : array-like of shape (n_reference, n_features)
            Reference rows, at least 2.
        y : None
            Ignored.

        Returns
        -------
        self : MMDDetector
            The fitted detector.
        """
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2, copy=True)
        from . import _stats

        k = resolve_kernel(self.kernel)
        N = X.shape[0]
        if N > _stats._FULL_GRAM_MAX:
            # row blocks of the Gram matrix: memory one block, not N^2
            median = getattr(k, "bandwidth", None) == "median"
            k = bind_and_gram(k, X)[0] if median and N <= _MEDIAN_ROWS else k.bind(X)
            total = 0.0
            for _, Kb in _stats._gram_row_blocks(k, X, _stats._BLOCK_ROWS):
                total += Kb.sum()
            mean = total / N**2
        else:
            k, K = bind_and_gram(k, X)
            mean = K.mean()
        self.kernel_ = k
        self.reference_ = X
        self.reference_mean_ = float(mean)
        return self

    def score_samples(self, X):
        """MMD^2 between the reference set and each row of ``X`` alone.

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)
            Queries. A Dask array is scored lazily block by block and a Dask
            array is returned.

        Returns
        -------
        scores : ndarray or dask.array.Array of shape (n_samples,)
            Higher means less like the reference (more machine-like).
        """
        from .._parallel import check_dask_array, is_dask_array, map_row_blocks

        check_is_fitted(self)
        if is_dask_array(X):
            check_dask_array(X, n_features=self.n_features_in_, estimator=self)
            return map_row_blocks(self.score_samples, X)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        out = np.empty(X.shape[0])
        for s in range(0, X.shape[0], _CHUNK):
            Q = X[s : s + _CHUNK]
            cross = self.kernel_(self.reference_, Q).mean(axis=0)
            out[s : s + _CHUNK] = (
                self.reference_mean_ - 2.0 * cross + self.kernel_.diag(Q)
            )
        return out
