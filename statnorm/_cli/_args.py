"""Argument groups and value types shared by the subcommands."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from ._read import DEFAULT_MAX_CELLS


def examples(*commands, intro=None):
    """The ``epilog`` of a subcommand: worked examples on bundled data.

    Each entry of ``commands`` is a line of shell (``statnorm datasets NAME -o
    data`` first, so the files exist).
    """
    lines = ["examples (on data bundled with statnorm):"]
    if intro:
        lines.append(f"  {intro}")
    lines += [f"  {c}" for c in commands]
    return "\n".join(lines)


def add_table_options(parser, *, categories=False):
    """``--index-col``, ``--header``/``--no-header``, ``--max-cells`` (and, with
    ``categories``, ``--categories``/``--one-hot``)."""
    head = parser.add_mutually_exclusive_group()
    head.add_argument(
        "--header",
        dest="header",
        action="store_true",
        default=None,
        help="the first line of text tables names the columns (default: decided "
        "from the file; an error when it cannot tell)",
    )
    head.add_argument(
        "--no-header",
        dest="header",
        action="store_false",
        help="the first line of text tables is data",
    )
    parser.add_argument(
        "--max-cells",
        type=positive_int("--max-cells"),
        default=DEFAULT_MAX_CELLS,
        metavar="N",
        help="largest input table accepted, in cells (rows x columns); larger "
        "files, or .gz files that inflate beyond it, are refused before they "
        "are read",
    )
    parser.add_argument(
        "--index-col",
        default=None,
        metavar="COLUMN",
        help="column of the input table(s) holding the row index, dropped before "
        "use (name or 0-based position); an unnamed first column 0..n-1 or 1..n "
        "is dropped automatically",
    )
    if categories:
        parser.add_argument(
            "--categories",
            action="append",
            default=[],
            type=_category_spec,
            metavar="COLUMN=LEVEL,...",
            help="code a text column as an ordered category, levels lowest first "
            "(repeat for several columns)",
        )
        parser.add_argument(
            "--one-hot",
            nargs="+",
            default=[],
            metavar="COLUMN",
            help="text columns to one-hot encode",
        )


def _category_spec(text):
    col, sep, levels = text.partition("=")
    names = [v for v in levels.split(",") if v != ""]
    if not sep or not col or len(names) < 2:
        raise argparse.ArgumentTypeError(
            "--categories takes COLUMN=LEVEL1,LEVEL2,... with at least two levels, "
            f"lowest first; got {text!r}"
        )
    return col, names


def add_model_options(parser, what):
    """``--save FILE.skops`` and ``--apply FILE.skops`` for a fitted ``what``."""
    parser.add_argument(
        "--save",
        default=None,
        metavar="FILE.skops",
        help=f"save the fitted {what} to a skops file (safe to share: loading it "
        "never runs code)",
    )
    parser.add_argument(
        "--apply",
        default=None,
        metavar="FILE.skops",
        help=f"apply a {what} saved with --save instead of fitting one",
    )


def configure_logging(args):
    """Send the ``statnorm`` logger to stderr at the ``-v`` level.

    ``-v`` shows what the estimators chose (bandwidths, maps, solvers);
    ``-vv`` adds debug detail. Without ``-v`` only warnings are shown, and the
    one line saying that Numba kernels are compiling (first use only);
    ``--quiet`` hides that too.
    """
    import logging

    level = {0: logging.WARNING, 1: logging.INFO}.get(
        getattr(args, "verbose", 0), logging.DEBUG
    )
    if getattr(args, "quiet", False):
        level = logging.ERROR
    logger = logging.getLogger("statnorm")
    if not any(getattr(h, "_statnorm_cli", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("statnorm: %(name)s: %(message)s"))
        handler._statnorm_cli = True
        logger.addHandler(handler)
    logger.setLevel(level)
    # a first call that compiles Numba kernels says so (see statnorm._numba)
    logging.getLogger("statnorm.numba").setLevel(
        level if getattr(args, "quiet", False) else min(level, logging.INFO)
    )
    return level


def add_output_options(parser, *, default_output=None):
    """``-o/--output`` (a folder), ``--json``, ``--quiet``, ``-v/--verbose``."""
    parser.add_argument(
        "-o",
        "--output",
        default=default_output,
        metavar="FOLDER",
        help="folder that receives the named output files (created if missing; "
        "nothing is written when omitted)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the results as JSON on stdout (the same numbers as the table)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but errors"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="report progress (repeat for more detail)",
    )


def add_random_state(parser, default=0):
    """``--random-state``: the seed of every random step."""
    parser.add_argument(
        "--random-state",
        type=nonneg_int("--random-state"),
        default=default,
        metavar="INT",
        help="seed of every random step (permutations, bootstrap, folds, init)",
    )


def add_n_permutations(parser, default=999):
    """``--n-permutations``."""
    parser.add_argument(
        "--n-permutations",
        type=nonneg_int("--n-permutations"),
        default=default,
        metavar="INT",
        help="number of permutations of the test",
    )


def add_n_bootstrap(parser, default=999):
    """``--n-bootstrap``."""
    parser.add_argument(
        "--n-bootstrap",
        type=nonneg_int("--n-bootstrap"),
        default=default,
        metavar="INT",
        help="number of bootstrap draws",
    )


def add_confidence_level(parser, default=0.95):
    """``--confidence-level``."""
    parser.add_argument(
        "--confidence-level",
        type=unit_interval("--confidence-level"),
        default=default,
        metavar="LEVEL",
        help="confidence level of intervals and bands",
    )


def unit_interval(option):
    """An argparse ``type`` for a number in (0, 1) that names ``option``."""

    def parse(text):
        try:
            v = float(text)
        except ValueError:
            v = float("nan")
        if not 0 < v < 1:
            raise argparse.ArgumentTypeError(
                f"{option} must be a number in (0, 1); got {text!r}"
            )
        return v

    return parse


def positive_float(option):
    """An argparse ``type`` for a finite number > 0 that names ``option``."""

    def parse(text):
        try:
            v = float(text)
        except ValueError:
            v = float("nan")
        if not (np.isfinite(v) and v > 0):
            raise argparse.ArgumentTypeError(
                f"{option} must be a positive number; got {text!r}"
            )
        return v

    return parse


def positive_int(option):
    """An argparse ``type`` for an int >= 1 that names ``option``."""

    def parse(text):
        try:
            v = int(text)
        except ValueError:
            v = 0
        if v < 1:
            raise argparse.ArgumentTypeError(
                f"{option} must be a positive integer; got {text!r}"
            )
        return v

    return parse


def nonneg_int(option):
    """An argparse ``type`` for a non-negative int that names ``option``."""

    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{option} must be a non-negative integer; got {text!r}"
            ) from None
        if v < 0:
            raise argparse.ArgumentTypeError(
                f"{option} must be a non-negative integer; got {text!r}"
            )
        return v

    return parse
