"""Shared machinery of the depth estimators: validation and blocked scoring."""

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._parallel import is_dask_array, map_row_blocks
from .._validation import fit_context, validate_data

# Target size (in float64 entries) of one block of a pairwise matrix: 8 Mi
# entries = 64 MB, so scoring never holds more than this at once.
_BLOCK_ENTRIES = 1 << 23


def _block_rows(n_reference, n_cols=1):
    """Rows per block so that a (rows, n_reference * n_cols) matrix fits a block."""
    return max(1, _BLOCK_ENTRIES // max(1, n_reference * n_cols))


def _unit_rows(X, name="X"):
    """Return the rows of ``X`` divided by their Euclidean norm.

    Raises a ValueError naming the first zero row: its direction, hence its
    cosine or chord distance to anything, is undefined.
    """
    norms = np.sqrt(np.einsum("ij,ij->i", X, X))
    if not norms.all():
        bad = np.flatnonzero(norms == 0)
        raise ValueError(
            f"Input {name} contains {bad.size} zero vector(s) (first: row "
            f"{int(bad[0])}); the cosine and chord distances are undefined for a "
            "zero vector. Remove those rows or use a depth that accepts them "
            "(e.g. SpatialDepth)."
        )
    return X / norms[:, None]


class _BaseDepth(BaseEstimator):
    """Common ``fit`` / ``score_samples`` plumbing of the depth estimators.

    Subclasses implement ``_fit(X)`` (store the fitted state, return the
    in-sample depths of the reference) and ``_score_block(X)`` (depths of a
    validated float64 block), and may set ``_cols_per_row`` (columns of the
    intermediate matrix per reference row, for the block size).
    """

    _min_samples = 2

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the depth to a reference sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Reference sample (for text: the embeddings of the reference
            corpus). Not modified.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_reference(X)

    def _fit_reference(self, X, **fit_kw):
        # parameters are validated by the fit_context of the public fit
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=1)
        if X.shape[0] < self._min_samples:
            raise ValueError(
                f"{type(self).__name__} needs at least {self._min_samples} reference "
                f"samples; got X with {X.shape[0]} sample(s) (shape={X.shape})."
            )
        self.n_samples_fit_ = X.shape[0]
        self.depths_ = np.asarray(self._fit(X, **fit_kw), dtype=np.float64)
        return self

    def _score_rows(self):
        return self.n_samples_fit_

    def score_samples(self, X):
        """Depth of each row of ``X`` with respect to the fitted reference.

        Larger means more central. Rows are scored in blocks, so memory stays
        bounded; a ``dask.array.Array`` input returns a lazy Dask array.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Points to score. Not modified.

        Returns
        -------
        depth : ndarray of shape (n_samples,)
            Depth of each point.
        """
        check_is_fitted(self)
        if is_dask_array(X):
            if X.ndim != 2 or X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has shape {X.shape}, but {type(self).__name__} is expecting "
                    f"{self.n_features_in_} features as input."
                )

            def func(block):
                block = validate_data(
                    self, block, dtype=np.float64, reset=False, skip_check_array=False
                )
                return self._score_block(block)

            return map_row_blocks(func, X.astype(np.float64))
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self._score_blocked(X)

    def _score_blocked(self, X):
        """``_score_block`` over row blocks of a validated array (bounded memory)."""
        return map_row_blocks(
            self._score_block, X, block_rows=_block_rows(self._score_rows())
        )
