"""One reader for every subcommand: text tables, parquet, ``.npy``/``.npz``.

CSV or TSV (delimiter sniffed), parquet, ``.npy``/``.npz`` (never unpickled),
``-`` for standard input; a pandas-style index column is recognised and
dropped with a note; a header row is never read as data silently
(``--header`` / ``--no-header`` settle a doubtful first line); at most
``--max-cells`` cells are read; text columns are never coded silently.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import numpy as np

from ._parser import HeaderUndecided, note

_TEXT = (".csv", ".tsv", ".txt", ".gz")

#: Default of ``--max-cells``: the largest table a subcommand reads (rows times
#: columns), 400 MB as float64.
DEFAULT_MAX_CELLS = 50_000_000
# text bytes allowed per cell: 17 significant digits, sign, exponent, separator
_BYTES_PER_CELL = 32
# lines looked at to tell a header from data
_SNIFF_LINES = 200


def _max_cells(args):
    v = getattr(args, "max_cells", None)
    return DEFAULT_MAX_CELLS if v is None else int(v)


def _too_large(name, label, what, max_cells):
    return ValueError(
        f"{name}: {label} {what}, more than --max-cells {max_cells} allows "
        f"(rows x columns); pass a larger --max-cells if it is meant to be this "
        "large."
    )


def _read_limited(stream, limit, name, label, max_cells, *, inflated=False):
    """Read at most ``limit`` bytes; a longer stream is an error (never read on)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        what = "inflates to" if inflated else "holds"
        raise _too_large(
            name, label, f"{what} more than {limit} bytes of text", max_cells
        )
    return data


def _read_bytes(path, name, max_cells=DEFAULT_MAX_CELLS):
    limit = _BYTES_PER_CELL * max_cells + (1 << 20)
    if str(path) == "-":
        data = _read_limited(sys.stdin.buffer, limit, name, "standard input", max_cells)
        if not data:
            raise ValueError(f"{name}: standard input is empty.")
        return data, "-"
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{name}: no such file: {path}")
    size = p.stat().st_size
    if size == 0:
        raise ValueError(f"{name}: {path} is empty (0 bytes).")
    if size > limit and p.suffix.lower() in (".csv", ".tsv", ".txt"):
        raise _too_large(name, str(p), f"holds {size} bytes of text", max_cells)
    return None, p


_INT = re.compile(r"[+-]?\d+")


def _kind(cell):
    """``"empty"``, ``"int"`` (digits only), ``"float"`` or ``"text"``."""
    c = cell.strip()
    if not c:
        return "empty"
    if _INT.fullmatch(c):
        return "int"
    try:
        float(c)
    except ValueError:
        return "text"
    return "float"


def _first_rows(text, sep, max_chars=1 << 16):
    """The first non-blank lines of a text table, split into cells.

    Lines are cut at ``max_chars`` characters (a cut line loses its last,
    partial cell, and every row is cut to the shortest), so that sniffing a
    very wide table stays cheap.
    """
    import csv

    lines, cut, pos = [], False, 0
    while pos < len(text) and len(lines) <= _SNIFF_LINES:
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos : min(end, pos + max_chars)]
        if end - pos > max_chars:
            cut = True
            line = line[: max(line.rfind(" " if sep == r"\s+" else sep), 0)]
        pos = end + 1
        if line.strip():
            lines.append(line)
    if sep == r"\s+":
        rows = [ln.split() for ln in lines]
    else:
        rows = [[c.strip() for c in r] for r in csv.reader(lines, delimiter=sep)]
    if cut and rows:
        m = min(len(r) for r in rows)
        rows = [r[:m] for r in rows]
    return rows


