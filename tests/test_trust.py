"""Bad-input battery and finiteness checks over every public name.

Cases live beside each method's tests in ``tests/<method>/trust_cases.py``
(see :mod:`statnorm.utils._trust` for the contract). Each public name in a
public ``__all__`` must have a case, so a new name is covered automatically.
"""

import copy
import importlib
import importlib.util
import inspect
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.utils._param_validation import (
    InvalidParameterError,
    validate_parameter_constraints,
)

from statnorm.utils._trust import (
    PERTURBATIONS,
    Case,
    auto_bad_values,
    constraint_bad_values,
    finite_floats,
    parameter_constraints,
    perturb,
    public_names,
)

HERE = Path(__file__).parent


def _load_cases():
    cases = {}
    for path in sorted(HERE.glob("*/trust_cases.py")):
        spec = importlib.util.spec_from_file_location(
            f"_trust_cases_{path.parent.name}", path
        )
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name, cs in mod.CASES.items():
            assert name not in cases, f"{name} has cases in two files"
            cases[name] = list(cs) if isinstance(cs, list | tuple) else [cs]
    return cases


CASES = _load_cases()


def _public_names():
    return [name for name, _ in public_names()]


def test_every_public_name_has_a_case():
    missing = [n for n in _public_names() if n not in CASES]
    assert not missing, f"public names without a trust case: {missing}"


def _boolean_parameters(obj):
    f = obj.__init__ if inspect.isclass(obj) else obj
    try:
        params = inspect.signature(f).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return []
    return [p for p, v in params.items() if isinstance(v.default, bool)]


def _refuses_strings(obj, p):
    """Whether the parameter constraints of class ``obj`` refuse ``p="no"``."""
    constraints = getattr(obj, "_parameter_constraints", {})
    if p not in constraints:
        return False
    try:
        validate_parameter_constraints(
            {p: constraints[p]}, {p: "no"}, caller_name=obj.__name__
        )
    except InvalidParameterError as exc:
        return p in str(exc)
    return False


def test_every_boolean_parameter_is_checked():
    # a string such as "no" is truthy: a boolean parameter must refuse it,
    # either by its parameter constraint or in a case (auto_bad_values)
    unchecked = []
    for name, obj in public_names():
        in_cases = {p for case in CASES.get(name, []) for p in case.params}
        for p in _boolean_parameters(obj):
            if p in in_cases:
                continue
            if inspect.isclass(obj) and _refuses_strings(obj, p):
                continue
            unchecked.append(f"{name}({p}=...)")
    assert not unchecked, f"boolean parameters no case checks: {unchecked}"


def test_no_case_for_a_name_that_is_not_public():
    public = set(_public_names())
    stale = [n for n in CASES if n not in public]
    assert not stale, f"trust cases for names that are not public: {stale}"


_OBJECTS = dict(public_names())


def _accepted(call, name):
    """Whether ``call`` takes a keyword argument ``name``."""
    try:
        params = inspect.signature(call).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return False
    return name in params or any(v.kind is v.VAR_KEYWORD for v in params.values())


def _constraint_params(name, case):
    """``(parameter, generated bad values)`` for the parameters of a case
    that the public name's constraints declare: the case's own scalar
    parameters, and for a function every constrained keyword its call takes,
    so a new name needs no hand-written scalar cases."""
    constraints = parameter_constraints(_OBJECTS.get(name))
    for p, cs in sorted(constraints.items()):
        if p in case.arrays:
            continue
        is_function = not inspect.isclass(_OBJECTS.get(name))
        if p not in case.params and not (is_function and _accepted(case.call, p)):
            continue
        yield p, constraint_bad_values(cs)


