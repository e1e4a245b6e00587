"""``statnorm quantile``: aggregate quantile models, conformalise, held-out WIS."""

from pathlib import Path

import numpy as np

from .._cli._args import (
    add_output_options,
    add_random_state,
    add_table_options,
    configure_logging,
    examples,
    nonneg_int,
    unit_interval,
)
from .._cli._parser import note
from .._cli._read import read_table, require_numeric
from .._cli._write import emit, output_dir, write_frame

DEFAULT_LEVELS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def _split(frame, args):
    if args.target not in frame.columns:
        raise ValueError(
            f"--target: {args.target!r} is not a column of {args.data}; columns: "
            f"{[str(c) for c in frame.columns]}"
        )
    y = frame[args.target].to_numpy(dtype=np.float64)
    require_numeric(frame, "DATA", args.data)
    X = frame.drop(columns=[args.target])
    if X.shape[1] == 0:
        raise ValueError(
            f"DATA: {args.data} has no feature columns besides the target."
        )
    X = X.to_numpy(dtype=np.float64)
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise ValueError(
            f"DATA: {args.data} holds missing or infinite values; remove or impute "
            "them."
        )
    return X, y


def _run(args):
    import pandas as pd
    from threadpoolctl import threadpool_limits

    from ._compare import compare
    from ._utils import check_quantiles

    configure_logging(args)
    tau = check_quantiles(args.quantiles)
    frame = read_table(
        args.data,
        "DATA",
        args=args,
        categories=dict(args.categories),
        one_hot=args.one_hot,
        numeric=False,
    )
    X, y = _split(frame, args)
    rng = np.random.default_rng(args.random_state)
    idx = rng.permutation(len(y))
    if args.max_rows and len(idx) > args.max_rows:
        idx = idx[: args.max_rows]
        note(args, f"using a random subsample of {args.max_rows} rows (--max-rows)")
    n_test = max(1, round(args.test_size * len(idx)))
    te, tr = idx[:n_test], idx[n_test:]
    with threadpool_limits(1):
        table, fans = compare(
            X[tr],
            y[tr],
            X[te],
            y[te],
            quantiles=tau,
            cv=args.cv,
            local=not args.no_local,
            random_state=args.random_state,
        )
    data = {
        "quantiles": tau,
        "n_train": len(tr),
        "n_test": len(te),
        "table": table.to_dict(),
    }
    out = output_dir(args)
    if out is not None:
        Q = fans["global medium + split CQR"]
        pred = pd.DataFrame(Q, columns=[f"q{t:g}" for t in tau])
        pred.insert(0, "y", y[te])
        pred.insert(0, "row", te)
        written = [
            write_frame(pred, out, "predictions.csv"),
            _fan(y[te], Q, tau, args, out),
        ]
        note(args, "wrote " + " and ".join(map(str, written)))
    emit(args, text=table, data=data)
    return 0


def _fan(y, Q, tau, args, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ._plot import QuantileFanDisplay

    ax = QuantileFanDisplay.from_predictions(
        y, Q, tau, name=f"{Path(args.data).name}: aggregate + CQR"
    ).ax_
    path = out / "fan.png"
    ax.figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(ax.figure)
    return path


def add_subcommand(subparsers):
    """Register ``statnorm quantile DATA --target COLUMN``."""
    p = subparsers.add_parser(
        "quantile",
        help="aggregate quantile models, conformalise, score held-out WIS",
        description=(
            "Fit default base quantile models (linear QR, gradient boosting, "
            "nearest neighbours), aggregate them (Fakoor et al. 2023), conformalise "
            "the aggregate, and print held-out WIS/coverage per model; -o writes "
            "the test predictions (with a header) and a fan chart. Files: CSV/TSV, "
            "parquet, or - for standard input. Text columns must be named with "
            "--categories (ordered) or --one-hot: they are never coded "
            "alphabetically."
        ),
        epilog=examples(
            "statnorm datasets diamonds -o data",
            "statnorm quantile data/diamonds.csv --target price --categories "
            "cut=Fair,Good,'Very Good',Premium,Ideal --one-hot color clarity "
            "--max-rows 2000 -o out",
            "statnorm datasets concrete -o data",
            "statnorm quantile data/concrete.csv --target compressive_strength "
            "--no-local --json",
        ),
    )
    p.add_argument("data", metavar="DATA", help="table with a header row")
    p.add_argument("--target", required=True, help="name of the target column")
    p.add_argument(
        "--quantiles",
        type=float,
        nargs="+",
        default=list(DEFAULT_LEVELS),
        metavar="TAU",
        help="levels in (0, 1), symmetric about 0.5",
    )
    p.add_argument(
        "--test-size",
        type=unit_interval("--test-size"),
        default=0.25,
        help="held-out share",
    )
    p.add_argument(
        "--max-rows",
        type=nonneg_int("--max-rows"),
        default=5000,
        help="random subsample size (0 = all rows)",
    )
    p.add_argument(
        "--cv", type=nonneg_int("--cv"), default=5, help="folds for out-of-fold fits"
    )
    p.add_argument("--no-local", action="store_true", help="skip the local aggregate")
    add_random_state(p)
    add_table_options(p, categories=True)
    add_output_options(p)
    p.set_defaults(func=_run)
