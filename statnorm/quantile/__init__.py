"""Flexible aggregation of quantile regression models.

This subpackage will hold ``QuantileAggregator`` (Fakoor et al., JMLR 2023):
weighted ensembles of quantile regressors with coarse/medium/fine and global
or local weights, non-crossing tools (``monotonize``), conformal calibration
of the quantile fan and the weighted interval score. See issue 4.

Nothing public is exported yet.

Examples
--------
>>> import statnorm.quantile
>>> statnorm.quantile.__all__
[]
"""

__all__: list[str] = []
