"""``statnorm kde``: fit a high-dimensional KDE, write log-densities, diagnose."""

import argparse
import time

import numpy as np

from .._cli._args import (
    add_model_options,
    add_output_options,
    add_random_state,
    add_table_options,
    configure_logging,
    examples,
    nonneg_int,
)
from .._cli._models import load_model, save_model
from .._cli._parser import CLIError, note
from .._cli._read import check_square_budget, load_array
from .._cli._write import emit, output_dir, write_frame

_SELECTORS = ("scott", "silverman", "normal_reference", "lcv", "kl_nn", "kl_gauss")


def _bandwidth(text):
    if text in _SELECTORS:
        return text
    try:
        value = float(text)
    except ValueError:
        value = np.nan
    if not (np.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(
            f"--bandwidth: expected a positive number or one of "
            f"{', '.join(_SELECTORS)}; got {text!r}"
        )
    return value


def _fit_or_load(args):
    from ._estimator import HighDimKDE

    if args.apply:
        if args.save:
            raise CLIError("--save and --apply exclude each other")
        if args.query is not None:
            raise CLIError("with --apply, DATA holds the query points; drop --query")
        kde = load_model(args.apply, expected=HighDimKDE)
        Q = load_array(args.data, "DATA", args=args)
        return kde, Q, f"{Q.shape[0]} query point(s) of {args.data}"
    kde = HighDimKDE(
        bandwidth=args.bandwidth,
        standardize=args.standardize,
        dtype=args.dtype,
        n_jobs=args.n_jobs,
        random_state=args.random_state,
    )
    X = load_array(args.data, "DATA", args=args)
    check_square_budget(X.shape[1], args, "DATA", args.data, "the kernel covariance")
    kde.fit(X)
    if args.save:
        save_model(kde, args.save)
        note(args, f"saved the fitted KDE to {args.save}")
    if args.query is None:
        return kde, None, f"{X.shape[0]} training point(s), leave-one-out"
    Q = load_array(args.query, "--query", args=args)
    return kde, Q, f"{Q.shape[0]} query point(s)"


def _run(args):
    import pandas as pd

    configure_logging(args)
    t0 = time.perf_counter()
    kde, Q, what = _fit_or_load(args)
    logdens = kde.score_samples_loo() if Q is None else kde.score_samples(Q)
    elapsed = time.perf_counter() - t0
    data = {
        "model": repr(kde),
        "n_features": int(kde.n_features_in_),
        "bandwidth_whitened": float(kde.bandwidth_whitened_),
        "evaluated": what,
        "mean_log_density": float(np.mean(logdens)),
        "log_density": logdens,
        "seconds": elapsed,
    }
    text = [
        (
            f"{kde!r} in {kde.n_features_in_} dimensions: whitened h = "
            f"{kde.bandwidth_whitened_:.4g}; log-density of {what} (mean "
            f"{np.mean(logdens):.4g}, {elapsed:.2f} s)"
        )
    ]
    if not args.no_report:
        rep = kde.regime_report(
            Q, n_query=args.n_query, random_state=args.random_state, warn=False
        )
        data["regime_report"] = rep
        text += ["", str(rep)]
    out = output_dir(args)
    if out is not None:
        path = write_frame(
            pd.DataFrame({"log_density": logdens}), out, "log_density.csv"
        )
        note(args, f"wrote {path}")
    elif not args.json:
        text.append("(use -o FOLDER to write the log-densities, or --json)")
    emit(args, text="\n".join(text), data=data)
    return 0


def add_subcommand(subparsers):
    """Register ``statnorm kde``."""
    p = subparsers.add_parser(
        "kde",
        help="high-dimensional KDE: log-densities and the statistical regime",
        description=(
            "Fit an exact Gaussian KDE to DATA (rows = points), compute the "
            "log-density of each query point (default: leave-one-out at each "
            "data point) and print the regime report: CLT, alpha-stable or "
            "extreme-value (Biroli & Mezard). With --apply, DATA holds query "
            "points for a KDE saved with --save. Files: CSV/TSV, parquet, "
            ".npy/.npz, or - for standard input."
        ),
        epilog=examples(
            "statnorm datasets concrete -o data",
            "statnorm kde data/concrete.csv -b lcv --save kde.skops -o out",
            "statnorm kde --apply kde.skops data/concrete.csv --no-report --json",
        ),
    )
    p.add_argument(
        "data", metavar="DATA", help="data points (or query points with --apply)"
    )
    p.add_argument("--query", metavar="Q", help="query points (default: leave-one-out)")
    p.add_argument(
        "-b",
        "--bandwidth",
        type=_bandwidth,
        default="scott",
        help=f"a positive number (data units) or one of {', '.join(_SELECTORS)}",
    )
    p.add_argument(
        "--standardize",
        choices=("full", "diagonal", "none"),
        default="full",
        help="data scale used by the selectors",
    )
    p.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        default="float64",
        help="precision of the distance computations",
    )
    p.add_argument(
        "--n-jobs", type=int, default=None, help="threads (default: 1; -1: all)"
    )
    p.add_argument(
        "--n-query",
        type=nonneg_int("--n-query"),
        default=200,
        help="training points used by the regime report",
    )
    p.add_argument("--no-report", action="store_true", help="skip the regime report")
    add_random_state(p)
    add_model_options(p, "KDE")
    add_table_options(p)
    add_output_options(p)
    p.set_defaults(func=_run)
