"""The one first-order optimiser of statnorm and its training driver.

HCalibrator, QuantileAggregator (softmax weights, local MLP) and
KernelLearner all train by Adam; they share :class:`Adam` (with the optional
AMSGrad correction) and one training driver, :func:`train`: the learner
supplies one epoch (its own batches, schedule and scores), the driver keeps
the stall counter of ``early_stopping``/``n_iter_no_change``, the checkpoint
of the best parameters, the histories behind ``loss_curve_``,
``validation_scores_`` and ``best_iteration_``, the callback early exit and
the ``ConvergenceWarning`` (see :doc:`/changes`). Each epoch is reported
through :func:`report_epoch`, which prints a line when the estimator's
``verbose`` is set and logs to the ``statnorm.<method>`` logger (progress
callbacks plug in here).
"""

from __future__ import annotations

import logging
import warnings
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning

__all__ = [
    "Adam",
    "CallbackSupportMixin",
    "Epoch",
    "FitProgress",
    "Training",
    "callback_root",
    "loop_progress",
    "renamed_attribute",
    "report_epoch",
    "train",
    "with_callbacks",
]

try:  # scikit-learn >= 1.9: estimator callbacks (set_callbacks(ProgressBar()))
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # pragma: no cover - older scikit-learn

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Stand-in when scikit-learn has no callback API (before 1.9)."""

    def with_callbacks(method):  # type: ignore[no-redef]
        return method


class Adam:
    """Adam (Kingma & Ba, 2015), optionally with AMSGrad (Reddi et al., 2018).

    Updates a list of float arrays in place.

    Parameters
    ----------
    params : list of ndarray
        The parameters; only their shapes are read here.
    learning_rate_init : float
        Initial step size; ``learning_rate`` may be changed between steps
        (e.g. by a plateau schedule).
    beta1, beta2, eps : float
        Moment decay rates and the denominator guard.
    amsgrad : bool, default=False
        Use the running maximum of the second moment.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm._optim import Adam
    >>> x = np.array([3.0])
    >>> opt = Adam([x], learning_rate_init=0.1)
    >>> for _ in range(200):
    ...     opt.step([x], [2 * x])
    >>> abs(x[0]) < 0.1
    np.True_
    """

    def __init__(
        self,
        params,
        *,
        learning_rate_init,
        beta1=0.9,
        beta2=0.999,
        eps=1e-8,
        amsgrad=False,
    ):
        self.learning_rate = float(learning_rate_init)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.amsgrad = amsgrad
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.vmax = [np.zeros_like(p) for p in params] if amsgrad else None
        self.t = 0

    def step(self, params, grads):
        """Apply one update to every array of ``params`` (in place)."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        c1 = 1 - b1**self.t
        c2 = 1 - b2**self.t
        lr = self.learning_rate
        for i, (p, g) in enumerate(zip(params, grads)):
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            v = self.v[i]
            if self.amsgrad:
                np.maximum(self.vmax[i], v, out=self.vmax[i])
                v = self.vmax[i]
            p -= lr * (self.m[i] / c1) / (np.sqrt(v / c2) + self.eps)


def report_epoch(estimator, epoch: int, max_iter: int | None = None, **metrics):
    """Report one epoch of ``estimator``'s training.

    Prints ``"<Class> epoch i/max: name=value ..."`` when
    ``estimator.verbose`` is truthy and logs the same line at DEBUG level to
    ``logging.getLogger("statnorm.<method>")``.

    Parameters
    ----------
    estimator : object
        The estimator being fitted.
    epoch : int
        1-based epoch number.
    max_iter : int or None
        Epoch budget (shown when given).
    **metrics
        Values to show (loss, ECE, learning rate, ...).

    Examples
    --------
    >>> from statnorm._optim import report_epoch
    >>> class Est:
    ...     verbose = 1
    >>> report_epoch(Est(), 3, 10, loss=0.5)
    Est epoch 3/10: loss=0.5
    """
    name = type(estimator).__name__
    budget = f"/{max_iter}" if max_iter is not None else ""
    vals = " ".join(
        f"{k}={v:.6g}" if isinstance(v, float | np.floating) else f"{k}={v}"
        for k, v in metrics.items()
    )
    line = f"{name} epoch {epoch}{budget}: {vals}"
    mod = type(estimator).__module__.split(".")
    logging.getLogger(".".join(mod[:2])).debug(line)
    if getattr(estimator, "verbose", 0):
        print(line, flush=True)


