"""Baseline recalibrators with the HCalibrator API (logits in, probabilities out)."""

import warnings
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.isotonic import IsotonicRegression

from .._validation import Interval, StrOptions, fit_context
from ._base import BaseCalibrator, check_sample_weight

__all__ = [
    "HistogramBinning",
    "IsotonicCalibrator",
    "MatrixScaling",
    "TemperatureScaling",
    "VectorScaling",
]

_INPUT = [StrOptions({"logits", "probabilities"})]


def _nll_grad_logits(U, y, w):
    """Weighted mean NLL of softmax(U) and its gradient with respect to U.

    ``w`` sums to 1.
    """
    n = len(y)
    L = log_softmax(U, axis=1)
    nll = -np.dot(w, L[np.arange(n), y])
    G = np.exp(L)
    G[np.arange(n), y] -= 1.0
    return nll, G * w[:, None]


def _ts_newton(Zc, zyc, b, w):
    """Minimise the weighted mean NLL of softmax(b * Zc) over b > 0 (convex).

    ``w`` sums to 1.
    """

    from ._kernels import ts_moments

    Zc = np.ascontiguousarray(Zc, dtype=np.float64)
    zyc = np.ascontiguousarray(zyc, dtype=np.float64)
    w = np.ascontiguousarray(w, dtype=np.float64)

    def moments(b):  # NLL'(b) and NLL''(b), one pass over the rows
        return ts_moments(Zc, zyc, w, float(b))

    lo, hi = 1e-6, 1e6
    for _ in range(200):
        d1, d2 = moments(b)
        if d1 > 0:
            hi = b
        else:
            lo = b
        step = b - d1 / d2 if d2 > 0 else np.nan
        if abs(step - b) <= 1e-12 * b:  # converged (the step may sit on lo/hi)
            return step
        new = step if lo < step < hi else np.sqrt(lo * hi)
        if abs(new - b) <= 1e-12 * b or hi <= lo * (1 + 1e-12):
            return new
        b = new
    return b


class TemperatureScaling(BaseCalibrator):
    """Temperature scaling (Guo et al. 2017): ``softmax(z / T)``.

    ``T`` minimises the mean negative log-likelihood on the calibration set.
    The NLL is convex in ``b = 1 / T``; its minimiser is found by Newton's
    method with the exact second derivative (the softmax variance of the
    logits), safeguarded by a bisection bracket, to relative precision 1e-12:
    no learning rate or iteration budget to tune.

    Parameters
    ----------
    input : {"logits", "probabilities"}, default="logits"
        What ``X`` holds.

    Attributes
    ----------
    temperature_ : float
        Fitted temperature.
    classes_ : ndarray of shape (n_classes,)
        ``arange(n_classes)``.
    n_features_in_ : int
        Number of classes.

    Examples
    --------
    >>> from statnorm.calibration import TemperatureScaling
    >>> from statnorm.datasets import load_cifar10_logits
    >>> X, y = load_cifar10_logits("validation", return_X_y=True)
    >>> round(TemperatureScaling().fit(X, y).temperature_, 3)
    2.883
    """

    _parameter_constraints: ClassVar[dict] = {"input": _INPUT}
    _binary_scores = True

    def __init__(self, input="logits"):
        self.input = input

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the temperature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes) or (n_samples,)
            Logits; a 1-D binary score ``s`` is read as the logits ``(0, s)``.
        y : array-like of shape (n_samples,)
            Labels in ``0..n_classes-1``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the weighted mean NLL (integer weights are the same as
            repeated rows).

        Returns
        -------
        self : TemperatureScaling
        """
        Z, y, fitted = self._check_fit_data(X, y)
        n = len(y)
        w = check_sample_weight(sample_weight, n)

        Zc = Z - Z.max(axis=1, keepdims=True)  # <= 0, one zero per row
        zyc = Zc[np.arange(n), y]
        b = 1.0
        # Newton on a deterministic subset gives the start, then on every row
        for rows in (slice(0, min(n, 2000)), slice(None)):
            wr = w[rows]
            if wr.sum() > 0:
                b = _ts_newton(Zc[rows], zyc[rows], b, wr / wr.sum())
        logb = np.log(b)
        return self._store_fit(fitted, temperature_=float(np.exp(-logb)))

    def predict_proba(self, X):
        """Calibrated probabilities ``softmax(X / T)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes)
            Logits.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        Z = self._validate_predict(X)
        return softmax(Z / self.temperature_, axis=1)


