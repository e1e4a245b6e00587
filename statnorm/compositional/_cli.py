"""``statnorm pcor``: compositional partial correlations of a table of parts."""

import warnings

import numpy as np

from .._cli._args import (
    add_n_permutations,
    add_output_options,
    add_random_state,
    add_table_options,
    configure_logging,
    examples,
    nonneg_int,
    unit_interval,
)
from .._cli._parser import note
from .._cli._read import read_table
from .._cli._write import emit, output_dir, write_frame


def _shrinkage(value):
    if value in ("none", "None"):
        return None
    if value in ("basis", "direct"):
        return value
    try:
        return float(value)
    except ValueError:
        import argparse

        raise argparse.ArgumentTypeError(
            f"expected 'none', 'basis', 'direct' or a number in [0, 1]; got {value!r}"
        ) from None


def _read_inputs(args):
    """The parts (a DataFrame) and the side columns named by options."""
    frame = read_table(args.data, "DATA", args=args)
    fit_kw = {}
    for option, key, cols in (
        ("--covariates", "covariates", args.covariates),
        (
            "--sample-weight",
            "sample_weight",
            [args.sample_weight] if args.sample_weight else [],
        ),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(
                f"{option}: {missing} not among the columns of {args.data}: "
                f"{[str(c) for c in frame.columns]}"
            )
        if cols:
            fit_kw[key] = frame[cols].to_numpy(dtype=np.float64)
            frame = frame.drop(columns=cols)
    if "sample_weight" in fit_kw:
        fit_kw["sample_weight"] = fit_kw["sample_weight"][:, 0]
    names = [str(c) for c in frame.columns]
    return frame.to_numpy(dtype=np.float64), names, fit_kw


def _fit(args, X, names, fit_kw):
    import pandas as pd

    from . import CompositionalPartialCorrelation

    est = CompositionalPartialCorrelation(
        shrinkage=args.shrinkage,
        input=args.input,
        zero_replacement=args.zero_replacement,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(pd.DataFrame(X, columns=names), **fit_kw)
    for w in caught:
        note(args, f"warning: {w.message}")
    return est


def _significant_pairs(args, est):
    """The pairs significant at ``--fdr`` (with intervals), as a DataFrame."""
    import pandas as pd

    e = est.edges(
        fdr=args.fdr,
        method=args.fdr_method,
        n_permutations=args.n_permutations,
        random_state=args.random_state,
    )
    sig = pd.DataFrame(
        {
            "part_1": e.source,
            "part_2": e.target,
            "partial_correlation": e.partial_correlation,
            "pvalue": e.pvalue,
            "qvalue": e.qvalue,
        }
    )
    if args.confidence_level is not None:
        ci = est.confidence_interval(
            args.confidence_level, random_state=args.random_state
        )
        if ci.estimator == "unshrunk":
            # under shrinkage the valid interval surrounds the unshrunk
            # estimate: write that estimate beside it, so no row pairs a
            # shrunk estimate with an interval that is not about it
            sig["unshrunk_partial_correlation"] = ci.partial_correlation[e.i, e.j]
        sig["lower"] = ci.lower[e.i, e.j]
        sig["upper"] = ci.upper[e.i, e.j]
    return sig


def _write_outputs(args, out, est, names, table, sig):
    import pandas as pd

    pv = est.partial_variance_
    written = [write_frame(table.to_frame(), out, "top_pairs.csv")]
    if sig is not None:
        written.append(write_frame(sig, out, "significant_pairs.csv"))
    written.append(
        write_frame(
            pd.DataFrame({"part": names, "partial_variance": pv}),
            out,
            "partial_variance.csv",
        )
    )
    D = len(names)
    if D <= args.max_matrix:
        R = pd.DataFrame(est.partial_correlation_, columns=names)
        R.insert(0, "part", names)
        written.append(write_frame(R, out, "partial_correlation.csv"))
    else:
        note(
            args,
            f"not writing the {D} x {D} matrix (more than "
            f"--max-matrix={args.max_matrix} parts)",
        )
    note(args, "wrote " + ", ".join(map(str, written)))


def _run(args):
    configure_logging(args)
    X, names, fit_kw = _read_inputs(args)
    est = _fit(args, X, names, fit_kw)
    table = est.summary(max_rows=args.top)
    pv = est.partial_variance_
    data = {
        "n_samples": int(est.n_samples_),
        "n_parts": int(est.n_features_in_),
        "df": est.df_,
        "shrinkage": float(est.shrinkage_),
        "solver": est.solver_,
        "top_pairs": table.to_dict(),
        "partial_variance": dict(zip(names, pv)),
    }
    text = [f"{args.data}: {X.shape[0]} samples x {X.shape[1]} parts", str(table)]
    sig = None
    if args.fdr is not None:
        sig = _significant_pairs(args, est)
        data["significant_pairs"] = sig.to_dict(orient="list")
        data["fdr"] = {"target": args.fdr, "method": args.fdr_method}
        text.append(
            f"{len(sig)} pair(s) significant at FDR {args.fdr:g} "
            f"({args.fdr_method}):\n"
            + (sig.to_string(index=False, float_format="%.4g") if len(sig) else "")
        )
    if X.shape[1] <= 50:
        order = np.argsort(pv)
        text.append(
            "partial variances (smallest first): "
            + ", ".join(f"{names[k]} {pv[k]:.4g}" for k in order)
        )
    out = output_dir(args)
    if out is not None:
        _write_outputs(args, out, est, names, table, sig)
    emit(args, text="\n".join(text), data=data)
    return 0


def add_subcommand(subparsers):
    """Register ``statnorm compositional`` (alias ``statnorm pcor``)."""
    p = subparsers.add_parser(
        "compositional",
        aliases=["pcor"],
        help="compositional partial correlations of the parts in a table",
        description=(
            "Reference-independent partial correlations (Erb 2020) of the columns "
            "of DATA (one sample per row, a header of part names). Prints the "
            "strongest pairs with p-values and the partial variances; -o writes "
            "them and the D x D matrix. Files: CSV/TSV, parquet, .npy/.npz, or - "
            "for standard input; a pandas index column is dropped (or name one "
            "with --index-col)."
        ),
        epilog=examples(
            "statnorm datasets roman_cups -o data",
            "statnorm compositional data/roman_cups.csv --index-col cup --top 5",
            "statnorm compositional data/roman_cups.csv --index-col cup --shrinkage basis "
            "--json -o out",
        ),
    )
    p.add_argument("data", metavar="DATA", help="table of parts, one sample per row")
    p.add_argument(
        "-k", "--top", type=nonneg_int("--top"), default=10, help="pairs to print"
    )
    p.add_argument(
        "--shrinkage",
        type=_shrinkage,
        default=None,
        help="none (default), basis, direct, or a fixed intensity in [0, 1]",
    )
    p.add_argument(
        "--input",
        choices=("composition", "clr"),
        default="composition",
        help="what DATA holds: parts (positive) or clr coordinates",
    )
    p.add_argument(
        "--zero-replacement",
        choices=("multiplicative",),
        default=None,
        help="replace zeros instead of rejecting them (default: reject)",
    )
    p.add_argument(
        "--max-matrix",
        type=nonneg_int("--max-matrix"),
        default=5000,
        help="write the D x D matrix only up to this many parts",
    )
    _add_inference_options(p)
    p.add_argument(
        "--covariates",
        nargs="+",
        default=[],
        metavar="COLUMN",
        help="columns of DATA that are not parts: partial correlations also "
        "condition on them",
    )
    p.add_argument(
        "--sample-weight",
        metavar="COLUMN",
        help="column of DATA holding a frequency weight per sample (not a part)",
    )
    add_table_options(p)
    add_output_options(p)
    p.set_defaults(func=_run)


def _add_inference_options(p):
    """``--fdr``, ``--fdr-method``, permutations, seed and intervals."""
    p.add_argument(
        "--fdr",
        type=unit_interval("--fdr"),
        default=None,
        metavar="Q",
        help="also list the pairs significant at this false discovery rate",
    )
    p.add_argument(
        "--fdr-method",
        choices=("bh", "by", "permutation"),
        default="bh",
        help="Benjamini-Hochberg or -Yekutieli on the t-tests, or a permutation "
        "FDR (also under shrinkage)",
    )
    add_n_permutations(p, default=100)
    add_random_state(p)
    p.add_argument(
        "--confidence-level",
        type=unit_interval("--confidence-level"),
        default=None,
        metavar="LEVEL",
        help="add confidence intervals (Fisher z, or bootstrap under shrinkage) "
        "to the significant pairs (needs --fdr)",
    )
