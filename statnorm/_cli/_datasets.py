"""``statnorm datasets``: list the bundled data sets, or write one to files."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from ..datasets._base import MGT_MACHINES, _path
from ._parser import CLIError


def _raw_csv(fname, folder, out_name):
    raw = _path(fname).read_bytes()
    if fname.endswith(".gz"):
        raw = gzip.decompress(raw)
    path = folder / out_name
    path.write_bytes(raw)
    return [path]


def _cifar(folder):
    import pandas as pd

    from ..datasets import load_cifar10_logits

    out = []
    for split in ("validation", "test"):
        X, y = load_cifar10_logits(split, return_X_y=True)
        for arr, kind, cols in (
            (X, "logits", [f"z{j}" for j in range(X.shape[1])]),
            (y[:, None], "labels", ["label"]),
        ):
            path = folder / f"cifar10_{kind}_{split}.csv"
            pd.DataFrame(arr, columns=cols).to_csv(path, index=False)
            out.append(path)
    return out


def _mgt_embeddings(folder):
    from ..datasets import load_mgt_embeddings

    out = []
    for corpus, machines in MGT_MACHINES.items():
        for i, machine in enumerate(machines):
            emb = load_mgt_embeddings(corpus, machine=machine, dtype=np.float32)
            pairs = [(emb.machine, machine)]
            if i == 0:
                pairs.insert(0, (emb.human, "human"))
            for arr, who in pairs:
                path = folder / f"mgt_{corpus}_{who}.npy"
                np.save(path, arr)
                out.append(path)
    return out


def _mgt_texts(folder):
    out = []
    for corpus, machines in MGT_MACHINES.items():
        for machine in machines:
            fname = f"{corpus}_{machine}.csv.gz"
            out += _raw_csv(fname, folder, f"mgt_texts_{corpus}_{machine}.csv")
    return out


def _rdd_simulated(folder):
    """The R3D paper's DGP 1 (seed 0): 200 units x 50 draws, long format."""
    import pandas as pd

    from ..rdd._dgp import simulate_dgp1

    x, Y = simulate_dgp1(np.random.default_rng(0), n=200, m=50)
    frame = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(len(x)), Y.shape[1]),
            "running": np.repeat(x, Y.shape[1]),
            "outcome": Y.ravel(),
        }
    )
    path = folder / "rdd_simulated.csv"
    frame.to_csv(path, index=False, float_format="%.17g")
    return [path]


#: Data sets generated on demand (not bundled): ``{name: description}``.
GENERATED = {
    "rdd_simulated": "generated: R3D paper's DGP 1 (seed 0), 200 units x 50 draws, "
    "long format (unit, running, outcome)",
}

_WRITERS = {
    "rdd_simulated": _rdd_simulated,
    "cifar10_logits": _cifar,
    "roman_cups": lambda f: _raw_csv("roman_cups.csv", f, "roman_cups.csv"),
    "mgt_embeddings": _mgt_embeddings,
    "mgt_texts": _mgt_texts,
    "diamonds": lambda f: _raw_csv("diamonds.csv.gz", f, "diamonds.csv"),
    "concrete": lambda f: _raw_csv("concrete.csv.gz", f, "concrete.csv"),
}


def export(name: str, folder) -> list[Path]:
    """Write data set ``name`` into ``folder`` (created); return the paths.

    Examples
    --------
    >>> import tempfile
    >>> from statnorm._cli._datasets import export
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in export("roman_cups", d)]
    ['roman_cups.csv']
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--output: {folder} exists and is not a folder.")
    folder.mkdir(parents=True, exist_ok=True)
    return _WRITERS[name](folder)


def _cmd_datasets(args):
    from ..datasets import list_datasets

    infos = list_datasets()
    names = [d["name"] for d in infos] + list(GENERATED)
    if args.name and args.name not in names:
        raise CLIError(f"unknown dataset {args.name!r}; choose from {names}")
    if args.output is not None:
        if not args.name:
            raise CLIError(
                "--output: name the data set to write (see 'statnorm datasets')"
            )
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
