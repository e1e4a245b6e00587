"""``statnorm kde``: fit a high-dimensional KDE, write log-densities, diagnose."""

import time
from pathlib import Path

import numpy as np

from .._cliutils import load_array

_SELECTORS = ("scott", "silverman", "normal_reference", "lcv", "kl_nn", "kl_gauss")


def _bandwidth(text):
    if text in _SELECTORS:
        return text
    try:
        value = float(text)
    except ValueError:
        import argparse

        raise argparse.ArgumentTypeError(
            f"expected a positive number or one of {', '.join(_SELECTORS)}; "
            f"got {text!r}"
        ) from None
    return value


def _run(args):
    from ._estimator import HighDimKDE

    X = load_array(args.data, "DATA")
    kde = HighDimKDE(
        bandwidth=args.bandwidth,
        standardize=args.standardize,
        dtype=args.dtype,
        n_jobs=args.n_jobs,
        random_state=args.seed,
    )
    t0 = time.perf_counter()
    kde.fit(X)
    if args.query is not None:
        Q = load_array(args.query, "--query")
        logdens = kde.score_samples(Q)
        what = f"{Q.shape[0]} query point(s)"
    else:
        logdens = kde.score_samples_loo()
        what = f"{X.shape[0]} training point(s), leave-one-out"
    elapsed = time.perf_counter() - t0
    out = Path(args.output)
    if out.is_dir() or not out.suffix:
        # a folder (existing, or a name without a file suffix) receives the file
        out.mkdir(parents=True, exist_ok=True)
        out = out / "log_density.npy"
    elif out.suffix.lower() not in (".npy", ".csv"):
        raise ValueError(
            f"--output: {args.output} must be a folder, a .npy or a .csv file."
        )
    if out.suffix.lower() == ".csv":
        np.savetxt(out, logdens, delimiter=",")
    else:
        np.save(out, logdens)
    print(
        f"HighDimKDE(bandwidth={args.bandwidth!r}, standardize={args.standardize!r})"
        f" on {X.shape[0]} x {X.shape[1]}: whitened h = "
        f"{kde.bandwidth_whitened_:.4g}; log-density of {what} written to {out} "
        f"(mean {np.mean(logdens):.4g}, {elapsed:.2f} s)"
    )
    if not args.no_report:
        rep = kde.regime_report(
            None if args.query is None else Q,
            n_query=args.n_query,
            random_state=args.seed,
            warn=False,
        )
        print()
        print(rep)
    return 0


def add_subcommand(subparsers):
    """Register ``statnorm kde``."""
    p = subparsers.add_parser(
        "kde",
        help="high-dimensional KDE: log-densities and the statistical regime",
        description=(
            "Fit an exact Gaussian KDE to DATA (rows = points), write the "
            "log-density of each query point (default: leave-one-out at each "
            "data point) and print the regime report: CLT, alpha-stable or "
            "extreme-value (Biroli & Mezard)."
        ),
    )
    p.add_argument("data", metavar="DATA", help="data points (.npy, .csv or .txt)")
    p.add_argument("--query", metavar="Q", help="query points (.npy, .csv or .txt)")
    p.add_argument(
        "-b",
        "--bandwidth",
        type=_bandwidth,
        default="scott",
        help=f"a number (data units) or one of {', '.join(_SELECTORS)} "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--standardize",
        choices=("full", "diagonal", "none"),
        default="full",
        help="data scale used by the selectors (default: %(default)s)",
    )
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    p.add_argument("--n-jobs", type=int, default=None, help="threads (-1: all)")
    p.add_argument(
        "-o",
        "--output",
        default="log_density.npy",
        help="where to write the log-densities: a .npy or .csv file, or a folder "
        "that receives log_density.npy (default: %(default)s)",
    )
    p.add_argument(
        "--n-query",
        type=int,
        default=200,
        help="training points used by the regime report (default: %(default)s)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--no-report", action="store_true", help="skip the regime report")
    p.set_defaults(func=_run)
