"""Reliability diagrams (needs matplotlib, the ``plot`` extra)."""

import numpy as np

from .metrics import _binned, _check_y_prob, expected_calibration_error

__all__ = ["ReliabilityDisplay"]


def _curve(y, P, n_bins, kind, class_index, strategy="uniform", binary=False):
    """Per non-empty bin: mean score, fraction of hits, count, bin index; and
    the per-sample scores that were binned."""
    if binary:
        conf, hit = P[:, 1].copy(), y.astype(float)
    elif kind == "top_label":
        pred = P.argmax(axis=1)
        conf = P[np.arange(len(y)), pred]
        hit = (pred == y).astype(float)
    else:
        conf = P[:, class_index].copy()
        hit = (y == class_index).astype(float)
    sc, sa, cnt, idx = _binned(conf, hit, n_bins, strategy)
    return sc / cnt, sa / cnt, cnt, idx, conf


def _line_kwargs(defaults, kwargs):
    """``defaults`` updated by the user's matplotlib keywords, aliases merged
    (``lw=`` replaces a default ``linewidth``)."""
    from matplotlib.cbook import normalize_kwargs
    from matplotlib.lines import Line2D

    out = normalize_kwargs(defaults, Line2D)
    out.update(normalize_kwargs(kwargs, Line2D))
    return out


