"""``statnorm rdd`` and the rdd section of ``statnorm tour``."""

import csv
from pathlib import Path

import numpy as np


def add_subcommand(subparsers):
    """Register ``statnorm rdd DATA.csv --running X --unit ID --outcome Y``."""
    p = subparsers.add_parser(
        "rdd",
        help="regression discontinuity with distribution-valued outcomes (R3D)",
        description=(
            "Estimate the jump at a cutoff of the average unit quantile function "
            "from long-format data (one row per draw: unit id, outcome, unit-level "
            "running variable), with a uniform band and nullity/homogeneity tests."
        ),
    )
    p.add_argument("data", help="CSV file with a header row")
    p.add_argument("--running", required=True, help="running-variable column")
    p.add_argument("--unit", required=True, help="unit identifier column")
    p.add_argument("--outcome", required=True, help="outcome column (one draw per row)")
    p.add_argument("--cutoff", type=float, default=0.0, help="cutoff (default 0)")
    p.add_argument("--treatment", help="treatment column: fuzzy design")
    p.add_argument("--weight", help="within-unit draw weight column")
    p.add_argument("--method", choices=["simple", "frechet"], default="simple")
    p.add_argument(
        "--kernel",
        choices=["triangular", "epanechnikov", "uniform"],
        default="triangular",
    )
    p.add_argument("-p", "--order", type=int, default=2, help="polynomial order")
    p.add_argument(
        "--bandwidth", type=float, help="fixed bandwidth (default: MSE rule)"
    )
    p.add_argument("--n-quantiles", type=int, default=99, help="grid size (default 99)")
    p.add_argument("--n-bootstrap", type=int, default=200)
    p.add_argument("--confidence-level", type=float, default=0.95)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--r3d-compat", action="store_true", help="reproduce R3D's quirks")
    p.add_argument(
        "--plot",
        default="rdd.png",
        help="figure path (default rdd.png; 'none' to skip)",
    )
    p.set_defaults(func=run)


def _read_columns(path, names):
    path = Path(path)
    if not path.exists():
        raise OSError(f"no such file: {path}")
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [n for n in names if n not in header]
        if missing:
            raise ValueError(
                f"column(s) {missing} not found in {path}; available: {header}"
            )
        cols = {n: [] for n in names}
        for row in reader:
            for n in names:
                cols[n].append(row[n])
    out = {}
    for n, vals in cols.items():
        try:
            out[n] = np.array([float(v) for v in vals])
        except ValueError:
            out[n] = np.array(vals)
    return out


def run(args):
    from . import DistributionalRDD, RDDEffectDisplay, long_to_samples

    names = [args.unit, args.outcome, args.running]
    for extra in (args.treatment, args.weight):
        if extra:
            names.append(extra)
    cols = _read_columns(args.data, list(dict.fromkeys(names)))
    for role, n in (("outcome", args.outcome), ("running", args.running)):
        if cols[n].dtype.kind not in "fi":
            raise ValueError(f"{role} column {n!r} must be numeric.")
    if args.treatment:
        t = cols[args.treatment]
        if t.dtype.kind not in "fib" or not np.all(np.isin(t, (0, 1))):
            raise ValueError(
                f"--treatment: column {args.treatment!r} of {args.data} must hold "
                "0/1 (untreated/treated) for the fuzzy design; got values such as "
                f"{sorted(set(np.asarray(t).tolist()))[:5]}."
            )
    d = long_to_samples(
        cols[args.unit],
        cols[args.outcome],
        cols[args.running],
        treatment=cols[args.treatment] if args.treatment else None,
        weights=cols[args.weight] if args.weight else None,
    )
    q = np.arange(1, args.n_quantiles + 1) / (args.n_quantiles + 1)
    est = DistributionalRDD(
        cutoff=args.cutoff,
        method=args.method,
        p=args.order,
        kernel=args.kernel,
        q_grid=q,
        bandwidth="mse" if args.bandwidth is None else args.bandwidth,
        fuzzy=bool(args.treatment),
        n_bootstrap=args.n_bootstrap,
        confidence_level=args.confidence_level,
        r3d_compat=args.r3d_compat,
        random_state=args.seed,
    )
    est.fit(
        d["x"], d["samples"], treatment=d.get("treatment"), weights=d.get("weights")
    )
    print(est.summary())
    if args.n_bootstrap > 0:
        g = est.test_gini() if np.all(est.intercept_minus_ > 0) else None
        if g is not None:
            print(
                f"Gini above - below: {g.estimate:.4g} (p = {g.pvalue:.3g}, centred "
                "multiplier bootstrap)"
            )
    if args.plot and args.plot.lower() != "none":
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        axes = RDDEffectDisplay.from_estimator(est).axes_
        axes[0].figure.tight_layout()
        axes[0].figure.savefig(args.plot, dpi=110)
        plt.close(axes[0].figure)
        print(f"wrote {args.plot}")
    return 0
