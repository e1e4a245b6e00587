"""Reliability diagrams (needs matplotlib, the ``plot`` extra)."""

import numpy as np

from .metrics import _binned, _check_y_prob, expected_calibration_error

__all__ = ["ReliabilityDisplay"]


def _curve(y, P, n_bins, kind, class_index, strategy="uniform"):
    if kind == "top_label":
        pred = P.argmax(axis=1)
        conf = P[np.arange(len(y)), pred]
        hit = (pred == y).astype(float)
    else:
        conf = P[:, class_index]
        hit = (y == class_index).astype(float)
    sc, sa, cnt, idx = _binned(conf, hit, n_bins, strategy)
    return sc / cnt, sa / cnt, cnt, idx


class ReliabilityDisplay:
    """Reliability diagram in the style of ``sklearn.calibration.CalibrationDisplay``.

    Create it with :meth:`from_predictions` or :meth:`from_estimator`.

    Parameters
    ----------
    mean_confidence, accuracy : ndarray
        Per non-empty bin.
    counts : ndarray
        Samples per non-empty bin.
    bin_index : ndarray
        Index of each non-empty bin among ``n_bins``.
    n_bins : int
        Number of bins.
    ece : float
        Expected calibration error of the same bins.
    name : str, default=None
        Label of the curve.
    strategy : {"uniform", "quantile"}, default="uniform"
        Equal-width or equal-mass bins.

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
        Set by :meth:`plot`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from statnorm.calibration import ReliabilityDisplay
    >>> from statnorm.datasets import load_cifar10_logits
    >>> from scipy.special import softmax
    >>> X, y = load_cifar10_logits("test", return_X_y=True)
    >>> disp = ReliabilityDisplay.from_predictions(y, softmax(X, axis=1), name="raw")
    >>> round(disp.ece, 4)
    0.055
    """

    def __init__(
        self,
        mean_confidence,
        accuracy,
        counts,
        bin_index,
        n_bins,
        ece,
        name=None,
        *,
        strategy="uniform",
    ):
        self.strategy = strategy
        self.mean_confidence = mean_confidence
        self.accuracy = accuracy
        self.counts = counts
        self.bin_index = bin_index
        self.n_bins = n_bins
        self.ece = ece
        self.name = name

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_prob,
        *,
        n_bins=15,
        strategy="uniform",
        kind="top_label",
        class_index=0,
        name=None,
        ax=None,
        show_counts=False,
    ):
        """Compute the bins from labels and probabilities and plot them.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Labels in ``0..C-1``.
        y_prob : array-like of shape (n_samples, n_classes)
            Predicted probabilities.
        n_bins : int, default=15
            Number of bins.
        strategy : {"uniform", "quantile"}, default="uniform"
            Equal-width bins, or equal-mass bins (each holds about
            ``n_samples / n_bins`` predictions; better when confidences pile
            up near 1). Equal confidences always share a bin (a run of ties
            joins the bin of its first member in sorted order), so with ties
            the equal-mass bins differ in size and fewer may be drawn; the
            curve never depends on the order of the rows.
        kind : {"top_label", "class"}, default="top_label"
            Top-label confidence, or one class's probability.
        class_index : int, default=0
            Class for ``kind="class"``.
        name : str, default=None
            Legend label.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure if None.
        show_counts : bool, default=False
            Add an inset histogram of predictions per bin.

        Returns
        -------
        display : ReliabilityDisplay
        """
        if kind not in ("top_label", "class"):
            raise ValueError(f"kind must be 'top_label' or 'class'; got {kind!r}.")
        if not isinstance(n_bins, int | np.integer) or n_bins < 1:
            raise ValueError(f"n_bins must be a positive int; got {n_bins!r}.")
        if strategy not in ("uniform", "quantile"):
            raise ValueError(
                f"strategy must be 'uniform' or 'quantile'; got {strategy!r}."
            )
        y, P = _check_y_prob(y_true, y_prob)
        if kind == "class" and not (
            isinstance(class_index, int | np.integer) and 0 <= class_index < P.shape[1]
        ):
            raise ValueError(
                f"class_index must be an int in [0, {P.shape[1] - 1}]; "
                f"got {class_index!r}."
            )
        conf, acc, cnt, idx = _curve(y, P, n_bins, kind, class_index, strategy)
        ece = float(np.sum(cnt / len(y) * np.abs(acc - conf)))
        if kind == "top_label":
            ece = expected_calibration_error(y, P, n_bins=n_bins, strategy=strategy)
        disp = cls(conf, acc, cnt, idx, n_bins, ece, name=name, strategy=strategy)
        return disp.plot(ax=ax, show_counts=show_counts)

    @classmethod
    def from_estimator(cls, estimator, X, y, **kwargs):
        """Plot the reliability diagram of a fitted calibrator on ``(X, y)``.

        Parameters
        ----------
        estimator : fitted calibrator
            Anything with ``predict_proba``.
        X : array-like of shape (n_samples, n_classes)
            Logits.
        y : array-like of shape (n_samples,)
            Labels.
        **kwargs : dict
            Passed to :meth:`from_predictions`; ``name`` defaults to the class name.

        Returns
        -------
        display : ReliabilityDisplay
        """
        kwargs.setdefault("name", type(estimator).__name__)
        return cls.from_predictions(y, estimator.predict_proba(X), **kwargs)

    def plot(self, *, ax=None, name=None, show_counts=False):
        """Draw accuracy against confidence per bin, with the diagonal.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw.
        name : str, default=None
            Overrides the legend label.
        show_counts : bool, default=False
            Add an inset histogram of the number of predictions per bin
            (``counts_ax_``).

        Returns
        -------
        display : ReliabilityDisplay
        """
        from .._plotting import get_axes

        _, ax = get_axes(ax, "ReliabilityDisplay.plot", figsize=(4.5, 4.5))
        name = name or self.name or "calibrator"
        if self.strategy == "uniform":  # equal-width bins: show them as bars
            w = 1.0 / self.n_bins
            ax.bar(
                self.bin_index * w,
                self.accuracy,
                width=w,
                align="edge",
                alpha=0.35,
                edgecolor="k",
                linewidth=0.5,
            )
        ax.plot(
            self.mean_confidence,
            self.accuracy,
            "o-",
            ms=4,
            label=f"{name} (ECE {self.ece:.4f})",
        )
        diagonal = "perfectly calibrated"
        if diagonal not in ax.get_legend_handles_labels()[1]:  # once per axes
            ax.plot([0, 1], [0, 1], "k--", lw=1, label=diagonal)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("confidence")
        ax.set_ylabel("accuracy")
        ax.legend(loc="upper left", fontsize=8)
        if show_counts:
            ins = ax.inset_axes([0.55, 0.06, 0.42, 0.22])
            ins.bar(self.mean_confidence, self.counts, width=0.8 / self.n_bins)
            ins.set_xlim(0, 1)
            ins.set_yscale("log")
            ins.tick_params(labelsize=6)
            ins.set_title("predictions per bin", fontsize=7)
            self.counts_ax_ = ins
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
