"""Batch drift detection against a fixed reference set with the MMD test."""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._validation import RANDOM_STATE, check_2d, fit_context, validate_data
from ..results import TestResult
from ._stats import MMDTest

__all__ = ["MMDDriftDetector", "MMDDriftResult"]


@dataclass(frozen=True, repr=False)
class MMDDriftResult(TestResult):
    """Result of :meth:`MMDDriftDetector.predict`: one batch against the reference.

    ``stat, p = result`` unpacks it like every test result; :meth:`as_alibi`
    gives the dictionary layout of alibi-detect's ``MMDDrift.predict``.

    Attributes
    ----------
    statistic : float
        Unbiased MMD^2 between the reference and the batch (see
        :func:`statnorm.mmd.mmd2`); the same number as ``distance``.
    pvalue : float
        p-value of the test (:class:`MMDTest` with the detector's ``method``).
    is_drift : bool
        ``pvalue <= threshold``.
    p_val : float
        The p-value of the test (alibi-detect's name); equal to ``pvalue``.
    threshold : float
        The level of the test, the detector's ``p_val`` parameter.
    distance : float
        The MMD^2 statistic (alibi-detect's name); equal to ``statistic``.
    distance_threshold : float or None
        The ``(1 - threshold)`` quantile of the permutation null, taken as
        the element of rank ``floor(threshold * n_permutations)`` of the null
        sorted in decreasing order (as alibi-detect does); None with
        ``method="asymptotic"``. It shows how large a distance the null
        produces; ``is_drift`` is decided from the p-value.
    null_distribution : ndarray of shape (n_permutations,) or None
        The statistic on each permutation of the pooled sample.
    method : str
        ``"permutation"`` or ``"asymptotic"``.
    n_reference : int
        Rows of the reference set.
    n_samples : int
        Rows of the batch.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.mmd import MMDDriftDetector
    >>> rng = np.random.default_rng(0)
    >>> det = MMDDriftDetector(n_permutations=99, random_state=0)
    >>> res = det.fit(rng.normal(size=(100, 2))).predict(rng.normal(2, size=(30, 2)))
    >>> res.as_alibi()["data"]["is_drift"]
    1
    """

    is_drift: bool
    p_val: float = None
    threshold: float = None
    distance: float = None
    distance_threshold: float = None
    null_distribution: np.ndarray = None
    method: str = "permutation"
    n_reference: int = None
    n_samples: int = None

    def as_alibi(self):
        """Return the result in alibi-detect's ``MMDDrift.predict`` layout.

        Returns
        -------
        out : dict
            ``{"meta": {...}, "data": {"is_drift": int, "distance": float,
            "p_val": float, "threshold": float, "distance_threshold": float}}``;
            ``distance_threshold`` is left out with ``method="asymptotic"``.

        Examples
        --------
        >>> import numpy as np
        >>> from statnorm.mmd import MMDDriftDetector
        >>> rng = np.random.default_rng(0)
        >>> det = MMDDriftDetector(n_permutations=99, random_state=0)
        >>> out = det.fit(rng.normal(size=(60, 2))).predict(rng.normal(size=(30, 2)))
        >>> sorted(out.as_alibi()["data"])
        ['distance', 'distance_threshold', 'is_drift', 'p_val', 'threshold']
        """
        from .. import __version__

        data = {
            "is_drift": int(self.is_drift),
            "distance": float(self.distance),
            "p_val": float(self.p_val),
            "threshold": float(self.threshold),
        }
        if self.distance_threshold is not None:
            data["distance_threshold"] = float(self.distance_threshold)
        meta = {
            "name": "MMDDriftDetector",
            "detector_type": "drift",
            "online": False,
            "data_type": None,
            "backend": "statnorm",
            "version": __version__,
        }
        return {"meta": meta, "data": data}


