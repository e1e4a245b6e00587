"""Invariances the calibrators' definitions imply, as property tests.

- Row order: every calibrator minimises an average over rows (or, for
  HCalibrator, over events sorted by probability with ties broken stably), so
  fitting on permuted rows gives the same calibrated probabilities.
- Softmax shift: adding a constant to every logit of a row leaves its softmax,
  hence every calibrator's input (the log-softmax), unchanged.
- Label permutation: relabelling the classes and permuting the logit columns
  the same way permutes the calibrated columns (TemperatureScaling, which
  treats classes symmetrically).
"""

import numpy as np
import pytest

from statnorm import calibration as c
from statnorm.calibration import metrics as m

CALIBRATORS = [
    (c.TemperatureScaling, {}),
    (c.VectorScaling, {}),
    (c.MatrixScaling, {"reg_lambda": 1e-2, "reg_mu": 1e-2}),
    (c.IsotonicCalibrator, {}),
    (c.HistogramBinning, {}),
    (
        c.HCalibrator,
        {
            "max_iter": 3,
            "n_iter_no_change": 1,
            "learning_rate_init": 1e-300,
            "window": 10,
        },
    ),
]


def _data(rng, n=120, k=3):
    Z = rng.normal(size=(n, k)) * 2
    y = rng.integers(0, k, n)
    Z[np.arange(n), y] += 1.5
    return Z, y


@pytest.mark.parametrize(
    ("cls", "kw"), CALIBRATORS, ids=lambda v: getattr(v, "__name__", "")
)
@pytest.mark.parametrize("seed", [0, 1])
def test_row_order_does_not_matter(cls, kw, seed):
    rng = np.random.default_rng(seed)
    Z, y = _data(rng)
    perm = rng.permutation(len(y))
    a = cls(**kw).fit(Z, y).predict_proba(Z)
    b = cls(**kw).fit(Z[perm], y[perm]).predict_proba(Z)
    np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    ("cls", "kw"), CALIBRATORS, ids=lambda v: getattr(v, "__name__", "")
)
def test_adding_a_constant_to_a_row_of_logits_changes_nothing(cls, kw, rng):
    Z, y = _data(rng)
    shift = rng.normal(scale=50, size=(len(y), 1))
    a = cls(**kw).fit(Z, y).predict_proba(Z)
    b = cls(**kw).fit(Z + shift, y).predict_proba(Z + shift)
    np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-8)


def test_temperature_scaling_is_equivariant_to_relabelling(rng):
    Z, y = _data(rng)
    perm = np.array([2, 0, 1])
    inv = np.argsort(perm)
    a = c.TemperatureScaling().fit(Z, y).predict_proba(Z)
    b = c.TemperatureScaling().fit(Z[:, perm], inv[y]).predict_proba(Z[:, perm])
    np.testing.assert_allclose(b, a[:, perm], rtol=1e-10)


@pytest.mark.parametrize(
    "metric",
    [
        m.expected_calibration_error,
        m.classwise_ece,
        m.adaptive_calibration_error,
        m.brier_score,
        m.negative_log_likelihood,
        m.ks_calibration_error,
    ],
)
def test_metrics_do_not_depend_on_row_order(metric, rng):
    Z, y = _data(rng)
    P = np.exp(Z - Z.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    perm = rng.permutation(len(y))
    assert metric(y[perm], P[perm]) == pytest.approx(metric(y, P), rel=1e-12)


@pytest.mark.parametrize("scale", [1e200, 1e300])
def test_extreme_logits_give_finite_calibrators(scale, rng):
    """Finite logits, however large, give finite probabilities (never NaN)."""
    Z, y = _data(rng)
    for cls, kw in CALIBRATORS[:-1]:
        P = cls(**kw).fit(Z * scale, y).predict_proba(Z * scale)
        assert np.isfinite(P).all(), cls.__name__
        np.testing.assert_allclose(P.sum(axis=1), 1.0)


def test_reliability_display_strategies_and_one_diagonal(rng):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from statnorm.calibration import ReliabilityDisplay
    from statnorm.calibration.metrics import expected_calibration_error

    Z, y = _data(rng, n=600)
    P = np.exp(Z - Z.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    q = ReliabilityDisplay.from_predictions(y, P, strategy="quantile", n_bins=10)
    assert q.ece == pytest.approx(
        expected_calibration_error(y, P, n_bins=10, strategy="quantile")
    )
    assert np.all(np.abs(q.counts - 60) <= 1)  # equal-mass bins
    ax = q.ax_
    ReliabilityDisplay.from_predictions(y, P, name="again", ax=ax, show_counts=True)
    labels = ax.get_legend_handles_labels()[1]
    assert labels.count("perfectly calibrated") == 1
    c = ReliabilityDisplay.from_predictions(y, P, kind="class", class_index=2)
    assert c.counts.sum() == len(y)
    with pytest.raises(ValueError, match="class_index"):
        ReliabilityDisplay.from_predictions(y, P, kind="class", class_index=7)
    plt.close("all")
