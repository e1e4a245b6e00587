"""Plots of depths: DD-plot and depth histograms (needs matplotlib)."""

import numpy as np

from .._validation import check_1d, check_2d, check_same_n_features
from ._test import _as_depth

__all__ = ["plot_dd", "plot_depth_hist"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 4))
    return ax


def plot_dd(F, G, *, depth=None, labels=("F", "G"), ax=None):
    """DD-plot: each point's depth w.r.t. ``F`` against its depth w.r.t. ``G``.

    Points of both corpora are drawn; under equal distributions they scatter
    around the diagonal (Liu, Parelius & Singh, 1999). A corpus's own depths
    are leave-one-out for TTE depth.

    Parameters
    ----------
    F, G : array-like of shape (n, d) and (m, d)
        The two corpora (at least 2 rows each).
    depth : {"cosine", "chord"}, statnorm depth estimator or None, default=None
        Depth to use; ``None`` is the cosine :class:`TTEDepth`.
    labels : tuple of two str, default=("F", "G")
        Names of the corpora.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure if None.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from statnorm.depth import plot_dd
    >>> rng = np.random.default_rng(0)
    >>> ax = plot_dd(rng.normal(size=(50, 3)) + 2, rng.normal(size=(40, 3)) + 2)
    >>> ax.get_xlabel()
    'depth w.r.t. F'
    """
    F = check_2d(F, name="F", min_samples=2)
    G = check_2d(G, name="G", min_samples=2)
    check_same_n_features(F, G, names=("F", "G"))
    ax = _axes(ax)
    eF = _as_depth(depth).fit(F)
    eG = _as_depth(depth).fit(G)
    dFF, dGF = eF.depths_, eF.score_samples(G)
    dFG, dGG = eG.score_samples(F), eG.depths_
    ax.scatter(dFF, dFG, s=8, alpha=0.6, label=labels[0])
    ax.scatter(dGF, dGG, s=8, alpha=0.6, label=labels[1])
    lo = min(dFF.min(), dGF.min(), dFG.min(), dGG.min())
    hi = max(dFF.max(), dGF.max(), dFG.max(), dGG.max())
    ax.plot([lo, hi], [lo, hi], color="0.5", lw=1, ls="--")
    ax.set_xlabel(f"depth w.r.t. {labels[0]}")
    ax.set_ylabel(f"depth w.r.t. {labels[1]}")
    ax.set_title("DD-plot")
    ax.legend()
    return ax


def plot_depth_hist(
    depths_reference, depths_sample, *, labels=("reference", "sample"), bins=30, ax=None
):
    """Overlaid histograms of two sets of depths (e.g. from the rank-sum test).

    Parameters
    ----------
    depths_reference, depths_sample : array-like of shape (n,) and (m,)
        Depths w.r.t. the reference, e.g. ``result.depths_reference`` and
        ``result.depths_sample`` of :func:`depth_rank_sum_test`.
    labels : tuple of two str, default=("reference", "sample")
        Legend entries.
    bins : int, default=30
        Number of bins shared by both histograms.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure if None.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from statnorm.depth import plot_depth_hist
    >>> ax = plot_depth_hist([1.1, 1.2, 1.15], [0.9, 1.0])
    >>> ax.get_xlabel()
    'depth'
    """
    a = check_1d(depths_reference, name="depths_reference")
    b = check_1d(depths_sample, name="depths_sample")
    ax = _axes(ax)
    edges = np.histogram_bin_edges(np.concatenate([a, b]), bins=bins)
    ax.hist(a, bins=edges, alpha=0.55, density=True, label=labels[0])
    ax.hist(b, bins=edges, alpha=0.55, density=True, label=labels[1])
    ax.set_xlabel("depth")
    ax.set_ylabel("density")
    ax.legend()
    return ax
