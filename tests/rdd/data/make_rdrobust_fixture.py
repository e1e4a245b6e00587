"""Build ``data/rdrobust_reference.npz``: rdrobust's conventional estimate and
HC0 standard error of a scalar RD at fixed bandwidths, with and without
covariates.

Produced with the Python package rdrobust 2.1.1 (Calonico, Cattaneo, Farrell
and Titiunik): ``rdrobust(y, x, c=0.2, h=h, b=h, p=p, kernel=k, vce="hc0",
covs=Z)`` and the same with
``fuzzy=t`` on a fuzzy outcome; the stored numbers are ``coef.iloc[0, 0]`` and ``se.iloc[0, 0]``
(the "Conventional" row). The data are stored too, so the test does not
depend on a random generator. Usage: ``python make_rdrobust_fixture.py``.
"""

from pathlib import Path

import numpy as np
from rdrobust import rdrobust

CUTOFF = 0.2
SETTINGS = [
    ("tri", 1, 0.5),
    ("tri", 2, 0.8),
    ("epa", 1, 0.6),
    ("epa", 2, 0.9),
    ("uni", 1, 0.4),
]


def main():
    rng = np.random.default_rng(20261204)
    n = 400
    x = rng.uniform(-1, 1, n) + CUTOFF
    z1 = rng.normal(size=n)  # predictive, continuous through the cutoff
    z2 = rng.normal(size=n) + 0.3 * x  # weakly related to x, not predictive
    y = (
        1.0
        + 0.8 * (x - CUTOFF)
        - 0.5 * (x - CUTOFF) ** 2
        + 1.5 * (x >= CUTOFF)
        + 1.2 * z1
        + rng.normal(0, 0.5 + 0.4 * np.abs(x), n)
    )
    Z = np.column_stack([z1, z2])
    t = (rng.uniform(size=n) < 0.2 + 0.6 * (x >= CUTOFF)).astype(float)
    yf = y - 1.5 * (x >= CUTOFF) + 2.0 * t  # fuzzy design: effect 2 of take-up
    out = {"x": x, "y": y, "Z": Z, "cutoff": CUTOFF, "t": t, "y_fuzzy": yf}
    for j, (kernel, p, h) in enumerate(SETTINGS):
        for tag, covs in (("plain", None), ("covs", Z)):
            r = rdrobust(
                y, x, c=CUTOFF, h=h, b=h, p=p, kernel=kernel, vce="hc0", covs=covs
            )
            out[f"{tag}_{j}_tau"] = float(r.coef.iloc[0, 0])
            out[f"{tag}_{j}_se"] = float(r.se.iloc[0, 0])
            r = rdrobust(
                yf,
                x,
                c=CUTOFF,
                fuzzy=t,
                h=h,
                b=h,
                p=p,
                kernel=kernel,
                vce="hc0",
                covs=covs,
            )
            out[f"fuzzy_{tag}_{j}_tau"] = float(r.coef.iloc[0, 0])
            out[f"fuzzy_{tag}_{j}_se"] = float(r.se.iloc[0, 0])
    np.savez(Path(__file__).parent / "rdrobust_reference.npz", **out)


if __name__ == "__main__":
    main()
