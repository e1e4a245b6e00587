"""Central-example selection (e.g. few-shot prompt selection) by depth."""

from numbers import Integral

import numpy as np

from .._validation import check_1d, check_2d, check_bool, check_consistent_length
from ._ranksum import _as_depth

__all__ = ["select_central"]


def _order(depths):
    """Indices by decreasing depth; ties broken by increasing index."""
    idx = np.arange(depths.size)
    return np.lexsort((idx, -depths))


def select_central(X, y=None, *, n=5, depth=None, return_depth=False):
    """Select the most central examples of a corpus, overall or per class.

    Each row's depth is its leave-one-out depth within its own group (the
    whole ``X``, or the rows sharing its label when ``y`` is given), as in
    TTE depth's in-context-learning prompt selection. Rows are ranked by
    decreasing depth; equal depths are broken by the smaller row index, so
    the selection is deterministic.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Embeddings. Not modified.
    y : array-like of shape (n_samples,) or None, default=None
        Class labels. If given, the ``n`` most central rows of every class are
        selected (classes in sorted order), each class being its own
        reference.
    n : int or None, default=5
        How many rows to select (per class if ``y`` is given). ``None``
        returns the full ranking. A class with fewer rows returns all of them.
    depth : {"cosine", "chord"}, statnorm depth estimator or None, default=None
        Depth to rank by; ``None`` is the cosine :class:`TTEDepth`.
    return_depth : bool, default=False
        Also return the depths of the selected rows.

    Returns
    -------
    indices : ndarray of int
        Row indices of the selected examples, most central first (within
        each class, classes concatenated in sorted order).
    depths : ndarray of float
        Their depths within their group (only with ``return_depth=True``; NaN
        for a class with a single row, which has no depth).

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.depth import select_central
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 5)) + 3.0
    >>> y = np.repeat([0, 1], 20)
    >>> select_central(X, n=3)
    array([...])
    >>> idx, d = select_central(X, y=y, n=2, return_depth=True)
    >>> y[idx]
    array([0, 0, 1, 1])
    >>> bool(d[0] >= d[1])
    True
    """
    X = check_2d(X, name="X", min_samples=1)
    if n is not None and (isinstance(n, bool) or not isinstance(n, Integral) or n < 1):
        raise ValueError(f"n must be a positive int or None. Got {n!r} instead.")
    return_depth = check_bool(return_depth, name="return_depth")
    if y is None:
        groups = [np.arange(X.shape[0])]
    else:
        y = check_1d(y, name="y", dtype=None)
        check_consistent_length(X=X, y=y)
        _, codes = np.unique(y, return_inverse=True)
        groups = [np.flatnonzero(codes == k) for k in range(codes.max() + 1)]
    est = _as_depth(depth)
    out_idx, out_depth = [], []
    for rows in groups:
        if rows.size < 2:
            if y is None:
                raise ValueError(
                    "X has 1 sample(s) while a minimum of 2 is required to rank "
                    "by depth."
                )
            out_idx.append(rows)
            out_depth.append(np.full(rows.size, np.nan))
            continue
        d = est.fit(X[rows]).depths_
        order = _order(d)[: n if n is not None else None]
        out_idx.append(rows[order])
        out_depth.append(d[order])
    indices = np.concatenate(out_idx).astype(np.intp)
    if return_depth:
        return indices, np.concatenate(out_depth)
    return indices
