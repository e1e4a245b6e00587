"""Dirichlet calibration (ODIR) with the penalty chosen by cross-validation."""

import time
import warnings
from numbers import Integral
from typing import ClassVar

import numpy as np
from scipy.special import log_softmax, softmax
from scipy.stats import rankdata
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils.parallel import Parallel, delayed

from .._validation import RANDOM_STATE, Interval, StrOptions, check_random_state
from .._validation import fit_context
from ._base import BaseCalibrator, check_sample_weight
from ._baselines import MatrixScaling

__all__ = ["MatrixScalingCV"]

_INPUT = [StrOptions({"logits", "probabilities"})]

#: Default ``reg_lambdas`` divided by ``C (C - 1)``: one value per decade.
_DEFAULT_GRID = np.logspace(-1, 3, 5)


def _check_grid(values, name):
    """A non-empty 1-D array of distinct, finite, non-negative penalties."""
    try:
        a = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be a 1-D array of non-negative penalties; got {values!r}."
        ) from exc
    if a.dtype.kind not in "iuf" or a.dtype == object:
        raise TypeError(
            f"{name} must hold real numbers (the penalties to try); got dtype "
            f"{a.dtype}."
        )
    if a.ndim != 1:
        raise ValueError(
            f"{name} must be a 1-D array of penalties; got shape {a.shape}."
        )
    if a.size == 0:
        raise ValueError(f"{name} must hold at least one penalty; got an empty array.")
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite; got {a.tolist()}.")
    if np.any(a < 0):
        raise ValueError(f"{name} must be non-negative; got {a.tolist()}.")
    if np.unique(a).size != a.size:
        raise ValueError(f"{name} must not repeat a value; got {a.tolist()}.")
    return a


def _fold_path(Z, y, w, train, test, lams, mus, order, max_iter, scorer):
    """Fit every (lambda, mu) pair on one fold, along the penalty path.

    ``order`` lists candidate indices from the largest penalty down; each fit
    starts at the solution of its neighbour on the path (the previous lambda
    at the same mu, else the previous mu at the same lambda, else the previous
    fit), which changes no optimum of the convex problem, only the iterations
    needed.
    """
    n_cand = len(lams)
    C = Z.shape[1]
    score = np.empty(n_cand)
    fit_time = np.empty(n_cand)
    score_time = np.empty(n_cand)
    n_iter = np.empty(n_cand, dtype=np.int64)
    Ztr, ytr, wtr = Z[train], y[train], w[train]
    Zte, yte, wte = Z[test], y[test], w[test]
    if wte.sum() <= 0:
        wte = np.ones_like(wte)
    solved = {}
    for k in order:
        lam, mu = lams[k], mus[k]
        init = solved.get(("lam", mu), solved.get(("mu", lam), solved.get("last")))
        est = MatrixScaling(lam, reg_mu=mu, max_iter=max_iter)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est._fit(Ztr, ytr, wtr, init=init)
        fit_time[k] = time.perf_counter() - t0
        n_iter[k] = est.n_iter_
        sol = (est.coef_, est.intercept_)
        solved[("lam", mu)] = sol
        solved[("mu", lam)] = sol
        solved["last"] = sol
        t0 = time.perf_counter()
        if scorer is None:
            L = log_softmax(Zte @ est.coef_.T + est.intercept_, axis=1)
            score[k] = np.dot(wte, L[np.arange(len(yte)), yte]) / wte.sum()
        else:
            est.n_features_in_ = C
            est.classes_ = np.arange(C)
            score[k] = scorer(est, Zte, yte)
        score_time[k] = time.perf_counter() - t0
    return score, fit_time, score_time, n_iter


