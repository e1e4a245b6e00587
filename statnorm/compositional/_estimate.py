"""The estimate of compositional partial correlations, as pure functions.

:func:`fit_partial_correlation` computes everything
:class:`CompositionalPartialCorrelation` stores from validated log-parts,
weights and covariates; :func:`refit_partial_correlation` is the refit of
the same estimator that the permutation and bootstrap inference runs on
permuted or resampled log data (optionally at a fixed shrinkage
intensity). Nothing here holds state.
"""

import warnings
from typing import NamedTuple

import numpy as np
from scipy import linalg, special, stats

from .._validation import as_array, check_2d, check_sample_weight
from ..exceptions import DataDimensionalityWarning
from ._shrinkage import shrink_covariance


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


def _check_weights(sample_weight, n):
    w = check_sample_weight(sample_weight, n)
    if w is None:
        return None
    if (w > 0).sum() < 3:
        raise ValueError(
            "sample_weight must give a non-zero weight to at least 3 samples "
            "to estimate a covariance."
        )
    return w


def _check_covariates(covariates, n, sample_weight):
    if covariates is None:
        return None
    Z = as_array(covariates, name="covariates")
    if Z.ndim == 1:
        Z = Z[:, None]
    Z = check_2d(Z, name="covariates")
    if Z.shape[0] != n:
        raise ValueError(f"covariates has {Z.shape[0]} rows but X has {n} samples.")
    w = np.ones(n) if sample_weight is None else sample_weight
    A = np.column_stack([np.ones(n), Z]) * np.sqrt(w)[:, None]
    if np.linalg.matrix_rank(A) < A.shape[1]:
        raise ValueError(
            "covariates are collinear (with each other or with the intercept, "
            "possibly after weighting): drop redundant or constant columns."
        )
    return Z.copy()


def _residualise(L, w, Z):
    """Weighted least-squares residuals of the columns of ``L`` on ``[1, Z]``
    (weighted column centring when ``Z`` is None), and the effective n."""
    n = L.shape[0]
    if Z is None:
        if w is None:
            return L - L.mean(axis=0), float(n)
        return L - w @ L / w.sum(), float(w.sum())
    sw = np.ones(n) if w is None else np.sqrt(w)
    A = np.column_stack([np.ones(n), Z])
    beta = np.linalg.lstsq(A * sw[:, None], L * sw[:, None], rcond=None)[0]
    n_eff = float(n if w is None else w.sum())
    return L - A @ beta, n_eff - Z.shape[1]


def _as_count(x):
    """An int when ``x`` is integral (frequency weights), else the float."""
    return round(x) if abs(x - round(x)) < 1e-9 else float(x)


class _PcorFit(NamedTuple):
    """What :func:`fit_partial_correlation` computes (the fitted state)."""

    precision: _SymOperator  # (pseudo-)inverse of the clr covariance
    cov_parts: tuple  # (kind, object) the clr covariance is rebuilt from
    solver: str
    rank: int
    df: int | float | None
    shrinkage: float
    shrinkage_variance: float
    partial_variance: np.ndarray
    sample_weight: np.ndarray | None  # validated
    covariates: np.ndarray | None  # validated


def _centred(Z, w, covariates):
    """Centred (or residualised) clr columns scaled by sqrt(weight), and
    the effective sample size (sum of weights minus covariates)."""
    R, n_eff = _residualise(Z, w, covariates)
    if w is not None:
        R = R * np.sqrt(w)[:, None]
    return R, n_eff


def _t_df(n_eff, D):
    df = n_eff - D + 1
    return _as_count(df) if D >= 3 and df > 0 else None


def _check_variation(L, w, covariates):
    """Refuse compositions that are all the same (after any covariates).

    With no variation the clr covariance is zero: the exact estimate
    would invert rounding noise, and a shrunk one would return the
    shrinkage target's partial correlations, whatever the data.
    """
    Z = L - L.mean(axis=1, keepdims=True)
    R, _ = _centred(Z, w, covariates)
    scale = max(1.0, float(np.abs(Z).max()))
    if np.abs(R).max() <= 1e-12 * scale:
        given = " given the covariates" if covariates is not None else ""
        raise ValueError(
            f"X has no variation: all {L.shape[0]} compositions are the same"
            f"{given} (the clr covariance is zero), so partial correlations "
            "are undefined, with or without shrinkage."
        )


def _fit_exact(L, w, covariates, ddof):
    """Precision, covariance parts, solver, rank and t-test df, no shrinkage."""
    n, D = L.shape
    Z = L - L.mean(axis=1, keepdims=True)
    Zc, n_eff = _centred(Z, w, covariates)
    scale = n_eff - ddof
    if n > D:
        G = Zc.T @ Zc / scale
        G = (G + G.T) / 2
        J = np.full((D, D), 1.0 / D)
        c = _cholesky_or_none(G + J)
        if c is not None:
            P = linalg.cho_solve(c, np.eye(D), check_finite=False) - J
            P = _SymOperator(dense=(P + P.T) / 2)
            return P, ("dense", G), "closed-form", D - 1, _t_df(n_eff, D)
    F = Zc / np.sqrt(scale)
    P, rank = _pinv_from_factor(F)
    q = 0 if covariates is None else covariates.shape[1]
    why = (
        f"there are {n} samples for {D} parts" + (f" and {q} covariate(s)" if q else "")
        if n - q <= D
        else "some log-ratios are collinear or constant"
    )
    warnings.warn(
        f"The clr covariance has rank {rank} < n_parts - 1 = {D - 1} "
        f"({why}); partial correlations from its pseudo-inverse are not "
        "identified. Use shrinkage='basis' for a regularised estimate.",
        DataDimensionalityWarning,
        stacklevel=5,
    )
    return P, ("factor", F), "svd", rank, None


