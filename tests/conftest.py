"""Shared fixtures. NUMBA_CACHE_DIR is set by .ci/run before Python starts."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A fresh, seeded generator for each test."""
    return np.random.default_rng(20261129)


@pytest.fixture(scope="session")
def dask_client():
    """One loopback LocalCluster (2 worker processes) for the whole test run."""
    pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        # the scheduler's HTTP server (health routes) would take port 8787,
        # warning if it is busy (another cluster, a parallel test run)
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=50,
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


# Scripts that produced stored reference numbers or run long Monte Carlo
# studies are run by hand (see each file); they are not tests, and importing
# them (pytest --doctest-modules) would run them or need their peer packages.
collect_ignore_glob = ["*/data/make_*.py", "mc_*.py"]
