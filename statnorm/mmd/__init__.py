"""Kernel two-sample tests with learned kernels (MMD-D, MMD-MP).

Maximum mean discrepancy statistics (:func:`mmd2`), a permutation test that
reuses one kernel matrix for all permutations (:class:`MMDTest`), kernel
learning by test-power maximisation with the multi-population aware objective
of Zhang et al. (ICLR 2024) or the MMD-D objective of Liu et al. (ICML 2020)
(:class:`KernelLearner`), and single-instance detection of machine-generated
text against a human reference set (:class:`MMDDetector`); the energy-distance
test (:func:`energy_test`) runs on the same permutation engine with the
distance-induced :class:`EnergyKernel`. Everything runs on
fixed embeddings with numpy; gradients are analytic.

Examples
--------
>>> import numpy as np
>>> from statnorm.mmd import MMDTest
>>> rng = np.random.default_rng(1)
>>> X, Y = rng.normal(size=(40, 4)), rng.normal(size=(40, 4))
>>> MMDTest(n_permutations=99, random_state=0).test(X, Y).pvalue > 0.05
True
"""

from ._detect import MMDDetector
from ._drift import MMDDriftDetector, MMDDriftResult
from ._energy import energy_test
from ._kernel import DeepKernel, EnergyKernel, GaussianKernel
from ._learn import KernelLearner
from ._plot import MMDNullDisplay, MMDWitnessDisplay
from ._split import PopulationSplit, split_populations
from ._stats import MMDTest, MMDTestResult, PowerCriterion, mmd2, power_criterion

__all__ = [
    "DeepKernel",
    "EnergyKernel",
    "GaussianKernel",
    "KernelLearner",
    "MMDDetector",
    "MMDDriftDetector",
    "MMDDriftResult",
    "MMDNullDisplay",
    "MMDTest",
    "MMDTestResult",
    "MMDWitnessDisplay",
    "PopulationSplit",
    "PowerCriterion",
    "energy_test",
    "mmd2",
    "power_criterion",
    "split_populations",
]
