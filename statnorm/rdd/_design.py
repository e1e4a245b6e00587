"""Checks of a regression discontinuity design, before anything is fitted.

Each function validates one argument of :meth:`DistributionalRDD.fit` (or an
estimator parameter that depends on the data) and returns it in the form the
estimation steps use; none of them touches the estimator.
"""

import os
import sys
import warnings

import numpy as np

from .._validation import as_array, check_1d, check_2d
from ..exceptions import StatnormWarning
from ._locpoly import side_mask

# statnorm's own directory: frames there are never the user's
_STATNORM_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def warn_user(message, category=StatnormWarning):
    """Warn at the first caller outside statnorm and scikit-learn.

    The estimator's steps call each other at varying depths (and fit runs
    inside scikit-learn's fit wrapper), so a fixed ``stacklevel`` would
    point into the library; this one points at the user's ``fit`` call.
    """
    import sklearn

    skip = (_STATNORM_DIR, os.path.dirname(os.path.abspath(sklearn.__file__)) + os.sep)
    frame, level = sys._getframe(1), 2
    while frame.f_back is not None and os.path.abspath(
        frame.f_code.co_filename
    ).startswith(skip):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def check_design(x, treatment, *, cutoff, fuzzy):
    """Running variable centred at the cutoff, and the treatment (fuzzy only).

    Parameters
    ----------
    x : ndarray of shape (n_units,)
        Validated running variable.
    treatment : array-like of shape (n_units,) or None
        Treatment take-up.
    cutoff : float
        Threshold of the running variable.
    fuzzy : bool
        Whether the design is fuzzy (``treatment`` required) or sharp
        (``treatment`` refused).

    Returns
    -------
    xc : ndarray of shape (n_units,)
        ``x - cutoff``.
    T : ndarray of shape (n_units,) or None
        Treatment (None in sharp designs).
    """
    n = x.shape[0]
    xc = x - float(cutoff)
    for side, name in (("+", "at or above"), ("-", "below")):
        if not side_mask(xc, side).any():
            raise ValueError(
                f"No units {name} the cutoff {cutoff:g}; a regression "
                "discontinuity needs units on both sides."
            )
    if not fuzzy:
        if treatment is not None:
            raise ValueError("treatment was given but fuzzy=False; set fuzzy=True.")
        return xc, None
    if treatment is None:
        raise ValueError("fuzzy=True requires treatment (one value per unit).")
    T = check_1d(treatment, name="treatment")
    if np.any((T < 0) | (T > 1)):
        raise ValueError(
            "treatment must hold treatment status in [0, 1] (0/1, or a "
            f"share treated); got values from {T.min():g} to {T.max():g}."
        )
    if T.shape[0] != n:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"x has {n}, treatment has {T.shape[0]}."
        )
    return xc, T


def check_clusters(clusters, n):
    """Integer cluster codes (0..G-1) and G, or (None, None) without clusters."""
    if clusters is None:
        return None, None
    if isinstance(clusters, str | bytes):
        raise TypeError("clusters must be an array of cluster labels, one per unit.")
    c = as_array(clusters, name="clusters")
    if c.ndim != 1:
        raise ValueError(
            f"clusters must be 1-D (one label per unit); got shape {c.shape}."
        )
    if c.shape[0] != n:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"x has {n}, clusters has {c.shape[0]}."
        )
    if c.dtype.kind == "c":
        raise TypeError("clusters must hold labels (integers or strings), not complex.")
    if c.dtype.kind == "f" and not np.all(np.isfinite(c)):
        raise ValueError("clusters contains NaN or infinity.")
    if c.dtype.kind == "O" and any(v is None for v in c):
        raise ValueError("clusters contains None.")
    try:
        _, codes = np.unique(c, return_inverse=True)
    except TypeError as exc:
        raise TypeError(f"clusters must hold sortable labels: {exc}") from None
    g = int(codes.max()) + 1 if codes.size else 0
    if g < 2:
        raise ValueError(
            "clusters must hold at least 2 distinct clusters; got "
            f"{g}. Omit clusters for one multiplier per unit."
        )
    return codes.astype(np.intp), g


def check_covariates(covariates, n):
    """Covariates as an (n, k) float array centred at their means, or None."""
    if covariates is None:
        return None
    Z = covariates
    if not isinstance(Z, str | bytes) and not hasattr(Z, "columns"):
        Z = as_array(Z, name="covariates")
        if Z.ndim == 1:
            Z = Z[:, None]
    Z = check_2d(Z, name="covariates")
    if Z.shape[0] != n:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"x has {n}, covariates has {Z.shape[0]}."
        )
    Z = Z - Z.mean(axis=0)
    spread = np.max(np.abs(Z), axis=0)
    if np.any(spread == 0):
        j = int(np.flatnonzero(spread == 0)[0])
        raise ValueError(
            f"covariates column {j} is constant; drop it (the local fits already "
            "have intercepts)."
        )
    return Z


def check_xi(xi, n_multipliers, n_bootstrap, *, clustered):
    """Fixed multipliers (or None) and the number of bootstrap draws.

    ``xi`` needs one row per multiplier unit: ``n_multipliers`` is the number
    of units, or of clusters when ``clustered``. Without ``xi`` the number of
    draws is ``n_bootstrap``.
    """
    if xi is None:
        return None, int(n_bootstrap)
    xi = check_2d(xi, name="xi")
    if xi.shape[0] != n_multipliers:
        what = "cluster" if clustered else "unit"
        raise ValueError(
            f"xi must have one row per {what} ({n_multipliers}); got shape {xi.shape}."
        )
    return xi, xi.shape[1]


def monotonize_rule(monotonize, method, r3d_compat):
    """The monotonisation ``monotone="auto"`` stands for."""
    if monotonize != "auto":
        return monotonize
    if method == "frechet":
        return "isotonic"
    return "rearrangement" if r3d_compat else "sort"
