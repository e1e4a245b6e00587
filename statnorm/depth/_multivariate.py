"""Depths that do not degenerate on centred data: spatial, Mahalanobis,
projection and (approximate) halfspace depth, with TTEDepth's API."""

import warnings
from numbers import Integral
from typing import ClassVar

import numpy as np
from numpy.linalg import eigh

from .._validation import RANDOM_STATE, Interval, check_random_state
from ..exceptions import DataDimensionalityWarning
from ._base import _BaseDepth

__all__ = ["HalfspaceDepth", "MahalanobisDepth", "ProjectionDepth", "SpatialDepth"]


class SpatialDepth(_BaseDepth):
    """Spatial (L1, Vardi-Zhang / Serfling) depth.

    ``D(x; F) = 1 - || (1/n) sum_j (x - f_j) / ||x - f_j|| ||``, where a
    reference point equal to ``x`` contributes zero. In [0, 1]; 1 at the
    spatial median. Unlike the cosine TTE depth it does not depend on the
    position of the origin, so it ranks centred data meaningfully. Orthogonal
    invariant, not affine invariant (standardise features first if their
    scales are arbitrary).

    Cost: O(n m d) through two blocked matrix products (BLAS); memory
    bounded by the block size.

    Attributes
    ----------
    depths_ : ndarray of shape (n_reference,)
        Depths of the reference rows with respect to the reference (each
        row's own zero difference contributes nothing).
    reference_ : ndarray of shape (n_reference, n_features)
        Copy of the reference sample.
    n_samples_fit_ : int
        Number of reference rows.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    TTEDepth : cosine / chord depth of text embeddings.

    References
    ----------
    R. Serfling, "A depth function and a scale curve based on spatial
    quantiles", Statistical Data Analysis Based on the L1-Norm, 2002.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.depth import SpatialDepth
    >>> rng = np.random.default_rng(0)
    >>> F = rng.normal(size=(200, 3))
    >>> d = SpatialDepth().fit(F).score_samples([[0, 0, 0], [5, 5, 5]])
    >>> bool(d[0] > 0.8 and d[1] < 0.1)
    True
    """

    _parameter_constraints: ClassVar[dict] = {}

    def __init__(self):
        pass

    def _fit(self, X):
        self.reference_ = X.copy()
        self._ref_sq = np.einsum("ij,ij->i", X, X)
        return self._score_blocked(X)

    def _score_block(self, X):
        F = self.reference_
        n = F.shape[0]
        x_sq = np.einsum("ij,ij->i", X, X)
        sq = x_sq[:, None] + self._ref_sq[None, :] - 2.0 * (X @ F.T)
        scale = x_sq[:, None] + self._ref_sq[None, :]
        # Rounding of the expansion is ~eps * scale: recompute near pairs exactly.
        near = sq <= 1e-6 * scale
        R = np.sqrt(np.maximum(sq, 0.0))
        if near.any():
            ii, jj = np.nonzero(near)
            R[ii, jj] = np.linalg.norm(X[ii] - F[jj], axis=1)
        with np.errstate(divide="ignore"):
            W = np.where(R > 0, 1.0 / R, 0.0)
        V = X * W.sum(axis=1)[:, None] - W @ F
        return 1.0 - np.linalg.norm(V, axis=1) / n

    def _score_rows(self):
        return 3 * self.n_samples_fit_


