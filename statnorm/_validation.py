"""Input and parameter validation shared by every statnorm module.

Messages follow scikit-learn's wording (see ``docs/contributing.rst``, "Validation"):
they name the argument, say what was expected, and what was received. The
sklearn common checks grep for the words "NaN", "inf", "1 sample",
"1 feature(s)" and "class", so those exact words appear below.

Private scikit-learn helpers (the callback context that ``fit_context``
enters, the parameter-constraint classes) are imported here and only here, so that a move in scikit-learn is a
one-file fix.
"""

import contextlib
import functools
import re
from numbers import Integral, Real

import numpy as np
from sklearn import config_context, get_config
from sklearn.utils import check_array
from sklearn.utils import check_random_state as _sk_check_random_state
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Interval,
    Options,
    StrOptions,
    validate_params,
)

try:  # scikit-learn >= 1.9: the teardown of estimator callbacks after fit
    from sklearn.callback._callback_support import (
        callback_management_context as _callback_context,
    )
except ImportError:  # pragma: no cover - older scikit-learn
    _callback_context = contextlib.nullcontext

__all__ = [
    "RANDOM_STATE",
    "HasMethods",
    "Hidden",
    "Interval",
    "Options",
    "StrOptions",
    "as_array",
    "check_1d",
    "check_bool",
    "check_2d",
    "check_array_nd",
    "check_classification_targets",
    "check_composition",
    "check_confidence_level",
    "check_consistent_length",
    "check_groups",
    "check_probabilities",
    "check_random_state",
    "check_same_n_features",
    "check_sample_weight",
    "fit_context",
    "spawn_seeds",
    "validate_data",
    "validate_params",
]


def fit_context(*, prefer_skip_nested_validation):
    """Decorate a ``fit`` method: validate parameters, and fit all or nothing.

    What scikit-learn's ``_fit_context`` does (validate the parameters,
    skip nested validation if asked, tear estimator callbacks down after
    ``fit``) plus an all-or-nothing guarantee: when ``fit``
    raises (a bad input found late, a callback raising, ``KeyboardInterrupt``)
    the estimator's attributes are put back exactly as they were before the
    call. An interrupted refit therefore leaves the previous fit intact (or
    the estimator unfitted), never a mix of the old state and the new data's
    ``classes_`` or ``n_features_in_``.

    Parameters
    ----------
    prefer_skip_nested_validation : bool
        Skip the parameter validation of inner estimators and functions called
        during ``fit`` (False for meta-estimators given estimator objects).

    Returns
    -------
    decorator : callable
        Applied to the ``fit`` method.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator
    >>> class Half(BaseEstimator):
    ...     _parameter_constraints: dict = {}
    ...
    ...     @fit_context(prefer_skip_nested_validation=True)
    ...     def fit(self, X):
    ...         self.n_features_in_ = len(X[0])
    ...         self.total_ = sum(map(sum, X))  # a str row raises TypeError
    ...         return self
    >>> est = Half().fit([[1, 2]])
    >>> try:
    ...     est.fit([["a", "b", "c"]])
    ... except TypeError:
    ...     pass
    >>> est.n_features_in_, est.total_
    (2, 3)
    """

    def decorator(fit_method):
        # One frame around the fit body, as scikit-learn's own decorator, so
        # that the stacklevel of a warning raised in fit still reaches the
        # caller.
        @functools.wraps(fit_method)
        def wrapper(estimator, *args, **kwargs):
            skip_all = get_config()["skip_parameter_validation"]
            if not skip_all:
                estimator._validate_params()
            before = dict(vars(estimator))  # shallow: fit rebinds, never mutates
            try:
                with (
                    config_context(
                        skip_parameter_validation=(
                            prefer_skip_nested_validation or skip_all
                        )
                    ),
                    _callback_context(estimator),
                ):
                    return fit_method(estimator, *args, **kwargs)
            except BaseException:
                # one assignment, so a second interrupt cannot land half-way
                estimator.__dict__ = before
                raise

        return wrapper

    return decorator


#: Parameter constraint for ``random_state`` everywhere in statnorm: an int in
#: [0, 2**32 - 1], a ``RandomState``, a ``Generator`` or None.
RANDOM_STATE = ["random_state", np.random.Generator]


