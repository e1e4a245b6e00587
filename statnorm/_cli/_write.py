"""Writing results: the output folder, CSV tables and ``--json``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ._parser import CLIError


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
