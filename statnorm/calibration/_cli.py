"""``statnorm calibrate`` and the calibration section of ``statnorm tour``."""

import time
from pathlib import Path

import numpy as np

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
}


def _metric_rows(y, P):
    from . import metrics as M

    return [
        ("accuracy", float((P.argmax(1) == y).mean())),
        ("ECE (15 bins)", M.expected_calibration_error(y, P)),
        ("class-wise ECE (sum)", M.classwise_ece(y, P)),
        ("ACE", M.adaptive_calibration_error(y, P)),
        ("KS error", M.ks_calibration_error(y, P)),
        ("NLL", M.negative_log_likelihood(y, P)),
        ("Brier", M.brier_score(y, P)),
    ]


def _make(method, random_state=0):
    from .. import calibration

    name, kw = _METHODS[method]
    cls = getattr(calibration, name)
    if name == "HCalibrator":
        kw = {**kw, "random_state": random_state}
    return cls(**kw)


def _run(args):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy.special import softmax

    from .._cliutils import load_array
    from ..results import SummaryTable
    from ._plot import ReliabilityDisplay

    X = load_array(args.logits, "logits")
    y = load_array(args.labels, "labels", ndmin=1)
    Xt = load_array(args.test, "test logits") if args.test else None
    yt = (
        load_array(args.test_labels, "test labels", ndmin=1)
        if args.test_labels
        else None
    )
    if yt is not None and Xt is None:
        from .._cliutils import CLIError

        raise CLIError("--test-labels needs --test")
    est = _make(args.method)
    est.set_params(input=args.input)
    t0 = time.perf_counter()
    est.fit(X, y)
    fit_s = time.perf_counter() - t0
    if Xt is not None and yt is not None:
        Xe, ye, where = Xt, np.asarray(yt).astype(np.int64), "test"
    else:
        Xe, ye, where = X, np.asarray(y).astype(np.int64), "calibration (in-sample)"
    Xe_arr = np.asarray(Xe, dtype=float)
    before = (
        Xe_arr / Xe_arr.sum(1, keepdims=True)
        if args.input == "probabilities"
        else softmax(Xe_arr, axis=1)
    )
    after = est.predict_proba(Xe)
    rows = [
        (name, b, a)
        for (name, b), (_, a) in zip(
            _metric_rows(ye, before), _metric_rows(ye, after), strict=True
        )
    ]
    table = SummaryTable(
        f"{type(est).__name__} ({args.method}), metrics on the {where} set",
        ("metric", "before", "after"),
        rows,
        notes=(f"fit in {fit_s:.2f} s on {len(y)} samples",),
    )
    print(table)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    target = est.predict_proba(Xt) if Xt is not None else after
    np.savetxt(out / "calibrated_proba.csv", target, delimiter=",", fmt="%.8g")
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ReliabilityDisplay.from_predictions(ye, before, name="uncalibrated", ax=ax)
    ReliabilityDisplay.from_predictions(ye, after, name=type(est).__name__, ax=ax)
    ax.set_title(f"reliability ({where})")
    fig.savefig(out / "reliability.png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {out / 'calibrated_proba.csv'} and {out / 'reliability.png'}")
    return 0


def add_subcommand(subparsers):
    """Register ``statnorm calibrate``."""
    p = subparsers.add_parser(
        "calibrate",
        help="recalibrate classifier logits (h-calibration and baselines)",
        description=(
            "Fit a recalibrator on validation logits and labels (.npy or .csv), "
            "print calibration metrics before/after, write calibrated "
            "probabilities and a reliability diagram."
        ),
    )
    p.add_argument("logits", help="validation logits, n x C (.npy or .csv)")
    p.add_argument("labels", help="validation labels in 0..C-1 (.npy or .csv)")
    p.add_argument("--test", help="logits to transform (.npy or .csv)")
    p.add_argument("--test-labels", help="labels of --test, for the metrics table")
    p.add_argument(
        "--method",
        default="hcal",
        choices=sorted(_METHODS),
        help="calibrator (default: %(default)s)",
    )
    p.add_argument(
        "--input",
        default="logits",
        choices=("logits", "probabilities"),
        help="what the score files hold (default: %(default)s)",
    )
    p.add_argument(
        "-o",
        "--output",
        default="statnorm-calibrate",
        help="output folder (default: %(default)s)",
    )
    p.set_defaults(func=_run)
