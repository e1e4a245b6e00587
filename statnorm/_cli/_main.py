"""The ``statnorm`` entry point: the parser of every subcommand and ``main``."""

import importlib
import sys

from .. import METHODS, __version__
from ._datasets import _cmd_datasets
from ._parser import CLIError, _Parser
from ._tour import _cmd_tour

#: ``{command: (method, one-line help)}`` for the method subcommands.
COMMANDS = {
    "calibration": (
        "calibration",
        "recalibrate classifier logits (h-calibration and baselines)",
    ),
    "quantile": (
        "quantile",
        "aggregate quantile models, conformalise, score held-out WIS",
    ),
    "compositional": (
        "compositional",
        "compositional partial correlations of the parts in a CSV file",
    ),
    "depth": (
        "depth",
        "compare two corpora of embeddings by TTE depth (rank-sum test)",
    ),
    "kde": ("kde", "high-dimensional KDE: log-densities and the statistical regime"),
    "rdd": (
        "rdd",
        "regression discontinuity with distribution-valued outcomes (R3D)",
    ),
    "mmd": ("mmd", "kernel two-sample test (MMD), optionally with a learned kernel"),
}

#: Earlier subcommand names, still accepted: ``{alias: command}``.
ALIASES = {"calibrate": "calibration", "pcor": "compositional"}


def _cmd_versions(args):
    from ..utils import show_versions

    show_versions()
    return 0


def build_parser(command=None):
    """Build the argument parser.

    Parameters
    ----------
    command : str, optional
        The method subcommand about to run: only its parser is built in full
        (importing that method); the others are listed with their help line.
    """
    parser = _Parser(
        prog="statnorm",
        description=(
            "Calibrate models and compare distributions. Run 'statnorm tour' to see "
            "every available method on bundled data."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"statnorm {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    _add_builtin_commands(sub)
    command = ALIASES.get(command, command)
    for name, (method, help_line) in COMMANDS.items():
        if name == command:
            importlib.import_module(f"statnorm.{method}._cli").add_subcommand(sub)
        else:
            aliases = [a for a, c in ALIASES.items() if c == name]
            sub.add_parser(name, help=help_line, add_help=False, aliases=aliases)
    return parser


def _add_builtin_commands(sub):
    """``statnorm tour``, ``statnorm datasets`` and ``statnorm versions``."""
    p = sub.add_parser("tour", help="run every available method on bundled data")
    p.add_argument(
        "-o",
        "--output",
        default="statnorm-tour",
        help="folder for report.md and figures (default: %(default)s)",
    )
    p.add_argument(
        "--methods",
        nargs="+",
        metavar="METHOD",
        help=f"subset of methods to run (default: all of {', '.join(METHODS)})",
    )
    p.set_defaults(func=_cmd_tour)

    p = sub.add_parser(
        "datasets",
        help="list the bundled data sets, or write one to files",
        description=(
            "List the bundled data sets, show one's source and licence, or write "
            "it to files that the other subcommands read.\n\n"
            "examples:\n"
            "  statnorm datasets roman_cups -o data\n"
            "  statnorm datasets cifar10_logits -o data"
        ),
    )
    p.add_argument("name", nargs="?", help="show source and licence of one data set")
    p.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FOLDER",
        help="write the named data set into FOLDER (CSV with a header; embeddings "
        "as .npy)",
    )
    p.set_defaults(func=_cmd_datasets)

    p = sub.add_parser(
        "versions", help="print versions of statnorm and its dependencies"
    )
    p.set_defaults(func=_cmd_versions)


def _command_of(argv):
    """The subcommand named in ``argv`` (the first non-option word), if any."""
    for a in argv:
        if not a.startswith("-"):
            return a
        if a in ("-h", "--help", "--version"):
            return None
    return None


def main(argv=None):
    """Entry point of the ``statnorm`` console script.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        Exit status: 0 on success, 1 for bad input data, 2 for bad usage.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command_of(argv))
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except CLIError as exc:
        print(f"statnorm: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, OSError) as exc:
        print(f"statnorm {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except MemoryError as exc:  # NumPy's says how much it tried to allocate
        detail = " ".join(str(exc).split()) or "an allocation failed"
        print(
            f"statnorm {args.command}: error: out of memory ({detail}); the input "
            "is too large for this machine: use a smaller input, or a lower "
            "--max-cells to refuse such files before reading them",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:  # pragma: no cover - interactive
        print("statnorm: interrupted", file=sys.stderr)
        return 130