def check_bool(value, *, name):
    """Return a boolean parameter as ``bool``; refuse anything else.

    Strings such as ``"no"`` are truthy and ``None`` or ``0`` are not
    booleans: all raise a TypeError naming the parameter.

    Parameters
    ----------
    value : object
        The parameter's value.
    name : str
        Parameter name used in the error message.

    Returns
    -------
    value : bool

    Examples
    --------
    >>> from statnorm._validation import check_bool
    >>> check_bool(True, name="annotate")
    True
    >>> check_bool("no", name="annotate")
    Traceback (most recent call last):
    ...
    TypeError: annotate must be True or False. Got 'no' of type str instead.
    """
    if not isinstance(value, bool | np.bool_):
        raise TypeError(
            f"{name} must be True or False. Got {value!r} of type "
            f"{type(value).__name__} instead."
        )
    return bool(value)


def check_random_state(random_state, *, name="random_state"):
    """Turn ``random_state`` into a :class:`numpy.random.RandomState`.

    Accepts what scikit-learn accepts (None, an int in [0, 2**32 - 1], a
    ``RandomState``) and also a :class:`numpy.random.Generator`, whose bit
    generator then drives the returned ``RandomState`` (drawing from it
    advances the user's generator, as drawing from a passed ``RandomState``
    does).

    Parameters
    ----------
    random_state : None, int, RandomState or Generator
        Source of randomness.
    name : str, default="random_state"
        Argument name used in error messages.

    Returns
    -------
    rng : numpy.random.RandomState
        The random state to draw from.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm._validation import check_random_state
    >>> check_random_state(np.random.default_rng(0)).randint(10) >= 0
    True
    """
    if isinstance(random_state, np.random.Generator):
        return np.random.RandomState(random_state.bit_generator)
    if isinstance(random_state, bool) or not (
        random_state is None
        or isinstance(random_state, np.random.RandomState)
        or (isinstance(random_state, Integral) and 0 <= random_state < 2**32)
    ):
        raise ValueError(
            f"{name} must be None, an int in the range [0, 2**32 - 1], a "
            f"numpy RandomState or a numpy Generator. Got {random_state!r} instead."
        )
    return _sk_check_random_state(random_state)


def _pandas_dtypes(X):
    """The column dtypes of a pandas DataFrame or Series; None for anything else."""
    module = type(X).__module__
    if module.split(".")[0] != "pandas" or not hasattr(X, "dtypes"):
        return None
    return [X.dtype] if getattr(X, "ndim", 2) == 1 else list(X.dtypes)


def _is_text_dtype(dt):
    return getattr(dt, "kind", None) in ("O", "S", "U") and (
        not isinstance(dt, np.dtype) or dt.kind in "SU"
    )


def _check_rectangular(X, name):
    """A nested list must convert to one rectangular array; name it if not."""
    if not isinstance(X, list | tuple):
        return
    try:
        np.asarray(X)
    except ValueError as exc:
        raise ValueError(
            f"{name} must be a rectangular array-like (rows of equal length, "
            f"entries that are numbers); {exc}"
        ) from None


def _reject_pandas_text(X, name):
    """A pandas object with string columns holds text, even numeric text."""
    for dt in _pandas_dtypes(X) or ():
        if _is_text_dtype(dt) and not (isinstance(dt, np.dtype) and dt.kind == "O"):
            raise TypeError(
                f"{name} must hold real numbers; got a pandas object with a column "
                f"of dtype {dt} (text). Convert it with pd.to_numeric first."
            )


def _pandas_numeric(X):
    """Pandas extension numbers (``Int64``, ``Float64``, ``boolean``) as float64.

    A missing value (``pd.NA``) becomes NaN, which the NaN checks then
    report; anything else is returned unchanged.
    """
    dtypes = _pandas_dtypes(X)
    if not dtypes or all(isinstance(dt, np.dtype) for dt in dtypes):
        return X
    if any(_is_text_dtype(dt) or getattr(dt, "kind", "O") not in "biuf" for dt in dtypes):
        return X
    return X.to_numpy(dtype=np.float64, na_value=np.nan)


