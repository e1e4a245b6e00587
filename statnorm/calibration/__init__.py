"""Post-hoc recalibration of classifier logits (h-calibration).

This subpackage will hold ``HCalibrator`` -- a monotone map of the
log-softmax trained with the windowed, cluster-balanced, error-bounded
objective of Huang et al. (TPAMI 2025) -- together with the baselines users
compare it against (temperature, vector and Dirichlet scaling) and calibration
metrics (ECE variants, NLL, Brier score, reliability diagrams). See issue 3.

Nothing public is exported yet.

Examples
--------
>>> import statnorm.calibration
>>> statnorm.calibration.__all__
[]
"""

__all__: list[str] = []
