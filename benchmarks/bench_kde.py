"""statnorm.kde.HighDimKDE against scipy, scikit-learn and plain numpy.

Log-density of m queries against n data points in d dimensions, data and
queries N(0, I_d), Scott bandwidth: the extreme-value regime at d = 50
(median effective number of contributing points about 2). All four compute
the same model: scipy's ``gaussian_kde`` with its Scott factor (HighDimKDE
with ``bandwidth="scott"`` uses the same kernel covariance), scikit-learn's
``KernelDensity`` and numpy with the isotropic bandwidth of the same value.

- ``time_statnorm``: fused kernel, float64, all cores (``n_jobs=-1``).
- ``time_statnorm_float32``: the float32 option.
- ``time_peer_scipy``: ``gaussian_kde.logpdf`` (single-threaded loop).
- ``time_peer_sklearn``: ``KernelDensity.score_samples`` (kd-tree, exact
  mode ``rtol=atol=0``; its answers are off by up to tens of nats here,
  ``track_sklearn_max_error_nats``).
- ``time_numpy_gemm_logsumexp``: blocked BLAS GEMM (1,000 query rows at a
  time) + ``scipy.special.logsumexp``, the obvious numpy implementation.
- ``time_bare_gemm``: the same blocked GEMM alone, no exponentials: the
  machine's limit for this shape.

The anchor size is m = 5,000, n = 20,000, d = 50. With
``STATNORM_BENCH_QUICK`` set (CI), only the small size runs, so that the
peers finish in seconds.
"""

from typing import ClassVar

import numpy as np

from .common import QUICK, Benchmark, rng, skip_unless_available

SIZES = ["1000x5000x50", "5000x20000x50"]


def _parse(size):
    m, n, d = (int(v) for v in size.split("x"))
    return m, n, d


class ScoreSamples(Benchmark):
    """Log-density, m queries x n points x d dimensions, Scott bandwidth."""

    params: ClassVar[list] = [SIZES]
    param_names: ClassVar[list] = ["m_x_n_x_d"]
    timeout = 600

    def setup(self, size):
        if QUICK and size != SIZES[0]:
            raise NotImplementedError("quick mode: small size only")
        HighDimKDE = skip_unless_available("statnorm.kde", "HighDimKDE")
        m, n, d = _parse(size)
        g = rng(0)
        self.X = g.standard_normal((n, d))
        self.Q = g.standard_normal((m, d))
        self.kde = HighDimKDE(bandwidth="scott", n_jobs=-1).fit(self.X)
        self.kde32 = HighDimKDE(bandwidth="scott", dtype="float32", n_jobs=-1).fit(
            self.X
        )
        self.kde.score_samples(self.Q[:5])  # pay the JIT
        self.kde32.score_samples(self.Q[:5])
        self.h = float(self.kde.bandwidth_whitened_)
        self.buf = np.empty((1000, n))

    def time_statnorm(self, size):
        self.kde.score_samples(self.Q)

    def time_statnorm_float32(self, size):
        self.kde32.score_samples(self.Q)

    def peakmem_statnorm(self, size):
        self.kde.score_samples(self.Q)

    def time_peer_scipy(self, size):
        from scipy.stats import gaussian_kde

        gaussian_kde(self.X.T).logpdf(self.Q.T)

    def peakmem_peer_scipy(self, size):
        from scipy.stats import gaussian_kde

        gaussian_kde(self.X.T).logpdf(self.Q.T)

    def time_peer_sklearn(self, size):
        from sklearn.neighbors import KernelDensity

        KernelDensity(bandwidth=self.h).fit(self.X).score_samples(self.Q)

    def peakmem_peer_sklearn(self, size):
        from sklearn.neighbors import KernelDensity

        KernelDensity(bandwidth=self.h).fit(self.X).score_samples(self.Q)

    def _numpy(self):
        from scipy.special import logsumexp

        h2 = self.h * self.h
        X, Q = self.X, self.Q
        xx = np.einsum("ij,ij->i", X, X)
        out = np.empty(Q.shape[0])
        for s in range(0, Q.shape[0], 1000):
            q = Q[s : s + 1000]
            G = self.buf[: q.shape[0]]
            np.dot(q, X.T, out=G)
            G *= 2.0
            G -= xx
            G -= np.einsum("ij,ij->i", q, q)[:, None]
            np.minimum(G, 0.0, out=G)
            G /= 2.0 * h2
            out[s : s + 1000] = logsumexp(G, axis=1)
        d = X.shape[1]
        return out - np.log(X.shape[0]) - 0.5 * d * np.log(2 * np.pi * h2)

    def time_numpy_gemm_logsumexp(self, size):
        self._numpy()

    def peakmem_numpy_gemm_logsumexp(self, size):
        self._numpy()

    def time_bare_gemm(self, size):
        for s in range(0, self.Q.shape[0], 1000):
            q = self.Q[s : s + 1000]
            np.dot(q, self.X.T, out=self.buf[: q.shape[0]])

    def track_sklearn_max_error_nats(self, size):
        from sklearn.neighbors import KernelDensity

        q = self.Q[:200]
        sk = KernelDensity(bandwidth=self.h).fit(self.X).score_samples(q)
        return float(np.max(np.abs(sk - self.kde.score_samples(q))))

    track_sklearn_max_error_nats.unit = "nats"

    def track_scipy_max_rel_diff(self, size):
        from scipy.stats import gaussian_kde

        q = self.Q[:200]
        sp = gaussian_kde(self.X.T).logpdf(q.T)
        ours = self.kde.score_samples(q)
        return float(np.max(np.abs(sp - ours) / np.abs(sp)))

    track_scipy_max_rel_diff.unit = "relative"

    def track_numpy_max_rel_diff(self, size):
        kde = skip_unless_available("statnorm.kde", "HighDimKDE")
        iso = kde(bandwidth=self.h, standardize="none").fit(self.X)
        ref = self._numpy()
        return float(np.max(np.abs(iso.score_samples(self.Q) - ref) / np.abs(ref)))

    track_numpy_max_rel_diff.unit = "relative"


