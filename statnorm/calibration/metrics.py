"""Calibration metrics for multi-class probabilities.

Every function takes ``(y_true, y_prob)`` in scikit-learn's order: integer
labels in ``0..C-1`` and a matrix of class probabilities (rows on the
simplex), or, for a binary problem, binary labels of any kind and the 1-D
probability of the positive class, with ``pos_label`` as in
``sklearn.calibration.calibration_curve``. With a 1-D ``y_prob`` the binned
top-label errors (ECE, MCE, dECE, KS, smooth ECE) bin that probability
against ``y_true == pos_label`` -- the points of ``calibration_curve`` --
rather than the top-label confidence ``max(p, 1 - p)``;
:func:`brier_score` is scikit-learn's binary ``brier_score_loss``; the other
metrics read the 1-D ``p`` as the two columns ``(1 - p, p)``. Binned errors
use the conventions of the recalibration literature (Guo et al. 2017; Kull
et al. 2019; Nixon et al. 2019; Kumar et al. 2019):

- :func:`expected_calibration_error`: top-label ECE, equal-width (``"uniform"``)
  or equal-mass (``"quantile"``) bins;
- :func:`classwise_ece`: class-wise ECE, ``"sum"`` over classes (Kull et al.)
  or ``"mean"`` (the h-calibration authors' ``CWECE_a``);
- :func:`adaptive_calibration_error` (Nixon et al.'s *adaptive* calibration
  error; netcal's ``ACE`` is another metric, see there),
  :func:`debiased_ece` (dECE),
  :func:`ks_calibration_error`, :func:`smooth_ece`;
- :func:`negative_log_likelihood`, :func:`brier_score`;
- :func:`skce_test`: unbiased squared kernel calibration error with a p-value
  for "the probabilities are calibrated" (canonical calibration).

Every metric is a function of the multiset of rows ``(y_i, p_i)``: permuting
the rows gives the same number, bit for bit (the rows are put in a canonical
order before anything is summed, and random draws attach to that order).
Equal-mass bins never split tied confidences: the equal-mass rule puts row
``i`` of the ``n`` rows sorted by confidence in bin ``floor(i B / n)``, and a
run of equal values joins, whole, the bin of its first member. Without ties
the bins are the usual equal-mass bins; with ties they differ in size and
fewer than ``B`` may be non-empty. scikit-learn's
``calibration_curve(strategy="quantile")`` also never splits ties, but its
bins are cut at interpolated percentiles: row ``i`` goes to bin
``#{1 <= j < B : (n - 1) j / B < i}`` (for distinct values), which is this rule when
``n`` is a multiple of ``B`` and can move a row to the next bin otherwise
(``n = 10, B = 7``: the fifth row is in bin 2 here, in bin 3 there). Equal-width
(``"uniform"``) bins are right-closed, as there.

Examples
--------
>>> import numpy as np
>>> from statnorm.calibration.metrics import expected_calibration_error
>>> P = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]])
>>> round(expected_calibration_error([0, 1, 1], P, n_bins=10), 4)
0.4
"""

import itertools
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from scipy.special import ndtr

from .._validation import (
    RANDOM_STATE,
    Interval,
    StrOptions,
    as_array,
    check_1d,
    check_consistent_length,
    check_probabilities,
    check_random_state,
    validate_params,
)
from ..results import TestResult

__all__ = [
    "SKCEResult",
    "adaptive_calibration_error",
    "brier_score",
    "classwise_ece",
    "debiased_ece",
    "expected_calibration_error",
    "ks_calibration_error",
    "negative_log_likelihood",
    "skce_test",
    "smooth_ece",
]


def _resolve_pos_label(y, pos_label):
    """The positive label of binary ``y`` (scikit-learn's rule when None)."""
    labels = np.unique(y)
    if labels.size > 2:
        raise ValueError(
            "A 1-D y_prob holds the probability of the positive class of a binary "
            f"problem, but y_true has {labels.size} labels {labels.tolist()[:6]}; "
            "pass the (n_samples, n_classes) matrix of probabilities instead."
        )
    if pos_label is None:
        if y.dtype.kind in "iufb" and (
            set(labels.tolist()) <= {0, 1} or set(labels.tolist()) <= {-1, 1}
        ):
            return 1
        raise ValueError(
            f"y_true takes the values {labels.tolist()}: pos_label must be given "
            "for a 1-D y_prob unless the labels are {0, 1} or {-1, 1}."
        )
    if labels.size == 2 and pos_label not in labels.tolist():
        raise ValueError(
            f"pos_label={pos_label!r} is not one of the labels of y_true, "
            f"{labels.tolist()}."
        )
    return pos_label


