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


def tour(report):
    """Regimes of synthetic Gaussian data and of sentence embeddings."""
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..datasets import load_mgt_embeddings
    from ..results import SummaryTable
    from . import theory
    from ._estimator import HighDimKDE
    from ._plot import RegimeDiagramDisplay

    report.text(
        "`HighDimKDE` is an exact log-space Gaussian KDE. In high dimensions "
        "(alpha = log n / d fixed) the estimate is in one of three regimes "
        "(Biroli & Mezard): CLT, alpha-stable, or extreme-value, where a "
        "handful of points carry it. Below: where the bandwidth selectors land "
        "for Gaussian data at three alphas (n = 2,981) and for 384-dimensional "
        "sentence embeddings (TruthfulQA human answers, all-MiniLM-L6-v2; "
        "the 3 constant dimensions dropped, per-feature standardisation). "
        "Thresholds h_G, h_CLT, h_KL are the Gaussian "
        "reference (d -> inf), derived in the Biroli-Mezard setting."
    )
    rng = np.random.default_rng(0)
    rows = []
    marks = {}
    selectors = ("scott", "silverman", "kl_gauss", "kl_nn", "lcv")
    for a, d in ((0.1, 80), (0.2, 40), (0.5, 16)):
        n = round(np.exp(a * d))
        X = rng.standard_normal((n, d))
        for s in selectors:
            kde = HighDimKDE(bandwidth=s, max_samples=600, random_state=0).fit(X)
            rep = kde.regime_report(n_query=150, random_state=0, warn=False)
            rows.append(
                [
                    f"N(0, I), alpha={a}, d={d}",
                    s,
                    kde.bandwidth_whitened_,
                    float(theory.h_glass(kde.alpha_)),
                    rep.mu_hat,
                    rep.regime,
                    rep.n_eff_median,
                ]
            )
            if s in ("scott", "lcv", "kl_nn"):
                marks[f"{s}, alpha={a}"] = (kde.alpha_, kde.bandwidth_whitened_)
    emb = load_mgt_embeddings("truthfulqa", machine="chatgpt").human.astype(np.float64)
    emb = emb[:, emb.var(axis=0) > 0]  # three MiniLM dimensions are constant zero
    for s in ("scott", "kl_nn", "lcv"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kde = HighDimKDE(bandwidth=s, standardize="diagonal", random_state=0)
            kde.fit(emb)
        rep = kde.regime_report(n_query=150, random_state=0, warn=False)
        rows.append(
            [
                f"MiniLM embeddings ({emb.shape[0]} x {emb.shape[1]})",
                s,
                kde.bandwidth_whitened_,
                float(theory.h_glass(kde.alpha_)),
                rep.mu_hat,
                rep.regime,
                rep.n_eff_median,
            ]
        )
        marks[f"{s}, embeddings"] = (kde.alpha_, kde.bandwidth_whitened_)
    report.table(
        SummaryTable(
            "Bandwidth selectors and the regime they land in",
            (
                "data",
                "selector",
                "h (whitened)",
                "h_G (Gauss. ref.)",
                "mu_hat",
                "regime",
                "median N_eff",
            ),
            tuple(rows),
        )
    )
    report.text(
        "Every selector lands in the extreme-value regime (mu_hat < 1, a few "
        "points carry each estimate). Scott and Silverman lie below the "
        "bandwidths chosen by likelihood cross-validation and by the "
        "nearest-neighbour KL rule (estimates of the KL optimum). For the embeddings (alpha = "
        "0.017) the Gaussian reference puts h_G far above every selector; "
        "variance-based error bars on these densities would be meaningless."
    )
    fig, ax = plt.subplots(figsize=(7, 4.8))
    RegimeDiagramDisplay.from_estimator(marks=marks, ax=ax)
    report.figure(fig, "kde_regimes", "Regime diagram with the fitted bandwidths.")
