"""statnorm: calibrate models and compare distributions, the scikit-learn way.

Subpackages (imported lazily, on first attribute access):

- :mod:`statnorm.calibration` -- h-calibration of classifier logits.
- :mod:`statnorm.quantile` -- aggregation and conformal calibration of quantile models.
- :mod:`statnorm.compositional` -- partial correlations of compositional data.
- :mod:`statnorm.depth` -- TTE depth of text embeddings.
- :mod:`statnorm.kde` -- kernel density estimation in high dimensions.
- :mod:`statnorm.rdd` -- regression discontinuity with distribution-valued outcomes.
- :mod:`statnorm.mmd` -- kernel two-sample tests with learned kernels.
- :mod:`statnorm.datasets` -- bundled real data sets (no network access).
- :mod:`statnorm.results` -- the result base shared by every method.
- :mod:`statnorm.utils` -- estimator registry and ``show_versions``.

``import statnorm`` is cheap: it imports neither Numba nor any subpackage.

Examples
--------
>>> import statnorm
>>> statnorm.__version__
'0.1.0.dev0'
"""

import importlib

from ._version import __version__

METHODS = ("calibration", "quantile", "compositional", "depth", "kde", "rdd", "mmd")
"""Names of the method subpackages, in the order the documentation lists them."""

_SUBMODULES = frozenset((*METHODS, "datasets", "results", "utils", "exceptions"))

__all__ = [
    "METHODS",
    "__version__",
    "calibration",
    "compositional",
    "datasets",
    "depth",
    "exceptions",
    "kde",
    "mmd",
    "quantile",
    "rdd",
    "results",
    "utils",
]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