class _LBFGSScaling(BaseCalibrator):
    _binary_scores = True

    def _fit_lbfgs(self, Z, y, x0, unpack, penalty, w):
        def f(theta):
            A, b = unpack(theta)
            U = Z @ A.T + b if A.ndim == 2 else Z * A + b
            nll, G = _nll_grad_logits(U, y, w)
            gA = G.T @ Z if A.ndim == 2 else np.sum(G * Z, axis=0)
            gb = G.sum(axis=0)
            pen, pA, pb = penalty(A, b)
            return nll + pen, np.concatenate(((gA + pA).ravel(), gb + pb))

        res = minimize(
            f,
            x0,
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": self.max_iter, "gtol": 1e-10, "ftol": 1e-14},
        )
        return (*unpack(res.x), int(res.nit))


class VectorScaling(_LBFGSScaling):
    """Vector scaling (Guo et al. 2017): ``softmax(a * z + b)`` per class.

    Fitted by L-BFGS on the mean NLL with analytic gradients, starting from
    ``a = 1, b = 0``. Note that a class-wise scale can change the arg-max.

    Parameters
    ----------
    max_iter : int, default=500
        L-BFGS iterations.
    input : {"logits", "probabilities"}, default="logits"
        What ``X`` holds.

    Attributes
    ----------
    coef_ : ndarray of shape (n_classes,)
        Scales ``a``.
    intercept_ : ndarray of shape (n_classes,)
        Offsets ``b``.

    Examples
    --------
    >>> from statnorm.calibration import VectorScaling
    >>> from statnorm.datasets import load_cifar10_logits
    >>> X, y = load_cifar10_logits("validation", return_X_y=True)
    >>> VectorScaling().fit(X, y).coef_.shape
    (10,)
    """

    _parameter_constraints: ClassVar[dict] = {
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "input": _INPUT,
    }

    def __init__(self, max_iter=500, *, input="logits"):
        self.max_iter = max_iter
        self.input = input

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit scales and offsets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes) or (n_samples,)
            Logits; a 1-D binary score ``s`` is read as the logits ``(0, s)``.
        y : array-like of shape (n_samples,)
            Labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the weighted mean NLL.

        Returns
        -------
        self : VectorScaling
        """
        Z, y, fitted = self._check_fit_data(X, y)
        C = Z.shape[1]
        w = check_sample_weight(sample_weight, len(y))

        def unpack(t):
            return t[:C], t[C:]

        def penalty(A, b):
            return 0.0, np.zeros(C), np.zeros(C)

        coef, intercept, n_iter = self._fit_lbfgs(
            Z, y, np.r_[np.ones(C), np.zeros(C)], unpack, penalty, w / w.sum()
        )
        return self._store_fit(
            fitted, coef_=coef, intercept_=intercept, n_iter_=n_iter
        )

    def predict_proba(self, X):
        """Calibrated probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes)
            Logits.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        Z = self._validate_predict(X)
        return softmax(Z * self.coef_ + self.intercept_, axis=1)


