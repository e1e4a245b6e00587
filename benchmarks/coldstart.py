"""First-call time of each method in a fresh process with an empty Numba cache.

Not an asv benchmark (asv times warm calls in one process): this script starts
one interpreter per method with ``NUMBA_CACHE_DIR`` pointing at an empty
folder, then again with the cache it just filled, and prints the time of the
import and of the first call, and the first call's CPU time (steadier than
wall time on a shared machine). Usage::

    python benchmarks/coldstart.py [METHOD ...]

Recorded (2-core shared machine, CPU seconds of the first call, cold / warm;
wall times vary with the load, CPU times much less):

===========  =============  ============
method       before         after
===========  =============  ============
calibration  3.04 / 0.32    1.22 / 0.31
rdd          2.52 / 0.30    1.03 / 0.29
kde          1.07 / 0.42    1.04 / 0.50
===========  =============  ============

"before" is the code before the first-use compile work (h-calibration
objective as a chain of three kernels with allocations inside; rdd with
five kernels in its default fit); see docs/install.rst.
"""

import json
import os
import subprocess
import sys
import tempfile

SNIPPETS = {
    "calibration": (
        "from statnorm.calibration import HCalibrator, TemperatureScaling",
        (
            "X = rng.normal(size=(300, 4)) * 3; y = X.argmax(1)\n"
            "TemperatureScaling().fit(X, y).predict_proba(X)\n"
            "HCalibrator(max_iter=2).fit(X, y).predict_proba(X)"
        ),
    ),
    "quantile": (
        "from statnorm.quantile import QuantileAggregator, weighted_interval_score",
        (
            "X = rng.normal(size=(200, 3)); y = X[:, 0] + rng.normal(size=200)\n"
            "QuantileAggregator(quantiles=[0.1, 0.5, 0.9], cv=3).fit(X, y).predict(X)"
        ),
    ),
    "compositional": (
        "from statnorm.compositional import CompositionalPartialCorrelation",
        "X = rng.uniform(1, 2, size=(50, 6))\nCompositionalPartialCorrelation().fit(X)",
    ),
    "depth": (
        "from statnorm.depth import TTEDepth, depth_rank_sum_test",
        (
            "F = rng.normal(size=(60, 8)) + 2; G = rng.normal(size=(60, 8)) + 2\n"
            "TTEDepth().fit(F).score_samples(G); depth_rank_sum_test(F, G)"
        ),
    ),
    "kde": (
        "from statnorm.kde import HighDimKDE",
        "X = rng.normal(size=(300, 5))\nHighDimKDE().fit(X).score_samples(X)",
    ),
    "rdd": (
        "from statnorm.rdd import DistributionalRDD",
        (
            "x = rng.uniform(-1, 1, 200); S = rng.normal(size=(200, 30)) + x[:, None]\n"
            "DistributionalRDD(n_bootstrap=20).fit(x, S)"
        ),
    ),
    "mmd": (
        "from statnorm.mmd import MMDTest",
        (
            "X = rng.normal(size=(80, 4)); Y = rng.normal(size=(80, 4)) + 0.3\n"
            "MMDTest(n_permutations=99).test(X, Y)"
        ),
    ),
}

TEMPLATE = """
import time, json, warnings
warnings.simplefilter("ignore")
t0 = time.perf_counter()
import numpy as np
{imp}
t1 = time.perf_counter()
c1 = time.process_time()
rng = np.random.default_rng(0)
{call}
t2 = time.perf_counter()
c2 = time.process_time()
print(json.dumps({{"import": t1 - t0, "first_call": t2 - t1, "cpu": c2 - c1}}))
"""


def run(method, cache):
    imp, call = SNIPPETS[method]
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    out = subprocess.run(
        [sys.executable, "-c", TEMPLATE.format(imp=imp, call=call)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(methods=None):
    print(
        f"{'method':<14} {'import':>8} {'cold call':>10} {'warm call':>10} "
        f"{'cold cpu':>9} {'warm cpu':>9}"
    )
    for method in methods or SNIPPETS:
        with tempfile.TemporaryDirectory() as cache:
            cold = run(method, cache)
            warm = run(method, cache)
        print(
            f"{method:<14} {cold['import']:8.2f} {cold['first_call']:10.2f} "
            f"{warm['first_call']:10.2f} {cold['cpu']:9.2f} {warm['cpu']:9.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
