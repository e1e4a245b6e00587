"""Unit-level quantile matrices and small curve utilities for R3D.

Everything here works on validated float64 arrays. The equal-size case is
fully vectorised (one sort of an ``(n_units, m)`` array and a gather); ragged
samples are padded with ``+inf`` so that the same gather works per row.
"""

import functools

import numpy as np

from .._parallel import check_dask_array, is_dask_array, map_row_blocks
from .._validation import as_array, check_1d, check_array_nd

__all__ = [
    "gini_from_quantiles",
    "long_to_samples",
    "quantile_matrix",
]


def _check_q_grid(q_grid):
    q = check_1d(q_grid, name="q_grid", min_samples=1)
    if np.any(q <= 0) or np.any(q >= 1):
        bad = q[(q <= 0) | (q >= 1)][0]
        raise ValueError(
            f"q_grid must hold quantile levels strictly inside (0, 1); got {bad!r}."
        )
    if q.size > 1 and np.any(np.diff(q) <= 0):
        raise ValueError("q_grid must be strictly increasing.")
    return q


def _type7_sorted(sorted_rows, counts, q):
    """Type-7 quantiles of rows sorted ascending, row i using its first counts[i]."""
    h = (counts[:, None] - 1.0) * q[None, :]
    lo = np.floor(h).astype(np.intp)
    frac = h - lo
    hi = np.minimum(lo + 1, counts[:, None].astype(np.intp) - 1)
    a = np.take_along_axis(sorted_rows, lo, axis=1)
    b = np.take_along_axis(sorted_rows, hi, axis=1)
    # a + frac * (b - a) without producing nan when frac == 0 and b is padding
    out = a + np.where(frac > 0, frac * (b - a), 0.0)
    return out


def _weighted_quantiles(y, w, q):
    """Hmisc ``wtd.quantile(normwt=TRUE)`` for one unit (type 'quantile').

    Zero weights are dropped, tied values pooled, weights rescaled to sum to
    the number of retained draws, and the order statistic of rank
    ``1 + (N - 1) q`` interpolated between the step-function inverses of the
    cumulative weights at ``floor`` and ``floor + 1``. With equal weights it
    equals the type-7 quantile.
    """
    keep = w != 0
    y, w = y[keep], w[keep]
    w = w * (y.size / w.sum())
    xs, inv = np.unique(y, return_inverse=True)
    wts = np.bincount(inv, weights=w)
    cw = np.cumsum(wts)
    n = cw[-1]
    order = 1.0 + (n - 1.0) * q
    low = np.maximum(np.floor(order), 1.0)
    high = np.minimum(low + 1.0, n)
    frac = order % 1.0

    def inv_cdf(t):
        # approx(cumsum, x, method="constant", f=1, rule=2): value at the first
        # knot >= t (exact knots return their own value).
        k = np.searchsorted(cw, t - 1e-12 * max(1.0, n), side="left")
        return xs[np.minimum(k, xs.size - 1)]

    return (1.0 - frac) * inv_cdf(low) + frac * inv_cdf(high)


def _is_frame(obj):
    return hasattr(obj, "columns") and hasattr(obj, "to_numpy")


def _frame_to_array(frame, name):
    """A pandas DataFrame read as an array: one row per unit, a column per draw."""
    bad = [c for c, t in frame.dtypes.items() if t.kind not in "biuf"]
    if bad:
        raise TypeError(
            f"{name} given as a DataFrame must hold one row per unit and one "
            f"numeric column per draw; column {bad[0]!r} has dtype "
            f"{frame.dtypes[bad[0]]}. For long-format data (one row per draw) "
            "use statnorm.rdd.long_to_samples."
        )
    return frame.to_numpy(dtype=np.float64, na_value=np.nan)


def _one_unit(a, name, i):
    """Unit ``i``'s draws as a 1-D float array (0-d: one draw)."""
    a = np.asarray(a)
    if a.ndim > 1:
        raise ValueError(
            f"{name}[{i}] must be 1-D (the draws of one unit); got shape "
            f"{a.shape}. Give each unit its own entry."
        )
    return a