class MatrixScalingCV(BaseCalibrator):
    """Dirichlet calibration (ODIR) with the penalty chosen by cross-validation.

    :class:`MatrixScaling` with ``reg_lambda`` (off-diagonal penalty) and
    ``reg_mu`` (intercept penalty) chosen from a grid by the mean held-out
    score over the folds of ``cv``, as Kull et al. (NeurIPS 2019) choose them,
    then refitted on every row. By default ``reg_mu`` is tied to
    ``reg_lambda`` and the score is the held-out log-likelihood (minus the
    NLL). On each fold the penalties are fitted from the largest down, each
    fit starting at the previous solution (the problem is convex, so this
    changes no optimum, only the number of L-BFGS iterations).

    Parameters
    ----------
    reg_lambdas : array-like of shape (n_lambdas,), default=None
        Off-diagonal penalties to try (distinct, finite, >= 0). The penalty
        is divided by ``C (C - 1)`` (``C`` classes) as in the paper, so the
        useful values grow with ``C``; None: ``C (C - 1)`` times
        ``np.logspace(-1, 3, 5)``, i.e. 9 to 9e4 at 10 classes and 990 to
        9.9e6 at 100 (weaker penalties over-fit at 100 classes and are the
        slowest to fit).
    reg_mus : array-like of shape (n_mus,), default=None
        Intercept penalties. None: ``reg_mu = reg_lambda`` for every
        candidate. An array: every pair of ``reg_lambdas`` x ``reg_mus`` is
        tried.
    cv : int, cross-validation generator or iterable, default=5
        An int: that many stratified folds, shuffled with ``random_state``.
        Otherwise a splitter or an iterable of ``(train, test)`` index arrays
        (see :func:`sklearn.model_selection.check_cv`).
    scoring : str, callable or None, default=None
        Held-out score to maximise. None: the (sample-weighted) mean
        log-likelihood, i.e. minus the NLL. A scikit-learn scorer name (e.g.
        ``"neg_brier_score"``) or a callable ``scorer(estimator, X, y)``; it
        receives a fitted :class:`MatrixScaling` and the held-out
        log-softmax of the rows as logits.
    max_iter : int, default=1000
        L-BFGS iterations of every fit.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib, threads by default); the results do
        not depend on it.
    random_state : int, RandomState, Generator or None, default=None
        Shuffles the folds when ``cv`` is an int: an int ``s`` gives the
        folds of ``StratifiedKFold(cv, shuffle=True, random_state=s)``.
    input : {"logits", "probabilities"}, default="logits"
        What ``X`` holds.

    Attributes
    ----------
    reg_lambda_ : float
        Chosen off-diagonal penalty.
    reg_mu_ : float
        Chosen intercept penalty.
    best_estimator_ : MatrixScaling
        ``MatrixScaling(reg_lambda_, reg_mu=reg_mu_)`` fitted on every row.
    coef_ : ndarray of shape (n_classes, n_classes)
        ``W`` of ``best_estimator_``.
    intercept_ : ndarray of shape (n_classes,)
        ``b`` of ``best_estimator_``.
    best_index_ : int
        Index of the chosen candidate in ``cv_results_``.
    best_score_ : float
        Its mean held-out score.
    cv_results_ : dict of ndarray
        As :class:`sklearn.model_selection.GridSearchCV`'s: ``params``,
        ``param_reg_lambda``, ``param_reg_mu``, ``split<k>_test_score``,
        ``mean_test_score``, ``std_test_score``, ``rank_test_score``,
        ``mean_fit_time``, ``std_fit_time``, ``mean_score_time``,
        ``std_score_time``, and ``mean_n_iter`` (L-BFGS iterations).
    n_splits_ : int
        Number of folds.
    n_iter_ : int
        L-BFGS iterations of the refit.
    classes_ : ndarray of shape (n_classes,)
        ``arange(n_classes)``.
    n_features_in_ : int
        Number of classes.

    See Also
    --------
    MatrixScaling : the calibrator with fixed penalties.
    TemperatureScaling : one parameter; the baseline to beat.

    Notes
    -----
    The highest mean score wins; ties go to the largest penalty. A
    ``ConvergenceWarning`` is raised when a fold fit at the chosen penalty
    stopped at ``max_iter`` (fits at other penalties are recorded in
    ``cv_results_["mean_n_iter"]``).

    Examples
    --------
    >>> from statnorm.calibration import MatrixScalingCV
    >>> from statnorm.datasets import load_cifar10_logits
    >>> X, y = load_cifar10_logits("validation", return_X_y=True)
    >>> cal = MatrixScalingCV(reg_lambdas=[1e-2, 1.0, 1e2], cv=3, random_state=0)
    >>> cal.fit(X, y).reg_lambda_
    100.0
    >>> cal.cv_results_["rank_test_score"]
    array([3, 2, 1], dtype=int32)
    >>> cal.predict_proba(X[:2]).shape
    (2, 10)
    """

    _parameter_constraints: ClassVar[dict] = {
        "reg_lambdas": ["array-like", None],
        "reg_mus": ["array-like", None],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": RANDOM_STATE,
        "input": _INPUT,
    }
    _binary_scores = True

    def __init__(
        self,
        reg_lambdas=None,
        *,
        reg_mus=None,
        cv=5,
        scoring=None,
        max_iter=1000,
        n_jobs=None,
        random_state=None,
        input="logits",
    ):
        self.reg_lambdas = reg_lambdas
        self.reg_mus = reg_mus
        self.cv = cv
        self.scoring = scoring
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.input = input

    def _candidates(self, n_classes):
        if self.reg_lambdas is None:
            lam = n_classes * (n_classes - 1) * _DEFAULT_GRID
        else:
            lam = _check_grid(self.reg_lambdas, "reg_lambdas")
        if self.reg_mus is None:
            return lam, lam.copy()
        mu = _check_grid(self.reg_mus, "reg_mus")
        return np.repeat(lam, mu.size), np.tile(mu, lam.size)

    def _folds(self, Z, y):
        if isinstance(self.cv, Integral):
            seed = self.random_state
            if not (seed is None or isinstance(seed, Integral)):
                seed = check_random_state(seed).randint(2**31 - 1)
            cv = StratifiedKFold(int(self.cv), shuffle=True, random_state=seed)
        else:
            cv = check_cv(self.cv, y, classifier=True)
        folds = list(cv.split(Z, y))
        for k, (train, test) in enumerate(folds):
            if len(train) == 0 or len(test) == 0:
                raise ValueError(f"cv: fold {k} has an empty train or test part.")
        return folds

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Choose the penalties by cross-validation, then refit on every row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_classes) or (n_samples,)
            Logits; a 1-D binary score ``s`` is read as the logits ``(0, s)``.
        y : array-like of shape (n_samples,)
            Labels in ``0..n_classes-1``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of every fit's mean NLL and of the default held-out score.

        Returns
        -------
        self : MatrixScalingCV
        """
        if self.reg_lambdas is not None:
            _check_grid(self.reg_lambdas, "reg_lambdas")
        if self.reg_mus is not None:
            _check_grid(self.reg_mus, "reg_mus")
        Z, y, fitted = self._check_fit_data(X, y)
        C = Z.shape[1]
        lams, mus = self._candidates(C)
        w = check_sample_weight(sample_weight, len(y))
        scorer = None if self.scoring is None else check_scoring(self, self.scoring)
        folds = self._folds(Z, y)
        # largest lambda first, and within it the largest mu
        order = np.lexsort((-mus, -lams))
        # threads: the work is BLAS and NumPy ufuncs, which release the GIL
        out = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(_fold_path)(
                Z, y, w, train, test, lams, mus, order, self.max_iter, scorer
            )
            for train, test in folds
        )
        scores = np.array([o[0] for o in out])  # (n_splits, n_candidates)
        fit_t = np.array([o[1] for o in out])
        score_t = np.array([o[2] for o in out])
        iters = np.array([o[3] for o in out])

        mean = scores.mean(axis=0)
        if not np.any(np.isfinite(mean)):
            raise ValueError(
                "MatrixScalingCV: every candidate has a non-finite mean held-out "
                f"score ({self.scoring or 'log-likelihood'}); check scoring."
            )
        ranked = np.where(np.isfinite(mean), mean, -np.inf)
        best = np.flatnonzero(ranked == ranked.max())
        best = best[np.lexsort((mus[best], lams[best]))[-1]]  # ties: most penalised

        res = {
            "params": [
                {"reg_lambda": float(a), "reg_mu": float(b)}
                for a, b in zip(lams, mus, strict=True)
            ],
            "param_reg_lambda": lams.copy(),
            "param_reg_mu": mus.copy(),
        }
        for k in range(len(folds)):
            res[f"split{k}_test_score"] = scores[k]
        # equal scores share the better rank, as in GridSearchCV
        rank = rankdata(-ranked, method="min").astype(np.int32)
        res.update(
            mean_test_score=mean,
            std_test_score=scores.std(axis=0),
            rank_test_score=rank,
            mean_fit_time=fit_t.mean(axis=0),
            std_fit_time=fit_t.std(axis=0),
            mean_score_time=score_t.mean(axis=0),
            std_score_time=score_t.std(axis=0),
            mean_n_iter=iters.mean(axis=0),
        )
        reg_lambda, reg_mu = float(lams[best]), float(mus[best])
        if np.any(iters[:, best] >= self.max_iter):
            warnings.warn(
                f"MatrixScalingCV: at the chosen penalty (reg_lambda="
                f"{reg_lambda:g}, reg_mu={reg_mu:g}) a fold fit "
                f"stopped at max_iter={self.max_iter} before converging; "
                "increase max_iter.",
                ConvergenceWarning,
                stacklevel=2,
            )

        best_estimator = MatrixScaling(
            reg_lambda, reg_mu=reg_mu, max_iter=self.max_iter, input=self.input
        )._fit(Z, y, w)
        # every fitted attribute in one assignment, at the end
        return self._store_fit(
            fitted,
            cv_results_=res,
            n_splits_=len(folds),
            best_index_=int(best),
            best_score_=float(mean[best]),
            reg_lambda_=reg_lambda,
            reg_mu_=reg_mu,
            best_estimator_=best_estimator,
            coef_=best_estimator.coef_,
            intercept_=best_estimator.intercept_,
            n_iter_=best_estimator.n_iter_,
        )

    def predict_proba(self, X):
        """Calibrated probabilities of the refitted :class:`MatrixScaling`.

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