def _check_y_prob(y_true, y_prob, pos_label=None, *, with_binary=False):
    """Labels ``0..C-1`` and probabilities ``(n, C)``.

    A 1-D ``y_prob`` is the probability of the positive class (as
    ``sklearn.calibration.calibration_curve`` takes it): it becomes the two
    columns ``(1 - p, p)`` and ``y_true`` becomes ``y_true == pos_label``.
    ``with_binary``: also return whether ``y_prob`` was 1-D.
    """
    if not hasattr(y_prob, "columns"):
        y_prob = as_array(y_prob, name="y_prob")  # ragged lists: named error
    binary = np.ndim(y_prob) == 1
    if binary:
        p = check_1d(y_prob, name="y_prob")
        if p.min() < 0 or p.max() > 1:
            raise ValueError(
                "A 1-D y_prob must hold probabilities of the positive class in "
                f"[0, 1]; got values in [{p.min():.3g}, {p.max():.3g}]."
            )
        yr = check_1d(y_true, name="y_true", dtype=None)
        check_consistent_length(y_true=yr, y_prob=p)
        pos = _resolve_pos_label(yr, pos_label)
        y, P = (yr == pos).astype(np.int64), np.column_stack([1.0 - p, p])
        return (y, P, True) if with_binary else (y, P)
    if pos_label is not None:
        raise ValueError(
            f"pos_label={pos_label!r} applies to a 1-D y_prob (the probability of "
            "the positive class); with a matrix y_prob, y_true must hold the "
            "column indices 0..C-1."
        )
    P = check_probabilities(y_prob, name="y_prob", atol=1e-4)
    y = check_1d(y_true, name="y_true", dtype=None)
    check_consistent_length(y_true=y, y_prob=P)
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise ValueError("y_true must hold integer class labels 0..C-1.")
    elif y.dtype.kind not in "iub":
        raise TypeError(
            f"y_true must hold integer class labels 0..C-1; got dtype {y.dtype}. "
            "For binary labels of another kind pass y_prob as the 1-D probability "
            "of the positive class with pos_label."
        )
    y = y.astype(np.int64)
    C = P.shape[1]
    if y.min() < 0 or y.max() >= C:
        raise ValueError(
            f"y_true must hold labels in 0..{C - 1} (y_prob has {C} columns); got "
            f"labels in [{y.min()}, {y.max()}]."
        )
    return (y, P, False) if with_binary else (y, P)


def _conf_hit(y, P, binary):
    """What the top-label metrics bin: the top-label confidence and whether the
    arg-max is right, or, for a 1-D ``y_prob``, the positive-class probability
    and whether the row is positive."""
    if binary:
        return P[:, 1].copy(), y.astype(float)
    pred = P.argmax(axis=1)
    return P[np.arange(len(y)), pred], (pred == y).astype(float)


def _canonical(conf, hit):
    """``conf`` and ``hit`` sorted by ``(conf, hit)``: the same arrays, bit for bit,
    for every order of the same rows (sums over them then never depend on it)."""
    order = np.lexsort((hit, conf))
    return conf[order], hit[order]


def _equal_mass_index(s, n_bins):
    """Equal-mass bin of each value of the sorted array ``s``.

    Row ``i`` of ``n`` goes to bin ``floor(i * n_bins / n)``, except that a run
    of equal values is never split: the whole run joins the bin of its first
    member (a boundary inside a run moves to the run's end). Without ties this
    is the usual rank rule; with ties bins differ in size and some stay empty.
    """
    first = np.searchsorted(s, s, side="left")
    return (first * n_bins) // s.size


def _binned(conf, hit, n_bins, strategy):
    """Per non-empty bin: the sums of ``conf`` and ``hit``, the count, the index.

    A function of the multiset of ``(conf, hit)`` pairs: rows are put in a
    canonical order first, and equal confidences always share a bin.
    """
    conf, hit = _canonical(conf, hit)
    if strategy == "uniform":
        idx = np.clip(np.ceil(conf * n_bins).astype(np.int64) - 1, 0, n_bins - 1)
    else:
        idx = _equal_mass_index(conf, n_bins)
    cnt = np.bincount(idx, minlength=n_bins)
    sc = np.bincount(idx, weights=conf, minlength=n_bins)
    sa = np.bincount(idx, weights=hit, minlength=n_bins)
    nz = np.flatnonzero(cnt)
    return sc[nz], sa[nz], cnt[nz], nz


def _bin_gaps(conf, correct, n_bins, strategy):
    """Per non-empty bin: ``|mean conf - mean correct|`` and the bin's count."""
    sc, sa, cnt, _ = _binned(conf, correct, n_bins, strategy)
    return np.abs(sc - sa) / cnt, cnt


def _bin_error(conf, correct, n_bins, strategy, power=1):
    """Mass-weighted mean of the bin gaps to the power ``power``."""
    gaps, cnt = _bin_gaps(conf, correct, n_bins, strategy)
    return float(np.sum(cnt / conf.shape[0] * gaps**power))


_BINS = Interval(Integral, 1, None, closed="left")


