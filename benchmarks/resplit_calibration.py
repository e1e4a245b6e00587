"""Calibrators compared over repeated stratified re-splits, with paired SEs.

Not an asv benchmark (it measures statistical quality, and takes minutes):
one split of a calibration task cannot separate calibrators whose ECE differs
by less than its bootstrap SE (about 0.002 on 10,000 rows), so this script
pools the rows of each task, draws ``--resplits`` stratified 50/50 splits
(fixed seeds 0, 1, ...), fits every calibrator on one half and scores it on
the other, and reports mean +- SD of ECE-15, class-wise ECE, NLL and Brier,
and the paired difference to temperature scaling (mean +- SE, wins).

Tasks: the bundled CIFAR-10 DenseNet-40 logits (validation + test pooled) and
the netcal records ``wideresnet-16-4-cifar-10.npz``,
``densenet-bc-100-cifar-100.npz`` and ``wideresnet-16-4-cifar-100.npz``
(softmax outputs; their logs are used as logits), read from
``tests/calibration/data/netcal`` or from the folder ``STATNORM_NETCAL_DIR``
names. Usage::

    python benchmarks/resplit_calibration.py --resplits 10 > resplit.md
"""

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np


def tasks():
    from statnorm.datasets import load_cifar10_logits

    Xv, yv = load_cifar10_logits("validation", return_X_y=True)
    Xt, yt = load_cifar10_logits("test", return_X_y=True)
    out = {"CIFAR-10 DenseNet-40": (np.vstack([Xv, Xt]), np.r_[yv, yt])}
    default = Path(__file__).resolve().parents[1] / "tests/calibration/data/netcal"
    folder = os.environ.get("STATNORM_NETCAL_DIR", str(default))
    if folder:
        for name, fname in (
            ("CIFAR-10 WRN-16-4", "wideresnet-16-4-cifar-10.npz"),
            ("CIFAR-100 DenseNet-BC-100", "densenet-bc-100-cifar-100.npz"),
            ("CIFAR-100 WRN-16-4", "wideresnet-16-4-cifar-100.npz"),
        ):
            path = Path(folder) / fname
            if path.is_file():
                d = np.load(path)
                P = np.clip(d["predictions"].astype(np.float64), 1e-30, None)
                out[name] = (np.log(P / P.sum(1, keepdims=True)), d["ground_truth"])
    return out


