"""``statnorm mmd``: a kernel two-sample test, optionally with a learned kernel."""

import argparse
import time
import warnings

import numpy as np

from .._cli._args import (
    add_model_options,
    add_n_permutations,
    add_output_options,
    add_random_state,
    add_table_options,
    configure_logging,
    examples,
    nonneg_int,
    positive_float,
    unit_interval,
)
from .._cli._models import load_model, save_model
from .._cli._parser import CLIError, note
from .._cli._read import load_array
from .._cli._write import emit, output_dir


def _learn(args, X, Y):
    """Learn a kernel on a training split of X and Y; return it and the test rows."""
    from ._learn import KernelLearner

    rng = np.random.default_rng(args.random_state)
    ix, iy = rng.permutation(len(X)), rng.permutation(len(Y))
    ntx, nty = int(len(X) * args.train_fraction), int(len(Y) * args.train_fraction)
    if min(ntx, nty, len(X) - ntx, len(Y) - nty) < 2:
        raise ValueError(
            "too few rows to split into a training and a test part (need at "
            "least 2 of each per sample); change --train-fraction or add data."
        )
    learner = KernelLearner(
        args.learn,
        featurizer=args.featurizer,
        max_iter=args.max_iter,
        validation_fraction=args.validation_fraction,
        # an int n_iter_no_change alone is deprecated (KernelLearner): stop
        # early exactly when --n-iter-no-change is given, as documented
        early_stopping=args.n_iter_no_change is not None,
        n_iter_no_change=(
            "auto" if args.n_iter_no_change is None else args.n_iter_no_change
        ),
        random_state=args.random_state,
        verbose=0 if args.json else max(0, args.verbose - 1),
    )
    t0 = time.perf_counter()
    learner.fit(
        np.vstack([X[ix[:ntx]], Y[iy[:nty]]]), np.r_[np.zeros(ntx), np.ones(nty)]
    )
    info = {
        "objective": args.learn,
        "n_train": [ntx, nty],
        "criterion": float(learner.criterion_),
        "fit_seconds": time.perf_counter() - t0,
    }
    return learner.kernel_, X[ix[ntx:]], Y[iy[nty:]], info


def _samples(args):
    """A and the pooled B files, checked to share A's columns."""
    X = load_array(args.A, "A", args=args)
    Ys = [load_array(b, "B", args=args) for b in args.B]
    if any(Yb.shape[1] != X.shape[1] for Yb in Ys):
        raise ValueError(
            f"B: every sample needs the {X.shape[1]} columns of A; got "
            f"{[Yb.shape[1] for Yb in Ys]}."
        )
    return X, np.vstack(Ys)


def _report_lines(args, X, Y, res, data):
    lines = [f"A: {args.A} {X.shape}", f"B: {', '.join(args.B)} {Y.shape}"]
    if "learning" in data:
        L = data["learning"]
        lines.append(
            f"kernel learned by {args.learn} on {L['n_train'][0]} + "
            f"{L['n_train'][1]} training rows in {L['fit_seconds']:.1f} s "
            f"(criterion J = {L['criterion']:.3f}); testing on the held-out "
            f"{len(X)} + {len(Y)} rows"
        )
    lines += [
        f"kernel: {res.kernel!r}",
        f"MMD^2 ({res.estimator}): {res.statistic:.6g}",
        (
            f"p-value ({args.n_permutations} permutations): {res.pvalue:.4g}"
            if args.method == "permutation"
            else f"p-value (asymptotic null): {res.pvalue:.4g}"
        ),
    ]
    return lines


