"""Monte Carlo size of ``MMDTest(method="asymptotic")`` (Gamma null).

Both samples are drawn from N(0, I_d), so the null is true; the kernel is
the median-heuristic Gaussian and the statistic the unbiased MMD^2. For each
dimension ``d`` and size ``n = m`` the rejection rate at level 0.05 over
``reps`` independent draws is reported with its Monte Carlo standard error
``sqrt(0.05 * 0.95 / reps)`` (the s.e. under the nominal size) and the
distance to the level in standard errors.

    python benchmarks/size_mmd_asymptotic.py --reps 1000 --out size.json

The table in docs/methods/mmd.rst was produced with the defaults.
"""

import argparse
import json
import sys
import time
import warnings

import numpy as np


def simulate(n, d, reps, seed, alpha=0.05):
    """Rejection rate of the asymptotic test at ``alpha`` over ``reps`` draws."""
    from statnorm.mmd import MMDTest

    rng = np.random.default_rng(seed)
    rej = 0
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "method='asymptotic'", UserWarning)
        for _ in range(reps):
            X, Y = rng.normal(size=(n, d)), rng.normal(size=(n, d))
            rej += MMDTest(method="asymptotic").test(X, Y).pvalue <= alpha
    rate = rej / reps
    se = np.sqrt(alpha * (1 - alpha) / reps)
    return {
        "n": n,
        "d": d,
        "reps": reps,
        "size": rate,
        "se": float(se),
        "z": float((rate - alpha) / se),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=1000)
    p.add_argument("--sizes", type=int, nargs="+", default=[50, 200])
    p.add_argument("--dims", type=int, nargs="+", default=[1, 10])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    rows = []
    for i, d in enumerate(args.dims):
        for j, n in enumerate(args.sizes):
            t0 = time.perf_counter()
            row = simulate(n, d, args.reps, seed=args.seed + 100 * i + j)
            row["seconds"] = round(time.perf_counter() - t0, 1)
            rows.append(row)
            print(
                f"d={d:3d} n=m={n:4d} size={row['size']:.4f} "
                f"(MC s.e. {row['se']:.4f}, z={row['z']:+.1f}) {row['seconds']} s",
                flush=True,
            )
    if args.out:
        with open(args.out, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
