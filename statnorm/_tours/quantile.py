"""``statnorm tour``: quantile on bundled data."""

import time

import numpy as np

from statnorm.quantile import QuantileFanDisplay
from statnorm.quantile._compare import _subsample, compare


def tour(report):
    """Aggregate three quantile models on a subsample of the diamonds data."""
    from threadpoolctl import threadpool_limits

    from statnorm.datasets import load_diamonds

    X, y = load_diamonds(return_X_y=True)
    Xtr, ytr, Xte, yte = _subsample(X, y, 1000, 2000, seed=0)
    tau = np.arange(1, 10) / 10
    t0 = time.perf_counter()
    with threadpool_limits(1):
        table, fans = compare(Xtr, ytr, Xte, yte, quantiles=tau, cv=3)
    report.text(
        "Diamond prices (ggplot2 `diamonds`): 1,000 random training rows, 2,000 "
        "held-out rows, 9 levels 0.1-0.9. Base models: linear quantile regression, "
        "histogram gradient boosting (`loss='quantile'`), 30-nearest-neighbour "
        "quantiles; aggregation weights are learned on 3-fold out-of-fold "
        "predictions and the medium aggregate is then conformalised (split CQR). "
        f"Total time {time.perf_counter() - t0:.1f} s."
    )
    report.table(table)
    if not report.plots:
        return
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    QuantileFanDisplay.from_predictions(
        yte, fans["linear"], tau, name="linear quantile regression", ax=axes[0]
    )
    QuantileFanDisplay.from_predictions(
        yte, fans["global medium + split CQR"], tau, name="aggregate + CQR", ax=axes[1]
    )
    axes[0].set_ylabel("price (USD)")
    report.figure(fig, "quantile_diamonds_fan", "Quantile fans on held-out diamonds.")
