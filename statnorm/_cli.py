"""The ``statnorm`` command line.

Subcommands come from a static table (:data:`COMMANDS`): ``statnorm --help``
and ``statnorm --version`` import no method package (and so no Numba); a
method's parser is built only when its subcommand is used. Built-in
subcommands are ``tour``, ``datasets`` and ``versions``. A method joins by

- adding a row to :data:`COMMANDS` and shipping ``statnorm/<method>/_cli.py``
  with ``add_subcommand(subparsers)``, which adds ``statnorm <command> ...``
  with ``subparsers.add_parser(...)`` and ``parser.set_defaults(func=run)``,
  where ``run(args) -> int``;
- shipping ``statnorm/_tours/<method>.py`` with ``tour(report)``: a short
  script over public names that runs the method on bundled data for
  ``statnorm tour``.

Method CLIs take their shared helpers (``CLIError``, ``load_array``) from
:mod:`statnorm._cliutils`, never from this module.

Bad user input is reported as one line on stderr with exit status 2 (usage)
or 1 (input or data errors, and running out of memory); a traceback means a
bug in statnorm.
"""

import importlib
import importlib.util
import sys
import time

from . import METHODS, __version__
from ._cliutils import CLIError, _Parser

#: ``{command: (method, one-line help)}`` for the method subcommands.
COMMANDS = {
    "calibrate": (
        "calibration",
        "recalibrate classifier logits (h-calibration and baselines)",
    ),
    "quantile": (
        "quantile",
        "aggregate quantile models, conformalise, score held-out WIS",
    ),
    "pcor": (
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


def _import_if_present(name):
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:
        return None
    return importlib.import_module(name) if spec is not None else None


def available_tours():
    """Return ``[(method, tour_function)]`` for the methods that have a tour."""
    out = []
    for m in METHODS:
        mod = _import_if_present(f"statnorm._tours.{m}")
        if mod is None:  # a method whose tour still lives in its _cli module
            mod = _import_if_present(f"statnorm.{m}._cli")
        if mod is not None and hasattr(mod, "tour"):
            out.append((m, mod.tour))
    return out


def _cmd_tour(args):
    from ._report import Report

    wanted = args.methods or list(METHODS)
    unknown = sorted(set(wanted) - set(METHODS))
    if unknown:
        raise CLIError(f"unknown method(s) {unknown}; choose from {list(METHODS)}")
    tours = [(m, f) for m, f in available_tours() if m in wanted]
    report = Report(args.output, title="statnorm tour")
    report.text(
        f"statnorm {__version__}. Each section runs one method on the data "
        "bundled with statnorm; nothing is downloaded."
    )
    if not report.plots:
        msg = (
            "statnorm tour: matplotlib is not installed, so the tour runs without "
            "figures (install statnorm[plot] for them)."
        )
        print(msg)
        report.text(msg)
    if not tours:
        msg = (
            "statnorm tour: no method is available yet "
            f"(0 of {len(METHODS)} built); nothing to run."
        )
        print(msg)
        report.text(msg)
        path = report.write()
        print(f"wrote {path}")
        return 0
    for i, (m, tour) in enumerate(tours, 1):
        print(f"[{i}/{len(tours)}] {m} ...", flush=True)
        t0 = time.perf_counter()
        report.section(m)
        tour(report)
        print(
            f"[{i}/{len(tours)}] {m} done in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
    path = report.write()
    print(f"wrote {path} and {len(report.figures)} figure(s)")
    return 0


def _cmd_datasets(args):
    from ._datasets_export import GENERATED
    from .datasets import list_datasets

    infos = list_datasets()
    names = [d["name"] for d in infos] + list(GENERATED)
    if args.name and args.name not in names:
        raise CLIError(f"unknown dataset {args.name!r}; choose from {names}")
    if args.output is not None:
        if not args.name:
            raise CLIError(
                "--output: name the data set to write (see 'statnorm datasets')"
            )
        from ._datasets_export import export

        for path in export(args.name, args.output):
            print(path)
        return 0
    if args.name in GENERATED:
        print(f"name: {args.name}\nsource: {GENERATED[args.name]}")
        return 0
    if args.name:
        match = [d for d in infos if d["name"] == args.name]
        for k, v in match[0].items():
            print(f"{k}: {', '.join(v) if isinstance(v, tuple) else v}")
        return 0
    width = max(len(d["name"]) for d in infos)
    for d in infos:
        print(f"{d['name']:<{width}}  {d['loader']:<22}  {d['shape']}")
    for name, descr in GENERATED.items():
        print(f"{name:<{width}}  {'(statnorm datasets)':<22}  {descr}")
    return 0


def _cmd_versions(args):
    from .utils import show_versions

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

    for name, (method, help_line) in COMMANDS.items():
        if name == command:
            importlib.import_module(f"statnorm.{method}._cli").add_subcommand(sub)
        else:
            sub.add_parser(name, help=help_line, add_help=False)
    return parser


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