class MMDDriftDetector(BaseEstimator):
    """Detect distribution drift of data batches with the MMD two-sample test.

    ``fit`` stores a reference set; each ``predict(X)`` tests ``H0: the batch
    comes from the reference distribution`` with :class:`MMDTest` (the
    unbiased MMD^2 statistic and its permutation or Gamma-approximation
    p-value, Gretton et al. 2012) and flags drift when the p-value is at most
    ``p_val``. This is the workflow of alibi-detect's ``MMDDrift``
    (``predict`` gives a :class:`MMDDriftResult`, whose
    :meth:`~MMDDriftResult.as_alibi` returns alibi-detect's dictionary).
    Each call runs one test; over many batches the rate of false alarms is
    ``p_val`` per batch, not over the whole stream (no multiplicity
    correction).

    Parameters
    ----------
    p_val : float, default=0.05
        Level of each test, in (0, 1): drift is flagged when the p-value is
        at most ``p_val``.
    kernel : str, float, GaussianKernel, DeepKernel or callable, default="gaussian"
        Kernel of :class:`MMDTest`; ``"gaussian"`` uses the median heuristic
        on the pooled reference and batch, recomputed for every batch.
    method : {"permutation", "asymptotic"}, default="permutation"
        p-value of :class:`MMDTest`: permutations (valid at every size) or
        the Gamma approximation (no permutations, an approximation for large
        samples).
    n_permutations : int, default=999
        Permutations per batch (``method="permutation"``).
    preprocess_fn : callable or None, default=None
        Applied to a copy of the reference in ``fit`` and of every batch in
        ``predict`` (e.g. an embedding model, or ``KernelLearner.transform``);
        must return a 2-D array with the same number of columns for both.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed of the permutations. With an int every ``predict`` uses the same
        seed, so the same batch always gives the same p-value and result
        equals ``MMDTest(random_state=seed).test(X_ref_, batch)``; different
        batches then share the permutation seed (their null distributions
        still differ, being computed on different data). A ``RandomState``
        or ``Generator`` gives each call fresh permutations.

    Attributes
    ----------
    X_ref_ : ndarray of shape (n_reference, n_ref_features)
        Copy of the reference set, after ``preprocess_fn``.
    n_features_in_ : int
        Number of features of the reference passed to ``fit`` (before
        ``preprocess_fn``).

    See Also
    --------
    MMDTest : The two-sample test run on each batch.
    MMDDetector : Scores single instances rather than batches.

    Notes
    -----
    The permutation p-value is :class:`MMDTest`'s
    ``(1 + #{null >= statistic}) / (n_permutations + 1)`` and drift is flagged
    when it is at most ``p_val``, so the false-alarm rate per batch is at most
    ``p_val`` (alibi-detect leaves the ``1 +`` out and compares with ``<``);
    the simulated size and power are on the method page (:doc:`/methods/mmd`).

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.mmd import MMDDriftDetector
    >>> rng = np.random.default_rng(0)
    >>> det = MMDDriftDetector(p_val=0.05, n_permutations=199, random_state=0)
    >>> det = det.fit(rng.normal(size=(200, 3)))
    >>> det.predict(rng.normal(size=(50, 3))).is_drift
    False
    >>> res = det.predict(rng.normal(1.0, size=(50, 3)))
    >>> res.is_drift, res.p_val
    (True, 0.005)
    """

    _parameter_constraints = {  # noqa: RUF012 (sklearn convention)
        "p_val": [Interval(Real, 0, 1, closed="neither")],
        "kernel": "no_validation",
        "method": [StrOptions({"permutation", "asymptotic"})],
        "n_permutations": [Interval(Integral, 1, None, closed="left")],
        "preprocess_fn": [callable, None],
        "random_state": RANDOM_STATE,
    }

    def __init__(
        self,
        *,
        p_val=0.05,
        kernel="gaussian",
        method="permutation",
        n_permutations=999,
        preprocess_fn=None,
        random_state=None,
    ):
        self.p_val = p_val
        self.kernel = kernel
        self.method = method
        self.n_permutations = n_permutations
        self.preprocess_fn = preprocess_fn
        self.random_state = random_state

    def _preprocess(self, X, name):
        if self.preprocess_fn is None:
            return X
        out = self.preprocess_fn(X.copy())
        return check_2d(out, name=f"preprocess_fn({name})", min_samples=2)

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Store the reference set.

        Parameters
        ----------
        X : array-like of shape (n_reference, n_features)
            Reference rows (at least 2), drawn from the distribution batches
            are compared with.
        y : None
            Ignored.

        Returns
        -------
        self : MMDDriftDetector
            The fitted detector.
        """
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2, copy=True)
        X_ref = self._preprocess(X, "X")
        self.X_ref_ = X_ref
        return self

    def _engine(self):
        return MMDTest(
            self.kernel,
            method=self.method,
            n_permutations=self.n_permutations,
            random_state=self.random_state,
        )

    def predict(self, X):
        """Test one batch against the reference.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The batch, at least 2 rows.

        Returns
        -------
        result : MMDDriftResult
            ``is_drift``, ``p_val``, ``threshold``, ``distance`` (MMD^2),
            ``distance_threshold`` and the null distribution.
        """
        check_is_fitted(self)
        self._validate_params()
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2, reset=False)
        Y = self._preprocess(X, "X")
        if Y.shape[1] != self.X_ref_.shape[1]:
            raise ValueError(
                f"preprocess_fn(X) has {Y.shape[1]} feature(s) but the "
                f"preprocessed reference has {self.X_ref_.shape[1]}; preprocess_fn "
                "must map the reference and the batches to the same columns."
            )
        res = self._engine().test(self.X_ref_, Y)
        level = float(self.p_val)
        null = res.null_distribution
        dist_thr = None
        if null is not None:
            # rank floor(level * P) of the decreasing null: its (1 - level) quantile
            dist_thr = float(np.sort(null)[::-1][int(level * null.shape[0])])
        p = float(res.pvalue)
        stat = float(res.statistic)
        return MMDDriftResult(
            statistic=stat,
            pvalue=p,
            is_drift=bool(p <= level),
            p_val=p,
            threshold=level,
            distance=stat,
            distance_threshold=dist_thr,
            null_distribution=null,
            method=self.method,
            n_reference=int(self.X_ref_.shape[0]),
            n_samples=int(Y.shape[0]),
        )
