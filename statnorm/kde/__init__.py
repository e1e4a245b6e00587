"""Kernel density estimation in large dimensions.

:class:`HighDimKDE` is an exact, log-space Gaussian kernel density
estimator for high-dimensional data (fused Numba kernel over BLAS tiles, no
tree approximation, no underflow) with bandwidth selectors (Scott,
Silverman, likelihood cross-validation, the nearest-neighbour and Gaussian
KL rules) and a diagnostic of the statistical regime the fit is in: CLT,
heavy-tailed (alpha-stable) or extreme-value, after Biroli & Mezard,
*Kernel density estimators in large dimensions* (arXiv:2408.05807).
:mod:`statnorm.kde.theory` holds the Gaussian-reference thresholds;
:class:`RegimeDiagramDisplay` draws them.

Examples
--------
>>> import numpy as np
>>> from statnorm.kde import HighDimKDE
>>> X = np.random.default_rng(0).standard_normal((5000, 40))
>>> kde = HighDimKDE(bandwidth="kl_nn").fit(X)
>>> rep = kde.regime_report(random_state=0, warn=False)
>>> rep.regime
'extreme'
"""

from . import theory
from ._estimator import HighDimKDE
from ._plot import RegimeDiagramDisplay
from ._regime import KDERegimeReport, KDERegimeWarning

__all__ = [
    "HighDimKDE",
    "KDERegimeReport",
    "KDERegimeWarning",
    "RegimeDiagramDisplay",
    "theory",
]