@validate_params(
    {
        "y_true": ["array-like"],
        "y_prob": ["array-like"],
        "pos_label": [Real, str, None],
        "n_bins": [_BINS],
        "strategy": [StrOptions({"uniform", "quantile"})],
    },
    prefer_skip_nested_validation=True,
)
def expected_calibration_error(
    y_true, y_prob, *, n_bins=15, strategy="uniform", pos_label=None
):
    """Top-label expected calibration error.

    ``sum_b (n_b / n) |acc_b - conf_b|`` over bins of the top-label confidence
    ``max_k p_k``; bins are right-closed, ``(i/B, (i+1)/B]``, as in Guo et al.
    With a 1-D ``y_prob`` (the positive class's probability ``p``) the bins
    are those of ``p`` and ``acc_b`` is the fraction of positives, the
    points of ``sklearn.calibration.calibration_curve``; pass
    ``np.c_[1 - p, p]`` for the top-label error of the same predictions.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels in ``0..C-1``; with a 1-D ``y_prob``, two labels of any kind.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities; a 1-D array holds the probability of the
        positive class, as ``sklearn.calibration.calibration_curve`` takes it.
    n_bins : int, default=15
        Number of bins.
    strategy : {"uniform", "quantile"}, default="uniform"
        Equal-width bins (ECE) or equal-mass bins (sometimes called ECE_em).
        Equal-mass bins hold about ``n / n_bins`` rows each, but equal
        confidences always share a bin (a run of ties joins the bin of its
        first member in sorted order), so with ties the bins differ in size
        and some stay empty; empty bins do not count.

    pos_label : int, float, bool or str, default=None
        The positive label of ``y_true`` for a 1-D ``y_prob`` (an error with
        a matrix); None means 1 when the labels are {0, 1} or {-1, 1}, as in
        scikit-learn.

    Returns
    -------
    ece : float

    Examples
    --------
    >>> from statnorm.calibration.metrics import expected_calibration_error
    >>> expected_calibration_error([0, 1], [[0.8, 0.2], [0.4, 0.6]], n_bins=5)
    0.3
    >>> expected_calibration_error(["ham", "spam"], [0.2, 0.6], pos_label="spam",
    ...                            n_bins=5)
    0.3
    """
    y, P, binary = _check_y_prob(y_true, y_prob, pos_label, with_binary=True)
    conf, hit = _conf_hit(y, P, binary)
    return round(_bin_error(conf, hit, n_bins, strategy), 15)


@validate_params(
    {
        "y_true": ["array-like"],
        "y_prob": ["array-like"],
        "pos_label": [Real, str, None],
        "n_bins": [_BINS],
        "reduction": [StrOptions({"sum", "mean"})],
        "strategy": [StrOptions({"uniform", "quantile"})],
    },
    prefer_skip_nested_validation=True,
)
def classwise_ece(
    y_true, y_prob, *, n_bins=15, reduction="sum", strategy="uniform", pos_label=None
):
    """Class-wise ECE: the binned error of every column ``p_k`` against ``y == k``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels in ``0..C-1``; with a 1-D ``y_prob``, two labels of any kind.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities; a 1-D array holds the probability of the
        positive class, as ``sklearn.calibration.calibration_curve`` takes it.
    n_bins : int, default=15
        Bins per class (the h-calibration authors use 14 for ``CWECE_s``).
    reduction : {"sum", "mean"}, default="sum"
        Sum over classes (Kull et al. 2019, ``CWECE_s``) or mean (``CWECE_a``).
    strategy : {"uniform", "quantile"}, default="uniform"
        Equal-width or equal-mass bins of each column; equal probabilities
        always share a bin (a run of ties joins the bin of its first member),
        so with ties the equal-mass bins differ in size.

    pos_label : int, float, bool or str, default=None
        The positive label of ``y_true`` for a 1-D ``y_prob`` (an error with
        a matrix); None means 1 when the labels are {0, 1} or {-1, 1}, as in
        scikit-learn.

    Returns
    -------
    cwece : float

    Examples
    --------
    >>> from statnorm.calibration.metrics import classwise_ece
    >>> round(classwise_ece([0, 1], [[0.8, 0.2], [0.4, 0.6]], n_bins=5), 4)
    0.6
    """
    y, P = _check_y_prob(y_true, y_prob, pos_label)
    C = P.shape[1]
    vals = [
        _bin_error(P[:, k], (y == k).astype(float), n_bins, strategy) for k in range(C)
    ]
    return float(np.sum(vals) if reduction == "sum" else np.mean(vals))


