"""``statnorm rdd``: distributional regression discontinuity from a long table."""

import numpy as np

from .._cli._args import (
    add_confidence_level,
    add_n_bootstrap,
    add_output_options,
    add_random_state,
    add_table_options,
    configure_logging,
    examples,
    nonneg_int,
    positive_float,
    positive_int,
)
from .._cli._parser import note
from .._cli._read import read_table
from .._cli._write import emit, output_dir, write_frame


def add_subcommand(subparsers):
    """Register ``statnorm rdd DATA --running X --unit ID --outcome Y``."""
    p = subparsers.add_parser(
        "rdd",
        help="regression discontinuity with distribution-valued outcomes (R3D)",
        description=(
            "Estimate the jump at a cutoff of the average unit quantile function "
            "from long-format data (one row per draw: unit id, outcome, unit-level "
            "running variable), with a uniform band and nullity/homogeneity tests. "
            "Files: CSV/TSV, parquet, or - for standard input, with a header row."
        ),
        epilog=examples(
            "statnorm datasets rdd_simulated -o data",
            "statnorm rdd data/rdd_simulated.csv --running running --unit unit "
            "--outcome outcome -o out",
            "statnorm rdd data/rdd_simulated.csv --running running --unit unit "
            "--outcome outcome --method frechet --n-bootstrap 199 --json",
            "statnorm rdd data/rdd_simulated.csv --running running --unit unit "
            "--outcome outcome --inference conventional --vce hc0",
        ),
    )
    _add_data_options(p)
    _add_model_options(p)
    _add_inference_options(p)
    add_table_options(p)
    add_output_options(p)
    p.set_defaults(func=run)


def _add_data_options(p):
    """The table and the roles of its columns."""
    p.add_argument("data", metavar="DATA", help="long table with a header row")
    p.add_argument("--running", required=True, help="running-variable column")
    p.add_argument("--unit", required=True, help="unit identifier column")
    p.add_argument("--outcome", required=True, help="outcome column (one draw per row)")
    p.add_argument("--cutoff", type=float, default=0.0, help="cutoff")
    p.add_argument(
        "--treatment", help="treatment column (0/1): fuzzy design (default: sharp)"
    )
    p.add_argument(
        "--weight", help="within-unit draw weight column (default: equal weights)"
    )
    p.add_argument(
        "--cluster",
        metavar="COLUMN",
        help="unit-level cluster labels: wild cluster multiplier bootstrap and "
        "cluster-robust standard errors (default: independent units)",
    )
    p.add_argument(
        "--covariates",
        nargs="+",
        default=[],
        metavar="COLUMN",
        help="pre-determined unit-level covariates, in every local fit with "
        "slopes common to both sides",
    )


def _add_model_options(p):
    """Estimator, kernel, order, bandwidth and quantile grid."""
    p.add_argument(
        "--method",
        choices=["simple", "frechet"],
        default="simple",
        help="local polynomial (simple) or local Frechet estimator",
    )
    p.add_argument(
        "--kernel",
        choices=["triangular", "epanechnikov", "uniform"],
        default="triangular",
        help="kernel of the local fits",
    )
    p.add_argument(
        "-p", "--order", type=nonneg_int("--order"), default=2, help="polynomial order"
    )
    p.add_argument(
        "--bandwidth", type=float, help="fixed bandwidth (default: the MSE rule)"
    )
    p.add_argument(
        "--n-quantiles",
        type=nonneg_int("--n-quantiles"),
        default=99,
        help="size of the quantile grid",
    )
    p.add_argument("--r3d-compat", action="store_true", help="reproduce R3D's quirks")
    p.add_argument(
        "--density-test",
        action="store_true",
        help="first test the running variable's density for a jump at the "
        "cutoff (Cattaneo, Jansson and Ma 2020)",
    )


def _add_inference_options(p):
    """Band, bootstrap and (robust) bias-corrected inference."""
    add_n_bootstrap(p, default=200)
    add_confidence_level(p)
    add_random_state(p)
    p.add_argument(
        "--inference",
        choices=["auto", "robust", "conventional"],
        default="auto",
        help="robust bias-corrected band (auto: robust unless --r3d-compat) or "
        "R3D's conventional band",
    )
    p.add_argument(
        "--vce",
        choices=["hc0", "hc1", "hc2", "hc3"],
        help="residuals of the standard errors (default: hc3 under robust, "
        "hc0 under conventional inference)",
    )
    p.add_argument(
        "--bias-order",
        type=positive_int("--bias-order"),
        help="order q of the bias fit under robust inference (default: order + 1)",
    )
    p.add_argument(
        "--bandwidth-bias",
        type=positive_float("--bandwidth-bias"),
        help="bandwidth b of the bias fit (default: bandwidth / rho)",
    )
    p.add_argument(
        "--rho",
        type=positive_float("--rho"),
        default=0.5,
        help="ratio h / b when --bandwidth-bias is not given (at most 1)",
    )


