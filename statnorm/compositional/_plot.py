"""Heatmap and network plots of compositional partial correlations (needs matplotlib)."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["plot_network", "plot_partial_correlation"]


def _axes(ax, figsize):
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is in the plot extra
        raise ImportError(
            "Plotting requires matplotlib: pip install 'statnorm[plot]'."
        ) from exc
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_partial_correlation(estimator, *, ax=None, annotate=True, max_parts=60):
    """Heatmap of the partial-correlation matrix of a fitted estimator.

    Parameters
    ----------
    estimator : CompositionalPartialCorrelation
        A fitted estimator.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure if None.
    annotate : bool, default=True
        Write the values in the cells.
    max_parts : int, default=60
        Refuse to draw more parts than this (use :func:`plot_network` on
        ``top_edges`` for large problems).

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from statnorm.datasets import load_roman_cups
    >>> from statnorm.compositional import (
    ...     CompositionalPartialCorrelation, plot_partial_correlation)
    >>> est = CompositionalPartialCorrelation().fit(load_roman_cups().data)
    >>> ax = plot_partial_correlation(est)
    """
    check_is_fitted(estimator)
    D = estimator.n_features_in_
    if (
        isinstance(max_parts, bool)
        or not isinstance(max_parts, Integral)
        or max_parts < 1
    ):
        raise ValueError(f"max_parts must be a positive int. Got {max_parts!r}.")
    if max_parts < D:
        raise ValueError(
            f"The estimator has {D} parts, more than max_parts={max_parts}; plot "
            "plot_network(estimator.top_edges(k)) instead."
        )
    R = estimator.partial_correlation_
    names = [str(n) for n in estimator.part_names_]
    ax = _axes(ax, (0.45 * D + 2, 0.45 * D + 1.5))
    shown = R.copy()
    np.fill_diagonal(shown, np.nan)
    im = ax.imshow(shown, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(D), names, rotation=90)
    ax.set_yticks(range(D), names)
    if annotate and D <= 20:
        for i in range(D):
            for j in range(D):
                if i != j:
                    ax.text(
                        j, i, f"{R[i, j]:.2f}", ha="center", va="center", fontsize=7
                    )
    ax.figure.colorbar(im, ax=ax, label="partial correlation", shrink=0.8)
    ax.set_title("Compositional partial correlations")
    return ax


def plot_network(edges, *, ax=None, threshold=0.0, label=True):
    """Draw pairs of parts as a network on a circle.

    Edge colour is the sign (red positive, blue negative), width the
    absolute partial correlation. No networkx needed.

    Parameters
    ----------
    edges : PartialCorrelationEdges or CompositionalPartialCorrelation
        Edges, e.g. ``estimator.top_edges(20)``; a fitted estimator is
        turned into ``estimator.edges(threshold)``.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure if None.
    threshold : float, default=0.0
        Drop edges with ``|partial correlation| < threshold``.
    label : bool, default=True
        Write the part names.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from statnorm.datasets import load_roman_cups
    >>> from statnorm.compositional import CompositionalPartialCorrelation, plot_network
    >>> est = CompositionalPartialCorrelation().fit(load_roman_cups().data)
    >>> ax = plot_network(est.top_edges(8))
    """
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, Real)
        or not 0 <= threshold <= 1
    ):
        raise ValueError(f"threshold must be a float in [0, 1]. Got {threshold!r}.")
    if hasattr(edges, "edges") and hasattr(edges, "top_edges"):
        edges = edges.edges(threshold=threshold)
    if not hasattr(edges, "partial_correlation"):
        raise TypeError(
            "edges must be a PartialCorrelationEdges (from top_edges/edges) or a "
            f"fitted CompositionalPartialCorrelation. Got {type(edges).__name__}."
        )
    r = np.asarray(edges.partial_correlation)
    keep = np.abs(r) >= threshold
    src = np.asarray(edges.source)[keep]
    tgt = np.asarray(edges.target)[keep]
    r = r[keep]
    nodes = list(dict.fromkeys([*map(str, src), *map(str, tgt)]))
    ax = _axes(ax, (6, 6))
    angle = 2 * np.pi * np.arange(len(nodes)) / max(len(nodes), 1)
    pos = {n: (np.cos(a), np.sin(a)) for n, a in zip(nodes, angle)}
    for s, t, v in zip(src, tgt, r):
        (x0, y0), (x1, y1) = pos[str(s)], pos[str(t)]
        ax.plot(
            [x0, x1],
            [y0, y1],
            color="tab:red" if v > 0 else "tab:blue",
            lw=0.5 + 4 * abs(v),
            alpha=0.75,
            zorder=1,
        )
    if nodes:
        xy = np.array([pos[n] for n in nodes])
        ax.scatter(xy[:, 0], xy[:, 1], s=120, color="0.3", zorder=2)
        if label:
            for n, (x, y) in pos.items():
                ax.annotate(
                    n,
                    (x, y),
                    xytext=(16 * x, 16 * y),
                    textcoords="offset points",
                    ha="center",
                    va="center",
                )
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title("Partial-correlation network (red +, blue -)")
    return ax
