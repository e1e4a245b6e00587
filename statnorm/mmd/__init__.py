"""Kernel two-sample tests with learned kernels (MMD-D, MMD-MP).

This subpackage will hold the MMD statistics and permutation tests,
kernel learning by the multi-population aware objective of Zhang et al.
(ICLR 2024) and set-level and single-instance detection of machine-generated
text. See issue 9.

Nothing public is exported yet.

Examples
--------
>>> import statnorm.mmd
>>> statnorm.mmd.__all__
[]
"""

__all__: list[str] = []
