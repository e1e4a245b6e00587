"""Build ``data/rddensity_auto_reference.npz``: rddensity's data-driven
bandwidths and its test at them, and its test at unequal fixed bandwidths.

Produced with the Python package rddensity 3.0 (Cattaneo, Jansson and Ma):
``rddensity(x, c=c, p=p, kernel=kernel, bwselect=bwselect, bino_flag=False)``
(bandwidths from ``rdbwdensity``; defaults ``fitselect="unrestricted"``,
``vce="jackknife"``, ``regularize=True``, ``massPoints=True``) and
``rddensity(x, c=c, h=[h_left, h_right], ...)``. Stored per case: the data,
the setting, the bandwidths ``h`` (left, right), the densities ``hat``
(left, right), ``sd_jk["diff"]``, ``test["t_jk"]`` and ``test["p_jk"]``; for
the automatic cases also the four ``rdbwdensity`` bandwidths ``(l, r, diff,
sum)``. Usage: ``python make_rddensity_auto_fixture.py``.
"""

import warnings
from pathlib import Path

import numpy as np
from rddensity import rdbwdensity, rddensity

KERNELS = ("triangular", "epanechnikov", "uniform")
BWSELECT = ("each", "diff", "sum", "comb")


def datasets(rng):
    x = rng.normal(size=900)
    moved = (x >= 0.1) & (x < 0.3) & (rng.uniform(size=x.size) < 0.4)
    x[moved] = 0.3 + 0.2 * rng.uniform(size=moved.sum())
    return {
        "normal": (rng.normal(size=1500), 0.2),
        "gamma": (rng.gamma(3.0, size=700), 2.0),
        "ties": (np.round(rng.normal(size=1200), 2), 0.1),
        "bunching": (x, 0.3),
    }


def cases():
    """(data name, p, kernel, bwselect or (h_left, h_right))."""
    out = []
    names = ("normal", "gamma", "ties", "bunching")
    for j, name in enumerate(names):
        for p in (1, 2, 3):
            for k, bw in enumerate(BWSELECT):
                kernel = KERNELS[(j + p + k) % 3]
                out.append((name, p, kernel, bw))
    out += [
        ("normal", 2, "triangular", (0.5, 0.9)),
        ("gamma", 1, "epanechnikov", (1.4, 0.8)),
        ("ties", 2, "uniform", (0.6, 0.45)),
        ("bunching", 3, "triangular", (0.9, 1.3)),
    ]
    return out


def main():
    data = datasets(np.random.default_rng(20261207))
    out = {}
    for name, (x, c) in data.items():
        out[f"x_{name}"] = x
        out[f"c_{name}"] = c
    for j, (name, p, kernel, bw) in enumerate(cases()):
        x, c = data[name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if isinstance(bw, str):
                r = rddensity(x, c=c, p=p, kernel=kernel, bwselect=bw, bino_flag=False)
                h4 = rdbwdensity(x, c=c, p=p, kernel=kernel).h["bw"].to_numpy()
                out[f"bw4_{j}"] = np.asarray(h4, dtype=float)
            else:
                r = rddensity(x, c=c, p=p, kernel=kernel, h=list(bw), bino_flag=False)
        out[f"case_{j}"] = np.array(
            [name, str(p), kernel, bw if isinstance(bw, str) else "pair"]
        )
        out[f"h_{j}"] = np.array([r.h["left"], r.h["right"]], dtype=float)
        out[f"hat_{j}"] = np.array([r.hat["left"], r.hat["right"]], dtype=float)
        out[f"se_{j}"] = float(r.sd_jk["diff"])
        out[f"t_{j}"] = float(r.test["t_jk"])
        out[f"p_{j}"] = float(r.test["p_jk"])
    out["n_cases"] = len(cases())
    np.savez(Path(__file__).parent / "rddensity_auto_reference.npz", **out)


if __name__ == "__main__":
    main()
