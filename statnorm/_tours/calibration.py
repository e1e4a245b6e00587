"""``statnorm tour``: recalibrating CIFAR-10 logits (bundled)."""

import numpy as np


def tour(report):
    """CIFAR-10 DenseNet-40: calibrators fitted on validation, scored on test."""

    from statnorm.calibration import (
        BetaCalibration,
        HCalibrator,
        IsotonicCalibrator,
        MatrixScaling,
        ReliabilityDisplay,
        SigmoidCalibration,
        TemperatureScaling,
        VectorScaling,
    )
    from statnorm.calibration import metrics as M
    from statnorm.datasets import load_cifar10_logits
    from statnorm.results import SummaryTable

    Xv, yv = load_cifar10_logits("validation", return_X_y=True)
    Xt, yt = load_cifar10_logits("test", return_X_y=True)
    report.text(
        "Calibrators fitted on 5000 validation logits, scored on 10000 test "
        "logits. `HCalibrator` (Huang et al. 2025) learns one monotone map of "
        "the log-softmax, so accuracy cannot change. One-vs-rest maps (isotonic, "
        "Platt's sigmoid on the raw logits as scikit-learn fits it, Beta) are "
        "renormalised per row. ECE-ad and MCE-ad use 15 equal-mass bins."
    )
    P0 = np.exp(Xt - Xt.max(1, keepdims=True))
    probs = {"uncalibrated": P0 / P0.sum(1, keepdims=True)}
    for est in (
        TemperatureScaling(),
        VectorScaling(),
        IsotonicCalibrator(),
        SigmoidCalibration(),
        BetaCalibration(),
        MatrixScaling(reg_lambda=1e-2, reg_mu=1e-2),
        HCalibrator(random_state=0),
    ):
        probs[type(est).__name__] = est.fit(Xv, yv).predict_proba(Xt)

    def ece_ad(y, P):  # adaptive (equal-mass) bins
        return M.expected_calibration_error(y, P, strategy="quantile")

    def mce_ad(y, P):
        return M.maximum_calibration_error(y, P, strategy="quantile")

    metrics = (M.expected_calibration_error, ece_ad, mce_ad, M.classwise_ece)
    metrics += (M.negative_log_likelihood,)
    rows = tuple(
        (n, float((P.argmax(1) == yt).mean()), *(m(yt, P) for m in metrics))
        for n, P in probs.items()
    )
    head = ("calibrator", "accuracy", "ECE-15", "ECE-ad", "MCE-ad", "cw-ECE", "NLL")
    report.table(SummaryTable("CIFAR-10 DenseNet-40, test split", head, rows))
    if not report.plots:
        return
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 4.5))
    for ax, name in zip(axes, ("uncalibrated", "HCalibrator")):
        ReliabilityDisplay.from_predictions(yt, probs[name], name=name, ax=ax)
    report.figure(fig, "calibration_reliability", "Reliability before/after.")