class Selectors(Benchmark):
    """Bandwidth selection on 5,000 x 50 (lcv: 2,000 leave-one-out queries;
    2,000 x 50 in quick mode)."""

    params: ClassVar[list] = [["scott", "kl_nn", "lcv"]]
    param_names: ClassVar[list] = ["bandwidth"]

    def setup(self, bandwidth):
        HighDimKDE = skip_unless_available("statnorm.kde", "HighDimKDE")
        self.X = rng(1).standard_normal((2000 if QUICK else 5000, 50))
        self.cls = HighDimKDE
        HighDimKDE(bandwidth=bandwidth, max_samples=20).fit(self.X[:100])

    def time_fit(self, bandwidth):
        self.cls(bandwidth=bandwidth, n_jobs=-1, random_state=0).fit(self.X)

    def track_bandwidth_whitened(self, bandwidth):
        kde = self.cls(bandwidth=bandwidth, n_jobs=-1, random_state=0).fit(self.X)
        return kde.bandwidth_whitened_

    track_bandwidth_whitened.unit = "h"


class KDEpyNaive(Benchmark):
    """KDEpy's ``NaiveKDE`` (the exact one of its three) on 20 queries x 5,000
    points x 50 dimensions, Scott bandwidth. KDEpy returns densities, not
    log-densities, and adds ``np.finfo(float).eps`` to each, so at d = 50
    (true densities about 1e-35) its answers are the floor 2.2e-16:
    ``track_kdepy_median_error_nats`` is the error of ``log(density)``."""

    def setup(self):
        HighDimKDE = skip_unless_available("statnorm.kde", "HighDimKDE")
        self.NaiveKDE = skip_unless_available("KDEpy", "NaiveKDE")
        g = rng(2)
        self.X = g.standard_normal((5000, 50))
        self.Q = g.standard_normal((20, 50))
        self.h = 5000 ** (-1 / 54)
        self.kde = HighDimKDE(bandwidth=self.h, standardize="none").fit(self.X)
        self.kde.score_samples(self.Q[:2])

    def time_statnorm(self):
        self.kde.score_samples(self.Q)

    def time_peer_kdepy(self):
        self.NaiveKDE(kernel="gaussian", bw=self.h).fit(self.X).evaluate(self.Q)

    def track_kdepy_median_error_nats(self):
        dens = self.NaiveKDE(kernel="gaussian", bw=self.h).fit(self.X).evaluate(self.Q)
        return float(np.median(np.log(dens) - self.kde.score_samples(self.Q)))

    track_kdepy_median_error_nats.unit = "nats"


