"""Monte Carlo size of depth_rank_sum_test: asymptotic vs permutation vs auto.

Both corpora are drawn from the same distribution, N(0.3 * 1_d, I_d), so the
null is true. The shift gives a mean resultant length of about 0.29, as for
real sentence embeddings (0.26 for the TruthfulQA human answers), so the
cosine TTE depth is informative. Each replication runs the three methods on
the same data (the permutation and auto p-values with the same seed); the
rejection rate at each level is reported with its Monte Carlo standard error
``sqrt(rate (1 - rate) / reps)``.

    python benchmarks/size_depth_ranksum.py --reps 2000 --out size.json
    python benchmarks/size_depth_ranksum.py --methods asymptotic --reps 20000 \
        --sizes 30 50 100 200 --dims 20 --out size_asymptotic.json

The table in docs/methods/depth.rst was produced with the defaults.
"""

import argparse
import json
import sys
import time
import warnings

import numpy as np

METHODS = ("asymptotic", "permutation", "auto")


def simulate(n, d, reps, n_permutations, alphas, seed, methods=METHODS, shift=0.3):
    from statnorm.depth import IsotropicReferenceWarning, depth_rank_sum_test

    rng = np.random.default_rng([seed, n, d])
    p = {m: np.empty(reps) for m in methods}
    ran = []
    isotropic = 0
    for r in range(reps):
        F = rng.normal(size=(n, d)) + shift
        G = rng.normal(size=(n, d)) + shift
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", IsotropicReferenceWarning)
            for m in methods:
                res = depth_rank_sum_test(
                    F, G, method=m, n_permutations=n_permutations, random_state=r
                )
                p[m][r] = res.pvalue
                if m == "auto":
                    ran.append(res.method)
        isotropic += any(
            issubclass(w.category, IsotropicReferenceWarning) for w in caught
        )
    cell = {
        "n": n,
        "m": n,
        "d": d,
        "reps": reps,
        "auto_ran": sorted(set(ran)),
        "n_permutations": n_permutations,
        "reps_with_isotropic_warning": int(isotropic),
    }
    for m in methods:
        for a in alphas:
            rate = float(np.mean(p[m] <= a))
            cell[f"{m}@{a}"] = rate
            cell[f"{m}@{a}_se"] = float(np.sqrt(max(rate * (1 - rate), 1e-12) / reps))
    return cell


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 20, 30, 50, 100, 200])
    ap.add_argument("--dims", type=int, nargs="+", default=[5, 20])
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--n-permutations", type=int, default=199)
    ap.add_argument("--alphas", type=float, nargs="+", default=[0.05, 0.10])
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    ap.add_argument("--out", default="size_depth_ranksum.json")
    args = ap.parse_args(argv)
    cells = []
    for d in args.dims:
        for n in args.sizes:
            t0 = time.perf_counter()
            cell = simulate(
                n,
                d,
                args.reps,
                args.n_permutations,
                args.alphas,
                args.seed,
                methods=tuple(args.methods),
            )
            cell["seconds"] = time.perf_counter() - t0
            cells.append(cell)
            a = args.alphas[0]
            print(
                f"n=m={n:4d} d={d:3d}  "
                + "  ".join(
                    f"{m} {cell[f'{m}@{a}']:.4f} ({cell[f'{m}@{a}_se']:.4f})"
                    for m in args.methods
                )
                + f"  auto ran {cell['auto_ran']}  [{cell['seconds']:.0f} s]",
                flush=True,
            )
            with open(args.out, "w") as fh:  # partial results survive a stop
                json.dump({"args": vars(args), "cells": cells}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