@validate_params(
    {"y_true": ["array-like"], "y_prob": ["array-like"],
        "pos_label": [Real, str, None], "n_bins": [_BINS]},
    prefer_skip_nested_validation=True,
)
def adaptive_calibration_error(y_true, y_prob, *, n_bins=15, pos_label=None):
    """Adaptive calibration error (Nixon et al. 2019).

    This is the *adaptive* calibration error of "Measuring calibration in
    deep learning": class-wise and equal-mass. netcal's ``ACE`` is a
    different metric with the same acronym, the *average* calibration error
    (Neumann et al. 2018): equal-width bins of the top-label confidence, each
    non-empty bin counted equally; it is not computed here.

    Class-wise, equal-mass bins, averaged over classes and bins with equal
    weight: ``(1 / C) sum_k (1 / B_k) sum_b |acc_kb - conf_kb|``, where
    ``B_k`` counts the non-empty bins of class ``k``. Equal probabilities
    always share a bin: a run of ties joins, whole, the bin of its first member
    in sorted order. Without ties every class has ``B = min(n_bins,
    n_samples)`` bins of (nearly) equal size and this is Nixon et al.'s
    ``(1 / (C B)) sum_k sum_b``; with ties bins differ in size and fewer may be
    non-empty. A 1-D ``y_prob`` is read as the two columns ``(1 - p, p)``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels in ``0..C-1``; with a 1-D ``y_prob``, two labels of any kind.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities; a 1-D array holds the probability of the
        positive class, as ``sklearn.calibration.calibration_curve`` takes it.
    n_bins : int, default=15
        Equal-mass bins per class (fewer when ties fill several).

    pos_label : int, float, bool or str, default=None
        The positive label of ``y_true`` for a 1-D ``y_prob`` (an error with
        a matrix); None means 1 when the labels are {0, 1} or {-1, 1}, as in
        scikit-learn.

    Returns
    -------
    ace : float

    Examples
    --------
    >>> from statnorm.calibration.metrics import adaptive_calibration_error
    >>> round(adaptive_calibration_error([0, 1], [[0.8, 0.2], [0.4, 0.6]], n_bins=1), 4)
    0.1
    """
    y, P = _check_y_prob(y_true, y_prob, pos_label)
    n, C = P.shape
    nb = min(n_bins, n)
    total = 0.0
    for k in range(C):
        gaps, _ = _bin_gaps(P[:, k], (y == k).astype(float), nb, "quantile")
        total += np.mean(gaps)
    return float(total / C)


@validate_params(
    {
        "y_true": ["array-like"],
        "y_prob": ["array-like"],
        "pos_label": [Real, str, None],
        "n_bins": [_BINS],
        "kind": [StrOptions({"l1", "l2"})],
    },
    prefer_skip_nested_validation=True,
)
def debiased_ece(y_true, y_prob, *, n_bins=15, kind="l2", pos_label=None):
    """Debiased top-label calibration error, L2 (Kumar et al.) or L1 (h-calibration).

    Both use equal-mass bins of the top-label confidence, and neither splits
    tied confidences between bins: a bin boundary that falls inside a run of
    equal confidences moves to the end of the run, so with ties the bins
    differ in size and there may be fewer of them (for ``kind="l1"`` each
    remaining bin still counts equally).

    - ``kind="l2"`` (Kumar, Liang & Ma 2019): the plug-in squared error
      ``sum_b w_b (conf_b - acc_b)^2`` minus its estimated bias
      ``sum_b w_b acc_b (1 - acc_b) / (n_b - 1)``, clipped at 0, square root
      (``w_b = n_b / n``; bins ``floor(i * n_bins / n)`` of the sorted rows,
      a run of ties in the bin of its first member; bins of one row are
      skipped).
    - ``kind="l1"``: the top-label selector of the h-calibration authors
      (Huang et al. 2025, from the Verified-Uncertainty-Calibration code).
      Bin ``b`` holds the sorted rows ``round(n b / n_bins)`` to
      ``round(n (b + 1) / n_bins) - 1``; with ``mu_b = acc_b - conf_b`` and
      ``s_b = sqrt(acc_b (1 - acc_b) / n_b)``, the result is
      ``2 mean_b |mu_b| - mean_b E|N(mu_b, s_b^2)|``, where
      ``E|N(mu, s^2)| = s sqrt(2 / pi) 1F1(-1/2; 1/2; -mu^2 / (2 s^2))``.
      Bins count equally (not by size) and the value may be negative.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels in ``0..C-1``; with a 1-D ``y_prob``, two labels of any kind.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities; a 1-D array holds the probability of the
        positive class, as ``sklearn.calibration.calibration_curve`` takes it.
    n_bins : int, default=15
        Equal-mass bins.
    kind : {"l2", "l1"}, default="l2"
        Which estimator (see above).

    pos_label : int, float, bool or str, default=None
        The positive label of ``y_true`` for a 1-D ``y_prob`` (an error with
        a matrix); None means 1 when the labels are {0, 1} or {-1, 1}, as in
        scikit-learn.

    Returns
    -------
    dece : float

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.calibration.metrics import debiased_ece
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.5, 1.0, 5000)
    >>> P = np.c_[p, 1 - p]
    >>> y = (rng.uniform(size=5000) > p).astype(int)  # calibrated by construction
    >>> debiased_ece(y, P) < 0.02
    True
    >>> abs(debiased_ece(y, P, kind="l1")) < 0.02
    True
    """
    y, P, binary = _check_y_prob(y_true, y_prob, pos_label, with_binary=True)
    n = len(y)
    conf, correct = _conf_hit(y, P, binary)
    nb = min(n_bins, n)
    if kind == "l1":
        return _debiased_ece_l1(*_canonical(conf, correct), nb)
    sc, sa, cnt, _ = _binned(conf, correct, nb, "quantile")
    keep = cnt > 1
    sc, sa, cnt = sc[keep], sa[keep], cnt[keep].astype(float)
    acc = sa / cnt
    plug = np.sum(cnt / n * (sc / cnt - acc) ** 2)
    bias = np.sum(cnt / n * acc * (1 - acc) / (cnt - 1))
    return float(np.sqrt(max(plug - bias, 0.0)))


