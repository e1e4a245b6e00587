"""Reference-independent partial correlations of compositions (Erb, 2020)."""

import warnings
from dataclasses import dataclass
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from scipy import linalg, special, stats
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._validation import Interval, StrOptions, check_2d, fit_context, validate_data
from ..exceptions import DataDimensionalityWarning
from ..results import Result, SummaryTable
from ._inference import _PcorInferenceMixin
from ._shrinkage import shrink_covariance
from ._transforms import _check_parts, _reject_non_arrays, multiplicative_replacement

__all__ = ["CompositionalPartialCorrelation", "PartialCorrelationEdges"]

_BLOCK_ELEMENTS = 1 << 21  # ~16 MB of float64 per block of rows


class _SymOperator:
    """A symmetric D x D matrix, dense or ``diag(d) + W diag(s) W^T``."""

    def __init__(self, dense=None, d=None, W=None, s=None, D=None):
        self.dense = dense
        self.D = dense.shape[0] if dense is not None else D
        self.d = np.zeros(self.D) if d is None and dense is None else d
        self.W = W
        self.s = s

    def diag(self):
        if self.dense is not None:
            return np.diag(self.dense).copy()
        out = self.d.copy()
        if self.W is not None:
            out += (self.W * self.W) @ self.s
        return out

    def block(self, i0, i1, j0=0):
        """Rows ``i0:i1``, columns ``j0:``."""
        if self.dense is not None:
            return self.dense[i0:i1, j0:].copy()
        if self.W is not None:
            out = (self.W[i0:i1] * self.s) @ self.W[j0:].T
        else:
            out = np.zeros((i1 - i0, self.D - j0))
        idx = np.arange(max(i0, j0), i1)
        out[idx - i0, idx - j0] += self.d[idx]
        return out

    def full(self):
        return self.block(0, self.D)


def _pinv_from_factor(F):
    """Moore-Penrose inverse of ``F.T @ F`` from the thin SVD of ``F`` (m x D).

    The SVD is taken through the smaller Gram matrix: for m <= D,
    ``F F^T = U diag(s^2) U^T`` (one m x m symmetric eigendecomposition,
    O(m^2 D) for the product) and ``(F^T F)^+ = W W^T`` with
    ``W = F^T U diag(1/s^2)``; for m > D, the eigendecomposition of
    ``F^T F`` itself. Eigenvalues below ``max(m, D) * eps * largest`` count as
    zero (singular values below ``sqrt(max(m, D) * eps)`` times the largest).
    """
    m, D = F.shape
    small_side = m <= D
    K = F @ F.T if small_side else F.T @ F
    lam, U = linalg.eigh((K + K.T) / 2, check_finite=False, driver="evd")
    tol = max(lam.max(initial=0.0), 0.0) * max(m, D) * np.finfo(float).eps
    keep = lam > tol
    Uk, lk = U[:, keep], lam[keep]
    W = (F.T @ Uk) / lk if small_side else Uk / np.sqrt(lk)
    return _SymOperator(W=W, s=np.ones(W.shape[1]), D=D), int(keep.sum())


def _cholesky_or_none(A):
    """Cholesky factor of ``A`` if it is numerically positive definite."""
    try:
        c = linalg.cho_factor(A, lower=True, check_finite=False)
    except linalg.LinAlgError:
        return None
    dg = np.abs(np.diag(c[0]))
    if dg.min() ** 2 <= dg.max() ** 2 * A.shape[0] * np.finfo(float).eps * 10:
        return None
    return c


def _inverse_lowrank(cov, project):
    """Inverse of ``diag(delta) + (1-lam) M M^T`` (Woodbury), optionally with the
    clr projection ``C^-1 - C^-1 1 1^T C^-1 / (1^T C^-1 1)``."""
    a = 1.0 / cov.delta
    D = a.size
    if cov.lam < 1.0:
        Mt = cov.M * np.sqrt(1.0 - cov.lam)
        AM = a[:, None] * Mt
        B = Mt.T @ AM
        B[np.diag_indices_from(B)] += 1.0
        L = linalg.cholesky(B, lower=True, check_finite=False)
        H = linalg.solve_triangular(L, AM.T, lower=True, check_finite=False).T
    else:
        H = np.zeros((D, 0))
    if project:
        q = a - H @ H.sum(axis=0)
        H = np.column_stack([H, q / np.sqrt(q.sum())])
    return _SymOperator(d=a, W=H, s=-np.ones(H.shape[1]), D=D)


