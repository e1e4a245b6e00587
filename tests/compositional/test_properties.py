"""Invariances of compositional partial correlations, as property tests.

Log-ratio methods see a composition only through ratios of its parts, so
(Aitchison's scale invariance and subcompositional coherence of log-ratios)

- rescaling each sample (row) by its own positive constant, i.e. a different
  total or closure, changes nothing;
- rescaling one part (column) by a positive constant (a change of its units,
  e.g. ppm instead of %) adds a constant to that part's log-ratios and so
  leaves every log-ratio covariance, partial correlation and partial
  variance unchanged;
- permuting the parts permutes the results.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from statnorm.compositional import CompositionalPartialCorrelation, closure, clr


def _data(seed, n=80, D=6):
    rng = np.random.default_rng(seed)
    return np.exp(rng.normal(size=(n, D)) @ rng.normal(size=(D, D)) * 0.3)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 1000),
    log_c=st.floats(-30, 30, allow_nan=False),
    part=st.integers(0, 5),
)
def test_units_of_one_part_do_not_matter(seed, log_c, part):
    X = _data(seed)
    Y = X.copy()
    Y[:, part] *= np.exp(log_c)
    a = CompositionalPartialCorrelation().fit(X)
    b = CompositionalPartialCorrelation().fit(Y)
    np.testing.assert_allclose(
        b.partial_correlation_, a.partial_correlation_, rtol=1e-7, atol=1e-9
    )
    np.testing.assert_allclose(b.partial_variance_, a.partial_variance_, rtol=1e-7)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 1000))
def test_closure_does_not_matter(seed):
    X = _data(seed)
    c = np.random.default_rng(seed).lognormal(sigma=5, size=(len(X), 1))
    a = CompositionalPartialCorrelation().fit(X)
    b = CompositionalPartialCorrelation().fit(X * c)
    np.testing.assert_allclose(
        b.partial_correlation_, a.partial_correlation_, rtol=1e-7, atol=1e-9
    )
    np.testing.assert_allclose(clr(X * c), clr(X), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(closure(X * c), closure(X), rtol=1e-12)


def test_permuting_parts_permutes_the_results():
    X = _data(3)
    perm = np.array([2, 0, 5, 1, 4, 3])
    a = CompositionalPartialCorrelation().fit(X).partial_correlation_
    b = CompositionalPartialCorrelation().fit(X[:, perm]).partial_correlation_
    np.testing.assert_allclose(b, a[np.ix_(perm, perm)], rtol=1e-9, atol=1e-12)
