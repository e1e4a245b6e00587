"""Monte Carlo tables of the compositional inference (docs/methods/compositional.rst).

Run ``python tests/compositional/mc_inference.py [fdr|perm|cover|covariates|boot]``
(each part takes seconds to a minute on one core). The smaller versions that
can fail live in ``test_inference.py``. Model: a ring of D parts through the
alr reference (D pairs with partial correlation 0.5, the others exactly 0),
closed Gaussian log-ratios.
"""

import sys
import warnings

import numpy as np
from scipy import stats

from statnorm.compositional import CompositionalPartialCorrelation as CPC


def ring_model(D, strength=0.8):
    d = D - 1
    om = np.zeros((d, d))
    k = np.arange(d - 1)
    om[k, k + 1] = om[k + 1, k] = -strength
    om[np.diag_indices(d)] = 2 * strength
    F = np.hstack([np.eye(d), -np.ones((d, 1))])
    P = F.T @ om @ F
    s = np.sqrt(np.diag(P))
    R = -P / np.outer(s, s)
    np.fill_diagonal(R, 1.0)
    return R, np.linalg.cholesky(np.linalg.inv(om))


def draw(rng, n, D, chol, Z=None, beta=None):
    L = np.column_stack([rng.normal(size=(n, D - 1)) @ chol.T, np.zeros(n)])
    if Z is not None:
        L = L + Z @ beta
    X = np.exp(L)
    return X / X.sum(axis=1, keepdims=True)


def mean_se(v):
    v = np.asarray(v, dtype=float)
    return f"{v.mean():.4f} ({v.std(ddof=1) / np.sqrt(v.size):.4f})"


def fdr(method, reps, n, D, target=0.1, shrinkage=None, B=19, seed=0):
    R, chol = ring_model(D)
    rng = np.random.default_rng(seed)
    fdp, found = [], []
    for r in range(reps):
        est = CPC(shrinkage).fit(draw(rng, n, D, chol))
        e = est.edges(fdr=target, method=method, n_permutations=B, random_state=r)
        fdp.append(np.mean(np.abs(R[e.i, e.j]) < 1e-12) if len(e) else 0.0)
        found.append(len(e))
    return f"FDR {mean_se(fdp)}, edges found {np.mean(found):.2f}"


def fisher_cover(reps, n, D, se_df, level=0.95, seed=0):
    R, chol = ring_model(D)
    rng = np.random.default_rng(seed)
    iu = np.triu_indices(D, 1)
    zq = stats.norm.ppf(0.5 + level / 2)
    cover = []
    for _ in range(reps):
        est = CPC().fit(draw(rng, n, D, chol))
        z = np.arctanh(est.partial_correlation_[iu])
        cover.append(np.mean(np.abs(z - np.arctanh(R[iu])) <= zq / np.sqrt(se_df)))
    return mean_se(cover)


def main(what):
    warnings.simplefilter("ignore")
    if what == "fdr":
        for method in ("bh", "by"):
            for n in (40, 25):
                print(method, f"n={n}", fdr(method, 1000, n, 8))
    if what == "perm":
        for sh in (None, "basis"):
            print("permutation", sh, fdr("permutation", 500, 40, 8, shrinkage=sh))
        for D, n in [(16, 12), (30, 20), (30, 60)]:
            print(f"permutation basis D={D} n={n}", end=" ")
            print(fdr("permutation", 200, n, D, shrinkage="basis"))
    if what == "cover":
        for n, D in [(30, 8), (20, 8), (60, 12)]:
            df = n - D + 1
            for lab, v in [("df-1", df - 1), ("df", df), ("n-3", n - 3)]:
                print(n, D, f"1/sqrt({lab})", fisher_cover(2000, n, D, v))
    if what == "covariates":
        n, D, q = 25, 8, 2
        R, chol = ring_model(D)
        iu = np.triu_indices(D, 1)
        rng = np.random.default_rng(5)
        beta = 1.5 * rng.normal(size=(q, D))
        cw, cn = [], []
        for _ in range(1000):
            Z = rng.normal(size=(n, q))
            X = draw(rng, n, D, chol, Z, beta)
            for est, out in ((CPC().fit(X, covariates=Z), cw), (CPC().fit(X), cn)):
                ci = est.confidence_interval(0.95)
                out.append(np.mean(ci.contains(R)[iu]))
        print("with covariates", mean_se(cw), "ignoring them", mean_se(cn))
    if what == "boot":
        n, D = 40, 8
        R, chol = ring_model(D)
        iu = np.triu_indices(D, 1)
        null = np.abs(R[iu]) < 1e-12
        for sh in (None, "basis"):
            rng = np.random.default_rng(9)
            c0, c1 = [], []
            for r in range(200):
                ci = (
                    CPC(sh)
                    .fit(draw(rng, n, D, chol))
                    .confidence_interval(
                        0.9, method="bootstrap", n_bootstrap=200, random_state=r
                    )
                )
                hit = (ci.lower[iu] <= R[iu]) & (R[iu] <= ci.upper[iu])
                c0.append(hit[null].mean())
                c1.append(hit[~null].mean())
            print("bootstrap 90%", sh, "rho=0:", mean_se(c0), "rho=0.5:", mean_se(c1))
        # the default under shrinkage: Fisher intervals of the exact estimate
        for sh in ("basis", "direct"):
            rng = np.random.default_rng(9)
            c0, c1 = [], []
            for r in range(2000):
                ci = CPC(sh).fit(draw(rng, n, D, chol)).confidence_interval(0.9)
                hit = (ci.lower[iu] <= R[iu]) & (R[iu] <= ci.upper[iu])
                c0.append(hit[null].mean())
                c1.append(hit[~null].mean())
            print("default 90%", sh, "rho=0:", mean_se(c0), "rho=0.5:", mean_se(c1))


if __name__ == "__main__":
    for part in sys.argv[1:] or ["fdr", "perm", "cover", "covariates", "boot"]:
        main(part)