def _run(args):
    from ._kernel import DeepKernel
    from ._stats import MMDTest

    configure_logging(args)
    if args.apply and args.learn:
        raise CLIError("--apply uses a saved kernel; it excludes --learn")
    if args.save and not args.learn:
        raise CLIError("--save saves a learned kernel: add --learn mmd-mp or mmd-d")
    X, Y = _samples(args)
    data = {"A": {"file": args.A, "shape": X.shape}}
    data["B"] = {"files": list(args.B), "shape": Y.shape}
    kernel = "gaussian" if args.bandwidth is None else args.bandwidth
    if args.apply:
        kernel = load_model(args.apply, expected=DeepKernel)
        data["kernel_file"] = str(args.apply)
    elif args.learn:
        kernel, X, Y, data["learning"] = _learn(args, X, Y)
        if args.save:
            data["kernel_file"] = str(save_model(kernel, args.save))
            note(args, f"saved the learned kernel to {args.save}")
    statistic = args.statistic
    if args.estimator is not None:
        warnings.warn(
            "--estimator was renamed --statistic; it will be removed in 0.2.",
            FutureWarning,
            stacklevel=2,
        )
        statistic = args.estimator
    res = MMDTest(
        kernel,
        n_permutations=args.n_permutations,
        statistic=statistic,
        random_state=args.random_state,
        verbose=0 if args.json else args.verbose,  # stdout is for --json
        method=args.method,
        ties=args.ties,
    ).test(X, Y)
    data.update(
        n_test=[len(X), len(Y)],
        kernel=repr(res.kernel),
        estimator=res.estimator,  # the statistic's name (JSON key kept)
        statistic=res.statistic,
        pvalue=res.pvalue,
        n_permutations=args.n_permutations,
        method=args.method,
    )
    lines = _report_lines(args, X, Y, res, data)
    out = output_dir(args)
    if out is not None:
        import pandas as pd

        path = out / "null_distribution.csv"
        pd.DataFrame({"mmd2": res.null_distribution}).to_csv(
            path, index=False, float_format="%.17g"
        )
        note(args, f"wrote {path}")
    emit(args, text="\n".join(lines), data=data)
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
            "several machine populations). Files: CSV/TSV, parquet, .npy/.npz, or "
            "- for standard input; one row per item."
        ),
        epilog=examples(
            "statnorm datasets mgt_embeddings -o data",
            "statnorm mmd data/mgt_truthfulqa_human.npy "
            "data/mgt_truthfulqa_chatgpt.npy --n-permutations 199 --json",
            "statnorm mmd data/mgt_squad1_human.npy data/mgt_squad1_chatgpt.npy "
            "--learn mmd-mp --max-iter 50 --save kernel.skops",
        ),
    )
    p.add_argument("A", help="first sample, one row per item")
    p.add_argument("B", nargs="+", help="second sample(s), same number of columns")
    _add_learning_options(p)
    add_n_permutations(p)
    p.add_argument(
        "--statistic",
        choices=["unbiased", "biased"],
        default="unbiased",
        help="MMD^2 statistic (U- or V-statistic)",
    )
    p.add_argument(  # deprecated alias of --statistic
        "--estimator", choices=["unbiased", "biased"], help=argparse.SUPPRESS
    )
    p.add_argument(
        "--bandwidth",
        type=positive_float("--bandwidth"),
        help="Gaussian bandwidth sigma in exp(-d^2/sigma) (default: the median "
        "heuristic)",
    )
    add_random_state(p)
    add_model_options(p, "learned kernel")
    add_table_options(p)
    add_output_options(p)
    p.set_defaults(func=_run)


def _add_learning_options(p):
    """The options of ``--learn`` (a deep kernel learned on a training split)."""
    p.add_argument(
        "--learn",
        choices=["mmd-mp", "mmd-d"],
        help="learn a deep kernel on a training split first (default: none, a "
        "Gaussian kernel)",
    )
    p.add_argument(
        "--featurizer",
        choices=["linear", "mlp"],
        default="linear",
        help="feature map of the learned kernel",
    )
    p.add_argument(
        "--max-iter",
        type=nonneg_int("--max-iter"),
        default=100,
        help="training epochs of --learn",
    )
    p.add_argument(
        "--validation-fraction",
        type=float,
        default=0.2,
        help="share of each training population held out to choose the "
        "checkpoint of --learn (0: keep the last epoch)",
    )
    p.add_argument(
        "--n-iter-no-change",
        type=nonneg_int("--n-iter-no-change"),
        default=None,
        help="stop --learn after this many evaluations without improvement "
        "(default: run all epochs)",
    )
    p.add_argument(
        "--train-fraction",
        type=unit_interval("--train-fraction"),
        default=0.5,
        help="share of each sample used to learn the kernel",
    )
    p.add_argument(
        "--method",
        choices=["permutation", "asymptotic"],
        default="permutation",
        help="null distribution of the p-value (asymptotic: a Gamma law fitted "
        "on the pooled Gram matrix, no permutations; slightly liberal)",
    )
    p.add_argument(
        "--ties",
        choices=["conservative", "randomized"],
        default="conservative",
        help="permutation statistics equal to the observed one: all counted, or "
        "broken at random (exact size at small n)",
    )