class ReliabilityDisplay:
    """Reliability diagram in the style of ``sklearn.calibration.CalibrationDisplay``.

    Create it with :meth:`from_predictions` or :meth:`from_estimator`. With
    a matrix of probabilities it draws the top-label accuracy against the
    confidence (or one class's curve, ``kind="class"``); with the 1-D
    probability of the positive class, as ``CalibrationDisplay`` takes, the
    fraction of positives against the mean predicted probability, the curve
    of ``sklearn.calibration.calibration_curve``.

    Parameters
    ----------
    mean_confidence, accuracy : ndarray
        Per non-empty bin (``prob_pred`` and ``prob_true`` in scikit-learn's
        names, also available under those names).
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
    y_prob : ndarray of shape (n_samples,), default=None
        The per-sample values that were binned: the positive class's
        probability (1-D input), the top-label confidence, or the class's
        probability (``kind="class"``).
    pos_label : int, float, bool or str, default=None
        Positive label of a binary curve (None for a matrix of probabilities).

    Attributes
    ----------
    prob_true, prob_pred : ndarray
        Aliases of ``accuracy`` and ``mean_confidence`` (scikit-learn's names).
    line_ : matplotlib Line2D
        The calibration curve, set by :meth:`plot`.
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

    Binary probabilities, as for scikit-learn's ``CalibrationDisplay``:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(size=500)
    >>> y = np.where(rng.uniform(size=500) < p, "spam", "ham")
    >>> disp = ReliabilityDisplay.from_predictions(
    ...     y, p, pos_label="spam", n_bins=5, color="C1", lw=2)
    >>> disp.line_.get_color(), disp.prob_true.shape
    ('C1', (5,))
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
        y_prob=None,
        pos_label=None,
    ):
        self.strategy = strategy
        self.y_prob = y_prob
        self.pos_label = pos_label
        self.mean_confidence = mean_confidence
        self.accuracy = accuracy
        self.counts = counts
        self.bin_index = bin_index
        self.n_bins = n_bins
        self.ece = ece
        self.name = name

    @property
    def prob_true(self):
        """Fraction of hits (positives) per non-empty bin: ``accuracy``."""
        return self.accuracy

    @property
    def prob_pred(self):
        """Mean score per non-empty bin: ``mean_confidence``."""
        return self.mean_confidence

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
        pos_label=None,
        ref_line=True,
        **kwargs,
    ):
        """Compute the bins from labels and probabilities and plot them.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Labels in ``0..C-1``; with a 1-D ``y_prob``, two labels of any
            kind.
        y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
            Predicted probabilities; a 1-D array holds the probability of the
            positive class (then the curve is ``calibration_curve``'s and the
            ECE is that of the positive class, see
            :func:`~statnorm.calibration.metrics.expected_calibration_error`).
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
            Top-label confidence, or one class's probability (for a matrix
            ``y_prob``; a 1-D ``y_prob`` is already one class's probability).
        class_index : int, default=0
            Class for ``kind="class"``.
        name : str, default=None
            Legend label.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure if None.
        show_counts : bool, default=False
            Add an inset histogram of predictions per bin.
        pos_label : int, float, bool or str, default=None
            Positive label for a 1-D ``y_prob``; None means 1 when the labels
            are {0, 1} or {-1, 1}, as in scikit-learn.
        ref_line : bool, default=True
            Draw the diagonal of perfect calibration.
        **kwargs : dict
            Passed to matplotlib's ``plot`` for the curve (``color``,
            ``alpha``, ``lw``, ``marker``, ...).

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
        y, P, binary = _check_y_prob(y_true, y_prob, pos_label, with_binary=True)
        if binary and kind != "top_label":
            raise ValueError(
                f"kind={kind!r} needs a matrix y_prob; a 1-D y_prob is the "
                "positive class's probability and is drawn as it is."
            )
        if binary and pos_label is None:
            pos_label = 1
        if kind == "class" and not (
            isinstance(class_index, int | np.integer) and 0 <= class_index < P.shape[1]
        ):
            raise ValueError(
                f"class_index must be an int in [0, {P.shape[1] - 1}]; "
                f"got {class_index!r}."
            )
        conf, acc, cnt, idx, scores = _curve(
            y, P, n_bins, kind, class_index, strategy, binary
        )
        ece = float(np.sum(cnt / len(y) * np.abs(acc - conf)))
        if binary:
            ece = expected_calibration_error(
                y, P[:, 1], n_bins=n_bins, strategy=strategy
            )
        elif kind == "top_label":
            ece = expected_calibration_error(y, P, n_bins=n_bins, strategy=strategy)
        disp = cls(
            conf,
            acc,
            cnt,
            idx,
            n_bins,
            ece,
            name=name,
            strategy=strategy,
            y_prob=scores,
            pos_label=pos_label if binary else None,
        )
        return disp.plot(ax=ax, show_counts=show_counts, ref_line=ref_line, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, pos_label=None, **kwargs):
        """Plot the reliability diagram of a fitted calibrator on ``(X, y)``.

        Parameters
        ----------
        estimator : fitted calibrator or classifier
            Anything with ``predict_proba``.
        X : array-like of shape (n_samples, n_classes)
            Logits (or whatever ``estimator.predict_proba`` takes).
        y : array-like of shape (n_samples,)
            Labels in ``0..C-1``; with ``pos_label``, two labels of any kind.
        pos_label : int, float, bool or str, default=None
            Draw the binary curve of this class, as ``CalibrationDisplay``
            does: its column of ``predict_proba`` (found in
            ``estimator.classes_``, else column ``pos_label``) against
            ``y == pos_label``. None draws the top-label curve.
        **kwargs : dict
            Passed to :meth:`from_predictions` (and on to matplotlib); ``name``
            defaults to the class name.

        Returns
        -------
        display : ReliabilityDisplay
        """
        kwargs.setdefault("name", type(estimator).__name__)
        P = np.asarray(estimator.predict_proba(X), dtype=np.float64)
        if pos_label is None:
            return cls.from_predictions(y, P, **kwargs)
        classes = list(getattr(estimator, "classes_", range(P.shape[1])))
        if P.ndim != 2 or P.shape[1] != 2 or pos_label not in classes:
            raise ValueError(
                f"pos_label={pos_label!r} must be one of the two classes of a "
                f"binary estimator; got classes {classes[:6]} and "
                f"predict_proba of shape {P.shape}."
            )
        p = P[:, classes.index(pos_label)]
        return cls.from_predictions(y, p, pos_label=pos_label, **kwargs)

    def plot(self, *, ax=None, name=None, show_counts=False, ref_line=True, **kwargs):
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
        ref_line : bool, default=True
            Draw the diagonal of perfect calibration (once per axes).
        **kwargs : dict
            Passed to matplotlib's ``plot`` for the curve (``color``,
            ``alpha``, ``lw``, ...); they override the defaults (marker
            ``"o"``, solid line, the legend label).

        Returns
        -------
        display : ReliabilityDisplay
        """
        from .._plotting import get_axes

        _, ax = get_axes(ax, "ReliabilityDisplay.plot", figsize=(4.5, 4.5))
        name = name or self.name or "calibrator"
        style = _line_kwargs(
            {
                "marker": "o",
                "linestyle": "-",
                "markersize": 4,
                "label": f"{name} (ECE {self.ece:.4f})",
            },
            kwargs,
        )
        if self.strategy == "uniform":  # equal-width bins: show them as bars
            w = 1.0 / self.n_bins
            bar_kw = {"color": style["color"]} if "color" in style else {}
            ax.bar(
                self.bin_index * w,
                self.accuracy,
                width=w,
                align="edge",
                alpha=0.35,
                edgecolor="k",
                linewidth=0.5,
                **bar_kw,
            )
        (self.line_,) = ax.plot(self.mean_confidence, self.accuracy, **style)
        diagonal = "perfectly calibrated"
        if ref_line and diagonal not in ax.get_legend_handles_labels()[1]:
            ax.plot([0, 1], [0, 1], "k--", lw=1, label=diagonal)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        if getattr(self, "pos_label", None) is not None:
            pos = f"(positive class: {self.pos_label})"
            ax.set_xlabel(f"mean predicted probability {pos}")
            ax.set_ylabel(f"fraction of positives {pos}")
        else:
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