def loop_progress(owner, what, *, verbose=0, every=0.1):
    """A ``progress(done, total)`` reporter for resampling loops.

    Used with :func:`statnorm._parallel.run_tasks` (``progress=``) by the
    permutation tests and bootstraps: when ``verbose`` is truthy it prints
    ``"<owner> <what> done/total"`` about every ``every`` share of the loop
    (and at the end); the same lines go to the ``statnorm.<method>`` logger
    at DEBUG level.

    Parameters
    ----------
    owner : object or str
        The estimator (its class name is shown) or a name.
    what : str
        What is counted ("permutations", "bootstrap draws").
    verbose : int, default=0
        Print the lines when truthy.
    every : float, default=0.1
        Share of the loop between two lines.

    Returns
    -------
    progress : callable
        ``progress(done, total)``.

    Examples
    --------
    >>> from statnorm._optim import loop_progress
    >>> progress = loop_progress("MMDTest", "permutations", verbose=1, every=0.5)
    >>> for done in (250, 500, 750, 1000):
    ...     progress(done, 1000)
    MMDTest permutations 500/1000
    MMDTest permutations 1000/1000
    """
    name = owner if isinstance(owner, str) else type(owner).__name__
    module = "statnorm" if isinstance(owner, str) else type(owner).__module__
    logger = logging.getLogger(".".join(module.split(".")[:2]))
    state = {"next": every}

    def progress(done, total):
        share = done / total if total else 1.0
        if share + 1e-12 < state["next"] and done < total:
            return
        state["next"] = share + every
        line = f"{name} {what} {done}/{total}"
        logger.debug(line)
        if verbose:
            print(line, flush=True)

    return progress


def callback_root(estimator, max_subtasks, *, task_name="fit"):
    """The root fit task of ``estimator.set_callbacks(...)`` callbacks.

    For a meta-estimator whose steps are sub-fits rather than epochs (e.g.
    :class:`~statnorm.quantile.ConformalQuantileRegressor`): call it in a
    ``fit`` decorated with :func:`with_callbacks`, make one
    ``root.subcontext(...)`` per step, and end the root with
    ``root.call_on_fit_task_end(estimator=estimator)``. Returns None when the
    estimator has no callbacks (or scikit-learn has no callback API).

    Examples
    --------
    >>> from statnorm._optim import callback_root
    >>> class Est:
    ...     pass
    >>> callback_root(Est(), 3) is None
    True
    """
    if not getattr(estimator, "_skl_callbacks", None) or not hasattr(
        estimator, "_init_callback_context"
    ):
        return None
    root = estimator._init_callback_context(
        task_name=task_name, max_subtasks=max_subtasks
    )
    root.call_on_fit_task_begin(estimator=estimator)
    return root


class FitProgress:
    """Report the steps of a fit: ``verbose`` lines, logging, sklearn callbacks.

    Create it at the start of a ``fit`` decorated with :func:`with_callbacks`
    (on an estimator deriving from :class:`CallbackSupportMixin`), then call
    :meth:`step` at the end of each epoch/step. Callbacks set with
    ``estimator.set_callbacks(...)`` (e.g. scikit-learn's ``ProgressBar``) see
    one task per step; without callbacks this only prints/logs.

    Parameters
    ----------
    estimator : estimator
        The estimator being fitted.
    max_steps : int or None
        Number of steps if known (an epoch budget).
    task_name, step_name : str
        Names shown by progress callbacks.

    Examples
    --------
    >>> from statnorm._optim import FitProgress
    >>> class Est:
    ...     verbose = 0
    >>> progress = FitProgress(Est(), 3)
    >>> [progress.step(i, loss=1.0 / i) for i in (1, 2, 3)]
    [False, False, False]
    """

    def __init__(self, estimator, max_steps, *, task_name="fit", step_name="epoch"):
        self.estimator = estimator
        self.max_steps = max_steps
        self.step_name = step_name
        self._ctx = None
        self._sub = None
        if getattr(estimator, "_skl_callbacks", None) and hasattr(
            estimator, "_init_callback_context"
        ):
            self._ctx = estimator._init_callback_context(
                task_name=task_name, max_subtasks=max_steps
            )
            self._ctx.call_on_fit_task_begin(estimator=estimator)
            self._begin()

    def _begin(self):
        self._sub = self._ctx.subcontext(task_name=self.step_name)
        self._sub.call_on_fit_task_begin(estimator=self.estimator)

    def step(self, i: int, **metrics) -> bool:
        """End step ``i`` (1-based); return True if a callback asks to stop."""
        report_epoch(self.estimator, i, self.max_steps, **metrics)
        if self._ctx is None:
            return False
        stop = bool(self._sub.call_on_fit_task_end(estimator=self.estimator))
        if self.max_steps is None or i < self.max_steps:
            self._begin()
        else:
            self._sub = None
        return stop

    def close(self):
        """End the fit task (call once, after the last step)."""
        if self._ctx is not None:
            if self._sub is not None:
                self._sub.call_on_fit_task_end(estimator=self.estimator)
                self._sub = None
            self._ctx.call_on_fit_task_end(estimator=self.estimator)
            self._ctx = None


