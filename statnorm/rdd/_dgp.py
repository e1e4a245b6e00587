"""The simulation design of the R3D paper (DGP 1), for tours and tests."""

import numpy as np


def simulate_dgp1(rng, n=200, m=50, delta=2.0):
    """The author's Monte Carlo DGP1 (Van Dijcke, R3D ``montecarlo/01_mc_R.R``)."""
    x = rng.uniform(-1, 1, n)
    sd = np.maximum(0.1, np.abs(1 + x))
    return x, rng.normal(5 + 5 * x + delta * (x >= 0), sd, size=(m, n)).T
