"""Compositional partial correlations (statnorm.compositional) against the peers
a user would otherwise reach for.

- ``PseudoInverse``: ``CompositionalPartialCorrelation().fit`` (thin SVD of
  the centred clr data when n <= D, closed form otherwise) plus the
  partial-correlation matrix, against ``numpy.linalg.pinv`` of the clr
  covariance (``hermitian=True``, its faster variant). The numpy peer is
  skipped at D = 2,000 (50-110 s there on 2 cores); it runs at D = 1,000.
- ``GlassoPeer``: the same estimate against scikit-learn's
  ``GraphicalLasso(alpha=0.05)`` and ``LedoitWolf`` on clr data (D = 200,
  n = 500, where the lasso finishes in about a second).
- ``CLR``: ``statnorm.compositional.clr`` against scikit-bio's ``clr``.
- ``TopEdges``: basis shrinkage at D = 20,000 parts, n = 200 samples, and
  the 100 strongest pairs without forming the D x D matrix; ``peakmem``
  reports the peak memory of fit + top_edges (the dense matrix alone would
  be 3.2 GB).
"""

import warnings

import numpy as np
from asv_runner.benchmarks.mark import skip_for_params

from .common import QUICK, Benchmark, rng, skip_unless_available


def _compositions(n, D, seed=0):
    g = rng(seed)
    return np.exp(g.normal(size=(n, D)) + g.normal(size=(1, D)))


def _fit(est, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X)


class PseudoInverse(Benchmark):
    params = [[1000, 2000] if not QUICK else [1000]]
    param_names = ["n_parts"]

    def setup(self, n_parts):
        self.cls = skip_unless_available(
            "statnorm.compositional", "CompositionalPartialCorrelation"
        )
        self.X = _compositions(500, n_parts)
        L = np.log(self.X)
        self.Z = L - L.mean(axis=1, keepdims=True)

    def time_statnorm(self, n_parts):
        return _fit(self.cls(), self.X).partial_correlation_

    def time_statnorm_basis_shrinkage(self, n_parts):
        return _fit(self.cls(shrinkage="basis"), self.X).partial_correlation_

    @skip_for_params([(2000,)])
    def time_peer_numpy_pinv(self, n_parts):
        P = np.linalg.pinv(np.cov(self.Z, rowvar=False), hermitian=True)
        d = np.sqrt(np.diag(P))
        return -P / np.outer(d, d)

    @skip_for_params([(2000,)])
    def track_rel_diff_vs_eigh_pinv(self, n_parts):
        """Max |difference| / max |entry| against an eigh pseudo-inverse with
        tolerance D * eps * largest eigenvalue. (numpy's default pinv, full
        SVD with rcond=1e-15, keeps noise singular values of this singular
        matrix and is off by orders of magnitude at D = 2000.)"""
        G = np.cov(self.Z, rowvar=False)
        w, V = np.linalg.eigh(G)
        keep = w > w.max() * n_parts * np.finfo(float).eps
        P = (V[:, keep] / w[keep]) @ V[:, keep].T
        ours = _fit(self.cls(), self.X).precision_
        return float(np.abs(P - ours).max() / np.abs(P).max())


class GlassoPeer(Benchmark):
    def setup(self):
        self.cls = skip_unless_available(
            "statnorm.compositional", "CompositionalPartialCorrelation"
        )
        self.X = _compositions(500, 200, seed=1)
        L = np.log(self.X)
        self.Z = L - L.mean(axis=1, keepdims=True)

    def time_statnorm(self):
        return self.cls().fit(self.X).partial_correlation_

    def time_statnorm_basis_shrinkage(self):
        return self.cls(shrinkage="basis").fit(self.X).partial_correlation_

    def time_peer_sklearn_graphical_lasso(self):
        from sklearn.covariance import GraphicalLasso

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            GraphicalLasso(alpha=0.05).fit(self.Z)

    def time_peer_sklearn_ledoit_wolf(self):
        from sklearn.covariance import LedoitWolf

        LedoitWolf().fit(self.Z)


class CLR(Benchmark):
    def setup(self):
        self.clr = skip_unless_available("statnorm.compositional", "clr")
        self.X = _compositions(500, 2000, seed=2)
        self.X /= self.X.sum(axis=1, keepdims=True)

    def time_statnorm(self):
        self.clr(self.X)

    def time_peer_skbio(self):
        try:
            from skbio.stats.composition import clr
        except ImportError as exc:
            raise NotImplementedError("scikit-bio is not installed") from exc
        clr(self.X)


class TopEdges(Benchmark):
    params = [[5000, 20000] if not QUICK else [5000]]
    param_names = ["n_parts"]
    timeout = 600

    def setup(self, n_parts):
        self.cls = skip_unless_available(
            "statnorm.compositional", "CompositionalPartialCorrelation"
        )
        self.X = _compositions(200, n_parts, seed=3)
        self.est = self.cls(shrinkage="basis").fit(self.X)

    def time_statnorm_fit_basis(self, n_parts):
        self.cls(shrinkage="basis").fit(self.X)

    def time_statnorm_top_edges(self, n_parts):
        self.est.top_edges(100)

    def peakmem_statnorm_fit_and_top_edges(self, n_parts):
        self.cls(shrinkage="basis").fit(self.X).top_edges(100)
