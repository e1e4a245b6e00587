"""Parametric binary calibration maps: Platt's sigmoid and Beta calibration."""

import warnings
from typing import ClassVar

import numpy as np
from scipy.special import expit, log_expit, logsumexp
from sklearn.exceptions import ConvergenceWarning

from .._validation import StrOptions, check_2d, fit_context
from ._base import BaseCalibrator, check_sample_weight

__all__ = ["BetaCalibration", "SigmoidCalibration"]

_INPUT = [StrOptions({"logits", "probabilities"})]


def _logistic_fit(F, t, w, beta0, *, max_iter=200):
    """Weighted logistic regression with (soft) targets by damped Newton.

    Minimises ``sum_i w_i [log(1 + exp(eta_i)) - t_i eta_i]`` with
    ``eta = F @ beta`` (the binomial log-loss of targets ``t`` in [0, 1]); the
    problem is convex, so Newton's method with a backtracking line search
    converges to the minimiser. Returns ``(beta, converged)``.
    """

    def loss(beta):
        eta = F @ beta
        return float(np.dot(w, -log_expit(-eta) - t * eta))

    beta = np.asarray(beta0, dtype=float)
    f = loss(beta)
    scale = float(w.sum())
    for _ in range(max_iter):
        p = expit(F @ beta)
        g = F.T @ (w * (p - t))
        if np.max(np.abs(g)) <= 1e-12 * scale:
            return beta, True
        H = (F * (w * p * (1 - p))[:, None]).T @ F
        H[np.diag_indices_from(H)] += 1e-12 * (np.trace(H) + 1e-300)
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, g, rcond=None)[0]
        lr = 1.0
        while lr > 1e-12:
            new = beta - lr * step
            fn = loss(new)
            if fn <= f:
                break
            lr *= 0.5
        else:
            return beta, True  # no decrease possible: at the minimiser up to rounding
        done = f - fn <= 1e-14 * f
        beta, f = new, fn
        if done:
            return beta, True
    return beta, False


def _ovr_normalise(Q):
    """One-vs-rest probabilities of each class, normalised as scikit-learn does.

    Two classes: ``Q`` holds the positive class only, ``(1 - q, q)``. More:
    rows divided by their sum; a row summing to 0 becomes uniform.
    """
    if Q.shape[1] == 1:
        q = Q[:, 0]
        return np.column_stack([1.0 - q, q])
    s = Q.sum(axis=1, keepdims=True)
    out = np.full_like(Q, 1.0 / Q.shape[1])
    np.divide(Q, s, out=out, where=s > 0)
    return out


class _BinaryMaps(BaseCalibrator):
    """One binary map for two classes, one per class (one-vs-rest) for more."""

    _binary_scores = True

    def _targets(self, y, C):
        if C == 2:
            return [(y == 1).astype(float)]
        return [(y == k).astype(float) for k in range(C)]

    def _warn_unconverged(self, ok):
        if not all(ok):
            warnings.warn(
                f"{type(self).__name__}: Newton's method did not converge for "
                f"{len(ok) - sum(ok)} of {len(ok)} maps; the classes may be "
                "separable by the scores (the maximum-likelihood slope is then "
                "infinite).",
                ConvergenceWarning,
                stacklevel=3,
            )