def as_array(a, *, name):
    """``np.asarray`` for validators: errors name the argument.

    A ragged nested list raises a ValueError naming ``name``; pandas
    extension numbers (``Int64``, ``Float64``, ``boolean``) become float64
    with ``pd.NA`` as NaN, for the NaN checks that follow.

    Parameters
    ----------
    a : array-like
        The input.
    name : str
        Argument name used in error messages.

    Returns
    -------
    arr : ndarray
        ``a`` as an array (not validated further).

    Examples
    --------
    >>> from statnorm._validation import as_array
    >>> as_array([[1, 2], [3]], name="X")
    Traceback (most recent call last):
    ...
    ValueError: X must be a rectangular array-like (rows of equal length, entries that are numbers); ...
    """
    _check_rectangular(a, name)
    return np.asarray(_pandas_numeric(a))


def _reject_bad_kinds(X, name):
    """Reject inputs that cannot be real-valued arrays at all.

    ``None``, strings and pandas text columns raise TypeError; ragged nested
    lists raise ValueError; complex values raise ValueError with
    scikit-learn's wording ("Complex data not supported"), which its common
    check ``check_complex_data`` expects.
    """
    if X is None:
        raise TypeError(f"{name} must be an array-like of numbers. Got None instead.")
    if isinstance(X, str | bytes):
        raise TypeError(
            f"{name} must be an array-like of numbers. Got a {type(X).__name__} instead."
        )
    _check_rectangular(X, name)
    _reject_pandas_text(X, name)
    if not isinstance(getattr(X, "dtype", None), np.dtype):
        return  # a list, a DataFrame, or a pandas extension dtype
    if np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError(
            f"Complex data not supported: {name} must hold real numbers; got an "
            f"array of dtype {X.dtype} instead."
        )
    if (
        X.dtype.kind in "SUO"
        and X.size
        and isinstance(np.asarray(X).ravel()[0], str | bytes)
    ):
        raise TypeError(
            f"{name} must hold real numbers; got an array of dtype {X.dtype} instead."
        )


@contextlib.contextmanager
def _named(name):
    """Make sure a ValueError from scikit-learn's checks names the argument."""
    try:
        yield
    except ValueError as exc:
        msg = str(exc)
        if re.search(rf"\b{re.escape(name)}\b", msg):
            raise
        raise ValueError(f"{name}: {msg}") from None


def _check_min(n, minimum, what, name, shape):
    if n < minimum:
        raise ValueError(
            f"{name} has {n} {what}(s) (shape={shape}) while a minimum of {minimum} "
            f"is required."
        )


def check_2d(
    X,
    *,
    name="X",
    dtype=np.float64,
    min_samples=1,
    min_features=1,
    allow_nan=False,
    order="C",
    copy=False,
):
    """Validate a 2-D array of real numbers and return it as ``dtype``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Input to validate.
    name : str, default="X"
        Argument name used in error messages.
    dtype : dtype, default=np.float64
        Output dtype.
    min_samples, min_features : int, default=1
        Smallest accepted number of rows and columns.
    allow_nan : bool, default=False
        Whether NaN is accepted (infinity never is).
    order : {"C", "F"} or None, default="C"
        Memory layout of the result, so that Numba kernels see one layout.
    copy : bool, default=False
        Force a copy even when no conversion is needed.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The validated array; never the caller's object when ``copy=True``.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, contains NaN or infinity, complex values, or is
        too small.
    TypeError
        If ``X`` is ``None``, a string, or holds strings.

    Examples
    --------
    >>> from statnorm._validation import check_2d
    >>> check_2d([[1, 2], [3, 4]]).dtype
    dtype('float64')
    >>> check_2d([[1.0, float("nan")]], name="logits")
    Traceback (most recent call last):
    ...
    ValueError: Input logits contains NaN.
    """
    _reject_bad_kinds(X, name)
    X = _pandas_numeric(X)
    with _named(name):
        X = check_array(
            X,
            dtype=dtype,
            order=order,
            copy=copy,
            ensure_all_finite="allow-nan" if allow_nan else True,
            ensure_2d=True,
            ensure_min_samples=0,
            ensure_min_features=0,
            input_name=name,
        )
    _check_min(X.shape[0], max(min_samples, 1), "sample", name, X.shape)
    _check_min(X.shape[1], max(min_features, 1), "feature", name, X.shape)
    return X