class MahalanobisDepth(_BaseDepth):
    """Mahalanobis depth ``1 / (1 + (x - mu)' S^+ (x - mu))``.

    ``mu`` and ``S`` are the sample mean and covariance of the reference, or
    the minimum covariance determinant estimates with ``robust=True``
    (:class:`sklearn.covariance.MinCovDet`). A singular covariance (fewer
    reference rows than features, e.g. small text corpora) is pseudo-inverted
    with a :class:`~statnorm.exceptions.DataDimensionalityWarning`: distances
    are then measured inside the span of the reference only.

    Parameters
    ----------
    robust : bool, default=False
        Use the MCD location and scatter instead of the mean and covariance.
    random_state : int, RandomState instance or None, default=None
        Seed of the MCD's random subsets (only with ``robust=True``).

    Attributes
    ----------
    depths_ : ndarray of shape (n_reference,)
        Depths of the reference rows.
    location_ : ndarray of shape (n_features,)
        Estimated centre.
    precision_ : ndarray of shape (n_features, n_features)
        (Pseudo-)inverse of the estimated scatter.
    n_samples_fit_ : int
        Number of reference rows.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit, when ``X`` has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.depth import MahalanobisDepth
    >>> rng = np.random.default_rng(0)
    >>> F = rng.normal(size=(500, 2))
    >>> MahalanobisDepth().fit(F).score_samples([[0.0, 0.0], [3.0, 0.0]]).round(1)
    array([1. , 0.1])
    """

    _parameter_constraints: ClassVar[dict] = {
        "robust": ["boolean"],
        "random_state": RANDOM_STATE,
    }

    def __init__(self, robust=False, *, random_state=None):
        self.robust = robust
        self.random_state = random_state

    def _fit(self, X):
        if self.robust:
            from sklearn.covariance import MinCovDet

            mcd = MinCovDet(random_state=self.random_state).fit(X)
            self.location_ = mcd.location_
            cov = mcd.covariance_
        else:
            self.location_ = X.mean(axis=0)
            cov = np.atleast_2d(np.cov(X, rowvar=False))
        w, V = eigh(cov)
        tol = max(w.max(), 0.0) * cov.shape[0] * np.finfo(float).eps
        keep = w > tol
        if not keep.any():
            raise ValueError(
                "The reference sample X is constant: its covariance is zero, so the "
                "Mahalanobis depth is undefined."
            )
        if not keep.all():
            warnings.warn(
                f"The covariance of the reference X has rank {int(keep.sum())} < "
                f"{cov.shape[0]} features (n_samples={X.shape[0]}); using its "
                "pseudo-inverse, so only the reference's span is measured.",
                DataDimensionalityWarning,
                stacklevel=3,
            )
        self.precision_ = (V[:, keep] / w[keep]) @ V[:, keep].T
        return self._score_blocked(X)

    def _score_block(self, X):
        Z = X - self.location_
        d2 = np.einsum("ij,ij->i", Z @ self.precision_, Z)
        return 1.0 / (1.0 + np.maximum(d2, 0.0))

    def _score_rows(self):
        return self.n_features_in_


def _random_directions(rng, n_directions, d):
    U = rng.standard_normal((d, n_directions))
    U /= np.linalg.norm(U, axis=0)
    return U