class MatrixScaling(_LBFGSScaling):
    """Matrix scaling / Dirichlet calibration with ODIR regularisation.

    ``softmax(W log p + b)`` with ``log p`` the log-softmax of the logits
    (Kull et al. 2019). The objective is the mean NLL plus the off-diagonal
    and intercept penalty
    ``reg_lambda / (C (C-1)) sum_{i != j} W_ij^2 + reg_mu / C sum_j b_j^2``.
    With both penalties at 0 this is plain matrix scaling (prone to
    over-fitting on small calibration sets); tune them with ``GridSearchCV``.

    Parameters
    ----------
    reg_lambda : float, default=0.0
        Off-diagonal penalty.
    reg_mu : float, default=0.0
        Intercept penalty.
    max_iter : int, default=1000
        L-BFGS iterations (on standardised columns; a ``ConvergenceWarning``
        says when they run out).
    input : {"logits", "probabilities"}, default="logits"
        What ``X`` holds.

    Attributes
    ----------
    coef_ : ndarray of shape (n_classes, n_classes)
        ``W``.
    intercept_ : ndarray of shape (n_classes,)
        ``b``.

    Examples
    --------
    >>> from statnorm.calibration import MatrixScaling
    >>> from statnorm.datasets import load_cifar10_logits
    >>> X, y = load_cifar10_logits("validation", return_X_y=True)
    >>> MatrixScaling(reg_lambda=1e-2, reg_mu=1e-2).fit(X, y).coef_.shape
    (10, 10)
    """

    _parameter_constraints: ClassVar[dict] = {
        "reg_lambda": [Interval(Real, 0, None, closed="left")],
        "reg_mu": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "input": _INPUT,
    }

    def __init__(self, reg_lambda=0.0, *, reg_mu=0.0, max_iter=1000, input="logits"):
        self.reg_lambda = reg_lambda
        self.reg_mu = reg_mu
        self.max_iter = max_iter
        self.input = input

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit ``W`` and ``b``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes) or (n_samples,)
            Logits; a 1-D binary score ``s`` is read as the logits ``(0, s)``.
        y : array-like of shape (n_samples,)
            Labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the weighted mean NLL (the penalty is unchanged).

        Returns
        -------
        self : MatrixScaling
        """
        Z, y, fitted = self._check_fit_data(X, y)
        w = check_sample_weight(sample_weight, len(y))
        return self._fit(Z, y, w, fitted=fitted)

    def _fit(self, Z, y, w, init=None, fitted=None):
        """Fit on validated log-softmax ``Z``; ``init``: a start ``(W, b)``;
        ``fitted``: the attributes of :meth:`_check_fit_data` (defaults to
        those of ``Z``), stored with the result at the end.

        The problem is convex, so a start changes no optimum, only the number
        of iterations (``MatrixScalingCV`` starts each penalty of a path at
        the previous penalty's solution).
        """
        if fitted is None:
            C0 = Z.shape[1]
            fitted = {"n_features_in_": C0, "classes_": np.arange(C0)}
        n, C = Z.shape
        wn = w / w.sum()
        off = ~np.eye(C, dtype=bool)
        lam = self.reg_lambda / (C * (C - 1))
        mu = self.reg_mu / C
        # optimise on columns rescaled to unit variance (the log-softmax spans
        # tens of nats, which makes L-BFGS crawl); W = W' / s maps back and the
        # penalty is taken on the original W
        big = np.abs(Z).max(axis=0)
        big[big == 0] = 1.0
        sd = (Z / big).std(axis=0) * big  # no overflow for logits near 1e300
        sd[sd == 0] = 1.0
        Zs = Z / sd  # no centring: it would couple b with W in the penalty
        rows = np.arange(n)

        # start at W = I, b = 0; logits spanning more than 1e6 nats (e.g. scaled
        # by 1e200) start at W = I / scale instead, so that the first softmax is
        # not saturated (the problem is convex: the start changes no optimum)
        if init is None:
            span = float(np.abs(Zs * sd).max()) if Z.size else 0.0
            t0 = 1.0 if span < 1e6 else 1.0 / span
            W0p, b0 = np.diag(sd * t0), np.zeros(C)
        else:
            W0p, b0 = np.asarray(init[0]) * sd, np.asarray(init[1])
        # Jacobi preconditioning: L-BFGS runs on theta / sqrt(h), h the
        # diagonal of the Hessian at the start. The unpenalised diagonal of W
        # and the penalised rest differ in curvature by orders of magnitude at
        # many classes, where plain L-BFGS needs thousands of iterations.
        Q = softmax(Zs @ W0p.T + b0, axis=1)
        Q *= 1.0 - Q
        Q *= wn[:, None]
        h = np.concatenate(
            (
                (Q.T @ (Zs * Zs) + 2 * lam * off * (1.0 / sd) ** 2).ravel(),
                Q.sum(axis=0) + 2 * mu,
            )
        )
        h = np.maximum(h, max(1e-10 * h.max(), 1e-300))
        s = 1.0 / np.sqrt(h)

        def f(u):
            t = u * s
            Wp, bp = t[: C * C].reshape(C, C), t[C * C :]
            U = Zs @ Wp.T + bp
            L = log_softmax(U, axis=1)
            G = np.exp(L)
            G[rows, y] -= 1.0
            G *= wn[:, None]
            gW, gb = G.T @ Zs, G.sum(axis=0)
            W = Wp / sd
            b = bp
            Wo = W * off
            pen = lam * np.sum(Wo**2) + mu * np.sum(b**2)
            gW = gW + 2 * lam * Wo / sd
            gb = gb + 2 * mu * b
            g = np.concatenate((gW.ravel(), gb)) * s
            return -np.dot(wn, L[rows, y]) + pen, g

        x0 = np.concatenate((W0p.ravel(), b0)) / s
        res = minimize(
            f,
            x0,
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": self.max_iter, "gtol": 1e-8, "ftol": 1e-10},
        )
        n_iter = int(res.nit)
        theta = res.x * s
        if not np.all(np.isfinite(theta)):
            raise ValueError(
                "MatrixScaling: the fit diverged (non-finite coefficients) on X; "
                "check X for extreme logits or rescale them."
            )
        Wp, bp = theta[: C * C].reshape(C, C), theta[C * C :]
        if n_iter >= self.max_iter:
            warnings.warn(
                f"MatrixScaling: L-BFGS stopped at max_iter={self.max_iter} before "
                "converging; increase max_iter.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return self._store_fit(fitted, coef_=Wp / sd, intercept_=bp, n_iter_=n_iter)

    def predict_proba(self, X):
        """Calibrated probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes)
            Logits.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        Z = self._validate_predict(X)
        return softmax(Z @ self.coef_.T + self.intercept_, axis=1)


