"""Model files: saved and loaded with skops, trusting exact types only."""

from __future__ import annotations

from pathlib import Path

from ._parser import CLIError


def save_model(estimator, path):
    """Save a fitted estimator with skops (safe to share; no pickle).

    Raises a ``CLIError`` if skops is not installed.
    """
    sio = _skops()
    p = Path(path)
    if p.suffix != ".skops":
        raise CLIError(f"--save: use a .skops file name; got {path}")
    sio.dump(estimator, p)
    return p


#: The types statnorm's own models are saved as, beyond those skops trusts by
#: default (NumPy arrays and dtypes, containers, scikit-learn estimators):
#: exactly the classes that ``--save`` writes (``tests/test_cli_models.py``
#: derives this set by saving every model the subcommands can save). Names
#: are exact: no module, and so no function such as ``builtins.eval``, is
#: trusted as a whole.
TRUSTED_TYPES = frozenset(
    {
        "statnorm.calibration._baselines.HistogramBinning",
        "statnorm.calibration._baselines.IsotonicCalibrator",
        "statnorm.calibration._baselines.MatrixScaling",
        "statnorm.calibration._baselines.TemperatureScaling",
        "statnorm.calibration._baselines.VectorScaling",
        "statnorm.calibration._hcal.HCalibrator",
        "statnorm.calibration._maps._MonotoneNetwork",
        "statnorm.calibration._maps._PiecewiseLinear",
        "statnorm.calibration._maps._TemperatureEnsemble",
        "statnorm.calibration._parametric.BetaCalibration",
        "statnorm.calibration._parametric.SigmoidCalibration",
        "statnorm.kde._estimator.HighDimKDE",
        "statnorm.mmd._kernel.DeepKernel",
    }
)


def load_model(path, *, expected=None, option="--apply"):
    """Load an estimator saved by :func:`save_model`, trusting exact types only.

    Beyond what skops trusts by default, only the types in
    :data:`TRUSTED_TYPES` are accepted; a file that holds any other type or
    function (``builtins.eval``, ``getattr``, ...) is refused before anything
    in it is built (skops never runs pickled code).
    """
    sio = _skops()
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{option}: no such file: {path}")
    try:
        untrusted = sio.get_untrusted_types(file=p)
    except Exception as exc:  # noqa: BLE001 - any parse error is a bad file
        raise ValueError(f"{option}: {path} is not a skops model file: {exc}") from None
    foreign = sorted(set(untrusted) - TRUSTED_TYPES)
    if foreign:
        shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise ValueError(
            f"{option}: {path} holds {len(foreign)} type(s) or function(s) that "
            f"no statnorm model is saved with ({shown}); refusing to load it."
        )
    est = sio.load(p, trusted=untrusted)
    if expected is not None and not isinstance(est, expected):
        raise ValueError(
            f"{option}: {path} holds a {type(est).__name__}, not a "
            f"{_type_names(expected)}."
        )
    return est


def _type_names(expected):
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(getattr(t, "__name__", str(t)) for t in types)


def _skops():
    try:
        import skops.io as sio
    except ImportError as exc:
        raise CLIError(
            "saving and loading models needs skops: pip install 'statnorm[cli]' "
            "(or pip install skops)"
        ) from exc
    return sio