class SigmoidCalibration(_BinaryMaps):
    """Platt scaling: a logistic map of each class's score (Platt 1999).

    The calibrated probability of class ``k`` is ``expit(a_k f_k + b_k)``
    where ``f_k`` is the classifier's score of class ``k``. Two classes use
    one map of the margin ``f = X[:, 1] - X[:, 0]`` (a 1-D score ``s`` is the
    margin itself) and ``(1 - q, q)``; more classes use one map per class
    (one-vs-rest) on the raw column ``X[:, k]``, and the rows are normalised
    to sum to one, as scikit-learn's ``CalibratedClassifierCV(method=
    "sigmoid")`` does. ``a_k, b_k`` minimise the (weighted) log-loss against
    Platt's smoothed targets ``(N_+ + 1) / (N_+ + 2)`` and ``1 / (N_- + 2)``
    (``N`` are weighted counts), solved by Newton's method to machine
    precision.

    Unlike the softmax-based calibrators, the multi-class map reads the raw
    scores: adding a constant to every logit of a row changes the result
    (one-vs-rest on decision functions, as in scikit-learn).

    Parameters
    ----------
    input : {"logits", "probabilities"}, default="logits"
        What ``X`` holds: scores (decision functions or logits), or
        probabilities, whose columns (the probability of class 1 for two
        classes) are then the scores, as scikit-learn does with
        ``predict_proba``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_maps,)
        Slopes ``a`` (``n_maps`` is 1 for two classes, else ``n_classes``).
    intercept_ : ndarray of shape (n_maps,)
        Offsets ``b``.
    classes_ : ndarray of shape (n_classes,)
        ``arange(n_classes)``.
    n_features_in_ : int
        Number of classes.

    Examples
    --------
    >>> from statnorm.calibration import SigmoidCalibration
    >>> from statnorm.datasets import load_cifar10_logits
    >>> X, y = load_cifar10_logits("validation", return_X_y=True)
    >>> SigmoidCalibration().fit(X, y).predict_proba(X[:2]).shape
    (2, 10)
    """

    _parameter_constraints: ClassVar[dict] = {"input": _INPUT}

    def __init__(self, *, input="logits"):
        self.input = input

    def _features(self, X, C):
        """The score of each map: one column per map."""
        X = check_2d(self._as_2d(X, C), name="X")
        if C == 2:
            f = X[:, 1] if self.input == "probabilities" else X[:, 1] - X[:, 0]
            return f[:, None]
        return X

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit one logistic map (two classes) or one per class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes) or (n_samples,)
            Scores; a 1-D binary score ``s`` is read as the logits ``(0, s)``.
        y : array-like of shape (n_samples,)
            Labels in ``0..n_classes-1``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the log-loss and of Platt's target counts.

        Returns
        -------
        self : SigmoidCalibration
        """
        Z, y, fitted = self._check_fit_data(X, y)
        C = Z.shape[1]
        w = check_sample_weight(sample_weight, len(y))
        F = self._features(X, C)
        coef, inter, ok = [], [], []
        for k, t in enumerate(self._targets(y, C)):
            pos = t > 0
            n1, n0 = w[pos].sum(), w[~pos].sum()
            T = np.where(pos, (n1 + 1.0) / (n1 + 2.0), 1.0 / (n0 + 2.0))
            f = F[:, k]
            # on a unit scale (the map is equivariant), from the prior log-odds
            s = float(np.max(np.abs(f))) or 1.0
            D = np.column_stack([f / s, np.ones_like(f)])
            beta, conv = _logistic_fit(
                D, T, w, np.array([0.0, np.log((n1 + 1.0) / (n0 + 1.0))])
            )
            coef.append(beta[0] / s)
            inter.append(beta[1])
            ok.append(conv)
        self._warn_unconverged(ok)
        return self._store_fit(
            fitted, coef_=np.asarray(coef), intercept_=np.asarray(inter)
        )

    def predict_proba(self, X):
        """Calibrated probabilities (normalised over classes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes) or (n_samples,)
            Scores.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        self._validate_predict(X)
        F = self._features(X, self.n_features_in_)
        return _ovr_normalise(expit(F * self.coef_ + self.intercept_))