class ProjectionDepth(_BaseDepth):
    """Projection (Stahel-Donoho) depth, approximated with random directions.

    ``D(x) = 1 / (1 + O(x))`` with outlyingness
    ``O(x) = max_u |u'x - med(u'F)| / MAD(u'F)`` over unit directions ``u``.
    The maximum is taken over ``n_directions`` random directions (uniform on
    the sphere), so the value is an upper bound of the exact depth that
    tightens as ``n_directions`` grows. Affine invariant in the limit.
    Directions along which the reference's MAD is zero are skipped.

    Parameters
    ----------
    n_directions : int, default=1000
        Number of random directions.
    random_state : int, RandomState instance or None, default=None
        Seed of the directions.

    Attributes
    ----------
    depths_ : ndarray of shape (n_reference,)
        Depths of the reference rows.
    directions_ : ndarray of shape (n_features, n_directions_used)
        Unit directions kept (non-zero MAD).
    median_, mad_ : ndarray of shape (n_directions_used,)
        Median and median absolute deviation of the projected reference.
    n_samples_fit_ : int
        Number of reference rows.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit, when ``X`` has string column names.

    References
    ----------
    Y. Zuo and R. Serfling, "General notions of statistical depth function",
    Annals of Statistics 28, 2000.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.depth import ProjectionDepth
    >>> rng = np.random.default_rng(0)
    >>> F = rng.normal(size=(300, 2))
    >>> est = ProjectionDepth(n_directions=200, random_state=0).fit(F)
    >>> d = est.score_samples([[0.0, 0.0], [4.0, 0.0]])
    >>> bool(d[0] > 0.8 and d[1] < 0.25)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_directions": [Interval(Integral, 1, None, closed="left")],
        "random_state": RANDOM_STATE,
    }

    def __init__(self, n_directions=1000, *, random_state=None):
        self.n_directions = n_directions
        self.random_state = random_state

    def _fit(self, X):
        rng = check_random_state(self.random_state)
        U = _random_directions(rng, self.n_directions, X.shape[1])
        P = X @ U
        med = np.median(P, axis=0)
        mad = np.median(np.abs(P - med), axis=0)
        keep = mad > 1e-12 * (np.abs(P).max(axis=0) + 1e-300)
        if not keep.any():
            raise ValueError(
                "The projections of the reference X have zero MAD along every "
                "direction (more than half of the rows coincide); the projection "
                "depth is undefined."
            )
        self.directions_ = np.ascontiguousarray(U[:, keep])
        self.median_ = med[keep]
        self.mad_ = mad[keep]
        return self._score_blocked(X)

    def _score_block(self, X):
        O = np.abs(X @ self.directions_ - self.median_) / self.mad_
        return 1.0 / (1.0 + O.max(axis=1))

    def _score_rows(self):
        return self.directions_.shape[1]


class HalfspaceDepth(_BaseDepth):
    """Halfspace (Tukey) depth, approximated with random directions.

    ``D(x) = min_u #{f : u'f >= u'x} / n``, the smallest fraction of the
    reference in a closed halfspace containing ``x``. The minimum is taken
    over ``n_directions`` random directions (uniform on the sphere), which
    gives an upper bound of the exact Tukey depth (the approach of the
    ``Sunif.1D`` approximation in ddalpha); the bound tightens as
    ``n_directions`` grows and is exact in one dimension.

    Parameters
    ----------
    n_directions : int, default=1000
        Number of random directions.
    random_state : int, RandomState instance or None, default=None
        Seed of the directions.
    n_jobs : int or None, default=None
        Numba threads for the counting kernel (-1: all).

    Attributes
    ----------
    depths_ : ndarray of shape (n_reference,)
        Depths of the reference rows (each counts itself).
    directions_ : ndarray of shape (n_features, n_directions)
        Unit directions.
    n_samples_fit_ : int
        Number of reference rows.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit, when ``X`` has string column names.

    References
    ----------
    J. W. Tukey, "Mathematics and the picturing of data", ICM 1975;
    R. Dyckerhoff, "Data depths satisfying the projection property", 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.depth import HalfspaceDepth
    >>> F = np.arange(10.0).reshape(-1, 1)
    >>> HalfspaceDepth(n_directions=4, random_state=0).fit(F).score_samples(
    ...     [[4.5], [0.0], [20.0]])
    array([0.5, 0.1, 0. ])
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_directions": [Interval(Integral, 1, None, closed="left")],
        "random_state": RANDOM_STATE,
        "n_jobs": [Integral, None],
    }

    def __init__(self, n_directions=1000, *, random_state=None, n_jobs=None):
        self.n_directions = n_directions
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit(self, X):
        rng = check_random_state(self.random_state)
        self.directions_ = _random_directions(rng, self.n_directions, X.shape[1])
        self._sorted_proj = np.ascontiguousarray(np.sort((X @ self.directions_).T))
        # Rounding of X @ u differs between matrix-product paths by ~eps * |X||u|:
        # projections closer than this are ties.
        scale = np.abs(self._sorted_proj).max(axis=1) + np.linalg.norm(X, axis=1).max()
        self._tol = 64 * np.finfo(np.float64).eps * scale
        return self._score_blocked(X)

    def _score_block(self, X):
        from .._numba import parallel_threads
        from ._kernels import halfspace_counts, halfspace_counts_parallel

        P = np.ascontiguousarray((X @ self.directions_).T)
        with parallel_threads(self.n_jobs) as n_threads:
            kernel = halfspace_counts_parallel if n_threads > 1 else halfspace_counts
            counts = kernel(self._sorted_proj, P, self._tol)
        return counts / self._sorted_proj.shape[1]

    def _score_rows(self):
        return self.n_directions
