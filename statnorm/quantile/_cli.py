"""``statnorm quantile`` and the quantile section of ``statnorm tour``."""

import csv
import gzip
import time
from pathlib import Path

import numpy as np

from ..results import SummaryTable
from ._plot import QuantileFanDisplay

DEFAULT_LEVELS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def _row(name, y, Q, tau, ref=None):
    from ._metrics import (
        central_intervals,
        crossing_rate,
        interval_coverage,
        interval_width,
        weighted_interval_score,
    )

    wis = weighted_interval_score(y, Q, tau)
    alphas, lo, hi = central_intervals(Q, tau)
    j = int(np.argmin(np.abs(alphas - 0.2))) if alphas.size else 0
    return [
        name,
        wis,
        (wis / ref) if ref else 1.0,
        float(interval_coverage(y, lo[:, j], hi[:, j])),
        # a crossed fan has intervals with lower > upper: no width to report
        float(interval_width(lo[:, j], hi[:, j]))
        if np.all(lo[:, j] <= hi[:, j])
        else "crossed",
        crossing_rate(Q),
    ]


def compare(
    X,
    y,
    X_test,
    y_test,
    *,
    quantiles=DEFAULT_LEVELS,
    estimators=None,
    cv=5,
    local=True,
    conformal=True,
    random_state=0,
):
    """Fit base models, aggregate variants and the conformalised aggregate.

    Returns ``(table, fans)``: a :class:`SummaryTable` of held-out WIS
    (Bracher normalisation), relative WIS to the best sorted base model, coverage
    and width of the central interval nearest 80 %, crossing rate; and a dict
    of the test-set fans by name.
    """
    from sklearn.base import clone

    from ._aggregate import QuantileAggregator, refit_weights
    from ._conformal import ConformalQuantileRegressor

    tau = np.asarray(quantiles, dtype=float)
    agg = QuantileAggregator(
        estimators, quantiles=tau, weights="medium", cv=cv, random_state=random_state
    ).fit(X, y)
    Zt = np.stack([f.predict(X_test) for f in agg.fans_], axis=1)  # raw fans
    fans = {name: Zt[:, j] for j, name in enumerate(agg.estimator_names_)}
    # sorting never raises the WIS (Prop. 2): the fair single-model baseline
    sorted_names = [f"{name} (sorted)" for name in agg.estimator_names_]
    for name, sname in zip(agg.estimator_names_, sorted_names):
        fans[sname] = np.sort(fans[name], axis=1)
    fans["average"] = np.sort(Zt.mean(axis=1), axis=1)
    variants = {
        "global coarse": dict(weights="coarse"),
        "global medium": None,
        "global fine": dict(weights="fine"),
    }
    if local:
        variants["local medium (DQA-style)"] = dict(
            local=True, hidden_layer_sizes=(32,)
        )
    for name, params in variants.items():
        est = agg if params is None else refit_weights(agg, X, y, **params)
        fans[name] = est.predict(X_test)
    if conformal:
        cqr = ConformalQuantileRegressor(
            clone(agg), quantiles=tau, random_state=random_state
        ).fit(X, y)
        fans["global medium + split CQR"] = cqr.predict(X_test)
    base_wis = [_row(n, y_test, fans[n], tau)[1] for n in sorted_names]
    ref = min(base_wis)
    rows = [_row(n, y_test, Q, tau, ref) for n, Q in fans.items()]
    table = SummaryTable(
        "Held-out scores",
        ("model", "WIS", "rel. WIS", "cov. 80%", "width 80%", "crossing"),
        tuple(rows),
        notes=(
            (
                "WIS: Bracher et al. normalisation (= 2 x mean pinball loss); "
                "rel. WIS divides by the WIS of the best base model with sorted quantiles."
            ),
        ),
    )
    return table, fans


def _subsample(X, y, n_train, n_test, seed):
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(y))
    tr, te = idx[:n_train], idx[n_train : n_train + n_test]
    return X[tr], y[tr], X[te], y[te]


def tour(report):
    """Aggregate three quantile models on a subsample of the diamonds data."""
    from threadpoolctl import threadpool_limits

    from ..datasets import load_diamonds

    X, y = load_diamonds(return_X_y=True)
    Xtr, ytr, Xte, yte = _subsample(X, y, 1000, 2000, seed=0)
    tau = np.arange(1, 10) / 10
    t0 = time.perf_counter()
    with threadpool_limits(1):
        table, fans = compare(Xtr, ytr, Xte, yte, quantiles=tau, cv=3)
    report.text(
        "Diamond prices (ggplot2 `diamonds`): 1,000 random training rows, 2,000 "
        "held-out rows, 9 levels 0.1-0.9. Base models: linear quantile regression, "
        "histogram gradient boosting (`loss='quantile'`), 30-nearest-neighbour "
        "quantiles; aggregation weights are learned on 3-fold out-of-fold "
        "predictions and the medium aggregate is then conformalised (split CQR). "
        f"Total time {time.perf_counter() - t0:.1f} s."
    )
    report.table(table)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    QuantileFanDisplay.from_predictions(
        yte, fans["linear"], tau, name="linear quantile regression", ax=axes[0]
    )
    QuantileFanDisplay.from_predictions(
        yte, fans["global medium + split CQR"], tau, name="aggregate + CQR", ax=axes[1]
    )
    axes[0].set_ylabel("price (USD)")
    report.figure(fig, "quantile_diamonds_fan", "Quantile fans on held-out diamonds.")


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