def check_1d(y, *, name="y", dtype=np.float64, min_samples=1, allow_nan=False):
    """Validate a 1-D array (a column vector of shape (n, 1) is accepted).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Input to validate.
    name : str, default="y"
        Argument name used in error messages.
    dtype : dtype or None, default=np.float64
        Output dtype; ``None`` keeps the input's dtype (for labels).
    min_samples : int, default=1
        Smallest accepted length.
    allow_nan : bool, default=False
        Whether NaN is accepted.

    Returns
    -------
    y : ndarray of shape (n_samples,)
        The validated array.

    Raises
    ------
    ValueError
        If ``y`` has more than one column, NaN or infinity, or is too short.
    TypeError
        If ``y`` is ``None`` or a string.

    Examples
    --------
    >>> from statnorm._validation import check_1d
    >>> check_1d([[1], [2], [3]]).shape
    (3,)
    >>> check_1d([[1, 2], [3, 4]], name="x")
    Traceback (most recent call last):
    ...
    ValueError: x should be a 1d array, got an array of shape (2, 2) instead.
    """
    if y is None or isinstance(y, str | bytes):
        raise TypeError(
            f"{name} must be a 1d array-like. Got {type(y).__name__} instead."
        )
    _check_rectangular(y, name)
    if dtype is not None:
        _reject_pandas_text(y, name)
    arr = np.asarray(_pandas_numeric(y))
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(
            f"{name} should be a 1d array, got an array of shape {arr.shape} instead."
        )
    numeric = dtype is not None or arr.dtype.kind in "biufc"
    if numeric:
        _reject_bad_kinds(arr, name)
    with _named(name):
        arr = check_array(
            arr,
            dtype=dtype if dtype is not None else None,
            ensure_2d=False,
            ensure_all_finite=("allow-nan" if allow_nan else True)
            if numeric
            else False,
            ensure_min_samples=0,
            input_name=name,
        )
    _check_min(arr.shape[0], max(min_samples, 1), "sample", name, arr.shape)
    return arr


def check_consistent_length(**arrays):
    """Check that named arrays have the same number of samples.

    Parameters
    ----------
    **arrays : array-like
        Arrays keyed by their argument names; ``None`` values are skipped.

    Raises
    ------
    ValueError
        Naming each argument and its length when they differ.

    Examples
    --------
    >>> from statnorm._validation import check_consistent_length
    >>> check_consistent_length(logits=[[0, 1]] * 3, y=[0, 1])
    Traceback (most recent call last):
    ...
    ValueError: Found input variables with inconsistent numbers of samples: logits has 3, y has 2.
    """
    lengths = {k: len(v) for k, v in arrays.items() if v is not None}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: {detail}."
        )


def check_same_n_features(X, Y, *, names=("X", "Y")):
    """Check that two 2-D samples live in the same space.

    Parameters
    ----------
    X, Y : ndarray of shape (n, d) and (m, d)
        Validated samples.
    names : tuple of str, default=("X", "Y")
        Argument names used in the error message.

    Raises
    ------
    ValueError
        If the numbers of columns differ.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm._validation import check_same_n_features
    >>> check_same_n_features(np.ones((3, 5)), np.ones((3, 4)))
    Traceback (most recent call last):
    ...
    ValueError: X and Y must have the same number of features; got 5 and 4.
    """
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same number of features; "
            f"got {X.shape[1]} and {Y.shape[1]}."
        )