def _fit_shrunk(L, w, covariates, shrinkage, lam):
    """Precision, covariance parts, solver, rank and the two intensities."""
    n, D = L.shape
    basis = shrinkage != "direct"
    if basis:
        data = L - special.logsumexp(L, axis=1, keepdims=True)  # log-proportions
    else:
        data = L - L.mean(axis=1, keepdims=True)  # clr
    if covariates is not None:
        data = _residualise(data, w, covariates)[0]
    cov = shrink_covariance(data, lam=lam, sample_weight=w)
    parts = ("basis" if basis else "direct", cov)
    P, solver = None, None
    if n >= D:
        P, solver = _inverse_dense(cov.dense(), project=basis), "dense"
    elif cov.delta.min() > 0:
        P, solver = _inverse_lowrank(cov, project=basis), "woodbury"
    rank = D - 1 if basis else D
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
        (P, rank), solver = _pinv_from_factor(F), "svd"
        if basis and rank < D - 1:
            warnings.warn(
                f"The shrunk clr covariance has rank {rank} < "
                f"n_parts - 1 = {D - 1} (shrinkage intensity 0); its "
                "pseudo-inverse does not identify the partial correlations.",
                DataDimensionalityWarning,
                stacklevel=5,
            )
    return P, parts, solver, rank, cov.lam, cov.lam_var


def fit_partial_correlation(
    L, sample_weight, covariates, *, shrinkage, ddof, lam=None, part_names=None
):
    """Fit the partial correlations of validated log-parts ``L``.

    Parameters
    ----------
    L : ndarray of shape (n_samples, n_parts)
        Log-parts (or clr coordinates), validated, at least 3 samples.
    sample_weight, covariates : array-like or None
        As in :meth:`CompositionalPartialCorrelation.fit` (validated here).
    shrinkage, ddof
        The estimator's parameters.
    lam : float or None, default=None
        Correlation shrinkage intensity; None: estimated (``shrinkage`` a
        string) or ``float(shrinkage)``. Ignored without shrinkage.
    part_names : sequence of str or None
        Names used in the error about parts without variation.

    Returns
    -------
    fit : _PcorFit
    """
    n, D = L.shape
    w = _check_weights(sample_weight, n)
    Z = _check_covariates(covariates, n, w)
    q = 0 if Z is None else Z.shape[1]
    n_eff = n if w is None else float(w.sum())
    if ddof >= n_eff - q:
        raise ValueError(
            f"ddof={ddof} must be smaller than n_samples={n_eff:g} "
            f"minus the {q} covariate(s)."
        )
    _check_variation(L, w, Z)
    if shrinkage is None:
        P, parts, solver, rank, df = _fit_exact(L, w, Z, ddof)
        lam_cor = lam_var = 0.0
    else:
        if lam is None and not isinstance(shrinkage, str):
            lam = float(shrinkage)
        P, parts, solver, rank, lam_cor, lam_var = _fit_shrunk(L, w, Z, shrinkage, lam)
        df = None
    pdiag = P.diag()
    if rank == 0 or not (pdiag > 0).all():
        if part_names is None:
            part_names = np.asarray([f"x{k}" for k in range(D)], dtype=object)
        bad = np.asarray(part_names)[~(pdiag > 0)][:5]
        raise ValueError(
            "X has no log-ratio variation for part(s) "
            f"{', '.join(map(str, bad))}: every sample has the same "
            "composition in those parts (constant clr coordinates), so their "
            "partial correlations are undefined. Drop them or add samples."
        )
    return _PcorFit(P, parts, solver, rank, df, lam_cor, lam_var, 1.0 / pdiag, w, Z)


def refit_partial_correlation(L, sample_weight, covariates, *, shrinkage, ddof, lam):
    """Partial correlations and t-test df of log data ``L``, warnings silenced.

    The estimate of ``CompositionalPartialCorrelation(shrinkage, input="clr",
    ddof=ddof).fit(L, sample_weight=sample_weight, covariates=covariates)``,
    with the correlation shrinkage intensity fixed at ``lam`` unless it is
    None (then estimated, or ``float(shrinkage)``). The permutation and
    bootstrap inference refits through this.

    Returns
    -------
    partial_correlation : ndarray of shape (n_parts, n_parts)
    df : int, float or None
    """
    L = check_2d(L, min_features=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_partial_correlation(
            L, sample_weight, covariates, shrinkage=shrinkage, ddof=ddof, lam=lam
        )
        return pcor_block(fit.precision, 0, L.shape[1]), fit.df


def clr_covariance(cov_parts):
    """The (shrunk) clr covariance from the parts a fit keeps."""
    kind, obj = cov_parts
    if kind == "dense":
        return obj.copy()
    if kind == "factor":
        return obj.T @ obj
    C = obj.dense()
    if kind == "basis":  # G C G with G the centring matrix
        C = C - C.mean(axis=0) - C.mean(axis=1)[:, None] + C.mean()
    return C


def pcor_block(P, i0, i1, j0=0):
    """Rows ``i0:i1``, columns ``j0:`` of the partial correlations of the
    precision operator ``P``."""
    sd = np.sqrt(P.diag())
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


def pvalues(R, df):
    """Two-sided t-test p-values of partial correlations ``R`` (NaN on the
    diagonal of a square matrix, and everywhere when ``df`` is None)."""
    if df is None:
        return np.full(R.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.abs(R) * np.sqrt(df / np.maximum(1.0 - R * R, 0.0))
    p = 2.0 * stats.t.sf(t, df)
    if R.ndim == 2 and R.shape[0] == R.shape[1]:
        np.fill_diagonal(p, np.nan)
    return p
