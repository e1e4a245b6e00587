"""Warning and error classes raised by statnorm.

Examples
--------
>>> import warnings
>>> from statnorm.exceptions import StatnormWarning
>>> issubclass(StatnormWarning, UserWarning)
True
"""

__all__ = ["DataDimensionalityWarning", "StatnormWarning"]


class StatnormWarning(UserWarning):
    """Base class of the warnings statnorm emits.

    Convergence problems of iterative fits are reported with
    :class:`sklearn.exceptions.ConvergenceWarning` instead, so that filters
    users already have keep working.

    Examples
    --------
    >>> import warnings
    >>> from statnorm.exceptions import StatnormWarning
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("careful", StatnormWarning)
    >>> caught[0].category.__name__
    'StatnormWarning'
    """


class DataDimensionalityWarning(StatnormWarning):
    """Warn that the data's shape makes a result unreliable.

    For example, fewer samples than features where an estimator needs the
    opposite, or too few units on one side of a cutoff.

    Examples
    --------
    >>> from statnorm.exceptions import DataDimensionalityWarning, StatnormWarning
    >>> issubclass(DataDimensionalityWarning, StatnormWarning)
    True
    """
