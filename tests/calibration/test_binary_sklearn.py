"""Binary calibration as scikit-learn users write it: 1-D positive-class
probabilities with ``pos_label``, and ``ReliabilityDisplay`` against
``sklearn.calibration.calibration_curve`` / ``CalibrationDisplay``."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.calibration import CalibrationDisplay, calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss

from statnorm.calibration import ReliabilityDisplay
from statnorm.calibration import metrics as M


def _binary(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    p = rng.beta(2, 3, size=n)
    y = (rng.uniform(size=n) < np.clip(p * 1.2, 0, 1)).astype(int)
    return y, p


def _ece_from_curve(y, p, n_bins, strategy):
    """ECE of the positive class from scikit-learn's own bins."""
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    if strategy == "quantile":
        edges = np.percentile(p, np.linspace(0, 100, n_bins + 1))
    else:
        edges = np.linspace(0, 1, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], p)
    cnt = np.bincount(ids, minlength=n_bins)
    cnt = cnt[cnt > 0]
    return float(np.sum(cnt / len(p) * np.abs(prob_true - prob_pred)))


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_display_curve_equals_calibration_curve(strategy):
    # n a multiple of n_bins, distinct values: both libraries define the same bins
    y, p = _binary(1000)
    ref_true, ref_pred = calibration_curve(y, p, n_bins=10, strategy=strategy)
    disp = ReliabilityDisplay.from_predictions(y, p, n_bins=10, strategy=strategy)
    np.testing.assert_allclose(disp.prob_true, ref_true, rtol=0, atol=1e-12)
    np.testing.assert_allclose(disp.prob_pred, ref_pred, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(disp.y_prob, p)
    assert disp.pos_label == 1
    # and the ECE is the positive-class ECE of those bins
    assert disp.ece == pytest.approx(_ece_from_curve(y, p, 10, strategy), abs=1e-12)
    assert M.expected_calibration_error(
        y, p, n_bins=10, strategy=strategy
    ) == pytest.approx(disp.ece, abs=1e-15)
    plt.close("all")


def test_quantile_bins_differ_from_sklearn_when_n_not_a_multiple():
    # documented: statnorm's rank rule floor(i B / n) vs scikit-learn's
    # interpolated percentiles; n = 10, B = 7 moves the fifth row to bin 3 there
    p = np.linspace(0.05, 0.95, 10)
    y = np.array([0, 0, 1, 0, 1, 1, 0, 1, 1, 1])
    ours = M._equal_mass_index(np.sort(p), 7)
    edges = np.percentile(p, np.linspace(0, 100, 8))
    theirs = np.searchsorted(edges[1:-1], np.sort(p))
    assert ours[4] == 2 and theirs[4] == 3
    disp = ReliabilityDisplay.from_predictions(y, p, n_bins=7, strategy="quantile")
    ref_true, _ = calibration_curve(y, p, n_bins=7, strategy="quantile")
    assert disp.prob_true.shape != ref_true.shape or not np.allclose(
        disp.prob_true, ref_true
    )
    plt.close("all")


def test_quantile_bins_keep_ties_together():
    rng = np.random.default_rng(1)
    p = np.round(rng.beta(2, 2, size=200), 1)
    y = (rng.uniform(size=200) < p).astype(int)
    disp = ReliabilityDisplay.from_predictions(y, p, n_bins=10, strategy="quantile")
    # every tie run in one bin: bins hold disjoint sets of values, whose
    # mean is then a value of p or lies between values of consecutive bins
    _, _, cnt, idx = M._binned(p, y.astype(float), 10, "quantile")
    s = np.sort(p)
    b = M._equal_mass_index(s, 10)
    for v in np.unique(s):
        assert np.unique(b[s == v]).size == 1
    assert cnt.sum() == 200 and disp.counts.sum() == 200
    # on these data scikit-learn's percentile edges give the same bins
    ref_true, ref_pred = calibration_curve(y, p, n_bins=10, strategy="quantile")
    np.testing.assert_allclose(disp.prob_pred, ref_pred, atol=1e-12)
    np.testing.assert_allclose(disp.prob_true, ref_true, atol=1e-12)
    plt.close("all")


def test_string_labels_and_pos_label():
    y, p = _binary(600, seed=2)
    ys = np.where(y == 1, "spam", "ham")
    for f in (
        M.expected_calibration_error,
        M.maximum_calibration_error,
        M.debiased_ece,
        M.ks_calibration_error,
        M.smooth_ece,
        M.classwise_ece,
        M.adaptive_calibration_error,
        M.negative_log_likelihood,
        M.brier_score,
    ):
        assert f(ys, p, pos_label="spam") == f(y, p), f.__name__
    # the other class as positive: its probability is 1 - p
    assert M.expected_calibration_error(
        ys, 1 - p, pos_label="ham", n_bins=10
    ) == pytest.approx(M.expected_calibration_error(y, p, n_bins=10), abs=1e-12)
    # {-1, 1} labels need no pos_label (scikit-learn's rule)
    assert M.expected_calibration_error(2 * y - 1, p) == M.expected_calibration_error(
        y, p
    )


def test_one_d_is_positive_class_not_top_label():
    y, p = _binary(500, seed=3)
    P = np.c_[1 - p, p]
    # 1-D: the positive column's class-wise error, not the top-label ECE
    pos_only = M._bin_error(p, y.astype(float), 15, "uniform")
    assert M.expected_calibration_error(y, p) == pytest.approx(pos_only, abs=1e-15)
    assert M.expected_calibration_error(y, p) != pytest.approx(
        M.expected_calibration_error(y, P), abs=1e-6
    )
    # metrics defined over classes read 1-D p as the columns (1 - p, p)
    assert M.classwise_ece(y, p) == M.classwise_ece(y, P)
    assert M.adaptive_calibration_error(y, p) == M.adaptive_calibration_error(y, P)
    assert M.skce_test(y, p, random_state=0) == M.skce_test(y, P, random_state=0)


def test_brier_and_nll_equal_sklearn_binary():
    y, p = _binary(400, seed=4)
    assert M.brier_score(y, p) == pytest.approx(brier_score_loss(y, p), abs=1e-15)
    assert M.brier_score(y, np.c_[1 - p, p]) == pytest.approx(
        2 * brier_score_loss(y, p), abs=1e-14
    )
    assert M.negative_log_likelihood(y, p) == pytest.approx(log_loss(y, p), abs=1e-14)


@pytest.mark.parametrize(
    ("y_true", "y_prob", "kw", "match"),
    [
        (["a", "b", "a"], [0.1, 0.5, 0.9], {}, "pos_label must be given"),
        ([0, 1, 2], [0.1, 0.5, 0.9], {}, "y_true has 3 labels"),
        ([0, 1, 1], [0.1, 0.5, 1.9], {}, r"y_prob .*\[0, 1\]"),
        ([0, 1, 1], [0.1, 0.5, 0.9], {"pos_label": 2}, "pos_label=2 is not one"),
        ([0, 1], [[0.9, 0.1], [0.2, 0.8]], {"pos_label": 1}, "pos_label=1 applies"),
        ([0, 1, 1], [0.1, 0.5], {}, "y_true"),
    ],
)
def test_binary_errors_name_the_argument(y_true, y_prob, kw, match):
    with pytest.raises(ValueError, match=match):
        M.expected_calibration_error(y_true, y_prob, **kw)


def test_display_kwargs_ref_line_and_line():
    y, p = _binary(300, seed=5)
    fig, ax = plt.subplots()
    disp = ReliabilityDisplay.from_predictions(
        y, p, n_bins=5, ax=ax, ref_line=False, color="tab:red", alpha=0.5, lw=3
    )
    assert disp.line_ in ax.lines
    assert disp.line_.get_color() == "tab:red"
    assert disp.line_.get_alpha() == 0.5
    assert disp.line_.get_linewidth() == 3
    assert "perfectly calibrated" not in ax.get_legend_handles_labels()[1]
    assert "fraction of positives" in ax.get_ylabel()
    # a user's linestyle alias overrides the default solid line
    d2 = ReliabilityDisplay.from_predictions(y, p, n_bins=5, ax=ax, ls=":")
    assert d2.line_.get_linestyle() == ":"
    assert "perfectly calibrated" in ax.get_legend_handles_labels()[1]
    plt.close("all")
    with pytest.raises(ValueError, match="kind='class' needs a matrix"):
        ReliabilityDisplay.from_predictions(y, p, kind="class")


def test_from_estimator_pos_label_matches_calibration_display():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(400, 3))
    y = np.where(X[:, 0] + rng.normal(size=400) > 0, "yes", "no")
    clf = LogisticRegression().fit(X, y)
    ref = CalibrationDisplay.from_estimator(clf, X, y, n_bins=8, pos_label="no")
    disp = ReliabilityDisplay.from_estimator(clf, X, y, n_bins=8, pos_label="no")
    np.testing.assert_allclose(disp.prob_true, ref.prob_true, atol=1e-12)
    np.testing.assert_allclose(disp.prob_pred, ref.prob_pred, atol=1e-12)
    np.testing.assert_allclose(disp.y_prob, ref.y_prob, atol=0)
    with pytest.raises(ValueError, match="pos_label='maybe'"):
        ReliabilityDisplay.from_estimator(clf, X, y, pos_label="maybe")
    plt.close("all")
