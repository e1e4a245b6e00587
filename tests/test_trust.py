"""Bad-input battery and finiteness checks over every public name.

Cases live beside each method's tests in ``tests/<method>/trust_cases.py``
(see :mod:`statnorm.utils._trust` for the contract). Each public name in a
public ``__all__`` must have a case, so a new name is covered automatically.
"""

import copy
import importlib
import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest

from statnorm.utils._trust import (
    PERTURBATIONS,
    Case,
    finite_floats,
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


def test_no_case_for_a_name_that_is_not_public():
    public = set(_public_names())
    stale = [n for n in CASES if n not in public]
    assert not stale, f"trust cases for names that are not public: {stale}"


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


def _snapshot(arrays):
    return {k: copy.deepcopy(v) for k, v in arrays.items()}


def _assert_unchanged(before, after):
    for k, v in before.items():
        w = after[k]
        if hasattr(v, "to_numpy"):
            v, w = v.to_numpy(), w.to_numpy()
        if isinstance(v, np.ndarray):
            np.testing.assert_array_equal(w, v, err_msg=f"{k} was modified in place")
        elif isinstance(v, list):
            assert w == v, f"{k} was modified in place"


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