def _sniff_header(text, sep, name, label):
    """Whether the first line of a text table is a header (names), or data.

    A line with a word in it is a header. An all-numeric first line is a
    header when its cells are of another kind than the columns below (integer
    names such as pandas' ``0, 1, 2`` over columns of decimals), or when its
    first cell is empty over a column counting the rows (the header pandas
    writes with its index). When it cannot tell, it raises an error naming
    ``--header`` and ``--no-header`` rather than guess.
    """
    rows = _first_rows(text, sep)
    if not rows:
        return False
    first, body = rows[0], [r for r in rows[1:] if len(r) == len(rows[0])]
    kinds = [_kind(c) for c in first]
    if "text" in kinds:
        return True
    if not body:
        return False
    d = len(first)
    if kinds[0] == "empty" and d > 1:
        col0 = [r[0] for r in body]
        if all(_kind(c) == "int" for c in col0) and _is_row_counter(
            [int(c) for c in col0]
        ):
            return True  # pandas' index: an unnamed header cell over 0..n-1
    agree = disagree = 0
    for j in range(d):
        below = {_kind(r[j]) for r in body} - {"empty"}
        if kinds[j] == "empty" or len(below) != 1:
            continue  # a column of mixed kinds tells nothing
        if kinds[j] == below.pop():
            agree += 1
        else:
            disagree += 1
    shown = sep.join(first) if sep != r"\s+" else " ".join(first)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    if disagree and not agree:
        return True
    doubt = None
    if disagree:
        doubt = "some of its cells are of another kind than the columns below"
    elif kinds[0] == "empty":
        doubt = (
            "its first cell is empty: a missing value, or the unnamed index "
            "of a header written by pandas"
        )
    elif all(k == "int" for k in kinds) and [int(c) for c in first] in (
        list(range(d)),
        list(range(1, d + 1)),
    ):
        doubt = (
            "it reads 0, 1, 2, ... like the column names pandas writes for an "
            "array (DataFrame(array).to_csv(index=False))"
        )
    if doubt:
        raise HeaderUndecided(
            f"{name}: cannot tell whether the first line of {label} ({shown!r}) "
            f"is a header or data: {doubt}. Pass --header if it names the "
            "columns or --no-header if it is data."
        )
    return False


def _is_row_counter(values):
    v = np.asarray(values)
    if v.dtype.kind not in "iuf" or len(v) == 0:
        return False
    return bool(
        np.array_equal(v, np.arange(len(v)))
        or np.array_equal(v, np.arange(1, len(v) + 1))
    )


def _check_cells(shape, name, label, max_cells):
    cells = int(np.prod(shape, dtype=object))
    if cells > max_cells:
        dims = " x ".join(map(str, shape))
        raise _too_large(name, label, f"holds {dims} = {cells} cells", max_cells)


def _read_frame(path, name, *, header=None, max_cells=DEFAULT_MAX_CELLS):
    """Read any supported file (or stdin) into a DataFrame, unmodified.

    Returns the frame and whether it was read without a header. At most
    ``max_cells`` cells are read, and never more than a bounded number of bytes
    (also when a ``.gz`` file inflates).
    """
    import pandas as pd

    data, p = _read_bytes(path, name, max_cells)
    label = "standard input" if p == "-" else str(p)
    suffix = "" if p == "-" else "".join(Path(p).suffixes[-2:]).lower()
    try:
        if suffix.endswith((".npy", ".npz")):
            A = _read_npy(p, name, max_cells)
            if A.ndim == 1:
                A = A[:, None]
            if A.ndim != 2:
                raise ValueError(
                    f"{name}: {label} holds a {A.ndim}-D array; expected 1-D or 2-D."
                )
            return pd.DataFrame(A, columns=[f"x{j}" for j in range(A.shape[1])]), True
        if suffix.endswith(".parquet"):
            try:
                import pyarrow.parquet as pq

                meta = pq.ParquetFile(p).metadata
                _check_cells((meta.num_rows, meta.num_columns), name, label, max_cells)
                frame = pd.read_parquet(p)
            except ImportError as exc:
                raise ValueError(
                    f"{name}: reading parquet needs pyarrow: pip install pyarrow"
                ) from exc
            frame.columns = [str(c) for c in frame.columns]
            return frame, False
        if p == "-" or suffix.endswith(_TEXT):
            return _read_text(data, p, suffix, name, label, header, max_cells)
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


