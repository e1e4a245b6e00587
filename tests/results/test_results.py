"""The shared result base: printing and notebook rendering show the summary."""

from dataclasses import dataclass

import numpy as np

from statnorm.results import Result, TestResult


@dataclass(frozen=True, repr=False)
class _Effect(Result):
    estimate: float
    se: float
    levels: np.ndarray


def test_print_and_html_show_the_summary_table():
    r = _Effect(0.25, 0.1, np.linspace(0, 1, 9))
    assert str(r) == str(r.summary())
    assert "estimate" in str(r) and "0.25" in str(r)
    html = r._repr_html_()
    assert html == r.summary()._repr_html_()
    assert "<table" in html and "estimate" in html
    # repr stays the short constructor-like form
    assert repr(r).startswith("_Effect(estimate=0.25")


def test_test_results_print_statistic_and_pvalue():
    text = str(TestResult(statistic=3.5, pvalue=0.0125))
    assert "statistic" in text and "3.5" in text
    assert "pvalue" in text and "0.0125" in text


def test_confidence_interval_unpacks_tabulates_and_checks_membership():
    from statnorm.results import ConfidenceInterval

    ci = ConfidenceInterval(
        lower=np.array([0.0, 1.0, 2.0]),
        upper=np.array([1.0, 3.0, 2.5]),
        confidence_level=0.9,
        kind="pointwise",
        estimate=np.array([0.5, 2.0, 2.2]),
    )
    lo, hi = ci  # the tuple it replaces
    np.testing.assert_array_equal(lo, [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(hi, [1.0, 3.0, 2.5])
    np.testing.assert_array_equal(ci.width, [1.0, 2.0, 0.5])
    np.testing.assert_array_equal(ci.contains([0.5, 0.5, 2.5]), [True, False, True])
    frame = ci.to_frame()
    assert list(frame.columns) == ["estimate", "lower", "upper"]
    assert len(frame) == 3
    assert frame.attrs == {"confidence_level": 0.9, "kind": "pointwise"}
    table = ci.summary(max_rows=2)
    assert len(table.rows) == 2
    assert "1 more rows not shown" in str(table)
    assert "pointwise intervals at confidence level 0.9" in str(ci)
    scalar = ConfidenceInterval(lower=-1.0, upper=1.0, confidence_level=0.95, kind="x")
    assert scalar.to_frame().shape == (1, 2)


def test_rdd_confidence_intervals_are_confidence_interval_objects():
    from statnorm.rdd import scalar_rd
    from statnorm.results import ConfidenceInterval

    g = np.random.default_rng(0)
    x = g.uniform(-1, 1, 400)
    y = x + 0.5 * (x >= 0) + g.normal(size=400)
    res = scalar_rd(x, y)
    ci = res.confidence_interval("robust")
    assert isinstance(ci, ConfidenceInterval)
    j = 2  # rows: conventional, bias-corrected, robust
    assert (ci.lower, ci.upper) == (res.ci_lower[j], res.ci_upper[j])
    assert ci.kind == "robust" and ci.confidence_level == res.confidence_level