class BetaCalibration(_BinaryMaps):
    """Beta calibration (Kull, Silva Filho & Flach 2017), three parameters.

    For the probability ``s`` of a class (the softmax of the logits), the
    calibrated probability is ``expit(a ln s - b ln(1 - s) + c)`` with
    ``a, b >= 0``: the family of likelihood ratios of two Beta distributions,
    which contains the identity (``a = b = 1, c = 0``) and, unlike Platt
    scaling on probabilities, maps that are not sigmoids (inverse-S shapes).
    ``(a, b, c)`` maximise the (weighted) likelihood: a logistic regression on
    the features ``(ln s, -ln(1 - s))``; if the fitted ``a`` (else ``b``) is
    negative, it is fixed at 0 and the other two are refitted, as in the
    paper. Two classes use one map of the probability of class 1; more
    classes use one map per class (one-vs-rest), with rows normalised to sum
    to one.

    ``ln s`` and ``ln(1 - s)`` are computed from the log-softmax of the
    logits (no clipping), so scores of saturated softmaxes stay finite.

    Parameters
    ----------
    input : {"logits", "probabilities"}, default="logits"
        What ``X`` holds.

    Attributes
    ----------
    coef_ : ndarray of shape (n_maps, 2)
        ``(a, b)`` of each map (``n_maps`` is 1 for two classes, else
        ``n_classes``).
    intercept_ : ndarray of shape (n_maps,)
        ``c`` of each map.
    classes_ : ndarray of shape (n_classes,)
        ``arange(n_classes)``.
    n_features_in_ : int
        Number of classes.

    Examples
    --------
    >>> from statnorm.calibration import BetaCalibration
    >>> from statnorm.datasets import load_cifar10_logits
    >>> X, y = load_cifar10_logits("validation", return_X_y=True)
    >>> BetaCalibration().fit(X, y).coef_.shape
    (10, 2)
    """

    _parameter_constraints: ClassVar[dict] = {"input": _INPUT}

    def __init__(self, *, input="logits"):
        self.input = input

    @staticmethod
    def _features(L):
        """``(ln s_k, -ln(1 - s_k))`` of each map from the log-softmax ``L``."""
        C = L.shape[1]
        if C == 2:
            return [np.column_stack([L[:, 1], -L[:, 0]])]
        out = []
        for k in range(C):
            rest = logsumexp(np.delete(L, k, axis=1), axis=1)
            out.append(np.column_stack([L[:, k], -rest]))
        return out

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit one Beta map (two classes) or one per class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes) or (n_samples,)
            Logits; a 1-D binary score ``s`` is read as the logits ``(0, s)``.
        y : array-like of shape (n_samples,)
            Labels in ``0..n_classes-1``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the log-likelihood.

        Returns
        -------
        self : BetaCalibration
        """
        L, y, fitted = self._check_fit_data(X, y)
        C = L.shape[1]
        w = check_sample_weight(sample_weight, len(y))
        coef, inter, ok = [], [], []
        for Fk, t in zip(self._features(L), self._targets(y, C)):
            one = np.ones((len(t), 1))
            beta, conv = _logistic_fit(np.hstack([Fk, one]), t, w, np.zeros(3))
            ab = beta[:2].copy()
            if beta[0] < 0 or beta[1] < 0:  # fix the negative one at 0, refit
                keep = 1 if beta[0] < 0 else 0
                D = np.column_stack([Fk[:, keep], one[:, 0]])
                b2, conv = _logistic_fit(D, t, w, np.zeros(2))
                ab = np.zeros(2)
                ab[keep] = b2[0]
                beta = np.r_[ab, b2[1]]
            coef.append(ab)
            inter.append(beta[2])
            ok.append(conv)
        self._warn_unconverged(ok)
        return self._store_fit(
            fitted, coef_=np.asarray(coef), intercept_=np.asarray(inter)
        )

    def predict_proba(self, X):
        """Calibrated probabilities (normalised over classes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes) or (n_samples,)
            Logits.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        L = self._validate_predict(X)
        Q = np.column_stack(
            [
                expit(Fk @ ab + c)
                for Fk, ab, c in zip(self._features(L), self.coef_, self.intercept_)
            ]
        )
        return _ovr_normalise(Q)
