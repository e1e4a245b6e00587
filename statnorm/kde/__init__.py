"""Kernel density estimation in large dimensions.

This subpackage will hold ``HighDimKDE``: an exact, log-space kernel
density estimator with bandwidth selectors and a diagnostic of the
statistical regime (CLT, heavy-tailed, extreme-value) described by Biroli &
Mezard (2025). See issue 7.

Nothing public is exported yet.

Examples
--------
>>> import statnorm.kde
>>> statnorm.kde.__all__
[]
"""

__all__: list[str] = []
