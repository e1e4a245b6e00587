"""Permutation null distribution of an MMD test (needs matplotlib)."""

from __future__ import annotations

import numpy as np

from .._plotting import DisplayMixin

__all__ = ["MMDNullDisplay", "MMDWitnessDisplay"]


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
        if null is None and getattr(result, "method", None) == "asymptotic":
            raise ValueError(
                "result has no permutation null distribution (it was computed "
                "with method='asymptotic'); run MMDTest(method='permutation')."
            )
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


class MMDWitnessDisplay(DisplayMixin):
    """The MMD witness function along the direction that separates the samples.

    The witness ``f(t) = mean_i k(t, x_i) - mean_j k(t, y_j)`` is the function
    whose mean gap between the samples is MMD (Gretton et al., 2012): positive
    where X is denser than Y. It is evaluated on the line through the pooled
    mean along the difference of the sample means (or a given direction), with
    the projected samples drawn underneath.

    Create it with :meth:`from_samples`.

    Parameters
    ----------
    s : ndarray of shape (n_points,)
        Positions along the direction.
    witness : ndarray of shape (n_points,)
        Witness values there.
    x_proj, y_proj : ndarray
        Projections of the samples on the direction.

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
        Set by :meth:`plot`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from statnorm.mmd import MMDWitnessDisplay
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(size=(50, 3)), rng.normal(1.0, size=(50, 3))
    >>> disp = MMDWitnessDisplay.from_samples(X, Y)
    >>> bool(disp.witness[0] > 0 > disp.witness[-1])
    True
    """

    def __init__(self, s, witness, x_proj, y_proj):
        self.s = s
        self.witness = witness
        self.x_proj = x_proj
        self.y_proj = y_proj

    @classmethod
    def from_samples(
        cls, X, Y, *, kernel="gaussian", direction=None, n_points=200, ax=None
    ):
        """Compute the witness of two samples and plot it.

        Parameters
        ----------
        X, Y : array-like of shape (n, d) and (m, d)
            The two samples.
        kernel : str, float, GaussianKernel or DeepKernel, default="gaussian"
            As in :func:`mmd2` (the median heuristic by default).
        direction : array-like of shape (d,) or None, default=None
            Line to evaluate along (default: mean of Y minus mean of X).
        n_points : int, default=200
            Evaluation points.
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : MMDWitnessDisplay
        """
        from .._validation import check_2d, check_same_n_features
        from ._kernel import resolve_kernel

        X = check_2d(X, name="X", min_samples=2)
        Y = check_2d(Y, name="Y", min_samples=2)
        check_same_n_features(X, Y, names=("X", "Y"))
        if direction is None:
            u = Y.mean(axis=0) - X.mean(axis=0)
            if not u.any():
                raise ValueError(
                    "X and Y have the same mean, so there is no default direction; "
                    "pass direction= (e.g. a leading principal axis)."
                )
        else:
            u = np.asarray(direction, dtype=float)
        if u.shape != (X.shape[1],) or not np.all(np.isfinite(u)) or not u.any():
            raise ValueError(
                "direction must be a non-zero finite vector with one entry per "
                f"feature ({X.shape[1]}); got shape {u.shape}."
            )
        u = u / np.linalg.norm(u)
        center = np.vstack([X, Y]).mean(axis=0)
        xp, yp = (X - center) @ u, (Y - center) @ u
        lo, hi = min(xp.min(), yp.min()), max(xp.max(), yp.max())
        s = np.linspace(lo, hi, int(n_points))
        T = center + s[:, None] * u
        k = resolve_kernel(kernel).bind(np.vstack([X, Y]))
        witness = k(T, X).mean(axis=1) - k(T, Y).mean(axis=1)
        return cls(s, witness, xp, yp).plot(ax=ax)

    def plot(self, *, ax=None):
        """Draw the witness and the projected samples.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : MMDWitnessDisplay
            ``self``, with ``ax_`` and ``figure_``.
        """
        ax = self._start_plot(ax, figsize=(6, 3.5))
        (self.line_,) = ax.plot(self.s, self.witness, color="k", label="witness")
        ax.axhline(0, color="0.6", lw=0.8)
        lo = np.min(self.witness)
        span = np.ptp(self.witness) or 1.0
        ax.plot(
            self.x_proj,
            np.full_like(self.x_proj, lo - 0.05 * span),
            "|",
            color="C0",
            label="X",
        )
        ax.plot(
            self.y_proj,
            np.full_like(self.y_proj, lo - 0.1 * span),
            "|",
            color="C3",
            label="Y",
        )
        ax.set_xlabel("position along the direction")
        ax.set_ylabel("witness f(t)")
        ax.legend(fontsize=8)
        return self