def _as_samples(samples, name="samples"):
    """Return ``("matrix", array)`` or ``("ragged", list of 1-D arrays)``."""
    if samples is None or isinstance(samples, str | bytes):
        raise TypeError(
            f"{name} must be a list of per-unit arrays or an (n_units, m) array; "
            f"got {type(samples).__name__}."
        )
    if _is_frame(samples):
        samples = _frame_to_array(samples, name)
    if isinstance(samples, np.ndarray) and samples.dtype != object:
        arr = samples
        if arr.ndim != 2:
            raise ValueError(
                f"{name} given as an array must be 2-D (n_units, m); got shape "
                f"{arr.shape}. Pass a list of 1-D arrays for unequal sizes."
            )
        if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
            raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}.")
        return "matrix", np.asarray(arr, dtype=np.float64)
    units = []
    for i, s in enumerate(samples):
        a = _one_unit(s, name, i)
        if a.dtype == object or not (
            np.issubdtype(a.dtype, np.number) or a.dtype == bool
        ):
            raise TypeError(
                f"{name}[{i}] must be an array of real numbers; got dtype {a.dtype}."
            )
        if np.iscomplexobj(a):
            raise TypeError(f"{name}[{i}] must hold real numbers, not complex.")
        units.append(np.asarray(a, dtype=np.float64).ravel())
    if not units:
        raise ValueError(f"{name} is empty; at least one unit is required.")
    return "ragged", units


def _quantile_matrix_dask(samples, q, weights):
    """Row blocks of a Dask ``(n_units, m)`` samples array, mapped lazily."""
    if weights is not None:
        raise TypeError(
            "weights are not supported with a dask samples array; compute the "
            "weighted quantiles per unit first and pass them to fit_quantiles."
        )
    check_dask_array(samples, name="samples")
    if samples.shape[1] < 2:
        raise ValueError(
            f"samples has {samples.shape[1]} draw(s) per unit; each unit needs at "
            "least 2 draws to estimate its quantile function."
        )
    return map_row_blocks(
        functools.partial(quantile_matrix, q_grid=q), samples, n_outputs=q.size
    )


def quantile_matrix(samples, q_grid, weights=None):
    """Matrix of unit-level empirical quantiles ``Q[i, j] = Q_i(q_j)``.

    Parameters
    ----------
    samples : list of array-like, ndarray or dask.array.Array of shape (n_units, m)
        One sample per unit (at least 2 finite draws each): a list of 1-D
        arrays, or an array with one row per unit. A pandas DataFrame of
        shape (n_units, m) is read like the array (one row per unit, one
        column per draw). A Dask array is mapped lazily over row blocks (no
        weights) and a Dask array returned.
    q_grid : array-like of shape (n_q,)
        Strictly increasing quantile levels in (0, 1).
    weights : list of array-like, ndarray or DataFrame, optional
        Within-unit draw weights (non-negative, same shapes as ``samples``).
        Weighted quantiles follow ``Hmisc::wtd.quantile(normwt=TRUE)``, the
        rule used by the R package R3D; with equal weights they equal the
        unweighted ones.

    Returns
    -------
    Q : ndarray or dask.array.Array of shape (n_units, n_q)
        Type-7 (``numpy`` ``method="linear"``) quantiles of each unit.

    Raises
    ------
    ValueError
        On NaN or infinite draws, units with fewer than 2 draws, a unit given
        as a 2-D array, levels outside (0, 1), or weights that do not match
        the samples.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.rdd import quantile_matrix
    >>> quantile_matrix([[1.0, 2.0, 3.0], [0.0, 10.0]], [0.25, 0.5])
    array([[1.5, 2. ],
           [2.5, 5. ]])
    """
    q = _check_q_grid(q_grid)
    if is_dask_array(samples):
        return _quantile_matrix_dask(samples, q, weights)
    kind, data = _as_samples(samples)
    if kind == "matrix":
        if not np.all(np.isfinite(data)):
            raise ValueError(
                "Input samples contains NaN or infinity; drop missing draws first "
                "(pass a list of per-unit arrays for unequal sizes)."
            )
        if data.shape[0] < 1:
            raise ValueError("samples is empty; at least one unit is required.")
        if data.shape[1] < 2:
            raise ValueError(
                f"samples has {data.shape[1]} draw(s) per unit; each unit needs at "
                "least 2 draws to estimate its quantile function."
            )
        units = None
    else:
        units = data
        for i, u in enumerate(units):
            if u.size < 2:
                raise ValueError(
                    f"samples[{i}] has {u.size} draw(s); each unit needs at least 2 "
                    "draws to estimate its quantile function."
                )
            if not np.all(np.isfinite(u)):
                raise ValueError(
                    f"Input samples[{i}] contains NaN or infinity; drop missing "
                    "draws first."
                )
    if weights is not None:
        if _is_frame(weights):
            weights = _frame_to_array(weights, "weights")
        if units is None:
            units = list(data)
        if len(weights) != len(units):
            raise ValueError(
                f"weights has {len(weights)} entries but samples has {len(units)} "
                "units; pass one weight vector per unit."
            )
        out = np.empty((len(units), q.size))
        for i, (u, w) in enumerate(zip(units, weights)):
            w = np.asarray(_one_unit(w, "weights", i), dtype=np.float64).ravel()
            if w.shape != u.shape:
                raise ValueError(
                    f"weights[{i}] has {w.size} entries but samples[{i}] has "
                    f"{u.size} draws."
                )
            if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
                raise ValueError(
                    f"weights[{i}] must be finite, non-negative and not all zero."
                )
            out[i] = _weighted_quantiles(u, w, q)
        return out
    if units is None:
        s = np.sort(data, axis=1)
        h = (s.shape[1] - 1.0) * q
        lo = np.floor(h).astype(np.intp)
        hi = np.minimum(lo + 1, s.shape[1] - 1)
        a = s[:, lo]
        return a + (h - lo)[None, :] * (s[:, hi] - a)
    counts = np.array([u.size for u in units])
    width = counts.max()
    padded = np.full((len(units), width), np.inf)
    mask = np.arange(width)[None, :] < counts[:, None]
    padded[mask] = np.concatenate(units)
    padded.sort(axis=1)
    return _type7_sorted(padded, counts.astype(np.float64), q)


