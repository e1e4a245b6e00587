"""h-calibration (Huang et al., TPAMI 2025): objective and HCalibrator."""

import logging
import warnings
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from .._optim import (
    Adam,
    CallbackSupportMixin,
    Epoch,
    FitProgress,
    train,
    with_callbacks,
)
from .._validation import (
    RANDOM_STATE,
    Interval,
    StrOptions,
    check_random_state,
    fit_context,
    spawn_seeds,
    validate_params,
)
from ._base import BaseCalibrator, check_labels, check_sample_weight
from ._baselines import TemperatureScaling
from ._maps import (
    MonotoneNetworkMap,
    PiecewiseLinearMap,
    TemperatureEnsembleMap,
    resolve_map,
)

__all__ = ["HCalibrator", "hcalibration_loss"]

_logger = logging.getLogger("statnorm.calibration")


_N_LLOYD = 25  # Lloyd iterations of the k-means grouping
_AUTO_ALL_CLASSES = 16  # iterate_classes="auto": every pass up to this many classes
_AUTO_SAMPLED_CLASSES = 8  # ... then this many passes drawn per step
_AUTO_MAX_LOCO = 256  # ... and one pass (no leave-one-class-out) beyond
_CV_PATIENCE = 10  # n_iter_no_change="auto" with cross-validation ...
_LARGE_EVENTS = 4_000_000  # ... above this many events (n x C):
_LARGE_CV_PATIENCE = 5  # a shorter patience ...
_LARGE_CV_FOLDS = 2  # ... and cv="auto" takes 2 folds instead of 3
_LEAVE_START_SE = 2.0  # the start is left only for a gain above 2 SE
_AUTHORS_PATIENCE = 160  # ... and with cv="in-sample" (the authors' rule)


def _check_window(window):
    if window % 2:
        raise ValueError(
            f"window must be an even int (the authors' window holds window + 1 "
            f"events centred on each event); got {window}."
        )


_RADIX_MIN = 4096  # below this many keys numpy's sort is as fast


def _stable_argsort(key):
    """``np.argsort(key, kind="stable")``, computed 2-4x faster.

    Large arrays go through a Numba LSD radix sort (stable by construction,
    see :func:`~statnorm.calibration._kernels.radix_argsort`); small ones
    through numpy's vectorised argsort, which is not stable, with its runs
    of equal keys (usually none) re-ordered by index afterwards.
    """
    key = np.ascontiguousarray(key, dtype=np.float64)
    if key.size >= _RADIX_MIN:
        from ._kernels import radix_argsort

        itype = np.int32 if key.size < 2**31 else np.int64
        return radix_argsort(key, np.empty(key.size, itype), np.empty(key.size, itype))
    order = np.argsort(key)
    ks = key[order]
    eq = ks[1:] == ks[:-1]
    if eq.any():
        tied = np.zeros(key.size, dtype=bool)
        tied[1:] |= eq
        tied[:-1] |= eq
        pos = np.flatnonzero(tied)
        run = np.cumsum(np.r_[True, ~eq])[pos]  # run id of each tied position
        sub = order[pos]
        order[pos] = sub[np.lexsort((sub, run))]
    return order


_MAX_BLOCKS = 8  # leave-one-class-out passes run in at most this many blocks
_BLOCK_EVENTS = 2**25  # cap on the block gradients held at once (256 MB)


