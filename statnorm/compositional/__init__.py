"""Reference-independent partial correlations of compositional data.

This subpackage will hold the log-ratio transforms (closure, clr, alr,
ilr and inverses, zero replacement) and ``CompositionalPartialCorrelation``
(Erb, 2020): partial correlations and partial variances from the
Moore-Penrose inverse of the clr covariance, with basis shrinkage when parts
outnumber samples. See issue 5.

Nothing public is exported yet.

Examples
--------
>>> import statnorm.compositional
>>> statnorm.compositional.__all__
[]
"""

__all__: list[str] = []
