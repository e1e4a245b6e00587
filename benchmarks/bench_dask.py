"""HighDimKDE.score_samples on a Dask array (1 and 2 workers) vs in memory.

The same fitted estimator scores the same m queries (n training points, d
dimensions, N(0, I_d), Scott bandwidth) three ways:

- ``in-memory``: ``kde.score_samples(Q)`` on a NumPy array, one thread
  (``n_jobs=None``), the single-machine baseline;
- ``dask-1``, ``dask-2``: ``kde.score_samples(dQ).compute()`` with ``dQ`` a
  Dask array of row chunks already held by a ``distributed.LocalCluster``
  (loopback, worker processes with one thread each), so the time is scoring
  plus Dask's overhead (graph, shipping the fitted state once per worker,
  gathering the result), not loading the data.

``time_score_samples`` at ``dask-1`` divided by ``in-memory`` is the Dask
overhead ratio; ``dask-1`` / ``dask-2`` the scaling with workers (on a
2-core machine shared with other jobs, expect less than 2).
``track_max_abs_diff`` checks that the Dask result equals the in-memory one.
With ``STATNORM_BENCH_QUICK`` set (CI), the small size only.
The cluster is started in ``setup`` and closed in ``teardown``.
"""

from typing import ClassVar

import numpy as np

from .common import QUICK, Benchmark, rng, skip_unless_available

SIZES = ["4000x5000x50", "20000x20000x50"]
BACKENDS = ["in-memory", "dask-1", "dask-2"]
CHUNK_ROWS = 2500


class KDEScoreSamplesDask(Benchmark):
    """Log-density of m queries x n points x d dims: NumPy vs Dask workers."""

    params: ClassVar[list] = [SIZES, BACKENDS]
    param_names: ClassVar[list] = ["m_x_n_x_d", "backend"]
    timeout = 600
    number = 1

    def setup(self, size, backend):
        if QUICK and size != SIZES[0]:
            raise NotImplementedError("quick mode: small size only")
        HighDimKDE = skip_unless_available("statnorm.kde", "HighDimKDE")
        m, n, d = (int(v) for v in size.split("x"))
        g = rng(0)
        X = g.standard_normal((n, d))
        self.Q = g.standard_normal((m, d))
        self.kde = HighDimKDE(bandwidth="scott").fit(X)
        self.kde.score_samples(self.Q[:5])  # pay the JIT
        self.cluster = self.client = None
        if backend == "in-memory":
            return
        try:
            import dask.array as da
            import distributed
        except ImportError as exc:
            raise NotImplementedError("dask / distributed not installed") from exc
        self.cluster = distributed.LocalCluster(
            n_workers=int(backend.split("-")[1]),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=50,
        )
        self.client = distributed.Client(self.cluster)
        self.dQ = da.from_array(self.Q, chunks=(CHUNK_ROWS, d)).persist()
        distributed.wait(self.dQ)
        # load the compiled kernels on every worker, not in the timed call
        self.client.run(self.kde.score_samples, self.Q[:5])

    def teardown(self, size, backend):
        if getattr(self, "client", None) is not None:
            self.client.close()
            self.cluster.close()

    def _run(self, backend):
        if backend == "in-memory":
            return self.kde.score_samples(self.Q)
        return self.kde.score_samples(self.dQ).compute()

    def time_score_samples(self, size, backend):
        self._run(backend)

    def track_max_abs_diff(self, size, backend):
        ref = self.kde.score_samples(self.Q)
        return float(np.max(np.abs(self._run(backend) - ref)))

    track_max_abs_diff.unit = "nats"
