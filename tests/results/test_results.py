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
