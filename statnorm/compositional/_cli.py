"""``statnorm pcor``: compositional partial correlations of a table of parts."""

import warnings

import numpy as np

from .._cliutils import (
    add_output_options,
    add_table_options,
    configure_logging,
    emit,
    examples,
    nonneg_int,
    note,
    output_dir,
    read_table,
    write_frame,
)


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


def _run(args):
    import pandas as pd

    from . import CompositionalPartialCorrelation

    configure_logging(args)
    frame = read_table(args.data, "DATA", args=args)
    names = [str(c) for c in frame.columns]
    X = frame.to_numpy(dtype=np.float64)
    est = CompositionalPartialCorrelation(
        shrinkage=args.shrinkage,
        input=args.input,
        zero_replacement=args.zero_replacement,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(pd.DataFrame(X, columns=names))
    for w in caught:
        note(args, f"warning: {w.message}")
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
    if X.shape[1] <= 50:
        order = np.argsort(pv)
        text.append(
            "partial variances (smallest first): "
            + ", ".join(f"{names[k]} {pv[k]:.4g}" for k in order)
        )
    out = output_dir(args)
    if out is not None:
        written = [
            write_frame(table.to_frame(), out, "top_pairs.csv"),
            write_frame(
                pd.DataFrame({"part": names, "partial_variance": pv}),
                out,
                "partial_variance.csv",
            ),
        ]
        if X.shape[1] <= args.max_matrix:
            R = pd.DataFrame(est.partial_correlation_, columns=names)
            R.insert(0, "part", names)
            written.append(write_frame(R, out, "partial_correlation.csv"))
        else:
            note(
                args,
                f"not writing the {X.shape[1]} x {X.shape[1]} matrix (more than "
                f"--max-matrix={args.max_matrix} parts)",
            )
        note(args, "wrote " + ", ".join(map(str, written)))
    emit(args, text="\n".join(text), data=data)
    return 0


def add_subcommand(subparsers):
    """Register ``statnorm pcor``."""
    p = subparsers.add_parser(
        "pcor",
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
            "statnorm pcor data/roman_cups.csv --index-col cup --top 5",
            "statnorm pcor data/roman_cups.csv --index-col cup --shrinkage basis "
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
    add_table_options(p)
    add_output_options(p)
    p.set_defaults(func=_run)