class _OneVsRest(BaseCalibrator):
    _binary_scores = True

    def _renormalise(self, Q, P):
        s = Q.sum(axis=1, keepdims=True)
        bad = s[:, 0] <= 0
        Q = Q / np.where(s > 0, s, 1.0)
        Q[bad] = P[bad]
        return Q


class IsotonicCalibrator(_OneVsRest):
    """One-vs-rest isotonic regression on the softmax probabilities,
    renormalised (Zadrozny & Elkan 2002), as in ``CalibratedClassifierCV``.

    Rows whose calibrated scores are all 0 keep the uncalibrated softmax.
    May change the arg-max and give zero probabilities (infinite NLL).

    **Two classes** (scikit-learn's binary rule): one isotonic regression of
    ``y == 1`` on the binary score, and ``p_0 = 1 - p_1``. The binary score
    is the log-odds ``d = z_1 - z_0`` of the logits (a 1-D score ``s`` is the
    logits ``(0, s)``, so ``d = s``), or the probability ``p_1`` itself with
    ``input="probabilities"``. The fit interpolates linearly in that score,
    so any affine rescaling of ``d`` (e.g. scikit-learn's two-class logits
    ``(-s, s)``, ``d = 2s``) gives the same probabilities.

    Parameters
    ----------
    input : {"logits", "probabilities"}, default="logits"
        What ``X`` holds.

    Attributes
    ----------
    calibrators_ : list of IsotonicRegression
        One per class; one (of class 1) for two classes.

    Examples
    --------
    >>> from statnorm.calibration import IsotonicCalibrator
    >>> from statnorm.datasets import load_cifar10_logits
    >>> X, y = load_cifar10_logits("validation", return_X_y=True)
    >>> len(IsotonicCalibrator().fit(X, y).calibrators_)
    10
    """

    _parameter_constraints: ClassVar[dict] = {"input": _INPUT}

    def __init__(self, input="logits"):
        self.input = input

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit one isotonic regression per class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes) or (n_samples,)
            Logits; a 1-D binary score ``s`` is read as the logits ``(0, s)``.
        y : array-like of shape (n_samples,)
            Labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the weighted least-squares isotonic fits.

        Returns
        -------
        self : IsotonicCalibrator
        """
        Z, y, fitted = self._check_fit_data(X, y)
        w = check_sample_weight(sample_weight, len(y))
        F = self._scores_per_map(Z)
        calibrators = [
            IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(
                F[:, k], (y == k + (F.shape[1] == 1)).astype(float), sample_weight=w
            )
            for k in range(F.shape[1])
        ]
        return self._store_fit(fitted, calibrators_=calibrators)

    def _scores_per_map(self, Z):
        """One column per isotonic map: the binary score for two classes
        (log-odds, or ``p_1`` with ``input="probabilities"``), else the
        softmax probability of every class."""
        if Z.shape[1] == 2:
            if self.input == "probabilities":
                return np.exp(Z[:, 1:])
            return (Z[:, 1] - Z[:, 0])[:, None]
        return np.exp(Z)

    def predict_proba(self, X):
        """Calibrated, renormalised probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes)
            Logits.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        Z = self._validate_predict(X)
        F = self._scores_per_map(Z)
        Q = np.column_stack(
            [c.predict(F[:, k]) for k, c in enumerate(self.calibrators_)]
        )
        if Z.shape[1] == 2:
            return np.column_stack([1.0 - Q[:, 0], Q[:, 0]])
        return self._renormalise(Q, np.exp(Z))


