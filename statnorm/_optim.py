"""The one first-order optimiser of statnorm, with a per-epoch hook.

HCalibrator, QuantileAggregator (softmax weights, local MLP) and
KernelLearner all train by Adam; they share :class:`Adam` (with the optional
AMSGrad correction) and report each epoch through :func:`report_epoch`, which
prints a line when the estimator's ``verbose`` is set and logs to the
``statnorm.<method>`` logger (progress callbacks plug in here).
"""

from __future__ import annotations

import logging

import numpy as np

__all__ = ["Adam", "report_epoch"]


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
