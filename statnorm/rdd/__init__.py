"""Regression discontinuity with distribution-valued outcomes (R3D).

This subpackage will hold ``DistributionalRDD`` (Van Dijcke, 2025): local
polynomial and local Frechet estimators of quantile treatment effects at a
cutoff, sharp and fuzzy designs, uniform confidence bands and MSE-optimal
bandwidth selection. See issue 8.

Nothing public is exported yet.

Examples
--------
>>> import statnorm.rdd
>>> statnorm.rdd.__all__
[]
"""

__all__: list[str] = []
