"""Effect of a distributional RDD with its band (needs matplotlib)."""

from __future__ import annotations

import numpy as np

from .._plotting import DisplayMixin, get_axes

__all__ = ["RDDEffectDisplay"]


class RDDEffectDisplay(DisplayMixin):
    """Boundary quantile functions on each side and the effect with its bands.

    The effect panel shades the uniform band (light) and, inside it, the
    pointwise intervals per quantile level (darker).

    Create it with :meth:`from_estimator` (a fitted
    :class:`DistributionalRDD`) or :meth:`from_result` (its ``result_``).

    Parameters
    ----------
    result : RDDResult
        Estimates of a fitted estimator.

    Attributes
    ----------
    axes_ : ndarray of two matplotlib Axes
        Left: boundary quantile functions; right: effect, uniform band and
        pointwise intervals.
    ax_, figure_ : matplotlib Axes and Figure
        ``ax_`` is the right (effect) panel.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from statnorm.rdd import DistributionalRDD, RDDEffectDisplay
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(-1, 1, 200)
    >>> S = rng.normal(size=(200, 20)) + (x >= 0)[:, None]
    >>> est = DistributionalRDD(q_grid=[0.25, 0.5, 0.75], n_bootstrap=50,
    ...                         random_state=0).fit(x, S)
    >>> RDDEffectDisplay.from_estimator(est).axes_.shape
    (2,)
    """

    def __init__(self, result):
        self.result = result

    @classmethod
    def from_result(cls, result, *, ax=None):
        """Plot an :class:`RDDResult`.

        Parameters
        ----------
        result : RDDResult
            ``DistributionalRDD.result_``.
        ax : sequence of two matplotlib Axes, default=None
            Where to draw (a new two-panel figure when None).

        Returns
        -------
        display : RDDEffectDisplay
        """
        if not hasattr(result, "intercept_plus"):
            raise TypeError(
                f"result must be an RDDResult. Got {type(result).__name__}."
            )
        return cls(result).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Plot a fitted :class:`DistributionalRDD`.

        Parameters
        ----------
        estimator : DistributionalRDD
            Fitted estimator.
        ax : sequence of two matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : RDDEffectDisplay
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(estimator)
        return cls.from_result(estimator.result_, ax=ax)

    def plot(self, *, ax=None):
        """Draw both panels.

        Parameters
        ----------
        ax : sequence of two matplotlib Axes, default=None
            Where to draw (a new 10 x 4 figure with two panels when None).

        Returns
        -------
        display : RDDEffectDisplay
            ``self``, with ``axes_``, ``ax_`` and ``figure_``.
        """
        if ax is None:
            fig, _ = get_axes(None, "RDDEffectDisplay.plot")
            fig.clf()
            axes = np.asarray(fig.subplots(1, 2))
            fig.set_size_inches(10, 4)
        else:
            axes = np.asarray(ax).ravel()
            if axes.size != 2:
                raise ValueError("ax must be a sequence of two matplotlib Axes.")
            fig = axes[0].figure
        r = self.result
        q = r.q_grid
        ax0, ax1 = axes
        ax0.plot(q, r.intercept_minus, label="below cutoff")
        ax0.plot(q, r.intercept_plus, label="above cutoff")
        ax0.set_xlabel("quantile level q")
        ax0.set_ylabel("boundary quantile function")
        ax0.legend()
        ax1.plot(q, r.tau, color="C3", label=r"$\hat\tau(q)$")
        if getattr(r, "tau_bias_corrected", None) is not None:
            # robust inference: the band and intervals are centred here
            ax1.plot(
                q,
                r.tau_bias_corrected,
                color="C3",
                ls="--",
                label=r"$\hat\tau^{bc}(q)$ (bias-corrected)",
            )
        if np.isfinite(r.critical_value):
            ax1.fill_between(
                q,
                r.band_lower,
                r.band_upper,
                color="C3",
                alpha=0.2,
                label=f"uniform {r.confidence_level:.0%} band",
            )
        lo, hi = r.pointwise_lower, r.pointwise_upper
        if lo is not None and np.all(np.isfinite(lo)):
            ax1.fill_between(
                q,
                lo,
                hi,
                color="C3",
                alpha=0.35,
                label=f"pointwise {r.confidence_level:.0%} intervals",
            )
        ax1.axhline(0, color="k", lw=0.8)
        ax1.set_xlabel("quantile level q")
        ax1.set_ylabel("effect")
        ax1.legend()
        self.axes_, self.ax_, self.figure_ = axes, ax1, fig
        return self
