"""``statnorm calibrate``: fit, save and apply a recalibrator of classifier logits."""

import time

import numpy as np

from .._cli._args import (
    add_model_options,
    add_output_options,
    add_random_state,
    add_table_options,
    configure_logging,
    examples,
)
from .._cli._models import load_model, save_model
from .._cli._parser import CLIError, note
from .._cli._read import load_array
from .._cli._write import emit, output_dir, write_frame

_METHODS = {
    "hcal": ("HCalibrator", {}),
    "h-calibration": ("HCalibrator", {}),
    "hcal-auto": ("HCalibrator", {"map": "auto"}),
    "temperature": ("TemperatureScaling", {}),
    "vector": ("VectorScaling", {}),
    "matrix": ("MatrixScaling", {}),
    "dirichlet": ("MatrixScaling", {"reg_lambda": 1e-2, "reg_mu": 1e-2}),
    "isotonic": ("IsotonicCalibrator", {}),
    "histogram": ("HistogramBinning", {}),
    "sigmoid": ("SigmoidCalibration", {}),
    "beta": ("BetaCalibration", {}),
}


def _metrics(y, P):
    from . import metrics as M

    return {
        "accuracy": float((P.argmax(1) == y).mean()),
        "ECE (15 bins)": M.expected_calibration_error(y, P),
        "class-wise ECE (sum)": M.classwise_ece(y, P),
        "ACE": M.adaptive_calibration_error(y, P),
        "MCE (15 adaptive bins)": M.maximum_calibration_error(
            y, P, strategy="quantile"
        ),
        "KS error": M.ks_calibration_error(y, P),
        "NLL": M.negative_log_likelihood(y, P),
        "Brier": M.brier_score(y, P),
    }


def _make(method, random_state=0):
    from .. import calibration

    name, kw = _METHODS[method]
    est = getattr(calibration, name)(**kw)
    if "random_state" in est.get_params():
        est.set_params(random_state=random_state)
    return est


_HCAL_FLAGS = {
    "init": "--init",
    "grouping": "--grouping",
    "selector": "--selector",
    "cv": "--cv",
    "map_grid": "--map-grid",
}


def _set_hcal_options(est, args):
    """Apply the h-calibration flags; they are an error with other methods."""
    given = {k: getattr(args, k) for k in _HCAL_FLAGS if getattr(args, k) is not None}
    if not given:
        return
    if type(est).__name__ != "HCalibrator":
        flags = ", ".join(_HCAL_FLAGS[k] for k in given)
        raise CLIError(f"{flags}: only with --method hcal or hcal-auto")
    if "cv" in given and given["cv"] not in ("in-sample", "auto"):
        try:
            given["cv"] = int(given["cv"])
        except ValueError:
            raise CLIError(
                f"--cv: expected a number of folds >= 2, 'auto' or 'in-sample'; "
                f"got {given['cv']!r}"
            ) from None
        if given["cv"] < 2:
            raise CLIError(f"--cv: expected a number of folds >= 2; got {given['cv']}")
    est.set_params(**given)


def _labels(path, name, args, n):
    y = load_array(path, name, ndmin=1, args=args, n_rows=n)
    if y.ndim != 1:
        raise ValueError(f"{name}: {path} must hold one column of labels.")
    if len(y) != n:
        raise ValueError(f"{name}: {path} has {len(y)} labels for {n} rows of scores.")
    if not np.array_equal(y, np.round(y)):
        raise ValueError(f"{name}: {path} must hold integer class labels 0..C-1.")
    return y.astype(np.int64)


def _uncalibrated(S, input_kind):
    from scipy.special import softmax

    if input_kind == "probabilities":
        return S / S.sum(1, keepdims=True)
    return softmax(S, axis=1)


def _write_proba(P, folder):
    import pandas as pd

    cols = [f"p{j}" for j in range(P.shape[1])]
    return write_frame(pd.DataFrame(P, columns=cols), folder, "calibrated_proba.csv")