def check_classification_targets(y, *, name="y", min_classes=2):
    """Validate class labels and return ``(classes, y_encoded)``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Discrete class labels (integers, strings or booleans).
    name : str, default="y"
        Argument name used in error messages.
    min_classes : int, default=2
        Smallest accepted number of distinct classes.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        Sorted distinct labels.
    y_encoded : ndarray of shape (n_samples,), dtype=int64
        Index of each label in ``classes``.

    Raises
    ------
    ValueError
        If the labels are continuous, or there are fewer than ``min_classes``
        classes.

    Examples
    --------
    >>> from statnorm._validation import check_classification_targets
    >>> check_classification_targets(["b", "a", "b"])
    (array(['a', 'b'], dtype='<U1'), array([1, 0, 1]))
    >>> check_classification_targets([0, 0, 0])
    Traceback (most recent call last):
    ...
    ValueError: y contains only 1 class (0); at least 2 classes are required.
    """
    from sklearn.utils.multiclass import type_of_target

    y = check_1d(y, name=name, dtype=None)
    kind = type_of_target(y, input_name=name)
    if kind not in ("binary", "multiclass"):
        raise ValueError(
            f"Unknown label type for {name}: {kind}. Expected discrete class labels "
            "(binary or multiclass)."
        )
    classes, y_enc = np.unique(y, return_inverse=True)
    if classes.size < min_classes:
        shown = ", ".join(str(c) for c in classes[:5])
        raise ValueError(
            f"{name} contains only {classes.size} class ({shown}); at least "
            f"{min_classes} classes are required."
        )
    return classes, y_enc.astype(np.int64)


def check_probabilities(P, *, name="proba", atol=1e-6):
    """Validate a matrix of class probabilities (rows on the simplex).

    Parameters
    ----------
    P : array-like of shape (n_samples, n_classes)
        Candidate probabilities.
    name : str, default="proba"
        Argument name used in error messages.
    atol : float, default=1e-6
        Tolerance on the row sums.

    Returns
    -------
    P : ndarray of shape (n_samples, n_classes)
        The validated float64 array.

    Raises
    ------
    ValueError
        If entries are negative or rows do not sum to 1 within ``atol``.

    Examples
    --------
    >>> from statnorm._validation import check_probabilities
    >>> check_probabilities([[0.5, 0.6]], name="y_prob")
    Traceback (most recent call last):
    ...
    ValueError: y_prob must lie in [0, 1] and rows must sum to 1 within 1e-06; got row sums in [1.1, 1.1].
    """
    P = check_2d(P, name=name, min_features=2)
    sums = P.sum(axis=1)
    if P.min() < 0 or P.max() > 1 + atol or np.abs(sums - 1).max() > atol:
        raise ValueError(
            f"{name} must lie in [0, 1] and rows must sum to 1 within {atol:g}; "
            f"got row sums in [{sums.min():.3g}, {sums.max():.3g}]"
            + (f" and min={P.min():.3g}." if P.min() < 0 else ".")
        )
    return P


def check_composition(X, *, name="X", allow_zeros=False, min_parts=2):
    """Validate compositional data: non-negative parts, no all-zero rows.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_parts)
        Parts of a whole (any positive scale; closure is not required).
    name : str, default="X"
        Argument name used in error messages.
    allow_zeros : bool, default=False
        Whether zero parts are accepted (they are not for log-ratios).
    min_parts : int, default=2
        Smallest accepted number of parts.

    Returns
    -------
    X : ndarray of shape (n_samples, n_parts)
        The validated float64 array.

    Raises
    ------
    ValueError
        On negative parts, all-zero rows, or (unless ``allow_zeros``) zeros.

    Examples
    --------
    >>> from statnorm._validation import check_composition
    >>> check_composition([[0.2, 0.8], [0.0, 1.0]])
    Traceback (most recent call last):
    ...
    ValueError: Input X contains zeros (1 value(s), first in column 0); log-ratio methods need strictly positive parts. Replace zeros before calling fit, e.g. with statnorm.compositional.multiplicative_replacement.
    """
    X = check_2d(X, name=name, min_features=min_parts)
    if (X < 0).any():
        row, col = np.argwhere(X < 0)[0]
        raise ValueError(
            f"Negative values in data passed to {name}: compositional parts must be "
            f"non-negative (got {X[row, col]:g} in row {row}, column {col})."
        )
    zero_rows = ~(X > 0).any(axis=1)
    if zero_rows.any():
        raise ValueError(
            f"Input {name} contains {int(zero_rows.sum())} all-zero row(s) (first: "
            f"row {int(np.flatnonzero(zero_rows)[0])}); a composition needs at least "
            "one positive part."
        )
    if not allow_zeros and (X == 0).any():
        cols = np.flatnonzero((X == 0).any(axis=0))
        raise ValueError(
            f"Input {name} contains zeros ({int((X == 0).sum())} value(s), first in "
            f"column {cols[0]}); log-ratio methods need strictly positive parts. "
            "Replace zeros before calling fit, e.g. with "
            "statnorm.compositional.multiplicative_replacement."
        )
    return X


