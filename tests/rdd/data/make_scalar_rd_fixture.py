"""Build ``data/scalar_rd_reference.npz``: rdrobust's three rows for a grid
of settings, for ``statnorm.rdd.scalar_rd``.

Produced with the Python package rdrobust 2.1.1 (Calonico, Cattaneo, Farrell
and Titiunik) on its bundled U.S. Senate data (``rdrobust_RDsenate()``: vote
share on margin, rows with a missing value in the columns used dropped;
covariates ``presdemvoteshlag1`` and ``demvoteshlag1``, clusters ``state``, and
a seeded fuzzy take-up) and on seeded data with mass points. For each case
``CASES[j] = (data, kwargs)`` the stored ``out_j`` holds ``coef`` (3), ``se``
(3), ``ci`` (3 x 2, row-major), ``pv`` (3), ``bws`` (h left, h right, b left,
b right) and ``N_h`` (left, right). The data are stored too, so the test does
not need rdrobust or a random generator. Usage: ``python
make_scalar_rd_fixture.py``.
"""

import warnings
from pathlib import Path

import numpy as np

CASES = [
    ("senate", {}),
    ("senate", {"vce": "hc0"}),
    ("senate", {"vce": "hc1"}),
    ("senate", {"vce": "hc2"}),
    ("senate", {"vce": "hc3"}),
    ("senate", {"p": 2}),
    ("senate", {"p": 2, "vce": "hc2", "kernel": "epanechnikov"}),
    ("senate", {"kernel": "uniform"}),
    ("senate", {"kernel": "epanechnikov"}),
    ("senate", {"bwselect": "msetwo"}),
    ("senate", {"bwselect": "msesum"}),
    ("senate", {"bwselect": "msecomb1"}),
    ("senate", {"bwselect": "msecomb2"}),
    ("senate", {"bwselect": "cerrd"}),
    ("senate", {"bwselect": "certwo"}),
    ("senate", {"bwselect": "cersum"}),
    ("senate", {"bwselect": "cercomb1"}),
    ("senate", {"bwselect": "cercomb2"}),
    ("senate", {"h": 10.0}),
    ("senate", {"h": (10.0, 15.0), "b": (20.0, 25.0), "vce": "hc2"}),
    ("senate", {"covariates": True}),
    ("senate", {"covariates": True, "vce": "hc3"}),
    ("senate", {"clusters": True}),
    ("senate", {"clusters": True, "covariates": True}),
    ("senate", {"clusters": True, "bwselect": "cerrd"}),
    ("senate", {"clusters": True, "h": 15.0, "b": 25.0}),
    ("senate", {"treatment": True}),
    ("senate", {"treatment": True, "vce": "hc1"}),
    ("senate", {"treatment": True, "covariates": True}),
    ("senate", {"treatment": True, "covariates": True, "clusters": True}),
    ("senate", {"treatment": True, "bwselect": "msetwo", "p": 2}),
    ("mass", {}),
    ("mass", {"vce": "hc2"}),
    ("smooth", {"cutoff": 0.2}),
    ("smooth", {"cutoff": 0.2, "p": 2, "kernel": "uniform", "bwselect": "certwo"}),
]
KERNEL = {"triangular": "tri", "epanechnikov": "epa", "uniform": "uni"}


def load_data():
    from rdrobust import rdrobust_RDsenate

    d = rdrobust_RDsenate()
    cols = ["vote", "margin", "presdemvoteshlag1", "demvoteshlag1"]
    ok = d[cols].notna().all(axis=1).to_numpy()
    x = d.margin.to_numpy()[ok]
    g = np.random.default_rng(1)
    data = {
        "senate_x": x,
        "senate_y": d.vote.to_numpy()[ok],
        "senate_Z": d[cols[2:]].to_numpy()[ok],
        "senate_cluster": np.unique(d.state.to_numpy()[ok], return_inverse=True)[1],
        "senate_t": (g.uniform(size=x.size) < 0.2 + 0.6 * (x >= 0)).astype(float),
    }
    g = np.random.default_rng(2)
    x2 = np.round(g.uniform(-1, 1, 800), 1)
    data["mass_x"] = x2
    data["mass_y"] = x2 + (x2 >= 0) + g.normal(size=800)
    x3 = g.uniform(-1, 1, 3000)
    data["smooth_x"] = x3
    data["smooth_y"] = np.sin(2 * x3) + 0.4 * (x3 >= 0.2) + g.normal(0, 0.3, 3000)
    return data


def rdrobust_kwargs(name, kw, data):
    """rdrobust's spelling of a case's settings and data."""
    out = {}
    for key, value in kw.items():
        if key == "kernel":
            out["kernel"] = KERNEL[value]
        elif key == "cutoff":
            out["c"] = value
        elif key == "covariates":
            out["covs"] = data[f"{name}_Z"]
        elif key == "clusters":
            out["cluster"] = data[f"{name}_cluster"]
        elif key == "treatment":
            out["fuzzy"] = data[f"{name}_t"]
        else:
            out[key] = value
    return out


def main():
    from rdrobust import rdrobust

    data = load_data()
    out = dict(data)
    for j, (name, kw) in enumerate(CASES):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = rdrobust(
                data[f"{name}_y"], data[f"{name}_x"], **rdrobust_kwargs(name, kw, data)
            )
        out[f"out_{j}"] = np.concatenate(
            [
                r.coef.to_numpy().ravel(),
                r.se.to_numpy().ravel(),
                r.ci.to_numpy().ravel(),
                r.pv.to_numpy().ravel(),
                r.bws.to_numpy().ravel(),
                np.asarray(r.N_h, dtype=float),
            ]
        )
    np.savez(Path(__file__).parent / "scalar_rd_reference.npz", **out)


if __name__ == "__main__":
    main()