def _cpu_seconds(f, repeat=3):
    """Smallest CPU time of ``repeat`` calls of ``f`` with BLAS on one thread."""
    import time

    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        best = np.inf
        for _ in range(repeat):
            t0 = time.process_time()
            f()
            best = min(best, time.process_time() - t0)
    return best


class GemmFloor(Benchmark):
    """``score_samples`` single-threaded (``n_jobs=None``) as ratios measured in
    one process: to the bare blocked GEMM of the same shapes (the floor,
    target <= 1.2) and of scipy's ``gaussian_kde.logpdf`` to it (the peer;
    timed on the first 500 queries and scaled, as its cost is linear in the
    queries). ``track_max_abs_error_nats`` compares with a float64
    ``scipy.special.logsumexp`` of the exact squared distances (fails above
    1e-10 nats)."""

    params: ClassVar[list] = [["1000x5000x50"] if QUICK else ["5000x20000x50"]]
    param_names: ClassVar[list] = ["m_x_n_x_d"]
    timeout = 600

    def setup(self, size):
        HighDimKDE = skip_unless_available("statnorm.kde", "HighDimKDE")
        m, n, d = _parse(size)
        g = rng(0)
        self.X = g.standard_normal((n, d))
        self.Q = g.standard_normal((m, d))
        self.kde = HighDimKDE(bandwidth="scott").fit(self.X)
        self.kde.score_samples(self.Q[:5])
        self.buf = np.empty((1000, n))

    def _gemm(self):
        for s in range(0, self.Q.shape[0], 1000):
            q = self.Q[s : s + 1000]
            np.dot(q, self.X.T, out=self.buf[: q.shape[0]])

    def track_ratio_statnorm_to_gemm(self, size):
        ours = _cpu_seconds(lambda: self.kde.score_samples(self.Q))
        return ours / _cpu_seconds(self._gemm)

    track_ratio_statnorm_to_gemm.unit = "x"

    def track_ratio_peer_scipy_to_statnorm(self, size):
        from scipy.stats import gaussian_kde

        k = min(500, self.Q.shape[0])
        peer = _cpu_seconds(lambda: gaussian_kde(self.X.T).logpdf(self.Q[:k].T), 1)
        ours = _cpu_seconds(lambda: self.kde.score_samples(self.Q))
        return peer * (self.Q.shape[0] / k) / ours

    track_ratio_peer_scipy_to_statnorm.unit = "x"

    def track_max_abs_error_nats(self, size):
        from scipy.special import logsumexp

        HighDimKDE = skip_unless_available("statnorm.kde", "HighDimKDE")
        h = 0.8
        X, Q = self.X[:2000], self.Q[:100]
        kde = HighDimKDE(bandwidth=h, standardize="none").fit(X)
        D = ((Q[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
        d = X.shape[1]
        ref = (
            logsumexp(-0.5 * D / h**2, axis=1)
            - np.log(X.shape[0])
            - 0.5 * d * np.log(2 * np.pi * h**2)
        )
        err = float(np.max(np.abs(kde.score_samples(Q) - ref)))
        if not err < 1e-10:
            raise AssertionError(f"log-densities off by {err:.1e} nats")
        return err

    track_max_abs_error_nats.unit = "nats"
