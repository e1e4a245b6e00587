"""Reference-independent partial correlations of compositional data.

Log-ratio transforms (:func:`closure`, :func:`clr`, :func:`alr`,
:func:`ilr` and their inverses, as functions and as scikit-learn
transformers), zero replacement (:func:`multiplicative_replacement`), and
:class:`CompositionalPartialCorrelation` (Erb, 2020): partial correlations
and partial variances of parts of a whole from the Moore-Penrose inverse of
the clr covariance, with basis shrinkage (Jin, Notredame & Erb) when parts
outnumber samples. Plots: :class:`PartialCorrelationDisplay` and
:class:`PartialCorrelationNetworkDisplay`.

Examples
--------
>>> from statnorm.datasets import load_roman_cups
>>> from statnorm.compositional import CompositionalPartialCorrelation
>>> est = CompositionalPartialCorrelation().fit(load_roman_cups().data)
>>> est.partial_correlation_.shape
(11, 11)
"""

from ._pcor import CompositionalPartialCorrelation
from ._plot import PartialCorrelationDisplay, PartialCorrelationNetworkDisplay
from ._results import (
    PartialCorrelationEdges,
    PartialCorrelationFDR,
    PartialCorrelationInterval,
)
from ._transforms import (
    ALRTransformer,
    CLRTransformer,
    ILRTransformer,
    alr,
    alr_inv,
    closure,
    clr,
    clr_inv,
    ilr,
    ilr_basis,
    ilr_inv,
    multiplicative_replacement,
)

__all__ = [
    "ALRTransformer",
    "CLRTransformer",
    "CompositionalPartialCorrelation",
    "ILRTransformer",
    "PartialCorrelationDisplay",
    "PartialCorrelationEdges",
    "PartialCorrelationFDR",
    "PartialCorrelationInterval",
    "PartialCorrelationNetworkDisplay",
    "alr",
    "alr_inv",
    "closure",
    "clr",
    "clr_inv",
    "ilr",
    "ilr_basis",
    "ilr_inv",
    "multiplicative_replacement",
]
