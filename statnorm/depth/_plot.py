"""Plots of depths: DD-plot and depth histograms (needs matplotlib)."""

import numpy as np

from .._plotting import DisplayMixin
from .._validation import check_1d, check_2d, check_same_n_features
from ._ranksum import _as_depth

__all__ = ["DDPlotDisplay", "DepthHistogramDisplay"]


def _plot_dd(F, G, *, depth=None, labels=("F", "G"), ax=None):
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

    """
    F = check_2d(F, name="F", min_samples=2)
    G = check_2d(G, name="G", min_samples=2)
    check_same_n_features(F, G, names=("F", "G"))
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


def _plot_depth_hist(
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

    """
    a = check_1d(depths_reference, name="depths_reference")
    b = check_1d(depths_sample, name="depths_sample")
    edges = np.histogram_bin_edges(np.concatenate([a, b]), bins=bins)
    ax.hist(a, bins=edges, alpha=0.55, density=True, label=labels[0])
    ax.hist(b, bins=edges, alpha=0.55, density=True, label=labels[1])
    ax.set_xlabel("depth")
    ax.set_ylabel("density")
    ax.legend()
    return ax


class DDPlotDisplay(DisplayMixin):
    """DD-plot: depth of each point w.r.t. F against its depth w.r.t. G.

    Points of two identical distributions fall on the diagonal (Liu, Parelius
    & Singh 1999). Create it with :meth:`from_samples`.

    Parameters
    ----------
    F, G : ndarray of shape (n, d) and (m, d)
        The two samples.
    depth : depth estimator or str, default=None
        Depth to use (:class:`TTEDepth` by default).
    labels : tuple of str, default=("F", "G")
        Sample names.

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
        Set by :meth:`plot`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from statnorm.depth import DDPlotDisplay
    >>> rng = np.random.default_rng(0)
    >>> F, G = rng.normal(size=(30, 4)) + 2, rng.normal(size=(30, 4)) + 2.5
    >>> DDPlotDisplay.from_samples(F, G).ax_ is not None
    True
    """

    def __init__(self, F, G, *, depth=None, labels=("F", "G")):
        self.F, self.G, self.depth, self.labels = F, G, depth, labels

    @classmethod
    def from_samples(cls, F, G, *, depth=None, labels=("F", "G"), ax=None):
        """Compute depths of both samples w.r.t. both and plot them.

        Parameters
        ----------
        F, G : array-like of shape (n, d) and (m, d)
            The two samples.
        depth : depth estimator or str, default=None
            Depth to use.
        labels : tuple of str, default=("F", "G")
            Sample names.
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : DDPlotDisplay
        """
        return cls(F, G, depth=depth, labels=labels).plot(ax=ax)

    def plot(self, *, ax=None):
        """Draw the DD-plot.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : DDPlotDisplay
            ``self``, with ``ax_`` and ``figure_``.
        """
        ax = self._start_plot(ax)
        _plot_dd(self.F, self.G, depth=self.depth, labels=self.labels, ax=ax)
        return self


class DepthHistogramDisplay(DisplayMixin):
    """Histograms of the depths of a reference and a sample, overlaid.

    Create it with :meth:`from_result` (a :class:`DepthTestResult`) or
    :meth:`from_predictions` (two arrays of depths).

    Parameters
    ----------
    depths_reference, depths_sample : ndarray
        Depths of the reference and of the sample points.
    labels : tuple of str, default=("reference", "sample")
        Names in the legend.
    bins : int, default=30
        Histogram bins.

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
        Set by :meth:`plot`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from statnorm.depth import DepthHistogramDisplay
    >>> d = DepthHistogramDisplay.from_predictions([0.1, 0.5, 0.9], [0.2, 0.3])
    >>> d.ax_ is not None
    True
    """

    def __init__(
        self,
        depths_reference,
        depths_sample,
        *,
        labels=("reference", "sample"),
        bins=30,
    ):
        self.depths_reference = depths_reference
        self.depths_sample = depths_sample
        self.labels = labels
        self.bins = bins

    @classmethod
    def from_predictions(
        cls,
        depths_reference,
        depths_sample,
        *,
        labels=("reference", "sample"),
        bins=30,
        ax=None,
    ):
        """Plot two arrays of depths.

        Parameters
        ----------
        depths_reference, depths_sample : array-like of shape (n,) and (m,)
            Depths.
        labels : tuple of str, default=("reference", "sample")
            Names in the legend.
        bins : int, default=30
            Histogram bins.
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : DepthHistogramDisplay
        """
        return cls(depths_reference, depths_sample, labels=labels, bins=bins).plot(
            ax=ax
        )

    @classmethod
    def from_result(cls, result, *, labels=("reference", "sample"), bins=30, ax=None):
        """Plot the depths kept in a :class:`DepthTestResult`.

        Parameters
        ----------
        result : DepthTestResult
            From :func:`depth_rank_sum_test`.
        labels : tuple of str, default=("reference", "sample")
            Names in the legend.
        bins : int, default=30
            Histogram bins.
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : DepthHistogramDisplay
        """
        return cls.from_predictions(
            result.depths_reference,
            result.depths_sample,
            labels=labels,
            bins=bins,
            ax=ax,
        )

    def plot(self, *, ax=None):
        """Draw the histograms.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : DepthHistogramDisplay
            ``self``, with ``ax_`` and ``figure_``.
        """
        ax = self._start_plot(ax)
        _plot_depth_hist(
            self.depths_reference,
            self.depths_sample,
            labels=self.labels,
            bins=self.bins,
            ax=ax,
        )
        return self
