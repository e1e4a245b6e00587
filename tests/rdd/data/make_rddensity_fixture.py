"""Build ``data/rddensity_reference.npz``: rddensity's density test at fixed
bandwidths.

Produced with the Python package rddensity 3.0 (Cattaneo, Jansson and Ma):
``rddensity(x, c=c, h=h, p=p, kernel=kernel, bino_flag=False)`` with its
defaults ``fitselect="unrestricted"``, ``vce="jackknife"``; stored are
``hat`` (left, right), ``sd_jk["diff"]``, ``test["t_jk"]`` and
``test["p_jk"]``. The data are stored too (one case has ties, rounded to two
decimals: rddensity's mass-point adjustment). Usage:
``python make_rddensity_fixture.py``.
"""

from pathlib import Path

import numpy as np
from rddensity import rddensity

KERNEL = {"tri": "triangular", "epa": "epanechnikov", "uni": "uniform"}
CASES = [
    ("normal", 0.3, 0.6, "tri", 2),
    ("uniform", 0.0, 0.5, "epa", 1),
    ("ties", 0.1, 0.7, "uni", 2),
    ("bunching", 0.3, 0.4, "tri", 2),
]


def main():
    rng = np.random.default_rng(20261204)
    data = {
        "normal": rng.normal(size=800),
        "uniform": rng.uniform(-1, 1, 500),
        "ties": np.round(rng.normal(size=700), 2),
    }
    x = rng.normal(size=900)
    moved = (x >= 0.1) & (x < 0.3) & (rng.uniform(size=x.size) < 0.4)
    x[moved] = 0.3 + 0.2 * rng.uniform(size=moved.sum())
    data["bunching"] = x
    out = {}
    for j, (name, c, h, kernel, p) in enumerate(CASES):
        r = rddensity(data[name], c=c, h=h, p=p, kernel=KERNEL[kernel], bino_flag=False)
        out[f"x_{j}"] = data[name]
        out[f"setting_{j}"] = np.array([c, h, p], dtype=float)
        out[f"kernel_{j}"] = np.array(KERNEL[kernel])
        out[f"hat_{j}"] = np.array([r.hat["left"], r.hat["right"]])
        out[f"se_{j}"] = float(r.sd_jk["diff"])
        out[f"t_{j}"] = float(r.test["t_jk"])
        out[f"p_{j}"] = float(r.test["p_jk"])
    np.savez(Path(__file__).parent / "rddensity_reference.npz", **out)


if __name__ == "__main__":
    main()