def check_confidence_level(level, *, name="confidence_level"):
    """Check a confidence level in the open interval (0, 1) and return it.

    Parameters
    ----------
    level : float
        Candidate level.
    name : str, default="confidence_level"
        Argument name used in error messages.

    Returns
    -------
    level : float
        The level as a Python float.

    Raises
    ------
    ValueError
        If ``level`` is not a real number strictly between 0 and 1.

    Examples
    --------
    >>> from statnorm._validation import check_confidence_level
    >>> check_confidence_level(1.5)
    Traceback (most recent call last):
    ...
    ValueError: confidence_level must be a float in the range (0, 1). Got 1.5 instead.
    """
    if (
        isinstance(level, bool)
        or not isinstance(level, Real)
        or not 0 < float(level) < 1
    ):
        raise ValueError(
            f"{name} must be a float in the range (0, 1). Got {level!r} instead."
        )
    return float(level)


def spawn_seeds(random_state, n_tasks):
    """Derive one independent integer seed per task from ``random_state``.

    Resampling loops (permutations, bootstraps, CV folds) draw task ``i``'s
    randomness from ``seeds[i]`` only, so results do not depend on how tasks
    are split across threads, processes or Dask workers.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        Source of randomness, as everywhere in scikit-learn.
    n_tasks : int
        Number of seeds to draw.

    Returns
    -------
    seeds : ndarray of shape (n_tasks,), dtype=uint32
        Task seeds.

    Examples
    --------
    >>> from statnorm._validation import spawn_seeds
    >>> (spawn_seeds(0, 3) == spawn_seeds(0, 3)).all()
    np.True_
    """
    if not isinstance(n_tasks, Integral) or n_tasks < 0:
        raise ValueError(
            f"n_tasks must be a non-negative int. Got {n_tasks!r} instead."
        )
    rng = check_random_state(random_state)
    entropy = rng.randint(0, 2**32, size=4, dtype=np.uint64)
    children = np.random.SeedSequence([int(e) for e in entropy]).spawn(n_tasks)
    return np.array([c.generate_state(1)[0] for c in children], dtype=np.uint32)


_CHECK_ARRAY_KW = {
    "accept_sparse",
    "dtype",
    "order",
    "copy",
    "ensure_all_finite",
    "ensure_2d",
    "allow_nd",
    "ensure_min_samples",
    "ensure_min_features",
}


def validate_data(
    estimator, X="no_validation", y="no_validation", *, name="X", **kwargs
):
    """scikit-learn's ``validate_data`` whose errors always name ``X`` or ``y``.

    Same parameters and return value as
    :func:`sklearn.utils.validation.validate_data`; ``None``, strings,
    complex and object input are rejected first with a message naming the
    argument, and a ``ValueError`` that names neither argument is re-raised
    with the argument it concerns in front.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from statnorm._validation import validate_data
    >>> validate_data(BaseEstimator(), np.ones((0, 2)))
    Traceback (most recent call last):
    ...
    ValueError: X: Found array with 0 sample(s) (shape=(0, 2)) while a minimum of 1 is required by BaseEstimator.
    """
    from sklearn.utils.validation import validate_data as _sk_validate_data

    no_x = isinstance(X, str) and X == "no_validation"
    no_y = y is None or (isinstance(y, str) and y == "no_validation")
    if not no_x:
        _reject_bad_kinds(X, name)
    if not no_y and kwargs.get("y_numeric"):
        _reject_bad_kinds(y, "y")
    try:
        return _sk_validate_data(estimator, X, y, **kwargs)
    except ValueError as exc:
        msg = str(exc)
        if name != "X" and no_y:
            if re.search(rf"\b{re.escape(name)}\b", msg):
                raise
            raise ValueError(f"{name}: {msg}") from None
        if re.search(r"\b(X|y)\b", msg):
            raise
        if "inconsistent numbers of samples" in msg:
            raise ValueError(f"X and y: {msg}") from None
        who = "X"
        if not no_y and not no_x:
            try:
                check_array(
                    X, **{k: v for k, v in kwargs.items() if k in _CHECK_ARRAY_KW}
                )
            except ValueError:
                pass
            else:
                who = "y"
        elif no_x:
            who = "y"
        raise ValueError(f"{who if who == 'y' else name}: {msg}") from None


