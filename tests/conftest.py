"""Shared fixtures. NUMBA_CACHE_DIR is set by .ci/run before Python starts."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A fresh, seeded generator for each test."""
    return np.random.default_rng(20261129)
