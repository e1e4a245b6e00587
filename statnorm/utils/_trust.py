"""The bad-input battery run over every public name (``tests/test_trust.py``).

Every name in a public ``__all__`` has at least one :class:`Case` in
``tests/<method>/trust_cases.py``: a callable and the valid inputs it takes, by
the names a user passes them as. The battery then

- calls it on the valid inputs and requires a finite result (every float found
  in the returned object) and unmodified inputs;
- replaces one array argument at a time by a bad version (a NaN, an inf, a
  -inf, no rows, an extra dimension, complex numbers, strings, ``None``, a
  list of rows one of which is shorter or 2-D, a pandas object of extension
  dtype ``Int64`` or ``Float64`` holding ``pd.NA``, or of ``string`` dtype)
  and requires a ``ValueError`` or ``TypeError`` whose message names that
  argument;
- replaces one scalar parameter at a time by each listed bad value, and by
  the values :func:`auto_bad_values` derives from its valid value (the
  strings ``"no"`` and ``"true"`` for a boolean, numbers for an option
  string), with the same requirement;
- for every parameter a public function declares in ``validate_params`` (and
  every scalar parameter of a case that the name's ``_parameter_constraints``
  declare), tries the values :func:`constraint_bad_values` generates from
  the constraints, with the same requirement. Estimator constructor
  parameters are checked the same way over every parameter by
  scikit-learn's ``check_param_validation`` (``tests/test_common.py``).

A perturbation that is valid input by the definition of the method (e.g. NaN
where missing values are documented as allowed) is listed in ``Case.skip`` with
the reason. A new public name without a case fails ``test_every_public_name``,
so coverage grows with the API.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = [
    "PERTURBATIONS",
    "PUBLIC_MODULES",
    "Case",
    "auto_bad_values",
    "constraint_bad_values",
    "finite_floats",
    "perturb",
    "public_names",
]

#: Every module with a public ``__all__`` (submodules of a method included).
PUBLIC_MODULES = (
    "statnorm.calibration",
    "statnorm.calibration.metrics",
    "statnorm.compositional",
    "statnorm.datasets",
    "statnorm.depth",
    "statnorm.kde",
    "statnorm.kde.theory",
    "statnorm.mmd",
    "statnorm.quantile",
    "statnorm.rdd",
    "statnorm.results",
    "statnorm.utils",
)


def public_names():
    """Yield ``(qualified name, object)`` for every public name of statnorm.

    Submodules listed in an ``__all__`` and warning/exception classes are left
    out (they take no data).
    """
    import importlib
    import inspect
    import types

    for modname in PUBLIC_MODULES:
        mod = importlib.import_module(modname)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if isinstance(obj, types.ModuleType):
                continue
            if inspect.isclass(obj) and issubclass(obj, Warning | Exception):
                continue
            yield f"{modname}.{name}", obj


@dataclasses.dataclass
class Case:
    """One valid call of a public name and how to break it.

    Parameters
    ----------
    call : callable
        ``call(**arrays, **params)`` runs the public name (for an estimator:
        construct, fit, and use the fitted method under test) and returns what
        the user gets back.
    arrays : mapping
        Valid array inputs, keyed by the argument name the user passes.
    params : mapping, default={}
        Valid scalar parameters, keyed by name, passed to ``call``.
    bad_params : mapping, default={}
        For each name in ``params``, a list of invalid values.
    skip : mapping, default={}
        ``{(argument, perturbation): reason}`` for perturbations that are valid
        input by definition (a skipped ``"strings"`` also skips
        ``"pd_string"``, a skipped ``"nan"`` the pandas missing values);
        ``(argument, "*")`` skips every perturbation of that argument, ``(parameter, "auto")`` the values
        :func:`auto_bad_values` derives for a parameter.
    nonfinite_ok : str or None, default=None
        Reason why the valid result may contain inf/NaN by definition (e.g. an
        unbounded conformal interval); None requires a finite result.
    warns : Warning subclass or None, default=None
        A documented warning the valid call emits (checked with
        ``pytest.warns``); None means the valid call must not warn.
    id : str, default=""
        Short label when a name has several cases.
    """

    call: Callable[..., Any]
    arrays: Mapping[str, Any]
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    bad_params: Mapping[str, list] = dataclasses.field(default_factory=dict)
    skip: Mapping[tuple[str, str], str] = dataclasses.field(default_factory=dict)
    nonfinite_ok: str | None = None
    warns: type[Warning] | None = None
    id: str = ""

    def skipped(self, arg, kind):
        same = _SAME_MEANING.get(kind)
        return (
            self.skip.get((arg, kind))
            or (same is not None and self.skip.get((arg, same)))
            or self.skip.get((arg, "*"))
        )


#: a pandas perturbation carries the meaning of a plain one: text, or a
#: missing value (NaN); a case that accepts the plain one accepts it too
_SAME_MEANING = {"pd_string": "strings", "pd_Int64_na": "nan", "pd_Float64_na": "nan"}


def _as_float(a):
    a = np.array(a, dtype=np.float64, copy=True)
    if a.size == 0:
        raise ValueError("cannot perturb an empty array")
    return a


def _with_value(value):
    def f(a):
        b = _as_float(a)
        b.flat[b.size // 2] = value
        return b

    return f


def _empty(a):
    a = np.asarray(a)
    return a[:0]


def _extra_dim(a):
    a = np.asarray(a)
    return np.stack([a, a], axis=-1)


def _complex(a):
    return _as_float(a) + 1j


def _strings(a):
    return np.full(np.shape(a), "a", dtype=object)


def _members(a):
    """The rows (entries of a 1-D input) of ``a`` as a list, and a middle index."""
    a = np.array(a, copy=True)
    if a.ndim == 0 or a.shape[0] == 0:
        raise ValueError("cannot make a list of rows from a scalar or no rows")
    return list(a), a.shape[0] // 2


def _ragged(a):
    rows, i = _members(a)
    r = np.asarray(rows[i])
    # a row one entry short (2-D input), or one entry that is a pair (1-D)
    rows[i] = r[:-1] if r.ndim else np.array([r, r])
    return rows


def _nested_2d(a):
    rows, i = _members(a)
    r = np.asarray(rows[i])
    rows[i] = np.stack([r, r]) if r.ndim else np.full((2, 2), r)
    return rows


def _pandas(dtype, with_na):
    """A DataFrame (2-D) or Series (1-D) of a pandas extension ``dtype``."""

    def f(a):
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is a test dependency
            raise ValueError("pandas is not installed") from None
        b = _as_float(a)
        if b.ndim not in (1, 2):
            raise ValueError("pandas holds only 1-D and 2-D data")
        if not np.all(np.isfinite(b)):
            raise ValueError("the valid input is not finite")
        if dtype == "Int64":
            b = np.round(b)
        obj = pd.Series(b) if b.ndim == 1 else pd.DataFrame(b)
        obj = obj.astype(str).astype(dtype) if dtype == "string" else obj.astype(dtype)
        if with_na:
            i = b.shape[0] // 2
            if b.ndim == 1:
                obj.iloc[i] = pd.NA
            else:
                obj.iloc[i, b.shape[1] // 2] = pd.NA
        return obj

    return f


PERTURBATIONS: dict[str, Callable[[Any], Any]] = {
    "nan": _with_value(np.nan),
    "inf": _with_value(np.inf),
    "neg_inf": _with_value(-np.inf),
    "empty": _empty,
    "extra_dim": _extra_dim,
    "complex": _complex,
    "strings": _strings,
    "none": lambda a: None,
    "ragged": _ragged,
    "nested_2d": _nested_2d,
    "pd_Int64_na": _pandas("Int64", with_na=True),
    "pd_Float64_na": _pandas("Float64", with_na=True),
    "pd_string": _pandas("string", with_na=False),
}


def auto_bad_values(value):
    """Invalid values derived from a parameter's valid ``value``.

    A boolean parameter refuses the strings ``"no"`` and ``"true"`` (both
    truthy, so a missing check reads them as True); an option given as a
    string refuses the numbers 0 and -1 (out of any enumeration).

    Parameters
    ----------
    value : object
        A valid value of the parameter.

    Returns
    -------
    bad : list
        Values the parameter must refuse (empty for other kinds of value).

    Examples
    --------
    >>> auto_bad_values(True)
    ['no', 'true']
    >>> auto_bad_values("sort")
    [0, -1]
    >>> auto_bad_values(0.5)
    []
    """
    if isinstance(value, bool | np.bool_):
        return ["no", "true"]
    if isinstance(value, str):
        return [0, -1]
    return []


def parameter_constraints(obj):
    """The scikit-learn parameter constraints of a public name, or ``{}``.

    A class's ``_parameter_constraints`` (checked by ``_validate_params`` in
    ``fit``), or those a function's ``validate_params`` decorator recorded.
    """
    found = getattr(obj, "_parameter_constraints", None)
    if found is None:
        found = getattr(obj, "_skl_parameter_constraints", None)
    return dict(found or {})


def constraint_bad_values(constraints):
    """Invalid values for one parameter, generated from its constraints.

    As scikit-learn's own parameter-validation check does: a value outside
    each constraint that can generate one (an interval, below and above it; a
    set of options), kept only if no other constraint of the list accepts it.

    Examples
    --------
    >>> from numbers import Integral
    >>> from sklearn.utils._param_validation import Interval, StrOptions
    >>> constraint_bad_values([Interval(Integral, 1, None, closed="left")])
    [0]
    >>> constraint_bad_values([Interval(Integral, 1, 5, closed="both")])
    [0, 6]
    >>> constraint_bad_values([StrOptions({"auto"}), None])
    ['not auto']
    """
    from numbers import Integral

    from sklearn.utils._param_validation import (
        Interval,
        InvalidParameterError,
        generate_invalid_param_val,
        make_constraint,
        validate_parameter_constraints,
    )

    if constraints == "no_validation":
        return []
    candidates = []
    for c in constraints:
        c = make_constraint(c)
        try:
            candidates.append(generate_invalid_param_val(c))
        except (NotImplementedError, ValueError):
            continue  # no value is outside it (e.g. a type or a callable)
        if isinstance(c, Interval) and c.left is not None and c.right is not None:
            candidates.append(c.right + (1 if c.type is Integral else 1e-6))
    out = []
    for v in candidates:
        try:
            validate_parameter_constraints(
                {"p": constraints}, {"p": v}, caller_name="constraint_bad_values"
            )
        except InvalidParameterError:
            if not any(type(v) is type(w) and v == w for w in out):
                out.append(v)
    return out


def perturb(value, kind):
    """Return a bad version of ``value`` (copied; the original is untouched)."""
    if hasattr(value, "to_numpy"):  # pandas
        value = value.to_numpy()
    return PERTURBATIONS[kind](value)


def finite_floats(obj, _depth=0):
    """Yield every float array or scalar reachable from a returned object.

    Walks arrays, numbers, tuples/lists/dicts, dataclasses and (fitted)
    attributes ending in ``_`` of estimators, to a small depth.
    """
    if _depth > 4 or obj is None:
        return
    if isinstance(obj, bool | str | bytes | type):
        return
    if isinstance(obj, float | complex | np.floating | np.complexfloating):
        yield np.asarray(obj)
        return
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc":
            yield obj
        elif obj.dtype.kind == "O":
            for v in obj.flat[:1000]:
                yield from finite_floats(v, _depth + 1)
        return
    if hasattr(obj, "to_numpy") and hasattr(obj, "dtypes"):  # pandas
        yield from finite_floats(obj.select_dtypes("number").to_numpy(), _depth + 1)
        return
    if isinstance(obj, Mapping):
        for v in obj.values():
            yield from finite_floats(v, _depth + 1)
        return
    if isinstance(obj, list | tuple):
        for v in obj[:1000]:
            yield from finite_floats(v, _depth + 1)
        return
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from finite_floats(getattr(obj, f.name), _depth + 1)
        return
    if hasattr(obj, "get_params"):  # a fitted estimator: its fitted attributes
        for k, v in vars(obj).items():
            if k.endswith("_") and not k.startswith("_"):
                yield from finite_floats(v, _depth + 1)