class Epoch(NamedTuple):
    """What one epoch of a learner hands to :func:`train`.

    Attributes
    ----------
    loss : float
        Training loss of the epoch (lower is better), kept in ``loss_curve_``.
    score : float or None
        The monitored score of the parameters after the epoch, as a loss
        (lower is better; a held-out loss, or a training loss without
        held-out rows); ``None``: not evaluated at this epoch.
    select : float or None
        Checkpoint criterion when it differs from ``score`` (lower is
        better, compared strictly); ``None``: ``score``.
    metrics : dict
        Values shown by ``verbose`` and the progress callbacks.
    """

    loss: float
    score: float | None = None
    select: float | None = None
    metrics: dict | None = None


class Training(NamedTuple):
    """The outcome of :func:`train`.

    Attributes
    ----------
    n_iter : int
        Epochs run.
    losses : list of float
        ``Epoch.loss`` of every epoch.
    scores : list of float
        Monitored scores (the initial score first, if any), as losses.
    best_iteration : int
        Epoch of the kept parameters (0: the start; the last epoch with
        ``checkpoint=None``).
    best_score : float
        Best monitored score (``inf`` if none).
    best_select : float
        Checkpoint criterion of the kept parameters (``inf`` without one).
    params : object
        The kept parameters: a copy of the best checkpoint, or the live
        parameters with ``checkpoint=None``.
    reason : {"max_iter", "no_change", "callback"}
        Why training ended.
    capped : bool
        Early stopping was on and the budget ran out before
        ``n_iter_no_change`` evaluations without improvement, while the
        score beat the initial score (if any) or, without one, was not
        constant; the learner warns with :meth:`warn_if_capped`.
    """

    n_iter: int
    losses: list
    scores: list
    best_iteration: int
    best_score: float
    best_select: float
    params: object
    reason: str
    capped: bool

    def warn_if_capped(self, message, stacklevel=3):
        """Emit ``message`` as a :class:`~sklearn.exceptions.ConvergenceWarning`
        if :attr:`capped`."""
        if self.capped:
            warnings.warn(message, ConvergenceWarning, stacklevel=stacklevel + 1)


def _snapshot(params):
    if isinstance(params, np.ndarray):
        return params.copy()
    return [p.copy() for p in params]


