"""Maximum calibration error, equal-width and adaptive (equal-mass) bins."""

import numpy as np
import pytest

from statnorm.calibration.metrics import (
    expected_calibration_error,
    maximum_calibration_error,
)


def _direct(y, P, n_bins, strategy):
    """Bins by an explicit loop: right-closed edges, or n // B-sized rank groups."""
    pred = P.argmax(1)
    conf = P[np.arange(len(y)), pred]
    ok = (pred == y).astype(float)
    n = len(y)
    if strategy == "uniform":
        groups = [
            (conf > b / n_bins) & (conf <= (b + 1) / n_bins) for b in range(n_bins)
        ]
        groups[0] |= conf <= 0
    else:
        order = np.argsort(conf, kind="stable")
        groups = []
        for b in range(n_bins):
            g = np.zeros(n, bool)
            g[order[[i for i in range(n) if (i * n_bins) // n == b]]] = True
            groups.append(g)
    gaps = [abs(conf[g].mean() - ok[g].mean()) for g in groups if g.any()]
    return max(gaps)


def _probs(n, C, seed, temper=1.0):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, C)) * 2
    P = np.exp(Z / temper)
    P /= P.sum(1, keepdims=True)
    y = np.array([rng.choice(C, p=p) for p in np.exp(Z) / np.exp(Z).sum(1)[:, None]])
    return y, P


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [1, 7, 15, 500])
def test_mce_equals_a_direct_loop(strategy, n_bins):
    y, P = _probs(300, 4, 0, temper=0.5)
    got = maximum_calibration_error(y, P, n_bins=n_bins, strategy=strategy)
    assert got == pytest.approx(_direct(y, P, n_bins, strategy), abs=1e-12)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_mce_bounds_ece_on_the_same_bins(strategy):
    for seed in range(5):
        y, P = _probs(200, 3, seed, temper=0.7)
        ece = expected_calibration_error(y, P, n_bins=10, strategy=strategy)
        assert maximum_calibration_error(y, P, n_bins=10, strategy=strategy) >= ece


def test_one_adaptive_bin_is_the_overall_gap():
    y, P = _probs(100, 3, 1)
    conf = P.max(1)
    gap = abs(conf.mean() - (P.argmax(1) == y).mean())
    got = maximum_calibration_error(y, P, n_bins=1, strategy="quantile")
    assert got == pytest.approx(gap, abs=1e-12)


def test_adaptive_mce_of_calibrated_and_overconfident_probabilities():
    # calibrated by construction: 15 equal-mass bins of 1000 samples, each gap
    # has sd <= 0.5 / sqrt(1000) = 0.0158; the maximum of 15 stays below 4.5 sd
    # except with probability < 15 * 7e-6. Over-confident (temperature 0.5)
    # probabilities have an adaptive MCE far above that bound.
    y, P = _probs(15000, 3, 2)
    bound = 4.5 * 0.5 / np.sqrt(1000)
    assert maximum_calibration_error(y, P, strategy="quantile") < bound
    y, P = _probs(15000, 3, 2, temper=0.5)
    assert maximum_calibration_error(y, P, strategy="quantile") > 2 * bound


# ------------------------------------------------- debiased ECE, L1 (selector)
def test_debiased_ece_l1_matches_the_reference_code():
    """Closed form vs the Verified-Uncertainty-Calibration Monte Carlo estimator.

    Numbers from tests/calibration/data/make_dece_l1_reference.py; the bound
    is 4 Monte Carlo standard errors of the reference (about 6e-5), so a
    wrong bin rule, weighting or correction fails.
    """
    from pathlib import Path

    from statnorm.calibration.metrics import debiased_ece

    d = np.load(Path(__file__).parent / "data" / "dece_l1_reference.npz")
    for case in ("calibrated", "overconfident", "underconf"):
        got = debiased_ece(d[f"{case}_y"], d[f"{case}_P"], kind="l1")
        assert abs(got - float(d[f"{case}_value"])) <= 4 * float(d[f"{case}_se"]), case


@pytest.mark.parametrize(
    ("conf", "hit", "bins"),
    [
        # round(7 * 1 / 2) = 4 (half to even) falls between two runs: rows
        # 0..3 and 4..6
        ([0.6, 0.6, 0.6, 0.6, 0.9, 0.9, 0.9], [1, 0, 0, 1, 1, 1, 0], [(0, 4), (4, 7)]),
        # the edge 4 falls inside the run of 0.9 (rows 3..6): it moves to the
        # end of the run, so the run is not split and one bin remains
        ([0.6, 0.6, 0.6, 0.9, 0.9, 0.9, 0.9], [1, 0, 0, 1, 1, 1, 0], [(0, 7)]),
        (
            [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99],
            [1, 0, 0, 1, 1, 1, 0],
            [(0, 4), (4, 7)],
        ),
    ],
)
def test_debiased_ece_l1_closed_form_by_hand(conf, hit, bins):
    """Bins by hand: 2 mean|mu| - mean E|N(mu, s^2)|, bins unweighted."""
    from scipy.special import hyp1f1

    from statnorm.calibration.metrics import debiased_ece

    conf, hit = np.array(conf), np.array(hit)
    P = np.c_[conf, 1 - conf]
    y = np.where(hit == 1, 0, 1)
    mus, ea = [], []
    for a, b in bins:
        acc = hit[a:b].mean()
        mu = acc - conf[a:b].mean()
        s = np.sqrt(acc * (1 - acc) / (b - a))
        mus.append(abs(mu))
        ea.append(s * np.sqrt(2 / np.pi) * hyp1f1(-0.5, 0.5, -(mu**2) / (2 * s**2)))
    want = 2 * np.mean(mus) - np.mean(ea)
    assert debiased_ece(y, P, n_bins=2, kind="l1") == pytest.approx(want, rel=1e-12)
    # reversing the rows changes nothing
    got = debiased_ece(y[::-1], P[::-1], n_bins=2, kind="l1")
    assert got == pytest.approx(want, rel=1e-12)
