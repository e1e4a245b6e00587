"""Model files: exactly the types statnorm saves are trusted, nothing else.

The trusted set is derived here by saving every model a subcommand can save
(``calibrate --save`` for each ``--method`` and each h-calibration map,
``kde --save``, ``mmd --learn ... --save``) and asking skops which of their
types it does not trust by default; the shipped set must be exactly that.
Files that also hold a dangerous builtin are refused with one line.
"""

import builtins

import numpy as np
import pytest

from statnorm import _cli
from statnorm._cli._models import TRUSTED_TYPES

sio = pytest.importorskip("skops.io")


@pytest.fixture(scope="module")
def logits():
    rng = np.random.default_rng(0)
    S = rng.normal(size=(90, 3)) * 2
    y = rng.integers(0, 3, 90)
    S[np.arange(90), y] += 2
    return S, y


def _saved_models(S, y):
    from statnorm.calibration import HCalibrator
    from statnorm.calibration._cli import _METHODS, _make
    from statnorm.kde import HighDimKDE
    from statnorm.mmd._learn import KernelLearner

    for method in sorted(_METHODS):
        est = _make(method)
        if isinstance(est, HCalibrator):  # the types, not a converged fit
            est.set_params(max_iter=3)
        yield method, est.fit(S, y)
    for m in ("pwlinear", "ts_ensemble", "monotone_nn"):
        yield f"hcal map={m}", HCalibrator(map=m, max_iter=3).fit(S, y)
    yield "kde", HighDimKDE().fit(S)
    rng = np.random.default_rng(1)
    X, z = rng.normal(size=(40, 3)), np.r_[np.zeros(20), np.ones(20)]
    for objective in ("mmd-mp", "mmd-d"):
        for featurizer in ("linear", "mlp"):
            learner = KernelLearner(
                objective, featurizer=featurizer, max_iter=2, random_state=0
            )
            yield f"{objective} {featurizer}", learner.fit(X, z).kernel_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_trusted_types_are_exactly_what_statnorm_saves(logits, tmp_path):
    needed = set()
    for label, model in _saved_models(*logits):
        path = tmp_path / f"{label.replace(' ', '_').replace('=', '_')}.skops"
        sio.dump(model, path)
        needed |= set(sio.get_untrusted_types(file=path))
    assert needed == TRUSTED_TYPES
    assert all(t.startswith("statnorm.") for t in TRUSTED_TYPES)


DANGEROUS = ("eval", "exec", "getattr", "setattr", "__import__", "open", "compile")


@pytest.mark.parametrize("func", DANGEROUS)
def test_a_model_file_holding_a_dangerous_builtin_is_refused(
    func, logits, tmp_path, capsys
):
    from statnorm.calibration import TemperatureScaling

    S, y = logits
    est = TemperatureScaling().fit(S, y)
    est.hook_ = getattr(builtins, func)  # an attribute skops saves as a function
    model = tmp_path / "m.skops"
    sio.dump(est, model)
    np.save(tmp_path / "s.npy", S)
    status = _cli.main(["calibrate", "--apply", str(model), str(tmp_path / "s.npy")])
    err = capsys.readouterr().err
    assert status == 1
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "refusing to load" in err and f".{func}" in err  # io.open for open


def test_the_clean_model_still_applies(logits, tmp_path, capsys):
    import json

    from statnorm.calibration import TemperatureScaling

    S, y = logits
    model = tmp_path / "m.skops"
    sio.dump(TemperatureScaling().fit(S, y), model)
    np.save(tmp_path / "s.npy", S)
    argv = ["calibrate", "--apply", str(model), str(tmp_path / "s.npy"), "--json"]
    assert _cli.main(argv) == 0
    got = json.loads(capsys.readouterr().out)
    want = TemperatureScaling().fit(S, y).predict_proba(S)
    np.testing.assert_array_equal(got["probabilities"], want)
