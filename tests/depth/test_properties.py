"""Invariances of the depths implied by their definitions, as property tests.

- TTE depth uses cosine (or angular) distances to the reference set: it is
  invariant to any rotation of the embedding space (and to positive rescaling
  of each vector), but not to translation (a shift changes angles).
- Spatial and projection/halfspace depths (with enough directions) are
  rotation and translation invariant; Mahalanobis depth is affine invariant.
- The rank-sum test only sees depths, so it inherits these invariances.
"""

import numpy as np
import pytest
from scipy.stats import ortho_group

from statnorm.depth import (
    MahalanobisDepth,
    SpatialDepth,
    TTEDepth,
    depth_rank_sum_test,
    select_central,
)


def _data(seed, d=6):
    rng = np.random.default_rng(seed)
    F = rng.normal(size=(60, d)) + 2.0
    G = rng.normal(size=(40, d)) + 2.3
    R = ortho_group.rvs(d, random_state=seed)
    return F, G, R


@pytest.mark.parametrize("seed", range(4))
def test_tte_depth_is_rotation_invariant(seed):
    F, G, R = _data(seed)
    a = TTEDepth().fit(F).score_samples(G)
    b = TTEDepth().fit(F @ R).score_samples(G @ R)
    np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_tte_depth_ignores_the_length_of_each_vector(seed):
    F, G, _ = _data(seed)
    c = np.random.default_rng(seed).uniform(0.1, 10, size=(len(G), 1))
    a = TTEDepth().fit(F).score_samples(G)
    np.testing.assert_allclose(TTEDepth().fit(F).score_samples(G * c), a, rtol=1e-10)


@pytest.mark.parametrize("seed", range(3))
def test_rank_sum_test_is_rotation_invariant(seed):
    F, G, R = _data(seed)
    a = depth_rank_sum_test(F, G, random_state=0)
    b = depth_rank_sum_test(F @ R, G @ R, random_state=0)
    assert b.statistic == pytest.approx(a.statistic, rel=1e-10)
    assert b.pvalue == pytest.approx(a.pvalue, rel=1e-10)


@pytest.mark.parametrize("seed", range(3))
def test_spatial_depth_is_rotation_and_translation_invariant(seed):
    F, G, R = _data(seed)
    a = SpatialDepth().fit(F).score_samples(G)
    b = SpatialDepth().fit(F @ R + 5).score_samples(G @ R + 5)
    np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_mahalanobis_depth_is_affine_invariant(seed):
    F, G, _ = _data(seed)
    A = np.random.default_rng(seed).normal(size=(F.shape[1], F.shape[1]))
    a = MahalanobisDepth().fit(F).score_samples(G)
    b = MahalanobisDepth().fit(F @ A + 3).score_samples(G @ A + 3)
    np.testing.assert_allclose(b, a, rtol=1e-7)


def test_select_central_does_not_depend_on_row_order():
    F, _, _ = _data(0)
    perm = np.random.default_rng(0).permutation(len(F))
    a = select_central(F, n=5)
    b = select_central(F[perm], n=5)
    np.testing.assert_array_equal(np.sort(perm[b]), np.sort(a))
