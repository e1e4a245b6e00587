"""Schäfer-Strimmer analytic shrinkage (the estimator of R's corpcor ``cov.shrink``).

Written from the published formulas (Schäfer & Strimmer 2005; Opgen-Rhein &
Strimmer 2007) with equal weights. The shrunk covariance is returned in
factored form, diagonal plus low rank, so that it never needs to be formed
when there are far more variables than samples::

    C* = diag(delta) + (1 - lam) * M @ M.T

with ``M = diag(sqrt(s*)) @ Xs.T / sqrt(n - 1)`` (``Xs`` the standardised
data, ``s*`` the shrunk variances) and ``delta = s* * (1 - (1 - lam) * R_ii)``,
which equals ``lam * s*`` for every non-constant column.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["ShrunkCovariance", "shrink_covariance"]


@dataclass(frozen=True)
class ShrunkCovariance:
    """Factored shrinkage covariance ``diag(delta) + (1 - lam) M M^T``."""

    delta: np.ndarray  # (D,)
    M: np.ndarray  # (D, n)
    lam: float
    lam_var: float
    variances: np.ndarray  # shrunk variances s*, (D,)

    def dense(self):
        C = (1.0 - self.lam) * (self.M @ self.M.T)
        C[np.diag_indices_from(C)] += self.delta
        return C


def _lambda_var(Xc, n, w=None):
    """Variance shrinkage intensity toward the median variance.

    ``w`` are frequency weights summing to ``n`` (None: all ones).
    """
    zz = Xc * Xc
    if w is None:
        q1 = zz.mean(axis=0)  # biased variances
        q2 = (zz * zz).mean(axis=0) - q1 * q1
    else:
        q1 = w @ zz / n
        q2 = w @ (zz * zz) / n - q1 * q1
    v = q1 * n / (n - 1)
    target = np.median(v)
    den = np.sum((q1 - target * (n - 1) / n) ** 2)
    if den == 0:
        return 1.0, v
    return float(min(1.0, q2.sum() / den / (n - 1))), v


def _lambda_cor(Xs, n, w=None):
    """Correlation shrinkage intensity toward the identity, in O(n^2 D).

    ``w`` are frequency weights summing to ``n``: row ``k`` counts ``w[k]``
    times (None: all ones).
    """
    sw = None if w is None else np.sqrt(w)[:, None]
    Xw = Xs / np.sqrt(n) if w is None else Xs * (sw / np.sqrt(n))
    gram = Xw @ Xw.T  # n x n: ||Xw^T Xw||_F^2 = ||Xw Xw^T||_F^2
    diag_c = (Xw * Xw).sum(axis=0)
    sE2R = np.sum(gram * gram) - np.sum(diag_c * diag_c)
    Y = Xs * Xs / np.sqrt(n) if w is None else Xs * Xs * (sw / np.sqrt(n))
    col_sq = (Y * Y).sum(axis=0)
    row_sum = Y.sum(axis=1)
    sER2 = np.sum(row_sum * row_sum) - np.sum(col_sq)
    if sE2R <= 0:
        return 1.0
    return float(min(1.0, max(0.0, (sER2 - sE2R) / sE2R / (n - 1))))


def shrink_covariance(X, lam=None, lam_var=None, sample_weight=None):
    """Shrink the covariance of the columns of ``X`` (samples in rows).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Data, ``n_samples >= 3``.
    lam : float in [0, 1] or None
        Correlation shrinkage intensity toward the identity; ``None``
        estimates it (Schäfer & Strimmer 2005).
    lam_var : float in [0, 1] or None
        Variance shrinkage intensity toward the median variance; ``None``
        estimates it (Opgen-Rhein & Strimmer 2007).
    sample_weight : ndarray of shape (n_samples,) or None
        Frequency weights (non-negative, not all zero): row ``k`` counts as
        ``sample_weight[k]`` rows, so integer weights give the estimate of
        the data with rows repeated. The effective sample size is their sum.

    Returns
    -------
    cov : ShrunkCovariance
        Factored shrunk covariance with its intensities.

    Notes
    -----
    A column with zero variance has no correlation; it is treated as
    uncorrelated with every other column (the value of the target), where
    corpcor would return NaN.
    """
    w = sample_weight
    if w is None:
        n = X.shape[0]
        Xc = X - X.mean(axis=0)
    else:
        n = float(w.sum())
        Xc = X - w @ X / n
    est_var, v = _lambda_var(Xc, n, w)
    if lam_var is None:
        lam_var = est_var
    sd = np.sqrt(v)
    constant = sd <= np.finfo(float).eps * np.maximum(1.0, np.abs(X).max(axis=0))
    sd_safe = np.where(constant, 1.0, sd)
    Xs = np.where(constant, 0.0, Xc / sd_safe)
    if lam is None:
        lam = _lambda_cor(Xs, n, w)
    s_star = lam_var * np.median(v) + (1.0 - lam_var) * v
    if w is not None:
        Xs = Xs * np.sqrt(w)[:, None]
    M = (Xs * np.sqrt(s_star)).T / np.sqrt(n - 1)
    r_ii = (Xs * Xs).sum(axis=0) / (n - 1)
    delta = s_star * (1.0 - (1.0 - lam) * r_ii)
    return ShrunkCovariance(
        delta=np.maximum(delta, 0.0),
        M=M,
        lam=float(lam),
        lam_var=float(lam_var),
        variances=s_star,
    )
