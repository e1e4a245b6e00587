"""Post-hoc recalibration of classifier logits (h-calibration).

``HCalibrator`` learns a monotone map of the log-softmax, trained with the
windowed, group-balanced, error-bounded objective of Huang et al. (TPAMI
2025), so that predicted probabilities can be trusted while the arg-max (and
the accuracy) stays exactly as it was. Alongside it are the baselines users
compare it against -- :class:`TemperatureScaling`, :class:`VectorScaling`,
:class:`MatrixScaling` (Dirichlet calibration with ODIR regularisation;
:class:`MatrixScalingCV` chooses its penalty by cross-validation),
:class:`IsotonicCalibrator`, :class:`HistogramBinning`, Platt's
:class:`SigmoidCalibration` and :class:`BetaCalibration` -- all with the same
``fit(logits, y)`` / ``predict_proba`` / ``transform`` API, the metrics in
:mod:`statnorm.calibration.metrics`, and reliability diagrams.

Examples
--------
>>> from statnorm.calibration import HCalibrator, TemperatureScaling
>>> from statnorm.datasets import load_cifar10_logits
>>> Xv, yv = load_cifar10_logits("validation", return_X_y=True)
>>> ts = TemperatureScaling().fit(Xv, yv)
>>> round(ts.temperature_, 2)
2.88
"""

from ._baselines import (
    HistogramBinning,
    IsotonicCalibrator,
    MatrixScaling,
    TemperatureScaling,
    VectorScaling,
)
from ._classifier import CalibratedClassifier
from ._dirichlet_cv import MatrixScalingCV
from ._hcal import HCalibrator, hcalibration_loss
from ._maps import MonotoneNetworkMap, PiecewiseLinearMap, TemperatureEnsembleMap
from ._parametric import BetaCalibration, SigmoidCalibration
from ._plot import ReliabilityDisplay

__all__ = [
    "BetaCalibration",
    "CalibratedClassifier",
    "HCalibrator",
    "HistogramBinning",
    "IsotonicCalibrator",
    "MatrixScaling",
    "MatrixScalingCV",
    "MonotoneNetworkMap",
    "PiecewiseLinearMap",
    "ReliabilityDisplay",
    "SigmoidCalibration",
    "TemperatureEnsembleMap",
    "TemperatureScaling",
    "VectorScaling",
    "hcalibration_loss",
]