def _debiased_ece_l1(conf, correct, n_bins):
    """The authors' L1 estimator on rows sorted by confidence (see debiased_ece)."""
    from scipy.special import hyp1f1

    n = conf.size
    # Python's round (half to even), as the reference code's bin boundaries
    edges = [round(n * i / n_bins) for i in range(n_bins + 1)]
    # an edge inside a run of equal confidences moves to the end of the run
    edges = [
        e if e in (0, n) else int(np.searchsorted(conf, conf[e - 1], side="right"))
        for e in edges
    ]
    mu, s = [], []
    for a, b in itertools.pairwise(edges):
        if b <= a:
            continue
        acc = correct[a:b].mean()
        mu.append(acc - conf[a:b].mean())
        s.append(np.sqrt(acc * (1.0 - acc) / (b - a)))
    mu, s = np.asarray(mu), np.asarray(s)
    expected_abs = np.abs(mu)  # a bin with s = 0 has no noise to remove
    pos = s > 0
    expected_abs[pos] = (
        s[pos]
        * np.sqrt(2.0 / np.pi)
        * hyp1f1(-0.5, 0.5, -(mu[pos] ** 2) / (2.0 * s[pos] ** 2))
    )
    return float(2.0 * np.mean(np.abs(mu)) - np.mean(expected_abs))


@validate_params(
    {
        "y_true": ["array-like"],
        "y_prob": ["array-like"],
        "pos_label": [Real, str, None],
    },
    prefer_skip_nested_validation=True,
)
def ks_calibration_error(y_true, y_prob, *, pos_label=None):
    """Kolmogorov-Smirnov calibration error (Gupta et al. 2021), top label.

    Sort by confidence; the largest gap between the cumulative sums of the
    confidences and of the correctness indicators, divided by ``n``. No bins.
    The cumulative sums are read at each distinct confidence (after the last
    row holding it), as an empirical distribution function is: inside a run
    of tied confidences their value would depend on the order of the rows.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels in ``0..C-1``; with a 1-D ``y_prob``, two labels of any kind.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities; a 1-D array holds the probability of the
        positive class, as ``sklearn.calibration.calibration_curve`` takes it.

    pos_label : int, float, bool or str, default=None
        The positive label of ``y_true`` for a 1-D ``y_prob`` (an error with
        a matrix); None means 1 when the labels are {0, 1} or {-1, 1}, as in
        scikit-learn.

    Returns
    -------
    ks : float

    Examples
    --------
    >>> from statnorm.calibration.metrics import ks_calibration_error
    >>> round(ks_calibration_error([0, 1], [[0.8, 0.2], [0.4, 0.6]]), 4)
    0.3
    """
    y, P, binary = _check_y_prob(y_true, y_prob, pos_label, with_binary=True)
    n = len(y)
    conf, hit = _canonical(*_conf_hit(y, P, binary))
    diff = np.cumsum(conf - hit) / n
    # the cumulative gap is a function of the confidence: read it only where
    # the confidence changes (inside a run of ties it would depend on row order)
    ends = np.r_[conf[1:] != conf[:-1], True]
    return float(np.max(np.abs(np.concatenate(([0.0], diff[ends])))))


