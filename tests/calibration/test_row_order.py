"""Every calibration metric and reliability curve is a function of the multiset
of rows, and equal-mass bins never split tied confidences.

The property tests draw probabilities from a coarse grid (many exact ties)
and compare each metric on the rows and on a permutation of them. Equality is
exact (``==`` on floats) for every metric: the rows are put in a canonical
order before anything is summed, so floating-point summation order cannot
differ either. The SKCE p-values are compared exactly too, at a fixed
``random_state`` (the random draws attach to the canonical order).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statnorm.calibration import metrics as M

# every public metric of the module, with keyword variants that bin differently
VARIANTS = {
    "expected_calibration_error": [{}, {"strategy": "quantile"}, {"n_bins": 3}],
    "classwise_ece": [{}, {"strategy": "quantile", "reduction": "mean"}],
    "adaptive_calibration_error": [{}, {"n_bins": 4}],
    "debiased_ece": [{}, {"kind": "l1"}, {"n_bins": 4, "kind": "l1"}],
    "maximum_calibration_error": [{}, {"strategy": "quantile", "n_bins": 4}],
    "ks_calibration_error": [{}],
    "smooth_ece": [{}],
    "negative_log_likelihood": [{}],
    "brier_score": [{}],
    "skce_test": [
        {"method": "quadratic", "n_resamples": 9, "random_state": 0},
        {"method": "linear", "random_state": 0},
    ],
}


def test_every_metric_is_covered():
    public = {n for n in M.__all__ if callable(getattr(M, n)) and n != "SKCEResult"}
    assert public == set(VARIANTS)


@st.composite
def tied_rows(draw, min_rows=4, max_rows=40):
    """Labels and probabilities on a grid of tenths (ties almost everywhere)."""
    n = draw(st.integers(min_rows, max_rows))
    C = draw(st.integers(2, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    W = rng.integers(0, 4, size=(n, C)).astype(float)
    W[W.sum(1) == 0, 0] = 1.0
    P = W / W.sum(1, keepdims=True)
    if draw(st.booleans()):  # round to tenths: coarser still, rows off the simplex
        P = np.round(P, 1)  # by < 1e-4 are accepted, so renormalise
        P[P.sum(1) == 0, 0] = 1.0
        P /= P.sum(1, keepdims=True)
    y = rng.integers(0, C, n)
    perm = rng.permutation(n)
    return y, P, perm


def _value(name, kw, y, P):
    out = getattr(M, name)(y, P, **kw)
    return (out.statistic, out.pvalue, out.bandwidth) if name == "skce_test" else out


@pytest.mark.parametrize(
    ("name", "kw"),
    [(n, kw) for n, kws in VARIANTS.items() for kw in kws],
    ids=lambda v: (
        v if isinstance(v, str) else ",".join(f"{k}={x}" for k, x in v.items())
    ),
)
@settings(max_examples=40, deadline=None)
@given(data=tied_rows())
def test_metric_is_exactly_invariant_to_row_order(name, kw, data):
    y, P, perm = data
    assert _value(name, kw, y[perm], P[perm]) == _value(name, kw, y, P)


def _positional(conf, hit, n_bins):
    """The equal-mass rule of tie-free data: bin floor(i B / n) of sorted row i."""
    order = np.argsort(conf)
    b = (np.arange(conf.size) * n_bins) // conf.size
    c, h = conf[order], hit[order]
    return [(c[b == k].mean(), h[b == k].mean(), (b == k).sum()) for k in np.unique(b)]


def test_without_ties_the_bins_are_the_usual_equal_mass_bins(rng):
    n, B = 301, 7
    p = rng.uniform(0.5, 1.0, n)
    P = np.c_[p, 1 - p]
    y = (rng.uniform(size=n) > p).astype(int)
    hit = (y == 0).astype(float)
    bins = _positional(p, hit, B)
    ece = sum(m / n * abs(a - c) for c, a, m in bins)
    got = M.expected_calibration_error(y, P, n_bins=B, strategy="quantile")
    assert got == pytest.approx(ece, abs=1e-14)
    mce = max(abs(a - c) for c, a, _ in bins)
    got = M.maximum_calibration_error(y, P, n_bins=B, strategy="quantile")
    assert got == pytest.approx(mce, abs=1e-14)
    plug = sum(m / n * (c - a) ** 2 for c, a, m in bins)
    bias = sum(m / n * a * (1 - a) / (m - 1) for c, a, m in bins)
    want = np.sqrt(max(plug - bias, 0.0))
    assert M.debiased_ece(y, P, n_bins=B) == pytest.approx(want, abs=1e-14)
    # ACE: both columns, B bins each, equal weights
    ace = np.mean(
        [
            np.mean([abs(a - c) for c, a, _ in _positional(P[:, k], y == k, B)])
            for k in range(2)
        ]
    )
    got = M.adaptive_calibration_error(y, P, n_bins=B)
    assert got == pytest.approx(ace, abs=1e-14)


def test_equal_mass_bins_never_split_ties():
    from statnorm.calibration.metrics import _equal_mass_index

    s = np.array([0.1, 0.2, 0.2, 0.2, 0.2, 0.3, 0.4, 0.4, 0.5, 0.6])
    idx = _equal_mass_index(s, 5)
    # rank rule: 0 0 1 1 2 2 3 3 4 4; the run of 0.2 starts in bin 0, the run
    # of 0.4 in bin 3
    np.testing.assert_array_equal(idx, [0, 0, 0, 0, 0, 2, 3, 3, 4, 4])
    for v in np.unique(s):
        assert np.unique(idx[s == v]).size == 1


@settings(max_examples=60, deadline=None)
@given(data=tied_rows(max_rows=60), n_bins=st.integers(1, 12))
def test_tied_confidences_share_a_bin(data, n_bins):
    from statnorm.calibration.metrics import _equal_mass_index

    _, P, _ = data
    s = np.sort(P[:, 0])
    idx = _equal_mass_index(s, n_bins)
    assert np.all(np.diff(idx) >= 0) and idx.max() < n_bins
    # equal values, equal bins; a new bin starts only where the value changes
    assert np.all(idx[1:][s[1:] == s[:-1]] == idx[:-1][s[1:] == s[:-1]])


def test_issue_example_rounded_probabilities(rng):
    """1,000 rows rounded to tenths: every run is longer than n / n_bins, so
    each distinct confidence is one bin, whatever the order of the rows."""
    n = 1000
    p = np.round(rng.uniform(0.5, 1.0, n), 1)
    P = np.c_[p, 1 - p]
    y = (rng.uniform(size=n) > p - 0.05).astype(int)
    hit = y == 0
    want = sum(
        (p == v).mean() * abs(hit[p == v].mean() - v) for v in np.unique(p)
    )
    values = set()
    for seed in range(5):
        o = np.random.default_rng(seed).permutation(n)
        got = M.expected_calibration_error(y[o], P[o], strategy="quantile")
        assert got == pytest.approx(want, abs=1e-12)
        values.add(got)
    assert len(values) == 1


def test_ks_is_read_at_distinct_confidences():
    # two rows at 0.6, one right and one wrong: after the first row the
    # cumulative gap is (0.6 - 1) / 2 or (0.6 - 0) / 2 depending on the order
    # (the old reading gave 0.2 or 0.3); after both rows it is 0.1 either way
    P = np.array([[0.6, 0.4], [0.6, 0.4]])
    for y in ([0, 1], [1, 0]):
        assert M.ks_calibration_error(y, P) == pytest.approx(0.1, abs=1e-15)


def test_linear_skce_pairs_at_random_not_neighbours(rng):
    """Sorted rows: neighbour pairs are near-identical; random pairs are not,
    so the linear statistic is the same as on the shuffled file."""
    P = rng.dirichlet(np.ones(3), size=400)
    y = np.array([rng.choice(3, p=p) for p in P])
    o = np.lexsort(P.T[::-1])
    a = M.skce_test(y[o], P[o], method="linear", random_state=3)
    b = M.skce_test(y, P, method="linear", random_state=3)
    assert (a.statistic, a.pvalue) == (b.statistic, b.pvalue)


@settings(max_examples=20, deadline=None)
@given(
    data=tied_rows(max_rows=50),
    strategy=st.sampled_from(["uniform", "quantile"]),
    kind=st.sampled_from(["top_label", "class"]),
)
def test_reliability_curve_is_exactly_invariant_to_row_order(data, strategy, kind):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from statnorm.calibration import ReliabilityDisplay

    y, P, perm = data
    kw = {"n_bins": 5, "strategy": strategy, "kind": kind, "class_index": 1}
    fig, ax = plt.subplots()
    a = ReliabilityDisplay.from_predictions(y, P, ax=ax, **kw)
    b = ReliabilityDisplay.from_predictions(y[perm], P[perm], ax=ax, **kw)
    plt.close(fig)
    for attr in ("mean_confidence", "accuracy", "counts", "bin_index"):
        np.testing.assert_array_equal(getattr(a, attr), getattr(b, attr))
    assert a.ece == b.ece
    if strategy == "quantile":  # no tied value spans two points of the curve
        conf = P[np.arange(len(y)), P.argmax(1)] if kind == "top_label" else P[:, 1]
        assert len(a.counts) <= np.unique(conf).size
