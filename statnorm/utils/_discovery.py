"""Registry of statnorm's public estimators, discovered from the subpackages.

A class is registered by being listed in a method subpackage's ``__all__``
and subclassing :class:`sklearn.base.BaseEstimator`; nothing else to edit.
"""

import importlib
import inspect

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClusterMixin,
    RegressorMixin,
    TransformerMixin,
)

from .. import METHODS

_TYPE_MIXINS = {
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "transformer": TransformerMixin,
    "cluster": ClusterMixin,
}


def _public_objects(modules):
    for mod_name in modules:
        module = importlib.import_module(f"statnorm.{mod_name}")
        for name in getattr(module, "__all__", ()):
            yield mod_name, name, getattr(module, name)


def all_estimators(type_filter=None, *, modules=METHODS):
    """List statnorm's public estimator classes.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer", "cluster"}, list of \
            those, or None, default=None
        Keep only estimators that subclass the matching scikit-learn mixin.
    modules : sequence of str, default=statnorm.METHODS
        Subpackages to search.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs, sorted by name; abstract classes and names
        starting with ``Base`` are left out.

    Examples
    --------
    >>> from statnorm.utils import all_estimators
    >>> all(name[0].isupper() for name, _ in all_estimators())
    True
    """
    if type_filter is not None:
        if not isinstance(type_filter, str | list | tuple):
            raise TypeError(
                "type_filter must be None, a str or a list of str. "
                f"Got {type_filter!r} instead."
            )
        wanted = [type_filter] if isinstance(type_filter, str) else list(type_filter)
        unknown = sorted(set(wanted) - set(_TYPE_MIXINS))
        if unknown:
            raise ValueError(
                f"type_filter must be None or among {sorted(_TYPE_MIXINS)}. "
                f"Got {unknown} instead."
            )
    found = {}
    for _, name, obj in _public_objects(modules):
        if not (inspect.isclass(obj) and issubclass(obj, BaseEstimator)):
            continue
        if name.startswith("Base") or inspect.isabstract(obj):
            continue
        if type_filter is not None and not any(
            issubclass(obj, _TYPE_MIXINS[t]) for t in wanted
        ):
            continue
        found[name] = obj
    return sorted(found.items())


def all_functions(*, modules=METHODS):
    """List statnorm's public functions (metrics, tests, transforms).

    Parameters
    ----------
    modules : sequence of str, default=statnorm.METHODS
        Subpackages to search.

    Returns
    -------
    functions : list of (str, callable)
        ``(qualified name, function)`` pairs, sorted by name.

    Examples
    --------
    >>> from statnorm.utils import all_functions
    >>> isinstance(all_functions(), list)
    True
    """
    out = [
        (f"statnorm.{mod}.{name}", obj)
        for mod, name, obj in _public_objects(modules)
        if inspect.isfunction(obj)
    ]
    return sorted(out, key=lambda t: t[0])
