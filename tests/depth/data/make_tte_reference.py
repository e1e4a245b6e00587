"""Regenerate ``tte_depth_reference.npz``: numbers produced by ``tte-depth`` 1.0.0.

Run with the PyPI package installed (``pip install tte-depth==1.0.0``; it
installs top-level ``tte_depth`` and ``utils`` modules)::

    python tests/depth/data/make_tte_reference.py

The tests read the stored numbers, so they need neither the package nor this
script.
"""

from pathlib import Path

import numpy as np

from statnorm.datasets import load_mgt_embeddings


def _unit(A):
    return A / np.linalg.norm(A, axis=1, keepdims=True)


def _euclid(a, b):
    return float(np.sqrt(((a - b) ** 2).sum()))


def main():
    import tte_depth  # imported here so that collecting this file needs nothing

    rng = np.random.default_rng(20261129)
    out = {}
    # Random data, unequal sizes (where the package is right).
    F = rng.normal(size=(40, 16)) + 0.5
    G = rng.normal(size=(30, 16)) + 0.5
    G[:, :4] += 1.0
    out["rand_F"], out["rand_G"] = F, G
    for name, metric, a, b in [
        ("cos", "cosine", F, G),
        ("chord", "chord", _unit(F), _unit(G)),
        ("euclid", _euclid, F, G),
    ]:
        dF, dG, q, w, p = tte_depth.StatDepth(metric).depth_rank_test(a, b)
        out[f"rand_{name}_dF"], out[f"rand_{name}_dG"] = dF, dG
        out[f"rand_{name}_qwp"] = np.array([q, w, p])
    out["rand_depths_F"] = tte_depth.StatDepth("cosine").depths(F)
    # Equal sizes: the package takes G's depths from the wrong axis.
    F2 = rng.normal(size=(50, 16))
    G2 = rng.normal(size=(50, 16)) + 2.0
    out["eq_F"], out["eq_G"] = F2, G2
    dF, dG, q, w, p = tte_depth.StatDepth("cosine").depth_rank_test(F2, G2)
    out["eq_pkg_dF"], out["eq_pkg_dG"] = dF, dG
    out["eq_pkg_qwp"] = np.array([q, w, p])
    # Same data with G trimmed to 49 rows: the package is right again.
    dF, dG, q, w, p = tte_depth.StatDepth("cosine").depth_rank_test(F2, G2[:49])
    out["eq49_dG"] = dG
    out["eq49_qwp"] = np.array([q, w, p])
    # Real embeddings: TruthfulQA human (60) vs ChatGPT (45).
    emb = load_mgt_embeddings("truthfulqa")
    H, M = emb.human[:60], emb.machine[100:145]
    dF, dG, q, w, p = tte_depth.StatDepth("cosine").depth_rank_test(H, M)
    out["tqa_dF"], out["tqa_dG"] = dF, dG
    out["tqa_qwp"] = np.array([q, w, p])
    path = Path(__file__).with_name("tte_depth_reference.npz")
    np.savez_compressed(path, **out)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
