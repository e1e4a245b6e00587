"""Regression discontinuity with distribution-valued outcomes (R3D).

:class:`DistributionalRDD` estimates the jump at a cutoff of the average
unit quantile function (Van Dijcke, 2025) when treatment is assigned to
units (firms, states) whose outcome is a whole distribution (wages, incomes):
local polynomial ("simple") and local Frechet ("frechet") estimators, sharp
and fuzzy designs, the R3D MSE/IMSE bandwidth rule, a multiplier bootstrap
for uniform confidence bands and pointwise intervals, clustered inference,
pre-determined covariates, nullity, homogeneity and Gini tests, and a density
(manipulation) test of the running variable (:func:`density_test`), and
the scalar-outcome RD of ``rdrobust`` with robust bias-corrected inference
(:func:`scalar_rd`) with its regression discontinuity plot
(:func:`rd_binned_scatter`, :class:`RDPlotDisplay`).
``r3d_compat=True`` reproduces the author's R package ``R3D`` number for
number.

Examples
--------
>>> import numpy as np
>>> from statnorm.rdd import DistributionalRDD
>>> rng = np.random.default_rng(1)
>>> x = rng.uniform(-1, 1, 200)
>>> samples = [rng.normal(x_i + (x_i >= 0), 1.0, size=30) for x_i in x]
>>> est = DistributionalRDD(q_grid=[0.1, 0.5, 0.9], n_bootstrap=100, random_state=0)
>>> est.fit(x, samples).tau_.shape
(3,)
"""

from ._density import DensityTestResult, density_test
from ._estimator import DistributionalRDD, RDDResult, UniformTestResult
from ._plot import RDDEffectDisplay
from ._quantiles import gini_from_quantiles, long_to_samples, quantile_matrix
from ._rdplot import RDBinnedScatterResult, RDPlotDisplay, rd_binned_scatter
from ._scalar import ScalarRDResult, scalar_rd

__all__ = [
    "DensityTestResult",
    "DistributionalRDD",
    "RDBinnedScatterResult",
    "RDDEffectDisplay",
    "RDDResult",
    "RDPlotDisplay",
    "ScalarRDResult",
    "UniformTestResult",
    "density_test",
    "gini_from_quantiles",
    "long_to_samples",
    "quantile_matrix",
    "rd_binned_scatter",
    "scalar_rd",
]