def train(
    epoch,
    params,
    *,
    max_iter,
    early_stopping,
    n_iter_no_change,
    progress=None,
    tol=0.0,
    checkpoint="best",
    initial_score=None,
    offset=0,
):
    """Run ``epoch(1), epoch(2), ...``: the one training driver.

    After each epoch the monitored score (:attr:`Epoch.score`) updates the
    stall counter: it counts evaluations whose score is not below the best
    one by more than ``tol`` and restarts at 0 on an improvement. With
    ``early_stopping`` training stops when the counter reaches
    ``n_iter_no_change``; it also stops when a progress callback asks to, and
    after ``max_iter`` epochs. The parameters of the best checkpoint criterion
    (:attr:`Epoch.select`, else the score's improvements) are copied.

    Parameters
    ----------
    epoch : callable
        ``epoch(i) -> Epoch`` trains epoch ``i`` (1-based) in place on
        ``params``, then scores the parameters.
    params : ndarray or list of ndarray
        The live parameters (read only for the checkpoint copies).
    max_iter : int
        Epoch budget.
    early_stopping : bool
        Stop after ``n_iter_no_change`` evaluations without improvement.
    n_iter_no_change : int
        The patience, in evaluations.
    progress : FitProgress or None
        Reports each epoch (``verbose``, logging, callbacks).
    tol : float, default=0.0
        Improvement needed to restart the stall counter.
    checkpoint : {"best", "last"} or None, default="best"
        Keep a copy of the best parameters, of the last evaluated ones, or
        none (the live parameters are returned).
    initial_score : float or None, default=None
        Score of the start (iteration 0), if evaluated.
    offset : int, default=0
        Added to the epoch number reported to ``progress``.

    Returns
    -------
    training : Training

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm._optim import Adam, Epoch, train
    >>> w = np.array([3.0])
    >>> opt = Adam([w], learning_rate_init=0.5)
    >>> def epoch(i):
    ...     opt.step([w], [2 * w])
    ...     return Epoch(loss=float(w[0] ** 2), score=float(w[0] ** 2))
    >>> t = train(epoch, w, max_iter=500, early_stopping=True, n_iter_no_change=5)
    >>> t.reason, t.n_iter - t.best_iteration
    ('no_change', 5)
    >>> bool(t.params[0] ** 2 == t.best_score)  # the best epoch's copy
    True
    """
    best = np.inf if initial_score is None else float(initial_score)
    scores = [] if initial_score is None else [best]
    best_iter = best_score_iter = 0
    best_select = np.inf
    kept = None if checkpoint is None else _snapshot(params)
    losses, stall, reason, i = [], 0, "max_iter", 0
    for i in range(1, max_iter + 1):
        ep = epoch(i)
        losses.append(ep.loss)
        if ep.score is not None:
            scores.append(ep.score)
            improved = ep.score < best - tol
            if improved:
                best, stall, best_score_iter = ep.score, 0, i
            else:
                stall += 1
            if ep.select is not None:
                improved = ep.select < best_select
            if checkpoint == "last" or (checkpoint == "best" and improved):
                kept, best_iter = _snapshot(params), i
                best_select = ep.select if ep.select is not None else best_select
        if progress is not None and progress.step(offset + i, **(ep.metrics or {})):
            reason = "callback"
            break
        if early_stopping and stall >= n_iter_no_change:
            reason = "no_change"
            break
    if checkpoint is None:
        kept, best_iter = params, i
    # not converged: the score had not stalled for n_iter_no_change
    # evaluations when the budget ran out, and it beat the start (if scored)
    # or at least changed (a constant score has converged)
    scored = initial_score is not None
    moving = best_score_iter > 0 if scored else len(set(scores)) > 1
    capped = bool(early_stopping and reason == "max_iter" and moving)
    return Training(
        n_iter=i,
        losses=losses,
        scores=scores,
        best_iteration=best_iter,
        best_score=best,
        best_select=best_select,
        params=kept,
        reason=reason,
        capped=capped,
    )


def renamed_attribute(old, new, convert=None, *, note=None):
    """A read-only property ``old`` that returns ``new`` with a FutureWarning.

    Parameters
    ----------
    old, new : str
        The old and the new attribute names.
    convert : callable or None
        Maps the new attribute's value to the old one's.
    note : str or None
        How the values relate (shown in the warning), e.g. "its negative".

    Returns
    -------
    property

    Examples
    --------
    >>> import warnings
    >>> from statnorm._optim import renamed_attribute
    >>> class Est:
    ...     n_iter_ = 3
    ...     n_epochs_ = renamed_attribute("n_epochs_", "n_iter_")
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     Est().n_epochs_, w[0].category.__name__
    (3, 'FutureWarning')
    """

    def fget(self):
        value = getattr(self, new)  # unfitted: AttributeError, no warning
        how = f" ({note})" if note else ""
        warnings.warn(
            f"{old} is deprecated since 0.1 and will be removed; use {new}{how}.",
            FutureWarning,
            stacklevel=2,
        )
        return value if convert is None else convert(value)

    return property(fget, doc=f"Deprecated alias of ``{new}``.")
