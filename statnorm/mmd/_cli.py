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


def _power(kernel, H, M, n, reps, rng, n_permutations=99, alpha=0.05):
    from . import MMDTest

    rej = 0
    for rep in range(reps):
        i = rng.choice(len(H), n, replace=False)
        j = rng.choice(len(M), n, replace=False)
        res = MMDTest(kernel, n_permutations=n_permutations, random_state=rep).test(
            H[i], M[j]
        )
        rej += res.pvalue <= alpha
    return rej / reps


def tour(report):
    """MMD tests and detection on the bundled TruthfulQA embeddings."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_auc_score

    from ..datasets import load_mgt_embeddings
    from ..results import SummaryTable
    from . import KernelLearner, MMDDetector, MMDTest

    pops = ["chatgpt", "chatgpt_prompt1", "chatgpt_prompt2"]
    embs = [
        load_mgt_embeddings("truthfulqa", machine=p, dtype=np.float64) for p in pops
    ]
    H = embs[0].human
    rng = np.random.default_rng(0)
    q = rng.permutation(len(H))
    tr, te = q[:400], q[400:]
    report.text(
        "Human TruthfulQA answers against ChatGPT answers written under three "
        "different prompts (three machine populations), as MiniLM sentence "
        "embeddings. Questions are split: kernels are learned on 400 questions "
        "and every test uses the other 417 only."
    )
    res = MMDTest(n_permutations=999, random_state=0).test(
        H[te[:100]], embs[0].machine[te[100:200]]
    )
    null = MMDTest(n_permutations=999, random_state=0).test(H[te[:100]], H[te[200:300]])
    report.text(
        f"Median-heuristic Gaussian kernel, 100 human vs 100 ChatGPT answers: "
        f"MMD^2 = {res.statistic:.4g}, p = {res.pvalue:.3g}. Human vs human "
        f"(disjoint questions): MMD^2 = {null.statistic:.3g}, p = {null.pvalue:.3g}."
    )
    Xtr = np.vstack([H[tr]] + [e.machine[tr] for e in embs])
    ytr = np.repeat([0, 1, 2, 3], len(tr))
    Hte = H[te]
    Mte = np.vstack([e.machine[te] for e in embs])
    kernels = {"median heuristic": "gaussian"}
    times = {}
    for obj in ("mmd-mp", "mmd-d"):
        t0 = time.perf_counter()
        kl = KernelLearner(obj, n_components=32, max_iter=100, random_state=0)
        kernels[obj.upper()] = kl.fit(Xtr, ytr).kernel_
        times[obj.upper()] = time.perf_counter() - t0
    sizes = [4, 6, 8, 10]
    reps = 40
    power = {
        name: [_power(k, Hte, Mte, n, reps, np.random.default_rng(n)) for n in sizes]
        for name, k in kernels.items()
    }
    ref = H[tr[:200]]
    y_true = np.r_[np.zeros(len(Hte)), np.ones(len(Mte))]
    aucs = {}
    for name, k in kernels.items():
        det = MMDDetector(k).fit(ref)
        aucs[name] = roc_auc_score(
            y_true, np.r_[det.score_samples(Hte), det.score_samples(Mte)]
        )
    rows = [
        [
            name,
            *[f"{p:.2f}" for p in power[name]],
            f"{aucs[name]:.3f}",
            f"{times.get(name, 0.0):.1f}",
        ]
        for name in kernels
    ]
    report.table(
        SummaryTable(
            "Set-level test power (alpha = 0.05, 99 permutations, "
            f"{reps} repetitions) and single-instance AUROC",
            ["kernel", *[f"n={n}" for n in sizes], "AUROC", "train s"],
            rows,
            notes=(
                (
                    "Machine sets mix the three ChatGPT prompt variants. AUROC: "
                    "MMDDetector with a 200-answer human reference set, 417 human "
                    "vs 1251 machine held-out answers."
                ),
            ),
        )
    )
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
    for name in kernels:
        ax[0].plot(sizes, power[name], "o-", label=name)
    ax[0].axhline(0.05, color="k", ls=":", lw=1)
    ax[0].set(
        xlabel="sentences per side",
        ylabel="power",
        ylim=(0, 1.02),
        title="Human vs 3 ChatGPT populations",
    )
    ax[0].legend()
    ax[1].hist(null.null_distribution, bins=40, alpha=0.7, label="permutation null")
    ax[1].axvline(null.statistic, color="C0", label="human vs human")
    ax[1].axvline(res.statistic, color="C3", label="human vs ChatGPT")
    ax[1].set(xlabel="MMD^2 (unbiased)", title="Median-heuristic kernel, n = 100")
    ax[1].legend(fontsize=8)
    fig.tight_layout()
    report.figure(fig, "mmd_power", "Power against sample size; permutation null.")
