"""``statnorm quantile`` and the quantile section of ``statnorm tour``."""

import csv
import gzip
from pathlib import Path

import numpy as np

from ._plot import QuantileFanDisplay

DEFAULT_LEVELS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


# ------------------------------------------------------------------ command line
def _read_csv(path, target):
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as f:
        rows = list(csv.reader(f))
    if len(rows) < 2:
        raise ValueError(f"{path} has no data rows.")
    header, body = rows[0], rows[1:]
    if target not in header:
        raise ValueError(
            f"--target {target!r} is not a column of {path}; columns: {header}."
        )
    cols = list(zip(*body))
    feats, names = [], []
    yv = None
    for name, col in zip(header, cols):
        try:
            vals = np.array([float(v) if v != "" else np.nan for v in col])
        except ValueError:
            if name == target:
                raise ValueError(f"target column {target!r} is not numeric.") from None
            cats = sorted(set(col))
            vals = np.array([cats.index(v) for v in col], dtype=float)
        if name == target:
            yv = vals
        else:
            feats.append(vals)
            names.append(name)
    if not feats:
        raise ValueError(f"{path} has no feature columns besides the target.")
    return np.column_stack(feats), yv, names


def _run(args):
    from threadpoolctl import threadpool_limits

    from .._cliutils import CLIError
    from ._compare import compare
    from ._utils import check_quantiles

    tau = check_quantiles(args.quantiles)
    if not 0 < args.test_size < 1:
        raise CLIError(f"--test-size must be in (0, 1); got {args.test_size}.")
    X, y, _ = _read_csv(args.data, args.target)
    if np.isnan(y).any() or np.isnan(X).any():
        raise ValueError(
            "the data contain missing values (NaN); remove or impute them."
        )
    rng = np.random.default_rng(args.seed)
    idx = rng.permutation(len(y))
    if args.max_rows and len(idx) > args.max_rows:
        idx = idx[: args.max_rows]
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
            random_state=args.seed,
        )
    print(table)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    Q = fans["global medium + split CQR"]
    header = "row,y," + ",".join(f"q{t:g}" for t in tau)
    np.savetxt(
        out / "predictions.csv",
        np.column_stack([te, y[te], Q]),
        delimiter=",",
        header=header,
        comments="",
        fmt="%.10g",
    )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = QuantileFanDisplay.from_predictions(
        y[te], Q, tau, name=f"{Path(args.data).name}: aggregate + CQR"
    ).ax_
    ax.figure.savefig(out / "fan.png", dpi=100, bbox_inches="tight")
    plt.close(ax.figure)
    print(f"wrote {out / 'predictions.csv'} and {out / 'fan.png'}")
    return 0


def add_subcommand(subparsers):
    """Register ``statnorm quantile DATA.csv --target COLUMN``."""
    from .._cliutils import nonneg_int

    p = subparsers.add_parser(
        "quantile",
        help="aggregate quantile models, conformalise, score held-out WIS",
        description=(
            "Fit default base quantile models (linear QR, gradient boosting, "
            "nearest neighbours), aggregate them (Fakoor et al. 2023), conformalise "
            "the aggregate, print held-out WIS/coverage per model, and write test "
            "predictions and a fan chart."
        ),
    )
    p.add_argument("data", help="CSV file (optionally .gz) with a header row")
    p.add_argument("--target", required=True, help="name of the target column")
    p.add_argument(
        "--quantiles",
        type=float,
        nargs="+",
        default=list(DEFAULT_LEVELS),
        metavar="TAU",
        help="levels in (0, 1), symmetric about 0.5",
    )
    p.add_argument("--test-size", type=float, default=0.25, help="held-out share")
    p.add_argument(
        "--max-rows",
        type=nonneg_int("--max-rows"),
        default=5000,
        help="random subsample size (default %(default)s; 0 = all)",
    )
    p.add_argument("--cv", type=int, default=5, help="folds for out-of-fold fits")
    p.add_argument("--no-local", action="store_true", help="skip the local aggregate")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument(
        "-o",
        "--output",
        default="statnorm-quantile",
        help="folder for predictions.csv and fan.png (default %(default)s)",
    )
    p.set_defaults(func=_run)
