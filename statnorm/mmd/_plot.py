"""Permutation null distribution of an MMD test (needs matplotlib)."""

from __future__ import annotations

import numpy as np

from .._plotting import DisplayMixin

__all__ = ["MMDNullDisplay"]


class MMDNullDisplay(DisplayMixin):
    """Histogram of the permutation null of MMD^2 with the observed statistic.

    Create it with :meth:`from_result` (an :class:`MMDTestResult`) or
    :meth:`from_estimator` (an :class:`MMDTest` and two samples).

    Parameters
    ----------
    null_distribution : ndarray of shape (n_permutations,)
        MMD^2 under relabellings of the pooled sample.
    statistic : float
        Observed MMD^2.
    pvalue : float
        Permutation p-value.

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
        Set by :meth:`plot`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from statnorm.mmd import MMDNullDisplay, MMDTest
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(size=(40, 2)), rng.normal(0.5, size=(40, 2))
    >>> res = MMDTest(n_permutations=99, random_state=0).test(X, Y)
    >>> disp = MMDNullDisplay.from_result(res)
    >>> disp.ax_.get_xlabel()
    'MMD$^2$'
    """

    def __init__(self, null_distribution, statistic, pvalue):
        self.null_distribution = null_distribution
        self.statistic = statistic
        self.pvalue = pvalue

    @classmethod
    def from_result(cls, result, *, ax=None):
        """Plot the null distribution stored in an MMD test result.

        Parameters
        ----------
        result : MMDTestResult
            From :meth:`MMDTest.test`.
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : MMDNullDisplay
        """
        null = getattr(result, "null_distribution", None)
        if null is None:
            raise TypeError(
                "result must be an MMDTestResult with a null_distribution. "
                f"Got {type(result).__name__}."
            )
        return cls(
            np.asarray(null), float(result.statistic), float(result.pvalue)
        ).plot(ax=ax)

    @classmethod
    def from_estimator(cls, test, X, Y, *, ax=None):
        """Run ``test.test(X, Y)`` and plot its null distribution.

        Parameters
        ----------
        test : MMDTest
            The (unfitted) test to run.
        X, Y : array-like of shape (n, n_features) and (m, n_features)
            The two samples.
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : MMDNullDisplay
        """
        return cls.from_result(test.test(X, Y), ax=ax)

    def plot(self, *, ax=None, bins=30):
        """Draw the histogram and the observed statistic.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw.
        bins : int, default=30
            Histogram bins.

        Returns
        -------
        display : MMDNullDisplay
            ``self``, with ``ax_`` and ``figure_``.
        """
        ax = self._start_plot(ax, figsize=(5, 3.5))
        ax.hist(
            self.null_distribution, bins=bins, color="0.7", label="permutation null"
        )
        self.line_ = ax.axvline(
            self.statistic,
            color="C3",
            label=f"observed (p = {self.pvalue:.3g})",
        )
        ax.set_xlabel("MMD$^2$")
        ax.set_ylabel("count")
        ax.legend(fontsize=8)
        return self