def _inverse_dense(C, project):
    c = _cholesky_or_none(C)
    if c is None:
        return None
    Ci = linalg.cho_solve(c, np.eye(C.shape[0]), check_finite=False)
    if project:
        q = Ci.sum(axis=1)
        Ci -= np.outer(q, q) / q.sum()
    return _SymOperator(dense=(Ci + Ci.T) / 2)


@dataclass(frozen=True, repr=False)
class PartialCorrelationEdges(Result):
    """Pairs of parts with their partial correlations, strongest first.

    Returned by :meth:`CompositionalPartialCorrelation.top_edges` and
    :meth:`CompositionalPartialCorrelation.edges`.

    Parameters
    ----------
    i, j : ndarray of int
        Column indices of the two parts (``i < j``).
    source, target : ndarray of str
        Names of the two parts.
    partial_correlation : ndarray of float
        Partial correlation of each pair.
    pvalue : ndarray of float
        Two-sided p-value (NaN when no valid t-test exists, see
        ``df_`` of :class:`CompositionalPartialCorrelation`).
    qvalue : ndarray of float or None, default=None
        Multiplicity-adjusted p-value of each pair (``edges(fdr=...)``
        only): Benjamini-Hochberg or Benjamini-Yekutieli on the t-test
        p-values, or Benjamini-Hochberg on the permutation p-values.

    Examples
    --------
    >>> from statnorm.datasets import load_roman_cups
    >>> from statnorm.compositional import CompositionalPartialCorrelation
    >>> cups = load_roman_cups(as_frame=True)
    >>> est = CompositionalPartialCorrelation().fit(cups.data)
    >>> e = est.top_edges(2)
    >>> len(e), e.source[0], e.target[0], round(float(e.partial_correlation[0]), 4)
    (2, 'Al', 'Fe', 0.7267)
    """

    i: np.ndarray
    j: np.ndarray
    source: np.ndarray
    target: np.ndarray
    partial_correlation: np.ndarray
    pvalue: np.ndarray
    qvalue: np.ndarray | None = None

    def __len__(self):
        return int(self.i.size)

    def summary(self, *, max_rows=None):
        """Return the edges as a :class:`~statnorm.results.SummaryTable`.

        Parameters
        ----------
        max_rows : int or None, default=None
            Show at most this many edges (None: all).

        Returns
        -------
        table : SummaryTable
        """
        rows = [
            (s, t, float(r), float(p))
            for s, t, r, p in zip(
                self.source, self.target, self.partial_correlation, self.pvalue
            )
        ][:max_rows]
        header = ("part 1", "part 2", "partial corr.", "p-value")
        if self.qvalue is not None:
            rows = [(*row, float(q)) for row, q in zip(rows, self.qvalue)]
            header = (*header, "q-value")
        return SummaryTable("Partial correlations", header, tuple(rows))

    def __str__(self):
        return str(self.summary())

    def to_frame(self):
        """Return a pandas DataFrame (requires pandas)."""
        import pandas as pd

        cols = {
            "source": self.source,
            "target": self.target,
            "partial_correlation": self.partial_correlation,
            "pvalue": self.pvalue,
        }
        if self.qvalue is not None:
            cols["qvalue"] = self.qvalue
        return pd.DataFrame(cols)

    def to_networkx(self):
        """Return an undirected ``networkx.Graph`` (requires networkx).

        Edge attributes: ``weight`` (the absolute partial correlation),
        ``partial_correlation`` and ``pvalue``.
        """
        try:
            import networkx as nx
        except ImportError as exc:
            raise ImportError(
                "to_networkx requires networkx; install it with 'pip install networkx'."
            ) from exc
        G = nx.Graph()
        for s, t, r, p in zip(
            self.source, self.target, self.partial_correlation, self.pvalue
        ):
            G.add_edge(
                str(s),
                str(t),
                weight=abs(float(r)),
                partial_correlation=float(r),
                pvalue=float(p),
            )
        return G


