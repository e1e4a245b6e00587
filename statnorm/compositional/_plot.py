"""Heatmap and network plots of compositional partial correlations (needs matplotlib)."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._plotting import DisplayMixin
from .._validation import check_bool

__all__ = ["PartialCorrelationDisplay", "PartialCorrelationNetworkDisplay"]


def _plot_partial_correlation(estimator, *, ax=None, annotate=True, max_parts=60):
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
        Refuse to draw more parts than this (use :class:`PartialCorrelationNetworkDisplay` on
        ``top_edges`` for large problems).

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    """
    check_is_fitted(estimator)
    annotate = check_bool(annotate, name="annotate")
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
            "PartialCorrelationNetworkDisplay.from_edges(estimator.top_edges(k)) instead."
        )
    R = estimator.partial_correlation_
    names = [str(n) for n in estimator.part_names_]
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


def _plot_network(edges, *, ax=None, threshold=0.0, label=True):
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

    """
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, Real)
        or not 0 <= threshold <= 1
    ):
        raise ValueError(f"threshold must be a float in [0, 1]. Got {threshold!r}.")
    label = check_bool(label, name="label")
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


class PartialCorrelationDisplay(DisplayMixin):
    """Heatmap of the partial correlations of a fitted estimator.

    Create it with :meth:`from_estimator`.

    Parameters
    ----------
    estimator : CompositionalPartialCorrelation
        Fitted estimator.
    annotate : bool, default=True
        Write the values in the cells.
    max_parts : int, default=60
        Refuse to draw more parts (use :class:`PartialCorrelationNetworkDisplay`).

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
        Set by :meth:`plot`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from statnorm.datasets import load_roman_cups
    >>> from statnorm.compositional import (
    ...     CompositionalPartialCorrelation, PartialCorrelationDisplay)
    >>> est = CompositionalPartialCorrelation().fit(load_roman_cups().data)
    >>> PartialCorrelationDisplay.from_estimator(est).ax_ is not None
    True
    """

    def __init__(self, estimator, *, annotate=True, max_parts=60):
        self.estimator = estimator
        self.annotate = annotate
        self.max_parts = max_parts

    @classmethod
    def from_estimator(cls, estimator, *, annotate=True, max_parts=60, ax=None):
        """Draw the heatmap of a fitted estimator.

        Parameters
        ----------
        estimator : CompositionalPartialCorrelation
            Fitted estimator.
        annotate : bool, default=True
            Write the values in the cells.
        max_parts : int, default=60
            Largest number of parts drawn.
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : PartialCorrelationDisplay
        """
        return cls(estimator, annotate=annotate, max_parts=max_parts).plot(ax=ax)

    def plot(self, *, ax=None):
        """Draw the heatmap.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : PartialCorrelationDisplay
            ``self``, with ``ax_`` and ``figure_``.
        """
        D = getattr(self.estimator, "n_features_in_", 10)
        ax = self._start_plot(ax, figsize=(0.45 * D + 2, 0.45 * D + 1.5))
        _plot_partial_correlation(
            self.estimator, ax=ax, annotate=self.annotate, max_parts=self.max_parts
        )
        return self


class PartialCorrelationNetworkDisplay(DisplayMixin):
    """Network of the strongest partial correlations (parts as nodes).

    Create it with :meth:`from_estimator` or :meth:`from_edges`.

    Parameters
    ----------
    edges : PartialCorrelationEdges or CompositionalPartialCorrelation
        Edges to draw (a fitted estimator gives ``edges(threshold)``).
    threshold : float, default=0.0
        Drop edges with ``|partial correlation| < threshold``.
    label : bool, default=True
        Write the part names.

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
        Set by :meth:`plot`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from statnorm.datasets import load_roman_cups
    >>> from statnorm.compositional import (
    ...     CompositionalPartialCorrelation, PartialCorrelationNetworkDisplay)
    >>> est = CompositionalPartialCorrelation().fit(load_roman_cups().data)
    >>> disp = PartialCorrelationNetworkDisplay.from_edges(est.top_edges(8))
    >>> disp.ax_ is not None
    True
    """

    def __init__(self, edges, *, threshold=0.0, label=True):
        self.edges = edges
        self.threshold = threshold
        self.label = label

    @classmethod
    def from_edges(cls, edges, *, threshold=0.0, label=True, ax=None):
        """Draw given edges (from ``top_edges`` or ``edges``).

        Parameters
        ----------
        edges : PartialCorrelationEdges
            Edges to draw.
        threshold : float, default=0.0
            Drop weaker edges.
        label : bool, default=True
            Write the part names.
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : PartialCorrelationNetworkDisplay
        """
        return cls(edges, threshold=threshold, label=label).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, *, threshold=0.3, label=True, ax=None):
        """Draw the edges of a fitted estimator above ``threshold``.

        Parameters
        ----------
        estimator : CompositionalPartialCorrelation
            Fitted estimator.
        threshold : float, default=0.3
            Drop edges with ``|partial correlation| < threshold``.
        label : bool, default=True
            Write the part names.
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : PartialCorrelationNetworkDisplay
        """
        return cls(estimator, threshold=threshold, label=label).plot(ax=ax)

    def plot(self, *, ax=None):
        """Draw the network.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : PartialCorrelationNetworkDisplay
            ``self``, with ``ax_`` and ``figure_``.
        """
        ax = self._start_plot(ax, figsize=(6, 6))
        _plot_network(self.edges, ax=ax, threshold=self.threshold, label=self.label)
        return self