def _apply(args):
    from ._base import BaseCalibrator

    if args.save:
        raise CLIError("--save and --apply exclude each other")
    est = load_model(args.apply, expected=BaseCalibrator)
    S = load_array(args.scores, "SCORES", args=args)
    P = est.predict_proba(S)
    out = output_dir(args)
    data = {
        "model": type(est).__name__,
        "model_file": str(args.apply),
        "n_samples": len(P),
        "probabilities": P,
    }
    text = f"applied {type(est).__name__} from {args.apply} to {len(P)} rows"
    if args.labels is not None:
        y = _labels(args.labels, "LABELS", args, len(P))
        data["metrics"] = _metrics(y, P)
        text += "\n" + "\n".join(f"{k}: {v:.6g}" for k, v in data["metrics"].items())
    if out is not None:
        note(args, f"wrote {_write_proba(P, out)}")
    elif not args.json:
        text += "\n(use -o FOLDER to write the probabilities, or --json)"
    emit(args, text=text, data=data)
    return 0


def _check_classes(S, args):
    n, C = S.shape
    if C > n and args.method != "temperature":
        raise ValueError(
            f"SCORES: {args.scores} has {C} columns (classes) but {n} rows; "
            f"--method {args.method} needs at least as many rows as classes (it "
            "fits parameters per class, or makes one pass per class). Check "
            "that the file holds one row per sample (transpose it if it holds "
            "one row per class); --method temperature accepts it."
        )


def _fit_weights(est, args, n_rows):
    """``{"sample_weight": w}`` from ``--sample-weight`` (or ``{}``)."""
    if not args.sample_weight:
        return {}
    import inspect

    if "sample_weight" not in inspect.signature(est.fit).parameters:
        raise CLIError(
            f"--sample-weight: --method {args.method} takes no sample weights"
        )
    w = load_array(
        args.sample_weight, "--sample-weight", ndmin=1, args=args, n_rows=n_rows
    )
    if w.ndim != 1 or len(w) != n_rows:
        raise ValueError(
            f"--sample-weight: {args.sample_weight} must hold one weight per "
            f"row of SCORES ({n_rows})."
        )
    return {"sample_weight": w}


def _run(args):
    from ..results import SummaryTable

    configure_logging(args)
    if args.apply:
        return _apply(args)
    if args.labels is None:
        raise CLIError("LABELS is required to fit a calibrator (or use --apply)")
    if args.test_labels and not args.test:
        raise CLIError("--test-labels needs --test")
    S = load_array(args.scores, "SCORES", args=args)
    y = _labels(args.labels, "LABELS", args, len(S))
    St = load_array(args.test, "--test", args=args) if args.test else None
    yt = (
        _labels(args.test_labels, "--test-labels", args, len(St))
        if args.test_labels
        else None
    )
    _check_classes(S, args)
    est = _make(args.method, args.random_state).set_params(input=args.input)
    _set_hcal_options(est, args)
    fit_kw = _fit_weights(est, args, len(y))
    t0 = time.perf_counter()
    est.fit(S, y, **fit_kw)
    fit_s = time.perf_counter() - t0
    if yt is not None:
        Se, ye, where = St, yt, "test"
    else:
        Se, ye, where = S, y, "calibration (in-sample)"
    before, after = _uncalibrated(Se, args.input), est.predict_proba(Se)
    mb, ma = _metrics(ye, before), _metrics(ye, after)
    table = SummaryTable(
        f"{type(est).__name__} ({args.method}), metrics on the {where} set",
        ("metric", "before", "after"),
        [(k, mb[k], ma[k]) for k in mb],
        notes=(f"fit in {fit_s:.2f} s on {len(y)} samples",),
    )
    data = {
        "method": args.method,
        "model": type(est).__name__,
        "params": {
            k: v
            for k, v in est.get_params().items()
            if isinstance(v, int | float | str)
        },
        "n_samples": len(y),
        "evaluated_on": where,
        "metrics": {k: {"before": mb[k], "after": ma[k]} for k in mb},
        "fit_seconds": fit_s,
    }
    if args.save:
        data["model_file"] = str(save_model(est, args.save))
        note(args, f"saved the fitted {type(est).__name__} to {args.save}")
    out = output_dir(args)
    if out is not None:
        target = est.predict_proba(St) if St is not None else after
        written = [_write_proba(target, out)]
        written.append(_reliability(ye, before, after, type(est).__name__, where, out))
        note(args, "wrote " + " and ".join(map(str, written)))
    emit(args, text=table, data=data)
    return 0


