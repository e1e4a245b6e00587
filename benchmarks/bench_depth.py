"""statnorm.depth against the tte-depth package (its authors' implementation).

The package computes every pairwise distance with a Python double loop calling
``scipy.spatial.distance.cosine`` (about 5 us per pair), so it is timed at
sizes where it finishes in seconds: the full ``depths_paired`` at 300 x 299
(unequal sizes: at equal sizes it computes wrong depths), and its scoring
kernel for 20 of the 5,000 points at the 5,000 x 384 reference, which
``track_speedup_5000x5000`` extrapolates linearly (the loop is exactly linear
in the number of scored points) to the full 5,000-point scoring.
"""

import time
from typing import ClassVar

import numpy as np

from .common import QUICK, Benchmark, rng, skip_unless_available


def _data(n, m, d=384, seed=0):
    g = rng(seed)
    F = g.normal(size=(n, d)) + 0.3
    G = g.normal(size=(m, d)) + 0.3
    return F, G


class TTEDepthVsPackage(Benchmark):
    """Fit on F (300 x 384) and score G (299 x 384), leave-one-out depths of F
    included: the computation of ``tte_depth.StatDepth().depths_paired(F, G)``."""

    params: ClassVar[list] = ["cosine", "chord"]
    param_names: ClassVar[list] = ["metric"]

    def setup(self, metric):
        self.TTEDepth = skip_unless_available("statnorm.depth", "TTEDepth")
        self.peer = skip_unless_available("tte_depth", "StatDepth")
        self.F, self.G = _data(300, 299)
        if metric == "chord":  # the package assumes unit-norm rows for chord
            self.F /= np.linalg.norm(self.F, axis=1, keepdims=True)
            self.G /= np.linalg.norm(self.G, axis=1, keepdims=True)
        self.TTEDepth(metric=metric).fit(self.F[:10]).score_samples(self.G[:3])

    def time_statnorm(self, metric):
        self.TTEDepth(metric=metric).fit(self.F).score_samples(self.G)

    def time_peer_tte_depth(self, metric):
        self.peer(metric).depths_paired(self.F, self.G)

    def track_max_abs_diff_vs_package(self, metric):
        dF, dG = self.peer(metric).depths_paired(self.F, self.G)
        est = self.TTEDepth(metric=metric).fit(self.F)
        return float(
            max(
                np.abs(est.depths_ - dF).max(),
                np.abs(est.score_samples(self.G) - dG).max(),
            )
        )

    track_max_abs_diff_vs_package.unit = "abs diff"


class TTEScoring5000(Benchmark):
    """Reference 5,000 x 384, scoring 5,000 points: statnorm (closed form) vs the
    package's scoring kernel timed on 20 points and scaled to 5,000."""

    def setup(self):
        self.TTEDepth = skip_unless_available("statnorm.depth", "TTEDepth")
        self.F, self.G = _data(5000, 5000)
        self.est = self.TTEDepth().fit(self.F)

    def peakmem_statnorm_fit_and_score(self):
        self.TTEDepth().fit(self.F).score_samples(self.G)

    def time_statnorm_score(self):
        self.est.score_samples(self.G)

    def time_statnorm_fit_and_score(self):
        self.TTEDepth().fit(self.F).score_samples(self.G)

    def time_peer_tte_depth_score_20_points(self):
        create = skip_unless_available("utils", "create_dist_matrix")
        cos = skip_unless_available("utils", "cosine_dist")
        create(self.F, self.G[:20], cos).mean(axis=0)

    def track_speedup_5000x5000(self):
        create = skip_unless_available("utils", "create_dist_matrix")
        cos = skip_unless_available("utils", "cosine_dist")
        t0 = time.process_time()
        create(self.F, self.G[:20], cos).mean(axis=0)
        peer = (time.process_time() - t0) * (5000 / 20)
        best = np.inf
        for _ in range(5):
            t0 = time.process_time()
            self.est.score_samples(self.G)
            best = min(best, time.process_time() - t0)
        return peer / best

    track_speedup_5000x5000.unit = "x faster (CPU time, extrapolated peer)"