def _read_text(data, p, suffix, name, label, header, max_cells):
    """A CSV/TSV/whitespace table (``data``: bytes of stdin, else read ``p``)."""
    import pandas as pd

    limit = _BYTES_PER_CELL * max_cells + (1 << 20)
    if data is not None:
        raw = data
    elif suffix.endswith(".gz"):
        import gzip

        with gzip.open(p, "rb") as fh:
            raw = _read_limited(fh, limit, name, label, max_cells, inflated=True)
    else:
        raw = Path(p).read_bytes()
    # the first lines decide the delimiter and the header; pandas or NumPy
    # parse the bytes themselves (no decoded copy of a large file)
    head = raw[: 1 << 22].decode("utf-8-sig", errors="replace")
    if not head.strip():
        raise ValueError(f"{name}: {label} holds no values.")
    sep = _delimiter(head, suffix)
    rows = _first_rows(head, sep)
    first = head.lstrip().split("\n", 1)[0]
    n_cols = len(first.split()) if sep == r"\s+" else first.count(sep) + 1
    n_lines = raw.count(b"\n") + (not raw.endswith(b"\n"))
    _check_cells((n_lines, n_cols), name, label, max_cells)
    if header is None:
        header = _sniff_header(head, sep, name, label)
    frame = None
    if n_cols > 1000 and all(_kind(c) in ("int", "float") for c in rows[-1]):
        # a wide numeric matrix: NumPy parses it many times faster than pandas
        try:
            A = np.loadtxt(
                io.BytesIO(raw),
                delimiter=None if sep == r"\s+" else sep,
                skiprows=1 if header else 0,
                ndmin=2,
                encoding="utf-8-sig",
                quotechar='"',
            )
        except ValueError:
            A = None  # empty cells, text: pandas says where
        if A is not None:
            split = None if sep == r"\s+" else sep
            names = [c.strip().strip('"') for c in first.split(split)] if header else []
            if len(names) != A.shape[1]:
                names = [f"x{j}" for j in range(A.shape[1])]
            frame = pd.DataFrame(A, columns=names)
    if frame is None:
        frame = pd.read_csv(
            io.BytesIO(raw),
            sep=sep,
            engine="c",
            header=0 if header else None,
            encoding="utf-8-sig",
        )
    if not header:
        frame.columns = [f"x{j}" for j in range(frame.shape[1])]
    else:
        frame.columns = [str(c) for c in frame.columns]
    return frame, not header


def _delimiter(text, suffix):
    """The delimiter of a text table: tab for .tsv, else taken from the first line."""
    if suffix.endswith((".tsv", ".tsv.gz")):
        return "\t"
    first = text.lstrip("\ufeff").splitlines()[0] if text else ""
    for d in (",", "\t", ";", "|"):
        if d in first:
            return d
    return r"\s+" if first.strip().count(" ") else ","