def _reliability(y, before, after, name, where, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ._plot import ReliabilityDisplay

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ReliabilityDisplay.from_predictions(y, before, name="uncalibrated", ax=ax)
    ReliabilityDisplay.from_predictions(y, after, name=name, ax=ax)
    ax.set_title(f"reliability ({where})")
    path = out / "reliability.png"
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def add_subcommand(subparsers):
    """Register ``statnorm calibration`` (alias ``statnorm calibrate``)."""
    p = subparsers.add_parser(
        "calibration",
        aliases=["calibrate"],
        help="recalibrate classifier logits (h-calibration and baselines)",
        description=(
            "Fit a recalibrator on validation scores (logits or probabilities, one "
            "row per sample) and integer labels 0..C-1, print calibration metrics "
            "before and after, and optionally save the fitted calibrator. With "
            "--apply, a saved calibrator turns new scores into probabilities. "
            "Files: CSV/TSV (header optional; a pandas index column is dropped), "
            "parquet, .npy/.npz, or - for standard input."
        ),
        epilog=examples(
            "statnorm datasets cifar10_logits -o data",
            "statnorm calibration data/cifar10_logits_validation.csv "
            "data/cifar10_labels_validation.csv --test data/cifar10_logits_test.csv "
            "--test-labels data/cifar10_labels_test.csv --method temperature "
            "--save ts.skops -o out",
            "statnorm calibration --apply ts.skops data/cifar10_logits_test.csv --json",
        ),
    )
    p.add_argument(
        "scores",
        metavar="SCORES",
        help="validation logits (or probabilities, see --input), n x C",
    )
    p.add_argument(
        "labels",
        metavar="LABELS",
        nargs="?",
        help="validation labels 0..C-1 (optional with --apply: then metrics of the "
        "applied calibrator)",
    )
    p.add_argument("--test", metavar="SCORES", help="scores to calibrate after fitting")
    p.add_argument(
        "--test-labels", metavar="LABELS", help="labels of --test, for the metrics"
    )
    p.add_argument(
        "--method", default="hcal", choices=sorted(_METHODS), help="calibrator"
    )
    p.add_argument(
        "--sample-weight",
        metavar="WEIGHTS",
        help="one non-negative weight per validation row (default: equal weights)",
    )
    p.add_argument(
        "--input",
        default="logits",
        choices=("logits", "probabilities"),
        help="what the score files hold",
    )
    _add_hcal_options(p)
    add_random_state(p)
    add_model_options(p, "calibrator")
    add_table_options(p)
    add_output_options(p)
    p.set_defaults(func=_run)


def _add_hcal_options(p):
    """The option group of ``--method hcal`` / ``hcal-auto``."""
    h = p.add_argument_group("h-calibration (--method hcal or hcal-auto)")
    h.add_argument(
        "--init",
        choices=("temperature", "identity"),
        default=None,
        help="starting map: temperature scaling (default) or the authors' "
        "identity start",
    )
    h.add_argument(
        "--grouping",
        choices=("equal_mass", "kmeans"),
        default=None,
        help="probability groups of the objective (default: equal_mass)",
    )
    h.add_argument(
        "--selector",
        choices=("ece", "dece_l1", "dece_l2", "classwise_ece", "nll", "last"),
        default=None,
        help="with --cv in-sample: checkpoint criterion on the calibration "
        "set; 'last' keeps the converged map (default: ece)",
    )
    h.add_argument(
        "--cv",
        default=None,
        metavar="K",
        help="choose the number of steps (and with hcal-auto the map) on K "
        "held-out folds, 'auto' (3 folds, 2 beyond 4 million events; the "
        "default) or 'in-sample' for the authors' rule",
    )
    h.add_argument(
        "--map-grid",
        choices=("authors",),
        default=None,
        help="with hcal-auto: the authors' 12 candidate maps instead of the default 6",
    )