def _params():
    for name, cs in sorted(CASES.items()):
        for i, case in enumerate(cs):
            cid = f"{name}[{case.id or i}]"
            yield pytest.param(case, None, None, id=f"{cid}-valid")
            for arg in case.arrays:
                for kind in PERTURBATIONS:
                    marks = ()
                    reason = case.skipped(arg, kind)
                    if reason:
                        marks = pytest.mark.skip(reason=reason)
                    yield pytest.param(
                        case, arg, kind, id=f"{cid}-{arg}-{kind}", marks=marks
                    )
            for p, bad in case.bad_params.items():
                for j, v in enumerate(bad):
                    yield pytest.param(
                        case, p, ("param", v), id=f"{cid}-{p}-bad{j}:{v!r:.20}"
                    )
            for p, valid in case.params.items():
                yield from _derived(case, cid, p, auto_bad_values(valid), "auto")
            for p, generated in _constraint_params(name, case):
                yield from _derived(case, cid, p, generated, "constraint")


def _derived(case, cid, p, values, label):
    """Bad values of ``p`` derived (``label``: "auto" or "constraint") rather
    than listed by the case: those not already listed, skippable as
    ``(p, label)``."""
    listed = case.bad_params.get(p, [])
    reason = case.skipped(p, label)
    marks = pytest.mark.skip(reason=reason) if reason else ()
    for j, v in enumerate(v for v in values if not _listed(v, listed)):
        yield pytest.param(
            case, p, ("param", v), id=f"{cid}-{p}-{label}{j}:{v!r:.20}", marks=marks
        )


def _listed(v, values):
    return any(type(v) is type(w) and v == w for w in values)


def _snapshot(arrays):
    return {k: copy.deepcopy(v) for k, v in arrays.items()}


def _same(v, w):
    if hasattr(v, "equals"):  # pandas, extension dtypes and pd.NA included
        return type(v) is type(w) and v.equals(w)
    if isinstance(v, np.ndarray):
        return isinstance(w, np.ndarray) and np.array_equal(
            w, v, equal_nan=v.dtype.kind in "fc"
        )
    if isinstance(v, list | tuple):
        return (
            type(v) is type(w)
            and len(v) == len(w)
            and all(_same(a, b) for a, b in zip(v, w, strict=True))
        )
    return True


def _assert_unchanged(before, after):
    for k, v in before.items():
        assert _same(v, after[k]), f"{k} was modified in place"


@pytest.mark.parametrize(("case", "arg", "kind"), list(_params()))
def test_trust(case: Case, arg, kind):
    arrays = dict(case.arrays)
    params = dict(case.params)
    before = _snapshot(arrays)
    if arg is None:  # the valid call: finite result, inputs untouched
        if case.warns is not None:
            with pytest.warns(case.warns):
                out = case.call(**arrays, **params)
        else:
            out = case.call(**arrays, **params)
        if case.nonfinite_ok is None:
            for a in finite_floats(out):
                assert np.all(np.isfinite(a)), (
                    f"SILENT: non-finite value in the result of a valid call: {a!r:.200}"
                )
        _assert_unchanged(before, arrays)
        return
    if isinstance(kind, tuple):  # a bad scalar parameter
        params[arg] = kind[1]
    else:
        try:
            arrays[arg] = perturb(arrays[arg], kind)
        except ValueError as e:  # e.g. cannot put NaN into an empty input
            pytest.skip(str(e))
        before = _snapshot(arrays)
    with warnings.catch_warnings():
        # a warning on bad input is not an answer: it must raise
        warnings.simplefilter("error")
        try:
            case.call(**arrays, **params)
        except (ValueError, TypeError) as exc:
            msg = str(exc)
        except Exception as exc:  # noqa: BLE001 - the point of the battery
            pytest.fail(
                f"INTERNAL: {type(exc).__name__} instead of ValueError/TypeError "
                f"for {arg}={kind}: {exc}"
            )
        else:
            pytest.fail(f"SILENT: no error for {arg}={kind}")
    assert arg in msg, f"UNNAMED: the message does not name {arg!r}: {msg!r}"
    _assert_unchanged(before, arrays)