def _columns(args):
    frame = read_table(args.data, "DATA", args=args, numeric=False)
    roles = {
        "--unit": args.unit,
        "--outcome": args.outcome,
        "--running": args.running,
        "--treatment": args.treatment,
        "--weight": args.weight,
        "--cluster": args.cluster,
        **{f"--covariates {c}": c for c in args.covariates},
    }
    cols = {}
    for option, name in roles.items():
        if name is None:
            continue
        if name not in frame.columns:
            raise ValueError(
                f"{option}: {name!r} is not a column of {args.data}; columns: "
                f"{[str(c) for c in frame.columns]}"
            )
        v = frame[name].to_numpy()
        if option not in ("--unit", "--cluster"):
            try:
                v = v.astype(np.float64)
            except (TypeError, ValueError):
                raise ValueError(
                    f"{option}: column {name!r} of {args.data} must be numeric."
                ) from None
        cols[option] = v
    if args.treatment and not np.all(np.isin(cols["--treatment"], (0, 1))):
        raise ValueError(
            f"--treatment: column {args.treatment!r} of {args.data} must hold 0/1 "
            "(untreated/treated) for the fuzzy design."
        )
    return cols


def _per_unit(unit, values, d, option):
    """One value per unit (in the order of ``d["units"]``); must not vary within."""
    import pandas as pd

    frame = pd.DataFrame({"unit": unit, "v": values})
    g = frame.groupby("unit", sort=True)["v"]
    if (g.nunique(dropna=False) > 1).any():
        bad = g.nunique(dropna=False)
        raise ValueError(
            f"{option}: the column varies within unit(s) "
            f"{list(bad[bad > 1].index[:5])}; it must hold one value per unit."
        )
    per = g.first()
    return per.loc[list(d["units"])].to_numpy()


def _unit_level(args, cols, d):
    """``--cluster`` and ``--covariates`` as one value per unit (or None)."""
    unit_level = {}
    for option, name in [("--cluster", args.cluster)] + [
        (f"--covariates {c}", c) for c in args.covariates
    ]:
        if name is not None:
            unit_level[option] = _per_unit(cols["--unit"], cols[option], d, option)
    covariates = (
        np.column_stack([unit_level[f"--covariates {c}"] for c in args.covariates])
        if args.covariates
        else None
    )
    return unit_level.get("--cluster"), covariates


def _effect_table(est):
    import pandas as pd

    return pd.DataFrame(
        {
            "q": est.q_grid_,
            "tau": est.tau_,
            "band_lower": est.band_lower_,
            "band_upper": est.band_upper_,
            "std_error": est.std_error_,
            "pointwise_lower": est.pointwise_lower_,
            "pointwise_upper": est.pointwise_upper_,
            "quantile_above": est.intercept_plus_,
            "quantile_below": est.intercept_minus_,
            "bandwidth": np.broadcast_to(est.bandwidth_, est.q_grid_.shape),
        }
    )


def _uniform_tests(est, data):
    """Nullity, homogeneity and (positive outcomes) Gini tests into ``data``;
    returns the lines to print."""
    text = []
    data["critical_value"] = est.critical_value_
    for name, test in (
        ("nullity", est.test_nullity),
        ("homogeneity", est.test_homogeneity),
    ):
        stat, pvalue = test()
        data[name] = {"statistic": stat, "pvalue": pvalue}
    if np.all(est.intercept_minus_ > 0):
        g = est.test_gini()
        data["gini"] = {"estimate": g.estimate, "pvalue": g.pvalue}
        text.append(
            f"Gini above - below: {g.estimate:.4g} (p = {g.pvalue:.3g}, centred "
            "multiplier bootstrap)"
        )
    return text


def run(args):
    """Run ``statnorm rdd`` (see ``statnorm rdd --help``)."""

    from . import long_to_samples

    configure_logging(args)
    cols = _columns(args)
    d = long_to_samples(
        cols["--unit"],
        cols["--outcome"],
        cols["--running"],
        treatment=cols.get("--treatment"),
        weights=cols.get("--weight"),
    )
    clusters, covariates = _unit_level(args, cols, d)
    est = _estimator(args)
    data = {}
    text = []
    if args.density_test:
        from ._density import density_test

        dt = density_test(d["x"], cutoff=args.cutoff)
        data["density_test"] = dt
        text.append(str(dt.summary()))
    est.fit(
        d["x"],
        d["samples"],
        treatment=d.get("treatment"),
        weights=d.get("weights"),
        clusters=clusters,
        covariates=covariates,
    )
    effect = _effect_table(est)
    data |= {
        "n_units": int(est.n_units_),
        "n_units_below": int(est.n_units_minus_),
        "n_units_above": int(est.n_units_plus_),
        "effect": effect.to_dict(orient="list"),
    }
    text.append(str(est.summary()))
    if args.n_bootstrap > 0:
        text += _uniform_tests(est, data)
    out = output_dir(args)
    if out is not None:
        written = [write_frame(effect, out, "effect.csv"), _plot(est, out)]
        note(args, "wrote " + " and ".join(map(str, written)))
    emit(args, text="\n".join(text), data=data)
    return 0


def _estimator(args):
    """The DistributionalRDD the options describe."""
    from . import DistributionalRDD

    q = np.arange(1, args.n_quantiles + 1) / (args.n_quantiles + 1)
    return DistributionalRDD(
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
        inference=args.inference,
        vce=args.vce,
        bias_order=args.bias_order,
        bandwidth_bias=args.bandwidth_bias,
        rho=args.rho,
        random_state=args.random_state,
        verbose=0 if args.json else args.verbose,  # stdout is for --json
    )


def _plot(est, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ._plot import RDDEffectDisplay

    axes = RDDEffectDisplay.from_estimator(est).axes_
    fig = axes[0].figure
    fig.tight_layout()
    path = out / "rdd.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
