"""The energy-distance two-sample test on the MMD permutation engine."""

import dataclasses
from numbers import Integral, Real

from .._validation import RANDOM_STATE, Interval, StrOptions, validate_params
from ._kernel import EnergyKernel
from ._stats import MMDTest, _resolve_statistic, _statistic_constraints

__all__ = ["energy_test"]


@validate_params(
    {
        "X": "no_validation",
        "Y": "no_validation",
        "exponent": [Interval(Real, 0, 2, closed="neither")],
        **_statistic_constraints(("biased", "unbiased")),
        "method": [StrOptions({"permutation", "asymptotic"})],
        "n_permutations": [Interval(Integral, 1, None, closed="left")],
        "ties": [StrOptions({"conservative", "randomized"})],
        "random_state": RANDOM_STATE,
        "n_jobs": [None, Integral],
    },
    prefer_skip_nested_validation=True,
)
def energy_test(
    X,
    Y,
    *,
    exponent=1.0,
    statistic="biased",
    estimator="deprecated",
    method="permutation",
    n_permutations=999,
    ties="conservative",
    random_state=None,
    n_jobs=None,
):
    r"""Energy-distance two-sample test (Szekely and Rizzo), by permutations.

    The energy distance
    :math:`\mathcal E = 2\,\mathbb E|X-Y|^p - \mathbb E|X-X'|^p -
    \mathbb E|Y-Y'|^p` is twice the squared MMD with the distance-induced
    :class:`EnergyKernel` (Sejdinovic et al. 2013), so the test is
    :class:`MMDTest` with that kernel: one pooled kernel matrix, all
    permutations by blocked GEMMs, the same seeds, p-value and result type.
    The reported statistic and null distribution are the energy distance,
    twice those of ``MMDTest(EnergyKernel(exponent), ...)``; the p-value is
    the same.

    Parameters
    ----------
    X : array-like of shape (n, n_features)
        First sample, at least 2 rows.
    Y : array-like of shape (m, n_features)
        Second sample, at least 2 rows.
    exponent : float, default=1.0
        Exponent ``p`` of the Euclidean distance, in (0, 2).
    statistic : {"biased", "unbiased"}, default="biased"
        ``"biased"``: the V-statistic :math:`\frac{2}{nm}\sum_{ij}|x_i-y_j|^p
        - \frac{1}{n^2}\sum_{ij}|x_i-x_j|^p - \frac{1}{m^2}\sum_{ij}|y_i-y_j|^p`
        (``dcor.energy_distance``'s default; ``n m / (n + m)`` times it is
        Szekely and Rizzo's test statistic). ``"unbiased"``: the U-statistic
        (within-sample means over ``i != j``). For ``n = m`` both give the
        same permutation p-value.
    estimator : {"biased", "unbiased"}
        Deprecated alias of ``statistic`` (renamed in 0.1; removed in 0.2):
        passing it raises a FutureWarning and overrides ``statistic``.
    method : {"permutation", "asymptotic"}, default="permutation"
        As in :class:`MMDTest`. The asymptotic (Gamma) p-value was built for
        bounded kernels; prefer the permutation test here.
    n_permutations : int, default=999
        Number of random permutations of the pooled sample.
    ties : {"conservative", "randomized"}, default="conservative"
        How permutations tied with the observed statistic count, see
        :class:`MMDTest`.
    random_state : int, RandomState instance or None, default=None
        Seed of the permutations (the same draws as :class:`MMDTest`).
    n_jobs : int or None, default=None
        joblib workers for the permutation blocks.

    Returns
    -------
    result : MMDTestResult
        ``statistic`` (the energy distance), ``pvalue``,
        ``null_distribution`` (energy distances of the permuted splits) and
        ``kernel`` (the :class:`EnergyKernel`, centred at the pooled mean).

    See Also
    --------
    MMDTest : The engine; ``MMDTest(kernel="energy")`` reports
        :math:`\mathrm{MMD}^2 = \mathcal E / 2`.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.mmd import energy_test
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(size=(50, 3)), rng.normal(0.5, size=(50, 3))
    >>> res = energy_test(X, Y, n_permutations=199, random_state=0)
    >>> res.pvalue < 0.05
    True
    """
    statistic = _resolve_statistic(statistic, estimator, stacklevel=4)
    res = MMDTest(
        EnergyKernel(exponent),
        method=method,
        n_permutations=n_permutations,
        statistic=statistic,
        ties=ties,
        random_state=random_state,
        n_jobs=n_jobs,
    ).test(X, Y)
    null = res.null_distribution
    return dataclasses.replace(
        res,
        statistic=2.0 * res.statistic,
        null_distribution=None if null is None else 2.0 * null,
    )
