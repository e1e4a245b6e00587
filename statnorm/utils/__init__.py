"""Utilities: the estimator registry and environment report.

Examples
--------
>>> from statnorm.utils import all_estimators
>>> isinstance(all_estimators(), list)
True
"""

from ._discovery import all_estimators, all_functions
from ._show_versions import show_versions

__all__ = ["all_estimators", "all_functions", "show_versions"]
