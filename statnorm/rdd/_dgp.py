"""The simulation designs of the R3D paper's Monte Carlo, for tours and tests.

Van Dijcke, R3D ``montecarlo/01_mc_R.R``: DGP1 (Gaussian units whose mean
and spread move linearly with x), DGP2 (Gaussian plus a scaled exponential
whose rate moves with x, so the unit quantile functions bend in x) and the
fuzzy variant of DGP1. In all three the effect is ``tau(q) = delta``.
"""

import numpy as np


def simulate_dgp1(rng, n=200, m=50, delta=2.0):
    """The author's Monte Carlo DGP1 (Van Dijcke, R3D ``montecarlo/01_mc_R.R``)."""
    x = rng.uniform(-1, 1, n)
    sd = np.maximum(0.1, np.abs(1 + x))
    return x, rng.normal(5 + 5 * x + delta * (x >= 0), sd, size=(m, n)).T


def simulate_dgp2(rng, n=200, m=50, delta=2.0):
    """DGP2: ``Y_ij = N(2 x + delta 1{x >= 0}, 1) + 2 Exp(lambda_i)`` with
    rate ``lambda_i = clip(1 + x / 2, 0.5, 1.5)``; ``tau(q) = delta`` (at the
    cutoff both sides have rate 1, so the boundary distributions differ by a
    shift)."""
    x = rng.uniform(-1, 1, n)
    lam = np.clip(1 + 0.5 * x, 0.5, 1.5)
    z = rng.normal(2 * x + delta * (x >= 0), 1.0, size=(m, n)).T
    return x, z + 2 * rng.exponential(1.0 / lam[:, None], size=(n, m))


def simulate_fuzzy_dgp1(rng, n=200, m=50, delta=2.0):
    """Fuzzy DGP1: take-up ``T ~ Bernoulli(0.1 + 0.8 1{x >= 0})``, unit mean
    ``5 + 5 x + delta T``; returns ``x, samples, T`` (``tau(q) = delta``)."""
    x = rng.uniform(-1, 1, n)
    t = (rng.uniform(size=n) < 0.1 + 0.8 * (x >= 0)).astype(float)
    sd = np.maximum(0.1, np.abs(1 + x))
    return x, rng.normal(5 + 5 * x + delta * t, sd, size=(m, n)).T, t
