"""``statnorm mmd`` and the tour section of :mod:`statnorm.mmd`."""

import time

import numpy as np

from .._cliutils import load_array


def _run(args):
    from . import KernelLearner, MMDTest

    X = load_array(args.A, "A")
    Ys = [load_array(b, "B") for b in args.B]
    Y = np.vstack(Ys) if len(Ys) > 1 else Ys[0]
    kernel = "gaussian" if args.bandwidth is None else args.bandwidth
    lines = [f"A: {args.A} {X.shape}", f"B: {', '.join(args.B)} {Y.shape}"]
    if args.learn:
        rng = np.random.default_rng(args.seed)
        ix, iy = rng.permutation(len(X)), rng.permutation(len(Y))
        ntx, nty = int(len(X) * args.train_fraction), int(len(Y) * args.train_fraction)
        if min(ntx, nty, len(X) - ntx, len(Y) - nty) < 2:
            raise ValueError(
                "too few rows to split into a training and a test part (need at "
                "least 2 of each per sample); lower --train-fraction or add data."
            )
        Xtr = np.vstack([X[ix[:ntx]], Y[iy[:nty]]])
        labels = np.r_[np.zeros(ntx), np.ones(nty)]
        t0 = time.perf_counter()
        learner = KernelLearner(
            args.learn,
            featurizer=args.featurizer,
            max_iter=args.epochs,
            random_state=args.seed,
        ).fit(Xtr, labels)
        kernel = learner.kernel_
        X, Y = X[ix[ntx:]], Y[iy[nty:]]
        lines.append(
            f"kernel learned by {args.learn} on {ntx} + {nty} training rows in "
            f"{time.perf_counter() - t0:.1f} s (criterion J = {learner.criterion_:.3f}); "
            f"testing on the held-out {len(X)} + {len(Y)} rows"
        )
    res = MMDTest(
        kernel,
        n_permutations=args.permutations,
        estimator=args.estimator,
        random_state=args.seed,
    ).test(X, Y)
    lines += [
        f"kernel: {res.kernel!r}",
        f"MMD^2 ({res.estimator}): {res.statistic:.6g}",
        f"p-value ({args.permutations} permutations): {res.pvalue:.4g}",
    ]
    print("\n".join(lines))
    return 0


def add_subcommand(subparsers):
    """Add ``statnorm mmd A B [--learn mmd-mp]``."""
    p = subparsers.add_parser(
        "mmd",
        help="kernel two-sample test (MMD), optionally with a learned kernel",
        description=(
            "Permutation test of whether the rows of A and B come from the same "
            "distribution, with the MMD statistic and a median-heuristic Gaussian "
            "kernel, or a kernel learned (MMD-MP or MMD-D) on a training split of "
            "both files and tested on the rest. Several B files are pooled (e.g. "
            "several machine populations)."
        ),
    )
    p.add_argument("A", help="first sample: .npy, .csv or .tsv, one row per item")
    p.add_argument("B", nargs="+", help="second sample(s), same number of columns")
    p.add_argument(
        "--learn",
        choices=["mmd-mp", "mmd-d"],
        help="learn a deep kernel on a training split first",
    )
    p.add_argument("--featurizer", choices=["linear", "mlp"], default="linear")
    p.add_argument("--epochs", type=int, default=100, help="training epochs")
    p.add_argument(
        "--train-fraction",
        type=float,
        default=0.5,
        help="share of each sample used to learn the kernel (default: %(default)s)",
    )
    p.add_argument("--permutations", type=int, default=999)
    p.add_argument("--estimator", choices=["unbiased", "biased"], default="unbiased")
    p.add_argument(
        "--bandwidth",
        type=float,
        help="Gaussian bandwidth sigma in exp(-d^2/sigma) (default: median heuristic)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.set_defaults(func=_run)
