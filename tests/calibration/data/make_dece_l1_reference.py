"""Reference numbers for debiased_ece(kind="l1") from the Verified Uncertainty
Calibration code (PyPI ``uncertainty-calibration`` 0.1.4, Kumar et al. 2019),
whose normal-debiased L1 estimator the h-calibration authors use as their
top-label selector.

That code bins with ``np.array_split`` (= boundaries ``round(n i / 15)`` when
15 divides n), weights bins by size (equal when 15 divides n) and estimates
``E|N(mu_b, s_b^2)|`` by Monte Carlo; statnorm uses the closed form. With
n = 1500 the two agree up to the Monte Carlo error, which this script also
stores (200,000 resamples). Run from the repository root::

    pip install uncertainty-calibration==0.1.4
    python tests/calibration/data/make_dece_l1_reference.py
"""

from pathlib import Path

import numpy as np


def main():
    from calibration import utils as U

    rng = np.random.default_rng(2025)
    n, C = 1500, 4
    cases = {}
    for name, temp in (("calibrated", 1.0), ("overconfident", 2.5), ("underconf", 0.5)):
        logits = rng.normal(size=(n, C)) * 2.0
        P_true = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
        y = np.array([rng.choice(C, p=p) for p in P_true])
        P = np.exp(logits * temp) / np.exp(logits * temp).sum(1, keepdims=True)
        conf, pred = P.max(1), P.argmax(1)
        data = list(zip(conf, (pred == y).astype(float), strict=True))
        bins = U.get_equal_bins(conf, num_bins=15)
        binned = U.bin(data, bins)
        np.random.seed(0)  # noqa: NPY002 - the reference code draws from np.random
        R = 200_000
        # the estimator, and its Monte Carlo SE from 20 independent runs
        runs = [
            U.normal_debiased_ce(binned, power=1, resamples=R // 20) for _ in range(20)
        ]
        cases[name] = (
            P,
            y,
            float(np.mean(runs)),
            float(np.std(runs, ddof=1) / np.sqrt(20)),
        )

    out = Path(__file__).with_name("dece_l1_reference.npz")
    np.savez_compressed(
        out,
        **{f"{k}_P": v[0] for k, v in cases.items()},
        **{f"{k}_y": v[1] for k, v in cases.items()},
        **{f"{k}_value": v[2] for k, v in cases.items()},
        **{f"{k}_se": v[3] for k, v in cases.items()},
    )
    print({k: (v[2], v[3]) for k, v in cases.items()})


if __name__ == "__main__":
    main()