def long_to_samples(unit, values, running, treatment=None, weights=None):
    """Convert long-format data (one row per draw) to the arrays ``fit`` takes.

    Parameters
    ----------
    unit : array-like of shape (n_rows,)
        Unit identifier of each row (any hashable labels).
    values : array-like of shape (n_rows,)
        Outcome draw of each row.
    running : array-like of shape (n_rows,)
        Running variable, constant within a unit.
    treatment : array-like of shape (n_rows,), optional
        Treatment indicator (fuzzy designs), constant within a unit.
    weights : array-like of shape (n_rows,), optional
        Within-unit draw weights.

    Returns
    -------
    data : dict
        ``units`` (labels, sorted), ``x`` (n_units,), ``samples`` (list of
        arrays), and ``treatment`` and ``weights`` when given.

    Raises
    ------
    ValueError
        If lengths differ or the running variable (or treatment) varies within
        a unit.

    Examples
    --------
    >>> from statnorm.rdd import long_to_samples
    >>> d = long_to_samples(["a", "a", "b", "b"], [1.0, 2.0, 3.0, 5.0], [-1, -1, 2, 2])
    >>> d["x"], [s.tolist() for s in d["samples"]]
    (array([-1.,  2.]), [[1.0, 2.0], [3.0, 5.0]])
    """
    if unit is None or isinstance(unit, str | bytes):
        raise TypeError(f"unit must be a 1-D array of unit ids. Got {unit!r} instead.")
    unit = as_array(unit, name="unit")
    if unit.ndim != 1:
        raise ValueError(f"unit must be 1-D; got shape {unit.shape}.")
    if unit.size == 0:
        raise ValueError("unit has 0 sample(s); at least 1 is required.")
    if unit.dtype.kind == "c":
        raise TypeError("unit must hold real numbers or labels, not complex values.")
    if unit.dtype.kind == "f" and not np.all(np.isfinite(unit)):
        raise ValueError(
            "Input unit contains NaN or infinity: every row needs a unit id "
            "(a missing id would become a phantom unit)."
        )
    if unit.dtype.kind == "O" and any(
        v is None or (isinstance(v, float) and not np.isfinite(v)) for v in unit
    ):
        raise ValueError("Input unit contains missing ids (None or NaN).")
    values = check_1d(values, name="values")
    running = check_1d(running, name="running")
    arrays = {"unit": unit, "values": values, "running": running}
    if treatment is not None:
        arrays["treatment"] = check_1d(treatment, name="treatment")
    if weights is not None:
        arrays["weights"] = check_1d(weights, name="weights")
        if np.any(arrays["weights"] < 0):
            raise ValueError("weights must be non-negative.")
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise ValueError(f"Long-format columns have different lengths: {detail}.")
    labels, inv = np.unique(unit, return_inverse=True)
    order = np.argsort(inv, kind="stable")
    bounds = np.cumsum(np.bincount(inv, minlength=labels.size))[:-1]
    out = {"units": labels}
    for key in ("running", "treatment"):
        if key not in arrays:
            continue
        col = arrays[key]
        lo = np.full(labels.size, np.inf)
        hi = np.full(labels.size, -np.inf)
        np.minimum.at(lo, inv, col)
        np.maximum.at(hi, inv, col)
        if np.any(lo != hi):
            i = int(np.flatnonzero(lo != hi)[0])
            raise ValueError(
                f"{key} must be constant within each unit; unit {labels[i]!r} has "
                f"values from {lo[i]:g} to {hi[i]:g}."
            )
        out["x" if key == "running" else "treatment"] = lo
    out["samples"] = np.split(values[order], bounds)
    if weights is not None:
        out["weights"] = np.split(arrays["weights"][order], bounds)
    return out


