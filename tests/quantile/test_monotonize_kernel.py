"""The isotonic monotoniser (monotone-prefix check + PAV) against scikit-learn."""

import numpy as np
from sklearn.isotonic import isotonic_regression

from statnorm.quantile import monotonize


def test_isotonic_rows_equal_sklearn_for_every_crossing_pattern():
    rng = np.random.default_rng(7)
    base = np.sort(rng.normal(size=(200, 15)), axis=1)
    Q = base.copy()
    Q[50:100] += 0.3 * rng.normal(size=(50, 15))  # crossings anywhere
    Q[100:120, 0] += 5.0  # violation at the first column only
    Q[120:140, -1] -= 5.0  # violation at the last column only
    Q[140:160] = Q[140:160, ::-1]  # decreasing rows: one pool
    Q[160:170] = 1.0  # constant rows (ties are not violations)
    copy = Q.copy()
    got = monotonize(Q, method="isotonic")
    np.testing.assert_array_equal(Q, copy)
    np.testing.assert_array_equal(got[:50], base[:50])  # monotone rows untouched
    ref = np.array([isotonic_regression(q) for q in Q])
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)
    assert (np.diff(got, axis=1) >= 0).all()
    np.testing.assert_array_equal(monotonize(Q, method="isotonic", n_jobs=2), got)


def test_isotonic_single_column_and_single_row():
    np.testing.assert_array_equal(
        monotonize([[3.0], [1.0]], method="isotonic"), [[3.0], [1.0]]
    )
    np.testing.assert_array_equal(
        monotonize([[2.0, 1.0, 0.0]], method="isotonic"), [[1.0, 1.0, 1.0]]
    )


def test_isotonic_interleaved_rows_equal_sklearn():
    # the kernel pools four unsorted rows at a time; every count of unsorted
    # rows per chunk (0..4 mod 4) and long pools must give the same fit
    rng = np.random.default_rng(3)
    for n, m in ((1001, 7), (333, 99), (9, 2)):
        Q = np.sort(rng.normal(size=(n, m)), axis=1)
        rows = rng.random(n) < 0.6
        Q[rows] += rng.choice([0.05, 1.0], size=(rows.sum(), 1)) * rng.normal(
            size=(rows.sum(), m)
        )
        got = monotonize(Q, method="isotonic")
        ref = np.array([isotonic_regression(q) for q in Q])
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)