class CompositionalPartialCorrelation(_PcorInferenceMixin, BaseEstimator):
    """Reference-independent partial correlations of compositional parts (Erb 2020).

    For strictly positive compositions, the partial correlation of parts
    ``i`` and ``j`` is the correlation of the log-ratios ``log(x_i/x_r)`` and
    ``log(x_j/x_r)`` after regressing out all other log-ratios; it does not
    depend on the reference part ``r``. It is computed from the
    Moore-Penrose inverse ``P`` of the clr covariance::

        rho_ij = -P_ij / sqrt(P_ii P_jj),    partial variance pi_i = 1 / P_ii

    Read more in the :doc:`method page </methods/compositional>`.

    Parameters
    ----------
    shrinkage : {"basis", "direct"}, float in [0, 1] or None, default=None
        ``None``: the sample clr covariance, inverted in closed form
        ``(G + 11^T/D)^-1 - 11^T/D`` when samples outnumber parts, otherwise
        from the thin SVD of the centred clr data (the minimum-norm
        pseudo-inverse; a :class:`~statnorm.exceptions.DataDimensionalityWarning`
        says it is not a consistent estimate then). ``"basis"``: basis
        shrinkage (Jin, Notredame & Erb; propr's ``pcor.bshrink``): the
        covariance of log-proportions is shrunk with the Schäfer-Strimmer
        analytic intensity (corpcor's ``cov.shrink``), projected to clr and
        pseudo-inverted. A float fixes that correlation shrinkage intensity
        (the variance intensity is still estimated). ``"direct"``: the same
        shrinkage applied to the clr covariance itself (propr's
        ``pcor.shrink``), for comparison only: it biases partial
        correlations negative (closure artefact).
    input : {"composition", "clr"}, default="composition"
        ``"composition"``: non-negative parts, any scale. ``"clr"``: clr
        coordinates or log-parts (any real numbers; each row is centred, so
        adding a constant to a row changes nothing), e.g. batch-corrected
        clr data.
    zero_replacement : {"multiplicative"} or None, default=None
        ``None``: zeros raise an error. ``"multiplicative"``: rows with
        zeros go through :func:`multiplicative_replacement` first.
    ddof : int, default=1
        Delta degrees of freedom of the clr covariance (1 as R's ``cov``).
        Changes the scale of ``precision_`` and ``partial_variance_``, not
        the partial correlations. Ignored by shrinkage (which uses n - 1).

    Attributes
    ----------
    partial_correlation_ : ndarray of shape (n_parts, n_parts)
        Partial correlations (unit diagonal). Computed on first access.
    partial_variance_ : ndarray of shape (n_parts,)
        ``1 / diag(precision_)``: the residual variance of ``log(x_i/x_r)``
        given all other log-ratios (independent of ``r``).
    precision_ : ndarray of shape (n_parts, n_parts)
        Moore-Penrose inverse of the (shrunk) clr covariance; rows sum to 0.
        Computed on first access.
    clr_covariance_ : ndarray of shape (n_parts, n_parts)
        The (shrunk) clr covariance that was inverted. Computed on first
        access.
    pvalues_ : ndarray of shape (n_parts, n_parts)
        Two-sided p-values of the t-test of zero partial correlation with
        ``df_`` degrees of freedom (NaN on the diagonal, and everywhere
        when ``df_`` is None). Computed on first access.
    df_ : int or None
        ``n_samples - n_parts + 1``: in the ``n_parts - 1`` log-ratio
        coordinates, a pair is conditioned on ``n_parts - 3`` others, so the
        usual partial-correlation t-test has ``n - (n_parts - 3) - 2``
        degrees of freedom. None with shrinkage, with fewer than 3 parts,
        or when samples do not outnumber parts (no
        exact test exists). With ``sample_weight``, ``n_samples`` is the sum
        of the weights (a float if it is not whole); each covariate
        subtracts one.
    n_covariates_ : int
        Number of covariates conditioned on (0 without ``covariates``).
    shrinkage_ : float
        Correlation shrinkage intensity used (0.0 without shrinkage).
    shrinkage_variance_ : float
        Variance shrinkage intensity used (0.0 without shrinkage).
    rank_ : int
        Rank of the covariance that was inverted (``n_parts - 1`` when the
        estimate is well defined).
    solver_ : str
        ``"closed-form"``, ``"svd"``, ``"dense"`` (shrinkage, few parts) or
        ``"woodbury"`` (shrinkage, more parts than samples).
    part_names_ : ndarray of shape (n_parts,)
        ``feature_names_in_`` if available, else ``x0, x1, ...``.
    n_samples_ : int
        Number of samples seen in ``fit``.
    n_features_in_ : int
        Number of parts seen in ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Part names, when ``X`` has string column names.

    Notes
    -----
    Inference: :meth:`edges` with ``fdr=`` controls the false discovery
    rate over all ``n_parts (n_parts - 1) / 2`` pairs (Benjamini-Hochberg or
    Benjamini-Yekutieli on the t-test p-values, or a permutation FDR that
    also works with shrinkage); :meth:`permutation_fdr` gives propr's
    cutoff table; :meth:`confidence_interval` gives Fisher-z intervals with
    standard error ``1 / sqrt(df_ - 1)`` (under shrinkage, those of the
    unshrunk estimate) or bootstrap intervals.

    See Also
    --------
    clr : The centred log-ratio transform.
    multiplicative_replacement : Replace zeros before fitting.

    References
    ----------
    .. [1] I. Erb, "Partial correlations in compositional data analysis",
       Applied Computing and Geosciences 6 (2020) 100026.
    .. [2] S. Jin, C. Notredame, I. Erb, "Compositional covariance shrinkage
       and regularised partial correlations", SORT (2023), arXiv:2212.00496.
    .. [3] J. Schäfer, K. Strimmer, "A shrinkage approach to large-scale
       covariance matrix estimation", Stat. Appl. Genet. Mol. Biol. 4 (2005).

    Examples
    --------
    >>> from statnorm.datasets import load_roman_cups
    >>> from statnorm.compositional import CompositionalPartialCorrelation
    >>> cups = load_roman_cups(as_frame=True)
    >>> est = CompositionalPartialCorrelation().fit(cups.data)
    >>> round(float(est.partial_correlation_[1, 2]), 4)  # Al-Fe
    0.7267
    >>> est.df_
    37
    """

    _parameter_constraints: ClassVar[dict] = {
        "shrinkage": [
            StrOptions({"basis", "direct"}),
            Interval(Real, 0, 1, closed="both"),
            None,
        ],
        "input": [StrOptions({"composition", "clr"})],
        "zero_replacement": [StrOptions({"multiplicative"}), None],
        "ddof": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self, shrinkage=None, *, input="composition", zero_replacement=None, ddof=1
    ):
        self.shrinkage = shrinkage
        self.input = input
        self.zero_replacement = zero_replacement
        self.ddof = ddof

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = self.input == "composition"
        return tags

    # ------------------------------------------------------------------ fit
    def _log_parts(self, X):
        _reject_non_arrays(X)
        X = validate_data(self, X, dtype=np.float64)
        if self.input == "composition":
            zeros_ok = self.zero_replacement is not None
            X = _check_parts(X, min_parts=2, allow_zeros=zeros_ok)
            if zeros_ok and (X == 0).any():
                X = multiplicative_replacement(X)
            L = np.log(X)
        else:
            L = check_2d(X, min_features=2)
        if L.shape[0] < 3:
            raise ValueError(
                f"X has {L.shape[0]} sample(s) (shape={L.shape}) while a minimum of "
                "3 is required to estimate a covariance."
            )
        return L

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None, *, covariates=None):
        """Estimate the partial correlations of the parts of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_parts)
            Compositions (rows are samples, columns are parts), or clr/log
            data with ``input="clr"``. Needs at least 3 samples and 2 parts.
            With 2 parts there is a single log-ratio and no reference part
            outside the pair: the partial correlation is +1 by construction
            and ``df_`` is None.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative frequency weights (a row of weight 2 counts as two
            rows): weighted means and covariance with divisor
            ``sum(sample_weight) - ddof``, and the t-test uses
            ``sum(sample_weight)`` as the sample size. Integer weights give
            the fit of the data with rows repeated.
        covariates : array-like of shape (n_samples,) or (n_samples, n_covariates), default=None
            Non-compositional variables (not closed with the parts: age,
            pH, batch indicators, ...) to condition on in addition to the
            other parts. The log-ratios are regressed on them (with an
            intercept, weighted when ``sample_weight`` is given) and the
            partial correlations are those of the residuals; each covariate
            costs one degree of freedom.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        L = self._log_parts(X)
        n, D = L.shape
        self._set_design(L, sample_weight, covariates)
        n_eff = n if self._sw is None else float(self._sw.sum())
        if self.ddof >= n_eff - self.n_covariates_:
            raise ValueError(
                f"ddof={self.ddof} must be smaller than n_samples={n_eff:g} "
                f"minus the {self.n_covariates_} covariate(s)."
            )
        self._check_variation(L)
        self._cache = {}
        self.n_samples_ = n
        names = getattr(self, "feature_names_in_", None)
        self.part_names_ = (
            np.asarray(names, dtype=object)
            if names is not None
            else np.asarray([f"x{k}" for k in range(D)], dtype=object)
        )
        self.shrinkage_ = 0.0
        self.shrinkage_variance_ = 0.0
        self.df_ = None
        if self.shrinkage is None:
            self._fit_exact(L)
        else:
            self._fit_shrunk(L)
        pdiag = self._precision.diag()
        if self.rank_ == 0 or not (pdiag > 0).all():
            bad = self.part_names_[~(pdiag > 0)][:5]
            raise ValueError(
                "X has no log-ratio variation for part(s) "
                f"{', '.join(map(str, bad))}: every sample has the same "
                "composition in those parts (constant clr coordinates), so their "
                "partial correlations are undefined. Drop them or add samples."
            )
        self.partial_variance_ = 1.0 / pdiag
        return self

    def _check_variation(self, L):
        """Refuse compositions that are all the same (after any covariates).

        With no variation the clr covariance is zero: the exact estimate
        would invert rounding noise, and a shrunk one would return the
        shrinkage target's partial correlations, whatever the data.
        """
        Z = L - L.mean(axis=1, keepdims=True)
        R, _ = self._centred(Z)
        scale = max(1.0, float(np.abs(Z).max()))
        if np.abs(R).max() <= 1e-12 * scale:
            given = " given the covariates" if self.n_covariates_ else ""
            raise ValueError(
                f"X has no variation: all {L.shape[0]} compositions are the same"
                f"{given} (the clr covariance is zero), so partial correlations "
                "are undefined, with or without shrinkage."
            )

    def _fit_exact(self, L):
        n, D = L.shape
        Z = L - L.mean(axis=1, keepdims=True)
        Zc, n_eff = self._centred(Z)
        scale = n_eff - self.ddof
        if n > D:
            G = Zc.T @ Zc / scale
            G = (G + G.T) / 2
            J = np.full((D, D), 1.0 / D)
            c = _cholesky_or_none(G + J)
            if c is not None:
                P = linalg.cho_solve(c, np.eye(D), check_finite=False) - J
                self._precision = _SymOperator(dense=(P + P.T) / 2)
                self._cov_parts = ("dense", G)
                self.solver_ = "closed-form"
                self.rank_ = D - 1
                self.df_ = self._t_df(n_eff, D)
                return
        F = Zc / np.sqrt(scale)
        self._precision, self.rank_ = _pinv_from_factor(F)
        self._cov_parts = ("factor", F)
        self.solver_ = "svd"
        q = self.n_covariates_
        why = (
            f"there are {n} samples for {D} parts"
            + (f" and {q} covariate(s)" if q else "")
            if n - q <= D
            else "some log-ratios are collinear or constant"
        )
        warnings.warn(
            f"The clr covariance has rank {self.rank_} < n_parts - 1 = {D - 1} "
            f"({why}); partial correlations from its pseudo-inverse are not "
            "identified. Use shrinkage='basis' for a regularised estimate.",
            DataDimensionalityWarning,
            stacklevel=4,
        )

    def _fit_shrunk(self, L):
        n, D = L.shape
        basis = self.shrinkage != "direct"
        lam = None if isinstance(self.shrinkage, str) else float(self.shrinkage)
        lam = getattr(self, "_fixed_lambda", lam)  # permutation refits
        if basis:
            data = L - special.logsumexp(L, axis=1, keepdims=True)  # log-proportions
        else:
            data = L - L.mean(axis=1, keepdims=True)  # clr
        cov = shrink_covariance(
            self._shrink_data(data), lam=lam, sample_weight=self._sw
        )
        self.shrinkage_, self.shrinkage_variance_ = cov.lam, cov.lam_var
        self._cov_parts = ("basis" if basis else "direct", cov)
        P = None
        if n >= D:
            P = _inverse_dense(cov.dense(), project=basis)
            self.solver_ = "dense"
        elif cov.delta.min() > 0:
            P = _inverse_lowrank(cov, project=basis)
            self.solver_ = "woodbury"
        self.rank_ = D - 1 if basis else D
        if P is None:  # no shrinkage of correlations and a singular covariance
            rows = [np.sqrt(1.0 - cov.lam) * cov.M.T]
            pos = np.flatnonzero(cov.delta > 0)
            if pos.size:
                E = np.zeros((pos.size, D))
                E[np.arange(pos.size), pos] = np.sqrt(cov.delta[pos])
                rows.append(E)
            F = np.vstack(rows)
            if basis:
                F = F - F.mean(axis=1, keepdims=True)
            P, self.rank_ = _pinv_from_factor(F)
            self.solver_ = "svd"
            if basis and self.rank_ < D - 1:
                warnings.warn(
                    f"The shrunk clr covariance has rank {self.rank_} < "
                    f"n_parts - 1 = {D - 1} (shrinkage intensity 0); its "
                    "pseudo-inverse does not identify the partial correlations.",
                    DataDimensionalityWarning,
                    stacklevel=4,
                )
        self._precision = P

    # ------------------------------------------------------------ matrices
    def _cached(self, key, fn):
        check_is_fitted(self)
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    @property
    def precision_(self):
        return self._cached("precision", self._precision.full)

    def _covariance(self):
        kind, obj = self._cov_parts
        if kind == "dense":
            return obj.copy()
        if kind == "factor":
            return obj.T @ obj
        C = obj.dense()
        if kind == "basis":  # G C G with G the centring matrix
            C = C - C.mean(axis=0) - C.mean(axis=1)[:, None] + C.mean()
        return C

    @property
    def clr_covariance_(self):
        return self._cached("covariance", self._covariance)

    @property
    def partial_correlation_(self):
        return self._cached("pcor", lambda: self._pcor_block(0, self.n_features_in_))

    @property
    def pvalues_(self):
        return self._cached("pvalues", lambda: self._pvalues(self.partial_correlation_))

    def _pcor_block(self, i0, i1, j0=0):
        sd = np.sqrt(self._precision.diag())
        P = self._precision
        if P.dense is None and P.W is not None and (sd > 0).all():
            # -P_ij / (sd_i sd_j) off the diagonal is one GEMM of the scaled
            # factor (the diagonal d only touches the diagonal, set to 1 below)
            R = (P.W[i0:i1] * (-P.s / sd[i0:i1, None])) @ (P.W[j0:] / sd[j0:, None]).T
        else:
            R = P.block(i0, i1, j0)
            with np.errstate(invalid="ignore", divide="ignore"):
                R /= sd[i0:i1, None]
                R /= sd[None, j0:]
            np.negative(R, out=R)
        idx = np.arange(max(i0, j0), i1)
        R[idx - i0, idx - j0] = 1.0
        return np.clip(R, -1.0, 1.0, out=R)

    def _pvalues(self, R):
        if self.df_ is None:
            return np.full(R.shape, np.nan)
        df = self.df_
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(R) * np.sqrt(df / np.maximum(1.0 - R * R, 0.0))
        p = 2.0 * stats.t.sf(t, df)
        if R.ndim == 2 and R.shape[0] == R.shape[1]:
            np.fill_diagonal(p, np.nan)
        return p

    # -------------------------------------------------------------- edges
    def _block_rows(self, block_size):
        D = self.n_features_in_
        if block_size is None:
            block_size = max(1, min(D, _BLOCK_ELEMENTS // D))
        elif (
            isinstance(block_size, bool)
            or not isinstance(block_size, Integral)
            or block_size < 1
        ):
            raise ValueError(
                f"block_size must be None or a positive int. Got {block_size!r}."
            )
        return int(block_size)

    def _scan(self, block_size, select):
        """Visit the upper triangle of rho in blocks of rows.

        ``select(strength, i0, j0, R)`` receives a block ``R`` of rows
        ``i0:`` and columns ``j0:`` and ``strength = |R|`` with the entries
        on or below the diagonal set to -1.
        """
        D = self.n_features_in_
        b = self._block_rows(block_size)
        for i0 in range(0, D - 1, b):
            i1 = min(D - 1, i0 + b)
            j0 = i0 + 1
            R = self._pcor_block(i0, i1, j0)
            strength = np.abs(R)
            strength[np.tril_indices(i1 - i0, -1, m=R.shape[1])] = -1.0
            select(strength, i0, j0, R)

    def _make_edges(self, i, j, r):
        order = np.lexsort((j, i, -np.abs(r)))
        i, j, r = i[order], j[order], r[order]
        names = self.part_names_
        return PartialCorrelationEdges(
            i=i,
            j=j,
            source=names[i],
            target=names[j],
            partial_correlation=r,
            pvalue=self._pvalues(r),
        )

    def top_edges(self, k=10, *, block_size=None):
        """Return the ``k`` pairs of parts with the largest absolute partial correlation.

        Works through blocks of rows of the partial-correlation matrix built
        from the factored precision, so the ``n_parts x n_parts`` matrix is
        never held in memory (about ``block_size * n_parts`` numbers at a
        time).

        Parameters
        ----------
        k : int, default=10
            Number of pairs (at most ``n_parts * (n_parts - 1) / 2``).
        block_size : int, default=None
            Rows per block; ``None`` keeps each block near 16 MB.

        Returns
        -------
        edges : PartialCorrelationEdges
            Pairs sorted by decreasing ``|partial correlation|``.

        Examples
        --------
        >>> from statnorm.datasets import load_roman_cups
        >>> from statnorm.compositional import CompositionalPartialCorrelation
        >>> cups = load_roman_cups(as_frame=True)
        >>> est = CompositionalPartialCorrelation().fit(cups.data)
        >>> print(est.top_edges(2))
        Partial correlations
        ===========================================
        part 1   part 2   partial corr.   p-value
        -------------------------------------------
        Al       Fe       0.7267          1.625e-07
        Si       Al       0.7215          2.187e-07
        ===========================================
        """
        check_is_fitted(self)
        D = self.n_features_in_
        n_pairs = D * (D - 1) // 2
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"k must be a positive int. Got {k!r} instead.")
        k = min(int(k), n_pairs)
        best = [np.empty(0, int), np.empty(0, int), np.empty(0)]

        def select(strength, i0, j0, R):
            flat = strength.ravel()
            top = (
                np.argpartition(-flat, k - 1)[:k]
                if flat.size > k
                else np.arange(flat.size)
            )
            top = top[flat[top] >= 0]
            a, c = np.divmod(top, R.shape[1])
            ci = np.concatenate([best[0], a + i0])
            cj = np.concatenate([best[1], c + j0])
            cr = np.concatenate([best[2], R.ravel()[top]])
            if cr.size > k:
                keep = np.argpartition(-np.abs(cr), k - 1)[:k]
                ci, cj, cr = ci[keep], cj[keep], cr[keep]
            best[:] = [ci, cj, cr]

        self._scan(block_size, select)
        return self._make_edges(*best)

    def edges(
        self,
        threshold=None,
        *,
        fdr=None,
        method="bh",
        n_permutations=100,
        random_state=None,
        max_edges=1_000_000,
        block_size=None,
    ):
        """Return every pair with ``|partial correlation| >= threshold``, or
        the pairs significant at a false discovery rate ``fdr``.

        With ``fdr``, the ``D (D - 1) / 2`` pairs are tested together:
        ``method="bh"`` (Benjamini-Hochberg) or ``"by"`` (Benjamini-Yekutieli,
        valid under any dependence) on the exact t-test p-values (see
        ``df_``), through ``scipy.stats.false_discovery_control``;
        ``"permutation"`` applies Benjamini-Hochberg to permutation p-values
        of ``|rho|`` against the pooled null of :meth:`permutation_fdr`
        (every part permuted independently over samples), which also works
        with shrinkage. The kept pairs are those whose estimated FDR (mean
        permuted count over observed count at their ``|rho|``, as propr's
        ``updateCutoffs``) is at most ``fdr``.

        Parameters
        ----------
        threshold : float or None, default=None
            Smallest absolute partial correlation kept, in [0, 1]; None
            means 0.5 unless ``fdr`` is given.
        fdr : float in (0, 1) or None, default=None
            Target false discovery rate (exclusive with ``threshold``).
        method : {"bh", "by", "permutation"}, default="bh"
            Multiple-testing procedure (with ``fdr`` only).
        n_permutations : int, default=100
            Permuted data sets (``method="permutation"`` only).
        random_state : int, RandomState instance or None, default=None
            Seeds the permutations.
        max_edges : int, default=1_000_000
            Error out instead of returning more pairs than this.
        block_size : int, default=None
            Rows per block (see :meth:`top_edges`).

        Returns
        -------
        edges : PartialCorrelationEdges
            Pairs sorted by decreasing ``|partial correlation|``.

        Examples
        --------
        >>> from statnorm.datasets import load_roman_cups
        >>> from statnorm.compositional import CompositionalPartialCorrelation
        >>> est = CompositionalPartialCorrelation().fit(load_roman_cups().data)
        >>> len(est.edges(threshold=0.55))
        4
        >>> e = est.edges(fdr=0.05, method="by")
        >>> len(e), round(float(e.qvalue.max()), 4)
        (4, 0.0038)
        """
        check_is_fitted(self)
        if fdr is not None:
            if threshold is not None:
                raise ValueError("Pass either threshold or fdr, not both.")
            return self._fdr_edges(fdr, method, n_permutations, random_state, max_edges)
        if threshold is None:
            threshold = 0.5
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, Real)
            or not 0 <= threshold <= 1
        ):
            raise ValueError(
                f"threshold must be a float in the range [0, 1]. Got {threshold!r} "
                "instead."
            )
        found = []
        count = [0]

        def select(strength, i0, j0, R):
            a, c = np.nonzero(strength >= threshold)
            count[0] += a.size
            if count[0] > max_edges:
                raise ValueError(
                    f"More than max_edges={max_edges} pairs have |partial "
                    f"correlation| >= {threshold}; raise the threshold or max_edges, "
                    "or use top_edges(k)."
                )
            found.append((a + i0, c + j0, R[a, c]))

        self._scan(block_size, select)
        if not found:
            return self._make_edges(np.empty(0, int), np.empty(0, int), np.empty(0))
        return self._make_edges(*(np.concatenate(a) for a in zip(*found)))

    def summary(self, *, max_rows=10):
        """Return the ``max_rows`` strongest pairs as a printable table.

        Parameters
        ----------
        max_rows : int, default=10
            Number of pairs.

        Returns
        -------
        table : SummaryTable
            Pairs with partial correlations, p-values and the partial
            variances of both parts.
        """
        e = self.top_edges(max_rows)
        pv = self.partial_variance_
        rows = tuple(
            (s, t, float(r), float(p), float(pv[a]), float(pv[b]))
            for s, t, r, p, a, b in zip(
                e.source, e.target, e.partial_correlation, e.pvalue, e.i, e.j
            )
        )
        df = "none (no exact test)" if self.df_ is None else str(self.df_)
        note = (
            f"n = {self.n_samples_} samples, D = {self.n_features_in_} parts, "
            f"t-test df = {df}, shrinkage = {self.shrinkage_:.4g}, "
            f"solver = {self.solver_}."
        )
        notes = (note,)
        return SummaryTable(
            "Compositional partial correlations",
            ("part 1", "part 2", "partial corr.", "p-value", "pvar 1", "pvar 2"),
            rows,
            notes,
        )
