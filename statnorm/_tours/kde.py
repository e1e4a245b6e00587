"""``statnorm tour``: the regimes of high-dimensional KDE on bundled data."""

import warnings

import numpy as np


def tour(report):
    """Where bandwidth selectors land, on Gaussian data and sentence embeddings."""

    from statnorm.datasets import load_mgt_embeddings
    from statnorm.kde import HighDimKDE, RegimeDiagramDisplay
    from statnorm.results import SummaryTable

    report.text(
        "`HighDimKDE` (Biroli & Mezard): in high dimensions a KDE is in one of "
        "three regimes (CLT, alpha-stable, extreme-value); the regime report "
        "says which one each bandwidth selector lands in."
    )
    emb = load_mgt_embeddings("truthfulqa", machine="chatgpt").human.astype(float)
    data = {
        "N(0, I), d = 16": np.random.default_rng(0).standard_normal((2981, 16)),
        "MiniLM embeddings": emb[:, emb.var(axis=0) > 0],  # 3 dims are constant
    }
    rows, marks = [], {}
    for name, X in data.items():
        for s in ("scott", "kl_nn", "lcv"):
            kde = HighDimKDE(bandwidth=s, standardize="diagonal", random_state=0)
            with warnings.catch_warnings():  # the embeddings warn, as they should
                warnings.simplefilter("ignore")
                kde.fit(X)
            rep = kde.regime_report(n_query=150, random_state=0, warn=False)
            rows.append((name, s, kde.bandwidth_whitened_, rep.mu_hat, rep.regime))
            marks[f"{s}, {name}"] = (kde.alpha_, kde.bandwidth_whitened_)
    head = ("data", "selector", "h (whitened)", "mu_hat", "regime")
    report.table(SummaryTable("Selectors and regimes", head, tuple(rows)))
    if not report.plots:
        return
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.8))
    RegimeDiagramDisplay.from_estimator(marks=marks, ax=ax)
    report.figure(fig, "kde_regimes", "Regime diagram with the fitted bandwidths.")
