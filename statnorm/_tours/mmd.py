"""``statnorm tour``: MMD tests and detection on the TruthfulQA embeddings."""

import numpy as np


def tour(report):
    """Human vs three ChatGPT populations: test, learned kernels, detection."""
    from sklearn.metrics import roc_auc_score

    from statnorm.datasets import load_mgt_embeddings
    from statnorm.mmd import KernelLearner, MMDDetector, MMDNullDisplay, MMDTest
    from statnorm.results import SummaryTable

    pops = ["chatgpt", "chatgpt_prompt1", "chatgpt_prompt2"]
    embs = [load_mgt_embeddings("truthfulqa", machine=p, dtype=float) for p in pops]
    H, q = embs[0].human, np.random.default_rng(0).permutation(817)
    tr, ref, te = q[:350], q[350:500], q[500:]
    report.text(
        "Human TruthfulQA answers against ChatGPT answers under three prompts "
        "(MiniLM embeddings); kernels are learned on 350 questions, the "
        "detector's human reference is 150 other questions, and everything is "
        "tested on the remaining 317 (one split: see the method page for "
        "repeated splits with standard errors)."
    )
    res = MMDTest(n_permutations=999, random_state=0).test(
        H[te[:100]], embs[0].machine[te[100:200]]
    )
    report.table(res.summary())
    Xtr = np.vstack([H[tr]] + [e.machine[tr] for e in embs])
    ytr = np.repeat([0, 1, 2, 3], len(tr))
    Mte = np.vstack([e.machine[te] for e in embs])
    y_true = np.r_[np.zeros(len(te)), np.ones(len(Mte))]
    rows = []
    for obj in ("median heuristic", "mmd-mp", "mmd-d"):
        k = "gaussian"
        if obj != "median heuristic":
            k = (
                KernelLearner(obj, n_components=32, random_state=0)
                .fit(Xtr, ytr)
                .kernel_
            )
        det = MMDDetector(k).fit(H[ref])  # held out from the kernel's training
        scores = np.r_[det.score_samples(H[te]), det.score_samples(Mte)]
        rows.append((obj, roc_auc_score(y_true, scores)))
    report.table(SummaryTable("Single-instance AUROC", ("kernel", "AUROC"), rows))
    if not report.plots:
        return
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.6))
    MMDNullDisplay.from_result(res, ax=ax)
    report.figure(fig, "mmd_null", "Permutation null and the observed MMD^2.")
