"""Validation helpers private to statnorm.quantile."""

from numbers import Real

import numpy as np

from .._validation import as_array, check_1d, check_2d, check_consistent_length

_PAIR_TOL = 1e-9


def check_quantiles(quantiles, *, name="quantiles"):
    """Return quantile levels as a sorted float64 array in (0, 1).

    Raises ValueError for levels outside (0, 1), unsorted or duplicated levels.
    A scalar is accepted and returned as an array of length 1.
    """
    if quantiles is None or isinstance(quantiles, str | bytes):
        raise TypeError(
            f"{name} must be a float or a sequence of floats in (0, 1). "
            f"Got {quantiles!r} instead."
        )
    arr = np.atleast_1d(as_array(quantiles, name=name))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 1d sequence of levels; got shape {arr.shape}."
        )
    if arr.dtype.kind not in "iuf" or arr.dtype.kind == "b":
        raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}.")
    arr = arr.astype(np.float64)
    bad = ~((arr > 0) & (arr < 1))
    if bad.any():
        raise ValueError(
            f"{name} must lie strictly between 0 and 1; got {arr[bad][0]!r}."
        )
    d = np.diff(arr)
    if (d == 0).any():
        raise ValueError(
            f"{name} contains duplicated levels ({arr[1:][d == 0][0]!r}); each "
            "level may appear once."
        )
    if (d < 0).any():
        raise ValueError(
            f"{name} must be sorted in increasing order; got {arr.tolist()}."
        )
    return arr


def is_scalar_level(quantiles):
    return isinstance(quantiles, Real) or np.ndim(quantiles) == 0


def central_pairs(tau, *, name="quantiles"):
    """Indices of symmetric level pairs and of the median.

    Returns ``(lo_idx, hi_idx, alphas, median_idx)`` where interval ``j`` is
    ``[Q[:, lo_idx[j]], Q[:, hi_idx[j]]]`` with nominal coverage ``1 - alphas[j]``,
    outermost first; ``median_idx`` is None when 0.5 is not a level.
    """
    lo, hi = [], []
    for k, t in enumerate(tau):
        if t < 0.5 - _PAIR_TOL:
            j = np.flatnonzero(np.abs(tau - (1.0 - t)) <= _PAIR_TOL)
            if j.size == 0:
                raise ValueError(
                    f"{name} must be symmetric about 0.5 to form central intervals: "
                    f"level {t!r} has no partner {1.0 - t!r}."
                )
            lo.append(k)
            hi.append(int(j[0]))
        elif t > 0.5 + _PAIR_TOL and not (np.abs(tau - (1.0 - t)) <= _PAIR_TOL).any():
            raise ValueError(
                f"{name} must be symmetric about 0.5 to form central intervals: "
                f"level {t!r} has no partner {1.0 - t!r}."
            )
    med = np.flatnonzero(np.abs(tau - 0.5) <= _PAIR_TOL)
    lo = np.asarray(lo, dtype=np.intp)
    hi = np.asarray(hi, dtype=np.intp)
    alphas = 2.0 * tau[lo]
    return lo, hi, alphas, (int(med[0]) if med.size else None)


def check_y_Q(y, Q, tau, *, y_name="y_true", q_name="y_pred"):
    """Validate targets (n,) and a quantile matrix (n, m) matching ``tau``."""
    y = check_1d(y, name=y_name)
    Qa = as_array(Q, name=q_name) if not hasattr(Q, "dtype") else Q
    if np.ndim(Qa) == 1 and tau.size == 1:
        Qa = np.asarray(Qa).reshape(-1, 1)
    Q = check_2d(Qa, name=q_name)
    check_consistent_length(**{y_name: y, q_name: Q})
    if Q.shape[1] != tau.size:
        raise ValueError(
            f"{q_name} has {Q.shape[1]} columns but {tau.size} quantile levels were "
            "given; expected one column per level."
        )
    return y, Q


def rows(X, idx):
    """Rows ``idx`` of an array or DataFrame (``_safe_indexing``)."""
    from sklearn.utils import _safe_indexing

    return _safe_indexing(X, idx, axis=0)


def _is_frame(X):
    return hasattr(X, "iloc") and hasattr(X, "columns")


def handles_raw_X(models):
    """True when every model is a Pipeline (possibly frozen) that may encode X."""
    from sklearn.pipeline import Pipeline

    def one(m):
        inner = getattr(m, "estimator", None)
        if type(m).__name__ == "FrozenEstimator" and inner is not None:
            m = inner
        return isinstance(m, Pipeline)

    models = list(models)
    return bool(models) and all(one(m) for m in models)


def validate_passthrough(
    est, X, y="no_validation", *, reset=True, lenient=True, **kwargs
):
    """Validate ``X`` (and ``y``) for a meta-estimator that hands ``X`` on.

    Numeric, finite input is validated as before (float64). A DataFrame is
    always handed on untouched (so that a ColumnTransformer can select its
    columns by name). Input the strict float64 check refuses (categorical or
    text columns, NaN) is handed on untouched as well, with only its shape,
    length and feature names checked, for an inner Pipeline that encodes or
    imputes; the strict error is returned so that the caller can raise it,
    naming ``X``, if the inner model refuses that input too.

    With ``lenient=False`` (the inner models are not Pipelines) input the
    strict check refuses is an error at once.

    Returns ``(X_for_models, y, strict_error)``; ``y`` is None when not given.
    """
    from sklearn.utils.validation import _num_samples

    from .._validation import check_1d, validate_data

    has_y = not (isinstance(y, str) and y == "no_validation")
    strict = None
    try:
        if has_y:
            Xv, yv = validate_data(est, X, y, dtype=np.float64, reset=reset, **kwargs)
        else:
            Xv = validate_data(est, X, dtype=np.float64, reset=reset, **kwargs)
            yv = None
    except (ValueError, TypeError) as exc:
        if not lenient or not (
            _is_frame(X) or (hasattr(X, "shape") and np.ndim(X) == 2)
        ):
            raise
        strict = exc
    if strict is None:
        return (X if _is_frame(X) else Xv), yv, None
    # lenient: shape, length and feature names only; y strictly
    from sklearn.utils.validation import validate_data as _sk_validate_data

    if np.ndim(X) != 2:
        raise strict
    _sk_validate_data(est, X, reset=reset, skip_check_array=True)
    n = _num_samples(X)
    min_samples = kwargs.get("ensure_min_samples", 1)
    if n < min_samples:
        raise strict
    yv = None
    if has_y:
        yv = check_1d(y, name="y")
        if yv.shape[0] != n:
            raise ValueError(
                f"X and y: Found input variables with inconsistent numbers of "
                f"samples: [{n}, {yv.shape[0]}]."
            )
    return X, yv, strict


class reraise_strict:
    """Context: an inner model's refusal of passed-through X raises the strict error."""

    def __init__(self, strict):
        self.strict = strict

    def __enter__(self):
        return self

    def __exit__(self, typ, exc, tb):
        if (
            self.strict is None
            or exc is None
            or not isinstance(exc, ValueError | TypeError)
        ):
            return False
        raise type(self.strict)(
            f"{self.strict} (passed on untouched, the inner model refused it too: "
            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        ) from exc


def numeric_X(X, strict, why):
    """``X`` as float64 where statnorm itself needs numbers (e.g. local weights)."""
    if strict is not None:
        raise type(strict)(f"{strict} ({why} need numeric features)")
    return np.asarray(X, dtype=np.float64)