def _gini(q, Q):
    """Gini of the columns of quantile matrix ``Q`` (no checks): (gini, mean).

    Columns with a non-positive mean get NaN (callers filter bootstrap draws).
    """
    Q = np.asarray(Q, dtype=np.float64)
    if Q.ndim == 1:
        Q = Q[:, None]
    if q[0] > 0:
        q = np.concatenate([[0.0], q])
        Q = np.vstack([Q[:1], Q])
    if q[-1] < 1:
        q = np.concatenate([q, [1.0]])
        Q = np.vstack([Q, Q[-1:]])
    dp = np.diff(q)[:, None]
    pieces = 0.5 * (Q[1:] + Q[:-1]) * dp
    mean = pieces.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lorenz = (
            np.vstack([np.zeros((1, Q.shape[1])), np.cumsum(pieces, axis=0)]) / mean
        )
    area = (0.5 * (lorenz[1:] + lorenz[:-1]) * dp).sum(axis=0)
    g = np.clip(1.0 - 2.0 * area, 0.0, 1.0)
    return np.where(mean > 0, g, np.nan), mean


def gini_from_quantiles(q_grid, quantile_function):
    """Gini coefficient of a distribution given by its quantile function.

    The quantile function is padded flat to levels 0 and 1, its mean and
    Lorenz curve are integrated by the trapezoid rule, and the result is
    clipped to [0, 1] (as in the R package R3D).

    Parameters
    ----------
    q_grid : array-like of shape (n_q,)
        Increasing quantile levels.
    quantile_function : array-like of shape (n_q,) or (n_q, k)
        Quantile values; columns are evaluated separately.

    Returns
    -------
    gini : float or ndarray of shape (k,)
        NaN where the mean is not positive (the Gini is then undefined).

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.rdd import gini_from_quantiles
    >>> q = np.arange(1, 100) / 100
    >>> round(float(gini_from_quantiles(q, q)), 3)  # uniform(0, 1): 1/3
    0.333
    """
    q = check_1d(q_grid, name="q_grid")
    if np.any(q < 0) or np.any(q > 1) or (q.size > 1 and np.any(np.diff(q) <= 0)):
        raise ValueError(
            "q_grid must hold strictly increasing quantile levels in [0, 1]."
        )
    Q = check_array_nd(quantile_function, name="quantile_function")
    one = Q.ndim == 1
    if one:
        Q = Q[:, None]
    if Q.shape[0] != q.size:
        raise ValueError(
            f"quantile_function has {Q.shape[0]} row(s) but q_grid has {q.size} "
            "level(s); they must match."
        )
    if Q.shape[0] > 1 and np.any(np.diff(Q, axis=0) < 0):
        raise ValueError(
            "quantile_function must be non-decreasing in the quantile level "
            "(monotonise it first, e.g. with numpy.maximum.accumulate)."
        )
    g, mean = _gini(q, Q)
    if np.any(mean <= 0):
        raise ValueError(
            "The Gini coefficient is defined for distributions with a positive "
            "mean; quantile_function has a non-positive mean"
            + ("." if one else f" in column(s) {np.flatnonzero(mean <= 0).tolist()}.")
        )
    return float(g[0]) if one else g


def check_n_units(Q, x, samples, q=None):
    """Raise unless the quantile matrix ``Q`` has one row per entry of ``x``.

    With ``q`` (the grid), ``Q`` is the user's ``quantiles`` argument of
    ``fit_quantiles`` and must also have one column per level.
    """
    if q is not None:
        if Q.shape[1] != q.size:
            raise ValueError(
                f"quantiles has {Q.shape[1]} columns but q_grid has {q.size} levels."
            )
        if Q.shape[0] != x.shape[0]:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"x has {x.shape[0]}, quantiles has {Q.shape[0]}."
            )
        return
    if Q.shape[0] == x.shape[0]:
        return
    hint = ""
    if hasattr(samples, "columns"):
        hint = (
            " A DataFrame is read as one row per unit; for long-format "
            "data (one row per draw) use statnorm.rdd.long_to_samples."
        )
    raise ValueError(
        "Found input variables with inconsistent numbers of samples: "
        f"x has {x.shape[0]}, samples has {Q.shape[0]} units.{hint}"
    )
