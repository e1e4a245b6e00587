"""Helpers shared by the ``statnorm`` subcommands of every method.

Method ``_cli`` modules import from here, never from :mod:`statnorm._cli`
(the top-level parser), so that the entry point can register subcommands
without importing method packages and methods never import the entry point.
"""

import argparse
from pathlib import Path


class CLIError(Exception):
    """An error in the user's input to the command line (printed, no traceback)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def load_array(path, name, *, ndmin=2):
    """Read a numeric array from ``.npy``, ``.npz`` (one array), ``.csv``,
    ``.tsv`` or ``.txt`` for a method's subcommand.

    Text files may start with a header line; the delimiter (comma, tab or
    whitespace) is taken from the first line. With ``ndmin=2`` a 1-D array
    becomes one column. Errors name the argument (``name``) and the file.
    """
    import numpy as np

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{name}: no such file: {path}")
    if p.stat().st_size == 0:
        raise ValueError(f"{name}: {path} is empty (0 bytes).")
    suffix = p.suffix.lower()
    try:
        A = _read(p, suffix, name, path, np)
    except (EOFError, OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{name}: cannot read {path} as {suffix}: {exc}") from None
    except ValueError as exc:
        if str(exc).startswith(f"{name}:"):
            raise
        raise ValueError(f"{name}: cannot read {path}: {exc}") from None
    if A.dtype.kind not in "biuf":
        raise ValueError(
            f"{name}: {path} must hold numbers; got an array of dtype {A.dtype}."
        )
    if A.size == 0:
        raise ValueError(f"{name}: {path} holds no values.")
    if ndmin == 2 and A.ndim == 1:
        A = A[:, None]
    return A


def _read(p, suffix, name, path, np):
    if suffix == ".npy":
        A = np.load(p, allow_pickle=False)
    elif suffix == ".npz":
        with np.load(p, allow_pickle=False) as z:
            keys = list(z.keys())
            if len(keys) != 1:
                raise ValueError(
                    f"{name}: {path} holds {len(keys)} arrays ({keys}); expected one."
                )
            A = z[keys[0]]
    elif suffix in (".csv", ".tsv", ".txt"):
        with open(p, encoding="utf-8") as f:
            first = f.readline()
        delim = "," if "," in first else ("\t" if "\t" in first else None)
        try:
            float((first.split(delim) or ["x"])[0])
            skip = 0
        except ValueError:  # a header line
            skip = 1
        A = np.loadtxt(p, delimiter=delim, ndmin=1, skiprows=skip)
    else:
        raise ValueError(
            f"{name}: unsupported file type {suffix or path!r}; use .npy, .npz, "
            ".csv, .tsv or .txt."
        )
    return A