class OtherDepths5000(Benchmark):
    """The non-degenerate depths at the same size (reference 5,000 x 384,
    scoring 5,000 points): fit + score; divide by 5,000 for the cost per point."""

    params: ClassVar[list] = [
        "spatial",
        "mahalanobis",
        "projection",
        "halfspace",
        "tte_chord",
    ]
    param_names: ClassVar[list] = ["depth"]
    timeout = 600

    def setup(self, depth):
        mod = "statnorm.depth"
        if QUICK and depth in ("spatial", "tte_chord"):
            raise NotImplementedError("quick mode: pairwise depths skipped")
        self.est = {
            "spatial": lambda: skip_unless_available(mod, "SpatialDepth")(),
            "mahalanobis": lambda: skip_unless_available(mod, "MahalanobisDepth")(),
            "projection": lambda: skip_unless_available(mod, "ProjectionDepth")(
                n_directions=1000, random_state=0
            ),
            "halfspace": lambda: skip_unless_available(mod, "HalfspaceDepth")(
                n_directions=1000, random_state=0
            ),
            "tte_chord": lambda: skip_unless_available(mod, "TTEDepth")(metric="chord"),
        }[depth]
        self.F, self.G = _data(5000, 5000, seed=1)
        self.est().fit(self.F[:500]).score_samples(self.G[:5])  # compile

    def time_fit_score(self, depth):
        self.est().fit(self.F).score_samples(self.G)


class RankSumTest(Benchmark):
    """depth_rank_sum_test on TruthfulQA human (817) vs ChatGPT (816) embeddings."""

    params: ClassVar[list] = ["asymptotic", "permutation"]
    param_names: ClassVar[list] = ["method"]

    def setup(self, method):
        self.test = skip_unless_available("statnorm.depth", "depth_rank_sum_test")
        from statnorm.datasets import load_mgt_embeddings

        emb = load_mgt_embeddings("truthfulqa")
        self.H = emb.human.astype(np.float64)
        self.M = emb.machine.astype(np.float64)[:816]  # unequal sizes

    def time_statnorm(self, method):
        self.test(self.H, self.M, method=method, n_permutations=999, random_state=0)


class RankSumTestVsPackage(RankSumTest):
    """The asymptotic test against ``StatDepth().depth_rank_test`` on 300 human
    vs 299 ChatGPT answers (180,000 interpreted pairs plus its O(N^2) Q loop)."""

    params: ClassVar[list] = ["asymptotic"]

    def setup(self, method):
        super().setup(method)
        self.peer = skip_unless_available("tte_depth", "StatDepth")
        self.H, self.M = self.H[:300], self.M[:299]

    def time_peer_tte_depth(self, method):
        self.peer("cosine").depth_rank_test(self.H, self.M)


class RankSumPermutationSmall(Benchmark):
    """The permutation test (999 relabellings) on n vs n - 1 points of
    N(0.3 * 1, I_20): the sizes where ``method="auto"`` (the default) runs it."""

    params: ClassVar[list] = [[30, 100], ["permutation", "asymptotic"]]
    param_names: ClassVar[list] = ["n", "method"]

    def setup(self, n, method):
        self.test = skip_unless_available("statnorm.depth", "depth_rank_sum_test")
        self.F, self.G = _data(n, n - 1, d=20, seed=2)
        self.test(self.F, self.G, method=method, n_permutations=9)  # compile

    def time_statnorm(self, n, method):
        self.test(self.F, self.G, method=method, n_permutations=999, random_state=0)


class RankSumPermutationVsPackage(RankSumPermutationSmall):
    """The package has only the asymptotic test (``depth_rank_test``): statnorm's
    permutation test, 999 relabellings, against one package test at the same
    size (``track_ratio``: statnorm's time / the package's)."""

    params: ClassVar[list] = [[30, 100]]
    param_names: ClassVar[list] = ["n"]

    def setup(self, n):
        super().setup(n, "permutation")
        self.peer = skip_unless_available("tte_depth", "StatDepth")

    def time_statnorm(self, n):
        super().time_statnorm(n, "permutation")

    def time_peer_tte_depth(self, n):
        self.peer("cosine").depth_rank_test(self.F, self.G)

    def track_ratio(self, n):
        def best(f, k=5):
            out = np.inf
            for _ in range(k):
                t0 = time.process_time()
                f()
                out = min(out, time.process_time() - t0)
            return out

        ours = best(lambda: self.time_statnorm(n))
        peer = best(lambda: self.time_peer_tte_depth(n))
        return ours / peer

    track_ratio.unit = "statnorm permutation time / package asymptotic time"
