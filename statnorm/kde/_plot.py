"""Regime diagram: bandwidth against alpha with the three theory curves."""

import numpy as np

from .._plotting import DisplayMixin
from .._validation import check_1d
from . import theory

__all__ = ["RegimeDiagramDisplay"]


def _plot_regime_diagram(estimator=None, *, marks=None, alphas=None, ax=None):
    """Draw the (alpha, h) regime diagram and mark fitted bandwidths.

    The curves are the Gaussian-reference thresholds of
    :mod:`statnorm.kde.theory` (``d -> inf``, whitened units): ``h_CLT``
    (above: CLT), ``h_G`` (between: alpha-stable; below: extreme-value) and
    the KL-optimal ``h_KL``, which lies in the extreme-value region. Needs
    matplotlib (the ``plot`` extra).

    Parameters
    ----------
    estimator : HighDimKDE or list of HighDimKDE, optional
        Fitted estimators to mark at ``(alpha_, bandwidth_whitened_)``.
    marks : dict, optional
        Extra points ``{label: (alpha, h)}`` to mark.
    alphas : array-like, optional
        Grid of ``alpha`` values (default: 0.02 to 2, log-spaced, widened to
        include the marks).
    ax : matplotlib Axes, optional
        Axes to draw into (default: a new figure).

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn into.

    """
    points = {}
    ests = [] if estimator is None else estimator
    if not isinstance(ests, list | tuple):
        ests = [ests]
    for e in ests:
        label = e.bandwidth if isinstance(e.bandwidth, str) else "fit"
        points[f"{label}"] = (e.alpha_, e.bandwidth_whitened_)
    points.update(marks or {})
    pts = [(a, h) for a, h in points.values() if np.isfinite(a) and np.isfinite(h)]
    if alphas is None:
        lo, hi = 0.02, 2.0
        if pts:
            lo = min(lo, min(a for a, _ in pts) / 1.5)
            hi = max(hi, max(a for a, _ in pts) * 1.5)
        alphas = np.geomspace(lo, hi, 200)
    alphas = check_1d(alphas, name="alphas")
    if np.any(alphas <= 0):
        raise ValueError("alphas must be positive (alpha = log(n) / d).")
    hg = theory.h_glass(alphas)
    hc = theory.h_clt(alphas)
    hk = theory.h_kl(alphas)
    top = max(float(hc.max()), max((h for _, h in pts), default=0.0)) * 1.3
    bottom = min(float(hk.min()), min((h for _, h in pts), default=np.inf)) / 1.5
    ax.fill_between(alphas, hc, top, color="tab:green", alpha=0.12, label="CLT")
    ax.fill_between(
        alphas, hg, hc, color="tab:orange", alpha=0.15, label="alpha-stable"
    )
    ax.fill_between(
        alphas, bottom, hg, color="tab:red", alpha=0.12, label="extreme value"
    )
    ax.plot(alphas, hc, color="tab:green", lw=1.5, label="h_CLT")
    ax.plot(alphas, hg, color="tab:red", lw=1.5, label="h_G")
    ax.plot(alphas, hk, color="k", ls="--", lw=1.2, label="h_KL")
    ax.plot(
        alphas,
        np.exp(-alphas),
        color="grey",
        ls=":",
        lw=1.2,
        label="Scott/Silverman limit e^-alpha",
    )
    markers = "os^vDP*X"
    for i, (label, (a, h)) in enumerate(points.items()):
        if np.isfinite(a) and np.isfinite(h):
            ax.plot([a], [h], markers[i % len(markers)], ms=8, mec="k", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(bottom, top)
    ax.set_xlim(alphas[0], alphas[-1])
    ax.set_xlabel("alpha = log(n) / d")
    ax.set_ylabel("bandwidth h (whitened units)")
    ax.set_title("KDE regimes (Gaussian reference, d -> inf)")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.02, 0.5))
    return ax


class RegimeDiagramDisplay(DisplayMixin):
    """Phase diagram of the KDE regimes in the (alpha, h) plane.

    The three regimes of Biroli & Mézard (CLT, heavy-tailed, extreme-value)
    as functions of ``alpha = log(n) / d`` and the whitened bandwidth, with a
    fitted estimator's operating point marked. Create it with
    :meth:`from_estimator`.

    Parameters
    ----------
    estimator : HighDimKDE or None
        Fitted estimator to mark (None draws the diagram alone).
    marks : sequence of (alpha, h, label), default=None
        Extra points to mark.
    alphas : array-like, default=None
        Grid of alpha values (default: around the estimator's alpha).

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
        Set by :meth:`plot`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from statnorm.kde import HighDimKDE, RegimeDiagramDisplay
    >>> X = np.random.default_rng(0).normal(size=(200, 5))
    >>> disp = RegimeDiagramDisplay.from_estimator(HighDimKDE().fit(X))
    >>> disp.ax_ is not None
    True
    """

    def __init__(self, estimator=None, *, marks=None, alphas=None):
        self.estimator = estimator
        self.marks = marks
        self.alphas = alphas

    @classmethod
    def from_estimator(cls, estimator=None, *, marks=None, alphas=None, ax=None):
        """Draw the diagram with ``estimator``'s operating point.

        Parameters
        ----------
        estimator : HighDimKDE or None
            Fitted estimator (None: the diagram alone).
        marks : sequence of (alpha, h, label), default=None
            Extra points.
        alphas : array-like, default=None
            Grid of alpha values.
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : RegimeDiagramDisplay
        """
        return cls(estimator, marks=marks, alphas=alphas).plot(ax=ax)

    def plot(self, *, ax=None):
        """Draw the diagram.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : RegimeDiagramDisplay
            ``self``, with ``ax_`` and ``figure_``.
        """
        ax = self._start_plot(ax, figsize=(6.0, 4.2))
        _plot_regime_diagram(
            self.estimator, marks=self.marks, alphas=self.alphas, ax=ax
        )
        return self