def _read_npy(p, name, max_cells=DEFAULT_MAX_CELLS):
    """Load a .npy/.npz array (never unpickled), its shape checked first."""
    import zipfile

    label = str(p)
    if label.lower().endswith(".npy"):
        # a memory map reads the header only: the shape, before any data
        _check_cells(
            np.load(p, mmap_mode="r", allow_pickle=False).shape, name, label, max_cells
        )
        return np.load(p, allow_pickle=False)
    fmt = np.lib.format
    with zipfile.ZipFile(p) as zf:
        for info in zf.infolist():
            # the size a member claims bounds what inflating it may produce
            if info.file_size > 16 * max_cells + (1 << 16):
                raise _too_large(
                    name,
                    label,
                    f"holds an array of {info.file_size} bytes ({info.filename})",
                    max_cells,
                )
            if info.filename.endswith(".npy"):  # its shape, from its header
                with zf.open(info) as fh:
                    version = fmt.read_magic(fh)
                    if version == (1, 0):
                        shape = fmt.read_array_header_1_0(fh)[0]
                    elif version == (2, 0):
                        shape = fmt.read_array_header_2_0(fh)[0]
                    else:
                        continue
                _check_cells(shape, name, label, max_cells)
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
    header=None,
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
    header : bool, optional
        Whether the first line of a text table names the columns. When None
        (and ``args.header`` is None) it is decided from the file: a line
        with words is a header; an all-numeric line is a header when its
        cells are of another kind than the columns below (pandas' ``0, 1,
        2`` over decimals) or when it starts with an empty cell over a row
        counter (pandas' index); when the file leaves it open, a ValueError
        asks for ``--header`` or ``--no-header``. A header row is never read
        as data silently.
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
    if args is not None and index_col is None:
        index_col = getattr(args, "index_col", None)
    if args is not None and header is None:
        header = getattr(args, "header", None)
    frame, headerless = _read_frame(
        path, name, header=header, max_cells=_max_cells(args)
    )
    label = "standard input" if str(path) == "-" else str(path)
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ValueError(f"{name}: {label} holds no values.")
    if index_col is not None:
        frame = _drop_named_index(frame, index_col, label)
    elif not headerless and frame.shape[1] > 1:
        frame = _drop_pandas_index(frame, label, args)
    frame = _encode_text(frame, name, label, categories or {}, one_hot)
    if numeric:
        require_numeric(frame, name, label)
    return frame


def _drop_named_index(frame, index_col, label):
    """Drop the column ``--index-col`` names (by name, or by position)."""
    col = index_col
    if isinstance(col, str) and col.isdigit() and col not in frame.columns:
        col = frame.columns[int(col)]
    if col not in frame.columns:
        raise ValueError(
            f"--index-col: {index_col!r} is not a column of {label}; columns "
            f"are {list(map(str, frame.columns))}."
        )
    return frame.drop(columns=[col])


def _drop_pandas_index(frame, label, args):
    """Drop an unnamed first column counting the rows (pandas' index), with a
    note; say so when a first column looks like an index but is kept."""
    first = str(frame.columns[0])
    unnamed = first == "" or first.startswith("Unnamed: 0")
    counts = _is_row_counter(frame.iloc[:, 0])
    if unnamed and counts:
        if args is not None:
            note(
                args,
                f"{label}: dropped the unnamed first column (a row index "
                "0..n-1 or 1..n, as pandas writes it); use --index-col to "
                "choose the index column yourself.",
            )
        return frame.iloc[:, 1:]
    if args is None:
        return frame
    if unnamed:
        # an index pandas wrote after rows were sampled or sorted: a data
        # column for all statnorm can tell, but say so
        note(
            args,
            f"{label}: the first column has no name but does not count "
            "the rows, so it is used as data; if it is a row index "
            "(pandas writes one with an empty name), pass --index-col "
            f"'{first}'.",
        )
    elif counts and len(frame) > 2:
        note(
            args,
            f"{label}: the first column {first!r} counts the rows 1..n or "
            f"0..n-1; if it is an identifier, pass --index-col {first}.",
        )
    return frame


def _encode_text(frame, name, label, categories, one_hot):
    """Code the ``--categories`` columns by their given order and one-hot
    encode the ``--one-hot`` ones; nothing else is coded."""
    import pandas as pd

    for col, levels in categories.items():
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
    return frame


def _size(n_bytes):
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n_bytes < 1024:
            return f"{n_bytes:.3g} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.3g} TiB"


def check_square_budget(k, args, name, path, what):
    """Refuse a computation that needs a ``k x k`` matrix beyond ``--max-cells``.

    Called before the allocation, so that a table with very many columns
    fails at once with a clear line instead of after trying to allocate
    terabytes.
    """
    max_cells = _max_cells(args)
    if k * k > max_cells:
        raise ValueError(
            f"{name}: {path} has {k} columns, and {what} is a {k} x {k} matrix "
            f"({_size(8 * k * k)} as float64), more than --max-cells "
            f"{max_cells} allows; reduce the number of columns or pass a larger "
            "--max-cells."
        )


def require_numeric(frame, name, label):
    """Raise a ValueError naming the text columns of ``frame``, if any."""
    import pandas as pd

    # by dtype, once per distinct dtype (a wide table has one)
    dtypes = list(frame.dtypes.to_numpy())
    kinds = {
        t: pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
        for t in set(dtypes)
    }
    text_cols = [str(frame.columns[j]) for j, t in enumerate(dtypes) if not kinds[t]]
    if text_cols:
        raise ValueError(
            f"{name}: column(s) {text_cols} of {label} are not numeric. Code an "
            "ordered category with --categories COLUMN=LEVEL1,LEVEL2,... or "
            "one-hot encode it with --one-hot COLUMN; statnorm never codes "
            "text alphabetically."
        )


def load_array(
    path, name, *, ndmin=2, args=None, dtype=np.float64, finite=True, n_rows=None
):
    """Read a numeric array for a subcommand (see :func:`read_table`).

    A 1-D result becomes one column with ``ndmin=2``; with ``ndmin=1`` a
    one-column table becomes 1-D. With ``finite=True`` (default) a missing,
    NaN or infinite value is an error naming the file and the first bad cell.
    Errors name the argument and the file. ``n_rows``, when the rows must
    match another file (labels of scores): if the file cannot tell whether
    its first line is a header, the reading that gives ``n_rows`` rows is
    taken (a one-column ``0`` over integer labels, as pandas writes a
    Series, is a header exactly when the file has one line more than
    ``n_rows``).
    """
    try:
        frame = read_table(path, name, args=args)
    except HeaderUndecided:
        if n_rows is None:
            raise
        fits = [
            f
            for f in (
                read_table(path, name, args=args, header=h) for h in (True, False)
            )
            if len(f) == n_rows
        ]
        if len(fits) != 1:
            raise
        frame = fits[0]
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
