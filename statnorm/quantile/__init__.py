"""Flexible aggregation of quantile regression models (Fakoor et al., JMLR 2023).

- :class:`QuantileAggregator`: learn simplex weights (coarse, medium or fine;
  global or feature-dependent) over several quantile regressors from honest
  out-of-fold predictions, minimising the weighted interval score.
- :class:`ConformalQuantileRegressor`: conformal calibration of every central
  interval of a quantile fan (split or CV+, symmetric or asymmetric scores).
- :class:`AdaptiveConformalRegressor`: adaptive conformal inference (ACI) for
  time series, with online updates as outcomes arrive; :class:`EnbPIRegressor`:
  block-bootstrap ensemble intervals (EnbPI) with a sliding residual window.
- :func:`monotonize`: non-crossing quantiles (sort, row-wise Numba PAVA,
  min-max sweep).
- Metrics: :func:`pinball_loss`, :func:`weighted_interval_score`,
  :func:`interval_score`, :func:`interval_coverage`, :func:`interval_width`,
  :func:`crossing_rate`, :func:`central_intervals`.

Examples
--------
>>> from statnorm.quantile import monotonize
>>> monotonize([[1.0, 0.0, 2.0]])
array([[0., 1., 2.]])
"""

from ._aggregate import QuantileAggregator
from ._base import KNeighborsQuantileRegressor
from ._conformal import ConformalQuantileRegressor
from ._metrics import (
    central_intervals,
    crossing_rate,
    interval_coverage,
    interval_score,
    interval_width,
    monotonize,
    pinball_loss,
    weighted_interval_score,
)
from ._plot import QuantileFanDisplay
from ._timeseries import AdaptiveConformalRegressor, EnbPIRegressor

__all__ = [
    "AdaptiveConformalRegressor",
    "ConformalQuantileRegressor",
    "EnbPIRegressor",
    "KNeighborsQuantileRegressor",
    "QuantileAggregator",
    "QuantileFanDisplay",
    "central_intervals",
    "crossing_rate",
    "interval_coverage",
    "interval_score",
    "interval_width",
    "monotonize",
    "pinball_loss",
    "weighted_interval_score",
]
