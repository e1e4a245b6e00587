"""Coverage Monte Carlo of DistributionalRDD's bands and pointwise intervals.

Not an asv benchmark: a script. Each replication simulates one data set of
the R3D author's design (statnorm/rdd/_dgp.py: DGP1, DGP2 or fuzzy DGP1;
m = 50 draws per unit, deciles, Epanechnikov, p = 2, data-driven
bandwidths) and fits it with conventional and with robust bias-corrected
inference (same data, same multipliers). It records whether the uniform
band covers tau(q) = delta at all deciles, the pointwise coverage averaged
over the deciles, and the widths. Diagnostics: ``t_sd`` is the Monte Carlo
standard deviation of ``(tau - delta) / std_error_`` averaged over the
deciles (1 when the plug-in standard error is calibrated replication by
replication), ``se_over_mc_sd`` the mean standard error over the Monte
Carlo standard deviation of the estimate, and ``sup_t_coverage`` the
coverage of the studentised (sup-t) band built from the same draws. Results go to a JSON file with the Monte
Carlo standard errors ``sqrt(c (1 - c) / reps)``.

Example::

    python benchmarks/coverage_rdd.py --n 200 --reps 500 --method simple \\
        --dgp dgp1 --out /tmp/cov.json
"""

import argparse
import json
import time
import warnings

import numpy as np

DECILES = np.arange(1, 10) / 10


def _data(dgp, rng, n, delta):
    from statnorm.rdd._dgp import simulate_dgp1, simulate_dgp2, simulate_fuzzy_dgp1

    if dgp == "dgp1":
        return (*simulate_dgp1(rng, n=n, delta=delta), None)
    if dgp == "dgp2":
        return (*simulate_dgp2(rng, n=n, delta=delta), None)
    return simulate_fuzzy_dgp1(rng, n=n, delta=delta)


def run(n, reps, method, dgp, seed, n_bootstrap=199, delta=2.0, settings=None):
    """Coverage of each inference setting over ``reps`` replications."""
    from statnorm.rdd import DistributionalRDD

    settings = settings or {
        "conventional": {"inference": "conventional"},
        "robust": {"inference": "robust"},
    }
    stats = {
        k: {
            "band": [],
            "pointwise": [],
            "width": [],
            "pw_width": [],
            "err": [],
            "se": [],
            "supt": [],
        }
        for k in settings
    }
    t0 = time.perf_counter()
    for r in range(reps):
        x, S, t = _data(dgp, np.random.default_rng(seed + r), n, delta)
        for name, opts in settings.items():
            est = DistributionalRDD(
                method=method,
                kernel="epanechnikov",
                q_grid=DECILES,
                fuzzy=t is not None,
                n_bootstrap=n_bootstrap,
                random_state=seed + r,
                **opts,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est.fit(x, S, treatment=t)
            s = stats[name]
            s["band"].append(
                bool(np.all((est.band_lower_ <= delta) & (est.band_upper_ >= delta)))
            )
            s["pointwise"].append(
                float(
                    np.mean(
                        (est.pointwise_lower_ <= delta)
                        & (est.pointwise_upper_ >= delta)
                    )
                )
            )
            s["width"].append(float(2 * est.critical_value_))
            centre = est.tau_bias_corrected_
            if centre is None:
                centre = est.tau_
            s["err"].append(centre - delta)
            s["se"].append(est.std_error_)
            draws_t = np.max(np.abs(est.bootstrap_draws_ / est.std_error_), axis=1)
            k = int(np.ceil(0.95 * (draws_t.size + 1))) - 1
            crit_t = np.sort(draws_t)[min(k, draws_t.size - 1)]
            s["supt"].append(
                bool(np.max(np.abs(centre - delta) / est.std_error_) <= crit_t)
            )
            s["pw_width"].append(
                float(np.mean(est.pointwise_upper_ - est.pointwise_lower_))
            )
    out = {
        "n": n,
        "reps": reps,
        "method": method,
        "dgp": dgp,
        "seed": seed,
        "n_bootstrap": n_bootstrap,
        "delta": delta,
        "seconds": round(time.perf_counter() - t0, 1),
        "results": {},
    }
    for name, s in stats.items():
        band = float(np.mean(s["band"]))
        pw = float(np.mean(s["pointwise"]))
        out["results"][name] = {
            "settings": settings[name],
            "band_coverage": band,
            "band_mc_se": float(np.sqrt(band * (1 - band) / reps)),
            "pointwise_coverage": pw,
            # per-level indicators are correlated: the SE of a mean of
            # per-replication averages
            "pointwise_mc_se": float(np.std(s["pointwise"], ddof=1) / np.sqrt(reps)),
            "band_width": float(np.mean(s["width"])),
            "pointwise_width": float(np.mean(s["pw_width"])),
        }
        err, se = np.array(s["err"]), np.array(s["se"])
        out["results"][name].update(
            {
                "t_sd": float(np.mean(np.std(err / se, axis=0, ddof=1))),
                "se_over_mc_sd": float(
                    np.mean(se.mean(axis=0) / err.std(axis=0, ddof=1))
                ),
                "sup_t_coverage": float(np.mean(s["supt"])),
            }
        )
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--method", choices=("simple", "frechet"), default="simple")
    ap.add_argument("--dgp", choices=("dgp1", "dgp2", "fuzzy"), default="dgp1")
    ap.add_argument("--seed", type=int, default=1000)
    ap.add_argument("--n-bootstrap", type=int, default=199)
    ap.add_argument(
        "--vce",
        nargs="*",
        default=None,
        help="robust vce variants to run besides the default",
    )
    ap.add_argument("--out", default=None, help="JSON file (default: stdout)")
    a = ap.parse_args(argv)
    settings = None
    if a.vce:
        settings = {"conventional": {"inference": "conventional"}}
        for v in a.vce:
            settings["robust-" + v] = {"inference": "robust", "vce": v}
    out = run(a.n, a.reps, a.method, a.dgp, a.seed, a.n_bootstrap, settings=settings)
    text = json.dumps(out, indent=2)
    if a.out:
        with open(a.out, "w") as fh:
            fh.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
