"""Helpers shared by the ``statnorm`` subcommands of every method.

Method ``_cli`` modules import from here, never from :mod:`statnorm._cli`
(the top-level parser), so that the entry point can register subcommands
without importing method packages and methods never import the entry point.

One reader (:func:`read_table`, :func:`load_array`) for every subcommand: CSV
or TSV (delimiter sniffed), parquet, ``.npy``/``.npz`` (never unpickled), ``-``
for standard input; a pandas-style index column is recognised and dropped
with a note; text columns are never coded silently. One set of flags
(:func:`add_output_options`, :func:`add_random_state`, ...), ``--json`` output
(:func:`emit`), and safe model files (:func:`save_model`, :func:`load_model`).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import numpy as np

__all__ = [
    "CLIError",
    "add_confidence_level",
    "add_model_options",
    "add_n_bootstrap",
    "add_n_permutations",
    "add_output_options",
    "add_random_state",
    "add_table_options",
    "configure_logging",
    "emit",
    "examples",
    "load_array",
    "load_model",
    "nonneg_int",
    "note",
    "output_dir",
    "positive_float",
    "read_table",
    "require_numeric",
    "save_model",
    "unit_interval",
    "write_frame",
]


class CLIError(Exception):
    """An error in the user's input to the command line (printed, no traceback)."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keep the description's layout (worked examples) and show every default."""

    def _get_help_string(self, action):
        h = action.help or ""
        if (
            "%(default)" not in h
            and action.default is not argparse.SUPPRESS
            and action.default not in (None, [])
            and action.option_strings
            and action.nargs != 0
        ):
            h += " (default: %(default)s)"
        return h


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def note(args, message):
    """Print a note on stderr unless ``--quiet`` (or ``--json``) was given."""
    if not getattr(args, "quiet", False):
        print(f"statnorm: note: {message}", file=sys.stderr)


# ---------------------------------------------------------------- reading
_TEXT = (".csv", ".tsv", ".txt", ".gz")


def _read_bytes(path, name):
    if str(path) == "-":
        data = sys.stdin.buffer.read()
        if not data:
            raise ValueError(f"{name}: standard input is empty.")
        return data, "-"
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{name}: no such file: {path}")
    if p.stat().st_size == 0:
        raise ValueError(f"{name}: {path} is empty (0 bytes).")
    return None, p


def _numeric_first_row(text):
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    for sep in (",", "\t", ";", None):
        cells = [c.strip().strip('"') for c in first.split(sep) if c.strip()]
        if cells and all(_is_number(c) for c in cells):
            return True
    return False


def _is_number(s):
    try:
        float(s)
    except ValueError:
        return False
    return True


def _is_row_counter(values):
    v = np.asarray(values)
    if v.dtype.kind not in "iuf" or len(v) == 0:
        return False
    return bool(
        np.array_equal(v, np.arange(len(v)))
        or np.array_equal(v, np.arange(1, len(v) + 1))
    )


def _read_frame(path, name):
    """Read any supported file (or stdin) into a DataFrame, unmodified."""
    import pandas as pd

    data, p = _read_bytes(path, name)
    label = "standard input" if p == "-" else str(p)
    suffix = "" if p == "-" else "".join(Path(p).suffixes[-2:]).lower()
    try:
        if suffix.endswith((".npy", ".npz")):
            A = _read_npy(p, name)
            if A.ndim == 1:
                A = A[:, None]
            if A.ndim != 2:
                raise ValueError(
                    f"{name}: {label} holds a {A.ndim}-D array; expected 1-D or 2-D."
                )
            return pd.DataFrame(A, columns=[f"x{j}" for j in range(A.shape[1])]), True
        if suffix.endswith(".parquet"):
            try:
                return pd.read_parquet(p), False
            except ImportError as exc:
                raise ValueError(
                    f"{name}: reading parquet needs pyarrow: pip install pyarrow"
                ) from exc
        if p == "-" or suffix.endswith(_TEXT):
            raw = data if data is not None else Path(p).read_bytes()
            if suffix.endswith(".gz"):
                import gzip

                raw = gzip.decompress(raw)
            text = raw.decode("utf-8-sig")
            header = None if _numeric_first_row(text) else "infer"
            sep = _delimiter(text, suffix)
            frame = pd.read_csv(
                io.StringIO(text), sep=sep, engine="python", header=header
            )
            if header is None:
                frame.columns = [f"x{j}" for j in range(frame.shape[1])]
            return frame, header is None
    except (EOFError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ValueError(f"{name}: cannot read {label}: {exc}") from None
    except ValueError as exc:
        if str(exc).startswith(f"{name}:"):
            raise
        raise ValueError(f"{name}: cannot read {label}: {exc}") from None
    raise ValueError(
        f"{name}: unsupported file type {suffix or label!r}; use .csv, .tsv, .txt, "
        ".parquet, .npy, .npz or - (standard input)."
    )


def _delimiter(text, suffix):
    """The delimiter of a text table: tab for .tsv, else taken from the first line."""
    if suffix.endswith((".tsv", ".tsv.gz")):
        return "\t"
    first = text.lstrip("\ufeff").splitlines()[0] if text else ""
    for d in (",", "\t", ";", "|"):
        if d in first:
            return d
    return r"\s+" if first.strip().count(" ") else ","


def _read_npy(p, name):
    if str(p).lower().endswith(".npy"):
        return np.load(p, allow_pickle=False)
    with np.load(p, allow_pickle=False) as z:
        keys = list(z.keys())
        if len(keys) != 1:
            raise ValueError(
                f"{name}: {p} holds {len(keys)} arrays ({keys}); expected one."
            )
        return z[keys[0]]


def read_table(
    path,
    name,
    *,
    args=None,
    index_col=None,
    categories=None,
    one_hot=(),
    numeric=True,
):
    """Read a table for a subcommand: numbers only, index handled, never guessed.

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.tsv``/``.txt`` (optionally ``.gz``), ``.parquet``,
        ``.npy`` or ``.npz`` file, or ``-`` for standard input (CSV text).
    name : str
        The option or argument the file came from (named in every error).
    args : argparse.Namespace, optional
        Parsed arguments: ``args.index_col`` and ``args.quiet`` are used.
    index_col : str or int, optional
        A column to drop as the row index. When None, an unnamed first column
        holding 0..n-1 or 1..n (what pandas writes by default) is recognised
        and dropped with a note.
    categories : dict, optional
        ``{column: [level, ...]}``: text columns coded by the given order
        (ordinal codes 0, 1, ...); an unknown level is an error.
    one_hot : sequence of str, default=()
        Text columns to one-hot encode.
    numeric : bool, default=True
        Reject any remaining non-numeric column (naming it).

    Returns
    -------
    frame : pandas.DataFrame
        The table with the index dropped and every column numeric.
    """
    import pandas as pd

    if args is not None and index_col is None:
        index_col = getattr(args, "index_col", None)
    frame, headerless = _read_frame(path, name)
    label = "standard input" if str(path) == "-" else str(path)
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ValueError(f"{name}: {label} holds no values.")
    if index_col is not None:
        col = index_col
        if isinstance(col, str) and col.isdigit() and col not in frame.columns:
            col = frame.columns[int(col)]
        if col not in frame.columns:
            raise ValueError(
                f"--index-col: {index_col!r} is not a column of {label}; columns "
                f"are {list(map(str, frame.columns))}."
            )
        frame = frame.drop(columns=[col])
    elif not headerless and frame.shape[1] > 1:
        first = str(frame.columns[0])
        if (first == "" or first.startswith("Unnamed: 0")) and _is_row_counter(
            frame.iloc[:, 0]
        ):
            frame = frame.iloc[:, 1:]
            if args is not None:
                note(
                    args,
                    f"{label}: dropped the unnamed first column (a row index "
                    "0..n-1 or 1..n, as pandas writes it); use --index-col to "
                    "choose the index column yourself.",
                )
        elif _is_row_counter(frame.iloc[:, 0]) and len(frame) > 2 and args is not None:
            note(
                args,
                f"{label}: the first column {first!r} counts the rows 1..n or "
                f"0..n-1; if it is an identifier, pass --index-col {first}.",
            )
    for col, levels in (categories or {}).items():
        if col not in frame.columns:
            raise ValueError(f"{name}: no column {col!r} in {label} to code.")
        levels = list(levels)
        values = frame[col].astype(str)
        bad = sorted(set(values) - set(levels))
        if bad:
            raise ValueError(
                f"{name}: column {col!r} of {label} has values {bad[:5]} not "
                f"among the levels given for it {levels}."
            )
        order = {v: float(i) for i, v in enumerate(levels)}
        frame = frame.assign(**{col: values.map(order).astype(np.float64)})
    if one_hot:
        missing = [c for c in one_hot if c not in frame.columns]
        if missing:
            raise ValueError(f"{name}: no column(s) {missing} in {label} to encode.")
        frame = pd.get_dummies(frame, columns=list(one_hot), dtype=np.float64)
    if numeric:
        require_numeric(frame, name, label)
    return frame


def require_numeric(frame, name, label):
    """Raise a ValueError naming the text columns of ``frame``, if any."""
    import pandas as pd

    text_cols = [
        str(c)
        for c in frame.columns
        if not pd.api.types.is_numeric_dtype(frame[c])
        or pd.api.types.is_bool_dtype(frame[c])
    ]
    if text_cols:
        raise ValueError(
            f"{name}: column(s) {text_cols} of {label} are not numeric. Code an "
            "ordered category with --categories COLUMN=LEVEL1,LEVEL2,... or "
            "one-hot encode it with --one-hot COLUMN; statnorm never codes "
            "text alphabetically."
        )


def load_array(path, name, *, ndmin=2, args=None, dtype=np.float64, finite=True):
    """Read a numeric array for a subcommand (see :func:`read_table`).

    A 1-D result becomes one column with ``ndmin=2``; with ``ndmin=1`` a
    one-column table becomes 1-D. With ``finite=True`` (default) a missing,
    NaN or infinite value is an error naming the file and the first bad cell.
    Errors name the argument and the file.
    """
    frame = read_table(path, name, args=args)
    # C order, as NumPy loads files: the same summation order (and so the same
    # bits) in BLAS-backed computations as an array the user builds in Python
    A = np.ascontiguousarray(frame.to_numpy())
    if A.dtype.kind not in "biuf":
        raise ValueError(f"{name}: {path} must hold numbers; got dtype {A.dtype}.")
    A = A.astype(dtype, copy=False)
    if finite and A.dtype.kind == "f" and not np.isfinite(A).all():
        r, c = np.argwhere(~np.isfinite(A))[0]
        what = "a missing value or NaN" if np.isnan(A[r, c]) else "an infinite value"
        raise ValueError(
            f"{name}: {path} holds {what} (row {r + 1}, column {c + 1}); "
            "statnorm needs finite numbers."
        )
    if finite and A.dtype.kind == "f" and A.size and np.abs(A).max() > 1e300:
        raise ValueError(
            f"{name}: {path} holds values of magnitude up to {np.abs(A).max():.3g}; "
            "values this large overflow in the computations (rescale them)."
        )
    if ndmin == 1 and A.ndim == 2 and A.shape[1] == 1:
        A = A[:, 0]
    return A


# ---------------------------------------------------------------- options
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
    """``--index-col`` (and, with ``categories``, ``--categories``/``--one-hot``)."""
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


# ---------------------------------------------------------------- writing
def output_dir(args):
    """The ``-o/--output`` folder (created), or None when no output was asked."""
    out = getattr(args, "output", None)
    if out is None:
        return None
    p = Path(out)
    if p.exists() and not p.is_dir():
        raise CLIError(f"--output: {out} exists and is not a folder.")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CLIError(f"--output: cannot create folder {out}: {exc}") from None
    return p


def write_frame(frame, folder, filename):
    """Write a DataFrame (with its header, without the index) into ``folder``.

    Floats are written with 17 significant digits, so reading the file back
    gives the same numbers bit for bit.
    """
    path = Path(folder) / filename
    frame.to_csv(path, index=False, float_format="%.17g")
    return path


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        return _jsonable(v.tolist())
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None if np.isnan(v) else ("inf" if v > 0 else "-inf")
    if hasattr(v, "to_dict") and not isinstance(v, type):
        return _jsonable(v.to_dict())
    return v


def emit(args, *, text=None, data=None):
    """Print the results: ``data`` as JSON with ``--json``, else ``text``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments (``json`` and ``quiet`` are read).
    text : object, optional
        What a person reads (a SummaryTable or a string), printed unless
        ``--quiet`` or ``--json``.
    data : dict, optional
        The same numbers, machine-readable (NumPy values converted; NaN
        becomes null, infinities "inf"/"-inf").
    """
    if getattr(args, "json", False):
        print(json.dumps(_jsonable(data or {}), indent=2))
    elif text is not None and not getattr(args, "quiet", False):
        print(text)


# ---------------------------------------------------------------- models
def save_model(estimator, path):
    """Save a fitted estimator with skops (safe to share; no pickle).

    Raises a ``CLIError`` if skops is not installed.
    """
    sio = _skops()
    p = Path(path)
    if p.suffix != ".skops":
        raise CLIError(f"--save: use a .skops file name; got {path}")
    sio.dump(estimator, p)
    return p


def load_model(path, *, expected=None, option="--apply"):
    """Load an estimator saved by :func:`save_model`, trusting statnorm types only.

    Types from statnorm, NumPy, SciPy and scikit-learn are trusted; a file
    that holds anything else is refused (skops never runs pickled code).
    """
    sio = _skops()
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{option}: no such file: {path}")
    try:
        untrusted = sio.get_untrusted_types(file=p)
    except Exception as exc:  # noqa: BLE001 - any parse error is a bad file
        raise ValueError(f"{option}: {path} is not a skops model file: {exc}") from None
    foreign = [
        t
        for t in untrusted
        if not t.startswith(("statnorm.", "numpy.", "scipy.", "sklearn.", "builtins."))
    ]
    if foreign:
        raise ValueError(
            f"{option}: {path} holds types statnorm does not trust: {foreign}."
        )
    est = sio.load(p, trusted=untrusted)
    if expected is not None and not isinstance(est, expected):
        raise ValueError(
            f"{option}: {path} holds a {type(est).__name__}, not a "
            f"{_type_names(expected)}."
        )
    return est


def _type_names(expected):
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(getattr(t, "__name__", str(t)) for t in types)


def _skops():
    try:
        import skops.io as sio
    except ImportError as exc:
        raise CLIError(
            "saving and loading models needs skops: pip install 'statnorm[cli]' "
            "(or pip install skops)"
        ) from exc
    return sio
