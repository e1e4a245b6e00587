"""``statnorm tour``: TTE depth of human and ChatGPT answers (bundled)."""

import numpy as np


def tour(report):
    """TruthfulQA: rank-sum test, a human-only control, central answers."""

    from statnorm.datasets import load_mgt_embeddings, load_mgt_texts
    from statnorm.depth import (
        DDPlotDisplay,
        DepthHistogramDisplay,
        depth_rank_sum_test,
        select_central,
    )
    from statnorm.results import SummaryTable

    emb, texts = load_mgt_embeddings("truthfulqa"), load_mgt_texts("truthfulqa")
    H, M = emb.human.astype(float), emb.machine.astype(float)
    report.text(
        "TTE depth (Seegmiller & Preum 2023) of 817 TruthfulQA answers by humans "
        "and by ChatGPT, w.r.t. the human answers; then a random human/human "
        "split as a control (p should be large)."
    )
    res = depth_rank_sum_test(H, M)
    idx = np.random.default_rng(0).permutation(len(H))
    report.table(res.summary())
    report.table(depth_rank_sum_test(H[idx[:490]], H[idx[490:]]).summary())
    if report.plots:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        labels = ("human", "ChatGPT")
        DepthHistogramDisplay.from_result(res, labels=labels, ax=axes[0])
        DDPlotDisplay.from_samples(H, M, labels=labels, ax=axes[1])
        report.figure(fig, "depth_truthfulqa", "TTE depth of human and ChatGPT answers")
    rows = []
    for name, X, col in [("human", H, texts.human), ("ChatGPT", M, texts.machine)]:
        sel, d = select_central(X, n=2, return_depth=True)
        rows += [(name, float(di), str(col[i])[:90]) for i, di in zip(sel, d)]
    head = ("corpus", "depth", "answer")
    report.table(SummaryTable("Most central answers", head, tuple(rows)))
