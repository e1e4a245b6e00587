"""Build ``data/rdplot_reference.npz``: the numbers of ``rdrobust.rdplot`` for
a grid of settings, for ``statnorm.rdd.rd_binned_scatter``.

Produced with the Python package rdrobust 2.1.1 (Calonico, Cattaneo, Farrell
and Titiunik) on its bundled U.S. Senate data (``rdrobust_RDsenate()``: vote
share on margin, rows with a missing value dropped; seeded unit weights), on
seeded data with mass points (with the default ``masspoints="adjust"``:
with ``"off"`` the spacings rules depend on the order of tied units, which
rdplot leaves to numpy's unstable ``argsort``) and on seeded smooth data. For each case
``CASES[j] = (data, kwargs)`` (statnorm's spelling) the file holds
``out_j_J`` (J-, J+, J_IMSE left/right, J_MV left/right), ``out_j_coef``
(rdplot's ``coef``: p + 1 rows, columns left/right) and ``out_j_bins``
(``vars_bins``, one row per non-empty bin: centre, mean x, mean y, count,
standard error, interval ends). The data are stored too, so the test does
not need rdrobust or a random generator. Usage: ``python
make_rdplot_fixture.py``.
"""

import contextlib
import io
from pathlib import Path

import numpy as np

CASES = [
    ("senate", {}),
    ("senate", {"binselect": "es"}),
    ("senate", {"binselect": "espr"}),
    ("senate", {"binselect": "esmvpr"}),
    ("senate", {"binselect": "qs"}),
    ("senate", {"binselect": "qspr"}),
    ("senate", {"binselect": "qsmv"}),
    ("senate", {"binselect": "qsmvpr"}),
    ("senate", {"nbins": (10, 15)}),
    ("senate", {"nbins": 20, "binselect": "qs"}),
    ("senate", {"p": 2}),
    ("senate", {"p": 1, "kernel": "triangular", "h": 40.0}),
    ("senate", {"p": 3, "kernel": "epanechnikov", "h": (30.0, 50.0)}),
    ("senate", {"scale": 2}),
    ("senate", {"scale": 0.5, "binselect": "qs"}),
    ("senate", {"cutoff": 10.0}),
    ("senate", {"support": (-150.0, 150.0)}),
    ("senate", {"weights": True}),
    ("senate", {"confidence_level": 0.9}),
    ("mass", {}),
    ("mass", {"binselect": "qs"}),
    ("smooth", {"cutoff": 0.2}),
    ("smooth", {"cutoff": 0.2, "binselect": "qsmv", "p": 3}),
]
KERNEL = {"triangular": "tri", "epanechnikov": "epa", "uniform": "uni"}
BIN_COLUMNS = [
    "rdplot_mean_bin",
    "rdplot_mean_x",
    "rdplot_mean_y",
    "rdplot_N",
    "rdplot_se_y",
    "rdplot_ci_l",
    "rdplot_ci_r",
]


def load_data():
    from rdrobust import rdrobust_RDsenate

    d = rdrobust_RDsenate()
    ok = d[["vote", "margin"]].notna().all(axis=1).to_numpy()
    x = d.margin.to_numpy()[ok]
    g = np.random.default_rng(11)
    data = {
        "senate_x": x,
        "senate_y": d.vote.to_numpy()[ok],
        "senate_w": g.uniform(0.5, 2.0, x.size),
    }
    g = np.random.default_rng(12)
    x2 = np.round(g.uniform(-1, 1, 800), 1)
    data["mass_x"] = x2
    data["mass_y"] = x2 + (x2 >= 0) + g.normal(size=800)
    x3 = g.uniform(-1, 1, 3000)
    data["smooth_x"] = x3
    data["smooth_y"] = np.sin(2 * x3) + 0.4 * (x3 >= 0.2) + g.normal(0, 0.3, 3000)
    return data


def rdplot_kwargs(name, kw, data):
    """rdplot's spelling of a case's settings and data."""
    out = {}
    for key, value in kw.items():
        if key == "kernel":
            out["kernel"] = KERNEL[value]
        elif key == "cutoff":
            out["c"] = value
        elif key == "weights":
            out["weights"] = data[f"{name}_w"]
        elif key == "confidence_level":
            out["ci"] = 100 * value
        else:
            out[key] = value
    return out


def run_rdplot(y, x, **kwargs):
    """``rdrobust.rdplot`` without the figure, its printed notes silenced."""
    from rdrobust import rdplot

    with contextlib.redirect_stdout(io.StringIO()):
        r = rdplot(y, x, hide=True, **kwargs)
    J = np.concatenate([r.J, r.J_IMSE, r.J_MV]).astype(float)
    coef = r.coef.to_numpy()
    bins = r.vars_bins[BIN_COLUMNS].to_numpy(dtype=float)
    return J, coef, bins


def main():
    data = load_data()
    out = dict(data)
    for j, (name, kw) in enumerate(CASES):
        J, coef, bins = run_rdplot(
            data[f"{name}_y"], data[f"{name}_x"], **rdplot_kwargs(name, kw, data)
        )
        out[f"out_{j}_J"] = J
        out[f"out_{j}_coef"] = coef
        out[f"out_{j}_bins"] = bins
    path = Path(__file__).parent / "rdplot_reference.npz"
    np.savez_compressed(path, **out)
    print(f"wrote {path} ({len(CASES)} cases)")


if __name__ == "__main__":
    main()