class HistogramBinning(_OneVsRest):
    """One-vs-rest histogram binning (Zadrozny & Elkan 2001), renormalised.

    Each class's softmax probability is cut into ``n_bins`` equal-width bins;
    a bin predicts the frequency of the class among its calibration samples
    (an empty bin keeps its mid-point).

    **Zero probabilities.** Without smoothing (the method as defined), a
    bin in which the class never occurred predicts probability 0, and on
    ordinary data many do (the lowest bins of every class, bins holding a
    few samples): ``predict_proba`` then has exact zeros, ``transform`` and
    ``predict_log_proba`` return ``-inf`` there, and the NLL of a sample
    whose true class lands in such a bin is infinite. Set ``smoothing``
    (e.g. ``smoothing=2``) for finite log-probabilities: each bin then
    predicts the m-estimate ``(hits + m * base_rate) / (count + m)`` of the
    class frequency, which pulls small bins towards the class's base rate
    (its frequency in ``y``) and leaves well-filled bins nearly unchanged.

    Parameters
    ----------
    n_bins : int, default=15
        Bins per class.
    smoothing : float, default=0.0
        The ``m`` of the m-estimate above, in calibration samples (or units
        of ``sample_weight``); 0 gives the raw bin frequencies. With ``m >
        0`` an empty bin predicts the base rate and every probability of a
        class present in ``y`` is positive.
    input : {"logits", "probabilities"}, default="logits"
        What ``X`` holds.

    Attributes
    ----------
    bin_values_ : ndarray of shape (n_classes, n_bins)
        Calibrated value of every bin.

    Examples
    --------
    >>> from statnorm.calibration import HistogramBinning
    >>> from statnorm.datasets import load_cifar10_logits
    >>> X, y = load_cifar10_logits("validation", return_X_y=True)
    >>> HistogramBinning().fit(X, y).bin_values_.shape
    (10, 15)
    >>> import numpy as np
    >>> bool(np.isinf(HistogramBinning().fit(X, y).transform(X)).any())
    True
    >>> bool(np.isfinite(HistogramBinning(smoothing=2).fit(X, y).transform(X)).all())
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "smoothing": [Interval(Real, 0, None, closed="left")],
        "input": _INPUT,
    }

    def __init__(self, n_bins=15, *, smoothing=0.0, input="logits"):
        self.n_bins = n_bins
        self.smoothing = smoothing
        self.input = input

    def _bins(self, P):
        return np.clip(
            np.ceil(P * self.n_bins).astype(np.int64) - 1, 0, self.n_bins - 1
        )

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the bin frequencies.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes) or (n_samples,)
            Logits; a 1-D binary score ``s`` is read as the logits ``(0, s)``.
        y : array-like of shape (n_samples,)
            Labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights: a bin predicts the weighted frequency of the class (a bin
            of zero total weight keeps its mid-point, or predicts the weighted
            base rate with ``smoothing``).

        Returns
        -------
        self : HistogramBinning
        """
        Z, y, fitted = self._check_fit_data(X, y)
        w = check_sample_weight(sample_weight, len(y))
        P = np.exp(Z)
        B = self._bins(P)
        C = P.shape[1]
        mids = (np.arange(self.n_bins) + 0.5) / self.n_bins
        m = float(self.smoothing)
        if not np.isfinite(m):
            raise ValueError(
                f"smoothing must be a finite number of samples; got {self.smoothing!r}."
            )
        vals = np.empty((C, self.n_bins))
        for k in range(C):
            cnt = np.bincount(B[:, k], weights=w, minlength=self.n_bins)
            hit = np.bincount(B[:, k], weights=w * (y == k), minlength=self.n_bins)
            if m > 0:
                base = np.dot(w, y == k) / w.sum()
                vals[k] = (hit + m * base) / (cnt + m)
            else:
                vals[k] = np.where(cnt > 0, hit / np.maximum(cnt, 1), mids)
        return self._store_fit(fitted, bin_values_=vals)

    def predict_proba(self, X):
        """Calibrated, renormalised probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes)
            Logits.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        P = np.exp(self._validate_predict(X))
        B = self._bins(P)
        Q = self.bin_values_[np.arange(P.shape[1])[None, :], B]
        return self._renormalise(Q, P)
