"""``statnorm tour``: depth on bundled data."""

import numpy as np


def tour(report):
    """TruthfulQA: human vs ChatGPT answers by TTE depth (about 5 s)."""
    import matplotlib.pyplot as plt

    from statnorm.datasets import load_mgt_embeddings, load_mgt_texts
    from statnorm.depth import (
        DDPlotDisplay,
        DepthHistogramDisplay,
        depth_rank_sum_test,
        select_central,
    )

    emb = load_mgt_embeddings("truthfulqa")
    texts = load_mgt_texts("truthfulqa")
    H, M = emb.human.astype(np.float64), emb.machine.astype(np.float64)
    report.text(
        "TTE depth (Seegmiller & Preum, EMNLP 2023) of the bundled MiniLM embeddings "
        "of 817 TruthfulQA answers written by humans and by ChatGPT. Depth is "
        "computed w.r.t. the human answers; the rank-sum test asks whether ChatGPT's "
        "answers are more outlying than human answers are among themselves."
    )
    res = depth_rank_sum_test(H, M)
    report.table(res.summary())
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(H))
    null = depth_rank_sum_test(H[idx[:490]], H[idx[490:]])
    report.text(
        f"Control: a random 490/327 split of the human answers gives z = "
        f"{null.statistic:.2f}, p = {null.pvalue:.3f}, Q = {null.q_liu_singh:.3f} "
        f"(about 0.5 expected); human vs ChatGPT gives z = {res.statistic:.1f}, "
        f"Q = {res.q_liu_singh:.3f}."
    )
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    DepthHistogramDisplay.from_predictions(
        res.depths_reference,
        res.depths_sample,
        labels=("human (leave-one-out)", "ChatGPT"),
        ax=axes[0],
    )
    axes[0].set_title("Depth w.r.t. the human answers")
    DDPlotDisplay.from_samples(H, M, labels=("human", "ChatGPT"), ax=axes[1])
    report.figure(fig, "depth_truthfulqa", "TTE depth of human and ChatGPT answers")
    rows = []
    for name, X, col in [("human", H, texts.human), ("ChatGPT", M, texts.machine)]:
        sel, d = select_central(X, n=2, return_depth=True)
        for i, di in zip(sel, d):
            t = " ".join(str(col[i]).split())
            rows.append([name, float(di), t[:90] + ("…" if len(t) > 90 else "")])
    from statnorm.results import SummaryTable

    report.table(
        SummaryTable(
            "Most central answers of each corpus (select_central)",
            ("corpus", "depth", "answer"),
            rows,
        )
    )