def _passthrough():
    """A "classifier" whose decision function is its input: it lets
    ``CalibratedClassifier`` run its default cross-fitted pipeline on stored
    logits, as it would on a model's scores."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    class LogitPassthrough(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.classes_ = np.unique(y)
            return self

        def decision_function(self, X):
            return np.asarray(X, dtype=np.float64)

    return LogitPassthrough()


def calibrators(names=None):
    """The calibrators compared, by name (``names=None``: the five defaults).

    Temperature scaling is always included: every difference is paired
    against it.
    """
    from statnorm.calibration import (
        CalibratedClassifier,
        HCalibrator,
        IsotonicCalibrator,
        MatrixScaling,
        MatrixScalingCV,
        TemperatureScaling,
        VectorScaling,
    )

    every = {
        "temperature": lambda: TemperatureScaling(),
        "h-calibration (default)": lambda: HCalibrator(random_state=0),
        "vector": lambda: VectorScaling(),
        "Dirichlet (ODIR 1e-2)": lambda: MatrixScaling(reg_lambda=1e-2, reg_mu=1e-2),
        "isotonic": lambda: IsotonicCalibrator(),
        "Dirichlet (ODIR, CV)": lambda: MatrixScalingCV(random_state=0),
        "h-calibration (cv=5)": lambda: HCalibrator(cv=5, random_state=0),
        "h-calibration (k-means groups)": lambda: HCalibrator(
            grouping="kmeans", random_state=0
        ),
        "h-calibration (auto, cv=5)": lambda: HCalibrator(
            map="auto", cv=5, random_state=0
        ),
        "h-calibration (authors' protocol)": lambda: HCalibrator(
            init="identity", cv="in-sample", iterate_classes=True, random_state=0
        ),
        "CalibratedClassifier (default)": lambda: CalibratedClassifier(_passthrough()),
        "CalibratedClassifier (temperature)": lambda: CalibratedClassifier(
            _passthrough(), calibrator="temperature"
        ),
    }
    if names is None:
        names = list(every)[:5]
    unknown = sorted(set(names) - set(every))
    if unknown:
        raise SystemExit(f"unknown calibrators {unknown}; choose from {list(every)}")
    return {
        k: every[k] for k in ["temperature", *[n for n in names if n != "temperature"]]
    }


def scores(y, P):
    from statnorm.calibration import metrics as M

    return {
        "ECE-15": M.expected_calibration_error(y, P),
        "cw-ECE": M.classwise_ece(y, P, reduction="mean"),
        "NLL": M.negative_log_likelihood(y, P),
        "Brier": M.brier_score(y, P),
    }


def run(X, y, resplits, cals, after_split=None):
    """Scores of every calibrator on every re-split; ``after_split(res)`` is
    called after each split (to save partial results of long runs)."""
    from sklearn.model_selection import StratifiedShuffleSplit

    res = {name: [] for name in cals}
    for r in range(resplits):
        split = StratifiedShuffleSplit(1, test_size=0.5, random_state=r)
        fit, ev = next(split.split(X, y))
        for name, make in cals.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                P = make().fit(X[fit], y[fit]).predict_proba(X[ev])
            res[name].append({**scores(y[ev], P), "seconds": time.perf_counter() - t0})
        print(f"  split {r + 1}/{resplits} done", file=sys.stderr, flush=True)
        if after_split is not None:
            after_split(res)
    return res


def table(task, res):
    """Markdown table: mean +- SD of each metric, and the paired difference to
    temperature scaling (mean, its SE, and wins out of the re-splits) of ECE-15,
    class-wise ECE and NLL. Class-wise ECE gets five decimals (it is small with
    many classes)."""
    metrics = ("ECE-15", "cw-ECE", "NLL", "Brier")
    paired = ("ECE-15", "cw-ECE", "NLL")
    digits = {"cw-ECE": 5}
    ref = res["temperature"]
    R = len(ref)
    lines = [
        f"### {task} ({R} re-splits)",
        "",
        "| calibrator | "
        + " | ".join(f"{m} mean ± SD" for m in metrics)
        + " | "
        + " | ".join(f"Δ {m} vs TS (SE, wins)" for m in paired)
        + " | fit s |",
        "|---" * (len(metrics) + len(paired) + 2) + "|",
    ]
    for name, rows in res.items():
        cells = []
        for m in metrics:
            v = np.array([row[m] for row in rows])
            k = digits.get(m, 4)
            cells.append(f"{v.mean():.{k}f} ± {v.std(ddof=1):.{k}f}")
        for m in paired:
            d = np.array([a[m] - b[m] for a, b in zip(rows, ref, strict=True)])
            se = d.std(ddof=1) / np.sqrt(R) if R > 1 else np.nan
            k = digits.get(m, 4)
            cells.append(f"{d.mean():+.{k}f} ({se:.{k}f}, {int((d < 0).sum())}/{R})")
        cells.append(f"{np.mean([row['seconds'] for row in rows]):.1f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resplits", type=int, default=10)
    parser.add_argument(
        "--resplits-100",
        type=int,
        default=None,
        help="re-splits for the 100-class tasks (default: --resplits)",
    )
    parser.add_argument(
        "--calibrators",
        nargs="*",
        default=None,
        help="names of the calibrators to compare (default: the first five)",
    )
    parser.add_argument(
        "--json",
        default=None,
        help="also write every split's scores to this JSON file (updated "
        "after each split)",
    )
    parser.add_argument("--tasks", nargs="*", default=None)
    args = parser.parse_args(argv)
    cals = calibrators(args.calibrators)
    raw = {}
    for task, (X, y) in tasks().items():
        if args.tasks and not any(t in task for t in args.tasks):
            continue
        R = args.resplits
        if X.shape[1] >= 100 and args.resplits_100 is not None:
            R = args.resplits_100
        print(f"{task}: {X.shape}", file=sys.stderr, flush=True)

        def save(res, task=task):
            if args.json:  # after every split, so a long run can be cut short
                Path(args.json).write_text(json.dumps({**raw, task: res}, indent=1))

        res = run(X, y, R, cals, after_split=save)
        raw[task] = res
        print(table(task, res), flush=True)
        print(flush=True)


if __name__ == "__main__":
    main()