def check_array_nd(a, *, name, ndims=(1, 2), allow_inf=False, min_samples=1):
    """Validate a real array with one of ``ndims`` dimensions; return float64.

    For inputs whose shape is (n,) or (n, k) alike (interval bounds, quantile
    fans). NaN is never accepted; infinity only with ``allow_inf=True`` (e.g.
    an unbounded conformal interval).

    Examples
    --------
    >>> from statnorm._validation import check_array_nd
    >>> check_array_nd([1.0, float("inf")], name="upper", allow_inf=True).shape
    (2,)
    >>> check_array_nd([[[1.0]]], name="upper")
    Traceback (most recent call last):
    ...
    ValueError: upper must have 1 or 2 dimension(s); got shape (1, 1, 1).
    """
    _reject_bad_kinds(a, name)
    try:
        arr = np.array(_pandas_numeric(a), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array-like of numbers: {exc}") from None
    if arr.ndim not in ndims:
        raise ValueError(
            f"{name} must have {' or '.join(map(str, ndims))} dimension(s); got "
            f"shape {arr.shape}."
        )
    if np.isnan(arr).any():
        raise ValueError(f"Input {name} contains NaN.")
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"Input {name} contains infinity.")
    if arr.ndim and arr.shape[0] < min_samples:
        raise ValueError(
            f"{name} has {arr.shape[0]} sample(s) (shape={arr.shape}) while a "
            f"minimum of {min_samples} is required."
        )
    return arr


def check_sample_weight(sample_weight, X, *, name="sample_weight"):
    """Validate row weights for ``X``: None, or finite, non-negative, sum > 0.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
        Row weights (a scalar is not accepted: it would weight nothing).
    X : array-like of shape (n_samples, ...) or int
        The rows the weights belong to (or their number).
    name : str, default="sample_weight"
        Argument name used in error messages.

    Returns
    -------
    w : ndarray of shape (n_samples,) or None
        A float64 copy, or None when no weights were given.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm._validation import check_sample_weight
    >>> check_sample_weight([1, 2, 0], np.zeros((3, 2)))
    array([1., 2., 0.])
    >>> check_sample_weight([1, -1, 0], np.zeros((3, 2)))
    Traceback (most recent call last):
        ...
    ValueError: sample_weight must be non-negative; got a minimum of -1.
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, Real):
        raise TypeError(
            f"{name} must be an array of shape (n_samples,); got a scalar "
            f"{sample_weight!r}."
        )
    n = X if isinstance(X, Integral) else len(X)
    w = check_1d(sample_weight, name=name, min_samples=1)
    if w.shape[0] != n:
        raise ValueError(
            f"{name} has {w.shape[0]} entries but X has {n} samples; one weight "
            "per sample is expected."
        )
    if w.min() < 0:
        raise ValueError(f"{name} must be non-negative; got a minimum of {w.min():g}.")
    if not w.sum() > 0:
        raise ValueError(f"{name} must have a positive sum; got all zeros.")
    return np.array(w, dtype=np.float64)


def check_groups(groups, X, *, name="groups"):
    """Validate group labels for ``X`` (any hashable labels, one per row).

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm._validation import check_groups
    >>> check_groups(["a", "a", "b"], np.zeros((3, 1))).tolist()
    ['a', 'a', 'b']
    """
    if groups is None:
        return None
    g = np.asarray(groups)
    if g.ndim != 1 or g.shape[0] != len(X):
        raise ValueError(
            f"{name} must be 1-D with one label per sample ({len(X)}); got shape "
            f"{g.shape}."
        )
    if g.dtype.kind == "f" and not np.isfinite(g).all():
        raise ValueError(f"{name} holds NaN or infinite labels.")
    return g
