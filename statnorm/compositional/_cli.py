"""``statnorm pcor`` and the tour section of :mod:`statnorm.compositional`."""

import csv
from pathlib import Path

import numpy as np


def _is_number(s):
    try:
        float(s)
    except ValueError:
        return False
    return True


def _is_row_counter(values):
    """True for a column of consecutive integers (1, 2, 3, ...): sample ids."""
    v = np.array([float(x) for x in values])
    return bool(v.size > 2 and np.all(v == v[0] + np.arange(v.size)))


def _read_table(path, index_col=None):
    """Read a CSV/TSV of parts: header row of part names, one sample per row.

    A first column of sample ids (non-numeric, an empty header cell, or a row
    counter 1, 2, 3, ...) is dropped automatically; ``index_col`` names or
    numbers a column to drop explicitly.
    """
    p = Path(path)
    if not p.exists():
        raise OSError(f"no such file: {path}")
    delim = "\t" if p.suffix in (".tsv", ".tab") else ","
    with p.open(newline="") as fh:
        rows = [r for r in csv.reader(fh, delimiter=delim) if r]
    if len(rows) < 2:
        raise ValueError(f"{path}: expected a header row and at least one data row.")
    header, body = rows[0], rows[1:]
    if any(len(r) != len(header) for r in body):
        raise ValueError(f"{path}: rows have different numbers of columns.")
    drop = None
    if index_col is not None:
        if index_col in header:
            drop = header.index(index_col)
        elif index_col.isdigit() and int(index_col) < len(header):
            drop = int(index_col)
        else:
            raise ValueError(f"--index-col {index_col!r} is not a column of {path}.")
    elif (
        not header[0]
        or not all(_is_number(r[0]) for r in body)
        or _is_row_counter([r[0] for r in body])
    ):
        drop = 0
    keep = [k for k in range(len(header)) if k != drop]
    names = [header[k] or f"x{k}" for k in keep]
    try:
        X = np.array([[float(r[k]) for k in keep] for r in body])
    except ValueError as exc:
        raise ValueError(f"{path}: non-numeric value among the parts ({exc}).") from exc
    return X, names, (header[drop] if drop is not None else None)


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
    from . import CompositionalPartialCorrelation

    X, names, dropped = _read_table(args.data, args.index_col)
    if dropped is not None:
        print(f"ignoring column {dropped!r} (sample ids)")
    est = CompositionalPartialCorrelation(
        shrinkage=args.shrinkage,
        input=args.input,
        zero_replacement=args.zero_replacement,
    )
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X)
    est.part_names_ = np.asarray(names, dtype=object)
    for w in caught:
        print(f"warning: {w.message}")
    print(f"{args.data}: {X.shape[0]} samples x {X.shape[1]} parts")
    print(est.summary(max_rows=args.top))
    if X.shape[1] <= 50:
        order = np.argsort(est.partial_variance_)
        pv = ", ".join(f"{names[k]} {est.partial_variance_[k]:.4g}" for k in order)
        print(f"partial variances (smallest first): {pv}")
    if args.output != "-" and X.shape[1] <= args.max_matrix:
        out = Path(
            args.output or Path(args.data).with_suffix("").as_posix() + "_pcor.csv"
        )
        R = est.partial_correlation_
        with out.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["", *names])
            for name, row in zip(names, R):
                w.writerow([name, *(f"{v:.10g}" for v in row)])
        print(f"wrote {out}")
    elif args.output != "-":
        print(
            f"not writing the {X.shape[1]} x {X.shape[1]} matrix (more than "
            f"--max-matrix={args.max_matrix} parts)"
        )
    return 0


def add_subcommand(subparsers):
    """Register ``statnorm pcor``."""
    p = subparsers.add_parser(
        "pcor",
        help="compositional partial correlations of the parts in a CSV file",
        description=(
            "Reference-independent partial correlations (Erb 2020) of the columns "
            "of DATA (one sample per row, a header of part names; a non-numeric "
            "first column of sample ids is ignored). Prints the strongest pairs "
            "with p-values and partial variances and writes the matrix."
        ),
    )
    p.add_argument("data", metavar="DATA.csv", help="CSV or TSV file of parts")
    p.add_argument("-k", "--top", type=int, default=10, help="pairs to print")
    p.add_argument(
        "--shrinkage",
        type=_shrinkage,
        default=None,
        help="none (default), basis, direct, or a fixed intensity in [0, 1]",
    )
    p.add_argument("--input", choices=("composition", "clr"), default="composition")
    p.add_argument(
        "--zero-replacement",
        choices=("multiplicative",),
        default=None,
        help="replace zeros instead of rejecting them",
    )
    p.add_argument("--index-col", default=None, help="column (name or number) to drop")
    p.add_argument(
        "-o",
        "--output",
        default=None,
        help="where to write the matrix (default: DATA_pcor.csv; '-' for none)",
    )
    p.add_argument(
        "--max-matrix",
        type=int,
        default=5000,
        help="write the D x D matrix only up to this many parts (default 5000)",
    )
    p.set_defaults(func=_run)
