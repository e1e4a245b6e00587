"""Former home of the result classes; import from :mod:`statnorm.results`."""

from .results import SummaryTable, TestResult

__all__ = ["SummaryTable", "TestResult"]