def _objective(
    P,
    y,
    *,
    window,
    epsilon,
    n_groups,
    iterate_classes,
    sort_key=None,
    n_jobs=None,
    grouping="equal_mass",
    classes=None,
):
    """Objective and its gradient with respect to ``P`` (same shape).

    ``classes`` (with ``iterate_classes``) restricts the leave-one-class-out
    average to those classes (a sub-sampled step); ``None`` takes every class.
    """
    from .._numba import parallel_threads
    from ._kernels import hcal_objective

    n, C = P.shape
    key = (P if sort_key is None else sort_key).ravel()
    order = _stable_argsort(key)
    p_flat = np.ascontiguousarray(P, dtype=np.float64).ravel()
    y32 = np.ascontiguousarray(y, dtype=np.int32)
    fused = n * C >= _RADIX_MIN  # as the sort: small inputs compile no kernel
    if fused:
        from ._kernels import gather_events

        p_sorted = np.empty(n * C)
        d = np.empty(n * C)
        row_label = np.empty(n * C, dtype=np.int32)
        gather_events(p_flat, y32, C, order, p_sorted, d, row_label)
    else:  # the same values by numpy gathers
        p_sorted = p_flat[order]
        row = order // C
        row_label = y32[row]
        d = p_sorted - (order - row * C == row_label)  # p - o, o one-hot
    g_sorted = np.empty(n * C)
    if not iterate_classes:
        classes = np.empty(0, dtype=np.int64)
    elif classes is None:
        classes = np.arange(C, dtype=np.int64)
    else:
        classes = np.ascontiguousarray(classes, dtype=np.int64)
    n_lloyd = _N_LLOYD if grouping == "kmeans" else 0
    # fixed blocks of classes, from the shapes only: the same additions in the
    # same order whatever n_jobs (bit-identical results, tests/calibration/
    # test_determinism.py); at most _BLOCK_EVENTS doubles of block gradients
    n_blocks = min(classes.size, _MAX_BLOCKS, max(1, _BLOCK_EVENTS // (n * C)))
    with parallel_threads(n_jobs) as n_threads:
        val = hcal_objective(
            d, row_label, classes, window // 2, float(epsilon), int(n_groups),
            g_sorted, p_sorted, n_lloyd, n_blocks, n_threads > 1 and n_blocks > 1,
        )  # fmt: skip
    grad = np.empty(n * C)
    if fused:
        from ._kernels import scatter_back

        scatter_back(g_sorted, order, grad)
    else:
        grad[order] = g_sorted
    return float(val), grad.reshape(n, C)


@validate_params(
    {
        "y_true": ["array-like"],
        "y_prob": ["array-like"],
        "window": [Interval(Integral, 2, None, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "n_groups": [Interval(Integral, 1, None, closed="left")],
        "grouping": [StrOptions({"equal_mass", "kmeans"})],
        "iterate_classes": ["boolean"],
        "return_gradient": ["boolean"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def hcalibration_loss(
    y_true,
    y_prob,
    *,
    window=200,
    epsilon=1e-20,
    n_groups=15,
    grouping="equal_mass",
    iterate_classes=True,
    return_gradient=False,
    n_jobs=None,
):
    """The h-calibration objective of Huang et al. (2025).

    All ``n * C`` (sample, class) pairs become binary events ``(p, o)``, sorted
    by ``p``. For each sorted event, ``T_i = |sum_{j in W(i)} (p_j - o_j)| /
    (window + 1)`` over the ``window + 1`` events centred on it (zero-padded at
    the ends), hinged at ``epsilon``; the hinged errors are averaged within
    ``n_groups`` probability groups and the group means averaged with equal
    weight. With ``iterate_classes=True`` this is repeated with the
    samples of each class left out in turn and the results averaged.

    One sort serves every leave-one-class-out pass (masked prefix sums), so an
    evaluation costs ``O(nC log nC + C * nC)``. The authors' scale factor
    ``1e5`` is not applied.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels in ``0..C-1``.
    y_prob : array-like of shape (n_samples, n_classes)
        Probabilities.
    window : int, default=200
        Even window length ``veclen``.
    epsilon : float, default=1e-20
        Hinge threshold (the tolerated error).
    n_groups : int, default=15
        Number of probability groups.
    grouping : {"equal_mass", "kmeans"}, default="equal_mass"
        ``"equal_mass"``: groups of equal size by rank (then the equal-weight
        mean of group means is almost the plain mean and ``n_groups`` has
        almost no effect); ``"kmeans"``: deterministic 1-D k-means of the
        sorted probabilities of each pass (Lloyd, equal-mass initialisation,
        25 iterations), the authors' grouping without their random
        initialisation. Groups carry no gradient.
    iterate_classes : bool, default=True
        Leave-one-class-out averaging.
    return_gradient : bool, default=False
        Also return the gradient with respect to ``y_prob``.
    n_jobs : int, default=None
        Numba threads for the leave-one-class-out passes; the value and
        gradient are bit-identical for every ``n_jobs`` (fixed blocks of
        classes, reduced in a fixed order).

    Returns
    -------
    loss : float
    gradient : ndarray of shape (n_samples, n_classes)
        Only if ``return_gradient``.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.calibration import hcalibration_loss
    >>> P = np.full((100, 2), 0.5)
    >>> y = np.r_[np.zeros(50, int), np.ones(50, int)]
    >>> round(hcalibration_loss(y, P, window=10, iterate_classes=False), 4)
    0.0...
    """
    from .._validation import check_probabilities

    P = check_probabilities(y_prob, name="y_prob", atol=1e-6)
    y = check_labels(y_true, P.shape[1], name="y_true")
    if len(y) != len(P):
        raise ValueError(
            f"y_true has {len(y)} samples but y_prob has {len(P)}; they must match."
        )
    if not isinstance(window, Integral) or window < 2:
        raise ValueError(f"window must be an even int >= 2; got {window!r}.")
    _check_window(window)
    if not isinstance(n_groups, Integral) or n_groups < 1:
        raise ValueError(f"n_groups must be a positive int; got {n_groups!r}.")
    val, grad = _objective(
        P,
        y,
        window=window,
        epsilon=epsilon,
        n_groups=n_groups,
        iterate_classes=iterate_classes,
        n_jobs=n_jobs,
        grouping=grouping,
    )
    return (val, grad) if return_gradient else val


def _top_ece15(P, y):
    pred = P.argmax(axis=1)
    conf = P[np.arange(len(y)), pred]
    idx = np.clip(np.ceil(conf * 15).astype(np.int64) - 1, 0, 14)
    cnt = np.bincount(idx, minlength=15)
    gap = np.abs(
        np.bincount(idx, weights=conf, minlength=15)
        - np.bincount(idx, weights=(pred == y).astype(float), minlength=15)
    )
    return float(gap.sum() / len(y)) if cnt.sum() else 0.0


def _selector_value(selector, P, y):
    from . import metrics

    if selector == "ece":
        return _top_ece15(P, y)
    if selector == "dece_l1":
        return metrics.debiased_ece(y, P, kind="l1")
    if selector == "dece_l2":
        return metrics.debiased_ece(y, P, kind="l2")
    if selector == "classwise_ece":
        return metrics.classwise_ece(y, P, reduction="mean")
    p = P[np.arange(len(y)), y]
    return float(-np.mean(np.log(np.maximum(p, 1e-300))))


DEFAULT_GRID = (
    PiecewiseLinearMap(n_segments=1),
    PiecewiseLinearMap(n_segments=10),
    PiecewiseLinearMap(n_segments=100),
    TemperatureEnsembleMap(n_members=16),
    TemperatureEnsembleMap(n_members=64),
    MonotoneNetworkMap(hidden_layer_sizes=(10, 10)),
)

#: The authors' 12 candidates (``map_grid="authors"``); their piecewise-linear
#: map is discontinuous and not order-preserving, so the continuous one
#: stands in for it. Networks train with a learning-rate patience of 40.
AUTHORS_GRID = (
    *(PiecewiseLinearMap(n_segments=k) for k in (1, 10, 100, 500)),
    *(TemperatureEnsembleMap(n_members=k) for k in (16, 32, 64, 128)),
    *(MonotoneNetworkMap(hidden_layer_sizes=(k, k)) for k in (2, 10, 20, 50)),
)
_NETWORK_LR_PATIENCE = 40

_CV_SCORES = ("nll", "ece", "dece_l1", "dece_l2", "classwise_ece")


def _canonical_rows(Z, y):
    """A row order that depends only on the multiset of rows ``(Z_i, y_i)``.

    Rows are sorted by a 64-bit hash of their bytes (a pseudo-random order,
    unrelated to the scores), then by the label and every column to break
    hash ties: a permutation of the rows gives the same sequence of rows, so
    the folds, the event order and every sum of the fit are the same, bit
    for bit. Equal rows are interchangeable, so their relative order does
    not matter.
    """
    Zc = np.ascontiguousarray(Z, dtype=np.float64) + 0.0  # -0.0 -> 0.0
    words = Zc.view(np.uint64)
    h = np.full(len(Zc), np.uint64(0x9E3779B97F4A7C15))
    with np.errstate(over="ignore"):
        for j in range(words.shape[1]):
            h ^= words[:, j]
            h *= np.uint64(0xBF58476D1CE4E5B9)
            h ^= h >> np.uint64(31)
        h ^= np.asarray(y, dtype=np.uint64)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(29)
    keys = [Zc[:, j] for j in range(Zc.shape[1] - 1, -1, -1)]
    return np.lexsort([*keys, np.asarray(y), h])


def _repeat_rows(Z, y, sample_weight):
    """Rows repeated by integer frequency weights (the objective counts events)."""
    w = check_sample_weight(sample_weight, Z.shape[0])
    counts = np.rint(w)
    if np.abs(w - counts).max() > 1e-9 * max(1.0, float(w.max())):
        raise ValueError(
            "sample_weight must hold non-negative integers for HCalibrator (frequency "
            "weights: the windows of its objective count events); got non-integer "
            "weights."
        )
    idx = np.repeat(np.arange(Z.shape[0]), counts.astype(np.int64))
    if np.unique(y[idx]).size < 2:
        raise ValueError("sample_weight leaves fewer than 2 classes with weight.")
    return Z[idx], y[idx]


def _score(name, P, y):
    """Held-out score of probabilities (lower is better)."""
    return _top_ece15(P, y) if name == "ece" else _selector_value(name, P, y)


def _one_se_step(mean, curves, rows):
    """The step kept from a mean held-out curve (lower is better).

    Step 0 (the start: temperature scaling by default) is kept unless the
    minimum beats it by more than two standard errors (a one-sided test at
    about 2.5 %); otherwise the fewest steps whose mean is within one
    standard error of the minimum (Breiman's one-standard-error rule). The
    standard error is that of the paired difference between step 0 and the
    minimising step: over the pooled held-out rows when per-row scores
    ``rows`` are given (NLL), otherwise over the folds.
    """
    t_min = int(np.argmin(mean))
    if t_min == 0:
        return 0, 0.0
    if rows is not None:
        diff = rows[0] - rows[t_min]
    else:
        diff = curves[:, 0] - curves[:, t_min]
    se = float(diff.std(ddof=1) / np.sqrt(diff.size)) if diff.size > 1 else np.inf
    if mean[0] - mean[t_min] <= _LEAVE_START_SE * se:
        return 0, se
    within = np.flatnonzero(mean <= mean[t_min] + se)
    return int(within[0]), se


class _Run:
    """One Adam trajectory of a map on ``(Z, y)`` with the authors' plateau
    schedule: evaluate the objective, update the schedule, take a step.
    Several runs can advance in lockstep (the cross-validation folds)."""

    def __init__(self, est, mapping, theta, temperature, Z, y, rng, patience, k):
        self.est, self.mapping, self.theta = est, mapping, theta
        self.temperature = temperature
        self.Z, self.y, self.rng = Z, y, rng
        self.patience = patience
        self.k = k  # leave-one-class-out passes per step (0: one pass)
        self.opt = Adam([theta], learning_rate_init=float(est.learning_rate_init))
        self.lr = self.opt.learning_rate
        self.best_ece, self.bad_lr, self.bad_stop = np.inf, 0, 0
        self.pending = None  # the step due from the last evaluation
        self.hist = {"loss": [], "ece": [], "lr": []}
        if est.keep_params:
            self.hist["params"] = []

    def _classes(self):
        C = self.Z.shape[1]
        if self.k == 0 or self.k >= C:
            return None
        return np.sort(self.rng.choice(C, self.k, replace=False))

    def _loss(self, logP, P):
        est = self.est
        return _objective(
            P,
            self.y,
            window=est.window,
            epsilon=est.epsilon,
            n_groups=est.n_groups,
            iterate_classes=self.k > 0,
            sort_key=logP,
            n_jobs=est.n_jobs,
            grouping=est.grouping,
            classes=self._classes(),
        )

    def evaluate(self):
        """Objective, ECE, probabilities, map cache and objective gradient at
        the current parameters; records the epoch in ``hist``."""
        logP, cache = self.mapping.forward(self.theta, self.Z)
        P = np.exp(logP)
        loss, Gp = self._loss(logP, P)
        ece = _top_ece15(P, self.y)
        self.hist["loss"].append(loss)
        self.hist["ece"].append(ece)
        self.hist["lr"].append(self.lr)
        if self.est.keep_params:
            self.hist["params"].append(self.theta.copy())
        return loss, ece, P, cache, Gp

    def schedule(self, ece):
        """ReduceLROnPlateau(min, factor .5, relative threshold 1e-4) and the
        early-stopping counter (delta 0), both driven by the 15-bin ECE."""
        if ece < self.best_ece * (1 - 1e-4):
            self.bad_lr = 0
        else:
            self.bad_lr += 1
        if ece < self.best_ece:
            self.best_ece, self.bad_stop = ece, 0
        else:
            self.bad_stop += 1
        if self.bad_lr > self.patience:
            self.lr *= 0.5
            self.bad_lr = 0
        return self.bad_stop

    def step(self, P, cache, Gp):
        g = self.mapping.backward(self.theta, self.Z, cache, P, Gp * 1e5)
        self.opt.learning_rate = self.lr
        self.opt.step([self.theta], [g])

    def advance(self):
        """One full epoch: evaluate, schedule, step."""
        _, ece, P, cache, Gp = self.evaluate()
        self.schedule(ece)
        self.step(P, cache, Gp)

    def epoch(self):
        """The authors' epoch (evaluate, schedule, step) with the step
        deferred to the next call (or :meth:`flush`), so that the parameters
        just evaluated are the live ones (checkpointed by the driver)."""
        self.flush()
        loss, ece, P, cache, Gp = self.evaluate()
        self.schedule(ece)
        self.pending = (P, cache, Gp)
        return loss, ece, P

    def flush(self):
        """Take the step due from the last evaluation, if any."""
        if self.pending is not None:
            self.step(*self.pending)
            self.pending = None

    def score(self, Zv, yv):
        logP, _ = self.mapping.forward(self.theta, Zv)
        return _score(self.est.cv_scoring, np.exp(logP), yv)

    def row_nll(self, Zv, yv):
        logP, _ = self.mapping.forward(self.theta, Zv)
        return -logP[np.arange(len(yv)), yv]

    def loss_at(self, theta):
        logP, _ = self.mapping.forward(theta, self.Z)
        return self._loss(logP, np.exp(logP))[0]


class HCalibrator(CallbackSupportMixin, BaseCalibrator):
    """h-calibration: a monotone map of the log-softmax trained on the
    windowed, group-balanced, error-bounded objective of Huang et al. (2025).

    Every entry of the log-softmax goes through one increasing function shared
    by all classes, so the arg-max (and the accuracy) never changes. The map is
    fitted by full-batch Adam on :func:`hcalibration_loss` (times the authors'
    ``1e5``) with the authors' learning-rate schedule (the rate halves after
    ``lr_patience`` epochs without a better 15-bin ECE on the training rows).

    By default the map starts at the temperature-scaling solution (every map
    family contains temperature scaling) and the number of Adam steps is
    chosen out of sample: ``cv`` folds are trained in lockstep from their own
    temperature-scaling start, their held-out ``cv_scoring`` (NLL) is
    averaged after every step, training stops ``n_iter_no_change`` steps
    after the mean stops improving, and the map is refitted on every row for
    the kept number of steps: 0 (temperature scaling) unless the best step
    beats it by more than two standard errors, else the fewest steps within
    one standard error of the best. The result is
    therefore never far from temperature scaling on held-out NLL, and moves
    away from it only as far as the held-out folds support.

    The authors' protocol (identity start, 2,000 epochs, ECE early stopping
    after 160 epochs, checkpoint chosen by ``selector`` on the calibration
    rows themselves, every leave-one-class-out pass at every step) is
    ``HCalibrator(init="identity", cv="in-sample", iterate_classes=True)``,
    with ``map="auto", map_grid="authors"`` for their grid search; see
    :ref:`the calibration page <calibration-protocols>`.

    Parameters
    ----------
    map : map strategy or {"pwlinear", "ts_ensemble", "monotone_nn", "auto"}, \
default="pwlinear"
        The monotone map: a :class:`PiecewiseLinearMap`,
        :class:`TemperatureEnsembleMap` or :class:`MonotoneNetworkMap`
        (tune its parameters as ``map__n_segments`` etc. in ``GridSearchCV``);
        a string is shorthand for the strategy with default parameters;
        ``"auto"`` fits every candidate of ``map_grid`` and keeps the best
        (by the cross-validated ``cv_scoring``, or by ``selector`` with
        ``cv="in-sample"``).
    init : {"temperature", "identity"}, default="temperature"
        Starting parameters: the map that equals temperature scaling fitted
        on the same rows (for ``ts_ensemble``, up to a weight of ``1e-6`` on
        each other member), or the authors' start (identity slopes for
        ``pwlinear``; their random initialisation for the other maps).
    window : int, default=200
        Even window length of the objective (``veclen``).
    epsilon : float, default=1e-20
        Hinge threshold of the objective.
    n_groups : int, default=15
        Probability groups of the objective.
    grouping : {"equal_mass", "kmeans"}, default="equal_mass"
        How the groups are formed (see :func:`hcalibration_loss`): equal-mass
        groups make ``n_groups`` nearly a no-op; ``"kmeans"`` is the
        authors' 1-D k-means grouping, made deterministic.
    iterate_classes : bool, int or "auto", default="auto"
        Leave-one-class-out averaging. ``True``: every class's pass at every
        step (the authors' objective, ``O(C)`` passes per step); ``False``: one
        pass over every event (the authors' choice on ImageNet); an int ``k``:
        ``k`` classes drawn at random (``random_state``) at every step, an
        unbiased estimate of the full average at ``k / C`` of its cost;
        ``"auto"``: every class up to 16 classes, 8 drawn per step up to 256
        classes, one pass beyond.
    max_iter : int, default=2000
        Maximum number of Adam steps (epochs; training is full batch).
    learning_rate_init : float, default=0.005
        Initial Adam step size (halved on plateaus, see ``lr_patience``).
    lr_patience : int, default=20
        Epochs without ECE improvement before the learning rate halves.
    early_stopping : bool, default=True
        Stop early: with cross-validation, when the mean held-out score has
        not improved for ``n_iter_no_change`` steps; with
        ``cv="in-sample"``, when the ECE of the calibration rows has not
        improved for ``n_iter_no_change`` epochs (the authors' rule).
    n_iter_no_change : int or "auto", default="auto"
        Patience of ``early_stopping``; ``"auto"``: 10 steps with
        cross-validation (5 above 4,000,000 events, where a step costs
        seconds), the authors' 160 epochs with ``cv="in-sample"``.
    selector : {"ece", "dece_l1", "dece_l2", "classwise_ece", "nll", "last"}, \
            default="ece"
        With ``cv="in-sample"`` only: criterion (on the calibration set) for
        the checkpoint and, with ``map="auto"``, the map: 15-bin top-label
        ECE; the debiased L1 ECE that is the authors' top-label selector
        (``"dece_l1"``, see :func:`~statnorm.calibration.metrics.debiased_ece`);
        the debiased L2 ECE of Kumar et al. (``"dece_l2"``); mean class-wise
        ECE; NLL; or ``"last"``: no checkpoint selection, the parameters of the
        last evaluated step (maps are then compared by the ECE of that step).
    map_grid : list of map strategies or strings, or "authors", default=None
        Candidates for ``map="auto"``; ``None`` uses ``DEFAULT_GRID``;
        ``"authors"`` the authors' 12 (``AUTHORS_GRID``: pwlinear 1, 10,
        100, 500; ts_ensemble 16, 32, 64, 128; monotone_nn (2, 2), (10, 10),
        (20, 20), (50, 50), the networks with a learning-rate patience of 40).
    cv : int, cross-validation splitter, "auto", "in-sample" or None, \
default="auto"
        How the number of steps (and, with ``map="auto"``, the map) is
        chosen. ``"auto"``: 3 folds, or 2 above 4,000,000 events
        (``n_samples * n_classes``). An int gives that many shuffled
        stratified folds (plain
        shuffled folds when a class has fewer rows than folds; no
        cross-validation, as ``"in-sample"``, when there are fewer than two
        rows per fold); a splitter is used as given. With an int,
        ``"auto"``, ``"in-sample"`` or ``None`` the rows are first put in a
        canonical order (a hash of each row, then its values), so the folds,
        and the fitted map, do not depend on the order of the rows (bit for
        bit); a splitter's folds are by row position. The folds train in
        lockstep and are scored on their held-out rows after every step (see
        above). ``"in-sample"`` or ``None``: the authors' rule, no held-out
        rows, the checkpoint and map chosen by ``selector`` on the
        calibration rows themselves (optimistic).
    cv_scoring : {"nll", "ece", "dece_l1", "dece_l2", "classwise_ece"}, \
            default="nll"
        Held-out score minimised with ``cv``.
    input : {"logits", "probabilities"}, default="logits"
        What ``X`` holds.
    n_jobs : int, default=None
        Numba threads for the leave-one-class-out passes of the objective
        (``None``: one; ``-1``: all). The passes run in fixed blocks of
        classes (at most 8, chosen from the data's shape) reduced in block
        order, and each (map, fold) run draws from its own seed, so the fit
        is bit-identical for every ``n_jobs`` and joblib backend.
    random_state : int, RandomState, Generator or None, default=None
        Seeds the folds, the sub-sampled classes and the initialisation of
        the ensemble and network maps.
    verbose : int, default=0
        Print one line per epoch (loss, ECE, learning rate); the same lines
        go to the ``statnorm.calibration`` logger at DEBUG level.
    keep_params : bool, default=False
        Also keep the parameters of every step in ``history_["params"]``, to
        inspect the optimisation transient (memory: steps x parameters).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        ``arange(n_classes)``.
    n_features_in_ : int
        Number of classes (columns of the logits).
    map_ : str
        The fitted map family.
    map_params_ : dict
        Its size parameter(s).
    coef_ : ndarray
        Parameters of the fitted map.
    temperature_ : float
        Temperature of the temperature-scaling start (``init="temperature"``;
        ``nan`` with ``init="identity"``).
    loss_ : float
        Objective (unscaled) at the kept parameters.
    n_iter_ : int
        Iterations run: with cross-validation the lockstep steps of the
        folds (per candidate map) plus the steps of the final fit
        (``cv_results_["step"]``, 0 for the starting map); otherwise the
        Adam epochs of the final fit.
    loss_curve_ : ndarray of shape (n_epochs,)
        Objective of the final fit at each epoch (``history_["loss"]``).
    validation_scores_ : ndarray
        With cross-validation: the negative mean held-out ``cv_scoring`` of
        the chosen map after 0, 1, 2, ... lockstep steps (higher is better);
        empty with ``cv="in-sample"``.
    best_iteration_ : int
        Adam steps of the kept map: ``cv_results_["step"]``, or the step of
        the ``selector`` checkpoint in-sample (0: the start).
    history_ : dict of list
        ``loss``, ``ece`` and ``lr`` per epoch of the final fit (and
        ``params``, a list of arrays, with ``keep_params=True``).
    search_results_ : list of dict
        Every candidate map and its selector value (or its best mean
        held-out score with ``cv``).
    cv_results_ : dict or None
        With cross-validation: ``maps`` (each candidate), ``mean_curves`` and
        ``fold_curves`` (held-out ``cv_scoring`` after 0, 1, ... steps),
        ``best_steps``, ``best_scores``, and the chosen ``map`` and ``step``.

    Examples
    --------
    >>> from statnorm.calibration import HCalibrator
    >>> from statnorm.datasets import load_cifar10_logits
    >>> Xv, yv = load_cifar10_logits("validation", return_X_y=True)
    >>> cal = HCalibrator(random_state=0).fit(Xv[:2000], yv[:2000])
    >>> cal.map_, cal.map_params_
    ('pwlinear', {'n_segments': 10})
    >>> P = cal.predict_proba(Xv[2000:])
    >>> bool((P.argmax(1) == Xv[2000:].argmax(1)).all())
    True
    """

    _binary_scores = True  # 1-D binary scores s are the logits (0, s)

    _parameter_constraints: ClassVar[dict] = {
        "map": [
            StrOptions({"pwlinear", "ts_ensemble", "monotone_nn", "auto"}),
            PiecewiseLinearMap,
            TemperatureEnsembleMap,
            MonotoneNetworkMap,
        ],
        "init": [StrOptions({"temperature", "identity"})],
        "window": [Interval(Integral, 2, None, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "n_groups": [Interval(Integral, 1, None, closed="left")],
        "grouping": [StrOptions({"equal_mass", "kmeans"})],
        "iterate_classes": [
            "boolean",
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "lr_patience": [Interval(Integral, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "verbose": ["verbose"],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "selector": [
            StrOptions({"ece", "dece_l1", "dece_l2", "classwise_ece", "nll", "last"})
        ],
        "keep_params": ["boolean"],
        "map_grid": [list, tuple, StrOptions({"authors"}), None],
        "cv": ["cv_object", StrOptions({"auto", "in-sample"})],
        "cv_scoring": [StrOptions(set(_CV_SCORES))],
        "input": [StrOptions({"logits", "probabilities"})],
        "n_jobs": [Integral, None],
        "random_state": RANDOM_STATE,
    }

    def __init__(
        self,
        map="pwlinear",
        *,
        init="temperature",
        window=200,
        epsilon=1e-20,
        n_groups=15,
        grouping="equal_mass",
        iterate_classes="auto",
        max_iter=2000,
        learning_rate_init=0.005,
        lr_patience=20,
        early_stopping=True,
        n_iter_no_change="auto",
        selector="ece",
        map_grid=None,
        cv="auto",
        cv_scoring="nll",
        input="logits",
        n_jobs=None,
        random_state=None,
        verbose=0,
        keep_params=False,
    ):
        self.map = map
        self.init = init
        self.window = window
        self.epsilon = epsilon
        self.n_groups = n_groups
        self.grouping = grouping
        self.iterate_classes = iterate_classes
        self.max_iter = max_iter
        self.learning_rate_init = learning_rate_init
        self.lr_patience = lr_patience
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.selector = selector
        self.map_grid = map_grid
        self.cv = cv
        self.cv_scoring = cv_scoring
        self.input = input
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.keep_params = keep_params

    # ---------------------------------------------------------------- training
    def _passes_per_step(self, n_classes):
        """Leave-one-class-out passes per step: 0 (one pass over every
        event), ``n_classes`` (all) or fewer (drawn at random each step)."""
        it = self.iterate_classes
        if isinstance(it, str):  # "auto"
            if n_classes <= _AUTO_ALL_CLASSES:
                return n_classes
            return _AUTO_SAMPLED_CLASSES if n_classes <= _AUTO_MAX_LOCO else 0
        if isinstance(it, bool | np.bool_):
            return n_classes if it else 0
        return min(int(it), n_classes)

    def _start(self, mapping, Z, y, rng):
        """Starting parameters and the temperature of the start (or nan)."""
        if self.init == "identity":
            return mapping.init_params(Z, rng).astype(np.float64, copy=True), np.nan
        T = TemperatureScaling().fit(Z, y).temperature_
        theta = mapping.init_temperature(Z, rng, 1.0 / T)
        return np.asarray(theta, dtype=np.float64).copy(), float(T)

    def _new_run(self, cand, Z, y, rng):
        mapping = clone(cand)._build()
        theta, T = self._start(mapping, Z, y, rng)
        patience = self.lr_patience
        if self._authors_grid() and isinstance(mapping, MonotoneNetworkMap):
            patience = _NETWORK_LR_PATIENCE
        k = self._passes_per_step(Z.shape[1])
        return _Run(self, mapping, theta, T, Z, y, rng, patience, k)

    def _train(self, cand, Z, y, rng, progress=None, offset=0, n_steps=None):
        """Adam with the authors' schedule on all of ``(Z, y)``.

        ``n_steps`` runs exactly that many steps and keeps the last
        parameters (the refit after cross-validation); otherwise the
        checkpoint with the best ``selector`` value is kept and the authors'
        ECE early stopping applies. Epoch ``i`` scores the parameters after
        ``i - 1`` steps. Returns the run and the driver's ``Training``.
        """
        run = self._new_run(cand, Z, y, rng)
        sel_ece = self.selector in ("ece", "last")

        def epoch(i):
            loss, ece, P = run.epoch()
            sel = ece if sel_ece else _selector_value(self.selector, P, y)
            return Epoch(loss, ece, sel, {"loss": loss, "ece": ece, "lr": run.lr})

        refit = n_steps is not None
        t = train(
            epoch,
            run.theta,
            max_iter=n_steps if refit else self.max_iter,
            early_stopping=self.early_stopping and not refit,
            n_iter_no_change=self._patience(cv=False),
            progress=progress,
            checkpoint=None if refit else "last" if self.selector == "last" else "best",
            offset=offset,
        )
        if refit:  # the parameters after n_steps steps
            run.flush()
        return run, t

    def _patience(self, cv, n_events=0):
        if isinstance(self.n_iter_no_change, str):  # "auto"
            if not cv:
                return _AUTHORS_PATIENCE
            return _LARGE_CV_PATIENCE if n_events > _LARGE_EVENTS else _CV_PATIENCE
        return int(self.n_iter_no_change)

    def _authors_grid(self):
        return isinstance(self.map_grid, str) and self.map_grid == "authors"

    def _cv_splits(self, Z, y, rng):
        """The folds, or None when there are too few rows to cross-validate."""
        from sklearn.model_selection import KFold, StratifiedKFold, check_cv

        cv = self.cv
        if isinstance(cv, str) and cv == "auto":
            cv = _LARGE_CV_FOLDS if Z.size > _LARGE_EVENTS else 3
        if isinstance(cv, Integral):
            k = int(cv)
            seed = rng.randint(2**31 - 1)
            counts = np.bincount(y)
            if counts[counts > 0].min() >= k:
                splitter = StratifiedKFold(k, shuffle=True, random_state=seed)
            elif len(y) >= 2 * k:
                splitter = KFold(k, shuffle=True, random_state=seed)
            else:
                return None
            return list(splitter.split(Z, y))
        return list(check_cv(cv, y, classifier=True).split(Z, y))

    def _fit_cv(self, grid, folds, Z, y, rng, progress):
        """Choose the map and the number of steps on held-out folds trained
        in lockstep, then refit on every row for that many steps."""
        patience = self._patience(cv=True, n_events=Z.size)
        offset = 0  # steps reported to the progress callbacks so far
        maps, means, per_fold, chosen, minima, ses = [], [], [], [], [], []
        capped = False
        per_row = self.cv_scoring == "nll"
        # task (candidate g, fold f) draws only from its own seed, taken by
        # index: the same runs whatever order or backend they are run in
        seeds = spawn_seeds(rng, len(grid) * len(folds)).reshape(len(grid), -1)
        for g, cand in enumerate(grid):
            runs = [
                self._new_run(cand, Z[tr], y[tr], np.random.RandomState(seeds[g, f]))
                for f, (tr, _) in enumerate(folds)
            ]
            curves = [[] for _ in folds]
            rows = []  # pooled held-out per-row NLL after each step

            def held_out(runs=runs, curves=curves, rows=rows):
                """Score every fold on its held-out rows; the mean."""
                pooled = []
                for run, (_, te), curve in zip(runs, folds, curves, strict=True):
                    if per_row:
                        pooled.append(run.row_nll(Z[te], y[te]))
                        curve.append(float(pooled[-1].mean()))
                    else:
                        curve.append(run.score(Z[te], y[te]))
                if per_row:
                    rows.append(np.concatenate(pooled))
                return float(np.mean([c[-1] for c in curves]))

            def epoch(i, runs=runs, held_out=held_out):
                """One lockstep step of every fold, then the held-out mean."""
                for run in runs:
                    run.advance()
                mean = held_out()
                return Epoch(mean, mean, metrics={"held_out": mean})

            t = train(
                epoch,
                [],
                max_iter=self.max_iter,
                early_stopping=self.early_stopping,
                n_iter_no_change=patience,
                progress=progress,
                checkpoint=None,
                initial_score=held_out(),
                offset=offset,
            )
            offset += t.n_iter  # the steps the folds advanced
            capped = capped or t.capped
            curves = np.asarray(curves)
            mean = np.asarray(t.scores)
            step, se = _one_se_step(mean, curves, rows if per_row else None)
            maps.append(runs[0].mapping.describe())
            per_fold.append(curves)
            means.append(mean)
            chosen.append(step)
            minima.append(int(np.argmin(mean)))
            ses.append(se)
        best_scores = [float(m[k]) for m, k in zip(means, chosen, strict=True)]
        k = int(np.argmin(best_scores))
        best_steps = chosen
        cv_results = {
            "maps": maps,
            "mean_curves": means,
            "fold_curves": per_fold,
            "best_steps": best_steps,
            "best_scores": best_scores,
            "min_steps": minima,
            "standard_errors": ses,
            "map": maps[k],
            "step": best_steps[k],
            "scoring": self.cv_scoring,
            "n_splits": len(folds),
        }
        run, t = self._train(grid[k], Z, y, rng, progress, offset, best_steps[k])
        theta, loss = run.theta, run.loss_at(run.theta)
        n_iter = offset + t.n_iter  # the lockstep folds' steps, then the refit's
        results = [
            {**m, "cv_score": sc, "cv_step": st}
            for m, sc, st in zip(maps, best_scores, best_steps, strict=True)
        ]
        if capped:
            warnings.warn(
                f"HCalibrator reached max_iter={self.max_iter} while the held-out "
                f"{self.cv_scoring} was still improving; increase max_iter.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return run, theta, loss, n_iter, results, cv_results

    @with_callbacks
    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the monotone map on calibration logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes) or (n_samples,)
            Logits (or probabilities with ``input="probabilities"``); 1-D
            binary scores ``s`` are the logits ``(0, s)``.
        y : array-like of shape (n_samples,)
            Labels in ``0..n_classes-1``.
        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights: non-negative integers, row ``i`` counting as
            ``sample_weight[i]`` events of the objective (its windows count
            events, so a fractional weight has no meaning there and is an
            error). Integer weights give exactly the fit on repeated rows.

        Returns
        -------
        self : HCalibrator
        """
        _check_window(self.window)
        Z, y, fitted = self._check_fit_data(X, y)
        if sample_weight is not None:
            Z, y = _repeat_rows(Z, y, sample_weight)
        rng = check_random_state(self.random_state)
        auto = isinstance(self.map, str) and self.map == "auto"
        if auto:
            grid = DEFAULT_GRID if self.map_grid is None else self.map_grid
            if self._authors_grid():
                grid = AUTHORS_GRID
            grid = [resolve_map(c, "map_grid entries") for c in grid]
        else:
            grid = [resolve_map(self.map)]
        in_sample = self.cv is None or (
            isinstance(self.cv, str) and self.cv == "in-sample"
        )
        if in_sample or isinstance(self.cv, Integral | str):
            # our own folds (or none): work on a canonical order of the rows,
            # so that permuted rows give the same folds and the same map
            order = _canonical_rows(Z, y)
            Z, y = Z[order], y[order]
        folds = None if in_sample else self._cv_splits(Z, y, rng)
        if folds is not None:
            progress = FitProgress(self, None)
            run, theta, loss, n_iter, results, cv_results = self._fit_cv(
                grid, folds, Z, y, rng, progress
            )
            progress.close()
            _logger.info(
                "HCalibrator: cross-validated map %s, %d step(s), held-out %s = %.6g",
                cv_results["map"],
                n_iter,
                self.cv_scoring,
                min(cv_results["best_scores"]),
            )
            k = int(np.argmin(cv_results["best_scores"]))  # the chosen map
            best = (cv_results["step"], -cv_results["mean_curves"][k])
            return self._store(
                fitted, run, theta, loss, n_iter, best, results, cv_results
            )
        results = []
        best = None
        # one progress task for the whole fit: max_iter steps per candidate map
        progress = FitProgress(self, len(grid) * self.max_iter)
        for k, cand in enumerate(grid):
            run, t = self._train(cand, Z, y, rng, progress, k * self.max_iter)
            sel = t.best_select
            loss = t.losses[t.best_iteration - 1] if t.best_iteration else np.nan
            info = {**run.mapping.describe(), "selector_value": sel, "loss": loss}
            results.append(info)
            _logger.debug("HCalibrator: %s -> %s = %.6g", info, self.selector, sel)
            if best is None or sel < best[1].best_select:
                best = (run, t, loss)
        progress.close()
        run, t, loss = best
        _logger.info(
            "HCalibrator: map %s after %d epoch(s), %s = %.6g",
            run.mapping.describe(),
            t.n_iter,
            self.selector,
            t.best_select,
        )
        t.warn_if_capped(
            f"HCalibrator stopped at max_iter={self.max_iter} while the "
            "calibration-set ECE was still improving; increase max_iter.",
            stacklevel=2,
        )
        best = (max(t.best_iteration - 1, 0), np.empty(0))  # steps, no held-out
        return self._store(fitted, run, t.params, loss, t.n_iter, best, results, None)

    def _store(self, fitted, run, theta, loss, n_iter, best, results, cv_results):
        """Write every fitted attribute, in one assignment, at the end of
        ``fit`` (an interrupted fit leaves the previous fit whole); ``best``
        is ``(best_iteration_, validation_scores_)``."""
        desc = run.mapping.describe()
        return self._store_fit(
            fitted,
            mapping_=run.mapping,
            map_=desc.pop("map"),
            map_params_=desc,
            coef_=theta,
            temperature_=run.temperature,
            loss_=loss,
            n_iter_=n_iter,
            loss_curve_=np.asarray(run.hist["loss"], dtype=np.float64),
            validation_scores_=best[1],
            best_iteration_=best[0],
            history_=run.hist,
            search_results_=results,
            cv_results_=cv_results,
        )

    def predict_proba(self, X):
        """Calibrated class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes) or (n_samples,)
            Logits (or probabilities with ``input="probabilities"``); 1-D
            binary scores ``s`` are the logits ``(0, s)``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        Z = self._validate_predict(X)
        logP, _ = self.mapping_.forward(self.coef_, Z)
        return np.exp(logP)

    def _log_proba(self, X):
        # transform and predict_log_proba: no round trip through exp
        Z = self._validate_predict(X)
        logP, _ = self.mapping_.forward(self.coef_, Z)
        return logP

    def predict(self, X):
        """Arg-max of the logits (the map never changes it).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes) or (n_samples,)
            Logits.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        Z = self._validate_predict(X)
        return self.classes_[np.argmax(Z, axis=1)]

    def objective(self, X, y):
        """The (unscaled) h-calibration objective of the calibrated ``X``.

        Exact: every leave-one-class-out pass is taken whenever the fit
        used any (``iterate_classes`` not ``False`` and, for ``"auto"``, at
        most 256 classes), even if the fit drew a subset at each step.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes) or (n_samples,)
            Logits.
        y : array-like of shape (n_samples,)
            Labels.

        Returns
        -------
        loss : float
        """
        check_is_fitted(self)
        logP = self._log_proba(X)
        y = self._label_index(y)
        val, _ = _objective(
            np.exp(logP),
            y,
            window=self.window,
            epsilon=self.epsilon,
            n_groups=self.n_groups,
            iterate_classes=self._passes_per_step(logP.shape[1]) > 0,
            sort_key=logP,
            grouping=self.grouping,
        )
        return val
