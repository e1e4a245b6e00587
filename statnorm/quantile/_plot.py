"""Quantile fan chart (needs matplotlib, the ``plot`` extra)."""

from __future__ import annotations

import numpy as np

from .._plotting import DisplayMixin
from ._metrics import central_intervals

__all__ = ["QuantileFanDisplay"]


class QuantileFanDisplay(DisplayMixin):
    """Quantile fan against observations, rows sorted by the predicted median.

    Create it with :meth:`from_estimator` or :meth:`from_predictions`.

    Parameters
    ----------
    y_true : ndarray of shape (n_samples,)
        Observations.
    y_pred : ndarray of shape (n_samples, n_quantiles)
        Predicted quantiles (a symmetric grid, see :func:`central_intervals`).
    quantiles : ndarray of shape (n_quantiles,)
        Quantile levels.
    name : str or None, default=None
        Title of the plot.

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
        Set by :meth:`plot`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from statnorm.quantile import QuantileFanDisplay
    >>> y = np.arange(5.0)
    >>> Q = y[:, None] + np.array([-1.0, 0.0, 1.0])
    >>> disp = QuantileFanDisplay.from_predictions(y, Q, [0.1, 0.5, 0.9])
    >>> disp.ax_.get_xlabel()
    'rows, sorted by predicted median'
    """

    def __init__(self, y_true, y_pred, quantiles, *, name=None):
        self.y_true = y_true
        self.y_pred = y_pred
        self.quantiles = quantiles
        self.name = name

    @classmethod
    def from_predictions(
        cls, y_true, y_pred, quantiles, *, name=None, ax=None, max_points=300
    ):
        """Plot the fan of given predictions.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Observations.
        y_pred : array-like of shape (n_samples, n_quantiles)
            Predicted quantiles.
        quantiles : array-like of shape (n_quantiles,)
            Their levels.
        name : str, default=None
            Title.
        ax : matplotlib Axes, default=None
            Where to draw.
        max_points : int, default=300
            Rows shown (an evenly seeded random subset).

        Returns
        -------
        display : QuantileFanDisplay
        """
        from .._validation import check_1d, check_2d

        y = check_1d(y_true, name="y_true")
        Q = check_2d(y_pred, name="y_pred")
        tau = check_1d(quantiles, name="quantiles")
        if Q.shape != (y.size, tau.size):
            raise ValueError(
                f"y_pred must have shape (len(y_true), len(quantiles)) = "
                f"{(y.size, tau.size)}; got {Q.shape}."
            )
        return cls(y, Q, tau, name=name).plot(ax=ax, max_points=max_points)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, name=None, ax=None, max_points=300):
        """Plot the fan a fitted quantile estimator predicts for ``X``.

        Parameters
        ----------
        estimator : fitted QuantileAggregator or ConformalQuantileRegressor
            Anything with ``predict`` returning a fan and ``quantiles_``.
        X : array-like of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,)
            Observations.
        name : str, default=None
            Title (default: the estimator's class name).
        ax : matplotlib Axes, default=None
            Where to draw.
        max_points : int, default=300
            Rows shown.

        Returns
        -------
        display : QuantileFanDisplay
        """
        Q = estimator.predict(X)
        tau = getattr(estimator, "quantiles_", None)
        if tau is None:
            tau = np.asarray(estimator.quantiles, dtype=float)
        return cls.from_predictions(
            y,
            Q,
            tau,
            name=name or type(estimator).__name__,
            ax=ax,
            max_points=max_points,
        )

    def plot(self, *, ax=None, max_points=300):
        """Draw the fan.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw (a new 8 x 4 figure when None).
        max_points : int, default=300
            Rows shown.

        Returns
        -------
        display : QuantileFanDisplay
            ``self``, with ``ax_`` and ``figure_``.
        """
        ax = self._start_plot(ax, figsize=(8, 4))
        y, Q, tau = self.y_true, self.y_pred, self.quantiles
        rng = np.random.default_rng(0)
        idx = rng.choice(len(y), size=min(max_points, len(y)), replace=False)
        mid = Q[idx, Q.shape[1] // 2]
        order = idx[np.argsort(mid, kind="stable")]
        x = np.arange(order.size)
        alphas, lo, hi = central_intervals(Q[order], tau)
        for j in range(alphas.size):
            ax.fill_between(
                x,
                lo[:, j],
                hi[:, j],
                color="C0",
                alpha=0.12,
                lw=0,
                label=f"{1 - alphas[j]:.0%} interval"
                if j in (0, alphas.size - 1)
                else None,
            )
        (self.line_,) = ax.plot(
            x, Q[order, Q.shape[1] // 2], color="C0", lw=1, label="median"
        )
        ax.plot(x, y[order], ".", color="C3", ms=3, label="observed")
        ax.set_xlabel("rows, sorted by predicted median")
        if self.name:
            ax.set_title(self.name)
        ax.legend(loc="upper left", fontsize=8)
        return self