def _smece_sigma(wr, sigma, grid):
    # Gaussian kernel reflected at 0 and 1: convolve the residual mass mirrored
    # onto [-1, 2] (FFT), then keep the [0, 1] part
    from scipy.signal import fftconvolve

    n = len(grid)
    step = grid[1] - grid[0]
    ext = np.concatenate((wr[:0:-1], wr, wr[-2::-1]))
    # a point on a boundary is its own mirror image: K(t, 0) + K(t, -0)
    ext[n - 1] += wr[0]
    ext[2 * n - 2] += wr[-1]
    off = np.arange(-(len(ext) - 1), len(ext)) * step
    g = np.exp(-0.5 * (off / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
    full = fftconvolve(ext, g, mode="full")
    h = full[len(ext) - 1 + n - 1 : len(ext) - 1 + 2 * n - 1]
    return float(np.sum(np.abs(h)) * step)


@validate_params(
    {
        "y_true": ["array-like"],
        "y_prob": ["array-like"],
        "pos_label": [Real, str, None],
    },
    prefer_skip_nested_validation=True,
)
def smooth_ece(y_true, y_prob, *, pos_label=None):
    """Smooth ECE of the top-label confidence (Blasiok & Nakkiran 2023).

    The residuals ``correct - conf`` are smoothed with a Gaussian kernel
    reflected at 0 and 1; smECE at bandwidth ``sigma`` is the integral of the
    absolute smoothed residual, and the reported value is the fixed point
    ``smECE_sigma = sigma`` found by bisection (the relplot definition). The
    residuals are linearly binned onto a 1001-node grid of [0, 1] and the
    integral is taken on that grid, so the cost is ``O(n + 1001^2)`` per
    bandwidth; bandwidths below 1e-3 are not resolved. The reflected kernel
    keeps every sample's mass on [0, 1] (a confidence of exactly 1 counts
    fully); relplot instead divides by its smoothed density, which differs
    from this when many confidences sit on a boundary.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels in ``0..C-1``; with a 1-D ``y_prob``, two labels of any kind.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities; a 1-D array holds the probability of the
        positive class, as ``sklearn.calibration.calibration_curve`` takes it.

    pos_label : int, float, bool or str, default=None
        The positive label of ``y_true`` for a 1-D ``y_prob`` (an error with
        a matrix); None means 1 when the labels are {0, 1} or {-1, 1}, as in
        scikit-learn.

    Returns
    -------
    smece : float

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.calibration.metrics import smooth_ece
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.5, 1, 2000)
    >>> P = np.c_[p, 1 - p]
    >>> y = (rng.uniform(size=2000) > p).astype(int)
    >>> smooth_ece(y, P) < 0.03
    True
    """
    y, P, binary = _check_y_prob(y_true, y_prob, pos_label, with_binary=True)
    n = len(y)
    f, hit = _canonical(*_conf_hit(y, P, binary))
    r = hit - f
    # linear binning of the residuals onto a 1001-node grid (spacing 1e-3)
    grid = np.linspace(0.0, 1.0, 1001)
    pos = f * (len(grid) - 1)
    i0 = np.clip(np.floor(pos).astype(np.int64), 0, len(grid) - 2)
    lam = pos - i0
    wr = np.bincount(i0, weights=r * (1 - lam), minlength=len(grid))
    wr += np.bincount(i0 + 1, weights=r * lam, minlength=len(grid))
    wr /= n
    lo, hi = 1e-3, 1.0
    for _ in range(25):
        mid = 0.5 * (lo + hi)
        if _smece_sigma(wr, mid, grid) > mid:
            lo = mid
        else:
            hi = mid
    return float(0.5 * (lo + hi))


@validate_params(
    {
        "y_true": ["array-like"],
        "y_prob": ["array-like"],
        "pos_label": [Real, str, None],
    },
    prefer_skip_nested_validation=True,
)
def negative_log_likelihood(y_true, y_prob, *, pos_label=None):
    """Mean negative log-likelihood ``-mean(log p_{i, y_i})`` (probabilities
    clipped at 1e-300).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels in ``0..C-1``; with a 1-D ``y_prob``, two labels of any kind.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities; a 1-D array holds the probability of the
        positive class, as ``sklearn.calibration.calibration_curve`` takes it.

    pos_label : int, float, bool or str, default=None
        The positive label of ``y_true`` for a 1-D ``y_prob`` (an error with
        a matrix); None means 1 when the labels are {0, 1} or {-1, 1}, as in
        scikit-learn.

    Returns
    -------
    nll : float

    Examples
    --------
    >>> from statnorm.calibration.metrics import negative_log_likelihood
    >>> round(negative_log_likelihood([0, 1], [[0.5, 0.5], [0.5, 0.5]]), 4)
    0.6931
    """
    y, P = _check_y_prob(y_true, y_prob, pos_label)
    p = P[np.arange(len(y)), y]
    # summed in sorted order: the same bits for every order of the rows
    return float(-np.mean(np.sort(np.log(np.maximum(p, 1e-300)))))


@validate_params(
    {
        "y_true": ["array-like"],
        "y_prob": ["array-like"],
        "pos_label": [Real, str, None],
    },
    prefer_skip_nested_validation=True,
)
def brier_score(y_true, y_prob, *, pos_label=None):
    """Multi-class Brier score ``mean_i sum_k (p_ik - 1[y_i = k])^2``.

    With a 1-D ``y_prob`` (the positive class's probability) it is
    scikit-learn's binary ``brier_score_loss``, ``mean_i (p_i - 1[y_i =
    pos_label])^2``: half the two-column score of ``(1 - p, p)``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels in ``0..C-1``; with a 1-D ``y_prob``, two labels of any kind.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities; a 1-D array holds the probability of the
        positive class, as ``sklearn.calibration.calibration_curve`` takes it.

    pos_label : int, float, bool or str, default=None
        The positive label of ``y_true`` for a 1-D ``y_prob`` (an error with
        a matrix); None means 1 when the labels are {0, 1} or {-1, 1}, as in
        scikit-learn.

    Returns
    -------
    brier : float

    Examples
    --------
    >>> from statnorm.calibration.metrics import brier_score
    >>> brier_score([0, 1], [[1.0, 0.0], [0.5, 0.5]])
    0.25
    >>> brier_score([0, 1], [0.0, 0.5])
    0.125
    """
    y, P, binary = _check_y_prob(y_true, y_prob, pos_label, with_binary=True)
    if binary:  # scikit-learn's binary Brier score: mean (p - y)^2
        sq = (P[:, 1] - y) ** 2
    else:
        E = P.copy()
        E[np.arange(len(y)), y] -= 1.0
        sq = np.sum(E * E, axis=1)
    # summed in sorted order: the same bits for every order of the rows
    return float(np.mean(np.sort(sq)))


@dataclass(frozen=True, repr=False)
class SKCEResult(TestResult):
    """Result of :func:`skce_test`.

    Attributes
    ----------
    statistic : float
        Unbiased SKCE estimate (can be negative).
    pvalue : float
        p-value for the null hypothesis "the probabilities are calibrated".
    method : str
        ``"quadratic"`` or ``"linear"``.
    bandwidth : float
        Kernel bandwidth used.
    """

    method: str = "quadratic"
    bandwidth: float = float("nan")


@validate_params(
    {
        "y_true": ["array-like"],
        "y_prob": ["array-like"],
        "pos_label": [Real, str, None],
        "method": [StrOptions({"quadratic", "linear"})],
        "bandwidth": [Interval(Real, 0, None, closed="neither"), None],
        "n_resamples": [Interval(Integral, 1, None, closed="left")],
        "random_state": RANDOM_STATE,
    },
    prefer_skip_nested_validation=True,
)
def skce_test(
    y_true,
    y_prob,
    *,
    method="quadratic",
    bandwidth=None,
    n_resamples=199,
    random_state=None,
    pos_label=None,
):
    """Test canonical calibration with the squared kernel calibration error.

    Widmann, Lindsten & Zachariah (2019): with the matrix-valued kernel
    ``k(p, p') I``, ``k(p, p') = exp(-||p - p'||_2 / bandwidth)``,
    ``SKCE = E[(e_y - p)^T (e_y' - p') k(p, p')]`` is zero if and only if the
    probabilities are calibrated (for a characteristic kernel).

    - ``method="quadratic"``: the unbiased U-statistic over all pairs,
      ``O(n^2 C)``; p-value by *consistency resampling*: labels are redrawn
      from the predicted probabilities themselves (which makes them calibrated)
      ``n_resamples`` times, and ``p = (1 + #{SKCE_b >= SKCE}) / (1 + B)``, an
      exact Monte Carlo test of the null.
    - ``method="linear"``: the linear-time estimator on ``floor(n / 2)``
      disjoint pairs drawn at random (seeded by ``random_state``), one-sided
      asymptotic normal p-value. Fast, less power. Random pairs keep the
      estimator unbiased when the file is sorted (pairing neighbours of a
      sorted table would pair near-identical rows).

    The rows are first put in a canonical order (by probabilities, then
    label), so the statistic and, for a given ``random_state``, the p-value
    do not depend on the order of the rows.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels in ``0..C-1``; with a 1-D ``y_prob``, two labels of any kind.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities; a 1-D array holds the probability of the
        positive class, as ``sklearn.calibration.calibration_curve`` takes it.
    method : {"quadratic", "linear"}, default="quadratic"
        Estimator, see above.
    bandwidth : float, default=None
        Kernel bandwidth; ``None`` takes the median pairwise distance of (up to
        1000 of) the probability vectors.
    n_resamples : int, default=199
        Consistency resamples for the quadratic estimator's p-value.
    random_state : int, RandomState instance or None, default=None
        Seeds the resampling and the bandwidth subsample.

    pos_label : int, float, bool or str, default=None
        The positive label of ``y_true`` for a 1-D ``y_prob`` (an error with
        a matrix); None means 1 when the labels are {0, 1} or {-1, 1}, as in
        scikit-learn.

    Returns
    -------
    result : SKCEResult
        ``statistic, pvalue = result`` works.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.calibration.metrics import skce_test
    >>> rng = np.random.default_rng(0)
    >>> P = rng.dirichlet(np.ones(3), size=300)
    >>> y = np.array([rng.choice(3, p=p) for p in P])
    >>> res = skce_test(y, P, random_state=0)
    >>> res.pvalue > 0.05
    True
    """
    from ._kernels import skce_kernel_matrix, skce_pairs

    y, P = _check_y_prob(y_true, y_prob, pos_label)
    n, C = P.shape
    if n < 2:
        raise ValueError("skce_test needs at least 2 samples; got 1 sample.")
    # rows in a canonical order (by probabilities, then label): the random
    # draws below then attach to the same rows however the input is ordered
    order = np.lexsort((y, *P.T[::-1]))
    y, P = y[order], np.ascontiguousarray(P[order])
    rng = check_random_state(random_state)
    if bandwidth is None:
        sub = P if n <= 1000 else P[rng.choice(n, 1000, replace=False)]
        d = np.sqrt(((sub[:, None, :] - sub[None, :, :]) ** 2).sum(-1))
        d = d[np.triu_indices(len(sub), 1)]
        bandwidth = float(np.median(d)) if np.median(d) > 0 else 1.0
    E = -P.copy()
    E[np.arange(n), y] += 1.0
    if method == "linear":
        m = n // 2
        if m < 2:
            raise ValueError("the linear SKCE needs at least 4 samples.")
        pairs = rng.permutation(n)[: 2 * m]
        a, b = pairs[0::2], pairs[1::2]
        dist = np.sqrt(((P[a] - P[b]) ** 2).sum(1))
        h = np.exp(-dist / bandwidth) * (E[a] * E[b]).sum(1)
        stat = float(h.mean())
        sd = float(h.std(ddof=1))
        p = 0.5 if sd == 0 else float(1.0 - ndtr(stat / (sd / np.sqrt(m))))
        return SKCEResult(stat, p, method="linear", bandwidth=bandwidth)
    Pc = np.ascontiguousarray(P)
    stat = float(skce_pairs(np.ascontiguousarray(E), Pc, bandwidth))
    K = skce_kernel_matrix(Pc, bandwidth)
    cum = np.cumsum(P, axis=1)
    count = 0
    denom = n * (n - 1)
    for _ in range(n_resamples):
        u = rng.uniform(size=(n, 1))
        yb = np.minimum((u > cum).sum(axis=1), C - 1)
        Eb = -P.copy()
        Eb[np.arange(n), yb] += 1.0
        sb = float(np.sum((K @ Eb) * Eb)) / denom
        count += sb >= stat
    return SKCEResult(
        stat,
        (1.0 + count) / (1.0 + n_resamples),
        method="quadratic",
        bandwidth=bandwidth,
    )


@validate_params(
    {
        "y_true": ["array-like"],
        "y_prob": ["array-like"],
        "pos_label": [Real, str, None],
        "n_bins": [_BINS],
        "strategy": [StrOptions({"uniform", "quantile"})],
    },
    prefer_skip_nested_validation=True,
)
def maximum_calibration_error(
    y_true, y_prob, *, n_bins=15, strategy="uniform", pos_label=None
):
    """Top-label maximum calibration error (Naeini et al. 2015; Guo et al. 2017).

    ``max_b |acc_b - conf_b|`` over the non-empty bins of the top-label
    confidence: the worst-calibrated bin, where
    :func:`expected_calibration_error` takes the mass-weighted mean of the
    same gaps. ``strategy="quantile"`` uses adaptive (equal-mass) bins, so
    every bin holds about ``n / n_bins`` samples and no nearly empty bin
    decides the maximum; the adaptive-bin ECE is
    ``expected_calibration_error(..., strategy="quantile")``. Equal
    confidences always share a bin (a run of ties joins the bin of its first
    member), so with ties the adaptive bins differ in size.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels in ``0..C-1``; with a 1-D ``y_prob``, two labels of any kind.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities; a 1-D array holds the probability of the
        positive class, as ``sklearn.calibration.calibration_curve`` takes it.
    n_bins : int, default=15
        Number of bins.
    strategy : {"uniform", "quantile"}, default="uniform"
        Equal-width bins, right-closed as in Guo et al., or equal-mass
        (adaptive) bins that never split tied confidences.

    pos_label : int, float, bool or str, default=None
        The positive label of ``y_true`` for a 1-D ``y_prob`` (an error with
        a matrix); None means 1 when the labels are {0, 1} or {-1, 1}, as in
        scikit-learn.

    Returns
    -------
    mce : float

    Examples
    --------
    >>> from statnorm.calibration.metrics import maximum_calibration_error
    >>> P = [[0.8, 0.2], [0.4, 0.6], [0.9, 0.1]]
    >>> round(maximum_calibration_error([0, 1, 1], P, n_bins=5), 4)
    0.9
    >>> round(maximum_calibration_error([0, 1, 1], P, n_bins=1,
    ...                                 strategy="quantile"), 4)
    0.1
    """
    y, P, binary = _check_y_prob(y_true, y_prob, pos_label, with_binary=True)
    conf, hit = _conf_hit(y, P, binary)
    gaps, _ = _bin_gaps(conf, hit, n_bins, strategy)
    return round(float(gaps.max()), 15)


__all__ += ["maximum_calibration_error"]
